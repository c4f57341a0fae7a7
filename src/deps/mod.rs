//! The dependency check: lockfiles in, findings out.
//!
//! The flow is lockfile parser ([`lockfile`]) → package list ([`Lockfile`])
//! → advisory databases and their index ([`db`]) → policy ([`policy`],
//! configured from a cargo-deny `deny.toml`, see [`crate::config::deny`]).
//! Nothing here prints: [`policy::check`] returns findings, bad input comes
//! back as an [`Error`] naming the file and line, and the CLI decides what
//! to show.

pub mod db;
pub mod graph;
pub mod lockfile;
pub mod policy;
pub mod update;
pub mod version;
pub mod yanked;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use lockfile::{Lockfile, Package, Source};

/// A package ecosystem, named as OSV names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ecosystem {
    /// Rust crates (`Cargo.lock`).
    #[serde(rename = "crates.io")]
    Cargo,
    /// npm packages (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`).
    #[serde(rename = "npm")]
    Npm,
    /// Python packages (`requirements.txt`, `poetry.lock`, `uv.lock`,
    /// `Pipfile.lock`).
    #[serde(rename = "PyPI")]
    PyPI,
    /// Go modules (`go.sum`).
    #[serde(rename = "Go")]
    Go,
}

impl Ecosystem {
    /// Every ecosystem.
    pub const ALL: [Ecosystem; 4] = [Ecosystem::Cargo, Ecosystem::Npm, Ecosystem::PyPI, Ecosystem::Go];

    /// The OSV ecosystem name.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Cargo => "crates.io",
            Ecosystem::Npm => "npm",
            Ecosystem::PyPI => "PyPI",
            Ecosystem::Go => "Go",
        }
    }

    /// The ecosystem of an OSV `ecosystem` value (`PyPI`, `npm`, also with
    /// a `:suffix` such as `Debian:12`, which is not ours).
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        Ecosystem::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// A package name as the ecosystem compares names: PyPI folds case and
    /// runs of `-`, `_` and `.` (PEP 503); the others compare exactly.
    pub fn normalize(self, name: &str) -> String {
        match self {
            Ecosystem::PyPI => {
                let mut out = String::with_capacity(name.len());
                for c in name.trim().chars() {
                    if matches!(c, '-' | '_' | '.') {
                        if !out.ends_with('-') {
                            out.push('-');
                        }
                    } else {
                        out.push(c.to_ascii_lowercase());
                    }
                }
                out
            }
            _ => name.to_owned(),
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Bad input: a lockfile, database or configuration that cannot be used.
///
/// Displays as `<path>[:line]: <problem>`, the shape the CLI prints after
/// `commitguard: `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// The file at fault.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// An error about `path`, at `line` when known.
    pub fn new(path: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Error {
        Error { path: path.into(), line, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for Error {}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    (memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count() + 1) as u32
}
