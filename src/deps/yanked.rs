//! Yanked crate versions, read from cargo's local crates.io index cache.
//!
//! No advisory database records yanks, and a hook must not ask the network,
//! so the only source is what cargo already downloaded:
//! `$CARGO_HOME/registry/index/<crates.io index>/.cache/<prefix>/<name>`.
//! Each cache file is a small header (a format byte, a 4-byte index format
//! version and a NUL-terminated index version) followed by pairs of
//! NUL-terminated strings: a version and its JSON index line, which carries
//! `"yanked"`. A crate that cargo never fetched is simply unknown.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The crates.io index caches found under a cargo home.
#[derive(Clone, Debug)]
pub struct YankedIndex {
    caches: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Line {
    vers: String,
    #[serde(default)]
    yanked: bool,
}

impl YankedIndex {
    /// The crates.io index caches of `cargo_home`; `None` when there is
    /// none, so the yanked check cannot run.
    pub fn open(cargo_home: &Path) -> Option<YankedIndex> {
        let mut caches: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry").join("index"))
            .ok()?
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with("index.crates.io-") || name.starts_with("github.com-")
            })
            .map(|e| e.path().join(".cache"))
            .filter(|p| p.is_dir())
            .collect();
        caches.sort();
        (!caches.is_empty()).then_some(YankedIndex { caches })
    }

    /// The cargo home: `$CARGO_HOME`, else `~/.cargo`.
    pub fn default_cargo_home() -> Option<PathBuf> {
        std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    }

    /// Whether `name` `version` is yanked: `None` when the cache does not
    /// know the crate or version.
    pub fn is_yanked(&self, name: &str, version: &str) -> Option<bool> {
        let rel = relative_path(name);
        self.caches.iter().find_map(|cache| std::fs::read(cache.join(&rel)).ok().and_then(|b| lookup(&b, version)))
    }
}

/// Where the index keeps a crate: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`.
fn relative_path(name: &str) -> PathBuf {
    let name = name.to_ascii_lowercase();
    match name.len() {
        1 => Path::new("1").join(&name),
        2 => Path::new("2").join(&name),
        3 => Path::new("3").join(&name[..1]).join(&name),
        _ => Path::new(&name[..2]).join(&name[2..4]).join(&name),
    }
}

fn lookup(bytes: &[u8], version: &str) -> Option<bool> {
    let rest = bytes.get(5..)?;
    let mut parts = rest.split(|&b| b == 0);
    parts.next()?; // The index version.
    while let (Some(vers), Some(json)) = (parts.next(), parts.next()) {
        if vers == version.as_bytes() {
            let line: Line = serde_json::from_slice(json).ok()?;
            return (line.vers == version).then_some(line.yanked);
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Writes a cache file for `name` with (version, yanked) entries under a
    /// fake cargo home.
    pub(crate) fn write_cache(home: &Path, name: &str, versions: &[(&str, bool)]) {
        let path = home.join("registry/index/index.crates.io-0000000000000000/.cache").join(relative_path(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = vec![3u8, 2, 0, 0, 0];
        bytes.extend_from_slice(b"etag\0");
        for (v, yanked) in versions {
            bytes.extend_from_slice(v.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(
                format!(r#"{{"name":"{name}","vers":"{v}","deps":[],"yanked":{yanked}}}"#).as_bytes(),
            );
            bytes.push(0);
        }
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn reads_yanked_flags() {
        let home = tempfile::tempdir().unwrap();
        assert!(YankedIndex::open(home.path()).is_none());
        write_cache(home.path(), "Demo-Crate", &[("0.1.0", false), ("0.1.1", true)]);
        write_cache(home.path(), "abc", &[("1.0.0", true)]);
        let index = YankedIndex::open(home.path()).unwrap();
        assert_eq!(index.is_yanked("Demo-Crate", "0.1.1"), Some(true));
        assert_eq!(index.is_yanked("demo-crate", "0.1.0"), Some(false));
        assert_eq!(index.is_yanked("demo-crate", "0.2.0"), None);
        assert_eq!(index.is_yanked("abc", "1.0.0"), Some(true));
        assert_eq!(index.is_yanked("nope", "1.0.0"), None);
    }
}
