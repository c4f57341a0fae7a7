//! Inline allow marks: comments in the scanned text that silence a finding.
//!
//! A line carrying `commitguard:allow` is not reported, and
//! `commitguard:allow-next-line` silences the line below it. The marks of
//! gitleaks (`gitleaks:allow`) and detect-secrets (`pragma: allowlist secret`,
//! `pragma: allowlist nextline secret`) are honoured too, so users coming
//! from those tools keep theirs.

use memchr::memmem;

/// Marks that silence findings on their own line.
const SAME_LINE: &[&str] = &["commitguard:allow", "gitleaks:allow", "pragma: allowlist secret"];

/// Marks that silence findings on the next line.
const NEXT_LINE: &[&str] = &["commitguard:allow-next-line", "pragma: allowlist nextline secret"];

/// Whether `line` carries a same-line mark. `commitguard:allow-next-line`
/// does not count as `commitguard:allow` for its own line.
pub(crate) fn allows_same_line(line: &[u8]) -> bool {
    SAME_LINE.iter().any(|mark| {
        memmem::find_iter(line, mark.as_bytes()).any(|at| {
            let after = &line[at + mark.len()..];
            !(mark.starts_with("commitguard") && after.starts_with(b"-next-line"))
        })
    })
}

/// Whether `line` silences the line after it.
pub(crate) fn allows_next_line(line: &[u8]) -> bool {
    NEXT_LINE.iter().any(|mark| memmem::find(line, mark.as_bytes()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks() {
        assert!(allows_same_line(b"key = 'abc' # commitguard:allow"));
        assert!(allows_same_line(b"key = 'abc' // gitleaks:allow"));
        assert!(allows_same_line(b"key = 'abc' # pragma: allowlist secret"));
        assert!(!allows_same_line(b"# commitguard:allow-next-line"));
        assert!(allows_next_line(b"# commitguard:allow-next-line"));
        assert!(allows_next_line(b"# pragma: allowlist nextline secret"));
        assert!(!allows_next_line(b"key = 'abc' # commitguard:allow"));
    }
}
