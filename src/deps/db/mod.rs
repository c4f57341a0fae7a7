//! Advisory databases: RustSec directories and OSV record folders, read
//! into one ecosystem-neutral [`Advisory`] shape and kept in a compact
//! per-package [`index`] so that a check decodes only the advisories of the
//! packages it meets.
//!
//! A database directory is either a RustSec checkout (it has `crates/`) or
//! a folder of OSV records (`*.json`, `*.yaml`, `*.yml`, at any depth). A
//! folder holding several databases is split with [`discover`].

pub mod index;
pub mod osv;
pub mod rustsec;

pub use index::Database;

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::deps::version::Version;
use crate::deps::Ecosystem;

/// What an advisory reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AdvisoryKind {
    /// A security vulnerability.
    Vulnerability,
    /// The package is no longer maintained.
    Unmaintained,
    /// The package's API allows undefined behaviour from safe code.
    Unsound,
    /// Something users should know that is not a vulnerability.
    Notice,
}

impl AdvisoryKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            AdvisoryKind::Vulnerability => "vulnerability",
            AdvisoryKind::Unmaintained => "unmaintained",
            AdvisoryKind::Unsound => "unsound",
            AdvisoryKind::Notice => "notice",
        }
    }
}

/// A boundary of an affected range, as OSV writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`0`: from the first).
    Introduced(String),
    /// Not affected from this version on.
    Fixed(String),
    /// Affected up to and including this version.
    LastAffected(String),
}

/// How severe an advisory is, from its CVSS vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    /// `none`, `low`, `medium`, `high` or `critical`.
    pub level: String,
    /// The CVSS base score.
    pub score: f64,
    /// The CVSS vector.
    pub cvss: String,
}

impl Severity {
    /// The severity of a CVSS vector (3.0, 3.1 or 4.0); `None` when the
    /// vector does not parse.
    pub fn from_cvss(vector: &str) -> Option<Severity> {
        let cvss: cvss::Cvss = vector.parse().ok()?;
        Some(Severity { level: cvss.severity().as_str().to_owned(), score: cvss.score(), cvss: vector.to_owned() })
    }
}

/// One advisory as it applies to one package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The advisory id (`RUSTSEC-2020-0071`, `PYSEC-2021-1`, `GHSA-…`).
    pub id: String,
    /// Other ids for the same problem (CVE, GHSA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary.
    pub title: String,
    /// What it reports.
    pub kind: AdvisoryKind,
    /// Severity, when the advisory gives a CVSS vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Where to read more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The affected ranges, each a list of events. A version is affected
    /// when any range (or [`Advisory::versions`]) says so.
    #[serde(default)]
    pub ranges: Vec<Vec<Event>>,
    /// Versions listed as affected one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// For RustSec advisories about a registry other than crates.io: that
    /// registry's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

impl Advisory {
    /// Whether `version` (a version string of `ecosystem`) is affected.
    pub fn affects(&self, ecosystem: Ecosystem, version: &str) -> bool {
        let Some(parsed) = Version::parse(ecosystem, version) else {
            return self.versions.iter().any(|v| v == version);
        };
        let same = |v: &String| v == version || Version::parse(ecosystem, v).is_some_and(|v| v == parsed);
        self.versions.iter().any(same) || self.ranges.iter().any(|r| range_affects(ecosystem, r, &parsed))
    }

    /// The smallest version above `version` that leaves the affected range
    /// it is in: the version to move to.
    pub fn patched(&self, ecosystem: Ecosystem, version: &str) -> Option<String> {
        let parsed = Version::parse(ecosystem, version)?;
        self.ranges
            .iter()
            .filter(|r| range_affects(ecosystem, r, &parsed))
            .flat_map(|r| r.iter())
            .filter_map(|e| match e {
                Event::Fixed(v) => Version::parse(ecosystem, v).map(|p| (p, v)),
                _ => None,
            })
            .filter(|(p, _)| p.compare(&parsed) == Some(Ordering::Greater))
            .min_by(|(a, _), (b, _)| a.compare(b).unwrap_or(Ordering::Equal))
            .map(|(_, v)| v.clone())
    }
}

/// Walks the events in version order: `introduced` at or below the version
/// switches it on, `fixed` at or below and `last_affected` below switch it
/// off. Events whose version does not parse are passed over.
fn range_affects(ecosystem: Ecosystem, events: &[Event], version: &Version) -> bool {
    let mut sorted: Vec<(Option<Version>, &Event)> = Vec::with_capacity(events.len());
    for event in events {
        let text = match event {
            Event::Introduced(v) if v == "0" => {
                sorted.push((None, event));
                continue;
            }
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) => v,
        };
        if let Some(v) = Version::parse(ecosystem, text) {
            sorted.push((Some(v), event));
        }
    }
    sorted.sort_by(|(a, _), (b, _)| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(a), Some(b)) => a.compare(b).unwrap_or(Ordering::Equal),
    });
    let mut affected = false;
    for (at, event) in sorted {
        let order = at.as_ref().map_or(Some(Ordering::Less), |at| at.compare(version));
        match (event, order) {
            (Event::Introduced(_), Some(Ordering::Less | Ordering::Equal)) => affected = true,
            (Event::Fixed(_), Some(Ordering::Less | Ordering::Equal)) => affected = false,
            (Event::LastAffected(_), Some(Ordering::Less)) => affected = false,
            _ => {}
        }
    }
    affected
}

