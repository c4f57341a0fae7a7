//! cargo-deny's `deny.toml`, read into typed policy.
//!
//! Every key that current cargo-deny accepts is accepted here; the sections
//! and keys commitguard does not act on yet (`[graph]`, `[output]`,
//! `[licenses]`, some of `[bans]`) are kept as raw values and named by
//! [`DenyConfig::unused_keys`] so the CLI can log them. A key cargo-deny
//! rejects is an [`Error`] at its line; a key of the old schema that
//! cargo-deny removed gets an error saying what replaced it.
//!
//! The licences check will read `[licenses]` from the same [`DenyConfig`].

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::deps::Error;

/// The file names cargo-deny looks for at the root, in its order.
pub const FILE_NAMES: [&str; 3] = ["deny.toml", ".deny.toml", ".cargo/deny.toml"];

/// Finds the deny.toml of the project rooted at `root`, as cargo-deny does.
pub fn find(root: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|n| root.join(n)).find(|p| p.is_file())
}

/// A cargo-deny lint level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    /// An error finding.
    Deny,
    /// A warning finding.
    Warn,
    /// Not reported.
    Allow,
}

/// Which crates an unmaintained or unsound advisory is reported for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every crate.
    #[default]
    All,
    /// Crates that a workspace member depends on directly.
    Workspace,
    /// Crates that are only depended on indirectly.
    Transitive,
    /// None.
    None,
}

/// An entry of `[advisories] ignore`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    /// An advisory id, or a package spec (`name` or `name@version`) for
    /// yanked crates.
    pub id: String,
    /// Why, when given.
    pub reason: Option<String>,
    /// 1-based line in deny.toml.
    pub line: u32,
}

/// `[advisories]`.
#[derive(Clone, Debug, Default)]
pub struct Advisories {
    /// `db-path`, expanded (`~`, `$VAR`, `${VAR:-fallback}`, `$CARGO_HOME`).
    pub db_path: Option<PathBuf>,
    /// `db-urls`.
    pub db_urls: Vec<String>,
    /// `ignore`.
    pub ignore: Vec<Ignore>,
    /// `yanked` (default warn).
    pub yanked: Option<LintLevel>,
    /// `unmaintained` scope (default all).
    pub unmaintained: Scope,
    /// `unsound` scope (default all).
    pub unsound: Scope,
    /// `unused-ignored-advisory` (default warn).
    pub unused_ignored_advisory: Option<LintLevel>,
    /// `maximum-db-staleness`, an ISO 8601 duration such as `P7D`.
    pub maximum_db_staleness: Option<std::time::Duration>,
}

/// A package spec of `[bans]`: `name`, `name@version-requirement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageSpec {
    /// The crate name.
    pub name: String,
    /// The version requirement, when one is given.
    pub version: Option<semver::VersionReq>,
    /// Why, when given.
    pub reason: Option<String>,
    /// What to use instead, when given.
    pub use_instead: Option<String>,
    /// `skip-tree` depth, when given.
    pub depth: Option<u32>,
    /// 1-based line in deny.toml.
    pub line: u32,
}

impl PackageSpec {
    /// Whether the spec names this package version.
    pub fn matches(&self, name: &str, version: &str) -> bool {
        self.name == name
            && self.version.as_ref().is_none_or(|req| semver::Version::parse(version).is_ok_and(|v| req.matches(&v)))
    }
}

/// `[bans]`.
#[derive(Clone, Debug, Default)]
pub struct Bans {
    /// `multiple-versions` (default warn).
    pub multiple_versions: Option<LintLevel>,
    /// `deny`.
    pub deny: Vec<PackageSpec>,
    /// `allow`: when not empty, only these crates may be used.
    pub allow: Vec<PackageSpec>,
    /// `skip`.
    pub skip: Vec<PackageSpec>,
    /// `skip-tree`.
    pub skip_tree: Vec<PackageSpec>,
}

