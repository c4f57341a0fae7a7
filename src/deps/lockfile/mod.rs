//! Lockfile parsers, one module per ecosystem, all producing a
//! [`Lockfile`]: the packages with their versions, sources, the line of
//! their entry and, where the format records it, the dependency graph.

mod cargo;
mod go;
mod npm;
mod python;

use std::collections::HashMap;
use std::path::Path;

use crate::deps::{Ecosystem, Error};

/// The lockfile formats commitguard reads, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `Cargo.lock`.
    Cargo,
    /// `package-lock.json` or `npm-shrinkwrap.json`.
    PackageLock,
    /// `yarn.lock`.
    Yarn,
    /// `pnpm-lock.yaml`.
    Pnpm,
    /// `requirements.txt` (also `requirements-dev.txt` and the like).
    Requirements,
    /// `poetry.lock`.
    Poetry,
    /// `uv.lock`.
    Uv,
    /// `Pipfile.lock`.
    Pipfile,
    /// `go.sum`.
    GoSum,
}

impl Format {
    /// The format of a file, from its name.
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        match name {
            "Cargo.lock" => Some(Format::Cargo),
            "package-lock.json" | "npm-shrinkwrap.json" => Some(Format::PackageLock),
            "yarn.lock" => Some(Format::Yarn),
            "pnpm-lock.yaml" => Some(Format::Pnpm),
            "poetry.lock" => Some(Format::Poetry),
            "uv.lock" => Some(Format::Uv),
            "Pipfile.lock" => Some(Format::Pipfile),
            "go.sum" => Some(Format::GoSum),
            _ if name.starts_with("requirements") && name.ends_with(".txt") => Some(Format::Requirements),
            _ => None,
        }
    }

    /// The ecosystem whose packages this format lists.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Format::Cargo => Ecosystem::Cargo,
            Format::PackageLock | Format::Yarn | Format::Pnpm => Ecosystem::Npm,
            Format::Requirements | Format::Poetry | Format::Uv | Format::Pipfile => Ecosystem::PyPI,
            Format::GoSum => Ecosystem::Go,
        }
    }
}

/// Where a package comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A package registry, by its index URL.
    Registry(String),
    /// A git repository, by URL (without the revision).
    Git(String),
    /// A local path, such as a workspace member.
    Path,
    /// The lockfile does not say.
    Unknown,
}

/// One resolved package of a lockfile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The name as the lockfile spells it.
    pub name: String,
    /// The exact version.
    pub version: String,
    /// Where it comes from.
    pub source: Source,
    /// 1-based line of its entry in the lockfile.
    pub line: u32,
    /// Indices (into [`Lockfile::packages`]) of its direct dependencies,
    /// when the format records them.
    pub dependencies: Vec<usize>,
}

impl Package {
    /// Whether this is a member of the workspace (a local package that the
    /// lockfile belongs to) rather than a dependency.
    pub fn is_workspace_member(&self) -> bool {
        self.source == Source::Path
    }
}

/// The packages of one lockfile.
#[derive(Clone, Debug)]
pub struct Lockfile {
    /// Display path of the file (relative to the repository root).
    pub path: String,
    /// The ecosystem of its packages.
    pub ecosystem: Ecosystem,
    /// The packages, in file order.
    pub packages: Vec<Package>,
    /// Whether [`Package::dependencies`] was filled from the file.
    pub has_graph: bool,
}

impl Lockfile {
    /// Keeps only the packages for which `keep` holds, and the dependency
    /// edges between them.
    pub fn retain(&mut self, keep: impl Fn(&Package) -> bool) {
        let mut new_index = vec![None; self.packages.len()];
        let mut next = 0;
        for (i, package) in self.packages.iter().enumerate() {
            if keep(package) {
                new_index[i] = Some(next);
                next += 1;
            }
        }
        let old = std::mem::take(&mut self.packages);
        for (i, mut package) in old.into_iter().enumerate() {
            if new_index[i].is_some() {
                package.dependencies = package.dependencies.iter().filter_map(|&d| new_index[d]).collect();
                self.packages.push(package);
            }
        }
    }
}

/// Parses the text of a lockfile of `format`; `path` is for messages.
///
/// # Errors
///
/// An [`Error`] naming the file, and the line when the parser knows it,
/// when the text is not a lockfile of that format.
pub fn parse(format: Format, path: &str, text: &str) -> Result<Lockfile, Error> {
    let (packages, has_graph) = match format {
        Format::Cargo => (cargo::parse(path, text)?, true),
        Format::PackageLock => (npm::package_lock(path, text)?, false),
        Format::Yarn => (npm::yarn_lock(path, text)?, false),
        Format::Pnpm => (npm::pnpm_lock(path, text)?, false),
        Format::Requirements => (python::requirements(path, text)?, false),
        Format::Poetry => (python::poetry_lock(path, text)?, false),
        Format::Uv => (python::uv_lock(path, text)?, false),
        Format::Pipfile => (python::pipfile_lock(path, text)?, false),
        Format::GoSum => (go::parse(path, text)?, false),
    };
    Ok(Lockfile { path: path.to_owned(), ecosystem: format.ecosystem(), packages, has_graph })
}

/// Pulls `line N` out of a parser's message, for errors that carry it only
/// in their text.
pub(crate) fn line_in_message(message: &str) -> Option<u32> {
    let at = message.find("line ")?;
    let digits: String = message[at + 5..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// 1-based line of the first `"key"`, `'key'` or `key:` in `text`; 1 when
/// it is not there.
pub(crate) fn quoted_line(text: &str, key: &str) -> u32 {
    let found = text
        .find(&format!("\"{key}\""))
        .or_else(|| text.find(&format!("'{key}'")))
        .or_else(|| text.find(&format!("\n  {key}:")).map(|at| at + 1));
    found.map_or(1, |at| crate::deps::line_of(text, at))
}

/// Line of each `[[package]]` header of a TOML lockfile, by the `name` and
/// `version` that follow it.
pub(crate) fn toml_entry_lines(text: &str) -> HashMap<(&str, &str), u32> {
    let mut out = HashMap::new();
    let mut header = 0;
    let mut name = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line == "[[package]]" {
            header = i as u32 + 1;
            name = None;
        } else if let Some(value) = string_value(line, "name") {
            name = Some(value);
        } else if let (Some(value), Some(n)) = (string_value(line, "version"), name) {
            out.entry((n, value)).or_insert(header);
        }
    }
    out
}

fn string_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}
