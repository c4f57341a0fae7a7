//! The rule format: what a rule file says, and the compiled rule the matcher
//! runs.
//!
//! Rules are TOML (`[[rules]]` tables, one file per provider family under
//! `rules/`, embedded at build time). A rule's regex and allowlist regexes are
//! compiled lazily, the first time one of its keywords fires, so that a hook
//! run pays only for the providers its input mentions.

use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use serde::Deserialize;

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
    /// The capture group holding the secret; default: group 1 when the regex
    /// has groups, else the whole match.
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the secret.
    pub entropy: Option<f64>,
    /// How many bytes a match may reach past the line of its keyword; set for
    /// secrets that span lines, such as PEM blocks.
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

/// A rule ready to run. The regexes compile on first use.
#[derive(Debug)]
pub struct Rule {
    spec: RuleSpec,
    stopwords: Vec<String>,
    compiled: OnceLock<Result<Compiled, String>>,
}

/// The compiled parts of a rule.
#[derive(Debug)]
pub(crate) struct Compiled {
    pub(crate) regex: Regex,
    pub(crate) allow: Vec<Regex>,
    pub(crate) group: usize,
}

/// Regex size limit per rule: generous, since rules are few and compiled once.
const REGEX_SIZE_LIMIT: usize = 32 << 20;

impl Rule {
    /// Wraps a spec; nothing is compiled yet.
    pub fn new(spec: RuleSpec) -> Rule {
        let stopwords = spec.allowlist.stopwords.iter().map(|w| w.to_ascii_lowercase()).collect();
        Rule { spec, stopwords, compiled: OnceLock::new() }
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
        let build = |pattern: &str, what: &str| {
            RegexBuilder::new(pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| format!("rule {}: {what} does not compile: {}", self.spec.id, one_line(&e.to_string())))
        };
        let regex = build(&self.spec.regex, "regex")?;
        let allow =
            self.spec.allowlist.regexes.iter().map(|p| build(p, "allowlist regex")).collect::<Result<_, _>>()?;
        let groups = regex.captures_len() - 1;
        let group = match self.spec.secret_group {
            Some(g) if g > groups => {
                return Err(format!("rule {}: secret_group {g} but the regex has {groups} groups", self.spec.id))
            }
            Some(g) => g,
            None if groups > 0 => 1,
            None => 0,
        };
        Ok(Compiled { regex, allow, group })
    }
}

/// Squeezes a multi-line regex error into one line.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
