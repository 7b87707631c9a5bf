//! Load and hostile input in a real pseudo-terminal: many producers into a
//! display whose terminal reads slowly, a large pipe through the binary, a
//! storm of resizes while lines stream in, terminals down to one cell, and
//! megabytes of random bytes, a huge line and NUL bytes, during which `q`
//! must still be answered at once; and a flood of lines drawn in at most
//! ~60 synchronized frames a second.
//!
//! Hosts (programs embedding the library) are the `#[ignore]`d `host_*`
//! functions, each run by its test in a child process under a pty (this
//! same test binary, with `--ignored --exact`), as in `tests/host.rs`.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::*;
use reflow::{OnExit, Printer};

/// How many bytes the terminal has received so far.
fn raw_len(pty: &Pty) -> usize {
    let len = Cell::new(0);
    let _ = pty.wait_for_raw("the output's length", TIMEOUT, |raw| {
        len.set(raw.len());
        true
    });
    len.get()
}

/// Plays a terminal that stops reading, then reads slowly, until the
/// child exits. For `freeze` the harness's reader thread is kept from the
/// screen model, so it cannot read the pty, whose buffer fills, and writes
/// to the terminal block (as on a terminal frozen with Ctrl-S); after that
/// for `stall` at a time, letting one more piece of output through in
/// between. Returns how many stalls there were.
fn freeze_then_read_slowly(pty: &Pty, freeze: Duration, stall: Duration) -> usize {
    // Not synchronisation: this is the slow terminal itself.
    pty.with_screen(|_| thread::sleep(freeze));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stalls = 0;
    while pty.try_exit().is_none() {
        assert!(
            Instant::now() < deadline,
            "still running after a minute:\n{}",
            pty.screen_text()
        );
        pty.with_screen(|_| thread::sleep(stall));
        stalls += 1;
        let seen = raw_len(pty);
        // Until something more came (or the child is gone).
        let _ = pty.wait_for_raw("more output", TIMEOUT, |raw| raw.len() > seen);
    }
    stalls
}

/// A frame begins: a synchronized update.
const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
/// A frame ends.
const SYNC_END: &[u8] = b"\x1b[?2026l";

/// How many frames (synchronized updates) the terminal received.
fn frames(raw: &[u8]) -> usize {
    count(raw, SYNC_BEGIN)
}

/// Checks that `saved` holds `producers` x `each` lines made by
/// [`producer_line`], each producer's in its own order.
fn assert_every_line_in_producer_order(saved: &[u8], producers: usize, each: usize) {
    let mut next = vec![0; producers];
    let mut total = 0;
    for line in saved.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        let text = std::str::from_utf8(line).unwrap();
        let mut words = text.split(' ');
        let (Some("producer"), Some(p), Some("line"), Some(i)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            panic!("not a producer line: {text:?}");
        };
        let p: usize = p.parse().unwrap();
        let i: usize = i.parse().unwrap();
        assert_eq!(text, producer_line(p, i), "line {total} garbled");
        assert_eq!(i, next[p], "producer {p}: line {i} out of order");
        next[p] += 1;
        total += 1;
    }
    assert_eq!(next, vec![each; producers], "lines per producer");
    assert!(saved.ends_with(b"\n"));
}

/// 63 characters: a row of a 64-column screen.
fn producer_line(producer: usize, i: usize) -> String {
    format!("producer {producer} line {i:06} with a payload of a few more words here")
}

// ---------------------------------------------------------------------
// 1. Eight producers through the library into a slow terminal.
// ---------------------------------------------------------------------

const PRODUCERS: usize = 8;
const EACH: usize = 125_000;

