//! Configuration, the baseline and the files of other tools.

use crate::util::{fake, fake_aws_key, Repo};

#[test]
fn commitguard_toml_adds_rules_allowlists_and_disables() {
    let repo = Repo::new();
    repo.write(
        "commitguard.toml",
        r#"
[secrets]
disable = ["aws-access-key-id"]

[[secrets.rules]]
id = "acme-token"
description = "Acme API token"
regex = '''\b(acme_[a-z0-9]{24})\b'''
keywords = ["acme_"]

[[secrets.allowlists]]
paths = ["fixtures/**"]
"#,
    );
    let token = fake("acme_{lower:12}{digit:12}", None);
    repo.write("app.cfg", format!("token = {token}\naws = {}\n", fake_aws_key()));
    repo.write("fixtures/app.cfg", format!("token = {token}\n"));
    let run = repo.cg_json(&["secrets", "--all-files"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["acme-token@app.cfg:1"]);
}

#[test]
fn an_empty_keyword_runs_the_rule_on_every_file() {
    let repo = Repo::new();
    repo.write(".gitleaks.toml", "[[rules]]\nid = \"acme\"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = [\"\"]\n");
    let token = fake("acme_{lower:12}{digit:12}", None);
    // Long enough for the keyword search to cut it into pieces.
    repo.write("big.txt", format!("{}\n{token}\n", "x".repeat(5000)));
    let run = repo.cg_json(&["secrets", "--config", ".gitleaks.toml", "big.txt"]);
    run.expect_code(1);
    assert_eq!(run.locations(), ["acme@big.txt:2"]);
}

#[test]
fn config_errors_name_file_line_and_key() {
    let repo = Repo::new();
    repo.write("commitguard.toml", "[secrets]\nmax_size = 100\ncolour = 'red'\n");
    let run = repo.cg(&["secrets", "--all-files"]);
    run.expect_code(2);
    assert!(run.stderr.starts_with("commitguard: "), "{}", run.stderr);
    assert!(run.stderr.contains("commitguard.toml:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("colour"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1);
}

#[test]
fn gitleaks_config_is_accepted_as_it_is() {
    let repo = Repo::new();
    repo.write(
        ".gitleaks.toml",
        r#"
title = "team rules"

[[rules]]
id = "internal-service-key"
description = "Internal service key"
regex = '''svc-key-([A-Za-z0-9]{20})'''
secretGroup = 1
keywords = ["svc-key-"]
  [rules.allowlist]
  regexTarget = "line"
  regexes = ['''ROTATED''']

[allowlist]
paths = ['''(^|/)testdata/''']
"#,
    );
    let key = fake("svc-key-{base62:20}", None);
    repo.write("a.txt", format!("k = {key}\nold = {key} # ROTATED\n"));
    repo.write("testdata/b.txt", format!("{key}\n"));
    // Without [extend] useDefault, gitleaks uses only the file's rules.
    repo.write("c.txt", format!("{}\n", fake_aws_key()));
    let run = repo.cg_json(&["secrets", "--all-files"]);
    assert_eq!(run.locations(), ["internal-service-key@a.txt:1"]);
    // The same file named with --config works from a commitguard.toml too.
    repo.write(".gitleaks.toml", "[extend]\nuseDefault = true\n[[rules]]\nid = 'bad'\nregex = '''a(?=b)'''\n");
    let bad = repo.cg(&["secrets", "--all-files", "--config", ".gitleaks.toml"]);
    bad.expect_code(2);
    // The line of the rule's table, and the rule's id.
    assert!(bad.stderr.contains(".gitleaks.toml:3: rule bad:"), "{}", bad.stderr);
}

#[test]
fn gitleaksignore_fingerprints_are_honoured() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n{}\n", fake_aws_key(), fake_aws_key()));
    repo.write(".gitleaksignore", "a.txt:aws-access-key-id:2\n");
    let run = repo.cg_json(&["secrets", "--all-files"]);
    assert_eq!(run.locations(), ["aws-access-key-id@a.txt:1"]);
}

#[test]
fn baseline_accepts_old_findings_and_blocks_new_ones() {
    let repo = Repo::new();
    let old = fake_aws_key();
    repo.write("old.txt", format!("{old}\n"));
    repo.cg(&["baseline", "create"]).expect_code(0);
    let text = std::fs::read_to_string(repo.path().join(".commitguard-baseline.json")).unwrap();
    assert!(!text.contains(&old) && !text.contains(&old[..12]), "the baseline holds the secret");
    assert!(text.contains("\"path\": \"old.txt\""), "{text}");
    repo.cg_json(&["secrets", "--all-files"]).expect_code(0);
    // Moving the line does not change the fingerprint.
    repo.write("old.txt", format!("# header\n{old}\n"));
    repo.cg_json(&["secrets", "--all-files"]).expect_code(0);
    // A new secret is still reported; --no-baseline reports everything.
    repo.write("new.txt", format!("{}\n", fake_aws_key()));
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), ["aws-access-key-id@new.txt:1"]);
    assert_eq!(repo.cg_json(&["secrets", "--all-files", "--no-baseline"]).findings().len(), 2);
    // The staged mode applies it too.
    repo.git(&["add", "old.txt"]);
    repo.cg_json(&["secrets"]).expect_code(0);
}

