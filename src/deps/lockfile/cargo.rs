//! `Cargo.lock`, read with the `cargo-lock` crate. That crate does not keep
//! positions, so the line of each `[[package]]` entry comes from a scan of
//! the text.

use std::collections::HashMap;
use std::str::FromStr;

use cargo_lock::package::SourceKind;

use super::{line_in_message, toml_entry_lines, Package, Source};
use crate::deps::Error;

pub(super) fn parse(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    check_checksums(path, text)?;
    let lock = cargo_lock::Lockfile::from_str(text).map_err(|e| {
        let message = e.to_string();
        Error::new(path, line_in_message(&message), format!("not a valid Cargo.lock: {}", summary(&message)))
    })?;
    let lines = toml_entry_lines(text);
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in lock.packages.iter().enumerate() {
        by_name.entry(p.name.as_str()).or_default().push(i);
    }
    let packages = lock
        .packages
        .iter()
        .map(|p| {
            let version = p.version.to_string();
            let dependencies = p
                .dependencies
                .iter()
                .filter_map(|d| {
                    let candidates = by_name.get(d.name.as_str())?;
                    candidates.iter().copied().find(|&i| lock.packages[i].version == d.version)
                })
                .collect();
            Package {
                line: lines.get(&(p.name.as_str(), version.as_str())).copied().unwrap_or(1),
                name: p.name.as_str().to_owned(),
                version,
                source: source(p.source.as_ref()),
                dependencies,
            }
        })
        .collect();
    Ok(packages)
}

/// Rejects checksums that are not ASCII before `cargo-lock` sees them: it
/// slices a 64-byte checksum two bytes at a time and panics when a slice
/// falls inside a multi-byte character (found by fuzzing).
fn check_checksums(path: &str, text: &str) -> Result<(), Error> {
    for (number, line) in text.lines().enumerate() {
        if !line.contains("checksum") || line.is_ascii() {
            continue;
        }
        let quoted = line.split('"').skip(1).step_by(2);
        if quoted.into_iter().any(|value| value.len() == 64 && !value.is_ascii()) {
            let line = u32::try_from(number + 1).unwrap_or(u32::MAX);
            return Err(Error::new(path, Some(line), "not a valid Cargo.lock: a checksum is not 64 hex digits"));
        }
    }
    Ok(())
}

fn source(id: Option<&cargo_lock::SourceId>) -> Source {
    let Some(id) = id else { return Source::Path };
    let mut url = id.url().clone();
    url.set_query(None);
    url.set_fragment(None);
    match id.kind() {
        SourceKind::Git(_) => Source::Git(url.to_string()),
        SourceKind::Path | SourceKind::LocalRegistry | SourceKind::Directory => Source::Path,
        _ => Source::Registry(url.to_string()),
    }
}

/// The first line of a TOML error (where) and its last (why); the lines
/// between quote the file with a caret under the column.
fn summary(message: &str) -> String {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or(message.trim());
    match lines.next_back() {
        Some(why) if !why.contains('|') && !why.starts_with('^') => format!("{first}: {why}"),
        _ => first.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_non_ascii_checksum_is_an_error_not_a_panic() {
        // 62 ASCII bytes and one two-byte character: 64 bytes, which the
        // cargo-lock crate sliced inside the character.
        let checksum = format!("{}é", "a".repeat(62));
        let text = format!(
            "version = 3\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{checksum}\"\n"
        );
        let err = parse("Cargo.lock", &text).unwrap_err();
        assert_eq!(err.line, Some(7), "{err}");
        assert!(err.to_string().contains("checksum"), "{err}");
    }

    const LOCK: &str = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "smallvec",
 "time 0.1.45",
]

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "fe0f37c9e8f3c5a4a66ad655a93c74daac4ad00c441533bf5c6e7990bb42604e"

[[package]]
name = "time"
version = "0.1.45"
source = "git+https://github.com/time-rs/time?rev=abc#abc"
"#;

    #[test]
    fn packages_lines_sources_and_graph() {
        let packages = parse("Cargo.lock", LOCK).unwrap();
        assert_eq!(packages.len(), 3);
        assert_eq!((packages[0].name.as_str(), packages[0].line), ("app", 3));
        assert_eq!(packages[0].source, Source::Path);
        assert_eq!(packages[0].dependencies, vec![1, 2]);
        assert_eq!(packages[1].line, 11);
        assert_eq!(packages[1].source, Source::Registry("https://github.com/rust-lang/crates.io-index".into()));
        assert_eq!(packages[2].source, Source::Git("https://github.com/time-rs/time".into()));
    }

    #[test]
    fn malformed_names_the_line() {
        let err = parse("sub/Cargo.lock", "version = 3\n\n[[package]]\nname = \"x\"\nversion = \n").unwrap_err();
        assert_eq!(err.path, "sub/Cargo.lock");
        assert_eq!(err.line, Some(5), "{err}");
    }

    #[test]
    fn truncated_lockfile_says_where_and_why() {
        let err = parse("Cargo.lock", "version = 3\n\n[[package]]\nname = \"ab").unwrap_err();
        assert_eq!(err.line, Some(4), "{err}");
        assert!(err.message.starts_with("not a valid Cargo.lock: "), "{err}");
        assert!(!err.message.contains('|') && !err.message.contains('\n'), "{err}");
        assert!(err.message.contains("string"), "the reason is kept: {err}");
    }
}
