//! reflow as the `log` logger, tried as a tool author would: the example
//! tool (`examples/logger.rs`), with stderr piped and on a terminal.

use std::process::Command;

use crate::support::*;

/// Runs the example tool with `RUST_LOG` and pipes; returns (stdout, stderr).
fn tool(rust_log: &str, args: &[&str]) -> (String, String) {
    let out = Command::new(require_example("logger"))
        .args(args)
        .env("RUST_LOG", rust_log)
        .env_remove("NO_COLOR")
        .output()
        .expect("the example runs");
    assert!(out.status.success(), "{out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const FAST: &[&str] = &["--workers", "8", "--steps", "14", "--step-ms", "1"];

#[test]
fn rust_log_error_shows_only_errors_and_stdout_keeps_only_the_result() {
    let (stdout, stderr) = tool("error", FAST);
    assert_eq!(stdout, "total 840\n");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains(" ERROR logger: worker 0: pretend"),
        "{stderr}"
    );
    // Plain lines: no colour when stderr is not a terminal.
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}

#[test]
fn records_from_eight_threads_all_arrive_whole() {
    let (stdout, stderr) = tool("debug", FAST);
    assert_eq!(stdout, "total 840\n");
    // 8 workers x 14 steps of debug, 2 slow steps each (two lines), one
    // "done" each, an error, a start and an end.
    let debug = stderr.matches(" DEBUG logger: worker ").count();
    assert_eq!(debug, 8 * 14, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.contains("was slow") {
            // The record's second line follows at once, under the message.
            let next = lines[i + 1];
            let indent = line.find("worker").unwrap();
            assert_eq!(
                next,
                format!("{}retried once, fine now", " ".repeat(indent))
            );
        }
    }
    assert_eq!(stderr.matches("was slow").count(), 8 * 2);
    assert_eq!(stderr.matches(" done: 105").count(), 8);
}

#[test]
fn on_a_terminal_the_log_is_drawn_on_stderr_and_left_on_screen() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("result.txt");
    let script = format!(
        "RUST_LOG=info '{}' --workers 2 --steps 3 --step-ms 20 > '{}'",
        require_example("logger").display(),
        out.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 100, 20);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let raw = pty.raw_output();
    // Inline: the records went into the normal screen as they came, as
    // env_logger's would, and no screen was ever switched.
    assert!(!contains(&raw, ALT_ON), "an alternate screen");
    let text = pty.screen_text();
    for line in ["starting 2 workers", "worker 0 done: 6", "all workers done"] {
        assert!(text.contains(line), "{line:?} missing:\n{text}");
    }
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "total 12\n");
}

