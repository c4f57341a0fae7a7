//! Command-line definitions (clap). Only the CLI layer sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Git pre-commit checks: secrets, vulnerable dependencies, licences.
#[derive(Debug, Parser)]
#[command(name = "commitguard", version, about, propagate_version = true)]
pub struct Cli {
    /// Log decisions to stderr (-v debug, -vv trace); also COMMITGUARD_LOG.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan for secrets: staged lines, the files given, or the whole tree.
    Secrets(SecretsArgs),
    /// Check lockfiles for vulnerable, yanked, banned or badly sourced
    /// dependencies.
    Deps(DepsArgs),
    /// Manage the advisory databases in the cache.
    #[command(subcommand)]
    Db(DbCommand),
    /// Write commitguard's pre-commit hook into this repository.
    Install(InstallArgs),
    /// Remove commitguard's pre-commit hook (never a hook it did not write).
    Uninstall,
}

/// Options of `commitguard secrets`.
#[derive(Debug, Args)]
pub struct SecretsArgs {
    /// Files or directories to scan. Inside a repository, a file with staged
    /// changes is scanned on its added lines only; other files whole.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Scan only the lines that the index adds relative to HEAD (the default
    /// inside a repository when no PATHS are given).
    #[arg(long, conflicts_with = "all_files")]
    pub staged: bool,
    /// Scan every file of the working tree that git does not ignore.
    #[arg(long)]
    pub all_files: bool,
    /// Skip files larger than this (bytes; suffixes K, M, G for KiB, MiB,
    /// GiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "10M")]
    pub max_size: u64,
    /// Also scan files that look binary.
    #[arg(long)]
    pub binary: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Options of `commitguard deps`.
#[derive(Debug, Args)]
pub struct DepsArgs {
    /// Lockfiles to check (Cargo.lock, package-lock.json, yarn.lock,
    /// pnpm-lock.yaml, requirements*.txt, poetry.lock, uv.lock,
    /// Pipfile.lock, go.sum). Default: every lockfile of the repository
    /// that git does not ignore.
    #[arg(value_name = "LOCKFILES")]
    pub lockfiles: Vec<PathBuf>,
    /// The cargo-deny configuration to follow. Default: deny.toml,
    /// .deny.toml or .cargo/deny.toml at the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// An advisory database directory (RustSec layout or OSV records), or a
    /// folder holding several. Wins over deny.toml's db-path and the cache.
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Never touch the network (deps never does; accepted for scripts that
    /// pass it to every command).
    #[arg(long)]
    pub offline: bool,
    /// Warn when the advisory database is older than this many days.
    /// Default: deny.toml's maximum-db-staleness, else 7.
    #[arg(long, value_name = "DAYS")]
    pub max_db_age: Option<u64>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// `commitguard db` commands.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Download or refresh the advisory databases: the OSV exports of
    /// crates.io, npm, PyPI and Go, or the URLs given.
    Update(DbUpdateArgs),
    /// Print where the advisory databases are cached.
    Path,
}

/// Options of `commitguard db update`.
#[derive(Debug, Args)]
pub struct DbUpdateArgs {
    /// A database to fetch instead of the defaults (repeatable): a URL
    /// ending in .zip is a zip of OSV records fetched over HTTP(S); any
    /// other URL is a git repository in RustSec layout, cloned with git.
    /// Default: deny.toml's db-urls, else the OSV exports.
    #[arg(long = "db-url", value_name = "URL")]
    pub db_urls: Vec<String>,
    /// The cargo-deny configuration whose db-urls and db-path to use.
    /// Default: deny.toml, .deny.toml or .cargo/deny.toml at the root.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where to put the databases. Default: deny.toml's db-path for git
    /// URLs, else the cache directory's db/.
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,
}

/// How findings are reported.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// When to colour human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print secrets in full instead of redacted.
    #[arg(long)]
    pub show_secrets: bool,
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One block per finding, for people.
    Human,
    /// One JSON document: `{"findings": [...]}`.
    Json,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Options of `commitguard install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Replace an existing pre-commit hook that commitguard did not write.
    #[arg(long)]
    pub force: bool,
}

/// Parses `1024`, `64K`, `10M`, `1G` (binary units).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 10),
        Some((i, 'm' | 'M')) => (&text[..i], 20),
        Some((i, 'g' | 'G')) => (&text[..i], 30),
        _ => (text, 0),
    };
    let n: u64 = digits.parse().map_err(|_| format!("{text:?} is not a size such as 1048576, 512K or 10M"))?;
    n.checked_mul(1 << shift).ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("77"), Ok(77));
        assert!(parse_size("ten").is_err());
    }

    #[test]
    fn definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
