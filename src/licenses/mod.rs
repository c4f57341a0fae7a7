//! The licence check: package metadata → licence expression → policy.
//!
//! - [`cargo`], [`npm`], [`python`] read a project's packages and what each
//!   declares about its licence into [`Package`]s;
//! - [`detect`] identifies licence texts when a package has only a file;
//! - [`policy`] turns each package into one expression (a `clarify` entry,
//!   the declared expression, or its licence files), evaluates it against
//!   the `[licenses]` policy of a `deny.toml` the way cargo-deny does, and
//!   returns findings;
//! - [`headers`] checks `SPDX-License-Identifier:` headers of source files.
//!
//! Nothing here prints: the CLI turns the findings into reports.
//!
//! # Rules
//!
//! | rule                       | level   | when |
//! |----------------------------|---------|------|
//! | `license-not-allowed`      | error   | the expression cannot be satisfied by `allow` (plus the package's exceptions) |
//! | `license-unknown`          | error   | no expression: none declared, or unparsable, and no identifiable licence file |
//! | `low-confidence`           | error   | the only licence files scored under `confidence-threshold` |
//! | `low-confidence`           | warning | a licence file scored under 0.9, or was left out because others were identified |
//! | `unused-allowed-license`   | warning | an `allow` entry no package needed (`unused-allowed-license`) |
//! | `unused-license-exception` | warning | an exception that matched no package (`unused-license-exception`) |
//! | `missing-header`           | error   | a source file without `SPDX-License-Identifier:` |
//! | `header-not-allowed`       | error   | a header whose expression the policy does not allow |

pub mod cargo;
pub mod detect;
pub mod headers;
pub mod npm;
pub mod policy;
pub mod python;

use std::path::{Path, PathBuf};

use serde::Serialize;

/// Which package manager a package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// crates.io, path and git crates, from `cargo metadata`.
    Cargo,
    /// `package-lock.json` / `node_modules`.
    Npm,
    /// Installed distributions of a Python virtual environment.
    Python,
}

/// One package of a project's dependency graph and what it says about its
/// licence.
#[derive(Debug, Clone)]
pub struct Package {
    /// Package name.
    pub name: String,
    /// Version as the ecosystem writes it.
    pub version: String,
    /// Where it comes from.
    pub ecosystem: Ecosystem,
    /// The declared licence expression, as written.
    pub license: Option<String>,
    /// Which field `license` came from (`license`, `License-Expression`,
    /// `Classifier`...), as shown in a finding's `source`.
    pub license_field: &'static str,
    /// A declared licence file (absolute).
    pub license_file: Option<PathBuf>,
    /// The package's root directory, searched for `LICENSE*` files when
    /// nothing usable is declared.
    pub root: Option<PathBuf>,
    /// The file that declares the licence (Cargo.toml, package-lock.json,
    /// METADATA): the finding's path.
    pub manifest: PathBuf,
    /// 1-based line of the declaration in `manifest`, when known.
    pub line: Option<u32>,
    /// A member of the project's own workspace.
    pub is_member: bool,
    /// Registries it may be published to: `Some(empty)` for never
    /// (`publish = false`), `None` for anywhere.
    pub publish: Option<Vec<String>>,
    /// The registry or repository it was fetched from, when not local.
    pub source: Option<String>,
}

/// Errors that stop the licence check.
#[derive(Debug)]
pub enum Error {
    /// `cargo metadata` could not run or failed.
    Metadata {
        /// The manifest it ran on.
        manifest: PathBuf,
        /// cargo's message (first line).
        message: String,
    },
    /// A lockfile or metadata file that cannot be read or parsed.
    Manifest {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// The licence-text store could not be loaded.
    Detector(detect::DetectorError),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Metadata { manifest, message } => {
                write!(f, "{}: cargo metadata failed: {message}", manifest.display())
            }
            Error::Manifest { path, line: Some(line), message } => write!(f, "{}:{line}: {message}", path.display()),
            Error::Manifest { path, line: None, message } => write!(f, "{}: {message}", path.display()),
            Error::Detector(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

/// `path` relative to `root` with `/` separators when it is under `root`,
/// else as it is.
pub fn display_path(path: &Path, root: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let text = shown.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        text.into_owned()
    } else {
        text.replace(std::path::MAIN_SEPARATOR, "/")
    }
}
