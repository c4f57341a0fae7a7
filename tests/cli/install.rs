//! `commitguard install` / `uninstall`: the native hook.

use crate::util::{fake_aws_key, git_command, Repo};

fn hook_path(repo: &Repo) -> std::path::PathBuf {
    repo.path().join(".git/hooks/pre-commit")
}

#[test]
fn install_writes_the_shipped_hook_and_uninstall_removes_it() {
    let repo = Repo::new();
    repo.cg(&["install"]).expect_code(0);
    let written = std::fs::read(hook_path(&repo)).unwrap();
    let shipped = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-commit")).unwrap();
    assert_eq!(written, shipped);
    repo.cg(&["install"]).expect_code(0);
    repo.cg(&["uninstall"]).expect_code(0);
    assert!(!hook_path(&repo).exists());
}

#[test]
fn foreign_hook_is_never_replaced_without_force_nor_removed() {
    let repo = Repo::new();
    let theirs = "#!/bin/sh\necho theirs\n";
    repo.write(".git/hooks/pre-commit", theirs);
    let run = repo.cg(&["install"]);
    run.expect_code(2);
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    repo.cg(&["uninstall"]).expect_code(2);
    assert_eq!(std::fs::read_to_string(hook_path(&repo)).unwrap(), theirs);
    repo.cg(&["install", "--force"]).expect_code(0);
    assert!(std::fs::read_to_string(hook_path(&repo)).unwrap().contains("commitguard secrets --staged"));
}

#[test]
fn core_hooks_path_is_honoured() {
    let repo = Repo::new();
    repo.git(&["config", "core.hooksPath", "custom-hooks"]);
    repo.cg(&["install"]).expect_code(0);
    assert!(repo.path().join("custom-hooks/pre-commit").is_file());
    assert!(!hook_path(&repo).exists());
}

#[test]
fn native_hook_blocks_a_real_commit() {
    let repo = Repo::new();
    repo.cg(&["install"]).expect_code(0);
    repo.write("clean.txt", "hello\n");
    repo.git(&["add", "."]);
    let path =
        format!("{}:{}", crate::util::bin().parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let commit =
        |msg: &str| git_command(repo.path()).env("PATH", &path).args(["commit", "-q", "-m", msg]).output().unwrap();
    assert!(commit("clean").status.success());
    repo.write("leak.txt", format!("{}\n", fake_aws_key()));
    repo.git(&["add", "."]);
    let refused = commit("leak");
    assert!(!refused.status.success(), "the hook let a secret through");
    // git sends a hook's output to its own stderr.
    assert!(String::from_utf8_lossy(&refused.stderr).contains("aws-access-key-id"));
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]).trim(), "1");
}
