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
/// `version` that follow it; the line of `name` when no header this reader
/// knows comes before it (lines are 1-based, never 0).
pub(crate) fn toml_entry_lines(text: &str) -> HashMap<(&str, &str), u32> {
    let mut out = HashMap::new();
    let mut header = None;
    let mut name = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let number = i as u32 + 1;
        if is_package_header(line) {
            header = Some(number);
            name = None;
        } else if let Some(value) = string_value(line, "name") {
            name = Some((value, header.unwrap_or(number)));
        } else if let (Some(value), Some((n, at))) = (string_value(line, "version"), name) {
            out.entry((n, value)).or_insert(at);
        }
    }
    out
}

/// Whether a trimmed line is an array-of-tables header for `package`, with
/// the spacing and trailing comment TOML allows (`[[ package ]] # x`).
fn is_package_header(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("[[") else { return false };
    let Some((inner, after)) = rest.split_once("]]") else { return false };
    let after = after.trim_start();
    let key = inner.trim();
    (key == "package" || key == "\"package\"") && (after.is_empty() || after.starts_with('#'))
}

fn string_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    rest.strip_prefix('"')?.strip_suffix('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (fuzz/fuzz_targets/lockfile_poetry.rs, issue 7): a
    /// header spelled `[[ package]]`, valid TOML, was not recognised, and
    /// its package was reported on line 0.
    #[test]
    fn fuzz_spaced_package_header_has_its_line() {
        let text =
            "[[ package]]\nname = \"a\"\nversion = \"1.0\"\n\n[[ \"package\" ]] # b\nname = \"b\"\nversion = \"2.0\"\n";
        let lines = toml_entry_lines(text);
        assert_eq!(lines.get(&("a", "1.0")), Some(&1));
        assert_eq!(lines.get(&("b", "2.0")), Some(&5));
        let lock = parse(Format::Poetry, "poetry.lock", text).unwrap();
        assert_eq!(lock.packages.iter().map(|p| p.line).collect::<Vec<_>>(), [1, 5]);
        // No header this reader knows: the line of `name`, never 0.
        let lines = toml_entry_lines("package = 1\nname = \"c\"\nversion = \"3\"\n");
        assert_eq!(lines.get(&("c", "3")), Some(&2));
    }

    /// One small, valid sample per format.
    const SAMPLES: &[(&str, &str)] = &[
        ("Cargo.lock", "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\ndependencies = [\n \"b\",\n]\n\n[[package]]\nname = \"b\"\nversion = \"0.1.0\"\n"),
        ("package-lock.json", "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/é\": {\"version\": \"1.0.0\"}\n  }\n}\n"),
        ("yarn.lock", "\"@s/p@^1\", \"@s/p@^1.1\":\n  version \"1.2.0\"\n\nq@npm:^2:\n  version: 2.0.0\n"),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  '@s/p@1.2.0(x@1)':\n    resolution: {integrity: y}\n  /q/2.0.0_z@1:\n    dev: true\n"),
        ("requirements.txt", "a==1.0 \\\n  --hash=sha256:x\nb[c]==2.0 ; python_version > '3'\n"),
        ("poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1.0\"\n"),
        ("uv.lock", "version = 1\n\n[[package]]\nname = \"a\"\nversion = \"1.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n"),
        ("Pipfile.lock", "{\"default\": {\"a\": {\"version\": \"==1.0\"}}, \"develop\": {}}\n"),
        ("go.sum", "example.com/m v1.0.0 h1:x=\nexample.com/m v1.0.0/go.mod h1:y=\n"),
    ];

    /// A lockfile cut anywhere (as an interrupted write leaves it) is an
    /// error or a shorter list, never a panic.
    #[test]
    fn truncated_lockfiles_never_panic() {
        for (name, text) in SAMPLES {
            let format = Format::of(Path::new(name)).unwrap();
            let full = parse(format, name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!full.packages.is_empty(), "{name}");
            for cut in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
                match parse(format, name, &text[..cut]) {
                    Ok(lock) => assert!(lock.packages.len() <= full.packages.len() + 1, "{name} cut at {cut}"),
                    Err(e) => assert_eq!(e.path, *name),
                }
            }
        }
    }

    #[test]
    fn formats_by_name() {
        assert_eq!(Format::of(Path::new("a/requirements-dev.txt")), Some(Format::Requirements));
        assert_eq!(Format::of(Path::new("npm-shrinkwrap.json")), Some(Format::PackageLock));
        assert_eq!(Format::of(Path::new("Cargo.toml")), None);
        assert_eq!(Format::of(Path::new("notes.txt")), None);
    }

    #[test]
    fn retain_keeps_edges_between_kept_packages() {
        let text = SAMPLES[0].1;
        let mut lock = parse(Format::Cargo, "Cargo.lock", text).unwrap();
        assert_eq!(lock.packages[0].dependencies, [1]);
        lock.retain(|p| p.name == "a");
        assert_eq!(lock.packages.len(), 1);
        assert!(lock.packages[0].dependencies.is_empty());
    }
}
