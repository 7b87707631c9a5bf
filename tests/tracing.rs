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
fn a_multi_line_event_keeps_its_bytes_in_a_file_and_hangs_its_rows_on_a_display() {
    // Into a file: the bytes as tracing wrote them, nothing added.
    let (printer, subscriber, out) = plain_subscriber();
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(target: TARGET, "first\n    second\n\nafter a blank line");
    });
    assert_eq!(printer.join().unwrap().lines, 4);
    assert_eq!(
        out.text(),
        " WARN tracing: first\n    second\n\nafter a blank line\n"
    );
    // On a display: the first line's rows hang under the message, a
    // further line's under its own text.
    let screen = Capture::default();
    let printer = Printer::builder()
        .viewport(reflow::Viewport::Inline)
        .draw_into(screen.clone(), 30, 10)
        .spawn()
        .unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(printer.sender())
        .with_ansi(false)
        .without_time()
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::warn!(
            target: TARGET,
            "one two three four five six\n    seven eight nine ten eleven"
        );
    });
    printer.join().unwrap();
    let mut model = vt100::Parser::new(10.try_into().unwrap(), 30.try_into().unwrap(), 0);
    model.process(&screen.bytes());
    let rows: Vec<String> = model
        .screen()
        .rows(0, 30)
        .map(|r| r.trim_end().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    assert_eq!(
        rows,
        [
            " WARN tracing: one two three",
            "               four five six",
            "    seven eight nine ten",
            "    eleven",
        ]
    );
}

#[test]
#[ignore = "a host run by the_one_line_setup_draws_on_a_terminal_and_writes_plain_bytes_to_a_pipe"]
fn host_sets_up_tracing_in_one_line() {
    reflow::tracing::init();
    for i in 0..100 {
        tracing::info!(target: TARGET, i, "event");
    }
    tracing::warn!(target: TARGET, "the last one");
}

#[test]
fn the_one_line_setup_draws_on_a_terminal_and_writes_plain_bytes_to_a_pipe() {
    use crate::support::*;
    // A terminal: every event, drawn inline, there after the exit.
    let pty = run_host(host_name!(host_sets_up_tracing_in_one_line), 80, 24, &[]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    assert!(!contains(&pty.raw_output(), ALT_ON));
    assert!(pty.screen_text().contains("WARN tracing: the last one"));
    // Each event printed once, into the scrollback.
    assert_eq!(count(&pty.raw_output(), b"event"), 100);
    // A pipe: tracing's own bytes, every event, no escape.
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "tracing::host_sets_up_tracing_in_one_line",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(log.matches(" INFO tracing: event i=").count(), 100, "{log}");
    assert!(log.contains(" WARN tracing: the last one\n"), "{log}");
    assert!(!log.contains('\x1b'), "{log:?}");
}

#[test]
#[ignore = "a host run by a_hosts_own_subscriber_draws_through_the_writer_on_a_terminal_and_writes_tracings_bytes_to_a_file"]
fn host_keeps_its_own_subscriber() {
    // A tool's own setup, as mdbook's: its `.with_writer(std::io::stderr)`
    // is the line that changed.
    tracing_subscriber::fmt()
        .without_time()
        .with_ansi(reflow::tracing::ansi())
        .with_writer(reflow::tracing::writer())
        .with_target(false)
        .with_max_level(tracing::Level::DEBUG)
        .init();
    // No target, so no ": " before the message.
    tracing::info!("one two three four five six seven eight nine ten eleven twelve");
    println!("the host's own line");
    tracing::debug!(n = 2, "second");
    // Until the test has looked at the display.
    let _ = std::io::stdin().read_line(&mut String::new());
    tracing::warn!("the last one");
}

/// True when `rows` are rows of `screen`, one after the other.
fn has_rows(screen: &vt100::Screen, rows: &[&str]) -> bool {
    let (_, cols) = screen.size();
    let lines: Vec<String> = screen
        .rows(0, cols.get())
        .map(|r| r.trim_end().to_owned())
        .collect();
    lines.windows(rows.len()).any(|w| w == rows)
}

#[test]
fn a_hosts_own_subscriber_draws_through_the_writer_on_a_terminal_and_writes_tracings_bytes_to_a_file()
 {
    use crate::support::*;
    let name = host_name!(host_keeps_its_own_subscriber);
    let pty = run_host(name, 40, 10, &[]);
    // " INFO " is 6 columns: the message's rows hang there.
    let want_40 = [
        " INFO one two three four five six seven",
        "      eight nine ten eleven twelve",
    ];
    pty.wait_for("the event at 40 columns", TIMEOUT, |s| {
        has_rows(s, &want_40)
    })
    .unwrap();
    pty.resize(30, 10);
    let want_30 = [
        " INFO one two three four five",
        "      six seven eight nine ten",
        "      eleven twelve",
    ];
    pty.wait_for("the event reflowed at 30 columns", TIMEOUT, |s| {
        has_rows(s, &want_30) && s.contents().matches("one two").count() == 1
    })
    .unwrap();
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    assert!(!contains(&pty.raw_output(), ALT_ON));
    // Everything, once, in the order it was written, the host's own line
    // among the events.
    let rows = pty.all_rows().join("\n");
    let at = |text: &str| {
        assert_eq!(rows.matches(text).count(), 1, "{text:?}:\n{rows}");
        rows.find(text).unwrap()
    };
    assert!(at(" INFO one two three") < at("the host's own line"));
    assert!(at("the host's own line") < at("DEBUG second n=2"));
    assert!(at("DEBUG second n=2") < at(" WARN the last one"));
    // Into a file: stderr itself, tracing's bytes exactly, no colour.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", name, "--test-threads=1"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&path).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        " INFO one two three four five six seven eight nine ten eleven twelve\n\
         DEBUG second n=2\n \
         WARN the last one\n"
    );
}
