//! `--format sarif`: SARIF 2.1.0 that code-scanning dashboards accept.

use std::path::Path;
use std::process::Command;

use crate::util::{fake_aws_key, Repo};

fn schema() -> serde_json::Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sarif/sarif-2.1.0.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[track_caller]
fn assert_valid(doc: &serde_json::Value) {
    let validator = jsonschema::validator_for(&schema()).expect("the vendored schema compiles");
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
}

fn repo_with_findings() -> Repo {
    let repo = Repo::new();
    repo.write("src/é space.py", format!("KEY = '{}'\n", fake_aws_key()));
    repo.write("b.txt", format!("{}\n", fake_aws_key()));
    repo.commit_all("leaks");
    repo
}

#[test]
fn sarif_validates_and_carries_locations_and_fingerprints() {
    let repo = repo_with_findings();
    let run = repo.cg(&["secrets", "--all-files", "--format", "sarif"]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid(&doc);
    let sarif_run = &doc["runs"][0];
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(sarif_run["columnKind"], "unicodeCodePoints");
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "aws-access-key-id"));
    let results = sarif_run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let json = repo.cg_json(&["secrets", "--all-files"]).findings();
    for (result, finding) in results.iter().zip(&json) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["partialFingerprints"]["commitguard/v1"], finding["fingerprint"]);
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], finding["line"]);
        assert_eq!(region["startColumn"], finding["column"]);
        assert_eq!(region["endColumn"], finding["end_column"]);
    }
    let uri = &results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "src/%C3%A9%20space.py");
}

#[test]
fn clean_and_history_sarif_validate() {
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    let clean = repo.cg(&["secrets", "--all-files", "--format", "sarif"]);
    clean.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&clean.stdout).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["runs"][0]["results"].as_array().unwrap().len(), 0);
    let repo = repo_with_findings();
    let history = repo.cg(&["secrets", "--history", "--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_str(&history.stdout).unwrap();
    assert_valid(&doc);
    assert!(doc["runs"][0]["results"][0]["properties"]["commit"].is_string());
}

/// Microsoft's SARIF multitool, where scripts/test.sh could install it
/// (`SARIF_MULTITOOL` names its executable).
#[test]
fn sarif_multitool_validates() {
    let Some(tool) = std::env::var_os("SARIF_MULTITOOL").filter(|t| Path::new(t).is_file()) else {
        eprintln!("NOTE: SARIF_MULTITOOL is not set; the multitool check did not run (schema validation still did)");
        return;
    };
    let repo = repo_with_findings();
    repo.cg(&["secrets", "--all-files", "--format", "sarif", "--output", "out.sarif"]).expect_code(1);
    let out = Command::new(&tool)
        .current_dir(repo.path())
        .args(["validate", "out.sarif", "--output", "validation.sarif"])
        .output()
        .unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "multitool: {said}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("validation.sarif")).unwrap()).unwrap();
    // Anything but a note (an absent level means warning) is a complaint.
    let complaints: Vec<&serde_json::Value> = report["runs"][0]["results"]
        .as_array()
        .map(|r| r.iter().filter(|x| x["level"] != "note").collect())
        .unwrap_or_default();
    assert!(complaints.is_empty(), "multitool complaints: {complaints:?}");
}

#[test]
fn deps_and_license_header_sarif_validate() {
    let Some(db) = crate::deps::shared_db("deps_and_license_header_sarif_validate") else { return };
    let repo = Repo::new();
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/deps/web/Cargo.lock");
    std::fs::copy(lock, repo.path().join("Cargo.lock")).unwrap();
    let cache = repo.path().join(".cache");
    let deps = repo.cg_env(
        &["deps", "--db", db.join("rustsec").to_str().unwrap(), "--format", "sarif", "Cargo.lock"],
        &[("COMMITGUARD_CACHE_DIR", cache.to_str().unwrap())],
    );
    deps.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&deps.stdout).unwrap();
    assert_valid(&doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"].as_str().unwrap().starts_with("RUSTSEC-")), "{}", deps.stdout);

    repo.write("commitguard.toml", "[licenses.headers]\nenabled = true\n");
    repo.write("src/lib.rs", "fn main() {}\n");
    let headers = repo.cg(&["licenses", "--headers", "--all-files", "--format", "sarif"]);
    headers.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&headers.stdout).unwrap();
    assert_valid(&doc);
    assert_eq!(doc["runs"][0]["results"][0]["ruleId"], "missing-header", "{}", headers.stdout);
}

#[test]
fn a_run_that_fails_still_writes_one_document() {
    let repo = Repo::new();
    repo.write("a.txt", "clean\n");
    repo.commit_all("a");
    let run = repo.cg(&["secrets", "--history", "no-such-revision", "--format", "sarif", "--output", "out.sarif"]);
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.path().join("out.sarif")).unwrap()).unwrap();
    assert_valid(&doc);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let said = invocation["toolExecutionNotifications"][0]["message"]["text"].as_str().unwrap();
    assert!(run.stderr.contains(said), "{said} / {}", run.stderr);
    let json = repo.cg(&["secrets", "--history", "no-such-revision", "--format", "json"]);
    json.expect_code(2);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["findings"], serde_json::json!([]));
    assert!(doc["error"].as_str().unwrap().contains("no-such-revision"), "{}", json.stdout);
    // The human report stays silent on stdout.
    let human = repo.cg(&["secrets", "--history", "no-such-revision"]);
    assert_eq!(human.stdout, "");
}
