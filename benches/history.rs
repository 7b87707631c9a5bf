//! The compressed history (issue 11, item 5): how small it holds a log,
//! how fast it compresses it, and how fast the whole of it is read back
//! (what a search costs: every chunk decompressed). Two inputs of
//! 1,000,000 lines: log lines with request ids and durations (about 125
//! bytes), and lines of words picked at random (what LZ4 could not shrink).
//!
//! `cargo bench --bench history`; under `cargo test --benches` the inputs
//! are 20,000 lines and nothing is timed.

use std::hint::black_box;
use std::io::Write;
use std::time::Instant;

use reflow::History;

mod common;
use common::{Rng, benchmarking, log_line, profiling};

/// An input: `lines` lines, each handed to the callback.
type Input = fn(usize, &mut dyn FnMut(&[u8]));

fn logs(lines: usize, mut f: impl FnMut(&[u8])) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut line = Vec::with_capacity(160);
    for i in 0..lines {
        log_line(&mut rng, i, &mut line);
        let _ = write!(line, " req={:016x} took={}ms", rng.next(), rng.below(5_000));
        f(&line);
    }
}

fn words(lines: usize, mut f: impl FnMut(&[u8])) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let list: Vec<Vec<u8>> = (0..50_000)
        .map(|_| {
            (0..2 + rng.below(11))
                .map(|_| b'a' + rng.below(26) as u8)
                .collect()
        })
        .collect();
    let mut line = Vec::with_capacity(200);
    for _ in 0..lines {
        line.clear();
        for w in 0..4 + rng.below(14) {
            if w > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(&list[rng.below(list.len())]);
        }
        f(&line);
    }
}

fn main() {
    // Nothing here for a profiler that criterion's benches do not do.
    let bench = benchmarking() && !profiling();
    let lines = if bench { 1_000_000 } else { 20_000 };
    let inputs: [(&str, Input); 2] = [
        ("log lines", |n, f| logs(n, f)),
        ("random words", |n, f| words(n, f)),
    ];
    for (name, input) in inputs {
        let mut history = History::new();
        input(lines, &mut |line| history.push(line));
        let text = history.bytes() + history.len() as u64;
        let plain = reflow::bench::allocated(&history);
        let started = Instant::now();
        reflow::bench::compact_all(&mut history);
        let compact = started.elapsed();
        let held = reflow::bench::allocated(&history);
        // Reading everything back, the best of a few runs.
        let mut read = f64::MAX;
        for _ in 0..if bench { 5 } else { 1 } {
            let started = Instant::now();
            let mut count = 0usize;
            history.for_each(|line| count += black_box(line).len() + 1);
            read = read.min(started.elapsed().as_secs_f64());
            assert_eq!(count as u64, text);
        }
        if bench {
            println!(
                "{name}: {lines} lines, {:.1} MB; held {:.3}x (plain {:.3}x); \
                 compaction {:.0} ms ({:.2} GB/s); whole history read back in {:.1} ms ({:.2} GB/s)",
                text as f64 / 1e6,
                held as f64 / text as f64,
                plain as f64 / text as f64,
                compact.as_secs_f64() * 1e3,
                text as f64 / compact.as_secs_f64() / 1e9,
                read * 1e3,
                text as f64 / read / 1e9,
            );
        }
    }
}
