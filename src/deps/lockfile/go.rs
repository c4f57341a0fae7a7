//! `go.sum`: one line per module version (and one for its `go.mod`).
//!
//! # Limitations
//!
//! go.sum can list module versions that the build no longer selects (it
//! keeps checksums of versions it once needed), so a version reported from
//! go.sum may be one that `go list -m all` would not show.

use std::collections::HashSet;

use super::{Package, Source};
use crate::deps::Error;

pub(super) fn parse(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [module, version, hash] = fields[..] else {
            return Err(Error::new(path, Some(i as u32 + 1), "expected `module version hash`"));
        };
        if !hash.starts_with("h1:") || !version.starts_with('v') {
            return Err(Error::new(path, Some(i as u32 + 1), "expected `module vVERSION h1:HASH`"));
        }
        let version = version.strip_suffix("/go.mod").unwrap_or(version);
        if seen.insert((module, version)) {
            out.push(Package {
                name: module.to_owned(),
                version: version.to_owned(),
                source: Source::Unknown,
                line: i as u32 + 1,
                dependencies: Vec::new(),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_once_each() {
        let text = "golang.org/x/text v0.3.0 h1:abc=\ngolang.org/x/text v0.3.0/go.mod h1:def=\n\
                    github.com/gin-gonic/gin v1.6.0/go.mod h1:x=\n";
        let got: Vec<(String, String, u32)> =
            parse("go.sum", text).unwrap().into_iter().map(|p| (p.name, p.version, p.line)).collect();
        assert_eq!(
            got,
            [("golang.org/x/text".into(), "v0.3.0".into(), 1), ("github.com/gin-gonic/gin".into(), "v1.6.0".into(), 3)]
        );
        assert_eq!(parse("go.sum", "ok v1.0.0 h1:x\nbroken line\n").unwrap_err().line, Some(2));
    }
}
