//! What reading records costs a frame: one whole frame of the newest rows
//! laid out and drawn (as right after a resize: every row laid out anew
//! and written; the formats learned of the records kept, as the display
//! keeps them), with log records read from the lines (levels coloured, each
//! record's wrapped rows and stack trace hanging under its message) and
//! without (`--plain`), on the same log4j-style history, at 80x24 and at
//! 200x50. Prints each size's median ratio of interleaved pairs, and the
//! time of a frame against a frame's budget at 60 a second.
//!
//! `cargo bench --bench hang`. Under `cargo test --benches` (criterion's
//! test mode) each frame is drawn once and nothing is timed.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use reflow::History;
use reflow::bench::Layouts;

#[allow(dead_code)] // its Rng, words and the mode checks only
mod common;
use common::{MODULES, Rng, WORDS, benchmarking, profiling};

const LINES: usize = 100_000;
const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];
/// A frame's time at 60 frames a second.
const FRAME: Duration = Duration::from_micros(16_667);

/// Records as log4j's PatternLayout writes them: a message of 40 to 300
/// bytes (wrapped at 80 columns), and every tenth an ERROR with an
/// exception's stack trace of its own lines.
fn history() -> History {
    let mut rng = Rng(0x51_7cc1_b727_220a);
    let mut history = History::new();
    let mut line = Vec::with_capacity(400);
    let mut i = 0;
    while history.len() < LINES {
        line.clear();
        let ms = i as u64 * 37;
        let level = ["INFO ", "INFO ", "DEBUG", "WARN ", "INFO "][i % 5];
        let error = i % 10 == 9;
        let _ = write!(
            line,
            "2026-12-07 {:02}:{:02}:{:02},{:03} {} [worker-{}] com.example.{} - ",
            8 + ms / 3_600_000 % 12,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000,
            if error { "ERROR" } else { level },
            rng.below(8),
            MODULES[rng.below(MODULES.len())].replace("::", "."),
        );
        let target = line.len() + 40 + rng.below(260);
        while line.len() < target {
            line.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
            line.push(b' ');
        }
        history.push(line.trim_ascii_end());
        if error {
            history
                .push(b"java.lang.IllegalStateException: connection pool exhausted after 30000 ms");
            for frame in 0..4 + rng.below(8) {
                let call = format!(
                    "\tat com.example.pool.Pool.acquire{frame}(Pool.java:{})",
                    100 + frame
                );
                history.push(call.as_bytes());
            }
            history.push(b"Caused by: java.net.SocketTimeoutException: connect timed out");
            history.push(b"\t... 12 more");
        }
        i += 1;
    }
    history
}

fn main() {
    let bench = benchmarking();
    let history = history();
    let mut out = Vec::with_capacity(64 * 1024);
    let mut layouts = Layouts::default();
    for (width, height) in SIZES {
        for records in [false, true] {
            out.clear();
            let rows = layouts
                .resized(&history, width, height, records, &mut out)
                .expect("writing into a Vec");
            assert_eq!(rows, usize::from(height), "a full frame is drawn");
        }
    }
    if !bench {
        return;
    }

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group("frame");
        for (width, height) in SIZES {
            let size = format!("{width}x{height}");
            for (name, records) in [("plain", false), ("records", true)] {
                group.bench_with_input(BenchmarkId::new(name, &size), &history, |b, h| {
                    let mut out = Vec::with_capacity(64 * 1024);
                    b.iter(|| layouts.resized(black_box(h), width, height, records, &mut out));
                });
            }
        }
        group.finish();
    }
    criterion.final_summary();
    if profiling() {
        return;
    }

    // Interleaved batches, each pair in the other order from the one
    // before; the median of the pairs' ratios.
    const BATCH: u32 = 200;
    println!();
    for (width, height) in SIZES {
        let mut time = |records: bool| {
            let start = Instant::now();
            for _ in 0..BATCH {
                out.clear();
                let drawn = layouts.resized(black_box(&history), width, height, records, &mut out);
                black_box(drawn).ok();
            }
            start.elapsed() / BATCH
        };
        let (mut ratios, mut frames) = (Vec::new(), Vec::new());
        for i in 0..31 {
            let (records, plain) = match i % 2 {
                0 => {
                    let records = time(true);
                    (records, time(false))
                }
                _ => {
                    let plain = time(false);
                    (time(true), plain)
                }
            };
            ratios.push(records.as_secs_f64() / plain.as_secs_f64());
            frames.push(records);
        }
        ratios.sort_by(f64::total_cmp);
        frames.sort();
        let frame = frames[frames.len() / 2];
        println!(
            "FRAME {width}x{height}: records / plain median {:.2} (range {:.2}-{:.2}); \
             a frame with records {frame:.1?}, {:.1}% of a frame at 60 Hz",
            ratios[ratios.len() / 2],
            ratios[0],
            ratios[ratios.len() - 1],
            100.0 * frame.as_secs_f64() / FRAME.as_secs_f64(),
        );
    }
}