#[test]
#[ignore = "a host run by eight_producers_into_a_frozen_then_slow_terminal_lose_nothing"]
fn host_eight_producers() {
    let save = std::env::var_os("REFLOW_LOAD_SAVE").expect("REFLOW_LOAD_SAVE");
    let printer = Printer::builder()
        .on_exit(OnExit::None)
        .save(save)
        .spawn()
        .unwrap();
    // The producers start when the test says so (the printer is not
    // interactive: stdin is the host's own).
    printer.sender().line("waiting for go").unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    let start = Instant::now();
    thread::scope(|s| {
        for p in 0..PRODUCERS {
            let tx = printer.sender();
            s.spawn(move || {
                for i in 0..EACH {
                    tx.line(producer_line(p, i)).unwrap();
                }
            });
        }
    });
    let sent = start.elapsed();
    let stopped = printer.join().unwrap();
    println!(
        "load: {} lines kept; sent in {} ms, joined after {} ms",
        stopped.lines,
        sent.as_millis(),
        start.elapsed().as_millis()
    );
}

#[test]
fn eight_producers_into_a_frozen_then_slow_terminal_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    // Rows as wide as the lines, and many of them: a frame is about 22 KB,
    // so a terminal that stops reading is full after a frame or two.
    let pty = run_host(
        host_name!(host_eight_producers),
        64,
        300,
        &[("REFLOW_LOAD_SAVE", save.to_str().unwrap())],
    );
    pty.wait_for_text("waiting for go", TIMEOUT).unwrap();
    pty.send(b"go\n");
    let freeze = Duration::from_secs(2);
    let stalls = freeze_then_read_slowly(&pty, freeze, Duration::from_millis(50));
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let report = host_report(&pty, "load: ");
    let raw = pty.raw_output();
    println!(
        "{report}; frozen {freeze:?}, then {stalls} stalls of 50 ms; {} bytes in {} frames",
        raw.len(),
        frames(&raw)
    );
    // Every line and the one before the producers started.
    assert!(
        report.starts_with(&format!("load: {} lines kept;", PRODUCERS * EACH + 1)),
        "{report}"
    );
    let saved = std::fs::read(&save).unwrap();
    let saved = saved
        .strip_prefix(b"waiting for go\n".as_slice())
        .expect("the first line saved");
    assert_every_line_in_producer_order(saved, PRODUCERS, EACH);
}

#[test]
#[ignore = "a host run by a_host_that_stops_while_its_terminal_is_frozen_leaves_it_restored"]
fn host_stops_while_its_terminal_is_frozen() {
    let printer = Printer::builder().on_exit(OnExit::None).spawn().unwrap();
    let tx = printer.sender();
    tx.line("waiting for go").unwrap();
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).unwrap();
    // A third of a second of new frames, far more than the pty holds.
    let start = Instant::now();
    let mut i = 0;
    while start.elapsed() < Duration::from_millis(300) {
        tx.line(producer_line(0, i)).unwrap();
        i += 1;
    }
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, i + 1);
    // As a `main` that returns: nothing more is written.
    std::process::exit(0);
}

#[test]
fn a_host_that_stops_while_its_terminal_is_frozen_leaves_it_restored() {
    let pty = run_host(
        host_name!(host_stops_while_its_terminal_is_frozen),
        64,
        300,
        &[],
    );
    pty.wait_for_text("waiting for go", TIMEOUT).unwrap();
    pty.send(b"go\n");
    // Frozen (Ctrl-S, a busy emulator) for longer than the host takes to
    // stop and exit; then the terminal reads again, and must show the
    // normal screen and the cursor.
    let freeze = Duration::from_secs(3);
    pty.with_screen(|_| thread::sleep(freeze));
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    let raw = pty.raw_output();
    let tail = &raw[raw.len().saturating_sub(80)..];
    println!(
        "{} bytes in {} frames, ending {:?}",
        raw.len(),
        frames(&raw),
        tail.escape_ascii().to_string()
    );
    assert_terminal_restored(&pty);
}

// ---------------------------------------------------------------------
// 2. A million lines through the binary from a pipe.
// ---------------------------------------------------------------------

