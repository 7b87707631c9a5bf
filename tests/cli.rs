//! The binary with pipes (no terminal): passthrough, errors, exit statuses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::{BIN, peak_kib, reflow, run, stderr};

/// Bytes a log might contain: escapes, controls, invalid UTF-8, NUL, CR,
/// a long line, empty lines, wide characters.
fn hostile_input() -> Vec<u8> {
    let mut input = Vec::new();
    input.extend_from_slice(b"plain line\n\n");
    input.extend_from_slice(b"\x1b[31mred\x1b[0m \x1b]2;title\x07 \x1b[2J\n");
    input.extend_from_slice(b"bad utf8 \xff\xfe\xc3( end\n");
    input.extend_from_slice(b"nul \0 bell \x07 del \x7f\n");
    input.extend_from_slice(b"crlf\r\n");
    input.extend_from_slice("wide 日本語 👍🏽\n".as_bytes());
    input.extend(std::iter::repeat_n(b'x', 300_000));
    input.push(b'\n');
    for i in 0..20_000 {
        input.extend_from_slice(format!("line {i}\n").as_bytes());
    }
    input
}

#[test]
fn passthrough_copies_input_byte_for_byte() {
    let input = hostile_input();
    let out = reflow(&[], &input);
    assert!(out.status.success(), "{out:?}");
    assert!(out.stderr.is_empty());
    assert!(out.stdout == input, "output differs from input");
}

#[test]
fn passthrough_copies_files_in_order_with_stdin_as_dash() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    std::fs::write(&a, b"a1\na2\n").unwrap();
    std::fs::write(&b, b"b1\xff\n").unwrap();
    let out = reflow(&[a.to_str().unwrap(), "-", b.to_str().unwrap()], b"s1\n");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"a1\na2\ns1\nb1\xff\n");
}

#[test]
fn a_last_line_without_newline_is_still_a_line() {
    let out = reflow(&[], b"one\ntwo");
    assert_eq!(out.stdout, b"one\ntwo\n");
}

#[test]
fn the_sentinel_ends_the_output_and_is_not_shown() {
    let out = reflow(&["--sentinel", "STOP"], b"a\nSTOP\nb\n");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"a\n");
}

/// Issue 12: `\r\n` ends a line like `\n`, so `STOP\r\n` is the sentinel.
#[test]
fn the_sentinel_matches_a_line_ending_in_crlf() {
    let out = reflow(&["--sentinel", "STOP"], b"a\r\nSTOP\r\nb\r\n");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, b"a\r\n");
}

/// Issue 12: an empty sentinel would stop at the first empty line.
#[test]
fn an_empty_sentinel_is_a_usage_error() {
    let out = reflow(&["--sentinel", ""], b"a\n\nb\n");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("reflow: ") && first.contains("--sentinel") && first.contains("empty"),
        "{stderr}"
    );
}

/// Issue 12: each tab becomes up to N spaces, so N is bounded.
#[test]
fn tab_width_is_1_through_64() {
    for ok in ["1", "64"] {
        let out = reflow(&["--tab-width", ok], b"a\tb\n");
        assert!(out.status.success(), "--tab-width {ok}: {out:?}");
        assert_eq!(out.stdout, b"a\tb\n");
    }
    for bad in ["0", "65", "100000"] {
        let out = reflow(&["--tab-width", bad], b"a\tb\n");
        assert_eq!(out.status.code(), Some(2), "--tab-width {bad}: {out:?}");
        assert!(out.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("reflow: ")
                && first.contains("--tab-width")
                && first.contains("1..=64"),
            "{stderr}"
        );
    }
}

