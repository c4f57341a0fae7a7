//! The labelled accuracy corpus of issue 3: loading it, scanning it with a
//! [`Scanner`] and scoring the result.
//!
//! Shared by the integration test (`tests/cli/accuracy.rs`) and the report
//! (`cargo run --release --example accuracy`), so both count the same way.
//!
//! # Layout
//!
//! - `positives/<category>.txt`: one case per line, `RULE-ID TEMPLATE`, or
//!   `RULE-ID,RULE-ID TEMPLATE` for a text that holds two secrets. The
//!   template is expanded with [`template::expand`] when the corpus is
//!   scored, so no live-format token is stored; `\n` in it stands for a
//!   line break and `\\` for a backslash. A line `@ PATH` sets the path
//!   the following cases are scanned under (default `corpus.txt`). Blank
//!   lines and lines starting with `#` are skipped.
//! - `negatives/<category>/…`: files scanned whole, under their path below
//!   the category directory (`negatives/lockfiles/Cargo.lock` is scanned as
//!   `Cargo.lock`). Every non-blank line is a line that must not be
//!   reported.
//!
//! # Scoring
//!
//! Each positive case is expanded once per seed and scanned alone. Each of
//! its labels is one expected finding:
//!
//! - True positive: the case yields a finding of the labelled rule (one per
//!   label and seed, however many such findings there are).
//! - False negative: it yields none.
//! - False positive: every other finding, i.e. each finding of a rule the
//!   case is not labelled with, and each finding on a negative file. A negative
//!   line with two findings counts twice, since a user sees two alerts.
//!
//! Recall is TP / (TP + FN), precision TP / (TP + FP).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use commitguard::finding::Finding;
use commitguard::secrets::template::{expand, Rng};
use commitguard::secrets::{Input, Scanner};
use commitguard::source::AddedLines;

/// The corpus shipped with the crate.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("accuracy")
}

/// One line that must be reported.
#[derive(Debug)]
pub struct Positive {
    /// Category: the stem of the file it comes from.
    pub category: String,
    /// Where it is written, `file:line`, for failure messages.
    pub origin: String,
    /// The rules that must report it.
    pub rules: Vec<String>,
    /// The path it is scanned under.
    pub path: String,
    /// The template, unescaped.
    pub template: String,
}

/// One file whose lines must not be reported.
#[derive(Debug)]
pub struct Negative {
    /// Category: the directory under `negatives/`.
    pub category: String,
    /// The path it is scanned under.
    pub path: String,
    /// The content.
    pub text: String,
}

impl Negative {
    /// How many lines of it count as negatives: the non-blank ones.
    pub fn lines(&self) -> usize {
        self.text.lines().filter(|l| !l.trim().is_empty()).count()
    }
}

/// The whole corpus.
#[derive(Debug)]
pub struct Corpus {
    /// The cases that must be reported.
    pub positives: Vec<Positive>,
    /// The files that must not be.
    pub negatives: Vec<Negative>,
}

/// The outcome of scanning the corpus.
#[derive(Debug, Default)]
pub struct Score {
    /// Positive cases reported by their rule.
    pub true_positives: usize,
    /// Positive cases not reported by their rule, per rule.
    pub misses: BTreeMap<String, Vec<String>>,
    /// Findings that should not be there, per rule that raised them.
    pub false_positives: BTreeMap<String, Vec<String>>,
    /// Positive cases, per category.
    pub positives_per_category: BTreeMap<String, usize>,
    /// Negative lines, per category.
    pub negatives_per_category: BTreeMap<String, usize>,
    /// How many times each positive case was expanded.
    pub seeds: u64,
}

impl Corpus {
    /// Reads the corpus under `dir`.
    ///
    /// # Errors
    ///
    /// A file that cannot be read, or a positive line without a template.
    pub fn load(dir: &Path) -> Result<Corpus, String> {
        let mut positives = Vec::new();
        for file in sorted_entries(&dir.join("positives"))? {
            let category = file.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let text = read(&file)?;
            parse_positives(&category, &file, &text, &mut positives)?;
        }
        let mut negatives = Vec::new();
        for category_dir in sorted_entries(&dir.join("negatives"))? {
            let category = category_dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
            collect_negatives(&category, &category_dir, &category_dir, &mut negatives)?;
        }
        Ok(Corpus { positives, negatives })
    }

    /// Labels that name no rule of `scanner`, with where they are written.
    pub fn unknown_labels(&self, scanner: &Scanner) -> Vec<String> {
        let known = |id: &str| scanner.rules().iter().any(|r| r.id() == id);
        let labels = self.positives.iter().flat_map(|p| p.rules.iter().map(move |r| (p, r)));
        labels.filter(|(_, r)| !known(r)).map(|(p, r)| format!("{}: {r}", p.origin)).collect()
    }

