//! Prints the recall and precision of the built-in secret rules on the
//! labelled corpus of issue 3 (`tests/accuracy/`), with every miss and
//! false positive per rule.
//!
//! ```text
//! cargo run --release --example accuracy [-- --seeds N]
//! ```
//!
//! Each positive template is expanded with seeds `1..=N` (default 3, as in
//! the test). Exits 1 when recall or precision is below 0.95.

#[path = "../tests/accuracy/corpus.rs"]
mod corpus;

use commitguard::secrets::Scanner;

fn main() {
    let mut seeds = 3;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|n| n.parse::<u64>())) {
            ("--seeds", Some(Ok(n))) if n > 0 => seeds = n,
            _ => fail("usage: accuracy [--seeds N]"),
        }
    }
    let corpus = corpus::Corpus::load(&corpus::default_dir()).unwrap_or_else(|e| fail(&e));
    let scanner = Scanner::builtin().unwrap_or_else(|e| fail(&e.to_string()));
    let unknown = corpus.unknown_labels(&scanner);
    if !unknown.is_empty() {
        fail(&format!("labels that are not rules: {}", unknown.join(", ")));
    }
    let score = corpus.score(&scanner, seeds).unwrap_or_else(|e| fail(&e));
    print!("{}", score.report());
    if score.recall() < 0.95 || score.precision() < 0.95 {
        std::process::exit(1);
    }
}

fn fail(message: &str) -> ! {
    eprintln!("accuracy: {message}");
    std::process::exit(2);
}
