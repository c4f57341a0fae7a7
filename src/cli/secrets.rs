//! `commitguard secrets`: resolves the arguments into a source, runs the
//! scanner over it and hands the findings to the reporter.

use std::collections::{HashMap, HashSet};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context as _, Result};

use crate::cli::args::{BaselineAction, BaselineArgs, Format, ScanArgs, SecretsArgs};
use crate::cli::progress::Progress;
use crate::cli::report::{self, Summary};
use crate::cli::Outcome;
use crate::config;
use crate::finding::Finding;
use crate::secrets::baseline::{self, Baseline};
use crate::secrets::detect_secrets;
use crate::secrets::ignorefile::{self, IgnoreFile};
use crate::secrets::{Input, Scanner, Scratch};
use crate::source::git::{self, Changes};
use crate::source::history::{self, Revisions};
use crate::source::ignored::Ignored;
use crate::source::walk::{self, display_path, Event, WalkOptions};
use crate::source::{AddedLines, SkipReason, Skipped, Text};

/// What to scan, resolved from the arguments and the environment.
enum Job {
    /// Every file of the tree under these roots.
    Tree { roots: Vec<PathBuf>, base: PathBuf },
    /// A diff (staged or a pre-push range), narrowed to `paths` when given;
    /// paths the diff does not touch are scanned whole.
    Diff { repo: git2::Repository, range: Option<(String, String)>, paths: Option<Vec<PathBuf>> },
    /// Files outside any repository, scanned whole.
    Files { paths: Vec<PathBuf> },
    /// The lines each commit added.
    History { repo: PathBuf, revisions: Revisions },
}

/// Runs `commitguard secrets`.
pub(crate) fn run(args: &SecretsArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("current directory")?;
    let anchor = anchor(args, &cwd);
    let setup = Setup::new(&args.scan, &anchor)?;
    let job = resolve(args, &cwd, &anchor)?;
    let (mut findings, mut summary) = setup.scan(job)?;
    summary.rules = setup.scanner.rules().iter().map(|r| (r.id().to_owned(), r.description().to_owned())).collect();
    setup.ignore_file(&mut findings)?;
    if !args.no_baseline {
        let path = args.baseline.clone().unwrap_or_else(|| setup.root.join(baseline::FILE));
        let loaded = Baseline::load(&path)?;
        if loaded.is_none() && args.baseline.is_some() {
            bail!("{}: no such baseline file", path.display());
        }
        if let Some(known) = loaded {
            let used = known.filter(&mut findings);
            summary.baselined = used.len();
            if args.all_files && args.paths.is_empty() {
                for entry in known.unused(&used) {
                    eprintln!(
                        "commitguard: warning: {}: baseline entry {} ({} in {}) matched nothing",
                        path.display(),
                        entry.fingerprint.chars().take(12).collect::<String>(),
                        entry.rule,
                        report::escape(&entry.path)
                    );
                }
            }
        }
    }
    let outcome = report::emit(&args.report, &findings, &summary)?;
    if outcome == Outcome::Findings && args.report.format == Format::Human {
        if let Some(hint) = hint(args, &anchor) {
            eprintln!("commitguard: a false positive? {hint}");
        }
    }
    // A hook stays quiet when clean; a CI log of a whole tree or history
    // should still show what was looked at.
    if outcome == Outcome::Clean && (args.all_files || args.history.is_some()) {
        let (files, bytes) = (summary.files, summary.bytes);
        let accepted = match summary.baselined {
            0 => String::new(),
            n => format!(", {n} accepted by the baseline"),
        };
        eprintln!(
            "commitguard: no findings in {files} file{} ({bytes} bytes) scanned{accepted}",
            report::plural(files as usize)
        );
    }
    Ok(outcome)
}

/// Whether `a` and `b` are the same folder.
fn same_dir(a: &Path, b: &Path) -> bool {
    a.canonicalize().ok().zip(b.canonicalize().ok()).is_some_and(|(a, b)| a == b)
}

