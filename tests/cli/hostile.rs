//! The hostile-input matrix of issue 7: one test per row, each asserting the
//! exact outcome (exit code, finding or error text) of commitguard on a
//! repository or input built to break it.
//!
//! Large inputs are generated in temporary directories when the tests run,
//! and every run that could hang goes through [`limited`], which kills the
//! process and fails the test after a generous timeout. Nothing here
//! measures time: linear behaviour is checked by the counts a run must
//! produce within that timeout.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{bin, fake_aws_key, git_command, Repo, Run};

mod invariants;

/// Runs `command` with stdout and stderr sent to files, killing it and
/// failing the test when it outlives `limit`.
#[track_caller]
pub fn limited(mut command: Command, limit: Duration) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    command.stdin(Stdio::null()).stdout(fs::File::create(&out).unwrap()).stderr(fs::File::create(&err).unwrap());
    let mut child = command.spawn().expect("commitguard runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} still ran after {limit:?}: killed (a hang on hostile input)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap()).into_owned();
    Run { code: status.code().unwrap_or(-1), stdout: read(&out), stderr: read(&err) }
}

/// commitguard in `dir` with the harness's environment.
pub fn cg_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(bin());
    command.current_dir(dir).args(args).env("NO_COLOR", "1");
    command.env_remove("PRE_COMMIT_FROM_REF").env_remove("PRE_COMMIT_TO_REF").env_remove("COMMITGUARD_LOG");
    command
}

const GENEROUS: Duration = Duration::from_secs(240);

/// `count` fake keys, one per line, each `k=<key>`.
fn keys(count: usize) -> Vec<String> {
    (0..count).map(|_| fake_aws_key()).collect()
}

#[test]
fn hostile_empty_repository() {
    let repo = Repo::new();
    let human = repo.cg(&["secrets"]);
    human.expect_code(0);
    assert_eq!((human.stdout.as_str(), human.stderr.as_str()), ("", ""));
    repo.cg_json(&["secrets", "--all-files"]).expect_code(0);
    assert!(repo.cg_json(&["secrets", "--staged"]).findings().is_empty());
    let history = repo.cg_json(&["secrets", "--history"]);
    history.expect_code(2);
    assert!(history.stderr.starts_with("commitguard: revision \"HEAD\""), "{}", history.stderr);
}

