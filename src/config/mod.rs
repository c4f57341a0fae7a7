//! Configuration files read into typed policy.
//!
//! - [`commitguard`]: `commitguard.toml`, the project's own format;
//! - [`gitleaks`]: gitleaks TOML files, accepted as they are;
//! - [`deny`]: the `[advisories]`, `[bans]`, `[sources]` and `[graph]`
//!   sections of a cargo-deny `deny.toml`, for `deps`;
//! - [`deny_licenses`]: the `[licenses]` (and `[graph]`) sections of a
//!   cargo-deny `deny.toml`;
//! - [`license_headers`]: `[licenses.headers]` of `commitguard.toml`.
//!
//! The secrets readers produce a [`SecretsPolicy`], which builds the secret
//! [`Scanner`](crate::secrets::Scanner). Readers return a [`ConfigError`]
//! carrying the file and the line of the key at fault; the CLI prints it on
//! one line and exits 2.

pub mod commitguard;
pub mod deny;
pub mod deny_licenses;
pub mod gitleaks;
pub mod license_headers;

use std::path::{Path, PathBuf};

use crate::secrets::allowlist::Allowlist;
use crate::secrets::{builtin_rules, Rule, Scanner};

/// A configuration file that cannot be used, with the line at fault when
/// there is one.
#[derive(Debug)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line of the key or value at fault.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(path: &Path, line: Option<u32>, message: impl Into<String>) -> ConfigError {
        ConfigError { path: path.to_path_buf(), line, message: message.into() }
    }

    /// Wraps a TOML error, keeping its position but not its multi-line
    /// excerpt.
    pub(crate) fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> ConfigError {
        let line = err.span().map(|span| line_of(text, span.start));
        ConfigError::new(path, line, err.message().trim().replace('\n', " "))
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> u32 {
    let end = offset.min(text.len());
    let newlines = memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// Settings for one rule, from configuration.
#[derive(Debug, Default)]
pub struct RuleOverride {
    /// The rule id.
    pub id: String,
    /// Replaces the rule's minimum entropy.
    pub entropy: Option<f64>,
    /// Added to the rule's allowlists.
    pub allowlists: Vec<Allowlist>,
    /// Where the override was written, for errors.
    pub line: Option<u32>,
}

/// What configuration says about secret scanning.
#[derive(Debug)]
pub struct SecretsPolicy {
    /// The file it came from, if any.
    pub file: Option<PathBuf>,
    /// Whether the built-in rules are used.
    pub builtin: bool,
    /// Rule ids switched off.
    pub disabled: Vec<String>,
    /// Rules added (a rule with a built-in id replaces that rule).
    pub rules: Vec<Rule>,
    /// Allowlists for every rule.
    pub allowlists: Vec<Allowlist>,
    /// Per-rule settings.
    pub overrides: Vec<RuleOverride>,
    /// Size limit for files, in bytes.
    pub max_size: Option<u64>,
}

impl Default for SecretsPolicy {
    fn default() -> SecretsPolicy {
        SecretsPolicy {
            file: None,
            builtin: true,
            disabled: Vec::new(),
            rules: Vec::new(),
            allowlists: Vec::new(),
            overrides: Vec::new(),
            max_size: None,
        }
    }
}

impl SecretsPolicy {
    /// Builds the scanner this policy describes.
    ///
    /// # Errors
    ///
    /// An override names a rule that does not exist.
    pub fn scanner(self) -> Result<Scanner, ConfigError> {
        let mut rules = if self.builtin {
            builtin_rules().map_err(|e| ConfigError::new(Path::new(&e.file), None, e.message))?
        } else {
            Vec::new()
        };
        for rule in self.rules {
            rules.retain(|r| r.id() != rule.id());
            rules.push(rule);
        }
        for id in &self.disabled {
            if !rules.iter().any(|r| r.id() == id) {
                log::warn!("disabled rule {id:?} is not a rule (ignored)");
            }
        }
        rules.retain(|r| !self.disabled.iter().any(|d| d == r.id()));
        for over in self.overrides {
            let file = self.file.clone().unwrap_or_default();
            let Some(rule) = rules.iter_mut().find(|r| r.id() == over.id) else {
                return Err(ConfigError::new(&file, over.line, format!("no rule with id {:?} to configure", over.id)));
            };
            if over.entropy.is_some() {
                rule.set_entropy(over.entropy);
            }
            rule.allowlists.extend(over.allowlists);
        }
        Ok(Scanner::new(rules).with_allowlists(self.allowlists))
    }
}

/// Names of the configuration files looked for at the repository root, in
/// order.
pub const CONFIG_FILES: &[&str] = &["commitguard.toml", ".commitguard.toml", ".gitleaks.toml"];

/// Finds and reads the secrets configuration: `explicit` when given (a
/// commitguard.toml or a gitleaks file, told apart by content), else the
/// first of [`CONFIG_FILES`] present in `root`, else the defaults.
///
/// # Errors
///
/// The file cannot be read or is invalid.
pub fn load_secrets(root: &Path, explicit: Option<&Path>) -> Result<SecretsPolicy, ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match CONFIG_FILES.iter().map(|name| root.join(name)).find(|p| p.is_file()) {
            Some(path) => path,
            None => return Ok(SecretsPolicy::default()),
        },
    };
    let text =
        std::fs::read_to_string(&path).map_err(|e| ConfigError::new(&path, None, format!("cannot read: {e}")))?;
    log::debug!("configuration from {}", path.display());
    if gitleaks::looks_like_gitleaks(&text) {
        gitleaks::parse(&path, &text)
    } else {
        commitguard::parse_secrets(&path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let text = "a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
        assert_eq!(line_of(text, 99), 3);
    }
}
