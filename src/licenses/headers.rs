//! `SPDX-License-Identifier:` headers of source files.
//!
//! A file passes when its first comment block (after a shebang, an XML
//! declaration or blank lines) carries `SPDX-License-Identifier: <expr>`,
//! and, when a copyright pattern is configured, a line matching it. REUSE
//! annotations count as a header: a `<file>.license` sidecar, a
//! `REUSE.toml` `[[annotations]]` entry whose `path` matches, or a
//! `.reuse/dep5` `Files:` paragraph. The expression must be one of the
//! configured identifiers, or else be satisfied by the licence policy's
//! `allow` list, or else at least be valid SPDX.
//!
//! Files whose comment syntax is unknown are not checked unless an
//! annotation covers them.

use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;

use crate::config::deny_licenses::AllowedLicense;
use crate::config::license_headers::HeaderConfig;
use crate::finding::{fingerprint, Check, Detail, Finding, Level, LicenseDetail};

const TAG: &str = "SPDX-License-Identifier:";

/// How a language writes comments.
#[derive(Debug, Clone, Copy)]
struct Syntax {
    line: &'static [&'static str],
    block: Option<(&'static str, &'static str)>,
}

const C_LIKE: Syntax = Syntax { line: &["//"], block: Some(("/*", "*/")) };
const HASH: Syntax = Syntax { line: &["#"], block: None };
const DASHES: Syntax = Syntax { line: &["--"], block: None };
const MARKUP: Syntax = Syntax { line: &[], block: Some(("<!--", "-->")) };

/// Comment syntax by file extension (lower case) or whole file name.
fn syntax(path: &str) -> Option<Syntax> {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name {
        "Makefile" | "Dockerfile" | "CMakeLists.txt" | "Containerfile" | "Justfile" | "justfile" => return Some(HASH),
        _ => {}
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "rs" | "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "m" | "mm" | "java" | "kt" | "kts" | "scala"
        | "swift" | "go" | "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "cs" | "dart" | "zig" | "proto" | "groovy"
        | "gradle" | "php" | "v" | "sv" => C_LIKE,
        "css" | "scss" | "less" => Syntax { line: &["//"], block: Some(("/*", "*/")) },
        "py" | "pyi" | "sh" | "bash" | "zsh" | "fish" | "rb" | "pl" | "pm" | "r" | "toml" | "yaml" | "yml"
        | "cmake" | "mk" | "ps1" | "nix" | "tf" | "hcl" | "jl" | "ex" | "exs" | "nim" | "cfg" | "conf" => HASH,
        "sql" | "lua" | "hs" | "elm" | "ada" | "adb" | "ads" => DASHES,
        "lisp" | "el" | "clj" | "cljs" | "scm" | "rkt" | "asm" | "s" => Syntax { line: &[";"], block: None },
        "tex" | "sty" | "erl" | "hrl" | "mat" => Syntax { line: &["%"], block: None },
        "html" | "htm" | "xml" | "svg" | "md" | "vue" | "xhtml" => MARKUP,
        "vim" => Syntax { line: &["\""], block: None },
        "bat" | "cmd" => Syntax { line: &["::", "REM", "rem"], block: None },
        _ => return None,
    })
}

/// The first comment block of `text`: its lines, 1-based line numbers.
fn first_comment(text: &str, syntax: Syntax) -> Vec<(u32, &str)> {
    let mut out = Vec::new();
    let mut in_block: Option<&str> = None;
    let mut started = false;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = line.trim();
        if let Some(end) = in_block {
            out.push((n, line));
            if trimmed.contains(end) {
                in_block = None;
                started = true;
            }
            continue;
        }
        let is_line_comment = syntax.line.iter().any(|p| trimmed.starts_with(p));
        let opens_block = syntax.block.filter(|(open, _)| trimmed.starts_with(open));
        if is_line_comment {
            started = true;
            out.push((n, line));
        } else if let Some((open, end)) = opens_block {
            out.push((n, line));
            if !trimmed[open.len()..].contains(end) {
                in_block = Some(end);
            }
            started = true;
        } else if started {
            break;
        } else if i == 0 && (trimmed.starts_with("#!") || trimmed.starts_with("<?xml")) || trimmed.is_empty() {
            continue;
        } else {
            break;
        }
        if i > 200 {
            break;
        }
    }
    out
}

/// The expression after the tag on a line, without comment closers.
fn identifier(line: &str) -> Option<&str> {
    let at = line.find(TAG)?;
    let rest = &line[at + TAG.len()..];
    let rest = rest.split("*/").next().unwrap_or(rest);
    let rest = rest.split("-->").next().unwrap_or(rest);
    Some(rest.trim())
}

