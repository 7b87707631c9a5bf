//! reflow embedded in a host program, in a real pseudo-terminal: panics
//! caught and uncaught, a panic in the printer thread, Ctrl-C with and
//! without the host's own handler, a refused second display, the history
//! compressed with and without pauses, and the host's stdin left alone.
//!
//! Each host is one of the `#[ignore]`d `host_*` functions below, run by
//! its test in a child process under a pty (this same test binary, with
//! `--ignored --exact`; see `support::run_host`), so the screen and the
//! exit can be checked from outside.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::support::*;
use nix::sys::signal::Signal;
use nix::sys::termios::LocalFlags;
use reflow::{OnExit, Printer};

/// Lines that try to set the title, write the clipboard and clear the
/// screen.
const HOSTILE: &[u8] = b"title\x1b]0;pwned\x07 clip\x1b]52;c;cHduZWQ=\x07 clear\x1b[2J done";

#[test]
#[ignore = "a host run by a_caught_panic_leaves_the_display_running_and_safe"]
fn host_catches_a_panic() {
    let printer = Printer::builder().on_exit(OnExit::All).spawn().unwrap();
    let tx = printer.sender();
    tx.line("before the panic").unwrap();
    let caught = std::panic::catch_unwind(|| panic!("caught by the host"));
    assert!(caught.is_err());
    tx.line(HOSTILE).unwrap();
    tx.line("after the panic").unwrap();
    // Until the test has seen the display come back.
    std::io::stdin().read_line(&mut String::new()).unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.lines, 3);
}

#[test]
fn a_caught_panic_leaves_the_display_running_and_safe() {
    let pty = run_host(host_name!(host_catches_a_panic), 80, 24, &[]);
    pty.wait_for_text("after the panic", TIMEOUT).unwrap();
    assert!(pty.with_screen(|s| s.alternate_screen()), "not resumed");
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let raw = pty.raw_output();
    // The display came back after the panic's message...
    assert_eq!(count(&raw, ALT_ON), 2, "the display was not resumed");
    let message = raw
        .windows(18)
        .position(|w| w == b"caught by the host")
        .unwrap();
    let resumed = raw
        .windows(ALT_ON.len())
        .rposition(|w| w == ALT_ON)
        .unwrap();
    assert!(
        message < resumed,
        "the display came back before the message"
    );
    // ...and what came after the panic was sanitized like the rest.
    for escape in [&b"\x1b]0;pwned"[..], b"\x1b]52;", b"clear\x1b[2J"] {
        assert!(!contains(&raw, escape), "{escape:?} reached the terminal");
    }
    // `OnExit::All` was honoured after the panic.
    let text = pty.screen_text();
    for line in [
        "before the panic",
        "title clip clear done",
        "after the panic",
    ] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    assert!(text.contains("caught by the host"), "{text}");
}

#[test]
#[ignore = "a host run by a_panic_in_the_printer_thread_restores_and_fails_senders"]
fn host_whose_printer_panics() {
    let printer = Printer::builder().panic_on_marker("BOOM").spawn().unwrap();
    let tx = printer.sender();
    tx.line("first").unwrap();
    tx.line("BOOM").unwrap();
    // Senders learn that the printer is gone instead of hanging.
    let mut sent = 0;
    while tx.line("more").is_ok() {
        sent += 1;
        assert!(sent < 10_000_000, "sends kept succeeding");
    }
    let error = printer.join().unwrap_err();
    println!("join said: {error}");
}