/// `[sources]`.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// `unknown-registry` (default warn).
    pub unknown_registry: Option<LintLevel>,
    /// `unknown-git` (default warn).
    pub unknown_git: Option<LintLevel>,
    /// `allow-registry` (default: crates.io).
    pub allow_registry: Vec<String>,
    /// `allow-git`.
    pub allow_git: Vec<String>,
    /// `allow-org`: (host, organisation) pairs.
    pub allow_org: Vec<(String, String)>,
}

/// `[graph]`: which part of a Cargo dependency graph is checked.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// `targets`: target triples (their `features` are not used).
    pub targets: Vec<String>,
    /// `exclude`: crates left out, with what only they pull in.
    pub exclude: Vec<PackageSpec>,
    /// `all-features`.
    pub all_features: bool,
    /// `no-default-features`.
    pub no_default_features: bool,
    /// `features`.
    pub features: Vec<String>,
    /// `exclude-dev`: leave out dev-dependencies.
    pub exclude_dev: bool,
}

impl Graph {
    /// Whether it asks for a filter that a lockfile alone cannot apply.
    pub fn has_filters(&self) -> bool {
        !self.targets.is_empty()
            || !self.exclude.is_empty()
            || self.all_features
            || self.no_default_features
            || !self.features.is_empty()
            || self.exclude_dev
    }
}

/// A whole deny.toml.
#[derive(Clone, Debug, Default)]
pub struct DenyConfig {
    /// Display path of the file.
    pub path: String,
    /// `[advisories]`.
    pub advisories: Advisories,
    /// `[bans]`.
    pub bans: Bans,
    /// `[sources]`.
    pub sources: Sources,
    /// `[graph]`.
    pub graph: Graph,
    unused: Vec<String>,
}

impl DenyConfig {
    /// Keys that were accepted but that commitguard does not act on, as
    /// `section.key`.
    pub fn unused_keys(&self) -> &[String] {
        &self.unused
    }

    /// Reads and checks `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is not TOML, has a key cargo-deny
    /// rejects or removed, or a value of the wrong shape; the error names
    /// the line.
    pub fn load(path: &Path, shown: &str) -> Result<DenyConfig, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::new(shown, None, format!("cannot read: {e}")))?;
        DenyConfig::parse(shown, &text)
    }

    /// Parses deny.toml text; `shown` names it in errors.
    ///
    /// # Errors
    ///
    /// As [`DenyConfig::load`].
    pub fn parse(shown: &str, text: &str) -> Result<DenyConfig, Error> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| toml_error(shown, text, &e))?;
        check_removed(shown, text, &table)?;
        let raw: raw::Root = toml::from_str(text).map_err(|e| toml_error(shown, text, &e))?;
        raw.resolve(shown, text)
    }
}

fn toml_error(shown: &str, text: &str, e: &toml::de::Error) -> Error {
    let line = e.span().map(|s| crate::deps::line_of(text, s.start));
    Error::new(shown, line, e.message().trim().to_owned())
}

/// Keys of the old schema that cargo-deny removed, and what replaced them.
const REMOVED: &[(&str, &str, &str)] = &[
    ("advisories", "vulnerability", "removed: every vulnerability advisory is an error; use `ignore` for exceptions"),
    ("advisories", "notice", "removed: every notice advisory is an error; use `ignore` for exceptions"),
    ("advisories", "severity-threshold", "removed: every vulnerability advisory is an error whatever its severity"),
    ("licenses", "unlicensed", "removed: a crate without a licence is always an error"),
    ("licenses", "copyleft", "removed: list the copyleft licences you accept in `allow`"),
    ("licenses", "allow-osi-fsf-free", "removed: list the licences you accept in `allow`"),
    ("licenses", "default", "removed: a licence not in `allow` is always an error"),
    ("licenses", "deny", "removed: a licence not in `allow` is always an error"),
];

/// Top-level keys that moved into `[graph]`.
const MOVED_TO_GRAPH: &[&str] =
    &["targets", "exclude", "all-features", "no-default-features", "features", "exclude-dev", "feature-depth"];

