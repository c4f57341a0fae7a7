//! The progress line on stderr for long scans: shown only when stderr is a
//! terminal, only for whole-tree and history scans (never on the hook's
//! quick path), and only once a scan has run for about a second, so quick
//! runs print nothing extra. Reports go to stdout or a file and never carry
//! it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a scan runs before the progress line appears.
const DELAY: Duration = Duration::from_secs(1);

/// A progress line that may stay hidden.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
}

impl Progress {
    /// A progress line for a long scan; `enabled` is false for quick paths.
    pub(crate) fn new(enabled: bool) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {pos} files, {msg}")
                    .expect("valid progress template"),
            );
            bar
        });
        Progress { bar, started: Instant::now(), shown: AtomicBool::new(false) }
    }

    /// Counts one scanned file of `bytes`, `total` bytes so far.
    pub(crate) fn file(&self, total: u64) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() >= DELAY
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        if self.shown.load(Ordering::Relaxed) {
            bar.set_message(format!("{:.1} MB", total as f64 / 1e6));
        }
    }

    /// Removes the line.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
