//! `commitguard deps`: resolves lockfiles, the deny.toml and the advisory
//! databases from the arguments, runs the dependency check on each
//! lockfile and reports.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use crate::cli::args::DepsArgs;
use crate::cli::report::{self, Summary};
use crate::cli::Outcome;
use crate::config::deny::{self, DenyConfig, LintLevel};
use crate::deps::db::{self, Database};
use crate::deps::graph;
use crate::deps::lockfile::{self, Format, Lockfile};
use crate::deps::policy::{self, Context, Usage};
use crate::deps::yanked::YankedIndex;
use crate::deps::Ecosystem;
use crate::finding::{fingerprint, Check, Detail, Finding, Level};
use crate::source::{files, git, walk::display_path};

/// Runs `commitguard deps`.
pub(crate) fn run(args: &DepsArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("current directory")?;
    let root = match git::discover(&cwd) {
        Some(repo) => git::workdir(&repo)?,
        None => cwd.clone(),
    };
    let root = root.canonicalize().unwrap_or(root);
    let config = load_config(args, &root, &cwd)?;
    let lockfiles = resolve_lockfiles(args, &root, &cwd)?;
    if lockfiles.is_empty() {
        // A repository without lockfiles has nothing to check, and needs
        // no database for that.
        log::debug!("no lockfiles under {}", root.display());
        return report::emit(&args.report, &[], &Summary::default());
    }
    let mut databases = open_databases(args, config.as_ref())?;
    if let Some(config) = &config {
        note_config(config);
    }

    let mut summary = Summary::default();
    let mut failed = false;
    let mut parsed = Vec::new();
    for (full, shown) in &lockfiles {
        match read_lockfile(full, shown) {
            Ok((mut lock, len)) => {
                summary.files += 1;
                summary.bytes += len as u64;
                if let Some(config) = &config {
                    apply_graph(&mut lock, full, config);
                }
                parsed.push(lock);
            }
            Err(message) => {
                eprintln!("commitguard: {}", report::escape(&message));
                failed = true;
            }
        }
    }
    for db in &mut databases {
        db.refresh(parsed.iter().flat_map(|l| l.packages.iter().map(|p| (l.ecosystem, p.name.as_str()))));
    }

    let mut uncovered: Vec<Ecosystem> = parsed
        .iter()
        .map(|l| l.ecosystem)
        .filter(|e| !databases.iter().any(|db| db.ecosystems().contains(e)))
        .collect();
    uncovered.sort();
    uncovered.dedup();
    for ecosystem in uncovered {
        eprintln!(
            "commitguard: warning: no advisory database has {ecosystem} advisories, so those lockfiles were checked \
             for policy only; `commitguard db update` fetches them"
        );
    }

    let saw_cargo = parsed.iter().any(|l| l.ecosystem == Ecosystem::Cargo);
    let yanked_memo = db::cache_dir().map(|c| c.join("yanked.json"));
    let yanked_index = match YankedIndex::default_cargo_home() {
        Some(home) if saw_cargo => YankedIndex::open(&home, yanked_memo),
        _ => None,
    };
    let cx = Context { databases: &databases, config: config.as_ref(), yanked: yanked_index.as_ref() };
    let mut usage = Usage::default();
    let mut findings = Vec::new();
    for lock in &parsed {
        policy::check(lock, &cx, &mut usage, &mut findings);
    }
    if let Some(index) = &yanked_index {
        index.save();
    }
    if saw_cargo && yanked_index.is_none() {
        eprintln!("commitguard: note: the yanked check was skipped: no local crates.io index cache (run cargo once)");
    }
    if let Some(config) = &config {
        unused_ignores(config, &usage, &mut findings);
    }
    crate::finding::sort(&mut findings);
    let outcome = report::emit(&args.report, &findings, &summary)?;
    Ok(if failed { Outcome::Failure } else { outcome })
}

/// Reads and parses one lockfile: the lockfile and its size, or the
/// message to print.
fn read_lockfile(full: &Path, shown: &str) -> std::result::Result<(Lockfile, usize), String> {
    let format = Format::of(full).ok_or_else(|| format!("{shown}: not a lockfile commitguard reads"))?;
    let text = std::fs::read_to_string(full).map_err(|e| format!("{shown}: cannot read: {e}"))?;
    let lock = lockfile::parse(format, shown, &text).map_err(|e| e.to_string())?;
    Ok((lock, text.len()))
}

fn load_config(args: &DepsArgs, root: &Path, cwd: &Path) -> Result<Option<DenyConfig>> {
    let path = match &args.config {
        Some(path) => Some(cwd.join(path)),
        None => deny::find(root),
    };
    let Some(path) = path else { return Ok(None) };
    let shown = display_path(&path, root);
    log::debug!("policy from {shown}");
    Ok(Some(DenyConfig::load(&path, &shown)?))
}

fn note_config(config: &DenyConfig) {
    for key in config.unused_keys() {
        log::debug!("{}: {key} is accepted but not acted on by deps", config.path);
    }
}

