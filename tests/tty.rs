//! End to end in a real pseudo-terminal: the binary and the counting demo
//! run under a pty, and the screen is read through a vt100 model. Signals,
//! exits and what is left on the screen (`--on-exit`), `TERM=dumb` for the
//! binary and the library, suspending, errors around the display.

use std::time::Duration;

use tempfile::TempPath;

use crate::support::*;
use nix::sys::signal::Signal;
use reflow::Printer;

/// Writes `lines` to a temporary file, removed when the returned path is
/// dropped (keep it alive while the program under test may open it).
fn write_lines(name: &str, lines: &[String]) -> TempPath {
    temp_file(name, lines_text(lines).as_bytes())
}

/// Waits until the content rows are exactly `want` and the status bar
/// reports every line and the end of input.
fn wait_for_screen(pty: &Pty, want: &[String], lines: usize) {
    let status = format!("{lines} lines");
    pty.wait_for("the reflowed screen", TIMEOUT, |screen| {
        let (_, cols) = screen.size();
        let rows: Vec<String> = screen
            .rows(0, cols.get())
            .map(|r| r.trim_end().to_owned())
            .collect();
        rows.len() == want.len() + 1
            && rows[..want.len()] == *want
            && rows[want.len()].contains(&status)
            && rows[want.len()].contains("EOF")
    })
    .unwrap();
}

#[test]
fn streams_wraps_and_reflows_on_resize() {
    let lines = test_lines();
    let file = write_lines("stream.log", &lines);
    let pty = Pty::spawn(
        Pty::sh(&format!("cat '{}' | '{BIN}'", file.display())),
        80,
        24,
    );
    wait_for_screen(&pty, &expected_screen(&lines, 80, 24), 200);
    pty.with_screen(|screen| {
        assert!(screen.alternate_screen());
        assert!(screen.hide_cursor());
        let status = screen.rows(0, 80).nth(23).unwrap();
        assert!(status.contains("stdin"), "status bar: {status:?}");
        assert!(screen.cell(23, 0).unwrap().inverse());
    });

    pty.resize(43, 17);
    wait_for_screen(&pty, &expected_screen(&lines, 43, 17), 200);

    pty.send(b"q");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0));
    assert_terminal_restored(&pty);
    // --on-exit screen (the default): the last screenful stays visible.
    let left = pty.screen_rows();
    assert_eq!(left[..16], tail(&lines, 43, 16)[..]);
}

#[test]
fn a_storm_of_resizes_ends_in_one_exact_reflow() {
    let lines = test_lines();
    let file = write_lines("storm.log", &lines);
    let pty = Pty::spawn(Pty::command(BIN, &[file.to_str().unwrap()]), 80, 24);
    wait_for_screen(&pty, &expected_screen(&lines, 80, 24), 200);
    for i in 0..40u16 {
        pty.resize(20 + (i * 7) % 90, 5 + (i * 3) % 30);
    }
    // Down to a single column and row: nothing may overflow or panic.
    pty.resize(1, 1);
    pty.resize(1, 6);
    pty.wait_for("a one-column screen", TIMEOUT, |screen| {
        let rows: Vec<String> = screen.rows(0, 1).collect();
        // The last line ends "… ccc dddddddd": its word broken one
        // character a row; the status bar blank rather than "2", the
        // line count ("200 lines") cut into another number
        rows.len() == 6 && rows[..5].iter().all(|r| r == "d") && rows[5].trim().is_empty()
    })
    .unwrap();
    pty.resize(57, 19);
    wait_for_screen(&pty, &expected_screen(&lines, 57, 19), 200);
    quit(&pty);
}

/// Starts the binary on a file and waits for its first full screen.
fn running(name: &str) -> (Pty, Vec<String>, TempPath) {
    let lines = test_lines();
    let file = write_lines(name, &lines);
    let pty = Pty::spawn(Pty::command(BIN, &[file.to_str().unwrap()]), 80, 24);
    wait_for_screen(&pty, &expected_screen(&lines, 80, 24), 200);
    (pty, lines, file)
}

#[test]
fn q_quits_with_status_0() {
    let (pty, lines, _file) = running("q.log");
    quit(&pty);
    assert_eq!(pty.screen_rows()[..23], tail(&lines, 80, 23)[..]);
}

