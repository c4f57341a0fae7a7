//! Reporters: findings to text for people (`human`) or machines (`json`),
//! and the exit code.
//!
//! # JSON
//!
//! Always one document, `{"findings": [...]}`, also when there are none.
//! Every finding has `check`, `level` (`error` or `warning`), `rule`, `path`
//! (relative to the repository root, `/`-separated), `line` (1-based),
//! `message` and `fingerprint`. A secret finding adds `column`, `end_line`,
//! `end_column` (1-based character columns; `end_column` is one past the
//! last character) and `secret_redacted`; with `--show-secrets`, `secret`.
//! A deps finding adds `kind`, `package`, `version`, `ecosystem`, `aliases`,
//! `severity` (`{"level", "score", "cvss"}` or null), `patched` (the version
//! to move to, or null) and, when known, `url`.
//!
//! # SARIF
//!
//! See [`crate::cli::sarif`].

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, IsTerminal, Write};

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::cli::args::{ColorChoice, Format, ReportArgs};
use crate::cli::Outcome;
use crate::finding::{Finding, Level};
use crate::source::{SkipReason, Skipped};

/// What a run looked at besides its findings.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    /// Texts scanned.
    pub(crate) files: u64,
    /// Bytes scanned.
    pub(crate) bytes: u64,
    /// Paths passed over.
    pub(crate) skipped: Vec<Skipped>,
    /// Findings the baseline accepted.
    pub(crate) baselined: usize,
    /// Every rule the run used (id, description), for SARIF.
    pub(crate) rules: Vec<(String, String)>,
    /// Packages checked, for checks of dependencies rather than files.
    pub(crate) packages: Option<u64>,
}

/// Writes the report where `args` says and returns the outcome.
pub(crate) fn emit(args: &ReportArgs, findings: &[Finding], summary: &Summary) -> Result<Outcome> {
    warn_skipped(&summary.skipped);
    log::debug!(
        "scanned {} files ({} bytes), skipped {}, {} findings",
        summary.files,
        summary.bytes,
        summary.skipped.len(),
        findings.len()
    );
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none() && !is_dumb_terminal(),
    };
    let text = match args.format {
        Format::Human => human(findings, summary, color, args.show_secrets),
        Format::Json => json(findings, args.show_secrets)?,
        Format::Sarif => {
            let mut text = serde_json::to_string_pretty(&crate::cli::sarif::document(findings, summary))
                .context("encoding SARIF")?;
            text.push('\n');
            text
        }
    };
    // A human report with findings counts the skipped files in its last
    // line; otherwise a scan that passed over files because of their size
    // says so on stderr, so that a green run is not mistaken for a full one.
    if findings.is_empty() || !matches!(args.format, Format::Human) {
        note_too_large(summary);
    }
    write(args, &text)?;
    Ok(outcome(findings))
}

/// For a machine-readable format, writes a document saying that the run
/// failed and why, so that a CI step reading the report finds one. A human
/// report writes nothing: the error is on stderr.
///
/// # Errors
///
/// The report cannot be written.
pub(crate) fn emit_failure(args: &ReportArgs, message: &str) -> Result<()> {
    let doc = match args.format {
        Format::Human => return Ok(()),
        Format::Json => serde_json::json!({ "findings": [], "error": message }),
        Format::Sarif => crate::cli::sarif::failure(message),
    };
    let mut text = serde_json::to_string_pretty(&doc).context("encoding the report")?;
    text.push('\n');
    write(args, &text)
}

/// Writes a report to `--output` or stdout.
fn write(args: &ReportArgs, text: &str) -> Result<()> {
    match &args.output {
        Some(path) => {
            let mut file = File::create(path).with_context(|| format!("{}: cannot create report", path.display()))?;
            file.write_all(text.as_bytes()).with_context(|| format!("{}: cannot write report", path.display()))?;
        }
        None => {
            let mut out = io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                // A reader that stopped early (`| head`) changes nothing
                // about the outcome: findings still exit 1.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                result => result.context("writing the report")?,
            }
        }
    }
    Ok(())
}

