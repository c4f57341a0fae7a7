//! Lockfile parsers, one module per ecosystem, all producing a
//! [`Lockfile`]: the packages with their versions, sources, the line of
//! their entry and, where the format records it, the dependency graph.

mod cargo;

use std::path::Path;

use crate::deps::{Ecosystem, Error};

/// The lockfile formats commitguard reads, by file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `Cargo.lock`.
    Cargo,
}

impl Format {
    /// The format of a file, from its name.
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        match name {
            "Cargo.lock" => Some(Format::Cargo),
            _ => None,
        }
    }

    /// The ecosystem whose packages this format lists.
    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Format::Cargo => Ecosystem::Cargo,
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

/// Parses the text of a lockfile of `format`; `path` is for messages.
///
/// # Errors
///
/// An [`Error`] naming the file, and the line when the parser knows it,
/// when the text is not a lockfile of that format.
pub fn parse(format: Format, path: &str, text: &str) -> Result<Lockfile, Error> {
    let (packages, has_graph) = match format {
        Format::Cargo => (cargo::parse(path, text)?, true),
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
