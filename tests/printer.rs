//! Stop semantics of the library, through a plain writer: what is queued
//! before a stop is kept, the sentinel is not, every way of stopping
//! gives its reason, and dropping a printer whose output is stuck returns
//! within its bound.

use std::io::{self, Write};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender as Gate};
use reflow::{Closed, Printer, StopReason, TrySendError};

use crate::support::{Capture, TIMEOUT};

/// A writer that holds the printer thread in its first write until the
/// test opens the gate: the only way to fill the channel deterministically.
struct Gated {
    gate: Option<Receiver<()>>,
    out: Capture,
}

impl Write for Gated {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(gate) = self.gate.take() {
            let _ = gate.recv();
        }
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn gated() -> (Gated, Gate<()>, Capture) {
    let (open, gate) = crossbeam_channel::bounded(1);
    let out = Capture::default();
    (
        Gated {
            gate: Some(gate),
            out: out.clone(),
        },
        open,
        out,
    )
}

/// A printer with `sentinel`, writing to a buffer the test reads back.
fn with_sentinel(sentinel: &str) -> (Printer, reflow::Sender, Capture) {
    let out = Capture::default();
    let printer = Printer::builder()
        .sentinel(sentinel)
        .output(out.clone())
        .spawn()
        .unwrap();
    let tx = printer.sender();
    (printer, tx, out)
}

fn numbered(n: usize) -> String {
    (0..n).map(|i| format!("line {i}\n")).collect()
}

#[test]
fn lines_queued_before_a_shutdown_are_all_kept() {
    let (writer, open, out) = gated();
    let printer = Printer::builder()
        .capacity(1 << 20)
        .output(writer)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    for i in 0..1000 {
        tx.line(format!("line {i}")).unwrap();
    }
    tx.shutdown();
    // Everything above is queued while the printer is held.
    open.send(()).unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert_eq!(stopped.lines, 1000);
    assert_eq!(out.text(), numbered(1000));
}

#[test]
fn the_sentinel_stops_and_is_not_kept() {
    let (printer, tx, out) = with_sentinel("!@#EXIT#@!");
    tx.line("before").unwrap();
    tx.line("!@#EXIT#@!").unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Sentinel);
    assert_eq!(stopped.lines, 1);
    assert_eq!(out.text(), "before\n");
    assert_eq!(tx.line("after"), Err(Closed));
}

#[test]
fn a_sentinel_inside_a_block_cuts_the_block() {
    let (printer, tx, out) = with_sentinel("STOP");
    tx.lines(b"a\nb\nSTOP\nnever\n").unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Sentinel);
    assert_eq!(out.text(), "a\nb\n");
}

#[test]
fn a_line_that_only_contains_the_sentinel_text_is_kept() {
    let (printer, tx, out) = with_sentinel("STOP");
    tx.line("STOP now").unwrap();
    tx.line("x\nSTOP").unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Sentinel);
    assert_eq!(out.text(), "STOP now\nx\n");
}

/// Each producer's lines arrive whole and in its own order.
fn assert_in_order(text: &str, producers: usize, each: usize) {
    for p in 0..producers {
        let mine: Vec<_> = text
            .lines()
            .filter(|l| l.starts_with(&format!("{p}:")))
            .collect();
        let want: Vec<_> = (0..each).map(|i| format!("{p}:{i}")).collect();
        assert_eq!(mine, want, "producer {p}");
    }
}

#[test]
fn workers_taking_their_own_senders_then_a_late_summary_lose_nothing() {
    let (printer, _, out) = with_sentinel("!@#EXIT#@!");
    thread::scope(|s| {
        for p in 0..8 {
            let printer = &printer;
            s.spawn(move || {
                // Each worker takes its own sender and drops it when done:
                // the printer must outlive every one of them.
                let tx = printer.sender();
                for i in 0..500 {
                    tx.line(format!("{p}:{i}")).unwrap();
                }
            });
        }
    });
    // Every worker's sender is gone; a new one still works.
    let tx = printer.sender();
    tx.line("summary").unwrap();
    tx.line("!@#EXIT#@!").unwrap();
    let stopped = printer.wait().unwrap();
    assert_eq!(stopped.reason, StopReason::Sentinel);
    assert_eq!(stopped.lines, 4001);
    let text = out.text();
    assert_in_order(&text, 8, 500);
    assert!(text.ends_with("summary\n"), "{}", &text[text.len() - 20..]);
}

