//! The rule format: what a rule file says, and the compiled rule the matcher
//! runs.
//!
//! Rules are TOML (`[[rules]]` tables, one file per provider family under
//! `rules/`, embedded at build time). A rule's regex and allowlist regexes are
//! compiled lazily, the first time one of its keywords fires, so that a hook
//! run pays only for the providers its input mentions.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_automata::{meta, util::syntax, PatternID};
use serde::Deserialize;

use crate::secrets::allowlist::Allowlist;
use crate::secrets::validate::Checksum;

/// One rule as written in a rules file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique id, starting with the provider (`aws-access-key-id`). Ids
    /// starting `generic-` mark fallback rules, whose matches give way to any
    /// other rule's overlapping match (see [`Rule::is_fallback`]).
    pub id: String,
    /// One line saying what the rule finds.
    pub description: String,
    /// The regex, run on bytes (`regex::bytes` syntax).
    pub regex: String,
    /// Strings (ASCII case-insensitive) one of which must occur near a match.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The capture group holding the secret; default: the first group that
    /// took part in the match, else the whole match.
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// How many bytes past its keyword a match may reach, beyond the line
    /// (at most a few KiB of it) that is searched anyway; set for secrets
    /// that span lines, such as PEM blocks, or outgrow a window on one line,
    /// such as JWTs carrying many claims.
    #[serde(default)]
    pub span: usize,
    /// A checksum the secret must carry.
    pub checksum: Option<Checksum>,
    /// Secrets or lines that this rule must not report.
    #[serde(default)]
    pub allowlist: AllowSpec,
    /// Strings the rule must and must not match; checked by the test suite.
    #[serde(default)]
    pub examples: Examples,
}

/// A rule's own allowlist.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSpec {
    /// Regexes tested against the secret.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Words (case-insensitive) that, inside the secret, mark it as not one.
    #[serde(default)]
    pub stopwords: Vec<String>,
    /// Regexes tested against the line holding the match, for context that
    /// lies outside it (`hashed_secret = …`).
    #[serde(default)]
    pub lines: Vec<String>,
}

/// A rule's examples.
///
/// Strings in `matches` are templates: `{base62:30}` stands for 30 random
/// characters of that alphabet and `{checksum}` for the rule's checksum of
/// what precedes it, so that no live-format token is written in the
/// repository. See [`crate::secrets::template`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Templates of text the rule must report.
    #[serde(default)]
    pub matches: Vec<String>,
    /// Text the rule must not report.
    #[serde(default)]
    pub non_matches: Vec<String>,
}

/// A rule file: a list of `[[rules]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub(crate) rules: Vec<RuleSpec>,
}

/// How far from a keyword hit a rule's regex looks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reach {
    /// The keyword's line (a few KiB either side at most), plus the rule's
    /// `span` forward.
    #[default]
    Line,
    /// The whole text, as gitleaks does: a keyword anywhere in a file makes
    /// the regex run over all of it. Used for rules from gitleaks files so
    /// that they find what they found there.
    Text,
}

/// A rule ready to run. The regexes compile on first use.
#[derive(Debug)]
pub struct Rule {
    spec: RuleSpec,
    stopwords: Vec<String>,
    compiled: OnceLock<Result<Compiled, String>>,
    /// Allowlists from configuration, checked with the finding's path and
    /// line.
    pub allowlists: Vec<Allowlist>,
    /// Only paths this matches are scanned with the rule (gitleaks `path`).
    pub path: Option<Regex>,
    /// How far the regex looks around a keyword hit.
    pub reach: Reach,
}

/// The compiled parts of a rule.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// The rule's regex, as a `regex-automata` meta regex so that each
    /// scanning thread can keep its own cache for it (see
    /// [`crate::secrets::Scratch`]) instead of going through a shared pool.
    pub(crate) regex: meta::Regex,
    /// The allowlist's regexes, each set compiled and searched as one.
    pub(crate) allow: RegexSet,
    pub(crate) allow_lines: RegexSet,
    /// The secret's capture group; `None`: the first group that matched.
    pub(crate) group: Option<usize>,
}

/// Regex size limit per rule: generous, since rules are few and compiled once.
const REGEX_SIZE_LIMIT: usize = 32 << 20;

impl Rule {
    /// Wraps a spec; nothing is compiled yet.
    pub fn new(spec: RuleSpec) -> Rule {
        let stopwords = spec.allowlist.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect();
        Rule { spec, stopwords, compiled: OnceLock::new(), allowlists: Vec::new(), path: None, reach: Reach::Line }
    }

    /// Replaces the minimum entropy.
    pub fn set_entropy(&mut self, entropy: Option<f64>) {
        self.spec.entropy = entropy;
    }

