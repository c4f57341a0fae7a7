//! The compact index of one advisory database, and opening a database
//! through it.
//!
//! The index is one file: a JSON header line and a body of per-package
//! JSON arrays. The header holds the byte range of each package's
//! advisories, together with the size and modification time of the files
//! they came from, and the modification times of the database's folders. A
//! check reads the file, parses the header and decodes only the arrays of
//! the packages it meets, which is what makes a warm run cheap.
//!
//! Staleness is checked where it matters, without walking the whole
//! database on every run (a RustSec checkout has some 900 folders):
//! [`Database::open`] compares the folders that hold other folders (the
//! root, `crates/`), whose times change when a package folder comes or
//! goes; [`Database::refresh`] compares, for the packages about to be
//! checked, their advisory files and folders, which catches edited, added
//! and removed advisories of those packages. Any difference rebuilds the
//! whole index.
//!
//! The index lives in `<cache>/index/`, named after a hash of the
//! database's canonical path. It is written to a temporary file and
//! renamed into place, so two processes building it at once each leave a
//! whole file. The database directory itself is only read, so a read-only
//! database works; without a writable cache the index is built in memory
//! for the run.
//!
//! # Limitations
//!
//! An advisory added to an existing folder is noticed only through the
//! packages already indexed from that folder: for RustSec and PyPA
//! layouts (one folder per package) that is exactly the package concerned.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use super::{osv, rustsec, Advisory, Layout};
use crate::deps::{Ecosystem, Error};
use crate::finding::fingerprint;

/// Bumped whenever the index layout or the [`Advisory`] shape changes.
const FORMAT: u32 = 2;

/// A file or folder as it was when the index was built.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    /// Path relative to the database root, `/`-separated.
    path: String,
    /// Size in bytes (0 for folders).
    len: u64,
    /// Modification time, nanoseconds since the epoch.
    mtime: u64,
}

impl Stamp {
    fn of(root: &Path, rel: &str, is_dir: bool) -> Option<Stamp> {
        let meta = fs::metadata(root.join(rel)).ok()?;
        let mtime = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos() as u64;
        Some(Stamp { path: rel.to_owned(), len: if is_dir { 0 } else { meta.len() }, mtime })
    }

    fn is_current(&self, root: &Path, is_dir: bool) -> bool {
        Stamp::of(root, &self.path, is_dir).as_ref() == Some(self)
    }
}

#[derive(Serialize, Deserialize)]
struct Entry {
    offset: usize,
    len: usize,
    /// Indices into [`Header::files`] of the files it came from.
    files: Vec<u32>,
    /// Indices into [`Header::leaves`] of the folders holding them.
    leaves: Vec<u32>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    path: String,
    ecosystems: Vec<Ecosystem>,
    /// `ecosystem/normalized-name` → its advisories.
    entries: HashMap<String, Entry>,
    /// Every advisory file read.
    files: Vec<Stamp>,
    /// Folders that hold advisory files.
    leaves: Vec<Stamp>,
    /// The root and the folders that hold folders.
    structure: Vec<Stamp>,
    /// Advisory files that could not be read, with the reason.
    warnings: Vec<String>,
    advisories: usize,
}

/// An opened advisory database.
pub struct Database {
    path: PathBuf,
    layout: Layout,
    index_path: Option<PathBuf>,
    header: Header,
    body: Vec<u8>,
}

impl Database {
    /// Opens the database at `path`, through its index in `cache` when
    /// there is one whose folders are unchanged, else by reading every
    /// advisory file (and storing a new index in `cache`, when given and
    /// writable).
    ///
    /// # Errors
    ///
    /// When `path` is not a readable directory.
    pub fn open(path: &Path, layout: Layout, cache: Option<&Path>) -> Result<Database, Error> {
        let shown = path.display().to_string();
        if !path.is_dir() {
            return Err(Error::new(shown, None, "advisory database not found (not a directory)"));
        }
        let index_path = cache.map(|c| index_path(c, path));
        if let Some((header, body)) = index_path.as_deref().and_then(read_index) {
            if header.structure.iter().all(|s| s.is_current(path, true)) {
                log::debug!("{shown}: index is current, {} advisories", header.advisories);
                return Ok(Database { path: path.to_path_buf(), layout, index_path, header, body });
            }
        }
        let mut db =
            Database { path: path.to_path_buf(), layout, index_path, header: empty_header(path), body: Vec::new() };
        db.rebuild();
        Ok(db)
    }

