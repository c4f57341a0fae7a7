//! The secret scanner.
//!
//! A scan of one text runs: keyword prefilter ([`prefilter`]) → the regexes
//! of the rules whose keywords hit, only inside the windows around the hits
//! → validators ([`validate`]: entropy, checksum, placeholder) → the rule's
//! allowlist → overlaps (one finding per span; `generic-…` rules give way to
//! provider rules) → added-lines filter → inline allow marks ([`inline`]).
//! What is left becomes a [`Finding`].
//!
//! ```
//! use commitguard::secrets::{Input, Scanner};
//! use commitguard::source::AddedLines;
//!
//! let scanner = Scanner::builtin().unwrap();
//! let mut findings = Vec::new();
//! let text = b"nothing to see here\n";
//! scanner.scan(&Input::new("notes.txt", text, &AddedLines::All), &mut findings);
//! assert!(findings.is_empty());
//! ```

pub mod allowlist;
pub mod baseline;
pub mod detect_secrets;
#[cfg(test)]
mod examples;
pub mod ignorefile;
pub mod inline;
mod keywords;
mod prefilter;
pub mod rule;
pub mod ruleset;
pub mod template;
pub mod validate;

use std::ops::Range;

use memchr::memchr_iter;

use crate::finding::{self, Check, CommitInfo, Detail, Finding, Level, SecretDetail};
use crate::source::AddedLines;
use allowlist::{Allowlist, Subject};
use prefilter::{Prefilter, PrefilterScratch, Window};
pub use rule::{Rule, RuleSpec};
pub use ruleset::{builtin_rules, parse_rules, RuleError};

/// One text to scan, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// Path for findings, relative to the repository root.
    pub path: &'a str,
    /// The content.
    pub bytes: &'a [u8],
    /// Which lines count; findings elsewhere are dropped.
    pub added: &'a AddedLines,
    /// The commit that added the text, for history scans.
    pub commit: Option<&'a CommitInfo>,
}

impl<'a> Input<'a> {
    /// An input with no commit.
    pub fn new(path: &'a str, bytes: &'a [u8], added: &'a AddedLines) -> Input<'a> {
        Input { path, bytes, added, commit: None }
    }
}

/// A compiled rule set, shared read-only between scanning threads.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<Rule>,
    /// Built on the first scan: a hook run with nothing staged never pays
    /// for the keyword automaton.
    prefilter: std::sync::OnceLock<Prefilter>,
    allowlists: Vec<Allowlist>,
}

/// Reusable per-thread buffers, so scanning many files allocates little.
#[derive(Debug, Default)]
pub struct Scratch {
    prefilter: PrefilterScratch,
    windows: Vec<Window>,
    candidates: Vec<Candidate>,
    /// Windows passed over because they hold no added line, and what they
    /// find when a finding's context line needs masking.
    shelved: Vec<Window>,
    shelved_candidates: Vec<Candidate>,
    /// Byte ranges of every secret found, to mask in context lines.
    masks: Vec<(usize, usize)>,
    /// Per rule: this thread's regex cache and capture slots, made the
    /// first time the rule runs here.
    caches: Vec<Option<RegexCache>>,
}

type RegexCache = (regex_automata::meta::Cache, regex_automata::util::captures::Captures);

/// A validated regex match before locating and filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    start: usize,
    end: usize,
    rule: usize,
    match_start: usize,
    match_end: usize,
}

impl Scanner {
    /// A scanner over the built-in rules.
    ///
    /// # Errors
    ///
    /// Only if an embedded rules file is broken.
    pub fn builtin() -> Result<Scanner, RuleError> {
        Ok(Scanner::new(builtin_rules()?))
    }

    /// A scanner over `rules`. Their regexes compile on first use.
    pub fn new(rules: Vec<Rule>) -> Scanner {
        Scanner { rules, prefilter: std::sync::OnceLock::new(), allowlists: Vec::new() }
    }