    /// Scans every case and file with `scanner`, each positive once per
    /// seed in `1..=seeds`. A case labelled with a rule `scanner` lacks
    /// counts as missed.
    ///
    /// # Errors
    ///
    /// A bad template.
    pub fn score(&self, scanner: &Scanner, seeds: u64) -> Result<Score, String> {
        let mut score = Score { seeds, ..Score::default() };
        for (i, case) in self.positives.iter().enumerate() {
            *score.positives_per_category.entry(case.category.clone()).or_default() += case.rules.len();
            // `{checksum}` in a template is the first labelled rule's checksum.
            let checksum = scanner.rules().iter().find(|r| r.id() == case.rules[0]).and_then(|r| r.spec().checksum);
            for seed in 1..=seeds {
                let mut rng = Rng::with_seed(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ ((i as u64) << 20));
                let text = expand(&case.template, checksum, &mut rng).map_err(|e| format!("{}: {e}", case.origin))?;
                score.add_positive(case, &text, &scan(scanner, &case.path, &text));
            }
        }
        for file in &self.negatives {
            *score.negatives_per_category.entry(file.category.clone()).or_default() += file.lines();
            for f in scan(scanner, &file.path, &file.text) {
                let at = format!("{}/{}:{}: {:?}", file.category, file.path, f.line, secret(&f));
                score.false_positives.entry(f.rule).or_default().push(at);
            }
        }
        Ok(score)
    }
}

impl Score {
    fn add_positive(&mut self, case: &Positive, text: &str, findings: &[Finding]) {
        for rule in &case.rules {
            if findings.iter().any(|f| f.rule == *rule) {
                self.true_positives += 1;
            } else {
                let others: Vec<&str> = findings.iter().map(|f| f.rule.as_str()).collect();
                let what = format!("{}: {text:?} (reported by: {others:?})", case.origin);
                self.misses.entry(rule.clone()).or_default().push(what);
            }
        }
        for f in findings.iter().filter(|f| !case.rules.contains(&f.rule)) {
            let at = format!("{}: {:?} labelled {}", case.origin, secret(f), case.rules.join(","));
            self.false_positives.entry(f.rule.clone()).or_default().push(at);
        }
    }

    /// Positive cases not reported by their rule.
    pub fn false_negatives(&self) -> usize {
        self.misses.values().map(Vec::len).sum()
    }

    /// Findings that should not be there.
    pub fn false_positive_count(&self) -> usize {
        self.false_positives.values().map(Vec::len).sum()
    }

    /// TP / (TP + FN); 1 when there is nothing to find.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives())
    }

    /// TP / (TP + FP); 1 when nothing was reported.
    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positive_count())
    }

    /// The figures, the corpus size and every miss and false positive, per
    /// rule, as text.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let sizes =
            |m: &BTreeMap<String, usize>| m.iter().map(|(c, n)| format!("{c} {n}")).collect::<Vec<_>>().join(", ");
        let positives: usize = self.positives_per_category.values().sum();
        let negatives: usize = self.negatives_per_category.values().sum();
        let _ = writeln!(out, "positive cases: {positives} ({})", sizes(&self.positives_per_category));
        let _ = writeln!(out, "negative lines: {negatives} ({})", sizes(&self.negatives_per_category));
        let _ = writeln!(
            out,
            "seeds per case: {}; TP {}, FN {}, FP {}",
            self.seeds,
            self.true_positives,
            self.false_negatives(),
            self.false_positive_count()
        );
        let _ = writeln!(out, "recall:    {:.4}", self.recall());
        let _ = writeln!(out, "precision: {:.4}", self.precision());
        for (title, per_rule) in [("misses", &self.misses), ("false positives", &self.false_positives)] {
            let total: usize = per_rule.values().map(Vec::len).sum();
            let _ = writeln!(out, "{title}: {total}");
            for (rule, items) in per_rule {
                let _ = writeln!(out, "  {rule}: {}", items.len());
                for item in items {
                    let _ = writeln!(out, "    {item}");
                }
            }
        }
        out
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn scan(scanner: &Scanner, path: &str, text: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    scanner.scan(&Input::new(path, text.as_bytes(), &AddedLines::All), &mut findings);
    findings
}

fn secret(f: &Finding) -> &str {
    f.secret().map_or("", |d| d.secret.as_str())
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut paths = entries.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>();
    if let Ok(paths) = &mut paths {
        paths.sort();
    }
    paths.map_err(|e| format!("{}: {e}", dir.display()))
}

fn parse_positives(category: &str, file: &Path, text: &str, out: &mut Vec<Positive>) -> Result<(), String> {
    let mut path = "corpus.txt".to_owned();
    for (n, line) in text.lines().enumerate() {
        let origin = format!("{}:{}", file.file_name().unwrap_or_default().to_string_lossy(), n + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(p) = line.strip_prefix("@ ") {
            path = p.trim().to_owned();
            continue;
        }
        let (rules, template) =
            line.split_once(' ').ok_or_else(|| format!("{origin}: no template after the rule id"))?;
        out.push(Positive {
            category: category.to_owned(),
            origin,
            rules: rules.split(',').map(str::to_owned).collect(),
            path: path.clone(),
            template: unescape(template),
        });
    }
    Ok(())
}

/// `\n` → line break, `\\` → backslash; any other backslash stays.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn collect_negatives(category: &str, root: &Path, dir: &Path, out: &mut Vec<Negative>) -> Result<(), String> {
    for path in sorted_entries(dir)? {
        if path.is_dir() {
            collect_negatives(category, root, &path, out)?;
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        out.push(Negative { category: category.to_owned(), path: rel, text: read(&path)? });
    }
    Ok(())
}
