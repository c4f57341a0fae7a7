//! The one finding type that every check produces and every report consumes.
//!
//! A [`Finding`] names the check and rule that raised it, where it was found,
//! a human message and a fingerprint that does not move when lines shift. The
//! check-specific part lives in [`Detail`]. Serialising a finding with serde
//! gives the public JSON shape documented in README.md; a raw secret is never
//! part of that shape.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Which check raised a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Check {
    /// The secret scanner.
    Secrets,
    /// Lockfile dependency checks.
    Deps,
    /// Licence policy and source headers.
    Licenses,
}

impl Check {
    /// The name used in reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::Secrets => "secrets",
            Check::Deps => "deps",
            Check::Licenses => "licenses",
        }
    }
}

/// How serious a finding is. Only `Error` findings make the exit code 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Fails the run.
    Error,
    /// Reported, but the run still passes.
    Warning,
}

/// One problem found by a check.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// The check that raised it.
    pub check: Check,
    /// Error or warning.
    pub level: Level,
    /// The rule id, advisory id or policy code.
    pub rule: String,
    /// Path relative to the repository root (or the scan root), `/`-separated.
    pub path: String,
    /// 1-based line of the start of the finding.
    pub line: u32,
    /// What is wrong, for people.
    pub message: String,
    /// Hex SHA-256 that identifies the finding independently of line numbers.
    pub fingerprint: String,
    /// Check-specific fields.
    #[serde(flatten)]
    pub detail: Detail,
}

/// The check-specific part of a finding.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Detail {
    /// A secret found in text.
    Secret(SecretDetail),
    /// A dependency's licence or a source file's licence header.
    Licenses(LicenseDetail),
    /// A dependency problem found in a lockfile.
    Deps(DepsDetail),
    /// No extra fields.
    None,
}

/// Where a secret is, and its redacted form.
#[derive(Clone, Debug, Serialize)]
pub struct SecretDetail {
    /// 1-based column (in characters) of the first character of the secret.
    pub column: u32,
    /// 1-based line of the last character of the secret.
    pub end_line: u32,
    /// 1-based column one past the last character of the secret.
    pub end_column: u32,
    /// A short prefix of the secret followed by asterisks.
    pub secret_redacted: String,
    /// The source line with the secret masked, for the human report.
    #[serde(skip)]
    pub context: String,
    /// The raw secret. Never serialised: a reporter adds it only when the user
    /// asked for `--show-secrets`.
    #[serde(skip)]
    pub secret: String,
    /// The commit that added it, when scanning history.
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub commit: Option<CommitInfo>,
}

/// The licence part of a `licenses` finding. Fields that do not apply are
/// left out of the JSON (a header finding has no package).
#[derive(Clone, Debug, Default, Serialize)]
pub struct LicenseDetail {
    /// The package name (dependency findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The package version (dependency findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The licence expression as evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Where the expression came from: a manifest field, a `clarify` entry,
    /// or licence texts detected with their confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// What a dependency finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepsKind {
    /// A security vulnerability advisory.
    Vulnerability,
    /// An advisory that the package is unmaintained.
    Unmaintained,
    /// An advisory that the package is unsound.
    Unsound,
    /// An informational notice advisory.
    Notice,
    /// The version was yanked from its registry.
    Yanked,
    /// The package is denied (or not allowed) by `[bans]`.
    Banned,
    /// Several versions of the same package.
    Duplicate,
    /// The package comes from a source `[sources]` does not allow.
    Source,
}

/// The dependency-specific fields of a finding.
#[derive(Clone, Debug, Serialize)]
pub struct DepsDetail {
    /// What it is about.
    pub kind: DepsKind,
    /// The package name as the lockfile spells it.
    pub package: String,
    /// The locked version (for `duplicate`, every locked version, comma
    /// separated).
    pub version: String,
    /// The OSV ecosystem name: `crates.io`, `npm`, `PyPI`, `Go`.
    pub ecosystem: String,
    /// Other ids of the advisory (CVE, GHSA); empty for policy findings.
    pub aliases: Vec<String>,
    /// CVSS severity, when the advisory gives one.
    pub severity: Option<crate::deps::db::Severity>,
    /// The smallest version that is not affected, to move to.
    pub patched: Option<String>,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The commit a finding came from.
#[derive(Clone, Debug, Serialize)]
pub struct CommitInfo {
    /// Full hex commit id.
    pub commit: String,
    /// `Name <email>` of the author.
    pub author: String,
    /// Author date, RFC 3339.
    pub date: String,
}

impl Finding {
    /// The licence detail, if this is a `licenses` finding.
    pub fn license(&self) -> Option<&LicenseDetail> {
        match &self.detail {
            Detail::Licenses(l) => Some(l),
            Detail::Secret(_) | Detail::Deps(_) | Detail::None => None,
        }
    }

    /// The secret detail, if this is a secret finding.
    pub fn secret(&self) -> Option<&SecretDetail> {
        match &self.detail {
            Detail::Secret(s) => Some(s),
            Detail::Licenses(_) | Detail::Deps(_) | Detail::None => None,
        }
    }

    /// The dependency detail, if this is a deps finding.
    pub fn deps(&self) -> Option<&DepsDetail> {
        match &self.detail {
            Detail::Deps(d) => Some(d),
            _ => None,
        }
    }
}

/// Hex SHA-256 of `parts` joined with NUL bytes.
///
/// For a secret the parts are the rule id, the path and the secret, so the
/// value survives line moves and serves the baseline and SARIF alike.
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out
}

/// Orders findings for stable output: by path, line, column, then rule.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let col = |f: &Finding| f.secret().map_or(0, |s| s.column);
        (&a.path, a.line, col(a), &a.rule, a.check).cmp(&(&b.path, b.line, col(b), &b.rule, b.check))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_joins_with_nul() {
        let a = fingerprint(&[b"rule", b"path", b"secret"]);
        let b = fingerprint(&[b"rule\0path\0secret"]);
        assert_eq!(a, b);
        assert_ne!(a, fingerprint(&[b"rulepath", b"secret"]));
        assert_eq!(a.len(), 64);
    }
}