    /// Adds allowlists that apply to every rule.
    pub fn with_allowlists(mut self, allowlists: Vec<Allowlist>) -> Scanner {
        self.allowlists.extend(allowlists);
        self
    }

    /// Whether a path-only allowlist excludes `path`, so the file need not
    /// be read at all.
    pub fn skips_path(&self, path: &str) -> bool {
        self.allowlists.iter().any(|a| a.allows_path(path))
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Scans `input`, appending findings to `out`.
    pub fn scan(&self, input: &Input<'_>, out: &mut Vec<Finding>) {
        self.scan_with(input, &mut Scratch::default(), out);
    }

    /// Scans `input` reusing `scratch`, appending findings to `out`.
    pub fn scan_with(&self, input: &Input<'_>, scratch: &mut Scratch, out: &mut Vec<Finding>) {
        if input.added.is_empty() || input.bytes.is_empty() || self.skips_path(input.path) {
            return;
        }
        scratch.windows.clear();
        let prefilter = self.prefilter.get_or_init(|| Prefilter::new(&self.rules));
        prefilter.windows(input.bytes, &mut scratch.prefilter, &mut scratch.windows);
        if scratch.windows.is_empty() {
            return;
        }
        let added_bytes = added_byte_ranges(input.bytes, input.added);
        let Scratch { windows, candidates, shelved, shelved_candidates, masks, caches, .. } = scratch;
        candidates.clear();
        shelved.clear();
        for window in windows.iter() {
            if !self.rules[window.rule].applies_to(input.path) {
                continue;
            }
            if added_bytes.as_ref().is_some_and(|r| !overlaps(r, window.start, window.end)) {
                shelved.push(*window);
                continue;
            }
            self.run_rule(input.bytes, *window, caches, candidates);
        }
        if candidates.is_empty() {
            return;
        }
        candidates.sort_unstable();
        candidates.dedup();
        // A context line hides every secret on it: those a finding does
        // not report (shadowed by another rule's, or on a line the change
        // does not add) included.
        masks.clear();
        masks.extend(candidates.iter().map(|c| (c.start, c.end)));
        shelved_candidates.clear();
        for window in shelved.iter() {
            self.run_rule(input.bytes, *window, caches, shelved_candidates);
        }
        masks.extend(shelved_candidates.iter().map(|c| (c.start, c.end)));
        merge_ranges(masks);
        self.drop_shadowed(candidates);
        self.report(input, candidates, masks, out);
    }

    /// Drops candidates that another rule already reports: a second rule on
    /// exactly the same bytes (the earlier rule wins), and a fallback rule's
    /// match that overlaps a provider rule's match, so that
    /// `GITHUB_TOKEN=ghp_…` is one `github-pat` finding rather than that and
    /// a `generic-token` one. `candidates` must be sorted.
    fn drop_shadowed(&self, candidates: &mut Vec<Candidate>) {
        if candidates.len() < 2 {
            return;
        }
        let is_fallback = |c: &Candidate| self.rules[c.rule].is_fallback();
        // Provider matches sorted by start, with the furthest end reached so
        // far, so one binary search tells whether any overlaps a range.
        let mut reach = 0;
        let provider: Vec<(usize, usize)> = candidates
            .iter()
            .filter(|c| !is_fallback(c))
            .map(|c| {
                reach = reach.max(c.end);
                (c.start, reach)
            })
            .collect();
        let overlaps_provider = |c: &Candidate| {
            let before_end = provider.partition_point(|&(start, _)| start < c.end);
            before_end > 0 && provider[before_end - 1].1 > c.start
        };
        let mut last_span = None;
        candidates.retain(|c| {
            let span = Some((c.start, c.end));
            let keep = span != last_span && !(is_fallback(c) && overlaps_provider(c));
            if keep {
                last_span = span;
            }
            keep
        });
    }

    /// Runs one rule's regex over one window and keeps the validated matches.
    fn run_rule(&self, bytes: &[u8], window: Window, caches: &mut Vec<Option<RegexCache>>, out: &mut Vec<Candidate>) {
        let rule = &self.rules[window.rule];
        let Ok(compiled) = rule.compiled() else {
            // A built-in rule that does not compile is caught by the test
            // suite; user rules are validated when they are loaded.
            log::debug!("rule {} skipped: its regex does not compile", rule.id());
            return;
        };
        let hay = &bytes[window.start..window.end];
        if caches.len() < self.rules.len() {
            caches.resize_with(self.rules.len(), || None);
        }
        let (cache, caps) = caches[window.rule]
            .get_or_insert_with(|| (compiled.regex.create_cache(), compiled.regex.create_captures()));
        let mut input = regex_automata::Input::new(hay);
        let mut at = 0;
        while at <= hay.len() {
            input.set_start(at);
            compiled.regex.search_captures_with(cache, &input, caps);
            let Some(whole) = caps.get_match() else { break };
            at = if whole.is_empty() { whole.end() + 1 } else { whole.end() };
            let secret_group = match compiled.group {
                Some(g) => caps.get_group(g),
                None => (1..caps.group_len()).filter_map(|g| caps.get_group(g)).find(|m| !m.is_empty()),
            };
            let Some(m) = secret_group else { continue };
            if !compiled.allow_lines.is_empty() {
                let (start, end) = (window.start + whole.start(), window.start + whole.end());
                // The line around the match, bounded like the windows are,
                // so that matches on one long line do not each search it.
                let from = window.start.max(start.saturating_sub(MARK_REACH));
                let to = window.end.min(end + MARK_REACH);
                let line_start = memchr::memrchr(b'\n', &bytes[from..start]).map_or(from, |i| from + i + 1);
                let line_end = memchr::memchr(b'\n', &bytes[end..to]).map_or(to, |i| end + i);
                if compiled.allow_lines.is_match(&bytes[line_start..line_end]) {
                    continue;
                }
            }
            let secret = &hay[m.start..m.end];
            if secret.is_empty() || !self.is_secret(rule, compiled, secret) {
                continue;
            }
            out.push(Candidate {
                start: window.start + m.start,
                end: window.start + m.end,
                rule: window.rule,
                match_start: window.start + whole.start(),
                match_end: window.start + whole.end(),
            });
        }
    }

    /// The validators and the rule's allowlist.
    fn is_secret(&self, rule: &Rule, compiled: &rule::Compiled, secret: &[u8]) -> bool {
        let spec = rule.spec();
        if spec.entropy.is_some_and(|min| validate::entropy(secret) < min) {
            return false;
        }
        if spec.checksum.is_some_and(|c| !c.verify(secret)) {
            return false;
        }
        if validate::is_placeholder(secret) {
            return false;
        }
        if compiled.allow.is_match(secret) {
            return false;
        }
        let stopwords = rule.stopwords();
        if !stopwords.is_empty() {
            let lower = secret.to_ascii_lowercase();
            if stopwords.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()) {
                return false;
            }
        }
        true
    }