#[test]
#[ignore = "a host run by wrapped_rows_of_a_record_hang_under_its_message_at_every_width"]
fn host_logs_a_long_record() {
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .try_init()
        .unwrap();
    // The target a binary of its own named `logger` would log under (the
    // module's path here is `integration::logger`).
    log::warn!(
        target: "logger",
        "one two three four five six seven eight nine ten eleven twelve"
    );
    // Until the test has looked at the display.
    std::io::stdin().read_line(&mut String::new()).unwrap();
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
fn wrapped_rows_of_a_record_hang_under_its_message_at_every_width() {
    let pty = run_host(host_name!(host_logs_a_long_record), 40, 10, &[]);
    // "WARN  logger: " is 14 columns: the message's rows start there.
    let want_40 = [
        "WARN  logger: one two three four five",
        "              six seven eight nine ten",
        "              eleven twelve",
    ];
    pty.wait_for("the record at 40 columns", TIMEOUT, |s| {
        has_rows(s, &want_40)
    })
    .unwrap();
    pty.resize(30, 10);
    let want_30 = [
        "WARN  logger: one two three",
        "              four five six",
        "              seven eight nine",
        "              ten eleven",
        "              twelve",
    ];
    pty.wait_for("the record reflowed at 30 columns", TIMEOUT, |s| {
        // Printed again at the new width, in place of the old rows.
        has_rows(s, &want_30) && s.contents().matches("WARN").count() == 1
    })
    .unwrap();
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
}

#[test]
fn help_after_init_is_printed_and_the_terminal_is_left_as_it_was() {
    // The tool calls `reflow::init()` first, where env_logger's goes, and
    // clap's `--help` then ends the process with `process::exit`.
    for (args, code, text) in [
        ("--help", 0, "Usage: logger [OPTIONS]"),
        ("--bogus", 2, "error: unexpected argument '--bogus' found"),
    ] {
        let script = format!("'{}' {args}", require_example("logger").display());
        let pty = Pty::spawn(Pty::sh(&script), 80, 24);
        let exit = pty.wait_exit(TIMEOUT).unwrap();
        assert_eq!(exit.code(), Some(code), "{}", pty.screen_text());
        assert_terminal_restored(&pty);
        assert!(
            !contains(&pty.raw_output(), ALT_ON),
            "{args}: the screen flashed"
        );
        let screen = pty.screen_text();
        assert!(screen.contains(text), "{args}:\n{screen}");
        assert_eq!(screen.matches(text).count(), 1, "{args}:\n{screen}");
    }
}

#[test]
#[ignore = "a host run by the hosts_own_output_stays_in_order_with_its_records_after_process_exit"]
fn host_prints_between_records_then_exits() {
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .try_init()
        .unwrap();
    log::info!(target: "tool", "first record");
    println!("the host's own line");
    log::info!(target: "tool", "second record");
    eprint!("a prompt> ");
    // No destructor runs: exit as clap does.
    std::process::exit(3);
}

#[test]
fn hosts_own_output_stays_in_order_with_its_records_after_process_exit() {
    let pty = run_host(
        host_name!(host_prints_between_records_then_exits),
        60,
        12,
        &[],
    );
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(3), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    assert!(!contains(&pty.raw_output(), ALT_ON));
    let screen = pty.screen_text();
    let at = |text: &str| {
        screen
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} missing:\n{screen}"))
    };
    assert!(at("INFO  tool: first record") < at("the host's own line"));
    assert!(at("the host's own line") < at("INFO  tool: second record"));
    assert!(at("INFO  tool: second record") < at("a prompt>"));
}

#[test]
#[ignore = "a host run by a_repls_prompt_shows_and_its_input_and_output_stay_in_order"]
fn host_is_a_repl() {
    use std::io::{BufRead, Write};
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .try_init()
        .unwrap();
    let stdin = std::io::stdin();
    loop {
        print!("> ");
        std::io::stdout().flush().unwrap();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).unwrap() == 0 || line.trim() == "quit" {
            break;
        }
        log::info!(target: "repl", "got {}", line.trim());
        println!("echo: {}", line.trim());
    }
}

#[test]
fn a_repls_prompt_shows_and_its_input_and_output_stay_in_order() {
    let pty = run_host(host_name!(host_is_a_repl), 50, 12, &[]);
    let prompt_at_cursor = |s: &vt100::Screen| {
        let (row, col) = s.cursor_position();
        let text: String = s.rows(0, 50).nth(usize::from(row)).unwrap_or_default();
        col == 2 && text.trim_end() == ">"
    };
    pty.wait_for("the prompt, the cursor after it", TIMEOUT, prompt_at_cursor)
        .unwrap();
    pty.send(b"hello\r");
    pty.wait_for("the record, the echo, and the next prompt", TIMEOUT, |s| {
        let text = s.contents();
        text.contains("INFO  repl: got hello")
            && text.contains("echo: hello")
            && prompt_at_cursor(s)
    })
    .unwrap();
    pty.send(b"quit\r");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let screen = pty.screen_text();
    // What was typed stays after its prompt, then the record, then the
    // host's answer: as without reflow, with the record where it was logged.
    let at = |text: &str| {
        screen
            .find(text)
            .unwrap_or_else(|| panic!("{text:?}:\n{screen}"))
    };
    assert!(at("> hello") < at("INFO  repl: got hello"), "{screen}");
    assert!(at("INFO  repl: got hello") < at("echo: hello"), "{screen}");
    assert_eq!(screen.matches("> hello").count(), 1, "{screen}");
}

