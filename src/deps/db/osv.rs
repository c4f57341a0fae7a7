//! OSV records (<https://ossf.github.io/osv-schema/>), one per file, as JSON
//! or YAML: the exports of OSV per ecosystem and the PyPA database.
//!
//! Only `ECOSYSTEM` and `SEMVER` ranges are read; `GIT` ranges name commits,
//! which lockfiles of these ecosystems do not carry.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Advisory, AdvisoryKind, Event, Severity};
use crate::deps::Ecosystem;

#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    withdrawn: Option<serde_json::Value>,
    #[serde(default)]
    affected: Vec<Affected>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    references: Vec<Reference>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Affected {
    package: Option<PackageRef>,
    #[serde(default)]
    ranges: Vec<Range>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    severity: Vec<SeverityEntry>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct PackageRef {
    ecosystem: String,
    name: String,
}

#[derive(Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
}

#[derive(Deserialize)]
struct SeverityEntry {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize)]
struct Reference {
    #[serde(rename = "type", default)]
    kind: String,
    url: String,
}

fn is_record_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
}

/// The record files under `dir`, at any depth, hidden folders skipped.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(path),
                Ok(_) if is_record_file(&path) => out.push(path),
                _ => {}
            }
        }
    }
    out
}

/// Whether `dir` holds any record file.
pub fn has_records(dir: &Path) -> bool {
    !files(dir).is_empty()
}

/// Converts one record; one [`Advisory`] per affected package of an
/// ecosystem commitguard reads. A withdrawn record gives none.
///
/// # Errors
///
/// The parser's message when the text is not an OSV record.
pub fn convert(text: &str, yaml: bool) -> Result<Vec<(Ecosystem, String, Advisory)>, String> {
    let record: Record = if yaml {
        serde_norway::from_str(text).map_err(|e| e.to_string())?
    } else {
        serde_json::from_str(text).map_err(|e| e.to_string())?
    };
    if record.withdrawn.as_ref().is_some_and(|w| !w.is_null()) {
        return Ok(Vec::new());
    }
    let title = record
        .summary
        .as_deref()
        .or_else(|| record.details.as_deref().and_then(|d| d.lines().find(|l| !l.trim().is_empty())))
        .map_or_else(|| record.id.clone(), |t| t.trim().to_owned());
    let url =
        record.references.iter().find(|r| r.kind == "ADVISORY").or(record.references.first()).map(|r| r.url.clone());
    let mut out = Vec::new();
    for affected in &record.affected {
        let Some(package) = &affected.package else { continue };
        let Some(ecosystem) = Ecosystem::from_osv(&package.ecosystem) else { continue };
        let ranges: Vec<Vec<Event>> = affected
            .ranges
            .iter()
            .filter(|r| r.kind == "ECOSYSTEM" || r.kind == "SEMVER")
            .map(|r| r.events.iter().filter_map(event).collect())
            .collect();
        let severity = affected
            .severity
            .iter()
            .chain(&record.severity)
            .find_map(|s| s.kind.starts_with("CVSS").then(|| Severity::from_cvss(&s.score)).flatten());
        let advisory = Advisory {
            id: record.id.clone(),
            aliases: record.aliases.clone(),
            title: title.clone(),
            kind: kind(affected.database_specific.as_ref().or(record.database_specific.as_ref())),
            severity,
            url: url.clone(),
            ranges,
            versions: affected.versions.clone(),
            registry: None,
        };
        out.push((ecosystem, package.name.clone(), advisory));
    }
    Ok(out)
}

fn event(raw: &RawEvent) -> Option<Event> {
    if let Some(v) = &raw.introduced {
        Some(Event::Introduced(v.clone()))
    } else if let Some(v) = &raw.fixed {
        Some(Event::Fixed(v.clone()))
    } else {
        raw.last_affected.as_ref().map(|v| Event::LastAffected(v.clone()))
    }
}

/// RustSec's OSV export keeps its informational kind in
/// `database_specific.informational`; everything else is a vulnerability.
fn kind(specific: Option<&serde_json::Value>) -> AdvisoryKind {
    match specific.and_then(|s| s.get("informational")).and_then(|v| v.as_str()) {
        Some("unmaintained") => AdvisoryKind::Unmaintained,
        Some("unsound") => AdvisoryKind::Unsound,
        Some("notice") => AdvisoryKind::Notice,
        _ => AdvisoryKind::Vulnerability,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_record_with_ranges_and_versions() {
        let text = "id: PYSEC-2099-1\naliases: [CVE-2099-1]\ndetails: |\n  Something bad.\n  More.\n\
            affected:\n- package: {ecosystem: PyPI, name: Demo_Pkg}\n  ranges:\n  - type: GIT\n    events:\n\
            \x20   - introduced: abc\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 1.2.0\n\
            \x20 versions: ['1.0', '1.1']\n";
        let out = convert(text, true).unwrap();
        assert_eq!(out.len(), 1);
        let (eco, name, a) = &out[0];
        assert_eq!((*eco, name.as_str()), (Ecosystem::PyPI, "Demo_Pkg"));
        assert_eq!(a.title, "Something bad.");
        assert_eq!(a.ranges.len(), 1);
        assert!(a.affects(Ecosystem::PyPI, "1.1.5"));
        assert!(!a.affects(Ecosystem::PyPI, "1.2"));
    }

    #[test]
    fn json_withdrawn_unaffected_and_informational() {
        let withdrawn = r#"{"id":"X-1","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"}}]}"#;
        assert!(convert(withdrawn, false).unwrap().is_empty());
        let informational = r#"{"id":"RUSTSEC-2020-1","summary":"gone","affected":[{"package":{"ecosystem":"crates.io","name":"b"},
            "ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"}]}],
            "database_specific":{"informational":"unmaintained"}}]}"#;
        let out = convert(informational, false).unwrap();
        assert_eq!(out[0].2.kind, AdvisoryKind::Unmaintained);
        assert!(out[0].2.affects(Ecosystem::Cargo, "3.0.0"));
        let other = r#"{"id":"D-1","affected":[{"package":{"ecosystem":"Debian:12","name":"c"}}]}"#;
        assert!(convert(other, false).unwrap().is_empty());
        assert!(convert("{", false).is_err());
    }
}
