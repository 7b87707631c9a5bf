//! The `tracing` feature: a `Sender` as a subscriber's writer.

use std::thread;

use reflow::Printer;

use crate::support::{Capture, example_path};

/// The target the events of a test binary of its own named `tracing` had
/// (this module's path is `integration::tracing`).
const TARGET: &str = "tracing";

/// A printer writing plain lines into a buffer, and a `fmt` subscriber
/// writing through it (no colour, no time, so lines can be compared).
fn plain_subscriber() -> (Printer, impl tracing::Subscriber + Send + Sync, Capture) {
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(printer.sender())
        .with_ansi(false)
        .without_time()
        .finish();
    (printer, subscriber, out)
}

#[test]
fn events_from_many_threads_arrive_whole() {
    let (printer, subscriber, out) = plain_subscriber();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    thread::scope(|s| {
        for w in 0..8 {
            s.spawn(move || {
                for i in 0..200 {
                    tracing::info!(target: TARGET, worker = w, step = i, "working hard");
                }
            });
        }
    });
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 1600);
    let text = out.text();
    for line in text.lines() {
        // Each line one whole event: level, message, both fields.
        assert!(
            line.starts_with(" INFO tracing: working hard worker="),
            "{line:?}"
        );
        assert!(line.contains(" step="), "{line:?}");
    }
    for w in 0..8 {
        let mine = text.matches(&format!("worker={w} ")).count();
        assert_eq!(mine, 200, "worker {w}");
    }
}

#[test]
fn the_tracing_example_runs_and_exits_0() {
    let out = std::process::Command::new(example_path("tracing"))
        .output()
        .expect("the example runs (cargo test --all-features builds it)");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"ok\n");
    let log = String::from_utf8(out.stderr).unwrap();
    assert_eq!(log.matches("done").count(), 4, "{log}");
}

#[test]
fn a_multi_line_event_is_one_record_indented_under_its_message() {
    let (printer, subscriber, out) = plain_subscriber();
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(target: TARGET, "first\nsecond");
    });
    assert_eq!(printer.join().unwrap().lines, 2);
    let text = out.text();
    let head = " WARN tracing: ";
    assert_eq!(
        text,
        format!("{head}first\n{}second\n", " ".repeat(head.len()))
    );
}