fn check_removed(shown: &str, text: &str, table: &toml::Table) -> Result<(), Error> {
    for &(section, key, message) in REMOVED {
        if table.get(section).and_then(|s| s.get(key)).is_some() {
            return Err(Error::new(shown, key_line(text, Some(section), key), format!("[{section}] {key}: {message}")));
        }
    }
    for (section, key) in [("advisories", "unmaintained"), ("advisories", "unsound")] {
        let value = table.get(section).and_then(|s| s.get(key)).and_then(|v| v.as_str());
        if matches!(value, Some("deny" | "warn" | "allow")) {
            return Err(Error::new(
                shown,
                key_line(text, Some(section), key),
                format!(
                    "[{section}] {key}: a lint level is no longer accepted; it is now a scope: \
                     \"all\", \"workspace\", \"transitive\" or \"none\""
                ),
            ));
        }
    }
    for key in MOVED_TO_GRAPH {
        if table.contains_key(*key) {
            let section = if *key == "feature-depth" { "output" } else { "graph" };
            return Err(Error::new(
                shown,
                key_line(text, None, key),
                format!("{key}: moved to the [{section}] section"),
            ));
        }
    }
    Ok(())
}

/// Best-effort line of `key` inside `[section]` (or before any section).
pub(crate) fn key_line(text: &str, section: Option<&str>, key: &str) -> Option<u32> {
    let mut current: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[').and_then(|h| h.split(']').next()) {
            current = Some(header.trim_matches(['[', ' ']));
            continue;
        }
        let is_key = trimmed.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='));
        if is_key && current == section {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// The line of the first occurrence of `needle` as a quoted string.
fn string_line(text: &str, needle: &str) -> u32 {
    let quoted = format!("\"{needle}\"");
    let single = format!("'{needle}'");
    text.find(&quoted).or_else(|| text.find(&single)).map_or(1, |at| crate::deps::line_of(text, at))
}

/// Expands `~`, `$VAR`, `${VAR}`, `${VAR:-fallback}` and `$CARGO_HOME` the
/// way cargo-deny does for `db-path`.
pub fn expand_path(text: &str) -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_default();
    let mut out = String::new();
    let mut rest = text;
    if let Some(after) = rest.strip_prefix('~') {
        out.push_str(&home);
        rest = after;
    }
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        rest = &rest[at + 1..];
        let (name, fallback, after) = if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').unwrap_or(inner.len());
            let body = &inner[..end];
            let after = inner.get(end + 1..).unwrap_or("");
            match body.split_once(":-") {
                Some((n, f)) => (n, Some(f), after),
                None => (body, None, after),
            }
        } else {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (&rest[..end], None, &rest[end..])
        };
        let value = match (std::env::var(name), fallback) {
            (Ok(v), _) => v,
            (Err(_), Some(f)) => f.to_owned(),
            (Err(_), None) if name == "CARGO_HOME" => format!("{home}/.cargo"),
            (Err(_), None) => String::new(),
        };
        out.push_str(&value);
        rest = after;
    }
    out.push_str(rest);
    PathBuf::from(out)
}

/// An ISO 8601 duration of days, weeks, hours, minutes and seconds
/// (`P7D`, `P1W`, `PT12H`, `P1DT6H`), as cargo-deny takes for
/// `maximum-db-staleness`. Years and months are refused: their length
/// varies.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut seconds: f64 = 0.0;
    let mut any = false;
    for (part, units) in [
        (date, &[('W', 604_800.0), ('D', 86_400.0)][..]),
        (time.unwrap_or(""), &[('H', 3_600.0), ('M', 60.0), ('S', 1.0)][..]),
    ] {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let unit = units.iter().find(|(u, _)| *u == c)?.1;
            seconds += number.parse::<f64>().ok()? * unit;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    (any && time != Some("")).then(|| std::time::Duration::from_secs_f64(seconds))
}

