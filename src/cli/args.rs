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
    /// Check dependency licences against deny.toml's [licenses] policy, or
    /// (--headers) SPDX licence headers of source files.
    Licenses(LicensesArgs),
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
    /// Create, update or import the baseline of accepted secret findings.
    Baseline(BaselineArgs),
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
    #[arg(long, conflicts_with = "history")]
    pub all_files: bool,
    /// Scan the lines each commit added: everything reachable from HEAD, or
    /// from REVISION, or in a range such as `main..feature`.
    #[arg(long, value_name = "REVISION", num_args = 0..=1, conflicts_with_all = ["staged", "paths"])]
    pub history: Option<Option<String>>,
    /// With --history (and no REVISION): walk every ref, not only HEAD.
    #[arg(long, requires = "history")]
    pub all_refs: bool,
    /// The baseline file (default: .commitguard-baseline.json at the
    /// repository root, when it exists).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report findings even when the baseline lists them.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
    #[command(flatten)]
    pub scan: ScanArgs,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// What rules and limits a secret scan uses.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// A commitguard.toml or gitleaks TOML file (default: commitguard.toml,
    /// .commitguard.toml or .gitleaks.toml at the repository root).
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip files larger than this (bytes; suffixes K, M, G for KiB, MiB,
    /// GiB). Default: the config's max_size, else 10M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<u64>,
    /// Also scan files that look binary.
    #[arg(long)]
    pub binary: bool,
}

/// Options of `commitguard baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: BaselineAction,
}

/// Baseline actions.
#[derive(Debug, Subcommand)]
pub enum BaselineAction {
    /// Record every current finding of an --all-files scan.
    Create(BaselineFileArgs),
    /// Drop entries that no longer occur (never adds new findings).
    Update(BaselineFileArgs),
    /// Take over the findings recorded in a detect-secrets baseline.
    Import {
        /// The detect-secrets baseline (usually .secrets.baseline).
        #[arg(value_name = "SECRETS_BASELINE")]
        from: PathBuf,
        #[command(flatten)]
        file: BaselineFileArgs,
    },
}

/// Where the baseline is and how the scan behind it runs.
#[derive(Debug, Args)]
pub struct BaselineFileArgs {
    /// The baseline file (default: .commitguard-baseline.json at the
    /// repository root).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Also take in the lines commits added, as `secrets --history` finds
    /// them: everything reachable from HEAD, or from REVISION, or in a range
    /// such as `main..feature`.
    #[arg(long, value_name = "REVISION", num_args = 0..=1)]
    pub history: Option<Option<String>>,
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// Options of `commitguard licenses`.
#[derive(Debug, Args)]
pub struct LicensesArgs {
    /// With --headers: source files to check. Inside a repository, a file
    /// with staged changes is checked only when the index adds it; other
    /// files are checked whole.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Check SPDX-License-Identifier headers of source files instead of
    /// dependency licences (when enabled in commitguard.toml
    /// [licenses.headers]).
    #[arg(long)]
    pub headers: bool,
    /// With --headers: check the files the index adds relative to HEAD (the
    /// default inside a repository when no PATHS are given).
    #[arg(long, requires = "headers", conflicts_with = "all_files")]
    pub staged: bool,
    /// With --headers: check every file of the working tree that git does
    /// not ignore.
    #[arg(long, requires = "headers")]
    pub all_files: bool,
    /// The cargo-deny configuration to read [licenses] from (default:
    /// deny.toml, .deny.toml or .cargo/deny.toml beside the manifest or in a
    /// parent directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The Cargo.toml of the workspace to check (default: ./Cargo.toml when
    /// present).
    #[arg(long, value_name = "FILE")]
    pub manifest_path: Option<PathBuf>,
    /// Run cargo metadata with --offline, so the check never waits on the
    /// network (the hooks pass it).
    #[arg(long)]
    pub offline: bool,
    /// Run cargo metadata with --locked: fail instead of updating a stale
    /// Cargo.lock.
    #[arg(long)]
    pub locked: bool,
    /// A package-lock.json (v2 or v3) to check (default:
    /// ./package-lock.json when present).
    #[arg(long, value_name = "FILE")]
    pub npm_lock: Option<PathBuf>,
    /// A Python virtual environment whose installed distributions to check.
    #[arg(long, value_name = "PATH")]
    pub python_env: Option<PathBuf>,
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
#[derive(Clone, Debug, Args)]
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
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
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

/// Parses `1024`, `64K`, `10M`, `1G` (binary units) for clap.
fn parse_size(text: &str) -> Result<u64, String> {
    crate::config::commitguard::parse_size(text)
        .ok_or_else(|| format!("{:?} is not a size such as 1048576, 512K or 10M", text.trim()))
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
