//! gitleaks configuration files, accepted as they are.
//!
//! Supported: `[[rules]]` (`id`, `description`, `regex`, `secretGroup`,
//! `entropy`, `keywords`, `path`, `tags`), rule allowlists (`[rules.allowlist]`
//! and `[[rules.allowlists]]`), global allowlists (`[allowlist]` and
//! `[[allowlists]]` with `targetRules`), allowlist `regexes`, `paths`
//! (regexes, as gitleaks reads them), `stopwords`, `commits`, `regexTarget`
//! and `condition`, and `[extend]` with `useDefault` (commitguard's built-in
//! rules stand in for gitleaks' defaults), `path` and `disabledRules`.
//!
//! gitleaks runs a rule's regex over the whole file once a keyword occurs
//! anywhere in it; rules from these files do the same here
//! ([`Reach::Text`]), so they report what they reported under gitleaks.
//!
//! # Limitations
//!
//! `[extend] url` (a remote file) and rules with only a `path` and no regex
//! are not supported; both are named in a warning. Unknown keys are ignored,
//! as gitleaks ignores them.

use std::path::{Path, PathBuf};

use regex::bytes::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::config::{line_of, ConfigError, SecretsPolicy};
use crate::secrets::allowlist::{Allowlist, Condition, Paths, Target};
use crate::secrets::rule::Reach;
use crate::secrets::{Rule, RuleSpec};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    extend: Option<Extend>,
    #[serde(default)]
    rules: Vec<Spanned<GlRule>>,
    allowlist: Option<Spanned<GlAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<GlAllowlist>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Extend {
    #[serde(default)]
    use_default: bool,
    path: Option<String>,
    url: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlRule {
    id: String,
    #[serde(default)]
    description: String,
    regex: Option<String>,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    path: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    tags: Vec<String>,
    allowlist: Option<Spanned<GlAllowlist>>,
    #[serde(default)]
    allowlists: Vec<Spanned<GlAllowlist>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GlAllowlist {
    description: Option<String>,
    condition: Option<String>,
    regex_target: Option<String>,
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    #[serde(default)]
    target_rules: Vec<String>,
}

/// Whether `text` is a gitleaks file rather than a commitguard.toml: it has
/// gitleaks' top-level keys and none of commitguard's sections.
pub fn looks_like_gitleaks(text: &str) -> bool {
    let Ok(table) = text.parse::<toml::Table>() else { return false };
    let ours = ["secrets", "licenses"].iter().any(|k| table.contains_key(*k));
    let theirs = ["title", "extend", "rules", "allowlist", "allowlists"].iter().any(|k| table.contains_key(*k));
    theirs && !ours
}

/// Reads a gitleaks configuration file (and the files it extends).
///
/// # Errors
///
/// Bad TOML, or a regex that the Rust regex engine cannot compile; the
/// error names the file, the line and the rule.
pub fn parse(path: &Path, text: &str) -> Result<SecretsPolicy, ConfigError> {
    let mut policy = SecretsPolicy { file: Some(path.to_path_buf()), builtin: false, ..SecretsPolicy::default() };
    load(path, text, &mut policy, 0)?;
    Ok(policy)
}

fn load(path: &Path, text: &str, policy: &mut SecretsPolicy, depth: usize) -> Result<(), ConfigError> {
    let file: File = toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    if let Some(extend) = &file.extend {
        policy.builtin |= extend.use_default;
        policy.disabled.extend(extend.disabled_rules.iter().cloned());
        if let Some(url) = &extend.url {
            log::warn!("{}: [extend] url {url:?} is not fetched; commitguard reads local files only", path.display());
        }
        if let Some(base) = &extend.path {
            if depth > 8 {
                return Err(ConfigError::new(path, None, "[extend] path: files extend each other in a loop"));
            }
            let base_path: PathBuf = path.parent().unwrap_or(Path::new(".")).join(base);
            let base_text = std::fs::read_to_string(&base_path)
                .map_err(|e| ConfigError::new(path, None, format!("[extend] path {base:?}: {e}")))?;
            load(&base_path, &base_text, policy, depth + 1)?;
        }
    }
    for spanned in file.rules {
        let line_number = line_of(text, spanned.span().start);
        let line = Some(line_number);
        let gl = spanned.into_inner();
        let Some(regex) = gl.regex.clone() else {
            log::warn!(
                "{}:{}: rule {}: rules with only a path are not supported; skipped",
                path.display(),
                line_number,
                gl.id
            );
            continue;
        };
        let mut rule = Rule::new(RuleSpec {
            id: gl.id.clone(),
            description: if gl.description.is_empty() { gl.id.clone() } else { gl.description.clone() },
            regex,
            keywords: gl.keywords.clone(),
            secret_group: gl.secret_group.filter(|&g| g > 0),
            entropy: gl.entropy.filter(|&e| e > 0.0),
            span: 0,
            checksum: None,
            allowlist: Default::default(),
            examples: Default::default(),
        });
        rule.reach = Reach::Text;
        rule.validate().map_err(|e| ConfigError::new(path, line, e))?;
        if let Some(p) = &gl.path {
            rule.path =
                Some(compile(p).map_err(|e| ConfigError::new(path, line, format!("rule {}: path {e}", gl.id)))?);
        }
        for list in gl.allowlist.into_iter().chain(gl.allowlists) {
            let list_line = Some(line_of(text, list.span().start));
            rule.allowlists.push(
                allowlist(list.get_ref())
                    .map_err(|e| ConfigError::new(path, list_line, format!("rule {}: allowlist {e}", gl.id)))?,
            );
        }
        policy.rules.retain(|r| r.id() != rule.id());
        policy.rules.push(rule);
    }
    for list in file.allowlist.into_iter().chain(file.allowlists) {
        let line = Some(line_of(text, list.span().start));
        let compiled = allowlist(list.get_ref()).map_err(|e| ConfigError::new(path, line, format!("allowlist {e}")))?;
        if list.get_ref().target_rules.is_empty() {
            policy.allowlists.push(compiled);
        } else {
            for id in &list.get_ref().target_rules {
                policy.overrides.push(crate::config::RuleOverride {
                    id: id.clone(),
                    entropy: None,
                    allowlists: vec![compiled.clone()],
                    line,
                });
            }
        }
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| {
        format!("{pattern:?} does not compile: {}", e.to_string().split_whitespace().collect::<Vec<_>>().join(" "))
    })
}

fn allowlist(spec: &GlAllowlist) -> Result<Allowlist, String> {
    let target = match spec.regex_target.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("secret") => Target::Secret,
        Some("match") => Target::Match,
        Some("line") => Target::Line,
        Some(other) => return Err(format!("regexTarget {other:?} is not secret, match or line")),
    };
    let condition = match spec.condition.as_deref().map(str::to_ascii_uppercase).as_deref() {
        None | Some("") | Some("OR") => Condition::Or,
        Some("AND") => Condition::And,
        Some(other) => return Err(format!("condition {other:?} is not OR or AND")),
    };
    Ok(Allowlist {
        description: spec.description.clone().unwrap_or_default(),
        paths: Paths::regexes(
            spec.paths.iter().map(|p| compile(p).map_err(|e| format!("paths: {e}"))).collect::<Result<_, _>>()?,
        ),
        regexes: spec
            .regexes
            .iter()
            .map(|r| compile(r).map_err(|e| format!("regexes: {e}")))
            .collect::<Result<_, _>>()?,
        target,
        stopwords: spec.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect(),
        commits: spec.commits.clone(),
        condition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_gitleaks_files() {
        assert!(looks_like_gitleaks("title = 'x'\n[[rules]]\nid = 'a'\nregex = 'b'\n"));
        assert!(!looks_like_gitleaks("[secrets]\nmax_size = 1\n"));
        assert!(!looks_like_gitleaks("not toml ["));
    }

    #[test]
    fn rules_and_allowlists() {
        let text = r#"
title = "custom"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-key"
description = "Acme key"
regex = '''acme_([a-z0-9]{16})'''
secretGroup = 1
keywords = ["acme_"]
path = '''\.env$'''
  [[rules.allowlists]]
  regexTarget = "line"
  regexes = ['''TESTING''']

[allowlist]
paths = ['''^vendor/''']
"#;
        let policy = parse(Path::new(".gitleaks.toml"), text).unwrap();
        assert!(policy.builtin);
        assert_eq!(policy.disabled, ["generic-api-key"]);
        let rule = &policy.rules[0];
        assert_eq!(rule.reach, Reach::Text);
        assert!(rule.applies_to("prod.env") && !rule.applies_to("main.rs"));
        assert_eq!(rule.allowlists[0].target, Target::Line);
        assert!(policy.allowlists[0].allows_path("vendor/x.go"));
    }

    #[test]
    fn uncompilable_regex_names_the_rule_and_line() {
        let text = "[[rules]]\nid = 'ok'\nregex = 'a'\n\n[[rules]]\nid = 'lookahead'\nregex = '''foo(?=bar)'''\n";
        let err = parse(Path::new("g.toml"), text).unwrap_err();
        assert_eq!(err.line, Some(5), "{err}");
        assert!(err.message.contains("rule lookahead"), "{err}");
        // The engine's reason, not only "error parsing pattern 0".
        assert!(err.message.contains("look-around"), "{err}");
    }
}
