//! `commitguard db`: the advisory database cache.

use anyhow::{Context as _, Result};

use crate::cli::args::DbCommand;
use crate::cli::Outcome;
use crate::deps::db;

/// Runs a `commitguard db` command.
pub(crate) fn run(command: &DbCommand) -> Result<Outcome> {
    match command {
        DbCommand::Path => {
            let cache = db::cache_dir().context("no cache directory (HOME is not set)")?;
            println!("{}", cache.join("db").display());
            Ok(Outcome::Clean)
        }
    }
}
