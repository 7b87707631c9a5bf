//! The classic demo: a line that grows by one number every half second,
//! wrapping onto more and more rows. Resize the window and watch the whole
//! history reflow. It ends by sending the sentinel line, then joins.
//!
//! ```text
//! cargo run --release --example counting -- --interval-ms 100 --count 50
//! ```

use std::io::{self, IsTerminal};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use clap::Parser;

/// The line that tells the printer to stop; it is not shown.
const SENTINEL: &str = "!@#EXIT#@!";

/// Send "", "1", "1 2", … "1 2 … COUNT" to a reflow printer.
#[derive(Debug, Parser)]
struct Args {
    /// Milliseconds between lines.
    #[arg(long, default_value_t = 500)]
    interval_ms: u64,
    /// The last number counted to.
    #[arg(long, default_value_t = 98)]
    count: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let printer = match reflow::Printer::builder()
        .sentinel(SENTINEL)
        .source("counting")
        // The demo owns its terminal: q and Ctrl-C work when there is one.
        .interactive(io::stdout().is_terminal())
        .spawn()
    {
        Ok(printer) => printer,
        Err(e) => {
            eprintln!("counting: {e}");
            return ExitCode::FAILURE;
        }
    };
    let tx = printer.sender();
    let mut line = String::new();
    for n in 0..=args.count {
        if n > 0 {
            if n > 1 {
                line.push(' ');
            }
            line.push_str(&n.to_string());
        }
        // An error means the printer stopped (the user quit): stop counting.
        if tx.line(&line).is_err() {
            break;
        }
        if n < args.count {
            thread::sleep(Duration::from_millis(args.interval_ms));
        }
    }
    let _ = tx.line(SENTINEL);
    drop(tx);
    match printer.join() {
        Ok(stopped) => ExitCode::from(stopped.reason.exit_code()),
        Err(e) => {
            eprintln!("counting: {e}");
            ExitCode::FAILURE
        }
    }
}
