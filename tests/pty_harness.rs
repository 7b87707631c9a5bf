//! Self-tests of the pty harness in `tests/support`, run against ordinary
//! shell commands so they do not depend on reflow itself.

use std::time::{Duration, Instant};

use crate::support::{ExitInfo, Pty, TIMEOUT};
use nix::sys::signal::Signal;
use nix::sys::termios::LocalFlags;

#[test]
fn screen_rows_show_output() {
    let pty = Pty::spawn(Pty::sh(r#"printf "hello\nworld\n""#), 80, 24);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap(), ExitInfo::Exited(0));
    let rows = pty.screen_rows();
    assert_eq!(rows.len(), 24);
    assert_eq!(rows[0], "hello");
    assert_eq!(rows[1], "world");
    assert!(rows[2..].iter().all(String::is_empty), "{rows:#?}");
    // The line discipline's ONLCR turned "\n" into "\r\n", as in a real tty.
    assert_eq!(pty.raw_output(), b"hello\r\nworld\r\n");
    assert_eq!(pty.cursor_position(), (2, 0));
}

#[test]
fn wait_exit_collects_all_output() {
    // Much more than the pty buffers hold, written right before exiting:
    // none of it may be lost or still in flight when wait_exit returns.
    let pty = Pty::spawn(Pty::command("seq", &["1", "50000"]), 80, 24);
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    let expected: String = (1..=50000).map(|n| format!("{n}\r\n")).collect();
    assert!(pty.raw_output() == expected.as_bytes(), "output differs");
    let rows = pty.screen_rows();
    assert_eq!(rows[22], "50000");
    assert_eq!(rows[23], "");
}

#[test]
fn size_is_applied_to_pty_and_model() {
    let pty = Pty::spawn(Pty::sh("stty size"), 43, 17);
    // `stty size` prints "rows cols".
    pty.wait_for_text("17 43", TIMEOUT).unwrap();
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    assert_eq!(pty.kernel_size(), (43, 17));
    assert_eq!(pty.screen_rows().len(), 17);
    pty.with_screen(|s| {
        let (rows, cols) = s.size();
        assert_eq!((cols.get(), rows.get()), (43, 17));
    });
}

#[test]
fn term_is_xterm_256color_and_size_env_is_not_inherited() {
    let pty = Pty::spawn(
        Pty::sh(r#"echo "term=$TERM cols=${COLUMNS-unset} lines=${LINES-unset}""#),
        80,
        24,
    );
    pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(
        pty.screen_rows()[0],
        "term=xterm-256color cols=unset lines=unset"
    );
}

#[test]
fn command_runs_in_current_directory() {
    let pty = Pty::spawn(Pty::command("pwd", &[]), 200, 5);
    pty.wait_exit(TIMEOUT).unwrap();
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(pty.screen_rows()[0], cwd.to_str().unwrap());
}

#[test]
fn raw_output_keeps_escape_sequences() {
    let pty = Pty::spawn(Pty::sh(r"printf '\033[1mbold\033[0m plain\n'"), 80, 24);
    pty.wait_for_raw_bytes(b"\x1b[0m", TIMEOUT).unwrap();
    pty.wait_exit(TIMEOUT).unwrap();
    let raw = pty.raw_output();
    assert!(
        raw.starts_with(b"\x1b[1mbold\x1b[0m"),
        "{}",
        raw.escape_ascii()
    );
    assert_eq!(pty.screen_rows()[0], "bold plain");
    pty.with_screen(|s| {
        assert!(s.cell(0, 0).unwrap().bold());
        assert!(!s.cell(0, 5).unwrap().bold());
    });
}

#[test]
fn send_types_into_the_terminal() {
    let pty = Pty::spawn(
        Pty::sh(r#"echo ready; read line; echo "got:$line""#),
        80,
        24,
    );
    pty.wait_for_text("ready", TIMEOUT).unwrap();
    pty.send(b"abc\r");
    pty.wait_for_text("got:abc", TIMEOUT).unwrap();
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    // The line discipline echoed the typed line (ICRNL made "\r" a newline).
    assert_eq!(&pty.screen_rows()[..3], ["ready", "abc", "got:abc"]);
}

#[test]
fn ctrl_c_raises_sigint_in_the_child() {
    // `cat` has no handler for SIGINT, so the ^C key kills it.
    let pty = Pty::spawn(Pty::command("cat", &[]), 80, 24);
    // Prove cat is running and reading the tty before sending ^C.
    pty.send(b"ping\r");
    pty.wait_for("cat echoing its input", TIMEOUT, |s| {
        s.contents().matches("ping").count() == 2
    })
    .unwrap();
    pty.send(b"\x03");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit, ExitInfo::Signaled(Signal::SIGINT));
    assert_eq!(exit.shell_status(), 130);
}

#[test]
fn resize_delivers_sigwinch_and_resizes_model() {
    // Deterministic: SIGWINCH is blocked before "ready" is printed and then
    // consumed with sigwait, so it can neither be lost nor arrive early.
    let script = r#"
import os, signal, sys
signal.signal(signal.SIGWINCH, lambda *a: None)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGWINCH})
sz = os.get_terminal_size()
print(f"ready {sz.columns}x{sz.lines}", flush=True)
signal.sigwait({signal.SIGWINCH})
sz = os.get_terminal_size()
sys.stdout.write(f"winch {sz.columns}x{sz.lines}\r\n" + "x" * sz.columns + "\r\nEND\r\n")
sys.stdout.flush()
"#;
    let pty = Pty::spawn(Pty::command("python3", &["-c", script]), 40, 10);
    pty.wait_for_text("ready 40x10", TIMEOUT).unwrap();
    pty.resize(100, 30);
    assert_eq!(pty.kernel_size(), (100, 30));
    pty.wait_for_text("winch 100x30", TIMEOUT).unwrap();
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());

    let rows = pty.screen_rows();
    assert_eq!(rows.len(), 30);
    // Drawn after the resize, the 100-column line fits on one row of the
    // model; had the model kept 40 columns it would have wrapped.
    let x = rows.iter().position(|r| r.starts_with('x')).unwrap();
    assert_eq!(rows[x], "x".repeat(100), "{rows:#?}");
    assert_eq!(rows[x + 1], "END");
}