    /// Locates candidates (sorted by position), applies the added-lines
    /// filter and inline marks, and builds findings.
    ///
    /// Every per-candidate step costs the candidate's own bytes plus a
    /// bounded reach, never its whole line: lines, line starts and columns
    /// come from a [`Cursor`] that only moves forward, so a megabyte-long
    /// line dense with secrets stays linear.
    /// `masks` are the byte ranges (sorted, disjoint) to hide in context
    /// lines.
    fn report(&self, input: &Input<'_>, candidates: &[Candidate], masks: &[(usize, usize)], out: &mut Vec<Finding>) {
        let bytes = input.bytes;
        let mut cursor = Cursor::default();
        let mut line_ends = LineEnds::default();
        for c in candidates {
            cursor.advance(bytes, c.start);
            let (line, line_start) = (cursor.line, cursor.line_start);
            let secret = &bytes[c.start..c.end];
            let inner = &bytes[c.start..c.end.saturating_sub(1).max(c.start)];
            let end_line = line + count_newlines(inner);
            if !input.added.intersects(line, end_line) {
                continue;
            }
            let line_end = line_ends.of(bytes, c.end);
            if is_inline_allowed(bytes, line_start, line_end, c) {
                continue;
            }
            let rule = &self.rules[c.rule];
            let subject = Subject {
                path: input.path,
                secret,
                matched: &bytes[c.match_start..c.match_end],
                line: &bytes[line_start.max(c.match_start.saturating_sub(MARK_REACH)).min(c.match_start)
                    ..line_end.min(c.match_end + MARK_REACH).max(c.match_end)],
                commit: input.commit.map(|c| c.commit.as_str()),
            };
            if rule.allowlists.iter().chain(&self.allowlists).any(|a| a.allows(&subject)) {
                continue;
            }
            let fingerprint = finding::fingerprint(&[rule.id().as_bytes(), input.path.as_bytes(), secret]);
            let redacted = redact(secret);
            let end_column = match memchr::memrchr(b'\n', secret) {
                Some(i) => char_count(&secret[i + 1..]) + 1,
                None => cursor.chars + char_count(secret) + 1,
            };
            let detail = SecretDetail {
                column: cursor.chars + 1,
                end_line,
                end_column,
                context: context(bytes, line_start, c, &redacted, masks),
                secret_redacted: redacted,
                secret: String::from_utf8_lossy(secret).into_owned(),
                commit: input.commit.cloned(),
            };
            out.push(Finding {
                check: Check::Secrets,
                level: Level::Error,
                rule: rule.id().to_owned(),
                path: input.path.to_owned(),
                line,
                message: rule.description().to_owned(),
                fingerprint,
                detail: Detail::Secret(detail),
            });
        }
    }
}

