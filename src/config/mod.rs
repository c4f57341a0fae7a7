//! Configuration files read into typed policy.
//!
//! - [`deny_licenses`]: the `[licenses]` (and `[graph]`) sections of a
//!   cargo-deny `deny.toml`;
//! - [`license_headers`]: `[licenses.headers]` of `commitguard.toml`.
//!
//! Readers return a [`ConfigError`] carrying the file and the line of the key
//! at fault; the CLI prints it on one line and exits 2.

pub mod deny_licenses;
pub mod license_headers;

use std::path::{Path, PathBuf};

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
        ConfigError::new(path, line, err.message().trim().to_owned())
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