#[test]
fn sigterm_is_reported_as_signal() {
    let pty = Pty::spawn(Pty::command("sleep", &["30"]), 80, 24);
    assert!(pty.try_exit().is_none());
    pty.signal(Signal::SIGTERM).unwrap();
    let started = Instant::now();
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(exit, ExitInfo::Signaled(Signal::SIGTERM));
    assert_eq!(exit.signal(), Some(Signal::SIGTERM));
    assert_eq!(exit.code(), None);
    assert_eq!(exit.shell_status(), 143);
    assert!(!exit.success());
    // Once reaped, the pid may be reused, so signalling is refused.
    assert!(pty.signal(Signal::SIGTERM).is_err());
}

#[test]
fn exit_code_is_reported() {
    let pty = Pty::spawn(Pty::sh("exit 3"), 80, 24);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit, ExitInfo::Exited(3));
    assert_eq!(exit.code(), Some(3));
    assert_eq!(exit.signal(), None);
}

#[test]
fn termios_left_raw_by_child_is_visible_after_exit() {
    let pty = Pty::spawn(Pty::sh("stty raw -echo; exit 0"), 80, 24);
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    let flags = pty.local_flags();
    assert!(!flags.contains(LocalFlags::ICANON), "{flags:?}");
    assert!(!flags.contains(LocalFlags::ECHO), "{flags:?}");
    assert!(!pty.termios_is_sane());
}

