//! npm lockfiles: `package-lock.json` (v1 nested `dependencies`, v2 and v3
//! flat `packages`), `yarn.lock` (classic and berry) and `pnpm-lock.yaml`
//! (v5, v6 and v9 package keys).

use std::collections::HashSet;

use serde_json::Value;

use super::{quoted_line, Package, Source};
use crate::deps::Error;

const NPM_REGISTRY: &str = "https://registry.npmjs.org";

fn package(name: &str, version: &str, line: u32) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        source: Source::Registry(NPM_REGISTRY.to_owned()),
        line,
        dependencies: Vec::new(),
    }
}

/// `package-lock.json` or `npm-shrinkwrap.json`.
pub(super) fn package_lock(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| Error::new(path, Some(e.line() as u32), format!("not valid JSON: {e}")))?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    if let Some(packages) = root.get("packages").and_then(Value::as_object) {
        for (key, entry) in packages {
            let Some(at) = key.rfind("node_modules/") else { continue };
            let name = &key[at + "node_modules/".len()..];
            if entry.get("link").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let Some(version) = entry.get("version").and_then(Value::as_str) else { continue };
            if seen.insert((name.to_owned(), version.to_owned())) {
                out.push(package(name, version, quoted_line(text, key)));
            }
        }
    } else if let Some(deps) = root.get("dependencies").and_then(Value::as_object) {
        nested(text, deps, &mut seen, &mut out);
    } else if root.get("lockfileVersion").is_none() {
        return Err(Error::new(path, Some(1), "not a package-lock.json: neither `packages` nor `dependencies`"));
    }
    // serde_json's map is sorted by key: back to file order.
    out.sort_by_key(|p| p.line);
    Ok(out)
}

fn nested(
    text: &str,
    deps: &serde_json::Map<String, Value>,
    seen: &mut HashSet<(String, String)>,
    out: &mut Vec<Package>,
) {
    for (name, entry) in deps {
        let version = entry.get("version").and_then(Value::as_str).unwrap_or_default();
        // v1 writes `file:` and git URLs as versions of local and git
        // packages; those are not registry versions.
        let is_registry = !version.contains(':') && !version.contains('/');
        if is_registry && !version.is_empty() && seen.insert((name.clone(), version.to_owned())) {
            out.push(package(name, version, quoted_line(text, name)));
        }
        if let Some(children) = entry.get("dependencies").and_then(Value::as_object) {
            nested(text, children, seen, out);
        }
    }
}

/// `yarn.lock`, classic (`version "1.2.3"`) and berry (`version: 1.2.3`).
pub(super) fn yarn_lock(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut current: Option<(String, u32, bool)> = None;
    for (i, line) in text.lines().enumerate() {
        let number = i as u32 + 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            let Some(header) = line.strip_suffix(':') else {
                return Err(Error::new(path, Some(number), "not a yarn.lock entry header (expected `spec:`)"));
            };
            let first = header.split(", ").next().unwrap_or(header).trim_matches('"');
            let name = spec_name(first);
            let is_workspace = first.contains("@workspace:") || first.contains("@link:") || first.contains("@file:");
            current = (header != "__metadata" && !name.is_empty()).then(|| (name.to_owned(), number, is_workspace));
            continue;
        }
        let trimmed = line.trim();
        let version = trimmed
            .strip_prefix("version ")
            .or_else(|| trimmed.strip_prefix("version: "))
            .map(|v| v.trim().trim_matches('"'));
        if let (Some(version), Some((name, header, false))) = (version, &current) {
            if seen.insert((name.clone(), version.to_owned())) {
                out.push(package(name, version, *header));
            }
        }
    }
    Ok(out)
}

/// The package name of a yarn spec: `lodash@^4`, `@babel/core@npm:^7`.
fn spec_name(spec: &str) -> &str {
    let start = usize::from(spec.starts_with('@'));
    match spec[start..].find('@') {
        Some(at) => &spec[..start + at],
        None => spec,
    }
}

/// `pnpm-lock.yaml`: the keys of `packages`.
pub(super) fn pnpm_lock(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    let root: serde_norway::Value = serde_norway::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line() as u32);
        Error::new(path, line, format!("not valid YAML: {e}"))
    })?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let Some(packages) = root.get("packages").and_then(|p| p.as_mapping()) else { return Ok(out) };
    for key in packages.keys() {
        let Some(key) = key.as_str() else { continue };
        if let Some((name, version)) = pnpm_key(key) {
            if seen.insert((name.to_owned(), version.to_owned())) {
                out.push(package(name, version, quoted_line(text, key)));
            }
        }
    }
    out.sort_by_key(|p| p.line);
    Ok(out)
}

