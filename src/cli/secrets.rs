//! `commitguard secrets`: resolves the arguments into a source, runs the
//! scanner over it and hands the findings to the reporter.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context as _, Result};

use crate::cli::args::SecretsArgs;
use crate::cli::report::{self, Summary};
use crate::cli::Outcome;
use crate::finding::Finding;
use crate::secrets::{Input, Scanner, Scratch};
use crate::source::git::{self, Changes};
use crate::source::walk::{self, display_path, Event, WalkOptions};
use crate::source::{AddedLines, Skipped, Text};

/// What to scan, resolved from the arguments and the environment.
enum Job {
    /// Every file of the tree under these roots.
    Tree { roots: Vec<PathBuf>, base: PathBuf },
    /// A diff (staged or a pre-push range), narrowed to `paths` when given;
    /// paths the diff does not touch are scanned whole.
    Diff { repo: git2::Repository, range: Option<(String, String)>, paths: Option<Vec<PathBuf>> },
    /// Files outside any repository, scanned whole.
    Files { paths: Vec<PathBuf> },
}

/// Runs `commitguard secrets`.
pub(crate) fn run(args: &SecretsArgs) -> Result<Outcome> {
    let scanner = Scanner::builtin().context("built-in rules")?;
    let options = WalkOptions { max_size: args.max_size, binary: args.binary, threads: 0 };
    let job = resolve(args)?;
    let run = Run::default();
    match job {
        Job::Tree { roots, base } => run.tree(&scanner, &roots, &base, &options),
        Job::Diff { repo, range, paths } => run.diff(&scanner, &repo, range, paths, &options)?,
        Job::Files { paths } => {
            let base = std::env::current_dir().context("current directory")?;
            run.paths(&scanner, &paths, &base, &base, &Changes::default(), &options);
        }
    }
    let Run { findings, summary } = run;
    let mut findings = findings.into_inner().expect("no scanning thread panicked");
    crate::finding::sort(&mut findings);
    let summary = summary.into_inner().expect("no scanning thread panicked");
    report::emit(&args.report, &findings, &summary)
}

fn resolve(args: &SecretsArgs) -> Result<Job> {
    let cwd = std::env::current_dir().context("current directory")?;
    let repo = git::discover(&cwd);
    if args.all_files {
        let base = match &repo {
            Some(repo) => git::workdir(repo)?,
            None => cwd,
        };
        let roots = if args.paths.is_empty() { vec![base.clone()] } else { args.paths.clone() };
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
#[derive(Default)]
struct Run {
    findings: Mutex<Vec<Finding>>,
    summary: Mutex<Summary>,
}

impl Run {
    fn tree(&self, scanner: &Scanner, roots: &[PathBuf], base: &Path, options: &WalkOptions) {
        walk::walk(roots, base, options, || {
            let mut scratch = Scratch::default();
            let mut found = Vec::new();
            move |event: Event<'_>| match event {
                Event::File { path, bytes } => {
                    scanner.scan_with(&Input::new(path, bytes, &AddedLines::All), &mut scratch, &mut found);
                    self.record(bytes.len(), &mut found);
                }
                Event::Skipped(skipped) => self.skip(skipped),
            }
        });
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
                self.texts(scanner, changes.texts.iter());
                for skipped in changes.skipped {
                    self.skip(skipped);
                }
            }
            Some(paths) => {
                let cwd = std::env::current_dir().context("current directory")?;
                self.paths(scanner, &paths, &root, &cwd, &changes, options);
            }
        }
        Ok(())
    }

    /// File arguments: the diff's added lines where the diff touches the
    /// path, the whole file otherwise; directories are walked.
    fn paths(
        &self,
        scanner: &Scanner,
        paths: &[PathBuf],
        root: &Path,
        cwd: &Path,
        changes: &Changes,
        options: &WalkOptions,
    ) {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut dirs = Vec::new();
        let mut files = Vec::new();
        for path in paths {
            let shown = repo_relative(&cwd.join(path), &root);
            if let Some(text) = changes.texts.iter().find(|t| t.path == shown) {
                self.texts(scanner, std::iter::once(text));
            } else if let Some(skipped) = changes.skipped.iter().find(|s| s.path == shown) {
                self.skip(skipped.clone());
            } else if changes.touched.contains(&shown) {
                // Deleted, a submodule or a symlink in the diff: nothing new.
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
                Err(reason) => self.skip(Skipped { path: shown, reason }),
            }
        }
        if !dirs.is_empty() {
            self.tree(scanner, &dirs, &root, options);
        }
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
        {
            let mut summary = self.summary.lock().expect("no scanning thread panicked");
            summary.files += 1;
            summary.bytes += bytes as u64;
        }
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