#[test]
fn a_sender_used_as_a_temporary_does_not_stop_the_printer() {
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    for i in 0..100 {
        printer.sender().line(format!("t{i}")).unwrap();
    }
    assert!(!printer.sender().is_closed());
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert_eq!(stopped.lines, 100);
    assert_eq!(out.text().lines().last(), Some("t99"));
}

#[test]
fn join_stops_the_printer_even_while_a_sender_lives() {
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    let tx = printer.sender();
    tx.line("kept").unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert_eq!(out.text(), "kept\n");
    assert!(tx.is_closed());
    assert_eq!(tx.line("late"), Err(Closed));
}

#[test]
fn a_shutdown_from_any_thread_ends_a_wait() {
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    let tx = printer.sender();
    let producer = thread::spawn(move || {
        for i in 0..1000 {
            tx.line(format!("0:{i}")).unwrap();
        }
        tx.shutdown();
        tx
    });
    let stopped = printer.wait().unwrap();
    let tx = producer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert_eq!(stopped.lines, 1000);
    assert_in_order(&out.text(), 1, 1000);
    assert_eq!(tx.line("after"), Err(Closed));
}

#[test]
fn many_producers_through_the_public_line_keep_every_line_in_order() {
    let (writer, open, out) = gated();
    // A small queue, and a printer held in its first write: producers must
    // wait (backpressure), and none of their lines may be lost.
    let printer = Printer::builder()
        .capacity(256)
        .output(writer)
        .spawn()
        .unwrap();
    let producers: Vec<_> = (0..8)
        .map(|p| {
            let tx = printer.sender();
            thread::spawn(move || {
                for i in 0..2000 {
                    tx.line(format!("{p}:{i}")).unwrap();
                }
            })
        })
        .collect();
    open.send(()).unwrap();
    for producer in producers {
        producer.join().unwrap();
    }
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 16_000);
    assert_in_order(&out.text(), 8, 2000);
}

#[test]
fn control_calls_never_wait_for_room_and_join_timeout_gives_up() {
    let (writer, _gate_never_opened, out) = gated();
    let printer = Printer::builder()
        .capacity(1)
        .output(writer)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    // Bigger than the output buffer: the printer blocks in its first write.
    tx.line("x".repeat(100_000)).unwrap();
    while tx.try_line("queued").is_err() {
        thread::yield_now();
    }
    // The queue is full and the printer stuck: none of these may block.
    assert!(matches!(tx.try_line("more"), Err(TrySendError::Full(_))));
    tx.end_of_input().unwrap();
    tx.shutdown();
    assert!(tx.is_closed());
    drop(tx.clone());
    let error = printer
        .join_timeout(std::time::Duration::from_millis(200))
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    assert!(out.text().is_empty());
}

#[test]
fn dropping_the_printer_stops_it_and_keeps_queued_lines() {
    let (writer, open, out) = gated();
    let printer = Printer::builder().output(writer).spawn().unwrap();
    let tx = printer.sender();
    tx.line("one").unwrap();
    tx.line("two").unwrap();
    // The gate opens only once the drop has begun (it asks for the stop
    // first): the drop must then wait for both lines to be written.
    let opener = {
        let tx = tx.clone();
        thread::spawn(move || {
            while !tx.is_closed() {
                thread::yield_now();
            }
            open.send(()).unwrap();
        })
    };
    drop(printer);
    assert_eq!(out.text(), "one\ntwo\n");
    assert_eq!(tx.line("three"), Err(Closed));
    opener.join().unwrap();
}

