//! Whole trees and single files from disk.
//!
//! [`walk`] runs the `ignore` crate's parallel walker (honouring
//! `.gitignore`, `.ignore` and `.commitguardignore`) and hands each readable
//! text file to a per-thread visitor with a reused read buffer. [`read_file`]
//! reads one path the same way, for file arguments.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use ignore::{WalkBuilder, WalkState};

use crate::source::{is_binary, SkipReason, Skipped};

/// The ignore file of commitguard's own, beside `.gitignore`.
pub const IGNORE_FILE: &str = ".commitguardignore";

/// How files are chosen and read.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// Files larger than this many bytes are skipped.
    pub max_size: u64,
    /// Whether binary-looking files are scanned anyway.
    pub binary: bool,
    /// Worker threads; 0 picks one per core.
    pub threads: usize,
}

impl Default for WalkOptions {
    fn default() -> WalkOptions {
        WalkOptions { max_size: 10 << 20, binary: false, threads: 0 }
    }
}

/// What the walker hands a visitor.
#[derive(Debug)]
pub enum Event<'a> {
    /// A file to scan: its display path and content.
    File {
        /// Path relative to the walk's base, `/`-separated.
        path: &'a str,
        /// The content.
        bytes: &'a [u8],
    },
    /// A path passed over.
    Skipped(Skipped),
}

/// File extensions that are binary whatever their first bytes say.
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "zip", "gz", "tgz", "bz2", "xz", "zst",
    "7z", "rar", "jar", "war", "class", "exe", "dll", "so", "dylib", "a", "o", "obj", "lib", "pdf", "woff", "woff2",
    "ttf", "otf", "eot", "mp3", "mp4", "mov", "avi", "wav", "flac", "ogg", "webm", "pyc", "wasm", "bin", "dat",
    "sqlite", "db", "rlib", "rmeta", "pack", "idx",
];

/// Whether the file name has a known binary extension.
pub fn has_binary_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| BINARY_EXTENSIONS.iter().any(|b| b.eq_ignore_ascii_case(e)))
}

/// Walks `roots` in parallel, each file once however the roots overlap.
/// `make_visitor` is called once per worker thread; each visitor receives
/// the files that thread read, with paths relative to `base`.
pub fn walk<F, V>(roots: &[PathBuf], base: &Path, options: &WalkOptions, make_visitor: F)
where
    F: Fn() -> V + Sync,
    V: FnMut(Event<'_>) + Send,
{
    let roots = distinct(roots);
    let base = &base.canonicalize().unwrap_or_else(|_| base.to_path_buf());
    let Some((first, rest)) = roots.split_first() else { return };
    let mut builder = WalkBuilder::new(first);
    for root in rest {
        builder.add(root);
    }
    builder
        .hidden(false)
        .parents(true)
        // Inside a repository, the .gitignore files of folders above it
        // (a home folder's `*`, say) are not its own; outside one, a folder
        // tree's .gitignore files still apply.
        .require_git(base.join(".git").exists())
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|e| e.file_name() != ".git")
        .threads(options.threads);
    builder.build_parallel().run(|| {
        let mut visit = make_visitor();
        let mut buffer = Vec::new();
        Box::new(move |entry| {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                    if is_dir {
                        return WalkState::Continue;
                    }
                    let path = display_path(entry.path(), base);
                    if !is_file {
                        visit(Event::Skipped(Skipped { path, reason: SkipReason::NotAFile }));
                        return WalkState::Continue;
                    }
                    match read_into(entry.path(), options, &mut buffer) {
                        Ok(()) => visit(Event::File { path: &path, bytes: &buffer }),
                        Err(reason) => visit(Event::Skipped(Skipped { path, reason })),
                    }
                }
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => display_path(path, base),
                        _ => String::new(),
                    };
                    visit(Event::Skipped(Skipped { path, reason: SkipReason::Unreadable(err.to_string()) }));
                }
            }
            WalkState::Continue
        })
    });
}

/// `roots` resolved, without the ones that are, or lie inside, another:
/// `a.txt ./a.txt` or `src src/lib.rs` would otherwise read a file twice.
fn distinct(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut resolved: Vec<PathBuf> = roots.iter().map(|r| r.canonicalize().unwrap_or_else(|_| r.clone())).collect();
    // In component order a folder comes right before everything inside it.
    resolved.sort();
    let mut out: Vec<PathBuf> = Vec::with_capacity(resolved.len());
    for root in resolved {
        if !out.last().is_some_and(|kept| root.starts_with(kept)) {
            out.push(root);
        }
    }
    out
}

/// Reads one regular file (not following a symlink) into `buffer`.
///
/// # Errors
///
/// The reason the file is passed over: not a regular file, too large,
/// binary, or unreadable.
pub fn read_file(path: &Path, options: &WalkOptions, buffer: &mut Vec<u8>) -> Result<(), SkipReason> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    if !meta.file_type().is_file() {
        return Err(SkipReason::NotAFile);
    }
    if meta.len() > options.max_size {
        return Err(SkipReason::TooLarge(meta.len()));
    }
    read_into(path, options, buffer)
}

fn read_into(path: &Path, options: &WalkOptions, buffer: &mut Vec<u8>) -> Result<(), SkipReason> {
    if !options.binary && has_binary_extension(path) {
        return Err(SkipReason::Binary);
    }
    let mut file = File::open(path).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    buffer.clear();
    // No stat call first: one syscall per file less, and a file over the
    // limit is found out by reading one byte past it.
    (&mut file).take(options.max_size + 1).read_to_end(buffer).map_err(|e| SkipReason::Unreadable(e.to_string()))?;
    if buffer.len() as u64 > options.max_size {
        let len = file.metadata().map_or(buffer.len() as u64, |m| m.len());
        return Err(SkipReason::TooLarge(len));
    }
    if !options.binary && is_binary(buffer) {
        return Err(SkipReason::Binary);
    }
    Ok(())
}

/// `path` relative to `base` with `/` separators (as given when outside it).
pub fn display_path(path: &Path, base: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let relative = relative.strip_prefix(".").unwrap_or(relative);
    let mut out = String::new();
    for part in relative.components() {
        // The root ("/") already ends with the separator.
        if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(&part.as_os_str().to_string_lossy());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_roots_are_walked_once() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        std::fs::create_dir_all(dir.join("src/deep")).unwrap();
        std::fs::write(dir.join("src/deep/a.rs"), "").unwrap();
        std::fs::write(dir.join("b.rs"), "").unwrap();
        let roots =
            [dir.join("src/deep/a.rs"), dir.join("b.rs"), dir.join("src"), dir.join("./b.rs"), dir.join("src/deep")];
        let kept = distinct(&roots);
        let dir = dir.canonicalize().unwrap();
        assert_eq!(kept, [dir.join("b.rs"), dir.join("src")]);
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_path(Path::new("/repo/src/a.rs"), Path::new("/repo")), "src/a.rs");
        assert_eq!(display_path(Path::new("/tmp/x.txt"), Path::new("/repo")), "/tmp/x.txt");
        assert_eq!(display_path(Path::new("./a/b"), Path::new("/repo")), "a/b");
    }
}