#[test]
fn ctrl_c_stops_following_and_the_view_stays_until_q() {
    let (pty, lines, _file) = running("ctrl-c.log");
    wait_status(&pty, "following", "FOLLOW");
    pty.send(b"\x03");
    wait_status(&pty, "Ctrl-C said", "interrupted");
    assert!(pty.try_exit().is_none(), "Ctrl-C quit the viewer");
    assert_eq!(pty.screen_rows()[..23], tail(&lines, 80, 23)[..]);
    // Not following any more; the next key clears the message (the
    // keys and the terminal's SIGINT come by different ways: each step
    // waits for the one before it).
    pty.send(b"k");
    pty.wait_for("paused, the message gone", TIMEOUT, |screen| {
        let status = status_row(screen);
        status.contains("PAUSED") && !status.contains("interrupted")
    })
    .unwrap();
    // A second Ctrl-C changes nothing either.
    pty.send(b"\x03");
    wait_status(&pty, "Ctrl-C said again", "interrupted");
    // `F` follows again, `q` quits, with status 0 as less.
    pty.send(b"F");
    wait_status(&pty, "following again", "FOLLOW");
    pty.send(b"q");
    assert_exits_restored(&pty, 0);
}

#[test]
fn sigterm_quits_with_status_143() {
    let (pty, _, _file) = running("term.log");
    pty.signal(Signal::SIGTERM).unwrap();
    assert_exits_restored(&pty, 143);
}

#[test]
fn sigint_with_a_keyboard_keeps_the_view_as_less_does() {
    let (pty, _, _file) = running("int.log");
    pty.signal(Signal::SIGINT).unwrap();
    wait_status(&pty, "SIGINT said", "interrupted");
    assert!(pty.try_exit().is_none(), "SIGINT quit the viewer");
    pty.send(b"q");
    assert_exits_restored(&pty, 0);
}

#[test]
fn sigint_without_a_keyboard_quits_with_status_130() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    // setsid: no controlling terminal, so no keyboard, while stdout is
    // the pty; the input stays open (nothing could quit at its end), from
    // a process the shell does not wait for.
    let script = format!(
        "setsid -w sh -c 'echo $$ > \"$1\"; exec \"$2\" -' sh '{}' '{BIN}' < <(sleep 30)",
        pid_file.display()
    );
    let pty = Pty::spawn(Pty::command("bash", &["-c", &script]), 80, 24);
    // The display is up (its status bar drawn, signals taken): the pid
    // was written before reflow started.
    wait_status(&pty, "the display", "0 lines");
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGINT).unwrap();
    assert_exits_restored(&pty, 130);
}

#[test]
fn on_exit_none_leaves_nothing_and_exit_on_eof_quits() {
    let lines = test_lines();
    let file = write_lines("eof.log", &lines);
    let pty = Pty::spawn(
        Pty::command(BIN, &["-E", "--on-exit", "none", file.to_str().unwrap()]),
        80,
        24,
    );
    assert_exits_restored(&pty, 0);
    assert!(pty.screen_rows().iter().all(|r| r.is_empty()));
    // It did take the screen while it ran.
    assert!(contains(&pty.raw_output(), ALT_ON));
}

/// `--on-exit all`: the whole history, as plain lines, after leaving.
#[test]
fn on_exit_all_prints_every_line_plainly_after_leaving_the_display() {
    let hostile: &[u8] = b"osc \x1b]0;pwned\x07 title \x1b]52;c;cHduZWQ=\x07 clip \x1b[2J end";
    let mut input = Vec::new();
    let mut want = Vec::new();
    for i in 0..60 {
        if i == 30 {
            input.extend_from_slice(hostile);
            want.push("osc  title  clip  end".to_owned());
        } else {
            let line = format!("line {i:02} of the history");
            input.extend_from_slice(line.as_bytes());
            want.push(line);
        }
        input.push(b'\n');
    }
    let file = temp_file("on-exit-all.log", &input);
    let pty = Pty::spawn(
        Pty::command(BIN, &["--on-exit", "all", file.to_str().unwrap()]),
        40,
        10,
    );
    wait_for_all_lines(&pty, 60);
    pty.send(b"q");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let raw = pty.raw_output();
    let left = rfind(&raw, ALT_OFF).expect("the display was never left");
    let after = &raw[left + ALT_OFF.len()..];
    // Exactly every line, in order, sanitized and plain: nothing else.
    let mut expected = want.join("\r\n");
    expected.push_str("\r\n");
    assert_eq!(
        String::from_utf8_lossy(after),
        expected,
        "what --on-exit all left on the normal screen"
    );
    // The hostile line's escapes reached the terminal nowhere.
    for escape in [&b"\x1b]"[..], b"\x1b[2J end"] {
        assert!(!contains(&raw, escape), "{:?} reached the terminal", escape);
    }
}

