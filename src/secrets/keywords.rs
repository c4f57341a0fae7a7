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
//! Each lane but the first starts `longest - 1` bytes before its piece
//! without reporting, so a keyword that straddles a cut is found, exactly
//! once, by the lane its last byte belongs to.

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
    pub(crate) fn new(keywords: &[String]) -> Option<KeywordSearch> {
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

    /// Appends every occurrence of every keyword in `text` to `out`,
    /// overlapping ones included, sorted by end then keyword.
    pub(crate) fn hits(&self, text: &[u8], out: &mut Vec<Hit>) {
        let first = out.len();
        let piece = text.len() / LANES;
        if piece < MIN_LANE.max(self.longest) {
            self.walk(self.start, text, 0, out);
        } else {
            self.walk_lanes(text, piece, out);
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

    /// The state a lane starting at `at` is in once it has read the bytes a
    /// keyword ending in its piece could start with.
    fn warm_up(&self, text: &[u8], at: usize) -> StateID {
        text[at + 1 - self.longest..at]
            .iter()
            .fold(self.start, |state, &byte| self.dfa.next_state(Anchored::No, state, byte))
    }

    /// Walks [`LANES`] pieces of `piece` bytes in lockstep, the last piece
    /// running on to the end of `text`.
    fn walk_lanes(&self, text: &[u8], piece: usize, out: &mut Vec<Hit>) {
        let lanes: [&[u8]; LANES] = std::array::from_fn(|lane| &text[lane * piece..(lane + 1) * piece]);
        let mut states: [StateID; LANES] =
            std::array::from_fn(|lane| if lane == 0 { self.start } else { self.warm_up(text, lane * piece) });
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
                        self.report(state, lane * piece + i + 1, out);
                    }
                }
            }
        }
        let tail = LANES * piece;
        self.walk(states[LANES - 1], &text[tail..], tail, out);
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
        KeywordSearch::new(keywords).unwrap().hits(text, &mut hits);
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
}
