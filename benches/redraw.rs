//! Goal 2 of issue 5: the cost of a redraw does not depend on the length of
//! the history. Lays out and draws one full 200x50 frame (as right after a
//! resize: nothing cached, every row written) with 1,000 lines of history
//! and with 10,000,000, in one criterion group, then measures the ratio
//! itself (interleaved batches, median and best) and prints it.
//!
//! `cargo bench --bench redraw`. Under `cargo test --benches` (criterion's
//! test mode) the large history is only 10,000 lines and the ratio is not
//! measured, so the test run stays quick.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use reflow::History;

mod common;
use common::{Rng, benchmarking, log_line, profiling};

const WIDTH: u16 = 200;
const HEIGHT: u16 = 50;
const SMALL: usize = 1_000;
const LARGE: usize = 10_000_000;
/// The large history in test mode.
const LARGE_IN_TEST: usize = 10_000;
/// Goal: redraw(10M) / redraw(1K) at most this.
const GOAL: f64 = 1.2;

fn history(lines: usize) -> History {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut history = History::new();
    let mut line = Vec::with_capacity(128);
    for i in 0..lines {
        log_line(&mut rng, i, &mut line);
        history.push(&line);
    }
    history
}

fn redraw(history: &History, out: &mut Vec<u8>) -> usize {
    out.clear();
    reflow::bench::redraw(black_box(history), WIDTH, HEIGHT, out).expect("writing into a Vec")
}

/// Time per redraw, measured over `batch` calls.
fn batch_time(history: &History, out: &mut Vec<u8>, batch: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..batch {
        black_box(redraw(history, out));
    }
    start.elapsed() / batch
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let bench = benchmarking();
    let large = if bench { LARGE } else { LARGE_IN_TEST };

    let started = Instant::now();
    let small_history = history(SMALL);
    let large_history = history(large);
    if bench {
        println!(
            "built histories of {SMALL} and {large} lines ({:.1} MB) in {:.1?}",
            large_history.bytes() as f64 / 1e6,
            started.elapsed()
        );
    }

    // Both draw the same full frame: 49 rows of content and the status bar.
    let mut out = Vec::with_capacity(64 * 1024);
    let rows_small = redraw(&small_history, &mut out);
    let rows_large = redraw(&large_history, &mut out);
    assert_eq!(rows_small, usize::from(HEIGHT), "a full frame is drawn");
    assert_eq!(rows_large, usize::from(HEIGHT), "a full frame is drawn");

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group(format!("redraw_{WIDTH}x{HEIGHT}"));
        for (lines, history) in [(SMALL, &small_history), (large, &large_history)] {
            group.bench_with_input(BenchmarkId::new("history", lines), history, |b, h| {
                let mut out = Vec::with_capacity(64 * 1024);
                b.iter(|| redraw(h, &mut out));
            });
        }
        group.finish();
    }
    criterion.final_summary();

    if !bench || profiling() {
        return;
    }

    // The ratio, measured here so it can be read without parsing
    // criterion's output: interleaved batches, so drift in the machine's
    // load hits both sizes alike.
    const ROUNDS: usize = 41;
    const BATCH: u32 = 200;
    let (mut small, mut large_t) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        batch_time(&small_history, &mut out, BATCH);
        batch_time(&large_history, &mut out, BATCH);
    }
    for _ in 0..ROUNDS {
        small.push(batch_time(&small_history, &mut out, BATCH));
        large_t.push(batch_time(&large_history, &mut out, BATCH));
    }
    let best = |v: &[Duration]| *v.iter().min().expect("rounds");
    let (best_small, best_large) = (best(&small), best(&large_t));
    let (med_small, med_large) = (median(small), median(large_t));
    let ratio = med_large.as_secs_f64() / med_small.as_secs_f64();
    let ratio_best = best_large.as_secs_f64() / best_small.as_secs_f64();
    println!();
    println!("redraw {WIDTH}x{HEIGHT} ({ROUNDS} interleaved batches of {BATCH} redraws per size)");
    println!("  {SMALL:>10} lines: median {med_small:>10.2?}  best {best_small:>10.2?}");
    println!("  {large:>10} lines: median {med_large:>10.2?}  best {best_large:>10.2?}");
    println!(
        "REDRAW RATIO 10M/1K: {ratio:.3} (median), {ratio_best:.3} (best); goal <= {GOAL}: {}",
        if ratio <= GOAL { "PASS" } else { "FAIL" }
    );

    // Issue 10: `g` then `G` on 10M lines, each one frame (at most 16 ms
    // of the printer thread), with the old chunks compressed as they are
    // once input has been quiet.
    let mut large_history = large_history;
    reflow::bench::compact_all(&mut large_history);
    let mut jumps = Vec::new();
    for _ in 0..21 {
        out.clear();
        let start = Instant::now();
        let written = reflow::bench::top_and_bottom(&large_history, WIDTH, HEIGHT, &mut out)
            .expect("writing into a Vec");
        jumps.push(start.elapsed() / 2);
        assert!(written >= usize::from(HEIGHT), "frames drawn");
    }
    let jump = median(jumps);
    println!(
        "JUMP g/G on {large} lines: {jump:.2?} per frame (median of 21); goal <= 16 ms: {}",
        if jump <= Duration::from_millis(16) {
            "PASS"
        } else {
            "FAIL"
        }
    );
}
