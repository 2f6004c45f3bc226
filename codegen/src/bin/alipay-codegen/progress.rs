//! The progress line of long work (loading, generating, comparing thousands of specs): drawn
//! on stderr only when stderr is a terminal, and cleared when the work is done. Piped or
//! redirected, nothing at all is printed for it.

use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex};

use alipay_codegen::progress::{Progress, Stage, report_to};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar on stderr for each stage in turn; drawn from the first stage on.
struct Bar {
    bar: ProgressBar,
    /// The stage the bar shows.
    stage: Mutex<Option<Stage>>,
}

impl Progress for Bar {
    fn stage(&self, stage: Stage, items: usize) {
        let mut shown = self.stage.lock().unwrap_or_else(|e| e.into_inner());
        if *shown == Some(stage) {
            // The next part of the same stage (a folder's sdk/ layer, a diff's other side).
            self.bar.inc_length(items as u64);
            return;
        }
        // The time shown is the whole run's: only the count starts again.
        self.bar.set_prefix(stage.label());
        self.bar.set_length(items as u64);
        self.bar.set_position(0);
        self.bar.reset_eta();
        if shown.is_none() {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        *shown = Some(stage);
    }

    fn advance(&self, items: usize) {
        self.bar.inc(items as u64);
    }
}

/// Whether a progress line may be drawn: stderr is a terminal that understands the escape
/// that clears a line (not `TERM=dumb`).
fn wanted() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Runs `work`; while it runs, a progress line on stderr when stderr is a terminal (no
/// colour: the line is plain text). What `work` returns is returned, after the line is
/// cleared, so that what the command prints next starts on a clean line.
pub(crate) fn shown_while<R>(work: impl FnOnce() -> R) -> R {
    if !wanted() {
        return work();
    }
    // Hidden until the first stage starts: nothing is drawn for work that reports none.
    let bar = ProgressBar::hidden();
    if let Ok(style) = ProgressStyle::with_template("{prefix:>17} [{bar:30}] {pos}/{len} {elapsed}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let shown = Arc::new(Bar {
        bar: bar.clone(),
        stage: Mutex::new(None),
    });
    let out = report_to(shown, work);
    bar.finish_and_clear();
    out
}