#[test]
fn a_panic_in_the_printer_thread_restores_and_fails_senders() {
    let pty = run_host(host_name!(host_whose_printer_panics), 80, 24, &[]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let text = pty.screen_text();
    assert!(text.contains("the printer thread panics"), "{text}");
    assert!(
        text.contains("join said: the printer thread panicked"),
        "{text}"
    );
}

#[test]
#[ignore = "a host run by ctrl_c_restores_then_ends_a_host_without_a_handler"]
fn host_without_a_sigint_handler() {
    let printer = Printer::builder().spawn().unwrap();
    // A second display is refused, and must not disturb the first one's
    // signal handling.
    let second = Printer::builder().spawn();
    assert!(second.is_err());
    drop(second);
    printer.sender().line("waiting for Ctrl-C").unwrap();
    // Ctrl-C ends this process, after the terminal is restored.
    let _ = printer.wait();
    unreachable!("SIGINT did not end the process");
}

#[test]
fn ctrl_c_restores_then_ends_a_host_without_a_handler() {
    let pty = run_host(host_name!(host_without_a_sigint_handler), 80, 24, &[]);
    pty.wait_for_text("waiting for Ctrl-C", TIMEOUT).unwrap();
    pty.send(b"\x03");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.signal(), Some(Signal::SIGINT), "{exit:?}");
    assert_terminal_restored(&pty);
    // The last screen stays on the normal screen.
    assert!(pty.screen_text().contains("waiting for Ctrl-C"));
}

#[test]
#[ignore = "a host run by a_hosts_own_sigint_handler_keeps_working"]
fn host_with_a_sigint_handler() {
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, interrupted.clone()).unwrap();
    let printer = Printer::builder().spawn().unwrap();
    let tx = printer.sender();
    tx.line("waiting for Ctrl-C").unwrap();
    while !interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::park_timeout(Duration::from_millis(10));
    }
    // The display is still running: the host decides what Ctrl-C means.
    tx.line("the host handled it").unwrap();
    let stopped = printer.join().unwrap();
    assert_eq!(stopped.reason, reflow::StopReason::Shutdown);
    println!("host exits normally");
}

/// Ctrl-C goes to the host `name`'s own handler: the display keeps
/// running, the host carries on, stops it and exits normally.
fn assert_the_host_handles_ctrl_c(name: &str) {
    let pty = run_host(name, 80, 24, &[]);
    pty.wait_for_text("waiting for Ctrl-C", TIMEOUT).unwrap();
    pty.send(b"\x03");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let text = pty.screen_text();
    assert!(text.contains("the host handled it"), "{text}");
    assert!(text.contains("host exits normally"), "{text}");
}

#[test]
fn a_hosts_own_sigint_handler_keeps_working() {
    assert_the_host_handles_ctrl_c(host_name!(host_with_a_sigint_handler));
}

#[test]
#[ignore = "a host run by shutdown_all_before_process_exit_keeps_every_line"]
fn host_calls_process_exit() {
    let printer = Printer::builder().on_exit(OnExit::All).spawn().unwrap();
    let tx = printer.sender();
    for i in 0..2001 {
        tx.line(format!("accepted {i}")).unwrap();
    }
    assert!(reflow::shutdown_all(Duration::from_secs(5)));
    std::process::exit(3);
}

