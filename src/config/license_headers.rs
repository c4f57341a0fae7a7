//! `[licenses.headers]` of `commitguard.toml`: whether source files must
//! carry an `SPDX-License-Identifier:` header, which files, which
//! identifiers and which copyright line.
//!
//! ```toml
//! [licenses.headers]
//! enabled = true
//! include = ["src/**", "tests/**"]
//! exclude = ["tests/fixtures/**"]
//! identifiers = ["MIT OR Apache-2.0"]
//! copyright = 'Copyright \(c\) \d{4}'
//! ```

use std::path::Path;

use serde::Deserialize;

use crate::config::ConfigError;

/// The name of commitguard's own configuration file at the repository root.
pub const FILE_NAME: &str = "commitguard.toml";

/// The header policy, validated.
#[derive(Debug, Clone, Default)]
pub struct HeaderConfig {
    /// Whether the hook checks headers at all (off by default). An explicit
    /// `--headers` on the command line checks them regardless.
    pub enabled: bool,
    /// Globs (relative to the repository root) of files to check; every file
    /// with a known comment syntax when empty.
    pub include: Vec<String>,
    /// Globs of files never checked.
    pub exclude: Vec<String>,
    /// Expressions a header may carry; when empty, any expression the
    /// licence policy's `allow` list satisfies (or any valid expression
    /// without a policy).
    pub identifiers: Vec<String>,
    /// A regular expression that a line of the first comment block must
    /// match.
    pub copyright: Option<String>,
}

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    licenses: Option<RawLicenses>,
}

#[derive(Deserialize)]
struct RawLicenses {
    #[serde(default)]
    headers: Option<RawHeaders>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawHeaders {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    identifiers: Vec<String>,
    #[serde(default)]
    copyright: Option<String>,
}

impl HeaderConfig {
    /// Reads `[licenses.headers]` from `path`; the default (off) when the
    /// file does not exist.
    ///
    /// # Errors
    ///
    /// The file exists but cannot be read, is not TOML, has an unknown key
    /// in `[licenses.headers]`, or holds an invalid glob, expression or
    /// regular expression.
    pub fn load(path: &Path) -> Result<HeaderConfig, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => HeaderConfig::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HeaderConfig::default()),
            Err(e) => Err(ConfigError::new(path, None, e.to_string())),
        }
    }

    /// Validates `text`, read from `path`.
    ///
    /// # Errors
    ///
    /// As [`HeaderConfig::load`].
    pub fn parse(path: &Path, text: &str) -> Result<HeaderConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        let Some(raw) = raw.licenses.and_then(|l| l.headers) else { return Ok(HeaderConfig::default()) };
        for glob in raw.include.iter().chain(&raw.exclude) {
            globset::Glob::new(glob).map_err(|e| ConfigError::new(path, None, format!("glob {glob:?}: {e}")))?;
        }
        for id in &raw.identifiers {
            spdx::Expression::parse(id)
                .map_err(|e| ConfigError::new(path, None, format!("identifier {id:?}: {}", e.reason)))?;
        }
        if let Some(pattern) = &raw.copyright {
            regex::Regex::new(pattern)
                .map_err(|e| ConfigError::new(path, None, format!("copyright pattern {pattern:?}: {e}")))?;
        }
        Ok(HeaderConfig {
            enabled: raw.enabled,
            include: raw.include,
            exclude: raw.exclude,
            identifiers: raw.identifiers,
            copyright: raw.copyright,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_and_ignores_other_sections() {
        let text = "[secrets]\nx = 1\n[licenses.headers]\nenabled = true\ninclude = [\"src/**\"]\n\
                    identifiers = [\"MIT OR Apache-2.0\"]\ncopyright = 'Copyright \\d{4}'\n";
        let config = HeaderConfig::parse(Path::new("commitguard.toml"), text).unwrap();
        assert!(config.enabled);
        assert_eq!(config.include, ["src/**"]);
        assert_eq!(config.copyright.as_deref(), Some("Copyright \\d{4}"));
    }

    #[test]
    fn rejects_bad_values() {
        let bad = [
            "[licenses.headers]\nenable = true\n",
            "[licenses.headers]\nidentifiers = [\"MIT OR\"]\n",
            "[licenses.headers]\ncopyright = '('\n",
            "[licenses.headers]\ninclude = ['a/[']\n",
        ];
        for text in bad {
            assert!(HeaderConfig::parse(Path::new("c.toml"), text).is_err(), "{text}");
        }
        assert!(!HeaderConfig::parse(Path::new("c.toml"), "").unwrap().enabled);
    }
}
