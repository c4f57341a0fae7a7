//! Python lockfiles: `requirements*.txt` with pinned versions (`==`,
//! `===`), `poetry.lock`, `uv.lock` and `Pipfile.lock`.

use serde::Deserialize;
use serde_json::Value;

use super::{quoted_line, toml_entry_lines, Package, Source};
use crate::deps::Error;

const PYPI: &str = "https://pypi.org/simple";

fn package(name: &str, version: &str, line: u32) -> Package {
    Package {
        name: name.to_owned(),
        version: version.to_owned(),
        source: Source::Registry(PYPI.to_owned()),
        line,
        dependencies: Vec::new(),
    }
}

/// `requirements.txt`: every `name==version` line (extras and environment
/// markers allowed); options, includes, URLs and unpinned requirements are
/// passed over, since they name no single version.
pub(super) fn requirements(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    let mut out = Vec::new();
    let mut continued = false;
    for (i, raw) in text.lines().enumerate() {
        let was_continued = continued;
        continued = raw.trim_end().ends_with('\\');
        let line = raw.split(" #").next().unwrap_or(raw).trim().trim_end_matches('\\').trim();
        if was_continued || line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        let requirement = line.split(';').next().unwrap_or(line).trim();
        let Some((name, version)) = requirement.split_once("==") else {
            log::debug!("{path}:{}: not pinned with ==, skipped", i + 1);
            continue;
        };
        let name = name.split('[').next().unwrap_or(name).trim();
        let version = version.trim_start_matches('=').split([' ', ',']).next().unwrap_or("").trim();
        let valid_name = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !valid_name || version.is_empty() || version.contains('*') {
            return Err(Error::new(path, Some(i as u32 + 1), format!("not a requirement: {line:?}")));
        }
        out.push(package(name, version, i as u32 + 1));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct TomlLock {
    #[serde(default)]
    package: Vec<TomlPackage>,
}

#[derive(Deserialize)]
struct TomlPackage {
    name: String,
    version: Option<String>,
    #[serde(default)]
    source: Option<toml::Value>,
}

/// The `[[package]]` entries of a TOML lockfile that `keep` accepts, each
/// with the line of its entry.
fn toml_packages(
    path: &str,
    text: &str,
    what: &str,
    keep: impl Fn(Option<&toml::Value>) -> bool,
) -> Result<Vec<Package>, Error> {
    let lock: TomlLock = toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| crate::deps::line_of(text, s.start));
        Error::new(path, line, format!("not a valid {what}: {}", e.message().trim()))
    })?;
    let lines = toml_entry_lines(text);
    Ok(lock
        .package
        .iter()
        .filter_map(|p| {
            let version = p.version.as_deref()?;
            let line = lines.get(&(p.name.as_str(), version)).copied().unwrap_or(1);
            keep(p.source.as_ref()).then(|| package(&p.name, version, line))
        })
        .collect())
}

/// `poetry.lock`.
pub(super) fn poetry_lock(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    // A `source` of type directory, file, url or git is not PyPI.
    toml_packages(path, text, "poetry.lock", |source| {
        source.and_then(|s| s.get("type")).and_then(|t| t.as_str()).is_none_or(|t| t == "legacy")
    })
}

/// `uv.lock`: packages from a registry; the project itself and other
/// local (`editable`, `virtual`, `directory`) or git packages are skipped.
pub(super) fn uv_lock(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    toml_packages(path, text, "uv.lock", |source| source.is_some_and(|s| s.get("registry").is_some()))
}

/// `Pipfile.lock`: the `default` and `develop` sections.
pub(super) fn pipfile_lock(path: &str, text: &str) -> Result<Vec<Package>, Error> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| Error::new(path, Some(e.line() as u32), format!("not valid JSON: {e}")))?;
    let mut out = Vec::new();
    for section in ["default", "develop"] {
        let Some(entries) = root.get(section).and_then(Value::as_object) else { continue };
        for (name, entry) in entries {
            let Some(version) = entry.get("version").and_then(Value::as_str).and_then(|v| v.strip_prefix("==")) else {
                continue;
            };
            out.push(package(name, version, quoted_line(text, name)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(packages: &[Package]) -> Vec<(String, String, u32)> {
        packages.iter().map(|p| (p.name.clone(), p.version.clone(), p.line)).collect()
    }

    #[test]
    fn requirements_pins_only() {
        let text = "# comment\n-r base.txt\nDjango==3.0.1  # pinned\nrequests[socks]==2.19.0 ; python_version > '3'\n\
                    flask>=1.0\nurllib3==1.24.1 \\\n    --hash=sha256:abc\n";
        assert_eq!(
            pairs(&requirements("requirements.txt", text).unwrap()),
            [
                ("Django".into(), "3.0.1".into(), 3),
                ("requests".into(), "2.19.0".into(), 4),
                ("urllib3".into(), "1.24.1".into(), 6)
            ]
        );
        let err = requirements("requirements.txt", "ok==1.0\nbad name==1.0\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn poetry_uv_and_pipfile() {
        let poetry =
            "[[package]]\nname = \"jinja2\"\nversion = \"2.10\"\n\n[[package]]\nname = \"mine\"\nversion = \"0.1\"\n\
                      [package.source]\ntype = \"directory\"\nurl = \"../mine\"\n";
        assert_eq!(pairs(&poetry_lock("poetry.lock", poetry).unwrap()), [("jinja2".into(), "2.10".into(), 1)]);
        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n\
                  [[package]]\nname = \"pyyaml\"\nversion = \"5.3\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        assert_eq!(pairs(&uv_lock("uv.lock", uv).unwrap()), [("pyyaml".into(), "5.3".into(), 8)]);
        let pipfile = "{\n\"default\": {\n\"pillow\": {\"version\": \"==6.0.0\"}\n},\n\"develop\": {\n\
                       \"pytest\": {\"version\": \"==5.0.0\"},\n\"gitdep\": {\"git\": \"https://x\"}\n}\n}\n";
        assert_eq!(
            pairs(&pipfile_lock("Pipfile.lock", pipfile).unwrap()),
            [("pillow".into(), "6.0.0".into(), 3), ("pytest".into(), "5.0.0".into(), 6)]
        );
        let err = uv_lock("uv.lock", "[[package]]\nname = 1\n").unwrap_err();
        assert_eq!(err.line, Some(2), "{err}");
    }
}