mod raw;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_schema_is_read() {
        let text = r#"
[graph]
targets = ["x86_64-unknown-linux-gnu"]

[advisories]
version = 2
db-path = "$HOME/dbs"
ignore = [
    "RUSTSEC-2020-0001",
    { id = "RUSTSEC-2021-0002", reason = "not reachable" },
    { crate = "yanked-crate@0.1.1", reason = "no release yet" },
]
yanked = "deny"
unmaintained = "workspace"

[licenses]
allow = ["MIT"]

[bans]
multiple-versions = "deny"
deny = ["openssl", { crate = "time@<0.2", reason = "old", use-instead = "jiff" }]
skip = [{ name = "bitflags", version = "1" }]

[sources]
unknown-git = "deny"
allow-git = ["https://github.com/a/b"]
allow-org = { github = ["rust-lang"] }
"#;
        let config = DenyConfig::parse("deny.toml", text).unwrap();
        let a = &config.advisories;
        assert_eq!(a.ignore.len(), 3);
        assert_eq!(
            (a.ignore[1].id.as_str(), a.ignore[1].reason.as_deref(), a.ignore[1].line),
            ("RUSTSEC-2021-0002", Some("not reachable"), 10)
        );
        assert_eq!(a.ignore[0].reason, None);
        assert_eq!(a.yanked, Some(LintLevel::Deny));
        assert_eq!(a.unmaintained, Scope::Workspace);
        assert!(a.db_path.as_ref().unwrap().ends_with("dbs"));
        assert!(config.graph.has_filters());
        assert_eq!(config.graph.targets, ["x86_64-unknown-linux-gnu"]);
        assert_eq!(config.bans.deny[1].name, "time");
        assert!(config.bans.deny[1].matches("time", "0.1.45"));
        assert!(!config.bans.deny[1].matches("time", "0.3.0"));
        assert!(config.bans.skip[0].matches("bitflags", "1.3.2"));
        assert_eq!(config.sources.allow_org, [("github.com".to_owned(), "rust-lang".to_owned())]);
        assert!(config.unused_keys().contains(&"licenses".to_owned()));
        assert!(config.unused_keys().contains(&"advisories.version".to_owned()));
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let err = DenyConfig::parse("deny.toml", "[advisories]\nignore = []\nfrobnicate = 1\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("frobnicate"), "{err}");
    }

    #[test]
    fn removed_keys_say_what_replaced_them() {
        let err = DenyConfig::parse("deny.toml", "[advisories]\nvulnerability = \"deny\"\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("every vulnerability advisory is an error"), "{err}");
        let err = DenyConfig::parse("deny.toml", "[advisories]\nunmaintained = \"warn\"\n").unwrap_err();
        assert!(err.message.contains("scope"), "{err}");
        let err = DenyConfig::parse("deny.toml", "targets = []\n").unwrap_err();
        assert!(err.message.contains("[graph]"), "{err}");
    }

    #[test]
    fn durations() {
        use std::time::Duration;
        assert_eq!(parse_duration("P7D"), Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("P1W"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("PT12H"), Some(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("P1DT1H30M"), Some(Duration::from_secs(86_400 + 5_400)));
        for bad in ["7D", "P", "PT", "P1M", "P1Y", "P1DT", "Pxyz"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let err = DenyConfig::parse("deny.toml", "[advisories]\nmaximum-db-staleness = \"soon\"\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        let ok = DenyConfig::parse("deny.toml", "[advisories]\nmaximum-db-staleness = \"P30D\"\n").unwrap();
        assert_eq!(ok.advisories.maximum_db_staleness, Some(Duration::from_secs(30 * 86_400)));
    }

    #[test]
    fn expands_db_path() {
        std::env::set_var("COMMITGUARD_TEST_EXPAND", "/x");
        assert_eq!(expand_path("${COMMITGUARD_TEST_EXPAND}/db"), PathBuf::from("/x/db"));
        assert_eq!(expand_path("${COMMITGUARD_TEST_UNSET_VAR:-/fb}/db"), PathBuf::from("/fb/db"));
    }
}
