//! Invariants of issue 7 checked over a corpus of runs of every command:
//! nothing but the files a command is asked to write changes, no output
//! holds a full secret unless `--show-secrets` asks for it, and nothing
//! touches the network unless `db update` is asked for.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{can_unshare, cg_command, limited, rustsec_db, skip, GENEROUS};
use crate::util::{fake_aws_key, snapshot, Repo, Run};

/// A repository with something of everything: history with a secret, a
/// staged secret, an unstaged file, lockfiles, a deny.toml, a foreign
/// pre-push hook; beside it a database and a cache outside the tree.
struct Corpus {
    repo: Repo,
    outside: tempfile::TempDir,
    /// Every secret written into the corpus.
    secrets: Vec<String>,
}

impl Corpus {
    fn new() -> Corpus {
        let repo = Repo::new();
        let secrets: Vec<String> = (0..4).map(|_| fake_aws_key()).collect();
        repo.write("old.env", format!("KEY={}\n", secrets[0]));
        repo.write(
            "Cargo.lock",
            "version = 3\n\n[[package]]\nname = \"direct\"\nversion = \"1.0.0\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
        );
        repo.write(
            "package-lock.json",
            "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": { \"name\": \"w\", \"version\": \"1.0.0\" },\n    \
             \"node_modules/ok\": { \"version\": \"1.0.0\", \"license\": \"GPL-3.0-only\" }\n  }\n}\n",
        );
        repo.write("deny.toml", "[licenses]\nallow = [\"MIT\"]\n");
        repo.write("commitguard.toml", "[licenses.headers]\nenabled = true\nidentifiers = [\"MIT\"]\n");
        repo.commit_all("history");
        repo.write(".git/hooks/pre-push", "#!/bin/sh\necho theirs\n");
        repo.write("old.env", format!("KEY={}\nNEW={}\n", secrets[0], secrets[1]));
        repo.write("a\nnewline.txt", format!("long {} {}\n", "x".repeat(5000), secrets[2]));
        repo.git(&["add", "."]);
        repo.write("unstaged.txt", format!("tok={}\n", secrets[3]));
        let outside = tempfile::tempdir().unwrap();
        rustsec_db(&outside.path().join("db"), &[("RUSTSEC-2022-0001".to_owned(), "direct".to_owned())]);
        fs::create_dir_all(outside.path().join("out")).unwrap();
        Corpus { repo, outside, secrets }
    }

    fn out(&self, name: &str) -> PathBuf {
        self.outside.path().join("out").join(name)
    }

    fn db(&self) -> String {
        self.outside.path().join("db").display().to_string()
    }

    /// commitguard in the repository with the cache outside it.
    fn command(&self, args: &[String]) -> Command {
        let mut command = cg_command(self.repo.path(), &[]);
        command.args(args);
        command.env("COMMITGUARD_CACHE_DIR", self.outside.path().join("cache"));
        command.env("CARGO_HOME", self.outside.path().join("cargo-home"));
        command
    }

    /// Every command the corpus runs, without `--show-secrets`, each with
    /// the exit code it must end with. Reports asked for go outside the
    /// repository; the baseline goes to its default place only in
    /// [`default_baseline`].
    fn runs(&self) -> Vec<(Vec<String>, i32)> {
        let db = self.db();
        let out = |n: &str| self.out(n).display().to_string();
        let mut runs: Vec<(Vec<&str>, i32)> = vec![
            (vec!["secrets"], 1),
            (vec!["secrets", "--staged", "-vv"], 1),
            (vec!["secrets", "--all-files", "-vv"], 1),
            (vec!["secrets", "old.env", "unstaged.txt"], 1),
            (vec!["secrets", "--history"], 1),
            (vec!["secrets", "--history", "--all-refs", "--format", "sarif"], 1),
            (vec!["deps", "--db", &db, "-vv"], 1),
            (vec!["licenses", "--npm-lock", "package-lock.json", "-vv"], 1),
            (vec!["licenses", "--headers", "-vv"], 0),
            (vec!["licenses", "--headers", "--all-files"], 1),
            (vec!["db", "path"], 0),
        ];
        let secrets_formats = [("human", "r.txt"), ("json", "r.json"), ("sarif", "r.sarif")];
        let mut owned: Vec<(Vec<String>, i32)> =
            runs.drain(..).map(|(a, c)| (a.into_iter().map(str::to_owned).collect(), c)).collect();
        for (format, file) in secrets_formats {
            owned.push((strings(&["secrets", "--all-files", "--format", format]), 1));
            owned.push((strings(&["secrets", "--format", format, "-o", &out(file)]), 1));
        }
        owned.push((strings(&["baseline", "create", "--baseline", &out("baseline.json")]), 0));
        owned.push((strings(&["deps", "--db", &db, "--format", "json", "-o", &out("deps.json")]), 1));
        owned
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// Paths whose bytes differ between two snapshots, relative to `root`.
fn changed(root: &Path, before: &[(PathBuf, Vec<u8>)], after: &[(PathBuf, Vec<u8>)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, bytes) in before {
        match after.iter().find(|(p, _)| p == path) {
            Some((_, now)) if now == bytes => {}
            Some(_) => out.push(format!("changed {}", path.strip_prefix(root).unwrap().display())),
            None => out.push(format!("removed {}", path.strip_prefix(root).unwrap().display())),
        }
    }
    for (path, _) in after {
        if !before.iter().any(|(p, _)| p == path) {
            out.push(format!("added {}", path.strip_prefix(root).unwrap().display()));
        }
    }
    out
}

#[test]
fn commands_leave_index_head_tree_and_hooks_unchanged() {
    let corpus = Corpus::new();
    let root = corpus.repo.path();
    let before = snapshot(root);
    for (args, code) in corpus.runs() {
        let run = limited(corpus.command(&args), GENEROUS);
        run.expect_code(code);
        let after = snapshot(root);
        assert_eq!(changed(root, &before, &after), Vec::<String>::new(), "{args:?} changed the repository");
    }

    // The baseline at its default place: that file only.
    corpus.repo.cg(&["baseline", "create"]).expect_code(0);
    assert_eq!(changed(root, &before, &snapshot(root)), ["added .commitguard-baseline.json"]);
    corpus.repo.cg(&["baseline", "update"]).expect_code(0);
    assert_eq!(changed(root, &before, &snapshot(root)), ["added .commitguard-baseline.json"]);
    fs::remove_file(root.join(".commitguard-baseline.json")).unwrap();

    // Its own hook only; uninstall restores the tree exactly.
    corpus.repo.cg(&["install"]).expect_code(0);
    assert_eq!(changed(root, &before, &snapshot(root)), ["added .git/hooks/pre-commit"]);
    corpus.repo.cg(&["uninstall"]).expect_code(0);
    assert_eq!(changed(root, &before, &snapshot(root)), Vec::<String>::new());

    // A foreign pre-commit hook survives both without --force.
    corpus.repo.write(".git/hooks/pre-commit", "#!/bin/sh\necho mine\n");
    let with_hook = snapshot(root);
    corpus.repo.cg(&["install"]).expect_code(2);
    corpus.repo.cg(&["uninstall"]).expect_code(2);
    assert_eq!(changed(root, &with_hook, &snapshot(root)), Vec::<String>::new());
}

/// Every byte a run left behind: its stdout, its stderr and the files it
/// wrote outside the repository.
fn outputs(corpus: &Corpus, run: &Run) -> Vec<(String, String)> {
    let mut out = vec![("stdout".to_owned(), run.stdout.clone()), ("stderr".to_owned(), run.stderr.clone())];
    for entry in fs::read_dir(corpus.outside.path().join("out")).unwrap() {
        let path = entry.unwrap().path();
        out.push((path.display().to_string(), String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned()));
    }
    for name in [".commitguard-baseline.json"] {
        if let Ok(bytes) = fs::read(corpus.repo.path().join(name)) {
            out.push((name.to_owned(), String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    out
}

#[test]
fn no_output_holds_a_full_secret_unless_asked() {
    let corpus = Corpus::new();
    let mut runs = corpus.runs();
    runs.push((strings(&["secrets", "--all-files", "-vv", "--color", "always"]), 1));
    runs.push((strings(&["baseline", "create"]), 0));
    runs.push((strings(&["secrets", "--all-files", "-vv"]), 0));
    let mut checked = 0;
    for (args, code) in runs {
        let mut command = corpus.command(&args);
        command.env("COMMITGUARD_LOG", "trace");
        let run = limited(command, GENEROUS);
        run.expect_code(code);
        // A path with a newline cannot split a log line or an error.
        for line in run.stderr.lines() {
            assert!(line.starts_with("commitguard: "), "{args:?}: a stray stderr line: {line:?}\n{}", run.stderr);
        }
        for (what, text) in outputs(&corpus, &run) {
            for secret in &corpus.secrets {
                assert!(!text.contains(secret.as_str()), "{args:?}: {what} holds a full secret:\n{text}");
                // Not even most of it.
                assert!(!text.contains(&secret[..12]), "{args:?}: {what} holds most of a secret:\n{text}");
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "the corpus produced {checked} outputs");

    // Asked for: only the report asked for holds them, not the log; SARIF
    // never does.
    for format in ["human", "json", "sarif"] {
        let report = corpus.out(&format!("shown.{format}"));
        let args =
            strings(&["secrets", "--all-files", "--no-baseline", "-vv", "--show-secrets", "--format", format, "-o"]);
        let mut command = corpus.command(&args);
        command.arg(&report);
        let run = limited(command, GENEROUS);
        run.expect_code(1);
        let text = fs::read_to_string(&report).unwrap();
        for secret in &corpus.secrets {
            // SARIF goes to dashboards and stays redacted even when asked.
            let shown = format != "sarif";
            assert_eq!(text.contains(secret.as_str()), shown, "{format}: the report asked for:\n{text}");
            assert!(!run.stderr.contains(secret.as_str()) && !run.stdout.contains(secret.as_str()), "{format}");
        }
        fs::remove_file(report).unwrap();
    }
}

/// Network access: every command of the corpus runs under `strace`, which
/// records each `connect` call; none may reach an internet address. The
/// proxies point at a closed loopback port as well, so that a client that
/// honours them fails loudly rather than going out. `db update` is the
/// control: the same tracing sees its connection.
#[test]
fn no_network_access_unless_db_update() {
    let test = "no_network_access_unless_db_update";
    if !Command::new("strace").arg("-V").output().is_ok_and(|o| o.status.success()) {
        return skip(test, "strace is not installed");
    }
    let corpus = Corpus::new();
    let closed = "http://127.0.0.1:9";
    let trace = corpus.outside.path().join("trace");
    let traced = |args: &[String]| {
        let mut command = Command::new("strace");
        command.current_dir(corpus.repo.path()).args(["-f", "-qq", "-e", "trace=connect", "-o"]).arg(&trace);
        let inner = corpus.command(args);
        command.arg(inner.get_program()).args(inner.get_args());
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => command.env(k, v),
                None => command.env_remove(k),
            };
        }
        for proxy in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] {
            command.env(proxy, closed);
        }
        let run = limited(command, GENEROUS);
        let calls = fs::read_to_string(&trace).unwrap_or_default();
        let inet: Vec<String> = calls.lines().filter(|l| l.contains("AF_INET")).map(str::to_owned).collect();
        (run, inet)
    };
    for (args, code) in corpus.runs() {
        let (run, inet) = traced(&args);
        run.expect_code(code);
        assert_eq!(inet, Vec::<String>::new(), "{args:?} connected to the network");
    }
    // The control: `db update` does try, through the closed proxy.
    let (run, inet) = traced(&strings(&["db", "update", "--db-url", "https://example.invalid/db.zip"]));
    run.expect_code(2);
    assert!(inet.iter().any(|c| c.contains("htons(9)")), "the tracing missed db update's connection: {inet:?}");

    // And without any network at all, the corpus still runs the same.
    if !can_unshare(&["-n"]) {
        return skip(test, "unshare -n (a network namespace) is not available");
    }
    for (args, code) in corpus.runs() {
        let inner = corpus.command(&args);
        let mut command = Command::new("unshare");
        command.current_dir(corpus.repo.path()).arg("-n").arg(inner.get_program()).args(inner.get_args());
        for (k, v) in inner.get_envs() {
            if let Some(v) = v {
                command.env(k, v);
            }
        }
        command.env_remove("COMMITGUARD_LOG");
        limited(command, GENEROUS).expect_code(code);
    }
}