#[test]
fn no_input_on_a_terminal_is_a_usage_error() {
    let pty = Pty::spawn(Pty::command(BIN, &[]), 80, 24);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(2));
    assert_eq!(
        pty.screen_rows()[0],
        "reflow: no input: pipe something in, or name a FILE"
    );
    assert!(!contains(&pty.raw_output(), ALT_ON));
}

#[test]
fn a_missing_file_never_touches_the_screen() {
    let pty = Pty::spawn(Pty::command(BIN, &["missing.log"]), 80, 24);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(1));
    assert_eq!(
        pty.screen_rows()[0],
        "reflow: missing.log: No such file or directory"
    );
    assert_eq!(pty.screen_rows()[1], "");
    assert!(!contains(&pty.raw_output(), ALT_ON));
    assert!(pty.termios_is_sane());
}

#[test]
fn the_counting_demo_runs_to_its_sentinel() {
    let counting = require_example("counting");
    let pty = Pty::spawn(
        Pty::command(counting, &["--interval-ms", "2", "--count", "98"]),
        80,
        24,
    );
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0));
    assert_terminal_restored(&pty);
    let lines: Vec<String> = (0..=98)
        .map(|n| (1..=n).map(|i| i.to_string()).collect::<Vec<_>>().join(" "))
        .collect();
    // The last screenful is left on the normal screen, sentinel not shown.
    assert_eq!(pty.screen_rows()[..23], tail(&lines, 80, 23)[..]);
    assert!(!pty.screen_text().contains("EXIT"));
    // Frames were synchronized updates.
    assert!(contains(&pty.raw_output(), b"\x1b[?2026h"));
}

/// Runs in a child process under a pty (see below): a producer thread
/// panics while the printer is drawing.
#[test]
#[ignore = "a host run by a_panic_in_a_producer_restores_the_terminal_first"]
fn child_producer_panics() {
    let printer = Printer::builder().spawn().unwrap();
    let tx = printer.sender();
    tx.line("before the panic").unwrap();
    let producer = std::thread::spawn(|| panic!("producer exploded"));
    assert!(producer.join().is_err());
    tx.line("after the panic").unwrap();
    tx.shutdown();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 2);
}

#[test]
fn a_panic_in_a_producer_restores_the_terminal_first() {
    let pty = run_host(host_name!(child_producer_panics), 80, 24, &[]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let text = pty.screen_text();
    // The message landed on the normal screen, and lines sent after the
    // panic were still shown (the last screen, left on exit).
    assert!(text.contains("producer exploded"), "{text}");
    assert!(text.contains("after the panic"), "{text}");
    let raw = pty.raw_output();
    let left = find(&raw, ALT_OFF).unwrap();
    let message = raw
        .windows(17)
        .position(|w| w == b"producer exploded")
        .unwrap();
    assert!(
        left < message,
        "the panic message was printed on the alternate screen"
    );
}

#[test]
fn sighup_quits_with_status_129() {
    let (pty, _, _file) = running("hup.log");
    pty.signal(Signal::SIGHUP).unwrap();
    assert_exits_restored(&pty, 129);
}

#[test]
fn term_dumb_gets_plain_lines() {
    let file = write_lines("dumb.log", &["one".into(), "two".into()]);
    // Through sh: the harness sets TERM for every child it spawns.
    let pty = Pty::spawn(
        Pty::sh(&format!("TERM=dumb exec '{BIN}' '{}'", file.display())),
        80,
        24,
    );
    // No keyboard is read in plain mode, so it ends with the input.
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(0));
    assert_eq!(pty.screen_rows()[..3], ["one", "two", ""]);
    assert!(!contains(&pty.raw_output(), b"\x1b["));
}

/// Lines that try to set the title, write the clipboard, clear the
/// screen, ring the bell and turn the text red.
const HOSTILE: &[u8] = b"title \x1b]0;pwned\x07 end\n\
    clip \x1b]52;c;cHduZWQ=\x07 end\n\
    clear \x1b[2J end\n\
    bell \x07 end\n\
    \x1b[31mred\x1b[0m end\n";