#[test]
fn a_million_piped_lines_are_all_saved_in_order() {
    const LINES: usize = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    let script = format!(
        "seq -f 'piped line %07.0f with some words' 0 {} | '{BIN}' -E --save '{}' --on-exit none",
        LINES - 1,
        save.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 64, 300);
    let start = Instant::now();
    pty.wait_for_raw_bytes(ALT_ON, TIMEOUT).unwrap();
    // Frozen for less than the 0.8 s after which the binary gives up
    // on a terminal that takes nothing at all (so that every stop ends
    // within a second), then slow: it is waited for while it reads.
    let stalls =
        freeze_then_read_slowly(&pty, Duration::from_millis(300), Duration::from_millis(50));
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    let raw = pty.raw_output();
    println!(
        "{LINES} lines in {:?}: frozen 1 s, then {stalls} stalls; {} bytes in {} frames",
        start.elapsed(),
        raw.len(),
        frames(&raw)
    );
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let saved = std::fs::read(&save).unwrap();
    let mut want = String::with_capacity(saved.len());
    for i in 0..LINES {
        want.push_str(&format!("piped line {i:07} with some words\n"));
    }
    if saved != want.as_bytes() {
        let at = saved
            .iter()
            .zip(want.as_bytes())
            .position(|(a, b)| a != b)
            .unwrap_or(saved.len().min(want.len()));
        let from = at.saturating_sub(60);
        panic!(
            "the save differs at byte {at} (saved {} bytes, want {}): {:?} vs {:?}",
            saved.len(),
            want.len(),
            String::from_utf8_lossy(&saved[from..(at + 60).min(saved.len())]),
            &want[from..(at + 60).min(want.len())]
        );
    }
}

// ---------------------------------------------------------------------
// 3. A storm of resizes while lines stream in.
// ---------------------------------------------------------------------

/// Opens `fifo` for writing, which waits for its reader; bounded, so a
/// reader that never comes fails the test instead of hanging it.
fn open_for_writing(fifo: &Path) -> File {
    let (tx, rx) = mpsc::channel();
    let path = fifo.to_owned();
    thread::spawn(move || {
        let _ = tx.send(File::options().write(true).open(path));
    });
    rx.recv_timeout(TIMEOUT)
        .expect("nobody opened the pipe for reading")
        .unwrap()
}

#[test]
fn a_thousand_resizes_while_lines_stream_in_end_in_one_exact_reflow() {
    let lines = test_lines();
    let dir = tempfile::tempdir().unwrap();
    let input = fifo(dir.path(), "storm.pipe");
    let pty = Pty::spawn(
        Pty::sh(&format!("exec '{BIN}' < '{}'", input.display())),
        80,
        24,
    );
    let mut pipe = open_for_writing(&input);
    let start = Instant::now();
    let mut next = lines.iter();
    for i in 0..1000u16 {
        // Sizes all over the place, a one-cell terminal among them.
        let (cols, rows) = match i % 97 {
            13 => (1, 1),
            14 => (1, 6),
            _ => (5 + (i * 37) % 150, 2 + (i * 11) % 50),
        };
        pty.resize(cols, rows);
        if i % 5 == 0
            && let Some(line) = next.next()
        {
            writeln!(pipe, "{line}").unwrap();
        }
        // Pacing, to spread the storm over about two seconds.
        thread::sleep(Duration::from_millis(2));
    }
    assert!(next.next().is_none(), "every line was written");
    drop(pipe);
    let storm = start.elapsed();
    pty.resize(57, 19);
    let want = expected_screen(&lines, 57, 19);
    pty.wait_for("the exact reflow at 57x19", TIMEOUT, |screen| {
        let rows: Vec<String> = screen
            .rows(0, 57)
            .map(|r| r.trim_end().to_owned())
            .collect();
        rows.len() == 19
            && rows[..18] == want[..]
            && rows[18].contains("200 lines")
            && rows[18].contains("EOF")
    })
    .unwrap();
    println!("1000 resizes in {storm:?}");
    quit(&pty);
}

// ---------------------------------------------------------------------
// 4. Terminals down to one cell.
// ---------------------------------------------------------------------

