//! Checks every built-in rule against its own examples, and the rule files
//! against the scanner they feed.
//!
//! Each `matches` template is expanded with several seeds and scanned alone
//! with the full built-in [`Scanner`], so a rule passes only if its keywords,
//! regex, validators and allowlist let the example through together. Each
//! `non_matches` string must not be reported by its rule. Finally, every
//! `rules/*.toml` file is scanned as text and must yield nothing at all: that
//! keeps the repository free of anything its own scanner would flag. Other
//! tests scan text that must never be reported: base64 blobs, lockfile
//! lines, git ids and UUIDs.

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::finding::Finding;
use crate::secrets::ruleset::BUILTIN_RULE_FILES;
use crate::secrets::template::{expand, Rng};
use crate::secrets::{Input, Rule, Scanner};
use crate::source::AddedLines;

/// How many times each `matches` template is expanded.
const SEEDS: u64 = 8;

/// Files named after one provider: their rule ids start with the file stem.
/// The other files group a family (keys, urls, ai, …) and their ids start
/// with each rule's own provider.
const PROVIDER_FILES: &[&str] = &["aws", "azure", "github", "gitlab", "google", "jwt", "kubernetes", "slack", "stripe"];

/// Words that say what a secret is, not whose: an id must start with the
/// provider (`stripe-…`), the format (`pem-…`) or `generic`.
const NOT_PROVIDERS: &[&str] = &["api", "access", "auth", "key", "password", "private", "secret", "token"];

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::builtin().expect("built-in rules parse"))
}

fn scan(path: &str, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    scanner().scan(&Input::new(path, text.as_bytes(), &AddedLines::All), &mut findings);
    findings
}

fn secret(finding: &Finding) -> &str {
    finding.secret().map_or("", |d| d.secret.as_str())
}

/// Panics with every failure, one per line, if there are any.
fn assert_no_failures(what: &str, failures: &[String]) {
    assert!(failures.is_empty(), "{} {what}:\n{}", failures.len(), failures.join("\n"));
}

fn is_kebab_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() >= 2
        && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[test]
fn rule_ids_are_unique_and_provider_prefixed() {
    let mut seen = HashSet::new();
    let mut failures = Vec::new();
    for (file, text) in BUILTIN_RULE_FILES {
        let stem = file.trim_end_matches(".toml");
        let rules = crate::secrets::parse_rules(file, text).expect("built-in rules parse");
        for rule in &rules {
            let id = rule.id();
            if !seen.insert(id.to_owned()) {
                failures.push(format!("{file}: rule {id}: id used twice"));
            }
            if !is_kebab_id(id) {
                failures.push(format!("{file}: rule {id}: id is not `provider-what` in lowercase kebab case"));
            }
            let first = id.split('-').next().unwrap_or_default();
            if NOT_PROVIDERS.contains(&first) {
                failures.push(format!("{file}: rule {id}: id starts with `{first}`, not with a provider or format"));
            }
            if PROVIDER_FILES.contains(&stem) && !id.starts_with(&format!("{stem}-")) {
                failures.push(format!("{file}: rule {id}: id does not start with `{stem}-`"));
            }
        }
    }
    assert_no_failures("rule id problems", &failures);
}

#[test]
fn rules_carry_examples_keywords_and_compile() {
    let mut failures = Vec::new();
    for rule in scanner().rules() {
        let (id, spec) = (rule.id(), rule.spec());
        if spec.examples.matches.len() < 2 {
            failures.push(format!("rule {id}: fewer than two `matches` examples"));
        }
        if spec.examples.non_matches.is_empty() {
            failures.push(format!("rule {id}: no `non_matches` example"));
        }
        if spec.keywords.is_empty() {
            failures.push(format!("rule {id}: no keyword, so it would run on every text"));
        }
        if let Some(k) = spec.keywords.iter().find(|k| k.len() < 3 || k.bytes().any(|b| b.is_ascii_uppercase())) {
            failures.push(format!("rule {id}: keyword {k:?} is shorter than 3 bytes or not lowercase"));
        }
        // Built-in rules describe ASCII token formats. Unicode-aware `\w`,
        // `\b` and classes compile into automata many times larger, which
        // a hook run pays for on every commit that hits the rule.
        if !spec.regex.starts_with("(?-u)") {
            failures.push(format!("rule {id}: regex does not start with `(?-u)`"));
        }
        if spec.description.trim().is_empty() {
            failures.push(format!("rule {id}: empty description"));
        }
        if let Err(e) = rule.validate() {
            failures.push(e);
        }
    }
    assert_no_failures("rule definition problems", &failures);
}

/// The failures of one rule's `matches` templates.
fn check_matches(rule: &Rule, failures: &mut Vec<String>) {
    let id = rule.id();
    for template in &rule.spec().examples.matches {
        for seed in 1..=SEEDS {
            let mut rng = Rng::with_seed(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ id.len() as u64);
            let text = match expand(template, rule.spec().checksum, &mut rng) {
                Ok(text) => text,
                Err(e) => {
                    failures.push(format!("rule {id}: {e}"));
                    break;
                }
            };
            let findings = scan("example.txt", &text);
            if !findings.iter().any(|f| f.rule == id && !secret(f).is_empty()) {
                let others: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                failures.push(format!(
                    "rule {id}: template {template:?} (seed {seed}) expanded to {text:?} is not reported \
                     (other rules reported: {others:?})"
                ));
                break;
            }
        }
    }
}

#[test]
fn rules_report_their_matches() {
    let mut failures = Vec::new();
    for rule in scanner().rules() {
        check_matches(rule, &mut failures);
    }
    assert_no_failures("`matches` examples not reported", &failures);
}

