//! commitguard: git pre-commit checks for secrets, vulnerable dependencies
//! and licences.
//!
//! The crate is split the way data flows through it:
//!
//! - [`source`] decides which bytes are looked at and which of their lines
//!   are new (the staged diff, a revision range, file arguments, whole
//!   trees);
//! - [`secrets`], [`deps`] and [`licenses`] turn their input into findings
//!   and never print; [`config`] reads configuration files (commitguard.toml,
//!   gitleaks files, cargo-deny's `deny.toml`) into typed policy;
//! - [`finding`] is the one type every check produces;
//! - [`cli`] parses arguments, resolves configuration, runs a check and
//!   reports its findings (human, JSON) with the exit code.
//!
//! ```
//! use commitguard::secrets::{Input, Scanner};
//! use commitguard::source::AddedLines;
//!
//! let scanner = Scanner::builtin().unwrap();
//! let mut findings = Vec::new();
//! let line = format!("aws_key = {}{}\n", "AKIA", "Q3EGRJ7ZL4TMP2XW");
//! scanner.scan(&Input::new("config.ini", line.as_bytes(), &AddedLines::All), &mut findings);
//! assert_eq!(findings[0].rule, "aws-access-key-id");
//! ```

#![forbid(unsafe_code)]

pub mod cli;
pub mod config;
pub mod deps;
pub mod finding;
pub mod licenses;
pub mod secrets;
pub mod source;
