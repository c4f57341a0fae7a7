//! What every lockfile target checks: parsing arbitrary text either fails
//! with an error naming the file or yields packages whose line numbers lie
//! in the file and whose dependency edges point at packages; versions then
//! parse and compare without panicking, and `retain` keeps the graph sound.

use commitguard::deps::lockfile::{parse, Format};
use commitguard::deps::version::Version;

pub fn check(format: Format, path: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut lock = match parse(format, path, text) {
        Ok(lock) => lock,
        Err(e) => {
            assert!(e.to_string().contains(path), "error {e} does not name {path}");
            return;
        }
    };
    let lines = text.lines().count().max(1) as u32;
    let count = lock.packages.len();
    let mut previous: Option<Version> = None;
    for package in &lock.packages {
        assert!(package.line >= 1 && package.line <= lines, "{} on line {} of {lines}", package.name, package.line);
        assert!(package.dependencies.iter().all(|&d| d < count), "{}: dependency out of range", package.name);
        let version = Version::parse(lock.ecosystem, &package.version);
        if let (Some(a), Some(b)) = (&version, &previous) {
            let _ = a.compare(b);
        }
        if version.is_some() {
            previous = version;
        }
    }
    lock.retain(|p| p.line % 2 == 1);
    let count = lock.packages.len();
    assert!(lock.packages.iter().all(|p| p.dependencies.iter().all(|&d| d < count)));
}