#[test]
fn shutdown_all_before_process_exit_keeps_every_line() {
    let pty = run_host(host_name!(host_calls_process_exit), 80, 24, &[]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(3), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let raw = pty.raw_output();
    // Written on the normal screen, after the display was left.
    assert!(contains(&raw, b"accepted 0\r\n"), "first line missing");
    assert!(contains(&raw, b"accepted 2000\r\n"), "last line missing");
    assert_eq!(count(&raw, b"accepted 1999\r\n"), 1);
}

static HANDLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_sigint(_: std::ffi::c_int) {
    HANDLED.store(true, std::sync::atomic::Ordering::SeqCst);
}

#[test]
#[ignore = "a host run by a_handler_installed_after_the_display_keeps_working"]
fn host_installs_a_sigint_handler_after_spawning() {
    let printer = Printer::builder().spawn().unwrap();
    // As the `ctrlc` crate does: a plain sigaction, replacing whatever was
    // there (reflow's handler included).
    let action = nix::sys::signal::SigAction::new(
        nix::sys::signal::SigHandler::Handler(on_sigint),
        nix::sys::signal::SaFlags::empty(),
        nix::sys::signal::SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic.
    unsafe { nix::sys::signal::sigaction(Signal::SIGINT, &action) }.unwrap();
    let tx = printer.sender();
    tx.line("waiting for Ctrl-C").unwrap();
    while !HANDLED.load(std::sync::atomic::Ordering::SeqCst) {
        std::thread::park_timeout(Duration::from_millis(10));
    }
    tx.line("the host handled it").unwrap();
    printer.join().unwrap();
    println!("host exits normally");
}

#[test]
fn a_handler_installed_after_the_display_keeps_working() {
    assert_the_host_handles_ctrl_c(host_name!(host_installs_a_sigint_handler_after_spawning));
}

#[test]
#[ignore = "a host run by an_uncaught_panic_restores_then_writes_every_line"]
fn host_panics_in_main() {
    let save = std::env::var("REFLOW_TEST_SAVE").unwrap();
    let printer = Printer::builder()
        .on_exit(OnExit::All)
        .save(save)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    for i in 0..100 {
        tx.line(format!("accepted {i}")).unwrap();
    }
    panic!("the host gave up");
}

#[test]
fn an_uncaught_panic_restores_then_writes_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let save = dir.path().join("saved.log");
    let pty = run_host(
        host_name!(host_panics_in_main),
        80,
        24,
        &[("REFLOW_TEST_SAVE", save.to_str().unwrap())],
    );
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    // The test harness reports the panic as a failed test.
    assert_eq!(exit.code(), Some(101), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let raw = pty.raw_output();
    let message = raw
        .windows(16)
        .position(|w| w == b"the host gave up")
        .unwrap();
    let left = find(&raw, ALT_OFF).unwrap();
    assert!(left < message, "the message was printed on the display");
    // Every accepted line, after the message, as `OnExit::All` says.
    let after = &raw[message..];
    for i in [0, 57, 99] {
        let line = format!("accepted {i}\r\n");
        assert!(contains(after, line.as_bytes()), "{line:?} missing");
    }
    let saved = std::fs::read_to_string(&save).unwrap();
    assert_eq!(saved.lines().count(), 100);
}

#[test]
#[ignore = "a host run by a_host_logging_without_pauses_still_gets_its_history_compressed"]
fn host_logs_without_pauses() {
    let printer = Printer::builder().on_exit(OnExit::None).spawn().unwrap();
    let tx = printer.sender();
    let before = rss();
    let mut sent = 0;
    let mut i = 0u64;
    let mut block = Vec::new();
    // 40 MB at a steady 25 MB/s: never quiet for long, as a busy service.
    while sent < 40 << 20 {
        block.clear();
        while block.len() < (1 << 20) - 200 {
            writeln!(
                block,
                "2026-11-26T12:00:00Z INFO api request id={i} status=200"
            )
            .unwrap();
            i += 1;
        }
        tx.lines(&block).unwrap();
        sent += block.len();
        std::thread::sleep(Duration::from_millis(40));
    }
    // Measured while still logging: no pause has come yet.
    let held = rss().saturating_sub(before);
    printer.join().unwrap();
    // Printed after the display, on the normal screen.
    println!(
        "held {held} bytes for {sent} sent: {:.3}",
        held as f64 / sent as f64
    );
}

#[test]
fn a_host_logging_without_pauses_still_gets_its_history_compressed() {
    let pty = run_host(host_name!(host_logs_without_pauses), 80, 24, &[]);
    let exit = pty.wait_exit(Duration::from_secs(60)).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    let text = pty.screen_text();
    let ratio: f64 = text
        .lines()
        .find_map(|l| l.split(": ").nth(1)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no figure in {text}"));
    println!("held / sent: {ratio}");
    // Uncompressed it would hold all of it (1.0); compressed about 0.2.
    assert!(ratio < 0.5, "{text}");
}

// Once input pauses, the history is compressed: memory falls below the
// size of the log.

/// Bytes the compressing host sends.
const COMPRESSIBLE: usize = 100 << 20;

#[test]
#[ignore = "a host run by a_paused_history_takes_less_memory_than_the_log"]
fn host_sends_a_compressible_log_then_pauses() {
    let printer = Printer::builder().on_exit(OnExit::None).spawn().unwrap();
    let tx = printer.sender();
    let start = Instant::now();
    let before = rss();
    let mut sent = 0;
    let mut block = Vec::with_capacity(1 << 20);
    let mut i = 0u64;
    while sent < COMPRESSIBLE {
        block.clear();
        while block.len() < (1 << 20) - 200 {
            writeln!(
                block,
                "2026-11-26T12:00:00Z INFO service request id={i} path=/api/items status=200"
            )
            .unwrap();
            i += 1;
        }
        tx.lines(&block).unwrap();
        sent += block.len();
    }
    let sending = start.elapsed();
    let peak = rss();
    // Memory can only be watched: the kernel has no event for it. First
    // until it is below half the log (the promise), then, for the figure,
    // until it has not fallen for a second.
    let pause = Instant::now();
    let limit = Duration::from_secs(20);
    let mut now = rss();
    while now >= sent / 2 && pause.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(50));
        now = now.min(rss());
    }
    let below_half = (now < sent / 2).then(|| pause.elapsed());
    let mut lowest_at = Instant::now();
    while below_half.is_some() && lowest_at.elapsed() < Duration::from_secs(1) {
        std::thread::sleep(Duration::from_millis(50));
        let next = rss();
        if next < now {
            now = next;
            lowest_at = Instant::now();
        }
    }
    let ratio = now as f64 / sent as f64;
    let stopped = printer.join().unwrap();
    println!(
        "compression: sent {sent} bytes ({i} lines, {} kept) in {} ms; \
         rss before {before}, after sending {peak}, after the pause {now} \
         ({ratio:.3} of the log); {}",
        stopped.lines,
        sending.as_millis(),
        match below_half {
            Some(after) => format!("below half after {} ms: PASS", after.as_millis()),
            None => format!("not below half in {limit:?}: FAIL"),
        }
    );
}

#[test]
fn a_paused_history_takes_less_memory_than_the_log() {
    let pty = run_host(
        host_name!(host_sends_a_compressible_log_then_pauses),
        80,
        24,
        &[],
    );
    let exit = pty.wait_exit(Duration::from_secs(90)).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let report = host_report(&pty, "compression: ");
    println!("{report}");
    assert!(report.ends_with("PASS"), "{report}");
}

#[test]
#[ignore = "a host run by a_display_on_stderr_leaves_stdout_to_the_host"]
fn host_draws_on_stderr() {
    let printer = Printer::builder()
        .target(reflow::Target::Stderr)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    for i in 0..30 {
        tx.line(format!("log line {i}")).unwrap();
    }
    // Until the test has seen the display.
    std::io::stdin().read_line(&mut String::new()).unwrap();
    printer.join().unwrap();
    println!("RESULT 42");
}

#[test]
fn a_display_on_stderr_leaves_stdout_to_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("stdout.txt");
    // stdout to a file, stderr (and stdin) the terminal.
    let script = format!(
        "RUST_BACKTRACE=0 {} > '{}'",
        host_command_line(host_name!(host_draws_on_stderr)),
        out.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    pty.wait_for_text("log line 29", TIMEOUT).unwrap();
    assert!(pty.with_screen(|s| s.alternate_screen()), "no display");
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let stdout = std::fs::read_to_string(&out).unwrap();
    assert!(stdout.contains("RESULT 42"), "{stdout}");
    assert!(
        !stdout.contains("log line"),
        "log lines in the result: {stdout}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "escapes in the result: {stdout:?}"
    );
}

#[test]
#[ignore = "a host run by suspend_gives_the_normal_screen_to_a_prompt_and_comes_back"]
fn host_prompts_while_displaying() {
    let printer = Printer::builder().spawn().unwrap();
    let tx = printer.sender();
    for i in 0..5 {
        tx.line(format!("displayed {i}")).unwrap();
    }
    std::io::stdin().read_line(&mut String::new()).unwrap();
    let answer = printer.suspend(|| {
        print!("Continue? ");
        std::io::stdout().flush().unwrap();
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer).unwrap();
        answer
    });
    tx.line(format!("the answer was {}", answer.trim()))
        .unwrap();
    std::io::stdin().read_line(&mut String::new()).unwrap();
    printer.join().unwrap();
}