#[test]
fn termios_restored_by_child_is_sane_after_exit() {
    // Raw mode switched on and off again, as a well-behaved TUI does.
    let pty = Pty::spawn(
        Pty::sh(r#"saved=$(stty -g); stty raw -echo; stty "$saved"; exit 0"#),
        80,
        24,
    );
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    let flags = pty.local_flags();
    assert!(
        flags.contains(LocalFlags::ICANON | LocalFlags::ECHO),
        "{flags:?}"
    );
    assert!(pty.termios_is_sane());
}

#[test]
fn termios_untouched_by_true_is_sane() {
    let pty = Pty::spawn(Pty::command("true", &[]), 80, 24);
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    assert!(
        pty.local_flags()
            .contains(LocalFlags::ICANON | LocalFlags::ECHO)
    );
    assert!(pty.termios_is_sane());
}

#[test]
fn termios_is_readable_while_child_runs() {
    let pty = Pty::spawn(Pty::sh("stty raw -echo; echo ready; read x"), 80, 24);
    pty.wait_for_text("ready", TIMEOUT).unwrap();
    assert!(!pty.termios_is_sane());
    // Raw mode turned ICRNL off, so `read` needs a real newline.
    pty.send(b"\n");
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
}

#[test]
fn wait_failure_names_the_wait_and_shows_the_screen() {
    let pty = Pty::spawn(Pty::sh("echo visible-text; exec sleep 30"), 80, 24);
    pty.wait_for_text("visible-text", TIMEOUT).unwrap();
    let started = Instant::now();
    let err = pty
        .wait_for_text("never-printed", Duration::from_millis(200))
        .unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(err.contains("timed out"), "{err}");
    assert!(err.contains("never-printed"), "{err}");
    assert!(err.contains("  0|visible-text"), "{err}");
    assert!(err.contains("child running"), "{err}");
}

#[test]
fn wait_gives_up_early_once_output_ended() {
    let pty = Pty::spawn(Pty::sh("echo done"), 80, 24);
    let started = Instant::now();
    let err = pty
        .wait_for_text("never-printed", Duration::from_secs(60))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(30), "{err}");
    assert!(err.contains("output ended"), "{err}");
    assert!(err.contains("done"), "{err}");
}

#[test]
fn wait_exit_times_out_while_child_runs() {
    let pty = Pty::spawn(Pty::command("sleep", &["30"]), 80, 24);
    let err = pty.wait_exit(Duration::from_millis(100)).unwrap_err();
    assert!(err.contains("child exit"), "{err}");
    assert!(err.contains("child running"), "{err}");
}

#[test]
fn drop_kills_and_reaps_child_and_its_group() {
    // A background job keeps the tty open after the shell is gone.
    let pty = Pty::spawn(Pty::sh("sleep 30 & echo \"bg=$!\"; exec sleep 30"), 80, 24);
    pty.wait_for_text("bg=", TIMEOUT).unwrap();
    let pid = pty.pid() as i32;
    let bg: i32 = pty.screen_rows()[0]
        .trim_start_matches("bg=")
        .parse()
        .unwrap();
    let started = Instant::now();
    drop(pty);
    assert!(started.elapsed() < Duration::from_secs(5));
    // The child was reaped (no zombie left: kill(pid, 0) fails with ESRCH).
    assert_eq!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    );
    // The background job got SIGKILL too (it may linger as a zombie until
    // init reaps it, so check its state rather than its existence).
    let state = std::fs::read_to_string(format!("/proc/{bg}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap_or_else(|_| "gone".to_string());
    // It is no longer sleeping: gone, a zombie, or still in its exit path.
    assert!(
        !["S", "T"].contains(&state.as_str()),
        "background job state {state}"
    );
}

#[test]
fn example_path_finds_the_examples_cargo_test_builds() {
    // `cargo test` builds the examples before running tests: the counting
    // demo must be where the harness looks for it, and runnable.
    let path = crate::support::example_path("counting");
    let meta = std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run the whole `cargo test`)", path.display()));
    use std::os::unix::fs::PermissionsExt;
    assert!(meta.is_file() && meta.permissions().mode() & 0o111 != 0);
    assert!(
        crate::support::example_path("no-such-example")
            .metadata()
            .is_err()
    );
}