    /// Checks the advisory files of the given packages against the index
    /// and rebuilds it when any changed. Call before looking them up.
    pub fn refresh<'a>(&mut self, packages: impl IntoIterator<Item = (Ecosystem, &'a str)>) {
        let stale = packages.into_iter().any(|(ecosystem, name)| {
            let Some(entry) = self.header.entries.get(&key(ecosystem, name)) else { return false };
            let files = entry.files.iter().map(|&i| (&self.header.files[i as usize], false));
            let leaves = entry.leaves.iter().map(|&i| (&self.header.leaves[i as usize], true));
            files.chain(leaves).any(|(stamp, is_dir)| !stamp.is_current(&self.path, is_dir))
        });
        if stale {
            log::debug!("{}: advisories changed since the index was built", self.path.display());
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        let files = match self.layout {
            Layout::RustSec => rustsec::files(&self.path),
            Layout::Osv => osv::files(&self.path),
        };
        log::debug!("{}: building the index from {} files", self.path.display(), files.len());
        let (header, body) = build(&self.path, self.layout, &files);
        self.header = header;
        self.body = body;
        if let Some(index_path) = &self.index_path {
            if let Err(e) = write_index(index_path, &self.header, &self.body) {
                log::debug!("{}: index not stored: {e}", index_path.display());
            }
        }
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
        let Some(entry) = self.header.entries.get(&key(ecosystem, name)) else {
            return Vec::new();
        };
        let bytes = self.body.get(entry.offset..entry.offset + entry.len).unwrap_or_default();
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

fn empty_header(path: &Path) -> Header {
    Header {
        format: FORMAT,
        path: path.display().to_string(),
        ecosystems: Vec::new(),
        entries: HashMap::new(),
        files: Vec::new(),
        leaves: Vec::new(),
        structure: Vec::new(),
        warnings: Vec::new(),
        advisories: 0,
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn parent_of(rel: &str) -> &str {
    rel.rfind('/').map_or("", |at| &rel[..at])
}

/// Reads and converts every file; groups the advisories by package.
fn build(path: &Path, layout: Layout, files: &[PathBuf]) -> (Header, Vec<u8>) {
    let mut header = empty_header(path);
    let mut grouped: BTreeMap<String, (Vec<Advisory>, BTreeSet<u32>)> = BTreeMap::new();
    for file in files {
        let rel = relative(path, file);
        let Some(stamp) = Stamp::of(path, &rel, false) else { continue };
        let index = header.files.len() as u32;
        header.files.push(stamp);
        let text = match fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                header.warnings.push(format!("{}: skipped: {e}", file.display()));
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
                    if !header.ecosystems.contains(&ecosystem) {
                        header.ecosystems.push(ecosystem);
                    }
                    header.advisories += 1;
                    let slot = grouped.entry(key(ecosystem, &name)).or_default();
                    slot.0.push(advisory);
                    slot.1.insert(index);
                }
            }
            Err(e) => {
                header.warnings.push(format!("{}: skipped malformed advisory: {}", file.display(), first_line(&e)))
            }
        }
    }
    header.ecosystems.sort();
    stamp_folders(path, &mut header);
    let leaf_index: HashMap<&str, u32> =
        header.leaves.iter().enumerate().map(|(i, s)| (s.path.as_str(), i as u32)).collect();
    let mut body = Vec::new();
    for (key, (list, files)) in grouped {
        let start = body.len();
        serde_json::to_writer(&mut body, &list).expect("advisories serialise");
        let mut leaves: Vec<u32> =
            files.iter().filter_map(|&f| leaf_index.get(parent_of(&header.files[f as usize].path)).copied()).collect();
        leaves.dedup();
        let entry = Entry { offset: start, len: body.len() - start, files: files.into_iter().collect(), leaves };
        header.entries.insert(key, entry);
    }
    (header, body)
}

/// Stamps the folders holding files (leaves) and the root with every
/// folder above a leaf (structure).
fn stamp_folders(path: &Path, header: &mut Header) {
    let leaves: BTreeSet<&str> = header.files.iter().map(|f| parent_of(&f.path)).collect();
    let mut structure: BTreeSet<&str> = BTreeSet::from([""]);
    for leaf in &leaves {
        let mut dir = *leaf;
        while !dir.is_empty() {
            dir = parent_of(dir);
            structure.insert(dir);
        }
    }
    let leaves: Vec<Stamp> = leaves.iter().filter_map(|d| Stamp::of(path, d, true)).collect();
    let structure: Vec<Stamp> = structure.iter().filter_map(|d| Stamp::of(path, d, true)).collect();
    header.leaves = leaves;
    header.structure = structure;
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn read_index(path: &Path) -> Option<(Header, Vec<u8>)> {
    let mut bytes = fs::read(path).ok()?;
    let newline = memchr::memchr(b'\n', &bytes)?;
    let header: Header = serde_json::from_slice(&bytes[..newline]).ok()?;
    if header.format != FORMAT {
        return None;
    }
    bytes.drain(..=newline);
    Some((header, bytes))
}

fn write_index(path: &Path, header: &Header, body: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("index path has a parent");
    fs::create_dir_all(dir)?;
    let mut bytes = serde_json::to_vec(header).map_err(std::io::Error::other)?;
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
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

        // An advisory edited in place: the folders are unchanged, so open
        // keeps the index, and refresh notices for the package concerned.
        let text = rustsec_text("RUSTSEC-2021-0001", "a").replace("# RUSTSEC-2021-0001", "# Edited title");
        write(db.path(), "crates/a/RUSTSEC-2021-0001.md", &text);
        let mut edited = Database::open(db.path(), Layout::RustSec, Some(cache.path())).unwrap();
        assert_eq!(edited.len(), 7);
        edited.refresh([(Ecosystem::Cargo, "zzz")]);
        assert_eq!(edited.len(), 7);
        edited.refresh([(Ecosystem::Cargo, "a")]);
        assert_eq!(edited.len(), 1);
        assert_eq!(edited.advisories(Ecosystem::Cargo, "a")[0].title, "Edited title");

        // A new package folder changes `crates/`: rebuilt on open.
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