#[test]
fn try_line_hands_the_line_back_when_full() {
    let (writer, open, out) = gated();
    let printer = Printer::builder()
        .capacity(1)
        .output(writer)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    // The printer takes "first" and blocks writing it (it is longer than
    // the output buffer, so it goes straight to the writer); "second"
    // fills the queue of one.
    let first = "f".repeat(70_000);
    tx.line(&first).unwrap();
    let mut second = tx.try_line("second");
    while second.is_err() {
        // Until the printer has taken "first" off the queue.
        assert_eq!(second, Err(TrySendError::Full("second")));
        thread::yield_now();
        second = tx.try_line("second");
    }
    assert_eq!(tx.try_line("third"), Err(TrySendError::Full("third")));
    open.send(()).unwrap();
    tx.line("third").unwrap();
    tx.shutdown();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 3);
    assert_eq!(out.text(), format!("{first}\nsecond\nthird\n"));
    assert_eq!(tx.try_line("late"), Err(TrySendError::Closed("late")));
}

#[test]
fn end_of_input_stops_only_when_asked_to() {
    let out = Capture::default();
    let printer = Printer::builder()
        .exit_on_eof(true)
        .output(out.clone())
        .spawn()
        .unwrap();
    let tx = printer.sender();
    tx.line("x").unwrap();
    tx.end_of_input().unwrap();
    assert_eq!(printer.join().unwrap().reason, StopReason::EndOfInput);

    let printer = Printer::builder()
        .output(Capture::default())
        .spawn()
        .unwrap();
    let tx = printer.sender();
    tx.end_of_input().unwrap();
    tx.line("still running").unwrap();
    tx.shutdown();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, StopReason::Shutdown);
    assert_eq!(stopped.lines, 1);
}

#[test]
fn a_line_with_newlines_is_several_lines() {
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    let tx = printer.sender();
    tx.line("a\nb\n").unwrap();
    tx.line("").unwrap();
    tx.line(b"raw \xff bytes").unwrap();
    tx.shutdown();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 4);
    assert_eq!(out.bytes(), b"a\nb\n\nraw \xff bytes\n");
}

#[test]
fn a_closed_output_stops_the_printer_cleanly() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }
    let printer = Printer::builder().output(Broken).spawn().unwrap();
    let tx = printer.sender();
    // Lines fill the 64 KiB buffer until a write reaches the writer.
    let mut sent = 0;
    while tx.line("x".repeat(1000)).is_ok() {
        sent += 1;
        assert!(
            sent < 1_000_000,
            "the printer never noticed the broken pipe"
        );
    }
    assert_eq!(printer.join().unwrap().reason, StopReason::OutputClosed);
}

#[test]
fn a_panic_in_the_printer_thread_is_an_error_and_senders_are_told() {
    struct Explodes;
    impl Write for Explodes {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            panic!("the output exploded");
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let printer = Printer::builder()
        .capacity(64)
        .output(Explodes)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    // The printer dies writing the first batch; from then on every send
    // fails (none waits forever on a full queue nobody drains).
    let mut sent = 0;
    while tx.line("x".repeat(100)).is_ok() {
        sent += 1;
        assert!(
            sent < 1_000_000,
            "sends kept succeeding after the printer died"
        );
    }
    assert_eq!(tx.line("late"), Err(Closed));
    let error = printer.join().unwrap_err();
    assert!(error.to_string().contains("panicked"), "{error}");
}

#[test]
fn save_keeps_every_byte_however_the_printer_stops() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: &[u8] = b"esc \x1b]52;c;eA==\x07 \x1b[31mred\r\nnul \0 bad \xff\xfe\ncr\r\n";
    type Stop = fn(Printer, reflow::Sender);
    // (how it stops, the file it saves)
    let ways: [(&str, Stop); 4] = [
        ("join", |p, _| {
            p.join().unwrap();
        }),
        ("drop", |p, _| drop(p)),
        ("shutdown", |p, tx| {
            tx.shutdown();
            p.wait().unwrap();
        }),
        ("sentinel", |p, tx| {
            tx.line("STOP").unwrap();
            p.wait().unwrap();
        }),
    ];
    for (way, stop) in ways {
        let path = dir.path().join(format!("{way}.log"));
        let printer = Printer::builder()
            .sentinel("STOP")
            .save(&path)
            .output(io::sink())
            .spawn()
            .unwrap();
        let tx = printer.sender();
        tx.lines(bytes).unwrap();
        stop(printer, tx);
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "stopped by {way}");
    }
    // Nothing but the saved files is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
}

