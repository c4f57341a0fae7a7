//! Licence-text detection: which SPDX licence a `LICENSE` file holds, and
//! how sure we are.
//!
//! The matcher is the `spdx` crate's `detection` module (the askalono
//! algorithm, maintained inside `spdx`), and the licence texts it compares
//! against are the cache that crate ships inline, so nothing is fetched.
//! Loading that cache costs tens of milliseconds, so it happens the first
//! time a package actually needs its licence text read, never for a graph
//! whose packages all declare an expression.

use std::sync::OnceLock;

use spdx::detection::scan::Scanner;
use spdx::detection::{Store, TextData};

/// What a licence file was identified as.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// The closest licence of the store, when the scan found one at all.
    pub name: Option<String>,
    /// The SPDX id of `name`, when it is one.
    pub id: Option<spdx::LicenseId>,
    /// Similarity from 0 to 1.
    pub score: f32,
}

/// The licence store, loaded on first use and shared read-only.
#[derive(Default)]
pub struct Detector {
    store: OnceLock<Result<Store, String>>,
}

/// The inline licence cache could not be loaded.
#[derive(Debug, Clone)]
pub struct DetectorError(pub String);

impl std::fmt::Display for DetectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "loading the licence texts: {}", self.0)
    }
}

impl std::error::Error for DetectorError {}

impl Detector {
    /// A detector whose store is not loaded yet.
    pub fn new() -> Detector {
        Detector::default()
    }

    fn store(&self) -> Result<&Store, DetectorError> {
        let loaded = self.store.get_or_init(|| {
            log::debug!("loading the licence-text store");
            Store::load_inline().map_err(|e| e.to_string())
        });
        loaded.as_ref().map_err(|e| DetectorError(e.clone()))
    }

    /// Identifies the licence in `text` (already [`normalize`]d).
    ///
    /// The scan reports any candidate scoring 0.5 or more, so a caller can
    /// say what a text was close to even when it is under the policy's
    /// threshold.
    ///
    /// # Errors
    ///
    /// The inline store could not be loaded.
    pub fn identify(&self, text: &str) -> Result<Detection, DetectorError> {
        let store = self.store()?;
        let scanner = Scanner::new(store).confidence_threshold(0.5).optimize(false).max_passes(1);
        let result = scanner.scan(&TextData::new(text));
        let name = result.license.map(|l| l.name.to_owned());
        let id = name.as_deref().and_then(spdx::license_id);
        Ok(Detection { name, id, score: result.score })
    }
}

/// Normalises line endings the way cargo-deny does before hashing and
/// scanning a licence file: every line ends in exactly one `\n`, carriage
/// returns at line ends are dropped, and a last line without a newline gets
/// one.
pub fn normalize(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() + 1);
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_none() && line.is_empty() {
            break;
        }
        out.push_str(line.trim_end_matches('\r'));
        out.push('\n');
    }
    out
}

/// The hash that `[[licenses.clarify]] license-files` entries carry: 32-bit
/// xxHash (seed 0) of the [`normalize`]d text, as cargo-deny computes it.
pub fn hash(normalized: &str) -> u32 {
    xxhash_rust::xxh32::xxh32(normalized.as_bytes(), 0)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn normalizes_line_endings() {
        assert_eq!(normalize(b"a\r\nb\r\n"), "a\nb\n");
        assert_eq!(normalize(b"a\nb"), "a\nb\n");
        assert_eq!(normalize(b"a\n\n\nb\n"), "a\n\n\nb\n");
        assert_eq!(normalize(b""), "");
    }

    #[test]
    fn hash_is_xxh32_with_seed_zero() {
        // Reference values of XXH32 with seed 0.
        assert_eq!(hash(""), 0x02cc_5d05);
        assert_eq!(hash("a"), 0x550d_7456);
    }

    /// The MIT licence, as a crate would ship it.
    pub(crate) const MIT: &str = "MIT License

Copyright (c) 2026 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the \"Software\"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
";

    #[test]
    fn identifies_a_licence_text() {
        let found = Detector::new().identify(&normalize(MIT.as_bytes())).unwrap();
        assert_eq!(found.id.map(|id| id.name), Some("MIT"));
        assert!(found.score > 0.95, "{found:?}");
        let prose = "This crate is great. Use it however you like, but be kind to others.\n";
        let found = Detector::new().identify(prose).unwrap();
        assert!(found.score < 0.5, "{found:?}");
    }
}