/// What a terminal without a display must get for [`HOSTILE`]: plain
/// rows, controls in caret notation, not one escape.
const HOSTILE_SHOWN: &[u8] = b"title  end\r\nclip  end\r\nclear  end\r\nbell ^G end\r\nred end\r\n";

#[test]
fn term_dumb_on_a_terminal_shows_hostile_lines_safely() {
    let file = temp_file("dumb-hostile.log", HOSTILE);
    // Through sh: the harness sets TERM for every child it spawns.
    let pty = Pty::spawn(
        Pty::sh(&format!("TERM=dumb exec '{BIN}' '{}'", file.display())),
        80,
        24,
    );
    // No display, no keyboard: it ends with the input.
    assert_exits_restored(&pty, 0);
    let raw = pty.raw_output();
    assert!(
        !contains(&raw, b"\x1b"),
        "an escape reached the terminal: {:?}",
        raw.escape_ascii().to_string()
    );
    assert!(!contains(&raw, b"\x07"), "the bell rang");
    assert_eq!(
        raw.escape_ascii().to_string(),
        HOSTILE_SHOWN.escape_ascii().to_string()
    );
    assert_eq!(
        pty.screen_rows()[..6],
        [
            "title  end",
            "clip  end",
            "clear  end",
            "bell ^G end",
            "red end",
            ""
        ]
    );
}

#[test]
#[ignore = "a host run by term_dumb_on_a_terminal_gets_safe_rows_from_the_library"]
fn host_on_a_dumb_terminal() {
    let printer = Printer::builder().spawn().unwrap();
    printer.sender().lines(HOSTILE).unwrap();
    let stopped = printer.join().unwrap();
    println!("dumb: {} lines", stopped.lines);
}

#[test]
fn term_dumb_on_a_terminal_gets_safe_rows_from_the_library() {
    // Through sh: the harness sets TERM for every child it spawns. The
    // test harness's own output is plain too.
    let pty = Pty::spawn(
        Pty::sh(&format!(
            "TERM=dumb RUST_BACKTRACE=0 exec {} --color never",
            host_command_line(host_name!(host_on_a_dumb_terminal))
        )),
        80,
        24,
    );
    assert_exits_restored(&pty, 0);
    assert_eq!(host_report(&pty, "dumb: "), "dumb: 5 lines");
    let raw = pty.raw_output();
    assert!(
        !contains(&raw, b"\x1b"),
        "an escape reached the terminal: {:?}",
        raw.escape_ascii().to_string()
    );
    assert!(!contains(&raw, b"\x07"), "the bell rang");
    assert!(
        contains(&raw, HOSTILE_SHOWN),
        "{:?}",
        raw.escape_ascii().to_string()
    );
}

#[test]
fn without_a_keyboard_it_exits_at_end_of_input() {
    let lines = test_lines();
    let file = write_lines("nokeys.log", &lines);
    // setsid: a new session with no controlling terminal, so /dev/tty
    // cannot be opened, while stdout is still the pty.
    let pty = Pty::spawn(
        Pty::sh(&format!("setsid -w '{BIN}' '{}'", file.display())),
        80,
        24,
    );
    assert_exits_restored(&pty, 0);
    assert!(contains(&pty.raw_output(), ALT_ON));
    assert_eq!(pty.screen_rows()[..23], tail(&lines, 80, 23)[..]);
}

#[test]
fn sigquit_restores_the_terminal_and_exits_131() {
    let (pty, _, _file) = running("quit.log");
    pty.signal(Signal::SIGQUIT).unwrap();
    assert_exits_restored(&pty, 131);
}

#[test]
fn dash_on_a_terminal_is_a_usage_error() {
    let file = write_lines("dash.log", &["one".into()]);
    // Alone or among files, '-' would read the keyboard the viewer reads.
    for args in [vec!["-"], vec![file.to_str().unwrap(), "-"]] {
        let pty = Pty::spawn(Pty::command(BIN, &args), 80, 24);
        assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(2), "{args:?}");
        assert_eq!(
            pty.screen_rows()[..2],
            ["reflow: no input: pipe something in, or name a FILE", ""]
        );
        assert!(!contains(&pty.raw_output(), ALT_ON));
        assert!(pty.termios_is_sane());
    }
}

