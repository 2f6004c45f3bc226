//! Progress of long work (loading, lowering, emitting and writing thousands of specs), for a
//! caller that shows it: the `alipay-codegen` command draws a progress line on a terminal.
//!
//! Nothing is reported unless the caller asks, with [`report_to`]: the work run inside it
//! (on this thread, and on the worker threads it starts) tells the [`Progress`] given as each
//! stage starts and as its items are done. The work itself, and what it returns, is the same
//! with or without it.
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use alipay_codegen::progress::{Progress, Stage, report_to};
//!
//! #[derive(Default)]
//! struct Count(AtomicUsize);
//! impl Progress for Count {
//!     fn stage(&self, _stage: Stage, _items: usize) {}
//!     fn advance(&self, items: usize) {
//!         self.0.fetch_add(items, Ordering::Relaxed);
//!     }
//! }
//!
//! let count = Arc::new(Count::default());
//! let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs");
//! let report = report_to(count.clone(), || alipay_codegen::spec::load_dir(&specs));
//! assert!(report.is_clean());
//! // Every spec file read was counted.
//! assert!(count.0.load(Ordering::Relaxed) >= report.specs.len());
//! ```

use std::cell::RefCell;
use std::sync::Arc;

/// A stage of the work, as reported to [`Progress::stage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stage {
    /// Reading and checking spec files (items: files).
    Load,
    /// Lowering specs into the IR (items: specs).
    Lower,
    /// Emitting and printing the code of each method (items: methods, and the root file).
    Emit,
    /// Joining the methods' code into one file per group (items: groups).
    Join,
    /// Writing the generated files, or comparing them in check mode (items: files).
    Write,
    /// Comparing two versions of the specs, method by method (items: methods).
    Compare,
}

impl Stage {
    /// A short label for people: `loading specs`, `writing files`, ...
    pub fn label(self) -> &'static str {
        match self {
            Stage::Load => "loading specs",
            Stage::Lower => "lowering",
            Stage::Emit => "emitting methods",
            Stage::Join => "joining groups",
            Stage::Write => "writing files",
            Stage::Compare => "comparing methods",
        }
    }
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What is told of the work run inside [`report_to`]. Called from the worker threads too, so
/// it must be cheap and thread-safe (an atomic counter, a progress bar).
pub trait Progress: Send + Sync {
    /// A stage starts with `items` items to do. A stage may be reported several times in a
    /// row (a folder's specs and then its `sdk/` layer's, each side of a diff): each time
    /// with the items of that part.
    fn stage(&self, stage: Stage, items: usize);
    /// `items` more items of the current stage are done.
    fn advance(&self, items: usize);
}

thread_local! {
    /// The progress the work on this thread reports to, if any.
    static CURRENT: RefCell<Option<Arc<dyn Progress>>> = const { RefCell::new(None) };
}

/// Runs `work`, reporting its progress to `progress`: every stage of this crate's work that
/// `work` runs, on this thread or on the worker threads it starts, calls it. What `work`
/// returns is returned. Calls nest: the innermost `progress` is told.
pub fn report_to<R>(progress: Arc<dyn Progress>, work: impl FnOnce() -> R) -> R {
    /// Puts the previous progress back, even when `work` panics.
    struct Restore(Option<Arc<dyn Progress>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.borrow_mut().replace(progress)));
    work()
}

/// The progress this thread reports to (for the worker threads to report to it too).
pub(crate) fn current() -> Option<Arc<dyn Progress>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// [`report_to`] when there is a progress, else `work` as it is (a worker thread's setup).
pub(crate) fn within<R>(progress: Option<Arc<dyn Progress>>, work: impl FnOnce() -> R) -> R {
    match progress {
        Some(progress) => report_to(progress, work),
        None => work(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Log(Mutex<Vec<(Option<Stage>, usize)>>);

    impl Progress for Log {
        fn stage(&self, stage: Stage, items: usize) {
            self.0.lock().unwrap().push((Some(stage), items));
        }
        fn advance(&self, items: usize) {
            self.0.lock().unwrap().push((None, items));
        }
    }

    #[test]
    fn each_item_of_a_parallel_stage_is_counted_once() {
        let log = Arc::new(Log::default());
        let items: Vec<usize> = (0..1000).collect();
        let out = report_to(log.clone(), || {
            crate::parallel::in_parallel(Stage::Lower, &items, |i| i + 1)
        });
        assert_eq!(out.len(), 1000);
        let log = log.0.lock().unwrap();
        assert_eq!(log[0], (Some(Stage::Lower), 1000));
        let done: usize = log[1..]
            .iter()
            .map(|(s, n)| {
                assert!(s.is_none(), "{log:?}");
                n
            })
            .sum();
        assert_eq!(done, 1000);
    }

    #[test]
    fn nothing_is_reported_outside_report_to_and_it_nests() {
        let outer = Arc::new(Log::default());
        let inner = Arc::new(Log::default());
        crate::parallel::in_parallel(Stage::Emit, &[1, 2, 3], |i| *i);
        report_to(outer.clone(), || {
            report_to(inner.clone(), || {
                crate::parallel::in_parallel(Stage::Emit, &[1, 2], |i| *i)
            });
            crate::parallel::in_parallel(Stage::Write, &[1], |i| *i);
        });
        assert!(current().is_none());
        assert_eq!(
            *inner.0.lock().unwrap(),
            vec![(Some(Stage::Emit), 2), (None, 1), (None, 1)]
        );
        assert_eq!(
            *outer.0.lock().unwrap(),
            vec![(Some(Stage::Write), 1), (None, 1)]
        );
    }
}
