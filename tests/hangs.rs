//! No input, key or terminal can keep reflow from stopping: each attack
//! that once hung it, run as a user would hit it, with a bounded wait.

use std::io::Write;
use std::os::fd::BorrowedFd;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;
use nix::sys::signal::Signal;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// A file of one line of `tabs` tabs and then `end`.
fn tabs_then(tabs: usize, end: &str) -> tempfile::TempPath {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let mut text = vec![b'\t'; tabs];
    text.push(b'\n');
    text.extend_from_slice(end.as_bytes());
    text.push(b'\n');
    file.write_all(&text).unwrap();
    file.into_temp_path()
}

#[test]
fn a_flood_of_keys_while_the_printer_is_busy_does_not_block_the_stop() {
    // The key thread once sat in `send` on its full channel (64 events)
    // while the stopping printer joined it: SIGTERM then did nothing, and
    // the terminal stayed in raw mode on the alternate screen.
    let file = tabs_then(24 << 20, "after the tabs");
    let script = format!("exec {BIN} < {}", file.display());
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    pty.wait_for("the display", TIMEOUT, |s| status_row(s).contains("FOLLOW"))
        .unwrap();
    pty.send(&[b'j'; 400]);
    pty.signal(Signal::SIGTERM).unwrap();
    assert_exits_restored(&pty, 143);
}

#[test]
fn a_key_held_down_over_a_long_search_leaves_q_answered_at_once() {
    // Each key was answered with a slice (8 ms) of the search it started
    // before the next key was read: 2,000 `E`s (a key held down for a
    // minute, or pasted) kept `q` waiting 16 s and more. The keys waiting
    // are now read first; only the last search runs.
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let mut text = b"2026-12-07 10:00:00,000 ERROR main - the only error\n".to_vec();
    for i in 0..400_000 {
        let _ = writeln!(
            text,
            "2026-12-07 10:00:{:02},{:03} INFO  main - request handled in 3 ms for user {i}",
            i / 1000 % 60,
            i % 1000
        );
    }
    file.write_all(&text).unwrap();
    let file = file.into_temp_path();
    let pty = Pty::spawn(Pty::sh(&format!("exec {BIN} {}", file.display())), 80, 24);
    pty.wait_for("the count of errors", TIMEOUT, |s| {
        status_row(s).contains("1 error")
    })
    .unwrap();
    // `E` from the end: a search back to the first line, begun again by
    // every `E`.
    let mut keys = vec![b'E'; 2000];
    keys.push(b'q');
    pty.send(&keys);
    assert_exits_restored(&pty, 0);
}

#[test]
fn a_line_of_megabytes_of_tabs_is_shown_and_quit() {
    // Tabs are laid out as spaces, 8 to a tab: once all held at once (100
    // MB of tabs took 912 MB, and `q` half a minute). The bound itself is
    // checked in the layout's unit tests; here, that such a line is shown,
    // with the line after it, and quit.
    let file = tabs_then(2 << 20, "after the tabs");
    let script = format!("exec {BIN} < {}", file.display());
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    pty.wait_for_text("after the tabs", TIMEOUT).unwrap();
    quit(&pty);
}

#[test]
fn a_terminal_that_is_gone_ends_the_display_even_with_sighup_ignored() {
    // `trap '' HUP; exec reflow …` and the terminal closed: reflow used to
    // spin at full CPU for ever, polling a terminal with nothing to read.
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let file = tabs_then(0, "a line");
    let saved = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    let mut cmd = CommandBuilder::new("sh");
    let script = format!(
        "trap '' HUP; exec {BIN} --save {} {}",
        saved.display(),
        file.display()
    );
    cmd.args(["-c", &script]);
    cmd.env("TERM", "xterm-256color");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    // Read what it draws until the line and the status bar show: it is in
    // its loop, the file read.
    let fd = pair.master.as_raw_fd().unwrap();
    // SAFETY: the master stays open (owned by `pair.master`) while this
    // borrow is used, and is dropped only after.
    let master = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut drawn = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    while !(contains(&drawn, b"a line") && contains(&drawn, b"FOLLOW")) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no display: {:?}",
            String::from_utf8_lossy(&drawn)
        );
        let mut fds = [nix::poll::PollFd::new(master, nix::poll::PollFlags::POLLIN)];
        let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
        if nix::poll::poll(&mut fds, ms).unwrap() > 0 {
            let mut buf = [0; 4096];
            let n = nix::unistd::read(fd, &mut buf).unwrap();
            drawn.extend_from_slice(&buf[..n]);
        }
    }
    // The terminal goes away, as when its window is closed.
    drop(pair.master);
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("reflow still runs with its terminal gone");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // As a hang-up: 129, with the history saved.
    assert_eq!(status.exit_code(), 129);
    assert_eq!(std::fs::read(&saved).unwrap(), b"\na line\n");
}

#[test]
fn a_command_whose_output_reader_is_gone_is_ended_with_all_it_started() {
    // `reflow -- sh -c 'echo hi; sleep N' | true` exited 0 and left the
    // sleep running, adopted by init.
    let marker = format!("{}", 3_000_000 + std::process::id());
    // It keeps writing, so reflow learns its output is gone whenever the
    // reader ends; the sleep runs in the background of its group.
    let script = format!("sleep {marker} & while :; do echo hi; sleep 0.05; done");
    let mut reflow = Command::new(BIN)
        .args(["--", "sh", "-c", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The reader of reflow's output ends at once, as `true` does.
    drop(reflow.stdout.take());
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = reflow.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "reflow did not end");
        std::thread::sleep(Duration::from_millis(20));
    };
    // The command was still running: ended with SIGTERM, as by `q`.
    assert_eq!(status.code(), Some(143));
    let left = |marker: &str| {
        std::fs::read_dir("/proc").unwrap().flatten().any(|entry| {
            std::fs::read(entry.path().join("cmdline"))
                .is_ok_and(|cmd| contains(&cmd, marker.as_bytes()) && !contains(&cmd, b"sh\0-c"))
        })
    };
    // SIGTERM was sent to the whole group at once; it may take a moment
    // to be delivered and acted on.
    let deadline = Instant::now() + TIMEOUT;
    while left(&marker) {
        assert!(Instant::now() < deadline, "sleep {marker} was left running");
        std::thread::sleep(Duration::from_millis(20));
    }
}
