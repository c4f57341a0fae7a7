//! Python packages: the installed distributions of a virtual environment,
//! read from each `*.dist-info/METADATA`.
//!
//! The expression is, in order: `License-Expression` (PEP 639), a `License`
//! field that parses as an SPDX expression, the `License ::` trove
//! classifiers mapped to SPDX ids (joined with `AND`, since a list of
//! classifiers does not say whether it is a choice), and otherwise the
//! licence files shipped in the `.dist-info` directory.

use std::path::{Path, PathBuf};

use crate::licenses::{Ecosystem, Error, Package};

/// Trove licence classifiers and their SPDX ids.
const CLASSIFIERS: &[(&str, &str)] = &[
    ("License :: OSI Approved :: MIT License", "MIT"),
    ("License :: OSI Approved :: MIT No Attribution License (MIT-0)", "MIT-0"),
    ("License :: OSI Approved :: Apache Software License", "Apache-2.0"),
    ("License :: OSI Approved :: BSD License", "BSD-3-Clause"),
    ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
    ("License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"),
    ("License :: OSI Approved :: Python Software Foundation License", "PSF-2.0"),
    ("License :: OSI Approved :: GNU General Public License v2 (GPLv2)", "GPL-2.0-only"),
    ("License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"),
    ("License :: OSI Approved :: GNU General Public License v3 (GPLv3)", "GPL-3.0-only"),
    ("License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"),
    ("License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only"),
    ("License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"),
    ("License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"),
    ("License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"),
    ("License :: OSI Approved :: GNU Affero General Public License v3", "AGPL-3.0-only"),
    ("License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)", "AGPL-3.0-or-later"),
    ("License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)", "EPL-2.0"),
    ("License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)", "BSL-1.0"),
    ("License :: OSI Approved :: zlib/libpng License", "Zlib"),
    ("License :: OSI Approved :: The Unlicense (Unlicense)", "Unlicense"),
    ("License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)", "HPND"),
    ("License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication", "CC0-1.0"),
];

/// Reads the distributions installed in the virtual environment `env`.
///
/// # Errors
///
/// `env` has no `site-packages` directory.
pub fn packages(env: &Path) -> Result<Vec<Package>, Error> {
    let site = site_packages(env).ok_or_else(|| Error::Manifest {
        path: env.to_path_buf(),
        line: None,
        message: "not a Python virtual environment: no lib/python*/site-packages".to_owned(),
    })?;
    let mut dist_infos: Vec<PathBuf> = std::fs::read_dir(&site)
        .map_err(|e| Error::Manifest { path: site.clone(), line: None, message: e.to_string() })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "dist-info"))
        .collect();
    dist_infos.sort();
    let mut out = Vec::new();
    for dir in dist_infos {
        let metadata = dir.join("METADATA");
        match std::fs::read_to_string(&metadata) {
            Ok(text) => out.push(package(&dir, metadata, &text)),
            Err(e) => log::warn!("{}: {e}", metadata.display()),
        }
    }
    Ok(out)
}

fn site_packages(env: &Path) -> Option<PathBuf> {
    let windows = env.join("Lib").join("site-packages");
    if windows.is_dir() {
        return Some(windows);
    }
    let lib = std::fs::read_dir(env.join("lib")).ok()?;
    let mut found: Vec<PathBuf> =
        lib.filter_map(Result::ok).map(|e| e.path().join("site-packages")).filter(|p| p.is_dir()).collect();
    found.sort();
    found.pop()
}

fn package(dir: &Path, metadata: PathBuf, text: &str) -> Package {
    let mut name = String::new();
    let mut version = String::new();
    let mut expression = None;
    let mut license = None;
    let mut classifiers = Vec::new();
    // The header ends at the first blank line; the body is the description.
    for (i, line) in text.lines().enumerate().take_while(|(_, l)| !l.is_empty()) {
        let Some((key, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match key {
            "Name" => name = value.to_owned(),
            "Version" => version = value.to_owned(),
            "License-Expression" => expression = Some((value.to_owned(), line_no)),
            "License" if !value.is_empty() => license = Some((value.to_owned(), line_no)),
            "Classifier" => {
                if let Some((_, id)) = CLASSIFIERS.iter().find(|(c, _)| *c == value) {
                    classifiers.push(((*id).to_owned(), line_no));
                }
            }
            _ => {}
        }
    }
    let lax = |s: &str| spdx::Expression::parse_mode(s, spdx::ParseMode::LAX).is_ok();
    let (declared, field, line) = if let Some((e, l)) = expression {
        (Some(e), "License-Expression", Some(l))
    } else if let Some((e, l)) = license.clone().filter(|(e, _)| lax(e)) {
        (Some(e), "License", Some(l))
    } else if !classifiers.is_empty() {
        classifiers.dedup();
        let joined = classifiers.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join(" AND ");
        (Some(joined), "Classifier", Some(classifiers[0].1))
    } else {
        // Free text (a licence's full text, "BSD", "see LICENSE"): reported
        // as it is when no licence file identifies the package.
        (license.as_ref().map(|(e, _)| e.clone()), "License", license.map(|(_, l)| l))
    };
    let licenses_dir = dir.join("licenses");
    Package {
        name,
        version,
        ecosystem: Ecosystem::Python,
        license: declared,
        license_field: field,
        license_file: None,
        root: Some(if licenses_dir.is_dir() { licenses_dir } else { dir.to_path_buf() }),
        manifest: metadata,
        line,
        is_member: false,
        publish: None,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(site: &Path, name: &str, metadata: &str) {
        let dir = site.join(format!("{name}-1.0.dist-info"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("METADATA"), metadata).unwrap();
    }

    #[test]
    fn reads_expression_license_and_classifiers() {
        let env = tempfile::tempdir().unwrap();
        let site = env.path().join("lib/python3.11/site-packages");
        dist(&site, "a", "Metadata-Version: 2.4\nName: a\nVersion: 1.0\nLicense-Expression: MIT OR Apache-2.0\n\nLicense: body text\n");
        dist(&site, "b", "Metadata-Version: 2.1\nName: b\nVersion: 2.0\nLicense: BSD-3-Clause\n");
        dist(
            &site,
            "c",
            "Metadata-Version: 2.1\nName: c\nVersion: 3.0\nLicense: The very long text of a licence\n\
             Classifier: Programming Language :: Python\nClassifier: License :: OSI Approved :: MIT License\n",
        );
        dist(&site, "d", "Metadata-Version: 2.1\nName: d\nVersion: 4.0\nLicense: Proprietary\n");
        let packages = packages(env.path()).unwrap();
        let got: Vec<(&str, Option<&str>, &str, Option<u32>)> =
            packages.iter().map(|p| (p.name.as_str(), p.license.as_deref(), p.license_field, p.line)).collect();
        assert_eq!(
            got,
            [
                ("a", Some("MIT OR Apache-2.0"), "License-Expression", Some(4)),
                ("b", Some("BSD-3-Clause"), "License", Some(4)),
                ("c", Some("MIT"), "Classifier", Some(6)),
                ("d", Some("Proprietary"), "License", Some(4)),
            ]
        );
    }

    #[test]
    fn a_directory_without_site_packages_is_an_error() {
        let env = tempfile::tempdir().unwrap();
        assert!(packages(env.path()).is_err());
    }
}
