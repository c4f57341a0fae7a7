//! `commitguard secrets` against real repositories.

use commitguard::secrets::validate::Checksum;

use crate::util::{fake, fake_aws_key, snapshot, Repo};

#[test]
fn staged_secret_blocks_first_commit() {
    let repo = Repo::new();
    let key = fake_aws_key();
    repo.write("config.ini", format!("[default]\nregion = eu-west-1\naws_access_key_id = {key}\n"));
    repo.git(&["add", "config.ini"]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    let findings = run.findings();
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(f["check"], "secrets");
    assert_eq!(f["level"], "error");
    assert_eq!(f["rule"], "aws-access-key-id");
    assert_eq!(f["path"], "config.ini");
    assert_eq!(f["line"], 3);
    assert_eq!(f["column"], 21);
    assert_eq!(f["end_line"], 3);
    assert_eq!(f["end_column"], 41);
    assert_eq!(f["secret_redacted"].as_str().unwrap().len(), 20);
    assert!(f["secret_redacted"].as_str().unwrap().starts_with("AKIA*"));
    assert_eq!(f["fingerprint"].as_str().unwrap().len(), 64);
    assert!(!run.stdout.contains(&key) && !run.stderr.contains(&key), "full secret printed");
}

#[test]
fn human_report_redacts_unless_asked() {
    let repo = Repo::new();
    let key = fake_aws_key();
    repo.write("a.env", format!("KEY={key}\n"));
    repo.git(&["add", "."]);
    let run = repo.cg(&["secrets", "--staged"]);
    run.expect_code(1);
    assert!(run.stdout.contains("a.env:1:5: error[aws-access-key-id]"), "{}", run.stdout);
    assert!(run.stdout.contains("KEY=AKIA****"), "{}", run.stdout);
    assert!(!run.stdout.contains(&key) && !run.stderr.contains(&key));
    let shown = repo.cg(&["secrets", "--staged", "--show-secrets"]);
    assert!(shown.stdout.contains(&key), "{}", shown.stdout);
    let json = repo.cg_json(&["secrets", "--show-secrets"]);
    assert_eq!(json.findings()[0]["secret"], key.as_str());
}

#[test]
fn committed_secret_does_not_block_a_later_line() {
    let repo = Repo::new();
    repo.write("settings.py", format!("KEY = '{}'\nDEBUG = False\n", fake_aws_key()));
    repo.commit_all("old secret");
    repo.write("settings.py", format!("KEY = '{}'\nDEBUG = False\nNAME = 'x'\n", "unchanged-first-line-differs"));
    // Put the original first line back: only line 3 is new.
    let old = repo.git(&["show", "HEAD:settings.py"]);
    repo.write("settings.py", format!("{old}NAME = 'x'\n"));
    repo.git(&["add", "settings.py"]);
    repo.cg_json(&["secrets"]).expect_code(0);
    // The same file passed as an argument, as the pre-commit framework does.
    repo.cg_json(&["secrets", "settings.py"]).expect_code(0);
    // Unstaged, the file is scanned whole.
    repo.git(&["reset", "-q"]);
    let whole = repo.cg_json(&["secrets", "settings.py"]);
    whole.expect_code(1);
    assert_eq!(whole.locations(), ["aws-access-key-id@settings.py:1"]);
}

#[test]
fn only_new_lines_of_a_modified_file_count() {
    let repo = Repo::new();
    let old = fake_aws_key();
    repo.write("keys.txt", format!("{old}\n"));
    repo.commit_all("one");
    repo.write("keys.txt", format!("{old}\nsomething\n{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@keys.txt:3"]);
}

#[test]
fn rename_adds_nothing_new() {
    let repo = Repo::new();
    let body: String = (0..40).map(|i| format!("line {i} of ordinary text\n")).collect();
    repo.write("old name.txt", format!("{body}token = {}\n", fake_aws_key()));
    repo.commit_all("one");
    repo.git(&["mv", "old name.txt", "new name.txt"]);
    repo.cg_json(&["secrets"]).expect_code(0);
    // A rename with one new line reports only that line.
    let content = std::fs::read_to_string(repo.path().join("new name.txt")).unwrap();
    repo.write("new name.txt", format!("{content}extra = {}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    assert_eq!(run.locations(), ["aws-access-key-id@new name.txt:42"]);
}

#[test]
fn copy_counts_only_really_new_lines() {
    let repo = Repo::new();
    let body: String = (0..40).map(|i| format!("line {i} of ordinary text\n")).collect();
    repo.write("a.txt", format!("{body}token = {}\n", fake_aws_key()));
    repo.commit_all("one");
    // Modify the source so git considers it as a copy source, then copy it.
    let content = std::fs::read_to_string(repo.path().join("a.txt")).unwrap();
    repo.write("a.txt", format!("{content}tail\n"));
    repo.write("b.txt", &content);
    repo.git(&["add", "."]);
    repo.cg_json(&["secrets"]).expect_code(0);
}

#[test]
fn binary_blobs_are_skipped() {
    let repo = Repo::new();
    let mut bytes = b"\x00\x01binary".to_vec();
    bytes.extend_from_slice(format!("\n{}\n", fake_aws_key()).as_bytes());
    repo.write("blob.dat2", &bytes);
    repo.git(&["add", "."]);
    repo.cg_json(&["secrets"]).expect_code(0);
    let binary = repo.cg_json(&["secrets", "--all-files", "--binary"]);
    assert_eq!(binary.locations(), ["aws-access-key-id@blob.dat2:2"]);
}

#[test]
fn crlf_and_missing_final_newline() {
    let repo = Repo::new();
    let key = fake_aws_key();
    repo.write("win.txt", format!("first\r\nkey: {key}\r\nlast {}", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets", "--show-secrets"]);
    let findings = run.findings();
    assert_eq!(run.locations(), ["aws-access-key-id@win.txt:2", "aws-access-key-id@win.txt:3"]);
    assert_eq!(findings[0]["secret"], key.as_str());
    assert_eq!(findings[0]["column"], 6);
    assert_eq!(findings[0]["end_column"], 26);
}

#[test]
fn deleted_file_is_not_scanned() {
    let repo = Repo::new();
    repo.write("gone.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("one");
    repo.git(&["rm", "-q", "gone.txt"]);
    repo.cg_json(&["secrets"]).expect_code(0);
}

#[test]
fn intent_to_add_is_not_content() {
    let repo = Repo::new();
    repo.write("later.txt", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "-N", "later.txt"]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(0);
    assert!(run.findings().is_empty());
}

#[test]
fn inline_allow_marks() {
    let repo = Repo::new();
    let lines = [
        format!("a = '{}'  # commitguard:allow", fake_aws_key()),
        "# commitguard:allow-next-line".to_owned(),
        format!("b = '{}'", fake_aws_key()),
        format!("c = '{}'  // gitleaks:allow", fake_aws_key()),
        format!("d = '{}'  # pragma: allowlist secret", fake_aws_key()),
        "# pragma: allowlist nextline secret".to_owned(),
        format!("e = '{}'", fake_aws_key()),
        format!("f = '{}'  # commitguard:allow-next-line", fake_aws_key()),
        format!("g = '{}'", fake_aws_key()),
    ];
    repo.write("marks.py", lines.join("\n") + "\n");
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    // Only line 8 is reported: its own mark silences line 9, not itself.
    assert_eq!(run.locations(), ["aws-access-key-id@marks.py:8"]);
}

#[test]
fn non_ascii_and_spaced_paths() {
    let repo = Repo::new();
    repo.write("dir with space/clé ünïcødé.txt", format!("é = {}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    let findings = run.findings();
    assert_eq!(run.locations(), ["aws-access-key-id@dir with space/clé ünïcødé.txt:1"]);
    assert_eq!(findings[0]["column"], 5, "columns count characters");
    let by_arg = repo.cg_json(&["secrets", "dir with space/clé ünïcødé.txt"]);
    assert_eq!(by_arg.locations(), run.locations());
}

#[test]
fn commitguardignore_applies_to_every_mode() {
    let repo = Repo::new();
    repo.write(".commitguardignore", "fixtures/\n*.snap\n");
    repo.write("fixtures/deep/conf.py", format!("KEY = '{}'\n", fake_aws_key()));
    repo.write("ui.snap", format!("{}\n", fake_aws_key()));
    repo.write("app.py", format!("KEY = '{}'\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let only_app = ["aws-access-key-id@app.py:1"];
    assert_eq!(repo.cg_json(&["secrets", "--staged"]).locations(), only_app);
    // What the pre-commit framework passes: every staged path.
    let staged = repo.git(&["diff", "--cached", "--name-only"]);
    let mut args = vec!["secrets"];
    args.extend(staged.lines());
    assert_eq!(args.len(), 5, "{staged}");
    assert_eq!(repo.cg_json(&args).locations(), only_app);
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), only_app);
    repo.commit_all("add");
    let history = repo.cg_json(&["secrets", "--history"]);
    assert_eq!(history.locations(), only_app);
}

#[test]
fn ignore_files_above_the_repository_are_not_its_own() {
    // A home folder kept in git with `*` in its .gitignore, and a project
    // repository below it.
    let home = Repo::empty_dir();
    home.write(".gitignore", "*\n");
    home.write("project/a.txt", format!("{}\n", fake_aws_key()));
    crate::util::git_command(&home.path().join("project")).args(["init", "-q"]).output().unwrap();
    let mut cg = std::process::Command::new(crate::util::bin());
    let out = cg.current_dir(home.path().join("project")).args(["secrets", "--all-files", "--format", "json"]);
    assert_eq!(out.output().unwrap().status.code(), Some(1));
}

#[test]
fn all_files_scans_tracked_files_that_gitignore_matches() {
    let repo = Repo::new();
    repo.write(".gitignore", "*.env\nbuild/\n");
    repo.write("prod.env", format!("AWS={}\n", fake_aws_key()));
    repo.write("build/keep.txt", format!("{}\n", fake_aws_key()));
    repo.write("local.env", format!("AWS={}\n", fake_aws_key()));
    repo.git(&["add", "-f", "prod.env", "build/keep.txt"]);
    repo.commit_all("force-added");
    let run = repo.cg_json(&["secrets", "--all-files"]);
    assert_eq!(run.locations(), ["aws-access-key-id@build/keep.txt:1", "aws-access-key-id@prod.env:1"]);
    assert_eq!(repo.cg_json(&["secrets", "--all-files", "build"]).locations(), ["aws-access-key-id@build/keep.txt:1"]);
    // .commitguardignore still has the last word.
    repo.write(".commitguardignore", "prod.env\n");
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), ["aws-access-key-id@build/keep.txt:1"]);
}

#[test]
fn a_folder_argument_that_commitguardignore_names_is_left_out() {
    let repo = Repo::new();
    repo.write(".commitguardignore", "sub/\n*.log\n");
    repo.write("sub/deep/b.txt", format!("{}\n", fake_aws_key()));
    repo.write("b.log", format!("{}\n", fake_aws_key()));
    repo.write("kept/c.txt", format!("{}\n", fake_aws_key()));
    for args in [
        &["secrets", "sub", "b.log", "kept"][..],
        &["secrets", "--all-files", "sub", "sub/deep", "b.log", "kept"],
        &["secrets", "--all-files"],
    ] {
        assert_eq!(repo.cg_json(args).locations(), ["aws-access-key-id@kept/c.txt:1"], "{args:?}");
    }
}

#[test]
fn all_files_honours_gitignore_and_scans_hidden_files() {
    let repo = Repo::new();
    repo.write(".gitignore", "build/\n*.log\n");
    repo.write("build/out.txt", format!("{}\n", fake_aws_key()));
    repo.write("debug.log", format!("{}\n", fake_aws_key()));
    repo.write(".env", format!("AWS={}\n", fake_aws_key()));
    repo.write("src/main.rs", format!("// {}\n", fake_aws_key()));
    repo.write(".commitguardignore", "fixtures/\n");
    repo.write("fixtures/x.txt", format!("{}\n", fake_aws_key()));
    let run = repo.cg_json(&["secrets", "--all-files"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["aws-access-key-id@.env:1", "aws-access-key-id@src/main.rs:1"]);
    // From a subdirectory, paths stay relative to the repository root.
    let mut sub = std::process::Command::new(crate::util::bin());
    sub.current_dir(repo.path().join("src")).args(["secrets", "--all-files", "--format", "json"]);
    let out = String::from_utf8(sub.output().unwrap().stdout).unwrap();
    assert!(out.contains("\"path\": \"src/main.rs\""), "{out}");
}

#[test]
fn directory_argument_is_walked() {
    let repo = Repo::new();
    repo.write("docs/a.md", format!("{}\n", fake_aws_key()));
    repo.write("other/b.md", format!("{}\n", fake_aws_key()));
    let run = repo.cg_json(&["secrets", "docs"]);
    assert_eq!(run.locations(), ["aws-access-key-id@docs/a.md:1"]);
}

#[test]
fn a_file_named_twice_is_scanned_once() {
    let repo = Repo::new();
    repo.write("docs/a.md", format!("{}\n", fake_aws_key()));
    let absolute = repo.path().join("docs/a.md").display().to_string();
    let run = repo.cg_json(&["secrets", "docs/a.md", "./docs/a.md", &absolute, "docs", "."]);
    assert_eq!(run.locations(), ["aws-access-key-id@docs/a.md:1"]);
    let tree = repo.cg_json(&["secrets", "--all-files", "docs", "docs/a.md", "docs"]);
    assert_eq!(tree.locations(), ["aws-access-key-id@docs/a.md:1"]);
}

#[test]
fn the_human_report_shows_no_secret_of_a_shared_line() {
    let repo = Repo::new();
    let (aws, github) = (fake_aws_key(), fake("ghp_{base62:30}{checksum}", Some(Checksum::Crc32Base62)));
    repo.write("env.sh", format!("export AWS={aws} GH={github}\n"));
    let run = repo.cg(&["secrets", "env.sh"]);
    run.expect_code(1);
    assert_eq!(run.stdout.matches("line:").count(), 2, "{}", run.stdout);
    for secret in [&aws, &github] {
        assert!(!run.stdout.contains(&secret[4..]), "{secret} shown in:\n{}", run.stdout);
    }
}

#[test]
fn a_jwt_of_several_kib_is_found() {
    let repo = Repo::new();
    let jwt = fake("eyJhbGciOiJIUzI1NiJ9.eyJ{base64url:3000}{base64url:3000}.{base64url:43}", None);
    repo.write("token.txt", format!("Authorization: Bearer {jwt}\n"));
    let run = repo.cg_json(&["secrets", "token.txt"]);
    assert_eq!(run.locations(), ["jwt-token@token.txt:1"]);
}

#[test]
fn clean_json_report_is_a_whole_document() {
    let repo = Repo::new();
    repo.write("a.txt", "nothing here\n");
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(0);
    assert_eq!(run.stdout.trim(), "{\n  \"findings\": []\n}");
    let human = repo.cg(&["secrets"]);
    human.expect_code(0);
    assert_eq!(human.stdout, "", "the human report is silent when clean");
}

#[test]
fn output_file_receives_the_report() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let run = repo.cg(&["secrets", "--format", "json", "--output", "report.json"]);
    run.expect_code(1);
    assert_eq!(run.stdout, "");
    let report = std::fs::read_to_string(repo.path().join("report.json")).unwrap();
    assert!(report.contains("aws-access-key-id"));
}

#[test]
fn outside_a_repository() {
    let dir = Repo::empty_dir();
    dir.write("a.txt", format!("{}\n", fake_aws_key()));
    let none = dir.cg(&["secrets"]);
    none.expect_code(2);
    assert!(none.stderr.contains("not a git repository"), "{}", none.stderr);
    assert_eq!(none.stderr.lines().count(), 1, "one-line error: {}", none.stderr);
    dir.cg(&["secrets", "--staged"]).expect_code(2);
    let paths = dir.cg_json(&["secrets", "a.txt"]);
    assert_eq!(paths.locations(), ["aws-access-key-id@a.txt:1"]);
    dir.cg_json(&["secrets", "--all-files"]).expect_code(1);
}

#[test]
fn bad_arguments_exit_2() {
    let repo = Repo::new();
    let run = repo.cg(&["secrets", "--no-such-flag"]);
    run.expect_code(2);
    repo.cg(&["secrets", "--max-size", "lots"]).expect_code(2);
    repo.cg(&["frobnicate"]).expect_code(2);
}

#[test]
fn unreadable_and_oversized_files_are_skipped_with_a_note() {
    let repo = Repo::new();
    repo.write("big.txt", format!("{}\n{}", fake_aws_key(), "x".repeat(4096)));
    repo.write("small.txt", format!("{}\n", fake_aws_key()));
    let run = repo.cg(&["secrets", "--max-size", "1K", "big.txt", "small.txt"]);
    run.expect_code(1);
    assert!(run.stdout.contains("small.txt:1:1"), "{}", run.stdout);
    assert!(!run.stdout.contains("big.txt:"), "{}", run.stdout);
    assert!(run.stdout.contains("skipped 1 over the size limit"), "{}", run.stdout);
    // A clean machine-readable report says so on stderr, its stream untouched.
    let json = repo.cg_json(&["secrets", "--max-size", "1K", "big.txt"]);
    json.expect_code(0);
    assert!(json.stderr.contains("note: skipped 1 file over the size limit"), "{}", json.stderr);
    assert_eq!(json.stdout.trim(), "{\n  \"findings\": []\n}");
}

#[test]
fn a_missing_baseline_named_on_the_command_line_is_an_error() {
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    let run = repo.cg(&["secrets", "--all-files", "--baseline", "nowhere.json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("nowhere.json: no such baseline file"), "{}", run.stderr);
    // The default baseline is optional. A clean whole-tree scan says what it
    // looked at, on stderr.
    let clean = repo.cg(&["secrets", "--all-files"]);
    clean.expect_code(0);
    assert_eq!(clean.stderr, "commitguard: no findings in 1 file (6 bytes) scanned\n");
}

#[test]
fn the_way_out_of_a_blocked_scan_fits_how_it_ran() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    let tree = repo.cg(&["secrets", "--all-files"]);
    tree.expect_code(1);
    assert!(tree.stderr.contains("baseline create") && !tree.stderr.contains("--no-verify"), "{}", tree.stderr);
    repo.git(&["add", "a.txt"]);
    let staged = repo.cg(&["secrets"]);
    assert!(staged.stderr.contains("git commit --no-verify"), "{}", staged.stderr);
}

#[test]
fn a_checkout_scanned_from_outside_reads_its_own_configuration() {
    let repo = Repo::new();
    repo.write("commitguard.toml", "[secrets]\ndisable = [\"generic-password\"]\n");
    repo.write("src/a.txt", format!("{}\n", fake_aws_key()));
    repo.cg(&["baseline", "create"]).expect_code(0);
    repo.write("src/b.txt", format!("{}\n", fake_aws_key()));
    let inside = repo.cg_json(&["secrets", "--all-files"]);
    assert_eq!(inside.locations(), ["aws-access-key-id@src/b.txt:1"]);
    let outside = Repo::empty_dir();
    let checkout = repo.path().display().to_string();
    let run = outside.cg_json(&["secrets", "--all-files", &checkout]);
    assert_eq!(run.locations(), inside.locations());
    let sub = repo.path().join("src").display().to_string();
    assert_eq!(outside.cg_json(&["secrets", "--all-files", &sub]).locations(), inside.locations());
}

#[test]
fn a_closed_pipe_keeps_the_exit_code() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    let mut child = std::process::Command::new(crate::util::bin())
        .current_dir(repo.path())
        .args(["secrets", "--all-files"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

#[test]
fn a_baseline_entry_of_any_shape_is_no_crash() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    let odd = format!("a{}", "é".repeat(10));
    let baseline = serde_json::json!({"version": 1, "findings": [{"path": "x", "rule": "y", "fingerprint": odd}]});
    repo.write(".commitguard-baseline.json", baseline.to_string());
    let run = repo.cg(&["secrets", "--all-files"]);
    run.expect_code(1);
    assert!(run.stderr.contains("matched nothing"), "{}", run.stderr);
}

#[test]
fn a_missing_path_argument_is_an_error() {
    let repo = Repo::new();
    repo.write("small.txt", format!("{}\n", fake_aws_key()));
    let cases = [
        &["secrets", "small.txt", "missing.txt"][..],
        &["secrets", "--all-files", "nowhere/"],
        &["secrets", "small.txt/"],
        &["secrets", "--all-files", "small.txt/inside"],
    ];
    for args in cases {
        let run = repo.cg(args);
        run.expect_code(2);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains(": no such file or directory"), "{}", run.stderr);
    }
    // A folder the staged change deletes is no mistake.
    repo.write("gone/a.txt", "a\n");
    repo.commit_all("gone");
    repo.git(&["rm", "-rq", "gone"]);
    repo.cg(&["secrets", "gone"]).expect_code(0);
}

#[test]
fn pre_push_range_from_the_environment() {
    let repo = Repo::new();
    repo.write("a.txt", "base\n");
    repo.commit_all("base");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.write("a.txt", format!("base\n{}\n", fake_aws_key()));
    repo.commit_all("leak");
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let env = [("PRE_COMMIT_FROM_REF", base.as_str()), ("PRE_COMMIT_TO_REF", head.as_str())];
    let run = repo.cg_env(&["secrets", "--format", "json"], &env);
    assert_eq!(run.locations(), ["aws-access-key-id@a.txt:2"]);
    let narrowed = repo.cg_env(&["secrets", "--format", "json", "a.txt"], &env);
    assert_eq!(narrowed.locations(), ["aws-access-key-id@a.txt:2"]);
    // Nothing staged: the plain staged scan is clean.
    repo.cg_json(&["secrets", "--staged"]).expect_code(0);
}

#[test]
fn scanning_changes_nothing() {
    let repo = Repo::new();
    repo.write("a.txt", "one\n");
    repo.commit_all("one");
    repo.write("a.txt", format!("one\n{}\n", fake_aws_key()));
    repo.write("b.txt", "unstaged\n");
    repo.git(&["add", "a.txt"]);
    let before = snapshot(repo.path());
    repo.cg(&["secrets"]).expect_code(1);
    repo.cg(&["secrets", "--all-files"]).expect_code(1);
    repo.cg(&["secrets", "a.txt", "b.txt"]).expect_code(1);
    assert!(before == snapshot(repo.path()), "a scan changed a file in the repository");
}

#[test]
fn submodule_entries_are_skipped() {
    let inner = Repo::new();
    inner.write("x.txt", "x\n");
    inner.commit_all("inner");
    let repo = Repo::new();
    let url = inner.path().to_str().unwrap();
    repo.git(&["-c", "protocol.file.allow=always", "submodule", "add", "-q", url, "sub"]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(0);
}

fn fake_rsa_key() -> String {
    let body: Vec<String> = (0..6).map(|_| crate::util::fake("{base64:64}", None)).collect();
    format!(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE{}\n{}\n-----END RSA PRIVATE KEY-----\n",
        &body[0][4..],
        body[1..].join("\n")
    )
}

#[test]
fn multi_line_secret_counts_when_any_of_its_lines_is_added() {
    let repo = Repo::new();
    let key = fake_rsa_key();
    repo.write("id_rsa", format!("# deploy key\n{key}trailer\n"));
    repo.commit_all("key");
    // A line after the key: the key itself is not new.
    repo.write("id_rsa", format!("# deploy key\n{key}trailer\nmore\n"));
    repo.git(&["add", "."]);
    repo.cg_json(&["secrets"]).expect_code(0);
    // One line inside the key changes: the whole key is reported, from the
    // first line of its body (the secret).
    let mut lines: Vec<String> = key.lines().map(str::to_owned).collect();
    lines[3] = crate::util::fake("{base64:64}", None);
    repo.write("id_rsa", format!("# deploy key\n{}\ntrailer\nmore\n", lines.join("\n")));
    repo.git(&["add", "."]);
    let run = repo.cg_json(&["secrets"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["pem-rsa-private-key@id_rsa:3"]);
    assert!(run.findings()[0]["end_line"].as_u64().unwrap() >= 8, "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn tree_walk_passes_over_fifos_and_symlink_loops() {
    let repo = Repo::new();
    repo.write("ok.txt", format!("{}\n", fake_aws_key()));
    std::os::unix::fs::symlink("loop", repo.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(".", repo.path().join("self")).unwrap();
    let fifo = repo.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let run = repo.cg(&["secrets", "--all-files", "-v"]);
    run.expect_code(1);
    assert!(run.stdout.contains("ok.txt:1:1"), "{}", run.stdout);
    assert!(run.stdout.contains("3 not regular files"), "{}", run.stdout);
    // A FIFO named on the command line is passed over too, not read.
    let named = repo.cg(&["secrets", "pipe", "ok.txt"]);
    named.expect_code(1);
}

#[test]
fn shallow_clone_history_scans_what_it_has_and_says_where_it_stopped() {
    let origin = Repo::new();
    origin.write("a.txt", format!("{}\n", fake_aws_key()));
    origin.commit_all("old leak");
    origin.write("b.txt", "b\n");
    origin.commit_all("two");
    origin.write("c.txt", format!("{}\n", fake_aws_key()));
    origin.commit_all("new leak");
    let parent = Repo::empty_dir();
    let url = format!("file://{}", origin.path().display());
    crate::util::git_command(parent.path()).args(["clone", "-q", "--depth", "1", &url, "shallow"]).status().unwrap();
    let mut cmd = std::process::Command::new(crate::util::bin());
    let out = cmd
        .current_dir(parent.path().join("shallow"))
        .args(["secrets", "--history", "--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    // The boundary commit is scanned whole: both keys present in its tree.
    assert!(stdout.contains("\"a.txt\"") && stdout.contains("\"c.txt\""), "{stdout}");
    assert!(stderr.contains("history incomplete"), "{stderr}");
}