#[test]
fn suspend_gives_the_normal_screen_to_a_prompt_and_comes_back() {
    let pty = run_host(host_name!(host_prompts_while_displaying), 80, 24, &[]);
    pty.wait_for_text("displayed 4", TIMEOUT).unwrap();
    pty.send(b"\n");
    // The prompt on the normal screen, with line editing and echo on.
    pty.wait_for("the prompt on the normal screen", TIMEOUT, |s| {
        !s.alternate_screen() && s.contents().contains("Continue? ")
    })
    .unwrap();
    assert!(pty.termios_is_sane());
    pty.send(b"yes\n");
    // The display back, drawn whole, with the line sent after.
    pty.wait_for("the display back", TIMEOUT, |s| {
        s.alternate_screen()
            && s.contents().contains("displayed 0")
            && s.contents().contains("the answer was yes")
    })
    .unwrap();
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
}

// Keyboard input is opt-in: a host that reads its own stdin gets it.

#[test]
#[ignore = "a host run by keyboard_opt_in_leaves_the_hosts_stdin_alone"]
fn host_reads_its_own_stdin() {
    // The default: not interactive.
    let printer = Printer::builder().on_exit(OnExit::All).spawn().unwrap();
    let tx = printer.sender();
    tx.line("host: type a line").unwrap();
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    tx.line(format!("host read {line:?}")).unwrap();
    let stopped = printer.join().unwrap();
    println!("host got {line:?} after {} lines", stopped.lines);
}