    /// Whether the rule applies to files at `path`.
    pub fn applies_to(&self, path: &str) -> bool {
        self.path.as_ref().is_none_or(|r| r.is_match(path.as_bytes()))
    }

    /// The rule id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The rule's one-line description.
    pub fn description(&self) -> &str {
        &self.spec.description
    }

    /// Whether the rule is a fallback: a generic detector (id `generic-…`)
    /// whose matches give way to any other rule's overlapping match.
    pub fn is_fallback(&self) -> bool {
        self.spec.id.starts_with("generic-")
    }

    /// The spec this rule was built from.
    pub fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    /// Stop-words, lowercased.
    pub(crate) fn stopwords(&self) -> &[String] {
        &self.stopwords
    }

    /// Compiles the rule now (if not yet) and returns its compiled parts.
    ///
    /// # Errors
    ///
    /// The regex or an allowlist regex does not compile; the message names
    /// the rule.
    pub(crate) fn compiled(&self) -> Result<&Compiled, &str> {
        self.compiled.get_or_init(|| self.compile()).as_ref().map_err(String::as_str)
    }

    /// Compiles the rule eagerly, for rules that users supply.
    ///
    /// # Errors
    ///
    /// Returns a message naming the rule and the regex problem.
    pub fn validate(&self) -> Result<(), String> {
        self.compiled().map(|_| ()).map_err(str::to_owned)
    }

    fn compile(&self) -> Result<Compiled, String> {
        let any_of = |patterns: &[String], what: &str| {
            RegexSetBuilder::new(patterns).size_limit(REGEX_SIZE_LIMIT).build().map_err(|set_error| {
                // Name the pattern at fault, as compiling it alone tells.
                let error = patterns
                    .iter()
                    .find_map(|p| RegexBuilder::new(p).size_limit(REGEX_SIZE_LIMIT).build().err())
                    .unwrap_or(set_error);
                format!("rule {}: {what} does not compile: {}", self.spec.id, describe(&error))
            })
        };
        let regex = meta::Regex::builder()
            .configure(meta::Config::new().utf8_empty(false).nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
            .syntax(syntax::Config::new().utf8(false))
            .build(&self.spec.regex)
            .map_err(|e| format!("rule {}: regex does not compile: {}", self.spec.id, describe(&e)))?;
        let allow = any_of(&self.spec.allowlist.regexes, "allowlist regex")?;
        let groups = regex.group_info().group_len(PatternID::ZERO) - 1;
        let group = match self.spec.secret_group {
            Some(g) if g > groups => {
                return Err(format!("rule {}: secret_group {g} but the regex has {groups} groups", self.spec.id))
            }
            Some(g) => Some(g),
            None if groups > 0 => None,
            None => Some(0),
        };
        let allow_lines = any_of(&self.spec.allowlist.lines, "allowlist line regex")?;
        Ok(Compiled { regex, allow, allow_lines, group })
    }
}

/// A regex error and its causes on one line. The meta engine's own message
/// is only "error parsing pattern 0"; the reason (look-around, say) is in
/// its source.
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message = format!("{message}: {text}");
        }
        source = cause.source();
    }
    one_line(&message)
}

/// Squeezes a multi-line message (a regex error, an error chain) into one
/// line.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use crate::secrets::parse_rules;

    fn rule_with_allowlist(regexes: &str) -> super::Rule {
        let text = format!(
            "[[rules]]\nid = \"acme\"\ndescription = \"d\"\nregex = 'acme_[a-z]{{8}}'\nkeywords = [\"acme_\"]\n\
             [rules.allowlist]\nregexes = {regexes}\n"
        );
        parse_rules("t.toml", &text).unwrap().remove(0)
    }

    #[test]
    fn allowlist_regexes_match_as_one_set() {
        let rule = rule_with_allowlist("['^acme_test', 'dummy$', '(?i)SAMPLE']");
        let compiled = rule.compiled().unwrap();
        for allowed in ["acme_testabcd", "acme_abdummy", "acme_sAmPlEx"] {
            assert!(compiled.allow.is_match(allowed.as_bytes()), "{allowed}");
        }
        assert!(!compiled.allow.is_match(b"acme_qwrtzpsd"));
    }

    #[test]
    fn a_bad_allowlist_regex_is_named() {
        // Alone, `a)|(b` is no regex, whatever it would make beside others.
        for bad in ["['fine', 'a(b']", "['a)|(b', 'fine']"] {
            let error = rule_with_allowlist(bad).validate().unwrap_err();
            assert!(error.starts_with("rule acme: allowlist regex does not compile: "), "{error}");
        }
    }
}
