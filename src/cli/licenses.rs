//! `commitguard licenses`: resolves the arguments into the projects and
//! policy to check, runs the licence engine and hands the findings to the
//! reporter.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use crate::cli::args::LicensesArgs;
use crate::cli::report::{self, Summary};
use crate::cli::Outcome;
use crate::config::deny_licenses::{self, LicensePolicyConfig};
use crate::config::license_headers::{self, HeaderConfig};
use crate::finding::Finding;
use crate::licenses::cargo::MetadataOptions;
use crate::licenses::detect::Detector;
use crate::licenses::headers::HeaderChecker;
use crate::licenses::{cargo, npm, policy, python, Package};
use crate::source::git;
use crate::source::walk::{self, display_path, Event, WalkOptions};
use crate::source::Skipped;

/// Runs `commitguard licenses`.
pub(crate) fn run(args: &LicensesArgs) -> Result<Outcome> {
    if args.headers {
        headers(args)
    } else {
        dependencies(args)
    }
}

fn dependencies(args: &LicensesArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("current directory")?;
    let manifest = match &args.manifest_path {
        Some(path) => Some(cwd.join(path)),
        None => Some(cwd.join("Cargo.toml")).filter(|p| p.is_file()),
    };
    let npm_lock = match &args.npm_lock {
        Some(path) => Some(cwd.join(path)),
        None => Some(cwd.join("package-lock.json")).filter(|p| p.is_file()),
    };
    if manifest.is_none() && npm_lock.is_none() && args.python_env.is_none() {
        bail!(
            "{}: no Cargo.toml or package-lock.json here; give --manifest-path, --npm-lock or --python-env",
            cwd.display()
        );
    }
    let project = manifest.as_deref().and_then(Path::parent).unwrap_or(&cwd).to_path_buf();
    let config_path = match &args.config {
        Some(path) => cwd.join(path),
        None => find_deny_toml(&project).with_context(|| {
            format!(
                "{}: no {} here or in a parent directory; write one with a [licenses] section or give --config",
                project.display(),
                deny_licenses::FILE_NAMES.join(", ")
            )
        })?,
    };
    let config = LicensePolicyConfig::load(&config_path)?;
    let root = git::discover(&project).and_then(|r| r.workdir().map(Path::to_path_buf)).unwrap_or(project);
    let root = root.canonicalize().unwrap_or(root);

    let mut packages: Vec<Package> = Vec::new();
    if let Some(manifest) = manifest {
        let options = MetadataOptions { manifest, offline: args.offline, locked: args.locked };
        packages.extend(cargo::packages(&options, &config)?);
    }
    if let Some(lock) = npm_lock {
        packages.extend(npm::packages(&lock, config.include_dev)?);
    }
    if let Some(env) = &args.python_env {
        packages.extend(python::packages(&cwd.join(env))?);
    }
    let detector = Detector::new();
    let mut report = policy::check(&packages, &config, &detector, &root)?;
    crate::finding::sort(&mut report.findings);
    log::debug!("{} packages checked, {} skipped as private", report.checked, report.skipped);
    let summary = Summary { packages: Some(report.checked as u64), ..Summary::default() };
    report::emit(&args.report, &report.findings, &summary)
}

/// The cargo-deny configuration for a project: the first of its names in
/// the project directory, then in each parent.
fn find_deny_toml(project: &Path) -> Option<PathBuf> {
    project.ancestors().find_map(deny_licenses::find)
}

