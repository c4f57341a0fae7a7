//! npm packages: the `license` fields that `package-lock.json` (lockfile
//! versions 2 and 3) records, falling back to the installed
//! `node_modules/**/package.json` when the lockfile has none.

use std::path::Path;

use serde_json::Value;

use crate::licenses::{Ecosystem, Error, Package};

/// Reads the packages of `lockfile`. Dev packages are left out unless
/// `include_dev`; the root entry is the project itself (a workspace member).
///
/// # Errors
///
/// The file cannot be read, is not JSON, or is a version 1 lockfile (which
/// records no licences).
pub fn packages(lockfile: &Path, include_dev: bool) -> Result<Vec<Package>, Error> {
    let text = std::fs::read_to_string(lockfile).map_err(|e| manifest_error(lockfile, None, e.to_string()))?;
    let lock: Value = serde_json::from_str(&text)
        .map_err(|e| manifest_error(lockfile, u32::try_from(e.line()).ok(), format!("not a package-lock.json: {e}")))?;
    let Some(entries) = lock.get("packages").and_then(Value::as_object) else {
        return Err(manifest_error(
            lockfile,
            None,
            "lockfile version 1 has no `packages` map with licences; run `npm install --lockfile-version 3`",
        ));
    };
    let dir = lockfile.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (key, entry) in entries {
        if entry.get("link").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        if !include_dev && entry.get("dev").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let installed = dir.join(key);
        let name = match entry.get("name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None if key.is_empty() => "(root)".to_owned(),
            None => key.rsplit_once("node_modules/").map_or(key.as_str(), |(_, n)| n).to_owned(),
        };
        // The lockfile records what package.json said at install time; an
        // entry without it sends us to the installed package.json, which is
        // then the finding's path.
        let (license, manifest, line) = match license_of(entry) {
            Some(license) => (Some(license), lockfile.to_path_buf(), Some(line_of_key(&text, key))),
            None => (installed_license(&installed), installed.join("package.json"), None),
        };
        out.push(Package {
            name,
            version: entry.get("version").and_then(Value::as_str).unwrap_or("0.0.0").to_owned(),
            ecosystem: Ecosystem::Npm,
            license,
            license_field: "license",
            license_file: None,
            root: installed.is_dir().then_some(installed),
            manifest,
            line,
            is_member: key.is_empty(),
            publish: (key.is_empty() && entry.get("private").and_then(Value::as_bool) == Some(true)).then(Vec::new),
            source: entry.get("resolved").and_then(Value::as_str).map(str::to_owned),
        });
    }
    Ok(out)
}

/// `"license": "MIT"`, the old `{ "type": "MIT" }`, or `"licenses": [...]`
/// (joined with `OR`, as those lists meant a choice).
fn license_of(value: &Value) -> Option<String> {
    match value.get("license") {
        Some(Value::String(s)) => return Some(s.clone()),
        Some(Value::Object(o)) => return o.get("type").and_then(Value::as_str).map(str::to_owned),
        _ => {}
    }
    let list: Vec<&str> = value
        .get("licenses")?
        .as_array()?
        .iter()
        .filter_map(|l| l.as_str().or_else(|| l.get("type").and_then(Value::as_str)))
        .collect();
    (!list.is_empty()).then(|| list.join(" OR "))
}

fn installed_license(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    license_of(&serde_json::from_str(&text).ok()?)
}

/// The line of `"key": {` in the lockfile text, 1 when not found.
fn line_of_key(text: &str, key: &str) -> u32 {
    let needle = format!("\"{key}\":");
    text.find(&needle).map_or(1, |offset| crate::config::line_of(text, offset))
}

fn manifest_error(path: &Path, line: Option<u32>, message: impl Into<String>) -> Error {
    Error::Manifest { path: path.to_path_buf(), line, message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lockfile_v3_with_fallback_to_node_modules() {
        let dir = tempfile::tempdir().unwrap();
        let lock = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "app", "version": "1.0.0", "license": "ISC" },
    "node_modules/left-pad": { "version": "1.3.0", "license": "WTFPL" },
    "node_modules/old": { "version": "0.1.0", "license": { "type": "MIT" } },
    "node_modules/a/node_modules/nested": { "version": "2.0.0" },
    "node_modules/jest": { "version": "29.0.0", "dev": true, "license": "MIT" }
  }
}"#;
        std::fs::write(dir.path().join("package-lock.json"), lock).unwrap();
        let nested = dir.path().join("node_modules/a/node_modules/nested");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("package.json"), r#"{"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}"#)
            .unwrap();
        let found = packages(&dir.path().join("package-lock.json"), false).unwrap();
        let got: Vec<(&str, Option<&str>, Option<u32>)> =
            found.iter().map(|p| (p.name.as_str(), p.license.as_deref(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("app", Some("ISC"), Some(5)),
                ("nested", Some("MIT OR Apache-2.0"), None),
                ("left-pad", Some("WTFPL"), Some(6)),
                ("old", Some("MIT"), Some(7)),
            ]
        );
        assert!(found[0].is_member);
        assert!(found[1].manifest.ends_with("node_modules/a/node_modules/nested/package.json"));
        assert_eq!(packages(&dir.path().join("package-lock.json"), true).unwrap().len(), 5);
    }

    #[test]
    fn version_1_lockfiles_are_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("package-lock.json");
        std::fs::write(&path, r#"{"lockfileVersion": 1, "dependencies": {}}"#).unwrap();
        assert!(packages(&path, false).unwrap_err().to_string().contains("version 1"));
    }
}
