//! Git history: the lines each commit added, diffing it against its first
//! parent (a merge: only the lines new to every one of its parents).
//!
//! Commits are walked once to list their changed files as (old blob, new
//! blob) pairs; each distinct pair is then diffed and handed over once, with
//! every commit and path that carries it, so a change merged or
//! cherry-picked into several branches costs one diff and one scan. The
//! pairs are spread over worker threads, each with its own repository
//! handle (libgit2 handles are not shared between threads).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::{Delta, DiffFindOptions, DiffOptions, FileMode, Oid, Repository, Sort};

use crate::finding::CommitInfo;
use crate::source::git::GitError;
use crate::source::{is_binary, AddedLines, SkipReason, Skipped};

/// Which commits to walk.
#[derive(Clone, Debug)]
pub enum Revisions {
    /// A revision (everything reachable from it) or a range `A..B`.
    Range(String),
    /// Everything reachable from any ref.
    AllRefs,
}

/// One place a blob pair occurs: the commit and the path.
#[derive(Clone, Debug)]
pub struct Occurrence {
    /// The commit that made the change.
    pub commit: CommitInfo,
    /// The path in that commit.
    pub path: String,
}

/// What the walk found besides texts.
#[derive(Debug, Default)]
pub struct Walked {
    /// Commits walked.
    pub commits: usize,
    /// Distinct blob pairs diffed.
    pub pairs: usize,
    /// Paths passed over, and why.
    pub skipped: Vec<Skipped>,
    /// Where the history stopped early (shallow clone, missing object).
    pub stopped: Vec<String>,
}

/// Walks `revisions`. Each worker thread calls `make_visitor` once and hands
/// its visitor each distinct new blob, its added lines and every commit and
/// path carrying it, so per-thread state (scan buffers, regex caches) lives
/// across blobs.
///
/// # Errors
///
/// A revision does not resolve, or the walk itself fails.
pub fn walk<F, V>(
    repo_path: &Path,
    revisions: &Revisions,
    max_size: u64,
    threads: usize,
    make_visitor: F,
) -> Result<Walked, GitError>
where
    F: Fn() -> V + Sync,
    V: FnMut(&[u8], &AddedLines, &[Occurrence]),
{
    let repo = Repository::open(repo_path).map_err(|e| err("opening the repository", e))?;
    let mut walked = Walked::default();
    let pairs = collect_pairs(&repo, revisions, &mut walked)?;
    walked.pairs = pairs.len();
    let git_dir: PathBuf = repo.path().to_path_buf();
    let queue = Mutex::new(pairs.into_iter());
    let skipped = Mutex::new(Vec::new());
    let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let Ok(repo) = Repository::open(&git_dir) else { return };
                let mut visit = make_visitor();
                loop {
                    let next = queue.lock().expect("no worker panicked").next();
                    let Some(((olds, new), places)) = next else { break };
                    match diff_pair(&repo, &olds, new, max_size) {
                        Ok(Some((bytes, added))) => visit(&bytes, &added, &places),
                        Ok(None) => {}
                        Err(reason) => {
                            let path = places[0].path.clone();
                            skipped.lock().expect("no worker panicked").push(Skipped { path, reason });
                        }
                    }
                }
            });
        }
    });
    walked.skipped.extend(skipped.into_inner().expect("no worker panicked"));
    Ok(walked)
}

/// A change: the blobs it was made from (one per parent that has the path;
/// none for a new file) and the blob it made.
type Change = (Vec<Oid>, Oid);

type Pairs = Vec<(Change, Vec<Occurrence>)>;