/// Whether `path` names nothing: not there, or "below" a file.
fn is_missing(path: &Path) -> bool {
    path.symlink_metadata().is_err_and(|e| matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory))
}

/// The ways out of a blocked scan that apply to how it was run.
fn hint(args: &SecretsArgs, anchor: &Path) -> Option<&'static str> {
    if args.history.is_some() {
        return None;
    }
    let in_repo = git::discover(anchor).is_some();
    Some(if !in_repo {
        "mark its line `commitguard:allow`"
    } else if args.all_files {
        "mark its line `commitguard:allow`, or accept what is already there with `commitguard baseline create`"
    } else if !args.staged && pre_push_range().is_some() {
        "mark its line `commitguard:allow`, accept what is already there with `commitguard baseline create`, \
         or bypass this once with `git push --no-verify`"
    } else {
        "mark its line `commitguard:allow`, accept what is already there with `commitguard baseline create`, \
         or bypass this once with `git commit --no-verify`"
    })
}

/// Runs `commitguard baseline ...`.
pub(crate) fn baseline(args: &BaselineArgs) -> Result<Outcome> {
    let file = match &args.action {
        BaselineAction::Create(file) | BaselineAction::Update(file) | BaselineAction::Import { file, .. } => file,
    };
    let setup = Setup::new(&file.scan, &std::env::current_dir().context("current directory")?)?;
    let path = file.baseline.clone().unwrap_or_else(|| setup.root.join(baseline::FILE));
    let job = Job::Tree { roots: vec![setup.root.clone()], base: setup.root.clone() };
    let (mut findings, _) = setup.scan(job)?;
    if let Some(rev) = &file.history {
        let repo = git::discover(&setup.root)
            .with_context(|| format!("{}: not a git repository, so there is no history", setup.root.display()))?;
        let revisions = Revisions::Range(rev.clone().unwrap_or_else(|| "HEAD".to_owned()));
        let (history, _) = setup.scan(Job::History { repo: repo.path().to_path_buf(), revisions })?;
        findings.extend(history);
    }
    setup.ignore_file(&mut findings)?;
    let (new, said) = match &args.action {
        BaselineAction::Create(_) => {
            let new = Baseline::from_findings(&findings);
            let said = format!("recorded {} finding{}", new.len(), report::plural(new.len()));
            (new, said)
        }
        BaselineAction::Update(_) => {
            let mut known =
                Baseline::load(&path)?.with_context(|| format!("{}: no baseline to update", path.display()))?;
            let used = known.clone().filter(&mut findings);
            let dropped = known.retain_used(&used);
            let entries = if dropped == 1 { "entry that no longer occurs" } else { "entries that no longer occur" };
            (known, format!("dropped {dropped} {entries}"))
        }
        BaselineAction::Import { from, .. } => {
            let text = std::fs::read_to_string(from).with_context(|| format!("{}: cannot read", from.display()))?;
            let import =
                detect_secrets::import(&text, &findings).map_err(|e| anyhow::anyhow!("{}: {e}", from.display()))?;
            for missing in &import.unmatched {
                eprintln!("commitguard: warning: {}: {missing} matched no commitguard finding", from.display());
            }
            let mut entries: Vec<_> =
                Baseline::load(&path)?.map(|b| b.entries().cloned().collect()).unwrap_or_default();
            let count = import.entries.len();
            entries.extend(import.entries);
            (Baseline::from_entries(entries), format!("imported {count} finding{}", report::plural(count)))
        }
    };
    new.save(&path)?;
    eprintln!("commitguard: {}: {said}", path.display());
    Ok(Outcome::Clean)
}

/// The repository (if any), its root, the scanner and read options.
struct Setup {
    root: PathBuf,
    scanner: Scanner,
    options: WalkOptions,
}