/// How a database directory is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// A RustSec advisory-db checkout (`crates/<name>/RUSTSEC-*.md`).
    RustSec,
    /// OSV records as JSON or YAML files, at any depth.
    Osv,
}

/// The databases under `path`: the directory itself when it is one, else
/// each subdirectory that is one (a cargo-deny `db-path`, or a folder
/// holding a RustSec and an OSV database side by side).
pub fn discover(path: &Path) -> Vec<(PathBuf, Layout)> {
    if path.join("crates").is_dir() {
        return vec![(path.to_path_buf(), Layout::RustSec)];
    }
    let mut subdirs: Vec<PathBuf> = std::fs::read_dir(path)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    subdirs.sort();
    if subdirs.iter().any(|d| d.join("crates").is_dir()) {
        return subdirs
            .iter()
            .flat_map(|d| if d.join("crates").is_dir() { vec![(d.clone(), Layout::RustSec)] } else { discover(d) })
            .collect();
    }
    if osv::has_records(path) {
        vec![(path.to_path_buf(), Layout::Osv)]
    } else {
        Vec::new()
    }
}

/// The file `db update` touches in a database it wrote, so that its age is
/// known.
pub const UPDATED_MARK: &str = ".commitguard-updated";

/// commitguard's cache directory: `$COMMITGUARD_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/commitguard`, else `~/.cache/commitguard`.
pub fn cache_dir() -> Option<PathBuf> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("COMMITGUARD_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("commitguard")))
        .or_else(|| env("HOME").map(|h| h.join(".cache").join("commitguard")))
}

/// How long ago a database was last updated, when that is known: from
/// commitguard's own mark (in the folder or, for a folder holding several
/// downloads, the oldest of theirs) or a git checkout's last fetch.
pub fn age(path: &Path) -> Option<std::time::Duration> {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let own = [path.join(UPDATED_MARK), path.join(".git").join("FETCH_HEAD"), path.join(".git").join("HEAD")]
        .into_iter()
        .find_map(modified);
    let oldest = own.or_else(|| {
        std::fs::read_dir(path).ok()?.flatten().filter_map(|e| modified(e.path().join(UPDATED_MARK))).min()
    });
    oldest.and_then(|t| t.elapsed().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn advisory(ranges: Vec<Vec<Event>>, versions: &[&str]) -> Advisory {
        Advisory {
            id: "TEST-1".into(),
            aliases: vec![],
            title: "t".into(),
            kind: AdvisoryKind::Vulnerability,
            severity: None,
            url: None,
            ranges,
            versions: versions.iter().map(|s| s.to_string()).collect(),
            registry: None,
        }
    }

    use Event::{Fixed, Introduced, LastAffected};

    #[test]
    fn several_ranges() {
        let a = advisory(
            vec![vec![
                Introduced("0".into()),
                Fixed("1.2.0".into()),
                Introduced("2.0.0".into()),
                Fixed("2.1.3".into()),
            ]],
            &[],
        );
        let eco = Ecosystem::Cargo;
        assert!(a.affects(eco, "0.1.0"));
        assert!(a.affects(eco, "1.1.9"));
        assert!(!a.affects(eco, "1.2.0"));
        assert!(!a.affects(eco, "1.9.0"));
        assert!(a.affects(eco, "2.0.0"));
        assert!(!a.affects(eco, "2.1.3"));
        assert_eq!(a.patched(eco, "1.0.0").as_deref(), Some("1.2.0"));
        assert_eq!(a.patched(eco, "2.0.5").as_deref(), Some("2.1.3"));
    }

    #[test]
    fn last_affected_is_inclusive() {
        let a = advisory(vec![vec![Introduced("1.0".into()), LastAffected("1.4".into())]], &[]);
        let eco = Ecosystem::PyPI;
        assert!(!a.affects(eco, "0.9"));
        assert!(a.affects(eco, "1.4.0"));
        assert!(!a.affects(eco, "1.4.1"));
        assert_eq!(a.patched(eco, "1.2"), None);
    }

    #[test]
    fn explicit_versions_match_normalised() {
        let a = advisory(vec![], &["2.0", "3.1.4"]);
        assert!(a.affects(Ecosystem::PyPI, "2.0.0"));
        assert!(!a.affects(Ecosystem::PyPI, "3.1"));
    }

    #[test]
    fn severity_from_cvss() {
        let s = Severity::from_cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!(s.level, "critical");
        assert!((s.score - 9.8).abs() < 0.01);
        assert!(Severity::from_cvss("nonsense").is_none());
    }
}
