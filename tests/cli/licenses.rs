//! `commitguard licenses` end to end (issue 6): dependency licences of real
//! Cargo workspaces against deny.toml, parity fixtures with cargo-deny,
//! exit codes, JSON fields, npm and Python inputs, and SPDX headers in a
//! real git repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_commitguard"));
    command.env_remove("COMMITGUARD_LOG").env("NO_COLOR", "1");
    command
}

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> PathBuf {
    crate_root().join("tests/fixtures/licenses")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().expect("commitguard runs")
}

fn show(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn json(output: &Output) -> Vec<Value> {
    let doc: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}\n{}", show(output)));
    doc["findings"].as_array().expect("findings array").clone()
}

/// `name version` of every package with an error finding.
fn failing(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .filter(|f| f["level"] == "error" && f["package"].is_string())
        .map(|f| format!("{} {}", f["package"].as_str().unwrap(), f["version"].as_str().unwrap()))
        .collect()
}

fn expected(name: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
    text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Makes sure the registry crates of `manifest` are in the local cargo
/// cache, so `--offline` works. On a machine that cannot fetch them the test
/// cannot run: it fails under CI and says it was skipped elsewhere.
fn fetched(manifest: &Path) -> bool {
    let status = Command::new(env!("CARGO")).arg("fetch").arg("--manifest-path").arg(manifest).status();
    match status {
        Ok(s) if s.success() => true,
        _ if std::env::var_os("CI").is_some() => panic!("cargo fetch failed for {}", manifest.display()),
        _ => {
            eprintln!("SKIPPED: cannot fetch the registry crates of {}", manifest.display());
            false
        }
    }
}

fn zoo() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("zoo"), dir.path());
    fetched(&dir.path().join("Cargo.toml")).then_some(dir)
}