/// REUSE annotations of a repository: `REUSE.toml` and `.reuse/dep5`.
#[derive(Debug, Default)]
struct Annotations {
    /// (glob set of one annotation, its expression, where it is written).
    entries: Vec<(GlobSet, String, String)>,
}

impl Annotations {
    fn load(root: &Path) -> Annotations {
        let mut out = Annotations::default();
        if let Ok(text) = std::fs::read_to_string(root.join("REUSE.toml")) {
            out.reuse_toml(&text);
        }
        if let Ok(text) = std::fs::read_to_string(root.join(".reuse/dep5")) {
            out.dep5(&text);
        }
        out
    }

    fn reuse_toml(&mut self, text: &str) {
        let Ok(value) = text.parse::<toml::Table>() else {
            log::warn!("REUSE.toml is not valid TOML; its annotations are not used");
            return;
        };
        let annotations = value.get("annotations").and_then(toml::Value::as_array).cloned().unwrap_or_default();
        for a in annotations {
            let paths: Vec<String> = match a.get("path") {
                Some(toml::Value::String(s)) => vec![s.clone()],
                Some(toml::Value::Array(list)) => list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
                _ => continue,
            };
            let Some(expr) = a.get("SPDX-License-Identifier").and_then(toml::Value::as_str) else { continue };
            // REUSE.toml globs: `*` stays within a directory, `**` crosses.
            if let Some(set) = glob_set(&paths, true) {
                self.entries.push((set, expr.to_owned(), "REUSE.toml".to_owned()));
            }
        }
    }

    fn dep5(&mut self, text: &str) {
        for paragraph in text.split("\n\n") {
            let mut files = Vec::new();
            let mut license = None;
            for line in paragraph.lines() {
                if let Some(rest) = line.strip_prefix("Files:") {
                    files.extend(rest.split_whitespace().map(str::to_owned));
                } else if let Some(rest) = line.strip_prefix("License:") {
                    license = Some(rest.trim().to_owned());
                } else if line.starts_with(' ') && license.is_none() && !files.is_empty() {
                    files.extend(line.split_whitespace().map(str::to_owned));
                }
            }
            if let (false, Some(license)) = (files.is_empty(), license) {
                // dep5 globs: `*` matches across directories.
                if let Some(set) = glob_set(&files, false) {
                    self.entries.push((set, license, ".reuse/dep5".to_owned()));
                }
            }
        }
    }

    fn find(&self, path: &str) -> Option<(&str, &str)> {
        // The last matching REUSE.toml annotation wins, as in REUSE.
        self.entries.iter().rev().find(|(set, _, _)| set.is_match(path)).map(|(_, e, w)| (e.as_str(), w.as_str()))
    }
}

fn glob_set(globs: &[String], literal_separator: bool) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g).literal_separator(literal_separator).build().ok()?;
        builder.add(glob);
    }
    builder.build().ok()
}

/// Header errors that stop the check.
#[derive(Debug)]
pub struct HeaderError(pub String);

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HeaderError {}

/// The compiled header policy of one repository.
pub struct HeaderChecker {
    include: Option<GlobSet>,
    exclude: GlobSet,
    identifiers: Vec<String>,
    allow: Option<Vec<spdx::Licensee>>,
    copyright: Option<Regex>,
    annotations: Annotations,
    root: std::path::PathBuf,
}

impl HeaderChecker {
    /// Builds the checker for the repository at `root`. `allow` is the
    /// licence policy's allow list, used when no identifiers are configured.
    ///
    /// # Errors
    ///
    /// A glob or the copyright pattern does not compile (the config reader
    /// has already checked them, so this means a caller built the config by
    /// hand).
    pub fn new(config: &HeaderConfig, allow: Option<&[AllowedLicense]>, root: &Path) -> Result<Self, HeaderError> {
        let build = |globs: &[String]| -> Result<GlobSet, HeaderError> {
            let mut builder = GlobSetBuilder::new();
            for g in globs {
                builder.add(Glob::new(g).map_err(|e| HeaderError(format!("glob {g:?}: {e}")))?);
            }
            builder.build().map_err(|e| HeaderError(e.to_string()))
        };
        let copyright = match &config.copyright {
            Some(p) => Some(Regex::new(p).map_err(|e| HeaderError(format!("copyright pattern {p:?}: {e}")))?),
            None => None,
        };
        Ok(HeaderChecker {
            include: if config.include.is_empty() { None } else { Some(build(&config.include)?) },
            exclude: build(&config.exclude)?,
            identifiers: config.identifiers.iter().map(|i| normalize_expression(i)).collect(),
            allow: allow.map(|list| list.iter().map(|a| a.licensee.clone()).collect()),
            copyright,
            annotations: Annotations::load(root),
            root: root.to_path_buf(),
        })
    }

