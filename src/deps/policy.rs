//! Policy: which advisories and package rules become findings, at which
//! level.
//!
//! Without a deny.toml the policy is cargo-audit's: vulnerabilities are
//! errors; unmaintained, unsound, notice and yanked are warnings; no bans
//! or sources checks. With one, cargo-deny's current schema decides: every
//! advisory is an error unless ignored, `unmaintained` and `unsound` scopes
//! narrow which crates those kinds are reported for, `yanked`,
//! `multiple-versions`, `unknown-registry` and `unknown-git` are lint
//! levels.
//!
//! # Rules
//!
//! A finding's `rule` is the advisory id (`RUSTSEC-…`, `PYSEC-…`, `GHSA-…`,
//! `GO-…`) for advisories, or one of these codes:
//!
//! | code | kind | raised when |
//! | --- | --- | --- |
//! | `yanked` | `yanked` | the locked crates.io version was yanked |
//! | `banned` | `banned` | `[bans] deny` names the package, or `allow` is set and does not |
//! | `duplicate` | `duplicate` | several versions of one package are locked (`multiple-versions`) |
//! | `source-not-allowed` | `source` | a registry or git source `[sources]` does not allow |
//! | `advisory-not-detected` | (none) | a deny.toml `ignore` entry matched nothing (in deny.toml) |

use std::collections::{BTreeMap, HashSet};

use crate::config::deny::{DenyConfig, LintLevel, PackageSpec, Scope};
use crate::deps::db::{Advisory, AdvisoryKind, Database};
use crate::deps::yanked::YankedIndex;
use crate::deps::{Ecosystem, Lockfile, Package, Source};
use crate::finding::{fingerprint, Check, DepsDetail, DepsKind, Detail, Finding, Level};

/// The crates.io index, as git and sparse URLs.
const CRATES_IO: [&str; 2] = ["https://github.com/rust-lang/crates.io-index", "https://index.crates.io/"];

fn is_crates_io(url: &str) -> bool {
    let url = url.trim_start_matches("sparse+").trim_end_matches('/');
    CRATES_IO.iter().any(|c| c.trim_end_matches('/') == url)
}

/// What a check run needs besides the lockfile.
pub struct Context<'a> {
    /// The advisory databases.
    pub databases: &'a [Database],
    /// The deny.toml, when there is one.
    pub config: Option<&'a DenyConfig>,
    /// cargo's local crates.io index cache, for yanked versions; `None`
    /// when the yanked check is skipped.
    pub yanked: Option<&'a YankedIndex>,
}

/// What a check run leaves besides findings.
#[derive(Debug, Default)]
pub struct Usage {
    /// Indices of the deny.toml `ignore` entries that silenced something.
    pub ignores_used: HashSet<usize>,
}

/// Checks one lockfile; findings are appended to `out` (sorted later by
/// the caller).
pub fn check(lock: &Lockfile, cx: &Context<'_>, usage: &mut Usage, out: &mut Vec<Finding>) {
    let start = out.len();
    let direct = direct_dependencies(lock);
    for (i, package) in lock.packages.iter().enumerate() {
        for db in cx.databases {
            for advisory in db.advisories(lock.ecosystem, &package.name) {
                if !source_matches(lock.ecosystem, package, &advisory)
                    || !advisory.affects(lock.ecosystem, &package.version)
                {
                    continue;
                }
                if let Some(level) =
                    advisory_level(&advisory, cx.config, direct.as_ref().map(|d| d.contains(&i)), usage)
                {
                    out.push(advisory_finding(lock, package, &advisory, level));
                }
            }
        }
        if let (Some(yanked), Ecosystem::Cargo) = (cx.yanked, lock.ecosystem) {
            yanked_check(lock, package, yanked, cx.config, usage, out);
        }
    }
    // The same advisory can come from two databases (a RustSec checkout and
    // the crates.io OSV export): report it once.
    let mut seen = HashSet::new();
    let mut i = start;
    while i < out.len() {
        if seen.insert(out[i].fingerprint.clone()) {
            i += 1;
        } else {
            out.remove(i);
        }
    }
    if let Some(config) = cx.config {
        bans(lock, config, out);
        sources(lock, config, out);
    }
}

/// Direct dependencies of workspace members, by index; `None` when the
/// lockfile has no graph.
fn direct_dependencies(lock: &Lockfile) -> Option<HashSet<usize>> {
    lock.has_graph.then(|| {
        lock.packages.iter().filter(|p| p.is_workspace_member()).flat_map(|p| p.dependencies.iter().copied()).collect()
    })
}

/// RustSec advisories name a registry (crates.io unless said otherwise): a
/// crate from git or from another registry is a different crate, as in
/// cargo-audit. Path crates are matched by name.
fn source_matches(ecosystem: Ecosystem, package: &Package, advisory: &Advisory) -> bool {
    if ecosystem != Ecosystem::Cargo {
        return true;
    }
    match (&package.source, &advisory.registry) {
        (Source::Path | Source::Unknown, _) => true,
        (Source::Git(_), _) => false,
        (Source::Registry(url), None) => is_crates_io(url),
        (Source::Registry(url), Some(registry)) => url.trim_end_matches('/') == registry.trim_end_matches('/'),
    }
}