#[test]
fn an_unwritable_save_path_is_an_error_from_spawn() {
    let error = Printer::builder()
        .save("/nonexistent-dir/saved.log")
        .output(io::sink())
        .spawn()
        .unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::NotFound);
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent-dir/saved.log: ")
    );
}

#[test]
fn a_stream_continues_its_line_and_other_lines_never_land_inside_it() {
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    let tx = printer.sender();
    tx.stream(b"a long ").unwrap();
    let other = {
        let tx = tx.clone();
        thread::spawn(move || tx.line("other"))
    };
    tx.stream(b"line\nnext ").unwrap();
    tx.stream(b"one\n").unwrap();
    other.join().unwrap().unwrap();
    tx.stream(b"left open").unwrap();
    let stopped = printer.join().unwrap();
    // The unfinished line counts, and is ended, at the stop.
    assert_eq!(stopped.lines, 4);
    let text = out.text();
    assert!(text.starts_with("a long line\nnext one\n"), "{text:?}");
    let mut lines: Vec<_> = text.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["a long line", "left open", "next one", "other"]);
}

/// Regressions found by the `line_framing` fuzz target.
#[test]
fn line_framing_regressions() {
    // A text ending in two newlines is a line and an empty line.
    let (printer, tx, out) = with_sentinel("STOP");
    tx.line("a\n\n").unwrap();
    tx.line("\n\n").unwrap();
    assert_eq!(printer.join().unwrap().lines, 4);
    assert_eq!(out.text(), "a\n\n\n\n");

    // The end of input ends a stream's unfinished line.
    let (printer, tx, out) = with_sentinel("STOP");
    tx.stream(b"a").unwrap();
    tx.end_of_input().unwrap();
    tx.line("b").unwrap();
    assert_eq!(printer.join().unwrap().lines, 2);
    assert_eq!(out.text(), "a\nb\n");

    // An empty sentinel used to match where no empty line was sent; it is
    // now refused (see `an_empty_sentinel_is_refused`).
}

/// Issue 12: `\r\n` ends a line like `\n`, so `STOP\r` is the sentinel
/// `STOP`, in every way of sending.
#[test]
fn the_sentinel_matches_with_or_without_its_carriage_return() {
    let (printer, tx, out) = with_sentinel("STOP");
    tx.line("a\r").unwrap();
    tx.line("STOP\r").unwrap();
    assert_eq!(printer.join().unwrap().reason, StopReason::Sentinel);
    assert_eq!(out.text(), "a\r\n");

    let (printer, tx, out) = with_sentinel("STOP");
    tx.lines(b"a\r\nSTOP \r\nSTOP\r\r\nb\r\nSTOP\r\nnever\r\n")
        .unwrap();
    assert_eq!(printer.join().unwrap().reason, StopReason::Sentinel);
    assert_eq!(out.text(), "a\r\nSTOP \r\nSTOP\r\r\nb\r\n");

    let (printer, tx, out) = with_sentinel("STOP");
    tx.stream(b"a\r\nST").unwrap();
    tx.stream(b"OP\r\n").unwrap();
    assert!(!tx.is_closed(), "a line begun in an earlier piece matched");
    tx.stream(b"STOP\r\nnever\r\n").unwrap();
    assert_eq!(printer.join().unwrap().reason, StopReason::Sentinel);
    assert_eq!(out.text(), "a\r\nSTOP\r\n");

    // A sentinel that itself ends in `\r` still matches itself.
    let (printer, tx, out) = with_sentinel("STOP\r");
    tx.lines(b"STOP\nSTOP\r\n").unwrap();
    assert_eq!(printer.join().unwrap().reason, StopReason::Sentinel);
    assert_eq!(out.text(), "STOP\n");
}