    /// Whether `path` (relative to the root, `/`-separated) is to be checked
    /// by the globs. Sidecars and REUSE files themselves never are.
    pub fn is_selected(&self, path: &str) -> bool {
        let own = path.ends_with(".license") || path == "REUSE.toml" || path.starts_with(".reuse/");
        !own && !self.exclude.is_match(path) && self.include.as_ref().is_none_or(|set| set.is_match(path))
    }

    /// Checks one file and appends its findings.
    pub fn check(&self, path: &str, bytes: &[u8], findings: &mut Vec<Finding>) {
        if !self.is_selected(path) {
            return;
        }
        let sidecar = self.root.join(format!("{path}.license"));
        if let Ok(text) = std::fs::read_to_string(&sidecar) {
            let lines: Vec<(u32, &str)> = text.lines().zip(1..).map(|(l, n)| (n, l)).collect();
            self.judge(path, &lines, "sidecar .license file", findings);
            return;
        }
        if let Some((expr, source)) = self.annotations.find(path) {
            self.expression(path, 1, expr, source, findings);
            return;
        }
        let Some(syntax) = syntax(path) else {
            log::debug!("{path}: no known comment syntax; header not checked");
            return;
        };
        let text = String::from_utf8_lossy(bytes);
        let block = first_comment(&text, syntax);
        self.judge(path, &block, "header", findings);
    }

    fn judge(&self, path: &str, lines: &[(u32, &str)], source: &str, findings: &mut Vec<Finding>) {
        let found = lines.iter().find_map(|(n, l)| identifier(l).map(|e| (*n, e)));
        match found {
            None => {
                let message = format!("{path}: no `{TAG}` in the first comment block");
                findings.push(finding(path, 1, "missing-header", message, None, source));
            }
            Some((n, expr)) => self.expression(path, n, expr, source, findings),
        }
        if let Some(pattern) = &self.copyright {
            if !lines.iter().any(|(_, l)| pattern.is_match(l)) {
                let message = format!("{path}: no copyright line matching `{pattern}` in the first comment block");
                findings.push(finding(path, 1, "missing-header", message, None, source));
            }
        }
    }

    fn expression(&self, path: &str, line: u32, expr: &str, source: &str, findings: &mut Vec<Finding>) {
        let why = match spdx::Expression::parse(expr) {
            Err(e) => Some(format!("`{expr}` is not a valid SPDX expression: {}", e.reason)),
            Ok(_) if !self.identifiers.is_empty() => (!self.identifiers.contains(&normalize_expression(expr)))
                .then(|| format!("`{expr}` is not one of the required identifiers ({})", self.identifiers.join(", "))),
            Ok(parsed) => match &self.allow {
                Some(allow) => (!parsed.evaluate(|req| allow.iter().any(|a| a.satisfies(req))))
                    .then(|| format!("`{expr}` is not satisfied by the licences of `allow`")),
                None => None,
            },
        };
        if let Some(why) = why {
            findings.push(finding(path, line, "header-not-allowed", format!("{path}: {why}"), Some(expr), source));
        }
    }
}

