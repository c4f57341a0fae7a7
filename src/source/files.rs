//! File lists: every file under a root that git does not ignore and whose
//! name a check asks for (the lockfiles for `deps`).

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::source::walk::IGNORE_FILE;

/// Files under `root` (honouring `.gitignore`, `.ignore` and
/// `.commitguardignore`, hidden folders skipped) for which `wanted` holds,
/// sorted.
pub fn find(root: &Path, wanted: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = WalkBuilder::new(root)
        .add_custom_ignore_filename(IGNORE_FILE)
        .require_git(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && wanted(e.path()))
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}