#[test]
fn a_missing_file_is_a_one_line_error() {
    let out = reflow(&["missing.log"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "reflow: missing.log: No such file or directory\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_directory_is_a_one_line_error() {
    let out = reflow(&["/"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "reflow: /: Is a directory\n"
    );
}

#[test]
fn a_bad_option_is_a_usage_error() {
    let out = reflow(&["--on-exit", "sometimes"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--on-exit"));
}

#[test]
fn a_closed_output_pipe_is_a_clean_exit() {
    let mut child = Command::new(BIN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Close our end of its stdout: its writes now fail with EPIPE.
    drop(child.stdout.take());
    // Up to 200 MB: far more than reflow may take in before it notices,
    // so the feeder sees its stdin close (EPIPE) only if reflow stopped.
    let feeder = std::thread::spawn(move || {
        let mut line = [b'y'; 1000];
        line[999] = b'\n';
        for _ in 0..200_000 {
            stdin.write_all(&line)?;
        }
        Ok::<(), std::io::Error>(())
    });
    let out = child.wait_with_output().unwrap();
    let fed = feeder.join().unwrap();
    assert_eq!(
        fed.map_err(|e| e.kind()),
        Err(std::io::ErrorKind::BrokenPipe),
        "reflow read everything instead of stopping at the broken pipe"
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the binary with `stdin` as its stdin (not fed by us).
fn reflow_with_stdin(args: &[&str], stdin: Stdio) -> Output {
    Command::new(BIN)
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("reflow runs")
}

/// Runs the binary through `sh -c script`, where `$0` is the binary: the
/// way to start it with a standard fd closed or opened the wrong way.
fn reflow_sh(script: &str, stdin: &[u8]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script, BIN]);
    run(cmd, stdin)
}

#[test]
fn inputs_that_fail_are_reported_and_the_others_shown_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    let missing = dir.path().join("missing.log");
    std::fs::write(&a, b"a1\na2\n").unwrap();
    std::fs::write(&b, b"b1\n").unwrap();
    let args = [
        a.to_str().unwrap(),
        "/",
        missing.to_str().unwrap(),
        b.to_str().unwrap(),
    ];
    let out = reflow(&args, b"");
    assert_eq!(out.stdout, b"a1\na2\nb1\n");
    assert_eq!(
        stderr(&out),
        format!(
            "reflow: /: Is a directory\nreflow: {}: No such file or directory\n",
            missing.display()
        )
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn when_every_input_fails_nothing_is_shown() {
    let out = reflow(&["missing.log", "/", "also-missing.log"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "reflow: missing.log: No such file or directory\n\
         reflow: /: Is a directory\n\
         reflow: also-missing.log: No such file or directory\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_file_name_cannot_reach_the_terminal_as_escape_codes() {
    // The name that turned the terminal red, with a bell and a newline
    // (which would have split the message in two) for good measure. Every
    // control is shown, so the name shown is the name there is.
    let out = reflow(&["\x1b[31mred\x07\nlog\x1b]2;title\x07"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "reflow: ^[[31mred^G^Jlog^[]2;title^G: No such file or directory\n"
    );
}

/// Issue 16: the part of a name before a `\r` was hidden.
#[test]
fn a_carriage_return_in_a_file_name_shows_as_caret_m() {
    let out = reflow(&["secret\rshown.log"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "reflow: secret^Mshown.log: No such file or directory\n"
    );
    // And U+202E cannot turn the name around.
    let out = reflow(&["a\u{202e}gol.txt"], b"");
    assert_eq!(
        stderr(&out),
        "reflow: a<U+202E>gol.txt: No such file or directory\n"
    );
}

/// Runs the binary with `args` as clap sees it on a terminal: clap strips
/// escape codes from what it prints to a pipe, and only there.
fn usage_error(args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("CLICOLOR_FORCE", "1");
    run(cmd, b"")
}

/// True when `bytes` hold no ESC, BEL, other C0 control but `\n`, or C1
/// control (as a byte or UTF-8 encoded).
fn no_controls(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    !bytes
        .iter()
        .any(|&b| b == 0x1b || b == 0x07 || (0x80..=0x9f).contains(&b))
        && !text.chars().any(|c| c.is_control() && c != '\n')
}

/// Issue 16: clap echoed the offending value raw, three times per error:
/// a file name through a glob wrote the clipboard (OSC 52), `--wrap` set
/// the title, `--color` cleared the screen.
#[test]
fn a_usage_error_never_echoes_escape_codes() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--\x1b]52;c;aGkh\x07.log"],
            "reflow: unexpected argument '--^[]52;c;aGkh^G.log' found",
        ),
        (
            &["--wrap", "\x1b]2;PWNED\x07"],
            "reflow: invalid value '^[]2;PWNED^G' for '--wrap <MODE>' \
             (possible values: word, char, none)",
        ),
        (
            &["--color", "x\x1b[2J\x1b[Hx"],
            "reflow: invalid value 'x^[[2J^[[Hx' for '--color <WHEN>' \
             (possible values: auto, always, never)",
        ),
        (
            &["--wrap", "\u{9d}52;c;aGk=\u{9c}\r"],
            "reflow: invalid value '^[]52;c;aGk=^[\\^M' for '--wrap <MODE>'",
        ),
        (
            &["--on-exit", "a\u{202e}b"],
            "reflow: invalid value 'a<U+202E>b' for '--on-exit <MODE>'",
        ),
    ];
    for (args, want) in cases {
        let out = usage_error(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(no_controls(&out.stderr), "{args:?}: {:?}", stderr(&out));
        let text = stderr(&out);
        let first = text.lines().next().unwrap_or_default();
        assert!(first.starts_with(want), "{args:?}: {text}");
    }
}

/// A usage error is one line and a hint, as every error of reflow's is
/// one line; clap's tip to write `-- --x.log` would run a command here.
#[test]
fn a_usage_error_is_one_line_and_a_hint() {
    let out = usage_error(&["--wrap", "sideways"]);
    assert_eq!(
        stderr(&out),
        "reflow: invalid value 'sideways' for '--wrap <MODE>' \
         (possible values: word, char, none)\n\
         Try 'reflow --help' for more information.\n"
    );
    let out = usage_error(&["--wrp", "none"]);
    assert_eq!(
        stderr(&out),
        "reflow: unexpected argument '--wrp' found (did you mean '--wrap'?)\n\
         Try 'reflow --help' for more information.\n"
    );
    let out = usage_error(&["--x.log"]);
    assert_eq!(
        stderr(&out),
        "reflow: unexpected argument '--x.log' found \
         (a FILE whose name starts with '-' is ./NAME)\n\
         Try 'reflow --help' for more information.\n"
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_and_version_still_exit_0() {
    for flag in ["--help", "-h", "--version", "-V"] {
        let out = usage_error(&[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}");
        assert!(out.stderr.is_empty(), "{flag}: {}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("reflow"), "{flag}: {text}");
    }
}

#[test]
fn in_passthrough_an_error_is_written_when_it_happens() {
    let mut child = Command::new(BIN)
        .args(["missing.log", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"s1\n").unwrap();
    // stdin stays open: the input has not ended, and the error must be
    // there already. The read is on its own thread so that a binary that
    // kept the error until the end fails the test instead of hanging it.
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufRead::read_line(&mut err, &mut line);
        let _ = tx.send(line);
        err
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(10));
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader.join().unwrap(), &mut rest).unwrap();
    assert_eq!(
        line.as_deref(),
        Ok("reflow: missing.log: No such file or directory\n")
    );
    assert_eq!(rest, "");
    assert_eq!(out.stdout, b"s1\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_closed_stdin_is_an_error_not_empty_input() {
    let out = reflow_sh(r#"exec "$0" <&-"#, b"");
    assert_eq!(stderr(&out), "reflow: stdin: Bad file descriptor\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_closed_stdin_among_files_fails_alone() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    std::fs::write(&a, b"a1\n").unwrap();
    let script = format!(r#"exec "$0" '{}' - '{}' <&-"#, a.display(), a.display());
    let out = reflow_sh(&script, b"");
    assert_eq!(stderr(&out), "reflow: stdin: Bad file descriptor\n");
    assert_eq!(out.stdout, b"a1\na1\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_stdin_open_only_for_writing_is_an_error() {
    // std's Stdin reads EBADF as the end of input; reflow must not.
    let out = reflow_sh(r#"exec "$0" 0>/dev/null"#, b"");
    assert_eq!(stderr(&out), "reflow: stdin: Bad file descriptor\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_closed_stdout_is_an_error() {
    let out = reflow_sh(r#"exec "$0" >&-"#, b"a\n");
    assert_eq!(stderr(&out), "reflow: stdout: Bad file descriptor\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_write_error_on_stdout_is_an_error_not_a_broken_pipe() {
    // stdout open only for reading: the first write fails with EBADF, in
    // the printer thread, and comes back through `Printer::wait`.
    let out = reflow_sh(r#"exec "$0" 1</dev/null"#, b"a\n");
    assert_eq!(stderr(&out), "reflow: stdout: Bad file descriptor\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_read_error_keeps_what_was_read_and_goes_on_to_the_next_input() {
    use std::os::unix::net::UnixStream;

    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.log");
    std::fs::write(&c, b"c1\n").unwrap();
    // A read error after some input, made deterministic: on Linux, a Unix
    // stream socket closed while data it was sent lies unread resets the
    // connection. Its peer (reflow's stdin) first reads what is queued for
    // it, then gets ECONNRESET. All of it is arranged before reflow starts.
    let (ours, theirs) = UnixStream::pair().unwrap();
    (&theirs).write_all(b"unread by us").unwrap();
    (&ours).write_all(b"a\npartial").unwrap();
    drop(ours);
    let out = reflow_with_stdin(
        &["-", c.to_str().unwrap()],
        Stdio::from(std::os::fd::OwnedFd::from(theirs)),
    );
    assert_eq!(out.stdout, b"a\npartial\nc1\n");
    assert_eq!(stderr(&out), "reflow: stdin: Connection reset by peer\n");
    assert_eq!(out.status.code(), Some(1));
}

/// Copies `total` bytes made of `piece` repeated through the binary to
/// /dev/null and returns its peak memory in KiB, read while it still runs
/// (after the last byte is written, before stdin is closed).
fn peak_while_copying(args: &[&str], piece: &[u8], total: usize) -> u64 {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reflow starts");
    let mut input = child.stdin.take().unwrap();
    let block = piece.repeat((1 << 20) / piece.len());
    let mut sent = 0;
    while sent < total {
        input.write_all(&block).unwrap();
        sent += block.len();
    }
    input.flush().unwrap();
    // The pipe holds at most 64 KiB: everything else has been taken in.
    let peak = peak_kib(child.id());
    drop(input);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");
    peak
}

#[test]
fn copying_through_keeps_memory_flat() {
    // `yes | reflow > /dev/null`: 200 MB of short lines.
    let peak = peak_while_copying(&[], b"y\n", 200 << 20);
    assert!(peak < 64 << 10, "peak {peak} KiB");
}

#[test]
fn a_line_without_end_is_streamed_through() {
    // 200 MB without a newline: never held whole.
    let peak = peak_while_copying(&[], b"0123456789abcdef", 200 << 20);
    assert!(peak < 64 << 10, "peak {peak} KiB");
}

#[test]
fn a_huge_line_is_copied_byte_for_byte_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    let mut input = b"first\n".to_vec();
    input.extend((0..3_000_000u32).map(|i| b'a' + (i % 26) as u8));
    input.extend_from_slice(b"\nlast\n");
    let output = reflow(&["--save", save.to_str().unwrap()], &input);
    assert!(output.status.success(), "{output:?}");
    assert!(output.stdout == input, "the copy differs");
    assert!(std::fs::read(&save).unwrap() == input, "the save differs");
}

#[test]
fn an_unwritable_save_path_is_a_one_line_error() {
    let output = reflow(&["--save", "/nonexistent-dir/x.log"], b"a\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "reflow: /nonexistent-dir/x.log: No such file or directory\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn completions_generate_for_each_shell_and_a_man_page_and_help_have_examples() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = reflow(&["--completions", shell], b"");
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains("max-lines"), "{shell}: {script}");
    }
    let out = reflow(&["--man"], b"");
    assert!(out.status.success());
    let man = String::from_utf8(out.stdout).unwrap();
    assert!(
        man.starts_with(".ie") && man.contains(".TH reflow 1"),
        "{man}"
    );
    let help = String::from_utf8(reflow(&["--help"], b"").stdout).unwrap();
    assert!(help.contains("Examples:\n  make 2>&1 | reflow"), "{help}");
    assert!(
        String::from_utf8(reflow(&["--version"], b"").stdout)
            .unwrap()
            .starts_with("reflow 0.1.0")
    );
}

#[test]
fn save_timestamps_puts_the_arrival_time_before_each_saved_line_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.log");
    let stamped = dir.path().join("stamped.log");
    let input = b"one\ntwo\x1b[31m red\nthree";
    let out = reflow(&["--timestamps", "--save", plain.to_str().unwrap()], input);
    assert!(out.status.success());
    // Copied through, nothing is added to the output either.
    assert_eq!(out.stdout, b"one\ntwo\x1b[31m red\nthree\n");
    // Saved byte for byte: the last line ends as it ended, without a `\n`.
    assert_eq!(
        std::fs::read(&plain).unwrap(),
        b"one\ntwo\x1b[31m red\nthree"
    );
    let out = reflow(
        &["--save-timestamps", "--save", stamped.to_str().unwrap()],
        input,
    );
    assert!(out.status.success());
    let saved = std::fs::read_to_string(&stamped).unwrap();
    let lines: Vec<&str> = saved.lines().collect();
    assert_eq!(lines.len(), 3, "{saved:?}");
    for (line, text) in lines.iter().zip(["one", "two\x1b[31m red", "three"]) {
        let (time, rest) = line.split_at(13);
        let b = time.as_bytes();
        assert!(
            b[2] == b':' && b[5] == b':' && b[8] == b'.' && b[12] == b' ',
            "{line:?}"
        );
        assert!(
            time.chars().filter(char::is_ascii_digit).count() == 9,
            "{line:?}"
        );
        assert_eq!(rest, text);
    }
    // Asking for it without --save is a usage error.
    assert_eq!(reflow(&["--save-timestamps"], b"").status.code(), Some(2));
}