fn normalize_expression(expr: &str) -> String {
    expr.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn finding(path: &str, line: u32, rule: &str, message: String, license: Option<&str>, source: &str) -> Finding {
    Finding {
        check: Check::Licenses,
        level: Level::Error,
        rule: rule.to_owned(),
        path: path.to_owned(),
        line,
        fingerprint: fingerprint(&[rule.as_bytes(), path.as_bytes(), license.unwrap_or("").as_bytes()]),
        message,
        detail: Detail::Licenses(LicenseDetail {
            license: license.map(str::to_owned),
            source: Some(source.to_owned()),
            ..LicenseDetail::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker(config: HeaderConfig, root: &Path) -> HeaderChecker {
        HeaderChecker::new(&config, None, root).unwrap()
    }

    fn rules(checker: &HeaderChecker, path: &str, text: &str) -> Vec<(String, u32)> {
        let mut findings = Vec::new();
        checker.check(path, text.as_bytes(), &mut findings);
        findings.into_iter().map(|f| (f.rule, f.line)).collect()
    }

    #[test]
    fn finds_the_identifier_in_the_first_comment_block_per_language() {
        let dir = tempfile::tempdir().unwrap();
        let c = checker(HeaderConfig::default(), dir.path());
        let ok: &[(&str, &str)] = &[
            ("a.rs", "// SPDX-License-Identifier: MIT\nfn main() {}\n"),
            ("a.py", "#!/usr/bin/env python3\n# Copyright 2026 X\n# SPDX-License-Identifier: Apache-2.0\nimport os\n"),
            ("a.c", "/*\n * SPDX-License-Identifier: MIT OR Apache-2.0\n */\nint x;\n"),
            ("a.css", "/* SPDX-License-Identifier: MIT */\nbody {}\n"),
            ("a.html", "<!-- SPDX-License-Identifier: MIT -->\n<p>\n"),
            ("a.sql", "\n-- SPDX-License-Identifier: MIT\nSELECT 1;\n"),
            ("Makefile", "# SPDX-License-Identifier: MIT\nall:\n"),
        ];
        for (path, text) in ok {
            assert!(rules(&c, path, text).is_empty(), "{path}");
        }
        let missing: &[(&str, &str)] = &[
            ("b.rs", "fn main() {}\n// SPDX-License-Identifier: MIT\n"),
            ("b.py", "# A module.\n\n# SPDX-License-Identifier: MIT\n"),
            ("b.js", "'use strict';\n"),
        ];
        for (path, text) in missing {
            assert_eq!(rules(&c, path, text), [("missing-header".to_owned(), 1)], "{path}");
        }
        assert!(rules(&c, "data.bin", "").is_empty(), "unknown syntax is not checked");
        assert_eq!(rules(&c, "c.rs", "// SPDX-License-Identifier: MIT OR\n"), [("header-not-allowed".to_owned(), 1)]);
    }

    #[test]
    fn identifiers_copyright_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        let config = HeaderConfig {
            enabled: true,
            include: vec!["src/**".to_owned()],
            exclude: vec!["src/generated/**".to_owned()],
            identifiers: vec!["MIT OR Apache-2.0".to_owned()],
            copyright: Some(r"Copyright \(c\) \d{4}".to_owned()),
        };
        let c = checker(config, dir.path());
        let good = "// Copyright (c) 2026 Someone\n// SPDX-License-Identifier: MIT OR  Apache-2.0\n";
        assert!(rules(&c, "src/a.rs", good).is_empty());
        assert!(rules(&c, "tests/a.rs", "").is_empty());
        assert!(rules(&c, "src/generated/a.rs", "").is_empty());
        let wrong = "// Copyright (c) 2026 Someone\n// SPDX-License-Identifier: GPL-3.0-only\n";
        assert_eq!(rules(&c, "src/b.rs", wrong), [("header-not-allowed".to_owned(), 2)]);
        let no_copyright = "// SPDX-License-Identifier: MIT OR Apache-2.0\n";
        assert_eq!(rules(&c, "src/c.rs", no_copyright), [("missing-header".to_owned(), 1)]);
    }

    #[test]
    fn allow_list_decides_without_identifiers() {
        let dir = tempfile::tempdir().unwrap();
        let policy = crate::config::deny_licenses::LicensePolicyConfig::parse(
            Path::new("deny.toml"),
            "[licenses]\nallow = [\"MIT\"]\n",
        )
        .unwrap();
        let c = HeaderChecker::new(&HeaderConfig::default(), Some(&policy.allow), dir.path()).unwrap();
        assert!(rules(&c, "a.rs", "// SPDX-License-Identifier: MIT OR GPL-3.0-only\n").is_empty());
        assert_eq!(rules(&c, "a.rs", "// SPDX-License-Identifier: GPL-3.0-only\n").len(), 1);
    }

    #[test]
    fn reuse_sidecars_toml_and_dep5_count_as_headers() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("logo.rs.license"), "SPDX-FileCopyrightText: 2026 X\nSPDX-License-Identifier: MIT\n")
            .unwrap();
        std::fs::write(
            root.join("REUSE.toml"),
            "version = 1\n[[annotations]]\npath = [\"docs/*.md\", \"vendor/**\"]\nSPDX-License-Identifier = \"CC-BY-4.0\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join(".reuse")).unwrap();
        std::fs::write(
            root.join(".reuse/dep5"),
            "Format: https://example.invalid/dep5\n\nFiles: assets/*\nCopyright: 2026 X\nLicense: MIT\n",
        )
        .unwrap();
        let c = checker(HeaderConfig::default(), root);
        assert!(rules(&c, "logo.rs", "fn x() {}\n").is_empty());
        assert!(rules(&c, "docs/a.md", "# Title\n").is_empty());
        assert!(rules(&c, "vendor/x/y.rs", "").is_empty());
        assert!(rules(&c, "assets/deep/z.js", "").is_empty());
        assert_eq!(rules(&c, "docs/deeper/b.md", "# Title\n").len(), 1, "`*` stays in one directory");
        assert!(!c.is_selected("logo.rs.license"));
    }
}
