//! Goal 4 of issue 5: lines per second through reflow's sender, from 1 and
//! from 4 producer threads, against `tracing-appender`'s `non_blocking`
//! writer in lossless mode, on the same lines, in the same run.
//!
//! Each measured run sends `LINES` (1,000,000) lines of about 100 bytes,
//! split evenly between the producers, and stops the clock only when every
//! line has been processed by the consuming thread:
//! - reflow: plain output into `io::sink()`; the producers' senders are
//!   dropped, and `Printer::join` returns after the printer drained the
//!   queue (it reports how many lines its history holds: checked).
//! - tracing-appender: `WorkerGuard`'s drop queues a shutdown behind the
//!   lines and then waits for the worker to reach it, but only for 1 s
//!   (and only 100 ms to queue the shutdown): past that it returns with
//!   lines still queued. So its writer counts the bytes it is handed, and
//!   the clock stops only when all of them have arrived; a run where the
//!   guard returned early is reported.
//!
//! Both sides get their library's defaults (reflow: a queue of 1 MiB of
//! lines; tracing-appender: 128,000 lines). reflow takes a line without its newline (it is a
//! line API); tracing-appender gets the line with its `\n`, as a `fmt`
//! layer would write it.
//!
//! After criterion's report the bench measures the ratios itself
//! (interleaved runs, median) and prints them. `cargo bench --bench
//! throughput`; under `cargo test --benches` the runs are small and the
//! ratios are skipped.

use std::hint::black_box;
use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use tracing_appender::non_blocking::NonBlockingBuilder;

mod common;
use common::{Rng, benchmarking, log_line, profiling};

/// Lines per measured run, split between the producers: far more than
/// either queue holds (tracing-appender buffers 128,000 lines), so a run
/// measures the sustained rate, not how much a buffer absorbs.
const LINES: usize = 1_000_000;
const LINES_IN_TEST: usize = 2_000;
/// Distinct lines, cycled through.
const POOL: usize = 4_096;
const PRODUCERS: [usize; 2] = [1, 4];

/// Runs where the `WorkerGuard` returned before every line was written.
static GUARD_EARLY: AtomicUsize = AtomicUsize::new(0);

/// `POOL` log lines of 92 to 108 bytes, without newlines.
fn pool() -> Vec<Vec<u8>> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..POOL)
        .map(|i| {
            let mut line = Vec::with_capacity(128);
            log_line(&mut rng, i, &mut line);
            line
        })
        .collect()
}

/// The lines producer `p` of `producers` sends, in order.
fn share(total: usize, producers: usize, p: usize) -> impl Iterator<Item = usize> {
    (p..total).step_by(producers).map(|i| i % POOL)
}

/// Starts `producers` threads that wait on a barrier, then send their
/// share with `send`. Returns their handles and the barrier to release.
fn start_producers<S, F>(
    producers: usize,
    total: usize,
    lines: &Arc<Vec<Vec<u8>>>,
    mut make_sink: impl FnMut() -> S,
    send: F,
) -> (Vec<thread::JoinHandle<()>>, Arc<Barrier>)
where
    S: Send + 'static,
    F: Fn(&mut S, &[u8]) + Copy + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(producers + 1));
    let handles = (0..producers)
        .map(|p| {
            let mut sink = make_sink();
            let lines = Arc::clone(lines);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for i in share(total, producers, p) {
                    send(&mut sink, &lines[i]);
                }
                // The sink (a sender or a writer clone) drops here.
            })
        })
        .collect();
    (handles, barrier)
}

/// One run through reflow: from releasing the producers until the printer
/// has processed every line and stopped.
fn run_reflow(producers: usize, total: usize, lines: &Arc<Vec<Vec<u8>>>) -> Duration {
    let printer = reflow::Printer::builder()
        .output(io::sink())
        .spawn()
        .expect("spawn the printer");
    let (handles, barrier) = start_producers(
        producers,
        total,
        lines,
        || printer.sender(),
        |tx: &mut reflow::Sender, line| tx.line(line).expect("printer running"),
    );
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("producer");
    }
    // Every sender is gone: the printer drains the queue and stops.
    let stopped = printer.join().expect("printer");
    let elapsed = start.elapsed();
    assert_eq!(stopped.lines, total, "reflow processed every line");
    elapsed
}