/// Walks forward through a text to positions given in order, keeping the
/// line number, the line's start and the characters from it, so that each
/// step costs only the bytes passed over.
#[derive(Default)]
struct Cursor {
    pos: usize,
    /// 1-based line of `pos` (0 before the first step).
    line: u32,
    line_start: usize,
    /// Characters from `line_start` to `pos`.
    chars: u32,
}

impl Cursor {
    fn advance(&mut self, bytes: &[u8], pos: usize) {
        if pos < self.pos || self.line == 0 {
            *self = Cursor { line: 1, ..Cursor::default() };
        }
        let gap = &bytes[self.pos..pos];
        match memchr::memrchr(b'\n', gap) {
            Some(i) => {
                self.line += count_newlines(gap);
                self.line_start = self.pos + i + 1;
                self.chars = char_count(&bytes[self.line_start..pos]);
            }
            None => self.chars += char_count(gap),
        }
        self.pos = pos;
    }
}

/// The end of the line holding a position, remembered so that positions on
/// one long line do not each search to its end.
#[derive(Default)]
struct LineEnds {
    /// No newline lies in `from..end`; `end` is a newline or the text's end.
    from: usize,
    end: usize,
    known: bool,
}

impl LineEnds {
    fn of(&mut self, bytes: &[u8], pos: usize) -> usize {
        if !(self.known && self.from <= pos && pos <= self.end) {
            let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            *self = LineEnds { from: pos, end, known: true };
        }
        self.end
    }
}

fn count_newlines(bytes: &[u8]) -> u32 {
    u32::try_from(memchr_iter(b'\n', bytes).count()).unwrap_or(u32::MAX)
}

