//! Importing a detect-secrets baseline (`.secrets.baseline`), so a team
//! coming from detect-secrets keeps its audited state.
//!
//! detect-secrets records, per file, the SHA-1 of each secret it found and
//! its line. A commitguard finding is taken over when the same file has an
//! entry with the SHA-1 of the same secret, or, since the two tools cut
//! secrets differently (a keyword detector may hash a value with its
//! quotes), an entry on the same line.

use std::collections::HashMap;

use serde::Deserialize;
use sha1::{Digest, Sha1};

use crate::finding::Finding;
use crate::secrets::baseline::Entry;

#[derive(Debug, Deserialize)]
struct Document {
    results: HashMap<String, Vec<Result>>,
}

#[derive(Debug, Deserialize)]
struct Result {
    hashed_secret: String,
    line_number: Option<u32>,
}

/// What an import matched.
#[derive(Debug, Default)]
pub struct Import {
    /// Baseline entries for the findings that detect-secrets had recorded.
    pub entries: Vec<Entry>,
    /// detect-secrets entries that matched no finding: `path:line`.
    pub unmatched: Vec<String>,
}

/// Matches `findings` against the detect-secrets baseline `text`.
///
/// # Errors
///
/// `text` is not a detect-secrets baseline; the message says why.
pub fn import(text: &str, findings: &[Finding]) -> std::result::Result<Import, String> {
    let doc: Document = serde_json::from_str(text).map_err(|e| format!("not a detect-secrets baseline: {e}"))?;
    let mut out = Import::default();
    for (path, results) in &doc.results {
        let path = path.replace('\\', "/");
        for result in results {
            let matched: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.path == path)
                .filter(|f| {
                    let hash = f.secret().map(|s| hex_sha1(s.secret.as_bytes()));
                    hash.as_deref() == Some(result.hashed_secret.as_str()) || result.line_number == Some(f.line)
                })
                .collect();
            if matched.is_empty() {
                out.unmatched.push(format!("{path}:{}", result.line_number.unwrap_or(0)));
            }
            for f in matched {
                out.entries.push(Entry {
                    path: f.path.clone(),
                    rule: f.rule.clone(),
                    fingerprint: f.fingerprint.clone(),
                });
            }
        }
    }
    out.unmatched.sort();
    Ok(out)
}

fn hex_sha1(bytes: &[u8]) -> String {
    Sha1::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Check, Detail, Level, SecretDetail};

    fn finding(path: &str, line: u32, secret: &str) -> Finding {
        Finding {
            check: Check::Secrets,
            level: Level::Error,
            rule: "r".into(),
            path: path.into(),
            line,
            message: String::new(),
            fingerprint: format!("fp-{path}-{line}"),
            detail: Detail::Secret(SecretDetail {
                column: 1,
                end_line: line,
                end_column: 2,
                secret_redacted: String::new(),
                context: String::new(),
                secret: secret.into(),
                commit: None,
            }),
        }
    }

    #[test]
    fn matches_by_hash_or_line() {
        let hash = hex_sha1(b"s3cr3t-value");
        let text = format!(
            r#"{{"version": "1.5.0", "results": {{"a.py": [{{"type": "Secret Keyword", "filename": "a.py", "hashed_secret": "{hash}", "is_verified": false, "line_number": 99}}],
            "b.py": [{{"type": "Hex", "filename": "b.py", "hashed_secret": "00", "is_verified": false, "line_number": 4}}],
            "c.py": [{{"type": "Hex", "filename": "c.py", "hashed_secret": "00", "is_verified": false, "line_number": 1}}]}}}}"#
        );
        let findings = [finding("a.py", 3, "s3cr3t-value"), finding("b.py", 4, "other"), finding("z.py", 1, "x")];
        let import = import(&text, &findings).unwrap();
        let mut got: Vec<&str> = import.entries.iter().map(|e| e.fingerprint.as_str()).collect();
        got.sort();
        assert_eq!(got, ["fp-a.py-3", "fp-b.py-4"]);
        assert_eq!(import.unmatched, ["c.py:1"]);
        assert!(super::import("[]", &findings).is_err());
    }
}