#[test]
fn tiny_terminals_show_the_file_and_quit_cleanly() {
    let file = tempfile::Builder::new()
        .prefix("tiny.log")
        .tempfile()
        .unwrap()
        .into_temp_path();
    std::fs::write(&file, b"ab\nxyz\n").unwrap();
    // (cols, rows, the content rows expected: the newest rows of the
    // lines wrapped, a word broken where it is wider than the screen)
    let cases: [(u16, u16, &[&str]); 4] = [
        (1, 1, &["z"]),
        (1, 5, &["b", "x", "y", "z"]),
        (2, 2, &["z"]),
        (10, 1, &["xyz"]),
    ];
    for (cols, rows, want) in cases {
        let pty = Pty::spawn(Pty::command(BIN, &[file.to_str().unwrap()]), cols, rows);
        pty.wait_for(&format!("the file shown at {cols}x{rows}"), TIMEOUT, |s| {
            let shown: Vec<String> = s.rows(0, cols).map(|r| r.trim_end().to_owned()).collect();
            s.alternate_screen() && shown[..want.len()] == *want
        })
        .unwrap();
        pty.send(b"q");
        let exit = pty.wait_exit(TIMEOUT).unwrap();
        assert_eq!(exit.code(), Some(0), "{cols}x{rows}: {exit:?}");
        assert_terminal_restored(&pty);
    }
}

// ---------------------------------------------------------------------
// 5. Hostile floods: `q` is answered at once (in less than two more passes
//    of the input) while they pour in.
// ---------------------------------------------------------------------