/// Characters (not bytes) in `bytes`: each valid UTF-8 sequence counts
/// once, and each byte of an invalid one (a stray continuation byte
/// included) counts as one.
fn char_count(bytes: &[u8]) -> u32 {
    let n: usize = bytes.utf8_chunks().map(|chunk| chunk.valid().chars().count() + chunk.invalid().len()).sum();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Byte ranges of the added lines, or `None` when every line counts.
fn added_byte_ranges(bytes: &[u8], added: &AddedLines) -> Option<Vec<(usize, usize)>> {
    let AddedLines::Ranges(ranges) = added else { return None };
    let mut out = Vec::with_capacity(ranges.len());
    let mut newlines = memchr_iter(b'\n', bytes);
    let (mut line, mut line_start) = (1u32, 0usize);
    for &(first, last) in ranges {
        while line < first {
            match newlines.next() {
                Some(nl) => line_start = nl + 1,
                None => return Some(out),
            }
            line += 1;
        }
        let start = line_start;
        while line <= last {
            match newlines.next() {
                Some(nl) => line_start = nl + 1,
                None => {
                    line_start = bytes.len();
                    line = last + 1;
                    break;
                }
            }
            line += 1;
        }
        out.push((start, line_start));
    }
    Some(out)
}

/// Sorts `ranges` and merges those that overlap or touch.
fn merge_ranges(ranges: &mut Vec<(usize, usize)>) {
    ranges.sort_unstable();
    let mut kept = 0;
    for i in 0..ranges.len() {
        let (start, end) = ranges[i];
        if kept > 0 && start <= ranges[kept - 1].1 {
            ranges[kept - 1].1 = ranges[kept - 1].1.max(end);
        } else {
            ranges[kept] = (start, end);
            kept += 1;
        }
    }
    ranges.truncate(kept);
}

/// Whether `start..end` overlaps any of the sorted, disjoint `ranges`.
fn overlaps(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    let i = ranges.partition_point(|&(_, e)| e <= start);
    ranges.get(i).is_some_and(|&(s, _)| s < end.max(start + 1))
}

/// How far from the secret an inline mark is looked for on a long line.
const MARK_REACH: usize = 4096;

fn is_inline_allowed(bytes: &[u8], line_start: usize, line_end: usize, c: &Candidate) -> bool {
    let from = line_start.max(c.start.saturating_sub(MARK_REACH));
    let to = line_end.min(c.end + MARK_REACH);
    if inline::allows_same_line(&bytes[from..to]) {
        return true;
    }
    if line_start == 0 {
        return false;
    }
    let prev_start = memchr::memrchr(b'\n', &bytes[..line_start - 1]).map_or(0, |i| i + 1);
    let prev_from = prev_start.max(line_start.saturating_sub(MARK_REACH));
    inline::allows_next_line(&bytes[prev_from..line_start - 1])
}

/// A short prefix of the secret followed by asterisks.
pub fn redact(secret: &[u8]) -> String {
    let text = String::from_utf8_lossy(secret);
    let chars = text.chars().count();
    let shown = (chars / 4).min(4);
    let mut out: String = text.chars().take(shown).collect();
    out.extend(std::iter::repeat_n('*', (chars - shown).clamp(1, 16)));
    out
}

/// Characters of context kept either side of the secret on its line.
const CONTEXT_CHARS: usize = 80;

/// The secret's first line with the secret replaced by `redacted` and any
/// other of `secrets` (sorted, disjoint byte ranges) on it by its own
/// redaction, trimmed around the secret on long lines. Only a bounded stretch
/// either side is decoded, enough for [`CONTEXT_CHARS`] characters of up to
/// four bytes each.
fn context(bytes: &[u8], line_start: usize, c: &Candidate, redacted: &str, secrets: &[(usize, usize)]) -> String {
    const MAX_BYTES: usize = 4 * (CONTEXT_CHARS + 2);
    let trim = |text: String, from_end: bool| -> String {
        let n = text.chars().count();
        if n <= CONTEXT_CHARS {
            return text;
        }
        if from_end {
            format!("…{}", text.chars().skip(n - CONTEXT_CHARS).collect::<String>())
        } else {
            format!("{}…", text.chars().take(CONTEXT_CHARS).collect::<String>())
        }
    };
    let from = line_start.max(c.start.saturating_sub(MAX_BYTES));
    let before = trim(masked(bytes, from..c.start, secrets), true);
    let after = if memchr::memchr(b'\n', &bytes[c.start..c.end]).is_none() {
        let to = bytes.len().min(c.end + MAX_BYTES);
        let to = memchr::memchr(b'\n', &bytes[c.end..to]).map_or(to, |i| c.end + i);
        trim(masked(bytes, c.end..to, secrets), false)
    } else {
        String::new()
    };
    format!("{before}{redacted}{after}").trim_end_matches('\r').to_owned()
}

/// `bytes[range]` as text, with the part of each of `secrets` (sorted,
/// disjoint byte ranges) that falls in it redacted.
fn masked(bytes: &[u8], range: Range<usize>, secrets: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = range.start;
    let first = secrets.partition_point(|&(_, end)| end <= range.start);
    for &(start, end) in secrets[first..].iter().take_while(|&&(start, _)| start < range.end) {
        let (start, end) = (start.max(at), end.min(range.end));
        out.push_str(&String::from_utf8_lossy(&bytes[at..start]));
        out.push_str(&redact(&bytes[start..end]));
        at = end;
    }
    out.push_str(&String::from_utf8_lossy(&bytes[at..range.end]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_byte_ranges_follow_lines() {
        let text = b"one\ntwo\nthree\nfour";
        let added = AddedLines::Ranges(vec![(2, 2), (4, 9)]);
        assert_eq!(added_byte_ranges(text, &added), Some(vec![(4, 8), (14, 18)]));
        assert!(overlaps(&[(4, 8)], 0, 5));
        assert!(!overlaps(&[(4, 8)], 8, 12));
        assert!(!overlaps(&[(4, 8)], 0, 4));
    }

    #[test]
    fn fallback_rules_yield_to_provider_rules() {
        let rules = "[[rules]]\nid = \"acme-token\"\ndescription = \"d\"\nregex = 'acme_[a-z]{8}'\nkeywords = [\"acme_\"]\n\
                     [[rules]]\nid = \"acme-token-again\"\ndescription = \"d\"\nregex = 'acme_[a-z]{8}'\nkeywords = [\"acme_\"]\n\
                     [[rules]]\nid = \"generic-token\"\ndescription = \"d\"\nregex = 'token=(\\S+)'\nkeywords = [\"token\"]\n";
        let scanner = Scanner::new(parse_rules("test.toml", rules).unwrap());
        let scan = |text: &str| {
            let mut findings = Vec::new();
            scanner.scan(&Input::new("t", text.as_bytes(), &AddedLines::All), &mut findings);
            findings.into_iter().map(|f| f.rule).collect::<Vec<_>>()
        };
        assert_eq!(scan("token=acme_qwrtzpsd\n"), ["acme-token"]);
        assert_eq!(scan("token=qwrtzpsd acme_qwrtzpsd\n"), ["generic-token", "acme-token"]);
        assert_eq!(scan("token=k3J9sD0fLq7ZxW2v\n"), ["generic-token"]);
    }

    #[test]
    fn redaction_hides_most() {
        assert_eq!(redact(b"abcdefghijklmnopqrst"), "abcd****************");
        assert_eq!(redact(b"abc"), "***");
        assert_eq!(redact(b"abcdefgh"), "ab******");
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(char_count("héllo".as_bytes()), 5);
        assert_eq!(char_count(b"\xff\xfeab"), 4);
        // Stray continuation bytes are invalid too: one column each.
        assert_eq!(char_count(b"\x80\x80k="), 4);
        assert_eq!(char_count(b"\xe2\x28\xa1"), 3);
    }

    fn acme_scanner(keywords: &str) -> Scanner {
        let rules = format!(
            "[[rules]]\nid = \"acme-token\"\ndescription = \"d\"\nregex = 'acme_[a-z]{{12}}'\nkeywords = {keywords}\n"
        );
        Scanner::new(parse_rules("test.toml", &rules).unwrap())
    }

    fn scan_all(scanner: &Scanner, text: &[u8]) -> Vec<Finding> {
        let mut findings = Vec::new();
        scanner.scan(&Input::new("t", text, &AddedLines::All), &mut findings);
        findings
    }

    fn context_of(finding: &Finding) -> &str {
        match &finding.detail {
            Detail::Secret(detail) => &detail.context,
            other => panic!("not a secret finding: {other:?}"),
        }
    }

    #[test]
    fn a_context_line_hides_every_secret_on_it() {
        let scanner = acme_scanner("[\"acme_\"]");
        let (one, two) = ("acme_qwrtzpsdfghj", "acme_mnbvcxylkjhg");
        // A baseline drops findings later, in the CLI: each context must hide
        // the other secret by itself.
        let text = format!("a={one} b={two}\nc={one}{two}\n");
        let findings = scan_all(&scanner, text.as_bytes());
        assert_eq!(findings.len(), 4, "{findings:?}");
        for finding in &findings {
            let context = context_of(finding);
            assert!(context.contains("*****"), "{context}");
            assert!(!context.contains(one) && !context.contains(two), "{context}");
            assert!(!context.contains(&one[4..]) && !context.contains(&two[4..]), "{context}");
        }
        assert_eq!(context_of(&findings[0]), "a=acme************* b=acme*************");
        assert_eq!(context_of(&findings[3]), "c=acme*************acme*************");
    }

    #[test]
    fn a_rule_with_an_empty_keyword_searches_every_text() {
        let token = "acme_qwrtzpsdfghj";
        for keywords in ["[\"\"]", "[\"nowhere\", \"\"]", "[]"] {
            let scanner = acme_scanner(keywords);
            for len in [10, 1023, 1024, 5000, 300_000] {
                let mut text = vec![b'x'; len];
                text.extend_from_slice(format!(" {token}\n").as_bytes());
                let findings = scan_all(&scanner, &text);
                assert_eq!(findings.len(), 1, "keywords {keywords}, {len} bytes");
            }
        }
    }

    #[test]
    fn a_context_line_hides_secrets_no_finding_reports() {
        let rules = "[[rules]]\nid = \"acme-token\"\ndescription = \"d\"\nregex = 'acme_[a-z]{12}'\nkeywords = [\"acme_\"]\n\
                     [[rules]]\nid = \"block\"\ndescription = \"d\"\nregex = '(?s)BEGIN (.{3,200}?) END'\nkeywords = [\"begin\"]\nspan = 300\n\
                     [[rules]]\nid = \"generic-token\"\ndescription = \"d\"\nregex = 'token=(\\S+)'\nkeywords = [\"token\"]\n";
        let scanner = Scanner::new(parse_rules("test.toml", rules).unwrap());
        // The block starts on line 1, which the change does not add, beside
        // a token found only to be hidden.
        let text = b"x=acme_qwrtzpsdfghj BEGIN abc\nxyz\nqq END\n";
        let mut findings = Vec::new();
        scanner.scan(&Input::new("t", text, &AddedLines::Ranges(vec![(2, 2)])), &mut findings);
        assert_eq!(findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["block"]);
        assert!(!context_of(&findings[0]).contains("qwrtzpsd"), "{}", context_of(&findings[0]));
        // A fallback match that gives way to a provider's is hidden too.
        let findings = scan_all(&scanner, b"token=acme_qwrtzpsdfghj-zyxwvutsrqpo\n");
        assert_eq!(findings.iter().map(|f| f.rule.as_str()).collect::<Vec<_>>(), ["acme-token"]);
        assert!(!context_of(&findings[0]).contains("zyxwvuts"), "{}", context_of(&findings[0]));
    }

    #[test]
    fn ranges_merge() {
        let mut ranges = vec![(5, 9), (0, 2), (2, 3), (8, 12), (20, 21)];
        merge_ranges(&mut ranges);
        assert_eq!(ranges, [(0, 3), (5, 12), (20, 21)]);
    }
}
