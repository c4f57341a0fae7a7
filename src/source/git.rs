//! Git sources, read with git2: the lines the index adds relative to HEAD,
//! and the lines added between two revisions.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::{Delta, Diff, DiffFindOptions, DiffOptions, FileMode, Patch, Repository, Tree};

use crate::source::{is_binary, AddedLines, SkipReason, Skipped, Text};

/// A git operation that failed, with what was being done.
#[derive(Debug)]
pub struct GitError {
    /// What was being done.
    pub context: String,
    /// libgit2's message.
    pub message: String,
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.context, self.message)
    }
}

impl std::error::Error for GitError {}

trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, GitError>;
}

impl<T> Context<T> for Result<T, git2::Error> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, GitError> {
        self.map_err(|e| GitError { context: what(), message: e.message().to_owned() })
    }
}

/// Finds the repository containing `dir`, if any.
pub fn discover(dir: &Path) -> Option<Repository> {
    Repository::discover(dir).ok()
}

/// The paths of the regular files the index tracks (`/`-separated,
/// relative to the work tree root), each once.
///
/// # Errors
///
/// The index cannot be read.
pub fn tracked_files(repo: &Repository) -> Result<Vec<String>, GitError> {
    let index = repo.index().context(|| "reading the index".to_owned())?;
    let mut paths: Vec<String> = index
        .iter()
        .filter(|e| matches!(e.mode, 0o100644 | 0o100755 | 0o100664))
        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        .collect();
    // Conflicted paths have one entry per side.
    paths.dedup();
    Ok(paths)
}

/// The root of the working tree, or an error for a bare repository.
///
/// # Errors
///
/// The repository is bare.
pub fn workdir(repo: &Repository) -> Result<PathBuf, GitError> {
    repo.workdir().map(Path::to_path_buf).ok_or_else(|| GitError {
        context: repo.path().display().to_string(),
        message: "bare repository: it has no working tree or index to scan".to_owned(),
    })
}

/// What a diff adds: texts with their added lines, paths passed over, and
/// every path the diff touches (scanned or not).
#[derive(Debug, Default)]
pub struct Changes {
    /// New content with the lines that count as added.
    pub texts: Vec<Text>,
    /// Paths passed over, and why.
    pub skipped: Vec<Skipped>,
    /// Every path with a change (new side), including deleted and skipped ones.
    pub touched: HashSet<String>,
    /// Paths of files the diff adds (neither renamed nor copied): what a
    /// check that adopts gradually, such as licence headers, looks at.
    pub added: HashSet<String>,
}

/// The lines the index adds relative to HEAD (or to nothing, before the
/// first commit).
///
/// # Errors
///
/// The repository is bare, or git2 cannot read HEAD, the index or a blob.
pub fn staged(repo: &Repository, max_size: u64) -> Result<Changes, GitError> {
    workdir(repo)?;
    let head = head_tree(repo)?;
    let index = repo.index().context(|| "reading the index".to_owned())?;
    let diff = repo
        .diff_tree_to_index(head.as_ref(), Some(&index), Some(&mut diff_options()))
        .context(|| "diffing the index against HEAD".to_owned())?;
    changes(repo, diff, max_size)
}

/// The lines added from the merge base of `from` and `to` up to `to`, as
/// `git diff from...to` shows them (the pre-push range of the pre-commit
/// framework).
///
/// # Errors
///
/// A revision does not resolve to a commit, or git2 cannot read an object.
pub fn range(repo: &Repository, from: &str, to: &str, max_size: u64) -> Result<Changes, GitError> {
    let commit =
        |rev: &str| repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).context(|| format!("revision {rev:?}"));
    let (from, to) = (commit(from)?, commit(to)?);
    let base = repo.merge_base(from.id(), to.id()).context(|| "finding the merge base".to_owned())?;
    let base_tree = repo.find_commit(base).and_then(|c| c.tree()).context(|| "reading the base tree".to_owned())?;
    let to_tree = to.tree().context(|| "reading the target tree".to_owned())?;
    let diff = repo
        .diff_tree_to_tree(Some(&base_tree), Some(&to_tree), Some(&mut diff_options()))
        .context(|| "diffing the range".to_owned())?;
    changes(repo, diff, max_size)
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>, GitError> {
    match repo.head() {
        Ok(head) => head.peel_to_tree().map(Some).context(|| "reading HEAD's tree".to_owned()),
        // No commit yet: everything in the index is new.
        Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e).context(|| "reading HEAD".to_owned()),
    }
}

fn diff_options() -> DiffOptions {
    let mut options = DiffOptions::new();
    options.context_lines(0).interhunk_lines(0).ignore_submodules(true);
    options
}

/// Turns a diff into texts: new blob contents with their `+` lines.
fn changes(repo: &Repository, mut diff: Diff<'_>, max_size: u64) -> Result<Changes, GitError> {
    // Renames and copies: only lines that are really new count.
    let mut find = DiffFindOptions::new();
    find.renames(true).copies(true);
    diff.find_similar(Some(&mut find)).context(|| "detecting renames".to_owned())?;
    let mut out = Changes::default();
    for index in 0..diff.deltas().len() {
        let Some(delta) = diff.get_delta(index) else { continue };
        let new = delta.new_file();
        let path = String::from_utf8_lossy(new.path_bytes().unwrap_or_default()).into_owned();
        out.touched.insert(path.clone());
        if delta.status() == Delta::Added {
            out.added.insert(path.clone());
        }
        if matches!(delta.status(), Delta::Deleted | Delta::Unmodified | Delta::Ignored | Delta::Untracked)
            || matches!(new.mode(), FileMode::Commit | FileMode::Link | FileMode::Tree | FileMode::Unreadable)
        {
            continue;
        }
        if new.size() > max_size {
            out.skipped.push(Skipped { path, reason: SkipReason::TooLarge(new.size()) });
            continue;
        }
        let lines = match added_lines(&diff, index) {
            Ok(Some(lines)) => lines,
            Ok(None) => {
                out.skipped.push(Skipped { path, reason: SkipReason::Binary });
                continue;
            }
            Err(e) => {
                out.skipped.push(Skipped { path, reason: SkipReason::Unreadable(e.message().to_owned()) });
                continue;
            }
        };
        if lines.is_empty() {
            continue;
        }
        let blob = repo.find_blob(new.id()).context(|| format!("reading the blob of {path}"))?;
        if is_binary(blob.content()) {
            out.skipped.push(Skipped { path, reason: SkipReason::Binary });
            continue;
        }
        out.texts.push(Text { path, bytes: blob.content().to_vec(), added: lines, commit: None });
    }
    Ok(out)
}

/// The new-side numbers of the `+` lines of one delta, or `None` when git
/// sees the delta as binary.
fn added_lines(diff: &Diff<'_>, index: usize) -> Result<Option<AddedLines>, git2::Error> {
    let Some(patch) = Patch::from_diff(diff, index)? else { return Ok(None) };
    if patch.delta().flags().is_binary() {
        return Ok(None);
    }
    let mut lines = Vec::new();
    for hunk in 0..patch.num_hunks() {
        for n in 0..patch.num_lines_in_hunk(hunk)? {
            let line = patch.line_in_hunk(hunk, n)?;
            if line.origin() == '+' {
                lines.extend(line.new_lineno());
            }
        }
    }
    Ok(Some(AddedLines::from_lines(lines)))
}
