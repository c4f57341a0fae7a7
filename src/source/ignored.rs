//! `.commitguardignore` for paths that do not come from a tree walk: the
//! staged diff, file arguments (what the pre-commit framework passes) and
//! history. A walk reads these files itself, as it reads `.gitignore`.
//!
//! The files are those of the work tree, read the first time a path below
//! their folder is asked about. A path is ignored as a walk would ignore it:
//! when it, or a folder it is in, is ignored, and for each the deepest file
//! that has a say decides (a `!pattern` there takes back an ignore above).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::Gitignore;
use ignore::Match;

use crate::source::walk::IGNORE_FILE;

/// The `.commitguardignore` files of one work tree.
#[derive(Debug)]
pub struct Ignored {
    root: PathBuf,
    /// By folder (relative, `/`-separated, "" for the root): its file's
    /// patterns, or `None` when it has none.
    folders: Mutex<HashMap<String, Option<Arc<Gitignore>>>>,
}

impl Ignored {
    /// The ignore files under `root`, read as they are needed.
    pub fn new(root: &Path) -> Ignored {
        Ignored { root: root.to_path_buf(), folders: Mutex::default() }
    }

    /// Whether `path` (a file, relative to the root, `/`-separated) is
    /// ignored.
    pub fn is_ignored(&self, path: &str) -> bool {
        self.matches(path, false)
    }

    /// Whether folder `path` (relative to the root, `/`-separated) is
    /// ignored, and with it everything in it.
    pub fn is_ignored_folder(&self, path: &str) -> bool {
        self.matches(path, true)
    }

    fn matches(&self, path: &str, is_folder: bool) -> bool {
        if path.starts_with('/') {
            // Outside the work tree.
            return false;
        }
        // The folders on the way down, then the file itself.
        let mut steps: Vec<&str> = path.match_indices('/').map(|(i, _)| &path[..i]).collect();
        steps.push(path);
        let last = steps.len() - 1;
        for (depth, step) in steps.iter().enumerate() {
            let full = self.root.join(step);
            // The files that have a say: the root's and those of the folders
            // above `step`, deepest first.
            for folder in std::iter::once("").chain(steps[..depth].iter().copied()).rev() {
                let Some(patterns) = self.patterns(folder) else { continue };
                match patterns.matched(&full, depth < last || is_folder) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => break,
                    Match::None => {}
                }
            }
        }
        false
    }

    fn patterns(&self, folder: &str) -> Option<Arc<Gitignore>> {
        let mut folders = self.folders.lock().expect("no thread panicked while reading an ignore file");
        let entry = folders.entry(folder.to_owned()).or_insert_with(|| {
            let file = self.root.join(folder).join(IGNORE_FILE);
            if !file.is_file() {
                return None;
            }
            let (patterns, error) = Gitignore::new(&file);
            if let Some(error) = error {
                log::warn!("{}: {error}", file.display());
            }
            Some(Arc::new(patterns))
        });
        entry.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_ignored_as_a_walk_would_ignore_them() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        std::fs::create_dir_all(dir.join("sub/keep")).unwrap();
        std::fs::create_dir_all(dir.join("logs/kept")).unwrap();
        std::fs::write(dir.join(IGNORE_FILE), "sub/\n*.log\n").unwrap();
        std::fs::write(dir.join("sub/keep").join(IGNORE_FILE), "!wanted.txt\n").unwrap();
        std::fs::write(dir.join("logs/kept").join(IGNORE_FILE), "!keep.log\n").unwrap();
        let ignored = Ignored::new(dir);
        assert!(ignored.is_ignored("sub/a.txt"));
        assert!(ignored.is_ignored("sub/deep/er/b.txt"));
        assert!(ignored.is_ignored("x/trace.log"));
        // A file cannot be taken back from an ignored folder, as in git.
        assert!(ignored.is_ignored("sub/keep/wanted.txt"));
        assert!(!ignored.is_ignored("logs/kept/keep.log"));
        assert!(ignored.is_ignored("logs/kept/other.log"));
        assert!(!ignored.is_ignored("src/main.rs"));
        assert!(!ignored.is_ignored("subway.txt"));
        assert!(ignored.is_ignored_folder("sub") && ignored.is_ignored_folder("sub/keep"));
        assert!(!ignored.is_ignored_folder("logs") && !ignored.is_ignored_folder("subway"));
        // The same verdicts as the tree walk's.
        let files = ["sub/a.txt", "sub/keep/wanted.txt", "logs/kept/keep.log", "logs/kept/other.log", "logs/x.txt"];
        for file in files {
            std::fs::write(dir.join(file), "").unwrap();
        }
        let walked = crate::source::files::find(dir, |_| true);
        for file in files {
            assert_eq!(ignored.is_ignored(file), !walked.contains(&dir.join(file)), "{file}");
        }
    }
}
