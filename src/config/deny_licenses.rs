//! The licence policy of a cargo-deny `deny.toml`: its `[licenses]` section
//! in the current schema, and the `[graph]` keys that shape which packages
//! are checked.
//!
//! The file is found where cargo-deny looks for it ([`find`]). Other
//! sections (`[advisories]`, `[bans]`, `[sources]`, `[output]`) are accepted
//! and ignored here. Inside `[licenses]`, an unknown key is an error, and a
//! key that cargo-deny removed gets an error naming what replaced it, so a
//! file that cargo-deny rejects is rejected here too.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::config::{line_of, ConfigError};

/// Where cargo-deny looks for its configuration, relative to the project
/// root, in order.
pub const FILE_NAMES: [&str; 3] = ["deny.toml", ".deny.toml", ".cargo/deny.toml"];

/// The first of [`FILE_NAMES`] that exists under `root`.
pub fn find(root: &Path) -> Option<PathBuf> {
    FILE_NAMES.iter().map(|name| root.join(name)).find(|path| path.is_file())
}

/// cargo-deny's default `confidence-threshold`.
pub const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 0.8;

/// The licence policy, validated.
#[derive(Debug)]
pub struct LicensePolicyConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// Licences allowed for every package.
    pub allow: Vec<AllowedLicense>,
    /// Minimum score (0 to 1) for a licence identified from its text.
    pub confidence_threshold: f32,
    /// Licences allowed for particular packages only.
    pub exceptions: Vec<Exception>,
    /// Expressions that replace what a package declares, while its licence
    /// files are unchanged.
    pub clarify: Vec<Clarification>,
    /// Which workspace packages and registries are not checked.
    pub private: Private,
    /// Level of the note about allowed licences that no package used.
    pub unused_allowed_license: LintLevel,
    /// Level of the note about exceptions that matched no package.
    pub unused_license_exception: LintLevel,
    /// Also check the dev-dependencies of workspace members.
    pub include_dev: bool,
    /// Also check build-dependencies.
    pub include_build: bool,
    /// The `[graph]` options that change the dependency graph.
    pub graph: GraphOptions,
}

/// One entry of an `allow` list.
#[derive(Debug, Clone)]
pub struct AllowedLicense {
    /// The parsed licensee.
    pub licensee: spdx::Licensee,
    /// As written.
    pub text: String,
    /// 1-based line in the file.
    pub line: u32,
}

/// A package named by `crate = "name"`, `crate = "name@version"`, or the
/// older `name` / `version` pair.
#[derive(Debug, Clone)]
pub struct PackageSpec {
    /// The package name.
    pub name: String,
    /// Versions it applies to; all when `None`.
    pub version: Option<semver::VersionReq>,
}

impl PackageSpec {
    /// Whether the spec names this package version. A version that is not
    /// semver matches only a spec without a version.
    pub fn matches(&self, name: &str, version: &str) -> bool {
        name == self.name
            && match &self.version {
                None => true,
                Some(req) => semver::Version::parse(version).is_ok_and(|v| req.matches(&v)),
            }
    }
}

/// Licences allowed for one package.
#[derive(Debug, Clone)]
pub struct Exception {
    /// The package.
    pub spec: PackageSpec,
    /// The extra licences.
    pub allow: Vec<AllowedLicense>,
    /// 1-based line of the entry.
    pub line: u32,
}

/// A licence expression given by the user for a package.
#[derive(Debug, Clone)]
pub struct Clarification {
    /// The package.
    pub spec: PackageSpec,
    /// The expression that replaces the package's own.
    pub expression: spdx::Expression,
    /// As written.
    pub text: String,
    /// 1-based line of the expression.
    pub line: u32,
    /// Files (relative to the package root) whose content must be unchanged
    /// for the clarification to apply.
    pub license_files: Vec<ClarifiedFile>,
}

/// A licence file and the hash of its content, as cargo-deny computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClarifiedFile {
    /// Path relative to the package root.
    pub path: PathBuf,
    /// 32-bit hash of the file with line endings normalised.
    pub hash: u32,
}

/// `[licenses.private]`.
#[derive(Debug, Clone, Default)]
pub struct Private {
    /// Skip workspace members that are not published (or only to
    /// `registries`).
    pub ignore: bool,
    /// Skip packages from these registry URLs.
    pub ignore_sources: Vec<String>,
    /// Registries that count as private for `ignore`.
    pub registries: Vec<String>,
}

