//! reflow as the writer of a `tracing` subscriber (cargo feature
//! `tracing`):
//!
//! ```sh
//! cargo run --example tracing --features tracing
//! ```

use std::thread;
use std::time::Duration;

use reflow::{OnExit, Printer, Target};

fn main() -> std::io::Result<()> {
    // On stderr, like a logger; the whole log stays on screen at the end.
    let printer = Printer::builder()
        .target(Target::Stderr)
        .on_exit(OnExit::All)
        .spawn()?;
    tracing_subscriber::fmt()
        .with_writer(printer.sender())
        // Colour only where the display draws it.
        .with_ansi(reflow::draws_on(Target::Stderr))
        .with_max_level(tracing::Level::DEBUG)
        .init();
    let workers: Vec<_> = (0..3)
        .map(|w| {
            thread::spawn(move || {
                for step in 0..10 {
                    tracing::debug!(worker = w, step, "working");
                    thread::sleep(Duration::from_millis(30));
                }
                tracing::info!(worker = w, "done");
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    tracing::warn!("all done");
    printer.join()?;
    println!("ok");
    Ok(())
}