/// Applies deny.toml's `[graph]` filters to a Cargo lockfile through
/// `cargo metadata --offline` when its Cargo.toml is beside it; says so
/// when they cannot be applied.
fn apply_graph(lock: &mut Lockfile, full: &Path, config: &DenyConfig) {
    if lock.ecosystem != Ecosystem::Cargo || !config.graph.has_filters() {
        return;
    }
    let manifest = full.with_file_name("Cargo.toml");
    let reason = if manifest.is_file() {
        match graph::included(&manifest, &config.graph) {
            Ok(keep) => {
                let before = lock.packages.len();
                lock.retain(|p| keep.contains(&(p.name.clone(), p.version.clone())));
                log::debug!("{}: [graph] filters keep {} of {before} packages", lock.path, lock.packages.len());
                return;
            }
            Err(e) => e,
        }
    } else {
        "no Cargo.toml beside it, and a lockfile lists every target and feature".to_owned()
    };
    eprintln!(
        "commitguard: note: {}: [graph] filters of {} (targets, exclude, features, exclude-dev) were not applied: {reason}",
        lock.path, config.path
    );
}

fn open_databases(args: &DepsArgs, config: Option<&DenyConfig>) -> Result<Vec<Database>> {
    let cache = db::cache_dir();
    let (root, from_cache) = match (&args.db, config.and_then(|c| c.advisories.db_path.clone())) {
        (Some(path), _) => (path.clone(), false),
        (None, Some(path)) => (path, false),
        (None, None) => match &cache {
            Some(cache) => (cache.join("db"), true),
            None => bail!("no cache directory (HOME is not set); pass --db PATH"),
        },
    };
    let found = db::discover(&root);
    if found.is_empty() {
        let hint = if from_cache {
            "run `commitguard db update` to download the advisory databases"
        } else {
            "expected a RustSec advisory-db checkout (with crates/) or a folder of OSV records"
        };
        bail!("{}: no advisory database found; {hint}", root.display());
    }
    let max_age = match (args.max_db_age, config.and_then(|c| c.advisories.maximum_db_staleness)) {
        (Some(days), _) => std::time::Duration::from_secs(days * 86_400),
        (None, Some(configured)) => configured,
        (None, None) => std::time::Duration::from_secs(7 * 86_400),
    };
    let mut databases = Vec::with_capacity(found.len());
    for (path, layout) in found {
        if let Some(age) = db::age(&path).filter(|a| *a > max_age) {
            eprintln!(
                "commitguard: warning: {}: the advisory database is {} days old; run `commitguard db update`",
                path.display(),
                age.as_secs() / 86_400
            );
        }
        let opened = Database::open(&path, layout, cache.as_deref())?;
        for warning in opened.warnings() {
            eprintln!("commitguard: warning: {}", report::escape(warning));
        }
        log::debug!("{}: {} advisories for {:?}", path.display(), opened.len(), opened.ecosystems());
        databases.push(opened);
    }
    Ok(databases)
}

/// The lockfiles to check, as (path to read, path to show).
fn resolve_lockfiles(args: &DepsArgs, root: &Path, cwd: &Path) -> Result<Vec<(PathBuf, String)>> {
    if args.lockfiles.is_empty() {
        let found = files::find(root, |p| Format::of(p).is_some());
        log::debug!("{} lockfiles under {}", found.len(), root.display());
        return Ok(found.into_iter().map(|p| (p.clone(), display_path(&p, root))).collect());
    }
    let mut out = Vec::new();
    for path in &args.lockfiles {
        let full = cwd.join(path);
        let full = full.canonicalize().unwrap_or(full);
        let shown = display_path(&full, root);
        if Format::of(&full).is_none() {
            bail!("{shown}: not a lockfile commitguard reads (by its name)");
        }
        out.push((full, shown));
    }
    Ok(out)
}

/// cargo-deny warns about `ignore` entries that matched nothing
/// (`advisory-not-detected`); so does commitguard.
fn unused_ignores(config: &DenyConfig, usage: &Usage, findings: &mut Vec<Finding>) {
    let level = match config.advisories.unused_ignored_advisory.unwrap_or(LintLevel::Warn) {
        LintLevel::Deny => Level::Error,
        LintLevel::Warn => Level::Warning,
        LintLevel::Allow => return,
    };
    for (i, ignore) in config.advisories.ignore.iter().enumerate() {
        if usage.ignores_used.contains(&i) {
            continue;
        }
        let rule = "advisory-not-detected";
        findings.push(Finding {
            check: Check::Deps,
            level,
            rule: rule.to_owned(),
            path: config.path.clone(),
            line: ignore.line,
            message: format!("ignored advisory {} was not found in any checked lockfile", ignore.id),
            fingerprint: fingerprint(&[rule.as_bytes(), config.path.as_bytes(), ignore.id.as_bytes()]),
            detail: Detail::None,
        });
    }
}
