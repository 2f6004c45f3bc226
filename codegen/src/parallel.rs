//! Running independent work on every core (loading, lowering, emitting and writing each
//! method do not depend on the others).
//!
//! Each run is a [`Stage`] of the work: when the caller asked for progress
//! ([`crate::progress::report_to`]), the stage and its items are reported as they are done,
//! from every worker.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::progress::{self, Stage};

/// `f` over `items` on every core; the results in the order of `items`. For many small
/// items (specs, methods): a second thread only when there are 64 items or more, and 16
/// items taken at a time.
///
/// Workers take the next batch of items as they finish the last one, so a run of large
/// items does not leave one core idle. If `f` panics, the panic is raised again here.
pub(crate) fn in_parallel<T: Sync, R: Send>(
    stage: Stage,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    in_batches(stage, items, 64, 16, f)
}

/// [`in_parallel`] for few large items (files of megabytes): a thread per core as soon
/// as there are two items, one item taken at a time.
pub(crate) fn in_parallel_large<T: Sync, R: Send>(
    stage: Stage,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    in_batches(stage, items, 1, 1, f)
}

fn in_batches<T: Sync, R: Send>(
    stage: Stage,
    items: &[T],
    per_worker: usize,
    batch: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let progress = progress::current();
    if let Some(p) = &progress {
        p.stage(stage, items.len());
    }
    let advance = |n: usize| {
        if let Some(p) = &progress {
            p.advance(n);
        }
    };
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len() / per_worker.max(1) + 1)
        .min(items.len());
    if workers <= 1 {
        return items
            .iter()
            .map(|item| {
                let out = f(item);
                advance(1);
                out
            })
            .collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let start = next.fetch_add(batch, Ordering::Relaxed);
            if start >= items.len() {
                return done;
            }
            let end = (start + batch).min(items.len());
            done.push((start, items[start..end].iter().map(&f).collect()));
            advance(end - start);
        }
    };
    let mut batches: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        // A worker reports to the caller's progress, and so does work nested in it.
        let handles: Vec<_> = (1..workers)
            .map(|_| {
                let progress = progress.clone();
                scope.spawn(move || progress::within(progress, work))
            })
            .collect();
        let mut all = work();
        for h in handles {
            // A worker only panics on a generator bug; surface it rather than lose output.
            all.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        all
    });
    batches.sort_unstable_by_key(|(start, _)| *start);
    batches
        .into_iter()
        .flat_map(|(_, results)| results)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::in_parallel;
    use crate::progress::Stage;

    #[test]
    fn results_come_back_in_input_order() {
        let items: Vec<usize> = (0..1000).collect();
        let out = in_parallel(Stage::Lower, &items, |i| i * 2);
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(in_parallel(Stage::Lower, &[] as &[u8], |b| *b).is_empty());
    }

    #[test]
    fn large_items_keep_their_order_too() {
        let items = ["a", "bb", "ccc"];
        assert_eq!(
            super::in_parallel_large(Stage::Write, &items, |s| s.len()),
            [1, 2, 3]
        );
    }

    #[test]
    #[should_panic(expected = "item 700")]
    fn a_panic_in_a_worker_is_raised_again() {
        let items: Vec<usize> = (0..1000).collect();
        in_parallel(Stage::Lower, &items, |i| assert_ne!(*i, 700, "item 700"));
    }
}