/// Threads of this process now.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

#[test]
#[ignore = "a host run by not_on_a_terminal_records_are_written_by_the_caller_and_no_thread_starts"]
fn host_logs_into_a_pipe() {
    let before = threads();
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .try_init()
        .unwrap();
    log::info!(target: "tool", "one record");
    log::warn!(target: "tool", "two\nlines");
    println!("threads {before} {}", threads());
}

#[test]
fn not_on_a_terminal_records_are_written_by_the_caller_and_no_thread_starts() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "logger::host_logs_into_a_pipe",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let counts = stdout
        .lines()
        .find_map(|l| l.split_once("threads ").map(|(_, counts)| counts))
        .unwrap_or_else(|| panic!("{stdout}\n{stderr}"));
    let (before, after) = counts.split_once(' ').unwrap();
    assert_eq!(before, after, "threads before and after logging");
    assert!(
        stderr.contains("INFO  tool: one record\nWARN  tool: two\n            lines\n"),
        "{stderr}"
    );
}

#[test]
#[ignore = "a host run by ctrl_c_ends_a_logging_flood_and_says_what_it_did_not_print"]
fn host_floods_from_four_threads() {
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .try_init()
        .unwrap();
    let floods: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0u64.. {
                    log::info!(target: "flood", "thread {t} record {i} with some words");
                }
            })
        })
        .collect();
    for flood in floods {
        let _ = flood.join();
    }
}

#[test]
fn ctrl_c_ends_a_logging_flood_and_says_what_it_did_not_print() {
    let pty = run_host(host_name!(host_floods_from_four_threads), 80, 24, &[]);
    pty.wait_for_text("record", TIMEOUT).unwrap();
    pty.send(b"\x03");
    // No handler of the host's: the process ends as SIGINT ends it, after
    // the terminal is given back; what it did not print is said.
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(
        exit.signal(),
        Some(nix::sys::signal::Signal::SIGINT),
        "{exit:?}"
    );
    assert_terminal_restored(&pty);
    let screen = pty.screen_text();
    let last = screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        last.starts_with("reflow: ") && last.ends_with(" lines not printed: stopped by a signal")
            || (last.starts_with("INFO  flood: thread ") && last.ends_with(" with some words")),
        "the last line is whole: {last:?}\n{screen}"
    );
}

#[test]
#[ignore = "a host run by the_logger_works_for_the_whole_process_without_a_guard_kept"]
fn host_drops_the_guard_at_once() {
    let _ = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .try_init()
        .unwrap();
    log::info!(target: "tool", "logged after the guard was dropped");
    std::thread::spawn(|| log::warn!(target: "tool", "and from another thread"))
        .join()
        .unwrap();
}

