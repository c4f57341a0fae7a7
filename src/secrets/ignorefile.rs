//! `.gitleaksignore`: findings ignored by gitleaks fingerprint, one per line:
//! `path:rule:line`, or `commit:path:rule:line` for history findings. Lines
//! starting with `#` and blank lines are skipped.

use crate::finding::Finding;

/// The file name, at the repository root.
pub const FILE: &str = ".gitleaksignore";

/// One ignored fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    commit: Option<String>,
    path: String,
    rule: String,
    line: u32,
}

/// The parsed file.
#[derive(Clone, Debug, Default)]
pub struct IgnoreFile {
    entries: Vec<Entry>,
}

impl IgnoreFile {
    /// Parses the file's text; malformed lines are logged and skipped.
    pub fn parse(text: &str) -> IgnoreFile {
        let mut entries = Vec::new();
        for raw in text.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_entry(line) {
                Some(entry) => entries.push(entry),
                None => log::warn!("{FILE}: {line:?} is not path:rule:line or commit:path:rule:line; skipped"),
            }
        }
        IgnoreFile { entries }
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `finding` is ignored.
    pub fn ignores(&self, finding: &Finding) -> bool {
        let commit = finding.secret().and_then(|s| s.commit.as_ref()).map(|c| c.commit.as_str());
        self.entries.iter().any(|e| {
            e.path == finding.path
                && e.rule == finding.rule
                && e.line == finding.line
                && match (&e.commit, commit) {
                    (None, _) => true,
                    (Some(want), Some(have)) => have.starts_with(want.as_str()),
                    (Some(_), None) => false,
                }
        })
    }
}

fn parse_entry(line: &str) -> Option<Entry> {
    let (rest, number) = line.rsplit_once(':')?;
    let (rest, rule) = rest.rsplit_once(':')?;
    let line: u32 = number.parse().ok()?;
    let (commit, path) = match rest.split_once(':') {
        Some((first, path)) if first.len() >= 7 && first.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (Some(first.to_owned()), path)
        }
        _ => (None, rest),
    };
    Some(Entry { commit, path: path.to_owned(), rule: rule.to_owned(), line })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_forms() {
        let file = IgnoreFile::parse("# comment\nsrc/a:b.txt:my-rule:12\n0123abcd0123abcd:x.env:r:3\nbroken\n");
        assert_eq!(file.entries.len(), 2);
        assert_eq!(file.entries[0].path, "src/a:b.txt");
        assert_eq!(file.entries[0].line, 12);
        assert_eq!(file.entries[1].commit.as_deref(), Some("0123abcd0123abcd"));
    }
}
