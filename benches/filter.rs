//! The level filter (`L` to `≥warn`) against the text filter (`&WARN`) on
//! the same 1,000,000 log lines held in memory: the records' goal is that
//! the level filter is no slower. Every fifth line is a one-line WARN
//! record and no other line holds `WARN`, so both show the same lines;
//! nearly every line's message holds the word `error`, as real messages
//! do, so a level filter cannot pass over lines by a word search alone.
//! `scripts/bench-records.py` (part 4) times the same in a real terminal
//! on a file.
//!
//! `cargo bench --bench filter`. Under `cargo test --benches` (criterion's
//! test mode) the history is only 10,000 lines.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::Criterion;
use reflow::bench_filter::Display;
use reflow::{History, Level};

#[allow(dead_code)] // its Rng and the mode checks only
mod common;
use common::{MODULES, Rng, benchmarking, profiling};

const LINES: usize = 1_000_000;
const LINES_IN_TEST: usize = 10_000;
const GOAL: f64 = 1.0;
/// The words of bench-records.py's messages.
const WORDS: &str = "request handled in ms for user session cache miss hit key connection \
                     pool timeout retrying upstream status ok error payload bytes latency";

/// Lines as tracing-subscriber writes them, levels right-aligned.
fn history(lines: usize) -> History {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut history = History::new();
    let mut line = Vec::with_capacity(160);
    for i in 0..lines {
        line.clear();
        let us = i as u64 * 20_011;
        let level = ["INFO", "INFO", "INFO", "DEBUG", "WARN"][i % 5];
        let _ = write!(
            line,
            "2026-12-03T{:02}:{:02}:{:02}.{:06}Z {level:>5} {}: req={:08x}",
            16 + us / 3_600_000_000 % 8,
            us / 60_000_000 % 60,
            us / 1_000_000 % 60,
            us % 1_000_000,
            MODULES[i % 5], // the first five, as bench-records.py's
            rng.next() as u32,
        );
        for _ in 0..9 {
            let _ = write!(line, " {}", words[rng.below(words.len())]);
        }
        let _ = write!(line, " n={i}");
        history.push(&line);
    }
    // Not compacted: a file read in place is read as it is, and a
    // compressed history's decompression would be most of both times.
    history
}

fn main() {
    let bench = benchmarking();
    let lines = if bench { LINES } else { LINES_IN_TEST };
    let history = history(lines);
    let shown = lines / 5;
    // As the display when `L` or `&` is typed: its blocks' formats
    // learned (when they were first drawn or counted).
    let mut display = Display::new();
    assert_eq!(display.filter(&history, Some("WARN"), None), Ok(shown));
    assert_eq!(display.filter(&history, None, Some(Level::Warn)), Ok(shown));
    let mut filter = |pattern, level| display.filter(&history, pattern, level);

    let mut criterion = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group(format!("filter_{lines}"));
        group.bench_function("text_WARN", |b| {
            b.iter(|| filter(black_box(Some("WARN")), None));
        });
        group.bench_function("level_warn", |b| {
            b.iter(|| filter(None, black_box(Some(Level::Warn))));
        });
        group.bench_function("level_error", |b| {
            b.iter(|| filter(None, black_box(Some(Level::Error))));
        });
        group.finish();
    }
    criterion.final_summary();

    if !bench || profiling() {
        return;
    }
    // Interleaved, one pair at a time: the ratio of each pair, then the
    // median of the ratios (the machine may be busy).
    let mut time = |pattern, level| {
        let start = Instant::now();
        black_box(filter(pattern, level)).ok();
        start.elapsed().as_secs_f64()
    };
    // Each pair in the other order from the one before: neither goes
    // first always.
    let mut ratios = Vec::new();
    for i in 0..16 {
        let (level, text) = if i % 2 == 0 {
            let level = time(None, Some(Level::Warn));
            (level, time(Some("WARN"), None))
        } else {
            let text = time(Some("WARN"), None);
            (time(None, Some(Level::Warn)), text)
        };
        ratios.push(level / text);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!();
    println!(
        "FILTER {lines} lines: level (>=warn) / text (&WARN) median {median:.3} \
         (range {:.3}-{:.3}); goal <= {GOAL}: {}",
        ratios[0],
        ratios[ratios.len() - 1],
        if median <= GOAL { "PASS" } else { "FAIL" }
    );
}
