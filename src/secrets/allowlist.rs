//! Allowlists from configuration: findings that are known not to be secrets.
//!
//! An allowlist can name paths (globs in `commitguard.toml`, regexes in
//! gitleaks files), regexes tested against the secret, the whole match or
//! the line, stop-words and commits. With the `Or` condition (the default)
//! any one of them matching allows a finding; with `And`, every kind that is
//! set must match.

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::bytes::Regex;

/// What an allowlist's regexes are tested against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// The secret (the rule's capture group).
    #[default]
    Secret,
    /// The whole regex match.
    Match,
    /// The line (or lines) holding the secret.
    Line,
}

/// How an allowlist's criteria combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Condition {
    /// Any one criterion allows.
    #[default]
    Or,
    /// Every criterion that is set must match.
    And,
}

/// Path criteria: globs, regexes, or both.
#[derive(Clone, Debug, Default)]
pub struct Paths {
    globs: Option<GlobSet>,
    regexes: Vec<Regex>,
}

impl Paths {
    /// Compiles `globs` (gitignore-like `**` allowed).
    ///
    /// # Errors
    ///
    /// Returns the first glob that does not parse, with the reason.
    pub fn globs(globs: &[String]) -> Result<Paths, String> {
        if globs.is_empty() {
            return Ok(Paths::default());
        }
        let mut builder = GlobSetBuilder::new();
        for glob in globs {
            builder.add(Glob::new(glob).map_err(|e| format!("glob {glob:?}: {e}"))?);
            // `dir/**` should also match the directory's files from any
            // depth; a bare name matches at any depth, as in .gitignore.
            if !glob.contains('/') {
                builder.add(Glob::new(&format!("**/{glob}")).map_err(|e| format!("glob {glob:?}: {e}"))?);
            }
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(Paths { globs: Some(set), regexes: Vec::new() })
    }

    /// Path regexes (gitleaks semantics).
    pub fn regexes(regexes: Vec<Regex>) -> Paths {
        Paths { globs: None, regexes }
    }

    fn is_empty(&self) -> bool {
        self.globs.is_none() && self.regexes.is_empty()
    }

    /// Whether `path` matches any criterion.
    pub fn is_match(&self, path: &str) -> bool {
        self.globs.as_ref().is_some_and(|g| g.is_match(path))
            || self.regexes.iter().any(|r| r.is_match(path.as_bytes()))
    }
}

/// One allowlist.
#[derive(Clone, Debug, Default)]
pub struct Allowlist {
    /// Where it came from, for messages.
    pub description: String,
    /// Paths allowed.
    pub paths: Paths,
    /// Regexes allowed, tested against `target`.
    pub regexes: Vec<Regex>,
    /// What `regexes` are tested against.
    pub target: Target,
    /// Words (lowercase) that mark a secret as allowed when it contains one.
    pub stopwords: Vec<String>,
    /// Commit ids (full or abbreviated hex) whose findings are allowed.
    pub commits: Vec<String>,
    /// How the criteria combine.
    pub condition: Condition,
}

/// What an allowlist looks at for one finding.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// Repository-relative path.
    pub path: &'a str,
    /// The secret.
    pub secret: &'a [u8],
    /// The whole regex match.
    pub matched: &'a [u8],
    /// The line(s) holding the match.
    pub line: &'a [u8],
    /// The commit, in history scans.
    pub commit: Option<&'a str>,
}

impl Allowlist {
    /// Whether this allowlist has only path criteria, so that whole files
    /// can be skipped before they are read.
    pub fn is_path_only(&self) -> bool {
        !self.paths.is_empty() && self.regexes.is_empty() && self.stopwords.is_empty() && self.commits.is_empty()
    }

    /// Whether it allows the file at `path` whatever its content.
    pub fn allows_path(&self, path: &str) -> bool {
        self.is_path_only() && self.paths.is_match(path)
    }

    /// Whether it allows the finding described by `subject`.
    pub fn allows(&self, subject: &Subject<'_>) -> bool {
        let mut results = [None; 4];
        if !self.paths.is_empty() {
            results[0] = Some(self.paths.is_match(subject.path));
        }
        if !self.regexes.is_empty() {
            let hay = match self.target {
                Target::Secret => subject.secret,
                Target::Match => subject.matched,
                Target::Line => subject.line,
            };
            results[1] = Some(self.regexes.iter().any(|r| r.is_match(hay)));
        }
        if !self.stopwords.is_empty() {
            let lower = subject.secret.to_ascii_lowercase();
            results[2] = Some(self.stopwords.iter().any(|w| memchr::memmem::find(&lower, w.as_bytes()).is_some()));
        }
        if !self.commits.is_empty() {
            results[3] = Some(
                subject.commit.is_some_and(|c| self.commits.iter().any(|a| !a.is_empty() && c.starts_with(a.as_str()))),
            );
        }
        let mut set = results.iter().flatten().peekable();
        if set.peek().is_none() {
            return false;
        }
        match self.condition {
            Condition::Or => set.any(|&m| m),
            Condition::And => set.all(|&m| m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject<'a>(path: &'a str, secret: &'a [u8]) -> Subject<'a> {
        Subject { path, secret, matched: secret, line: secret, commit: None }
    }

    #[test]
    fn or_and_and() {
        let mut list = Allowlist {
            paths: Paths::globs(&["tests/**".to_owned()]).unwrap(),
            regexes: vec![Regex::new("^dev-").unwrap()],
            ..Allowlist::default()
        };
        assert!(list.allows(&subject("tests/a.txt", b"prod-1")));
        assert!(list.allows(&subject("src/a.txt", b"dev-1")));
        assert!(!list.allows(&subject("src/a.txt", b"prod-1")));
        list.condition = Condition::And;
        assert!(!list.allows(&subject("tests/a.txt", b"prod-1")));
        assert!(list.allows(&subject("tests/a.txt", b"dev-1")));
    }

    #[test]
    fn bare_glob_matches_at_any_depth() {
        let paths = Paths::globs(&["*.lock".to_owned()]).unwrap();
        assert!(paths.is_match("Cargo.lock"));
        assert!(paths.is_match("sub/dir/yarn.lock"));
        assert!(!paths.is_match("lockfile.txt"));
    }

    #[test]
    fn empty_allowlist_allows_nothing() {
        assert!(!Allowlist::default().allows(&subject("a", b"b")));
    }
}
