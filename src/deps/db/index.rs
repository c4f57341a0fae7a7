//! The compact index of one advisory database, and opening a database
//! through it.
//!
//! The index is one file: a JSON header line (the database's path, a stamp
//! of its content, and the byte range of each package's advisories) and a
//! body of per-package JSON arrays. A check reads the file, parses the
//! header, and decodes only the arrays of the packages it looks up, which
//! is what makes a warm run cheap.
//!
//! The index lives in `<cache>/index/`, named after a hash of the
//! database's canonical path, and is rebuilt when the stamp (every
//! advisory file's relative path, size and modification time) changes. It
//! is written to a temporary file and renamed into place, so two processes
//! building it at once each leave a whole file. The database directory
//! itself is only read, so a read-only database works; without a writable
//! cache the index is built in memory for the run.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::{osv, rustsec, Advisory, Layout};
use crate::deps::{Ecosystem, Error};
use crate::finding::fingerprint;

/// Bumped whenever the index layout or the [`Advisory`] shape changes.
const FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    path: String,
    stamp: String,
    ecosystems: Vec<Ecosystem>,
    /// `ecosystem/normalized-name` → (offset, length) in the body.
    entries: HashMap<String, (usize, usize)>,
    /// Advisory files that could not be read, with the reason.
    warnings: Vec<String>,
    advisories: usize,
}

/// An opened advisory database.
pub struct Database {
    path: PathBuf,
    header: Header,
    body: Vec<u8>,
}

impl Database {
    /// Opens the database at `path`, through its index in `cache` when
    /// there is one that is current, else by reading every advisory file
    /// (and storing a new index in `cache`, when given and writable).
    ///
    /// # Errors
    ///
    /// When `path` is not a readable directory.
    pub fn open(path: &Path, layout: Layout, cache: Option<&Path>) -> Result<Database, Error> {
        let shown = path.display().to_string();
        if !path.is_dir() {
            return Err(Error::new(shown, None, "advisory database not found (not a directory)"));
        }
        let files = match layout {
            Layout::RustSec => rustsec::files(path),
            Layout::Osv => osv::files(path),
        };
        let stamp = stamp(path, &files);
        let index_path = cache.map(|c| index_path(c, path));
        if let Some(db) = index_path.as_deref().and_then(|p| read_index(p, &stamp)) {
            log::debug!("{shown}: index is current, {} advisories", db.header.advisories);
            return Ok(Database { path: path.to_path_buf(), ..db });
        }
        log::debug!("{shown}: building the index from {} files", files.len());
        let db = build(path, layout, &files, stamp);
        if let Some(index_path) = index_path {
            if let Err(e) = write_index(&index_path, &db) {
                log::debug!("{}: index not stored: {e}", index_path.display());
            }
        }
        Ok(db)
    }

    /// The directory this database was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ecosystems it has advisories for.
    pub fn ecosystems(&self) -> &[Ecosystem] {
        &self.header.ecosystems
    }

    /// Advisory files that were skipped, each with the reason.
    pub fn warnings(&self) -> &[String] {
        &self.header.warnings
    }

    /// How many advisories it holds (per affected package).
    pub fn len(&self) -> usize {
        self.header.advisories
    }

    /// Whether it holds no advisory.
    pub fn is_empty(&self) -> bool {
        self.header.advisories == 0
    }

    /// The advisories for package `name` of `ecosystem`.
    pub fn advisories(&self, ecosystem: Ecosystem, name: &str) -> Vec<Advisory> {
        let Some(&(offset, len)) = self.header.entries.get(&key(ecosystem, name)) else {
            return Vec::new();
        };
        let bytes = self.body.get(offset..offset + len).unwrap_or_default();
        serde_json::from_slice(bytes).unwrap_or_else(|e| {
            log::warn!("{}: index entry for {name} unreadable: {e}", self.path.display());
            Vec::new()
        })
    }
}

fn key(ecosystem: Ecosystem, name: &str) -> String {
    format!("{}/{}", ecosystem.as_str(), ecosystem.normalize(name))
}

fn index_path(cache: &Path, db: &Path) -> PathBuf {
    let canonical = db.canonicalize().unwrap_or_else(|_| db.to_path_buf());
    let hash = fingerprint(&[canonical.to_string_lossy().as_bytes()]);
    cache.join("index").join(format!("{}.idx", &hash[..24]))
}

/// A hash of every file's relative path, size and modification time.
fn stamp(root: &Path, files: &[PathBuf]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(root).unwrap_or(f).to_string_lossy();
            let (len, nanos) = fs::metadata(f)
                .map(|m| {
                    let nanos =
                        m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
                    (m.len(), nanos)
                })
                .unwrap_or((0, 0));
            format!("{rel}\0{len}\0{nanos}")
        })
        .collect();
    lines.sort_unstable();
    fingerprint(&[lines.join("\n").as_bytes()])
}

