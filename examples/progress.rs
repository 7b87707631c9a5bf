//! A tool that logs while two progress bars run below its records:
//! indicatif drawn in reflow's live region. Resize the window while it
//! runs; the bars' last state stays after the exit.
//!
//! `cargo run --example progress --features indicatif`

use std::thread;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

fn main() {
    reflow::env_logger::Builder::from_default_env()
        .filter_level(log::LevelFilter::Info)
        .init();
    let bars = MultiProgress::with_draw_target(reflow::indicatif::draw_target());
    let style = ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos:>3}/{len} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let workers: Vec<_> = [("fetching", 120u64, 25u64), ("indexing", 80, 40)]
        .into_iter()
        .map(|(name, len, ms)| {
            let bar = bars.add(ProgressBar::new(len));
            bar.set_style(style.clone());
            bar.set_prefix(name);
            thread::spawn(move || {
                for i in 0..len {
                    if i % 10 == 0 {
                        log::info!(target: name, "{name}: item {i} of {len}, a record long enough to be wrapped on a narrow window");
                    }
                    bar.inc(1);
                    thread::sleep(Duration::from_millis(ms));
                }
                bar.finish_with_message("done");
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    log::warn!("all done");
}