#[test]
fn rules_skip_their_non_matches() {
    let mut failures = Vec::new();
    for rule in scanner().rules() {
        let id = rule.id();
        for example in &rule.spec().examples.non_matches {
            if let Some(f) = scan("example.txt", example).iter().find(|f| f.rule == id) {
                failures.push(format!("rule {id}: non-match {example:?} is reported (secret {:?})", secret(f)));
            }
        }
    }
    assert_no_failures("`non_matches` examples reported", &failures);
}

/// The rule files hold regexes, templates and near-misses, never anything
/// the scanner reports: the project scans itself clean.
#[test]
fn rule_files_scan_clean() {
    let mut failures = Vec::new();
    for (file, text) in BUILTIN_RULE_FILES {
        for f in scan(&format!("rules/{file}"), text) {
            failures.push(format!("rules/{file}:{}: rule {} reports {:?}", f.line, f.rule, secret(&f)));
        }
    }
    assert_no_failures("findings in the built-in rule files", &failures);
}

#[test]
fn examples_check_can_fail() {
    // A rule whose example its regex cannot match must be caught, or the
    // checks above prove nothing.
    let text = "[[rules]]\nid = \"test-never\"\ndescription = \"d\"\nregex = 'zz[0-9]{4}'\nkeywords = [\"zz\"]\n\
                [rules.examples]\nmatches = [\"zz{alpha:4}\", \"zz\"]\nnon_matches = [\"z\"]\n";
    let rules = crate::secrets::parse_rules("test.toml", text).unwrap();
    let mut failures = Vec::new();
    check_matches(&rules[0], &mut failures);
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures[0].contains("rule test-never") && failures[0].contains("zz{alpha:4}"));
}

/// Base64 images and fonts are long runs of the base64 alphabet with many
/// `A`s (zero bytes), where short prefixes such as `EAA` or `AIza` occur
/// by chance. Issue 3 asks that they produce no findings.
#[test]
fn base64_blobs_scan_clean() {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = Rng::with_seed(3);
    let mut blob = String::new();
    while blob.len() < 400_000 {
        if rng.below(8) == 0 {
            blob.extend(std::iter::repeat_n('A', 4 + rng.below(40)));
        }
        blob.push(char::from(ALPHABET[rng.below(ALPHABET.len())]));
    }
    let wrapped: Vec<&str> = blob.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap()).collect();
    let texts = [
        format!(".logo {{ background: url(data:image/png;base64,{blob}==) }}\n"),
        format!("font: \"data:font/woff2;base64,{blob}\"\n"),
        format!("{}\n", wrapped.join("\n")),
    ];
    let mut failures = Vec::new();
    for text in &texts {
        for f in scan("blob.css", text) {
            failures.push(format!("line {}: rule {} reports {:?}", f.line, f.rule, secret(&f)));
        }
    }
    assert_no_failures("findings in base64 blobs", &failures);
}

/// A real lockfile, this crate's own: checksums and git revisions are not
/// secrets.
#[test]
fn lockfile_scans_clean() {
    let findings = scan("Cargo.lock", include_str!("../../Cargo.lock"));
    let failures: Vec<String> =
        findings.iter().map(|f| format!("Cargo.lock:{}: rule {} reports {:?}", f.line, f.rule, secret(f))).collect();
    assert_no_failures("findings in Cargo.lock", &failures);
}

/// Lines of the lockfiles issue 3 names, git output, and UUIDs, as
/// templates: integrity hashes, revisions and ids are not secrets, even next
/// to package names such as `js-tokens` or `jsonwebtoken`.
const NOT_SECRETS: &[&str] = &[
    "    \"node_modules/js-tokens\": {{",
    "      \"resolved\": \"https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz\",",
    "      \"integrity\": \"sha512-{base64:86}==\",",
    "        \"secret-stack\": \"^6.4.2\", \"password-prompt\": \"^1.1.3\",",
    "\"@octokit/auth-token@^4.0.0\":",
    "  resolved \"https://registry.yarnpkg.com/@octokit/auth-token/-/auth-token-4.0.0.tgz#{hex:40}\"",
    "  integrity sha512-{base64:86}==",
    "  /jsonwebtoken@9.0.2:",
    "    resolution: {{integrity: sha512-{base64:86}==}}",
    "{{file = \"PyJWT-2.8.0-py3-none-any.whl\", hash = \"sha256:{hex:64}\"}},",
    "sdist = {{ url = \"https://files.pythonhosted.org/packages/{hex:2}/{hex:2}/{hex:60}/tokenizers-0.19.1.tar.gz\", \
     hash = \"sha256:{hex:64}\", size = 321 }}",
    "github.com/golang-jwt/jwt/v5 v5.2.1 h1:{base64:43}=",
    "golang.org/x/oauth2 v0.21.0/go.mod h1:{base64:43}=",
    "  jwt (2.8.1) sha256={hex:64}",
    "            \"reference\": \"{hex:40}\",",
    "                \"url\": \"https://api.github.com/repos/lcobucci/jwt/zipball/{hex:40}\",",
    "commit {hex:40}",
    "index {hex:7}..{hex:7} 100644",
    "\"id\": \"{hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}\",",
    "token: {hex:8}-{hex:4}-4{hex:3}-a{hex:3}-{hex:12}",
];

#[test]
fn lockfile_lines_hashes_and_ids_scan_clean() {
    let mut failures = Vec::new();
    for template in NOT_SECRETS {
        for seed in 1..=SEEDS {
            let text = expand(template, None, &mut Rng::with_seed(seed)).expect("valid template");
            for f in scan("lockfile", &text) {
                failures.push(format!("{text:?}: rule {} reports {:?}", f.rule, secret(&f)));
            }
        }
    }
    assert_no_failures("findings in lockfile lines, hashes and ids", &failures);
}
