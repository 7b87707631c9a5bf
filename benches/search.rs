//! `?marker` through a long history: a backward search from the end of
//! 1,000,000 log lines (about 125 MB, compressed as the printer leaves it)
//! for a word found only on line 1,000, so nearly everything is read. The
//! goal is at most a tenth of `less`, which takes 2.3 s on such a file
//! (`scripts/bench-search.sh`): well under 0.1 s here. Also times the same
//! search with one `is_match` per line, what searching a chunk at a time
//! is measured against.
//!
//! `cargo bench --bench search`. Under `cargo test --benches` (criterion's
//! test mode) the history is only 10,000 lines.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::Criterion;
use reflow::History;
use reflow::bench_search::{backward, backward_line_by_line};

mod common;
use common::{Rng, benchmarking, log_line, profiling};

const LINES: usize = 1_000_000;
/// The history in test mode.
const LINES_IN_TEST: usize = 10_000;
/// The one line with the marker.
const MARKED: usize = 1_000;
/// Goal for the whole search.
const GOAL: Duration = Duration::from_millis(100);

fn history(lines: usize) -> History {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut history = History::new();
    let mut line = Vec::with_capacity(160);
    for i in 0..lines {
        log_line(&mut rng, i, &mut line);
        // A request id and a duration: log lines of about 125 bytes.
        let _ = write!(line, " req={:016x} took={}ms", rng.next(), rng.below(5_000));
        if i == MARKED {
            line.extend_from_slice(b" xylophone");
        }
        history.push(&line);
    }
    // As the printer leaves it when idle: every sealed chunk compressed.
    reflow::bench::compact_all(&mut history);
    history
}

fn main() {
    let bench = benchmarking();
    let lines = if bench { LINES } else { LINES_IN_TEST };
    let started = Instant::now();
    let history = history(lines);
    if bench {
        println!(
            "built a history of {lines} lines ({:.1} MB, {:.1} MB held) in {:.1?}",
            history.bytes() as f64 / 1e6,
            reflow::bench::allocated(&history) as f64 / 1e6,
            started.elapsed()
        );
    }
    assert_eq!(backward(&history, "xylophone"), Ok(Some(MARKED)));
    assert_eq!(
        backward_line_by_line(&history, "xylophone"),
        Ok(Some(MARKED))
    );

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group(format!("search_backward_{lines}"));
        group.bench_function("by_chunk", |b| {
            b.iter(|| backward(black_box(&history), "xylophone"));
        });
        group.bench_function("by_chunk_case_sensitive", |b| {
            b.iter(|| backward(black_box(&history), "Xylophone|xylophone"));
        });
        group.bench_function("by_chunk_regex", |b| {
            b.iter(|| backward(black_box(&history), r"xylo\w+ne"));
        });
        group.bench_function("line_by_line", |b| {
            b.iter(|| backward_line_by_line(black_box(&history), "xylophone"));
        });
        group.finish();
    }
    criterion.final_summary();

    if !bench || profiling() {
        return;
    }
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            let start = Instant::now();
            black_box(backward(&history, "xylophone")).ok();
            start.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!();
    println!(
        "SEARCH BACKWARD {lines} lines: median {median:.1?}, best {:.1?}; goal < {GOAL:?}: {}",
        times[0],
        if median < GOAL { "PASS" } else { "FAIL" }
    );
}