/// `/name/1.2.3_peer` (v5), `/name@1.2.3(peer)` (v6), `name@1.2.3` (v9),
/// with `@scope/` names.
fn pnpm_key(key: &str) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    // v5: `name/version_peers`, where the peers never hold a `/`.
    if let Some(at) = key.rfind('/') {
        let last = &key[at + 1..];
        if last.starts_with(|c: char| c.is_ascii_digit()) {
            let version = last.split('_').next()?;
            return Some((&key[..at], version));
        }
    }
    // v6 and v9: `name@version(peers)`.
    let key = key.split('(').next()?;
    let start = usize::from(key.starts_with('@'));
    let at = key[start..].find('@')? + start;
    let (name, version) = (&key[..at], &key[at + 1..]);
    let is_version = version.starts_with(|c: char| c.is_ascii_digit());
    (is_version && !name.is_empty()).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(packages: &[Package]) -> Vec<(String, String, u32)> {
        packages.iter().map(|p| (p.name.clone(), p.version.clone(), p.line)).collect()
    }

    #[test]
    fn package_lock_v3_and_v1() {
        let v3 = "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\"name\": \"app\"},\n    \
                  \"node_modules/lodash\": {\"version\": \"4.17.20\"},\n    \
                  \"node_modules/a/node_modules/@scope/b\": {\"version\": \"1.0.0\"},\n    \
                  \"node_modules/local\": {\"link\": true}\n  }\n}\n";
        assert_eq!(
            pairs(&package_lock("package-lock.json", v3).unwrap()),
            [("lodash".into(), "4.17.20".into(), 5), ("@scope/b".into(), "1.0.0".into(), 6)]
        );
        let v1 = "{\n\"lockfileVersion\": 1,\n\"dependencies\": {\n\"minimist\": {\"version\": \"1.2.0\",\n\
                  \"dependencies\": {\"deep\": {\"version\": \"2.0.0\"}}},\n\"mine\": {\"version\": \"file:../mine\"}}}\n";
        let got = pairs(&package_lock("package-lock.json", v1).unwrap());
        assert_eq!(got, [("minimist".into(), "1.2.0".into(), 4), ("deep".into(), "2.0.0".into(), 5)]);
        let err = package_lock("web/package-lock.json", "{\n\"packages\": {\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
    }

    #[test]
    fn yarn_classic_and_berry() {
        let classic = "# yarn lockfile v1\n\n\"@babel/core@^7.0.0\", \"@babel/core@^7.1.0\":\n  version \"7.12.3\"\n  \
                       resolved \"https://…\"\n\nlodash@^4.17.0:\n  version \"4.17.20\"\n";
        assert_eq!(
            pairs(&yarn_lock("yarn.lock", classic).unwrap()),
            [("@babel/core".into(), "7.12.3".into(), 3), ("lodash".into(), "4.17.20".into(), 7)]
        );
        let berry = "__metadata:\n  version: 6\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\
                     \"minimist@npm:^1.2.0\":\n  version: 1.2.5\n  resolution: \"minimist@npm:1.2.5\"\n";
        assert_eq!(pairs(&yarn_lock("yarn.lock", berry).unwrap()), [("minimist".into(), "1.2.5".into(), 7)]);
        let err = yarn_lock("yarn.lock", "lodash@^4:\n  version \"1\"\ngarbage\n").unwrap_err();
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn pnpm_keys_of_every_version() {
        assert_eq!(pnpm_key("/lodash/4.17.20"), Some(("lodash", "4.17.20")));
        assert_eq!(pnpm_key("/@babel/core/7.12.3_supports-color@7.2.0"), Some(("@babel/core", "7.12.3")));
        assert_eq!(pnpm_key("/@babel/core@7.12.3(supports-color@7.2.0)"), Some(("@babel/core", "7.12.3")));
        assert_eq!(pnpm_key("minimist@1.2.5"), Some(("minimist", "1.2.5")));
        let text = "lockfileVersion: '9.0'\npackages:\n  minimist@1.2.5:\n    resolution: {integrity: x}\n  \
                    '@types/node@20.1.0':\n    resolution: {integrity: y}\n";
        assert_eq!(
            pairs(&pnpm_lock("pnpm-lock.yaml", text).unwrap()),
            [("minimist".into(), "1.2.5".into(), 3), ("@types/node".into(), "20.1.0".into(), 5)]
        );
        assert!(pnpm_lock("pnpm-lock.yaml", "packages: [\n").is_err());
    }
}
