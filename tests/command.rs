//! Command mode, `reflow -- COMMAND [ARG]...`: under a pty (the display,
//! Ctrl-C, the exit status) and with pipes (the bytes copied through).

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};

use crate::support::*;

/// `reflow args...` under a pty of 80 x 24.
fn display(args: &[&str]) -> Pty {
    Pty::spawn(Pty::command(BIN, args), 80, 24)
}

/// `reflow args...` with stdin empty and stdout and stderr captured,
/// killed if it does not end within three times `TIMEOUT` (a deadlock
/// fails the test instead of hanging it).
fn piped(args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("NO_COLOR");
    run_within(cmd, b"", TIMEOUT * 3)
}

#[test]
fn both_outputs_are_shown_stderr_marked_and_q_exits_with_the_status() {
    let pty = display(&["--", "sh", "-c", "echo a; echo b >&2; exit 3"]);
    pty.wait_for("both lines and the exit", TIMEOUT, |screen| {
        let rows = content_rows(screen);
        rows.iter().any(|r| r == " a")
            && rows.iter().any(|r| r == "\u{258c}b")
            // The command line (the source name) says "exit 3" too: the
            // end shows as EOF.
            && status_row(screen).contains("EOF")
    })
    .unwrap();
    pty.with_screen(|screen| {
        let rows = content_rows(screen);
        let out = rows.iter().position(|r| r == " a").unwrap() as u16;
        let err = rows.iter().position(|r| r == "\u{258c}b").unwrap() as u16;
        // The stderr line has a red bar at its left; the stdout line a
        // blank there, so their text lines up.
        let bar = screen.cell(err, 0).unwrap();
        assert_eq!(bar.fgcolor(), vt100::Color::Idx(1), "stderr bar colour");
        assert_eq!(screen.cell(err, 1).unwrap().contents(), "b");
        assert_eq!(screen.cell(out, 1).unwrap().contents(), "a");
        assert_eq!(
            screen.cell(out, 1).unwrap().fgcolor(),
            vt100::Color::Default
        );
        let status = status_row(screen);
        assert!(
            status.contains("sh -c"),
            "the command names the source: {status:?}"
        );
        assert!(status.contains("EOF"), "{status:?}");
    });
    // Like less, the display stays after the command ended.
    assert!(pty.try_exit().is_none(), "reflow quit before q");
    pty.send(b"q");
    assert_exits_restored(&pty, 3);
}

