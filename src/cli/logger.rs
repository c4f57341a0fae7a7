//! A tiny stderr logger for the `log` facade, off unless `-v` or
//! `COMMITGUARD_LOG` (`debug`, `trace`) turns it on. Log lines record
//! decisions, never matched text. Messages carry paths from the scanned
//! tree, so they are escaped like the report is.

use log::{LevelFilter, Log, Metadata, Record};

struct Logger;

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            let message = crate::cli::report::escape(&record.args().to_string());
            eprintln!("commitguard: {}: {message}", record.level().as_str().to_ascii_lowercase());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger at the level `verbose` and the environment ask for.
pub(crate) fn init(verbose: u8) {
    let from_env = std::env::var("COMMITGUARD_LOG").ok().and_then(|v| v.parse::<LevelFilter>().ok());
    let from_flag = match verbose {
        0 => LevelFilter::Warn,
        1 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    };
    let level = from_env.map_or(from_flag, |env| env.max(from_flag));
    if log::set_logger(&Logger).is_ok() {
        log::set_max_level(level);
    }
}