/// Issue 12: an empty sentinel would stop at the first empty line (or
/// after a block's final newline); `spawn` refuses it, before creating
/// anything.
#[test]
fn an_empty_sentinel_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    let refused = Printer::builder()
        .sentinel("")
        .save(&save)
        .output(Capture::default())
        .spawn();
    let Err(err) = refused else {
        panic!("an empty sentinel was accepted");
    };
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("sentinel"), "{err}");
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(made.is_empty(), "files were created: {made:?}");
}

#[test]
fn writing_through_a_shared_sender_never_mixes_unfinished_lines() {
    use std::io::Write as _;
    let out = Capture::default();
    let printer = Printer::builder().output(out.clone()).spawn().unwrap();
    let tx = printer.sender();
    thread::scope(|s| {
        for p in 0..8 {
            let tx = &tx;
            s.spawn(move || {
                let mut w = tx;
                for i in 0..500 {
                    // One line in three pieces, as a formatter writes it.
                    write!(w, "{p}:").unwrap();
                    w.flush().unwrap();
                    write!(w, "{i}").unwrap();
                    w.write_all(b"\n").unwrap();
                }
            });
        }
    });
    // A line still unfinished when the sender goes is sent as it is.
    let mut last = printer.sender();
    last.write_all(b"no newline").unwrap();
    drop(last);
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 4001);
    let text = out.text();
    assert!(text.ends_with("no newline\n"));
    assert_in_order(&text, 8, 500);
}

#[test]
fn a_lossy_sender_never_waits_and_counts_every_line_it_drops() {
    let (writer, open, out) = gated();
    let printer = Printer::builder()
        .capacity(1)
        .when_full(reflow::WhenFull::DropNewest)
        .output(writer)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    // Longer than the output buffer: the printer is held in its first write.
    tx.line("x".repeat(100_000)).unwrap();
    // Queued or dropped, depending on whether the printer took the queue.
    tx.line("queued").unwrap();
    for i in 0..1000 {
        // Never waits, never fails: the queue is full, the line dropped.
        tx.line(format!("dropped {i}\nand its second line"))
            .unwrap();
    }
    tx.lines(b"a\nb\nc\n").unwrap();
    open.send(()).unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines as u64 + stopped.dropped, 2 + 2000 + 3);
    assert!(stopped.dropped >= 1999, "{stopped:?}");
    assert_eq!(
        out.text().lines().count(),
        stopped.lines,
        "every line counted as shown was written"
    );
}

#[test]
fn the_display_can_be_drawn_into_a_buffer_and_read_back_through_a_terminal_model() {
    let out = Capture::default();
    let printer = Printer::builder()
        .draw_into(out.clone(), 30, 6)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    for i in 0..8 {
        tx.line(format!("line {i} with a few words")).unwrap();
    }
    printer.join().unwrap();
    let bytes = out.bytes();
    // As a terminal's line discipline would (ONLCR): the lines left on the
    // normal screen end in a bare newline.
    let bytes: Vec<u8> = bytes
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    let mut model = vt100::Parser::new(6.try_into().unwrap(), 30.try_into().unwrap(), 0);
    model.process(&bytes);
    let screen = model.screen();
    // The display came and went, and left its last screen (5 rows above
    // the status bar) on the normal screen.
    assert!(!screen.alternate_screen() && !screen.hide_cursor());
    let rows: Vec<String> = screen.rows(0, 30).take(5).collect();
    let want: Vec<String> = (3..8)
        .map(|i| format!("line {i} with a few words"))
        .collect();
    assert_eq!(rows, want);
}

/// The status bar of the display drawn into `out` so far (a vt100 model
/// fed every byte).
fn status_drawn(out: &Capture) -> String {
    let mut model = vt100::Parser::new(6.try_into().unwrap(), 40.try_into().unwrap(), 0);
    model.process(&out.bytes());
    model.screen().rows(0, 40).nth(5).unwrap_or_default()
}