#[test]
fn ctrl_z_suspends_like_less_and_fg_redraws() {
    let (pty, lines, _file) = running("tstp.log");
    let before = pty.raw_output().len();
    pty.send(b"\x1a");
    // Suspended: the display is left and the terminal's modes are back,
    // while the process is stopped (it has not exited).
    pty.wait_for("the display suspended", TIMEOUT, |s| {
        !s.alternate_screen() && !s.hide_cursor()
    })
    .unwrap();
    assert!(pty.termios_is_sane(), "{:?}", pty.local_flags());
    wait_until_stopped(pty.pid());
    assert!(pty.try_exit().is_none(), "exited instead of stopping");
    // Resized while stopped; `fg` continues it, and it redraws whole, at
    // the new size.
    pty.resize(60, 20);
    pty.signal(Signal::SIGCONT).unwrap();
    wait_for_screen(&pty, &expected_screen(&lines, 60, 20), 200);
    assert!(pty.with_screen(|s| s.alternate_screen()));
    assert!(pty.raw_output().len() > before);
    quit(&pty);
}

#[test]
fn ctrl_c_ends_the_producer_and_the_view_stays_like_less() {
    // `slow | less`: Ctrl-C interrupts the producer, and less stays,
    // showing what it read; `q` then gives `PIPESTATUS` 130 0.
    // The shell survives Ctrl-C, as an interactive one does (a trap, not
    // an ignore, which its children would inherit).
    let script = format!(
        "trap 'true' INT; (echo start; sleep 30; echo end) | '{BIN}'; echo \"status ${{PIPESTATUS[*]}}\""
    );
    let pty = Pty::spawn(Pty::command("bash", &["-c", &script]), 80, 24);
    pty.wait_for_text("start", TIMEOUT).unwrap();
    pty.send(b"\x03");
    // Well before the producer's 30 s: it ended, and the view stayed.
    wait_status(&pty, "Ctrl-C said", "interrupted");
    pty.send(b"\x0c");
    wait_status(&pty, "the producer's end", "EOF");
    assert!(pty.try_exit().is_none(), "Ctrl-C quit the viewer");
    assert_eq!(pty.screen_rows()[0], "start");
    pty.send(b"q");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let text = pty.screen_text();
    assert!(text.contains("status 130 0"), "{text}");
    assert!(!text.contains("end"), "{text}");
}

#[test]
fn when_every_input_fails_the_screen_is_never_touched() {
    let pty = Pty::spawn(Pty::command(BIN, &["missing.log", "/"]), 80, 24);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(1));
    assert_eq!(
        pty.screen_rows()[..3],
        [
            "reflow: missing.log: No such file or directory",
            "reflow: /: Is a directory",
            ""
        ]
    );
    assert!(!contains(&pty.raw_output(), ALT_ON));
    assert!(pty.termios_is_sane());
}

#[test]
fn errors_are_printed_after_the_display_has_left_the_screen() {
    let lines: Vec<String> = vec!["a1".into(), "a2".into()];
    let file = write_lines("shown.log", &lines);
    // The failing inputs come first and last: whenever they fail, their
    // lines must wait for the display to end.
    let pty = Pty::spawn(
        Pty::command(BIN, &["missing.log", file.to_str().unwrap(), "/"]),
        80,
        24,
    );
    // Every input has been tried once EOF shows.
    wait_for_screen(&pty, &expected_screen(&lines, 80, 24), 2);
    assert!(!pty.screen_text().contains("reflow:"));
    pty.send(b"q");
    assert_exits_restored(&pty, 1);
    // The last screen stays (--on-exit screen), the errors below it, last.
    let rows = pty.screen_rows();
    assert_eq!(
        rows[..5],
        [
            "a1",
            "a2",
            "reflow: missing.log: No such file or directory",
            "reflow: /: Is a directory",
            ""
        ]
    );
    let raw = pty.raw_output();
    let left = rfind(&raw, ALT_OFF).unwrap();
    let error = raw.windows(7).position(|w| w == b"reflow:").unwrap();
    assert!(left < error, "an error was written on the alternate screen");
}

