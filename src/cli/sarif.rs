//! The SARIF 2.1.0 report, as GitHub code scanning and other CI dashboards
//! read it.
//!
//! One run. The tool's rules are `reportingDescriptor`s (every rule the scan
//! ran, plus any other rule id a finding names); each finding is a result
//! with `ruleId`, `ruleIndex`, `level`, a message, one physical location
//! (the repository-relative path as a URI reference, and a region with
//! start/end line and column) and `partialFingerprints` carrying the same
//! fingerprint as the JSON report and the baseline. Columns count Unicode
//! code points, as the JSON report's do, and the run says so with
//! `columnKind`.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::cli::report::Summary;
use crate::finding::{Finding, Level};

/// The key under which the fingerprint goes in `partialFingerprints`.
const FINGERPRINT_KEY: &str = "commitguard/v1";

/// Builds the SARIF document for `findings`.
pub(crate) fn document(findings: &[Finding], summary: &Summary) -> Value {
    let mut rules: BTreeMap<&str, &str> = summary.rules.iter().map(|(id, d)| (id.as_str(), d.as_str())).collect();
    for f in findings {
        rules.entry(f.rule.as_str()).or_insert(f.message.as_str());
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, id)| (*id, i)).collect();
    let descriptors: Vec<Value> = rules
        .iter()
        .map(|(id, description)| {
            json!({
                "id": id,
                "name": pascal_case(id),
                "shortDescription": { "text": description },
                "defaultConfiguration": { "level": "error" },
            })
        })
        .collect();
    let results: Vec<Value> = findings.iter().map(|f| result(f, index[f.rule.as_str()])).collect();
    wrap(json!({
        "tool": driver(descriptors),
        "columnKind": "unicodeCodePoints",
        "results": results,
    }))
}

/// A document for a run that could not do its job: no results, and an
/// invocation that failed, saying why.
pub(crate) fn failure(message: &str) -> Value {
    wrap(json!({
        "tool": driver(Vec::new()),
        "columnKind": "unicodeCodePoints",
        "results": [],
        "invocations": [{
            "executionSuccessful": false,
            "toolExecutionNotifications": [{ "level": "error", "message": { "text": message } }],
        }],
    }))
}

fn driver(rules: Vec<Value>) -> Value {
    json!({ "driver": {
        "name": "commitguard",
        "version": env!("CARGO_PKG_VERSION"),
        "informationUri": "https://crates.io/crates/commitguard",
        "rules": rules,
    }})
}

/// The document around one run.
fn wrap(run: Value) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    })
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut region = serde_json::Map::new();
    region.insert("startLine".into(), json!(f.line.max(1)));
    if let Some(secret) = f.secret() {
        region.insert("startColumn".into(), json!(secret.column));
        region.insert("endLine".into(), json!(secret.end_line));
        region.insert("endColumn".into(), json!(secret.end_column));
    }
    let level = match f.level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": message(f) },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri_reference(&f.path) },
            "region": region,
        }}],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
    });
    if let Some(commit) = f.secret().and_then(|s| s.commit.as_ref()) {
        result["properties"] = json!({ "commit": commit.commit, "author": commit.author, "date": commit.date });
    }
    result
}

fn message(f: &Finding) -> String {
    match f.secret() {
        Some(secret) => format!("{}: {}", f.message, secret.secret_redacted),
        None => f.message.clone(),
    }
}

/// `aws-access-key-id` → `AwsAccessKeyId`: SARIF wants a rule's name to
/// differ from its id.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase()).into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// A relative path as a URI reference: `/` kept, everything outside the
/// unreserved set percent-encoded.
pub(crate) fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_references_are_encoded() {
        assert_eq!(uri_reference("dir with space/é.txt"), "dir%20with%20space/%C3%A9.txt");
        assert_eq!(uri_reference("a/b-c_d.rs"), "a/b-c_d.rs");
    }
}
