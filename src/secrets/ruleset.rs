//! Loading rules: the built-in set embedded at build time, and rule files.

use crate::secrets::rule::{Rule, RuleFile};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// A rules file that could not be read: the file and the problem.
#[derive(Debug)]
pub struct RuleError {
    /// The file (or built-in file name).
    pub file: String,
    /// What is wrong, on one line.
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for RuleError {}

/// Parses the `[[rules]]` of one TOML rules file.
///
/// # Errors
///
/// Bad TOML, an unknown key, or a missing field; the message gives the line
/// and column.
pub fn parse_rules(file: &str, text: &str) -> Result<Vec<Rule>, RuleError> {
    let parsed: RuleFile =
        toml::from_str(text).map_err(|e| RuleError { file: file.to_owned(), message: toml_message(text, &e) })?;
    Ok(parsed.rules.into_iter().map(Rule::new).collect())
}

/// The built-in rules, in file then definition order.
///
/// # Errors
///
/// Only if a built-in file is broken, which the test suite rules out.
pub fn builtin_rules() -> Result<Vec<Rule>, RuleError> {
    let mut rules = Vec::new();
    for (name, text) in BUILTIN_RULE_FILES {
        rules.extend(parse_rules(&format!("rules/{name}"), text)?);
    }
    Ok(rules)
}

/// A TOML error as `line L, column C: message` on one line.
pub(crate) fn toml_message(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().replace('\n', " ");
    match error.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}