#[test]
fn zoo_fails_on_the_same_packages_as_cargo_deny() {
    let Some(dir) = zoo() else { return };
    let output = run(dir.path(), &["licenses", "--offline", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let findings = json(&output);
    assert_eq!(failing(&findings), expected("zoo-expected-failing.txt"), "{}", show(&output));

    // The unused allowance and exception are warnings that point at
    // deny.toml; a licence file nobody recognises beside one that is
    // recognised is a warning on its package, which passes (as in cargo-deny).
    let warnings: Vec<(&str, &str, u64)> = findings
        .iter()
        .filter(|f| f["level"] == "warning")
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        warnings,
        [
            ("low-confidence", "crates/half-known/Cargo.toml", 2),
            ("unused-allowed-license", "deny.toml", 11),
            ("unused-license-exception", "deny.toml", 18)
        ]
    );
    let half = findings.iter().find(|f| f["package"] == "half-known").unwrap();
    assert_eq!(half["license"], "MIT");
    assert!(half["message"].as_str().unwrap().contains("LICENSE-EXTRA"), "{half}");
}

#[test]
fn zoo_graph_options_match_cargo_deny() {
    let Some(dir) = zoo() else { return };
    for (config, list) in
        [("deny-dev.toml", "zoo-dev-expected-failing.txt"), ("deny-exclude.toml", "zoo-exclude-expected-failing.txt")]
    {
        let output = run(dir.path(), &["licenses", "--offline", "--config", config, "--format", "json"]);
        assert_eq!(output.status.code(), Some(1), "{}", show(&output));
        assert_eq!(failing(&json(&output)), expected(list), "{config}\n{}", show(&output));
    }
}

#[test]
fn zoo_findings_carry_the_issue_fields() {
    let Some(dir) = zoo() else { return };
    let output = run(dir.path(), &["licenses", "--offline", "--format", "json"]);
    let findings = json(&output);
    let gpl = findings.iter().find(|f| f["package"] == "gpl-dep").expect("gpl-dep fails");
    assert_eq!(gpl["check"], "licenses");
    assert_eq!(gpl["rule"], "license-not-allowed");
    assert_eq!(gpl["version"], "1.0.0");
    assert_eq!(gpl["license"], "GPL-3.0");
    assert_eq!(gpl["source"], "Cargo.toml `license`");
    assert_eq!(gpl["path"], "crates/gpl-dep/Cargo.toml");
    assert_eq!(gpl["line"], 5);
    assert_eq!(gpl["fingerprint"].as_str().unwrap().len(), 64);
    let openssl = findings.iter().find(|f| f["package"] == "openssl-dep").unwrap();
    assert!(openssl["message"].as_str().unwrap().contains("OpenSSL is not in `allow`"), "{openssl}");
    let unlicensed = findings.iter().find(|f| f["package"] == "unlicensed").unwrap();
    assert_eq!(unlicensed["rule"], "license-unknown");
    // The licence-file-only crates pass: by detection (also when the
    // declared expression is not SPDX), or by clarify.
    for name in ["text-only", "custom-field", "bespoke"] {
        assert!(!findings.iter().any(|f| f["package"] == name), "{name}");
    }
    let llvm = findings.iter().find(|f| f["package"] == "llvm-exception").unwrap();
    assert!(llvm["message"].as_str().unwrap().contains("Apache-2.0 WITH LLVM-exception is not in `allow`"));
}

#[test]
fn zoo_human_report_and_a_changed_clarified_file() {
    let Some(dir) = zoo() else { return };
    let output = run(dir.path(), &["licenses", "--offline", "--color", "never"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("crates/gpl-dep/Cargo.toml:5: error[license-not-allowed]: gpl-dep 1.0.0"),
        "{}",
        show(&output)
    );
    assert!(stdout.contains("7 errors, 3 warnings"), "{}", show(&output));

    // Once the clarified file changes, the clarification no longer applies
    // and the text is judged on its own: nobody knows these terms.
    std::fs::write(dir.path().join("crates/bespoke/COPYRIGHT"), "All rights reserved by nobody in particular.\n")
        .unwrap();
    let output = run(dir.path(), &["licenses", "--offline", "--format", "json"]);
    let findings = json(&output);
    let bespoke = findings.iter().find(|f| f["package"] == "bespoke").expect("bespoke now fails");
    assert_eq!(bespoke["rule"], "low-confidence", "{bespoke}");
}

#[test]
fn this_repository_passes_its_own_policy() {
    let root = crate_root();
    let output = run(&root, &["licenses", "--offline", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    assert_eq!(failing(&json(&output)), expected("self-expected-failing.txt"));
}

fn scratch_crate(deny: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("deny.toml"), deny).unwrap();
    dir
}

#[test]
fn bad_configuration_is_one_line_and_exit_2() {
    let dir = scratch_crate("[licenses]\nallow = [\"MIT\"]\ncopyleft = \"warn\"\n");
    let output = run(dir.path(), &["licenses", "--offline"]);
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("commitguard: ") && stderr.contains("deny.toml:3: [licenses] `copyleft` was removed"));

    std::fs::write(dir.path().join("deny.toml"), "[licenses]\nallow = [\"MIT\"]\nallowed = []\n").unwrap();
    let output = run(dir.path(), &["licenses", "--offline"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("deny.toml:3:"), "{}", show(&output));
}

#[test]
fn config_is_found_like_cargo_deny_and_named_with_config() {
    let dir = scratch_crate("[licenses]\nallow = [\"Apache-2.0\"]\n");
    std::fs::remove_file(dir.path().join("deny.toml")).unwrap();
    let output = run(dir.path(), &["licenses", "--offline"]);
    assert_eq!(output.status.code(), Some(2), "no deny.toml at all: {}", show(&output));

    std::fs::create_dir_all(dir.path().join(".cargo")).unwrap();
    std::fs::write(dir.path().join(".cargo/deny.toml"), "[licenses]\nallow = [\"Apache-2.0\"]\n").unwrap();
    let output = run(dir.path(), &["licenses", "--offline", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "MIT is not allowed: {}", show(&output));
    assert_eq!(failing(&json(&output)), BTreeSet::from(["scratch 0.1.0".to_owned()]));

    std::fs::write(dir.path().join("mine.toml"), "[licenses]\nallow = [\"MIT\"]\n").unwrap();
    let output = run(dir.path(), &["licenses", "--offline", "--config", "mine.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    assert!(output.stdout.is_empty(), "the human report is silent when clean");
}

#[test]
fn private_workspace_members_can_be_ignored() {
    let dir = scratch_crate("[licenses]\nallow = []\n[licenses.private]\nignore = true\n");
    let manifest = dir.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap().replace("license = \"MIT\"\n", "publish = false\n");
    std::fs::write(&manifest, text).unwrap();
    let output = run(dir.path(), &["licenses", "--offline"]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    std::fs::write(dir.path().join("deny.toml"), "[licenses]\nallow = []\n").unwrap();
    let output = run(dir.path(), &["licenses", "--offline", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    assert_eq!(json(&output)[0]["rule"], "license-unknown");
}

#[test]
fn npm_lockfile_and_python_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package-lock.json"),
        r#"{
  "name": "web",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "web", "version": "1.0.0", "license": "MIT" },
    "node_modules/ok": { "version": "1.0.0", "license": "MIT OR Apache-2.0" },
    "node_modules/copyleft": { "version": "2.0.0", "license": "GPL-2.0-only" }
  }
}
"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("deny.toml"), "[licenses]\nallow = [\"MIT\", \"Apache-2.0\"]\n").unwrap();
    let site = dir.path().join("venv/lib/python3.11/site-packages");
    for (name, header) in [
        ("requests", "License-Expression: Apache-2.0"),
        ("gplthing", "Classifier: License :: OSI Approved :: GNU General Public License v3 (GPLv3)"),
    ] {
        let info = site.join(format!("{name}-1.0.dist-info"));
        std::fs::create_dir_all(&info).unwrap();
        std::fs::write(info.join("METADATA"), format!("Metadata-Version: 2.4\nName: {name}\nVersion: 1.0\n{header}\n"))
            .unwrap();
    }
    let output = run(dir.path(), &["licenses", "--python-env", "venv", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let findings = json(&output);
    assert_eq!(failing(&findings), BTreeSet::from(["copyleft 2.0.0".to_owned(), "gplthing 1.0".to_owned()]));
    let npm = findings.iter().find(|f| f["package"] == "copyleft").unwrap();
    assert_eq!((npm["path"].as_str(), npm["line"].as_u64()), (Some("package-lock.json"), Some(7)));
    let py = findings.iter().find(|f| f["package"] == "gplthing").unwrap();
    assert_eq!(py["license"], "GPL-3.0-only");
    assert_eq!(py["source"], "METADATA `Classifier`");
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@commitguard.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@commitguard.invalid")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn headers_check_only_files_the_commit_adds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    std::fs::write(
        root.join("commitguard.toml"),
        "[licenses.headers]\nenabled = true\nidentifiers = [\"MIT OR Apache-2.0\"]\nexclude = [\"*.toml\"]\n",
    )
    .unwrap();
    std::fs::write(root.join("old.rs"), "fn old() {}\n").unwrap();
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "old code without headers"]);

    std::fs::write(root.join("old.rs"), "fn old() {}\nfn more() {}\n").unwrap();
    std::fs::write(root.join("new.rs"), "fn new() {}\n").unwrap();
    std::fs::write(root.join("good.py"), "#!/usr/bin/env python3\n# SPDX-License-Identifier: MIT OR Apache-2.0\n")
        .unwrap();
    std::fs::write(root.join("wrong.js"), "// SPDX-License-Identifier: GPL-3.0-only\n").unwrap();
    std::fs::write(root.join("logo.c"), "int x;\n").unwrap();
    std::fs::write(root.join("logo.c.license"), "SPDX-License-Identifier: MIT OR Apache-2.0\n").unwrap();
    git(root, &["add", "."]);

    let output = run(root, &["licenses", "--headers", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let got: Vec<(String, String)> = json(&output)
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["rule"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        got,
        [("new.rs".to_owned(), "missing-header".to_owned()), ("wrong.js".to_owned(), "header-not-allowed".to_owned())]
    );

    // The pre-commit framework passes the staged files: the same answer.
    let output = run(root, &["licenses", "--headers", "old.rs", "new.rs", "good.py", "--format", "json"]);
    let paths: Vec<Value> = json(&output).iter().map(|f| f["path"].clone()).collect();
    assert_eq!(paths, ["new.rs"]);

    // `--all-files` checks the old file too.
    let output = run(root, &["licenses", "--headers", "--all-files", "--format", "json"]);
    let paths: BTreeSet<String> = json(&output).iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
    assert!(paths.contains("old.rs") && paths.contains("new.rs"), "{paths:?}");
}

#[test]
fn headers_are_off_unless_enabled() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    std::fs::write(dir.path().join("new.rs"), "fn new() {}\n").unwrap();
    git(dir.path(), &["add", "."]);
    let output = run(dir.path(), &["licenses", "--headers"]);
    assert_eq!(output.status.code(), Some(0), "{}", show(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("enabled = true"));
}

#[test]
fn hook_definitions_follow_the_issue() {
    let text = std::fs::read_to_string(crate_root().join(".pre-commit-hooks.yaml")).unwrap();
    let licenses = text.split("- id: ").find(|h| h.starts_with("commitguard-licenses")).expect("licenses hook");
    assert!(licenses.contains("pass_filenames: false"));
    assert!(licenses.contains("entry: commitguard licenses --offline"));
    let files = licenses.lines().find_map(|l| l.trim().strip_prefix("files: ")).unwrap().trim_matches('\'');
    let pattern = regex::Regex::new(files).unwrap();
    for path in
        ["Cargo.toml", "crates/a/Cargo.toml", "Cargo.lock", "deny.toml", ".cargo/deny.toml", "web/package-lock.json"]
    {
        assert!(pattern.is_match(path), "{path}");
    }
    assert!(!pattern.is_match("src/main.rs"));
    let headers = text.split("- id: ").find(|h| h.starts_with("commitguard-license-headers")).expect("headers hook");
    assert!(headers.contains("entry: commitguard licenses --headers") && !headers.contains("pass_filenames: false"));
}