/// A sink that counts the bytes it is handed, so the bench knows when the
/// tracing-appender worker has written everything.
struct Counting(Arc<AtomicU64>);

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// One run through tracing-appender's lossless `non_blocking`: from
/// releasing the producers until its worker has written every line.
fn run_tracing(producers: usize, total: usize, lines_nl: &Arc<Vec<Vec<u8>>>) -> Duration {
    let written = Arc::new(AtomicU64::new(0));
    let expected: u64 = (0..producers)
        .flat_map(|p| share(total, producers, p))
        .map(|i| lines_nl[i].len() as u64)
        .sum();
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .finish(Counting(Arc::clone(&written)));
    let (handles, barrier) = start_producers(
        producers,
        total,
        lines_nl,
        || writer.clone(),
        |w: &mut tracing_appender::non_blocking::NonBlocking, line| {
            w.write_all(line).expect("lossless writer")
        },
    );
    drop(writer);
    barrier.wait();
    let start = Instant::now();
    for h in handles {
        h.join().expect("producer");
    }
    // Queues a shutdown behind the lines, then waits (at most 1 s) for the
    // worker to reach it.
    drop(guard);
    if written.load(Ordering::Acquire) < expected {
        GUARD_EARLY.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + Duration::from_secs(30);
        while written.load(Ordering::Acquire) < expected {
            assert!(Instant::now() < deadline, "tracing-appender lost lines");
            thread::yield_now();
        }
    }
    let elapsed = start.elapsed();
    assert_eq!(written.load(Ordering::Acquire), expected);
    elapsed
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let bench = benchmarking();
    let total = if bench { LINES } else { LINES_IN_TEST };
    let lines = Arc::new(pool());
    let lines_nl: Arc<Vec<Vec<u8>>> = Arc::new(
        lines
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.push(b'\n');
                l
            })
            .collect(),
    );
    let mean_len = lines.iter().map(Vec::len).sum::<usize>() as f64 / lines.len() as f64;

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    {
        let mut group = criterion.benchmark_group(format!("throughput_{total}_lines"));
        group.throughput(Throughput::Elements(total as u64));
        // Runs of 0.1 s and more: the same number of runs per sample.
        group.sampling_mode(SamplingMode::Flat);
        for producers in PRODUCERS {
            group.bench_function(BenchmarkId::new("reflow", producers), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| run_reflow(producers, total, &lines))
                        .sum()
                });
            });
            group.bench_function(BenchmarkId::new("tracing_appender", producers), |b| {
                b.iter_custom(|iters| {
                    (0..iters)
                        .map(|_| run_tracing(producers, total, &lines_nl))
                        .sum()
                });
            });
        }
        group.finish();
    }
    criterion.final_summary();

    if !bench {
        black_box(run_reflow(4, total, &lines));
        black_box(run_tracing(4, total, &lines_nl));
        return;
    }
    if profiling() {
        return;
    }

    // The ratios, measured here so they can be read without parsing
    // criterion's output: runs interleaved, so drift in the machine's load
    // hits both alike; the median and the best run of each.
    const ROUNDS: usize = 11;
    let runs = total;
    println!();
    println!(
        "throughput: {runs} lines of {mean_len:.1} bytes per run, {ROUNDS} interleaved runs each"
    );
    println!(
        "{:>9}  {:>22}  {:>22}  {:>13}  {:>6}  verdict",
        "producers", "reflow lines/s", "tracing lines/s", "ratio", "goal"
    );
    println!(
        "{:>9}  {:>10} {:>11}  {:>10} {:>11}  {:>6} {:>6}",
        "", "median", "best", "median", "best", "median", "best"
    );
    let mut summary = Vec::new();
    for producers in PRODUCERS {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            ours.push(runs as f64 / run_reflow(producers, runs, &lines).as_secs_f64());
            theirs.push(runs as f64 / run_tracing(producers, runs, &lines_nl).as_secs_f64());
        }
        let best = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
        let (best_ours, best_theirs) = (best(&ours), best(&theirs));
        let (ours, theirs) = (median(ours), median(theirs));
        let ratio = ours / theirs;
        let ratio_best = best_ours / best_theirs;
        println!(
            "{producers:>9}  {ours:>10.0} {best_ours:>11.0}  {theirs:>10.0} {best_theirs:>11.0}  \
             {ratio:>6.3} {ratio_best:>6.3}  {:>6}  {}",
            ">= 1",
            if ratio >= 1.0 { "PASS" } else { "FAIL" }
        );
        summary.push((producers, ratio));
    }
    for (producers, ratio) in summary {
        println!("THROUGHPUT RATIO reflow/tracing-appender, {producers} producer(s): {ratio:.3}");
    }
    let early = GUARD_EARLY.load(Ordering::Relaxed);
    if early > 0 {
        println!(
            "note: in {early} tracing-appender run(s) WorkerGuard's drop returned before every \
             line was written (its 1 s flush timeout); the clock waited for the rest"
        );
    }
}
