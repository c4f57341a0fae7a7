//! Integration tests: real git repositories in temporary directories, the
//! real binary, and the real pre-commit framework.

mod accuracy;
mod config;
mod deps;
mod history;
mod hostile;
mod install;
mod licenses;
mod precommit;
mod sarif;
mod secrets;
mod util;
