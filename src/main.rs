//! The `commitguard` binary: parse, run, exit.

fn main() -> std::process::ExitCode {
    commitguard::cli::main()
}
