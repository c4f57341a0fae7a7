//! `commitguard install` and `uninstall`: the native pre-commit hook.
//!
//! The hook is `hooks/pre-commit` of this repository, embedded. It carries a
//! marker line, and neither command touches a hook without it (install only
//! with `--force`).

use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};

use crate::cli::args::InstallArgs;
use crate::cli::Outcome;

/// The hook script, as shipped in `hooks/pre-commit`.
const HOOK: &str = include_str!("../../hooks/pre-commit");

/// The line that marks a hook as commitguard's.
const MARKER: &str = "# commitguard-hook:";

/// Where git looks for hooks: `core.hooksPath` (relative to the working
/// tree) or the common git directory's `hooks/`.
fn hooks_dir() -> Result<PathBuf> {
    let cwd = std::env::current_dir().context("current directory")?;
    let repo =
        git2::Repository::discover(&cwd).map_err(|_| anyhow::anyhow!("{}: not a git repository", cwd.display()))?;
    let configured = repo.config().ok().and_then(|c| c.get_path("core.hooksPath").ok());
    Ok(match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repo.workdir().unwrap_or_else(|| repo.path()).join(path),
        None => repo.commondir().join("hooks"),
    })
}

/// Writes the pre-commit hook.
pub(crate) fn install(args: &InstallArgs) -> Result<Outcome> {
    let dir = hooks_dir()?;
    let path = dir.join("pre-commit");
    match std::fs::read(&path) {
        Ok(existing) if existing == HOOK.as_bytes() => {
            eprintln!("commitguard: {} is already installed", path.display());
            return Ok(Outcome::Clean);
        }
        Ok(existing) if !is_ours(&existing) && !args.force => bail!(
            "{}: a pre-commit hook that commitguard did not write is there; \
             add it to your hook by hand or pass --force to replace it",
            path.display()
        ),
        _ => {}
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let temp = dir.join(".pre-commit.commitguard.tmp");
    std::fs::write(&temp, HOOK).with_context(|| format!("{}: cannot write", temp.display()))?;
    make_executable(&temp)?;
    std::fs::rename(&temp, &path).with_context(|| format!("{}: cannot write", path.display()))?;
    eprintln!("commitguard: installed {}", path.display());
    Ok(Outcome::Clean)
}

/// Removes the pre-commit hook if commitguard wrote it.
pub(crate) fn uninstall() -> Result<Outcome> {
    let path = hooks_dir()?.join("pre-commit");
    match std::fs::read(&path) {
        Ok(existing) if is_ours(&existing) => {
            std::fs::remove_file(&path).with_context(|| format!("{}: cannot remove", path.display()))?;
            eprintln!("commitguard: removed {}", path.display());
            Ok(Outcome::Clean)
        }
        Ok(_) => bail!("{}: this hook was not written by commitguard; left as it is", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("commitguard: no pre-commit hook to remove");
            Ok(Outcome::Clean)
        }
        Err(e) => Err(e).with_context(|| format!("{}: cannot read", path.display())),
    }
}

fn is_ours(script: &[u8]) -> bool {
    String::from_utf8_lossy(script).lines().take(3).any(|l| l.starts_with(MARKER))
}

#[cfg(unix)]
fn make_executable(path: &std::path::Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("{}: cannot make executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(_: &std::path::Path) -> Result<()> {
    Ok(())
}