impl Setup {
    /// Reads the configuration of the repository that holds `anchor` (or of
    /// `anchor` itself outside one).
    fn new(args: &ScanArgs, anchor: &Path) -> Result<Setup> {
        let root = match git::discover(anchor) {
            Some(repo) => repo.workdir().map_or(anchor.to_path_buf(), Path::to_path_buf),
            None => anchor.to_path_buf(),
        };
        let policy = config::load_secrets(&root, args.config.as_deref())?;
        let max_size = args.max_size.or(policy.max_size).unwrap_or(DEFAULT_MAX_SIZE);
        let scanner = policy.scanner()?;
        Ok(Setup { root, scanner, options: WalkOptions { max_size, binary: args.binary, threads: 0 } })
    }

    fn scan(&self, job: Job) -> Result<(Vec<Finding>, Summary)> {
        let long = matches!(job, Job::Tree { .. } | Job::History { .. });
        // A whole tree that is a repository's work tree: the tracked files
        // its walk leaves out are looked for afterwards.
        let tree_repo = match &job {
            Job::Tree { base, .. } => git::discover(base).filter(|r| r.workdir().is_some_and(|w| same_dir(w, base))),
            _ => None,
        };
        let run = Run {
            findings: Mutex::default(),
            summary: Mutex::default(),
            progress: Progress::new(long),
            ignored: Ignored::new(&self.root),
            seen: tree_repo.is_some().then(Mutex::default),
        };
        let (scanner, options) = (&self.scanner, &self.options);
        match job {
            Job::Tree { roots, base } => {
                run.tree(scanner, &roots, &base, options, &HashSet::new());
                if let Some(repo) = &tree_repo {
                    run.tracked_but_ignored(scanner, repo, &roots, &base, options)?;
                }
            }
            Job::Diff { repo, range, paths } => run.diff(scanner, &repo, range, paths, options)?,
            Job::Files { paths } => {
                let base = std::env::current_dir().context("current directory")?;
                run.paths(scanner, &paths, &base, &base, &Changes::default(), options)?;
            }
            Job::History { repo, revisions } => run.history(scanner, &repo, &revisions, options)?,
        }
        run.progress.finish();
        let Run { findings, summary, .. } = run;
        let mut findings = findings.into_inner().expect("no scanning thread panicked");
        crate::finding::sort(&mut findings);
        Ok((findings, summary.into_inner().expect("no scanning thread panicked")))
    }

    /// Drops the findings that `.gitleaksignore` at the root lists.
    fn ignore_file(&self, findings: &mut Vec<Finding>) -> Result<()> {
        let path = self.root.join(ignorefile::FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot read", path.display())),
        };
        let ignore = IgnoreFile::parse(&text);
        findings.retain(|f| !ignore.ignores(f));
        Ok(())
    }
}

/// Files larger than this are skipped unless configured otherwise.
const DEFAULT_MAX_SIZE: u64 = 10 << 20;

/// Where the repository (and its configuration and baseline) is looked
/// for: the first folder `--all-files` is given, so that a checkout can be
/// scanned from outside it as from inside; else the current directory.
fn anchor(args: &SecretsArgs, cwd: &Path) -> PathBuf {
    let Some(first) = args.paths.first().filter(|_| args.all_files) else { return cwd.to_path_buf() };
    let first = cwd.join(first);
    if first.is_dir() {
        first
    } else {
        first.parent().map_or(cwd.to_path_buf(), Path::to_path_buf)
    }
}