fn headers(args: &LicensesArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("current directory")?;
    let repo = git::discover(&cwd);
    let root = match &repo {
        Some(repo) => git::workdir(repo)?,
        None => cwd.clone(),
    };
    let root = root.canonicalize().unwrap_or(root);
    let config = HeaderConfig::load(&root.join(license_headers::FILE_NAME))?;
    if !config.enabled {
        eprintln!(
            "commitguard: licence headers are not checked: set `enabled = true` under [licenses.headers] in {}",
            license_headers::FILE_NAME
        );
        return report::emit(&args.report, &[], &Summary::default());
    }
    let policy = match args.config.clone().or_else(|| find_deny_toml(&root)) {
        Some(path) => Some(LicensePolicyConfig::load(&cwd.join(path))?),
        None => None,
    };
    let checker = HeaderChecker::new(&config, policy.as_ref().map(|p| p.allow.as_slice()), &root)?;
    let mut findings = Vec::new();
    let mut summary = Summary::default();
    let options = WalkOptions::default();
    if args.all_files {
        let roots = if args.paths.is_empty() { vec![root.clone()] } else { args.paths.clone() };
        walk_tree(&checker, &roots, &root, &options, &mut findings, &mut summary);
    } else if let Some(repo) = &repo {
        let changes = git::staged(repo, options.max_size)?;
        if args.paths.is_empty() || args.staged {
            for text in changes.texts.iter().filter(|t| changes.added.contains(&t.path)) {
                check_text(&checker, &text.path, &text.bytes, &mut findings, &mut summary);
            }
        } else {
            for path in &args.paths {
                let shown = display_path(&cwd.join(path).canonicalize().unwrap_or_else(|_| cwd.join(path)), &root);
                if changes.touched.contains(&shown) {
                    // Part of this commit: checked only when the commit adds it.
                    if let Some(text) =
                        changes.texts.iter().find(|t| t.path == shown && changes.added.contains(&t.path))
                    {
                        check_text(&checker, &text.path, &text.bytes, &mut findings, &mut summary);
                    }
                } else {
                    read_and_check(&checker, &cwd.join(path), &shown, &options, &mut findings, &mut summary);
                }
            }
        }
    } else if args.paths.is_empty() {
        bail!("{}: not a git repository; give PATHS or --all-files to check headers", cwd.display());
    } else {
        for path in &args.paths {
            let shown = display_path(&cwd.join(path), &root);
            read_and_check(&checker, &cwd.join(path), &shown, &options, &mut findings, &mut summary);
        }
    }
    crate::finding::sort(&mut findings);
    report::emit(&args.report, &findings, &summary)
}

fn check_text(checker: &HeaderChecker, path: &str, bytes: &[u8], findings: &mut Vec<Finding>, summary: &mut Summary) {
    if checker.is_selected(path) {
        summary.files += 1;
        summary.bytes += bytes.len() as u64;
        checker.check(path, bytes, findings);
    }
}

fn read_and_check(
    checker: &HeaderChecker,
    full: &Path,
    shown: &str,
    options: &WalkOptions,
    findings: &mut Vec<Finding>,
    summary: &mut Summary,
) {
    let mut buffer = Vec::new();
    match walk::read_file(full, options, &mut buffer) {
        Ok(()) => check_text(checker, shown, &buffer, findings, summary),
        Err(reason) => summary.skipped.push(Skipped { path: shown.to_owned(), reason }),
    }
}

fn walk_tree(
    checker: &HeaderChecker,
    roots: &[PathBuf],
    base: &Path,
    options: &WalkOptions,
    findings: &mut Vec<Finding>,
    summary: &mut Summary,
) {
    let found = std::sync::Mutex::new((Vec::new(), Summary::default()));
    walk::walk(roots, base, options, || {
        |event: Event<'_>| {
            let mut guard = found.lock().expect("no walking thread panicked");
            let (findings, summary) = &mut *guard;
            match event {
                Event::File { path, bytes } => check_text(checker, path, bytes, findings, summary),
                Event::Skipped(skipped) => summary.skipped.push(skipped),
            }
        }
    });
    let (mut more, other) = found.into_inner().expect("no walking thread panicked");
    findings.append(&mut more);
    summary.files += other.files;
    summary.bytes += other.bytes;
    summary.skipped.extend(other.skipped);
}
