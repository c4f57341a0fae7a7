//! `db update`: fetches advisory databases into the cache, never leaving a
//! half-written one behind.
//!
//! - OSV exports (one zip of JSON records per ecosystem) are downloaded over
//!   HTTPS with `ureq` on rustls into a temporary file, unpacked into a
//!   temporary directory beside the destination, and only then swapped in.
//!   A failed, interrupted or corrupt download leaves the previous database
//!   as it was.
//! - git URLs (deny.toml's `db-urls`) are cloned or fetched with the `git`
//!   command into `advisory-db-<hash>` folders, the layout of cargo-deny's
//!   `db-path`; git2 stays without network features.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::deps::db::UPDATED_MARK;
use crate::deps::{Ecosystem, Error};
use crate::finding::fingerprint;

/// The OSV export of one ecosystem.
pub fn osv_export_url(ecosystem: Ecosystem) -> String {
    format!("https://osv-vulnerabilities.storage.googleapis.com/{}/all.zip", ecosystem.as_str())
}

/// The RustSec advisory database, cargo-deny's default `db-urls`.
pub const RUSTSEC_URL: &str = "https://github.com/rustsec/advisory-db";

/// The folder cargo-deny keeps [`RUSTSEC_URL`] in under its `db-path`.
const RUSTSEC_FOLDER: &str = "advisory-db-3157b0e258782691";

/// How a database URL is fetched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A zip of OSV records over HTTP(S).
    Zip,
    /// A git repository (RustSec layout), cloned with `git`.
    Git,
}

impl Kind {
    /// Zip when the URL names a `.zip`, git otherwise.
    pub fn of(url: &str) -> Kind {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        if path.ends_with(".zip") {
            Kind::Zip
        } else {
            Kind::Git
        }
    }
}

/// The folder a URL's database lives in under `root`: `osv-<ecosystem>`
/// for the OSV exports, `advisory-db-<hash>` for git URLs, `url-<hash>`
/// otherwise.
pub fn destination(root: &Path, url: &str) -> PathBuf {
    let hash = &fingerprint(&[url.trim_end_matches('/').as_bytes()])[..16];
    if let Some(ecosystem) = Ecosystem::ALL.into_iter().find(|e| osv_export_url(*e) == url) {
        return root.join(format!("osv-{}", ecosystem.as_str()));
    }
    let bare = url.trim_end_matches('/').trim_end_matches(".git").to_ascii_lowercase();
    if bare == RUSTSEC_URL {
        // The same folder as cargo-deny's, so either tool updates the
        // other's checkout. Other URLs get a hash of commitguard's own.
        return root.join(RUSTSEC_FOLDER);
    }
    match Kind::of(url) {
        Kind::Git => root.join(format!("advisory-db-{hash}")),
        Kind::Zip => root.join(format!("url-{hash}")),
    }
}

/// Downloads the zip at `url` and replaces `dest` with its records.
/// Returns how many record files it holds.
///
/// # Errors
///
/// When the download fails or is cut short, the archive is not a zip, or
/// the files cannot be written; `dest` is then left as it was.
pub fn update_zip(url: &str, dest: &Path) -> Result<usize, Error> {
    let parent = dest.parent().expect("destination has a parent");
    fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let pid = std::process::id();
    let download = parent.join(format!(".download-{pid}.zip"));
    let staging = parent.join(format!(".staging-{pid}"));
    let result = fetch(url, &download).and_then(|()| unpack(url, &download, &staging));
    let _ = fs::remove_file(&download);
    let count = match result {
        Ok(count) => count,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    fs::write(staging.join(UPDATED_MARK), format!("{url}\n")).map_err(|e| io_error(&staging, e))?;
    swap(&staging, dest)?;
    Ok(count)
}

fn io_error(path: &Path, e: io::Error) -> Error {
    Error::new(path.display().to_string(), None, e.to_string())
}

fn fetch(url: &str, to: &Path) -> Result<(), Error> {
    let failed = |e: &dyn std::fmt::Display| Error::new(url, None, format!("download failed: {e}"));
    let mut response = ureq::get(url).call().map_err(|e| failed(&e))?;
    let expected = response.body().content_length();
    let mut reader = response.body_mut().as_reader();
    let mut file = fs::File::create(to).map_err(|e| io_error(to, e))?;
    let written = io::copy(&mut reader, &mut file).map_err(|e| failed(&e))?;
    file.flush().map_err(|e| io_error(to, e))?;
    match expected {
        Some(len) if len != written => Err(failed(&format!("got {written} of {len} bytes"))),
        _ => Ok(()),
    }
}

fn unpack(url: &str, archive: &Path, staging: &Path) -> Result<usize, Error> {
    let corrupt = |e: &dyn std::fmt::Display| Error::new(url, None, format!("not a usable zip archive: {e}"));
    let file = fs::File::open(archive).map_err(|e| io_error(archive, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| corrupt(&e))?;
    let _ = fs::remove_dir_all(staging);
    fs::create_dir_all(staging).map_err(|e| io_error(staging, e))?;
    let mut count = 0;
    let mut buffer = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| corrupt(&e))?;
        // enclosed_name refuses absolute paths and `..`.
        let Some(name) = entry.enclosed_name() else { continue };
        let wanted = name.extension().is_some_and(|e| e == "json" || e == "yaml" || e == "yml" || e == "md");
        if entry.is_dir() || !wanted {
            continue;
        }
        buffer.clear();
        entry.read_to_end(&mut buffer).map_err(|e| corrupt(&e))?;
        let path = staging.join(name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        }
        fs::write(&path, &buffer).map_err(|e| io_error(&path, e))?;
        count += 1;
    }
    if count == 0 {
        return Err(corrupt(&"it holds no advisory records"));
    }
    Ok(count)
}