fn resolve(args: &SecretsArgs, cwd: &Path, anchor: &Path) -> Result<Job> {
    let repo = git::discover(anchor);
    if let Some(rev) = &args.history {
        let repo = repo.with_context(|| format!("{}: not a git repository, so there is no history", cwd.display()))?;
        let revisions = match (rev, args.all_refs) {
            (Some(rev), true) => bail!("--all-refs walks every ref, so it takes no revision ({rev:?})"),
            (None, true) => Revisions::AllRefs,
            (rev, false) => Revisions::Range(rev.clone().unwrap_or_else(|| "HEAD".to_owned())),
        };
        return Ok(Job::History { repo: repo.path().to_path_buf(), revisions });
    }
    if args.all_files {
        let base = match &repo {
            Some(repo) => git::workdir(repo)?,
            None => cwd.to_path_buf(),
        };
        if let Some(missing) = args.paths.iter().find(|p| is_missing(p)) {
            bail!("{}: no such file or directory", missing.display());
        }
        let roots =
            if args.paths.is_empty() { vec![base.clone()] } else { args.paths.iter().map(|p| cwd.join(p)).collect() };
        return Ok(Job::Tree { roots, base });
    }
    let range = pre_push_range();
    match repo {
        Some(repo) => {
            git::workdir(&repo)?;
            let paths = (!args.paths.is_empty()).then(|| args.paths.clone());
            let range = if args.staged { None } else { range };
            Ok(Job::Diff { repo, range, paths })
        }
        None if args.staged => bail!("{}: not a git repository, so there is nothing staged", cwd.display()),
        None if args.paths.is_empty() => {
            bail!("{}: not a git repository; give PATHS or --all-files to scan files", cwd.display())
        }
        None => Ok(Job::Files { paths: args.paths.clone() }),
    }
}

/// The pre-push range that the pre-commit framework passes in the
/// environment, when both ends are set.
fn pre_push_range() -> Option<(String, String)> {
    let from = std::env::var("PRE_COMMIT_FROM_REF").ok().filter(|s| !s.is_empty())?;
    let to = std::env::var("PRE_COMMIT_TO_REF").ok().filter(|s| !s.is_empty())?;
    Some((from, to))
}

/// Findings and counts gathered from scanning threads.
struct Run {
    findings: Mutex<Vec<Finding>>,
    summary: Mutex<Summary>,
    progress: Progress,
    /// `.commitguardignore` for the paths a walk does not find.
    ignored: Ignored,
    /// The files a whole-tree walk read, when the tracked files it left
    /// out are looked for afterwards.
    seen: Option<Mutex<Vec<String>>>,
}

