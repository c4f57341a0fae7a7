//! Version parsing and ordering by each ecosystem's rules.
//!
//! Cargo and npm use semantic versioning, Python PEP 440 (through
//! `pep440_rs`), Go semantic versions written with a `v` and its
//! pseudo-versions (`v0.0.0-20200101000000-abcdef123456`, which are valid
//! semver pre-releases and so order the way Go orders them).

use std::cmp::Ordering;
use std::str::FromStr;

use crate::deps::Ecosystem;

/// A parsed version of one ecosystem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Version {
    /// Cargo, npm and Go.
    Semver(semver::Version),
    /// PyPI.
    Pep440(pep440_rs::Version),
}

impl Version {
    /// Parses `text` by the rules of `ecosystem`; `None` when it is not a
    /// version there.
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<Version> {
        let text = text.trim();
        match ecosystem {
            Ecosystem::Cargo | Ecosystem::Npm => parse_semver(text).map(Version::Semver),
            Ecosystem::Go => parse_semver(text.strip_prefix('v').unwrap_or(text)).map(Version::Semver),
            Ecosystem::PyPI => pep440_rs::Version::from_str(text).ok().map(Version::Pep440),
        }
    }

    /// Compares two versions of the same ecosystem; versions of different
    /// schemes never compare.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Semver(a), Version::Semver(b)) => Some(a.cmp(b)),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// Strict semver first; then the loose forms that npm and Go records carry
/// (`1.2`, `1`), padded with zeros.
fn parse_semver(text: &str) -> Option<semver::Version> {
    if let Ok(v) = semver::Version::parse(text) {
        return Some(v);
    }
    let (core, rest) = match text.find(['-', '+']) {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let mut padded = parts.join(".");
    for _ in parts.len()..3 {
        padded.push_str(".0");
    }
    semver::Version::parse(&format!("{padded}{rest}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(eco: Ecosystem, a: &str, b: &str) -> Ordering {
        Version::parse(eco, a).unwrap().compare(&Version::parse(eco, b).unwrap()).unwrap()
    }

    #[test]
    fn semver_orders_prereleases_before_release() {
        assert_eq!(cmp(Ecosystem::Cargo, "1.0.0-alpha.1", "1.0.0"), Ordering::Less);
        assert_eq!(cmp(Ecosystem::Cargo, "0.10.0", "0.9.9"), Ordering::Greater);
        assert_eq!(cmp(Ecosystem::Npm, "1.2", "1.2.0"), Ordering::Equal);
    }

    #[test]
    fn pep440_normalises_and_orders() {
        assert_eq!(cmp(Ecosystem::PyPI, "1.0", "1.0.0"), Ordering::Equal);
        assert_eq!(cmp(Ecosystem::PyPI, "1.0rc1", "1.0"), Ordering::Less);
        assert_eq!(cmp(Ecosystem::PyPI, "1.0.post1", "1.0"), Ordering::Greater);
        assert_eq!(cmp(Ecosystem::PyPI, "2.0.dev1", "2.0a1"), Ordering::Less);
        assert!(Version::parse(Ecosystem::Cargo, "1.0rc1").is_none());
    }

    #[test]
    fn go_versions_and_pseudo_versions() {
        assert_eq!(cmp(Ecosystem::Go, "v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp(Ecosystem::Go, "v0.0.0-20200101000000-abcdef123456", "v0.0.1"), Ordering::Less);
        assert_eq!(
            cmp(Ecosystem::Go, "v0.0.0-20200101000000-abcdef123456", "v0.0.0-20210101000000-abcdef123456"),
            Ordering::Less
        );
        assert_eq!(cmp(Ecosystem::Go, "v2.0.0+incompatible", "v1.9.0"), Ordering::Greater);
    }
}