#[test]
fn eof_is_shown_when_input_ends_and_not_once_more_lines_arrive() {
    let out = Capture::default();
    let printer = Printer::builder()
        .draw_into(out.clone(), 40, 6)
        .source("log")
        .spawn()
        .unwrap();
    let tx = printer.sender();
    tx.line("one").unwrap();
    tx.end_of_input().unwrap();
    tx.wait_drawn().unwrap();
    let status = status_drawn(&out);
    assert!(
        status.contains("1 line") && status.contains("EOF"),
        "{status:?}"
    );
    tx.line("two").unwrap();
    tx.wait_drawn().unwrap();
    let status = status_drawn(&out);
    assert!(status.contains("2 lines"), "{status:?}");
    assert!(!status.contains("EOF"), "{status:?}");
    printer.join().unwrap();
}

/// A writer that holds the first write of the word `alpha` until the test
/// opens the gate, and says when it holds it.
struct Held {
    reached: Gate<()>,
    gate: Option<Receiver<()>>,
    out: Capture,
}

impl Write for Held {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.windows(5).any(|w| w == b"alpha")
            && let Some(gate) = self.gate.take()
        {
            let _ = self.reached.send(());
            let _ = gate.recv();
        }
        self.out.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// [`Held`] writing into a buffer: the writer, its gate, the buffer, and
/// the channel that says a write is held.
fn held() -> (Held, Gate<()>, Capture, Receiver<()>) {
    let (open, gate) = crossbeam_channel::bounded(1);
    let (reached, reaching) = crossbeam_channel::bounded(1);
    let out = Capture::default();
    let writer = Held {
        reached,
        gate: Some(gate),
        out: out.clone(),
    };
    (writer, open, out, reaching)
}

/// Sends three lines through `printer`, whose output is held by `held`'s
/// gate, and asks from another thread to be told when they are drawn: the
/// answer waits for the gate, and then the bytes written hold the lines.
/// Returns those bytes.
fn drawn_once_the_output_takes_them(
    printer: &Printer,
    open: &Gate<()>,
    out: &Capture,
    reaching: &Receiver<()>,
) -> Vec<u8> {
    let tx = printer.sender();
    for line in ["alpha", "beta", "gamma"] {
        tx.line(line).unwrap();
    }
    let (told, telling) = crossbeam_channel::bounded(1);
    let waiter = thread::spawn({
        let out = out.clone();
        move || {
            let drawn = tx.wait_drawn();
            // What was written when the answer came.
            let _ = told.send((drawn, out.bytes()));
        }
    });
    reaching
        .recv_timeout(TIMEOUT)
        .expect("the lines are being written");
    // Not answered while the output takes nothing (how long this waits
    // only bounds how soon a wrong answer is caught).
    assert!(
        telling.recv_timeout(Duration::from_millis(200)).is_err(),
        "answered before the output took the lines"
    );
    open.send(()).unwrap();
    let (drawn, bytes) = telling.recv_timeout(TIMEOUT).expect("answered");
    assert_eq!(drawn, Ok(()));
    waiter.join().unwrap();
    bytes
}

#[test]
fn wait_drawn_answers_once_the_display_has_drawn_the_lines() {
    let (writer, open, out, reaching) = held();
    let printer = Printer::builder().draw_into(writer, 40, 6).spawn().unwrap();
    let bytes = drawn_once_the_output_takes_them(&printer, &open, &out, &reaching);
    let mut model = vt100::Parser::new(6.try_into().unwrap(), 40.try_into().unwrap(), 0);
    model.process(&bytes);
    let rows: Vec<String> = model.screen().rows(0, 40).take(5).collect();
    assert_eq!(rows, ["alpha", "beta", "gamma", "", ""]);
    printer.join().unwrap();
}

#[test]
fn wait_drawn_answers_once_passthrough_has_written_the_lines() {
    let (writer, open, out, reaching) = held();
    let printer = Printer::builder().output(writer).spawn().unwrap();
    let bytes = drawn_once_the_output_takes_them(&printer, &open, &out, &reaching);
    assert_eq!(String::from_utf8_lossy(&bytes), "alpha\nbeta\ngamma\n");
    printer.join().unwrap();
}

#[test]
fn wait_drawn_fails_once_the_printer_has_stopped() {
    let printer = Printer::builder()
        .output(Capture::default())
        .spawn()
        .unwrap();
    let tx = printer.sender();
    tx.line("one").unwrap();
    assert_eq!(tx.wait_drawn(), Ok(()));
    printer.join().unwrap();
    assert_eq!(tx.wait_drawn(), Err(Closed));
}

/// An output that never accepts a write: it blocks on a gate that is never
/// opened, after saying that the printer reached it.
struct Stuck {
    entered: Option<crossbeam_channel::Sender<()>>,
    gate: crossbeam_channel::Receiver<()>,
}

impl Write for Stuck {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(entered) = self.entered.take() {
            let _ = entered.send(());
        }
        // Returns only when the test is over and drops the gate.
        let _ = self.gate.recv();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn dropping_a_printer_whose_output_is_stuck_returns_within_its_bound() {
    let (entered_tx, entered) = crossbeam_channel::bounded(1);
    let (gate, gate_rx) = crossbeam_channel::bounded::<()>(0);
    let printer = Printer::builder()
        .output(Stuck {
            entered: Some(entered_tx),
            gate: gate_rx,
        })
        .spawn()
        .unwrap();
    printer.sender().line("this line never gets out").unwrap();
    entered
        .recv_timeout(TIMEOUT)
        .expect("the printer never tried to write");
    // The printer thread is now stuck in a write, for ever.
    let (done_tx, done) = crossbeam_channel::bounded(1);
    let dropper = std::thread::spawn(move || {
        let start = Instant::now();
        drop(printer);
        let _ = done_tx.send(start.elapsed());
    });
    let took = done
        .recv_timeout(Duration::from_secs(30))
        .expect("dropping the Printer hung for 30 s");
    dropper.join().unwrap();
    println!("drop returned after {took:?}");
    // The documented bound is five seconds.
    assert!(took < Duration::from_secs(7), "drop took {took:?}");
    drop(gate);
}

#[test]
fn a_file_read_in_place_is_copied_to_the_saved_file_by_the_printer_thread_not_by_spawn() {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = tempfile::tempdir().unwrap();
    // 16 times what a pipe holds: a copy in `spawn` would wait for a reader.
    let log = dir.path().join("app.log");
    let mut bytes = Vec::new();
    for i in 0..16_384 {
        bytes.extend_from_slice(format!("line {i:05} {}\n", "x".repeat(52)).as_bytes());
    }
    std::fs::write(&log, &bytes).unwrap();
    let saved = crate::support::fifo(dir.path(), "saved");
    // A reader is there (so the FIFO is taken), but reads nothing yet.
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(&saved)
        .unwrap();
    let file = std::fs::File::open(&log).unwrap();
    let len = bytes.len() as u64;
    let (started, spawned) = crossbeam_channel::bounded(1);
    thread::spawn(move || {
        let printer = Printer::builder()
            .in_place(file, len)
            .save(&saved)
            .draw_into(Capture::default(), 80, 24)
            .spawn();
        let _ = started.send(printer);
    });
    // A bound, not a sleep: spawn answers at once, or waits on the FIFO.
    let printer = spawned
        .recv_timeout(TIMEOUT)
        .expect("spawn returned while nobody read the saved file")
        .unwrap();
    printer.sender().line("after the file").unwrap();
    {
        use std::os::fd::AsRawFd;
        let blocking = nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::empty());
        nix::fcntl::fcntl(reader.as_raw_fd(), blocking).unwrap();
    }
    let reading = thread::spawn(move || {
        let mut got = Vec::new();
        io::Read::read_to_end(&mut { reader }, &mut got).map(|_| got)
    });
    printer.join().unwrap();
    let got = reading.join().unwrap().unwrap();
    bytes.extend_from_slice(b"after the file\n");
    assert_eq!(got.len(), bytes.len());
    assert!(
        got == bytes,
        "the saved file is the file, then the line after it"
    );
}

/// The screen a model shows after `out`'s bytes, once `done` holds.
fn wait_model(out: &Capture, what: &str, done: impl Fn(&vt100::Screen) -> bool) -> vt100::Screen {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let mut model = vt100::Parser::new(6.try_into().unwrap(), 40.try_into().unwrap(), 0);
        model.process(&out.bytes());
        if done(model.screen()) {
            return model.screen().clone();
        }
        assert!(
            Instant::now() < deadline,
            "waiting for {what}: {:?}",
            model.screen().contents()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn two_displays_drawn_into_buffers_run_at_once_and_each_suspends_on_its_own() {
    let (one, two) = (Capture::default(), Capture::default());
    let first = Printer::builder()
        .draw_into(one.clone(), 40, 6)
        .spawn()
        .unwrap();
    // Not "another reflow printer already owns the terminal": a buffer is
    // no terminal.
    let second = Printer::builder()
        .draw_into(two.clone(), 40, 6)
        .spawn()
        .unwrap();
    first.sender().line("from the first").unwrap();
    second.sender().line("from the second").unwrap();
    for (out, line) in [(&one, "from the first"), (&two, "from the second")] {
        wait_model(out, line, |s| {
            s.alternate_screen() && s.contents().contains(line)
        });
    }
    let answer = first.suspend(|| {
        // The first display gave its screen back; the second is still on.
        let normal = wait_model(&one, "the first on the normal screen", |s| {
            !s.alternate_screen()
        });
        assert!(!normal.hide_cursor());
        let other = wait_model(&two, "the second still shown", |s| s.alternate_screen());
        assert!(other.contents().contains("from the second"));
        42
    });
    assert_eq!(answer, 42);
    first.sender().line("after the prompt").unwrap();
    let back = wait_model(&one, "the first back, drawn anew", |s| {
        s.alternate_screen() && s.contents().contains("after the prompt")
    });
    assert!(back.contents().contains("from the first"));
    first.join().unwrap();
    second.join().unwrap();
    for out in [&one, &two] {
        let end = wait_model(out, "the normal screen", |s| !s.alternate_screen());
        assert!(!end.hide_cursor());
    }
}

#[test]
fn an_inline_display_prints_each_line_once_into_the_normal_screen_and_its_scrollback() {
    let out = Capture::default();
    let printer = Printer::builder()
        .viewport(reflow::Viewport::Inline)
        .draw_into(out.clone(), 20, 4)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    for i in 0..6 {
        tx.line(format!("record {i} with words to wrap")).unwrap();
    }
    tx.stream(b"> ").unwrap();
    printer.join().unwrap();
    let bytes = out.bytes();
    assert!(!String::from_utf8_lossy(&bytes).contains("\x1b[?1049h"));
    let mut model = vt100::Parser::new(4.try_into().unwrap(), 20.try_into().unwrap(), 100);
    model.process(&bytes);
    // Everything the terminal holds, its scrollback first.
    let mut rows = Vec::new();
    model.screen_mut().set_scrollback(usize::MAX);
    let back = model.screen().scrollback();
    for offset in (1..=back).rev() {
        model.screen_mut().set_scrollback(offset);
        rows.push(
            model
                .screen()
                .rows(0, 20)
                .next()
                .unwrap()
                .trim_end()
                .to_owned(),
        );
    }
    model.screen_mut().set_scrollback(0);
    rows.extend(model.screen().rows(0, 20).map(|r| r.trim_end().to_owned()));
    while rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    let mut want = Vec::new();
    for i in 0..6 {
        want.push(format!("record {i} with words"));
        want.push("to wrap".to_owned());
    }
    // The unfinished line is ended at the stop, and printed once.
    want.push(">".to_owned());
    assert_eq!(rows, want);
    assert!(!model.screen().hide_cursor());
}