fn build(path: &Path, layout: Layout, files: &[PathBuf], stamp: String) -> Database {
    let mut grouped: BTreeMap<String, Vec<Advisory>> = BTreeMap::new();
    let mut ecosystems = Vec::new();
    let mut warnings = Vec::new();
    let mut advisories = 0;
    for file in files {
        let text = match fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                warnings.push(format!("{}: skipped: {e}", file.display()));
                continue;
            }
        };
        let converted = match layout {
            Layout::RustSec => {
                rustsec::convert(&text).map(|o| o.map(|(n, a)| (Ecosystem::Cargo, n, a)).into_iter().collect())
            }
            Layout::Osv => osv::convert(&text, file.extension().is_none_or(|e| e != "json")),
        };
        match converted {
            Ok(list) => {
                for (ecosystem, name, advisory) in list {
                    if !ecosystems.contains(&ecosystem) {
                        ecosystems.push(ecosystem);
                    }
                    advisories += 1;
                    grouped.entry(key(ecosystem, &name)).or_default().push(advisory);
                }
            }
            Err(e) => warnings.push(format!("{}: skipped malformed advisory: {}", file.display(), first_line(&e))),
        }
    }
    ecosystems.sort();
    let mut body = Vec::new();
    let mut entries = HashMap::with_capacity(grouped.len());
    for (key, list) in grouped {
        let start = body.len();
        serde_json::to_writer(&mut body, &list).expect("advisories serialise");
        entries.insert(key, (start, body.len() - start));
    }
    let header =
        Header { format: FORMAT, path: path.display().to_string(), stamp, ecosystems, entries, warnings, advisories };
    Database { path: path.to_path_buf(), header, body }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn read_index(path: &Path, stamp: &str) -> Option<Database> {
    let mut bytes = fs::read(path).ok()?;
    let newline = memchr::memchr(b'\n', &bytes)?;
    let header: Header = serde_json::from_slice(&bytes[..newline]).ok()?;
    if header.format != FORMAT || header.stamp != stamp {
        return None;
    }
    bytes.drain(..=newline);
    Some(Database { path: PathBuf::from(&header.path), header, body: bytes })
}

fn write_index(path: &Path, db: &Database) -> std::io::Result<()> {
    let dir = path.parent().expect("index path has a parent");
    fs::create_dir_all(dir)?;
    let mut bytes = serde_json::to_vec(&db.header).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&db.body);
    let temp =
        dir.join(format!(".{}.{}.tmp", path.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    fs::write(&temp, &bytes)?;
    fs::rename(&temp, path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn rustsec_text(id: &str, package: &str) -> String {
        format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"2021-01-01\"\n\n\
             [versions]\npatched = [\">= 1.0.0\"]\n```\n\n# {id}\n"
        )
    }

    #[test]
    fn index_is_built_reused_and_rebuilt_on_change() {
        let db = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        write(db.path(), "crates/a/RUSTSEC-2021-0001.md", &rustsec_text("RUSTSEC-2021-0001", "a"));
        write(db.path(), "crates/b/RUSTSEC-2021-0002.md", "```toml\nnot an advisory\n```\n");
        let first = Database::open(db.path(), Layout::RustSec, Some(cache.path())).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first.warnings().len(), 1, "{:?}", first.warnings());
        assert!(first.warnings()[0].contains("RUSTSEC-2021-0002.md"));
        let index = index_path(cache.path(), db.path());
        assert!(index.is_file());

        // Reused: a marker put into the stored header comes back.
        let text = fs::read_to_string(&index).unwrap().replacen("\"advisories\":1", "\"advisories\":7", 1);
        fs::write(&index, text).unwrap();
        let second = Database::open(db.path(), Layout::RustSec, Some(cache.path())).unwrap();
        assert_eq!(second.len(), 7);
        assert_eq!(second.advisories(Ecosystem::Cargo, "a")[0].id, "RUSTSEC-2021-0001");

        // A new advisory changes the stamp: rebuilt.
        write(db.path(), "crates/c/RUSTSEC-2021-0003.md", &rustsec_text("RUSTSEC-2021-0003", "c"));
        let third = Database::open(db.path(), Layout::RustSec, Some(cache.path())).unwrap();
        assert_eq!(third.len(), 2);
        assert_eq!(third.advisories(Ecosystem::Cargo, "c").len(), 1);
        assert!(third.advisories(Ecosystem::Cargo, "zzz").is_empty());
    }

    #[test]
    fn unwritable_cache_still_opens() {
        let db = tempfile::tempdir().unwrap();
        write(
            db.path(),
            "x/PYSEC-1.json",
            r#"{"id":"PYSEC-1","affected":[{"package":{"ecosystem":"PyPI","name":"Foo.Bar"}}]}"#,
        );
        let cache = tempfile::tempdir().unwrap();
        let blocked = cache.path().join("file");
        fs::write(&blocked, "").unwrap();
        let opened = Database::open(db.path(), Layout::Osv, Some(&blocked)).unwrap();
        assert_eq!(opened.advisories(Ecosystem::PyPI, "foo-bar").len(), 1);
        assert_eq!(opened.ecosystems(), [Ecosystem::PyPI]);
    }
}
