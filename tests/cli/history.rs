//! `commitguard secrets --history`: the lines each commit added.

use crate::util::{fake_aws_key, Repo};

fn head(repo: &Repo) -> String {
    repo.git(&["rev-parse", "HEAD"]).trim().to_owned()
}

#[test]
fn history_reports_the_commit_that_added_a_secret() {
    let repo = Repo::new();
    repo.write("a.txt", "start\n");
    repo.commit_all("start");
    let start = head(&repo);
    repo.write("a.txt", format!("start\n{}\n", fake_aws_key()));
    repo.commit_all("leak");
    let leak = head(&repo);
    repo.write("a.txt", "start\nremoved\n");
    repo.commit_all("remove");
    // The working tree is clean now, but history is not.
    repo.cg_json(&["secrets", "--all-files"]).expect_code(0);
    let run = repo.cg_json(&["secrets", "--history"]);
    run.expect_code(1);
    let findings = run.findings();
    assert_eq!(run.locations(), ["aws-access-key-id@a.txt:2"]);
    assert_eq!(findings[0]["commit"], leak.as_str());
    assert_eq!(findings[0]["author"], "Test Author <author@example.invalid>");
    assert!(findings[0]["date"].as_str().unwrap().contains('T'));
    // A range that starts after the leak does not see it.
    repo.cg_json(&["secrets", "--history", &format!("{leak}..HEAD")]).expect_code(0);
    let from_start = repo.cg_json(&["secrets", "--history", &format!("{start}..HEAD")]);
    assert_eq!(from_start.findings().len(), 1);
    // The human report names the commit.
    let human = repo.cg(&["secrets", "--history"]);
    assert!(human.stdout.contains(&format!("commit: {leak}")), "{}", human.stdout);
}

#[test]
fn history_all_refs_and_shared_changes() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.write("side.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("side leak");
    repo.git(&["checkout", "-q", "main"]);
    repo.cg_json(&["secrets", "--history"]).expect_code(0);
    let all = repo.cg_json(&["secrets", "--history", "--all-refs"]);
    assert_eq!(all.locations(), ["aws-access-key-id@side.txt:1"]);
    // The same change cherry-picked onto main (after main moved on, so the
    // picked commit differs): one finding per commit.
    repo.write("base.txt", "base\nmore\n");
    repo.commit_all("main moves on");
    repo.git(&["cherry-pick", "side"]);
    let both = repo.cg_json(&["secrets", "--history", "--all-refs"]);
    let commits: std::collections::BTreeSet<String> =
        both.findings().iter().map(|f| f["commit"].as_str().unwrap().to_owned()).collect();
    assert_eq!(commits.len(), 2, "{}", both.stdout);
}

#[test]
fn history_applies_the_baseline_and_gitleaks_commit_allowlists() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("leak");
    let leak = head(&repo);
    repo.cg(&["baseline", "create"]).expect_code(0);
    repo.cg_json(&["secrets", "--history"]).expect_code(0);
    std::fs::remove_file(repo.path().join(".commitguard-baseline.json")).unwrap();
    repo.write(
        ".gitleaks.toml",
        format!("[extend]\nuseDefault = true\n[allowlist]\ncommits = [\"{}\"]\n", &leak[..10]),
    );
    repo.cg_json(&["secrets", "--history"]).expect_code(0);
}

#[test]
fn history_outside_a_repository_is_an_error() {
    let dir = Repo::empty_dir();
    let run = dir.cg(&["secrets", "--history"]);
    run.expect_code(2);
    assert!(run.stderr.contains("not a git repository"), "{}", run.stderr);
    let repo = Repo::new();
    repo.write("a", "a\n");
    repo.commit_all("a");
    let bad = repo.cg(&["secrets", "--history", "no-such-rev"]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("no-such-rev"), "{}", bad.stderr);
}