#[test]
fn hostile_no_commits_and_a_staged_file() {
    let repo = Repo::new();
    repo.write("first.env", format!("A=1\nKEY={}\n", fake_aws_key()));
    repo.git(&["add", "first.env"]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@first.env:2"]);
}

#[test]
fn hostile_detached_head_is_scanned_normally() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("one");
    repo.git(&["checkout", "-q", "--detach"]);
    repo.write("a.txt", format!("a\n{}\n", fake_aws_key()));
    repo.git(&["add", "a.txt"]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@a.txt:2"]);
    let history = repo.cg_json(&["secrets", "--history"]);
    history.expect_code(0);
}

#[test]
fn hostile_bare_repository_staged_is_an_error() {
    let dir = Repo::empty_dir();
    git_command(dir.path()).args(["init", "-q", "--bare", "b.git"]).output().unwrap();
    let bare = dir.path().join("b.git");
    for args in [&["secrets", "--staged"][..], &["secrets"], &["secrets", "--all-files"]] {
        let run = limited(cg_command(&bare, args), GENEROUS);
        run.expect_code(2);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.starts_with("commitguard: "), "{}", run.stderr);
        assert!(
            run.stderr.ends_with("b.git/: bare repository: it has no working tree or index to scan\n"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn hostile_linked_worktree() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("one");
    let linked = repo.path().join("linked");
    repo.git(&["worktree", "add", "-q", "-b", "side", linked.to_str().unwrap()]);
    fs::write(linked.join("b.txt"), format!("{}\n", fake_aws_key())).unwrap();
    git_command(&linked).args(["add", "b.txt"]).output().unwrap();
    let run = limited(cg_command(&linked, &["secrets", "--format", "json"]), GENEROUS);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@b.txt:1"], "paths are relative to the linked tree");
    // The main worktree has nothing staged.
    repo.cg_json(&["secrets"]).expect_code(0);
}

#[test]
fn hostile_sparse_checkout_is_scanned_normally() {
    let repo = Repo::new();
    repo.write("kept/a.txt", "a\n");
    repo.write("gone/b.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("one");
    repo.git(&["sparse-checkout", "set", "kept"]);
    assert!(!repo.path().join("gone").exists(), "sparse checkout removed the folder");
    repo.write("kept/a.txt", format!("a\n{}\n", fake_aws_key()));
    repo.git(&["add", "kept/a.txt"]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@kept/a.txt:2"]);
    // The whole-tree scan sees the files on disk: the staged one only.
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), ["aws-access-key-id@kept/a.txt:2"]);
}

#[test]
fn hostile_submodule_change_is_skipped() {
    let inner = Repo::new();
    inner.write("x.txt", format!("{}\n", fake_aws_key()));
    inner.commit_all("inner");
    let repo = Repo::new();
    let url = inner.path().to_str().unwrap();
    repo.git(&["-c", "protocol.file.allow=always", "submodule", "add", "-q", url, "sub"]);
    repo.commit_all("add sub");
    inner.write("y.txt", format!("{}\n", fake_aws_key()));
    inner.commit_all("inner two");
    let sub = repo.path().join("sub");
    git_command(&sub).args(["pull", "-q", "origin", "main"]).output().unwrap();
    repo.git(&["add", "sub"]);
    assert!(repo.git(&["diff", "--cached", "--name-only"]).contains("sub"), "the pointer change is staged");
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(0);
    assert!(run.findings().is_empty());
    // Named as an argument, the folder is walked like any other folder:
    // that scans the submodule's own files (the pre-commit framework never
    // passes a submodule, which is not a file).
    let by_arg = repo.cg_json(&["secrets", "sub"]);
    assert_eq!(by_arg.locations(), ["aws-access-key-id@sub/x.txt:1", "aws-access-key-id@sub/y.txt:1"]);
}

#[test]
fn hostile_merge_in_progress() {
    let repo = Repo::new();
    repo.write("c.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("c.txt", format!("side {}\n", fake_aws_key()));
    repo.write("theirs.txt", format!("k={}\n", fake_aws_key()));
    repo.commit_all("side");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("c.txt", "main\n");
    repo.commit_all("main");
    let merge = git_command(repo.path()).args(["merge", "-q", "side"]).output().unwrap();
    assert!(!merge.status.success(), "the merge conflicts");
    assert!(repo.path().join(".git/MERGE_HEAD").exists());
    // The conflicted path cannot be committed yet and is not scanned; the
    // cleanly merged file is new relative to HEAD.
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@theirs.txt:1"]);
    // Resolved by taking theirs: now the resolution is scanned too.
    repo.git(&["checkout", "--theirs", "c.txt"]);
    repo.git(&["add", "c.txt"]);
    let resolved = repo.cg_json(&["secrets"]);
    assert_eq!(resolved.locations(), ["aws-access-key-id@c.txt:1", "aws-access-key-id@theirs.txt:1"]);
    assert!(repo.path().join(".git/MERGE_HEAD").exists(), "the merge state is left alone");
}

#[test]
fn hostile_file_deleted_in_the_index_but_present_on_disk() {
    let repo = Repo::new();
    repo.write("f.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("one");
    repo.git(&["rm", "-q", "--cached", "f.txt"]);
    repo.cg_json(&["secrets"]).expect_code(0);
    // Named as an argument it is a deletion in the diff: nothing new.
    repo.cg_json(&["secrets", "f.txt"]).expect_code(0);
    // The tree on disk still holds it.
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), ["aws-access-key-id@f.txt:1"]);
}

#[test]
fn hostile_symlink_to_a_file_outside_is_not_followed() {
    let outside = Repo::empty_dir();
    outside.write("secret.txt", format!("{}\n", fake_aws_key()));
    let repo = Repo::new();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), repo.path().join("link.txt")).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("linkdir")).unwrap();
    repo.git(&["add", "link.txt", "linkdir"]);
    for args in [&["secrets"][..], &["secrets", "link.txt"], &["secrets", "--all-files"], &["secrets", "linkdir"]] {
        let run = repo.cg_json(args);
        run.expect_code(0);
        assert!(run.findings().is_empty(), "{args:?}: {:?}", run.findings());
    }
    repo.git(&["reset", "-q"]);
    let named = repo.cg_json(&["secrets", "link.txt"]);
    named.expect_code(0);
    assert!(named.stderr.contains("link.txt: not a regular file (symlinks are not followed)"), "{}", named.stderr);
}