#[test]
fn a_terminal_that_stopped_reading_does_not_delay_a_stop() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    use std::time::Instant;
    // A terminal nobody reads: the binary's display writes into a pty whose
    // other side is never drained, so its writes block once the pty's
    // buffer is full.
    let pty = nix::pty::openpty(
        Some(&nix::pty::Winsize {
            ws_row: 50,
            ws_col: 200,
            ws_xpixel: 0,
            ws_ypixel: 0,
        }),
        None,
    )
    .unwrap();
    // setsid: no controlling terminal, so the test's own terminal (when
    // run from one) is never touched.
    let mut child = Command::new("setsid")
        .args(["-w", BIN])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::piped())
        .stdout(std::fs::File::from(pty.slave))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // Two seconds of ever-changing lines: far more frames than any pty
    // buffer holds.
    let start = Instant::now();
    let mut i = 0u64;
    while start.elapsed() < Duration::from_secs(2) {
        let line = format!("{i} {}\n", "word ".repeat((i % 150) as usize));
        input.write_all(line.as_bytes()).unwrap();
        i += 1;
    }
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        Signal::SIGTERM,
    )
    .unwrap();
    let asked = Instant::now();
    let (done_tx, done) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait_with_output());
    });
    let output = done
        .recv_timeout(TIMEOUT)
        .expect("the binary hung on a terminal that stopped reading")
        .unwrap();
    let took = asked.elapsed();
    drop(input);
    drop(pty.master);
    assert_eq!(output.status.code(), Some(143), "{output:?}");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
}

#[test]
fn max_lines_keeps_only_the_newest_lines() {
    let lines: Vec<String> = (0..500).map(|i| format!("entry {i}")).collect();
    let file = write_lines("max.log", &lines);
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("all.log");
    let pty = Pty::spawn(
        Pty::command(
            BIN,
            &[
                "--max-lines",
                "30",
                "--on-exit",
                "all",
                "--save",
                save.to_str().unwrap(),
                file.to_str().unwrap(),
            ],
        ),
        80,
        24,
    );
    pty.wait_for_text("500 lines", TIMEOUT).unwrap();
    quit(&pty);
    let raw = pty.raw_output();
    let left = rfind(&raw, ALT_OFF).unwrap();
    let after = String::from_utf8_lossy(&raw[left + ALT_OFF.len()..]).replace("\r\n", "\n");
    let printed: Vec<&str> = after.lines().collect();
    assert_eq!(
        printed,
        lines[470..].iter().map(String::as_str).collect::<Vec<_>>()
    );
    // --save keeps every line all the same.
    assert_eq!(
        std::fs::read_to_string(&save).unwrap(),
        lines.iter().map(|l| format!("{l}\n")).collect::<String>()
    );
}

#[test]
fn an_input_that_fails_during_the_display_is_said_in_the_status_bar_at_once() {
    let lines: Vec<String> = vec!["a1".into(), "a2".into()];
    let file = write_lines("notice.log", &lines);
    let pty = Pty::spawn(
        Pty::command(BIN, &[file.to_str().unwrap(), "/", "missing.log"]),
        80,
        24,
    );
    // While the display runs, in its status bar, in place of the source.
    pty.wait_for("the failure in the status bar", TIMEOUT, |screen| {
        screen
            .contents()
            .lines()
            .last()
            .is_some_and(|bar| bar.starts_with(" missing.log: No such file or directory"))
    })
    .unwrap();
    assert!(pty.with_screen(|s| s.alternate_screen()));
    pty.send(b"q");
    assert_exits_restored(&pty, 1);
}

#[test]
fn ctrl_l_repaints_what_another_process_wrote_over() {
    let lines: Vec<String> = (0..10).map(|i| format!("kept line {i}")).collect();
    let file = write_lines("repaint.log", &lines);
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("go");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    // Another process of the session writes over the display when told.
    let script = format!(
        "(read x < '{}'; printf '\\033[3;1HSTRAY OUTPUT') & exec '{BIN}' '{}'",
        fifo.display(),
        file.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 60, 12);
    pty.wait_for_text("kept line 9", TIMEOUT).unwrap();
    std::fs::write(&fifo, b"go\n").unwrap();
    pty.wait_for_text("STRAY OUTPUT", TIMEOUT).unwrap();
    pty.send(b"\x0c");
    pty.wait_for("the screen repainted", TIMEOUT, |s| {
        !s.contents().contains("STRAY") && s.contents().contains("kept line 2")
    })
    .unwrap();
    quit(&pty);
}
