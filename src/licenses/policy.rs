//! Licence policy: one expression per package, evaluated against the
//! `[licenses]` section of a `deny.toml`, as `cargo deny check licenses`
//! does.
//!
//! A package's expression comes from, in order:
//! 1. a `[[licenses.clarify]]` entry naming the package whose
//!    `license-files` all exist with the same hash;
//! 2. the declared expression, parsed leniently (`/` for `OR`, deprecated
//!    ids such as `GPL-3.0`, common misspellings mapped by `spdx`);
//! 3. its licence files (the declared `license-file` and every file of the
//!    package root whose name starts with `LICENSE`), each identified from
//!    its text, joined with `AND`. Files identified under
//!    `confidence-threshold` are left out with a warning, as cargo-deny
//!    does; when none is identified the package has no licence.
//!
//! The expression passes when the licences of `allow`, plus those of the
//! exceptions naming the package, can satisfy it.

use std::path::{Path, PathBuf};

use crate::config::deny_licenses::{LicensePolicyConfig, LintLevel};
use crate::finding::{fingerprint, Check, Detail, Finding, Level, LicenseDetail};
use crate::licenses::detect::{self, Detector};
use crate::licenses::{display_path, Ecosystem, Error, Package};

/// A licence file that passed the threshold but under this score is
/// reported as a `low-confidence` warning.
const WEAK_SCORE: f32 = 0.9;

/// What a check of a package list produced.
#[derive(Debug, Default)]
pub struct Report {
    /// Errors and warnings, in package order.
    pub findings: Vec<Finding>,
    /// Packages evaluated.
    pub checked: usize,
    /// Packages skipped by `[licenses.private]`.
    pub skipped: usize,
}

/// Checks `packages` against `config`.
///
/// Paths in findings are relative to `root` when under it.
///
/// # Errors
///
/// The licence-text store is needed and cannot be loaded.
pub fn check(
    packages: &[Package],
    config: &LicensePolicyConfig,
    detector: &Detector,
    root: &Path,
) -> Result<Report, Error> {
    let mut run = Run {
        config,
        detector,
        root,
        allow_hits: vec![false; config.allow.len()],
        exception_hits: vec![false; config.exceptions.len()],
        report: Report::default(),
    };
    for package in packages {
        if run.is_private(package) {
            log::debug!("{} {}: skipped by [licenses.private]", package.name, package.version);
            run.report.skipped += 1;
            continue;
        }
        run.report.checked += 1;
        run.package(package)?;
    }
    run.unused();
    Ok(run.report)
}

/// A licence file of a package, read with line endings normalised.
struct LicenseFile {
    path: PathBuf,
    text: Result<String, String>,
}

/// Where an expression came from.
struct Resolved {
    expression: spdx::Expression,
    source: String,
    /// Files that passed the threshold with a weak score: (path, id, score).
    weak: Vec<(String, String, f32)>,
    /// Why other licence files of the package were not identified.
    unidentified: Vec<String>,
}

enum Unresolved {
    /// Nothing declared, or not parsable, and no usable licence file.
    Unknown(Vec<String>),
    /// A licence file scored under the threshold.
    LowConfidence(Vec<String>),
}

struct Run<'a> {
    config: &'a LicensePolicyConfig,
    detector: &'a Detector,
    root: &'a Path,
    allow_hits: Vec<bool>,
    exception_hits: Vec<bool>,
    report: Report,
}

