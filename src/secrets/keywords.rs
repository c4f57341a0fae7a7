//! Finding every keyword occurrence in a text, fast.
//!
//! The keywords (a few hundred, matched ASCII case-insensitively) go into one
//! Aho-Corasick DFA. Walking a DFA is a chain of dependent loads: the next
//! state cannot be looked up before the previous one is known, so a single
//! walk runs at the latency of a cache hit per byte, not at the processor's
//! throughput. [`KeywordSearch::hits`] therefore cuts a text into
//! [`LANES`] pieces and walks them in lockstep, one byte of each per step:
//! four independent chains keep the load units busy and the search runs
//! about twice as fast on real source trees (`bench/run.sh`).
//!
//! Each lane starts `longest - 1` bytes before its piece without reporting,
//! so a keyword that straddles a cut is found, exactly once, by the lane its
//! last byte belongs to. The same warm-up lets a caller search a long text a
//! block at a time and hand each block's hits on before the next, so that a
//! text dense with keywords never holds more than a block's worth of hits.

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

/// How many pieces of a text are walked at once.
const LANES: usize = 4;

/// Texts shorter than this many bytes per lane are walked in one piece.
const MIN_LANE: usize = 256;

/// One keyword occurrence: which keyword, and where it ends (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) end: usize,
    pub(crate) keyword: usize,
}

/// A compiled keyword set.
#[derive(Debug)]
pub(crate) struct KeywordSearch {
    dfa: DFA,
    start: StateID,
    lengths: Vec<usize>,
    longest: usize,
}

impl KeywordSearch {
    /// Compiles `keywords` (ASCII case-insensitive). `None` if there are none.
    ///
    /// # Panics
    ///
    /// If a keyword is empty: it would match everywhere, and the caller is
    /// expected to treat its rule as having no keyword at all.
    pub(crate) fn new(keywords: &[String]) -> Option<KeywordSearch> {
        assert!(keywords.iter().all(|k| !k.is_empty()), "keywords are not empty");
        let longest = keywords.iter().map(String::len).max()?;
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            // A prefilter would make the start state "special" and send the
            // walk down its slow path at nearly every byte of source code.
            .prefilter(false)
            .build(keywords)
            .expect("keyword automaton within size limits");
        let start = dfa.start_state(Anchored::No).expect("unanchored start state");
        let lengths = keywords.iter().map(String::len).collect();
        Some(KeywordSearch { dfa, start, lengths, longest })
    }

    /// The length in bytes of keyword `keyword`.
    pub(crate) fn len(&self, keyword: usize) -> usize {
        self.lengths[keyword]
    }

    /// Appends every occurrence of every keyword that ends in `range` of
    /// `text` to `out`, overlapping ones included, sorted by end then keyword.
    /// Keywords that start before `range` are found too: the bytes before it
    /// are read, not skipped.
    pub(crate) fn hits(&self, text: &[u8], range: Range<usize>, out: &mut Vec<Hit>) {
        let first = out.len();
        let piece = range.len() / LANES;
        if piece < MIN_LANE.max(self.longest) {
            let state = self.warm_up(text, range.start);
            self.walk(state, &text[range.clone()], range.start, out);
        } else {
            self.walk_lanes(text, range, piece, out);
        }
        out[first..].sort_unstable();
    }

    /// Walks `text` from `state`, reporting hits as if `text` began at
    /// `offset`; returns the state reached.
    fn walk(&self, mut state: StateID, text: &[u8], offset: usize, out: &mut Vec<Hit>) -> StateID {
        for (i, &byte) in text.iter().enumerate() {
            state = self.dfa.next_state(Anchored::No, state, byte);
            if self.dfa.is_special(state) {
                self.report(state, offset + i + 1, out);
            }
        }
        state
    }

    /// The state a walk starting at `at` is in once it has read the bytes a
    /// keyword ending at or after `at` could start with.
    fn warm_up(&self, text: &[u8], at: usize) -> StateID {
        text[(at + 1).saturating_sub(self.longest)..at]
            .iter()
            .fold(self.start, |state, &byte| self.dfa.next_state(Anchored::No, state, byte))
    }

    /// Walks [`LANES`] pieces of `range`, `piece` bytes each, in lockstep;
    /// the last piece runs on to the end of `range`.
    fn walk_lanes(&self, text: &[u8], range: Range<usize>, piece: usize, out: &mut Vec<Hit>) {
        let mut states: [StateID; LANES] = std::array::from_fn(|lane| self.warm_up(text, range.start + lane * piece));
        // Lanes cut from the block itself, so that the compiler sees each is
        // `piece` bytes long and drops the bounds checks of the loop.
        let block = &text[range.start..range.start + LANES * piece];
        let lanes: [&[u8]; LANES] = std::array::from_fn(|lane| &block[lane * piece..(lane + 1) * piece]);
        #[expect(clippy::needless_range_loop, reason = "one index steps through every lane at once")]
        for i in 0..piece {
            let mut special = false;
            for lane in 0..LANES {
                states[lane] = self.dfa.next_state(Anchored::No, states[lane], lanes[lane][i]);
                special |= self.dfa.is_special(states[lane]);
            }
            if special {
                for (lane, &state) in states.iter().enumerate() {
                    if self.dfa.is_special(state) {
                        self.report(state, range.start + lane * piece + i + 1, out);
                    }
                }
            }
        }
        let tail = range.start + LANES * piece;
        self.walk(states[LANES - 1], &text[tail..range.end], tail, out);
    }

