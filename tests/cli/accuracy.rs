//! Measured accuracy (issue 3): recall and precision of the built-in rules
//! on the labelled corpus under `tests/accuracy/`.
//!
//! The figures for the closing note come from
//! `cargo run --release --example accuracy`, which scores the same corpus
//! with the same code.

#[path = "../accuracy/corpus.rs"]
mod corpus;

use commitguard::secrets::{builtin_rules, parse_rules, Scanner};
use corpus::Corpus;

/// Issue 3: "A test fails if recall or precision on it falls below 0.95".
const THRESHOLD: f64 = 0.95;

/// Each positive template is expanded this many times.
const SEEDS: u64 = 3;

fn corpus() -> Corpus {
    Corpus::load(&corpus::default_dir()).expect("the corpus loads")
}

#[test]
fn corpus_is_large_and_labelled_with_rules() {
    let corpus = corpus();
    assert!(corpus.positives.len() >= 300, "{} positive cases", corpus.positives.len());
    let negatives: usize = corpus.negatives.iter().map(corpus::Negative::lines).sum();
    assert!(negatives >= 300, "{negatives} negative lines");
    let unknown = corpus.unknown_labels(&Scanner::builtin().expect("built-in rules parse"));
    assert!(unknown.is_empty(), "labels that are not rules:\n{}", unknown.join("\n"));
}

#[test]
fn builtin_rules_reach_the_accuracy_threshold() {
    let scanner = Scanner::builtin().expect("built-in rules parse");
    let score = corpus().score(&scanner, SEEDS).expect("the corpus scores");
    assert!(
        score.recall() >= THRESHOLD && score.precision() >= THRESHOLD,
        "recall or precision below {THRESHOLD}:\n{}",
        score.report()
    );
}

/// The scoring counts what it should: without a rule its cases are missed,
/// and a rule that reports every assignment costs precision.
#[test]
fn accuracy_score_can_fail() {
    let corpus = corpus();
    let mut rules = builtin_rules().expect("built-in rules parse");
    rules.retain(|r| r.id() != "aws-access-key-id");
    let score = corpus.score(&Scanner::new(rules), 1).unwrap();
    assert!(score.misses.get("aws-access-key-id").is_some_and(|m| !m.is_empty()), "{}", score.report());

    let noisy = "[[rules]]\nid = \"test-noisy\"\ndescription = \"d\"\nregex = '(?-u)[=:] ?(\\S+)'\n\
                 keywords = [\"=\", \":\"]\n";
    let mut rules = builtin_rules().expect("built-in rules parse");
    rules.extend(parse_rules("test.toml", noisy).unwrap());
    let score = corpus.score(&Scanner::new(rules), 1).unwrap();
    assert!(score.false_positives.get("test-noisy").is_some_and(|m| !m.is_empty()));
    assert!(score.precision() < THRESHOLD, "{}", score.report());
}