/// Lists, for every commit, its changed files as blob pairs against its
/// first parent, grouping identical pairs.
fn collect_pairs(repo: &Repository, revisions: &Revisions, walked: &mut Walked) -> Result<Pairs, GitError> {
    let mut revwalk = repo.revwalk().map_err(|e| err("walking history", e))?;
    revwalk.set_sorting(Sort::TOPOLOGICAL).map_err(|e| err("walking history", e))?;
    match revisions {
        Revisions::AllRefs => revwalk.push_glob("*").map_err(|e| err("listing refs", e))?,
        Revisions::Range(range) if range.contains("...") => {
            return Err(GitError {
                context: format!("revision range {range:?}"),
                message: "A...B (the commits of either side) is not supported; use A..B for what B adds over A"
                    .to_owned(),
            })
        }
        Revisions::Range(range) if range.contains("..") => {
            revwalk.push_range(range).map_err(|e| err(&format!("revision range {range:?}"), e))?
        }
        Revisions::Range(rev) => {
            let commit = repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|e| err(&format!("revision {rev:?}"), e))?;
            revwalk.push(commit.id()).map_err(|e| err("walking history", e))?;
        }
    }
    // A shallow clone's boundary commits look parentless to libgit2; they
    // are scanned as first commits, and the report says history stops there.
    let boundary: Vec<Oid> = if repo.is_shallow() {
        std::fs::read_to_string(repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .collect()
    } else {
        Vec::new()
    };
    let mut index: HashMap<Change, usize> = HashMap::new();
    let mut pairs: Pairs = Vec::new();
    let mut options = DiffOptions::new();
    options.context_lines(0).ignore_submodules(true);
    for id in revwalk {
        let id = id.map_err(|e| err("walking history", e))?;
        let commit = match repo.find_commit(id) {
            Ok(commit) => commit,
            Err(e) => {
                walked.stopped.push(format!("commit {id}: {}", e.message()));
                continue;
            }
        };
        walked.commits += 1;
        if boundary.contains(&id) {
            walked.stopped.push(format!(
                "commit {id}: shallow clone boundary, its parents are not here; scanned as a first commit"
            ));
        }
        let tree = commit.tree().map_err(|e| err(&format!("tree of {id}"), e))?;
        let parent_tree = match commit.parent_count() {
            0 => None,
            _ => match commit.parent(0).and_then(|p| p.tree()) {
                Ok(tree) => Some(tree),
                Err(e) => {
                    walked
                        .stopped
                        .push(format!("commit {id}: parent missing ({}); scanned as a first commit", e.message()));
                    None
                }
            },
        };
        let mut diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut options))
            .map_err(|e| err(&format!("diffing {id}"), e))?;
        diff.find_similar(Some(DiffFindOptions::new().renames(true)))
            .map_err(|e| err(&format!("renames in {id}"), e))?;
        let info = commit_info(&commit);
        // A merge's other parents, whose changes are scanned with their own
        // commits (or lie outside the range, checked where they were made).
        let merged: Vec<git2::Tree> =
            (1..commit.parent_count()).filter_map(|i| commit.parent(i).and_then(|p| p.tree()).ok()).collect();
        for delta in diff.deltas() {
            let new = delta.new_file();
            if matches!(delta.status(), Delta::Deleted | Delta::Unmodified)
                || !matches!(new.mode(), FileMode::Blob | FileMode::BlobExecutable | FileMode::BlobGroupWritable)
            {
                continue;
            }
            // The file as each other parent has it.
            let theirs: Vec<Oid> = merged
                .iter()
                .filter_map(|tree| tree.get_path(new.path()?).ok())
                .filter(|entry| entry.kind() == Some(git2::ObjectType::Blob))
                .map(|entry| entry.id())
                .collect();
            // Taken unchanged from another parent: nothing of the merge's own.
            if theirs.contains(&new.id()) {
                continue;
            }
            // Otherwise a line is the merge's own only when it is new to
            // every parent: what an automatic merge takes from a branch is not.
            let first = (delta.status() != Delta::Added).then(|| delta.old_file().id());
            let key = (first.into_iter().chain(theirs).collect(), new.id());
            let place = Occurrence {
                commit: info.clone(),
                path: String::from_utf8_lossy(new.path_bytes().unwrap_or_default()).into_owned(),
            };
            match index.get(&key) {
                Some(&i) => pairs[i].1.push(place),
                None => {
                    index.insert(key.clone(), pairs.len());
                    pairs.push((key, vec![place]));
                }
            }
        }
    }
    Ok(pairs)
}

/// The new blob's bytes and the lines it adds over every old one (all its
/// lines when there is none); `None` when nothing is added.
fn diff_pair(
    repo: &Repository,
    olds: &[Oid],
    new: Oid,
    max_size: u64,
) -> Result<Option<(Vec<u8>, AddedLines)>, SkipReason> {
    let unreadable = |e: git2::Error| SkipReason::Unreadable(e.message().to_owned());
    let new_blob = repo.find_blob(new).map_err(unreadable)?;
    if new_blob.size() as u64 > max_size {
        return Err(SkipReason::TooLarge(new_blob.size() as u64));
    }
    if is_binary(new_blob.content()) {
        return Ok(None);
    }
    let mut added = AddedLines::All;
    for &old in olds {
        let old_blob = repo.find_blob(old).map_err(unreadable)?;
        let mut options = DiffOptions::new();
        options.context_lines(0);
        let patch =
            git2::Patch::from_blobs(&old_blob, None, &new_blob, None, Some(&mut options)).map_err(unreadable)?;
        let mut lines = Vec::new();
        for hunk in 0..patch.num_hunks() {
            for n in 0..patch.num_lines_in_hunk(hunk).map_err(unreadable)? {
                let line = patch.line_in_hunk(hunk, n).map_err(unreadable)?;
                if line.origin() == '+' {
                    lines.extend(line.new_lineno());
                }
            }
        }
        added = added.and(&AddedLines::from_lines(lines));
    }
    if added.is_empty() {
        return Ok(None);
    }
    Ok(Some((new_blob.content().to_vec(), added)))
}

fn commit_info(commit: &git2::Commit<'_>) -> CommitInfo {
    let author = commit.author();
    let name = String::from_utf8_lossy(author.name_bytes());
    let email = String::from_utf8_lossy(author.email_bytes());
    CommitInfo { commit: commit.id().to_string(), author: format!("{name} <{email}>"), date: rfc3339(author.when()) }
}

/// A git time as RFC 3339 in its own offset, e.g. `2024-05-01T12:00:00+02:00`.
pub fn rfc3339(time: git2::Time) -> String {
    let offset = i64::from(time.offset_minutes());
    let local = time.seconds() + offset * 60;
    let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// well-known algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn err(context: &str, e: git2::Error) -> GitError {
    GitError { context: context.to_owned(), message: e.message().to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(git2::Time::new(0, 0)), "1970-01-01T00:00:00+00:00");
        assert_eq!(rfc3339(git2::Time::new(1_714_557_600, 120)), "2024-05-01T12:00:00+02:00");
        assert_eq!(rfc3339(git2::Time::new(951_782_400, -330)), "2000-02-28T18:30:00-05:30");
    }
}
