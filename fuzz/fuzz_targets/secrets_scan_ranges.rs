//! The scanning engine with the built-in rules over arbitrary bytes with
//! arbitrary added-line ranges, as the staged diff hands them over.
//!
//! Input: one byte `n`, then `n` (gap, length) pairs of two bytes each that
//! lay out sorted, disjoint line ranges, then the text. When `n` is odd the
//! ranges are built through `AddedLines::from_lines` from raw, possibly huge,
//! line numbers instead.
//!
//! Checked: no finding lies wholly outside the added lines, and every
//! finding is also found when the whole text counts as added.
#![no_main]

use std::sync::OnceLock;

use commitguard::secrets::{Input, Scanner};
use commitguard::source::AddedLines;
use libfuzzer_sys::fuzz_target;

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::builtin().expect("built-in rules load"))
}

fn ranges(header: &[u8], raw: bool) -> AddedLines {
    if raw {
        let mut lines: Vec<u32> = header
            .chunks_exact(2)
            .map(|p| u32::from_be_bytes([p[0], p[1], p[0], p[1]]))
            .collect();
        lines.sort_unstable();
        return AddedLines::from_lines(lines);
    }
    let mut out = Vec::new();
    let mut next = 1u32;
    for pair in header.chunks_exact(2) {
        let start = next + u32::from(pair[0]);
        let end = start + u32::from(pair[1]);
        out.push((start, end));
        next = end + 2;
    }
    AddedLines::Ranges(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&n, rest)) = data.split_first() else { return };
    let n = usize::from(n % 32);
    if rest.len() < 2 * n {
        return;
    }
    let (header, bytes) = rest.split_at(2 * n);
    let added = ranges(header, n % 2 == 1);

    let mut some = Vec::new();
    scanner().scan(&Input::new("changed.env", bytes, &added), &mut some);
    let mut all = Vec::new();
    scanner().scan(&Input::new("changed.env", bytes, &AddedLines::All), &mut all);

    for f in &some {
        let end = f.secret().map_or(f.line, |s| s.end_line);
        assert!(added.intersects(f.line, end), "finding on lines {}..={end} outside {added:?}", f.line);
        assert!(
            all.iter().any(|a| a.fingerprint == f.fingerprint && a.line == f.line),
            "finding {} on line {} missing when every line counts",
            f.rule,
            f.line
        );
    }
});