impl Run<'_> {
    fn is_private(&self, package: &Package) -> bool {
        let private = &self.config.private;
        if let Some(source) = &package.source {
            let url = source.trim_start_matches("registry+").trim_start_matches("sparse+");
            if private.ignore_sources.iter().any(|s| same_url(s, url)) {
                return true;
            }
        }
        private.ignore
            && package.is_member
            && package.publish.as_ref().is_some_and(|to| to.iter().all(|r| private.registries.iter().any(|p| p == r)))
    }

    fn package(&mut self, package: &Package) -> Result<(), Error> {
        // Most packages declare an expression and have no clarification:
        // their licence files are never read.
        let files = std::cell::OnceCell::new();
        match self.resolve(package, &files)? {
            Ok(resolved) => {
                log::trace!("{} {}: {} from {}", package.name, package.version, resolved.expression, resolved.source);
                self.evaluate(package, &resolved);
                for (file, id, score) in &resolved.weak {
                    let message = format!(
                        "{} {}: {file} was identified as {id} with confidence {score:.2}; check it by hand",
                        package.name, package.version
                    );
                    self.push_package(package, Level::Warning, "low-confidence", message, &resolved);
                }
                if !resolved.unidentified.is_empty() {
                    let message = format!(
                        "{} {}: licence files not identified, so not part of {}: {}",
                        package.name,
                        package.version,
                        resolved.expression,
                        resolved.unidentified.join("; ")
                    );
                    self.push_package(package, Level::Warning, "low-confidence", message, &resolved);
                }
            }
            Err(unresolved) => self.unresolved(package, unresolved),
        }
        Ok(())
    }

    fn resolve(
        &self,
        package: &Package,
        files: &std::cell::OnceCell<Vec<LicenseFile>>,
    ) -> Result<Result<Resolved, Unresolved>, Error> {
        if let Some(resolved) = self.clarified(package, files) {
            return Ok(Ok(resolved));
        }
        let mut reasons = Vec::new();
        match &package.license {
            Some(text) => match spdx::Expression::parse_mode(text, spdx::ParseMode::LAX) {
                Ok(expression) => {
                    let source = format!("{} `{}`", manifest_kind(package), package.license_field);
                    return Ok(Ok(Resolved { expression, source, weak: Vec::new(), unidentified: Vec::new() }));
                }
                Err(e) => reasons
                    .push(format!("`{}` {text:?} is not an SPDX expression: {}", package.license_field, e.reason)),
            },
            None => reasons.push("no licence expression declared".to_owned()),
        }
        let files = files.get_or_init(|| license_files(package));
        if files.is_empty() {
            reasons.push("no licence file".to_owned());
            return Ok(Err(Unresolved::Unknown(reasons)));
        }
        self.identify_files(package, files, reasons)
    }

    fn clarified(&self, package: &Package, files: &std::cell::OnceCell<Vec<LicenseFile>>) -> Option<Resolved> {
        if package.ecosystem != Ecosystem::Cargo {
            return None;
        }
        let clarification = self.config.clarify.iter().find(|c| {
            c.spec.matches(&package.name, &package.version)
                && c.license_files.iter().all(|expected| {
                    files.get_or_init(|| license_files(package)).iter().any(|f| {
                        f.path.ends_with(&expected.path)
                            && f.text.as_ref().is_ok_and(|text| detect::hash(text) == expected.hash)
                    })
                })
        })?;
        let source = format!("clarify in {}:{}", display_path(&self.config.path, self.root), clarification.line);
        Some(Resolved {
            expression: clarification.expression.clone(),
            source,
            weak: Vec::new(),
            unidentified: Vec::new(),
        })
    }

    fn identify_files(
        &self,
        package: &Package,
        files: &[LicenseFile],
        mut reasons: Vec<String>,
    ) -> Result<Result<Resolved, Unresolved>, Error> {
        let threshold = self.config.confidence_threshold;
        let declared_reasons = reasons.len();
        let mut ids = Vec::new();
        let mut sources = Vec::new();
        let mut weak = Vec::new();
        let mut low = false;
        for file in files {
            let shown = relative_to(&file.path, package.root.as_deref());
            let text = match &file.text {
                Ok(text) => text,
                Err(e) => {
                    reasons.push(format!("{shown}: {e}"));
                    continue;
                }
            };
            let found = self.detector.identify(text).map_err(Error::Detector)?;
            match (&found.name, found.id) {
                (Some(_), Some(id)) if found.score >= threshold => {
                    ids.push(id.name);
                    sources.push(format!("{shown}: {} ({:.2})", id.name, found.score));
                    if found.score < WEAK_SCORE {
                        weak.push((shown, id.name.to_owned(), found.score));
                    }
                }
                (Some(name), _) if found.score >= threshold => {
                    reasons.push(format!("{shown} looks like {name}, which has no SPDX id"));
                }
                (Some(name), _) => {
                    low = true;
                    reasons.push(format!(
                        "{shown} looks like {name} with confidence {:.2}, under confidence-threshold {threshold}",
                        found.score
                    ));
                }
                (None, _) => {
                    low = true;
                    reasons.push(format!("{shown} matches no known licence text (best {:.2})", found.score));
                }
            }
        }
        if ids.is_empty() {
            return Ok(Err(if low { Unresolved::LowConfidence(reasons) } else { Unresolved::Unknown(reasons) }));
        }
        // As cargo-deny does, files that were not identified do not stop the
        // expression built from those that were; they are reported as
        // warnings, since they may hold terms nobody has read.
        let unidentified = reasons.split_off(declared_reasons);
        // Store names can be deprecated ids (`GPL-2.0`): parse leniently.
        let joined = ids.join(" AND ");
        match spdx::Expression::parse_mode(&joined, spdx::ParseMode::LAX) {
            Ok(expression) => {
                let source = format!("licence text {}", sources.join(", "));
                Ok(Ok(Resolved { expression, source, weak, unidentified }))
            }
            Err(e) => {
                reasons.push(format!("detected licences {joined:?} do not form an expression: {}", e.reason));
                Ok(Err(Unresolved::Unknown(reasons)))
            }
        }
    }

    fn evaluate(&mut self, package: &Package, resolved: &Resolved) {
        let exceptions: Vec<usize> = (0..self.config.exceptions.len())
            .filter(|&i| self.config.exceptions[i].spec.matches(&package.name, &package.version))
            .collect();
        for &i in &exceptions {
            self.exception_hits[i] = true;
        }
        let config = self.config;
        let allow_hits = &mut self.allow_hits;
        let result = resolved.expression.evaluate_with_failures(|req| {
            let by_exception =
                exceptions.iter().any(|&i| config.exceptions[i].allow.iter().any(|a| a.licensee.satisfies(req)));
            if by_exception {
                return true;
            }
            match config.allow.iter().position(|a| a.licensee.satisfies(req)) {
                Some(i) => {
                    allow_hits[i] = true;
                    true
                }
                None => false,
            }
        });
        if let Err(failures) = result {
            let rejected: Vec<String> = failures.iter().map(|f| f.req.to_string()).collect();
            let message = format!(
                "{} {}: licence {} ({}) is not allowed: {} {} not in `allow`{}",
                package.name,
                package.version,
                resolved.expression,
                resolved.source,
                rejected.join(", "),
                if rejected.len() == 1 { "is" } else { "are" },
                if exceptions.is_empty() { "" } else { " nor in its exceptions" },
            );
            self.push_package(package, Level::Error, "license-not-allowed", message, resolved);
        }
    }

    fn unresolved(&mut self, package: &Package, unresolved: Unresolved) {
        let (rule, reasons) = match unresolved {
            Unresolved::Unknown(reasons) => ("license-unknown", reasons),
            Unresolved::LowConfidence(reasons) => ("low-confidence", reasons),
        };
        let message = format!("{} {}: no usable licence: {}", package.name, package.version, reasons.join("; "));
        let detail = LicenseDetail {
            package: Some(package.name.clone()),
            version: Some(package.version.clone()),
            license: package.license.clone(),
            source: Some(reasons.join("; ")),
        };
        self.push(package, Level::Error, rule, message, detail);
    }

    fn push_package(&mut self, package: &Package, level: Level, rule: &str, message: String, resolved: &Resolved) {
        let detail = LicenseDetail {
            package: Some(package.name.clone()),
            version: Some(package.version.clone()),
            license: Some(resolved.expression.to_string()),
            source: Some(resolved.source.clone()),
        };
        self.push(package, level, rule, message, detail);
    }

    fn push(&mut self, package: &Package, level: Level, rule: &str, message: String, detail: LicenseDetail) {
        let license = detail.license.clone().unwrap_or_default();
        let ecosystem = format!("{:?}", package.ecosystem);
        let parts: [&[u8]; 5] = [
            rule.as_bytes(),
            ecosystem.as_bytes(),
            package.name.as_bytes(),
            package.version.as_bytes(),
            license.as_bytes(),
        ];
        self.report.findings.push(Finding {
            check: Check::Licenses,
            level,
            rule: rule.to_owned(),
            path: display_path(&package.manifest, self.root),
            line: package.line.unwrap_or_else(|| declaration_line(package)),
            message,
            fingerprint: fingerprint(&parts),
            detail: Detail::Licenses(detail),
        });
    }

    /// Warnings for `allow` entries and exceptions that no package used.
    fn unused(&mut self) {
        let path = display_path(&self.config.path, self.root);
        let level = |lint: LintLevel| match lint {
            LintLevel::Allow => None,
            LintLevel::Warn => Some(Level::Warning),
            LintLevel::Deny => Some(Level::Error),
        };
        let mut notes = Vec::new();
        if let Some(level) = level(self.config.unused_allowed_license) {
            for (entry, _) in self.config.allow.iter().zip(&self.allow_hits).filter(|(_, hit)| !**hit) {
                let message = format!("`{}` is allowed but no package needed it", entry.text);
                notes.push((level, "unused-allowed-license", entry.line, message, entry.text.clone()));
            }
        }
        if let Some(level) = level(self.config.unused_license_exception) {
            for (entry, _) in self.config.exceptions.iter().zip(&self.exception_hits).filter(|(_, hit)| !**hit) {
                let message = format!("the exception for `{}` matched no package", entry.spec.name);
                notes.push((level, "unused-license-exception", entry.line, message, entry.spec.name.clone()));
            }
        }
        for (level, rule, line, message, key) in notes {
            self.report.findings.push(Finding {
                check: Check::Licenses,
                level,
                rule: rule.to_owned(),
                path: path.clone(),
                line,
                message,
                fingerprint: fingerprint(&[rule.as_bytes(), path.as_bytes(), key.as_bytes()]),
                detail: Detail::Licenses(LicenseDetail { license: Some(key), ..LicenseDetail::default() }),
            });
        }
    }
}

