//! The keyword prefilter: one Aho-Corasick automaton over every rule's
//! keywords finds, in a single pass, the windows of text worth a regex.
//!
//! Every occurrence of every keyword is a hit, overlapping ones included
//! (`secret` inside `client_secret`), so each hit wakes exactly the rules
//! that own its keyword.
//!
//! A keyword hit opens a window around it for each rule that owns the
//! keyword: the hit's line, bounded to a few KiB either side so that a
//! minified megabyte-long line costs no more than a short one, and stretched
//! forward by the rule's `span` for secrets that run over several lines.
//! Overlapping windows of one rule merge, so every byte is handed to a given
//! rule's regex at most once and the cost grows with the bytes scanned, not
//! with the number of rules.

use crate::secrets::keywords::{Hit, KeywordSearch};
use crate::secrets::rule::{Reach, Rule};

/// How far a window reaches either side of a keyword hit on the same line.
const REACH: usize = 4096;

/// How many bytes are searched for keywords before their hits are turned
/// into windows: a bound on the hits held at once, which in a text made of
/// one keyword over and over is a few per byte.
const BLOCK: usize = 256 * 1024;

/// A range of bytes one rule's regex should search.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Window {
    pub(crate) rule: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The compiled keyword automaton and which rules own each keyword.
#[derive(Debug)]
pub(crate) struct Prefilter {
    keywords: Option<KeywordSearch>,
    /// For each automaton pattern, the rules that listed it.
    owners: Vec<Vec<usize>>,
    /// How far each rule looks: its reach, and its `span` past the line.
    reach: Vec<(Reach, usize)>,
    /// Rules with no keyword, or an empty one: they search whole texts.
    unconditional: Vec<usize>,
}

/// Reusable per-thread buffers for [`Prefilter::windows`].
#[derive(Debug, Default)]
pub(crate) struct PrefilterScratch {
    hits: Vec<Hit>,
    open: OpenWindows,
}

/// Each rule's window still growing while hits come in.
#[derive(Debug, Default)]
struct OpenWindows {
    /// By rule: the window open, if any.
    by_rule: Vec<Option<(usize, usize)>>,
    /// The rules that have had one, in order.
    touched: Vec<usize>,
}

impl OpenWindows {
    fn reset(&mut self, rules: usize) {
        self.by_rule.clear();
        self.by_rule.resize(rules, None);
        self.touched.clear();
    }

    /// Widens `window.rule`'s open window by `window` when they overlap;
    /// else hands the open one to `out` and opens `window`.
    fn widen(&mut self, window: Window, out: &mut Vec<Window>) {
        let Window { rule, start, end } = window;
        match &mut self.by_rule[rule] {
            // Hits come in order of their end, so a longer keyword may start
            // before the window its rule has open.
            Some((open_start, open_end)) if start <= *open_end => {
                *open_start = (*open_start).min(start);
                *open_end = (*open_end).max(end);
            }
            slot => {
                if let Some((s, e)) = slot.replace((start, end)) {
                    out.push(Window { rule, start: s, end: e });
                } else {
                    self.touched.push(rule);
                }
            }
        }
    }

    /// Hands every window still open to `out`.
    fn close(&mut self, out: &mut Vec<Window>) {
        for &rule in &self.touched {
            if let Some((start, end)) = self.by_rule[rule].take() {
                out.push(Window { rule, start, end });
            }
        }
    }
}

impl Prefilter {
    /// Builds the automaton over `rules`' keywords (ASCII case-insensitive).
    pub(crate) fn new(rules: &[Rule]) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut unconditional = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            // An empty keyword occurs everywhere, as it does in gitleaks.
            let keywords_of = &rule.spec().keywords;
            if keywords_of.is_empty() || keywords_of.iter().any(String::is_empty) {
                unconditional.push(index);
                continue;
            }
            for keyword in keywords_of {
                let keyword = keyword.to_ascii_lowercase();
                match keywords.iter().position(|k| *k == keyword) {
                    Some(p) => owners[p].push(index),
                    None => {
                        keywords.push(keyword);
                        owners.push(vec![index]);
                    }
                }
            }
        }
        let keywords = KeywordSearch::new(&keywords);
        let reach = rules.iter().map(|r| (r.reach, r.spec().span)).collect();
        Prefilter { keywords, owners, reach, unconditional }
    }

    /// Appends to `out` the merged windows of `bytes` where a rule should run,
    /// each rule's overlapping windows merged into one.
    pub(crate) fn windows(&self, bytes: &[u8], scratch: &mut PrefilterScratch, out: &mut Vec<Window>) {
        out.extend(self.unconditional.iter().map(|&rule| Window { rule, start: 0, end: bytes.len() }));
        let Some(keywords) = &self.keywords else { return };
        scratch.open.reset(self.reach.len());
        let mut line = (0usize, 0usize);
        for block in (0..bytes.len()).step_by(BLOCK) {
            scratch.hits.clear();
            keywords.hits(bytes, block..bytes.len().min(block + BLOCK), &mut scratch.hits);
            for &Hit { end: hit_end, keyword } in &scratch.hits {
                let hit_start = hit_end - keywords.len(keyword);
                if hit_start < line.0 || hit_start >= line.1 {
                    line = line_around(bytes, hit_start);
                }
                for &rule in &self.owners[keyword] {
                    let (start, end) = match self.reach[rule] {
                        (Reach::Text, _) => (0, bytes.len()),
                        (Reach::Line, span) => {
                            let end = line.1.min(hit_end + REACH);
                            (line.0.max(hit_start.saturating_sub(REACH)), bytes.len().min(end.max(hit_end + span)))
                        }
                    };
                    scratch.open.widen(Window { rule, start, end }, out);
                }
            }
        }
        scratch.open.close(out);
    }
}

/// The line holding `pos`: start offset and the offset of its `\n` (or the
/// end of the text).
fn line_around(bytes: &[u8], pos: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', &bytes[..pos]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
    (start, end)
}
