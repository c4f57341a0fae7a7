//! Yanked crate versions, read from cargo's local crates.io index cache.
//!
//! No advisory database records yanks, and a hook must not ask the network,
//! so the only source is what cargo already downloaded:
//! `$CARGO_HOME/registry/index/<crates.io index>/.cache/<prefix>/<name>`.
//! Each cache file is a small header (a format byte, a 4-byte index format
//! version and a NUL-terminated index version) followed by pairs of
//! NUL-terminated strings: a version and its JSON index line, which carries
//! `"yanked"`. A crate that cargo never fetched is simply unknown.
//!
//! Cache files of popular crates run to hundreds of kilobytes, so answers
//! are remembered in a small memo file in commitguard's cache, keyed by the
//! cache file's size and modification time: a warm run only stats them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

/// The crates.io index caches found under a cargo home.
#[derive(Debug)]
pub struct YankedIndex {
    caches: Vec<PathBuf>,
    memo_path: Option<PathBuf>,
    memo: RefCell<Memo>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Memo {
    /// Cache file path → its size and time, and the answers read from it.
    files: HashMap<PathBuf, Remembered>,
    #[serde(skip)]
    changed: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Remembered {
    len: u64,
    mtime: u64,
    /// Version → yanked; `None` when the file does not list the version.
    answers: HashMap<String, Option<bool>>,
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
    ///
    /// Answers are remembered in `memo` (a file in commitguard's cache)
    /// when given; see [`YankedIndex::save`].
    pub fn open(cargo_home: &Path, memo: Option<PathBuf>) -> Option<YankedIndex> {
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
        if caches.is_empty() {
            return None;
        }
        let loaded = memo.as_deref().and_then(|p| std::fs::read(p).ok()).and_then(|b| serde_json::from_slice(&b).ok());
        Some(YankedIndex { caches, memo_path: memo, memo: RefCell::new(loaded.unwrap_or_default()) })
    }

    /// Writes the memo back when it learned something. Failing to write it
    /// only costs speed, so errors are logged, not returned.
    pub fn save(&self) {
        let memo = self.memo.borrow();
        let Some(path) = self.memo_path.as_deref().filter(|_| memo.changed) else { return };
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))?;
            let temp = path.with_extension(format!("tmp{}", std::process::id()));
            std::fs::write(&temp, serde_json::to_vec(&*memo).map_err(std::io::Error::other)?)?;
            std::fs::rename(&temp, path)
        };
        if let Err(e) = write() {
            log::debug!("{}: yanked memo not stored: {e}", path.display());
        }
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
        self.caches.iter().find_map(|cache| self.ask(&cache.join(&rel), version))
    }

    fn ask(&self, file: &Path, version: &str) -> Option<bool> {
        let meta = std::fs::metadata(file).ok()?;
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos() as u64;
        let mut memo = self.memo.borrow_mut();
        if let Some(known) = memo.files.get(file).filter(|r| r.len == meta.len() && r.mtime == mtime) {
            if let Some(answer) = known.answers.get(version) {
                return *answer;
            }
        }
        let answer = std::fs::read(file).ok().and_then(|b| lookup(&b, version));
        let slot = memo.files.entry(file.to_path_buf()).or_default();
        if slot.len != meta.len() || slot.mtime != mtime {
            *slot = Remembered { len: meta.len(), mtime, answers: HashMap::new() };
        }
        slot.answers.insert(version.to_owned(), answer);
        memo.changed = true;
        answer
    }
}

/// Where the index keeps a crate: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd…`.
fn relative_path(name: &str) -> PathBuf {
    // crates.io names are ASCII; anything else cannot be in its index (and
    // would not slice on byte boundaries below).
    if !name.is_ascii() || name.is_empty() {
        return PathBuf::from("-");
    }
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
        assert!(YankedIndex::open(home.path(), None).is_none());
        write_cache(home.path(), "Demo-Crate", &[("0.1.0", false), ("0.1.1", true)]);
        write_cache(home.path(), "abc", &[("1.0.0", true)]);
        let memo = home.path().join("memo/yanked.json");
        let index = YankedIndex::open(home.path(), Some(memo.clone())).unwrap();
        assert_eq!(index.is_yanked("Demo-Crate", "0.1.1"), Some(true));
        assert_eq!(index.is_yanked("demo-crate", "0.1.0"), Some(false));
        assert_eq!(index.is_yanked("demo-crate", "0.2.0"), None);
        assert_eq!(index.is_yanked("abc", "1.0.0"), Some(true));
        assert_eq!(index.is_yanked("nope", "1.0.0"), None);
        assert_eq!(index.is_yanked("é-crate", "1.0.0"), None);
        index.save();

        // The memo answers while the cache file is unchanged, and is
        // dropped for a file that changed.
        let again = YankedIndex::open(home.path(), Some(memo.clone())).unwrap();
        assert_eq!(again.memo.borrow().files.len(), 2);
        assert_eq!(again.is_yanked("demo-crate", "0.1.1"), Some(true));
        assert!(!again.memo.borrow().changed);
        write_cache(home.path(), "Demo-Crate", &[("0.1.0", false), ("0.1.1", false), ("0.1.2", true)]);
        assert_eq!(again.is_yanked("demo-crate", "0.1.1"), Some(false));
        assert_eq!(again.is_yanked("demo-crate", "0.1.2"), Some(true));
    }
}
