//! RustSec advisory-db checkouts, read with the `rustsec` crate (without
//! its git and network features).
//!
//! Only `crates/` is read: `rust/` holds advisories for the toolchain
//! (`std`, `cargo`), which cargo-audit does not match against lockfiles
//! either. Withdrawn advisories and informational kinds other than
//! unmaintained, unsound and notice are left out, as cargo-audit does.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rustsec::advisory::Informational;

use super::{Advisory, AdvisoryKind, Event, Severity};

/// The advisory files of a RustSec checkout: `crates/<name>/*.md`.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir.join("crates")).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            let path = file.path();
            if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out
}

/// Converts one advisory file's text; `Ok(None)` for one that is not
/// matched against packages (withdrawn, or an informational kind that is
/// not reported).
///
/// # Errors
///
/// The parser's message when the text is not a RustSec advisory.
pub fn convert(text: &str) -> Result<Option<(String, Advisory)>, String> {
    let advisory = rustsec::Advisory::from_str(text).map_err(|e| e.to_string())?;
    let meta = &advisory.metadata;
    if meta.withdrawn.is_some() {
        return Ok(None);
    }
    let kind = match &meta.informational {
        None => AdvisoryKind::Vulnerability,
        Some(Informational::Notice) => AdvisoryKind::Notice,
        Some(Informational::Unmaintained) => AdvisoryKind::Unmaintained,
        Some(Informational::Unsound) => AdvisoryKind::Unsound,
        Some(_) => return Ok(None),
    };
    let ranges = rustsec::osv::ranges_for_advisory(&advisory.versions)
        .into_iter()
        .map(|r| {
            let mut events = vec![Event::Introduced(r.introduced.map_or_else(|| "0".to_owned(), |v| v.to_string()))];
            events.extend(r.fixed.map(|v| Event::Fixed(v.to_string())));
            events
        })
        .collect();
    let registry = meta.source.as_ref().filter(|s| !s.is_default_registry()).map(|s| s.url().to_string());
    let id = meta.id.to_string();
    let url = meta.url.as_ref().map_or_else(|| format!("https://rustsec.org/advisories/{id}"), |u| u.to_string());
    let converted = Advisory {
        aliases: meta.aliases.iter().map(|a| a.to_string()).collect(),
        title: meta.title.clone(),
        kind,
        severity: meta.cvss.as_ref().and_then(|c| Severity::from_cvss(&c.to_string())),
        url: Some(url),
        ranges,
        versions: Vec::new(),
        registry,
        id,
    };
    Ok(Some((meta.package.as_str().to_owned(), converted)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deps::Ecosystem;

    pub(crate) fn text(id: &str, package: &str, extra: &str, versions: &str) -> String {
        format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"2021-01-01\"\n{extra}\n\n\
             [versions]\n{versions}\n```\n\n# Title of {id}\n\nBody.\n"
        )
    }

    #[test]
    fn patched_and_unaffected_become_ranges() {
        let t = text(
            "RUSTSEC-2021-0001",
            "demo",
            "aliases = [\"CVE-2021-1\"]\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N\"",
            "patched = [\">= 1.4.2, < 2.0.0\", \">= 2.0.1\"]\nunaffected = [\"< 1.0.0\"]",
        );
        let (name, a) = convert(&t).unwrap().unwrap();
        assert_eq!(name, "demo");
        assert_eq!(a.title, "Title of RUSTSEC-2021-0001");
        assert_eq!(a.aliases, ["CVE-2021-1"]);
        assert_eq!(a.severity.as_ref().unwrap().level, "high");
        let eco = Ecosystem::Cargo;
        assert!(!a.affects(eco, "0.9.0"));
        assert!(a.affects(eco, "1.0.0"));
        assert!(a.affects(eco, "1.4.1"));
        assert!(!a.affects(eco, "1.4.2"));
        assert!(a.affects(eco, "2.0.0"));
        assert!(!a.affects(eco, "2.0.1"));
        assert_eq!(a.patched(eco, "1.1.0").as_deref(), Some("1.4.2"));
    }

    #[test]
    fn withdrawn_and_informational_kinds() {
        let withdrawn = text("RUSTSEC-2021-0002", "demo", "withdrawn = \"2021-02-01\"", "patched = []");
        assert_eq!(convert(&withdrawn).unwrap(), None);
        let unmaintained = text("RUSTSEC-2021-0003", "demo", "informational = \"unmaintained\"", "patched = []");
        let (_, a) = convert(&unmaintained).unwrap().unwrap();
        assert_eq!(a.kind, AdvisoryKind::Unmaintained);
        assert!(a.affects(Ecosystem::Cargo, "99.0.0"));
        let other = text("RUSTSEC-2021-0004", "demo", "informational = \"something-else\"", "patched = []");
        assert_eq!(convert(&other).unwrap(), None);
        assert!(convert("no front matter").is_err());
    }
}