fn advisory_level(
    advisory: &Advisory,
    config: Option<&DenyConfig>,
    is_direct: Option<bool>,
    usage: &mut Usage,
) -> Option<Level> {
    let Some(config) = config else {
        return Some(if advisory.kind == AdvisoryKind::Vulnerability { Level::Error } else { Level::Warning });
    };
    let ignored =
        config.advisories.ignore.iter().position(|ig| ig.id == advisory.id || advisory.aliases.contains(&ig.id));
    if let Some(at) = ignored {
        usage.ignores_used.insert(at);
        return None;
    }
    let scope = match advisory.kind {
        AdvisoryKind::Unmaintained => config.advisories.unmaintained,
        AdvisoryKind::Unsound => config.advisories.unsound,
        AdvisoryKind::Vulnerability | AdvisoryKind::Notice => Scope::All,
    };
    let in_scope = match (scope, is_direct) {
        (Scope::All, _) | (Scope::Workspace | Scope::Transitive, None) => true,
        (Scope::None, _) => false,
        (Scope::Workspace, Some(direct)) => direct,
        (Scope::Transitive, Some(direct)) => !direct,
    };
    in_scope.then_some(Level::Error)
}

fn detail(lock: &Lockfile, package: &Package, kind: DepsKind) -> DepsDetail {
    DepsDetail {
        kind,
        package: package.name.clone(),
        version: package.version.clone(),
        ecosystem: lock.ecosystem.as_str().to_owned(),
        aliases: Vec::new(),
        severity: None,
        patched: None,
        url: None,
    }
}

fn finding(lock: &Lockfile, line: u32, rule: &str, level: Level, message: String, detail: DepsDetail) -> Finding {
    Finding {
        check: Check::Deps,
        level,
        rule: rule.to_owned(),
        path: lock.path.clone(),
        line,
        message,
        fingerprint: fingerprint(&[
            rule.as_bytes(),
            lock.path.as_bytes(),
            detail.package.as_bytes(),
            detail.version.as_bytes(),
        ]),
        detail: Detail::Deps(detail),
    }
}

fn advisory_finding(lock: &Lockfile, package: &Package, advisory: &Advisory, level: Level) -> Finding {
    let kind = match advisory.kind {
        AdvisoryKind::Vulnerability => DepsKind::Vulnerability,
        AdvisoryKind::Unmaintained => DepsKind::Unmaintained,
        AdvisoryKind::Unsound => DepsKind::Unsound,
        AdvisoryKind::Notice => DepsKind::Notice,
    };
    let patched = advisory.patched(lock.ecosystem, &package.version);
    let upgrade = match &patched {
        Some(v) => format!("; upgrade to {v} or later"),
        None if kind == DepsKind::Vulnerability => "; no fixed version".to_owned(),
        None => String::new(),
    };
    let message =
        format!("{} {} ({}): {}{upgrade}", package.name, package.version, advisory.kind.as_str(), advisory.title);
    let mut detail = detail(lock, package, kind);
    detail.aliases = advisory.aliases.clone();
    detail.severity = advisory.severity.clone();
    detail.patched = patched;
    detail.url = advisory.url.clone();
    finding(lock, package.line, &advisory.id, level, message, detail)
}

fn lint(level: Option<LintLevel>, default: LintLevel) -> Option<Level> {
    match level.unwrap_or(default) {
        LintLevel::Deny => Some(Level::Error),
        LintLevel::Warn => Some(Level::Warning),
        LintLevel::Allow => None,
    }
}

fn yanked_check(
    lock: &Lockfile,
    package: &Package,
    yanked: &YankedIndex,
    config: Option<&DenyConfig>,
    usage: &mut Usage,
    out: &mut Vec<Finding>,
) {
    let from_crates_io = matches!(&package.source, Source::Registry(url) if is_crates_io(url));
    if !from_crates_io || yanked.is_yanked(&package.name, &package.version) != Some(true) {
        return;
    }
    let level = match config {
        None => Some(Level::Warning),
        Some(config) => {
            let spec = format!("{}@{}", package.name, package.version);
            if let Some(at) = config.advisories.ignore.iter().position(|ig| ig.id == spec || ig.id == package.name) {
                usage.ignores_used.insert(at);
                return;
            }
            lint(config.advisories.yanked, LintLevel::Warn)
        }
    };
    if let Some(level) = level {
        let message = format!("{} {} was yanked from crates.io", package.name, package.version);
        out.push(finding(lock, package.line, "yanked", level, message, detail(lock, package, DepsKind::Yanked)));
    }
}

