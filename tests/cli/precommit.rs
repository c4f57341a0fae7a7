//! End to end through the real pre-commit framework: the hook repository is
//! this crate (copied as it is on disk into a scratch git repository, so
//! uncommitted work is what gets tested), installed in a fresh repository
//! with `pre-commit install`, and exercised by real `git commit`s.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{fake_aws_key, git_command, Repo};

/// What the framework needs of this crate to build and run the hook.
const HOOK_REPO_FILES: &[&str] =
    &["Cargo.toml", "Cargo.lock", "build.rs", "README.md", ".pre-commit-hooks.yaml", "src", "rules", "hooks"];

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).unwrap();
    }
}

/// `pre-commit --version` works, or the test says why it cannot run.
fn has_pre_commit() -> bool {
    let found = Command::new("pre-commit").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "the pre-commit framework is not on PATH; scripts/test.sh installs it into .venv"
        );
        eprintln!("NOTE: pre-commit is not on PATH; end-to-end test not run (use scripts/test.sh)");
    }
    found
}

#[test]
fn pre_commit_framework_blocks_a_secret_and_passes_a_clean_commit() {
    if !has_pre_commit() {
        return;
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let hook_repo = Repo::new();
    for name in HOOK_REPO_FILES {
        copy_tree(&manifest.join(name), &hook_repo.path().join(name));
    }
    hook_repo.commit_all("hook repository");
    let rev = hook_repo.git(&["rev-parse", "HEAD"]).trim().to_owned();

    let user = Repo::new();
    user.write(
        ".pre-commit-config.yaml",
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: commitguard-secrets\n",
            hook_repo.path().display()
        ),
    );
    // Builds are shared between runs of this test; the framework's own cache
    // is kept inside target/ so the test touches nothing of the user's.
    let target = manifest.join("target");
    let with_env = |mut command: Command| {
        command
            .env("PRE_COMMIT_HOME", target.join("pre-commit-home"))
            .env("CARGO_TARGET_DIR", target.join("pre-commit-build"));
        command
    };
    let framework = |args: &[&str]| {
        let mut c = Command::new("pre-commit");
        c.current_dir(user.path()).args(args);
        with_env(c).output().unwrap()
    };
    let git_commit = |message: &str| {
        let mut c = git_command(user.path());
        c.args(["commit", "-q", "-m", message]);
        with_env(c).output().unwrap()
    };
    let install = framework(&["install"]);
    assert!(install.status.success(), "pre-commit install: {}", String::from_utf8_lossy(&install.stderr));

    user.write("README.txt", "a clean first commit\n");
    user.git(&["add", "."]);
    let clean = git_commit("clean");
    assert!(
        clean.status.success(),
        "clean commit refused:\n{}\n{}",
        String::from_utf8_lossy(&clean.stdout),
        String::from_utf8_lossy(&clean.stderr)
    );

    user.write("deploy.sh", format!("export AWS_ACCESS_KEY_ID={}\n", fake_aws_key()));
    user.git(&["add", "."]);
    let leak = git_commit("leak");
    // git sends the hook's output to its own stderr.
    let said = format!("{}{}", String::from_utf8_lossy(&leak.stdout), String::from_utf8_lossy(&leak.stderr));
    assert!(!leak.status.success(), "the framework let a secret through:\n{said}");
    assert!(said.contains("aws-access-key-id"), "{said}");
    assert_eq!(user.git(&["rev-list", "--count", "HEAD"]).trim(), "1");

    // CI style: every file, through the framework.
    let all = framework(&["run", "--all-files"]);
    assert!(!all.status.success());
    assert!(String::from_utf8_lossy(&all.stdout).contains("deploy.sh:1:"));
}
