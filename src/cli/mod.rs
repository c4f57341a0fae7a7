//! The command-line layer: parses arguments, resolves them into jobs, runs a
//! check and reports its findings with the exit code. Only this layer prints.

pub mod args;
mod db;
mod deps;
mod install;
mod licenses;
mod logger;
mod progress;
mod report;
mod sarif;
mod secrets;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

/// The process outcome: 0 clean, 1 error-level findings, 2 failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// No finding of level error.
    Clean = 0,
    /// At least one finding of level error.
    Findings = 1,
    /// Bad arguments, unreadable configuration, a required repository
    /// missing: the check could not run.
    Failure = 2,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome as u8)
    }
}

/// Runs the command line of this process.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { Outcome::Failure } else { Outcome::Clean };
            let _ = err.print();
            return code.into();
        }
    };
    logger::init(cli.verbose);
    let report = match &cli.command {
        Command::Secrets(args) => Some(args.report.clone()),
        Command::Licenses(args) => Some(args.report.clone()),
        Command::Deps(args) => Some(args.report.clone()),
        _ => None,
    };
    let result = match cli.command {
        Command::Secrets(args) => secrets::run(&args),
        Command::Licenses(args) => licenses::run(&args),
        Command::Deps(args) => deps::run(&args),
        Command::Db(command) => db::run(&command),
        Command::Install(args) => install::install(&args),
        Command::Uninstall => install::uninstall(),
        Command::Baseline(args) => secrets::baseline(&args),
    };
    match result {
        Ok(outcome) => outcome.into(),
        Err(err) if is_broken_pipe(&err) => Outcome::Clean.into(),
        Err(err) => {
            let one_line = |err: &anyhow::Error| crate::secrets::rule::one_line(&format!("{err:#}"));
            let message = one_line(&err);
            eprintln!("commitguard: {}", report::escape(&message));
            if let Some(Err(err)) = report.map(|args| report::emit_failure(&args, &message)) {
                // Not twice, when writing the report was what failed.
                let second = one_line(&err);
                if second != message {
                    eprintln!("commitguard: {}", report::escape(&second));
                }
            }
            Outcome::Failure.into()
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<std::io::Error>()).any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