/// Puts `staging` in the place of `dest`: the old one is moved aside first
/// and removed only once the new one is in place.
fn swap(staging: &Path, dest: &Path) -> Result<(), Error> {
    let old = dest.with_extension(format!("old-{}", std::process::id()));
    let had_old = dest.exists();
    if had_old {
        if let Err(e) = fs::rename(dest, &old) {
            let _ = fs::remove_dir_all(staging);
            return Err(io_error(dest, e));
        }
    }
    if let Err(e) = fs::rename(staging, dest) {
        // Another update may have put its copy in place meanwhile; either
        // way this one's staging copy goes.
        if had_old && !dest.exists() {
            let _ = fs::rename(&old, dest);
        }
        let _ = fs::remove_dir_all(staging);
        let _ = fs::remove_dir_all(&old);
        return Err(io_error(dest, e));
    }
    if had_old {
        let _ = fs::remove_dir_all(&old);
    }
    Ok(())
}

/// Clones `url` into `dest`, or fetches it there when `dest` is already a
/// checkout, with the `git` command.
///
/// # Errors
///
/// When `git` cannot be run or fails; a failed fetch leaves the checkout
/// as it was.
pub fn update_git(url: &str, dest: &Path) -> Result<(), Error> {
    if dest.join(".git").is_dir() {
        git(url, Some(dest), &["fetch", "--quiet", "--depth", "1", "origin", "HEAD"])?;
        return git(url, Some(dest), &["reset", "--quiet", "--hard", "FETCH_HEAD"]);
    }
    let parent = dest.parent().expect("destination has a parent");
    fs::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
    let staging = parent.join(format!(".clone-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    let staging_arg = staging.to_string_lossy().into_owned();
    if let Err(e) = git(url, None, &["clone", "--quiet", "--depth", "1", url, &staging_arg]) {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap(&staging, dest)
}

fn git(url: &str, dir: Option<&Path>, args: &[&str]) -> Result<(), Error> {
    let mut command = Command::new("git");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| Error::new(url, None, format!("cannot run git: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let message = String::from_utf8_lossy(&output.stderr);
    let first = message.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed");
    Err(Error::new(url, None, format!("git {}: {}", args[0], first.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_destinations() {
        assert_eq!(Kind::of("https://example.com/x/all.zip"), Kind::Zip);
        assert_eq!(Kind::of("https://github.com/rustsec/advisory-db"), Kind::Git);
        let root = Path::new("/c");
        assert_eq!(destination(root, &osv_export_url(Ecosystem::PyPI)), root.join("osv-PyPI"));
        let git = destination(root, "https://example.com/advisories.git");
        assert!(git.file_name().unwrap().to_string_lossy().starts_with("advisory-db-"));
        assert_eq!(git, destination(root, "https://example.com/advisories.git/"));
        assert_eq!(destination(root, "https://github.com/RustSec/advisory-db.git"), root.join(RUSTSEC_FOLDER));
    }
}