fn bans(lock: &Lockfile, config: &DenyConfig, out: &mut Vec<Finding>) {
    let bans = &config.bans;
    for package in lock.packages.iter().filter(|p| !p.is_workspace_member()) {
        let denied = bans.deny.iter().find(|s| s.matches(&package.name, &package.version));
        let not_allowed =
            !bans.allow.is_empty() && !bans.allow.iter().any(|s| s.matches(&package.name, &package.version));
        let message = match (denied, not_allowed) {
            (Some(spec), _) => {
                let mut m = format!("{} {} is denied by {}", package.name, package.version, config.path);
                if let Some(reason) = &spec.reason {
                    m.push_str(&format!(": {reason}"));
                }
                if let Some(instead) = &spec.use_instead {
                    m.push_str(&format!("; use {instead} instead"));
                }
                m
            }
            (None, true) => {
                format!("{} {} is not in the [bans] allow list of {}", package.name, package.version, config.path)
            }
            (None, false) => continue,
        };
        out.push(finding(lock, package.line, "banned", Level::Error, message, detail(lock, package, DepsKind::Banned)));
    }
    if let Some(level) = lint(bans.multiple_versions, LintLevel::Warn) {
        duplicates(lock, config, level, out);
    }
}

fn duplicates(lock: &Lockfile, config: &DenyConfig, level: Level, out: &mut Vec<Finding>) {
    let skipped_tree = skip_tree(lock, &config.bans.skip_tree);
    let mut by_name: BTreeMap<&str, Vec<&Package>> = BTreeMap::new();
    for (i, package) in lock.packages.iter().enumerate() {
        let skipped = config.bans.skip.iter().any(|s| s.matches(&package.name, &package.version));
        if !package.is_workspace_member() && !skipped && !skipped_tree.contains(&i) {
            by_name.entry(&package.name).or_default().push(package);
        }
    }
    for (name, packages) in by_name {
        let mut versions: Vec<&str> = packages.iter().map(|p| p.version.as_str()).collect();
        versions.dedup();
        if versions.len() < 2 {
            continue;
        }
        let first = packages[0];
        let message = format!("{} versions of {name} are locked: {}", versions.len(), versions.join(", "));
        let mut detail = detail(lock, first, DepsKind::Duplicate);
        detail.version = versions.join(", ");
        out.push(finding(lock, first.line, "duplicate", level, message, detail));
    }
}

/// Packages reachable from a `skip-tree` root within its depth.
fn skip_tree(lock: &Lockfile, roots: &[PackageSpec]) -> HashSet<usize> {
    let mut out = HashSet::new();
    for spec in roots {
        let mut frontier: Vec<usize> = lock
            .packages
            .iter()
            .enumerate()
            .filter(|(_, p)| spec.matches(&p.name, &p.version))
            .map(|(i, _)| i)
            .collect();
        let mut depth = 0;
        while !frontier.is_empty() && spec.depth.is_none_or(|d| depth <= d) {
            let mut next = Vec::new();
            for i in frontier {
                if out.insert(i) {
                    next.extend(lock.packages[i].dependencies.iter().copied());
                }
            }
            frontier = next;
            depth += 1;
        }
    }
    out
}

fn sources(lock: &Lockfile, config: &DenyConfig, out: &mut Vec<Finding>) {
    let sources = &config.sources;
    for package in &lock.packages {
        let (allowed, level, what) = match &package.source {
            Source::Registry(url) => {
                let allowed = if sources.allow_registry.is_empty() {
                    is_crates_io(url)
                } else {
                    sources.allow_registry.iter().any(|a| same_url(a, url) || (is_crates_io(a) && is_crates_io(url)))
                };
                (allowed, lint(sources.unknown_registry, LintLevel::Warn), format!("registry {url}"))
            }
            Source::Git(url) => {
                let allowed = sources.allow_git.iter().any(|a| same_url(a, url))
                    || sources.allow_org.iter().any(|(host, org)| in_org(url, host, org));
                (allowed, lint(sources.unknown_git, LintLevel::Warn), format!("git repository {url}"))
            }
            Source::Path | Source::Unknown => continue,
        };
        if let (false, Some(level)) = (allowed, level) {
            let message =
                format!("{} {} comes from {what}, which {} does not allow", package.name, package.version, config.path);
            out.push(finding(
                lock,
                package.line,
                "source-not-allowed",
                level,
                message,
                detail(lock, package, DepsKind::Source),
            ));
        }
    }
}

fn normalize_url(url: &str) -> String {
    let url = url.trim().trim_start_matches("sparse+").trim_start_matches("git+");
    url.trim_end_matches('/').trim_end_matches(".git").to_ascii_lowercase()
}

fn same_url(a: &str, b: &str) -> bool {
    normalize_url(a) == normalize_url(b)
}

fn in_org(url: &str, host: &str, org: &str) -> bool {
    let url = normalize_url(url);
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("ssh://git@")).unwrap_or(&url);
    rest.strip_prefix(host)
        .and_then(|r| r.strip_prefix('/'))
        .is_some_and(|r| r.split('/').next() == Some(org.to_ascii_lowercase().as_str()))
}
