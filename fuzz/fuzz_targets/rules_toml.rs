//! The rule-file format of `rules/` (also what a commitguard.toml
//! `[[rules]]` entry holds): parsing then validating and compiling any text
//! is an error or a usable rule set.
#![no_main]

use commitguard::secrets::{parse_rules, Input, Scanner};
use commitguard::source::AddedLines;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(rules) = parse_rules("fuzz.toml", text) else { return };
    for rule in &rules {
        let _ = rule.validate();
    }
    let scanner = Scanner::new(rules);
    scanner.scan(&Input::new("fuzz.toml", data, &AddedLines::All), &mut Vec::new());
});