#[test]
fn the_logger_works_for_the_whole_process_without_a_guard_kept() {
    let pty = run_host(host_name!(host_drops_the_guard_at_once), 80, 24, &[]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let screen = pty.screen_text();
    assert!(
        screen.contains("INFO  tool: logged after the guard was dropped"),
        "{screen}"
    );
    assert!(
        screen.contains("WARN  tool: and from another thread"),
        "{screen}"
    );
}

#[test]
#[ignore = "a host run by a_tool_ported_from_env_logger_by_a_rename_keeps_its_look_on_the_display"]
fn host_ported_from_env_logger() {
    // As the tool had it, with `env_logger::` renamed.
    reflow::env_logger::Builder::from_default_env()
        .format_timestamp(None)
        .init();
    log::warn!(target: "tool", "disk almost full\nfree: 3%");
    log::info!(target: "tool", "one two three four five six seven eight nine ten");
    log::debug!(target: "tool", "not shown at info");
}

#[test]
fn a_tool_ported_from_env_logger_by_a_rename_keeps_its_look_on_the_display() {
    for style in ["never", "always"] {
        let pty = run_host(
            host_name!(host_ported_from_env_logger),
            40,
            12,
            &[("RUST_LOG", "info"), ("RUST_LOG_STYLE", style)],
        );
        let exit = pty.wait_exit(TIMEOUT).unwrap();
        assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
        assert_terminal_restored(&pty);
        assert!(!contains(&pty.raw_output(), ALT_ON));
        for rows in [
            &["[WARN  tool] disk almost full", "    free: 3%"][..],
            &[
                "[INFO  tool] one two three four five six",
                "             seven eight nine ten",
            ][..],
        ] {
            pty.wait_for("env_logger's look, wrapped", TIMEOUT, |s| has_rows(s, rows))
                .unwrap();
        }
        let screen = pty.screen_text();
        assert!(!screen.contains("not shown"), "{screen}");
        let coloured = contains(&pty.raw_output(), b"33mWARN");
        assert_eq!(coloured, style == "always", "{style}");
    }
}

#[test]
#[ignore = "a host run by q_closes_the_viewer_and_the_records_go_on_inline_none_lost"]
fn host_with_a_viewer_logs_on_after_q() {
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Info)
        .printer(|p| p.interactive(true))
        .try_init()
        .unwrap();
    // The host goes on working while its user looks, and after.
    for i in 0..60 {
        log::info!(target: "tool", "record {i:02}");
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

#[test]
fn q_closes_the_viewer_and_the_records_go_on_inline_none_lost() {
    let pty = run_host(host_name!(host_with_a_viewer_logs_on_after_q), 60, 12, &[]);
    pty.wait_for("the viewer", TIMEOUT, |s| {
        s.alternate_screen() && s.contents().contains("record 05")
    })
    .unwrap();
    pty.send(b"q");
    pty.wait_for("the normal screen", TIMEOUT, |s| !s.alternate_screen())
        .unwrap();
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    // Every record, once, in order: those of the viewer printed when it
    // closed, the rest as they came.
    let rows: Vec<String> = pty
        .all_rows()
        .into_iter()
        .filter(|r| r.starts_with("INFO  tool: record "))
        .collect();
    let want: Vec<String> = (0..60)
        .map(|i| format!("INFO  tool: record {i:02}"))
        .collect();
    assert_eq!(rows, want);
}

/// Two tests of a tool's own test suite, as env_logger's docs have them:
/// `let _ = builder().is_test(true).try_init();` in each. The first
/// passes, the second fails; run by `cargo test` with its capture on.
#[test]
#[ignore = "a host run by is_test_records_go_through_the_harness_capture_of_each_test"]
fn host_is_test_a_passing_test() {
    let _ = reflow::env_logger::builder().is_test(true).try_init();
    log::warn!(target: "suite", "record of the passing test");
}

#[test]
#[ignore = "a host run by is_test_records_go_through_the_harness_capture_of_each_test"]
fn host_is_test_b_failing_test() {
    let _ = reflow::env_logger::builder().is_test(true).try_init();
    log::warn!(target: "suite", "record of the failing test");
    panic!("the failure");
}

#[test]
fn is_test_records_go_through_the_harness_capture_of_each_test() {
    // Both hosts, in order, on one thread, with the harness capturing
    // (no --nocapture): as `cargo test` runs a suite on a terminal.
    let exe = std::env::current_exe().expect("current_exe");
    let args = ["--ignored", "host_is_test_", "--test-threads=1"];
    let mut cmd = Pty::command(exe, &args);
    cmd.env("RUST_LOG", "warn");
    cmd.env("RUST_BACKTRACE", "0");
    let pty = Pty::spawn(cmd, 100, 40);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(101), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let raw = pty.raw_output();
    assert!(!contains(&raw, ALT_ON), "{}", pty.screen_text());
    let all = pty.all_rows().join("\n");
    // The failing test's record is in its captured output, with its look;
    // the passing test's is not shown at all.
    let failure = all
        .find("---- logger::host_is_test_b_failing_test stdout ----")
        .unwrap_or_else(|| panic!("no failure output:\n{all}"));
    let record = all
        .find("WARN  suite] record of the failing test")
        .unwrap_or_else(|| panic!("the failing test's record is missing:\n{all}"));
    assert!(failure < record, "{all}");
    assert!(!all.contains("record of the passing test"), "{all}");
    assert!(
        all.contains("test logger::host_is_test_a_passing_test ... ok"),
        "{all}"
    );
}

#[test]
#[ignore = "a host run by a_worker_threads_panic_shows_at_once_among_the_records"]
fn host_whose_worker_panics() {
    reflow::env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .format_timestamp(None)
        .init();
    log::info!(target: "tool", "before the worker");
    let worker = std::thread::spawn(|| {
        log::info!(target: "tool", "the worker starts");
        panic!("the worker's failure");
    });
    let _ = worker.join();
    log::info!(target: "tool", "after the worker");
    println!("the host's own line");
    // Until the test has seen all of it, with the host still running.
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn a_worker_threads_panic_shows_at_once_among_the_records() {
    let pty = run_host(host_name!(host_whose_worker_panics), 80, 24, &[]);
    let order = [
        "INFO  tool] before the worker",
        "INFO  tool] the worker starts",
        "the worker's failure",
        "INFO  tool] after the worker",
        "the host's own line",
    ];
    pty.wait_for(
        "everything, in order, while the host runs",
        TIMEOUT,
        |screen| in_order(&screen.contents(), &order),
    )
    .unwrap();
    pty.send(b"\n");
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert!(exit.success(), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let screen = pty.screen_text();
    for want in order {
        assert_eq!(screen.matches(want).count(), 1, "{want:?}:\n{screen}");
    }
}

#[test]
#[ignore = "a host run by a_panic_of_the_main_thread_leaves_every_record_and_its_message"]
fn host_whose_main_panics() {
    reflow::env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .format_timestamp(None)
        .init();
    log::info!(target: "tool", "before the panic");
    println!("the host's own line");
    panic!("the main thread's failure");
}

#[test]
fn a_panic_of_the_main_thread_leaves_every_record_and_its_message() {
    let pty = run_host(host_name!(host_whose_main_panics), 80, 24, &[]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(101), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let screen = pty.screen_text();
    let at = |text: &str| {
        screen
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} missing:\n{screen}"))
    };
    assert!(at("INFO  tool] before the panic") < at("the host's own line"));
    assert!(at("the host's own line") < at("the main thread's failure"));
}

#[test]
#[ignore = "a host run by an_exit_a_slow_terminal_cannot_wait_for_is_cut_between_lines_and_said"]
fn host_logs_a_burst_then_exits() {
    reflow::env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .init();
    for i in 0..15_000 {
        log::info!(target: "burst", "record {i} of a burst that a slow terminal takes seconds to show");
    }
}

#[test]
fn an_exit_a_slow_terminal_cannot_wait_for_is_cut_between_lines_and_said() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    // A terminal that takes about 200 KB a second (an ssh link, a slow
    // emulator): the burst's last records need longer than the exit
    // waits (5 s).
    let pty = nix::pty::openpty(
        Some(&nix::pty::Winsize {
            ws_row: 40,
            ws_col: 120,
            ws_xpixel: 0,
            ws_ypixel: 0,
        }),
        None,
    )
    .unwrap();
    let exe = std::env::current_exe().unwrap();
    let name = host_name!(host_logs_a_burst_then_exits);
    let mut child = Command::new("setsid")
        .arg("-w")
        .arg(&exe)
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TERM", "xterm-256color")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(std::fs::File::from(pty.slave.try_clone().unwrap()))
        .stderr(std::fs::File::from(pty.slave))
        .spawn()
        .unwrap();
    let fast = Arc::new(AtomicBool::new(false));
    let reader = {
        let fast = Arc::clone(&fast);
        let mut master = std::fs::File::from(pty.master);
        std::thread::spawn(move || {
            let mut out = Vec::new();
            let mut buf = [0u8; 1024];
            loop {
                match master.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                }
                if !fast.load(Ordering::SeqCst) {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
            out
        })
    };
    let status = child.wait().unwrap();
    fast.store(true, Ordering::SeqCst);
    let out = reader.join().unwrap();
    assert!(status.success(), "{status:?}");
    // The pty's output processing makes each "\r\n" "\r\r\n".
    let text = String::from_utf8_lossy(&out).replace("\r\r\n", "\r\n");
    let notice = "reflow: the rest was not printed: the terminal did not take it before the exit";
    let at = text.find(notice).unwrap_or_else(|| {
        panic!(
            "no notice at the end:\n{}",
            &text[text.len().saturating_sub(2000)..]
        )
    });
    assert_eq!(text.matches(notice).count(), 1, "said once");
    // On a row of its own, after the last row written, and nothing of
    // the log after it: the cursor shown again, the modes given back.
    let before = &text[..at];
    assert!(
        before.ends_with("\x1b[0m\r\n\x1b[2m"),
        "{:?}",
        &before[before.len().saturating_sub(200)..]
    );
    let after = &text[at + notice.len()..];
    assert!(!after.contains("record "), "{after:?}");
    assert!(
        text.contains("record 0 of a burst"),
        "the burst's start is shown"
    );
    assert!(!text.contains("record 14999 of"), "the burst's end was cut");
}

#[test]
#[ignore = "a host run by the_loggers_records_carry_their_level_to_the_viewer"]
fn host_logs_records_of_every_level_to_a_viewer() {
    let _log = reflow::Logger::builder()
        .timestamps(false)
        .filter_level(log::LevelFilter::Debug)
        .printer(|p| p.interactive(true))
        .try_init()
        .unwrap();
    log::info!(target: "tool", "started");
    log::error!(target: "tool::db", "query failed\nerror: connection reset");
    log::warn!(target: "tool::net", "slow peer");
    log::debug!(target: "tool", "an error word in a debug record");
    log::error!(target: "tool::db", "gave up");
    // The host goes on working while its user looks.
    for i in 0..240 {
        log::info!(target: "tool", "tick {i:03}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Issue 19, item 8: the logger's records tell the viewer their level in
/// reflow's header (no parsing; its colours stay its own): `e`, the level
/// filter and the counts work on them.
#[test]
fn the_loggers_records_carry_their_level_to_the_viewer() {
    let pty = run_host(
        host_name!(host_logs_records_of_every_level_to_a_viewer),
        70,
        12,
        &[],
    );
    // More lines than the screen holds, so a record can go to the top.
    pty.wait_for("the viewer", TIMEOUT, |s| {
        s.alternate_screen() && s.contents().contains("tick 020")
    })
    .unwrap();
    wait_status(&pty, "the records counted", "2 errors 1 warning");
    pty.send(b"g");
    pty.wait_for_text("INFO  tool: started", TIMEOUT).unwrap();
    pty.send(b"e");
    pty.wait_for("the first error at the top", TIMEOUT, |s| {
        content_rows(s)
            .first()
            .is_some_and(|r| r.starts_with("ERROR tool::db: query failed"))
    })
    .unwrap();
    pty.send(b"e");
    pty.wait_for("the second error at the top", TIMEOUT, |s| {
        content_rows(s)
            .first()
            .is_some_and(|r| r.starts_with("ERROR tool::db: gave up"))
    })
    .unwrap();
    // Only errors, each whole (the error line of the first under it).
    pty.send(b"LLLL");
    wait_rows(
        &pty,
        "the error records",
        &[
            "ERROR tool::db: query failed",
            "                error: connection reset",
            "ERROR tool::db: gave up",
        ],
    );
    // The logger's own colour stays: red, as it wrote it.
    let colour = pty.with_screen(|s| s.cell(0, 0).unwrap().fgcolor());
    assert_eq!(colour, vt100::Color::Idx(1));
    pty.send(b"q");
    let exit = pty.wait_exit(std::time::Duration::from_secs(30)).unwrap();
    assert_eq!(exit.code(), Some(0), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
}
