//! The baseline: fingerprints of findings a team has accepted, so that an
//! old repository can adopt the scanner without fixing its past first.
//!
//! The file (`.commitguard-baseline.json` at the repository root by default)
//! holds, for each accepted finding, its fingerprint, rule id and path —
//! never a secret or a part of one — sorted so that its diffs review well:
//!
//! ```json
//! {
//!   "version": 1,
//!   "findings": [
//!     { "path": "config/dev.env", "rule": "generic-password", "fingerprint": "9f2c…" }
//!   ]
//! }
//! ```

use std::collections::{BTreeSet, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::finding::Finding;

/// The default file name, at the repository root.
pub const FILE: &str = ".commitguard-baseline.json";

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Repository-relative path.
    pub path: String,
    /// Rule id.
    pub rule: String,
    /// The finding's fingerprint.
    pub fingerprint: String,
}

/// A set of accepted findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeSet<Entry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    findings: Vec<Entry>,
}

/// A baseline file that cannot be read or written.
#[derive(Debug)]
pub struct BaselineError {
    /// The file.
    pub path: PathBuf,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for BaselineError {}

impl Baseline {
    /// The baseline of these findings.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let entries = findings
            .iter()
            .map(|f| Entry { path: f.path.clone(), rule: f.rule.clone(), fingerprint: f.fingerprint.clone() })
            .collect();
        Baseline { entries }
    }

    /// Builds a baseline from entries.
    pub fn from_entries(entries: impl IntoIterator<Item = Entry>) -> Baseline {
        Baseline { entries: entries.into_iter().collect() }
    }

    /// The entries, sorted.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Reads a baseline file; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    ///
    /// The file exists but cannot be read or is not a baseline.
    pub fn load(path: &Path) -> Result<Option<Baseline>, BaselineError> {
        let error = |message: String| BaselineError { path: path.to_path_buf(), message };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(error(format!("cannot read: {e}"))),
        };
        let doc: Document =
            serde_json::from_str(&text).map_err(|e| error(format!("not a commitguard baseline: {e}")))?;
        if doc.version != 1 {
            return Err(error(format!("baseline version {} is not supported (expected 1)", doc.version)));
        }
        Ok(Some(Baseline::from_entries(doc.findings)))
    }

    /// Writes the baseline atomically: a temporary file beside it, then a
    /// rename, so a failure leaves the old file intact.
    ///
    /// # Errors
    ///
    /// The directory is not writable, or the rename fails.
    pub fn save(&self, path: &Path) -> Result<(), BaselineError> {
        let error = |message: String| BaselineError { path: path.to_path_buf(), message };
        let doc = Document { version: 1, findings: self.entries.iter().cloned().collect() };
        let mut text = serde_json::to_string_pretty(&doc).map_err(|e| error(e.to_string()))?;
        text.push('\n');
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| error(format!("cannot write: {e}")))?;
        temp.write_all(text.as_bytes()).map_err(|e| error(format!("cannot write: {e}")))?;
        temp.as_file().sync_all().map_err(|e| error(format!("cannot write: {e}")))?;
        temp.persist(path).map_err(|e| error(format!("cannot write: {}", e.error)))?;
        Ok(())
    }

    /// Removes findings whose fingerprint is in the baseline; returns the
    /// fingerprints that matched at least one finding.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> HashSet<String> {
        let known: HashSet<&str> = self.entries.iter().map(|e| e.fingerprint.as_str()).collect();
        let mut used = HashSet::new();
        findings.retain(|f| {
            if known.contains(f.fingerprint.as_str()) {
                used.insert(f.fingerprint.clone());
                false
            } else {
                true
            }
        });
        used
    }

    /// Entries whose fingerprint is not in `used`.
    pub fn unused<'a>(&'a self, used: &'a HashSet<String>) -> impl Iterator<Item = &'a Entry> {
        self.entries.iter().filter(move |e| !used.contains(&e.fingerprint))
    }

    /// Keeps only entries whose fingerprint is in `used`; returns how many
    /// were dropped.
    pub fn retain_used(&mut self, used: &HashSet<String>) -> usize {
        let before = self.entries.len();
        self.entries.retain(|e| used.contains(&e.fingerprint));
        before - self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_is_sorted_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let baseline = Baseline::from_entries([
            Entry { path: "b".into(), rule: "r".into(), fingerprint: "2".into() },
            Entry { path: "a".into(), rule: "r".into(), fingerprint: "1".into() },
        ]);
        baseline.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap());
        assert_eq!(Baseline::load(&path).unwrap(), Some(baseline));
        assert_eq!(Baseline::load(&dir.path().join("missing")).unwrap(), None);
        std::fs::write(&path, "{}").unwrap();
        assert!(Baseline::load(&path).is_err());
    }
}