impl Run {
    /// Scans the files under `roots` but those in `done` (paths relative to
    /// `base`, already scanned).
    fn tree(&self, scanner: &Scanner, roots: &[PathBuf], base: &Path, options: &WalkOptions, done: &HashSet<String>) {
        // A walk never ignores its roots; a root that .commitguardignore
        // names is left out here, as it is in every other mode.
        let canonical = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
        let roots: Vec<PathBuf> = roots
            .iter()
            .filter(|root| {
                let shown = repo_relative(root, &canonical);
                let ignored = if root.is_dir() {
                    !shown.is_empty() && self.ignored.is_ignored_folder(&shown)
                } else {
                    self.ignored.is_ignored(&shown)
                };
                !ignored
            })
            .cloned()
            .collect();
        walk::walk(&roots, base, options, || {
            let mut scratch = Scratch::default();
            let mut found = Vec::new();
            move |event: Event<'_>| match event {
                Event::File { path, .. } if done.contains(path) => {}
                Event::File { path, bytes } => {
                    if let Some(seen) = &self.seen {
                        seen.lock().expect("no scanning thread panicked").push(path.to_owned());
                    }
                    scanner.scan_with(&Input::new(path, bytes, &AddedLines::All), &mut scratch, &mut found);
                    self.record(bytes.len(), &mut found);
                }
                Event::Skipped(skipped) => self.skip(skipped),
            }
        });
    }

    /// Scans the files under `roots` that git tracks but the walk left out
    /// because a .gitignore matches them: git does not ignore a tracked
    /// file, and a secret in one is committed.
    fn tracked_but_ignored(
        &self,
        scanner: &Scanner,
        repo: &git2::Repository,
        roots: &[PathBuf],
        base: &Path,
        options: &WalkOptions,
    ) -> Result<()> {
        let canonical = base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
        let roots: Vec<String> = roots.iter().map(|r| repo_relative(r, &canonical)).collect();
        let under_a_root = |path: &str| {
            roots
                .iter()
                .any(|r| r.is_empty() || path == r || path.strip_prefix(r.as_str()).is_some_and(|p| p.starts_with('/')))
        };
        let seen = self.seen.as_ref().map(|s| std::mem::take(&mut *s.lock().expect("no scanning thread panicked")));
        let mut seen: HashSet<String> = seen.unwrap_or_default().into_iter().collect();
        seen.extend(self.summary.lock().expect("no scanning thread panicked").skipped.iter().map(|s| s.path.clone()));
        let (mut buffer, mut scratch, mut found) = (Vec::new(), Scratch::default(), Vec::new());
        for path in git::tracked_files(repo)? {
            if seen.contains(&path) || !under_a_root(&path) || self.ignored.is_ignored(&path) {
                continue;
            }
            match walk::read_file(&canonical.join(&path), options, &mut buffer) {
                Ok(()) => {
                    scanner.scan_with(&Input::new(&path, &buffer, &AddedLines::All), &mut scratch, &mut found);
                    self.record(buffer.len(), &mut found);
                }
                // Deleted from the work tree, or no longer a file: not ours.
                Err(SkipReason::Unreadable(_) | SkipReason::NotAFile) => {}
                Err(reason) => self.skip(Skipped { path, reason }),
            }
        }
        Ok(())
    }

    fn diff(
        &self,
        scanner: &Scanner,
        repo: &git2::Repository,
        range: Option<(String, String)>,
        paths: Option<Vec<PathBuf>>,
        options: &WalkOptions,
    ) -> Result<()> {
        let root = git::workdir(repo)?;
        let changes = match &range {
            Some((from, to)) => git::range(repo, from, to, options.max_size)?,
            None => git::staged(repo, options.max_size)?,
        };
        match paths {
            None => {
                self.texts(scanner, changes.texts.iter().filter(|t| !self.ignored.is_ignored(&t.path)));
                for skipped in changes.skipped.into_iter().filter(|s| !self.ignored.is_ignored(&s.path)) {
                    self.skip(skipped);
                }
            }
            Some(paths) => {
                let cwd = std::env::current_dir().context("current directory")?;
                self.paths(scanner, &paths, &root, &cwd, &changes, options)?;
            }
        }
        Ok(())
    }

    /// File arguments: the diff's added lines where the diff touches the
    /// path, the whole file otherwise; directories are walked.
    ///
    /// # Errors
    ///
    /// A path that neither exists nor is in the diff: a mistyped argument
    /// must not pass as a clean scan.
    fn paths(
        &self,
        scanner: &Scanner,
        paths: &[PathBuf],
        root: &Path,
        cwd: &Path,
        changes: &Changes,
        options: &WalkOptions,
    ) -> Result<()> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        // The pre-commit framework passes every staged file: look them up
        // by path rather than searching the diff once per argument.
        let texts: HashMap<&str, &Text> = changes.texts.iter().map(|t| (t.path.as_str(), t)).collect();
        let skips: HashMap<&str, &Skipped> = changes.skipped.iter().map(|s| (s.path.as_str(), s)).collect();
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        // Each file once, however often and however spelled it is named.
        let mut named = HashSet::new();
        for path in paths {
            let shown = repo_relative(&cwd.join(path), &root);
            if !named.insert(shown.clone()) {
                continue;
            }
            let full = cwd.join(path);
            if !full.is_dir() && self.ignored.is_ignored(&shown) {
                continue;
            }
            if let Some(text) = texts.get(shown.as_str()) {
                self.texts(scanner, std::iter::once(*text));
            } else if let Some(skipped) = skips.get(shown.as_str()) {
                self.skip(Skipped::clone(skipped));
            } else if changes.touched.contains(&shown) {
                // Deleted, a submodule or a symlink in the diff: nothing new.
            } else if is_missing(&cwd.join(path)) {
                // A folder whose files the diff deletes has nothing new.
                let deleted_folder =
                    changes.touched.iter().any(|t| t.strip_prefix(shown.as_str()).is_some_and(|r| r.starts_with('/')));
                if !deleted_folder {
                    bail!("{}: no such file or directory", path.display());
                }
            } else if cwd.join(path).is_dir() && !cwd.join(path).is_symlink() {
                dirs.push(cwd.join(path));
            } else {
                files.push((cwd.join(path), shown));
            }
        }
        let mut buffer = Vec::new();
        let mut scratch = Scratch::default();
        let mut found = Vec::new();
        for (full, shown) in files {
            match walk::read_file(&full, options, &mut buffer) {
                Ok(()) => {
                    scanner.scan_with(&Input::new(&shown, &buffer, &AddedLines::All), &mut scratch, &mut found);
                    self.record(buffer.len(), &mut found);
                }
                Err(reason) => {
                    // A tree walk passes over links and devices quietly; a
                    // file named on the command line says why it was not read.
                    if reason == SkipReason::NotAFile {
                        eprintln!(
                            "commitguard: warning: {}: not a regular file (symlinks are not followed), not scanned",
                            report::escape(&shown)
                        );
                    }
                    self.skip(Skipped { path: shown, reason });
                }
            }
        }
        if !dirs.is_empty() {
            self.tree(scanner, &dirs, &root, options, &named);
        }
        Ok(())
    }

    fn history(&self, scanner: &Scanner, repo: &Path, revisions: &Revisions, options: &WalkOptions) -> Result<()> {
        let walked = history::walk(repo, revisions, options.max_size, options.threads, || {
            let mut scratch = Scratch::default();
            let mut found = Vec::new();
            move |bytes: &[u8], added: &AddedLines, places: &[history::Occurrence]| {
                for place in places.iter().filter(|p| !self.ignored.is_ignored(&p.path)) {
                    let input = Input { path: &place.path, bytes, added, commit: Some(&place.commit) };
                    scanner.scan_with(&input, &mut scratch, &mut found);
                }
                self.record(bytes.len(), &mut found);
            }
        })?;
        for stop in &walked.stopped {
            eprintln!("commitguard: warning: history incomplete: {stop}");
        }
        log::debug!("history: {} commits, {} distinct blob pairs", walked.commits, walked.pairs);
        for skipped in walked.skipped {
            self.skip(skipped);
        }
        Ok(())
    }

    fn texts<'a>(&self, scanner: &Scanner, texts: impl Iterator<Item = &'a Text>) {
        let mut scratch = Scratch::default();
        let mut found = Vec::new();
        for text in texts {
            let input =
                Input { path: &text.path, bytes: &text.bytes, added: &text.added, commit: text.commit.as_ref() };
            scanner.scan_with(&input, &mut scratch, &mut found);
            self.record(text.bytes.len(), &mut found);
        }
    }

    fn record(&self, bytes: usize, found: &mut Vec<Finding>) {
        let total = {
            let mut summary = self.summary.lock().expect("no scanning thread panicked");
            summary.files += 1;
            summary.bytes += bytes as u64;
            summary.bytes
        };
        self.progress.file(total);
        if !found.is_empty() {
            self.findings.lock().expect("no scanning thread panicked").append(found);
        }
    }

    fn skip(&self, skipped: Skipped) {
        self.summary.lock().expect("no scanning thread panicked").skipped.push(skipped);
    }
}

/// `path` relative to the repository root, `/`-separated. The parent is
/// resolved (symlinked directories, `..`) but the file itself is not
/// followed.
fn repo_relative(path: &Path, root: &Path) -> String {
    let resolved = match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            parent.canonicalize().map(|p| p.join(name)).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    };
    display_path(&resolved, root)
}