/// 1 when any finding is an error, else 0.
pub(crate) fn outcome(findings: &[Finding]) -> Outcome {
    if findings.iter().any(|f| f.level == Level::Error) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

fn is_dumb_terminal() -> bool {
    std::env::var("TERM").is_ok_and(|t| t == "dumb")
}

/// Unreadable paths are warnings, one line each; size and binary skips are
/// counted in the human summary; the rest is logged.
fn warn_skipped(skipped: &[Skipped]) {
    for s in skipped {
        match &s.reason {
            SkipReason::Unreadable(_) => eprintln!("commitguard: warning: {}: {}", escape(&s.path), s.reason),
            reason => log::debug!("skipped {}: {reason}", escape(&s.path)),
        }
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    findings: Vec<JsonFinding<'a>>,
}

fn json(findings: &[Finding], show_secrets: bool) -> Result<String> {
    let findings = findings
        .iter()
        .map(|finding| JsonFinding {
            finding,
            secret: show_secrets.then(|| finding.secret().map(|s| s.secret.as_str())).flatten(),
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&JsonReport { findings }).context("encoding JSON")?;
    text.push('\n');
    Ok(text)
}

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

fn human(findings: &[Finding], summary: &Summary, color: bool, show_secrets: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    for f in findings {
        let level = match f.level {
            Level::Error => paint.wrap("1;31", "error"),
            Level::Warning => paint.wrap("1;33", "warning"),
        };
        let column = f.secret().map_or(String::new(), |s| format!(":{}", s.column));
        let location = paint.wrap("1", &format!("{}:{}{column}", escape(&f.path), f.line));
        let _ = writeln!(out, "{location}: {level}[{}]: {}", f.rule, escape(&f.message));
        if let Some(secret) = f.secret() {
            let shown = if show_secrets { &secret.secret } else { &secret.secret_redacted };
            let _ = writeln!(out, "    secret: {}", escape(shown));
            let _ = writeln!(out, "    line:   {}", escape(&secret.context));
            if let Some(commit) = &secret.commit {
                let _ = writeln!(out, "    commit: {} {} {}", commit.commit, escape(&commit.author), commit.date);
            }
        }
        if let Some(deps) = f.deps() {
            if let Some(severity) = &deps.severity {
                let _ = writeln!(out, "    severity: {} ({})", severity.level, severity.score);
            }
            if !deps.aliases.is_empty() {
                let _ = writeln!(out, "    aliases:  {}", escape(&deps.aliases.join(", ")));
            }
            if let Some(url) = &deps.url {
                let _ = writeln!(out, "    see:      {}", escape(url));
            }
        }
    }
    if findings.is_empty() {
        return out;
    }
    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    if let Some(packages) = summary.packages {
        let _ = writeln!(
            out,
            "\ncommitguard: {errors} error{}, {warnings} warning{} in {packages} package{} checked",
            plural(errors),
            plural(warnings),
            plural(packages as usize),
        );
        return out;
    }
    let _ = write!(
        out,
        "\ncommitguard: {errors} error{}, {warnings} warning{} in {} file{} ({} bytes) scanned",
        plural(errors),
        plural(warnings),
        summary.files,
        plural(summary.files as usize),
        summary.bytes
    );
    let count = |f: fn(&SkipReason) -> bool| summary.skipped.iter().filter(|s| f(&s.reason)).count();
    let skipped: Vec<String> = [
        (count(|r| matches!(r, SkipReason::TooLarge(_))), "over the size limit"),
        (count(|r| *r == SkipReason::Binary), "binary"),
        (count(|r| *r == SkipReason::NotAFile), "not regular files"),
        (count(|r| matches!(r, SkipReason::Unreadable(_))), "unreadable"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !skipped.is_empty() {
        let _ = write!(out, "; skipped {}", skipped.join(", "));
    }
    if summary.baselined > 0 {
        let _ = write!(out, "; {} accepted by the baseline", summary.baselined);
    }
    out.push('\n');
    out
}

fn note_too_large(summary: &Summary) {
    let large = summary.skipped.iter().filter(|s| matches!(s.reason, SkipReason::TooLarge(_))).count();
    if large > 0 {
        eprintln!("commitguard: note: skipped {large} file{} over the size limit (--max-size)", plural(large));
    }
}

/// The plural "s" when `n` is not 1.
pub(crate) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Escapes control and bidirectional-override characters so that text from
/// scanned files cannot rewrite the terminal.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() || bidi {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape("plain é"), "plain é");
    }
}