/// cargo-deny's lint levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LintLevel {
    /// Not reported.
    Allow,
    /// A warning.
    Warn,
    /// An error.
    Deny,
}

/// The `[graph]` keys that change which packages are in the graph.
#[derive(Debug, Clone, Default)]
pub struct GraphOptions {
    /// `all-features`.
    pub all_features: bool,
    /// `no-default-features`.
    pub no_default_features: bool,
    /// `features`.
    pub features: Vec<String>,
    /// `targets`: target triples to keep; all targets when empty.
    pub targets: Vec<String>,
    /// `exclude-dev`: never follow dev-dependencies.
    pub exclude_dev: bool,
    /// `exclude`: packages (`name` or `name@version`) pruned from the graph
    /// with whatever only they pull in.
    pub exclude: Vec<String>,
    /// `exclude-unpublished`: workspace members with `publish = false` are
    /// not graph roots.
    pub exclude_unpublished: bool,
}

/// Keys cargo-deny removed from `[licenses]`, and what replaced them.
const REMOVED: &[(&str, &str)] = &[
    ("unlicensed", "a package without a licence is now always an error; use `clarify` or `exceptions` for it"),
    ("copyleft", "copyleft licences are now allowed only when listed in `allow` or in an exception"),
    ("allow-osi-fsf-free", "list the allowed licences one by one in `allow`"),
    ("default", "a licence that is not in `allow` (or an exception) is now always rejected"),
    ("deny", "a licence is rejected unless it is in `allow`; remove it from `allow` instead"),
];

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    licenses: Option<RawLicenses>,
    #[serde(default)]
    graph: Option<RawGraph>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct RawGraph {
    #[serde(default)]
    all_features: bool,
    #[serde(default)]
    no_default_features: bool,
    #[serde(default)]
    features: Vec<String>,
    #[serde(default)]
    targets: Vec<RawTarget>,
    #[serde(default)]
    exclude_dev: bool,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    exclude_unpublished: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawTarget {
    Triple(String),
    Table { triple: String },
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawLicenses {
    // `version = 2` opted in to the current schema; it is the only one now.
    #[serde(default, rename = "version")]
    _version: Option<toml::Value>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    confidence_threshold: Option<Spanned<f32>>,
    #[serde(default)]
    exceptions: Vec<Spanned<RawException>>,
    #[serde(default)]
    clarify: Vec<Spanned<RawClarify>>,
    #[serde(default)]
    private: RawPrivate,
    #[serde(default)]
    unused_allowed_license: Option<Spanned<String>>,
    #[serde(default)]
    unused_license_exception: Option<Spanned<String>>,
    #[serde(default)]
    include_dev: bool,
    #[serde(default)]
    include_build: Option<bool>,
    // Removed keys, read only to say what replaced them.
    #[serde(default)]
    unlicensed: Option<Spanned<toml::Value>>,
    #[serde(default)]
    copyleft: Option<Spanned<toml::Value>>,
    #[serde(default)]
    allow_osi_fsf_free: Option<Spanned<toml::Value>>,
    #[serde(default)]
    default: Option<Spanned<toml::Value>>,
    #[serde(default)]
    deny: Option<Spanned<toml::Value>>,
    // `[licenses.headers]` belongs to commitguard.toml; in deny.toml it
    // would be an unknown key to cargo-deny, so it is one here too.
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawPrivate {
    #[serde(default)]
    ignore: bool,
    #[serde(default)]
    ignore_sources: Vec<String>,
    #[serde(default)]
    registries: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawException {
    #[serde(rename = "crate")]
    krate: Option<String>,
    name: Option<String>,
    version: Option<String>,
    allow: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawClarify {
    #[serde(rename = "crate")]
    krate: Option<String>,
    name: Option<String>,
    version: Option<String>,
    expression: Spanned<String>,
    license_files: Vec<RawClarifiedFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClarifiedFile {
    path: PathBuf,
    hash: u32,
}

impl LicensePolicyConfig {
    /// Reads and validates `path`.
    ///
    /// # Errors
    ///
    /// The file cannot be read, is not TOML, has an unknown or removed key
    /// in `[licenses]`, or holds an invalid licence id, expression, version
    /// requirement or level.
    pub fn load(path: &Path) -> Result<LicensePolicyConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::new(path, None, e.to_string()))?;
        LicensePolicyConfig::parse(path, &text)
    }

    /// Validates `text`, read from `path`.
    ///
    /// # Errors
    ///
    /// As [`LicensePolicyConfig::load`].
    pub fn parse(path: &Path, text: &str) -> Result<LicensePolicyConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        let v = Validator { path, text };
        let lic = raw.licenses.unwrap_or_default();
        v.reject_removed(&lic)?;
        let confidence_threshold = match lic.confidence_threshold {
            Some(t) if !(0.0..=1.0).contains(t.get_ref()) => {
                return Err(v.error(t.span().start, "confidence-threshold must be between 0.0 and 1.0"));
            }
            Some(t) => t.into_inner(),
            None => DEFAULT_CONFIDENCE_THRESHOLD,
        };
        let graph = raw.graph.unwrap_or_default();
        Ok(LicensePolicyConfig {
            path: path.to_path_buf(),
            allow: v.licensees(&lic.allow)?,
            confidence_threshold,
            exceptions: lic.exceptions.iter().map(|e| v.exception(e)).collect::<Result<_, _>>()?,
            clarify: lic.clarify.iter().map(|c| v.clarification(c)).collect::<Result<_, _>>()?,
            private: Private {
                ignore: lic.private.ignore,
                ignore_sources: lic.private.ignore_sources,
                registries: lic.private.registries,
            },
            unused_allowed_license: v.level(lic.unused_allowed_license.as_ref())?,
            unused_license_exception: v.level(lic.unused_license_exception.as_ref())?,
            include_dev: lic.include_dev,
            include_build: lic.include_build.unwrap_or(true),
            graph: GraphOptions {
                all_features: graph.all_features,
                no_default_features: graph.no_default_features,
                features: graph.features,
                targets: graph
                    .targets
                    .into_iter()
                    .map(|t| match t {
                        RawTarget::Triple(s) | RawTarget::Table { triple: s } => s,
                    })
                    .collect(),
                exclude_dev: graph.exclude_dev,
                exclude: graph.exclude,
                exclude_unpublished: graph.exclude_unpublished,
            },
        })
    }
}

struct Validator<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> ConfigError {
        ConfigError::new(self.path, Some(line_of(self.text, offset)), message)
    }

    fn reject_removed(&self, lic: &RawLicenses) -> Result<(), ConfigError> {
        let present = [&lic.unlicensed, &lic.copyleft, &lic.allow_osi_fsf_free, &lic.default, &lic.deny];
        for ((key, instead), value) in REMOVED.iter().zip(present) {
            if let Some(value) = value {
                return Err(self.error(
                    value.span().start,
                    format!("[licenses] `{key}` was removed from cargo-deny's schema: {instead}"),
                ));
            }
        }
        Ok(())
    }

    fn licensees(&self, list: &[Spanned<String>]) -> Result<Vec<AllowedLicense>, ConfigError> {
        list.iter()
            .map(|item| {
                let line = line_of(self.text, item.span().start);
                spdx::Licensee::parse(item.get_ref())
                    .map(|licensee| AllowedLicense { licensee, text: item.get_ref().clone(), line })
                    .map_err(|e| ConfigError::new(self.path, Some(line), format!("{:?}: {}", item.get_ref(), e.reason)))
            })
            .collect()
    }

    fn spec(
        &self,
        offset: usize,
        krate: Option<&str>,
        name: Option<&str>,
        version: Option<&str>,
    ) -> Result<PackageSpec, ConfigError> {
        let (name, version) = match (krate, name) {
            (Some(spec), None) => match spec.split_once('@') {
                Some((name, version)) => (name, Some(format!("={version}"))),
                None => (spec, version.map(str::to_owned)),
            },
            (None, Some(name)) => (name, version.map(str::to_owned)),
            (Some(_), Some(_)) => return Err(self.error(offset, "give either `crate` or `name`, not both")),
            (None, None) => return Err(self.error(offset, "missing `crate`: the package this entry applies to")),
        };
        let version = match version {
            None => None,
            Some(req) => Some(
                semver::VersionReq::parse(&req)
                    .map_err(|e| self.error(offset, format!("version requirement {req:?}: {e}")))?,
            ),
        };
        Ok(PackageSpec { name: name.to_owned(), version })
    }

    fn exception(&self, raw: &Spanned<RawException>) -> Result<Exception, ConfigError> {
        let offset = raw.span().start;
        let e = raw.get_ref();
        Ok(Exception {
            spec: self.spec(offset, e.krate.as_deref(), e.name.as_deref(), e.version.as_deref())?,
            allow: self.licensees(&e.allow)?,
            line: line_of(self.text, offset),
        })
    }

    fn clarification(&self, raw: &Spanned<RawClarify>) -> Result<Clarification, ConfigError> {
        let c = raw.get_ref();
        let spec = self.spec(raw.span().start, c.krate.as_deref(), c.name.as_deref(), c.version.as_deref())?;
        let line = line_of(self.text, c.expression.span().start);
        let expression = spdx::Expression::parse(c.expression.get_ref()).map_err(|e| {
            ConfigError::new(self.path, Some(line), format!("{:?}: {}", c.expression.get_ref(), e.reason))
        })?;
        let mut license_files: Vec<ClarifiedFile> =
            c.license_files.iter().map(|f| ClarifiedFile { path: f.path.clone(), hash: f.hash }).collect();
        license_files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Clarification { spec, expression, text: c.expression.get_ref().clone(), line, license_files })
    }

    fn level(&self, raw: Option<&Spanned<String>>) -> Result<LintLevel, ConfigError> {
        match raw.map(|r| (r.get_ref().as_str(), r.span().start)) {
            None | Some(("warn", _)) => Ok(LintLevel::Warn),
            Some(("allow", _)) => Ok(LintLevel::Allow),
            Some(("deny", _)) => Ok(LintLevel::Deny),
            Some((other, offset)) => {
                Err(self.error(offset, format!("{other:?} is not a level: use \"allow\", \"warn\" or \"deny\"")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<LicensePolicyConfig, ConfigError> {
        LicensePolicyConfig::parse(Path::new("deny.toml"), text)
    }

    #[test]
    fn reads_the_current_schema() {
        let config = parse(
            r#"
[graph]
all-features = true
targets = ["x86_64-unknown-linux-gnu", { triple = "wasm32-unknown-unknown" }]

[advisories]
ignore = ["RUSTSEC-2020-0071"]

[licenses]
version = 2
allow = ["MIT", "Apache-2.0 WITH LLVM-exception"]
confidence-threshold = 0.93
exceptions = [{ allow = ["Zlib"], crate = "adler32" }, { allow = ["OpenSSL"], name = "ring", version = "<0.17" }]
unused-allowed-license = "allow"

[[licenses.clarify]]
crate = "ring@0.16.20"
expression = "MIT AND ISC AND OpenSSL"
license-files = [{ path = "LICENSE", hash = 0xbd0eed23 }]

[licenses.private]
ignore = true
registries = ["internal"]
"#,
        )
        .unwrap();
        assert_eq!(config.allow.len(), 2);
        assert_eq!(config.allow[1].line, 11);
        assert_eq!(config.confidence_threshold, 0.93);
        assert!(config.exceptions[1].spec.matches("ring", "0.16.20"));
        assert!(!config.exceptions[1].spec.matches("ring", "0.17.0"));
        assert!(config.clarify[0].spec.matches("ring", "0.16.20"));
        assert!(!config.clarify[0].spec.matches("ring", "0.16.21"));
        assert_eq!(config.clarify[0].license_files[0].hash, 0xbd0e_ed23);
        assert_eq!(config.unused_allowed_license, LintLevel::Allow);
        assert!(config.private.ignore);
        assert!(config.graph.all_features);
        assert_eq!(config.graph.targets.len(), 2);
        assert!(config.include_build);
    }

    #[test]
    fn removed_keys_name_their_replacement() {
        let err = parse("[licenses]\nallow = []\ncopyleft = \"warn\"\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("`copyleft` was removed"), "{err}");
        let err = parse("[licenses]\ndeny = [\"GPL-3.0\"]\n").unwrap_err();
        assert!(err.message.contains("remove it from `allow`"), "{err}");
    }

    #[test]
    fn unknown_keys_and_bad_values_point_at_the_line() {
        let err = parse("[licenses]\nallow = []\nallowed = [\"MIT\"]\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("allowed"), "{err}");
        let err = parse("[licenses]\nallow = [\n  \"MIT\",\n  \"Not-A-Licence\",\n]\n").unwrap_err();
        assert_eq!(err.line, Some(4));
        let err = parse("[licenses]\nconfidence-threshold = 1.5\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        let err = parse("[licenses.private]\nignore = true\nbogus = 1\n").unwrap_err();
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn a_file_without_licenses_allows_nothing() {
        let config = parse("[bans]\nmultiple-versions = \"deny\"\n").unwrap();
        assert!(config.allow.is_empty());
        assert_eq!(config.confidence_threshold, DEFAULT_CONFIDENCE_THRESHOLD);
    }
}