#[test]
fn keyboard_opt_in_leaves_the_hosts_stdin_alone() {
    let pty = run_host(host_name!(host_reads_its_own_stdin), 80, 24, &[]);
    pty.wait_for_text("host: type a line", TIMEOUT).unwrap();
    assert!(pty.with_screen(|s| s.alternate_screen()), "no display");
    // The display runs, and the terminal is still cooked: line editing,
    // echo and signal keys, as the host's own read expects.
    let flags = pty.local_flags();
    assert!(
        flags.contains(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG),
        "the display changed the terminal's modes: {flags:?}"
    );
    pty.send(b"hello\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let text = pty.screen_text();
    // Every byte typed reached the host: none was eaten by the printer.
    assert!(
        text.contains(r#"host got "hello\n" after 2 lines"#),
        "{text}"
    );
    assert!(text.contains(r#"host read "hello\n""#), "{text}");
}

#[test]
#[ignore = "a host run by a_hosts_own_output_is_a_line_of_the_full_screen_display"]
fn host_prints_during_a_full_screen_display() {
    let printer = Printer::builder().on_exit(OnExit::All).spawn().unwrap();
    let tx = printer.sender();
    tx.line("sent before").unwrap();
    println!("the host's own stdout line");
    eprintln!("the host's own stderr line");
    tx.line("sent after").unwrap();
    // Until the test has seen the display.
    std::io::stdin().read_line(&mut String::new()).unwrap();
    printer.join().unwrap();
}

#[test]
fn a_hosts_own_output_is_a_line_of_the_full_screen_display() {
    let pty = run_host(
        host_name!(host_prints_during_a_full_screen_display),
        60,
        12,
        &[],
    );
    let order = [
        "sent before",
        "the host's own stdout line",
        "the host's own stderr line",
        "sent after",
    ];
    // On the display, as its lines, in order: not written over it.
    pty.wait_for("the host's lines among the display's", TIMEOUT, |screen| {
        screen.alternate_screen() && in_order(&screen.contents(), &order)
    })
    .unwrap();
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert!(exit.success(), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    // And on the normal screen after the exit, as OnExit::All prints them.
    let screen = pty.screen_text();
    assert!(in_order(&screen, &order), "{screen}");
    for want in order {
        assert_eq!(screen.matches(want).count(), 1, "{want:?}:\n{screen}");
    }
}
