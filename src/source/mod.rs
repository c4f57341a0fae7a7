//! Sources decide which bytes are looked at and which of their lines are new.
//!
//! - [`git`]: the staged diff (index against HEAD), a revision range, read
//!   with git2;
//! - [`walk`]: whole trees and directory arguments, with the `ignore` walker;
//! - [`ignored`]: `.commitguardignore` for the paths a walk does not find.
//!
//! Every source hands a check a [`Text`]: a file's bytes together with the
//! lines that count as added. Checks never ask git anything themselves.

pub mod files;
pub mod git;
pub mod history;
pub mod ignored;
pub mod walk;

use crate::finding::CommitInfo;

/// Which lines of a text count as added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddedLines {
    /// Every line (a whole file).
    All,
    /// Sorted, disjoint, inclusive 1-based line ranges.
    Ranges(Vec<(u32, u32)>),
}

impl AddedLines {
    /// Builds ranges from ascending line numbers, merging neighbours.
    pub fn from_lines(lines: impl IntoIterator<Item = u32>) -> AddedLines {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for line in lines {
            match ranges.last_mut() {
                Some((_, end)) if line <= end.saturating_add(1) => *end = (*end).max(line),
                _ => ranges.push((line, line)),
            }
        }
        AddedLines::Ranges(ranges)
    }

    /// Whether no line counts.
    pub fn is_empty(&self) -> bool {
        matches!(self, AddedLines::Ranges(r) if r.is_empty())
    }

    /// The lines that count in both.
    #[must_use]
    pub fn and(&self, other: &AddedLines) -> AddedLines {
        let (a, b) = match (self, other) {
            (AddedLines::All, x) | (x, AddedLines::All) => return x.clone(),
            (AddedLines::Ranges(a), AddedLines::Ranges(b)) => (a, b),
        };
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < a.len() && j < b.len() {
            let (start, end) = (a[i].0.max(b[j].0), a[i].1.min(b[j].1));
            if start <= end {
                out.push((start, end));
            }
            if a[i].1 < b[j].1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        AddedLines::Ranges(out)
    }

    /// Whether any line of `first..=last` counts.
    pub fn intersects(&self, first: u32, last: u32) -> bool {
        match self {
            AddedLines::All => true,
            AddedLines::Ranges(ranges) => {
                let i = ranges.partition_point(|&(_, end)| end < first);
                ranges.get(i).is_some_and(|&(start, _)| start <= last)
            }
        }
    }
}

/// A file's bytes and what of it is new.
#[derive(Clone, Debug)]
pub struct Text {
    /// Path relative to the repository (or scan) root, `/`-separated.
    pub path: String,
    /// The content.
    pub bytes: Vec<u8>,
    /// The lines that count as added.
    pub added: AddedLines,
    /// The commit that introduced it, in history scans.
    pub commit: Option<CommitInfo>,
}

/// Something a source passed over, and why; reported as a warning or a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The path.
    pub path: String,
    /// Why.
    pub reason: SkipReason,
}

/// Why a source passed over a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Larger than the size limit (bytes).
    TooLarge(u64),
    /// Looks binary.
    Binary,
    /// Could not be read; the message says why.
    Unreadable(String),
    /// Not a regular file (FIFO, device, socket, symlink not followed).
    NotAFile,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkipReason::TooLarge(n) => write!(f, "larger than the size limit ({n} bytes)"),
            SkipReason::Binary => f.write_str("binary"),
            SkipReason::Unreadable(e) => write!(f, "unreadable: {e}"),
            SkipReason::NotAFile => f.write_str("not a regular file"),
        }
    }
}

/// Whether `bytes` looks binary: a NUL byte in the first 8 KiB.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (fuzz/fuzz_targets/secrets_scan_ranges.rs, issue
    /// 7): the last possible line number overflowed when merged.
    #[test]
    fn fuzz_last_line_number_merges_without_overflow() {
        let added = AddedLines::from_lines([7, u32::MAX, u32::MAX]);
        assert_eq!(added, AddedLines::Ranges(vec![(7, 7), (u32::MAX, u32::MAX)]));
        assert!(added.intersects(u32::MAX, u32::MAX));
    }

    #[test]
    fn ranges_merge_and_intersect() {
        let added = AddedLines::from_lines([2, 3, 4, 9, 10, 20]);
        assert_eq!(added, AddedLines::Ranges(vec![(2, 4), (9, 10), (20, 20)]));
        assert!(added.intersects(4, 4));
        assert!(added.intersects(5, 9));
        assert!(!added.intersects(5, 8));
        assert!(!added.intersects(1, 1));
        assert!(added.intersects(1, 2));
        assert!(!added.intersects(21, 30));
        assert!(AddedLines::from_lines([]).is_empty());
    }

    #[test]
    fn lines_added_over_both() {
        let a = AddedLines::Ranges(vec![(1, 5), (8, 10), (20, 20)]);
        let b = AddedLines::Ranges(vec![(3, 9), (20, 25)]);
        assert_eq!(a.and(&b), AddedLines::Ranges(vec![(3, 5), (8, 9), (20, 20)]));
        assert_eq!(a.and(&AddedLines::All), a);
        assert!(a.and(&AddedLines::Ranges(vec![(6, 7)])).is_empty());
    }
}
