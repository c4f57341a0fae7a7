//! `commitguard db`: the advisory database cache.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use crate::cli::args::{DbCommand, DbUpdateArgs};
use crate::cli::Outcome;
use crate::config::deny::{self, DenyConfig};
use crate::deps::db;
use crate::deps::update::{self, Kind};
use crate::deps::Ecosystem;
use crate::source::{git, walk::display_path};

/// Runs a `commitguard db` command.
pub(crate) fn run(command: &DbCommand) -> Result<Outcome> {
    match command {
        DbCommand::Update(args) => run_update(args),
        DbCommand::Path => {
            println!("{}", cache_db()?.display());
            Ok(Outcome::Clean)
        }
    }
}

fn cache_db() -> Result<PathBuf> {
    Ok(db::cache_dir().context("no cache directory (HOME is not set); pass --db DIR")?.join("db"))
}

fn run_update(args: &DbUpdateArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().context("current directory")?;
    let root = git::discover(&cwd).map(|r| git::workdir(&r)).transpose()?.unwrap_or_else(|| cwd.clone());
    let config = match args.config.as_ref().map(|p| cwd.join(p)).or_else(|| deny::find(&root)) {
        Some(path) => Some(DenyConfig::load(&path, &display_path(&path, &root))?),
        None => None,
    };
    let urls: Vec<String> = if !args.db_urls.is_empty() {
        args.db_urls.clone()
    } else if let Some(urls) = config.as_ref().map(|c| c.advisories.db_urls.clone()).filter(|u| !u.is_empty()) {
        urls
    } else if config.as_ref().is_some_and(|c| c.advisories.db_path.is_some()) {
        // cargo-deny's default db-urls, for the db-path that deps will read.
        vec![update::RUSTSEC_URL.to_owned()]
    } else {
        Ecosystem::ALL.iter().map(|e| update::osv_export_url(*e)).collect()
    };
    let mut failed = false;
    for url in &urls {
        let kind = Kind::of(url);
        let base = match (&args.db, kind, config.as_ref().and_then(|c| c.advisories.db_path.clone())) {
            (Some(dir), _, _) => dir.clone(),
            (None, Kind::Git, Some(db_path)) => db_path,
            _ => cache_db()?,
        };
        let dest = update::destination(&base, url);
        let result = match kind {
            Kind::Zip => update::update_zip(url, &dest).map(|n| format!("{n} records")),
            Kind::Git => update::update_git(url, &dest).map(|()| "git checkout".to_owned()),
        };
        match result {
            Ok(what) => eprintln!("commitguard: updated {} from {url} ({what})", dest.display()),
            Err(e) => {
                let kept = if dest.exists() { "; the previous database is kept" } else { "" };
                eprintln!("commitguard: {e}{kept}");
                failed = true;
            }
        }
    }
    Ok(if failed { Outcome::Failure } else { Outcome::Clean })
}