    /// Reports the keywords that end in match state `state` at `end`.
    fn report(&self, state: StateID, end: usize, out: &mut Vec<Hit>) {
        // Without a prefilter the only special states are the dead state,
        // which an unanchored walk never enters, and match states.
        if self.dfa.is_match(state) {
            let matches = self.dfa.match_len(state);
            out.extend((0..matches).map(|m| Hit { end, keyword: self.dfa.match_pattern(state, m).as_usize() }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The hits aho-corasick's own overlapping search reports.
    fn reference(keywords: &[String], text: &[u8]) -> Vec<Hit> {
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).build(keywords).unwrap();
        let mut hits: Vec<Hit> =
            ac.find_overlapping_iter(text).map(|m| Hit { end: m.end(), keyword: m.pattern().as_usize() }).collect();
        hits.sort_unstable();
        hits
    }

    fn search(keywords: &[String], text: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        KeywordSearch::new(keywords).unwrap().hits(text, 0..text.len(), &mut hits);
        hits
    }

    /// A small deterministic generator, so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn lanes_find_what_one_walk_finds() {
        let keywords: Vec<String> =
            ["token", "secret", "client_secret", "ghp_", "pat", "key", "api_key", "xoxb-", "aaaaaaaaaaaaaaaaaaaaaaaa"]
                .map(String::from)
                .to_vec();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..300 {
            // Sizes around the lane threshold and well past it.
            let len = [10, 1023, 1024, 1025, 1031, 4096, 20_000][round % 7] + rng.below(40);
            let mut text = Vec::with_capacity(len);
            while text.len() < len {
                if rng.below(4) == 0 {
                    let keyword = keywords[rng.below(keywords.len())].as_bytes();
                    let upper = rng.below(2) == 0;
                    text.extend(keyword.iter().map(|b| if upper { b.to_ascii_uppercase() } else { *b }));
                } else {
                    text.push(b"a_tk- \n"[rng.below(7)]);
                }
            }
            assert_eq!(search(&keywords, &text), reference(&keywords, &text), "round {round}, {} bytes", text.len());
        }
    }

    #[test]
    fn a_keyword_across_every_lane_cut_is_found_once() {
        let keywords = vec!["abcdefgh".to_string(), "fgh".to_string()];
        for len in [2048usize, 2051, 4097] {
            let piece = len / LANES;
            for cut in 1..LANES {
                for shift in 1..8 {
                    let mut text = vec![b'.'; len];
                    let at = cut * piece - shift;
                    text[at..at + 8].copy_from_slice(b"aBcDeFgH");
                    let hits = search(&keywords, &text);
                    assert_eq!(hits, reference(&keywords, &text), "len {len} cut {cut} shift {shift}");
                    assert_eq!(hits.len(), 2, "len {len} cut {cut} shift {shift}");
                }
            }
        }
    }

    #[test]
    fn hits_at_both_ends_of_the_text() {
        let keywords = vec!["key".to_string()];
        let mut text = vec![b' '; 5000];
        text[..3].copy_from_slice(b"KEY");
        let end = text.len();
        text[end - 3..].copy_from_slice(b"key");
        assert_eq!(search(&keywords, &text), vec![Hit { end: 3, keyword: 0 }, Hit { end, keyword: 0 }]);
    }

    #[test]
    fn blocks_searched_one_after_another_find_what_one_search_finds() {
        let keywords: Vec<String> = ["abcdefgh", "fgh", "gh", "xyz"].map(String::from).to_vec();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let text: Vec<u8> = (0..50_000).map(|_| b"abcdefghxyz. "[rng.below(13)]).collect();
        let search = KeywordSearch::new(&keywords).unwrap();
        let whole = reference(&keywords, &text);
        for block in [1, 7, 255, 1024, 1029, 4096, 10_000] {
            let mut hits = Vec::new();
            for start in (0..text.len()).step_by(block) {
                search.hits(&text, start..text.len().min(start + block), &mut hits);
            }
            assert_eq!(hits, whole, "blocks of {block} bytes");
        }
    }

    #[test]
    #[should_panic(expected = "keywords are not empty")]
    fn an_empty_keyword_is_refused() {
        KeywordSearch::new(&["key".to_string(), String::new()]);
    }
}