#[test]
fn hostile_directory_named_like_a_file_argument() {
    let repo = Repo::new();
    repo.write("config.ini/inner.txt", format!("{}\n", fake_aws_key()));
    let run = repo.cg_json(&["secrets", "config.ini"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@config.ini/inner.txt:1"]);
    repo.git(&["add", "."]);
    assert_eq!(repo.cg_json(&["secrets", "config.ini"]).locations(), ["aws-access-key-id@config.ini/inner.txt:1"]);
}

/// Writes `size` bytes of one line (no newline) made of `unit` repeated,
/// then `tail`, in large chunks.
fn write_one_line(path: &Path, unit: &[u8], size: usize, tail: &str) {
    let mut file = std::io::BufWriter::with_capacity(1 << 20, fs::File::create(path).unwrap());
    let chunk: Vec<u8> = unit.iter().copied().cycle().take(1 << 20).collect();
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    file.write_all(tail.as_bytes()).unwrap();
    file.flush().unwrap();
}

/// A 200 MB single line is skipped by the default 10M limit without being
/// read. Scanned with a raised limit, the same shape (a single line, the
/// secret at its very end) finishes. The debug binary of the test suite
/// runs the keyword automaton unoptimised: on a 200 MB line of one repeated
/// letter it took about 3 minutes of CPU where the release build took 2.4
/// seconds (5 s wall clock), so the raised-limit run here uses 24 MB.
#[test]
fn hostile_single_line_of_200_mb() {
    let repo = Repo::new();
    let key = fake_aws_key();
    write_one_line(&repo.path().join("huge.min.js"), b"var a=0;", 200 << 20, &format!(" k={key}"));
    repo.write("small.txt", format!("{}\n", fake_aws_key()));
    let run = limited(cg_command(repo.path(), &["secrets", "huge.min.js", "small.txt"]), GENEROUS);
    run.expect_code(1);
    assert!(run.stdout.contains("small.txt:1:1: error[aws-access-key-id]"), "{}", run.stdout);
    assert!(run.stdout.ends_with("in 1 file (21 bytes) scanned; skipped 1 over the size limit\n"), "{}", run.stdout);
    let tree = limited(cg_command(repo.path(), &["secrets", "--all-files", "--format", "json"]), GENEROUS);
    assert_eq!(tree.locations(), ["aws-access-key-id@small.txt:1"]);

    let size = 24 << 20;
    write_one_line(&repo.path().join("line.min.js"), b"function(e){return e.token&&x}", size, &format!(" k={key}"));
    let args = ["secrets", "--max-size", "32M", "--format", "json", "line.min.js"];
    let scanned = limited(cg_command(repo.path(), &args), GENEROUS);
    scanned.expect_code(1);
    assert_eq!(scanned.locations(), ["aws-access-key-id@line.min.js:1"]);
    assert_eq!(scanned.findings()[0]["column"], size + 4);
}

/// Megabytes of text where every few bytes is a rule keyword, and the same
/// keys once one per line and once all on one line: the counts agree and
/// the run ends (this row was quadratic before: every finding on a long
/// line re-read the line from its start).
#[test]
fn hostile_text_dense_with_rule_keywords() {
    let repo = Repo::new();
    let words = "password token secret key api aws AKIA ghp_ xoxb- sk_live_ glpat- Bearer ";
    let dense = words.repeat((2 << 20) / words.len());
    let planted = fake_aws_key();
    repo.write("dense.txt", format!("{dense}\n{}\n", planted));
    let run = limited(cg_command(repo.path(), &["secrets", "--format", "json", "dense.txt"]), GENEROUS);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@dense.txt:2"]);

    let keys = keys(8000);
    repo.write("lines.txt", keys.iter().map(|k| format!("k={k}\n")).collect::<String>());
    repo.write("one.txt", keys.iter().map(|k| format!("k={k} ")).collect::<String>());
    let lines = limited(cg_command(repo.path(), &["secrets", "--format", "json", "lines.txt"]), GENEROUS);
    let one = limited(cg_command(repo.path(), &["secrets", "--format", "json", "one.txt"]), GENEROUS);
    let expected = lines.findings().len();
    assert!(expected > 7900, "nearly every random key is reported: {expected}");
    let found = one.findings();
    assert_eq!(found.len(), expected);
    assert!(found.iter().all(|f| f["line"] == 1));
    // Columns stay exact far along the line.
    let last = found.last().unwrap();
    assert_eq!(last["column"], (keys.len() - 1) * 23 + 3);
}

#[test]
fn hostile_ten_million_short_lines() {
    let repo = Repo::new();
    let path = repo.path().join("lines.txt");
    let mut file = std::io::BufWriter::with_capacity(1 << 20, fs::File::create(&path).unwrap());
    let block = "x\n".repeat(1 << 16);
    for _ in 0..(10_000_000 / (1 << 16)) {
        file.write_all(block.as_bytes()).unwrap();
    }
    file.write_all("x\n".repeat(10_000_000 % (1 << 16)).as_bytes()).unwrap();
    file.write_all(format!("k={}\n", fake_aws_key()).as_bytes()).unwrap();
    file.flush().unwrap();
    drop(file);
    let run =
        limited(cg_command(repo.path(), &["secrets", "--max-size", "64M", "--format", "json", "lines.txt"]), GENEROUS);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@lines.txt:10000001"]);
    // Under the default 10M limit it is skipped, not scanned.
    limited(cg_command(repo.path(), &["secrets", "--format", "json", "lines.txt"]), GENEROUS).expect_code(0);
}

#[test]
fn hostile_nul_bytes() {
    let repo = Repo::new();
    repo.write("nul.txt", format!("a\0b\nk={}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    repo.cg_json(&["secrets"]).expect_code(0);
    repo.cg_json(&["secrets", "nul.txt"]).expect_code(0);
    repo.cg_json(&["secrets", "--all-files"]).expect_code(0);
    let binary = repo.cg_json(&["secrets", "--binary", "--all-files"]);
    binary.expect_code(1);
    assert_eq!(binary.locations(), ["aws-access-key-id@nul.txt:2"]);
}

#[test]
fn hostile_invalid_utf8() {
    let repo = Repo::new();
    let key = fake_aws_key();
    let mut bytes = b"\xff\xfe\xc3(\n\x80\x80k=".to_vec();
    bytes.extend_from_slice(key.as_bytes());
    bytes.extend_from_slice(b" \xe2\x28\xa1\n");
    repo.write("bad.txt", &bytes);
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets", "--show-secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@bad.txt:2"]);
    let f = &run.findings()[0];
    assert_eq!((f["column"].as_u64(), f["end_column"].as_u64()), (Some(5), Some(25)), "each invalid byte is a column");
    assert_eq!(f["secret"], key.as_str());
}

/// UTF-16 text holds NUL bytes, so it is taken for binary and skipped
/// (a limitation shared with gitleaks); `--binary` does not decode it
/// either, so a key in it is not found.
#[test]
fn hostile_utf16_with_bom() {
    let repo = Repo::new();
    let text = format!("key = {}\r\n", fake_aws_key());
    let mut bytes = vec![0xff, 0xfe];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    repo.write("wide.txt", &bytes);
    repo.write("plain.txt", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg(&["secrets"]);
    run.expect_code(1);
    assert!(run.stdout.ends_with("in 1 file (21 bytes) scanned; skipped 1 binary\n"), "{}", run.stdout);
    assert_eq!(repo.cg_json(&["secrets", "--binary", "--all-files"]).locations(), ["aws-access-key-id@plain.txt:1"]);
}

#[test]
fn hostile_crlf_and_mixed_line_endings() {
    let repo = Repo::new();
    let (a, b, c) = (fake_aws_key(), fake_aws_key(), fake_aws_key());
    repo.write("crlf.txt", format!("one\r\nk={a}\r\n"));
    // \n, \r\n and a lone \r (not a line break for git nor for commitguard).
    repo.write("mixed.txt", format!("one\nk={b}\r\nthree\rk={c}\n"));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(
        run.locations(),
        ["aws-access-key-id@crlf.txt:2", "aws-access-key-id@mixed.txt:2", "aws-access-key-id@mixed.txt:3"]
    );
    let f = run.findings();
    assert_eq!(f[2]["column"], 9, "the lone \\r counts as a character of line 3");
    let human = repo.cg(&["secrets"]);
    assert!(
        human.stdout.contains("    line:   k=AKIA****************\n"),
        "no \\r reaches the terminal: {}",
        human.stdout
    );
    assert!(human.stdout.contains("    line:   three\\u{d}k=AKIA"), "{}", human.stdout);
}

#[test]
fn hostile_path_with_a_newline() {
    let repo = Repo::new();
    repo.write("a\nb.txt", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let human = repo.cg(&["secrets"]);
    human.expect_code(1);
    assert!(human.stdout.starts_with("a\\u{a}b.txt:1:1: error[aws-access-key-id]"), "{}", human.stdout);
    assert_eq!(human.stdout.lines().count(), 5, "one block of three lines, a blank, the summary: {}", human.stdout);
    let json = repo.cg_json(&["secrets"]);
    assert_eq!(json.findings()[0]["path"], "a\nb.txt");
    let sarif = repo.cg(&["secrets", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let uri = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "a%0Ab.txt", "{uri}");
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), json.locations());
}

#[test]
fn hostile_paths_with_spaces_and_non_ascii() {
    let repo = Repo::new();
    repo.write("with space/naïve ключ 鍵.txt", format!("{}\n", fake_aws_key()));
    repo.write(" lead and trail .txt ", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    let expected = ["aws-access-key-id@ lead and trail .txt :1", "aws-access-key-id@with space/naïve ключ 鍵.txt:1"];
    assert_eq!(run.locations(), expected);
    let by_arg = repo.cg_json(&["secrets", "with space/naïve ключ 鍵.txt", " lead and trail .txt "]);
    assert_eq!(by_arg.locations(), expected);
    let human = repo.cg(&["secrets"]);
    assert!(human.stdout.contains("with space/naïve ключ 鍵.txt:1:1: error"), "{}", human.stdout);
}

#[test]
fn hostile_twenty_thousand_staged_files() {
    let repo = Repo::new();
    for i in 0..20_000 {
        let dir = repo.path().join(format!("d{}", i % 100));
        if i < 100 {
            fs::create_dir_all(&dir).unwrap();
        }
        fs::write(dir.join(format!("f{i}.txt")), format!("file {i}\n")).unwrap();
    }
    repo.write("d7/leak.txt", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = limited(cg_command(repo.path(), &["secrets", "--format", "json"]), GENEROUS);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@d7/leak.txt:1"]);
    let human = limited(cg_command(repo.path(), &["secrets"]), GENEROUS);
    assert!(human.stdout.contains("in 20001 files ("), "{}", human.stdout);
    // As the pre-commit framework calls it: every staged name an argument.
    let names = repo.git(&["diff", "--cached", "--name-only"]);
    let mut args = vec!["secrets", "--format", "json"];
    args.extend(names.lines());
    assert_eq!(args.len(), 20_004);
    let by_name = limited(cg_command(repo.path(), &args), GENEROUS);
    assert_eq!(by_name.locations(), ["aws-access-key-id@d7/leak.txt:1"]);
}

#[test]
fn hostile_gitleaks_regex_the_engine_cannot_compile() {
    let repo = Repo::new();
    repo.write(
        ".gitleaks.toml",
        "[[rules]]\nid = 'ok'\nregex = 'a'\n\n[[rules]]\nid = 'lookahead'\nregex = '''foo(?=bar)'''\n",
    );
    repo.write("a.txt", "foobar\n");
    repo.git(&["add", "a.txt"]);
    let run = repo.cg(&["secrets"]);
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let path = repo.path().join(".gitleaks.toml");
    let expected = format!("commitguard: {}:5: rule lookahead: regex does not compile: ", path.display());
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
    assert!(
        run.stderr.contains("look-around, including look-ahead and look-behind, is not supported"),
        "{}",
        run.stderr
    );
}

/// A RustSec-layout database with the given (id, package) advisories, each
/// affecting every version before 9.0.0.
fn rustsec_db(root: &Path, advisories: &[(String, String)]) -> PathBuf {
    for (id, package) in advisories {
        let path = root.join("crates").join(package).join(format!("{id}.md"));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = format!(
            "```toml\n[advisory]\nid = \"{id}\"\npackage = \"{package}\"\ndate = \"2022-01-01\"\n\n\
             [versions]\npatched = [\">= 9.0.0\"]\n```\n\n# {package} problem\n\nDetails.\n"
        );
        fs::write(path, text).unwrap();
    }
    root.to_path_buf()
}

fn cargo_lock(packages: &[&str]) -> String {
    let mut out = String::from("version = 3\n");
    for name in packages {
        out.push_str(&format!(
            "\n[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        ));
    }
    out
}

/// A scratch directory for deps runs, with its own cache and cargo home.
struct Deps {
    dir: tempfile::TempDir,
}

impl Deps {
    fn new() -> Deps {
        let deps = Deps { dir: tempfile::tempdir().unwrap() };
        fs::create_dir_all(deps.work()).unwrap();
        deps
    }

    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }

    fn db(&self, advisories: &[(String, String)]) -> PathBuf {
        rustsec_db(&self.dir.path().join("db"), advisories)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = cg_command(&self.work(), args);
        command.env("COMMITGUARD_CACHE_DIR", self.dir.path().join("cache"));
        command.env("CARGO_HOME", self.dir.path().join("cargo-home"));
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        limited(self.command(args), GENEROUS)
    }
}

fn one_advisory() -> Vec<(String, String)> {
    vec![("RUSTSEC-2022-0001".to_owned(), "direct".to_owned())]
}

#[test]
fn hostile_deny_toml_key_cargo_deny_rejects() {
    let deps = Deps::new();
    let db = deps.db(&one_advisory());
    fs::write(deps.work().join("Cargo.lock"), cargo_lock(&["direct"])).unwrap();
    // cargo-deny spells it `multiple-versions` and rejects the snake case.
    fs::write(deps.work().join("deny.toml"), "[bans]\nmultiple_versions = \"deny\"\n").unwrap();
    let run = deps.run(&["deps", "--db", db.to_str().unwrap()]);
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(
            "commitguard: deny.toml:2: unknown field `multiple_versions`, expected one of `multiple-versions`"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn hostile_lockfile_truncated_in_the_middle() {
    let deps = Deps::new();
    let db = deps.db(&one_advisory());
    let whole = cargo_lock(&["direct", "other", "third"]);
    let cut = &whole[..whole.find("name = \"other\"").unwrap() + 9];
    fs::write(deps.work().join("Cargo.lock"), cut).unwrap();
    let run = deps.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "commitguard: Cargo.lock:9: not a valid Cargo.lock: parse error: TOML parse error at line 9, column 10: \
         invalid basic string, expected `\"`\n"
    );
    assert!(run.findings().is_empty(), "nothing is reported from half a lockfile");
    let npm = "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"node_modules/a\": { \"version\": \"1.0";
    fs::remove_file(deps.work().join("Cargo.lock")).unwrap();
    fs::write(deps.work().join("package-lock.json"), npm).unwrap();
    let run = deps.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    run.expect_code(2);
    assert!(run.stderr.contains("commitguard: package-lock.json:4: "), "{}", run.stderr);
}

#[test]
fn hostile_advisory_database_with_a_malformed_advisory() {
    let deps = Deps::new();
    let db = deps.db(&one_advisory());
    let bad = db.join("crates/broken/RUSTSEC-2022-0002.md");
    fs::create_dir_all(bad.parent().unwrap()).unwrap();
    fs::write(&bad, "```toml\n[advisory]\nid = \"RUSTSEC-2022-0002\"\npackage = \n```\n").unwrap();
    fs::write(deps.work().join("Cargo.lock"), cargo_lock(&["direct", "broken"])).unwrap();
    let run = deps.run(&["deps", "--format", "json", "--db", db.to_str().unwrap()]);
    run.expect_code(1);
    let warning = format!("commitguard: warning: {}: skipped malformed advisory: ", bad.display());
    assert!(run.stderr.contains(&warning), "{}", run.stderr);
    let rules: Vec<_> = run.findings().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect();
    assert_eq!(rules, ["RUSTSEC-2022-0001"], "the rest of the database is still used");
}

#[test]
fn hostile_unwritable_baseline_path() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    repo.write("blocker", "a file, not a folder\n");
    let run = repo.cg(&["baseline", "create", "--baseline", "blocker/baseline.json"]);
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.starts_with("commitguard: blocker/baseline.json: cannot "), "{}", run.stderr);
    assert_eq!(fs::read_to_string(repo.path().join("blocker")).unwrap(), "a file, not a folder\n");
}

/// A baseline on a read-only mount (tests run as root, so permissions
/// alone cannot refuse a write): the update fails and the old file stays.
#[test]
fn hostile_read_only_baseline_keeps_the_old_one() {
    if !can_unshare(&["-m"]) {
        return skip("hostile_read_only_baseline_keeps_the_old_one", "unshare -m (a mount namespace) is not available");
    }
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    let dir = repo.path().join("ro");
    fs::create_dir_all(&dir).unwrap();
    let baseline = dir.join("baseline.json");
    repo.cg(&["baseline", "create", "--baseline", "ro/baseline.json"]).expect_code(0);
    let old = fs::read(&baseline).unwrap();
    repo.write("b.txt", format!("{}\n", fake_aws_key()));
    let script = format!(
        "mount --bind -o ro '{0}' '{0}' && exec '{1}' baseline create --baseline ro/baseline.json",
        dir.display(),
        bin().display()
    );
    let mut command = Command::new("unshare");
    command.current_dir(repo.path()).args(["-m", "sh", "-c", &script]);
    let run = limited(command, GENEROUS);
    run.expect_code(2);
    assert!(run.stderr.starts_with(&format!("commitguard: {}: cannot write: ", "ro/baseline.json")), "{}", run.stderr);
    assert!(run.stderr.contains("Read-only file system"), "{}", run.stderr);
    assert_eq!(fs::read(&baseline).unwrap(), old, "the old baseline is intact");
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left beside it");
}

/// Whether `unshare` with these flags works here.
pub fn can_unshare(flags: &[&str]) -> bool {
    Command::new("unshare").args(flags).arg("true").output().is_ok_and(|o| o.status.success())
}

/// Says loudly that a row cannot run here; fails under CI.
pub fn skip(test: &str, why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{test} cannot run: {why}");
    }
    eprintln!("note: {test} NOT RUN: {why}");
}

#[test]
fn hostile_two_processes_updating_the_same_cache() {
    let deps = Deps::new();
    let advisories: Vec<(String, String)> =
        (0..600).map(|i| (format!("RUSTSEC-2022-{i:04}"), format!("crate{}", i % 200))).collect();
    let db = deps.db(&advisories);
    fs::write(deps.work().join("Cargo.lock"), cargo_lock(&["crate1", "crate77", "unrelated"])).unwrap();
    let args = ["deps", "--format", "json", "--db", db.to_str().unwrap()];
    let reference = deps.run(&args);
    reference.expect_code(1);
    assert_eq!(reference.findings().len(), 6);
    let index = deps.dir.path().join("cache/index");
    for round in 0..4 {
        fs::remove_dir_all(&index).unwrap();
        let children: Vec<_> = (0..2)
            .map(|_| deps.command(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert_eq!(output.status.code(), Some(1), "round {round}: {}", String::from_utf8_lossy(&output.stderr));
            assert_eq!(String::from_utf8_lossy(&output.stdout), reference.stdout, "round {round}");
        }
        let files: Vec<_> = fs::read_dir(&index).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(files.len(), 1, "one index, no temporary file left: {files:?}");
        let after = deps.run(&["deps", "--format", "json", "--db", db.to_str().unwrap(), "-v"]);
        assert!(after.stderr.contains("index is current, 600 advisories"), "round {round}: {}", after.stderr);
        assert_eq!(after.stdout, reference.stdout);
    }
}