/// A fixed-seed xorshift generator: the same bytes every run.
fn random_bytes(len: usize, mut seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        out.extend_from_slice(&seed.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Runs the binary on a pipe that `data` is written into again and again,
/// for as long as it reads; once it has read `data` whole and the display
/// shows at least one line, sends `q`, and checks that it exits at once
/// while the input goes on pouring in. "At once" is counted in input, not
/// in time (a busy machine slows the display and the flood alike): from
/// `q` to its exit reflow takes in less than two more passes of `data`.
/// A display that answers keys only between inputs it has read whole (the
/// flood never ends) never exits, and the test fails after 30 s.
fn quit_while_flooded(name: &str, data: Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let input = fifo(dir.path(), "flood.pipe");
    let pty = Pty::spawn(
        Pty::sh(&format!("exec '{BIN}' < '{}'", input.display())),
        80,
        24,
    );
    let mut pipe = open_for_writing(&input);
    let (passes_tx, passes) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let pass = data.len();
    let writer = {
        let stop = Arc::clone(&stop);
        let written = Arc::clone(&written);
        thread::spawn(move || {
            // Until reflow is gone (a broken pipe) or the test gives up,
            // counted a piece at a time.
            'flood: while !stop.load(Ordering::SeqCst) {
                for piece in data.chunks(64 << 10) {
                    if pipe.write_all(piece).is_err() {
                        break 'flood;
                    }
                    written.fetch_add(piece.len(), Ordering::SeqCst);
                }
                let _ = passes_tx.send(());
            }
        })
    };
    // The whole input went in once, and goes on coming.
    if passes.recv_timeout(Duration::from_secs(30)).is_err() {
        stop.store(true, Ordering::SeqCst);
        panic!(
            "{name}: one pass was not read in 30 s:\n{}",
            pty.screen_text()
        );
    }
    pty.wait_for(&format!("{name}: a line shown"), TIMEOUT, |screen| {
        screen.alternate_screen() && status_count(screen).is_some_and(|n| n >= 1)
    })
    .unwrap();
    let before = written.load(Ordering::SeqCst);
    pty.send(b"q");
    let exit = pty.wait_exit(Duration::from_secs(30));
    // Bytes the pipe took after `q`: read by reflow, or in the pipe's
    // buffer when it exited.
    let after = written.load(Ordering::SeqCst) - before;
    stop.store(true, Ordering::SeqCst);
    let exit =
        exit.unwrap_or_else(|e| panic!("{name}: q not answered while the input poured in: {e:?}"));
    writer.join().unwrap();
    println!(
        "{name}: {} MB written before q, {} KB after it (a pass is {} MB)",
        before >> 20,
        after >> 10,
        pass >> 20
    );
    assert_eq!(exit.code(), Some(0), "{name}: {exit:?}");
    assert!(
        after < 2 * pass,
        "{name}: {after} bytes taken in between q and the exit (a pass is {pass})"
    );
    assert_terminal_restored(&pty);
}

/// The line count in the status bar (`… 12 lines | FOLLOW …`).
fn status_count(screen: &vt100::Screen) -> Option<usize> {
    let status = status_row(screen);
    let words: Vec<&str> = status.split_whitespace().collect();
    let at = words.iter().position(|w| w.starts_with("line"))?;
    words.get(at.checked_sub(1)?)?.parse().ok()
}

#[test]
fn q_is_answered_at_once_while_random_bytes_pour_in() {
    // 10 MB of random bytes: escapes, controls, invalid UTF-8, a newline
    // every 256 bytes or so.
    quit_while_flooded("random", random_bytes(10 << 20, 0x5eed_1234_abcd_ef01));
}

#[test]
fn q_is_answered_at_once_while_a_huge_line_pours_in() {
    // A 20 MB line (the issue spoke of 100 MB; scaled down for a debug
    // build), of words, again and again.
    let mut line = b"w0123456 ".repeat((20 << 20) / 9);
    line.push(b'\n');
    quit_while_flooded("huge line", line);
}

#[test]
fn q_is_answered_at_once_while_a_huge_word_pours_in() {
    // A 20 MB line without a space: one word, broken at the width.
    let mut word = vec![b'x'; 20 << 20];
    word.push(b'\n');
    quit_while_flooded("huge word", word);
}

#[test]
fn q_is_answered_at_once_while_nul_bytes_pour_in() {
    // 10 MB of NUL, a newline every 4 KiB: rows of ^@.
    let mut nul = vec![0u8; 10 << 20];
    for end in nul.iter_mut().step_by(4096).skip(1) {
        *end = b'\n';
    }
    quit_while_flooded("nul", nul);
}

// ---------------------------------------------------------------------
// 6. A flood of lines through the library: at most ~60 frames a second,
//    each one synchronized update.
// ---------------------------------------------------------------------

/// How long the flooding host sends.
const FLOOD: Duration = Duration::from_secs(1);

#[test]
#[ignore = "a host run by a_flood_of_lines_draws_at_most_60_synchronized_frames_a_second"]
fn host_floods_the_display() {
    flood(false);
}

#[test]
#[ignore = "a host run by input_that_ends_again_and_again_draws_at_most_60_frames_a_second"]
fn host_floods_and_ends_again_and_again() {
    flood(true);
}

/// Sends lines for [`FLOOD`], and with `ends`, says the input ended after
/// every 64 (as a followed file that keeps growing does).
fn flood(ends: bool) {
    let printer = Printer::builder().on_exit(OnExit::None).spawn().unwrap();
    let tx = printer.sender();
    let start = Instant::now();
    let mut sent = 0u64;
    while start.elapsed() < FLOOD {
        for _ in 0..64 {
            tx.line(format!(
                "flood line {sent} with a few words that wrap on a narrow screen"
            ))
            .unwrap();
            sent += 1;
        }
        if ends {
            tx.end_of_input().unwrap();
        }
    }
    let ran = start.elapsed();
    let stopped = printer.join().unwrap();
    println!(
        "flood: sent {sent} lines in {} ms, kept {}",
        ran.as_millis(),
        stopped.lines
    );
}

/// When frame begins arrived, as seen by the test.
#[derive(Default)]
struct FrameClock {
    scanned: usize,
    begins: usize,
    first: Option<Instant>,
    last: Option<Instant>,
}

#[test]
fn input_that_ends_again_and_again_draws_at_most_60_frames_a_second() {
    // Each end of input may draw its frame at once, not at the next tick:
    // no more than once a second, or this would be a frame per end.
    let pty = run_host(
        host_name!(host_floods_and_ends_again_and_again),
        80,
        24,
        &[],
    );
    frames_per_second(&pty);
}

/// Waits for the display of `pty` to leave, timing the frames it drew
/// from the first to the last; asserts that there were enough to mean
/// something, and no more than ~60 a second. Returns how many there were.
fn frames_per_second(pty: &Pty) -> usize {
    // Every chunk of output is looked at as it arrives, to time the
    // frames from the first to the last.
    let clock = RefCell::new(FrameClock::default());
    pty.wait_for_raw("the display left", Duration::from_secs(30), |raw| {
        let mut clock = clock.borrow_mut();
        let new = count(&raw[clock.scanned..], SYNC_BEGIN);
        if new > 0 {
            let now = Instant::now();
            clock.first.get_or_insert(now);
            clock.last = Some(now);
            clock.begins += new;
        }
        clock.scanned = raw.len().saturating_sub(SYNC_BEGIN.len() - 1);
        contains(raw, ALT_OFF)
    })
    .unwrap();
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(pty);
    let raw = pty.raw_output();
    let report = host_report(pty, "flood: ");

    let clock = clock.into_inner();
    let begins = count(&raw, SYNC_BEGIN);
    assert_eq!(clock.begins, begins, "frames counted as they came");
    let span = clock.last.unwrap() - clock.first.unwrap();
    let per_second = (begins - 1) as f64 / span.as_secs_f64();
    println!("{begins} frames over {span:?}: {per_second:.1}/s; {report}");
    // Enough frames for the limit to mean something...
    assert!(begins >= 10, "only {begins} frames; {report}");
    assert!(span >= FLOOD / 2, "frames over {span:?} only; {report}");
    // ...and no more than ~60 a second (75 with a margin for the time
    // the frames take to reach us).
    assert!(
        per_second <= 75.0,
        "{begins} frames in {span:?} = {per_second:.1}/s; {report}"
    );
    begins
}

#[test]
fn a_flood_of_lines_draws_at_most_60_synchronized_frames_a_second() {
    let pty = run_host(host_name!(host_floods_the_display), 80, 24, &[]);
    let begins = frames_per_second(&pty);
    let raw = pty.raw_output();

    // Between taking the screen and giving it back, every byte belongs to
    // a synchronized update: begin, frame, end, begin, …
    let on = find(&raw, ALT_ON).unwrap();
    let off = rfind(&raw, ALT_OFF).unwrap();
    let mut rest = &raw[on + ALT_ON.len()..off];
    // Entering: hide the cursor, clear.
    rest = rest
        .strip_prefix(b"\x1b[?25l\x1b[2J".as_slice())
        .unwrap_or_else(|| panic!("entering: {:?}", rest[..40].escape_ascii().to_string()));
    // Leaving: end any update, reset attributes, show the cursor.
    rest = rest
        .strip_suffix(b"\x1b[?2026l\x1b[0m\x1b[?25h".as_slice())
        .unwrap_or_else(|| {
            let tail = &rest[rest.len().saturating_sub(40)..];
            panic!("leaving: {:?}", tail.escape_ascii().to_string())
        });
    let (mut frames, mut cut) = (0, false);
    while !rest.is_empty() {
        let body = rest.strip_prefix(SYNC_BEGIN).unwrap_or_else(|| {
            panic!(
                "bytes outside a synchronized update after frame {frames}: {:?}",
                rest[..rest.len().min(60)].escape_ascii().to_string()
            )
        });
        frames += 1;
        let Some(end) = find(body, SYNC_END) else {
            // The last frame, cut short as the display left (the writer
            // drops the rest of a frame then, not to hold up the
            // restoration, whose own end closes the update): only when
            // the terminal had not read it all yet by the exit.
            assert!(
                !contains(body, SYNC_BEGIN),
                "frame {frames} never ends its synchronized update"
            );
            cut = true;
            break;
        };
        assert!(
            !contains(&body[..end], SYNC_BEGIN),
            "frame {frames} begins an update inside another"
        );
        rest = &body[end + SYNC_END.len()..];
    }
    assert_eq!(frames, begins);
    assert_eq!(
        count(&raw, SYNC_END),
        begins + usize::from(!cut),
        "the restore ends one too (or ends the last frame, cut short)"
    );
}
