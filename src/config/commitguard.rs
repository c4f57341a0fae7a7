//! `commitguard.toml`: the project's own configuration.
//!
//! ```toml
//! [secrets]
//! max_size = "10M"                 # or a number of bytes
//! builtin = true                   # use the built-in rules
//! disable = ["generic-password"]   # rule ids to switch off
//!
//! [[secrets.rules]]                # rules to add, in the built-in format
//! id = "acme-token"
//! description = "Acme API token"
//! regex = '''\bacme_[a-z0-9]{32}\b'''
//! keywords = ["acme_"]
//!
//! [[secrets.allowlists]]           # for every rule
//! paths = ["tests/fixtures/**"]    # globs
//! regexes = ['''^dev-''']          # against the secret (target = "match"/"line" to change)
//! stopwords = ["sample"]
//!
//! [secrets.overrides.generic-password]
//! entropy = 4.0
//! allowlists = [{ paths = ["docs/**"] }]
//! ```
//!
//! Unknown keys are errors naming the line and the key.

use std::collections::BTreeMap;
use std::path::Path;

use regex::bytes::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::config::{line_of, ConfigError, RuleOverride, SecretsPolicy};
use crate::secrets::allowlist::{Allowlist, Condition, Paths, Target};
use crate::secrets::{Rule, RuleSpec};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    secrets: Option<SecretsSection>,
    /// Read by the licences check.
    #[serde(default)]
    #[allow(dead_code)]
    licenses: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsSection {
    max_size: Option<Spanned<toml::Value>>,
    builtin: Option<bool>,
    #[serde(default)]
    disable: Vec<String>,
    #[serde(default)]
    rules: Vec<Spanned<RuleSpec>>,
    allowlist: Option<AllowlistSpec>,
    #[serde(default)]
    allowlists: Vec<AllowlistSpec>,
    #[serde(default)]
    overrides: BTreeMap<String, Spanned<OverrideSpec>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AllowlistSpec {
    description: Option<String>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    regexes: Vec<Spanned<String>>,
    target: Option<Spanned<String>>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    commits: Vec<String>,
    condition: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideSpec {
    entropy: Option<f64>,
    allowlist: Option<AllowlistSpec>,
    #[serde(default)]
    allowlists: Vec<AllowlistSpec>,
}

/// Parses the `[secrets]` part of a commitguard.toml.
///
/// # Errors
///
/// Bad TOML, an unknown key, a bad regex, glob or size; each names the file
/// and line.
pub fn parse_secrets(path: &Path, text: &str) -> Result<SecretsPolicy, ConfigError> {
    let file: File = toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    let mut policy = SecretsPolicy { file: Some(path.to_path_buf()), ..SecretsPolicy::default() };
    let Some(section) = file.secrets else { return Ok(policy) };
    let at = |offset: usize| Some(line_of(text, offset));
    if let Some(size) = section.max_size {
        let parsed = match size.get_ref() {
            toml::Value::Integer(n) => u64::try_from(*n).ok(),
            toml::Value::String(s) => parse_size(s),
            _ => None,
        };
        policy.max_size = Some(parsed.ok_or_else(|| {
            ConfigError::new(path, at(size.span().start), "secrets.max_size: expected bytes or a size such as \"10M\"")
        })?);
    }
    policy.builtin = section.builtin.unwrap_or(true);
    policy.disabled = section.disable;
    for spec in section.rules {
        let line = at(spec.span().start);
        let rule = Rule::new(spec.into_inner());
        rule.validate().map_err(|e| ConfigError::new(path, line, format!("secrets.rules: {e}")))?;
        policy.rules.push(rule);
    }
    for spec in section.allowlist.into_iter().chain(section.allowlists) {
        policy.allowlists.push(allowlist(path, text, spec, "secrets.allowlists")?);
    }
    for (id, spec) in section.overrides {
        let line = at(spec.span().start);
        let spec = spec.into_inner();
        let key = format!("secrets.overrides.{id}");
        let allowlists = spec
            .allowlist
            .into_iter()
            .chain(spec.allowlists)
            .map(|a| allowlist(path, text, a, &key))
            .collect::<Result<_, _>>()?;
        policy.overrides.push(RuleOverride { id, entropy: spec.entropy, allowlists, line });
    }
    Ok(policy)
}

fn allowlist(path: &Path, text: &str, spec: AllowlistSpec, key: &str) -> Result<Allowlist, ConfigError> {
    let error = |span: std::ops::Range<usize>, what: String| {
        ConfigError::new(path, Some(line_of(text, span.start)), format!("{key}: {what}"))
    };
    let mut globs = Vec::new();
    for glob in &spec.paths {
        globset::Glob::new(glob.get_ref()).map_err(|e| error(glob.span(), format!("paths: {e}")))?;
        globs.push(glob.get_ref().clone());
    }
    let paths = Paths::globs(&globs).map_err(|e| ConfigError::new(path, None, format!("{key}: paths: {e}")))?;
    let regexes = spec
        .regexes
        .iter()
        .map(|r| {
            Regex::new(r.get_ref()).map_err(|e| {
                error(
                    r.span(),
                    format!(
                        "regexes: {:?} does not compile: {}",
                        r.get_ref(),
                        crate::secrets::rule::one_line(&e.to_string())
                    ),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let target = match spec.target.as_ref().map(|t| (t.get_ref().as_str(), t.span())) {
        None | Some(("secret", _)) => Target::Secret,
        Some(("match", _)) => Target::Match,
        Some(("line", _)) => Target::Line,
        Some((other, span)) => {
            return Err(error(span, format!("target: {other:?} is not one of \"secret\", \"match\", \"line\"")))
        }
    };
    let condition = match spec.condition.as_ref().map(|c| (c.get_ref().to_ascii_lowercase(), c.span())) {
        None => Condition::Or,
        Some((c, _)) if c == "or" => Condition::Or,
        Some((c, _)) if c == "and" => Condition::And,
        Some((other, span)) => return Err(error(span, format!("condition: {other:?} is not \"or\" or \"and\""))),
    };
    Ok(Allowlist {
        description: spec.description.unwrap_or_else(|| key.to_owned()),
        paths,
        regexes,
        target,
        stopwords: spec.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect(),
        commits: spec.commits,
        condition,
    })
}

/// `1024`, `64K`, `10M`, `1G` (binary units).
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 10),
        Some((i, 'm' | 'M')) => (&text[..i], 20),
        Some((i, 'g' | 'G')) => (&text[..i], 30),
        _ => (text, 0),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(1 << shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SecretsPolicy, ConfigError> {
        parse_secrets(Path::new("commitguard.toml"), text)
    }

    #[test]
    fn full_example_parses() {
        let policy = parse(
            r#"
[secrets]
max_size = "2M"
disable = ["generic-password"]
[[secrets.rules]]
id = "acme-token"
description = "Acme token"
regex = '\bacme_[a-z0-9]{8}\b'
keywords = ["acme_"]
[[secrets.allowlists]]
paths = ["tests/**"]
regexes = ["^dev-"]
[secrets.overrides.acme-token]
entropy = 2.0
"#,
        )
        .unwrap();
        assert_eq!(policy.max_size, Some(2 << 20));
        assert_eq!(policy.rules.len(), 1);
        assert_eq!(policy.allowlists.len(), 1);
        assert_eq!(policy.overrides[0].entropy, Some(2.0));
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = parse("[secrets]\nmax_size = 10\nbogus = 1\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("bogus"), "{err}");
    }

    #[test]
    fn bad_regex_names_line() {
        let err = parse("[secrets]\n[[secrets.allowlists]]\nregexes = [\n  'ok',\n  '(unclosed',\n]\n").unwrap_err();
        assert_eq!(err.line, Some(5), "{err}");
        assert!(err.message.contains("(unclosed"), "{err}");
        let err = parse("[secrets]\n\n[[secrets.rules]]\nid = 'x-y'\ndescription = 'd'\nregex = '(a'\n").unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert!(err.message.contains("rule x-y"), "{err}");
    }
}