/// The declared licence file and every `LICENSE*` file of the package
/// root, sorted by path, read and normalised.
fn license_files(package: &Package) -> Vec<LicenseFile> {
    let mut paths: Vec<PathBuf> = match &package.root {
        Some(root) => std::fs::read_dir(root)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_name().to_string_lossy().starts_with("LICENSE"))
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect()
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };
    if let Some(declared) = &package.license_file {
        if !paths.iter().any(|p| p == declared) {
            paths.push(declared.clone());
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read(&path).map(|bytes| detect::normalize(&bytes)).map_err(|e| e.to_string());
            LicenseFile { path, text }
        })
        .collect()
}

fn relative_to(path: &Path, root: Option<&Path>) -> String {
    match root {
        Some(root) => display_path(path, root),
        None => path.display().to_string(),
    }
}

/// The file name of the manifest, to say where an expression came from.
fn manifest_kind(package: &Package) -> String {
    package
        .manifest
        .file_name()
        .map_or_else(|| package.manifest.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Registry URLs compared without a trailing slash or `.git`.
fn same_url(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim_end_matches('/').trim_end_matches(".git").to_ascii_lowercase();
    norm(a) == norm(b)
}

/// The line of the `license` (or `license-file`, or `name`) key of a
/// Cargo.toml or package.json; 1 when none is found.
fn declaration_line(package: &Package) -> u32 {
    let Ok(text) = std::fs::read_to_string(&package.manifest) else { return 1 };
    let keys = ["license", "license-file", "name"];
    for key in keys {
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let quoted = format!("\"{key}\"");
            let rest = trimmed.strip_prefix(key).or_else(|| trimmed.strip_prefix(quoted.as_str()));
            if rest.is_some_and(|rest| rest.trim_start().starts_with(['=', ':'])) {
                return u32::try_from(i + 1).unwrap_or(u32::MAX);
            }
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> LicensePolicyConfig {
        LicensePolicyConfig::parse(Path::new("/p/deny.toml"), text).unwrap()
    }

    fn package(name: &str, license: Option<&str>) -> Package {
        Package {
            name: name.to_owned(),
            version: "1.0.0".to_owned(),
            ecosystem: Ecosystem::Cargo,
            license: license.map(str::to_owned),
            license_field: "license",
            license_file: None,
            root: None,
            manifest: PathBuf::from("/p/Cargo.toml"),
            line: Some(4),
            is_member: false,
            publish: None,
            source: None,
        }
    }

    fn rules(report: &Report) -> Vec<(String, String)> {
        report
            .findings
            .iter()
            .map(|f| (f.rule.clone(), f.license().and_then(|l| l.package.clone()).unwrap_or_default()))
            .collect()
    }

    #[test]
    fn evaluates_expressions_like_cargo_deny() {
        let config = config(
            "[licenses]\nallow = [\"MIT\", \"Apache-2.0\", \"BSD-3-Clause\"]\n\
             exceptions = [{ crate = \"zlib-thing\", allow = [\"Zlib\"] }, { crate = \"gone\", allow = [\"ISC\"] }]\n",
        );
        let packages = [
            package("dual", Some("MIT OR Apache-2.0")),
            package("slash", Some("MIT/Apache-2.0")),
            package("misspelt", Some("apache2 OR mit")),
            package("with-exception", Some("Apache-2.0 WITH LLVM-exception")),
            package("gpl", Some("GPL-3.0")),
            package("and", Some("MIT AND MPL-2.0")),
            package("or-mpl", Some("MPL-2.0 OR BSD-3-Clause")),
            package("zlib-thing", Some("Zlib")),
            package("other-zlib", Some("Zlib")),
            package("none", None),
            package("garbage", Some("see LICENSE")),
        ];
        let report = check(&packages, &config, &Detector::new(), Path::new("/p")).unwrap();
        let got = rules(&report);
        let want = [
            // As in cargo-deny, `Apache-2.0` does not allow it with an
            // exception: the exception must be allowed too.
            ("license-not-allowed", "with-exception"),
            ("license-not-allowed", "gpl"),
            ("license-not-allowed", "and"),
            ("license-not-allowed", "other-zlib"),
            ("license-unknown", "none"),
            ("license-unknown", "garbage"),
            ("unused-license-exception", ""),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
        assert_eq!(got, want);
        let gpl =
            report.findings.iter().find(|f| f.license().and_then(|l| l.package.as_deref()) == Some("gpl")).unwrap();
        assert_eq!(gpl.path, "Cargo.toml");
        assert_eq!(gpl.line, 4);
        assert!(gpl.message.contains("GPL-3.0 is not in `allow`"), "{}", gpl.message);
        assert_eq!(gpl.license().unwrap().source.as_deref(), Some("Cargo.toml `license`"));
    }

    #[test]
    fn warns_about_unused_allowances() {
        let noisy = config("[licenses]\nallow = [\n  \"MIT\",\n  \"ISC\",\n]\n");
        let report = check(&[package("a", Some("MIT"))], &noisy, &Detector::new(), Path::new("/p")).unwrap();
        assert_eq!(report.findings.len(), 1);
        let f = &report.findings[0];
        assert_eq!(
            (f.rule.as_str(), f.level, f.path.as_str(), f.line),
            ("unused-allowed-license", Level::Warning, "deny.toml", 4)
        );
        let quiet = config("[licenses]\nallow = [\"MIT\", \"ISC\"]\nunused-allowed-license = \"allow\"\n");
        assert!(check(&[package("a", Some("MIT"))], &quiet, &Detector::new(), Path::new("/p"))
            .unwrap()
            .findings
            .is_empty());
    }

    #[test]
    fn private_members_are_skipped_when_asked() {
        let config = config("[licenses]\nallow = []\nunused-allowed-license = \"allow\"\n[licenses.private]\nignore = true\nregistries = [\"corp\"]\n");
        let mut unpublished = package("app", None);
        unpublished.is_member = true;
        unpublished.publish = Some(Vec::new());
        let mut corp = package("corp-lib", None);
        corp.is_member = true;
        corp.publish = Some(vec!["corp".to_owned()]);
        let mut public = package("lib", None);
        public.is_member = true;
        let report = check(&[unpublished, corp, public], &config, &Detector::new(), Path::new("/p")).unwrap();
        assert_eq!(report.skipped, 2);
        assert_eq!(rules(&report), [("license-unknown".to_owned(), "lib".to_owned())]);
    }

    #[test]
    fn licence_files_are_identified_with_their_confidence() {
        let dir = tempfile::tempdir().unwrap();
        let mit = crate::licenses::detect::tests::MIT;
        std::fs::write(dir.path().join("LICENSE-MIT"), mit).unwrap();
        let mut text_only = package("text-only", None);
        text_only.root = Some(dir.path().to_path_buf());
        let strict = config("[licenses]\nallow = [\"MIT\"]\nunused-allowed-license = \"allow\"\n");
        let report = check(std::slice::from_ref(&text_only), &strict, &Detector::new(), Path::new("/p")).unwrap();
        assert!(report.findings.is_empty(), "{:?}", report.findings);

        // Half the text and a clause of our own: a weak match.
        let altered: String = mit.lines().take(12).map(|l| format!("{l}\n")).collect::<String>()
            + "Also, send the authors a postcard every year from wherever you use it.\n";
        std::fs::write(dir.path().join("LICENSE-MIT"), altered).unwrap();
        let report = check(std::slice::from_ref(&text_only), &strict, &Detector::new(), Path::new("/p")).unwrap();
        assert_eq!(rules(&report), [("low-confidence".to_owned(), "text-only".to_owned())]);
        assert_eq!(report.findings[0].level, Level::Error);
        let lenient = config("[licenses]\nallow = [\"MIT\"]\nconfidence-threshold = 0.5\n");
        let report = check(&[text_only], &lenient, &Detector::new(), Path::new("/p")).unwrap();
        assert_eq!(rules(&report), [("low-confidence".to_owned(), "text-only".to_owned())]);
        assert_eq!(report.findings[0].level, Level::Warning, "passes, but worth a look");
        let source = report.findings[0].license().unwrap().source.clone().unwrap();
        assert!(source.starts_with("licence text LICENSE-MIT: MIT (0."), "{source}");
    }

    #[test]
    fn clarify_applies_only_while_the_files_are_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("LICENSE"), "Some bespoke terms\r\nthat no matcher knows\r\n").unwrap();
        let hash = detect::hash("Some bespoke terms\nthat no matcher knows\n");
        let text = format!(
            "[licenses]\nallow = [\"ISC\"]\n[[licenses.clarify]]\ncrate = \"odd@1.0.0\"\nexpression = \"ISC\"\n\
             license-files = [{{ path = \"LICENSE\", hash = {hash} }}]\n"
        );
        let config = config(&text);
        let mut odd = package("odd", None);
        odd.root = Some(dir.path().to_path_buf());
        let report = check(std::slice::from_ref(&odd), &config, &Detector::new(), Path::new("/p")).unwrap();
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        std::fs::write(dir.path().join("LICENSE"), "Some bespoke terms, changed\n").unwrap();
        let report = check(&[odd], &config, &Detector::new(), Path::new("/p")).unwrap();
        assert_eq!(report.findings[0].rule, "low-confidence");
    }
}
