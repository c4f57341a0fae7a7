//! The scanning engine finds the same secrets wherever a text's bytes fall
//! among the pieces its keyword search walks in parallel.
//!
//! Input: one byte `k`, then a text. The text is repeated to at least 2 KiB
//! (so the keyword search cuts it into lanes) and scanned twice: as is, and
//! after `k` empty lines, which moves every lane cut without changing any
//! line.
//!
//! Checked: both scans report the same findings, `k` lines apart.
#![no_main]

use std::sync::OnceLock;

use commitguard::secrets::{Input, Scanner};
use commitguard::source::AddedLines;
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::builtin().expect("built-in rules load"))
}

fn findings(text: &[u8], shift: u32) -> Vec<(String, u32, String)> {
    let mut out = Vec::new();
    scanner().scan(&Input::new("shifted.env", text, &AddedLines::All), &mut out);
    let mut found: Vec<_> = out.into_iter().map(|f| (f.rule, f.line - shift, f.fingerprint)).collect();
    found.sort();
    found
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, body)) = data.split_first() else { return };
    if body.is_empty() {
        return;
    }
    let mut text = Vec::new();
    while text.len() < 2048 {
        text.extend_from_slice(body);
    }
    let mut shifted = vec![b'\n'; usize::from(k)];
    shifted.extend_from_slice(&text);
    assert_eq!(findings(&text, 0), findings(&shifted, u32::from(k)));
});
