//! A small command-line tool with reflow as its logger: a few worker
//! threads log at every level through the `log` macros while they "work",
//! and the tool prints its one-line result on stdout at the end.
//!
//! ```sh
//! cargo run --example logger                      # errors and warnings... as RUST_LOG says
//! RUST_LOG=debug cargo run --example logger       # everything but trace
//! RUST_LOG=debug cargo run --example logger > result.txt   # the log stays on the terminal
//! ```

use std::thread;
use std::time::Duration;

use clap::Parser;
use log::{debug, error, info, trace, warn};

/// Counts to a number in several worker threads, logging as it goes.
#[derive(Debug, Parser)]
struct Args {
    /// Worker threads.
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// Steps each worker takes.
    #[arg(long, default_value_t = 20)]
    steps: u64,
    /// Pause between steps, in milliseconds.
    #[arg(long, default_value_t = 50)]
    step_ms: u64,
}

fn main() {
    // The one line that replaces `env_logger::init()`, first, where tools
    // put it: `--help` and usage errors (which end the process) still
    // leave the terminal as it was, their text on it.
    reflow::init();
    let args = Args::parse();
    info!("starting {} workers of {} steps", args.workers, args.steps);
    let workers: Vec<_> = (0..args.workers)
        .map(|w| {
            let (steps, pause) = (args.steps, Duration::from_millis(args.step_ms));
            thread::spawn(move || {
                let mut sum = 0;
                for step in 1..=steps {
                    sum += step;
                    trace!("worker {w}: step {step}");
                    debug!("worker {w}: sum so far {sum}");
                    if step % 7 == 0 {
                        warn!("worker {w}: step {step} was slow\nretried once, fine now");
                    }
                    thread::sleep(pause);
                }
                if w == 0 {
                    error!("worker {w}: pretend something failed (it did not)");
                }
                info!("worker {w} done: {sum}");
                sum
            })
        })
        .collect();
    let total: u64 = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
    info!("all workers done");
    // The result, on stdout, after the records (on a terminal reflow takes
    // it in order with them); at the exit every record is printed and the
    // terminal given back.
    println!("total {total}");
}