#[test]
fn history_reports_a_merged_secret_once_and_a_merge_of_its_own() {
    let repo = Repo::new();
    repo.write("base.txt", "base\n");
    repo.commit_all("base");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("feature.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("feature leak");
    let leak = head(&repo);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("base.txt", "base\nmain moves on\n");
    repo.commit_all("main moves on");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);
    let run = repo.cg_json(&["secrets", "--history"]);
    assert_eq!(run.locations(), ["aws-access-key-id@feature.txt:1"]);
    assert_eq!(run.findings()[0]["commit"], leak.as_str());
    // A merge that adds a line of its own (an "evil merge") is reported
    // as the merge.
    repo.git(&["checkout", "-q", "-b", "other", "HEAD~1"]);
    repo.write("other.txt", "other\n");
    repo.commit_all("other");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "other"]);
    repo.write("other.txt", format!("other\n{}\n", fake_aws_key()));
    repo.git(&["add", "other.txt"]);
    repo.git(&["commit", "-q", "-m", "merge other"]);
    let merge = head(&repo);
    let run = repo.cg_json(&["secrets", "--history"]);
    assert_eq!(run.locations(), ["aws-access-key-id@feature.txt:1", "aws-access-key-id@other.txt:2"]);
    assert_eq!(run.findings()[1]["commit"], merge.as_str());
}

#[test]
fn history_arguments_it_cannot_honour_are_errors() {
    let repo = Repo::new();
    repo.write("a.txt", "a\n");
    repo.commit_all("a");
    for args in [
        &["secrets", "--history", "HEAD", "--all-refs"][..],
        &["secrets", "--history", "HEAD", "a.txt"],
        &["secrets", "--history", "main...HEAD"],
    ] {
        let run = repo.cg(args);
        run.expect_code(2);
        let first = run.stderr.lines().next().unwrap_or_default();
        assert!(first.contains("--all-refs") || first.contains("PATHS") || first.contains("A..B"), "{}", run.stderr);
    }
    assert!(repo.cg(&["secrets", "--history", "main...HEAD"]).stderr.contains("use A..B"));
    repo.cg(&["secrets", "--history", "--all-refs"]).expect_code(0);
    repo.cg(&["secrets", "--history"]).expect_code(0);
}

#[test]
fn a_baseline_can_accept_what_history_holds() {
    let repo = Repo::new();
    repo.write("a.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("leak");
    repo.write("a.txt", "rotated\n");
    repo.commit_all("rotate");
    repo.cg_json(&["secrets", "--history"]).expect_code(1);
    let create = repo.cg(&["baseline", "create", "--history"]);
    create.expect_code(0);
    assert!(create.stderr.contains("recorded 1 finding\n"), "{}", create.stderr);
    repo.cg_json(&["secrets", "--history"]).expect_code(0);
    // An update that looks at history too keeps the entry; one that looks
    // only at the tree drops it.
    let kept = repo.cg(&["baseline", "update", "--history"]);
    assert!(kept.stderr.contains("dropped 0 entries"), "{}", kept.stderr);
    repo.cg_json(&["secrets", "--history"]).expect_code(0);
    let dropped = repo.cg(&["baseline", "update"]);
    assert!(dropped.stderr.contains("dropped 1 entry that no longer occurs"), "{}", dropped.stderr);
    repo.cg_json(&["secrets", "--history"]).expect_code(1);
}

#[test]
fn history_does_not_report_again_what_an_automatic_merge_takes_from_a_branch() {
    let repo = Repo::new();
    let numbers: String = (1..=20).map(|n| format!("{n}\n")).collect();
    repo.write("f.txt", &numbers);
    repo.commit_all("numbers");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("f.txt", format!("{numbers}{}\n", fake_aws_key()));
    repo.commit_all("feature leak");
    let leak = head(&repo);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("f.txt", format!("one\n{}", &numbers[2..]));
    repo.commit_all("main edits line 1");
    repo.git(&["merge", "-q", "--no-edit", "feature"]);
    assert_eq!(repo.git(&["rev-list", "--count", "--merges", "HEAD"]).trim(), "1");
    let run = repo.cg_json(&["secrets", "--history"]);
    assert_eq!(run.locations(), ["aws-access-key-id@f.txt:21"]);
    assert_eq!(run.findings()[0]["commit"], leak.as_str());
}
