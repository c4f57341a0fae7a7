//! `commitguard deps` end to end: the real binary on real lockfiles in
//! temporary directories, against the shared advisory snapshots and small
//! databases the tests write themselves.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The shared advisory snapshots (`rustsec/`, `pypa/`): from
/// `COMMITGUARD_TEST_ADVISORY_DB`, else `../shared/data/advisory-db` beside
/// the crate. Missing: a failure under CI, a printed skip otherwise.
pub(crate) fn shared_db(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("COMMITGUARD_TEST_ADVISORY_DB")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/advisory-db"));
    if path.join("rustsec/crates").is_dir() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some() {
        panic!("{test}: advisory snapshot missing at {} (set COMMITGUARD_TEST_ADVISORY_DB)", path.display());
    }
    eprintln!("note: {test} skipped: advisory snapshot missing at {}", path.display());
    None
}

/// A scratch directory with its own cache and cargo home, so runs neither
/// read nor write the user's.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let scratch = Scratch { dir: tempfile::tempdir().unwrap() };
        fs::create_dir_all(scratch.path().join("work")).unwrap();
        scratch
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn work(&self) -> PathBuf {
        self.path().join("work")
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.work().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        path
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_commitguard"));
        cmd.args(args)
            .current_dir(self.work())
            .env("COMMITGUARD_CACHE_DIR", self.path().join("cache"))
            .env("CARGO_HOME", self.path().join("cargo-home"))
            .env_remove("COMMITGUARD_LOG")
            .env("NO_COLOR", "1");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\nstderr: {}", String::from_utf8_lossy(&output.stdout), stderr(output))
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn rules(report: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect();
    out.sort();
    out.dedup();
    out
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deps").join(name)
}

/// Advisory ids equal cargo-audit's on the same lockfile and snapshot; the
/// expected lists were written by `bench/deps-parity.sh`.
#[test]
fn parity_with_cargo_audit_on_fixture_lockfiles() {
    let Some(db) = shared_db("parity_with_cargo_audit_on_fixture_lockfiles") else { return };
    let scratch = Scratch::new();
    for name in ["web", "legacy", "large"] {
        let lock = fixture(name).join("Cargo.lock");
        let expected: Vec<String> =
            fs::read_to_string(fixture(name).join("expected-ids.txt")).unwrap().lines().map(str::to_owned).collect();
        assert!(expected.len() >= 10, "{name}: the fixture should carry advisories");
        let db_arg = db.join("rustsec");
        let output =
            scratch.run(&["deps", "--format", "json", "--db", db_arg.to_str().unwrap(), lock.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "{name}: {}", stderr(&output));
        let ids: Vec<String> = rules(&json(&output)).into_iter().filter(|r| r.starts_with("RUSTSEC-")).collect();
        assert_eq!(ids, expected, "{name}: advisory ids differ from cargo-audit's");
    }
}

const VULNERABLE_LOCK: &str = r#"version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "smallvec",
 "time",
]

[[package]]
name = "smallvec"
version = "1.6.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "time"
version = "0.1.43"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

#[test]
fn json_fields_and_exit_code_for_a_vulnerability() {
    let Some(db) = shared_db("json_fields_and_exit_code_for_a_vulnerability") else { return };
    let scratch = Scratch::new();
    scratch.write("Cargo.lock", VULNERABLE_LOCK);
    let db_arg = db.join("rustsec");
    let output = scratch.run(&["deps", "--format", "json", "--db", db_arg.to_str().unwrap(), "Cargo.lock"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let finding = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "RUSTSEC-2021-0003").unwrap();
    assert_eq!(finding["check"], "deps");
    assert_eq!(finding["level"], "error");
    assert_eq!(finding["kind"], "vulnerability");
    assert_eq!(finding["package"], "smallvec");
    assert_eq!(finding["version"], "1.6.0");
    assert_eq!(finding["ecosystem"], "crates.io");
    assert_eq!(finding["aliases"], serde_json::json!(["CVE-2021-25900", "GHSA-43w2-9j62-hq99"]));
    assert_eq!(finding["patched"], "1.6.1");
    assert_eq!(finding["severity"]["level"], "critical");
    assert_eq!(finding["path"], "Cargo.lock");
    assert_eq!(finding["line"], 11);
    assert_eq!(finding["fingerprint"].as_str().unwrap().len(), 64);
    assert!(report["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "RUSTSEC-2020-0071"));

    // The human report names the place, the rule and the way out.
    let human = scratch.run(&["deps", "--db", db_arg.to_str().unwrap(), "Cargo.lock"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Cargo.lock:11: error[RUSTSEC-2021-0003]: smallvec 1.6.0 (vulnerability):"), "{text}");
    assert!(text.contains("upgrade to 1.6.1 or later"), "{text}");
    assert_eq!(human.status.code(), Some(1));
}

/// Writes a RustSec-layout database of the given (id, package, extra
/// front-matter, versions) advisories.
fn rustsec_db(root: &Path, advisories: &[(&str, &str, &str, &str)]) -> PathBuf {
    for (id, package, extra, versions) in advisories {
        let path = root.join("crates").join(package).join(format!("{id}.md"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"2022-01-01\"\n{extra}\n\n\
             [versions]\n{versions}\n```\n\n# {package} problem {id}\n\nDetails.\n"
        );
        fs::write(path, text).unwrap();
    }
    root.to_path_buf()
}

fn lock(packages: &[(&str, &str, &str, &[&str])]) -> String {
    let mut out = String::from("version = 3\n");
    for (name, version, source, deps) in packages {
        out.push_str(&format!("\n[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n"));
        if !source.is_empty() {
            out.push_str(&format!("source = \"{source}\"\n"));
        }
        if !deps.is_empty() {
            out.push_str("dependencies = [\n");
            for d in *deps {
                out.push_str(&format!(" \"{d}\",\n"));
            }
            out.push_str("]\n");
        }
    }
    out
}

const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

fn synthetic(scratch: &Scratch) -> PathBuf {
    rustsec_db(
        &scratch.path().join("db"),
        &[
            ("RUSTSEC-2022-0001", "direct", "", "patched = [\">= 2.0.0\"]"),
            ("RUSTSEC-2022-0002", "direct", "informational = \"unmaintained\"", "patched = []"),
            ("RUSTSEC-2022-0003", "deep", "informational = \"unsound\"", "patched = []"),
            ("RUSTSEC-2022-0004", "deep", "withdrawn = \"2022-02-01\"", "patched = []"),
            ("RUSTSEC-2022-0005", "deep", "", "patched = [\">= 1.5.0\"]\nunaffected = [\"< 1.0.0\"]"),
        ],
    )
}

fn synthetic_lock() -> String {
    lock(&[
        ("app", "0.1.0", "", &["direct"]),
        ("direct", "1.0.0", CRATES_IO, &["deep"]),
        ("deep", "0.9.0", CRATES_IO, &[]),
        ("gitdep", "1.0.0", "git+https://example.com/org/gitdep?rev=1#1", &[]),
    ])
}

#[test]
fn cargo_audit_policy_without_deny_toml() {
    let scratch = Scratch::new();
    let db = synthetic(&scratch);
    scratch.write("Cargo.lock", &synthetic_lock());
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    // Withdrawn and unaffected (deep 0.9.0 < 1.0.0) are not reported.
    assert_eq!(rules(&report), ["RUSTSEC-2022-0001", "RUSTSEC-2022-0002", "RUSTSEC-2022-0003"]);
    let levels: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["level"].as_str().unwrap()))
        .collect();
    assert!(levels.contains(&("RUSTSEC-2022-0001", "error")));
    assert!(levels.contains(&("RUSTSEC-2022-0002", "warning")));
    assert!(levels.contains(&("RUSTSEC-2022-0003", "warning")));
    assert!(stderr(&output).contains("yanked check was skipped"), "{}", stderr(&output));

    // Only warnings left: exit 0.
    let fixed = synthetic_lock().replace("version = \"1.0.0\"\nsource", "version = \"2.0.0\"\nsource");
    scratch.write("Cargo.lock", &fixed);
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(rules(&json(&output)), ["RUSTSEC-2022-0002", "RUSTSEC-2022-0003"]);
}

#[test]
fn deny_toml_ignores_scopes_and_unused_ignores() {
    let scratch = Scratch::new();
    let db = synthetic(&scratch);
    scratch.write("Cargo.lock", &synthetic_lock());
    scratch.write(
        "deny.toml",
        "[advisories]\nversion = 2\nignore = [\n  \"RUSTSEC-2022-0001\",\n  { id = \"RUSTSEC-2099-0001\", reason = \"gone\" },\n]\n\
         unmaintained = \"transitive\"\nunsound = \"transitive\"\n\n[licenses]\nallow = [\"MIT\"]\n",
    );
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    let report = json(&output);
    // 0001 ignored; 0002 (unmaintained, a direct dependency) out of the
    // transitive scope; 0003 (unsound, transitive) an error. With a
    // deny.toml the sources check runs too: the git dependency is a warning.
    assert_eq!(rules(&report), ["RUSTSEC-2022-0003", "advisory-not-detected", "source-not-allowed"]);
    let source = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "source-not-allowed").unwrap();
    assert_eq!((source["package"].as_str(), source["level"].as_str()), (Some("gitdep"), Some("warning")));
    let unused = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "advisory-not-detected").unwrap();
    assert_eq!(unused["level"], "warning");
    assert_eq!(unused["path"], "deny.toml");
    assert_eq!(unused["line"], 5);
    assert!(unused["message"].as_str().unwrap().contains("RUSTSEC-2099-0001"));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn deny_toml_errors_name_the_line() {
    let scratch = Scratch::new();
    let db = synthetic(&scratch);
    scratch.write("Cargo.lock", &synthetic_lock());
    scratch.write(".deny.toml", "[advisories]\nignore = []\nnot-a-key = true\n");
    let output = scratch.run(&["deps", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.starts_with("commitguard: .deny.toml:3: "), "{err}");
    assert!(err.contains("not-a-key"), "{err}");

    let config = scratch.write("custom/deny.toml", "[advisories]\nseverity-threshold = \"high\"\n");
    let output = scratch.run(&["deps", "--db", db.to_str().unwrap(), "--config", config.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("custom/deny.toml:2: [advisories] severity-threshold: removed"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bans_and_sources() {
    let scratch = Scratch::new();
    let db = rustsec_db(&scratch.path().join("db"), &[("RUSTSEC-2022-0009", "unrelated", "", "patched = []")]);
    scratch.write(
        "Cargo.lock",
        &lock(&[
            ("app", "0.1.0", "", &["openssl", "bitflags 1.3.2", "bitflags 2.4.0", "tree"]),
            ("bitflags", "1.3.2", CRATES_IO, &[]),
            ("bitflags", "2.4.0", CRATES_IO, &[]),
            ("openssl", "0.10.40", CRATES_IO, &[]),
            ("tree", "1.0.0", CRATES_IO, &["leaf 0.1.0"]),
            ("leaf", "0.1.0", CRATES_IO, &[]),
            ("leaf", "0.2.0", CRATES_IO, &[]),
            ("gitdep", "1.0.0", "git+https://github.com/someone/gitdep?rev=1#1", &[]),
            ("orgdep", "1.0.0", "git+https://github.com/trusted/orgdep?rev=1#1", &[]),
            ("other", "1.0.0", "registry+https://my-registry.example/index", &[]),
        ]),
    );
    scratch.write(
        "deny.toml",
        "[bans]\nmultiple-versions = \"deny\"\ndeny = [{ crate = \"openssl@<0.11\", reason = \"use rustls\" }]\n\
         skip-tree = [{ crate = \"tree\", depth = 1 }]\n\n[sources]\nunknown-git = \"deny\"\nunknown-registry = \"warn\"\n\
         allow-org = { github = [\"trusted\"] }\n",
    );
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let found: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_owned();
            (s("rule"), s("package"), s("level"))
        })
        .collect();
    let expect = |rule: &str, package: &str, level: &str| (rule.to_owned(), package.to_owned(), level.to_owned());
    assert!(found.contains(&expect("banned", "openssl", "error")), "{found:?}");
    assert!(found.contains(&expect("duplicate", "bitflags", "error")), "{found:?}");
    assert!(found.contains(&expect("source-not-allowed", "gitdep", "error")), "{found:?}");
    assert!(found.contains(&expect("source-not-allowed", "other", "warning")), "{found:?}");
    // leaf is under the skipped tree; orgdep is from an allowed org.
    assert!(!found.iter().any(|f| f.1 == "leaf" || f.1 == "orgdep"), "{found:?}");
    assert_eq!(found.len(), 4, "{found:?}");
    let banned = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "banned").unwrap();
    assert_eq!(banned["kind"], "banned");
    assert!(banned["message"].as_str().unwrap().contains("use rustls"));
}

#[test]
fn yanked_versions_from_the_local_index_cache() {
    let scratch = Scratch::new();
    let db = rustsec_db(&scratch.path().join("db"), &[("RUSTSEC-2022-0009", "unrelated", "", "patched = []")]);
    scratch.write("Cargo.lock", &lock(&[("app", "0.1.0", "", &["gone"]), ("gone", "0.3.1", CRATES_IO, &[])]));
    let cache = scratch.path().join("cargo-home/registry/index/index.crates.io-0000000000000000/.cache/go/ne/gone");
    fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let mut bytes = vec![3u8, 2, 0, 0, 0];
    bytes.extend_from_slice(b"etag\x000.3.1\x00{\"name\":\"gone\",\"vers\":\"0.3.1\",\"deps\":[],\"yanked\":true}\x00");
    fs::write(&cache, bytes).unwrap();
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("no advisory database"), "{}", stderr(&output));
    let report = json(&output);
    assert_eq!(rules(&report), ["yanked"]);

    // A lockfile of an ecosystem no database covers is named.
    scratch.write("go.sum", "example.com/m v1.0.0 h1:x=\n");
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert!(stderr(&output).contains("no advisory database has Go advisories"), "{}", stderr(&output));
    fs::remove_file(scratch.work().join("go.sum")).unwrap();
    assert_eq!(report["findings"][0]["level"], "warning");
    assert_eq!(report["findings"][0]["kind"], "yanked");

    scratch.write("deny.toml", "[advisories]\nyanked = \"deny\"\n");
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn a_malformed_lockfile_does_not_stop_the_others() {
    let Some(db) = shared_db("a_malformed_lockfile_does_not_stop_the_others") else { return };
    let scratch = Scratch::new();
    scratch.write("good/Cargo.lock", VULNERABLE_LOCK);
    scratch.write("bad/Cargo.lock", "version = 3\n\n[[package]]\nname = \"x\"\nversion = \n");
    let db_arg = db.join("rustsec");
    let output = scratch.run(&["deps", "--format", "json", "--db", db_arg.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("commitguard: bad/Cargo.lock:5: not a valid Cargo.lock"), "{err}");
    let report = json(&output);
    assert!(rules(&report).contains(&"RUSTSEC-2021-0003".to_owned()));
    assert!(report["findings"].as_array().unwrap().iter().all(|f| f["path"] == "good/Cargo.lock"));
}

#[test]
fn missing_cache_says_which_command_fills_it() {
    let scratch = Scratch::new();
    scratch.write("Cargo.lock", VULNERABLE_LOCK);
    let output = scratch.run(&["deps"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("no advisory database found; run `commitguard db update`"), "{err}");
    assert!(output.stdout.is_empty());
}

#[test]
fn lockfiles_git_ignores_are_not_checked() {
    let scratch = Scratch::new();
    let db = synthetic(&scratch);
    let status = Command::new("git").args(["init", "-q"]).current_dir(scratch.work()).status().unwrap();
    assert!(status.success());
    scratch.write(".gitignore", "vendor/\n");
    scratch.write("vendor/Cargo.lock", &synthetic_lock());
    scratch.write("sub/dir/Cargo.lock", &lock(&[("direct", "1.0.0", CRATES_IO, &[])]));
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    let report = json(&output);
    let paths: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|p| *p == "sub/dir/Cargo.lock"), "{paths:?}");
}

#[test]
fn the_index_is_built_once_and_the_database_left_untouched() {
    let scratch = Scratch::new();
    let db = synthetic(&scratch);
    let listing = |dir: &Path| {
        let mut out: Vec<PathBuf> = walk(dir);
        out.sort();
        out
    };
    let before = listing(&db);
    scratch.write("Cargo.lock", &synthetic_lock());
    let first = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap(), "-v"]);
    assert!(stderr(&first).contains("building the index"), "{}", stderr(&first));
    let second = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap(), "-v"]);
    assert!(stderr(&second).contains("index is current"), "{}", stderr(&second));
    assert_eq!(rules(&json(&first)), rules(&json(&second)));
    let entries = fs::read_dir(scratch.path().join("cache/index")).unwrap().count();
    assert_eq!(entries, 1);
    assert_eq!(listing(&db), before, "the database directory was written to");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

#[test]
fn python_lockfiles_against_the_pypa_snapshot() {
    let Some(db) = shared_db("python_lockfiles_against_the_pypa_snapshot") else { return };
    let scratch = Scratch::new();
    scratch.write("requirements.txt", "# pinned\nJinja2==2.10\nrequests>=2\nPyYAML==5.3 ; python_version > '3'\n");
    scratch.write(
        "svc/poetry.lock",
        "[[package]]\nname = \"jinja2\"\nversion = \"2.11.3\"\n\n[[package]]\nname = \"pyyaml\"\nversion = \"5.4\"\n",
    );
    scratch.write("Cargo.lock", VULNERABLE_LOCK);
    // The folder holding both snapshots: each database is found in it.
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let found: Vec<(String, String, String, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ecosystem"] == "PyPI")
        .map(|f| {
            (
                f["path"].as_str().unwrap().into(),
                f["rule"].as_str().unwrap().into(),
                f["package"].as_str().unwrap().into(),
                f["line"].clone(),
            )
        })
        .collect();
    let has = |path: &str, rule: &str, package: &str, line: u64| {
        found.contains(&(path.to_owned(), rule.to_owned(), package.to_owned(), Value::from(line)))
    };
    assert!(has("requirements.txt", "PYSEC-2019-217", "Jinja2", 2), "{found:?}");
    assert!(has("requirements.txt", "PYSEC-2021-66", "Jinja2", 2), "{found:?}");
    assert!(has("requirements.txt", "PYSEC-2020-96", "PyYAML", 4), "{found:?}");
    assert!(has("requirements.txt", "PYSEC-2021-142", "PyYAML", 4), "{found:?}");
    // 2.11.3 and 5.4 are the fixed versions: nothing for poetry.lock.
    assert!(found.iter().all(|f| f.0 != "svc/poetry.lock"), "{found:?}");
    let jinja = report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "PYSEC-2021-66").unwrap();
    assert_eq!(jinja["patched"], "2.11.3");
    assert!(jinja["aliases"].as_array().unwrap().contains(&Value::from("CVE-2020-28493")));
    assert!(rules(&report).contains(&"RUSTSEC-2021-0003".to_owned()));
}

/// Writes an OSV database of JSON records.
fn osv_db(root: &Path, records: &[&str]) -> PathBuf {
    fs::create_dir_all(root).unwrap();
    for (i, record) in records.iter().enumerate() {
        fs::write(root.join(format!("record-{i}.json")), record).unwrap();
    }
    root.to_path_buf()
}

#[test]
fn npm_and_go_lockfiles_against_osv_records() {
    let scratch = Scratch::new();
    let db = osv_db(
        &scratch.path().join("osv"),
        &[
            r#"{"id":"GHSA-test-lodash","aliases":["CVE-2020-8203"],"summary":"Prototype pollution in lodash",
               "affected":[{"package":{"ecosystem":"npm","name":"lodash"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.19"}]}]}],
               "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}]}"#,
            r#"{"id":"GHSA-test-scoped","summary":"Scoped package issue",
               "affected":[{"package":{"ecosystem":"npm","name":"@scope/pkg"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.2.0"}]}]}]}"#,
            r#"{"id":"GO-2021-0113","summary":"Out-of-bounds read in golang.org/x/text",
               "affected":[{"package":{"ecosystem":"Go","name":"golang.org/x/text"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.3.7"}]}]}]}"#,
            r#"{"id":"GHSA-test-withdrawn","withdrawn":"2021-01-01T00:00:00Z","summary":"w",
               "affected":[{"package":{"ecosystem":"npm","name":"minimist"},
               "ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#,
        ],
    );
    scratch.write(
        "web/package-lock.json",
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {},\n    \"node_modules/lodash\": {\"version\": \"4.17.15\"},\n    \
         \"node_modules/minimist\": {\"version\": \"1.2.0\"}\n  }\n}\n",
    );
    scratch
        .write("app/yarn.lock", "\"@scope/pkg@^1.0.0\":\n  version \"1.2.0\"\n\nlodash@^4:\n  version \"4.17.21\"\n");
    scratch.write(
        "ui/pnpm-lock.yaml",
        "lockfileVersion: '9.0'\npackages:\n  '@scope/pkg@1.2.1':\n    resolution: {integrity: x}\n",
    );
    scratch.write("go.sum", "golang.org/x/text v0.3.5 h1:abc=\ngolang.org/x/text v0.3.5/go.mod h1:def=\n");
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json(&output);
    let found: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().into(), f["rule"].as_str().unwrap().into(), f["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("app/yarn.lock".into(), "GHSA-test-scoped".into(), 1),
            ("go.sum".into(), "GO-2021-0113".into(), 1),
            ("web/package-lock.json".into(), "GHSA-test-lodash".into(), 5),
        ]
    );
    let lodash = &report["findings"][2];
    assert_eq!(lodash["ecosystem"], "npm");
    assert_eq!(lodash["patched"], "4.17.19");
    assert_eq!(lodash["severity"]["level"], "high");
    assert_eq!(report["findings"][1]["patched"], "0.3.7");
    assert_eq!(report["findings"][1]["version"], "v0.3.5");
}

/// Serves each response once, in order, to successive connections on a
/// loopback port; returns the base URL.
fn serve(responses: Vec<Vec<u8>>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for response in responses {
            let Ok((mut stream, _)) = listener.accept() else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = stream.write_all(&response);
        }
    });
    url
}

fn http_ok(body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(text.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn db_update_from_a_loopback_server_keeps_the_old_database_on_failure() {
    let scratch = Scratch::new();
    scratch.write("requirements.txt", "demo==1.0\n");
    let record = r#"{"id":"PYSEC-2099-1","summary":"demo is broken","affected":[{"package":{"ecosystem":"PyPI","name":"demo"},
        "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.1"}]}]}]}"#;
    let archive = zip_of(&[("PYSEC-2099-1.json", record), ("README.txt", "not a record")]);
    let mut truncated =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", archive.len()).into_bytes();
    truncated.extend_from_slice(&archive[..archive.len() / 2]);
    let base = serve(vec![http_ok(&archive), truncated, http_ok(b"this is not a zip archive")]);
    let url = format!("{base}/demo/all.zip");

    let output = scratch.run(&["db", "update", "--db-url", &url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("(1 records)"), "{}", stderr(&output));
    let check = |scratch: &Scratch| {
        let output = scratch.run(&["deps", "--format", "json"]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        assert_eq!(rules(&json(&output)), ["PYSEC-2099-1"]);
    };
    check(&scratch);

    for what in ["interrupted", "corrupt"] {
        let output = scratch.run(&["db", "update", "--db-url", &url]);
        assert_eq!(output.status.code(), Some(2), "{what}: {}", stderr(&output));
        assert!(stderr(&output).contains("the previous database is kept"), "{what}: {}", stderr(&output));
        check(&scratch);
    }
    let leftovers: Vec<PathBuf> =
        fs::read_dir(scratch.path().join("cache/db")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
}

#[test]
fn db_update_clones_deny_toml_git_urls_into_db_path() {
    let scratch = Scratch::new();
    let upstream = scratch.path().join("upstream");
    rustsec_db(&upstream, &[("RUSTSEC-2022-0007", "direct", "", "patched = [\">= 2.0.0\"]")]);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(&upstream)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "advisories"]);
    let db_path = scratch.path().join("advisory-dbs");
    scratch.write(
        "deny.toml",
        &format!("[advisories]\ndb-path = \"{}\"\ndb-urls = [\"{}\"]\n", db_path.display(), upstream.display()),
    );
    scratch.write("Cargo.lock", &synthetic_lock());
    let output = scratch.run(&["db", "update"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let clones: Vec<String> =
        fs::read_dir(&db_path).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(clones.len() == 1 && clones[0].starts_with("advisory-db-"), "{clones:?}");
    let output = scratch.run(&["deps", "--format", "json"]);
    assert_eq!(rules(&json(&output))[0], "RUSTSEC-2022-0007", "{}", stderr(&output));
    // A second update fetches into the same checkout.
    let output = scratch.run(&["db", "update"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn no_lockfiles_needs_no_database() {
    let scratch = Scratch::new();
    scratch.write("src/main.rs", "fn main() {}\n");
    let output = scratch.run(&["deps", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(json(&output), serde_json::json!({ "findings": [] }));
}

#[test]
fn an_old_cached_database_warns_and_goes_on() {
    let scratch = Scratch::new();
    let cached = scratch.path().join("cache/db/osv-PyPI");
    osv_db(
        &cached,
        &[r#"{"id":"PYSEC-2099-2","summary":"old","affected":[{"package":{"ecosystem":"PyPI","name":"demo"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}"#],
    );
    let mark = cached.join(".commitguard-updated");
    fs::write(&mark, "test\n").unwrap();
    let status = Command::new("touch").args(["-d", "10 days ago"]).arg(&mark).status().unwrap();
    assert!(status.success());
    scratch.write("requirements.txt", "demo==1.0\n");
    let output = scratch.run(&["deps", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("the advisory database is 10 days old"), "{}", stderr(&output));
    assert_eq!(rules(&json(&output)), ["PYSEC-2099-2"]);
    let output = scratch.run(&["deps", "--format", "json", "--max-db-age", "30"]);
    assert!(!stderr(&output).contains("days old"), "{}", stderr(&output));
    scratch.write("deny.toml", "[advisories]\nmaximum-db-staleness = \"P30D\"\n");
    let output = scratch.run(&["deps", "--format", "json"]);
    assert!(!stderr(&output).contains("days old"), "{}", stderr(&output));
    let output = scratch.run(&["deps", "--format", "json", "--max-db-age", "5"]);
    assert!(stderr(&output).contains("days old"), "{}", stderr(&output));
}

#[test]
fn graph_filters_go_through_cargo_metadata() {
    let scratch = Scratch::new();
    let db = rustsec_db(
        &scratch.path().join("db"),
        &[
            ("RUSTSEC-2022-0011", "runtime-dep", "", "patched = []"),
            ("RUSTSEC-2022-0012", "test-dep", "", "patched = []"),
        ],
    );
    let manifest = |name: &str, deps: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n{deps}")
    };
    scratch.write(
        "Cargo.toml",
        &(manifest("app", "[dependencies]\nruntime-dep = { path = \"runtime-dep\" }\n\n[dev-dependencies]\ntest-dep = { path = \"test-dep\" }\n")
            + "\n[workspace]\nexclude = [\"runtime-dep\", \"test-dep\"]\n"),
    );
    scratch.write("src/lib.rs", "");
    for name in ["runtime-dep", "test-dep"] {
        scratch.write(&format!("{name}/Cargo.toml"), &manifest(name, ""));
        scratch.write(&format!("{name}/src/lib.rs"), "");
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let generated =
        Command::new(cargo).args(["generate-lockfile", "--offline"]).current_dir(scratch.work()).output().unwrap();
    assert!(generated.status.success(), "{}", String::from_utf8_lossy(&generated.stderr));

    let run = |scratch: &Scratch| {
        let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap(), "Cargo.lock"]);
        (rules(&json(&output)), stderr(&output))
    };
    scratch.write("deny.toml", "[graph]\nexclude-dev = false\n");
    assert_eq!(run(&scratch).0, ["RUSTSEC-2022-0011", "RUSTSEC-2022-0012"]);
    scratch.write("deny.toml", "[graph]\nexclude-dev = true\n");
    let (found, err) = run(&scratch);
    assert_eq!(found, ["RUSTSEC-2022-0011"], "{err}");
    assert!(!err.contains("not applied"), "{err}");

    // A lockfile without its Cargo.toml: the report says the filters were
    // not applied, and every package is checked.
    fs::rename(scratch.work().join("Cargo.lock"), scratch.work().join("runtime-dep/Cargo.lock")).unwrap();
    fs::remove_file(scratch.work().join("runtime-dep/Cargo.toml")).unwrap();
    let output = scratch.run(&["deps", "--format", "json", "--db", db.to_str().unwrap(), "runtime-dep/Cargo.lock"]);
    assert_eq!(rules(&json(&output)), ["RUSTSEC-2022-0011", "RUSTSEC-2022-0012"]);
    assert!(stderr(&output).contains("runtime-dep/Cargo.lock: [graph] filters of deny.toml"), "{}", stderr(&output));
    assert!(stderr(&output).contains("were not applied: no Cargo.toml beside it"), "{}", stderr(&output));
}

#[test]
fn an_advisory_in_two_databases_is_reported_once() {
    let scratch = Scratch::new();
    let both = scratch.path().join("both");
    rustsec_db(
        &both.join("rustsec"),
        &[
            ("RUSTSEC-2022-0001", "direct", "", "patched = [\">= 2.0.0\"]"),
            ("RUSTSEC-2022-0002", "direct", "informational = \"unmaintained\"", "patched = []"),
        ],
    );
    osv_db(
        &both.join("osv-crates.io"),
        &[
            r#"{"id":"RUSTSEC-2022-0001","summary":"same","affected":[{"package":{"ecosystem":"crates.io","name":"direct"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"},{"fixed":"2.0.0"}]}]}]}"#,
            r#"{"id":"RUSTSEC-2022-0013","summary":"only here","affected":[{"package":{"ecosystem":"crates.io","name":"direct"},
             "ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"}]}]}]}"#,
        ],
    );
    scratch.write("Cargo.lock", &synthetic_lock());
    let output = scratch.run(&["deps", "--format", "json", "--db", both.to_str().unwrap()]);
    let report = json(&output);
    let ids: Vec<&str> = report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(ids, ["RUSTSEC-2022-0001", "RUSTSEC-2022-0002", "RUSTSEC-2022-0013"], "{}", stderr(&output));
}