#[test]
fn baseline_update_drops_stale_entries_and_all_files_warns() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    repo.write("b.txt", format!("{}\n", fake_aws_key()));
    repo.cg(&["baseline", "create"]).expect_code(0);
    std::fs::remove_file(repo.path().join("b.txt")).unwrap();
    let run = repo.cg_json(&["secrets", "--all-files"]);
    run.expect_code(0);
    assert!(run.stderr.contains("matched nothing"), "{}", run.stderr);
    repo.cg(&["baseline", "update"]).expect_code(0);
    let text = std::fs::read_to_string(repo.path().join(".commitguard-baseline.json")).unwrap();
    assert!(text.contains("a.txt") && !text.contains("b.txt"), "{text}");
    assert!(!repo.cg_json(&["secrets", "--all-files"]).stderr.contains("matched nothing"));
}

#[test]
fn unwritable_baseline_is_an_error_and_keeps_the_old_file() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    // A parent that is a file: no one can write there, root included.
    let run = repo.cg(&["baseline", "create", "--baseline", "a.txt/base.json"]);
    run.expect_code(2);
    assert!(run.stderr.contains("a.txt/base.json"), "{}", run.stderr);

    repo.write("locked/.keep", "");
    repo.cg(&["baseline", "create", "--baseline", "locked/base.json"]).expect_code(0);
    let before = std::fs::read(repo.path().join("locked/base.json")).unwrap();
    repo.write("b.txt", format!("{}\n", fake_aws_key()));
    let locked = repo.path().join("locked");
    let set_mode = |mode| {
        let mut perms = std::fs::metadata(&locked).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, mode);
        std::fs::set_permissions(&locked, perms).unwrap();
    };
    set_mode(0o555);
    if std::fs::write(locked.join("probe"), "").is_ok() {
        set_mode(0o755);
        eprintln!("NOTE: running as root, a read-only directory is writable; only the file-parent case ran");
        return;
    }
    let run = repo.cg(&["baseline", "create", "--baseline", "locked/base.json"]);
    set_mode(0o755);
    run.expect_code(2);
    assert!(run.stderr.contains("base.json"), "{}", run.stderr);
    assert_eq!(std::fs::read(repo.path().join("locked/base.json")).unwrap(), before);
}

#[test]
fn detect_secrets_baseline_import() {
    use sha1::Digest;
    let repo = Repo::new();
    let key = fake_aws_key();
    repo.write("conf/a.ini", format!("[x]\nkey = {key}\n"));
    repo.write("b.ini", format!("{}\n", fake_aws_key()));
    let hash: String = sha1::Sha1::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    repo.write(
        ".secrets.baseline",
        format!(
            r#"{{"version": "1.5.0", "plugins_used": [], "filters_used": [], "results": {{
                "conf/a.ini": [{{"type": "AWS Access Key", "filename": "conf/a.ini", "hashed_secret": "{hash}", "is_verified": false, "line_number": 2}}]
            }}, "generated_at": "2026-01-01T00:00:00Z"}}"#
        ),
    );
    repo.cg(&["baseline", "import", ".secrets.baseline"]).expect_code(0);
    assert_eq!(repo.cg_json(&["secrets", "--all-files"]).locations(), ["aws-access-key-id@b.ini:1"]);
}