#[test]
fn with_stdout_not_a_terminal_both_outputs_pass_through_and_the_status_is_kept() {
    let out = piped(&["--", "sh", "-c", "echo a; echo b >&2; exit 3"]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let mut lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    lines.sort();
    assert_eq!(lines, [&b""[..], b"a", b"b"], "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn killed_by_a_signal_is_128_plus_n() {
    let out = piped(&["--", "sh", "-c", "kill -TERM $$"]);
    assert_eq!(out.status.code(), Some(143), "{out:?}");
}

#[test]
fn the_commands_stdin_is_reflows_when_piped() {
    let mut child = Command::new(BIN)
        .args(["--", "grep", "x"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut stdin, b"x1\ny\nx2\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.stdout, b"x1\nx2\n");
    assert!(out.status.success());
}

#[test]
fn a_command_not_found_is_one_line_and_127() {
    let out = piped(&["--", "no-such-command-for-reflow", "arg"]);
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "reflow: no-such-command-for-reflow: command not found\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_file_that_is_not_executable_is_one_line_and_126() {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = file.path().to_str().unwrap();
    let out = piped(&["--", path]);
    assert_eq!(out.status.code(), Some(126));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("reflow: {path}: Permission denied\n")
    );
}

#[test]
fn a_command_that_cannot_start_never_touches_the_screen() {
    let pty = display(&["--", "no-such-command-for-reflow"]);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(127));
    assert!(!contains(&pty.raw_output(), ALT_ON), "the display started");
    assert!(
        pty.screen_text()
            .contains("reflow: no-such-command-for-reflow: command not found")
    );
    assert_terminal_restored(&pty);
}

#[test]
fn files_and_a_command_together_are_a_usage_error() {
    let out = piped(&["some.log", "--", "echo", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

/// The lines of `saved` from each stream, in order: each stream's own
/// order is kept; how the two interleave depends on the reader threads.
fn assert_saved(saved: &[u8], out: &[&[u8]], err: &[&[u8]]) {
    assert!(
        !contains(saved, b"\x1b_reflow:"),
        "a mark was saved: {}",
        saved.escape_ascii()
    );
    assert!(saved.ends_with(b"\n"));
    let lines: Vec<&[u8]> = saved[..saved.len() - 1].split(|&b| b == b'\n').collect();
    let from = |want: &[&[u8]]| -> Vec<&[u8]> {
        lines.iter().copied().filter(|l| want.contains(l)).collect()
    };
    assert_eq!(from(out), out, "stdout's lines, in order");
    assert_eq!(from(err), err, "stderr's lines, in order");
    assert_eq!(
        lines.len(),
        out.len() + err.len(),
        "{}",
        saved.escape_ascii()
    );
}

#[test]
fn save_keeps_the_commands_bytes_without_marks() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    let script = r"printf 'out \033[31mred\033[0m \377\376 end\n'; printf 'err \033]2;title\007 \303(\n' >&2; echo plain; printf '\033_reflow:err\033\\own mark\n' >&2; exit 4";
    let pty = display(&["--save", save.to_str().unwrap(), "--", "sh", "-c", script]);
    pty.wait_for("the exit", TIMEOUT, |screen| {
        status_row(screen).contains(": exit 4")
    })
    .unwrap();
    pty.send(b"q");
    assert_exits_restored(&pty, 4);
    let saved = std::fs::read(&save).unwrap();
    let out: [&[u8]; 2] = [b"out \x1b[31mred\x1b[0m \xff\xfe end", b"plain"];
    let err: [&[u8]; 2] = [
        b"err \x1b]2;title\x07 \xc3(",
        b"\x1b_reflow:err\x1b\\own mark",
    ];
    // The command's own mark-like bytes are its bytes: kept (only reflow's
    // first mark of each line is dropped).
    let without_own: Vec<u8> = saved
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| !l.starts_with(b"\x1b_reflow:err\x1b\\own"))
        .flatten()
        .copied()
        .collect();
    assert_saved(&without_own, &out, &err[..1]);
    assert!(
        contains(&saved, b"\n\x1b_reflow:err\x1b\\own mark\n")
            || saved.starts_with(b"\x1b_reflow:err\x1b\\own mark\n")
    );
}

#[test]
fn save_with_stdout_not_a_terminal_is_the_bytes_too() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    let script = r"printf 'a \033[1mb\377\n'; printf 'e\n' >&2";
    let out = piped(&["--save", save.to_str().unwrap(), "--", "sh", "-c", script]);
    assert!(out.status.success(), "{out:?}");
    let saved = std::fs::read(&save).unwrap();
    assert_saved(&saved, &[b"a \x1b[1mb\xff"], &[b"e"]);
    assert_saved(&out.stdout, &[b"a \x1b[1mb\xff"], &[b"e"]);
}

/// A line of 200 000 bytes left unfinished on stdout while the command
/// writes far more than a pipe holds on stderr, then ends the line: the
/// reader of stdout streams the long line, which holds every other line
/// back; if the stderr reader waited for it, the command would block on
/// its full stderr pipe and never end the line.
#[test]
fn a_long_unfinished_line_on_one_output_cannot_block_the_other() {
    let script = "head -c 200000 /dev/zero | tr '\\0' x; \
                  i=0; while [ $i -lt 20000 ]; do echo \"err line $i\"; i=$((i+1)); done >&2; \
                  echo; echo after";
    let out = piped(&["--", "sh", "-c", script]);
    assert!(out.status.success(), "{:?}", out.status);
    let lines: Vec<&[u8]> = out.stdout.split(|&b| b == b'\n').collect();
    let long = "x".repeat(200_000);
    assert!(lines.contains(&long.as_bytes()), "the long line is whole");
    let errs: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with(b"err line "))
        .collect();
    assert_eq!(errs.len(), 20_000);
    assert_eq!(errs[19_999], b"err line 19999");
    assert_eq!(
        lines.len(),
        1 + 20_000 + 1 + 1,
        "and nothing else but 'after'"
    );
}

#[test]
fn ctrl_c_goes_to_the_command_and_reflow_keeps_its_last_output() {
    let script = "trap 'echo got INT; exit 5' INT; echo ready; while :; do sleep 1; done";
    let pty = display(&["--", "sh", "-c", script]);
    pty.wait_for_text("ready", TIMEOUT).unwrap();
    pty.send(b"\x03");
    pty.wait_for("the command's last words and status", TIMEOUT, |screen| {
        content_rows(screen).iter().any(|r| r == " got INT")
            && status_row(screen).contains("exit 5")
    })
    .unwrap();
    assert!(
        pty.try_exit().is_none(),
        "reflow quit on the command's Ctrl-C"
    );
    pty.with_screen(|screen| assert!(screen.alternate_screen()));
    pty.send(b"q");
    assert_exits_restored(&pty, 5);
}

#[test]
fn ctrl_c_that_kills_the_command_leaves_reflow_showing_then_ctrl_c_quits_with_130() {
    let pty = display(&["--", "sh", "-c", "echo ready; exec sleep 100"]);
    pty.wait_for_text("ready", TIMEOUT).unwrap();
    pty.send(b"\x03");
    pty.wait_for("the status", TIMEOUT, |screen| {
        status_row(screen).contains("killed by SIGINT")
    })
    .unwrap();
    // The Ctrl-C that ended the command did not end reflow, however the
    // two signals raced.
    pty.send(b"j");
    pty.wait_for_text("ready", TIMEOUT).unwrap();
    assert!(
        pty.try_exit().is_none(),
        "reflow quit on the command's Ctrl-C"
    );
    // Now the command has ended: Ctrl-C is reflow's.
    pty.send(b"\x03");
    assert_exits_restored(&pty, 130);
}

#[test]
fn q_while_the_command_runs_ends_it_with_sigterm() {
    let pty = display(&["--", "sh", "-c", "echo ready; exec sleep 100"]);
    pty.wait_for_text("ready", TIMEOUT).unwrap();
    pty.send(b"q");
    assert_exits_restored(&pty, 143);
}

#[test]
fn exit_on_eof_quits_when_the_command_ends() {
    let pty = display(&["-E", "--", "sh", "-c", "echo done; exit 7"]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(7));
    assert_terminal_restored(&pty);
    // --on-exit screen: the output stays on the normal screen.
    assert!(pty.screen_text().contains("done"));
}

#[test]
fn the_sentinel_stops_a_marked_command_display() {
    let pty = display(&[
        "--sentinel",
        "STOP",
        "--",
        "sh",
        "-c",
        "echo a; echo STOP; exec sleep 30",
    ]);
    // Well before the command's 30 s: the sentinel ended the display, and
    // the command was asked to end with it.
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(143), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let rows = pty.screen_rows();
    // Left on the normal screen as text: no stream bar's column.
    assert!(rows.iter().any(|r| r.trim_end() == "a"), "{rows:?}");
    assert!(!rows.iter().any(|r| r.contains("STOP")), "{rows:?}");
}

#[test]
fn rows_left_after_the_exit_are_the_text_without_stream_bars() {
    // Issue 20, item 9: what is copied from the normal screen afterwards
    // is the command's output, not reflow's marks.
    let pty = display(&["-E", "--", "sh", "-c", "echo out line; echo err line >&2"]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let rows: Vec<String> = pty
        .screen_rows()
        .into_iter()
        .map(|r| r.trim_end().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    assert!(rows.contains(&"out line".to_owned()), "{rows:?}");
    assert!(rows.contains(&"err line".to_owned()), "{rows:?}");
    assert!(!rows.iter().any(|r| r.contains('\u{258c}')), "{rows:?}");
}

#[test]
fn with_pty_stdout_and_stderr_keep_the_order_they_were_written_in() {
    // Two pipes keep no order between them: the command runs to its end
    // before the display starts reading, and its stdout came out as one
    // block, then its stderr. On one terminal they are one stream.
    let pty = display(&[
        "--pty",
        "--",
        "sh",
        "-c",
        "for i in $(seq 1 10); do echo out $i; echo err $i >&2; done",
    ]);
    let want: Vec<String> = (1..=10)
        .flat_map(|i| [format!("out {i}"), format!("err {i}")])
        .collect();
    wait_rows(&pty, "every line in order", &want);
    pty.send(b"q");
    assert_exits_restored(&pty, 0);
}

#[test]
fn with_pty_the_command_sees_a_terminal_as_wide_as_the_display_and_its_resizes() {
    let script = "import signal, os, time\n\
        signal.signal(signal.SIGWINCH, lambda *a: print('now', *os.get_terminal_size(1), flush=True))\n\
        print('tty', os.isatty(1), os.isatty(2), *os.get_terminal_size(1), flush=True)\n\
        time.sleep(30)\n";
    let pty = display(&["--pty", "--", "python3", "-c", script]);
    // 80x24: the status bar's row is not the command's.
    pty.wait_for_text("tty True True 80 23", TIMEOUT).unwrap();
    pty.resize(60, 20);
    pty.wait_for_text("now 60 19", TIMEOUT).unwrap();
    pty.send(b"q");
    assert_exits_restored(&pty, 143);
}

#[test]
fn a_command_that_prompts_on_the_terminal_is_stopped_and_said_and_the_screen_stays_clean() {
    // A password prompt: written to /dev/tty, then the terminal's modes
    // set. The kernel stops a background job for the second; the display
    // keeps the screen and the keys, repaints over the prompt, and says.
    let pty = display(&[
        "--",
        "sh",
        "-c",
        "echo start; printf 'Password: ' > /dev/tty; stty -echo < /dev/tty; echo never",
    ]);
    pty.wait_for("the stop said", TIMEOUT, |screen| {
        status_row(screen).contains("asks on the terminal")
    })
    .unwrap();
    pty.wait_for("the prompt drawn over", TIMEOUT, |screen| {
        !screen.contents().contains("Password")
    })
    .unwrap();
    let text = pty.screen_text();
    assert!(text.contains("start") && !text.contains("never"), "{text}");
    // `q` ends it, stopped as it is.
    pty.send(b"q");
    assert_exits_restored(&pty, 143);
}
