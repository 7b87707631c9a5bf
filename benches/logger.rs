//! The logger against `env_logger`, side by side in one run: the time a
//! calling thread spends per `info!` record and records per second end to
//! end, both loggers writing to the same kind of destination: a file as
//! stderr, so neither draws on a terminal. There reflow, as env_logger,
//! writes each record on the calling thread and starts no thread (issue
//! 18), so the goal for both is never slower than env_logger: caller time
//! at most 1.0x, records/s at least 1.0x. (Issue 9's 0.5x caller time was
//! that of a printer thread taking the writes; a host then pays for the
//! thread in its own allocations.)
//!
//! `cargo bench --bench logger`. Each measurement is a child process (a
//! process has one logger), run interleaved, 5 rounds, medians.

use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Records per run, split between the threads.
const RECORDS: usize = 200_000;
const ROUNDS: usize = 5;

fn main() {
    if let Ok(which) = std::env::var("REFLOW_BENCH_LOGGER") {
        let threads = std::env::var("REFLOW_BENCH_THREADS")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(1);
        child(&which, threads);
        return;
    }
    if std::env::args().any(|a| a == "--bench") || std::env::args().len() == 1 {
        parent();
    }
}

/// One run: log `RECORDS` records from `threads` threads and print the
/// caller's time per record and the end-to-end time.
fn child(which: &str, threads: usize) {
    let guard = match which {
        "reflow" => Some(
            reflow::Logger::builder()
                .filter_level(log::LevelFilter::Info)
                .try_init()
                .expect("reflow logger"),
        ),
        _ => {
            env_logger::Builder::new()
                .filter_level(log::LevelFilter::Info)
                .init();
            None
        }
    };
    let start = Instant::now();
    if threads == 0 {
        // A single-threaded host, as most tools are, that allocates a few
        // small buffers per record: a second thread anywhere in the
        // process would take glibc's malloc off its fast path.
        let mut spent = Duration::ZERO;
        let mut kept = 0;
        for i in 0..RECORDS {
            let name = format!("request-{i}");
            let parts: Vec<String> = (0..3).map(|p| format!("{name}/{p}")).collect();
            let before = Instant::now();
            log::info!("main handled {} in {} us", parts[2], i % 997);
            spent += before.elapsed();
            kept += parts.len();
        }
        if let Some(guard) = guard {
            guard.stop();
        }
        log::logger().flush();
        let total = start.elapsed();
        assert_eq!(kept, RECORDS * 3);
        println!(
            "{} {}",
            spent.as_nanos() / RECORDS as u128,
            total.as_secs_f64()
        );
        return;
    }
    let callers: Vec<_> = (0..threads)
        .map(|t| {
            thread::spawn(move || {
                let mut spent = Duration::ZERO;
                for i in 0..RECORDS / threads {
                    let before = Instant::now();
                    log::info!("thread {t} handled request {i} in {} us", i % 997);
                    spent += before.elapsed();
                }
                spent
            })
        })
        .collect();
    let spent: Duration = callers.into_iter().map(|c| c.join().expect("caller")).sum();
    // Every record written (a printer, if any, drained and stopped).
    if let Some(guard) = guard {
        guard.stop();
    }
    log::logger().flush();
    let total = start.elapsed();
    println!(
        "{} {}",
        spent.as_nanos() / RECORDS as u128,
        total.as_secs_f64()
    );
}

/// Runs the children and prints the table.
fn parent() {
    let exe = std::env::current_exe().expect("current_exe");
    let dir = std::env::temp_dir().join(format!("reflow-bench-logger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    println!(
        "logger: {RECORDS} info! records per run to a file (stderr), {ROUNDS} interleaved rounds, medians"
    );
    println!(
        "{:>8} {:>22} {:>22} {:>8} {:>6} {:>22} {:>22} {:>8} {:>6}",
        "threads",
        "reflow ns/record",
        "env_logger ns/record",
        "ratio",
        "goal",
        "reflow records/s",
        "env_logger records/s",
        "ratio",
        "goal"
    );
    // 0: records from the main thread of a single-threaded host.
    for threads in [0, 1, 4] {
        let mut runs: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..ROUNDS {
            for (k, which) in ["reflow", "env_logger"].iter().enumerate() {
                let log = dir.join(format!("{which}.log"));
                let file = std::fs::File::create(&log).expect("log file");
                let out = Command::new(&exe)
                    .env("REFLOW_BENCH_LOGGER", which)
                    .env("REFLOW_BENCH_THREADS", threads.to_string())
                    .env_remove("RUST_LOG")
                    .stderr(Stdio::from(file))
                    .output()
                    .expect("child runs");
                let text = String::from_utf8_lossy(&out.stdout);
                let mut fields = text.split_whitespace();
                let ns: f64 = fields
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
                let secs: f64 = fields
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(f64::NAN);
                let lines = std::fs::read_to_string(&log).map_or(0, |t| t.lines().count());
                assert_eq!(lines, RECORDS, "{which}: every record written");
                runs[k].push((ns, RECORDS as f64 / secs));
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let mut ns: Vec<Vec<f64>> = runs
            .iter()
            .map(|r| r.iter().map(|p| p.0).collect())
            .collect();
        let mut rate: Vec<Vec<f64>> = runs
            .iter()
            .map(|r| r.iter().map(|p| p.1).collect())
            .collect();
        let (ns_r, ns_e) = (median(&mut ns[0]), median(&mut ns[1]));
        let (rate_r, rate_e) = (median(&mut rate[0]), median(&mut rate[1]));
        let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
        println!(
            "{threads:>8} {ns_r:>22.0} {ns_e:>22.0} {:>8.3} {:>6} {rate_r:>22.0} {rate_e:>22.0} {:>8.3} {:>6}",
            ns_r / ns_e,
            verdict(ns_r / ns_e <= 1.0),
            rate_r / rate_e,
            verdict(rate_r >= rate_e),
        );
        println!(
            "LOGGER RATIO caller time, {threads} thread(s): {:.3}",
            ns_r / ns_e
        );
        println!(
            "LOGGER RATIO records/s, {threads} thread(s): {:.3}",
            rate_r / rate_e
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
