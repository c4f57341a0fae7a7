//! The test harness: scratch git repositories in temporary directories, the
//! real `commitguard` binary, and fake secrets assembled at run time.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use commitguard::secrets::template::{self, Rng};
use commitguard::secrets::validate::Checksum;

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_commitguard"))
}

/// A fake AWS access key id: the real prefix and alphabet, a random body.
pub fn fake_aws_key() -> String {
    fake("AKIA{base32:16}", None)
}

/// Expands a template with a fresh random seed.
pub fn fake(template: &str, checksum: Option<Checksum>) -> String {
    template::expand(template, checksum, &mut Rng::from_clock()).expect("valid template")
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The `findings` array of a JSON report on stdout.
    pub fn findings(&self) -> Vec<serde_json::Value> {
        let doc: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr));
        doc["findings"].as_array().expect("findings is an array").clone()
    }

    /// `rule@path:line` of each finding, for compact assertions.
    pub fn locations(&self) -> Vec<String> {
        self.findings()
            .iter()
            .map(|f| format!("{}@{}:{}", f["rule"].as_str().unwrap(), f["path"].as_str().unwrap(), f["line"]))
            .collect()
    }

    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit code\nstdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

/// A scratch git repository.
pub struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// `git init` in a new temporary directory.
    pub fn new() -> Repo {
        let repo = Repo::empty_dir();
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A temporary directory that is not a repository.
    pub fn empty_dir() -> Repo {
        Repo { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `rel`, creating parent directories.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Repo {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Runs git with a fixed identity; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let run = Run::from(git_command(self.path()).args(args).output().expect("git runs"));
        assert_eq!(run.code, 0, "git {args:?} failed: {}", run.stderr);
        run.stdout
    }

    /// `git add -A && git commit` (hooks not run).
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    /// Runs commitguard in the repository.
    pub fn cg(&self, args: &[&str]) -> Run {
        self.cg_env(args, &[])
    }

    /// Runs commitguard with extra environment variables.
    pub fn cg_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(bin());
        command.current_dir(self.path()).args(args).stdin(Stdio::null());
        command.env_remove("PRE_COMMIT_FROM_REF").env_remove("PRE_COMMIT_TO_REF").env("NO_COLOR", "1");
        for (k, v) in env {
            command.env(k, v);
        }
        Run::from(command.output().expect("commitguard runs"))
    }

    /// Runs commitguard with `--format json`.
    pub fn cg_json(&self, args: &[&str]) -> Run {
        let mut all = vec![args[0], "--format", "json"];
        all.extend_from_slice(&args[1..]);
        self.cg(&all)
    }
}

/// `git` with a fixed identity and no system config.
pub fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.invalid")
        .env("GIT_COMMITTER_NAME", "Test Author")
        .env("GIT_COMMITTER_EMAIL", "author@example.invalid")
        .stdin(Stdio::null());
    command
}

/// Every file under `dir` (`.git` included) with its bytes, to prove a command
/// changed nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}
