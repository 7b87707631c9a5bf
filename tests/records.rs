//! Log records (issue 19): levels read from the text, records kept whole.
//! `--level` written to a pipe or a file, and on the display.

use crate::support::*;

/// A Python `logging` log as its default handler writes it, with a
/// traceback under its error.
const PYTHON: &str = "\
2026-12-03 16:00:00,001 INFO app: start
2026-12-03 16:00:00,002 ERROR app: request failed
Traceback (most recent call last):
  File \"/srv/app.py\", line 12, in handle
    return 1 / 0
ZeroDivisionError: division by zero
2026-12-03 16:00:00,003 DEBUG app: detail
2026-12-03 16:00:00,004 WARNING app: slow disk
2026-12-03 16:00:00,005 INFO app: done
";

#[test]
fn level_writes_whole_records_at_the_level_or_above_as_received() {
    let out = reflow(&["--level", "error"], PYTHON.as_bytes());
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "2026-12-03 16:00:00,002 ERROR app: request failed\n\
         Traceback (most recent call last):\n  File \"/srv/app.py\", line 12, in handle\n    \
         return 1 / 0\nZeroDivisionError: division by zero\n"
    );
    let out = reflow(&["--level", "warn"], PYTHON.as_bytes());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.ends_with("WARNING app: slow disk\n"), "{text}");
    assert!(!text.contains("INFO") && !text.contains("DEBUG"), "{text}");
    let all = reflow(&["--level", "trace"], PYTHON.as_bytes());
    assert_eq!(all.stdout, PYTHON.as_bytes());
}

#[test]
fn level_passes_text_that_is_not_a_log_whole() {
    let readme = "# Troubleshooting\n\nError: the cache is missing.\n\
                  Run the setup again; it rebuilds the cache\nfrom the sources.\n\n\
                  WARNING: never run it as root.\nIt would change the owner of\nevery file.\n";
    let out = reflow(&["--level", "error"], readme.as_bytes());
    assert_eq!(String::from_utf8_lossy(&out.stdout), readme);
}

#[test]
fn plain_reads_no_records_and_conflicts_with_level() {
    let out = reflow(&["--plain"], PYTHON.as_bytes());
    assert_eq!(out.stdout, PYTHON.as_bytes());
    let out = reflow(&["--plain", "--level", "warn"], PYTHON.as_bytes());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--plain") && err.contains("--level"), "{err}");
}

#[test]
fn level_learns_each_files_format_and_keeps_bytes_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.jsonl"));
    std::fs::write(&a, PYTHON).unwrap();
    // pino's numeric levels, a stack in a JSON string, invalid UTF-8.
    let json = b"{\"level\":30,\"msg\":\"up\"}\n\
                 {\"level\":50,\"msg\":\"boom \xff\",\"stack\":\"Error: boom\\n    at f (a.js:1)\"}\n\
                 {\"level\":40,\"msg\":\"slow\"}\n";
    std::fs::write(&b, json).unwrap();
    let out = reflow(
        &["--level", "error", a.to_str().unwrap(), b.to_str().unwrap()],
        b"",
    );
    assert!(out.status.success(), "{out:?}");
    let mut want = PYTHON
        .lines()
        .skip(1)
        .take(5)
        .collect::<Vec<_>>()
        .join("\n")
        .into_bytes();
    want.push(b'\n');
    want.extend_from_slice(
        b"{\"level\":50,\"msg\":\"boom \xff\",\"stack\":\"Error: boom\\n    at f (a.js:1)\"}\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&want)
    );
    assert_eq!(out.stdout, want);
}

#[test]
fn level_on_a_big_file_read_in_place_keeps_every_error_record() {
    // Past the 8 MiB at which a file is read in place.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    let mut log = String::new();
    let mut want = String::new();
    let mut i = 0;
    while log.len() < 9 << 20 {
        let line = if i % 1000 == 7 {
            let r = format!(
                "2026-12-03T16:00:{:02}.{i:06}Z ERROR svc: failed {i}\n    at handler ({i})\n",
                i % 60
            );
            want.push_str(&r);
            r
        } else {
            format!(
                "2026-12-03T16:00:{:02}.{i:06}Z  INFO svc: request {i} ok\n",
                i % 60
            )
        };
        log.push_str(&line);
        i += 1;
    }
    std::fs::write(&path, &log).unwrap();
    let out = reflow(&["--level", "error", path.to_str().unwrap()], b"");
    assert!(out.status.success(), "{out:?}");
    assert!(want.len() > 1000);
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);
}

/// The binary showing `text` as a file, at 80x24, with `args`.
fn showing(text: &[u8], args: &[&str]) -> (Pty, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "app.log", text);
    let mut all = args.to_vec();
    all.push(file.to_str().unwrap());
    let pty = Pty::spawn(Pty::command(BIN, &all), 80, 24);
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    wait_status(&pty, "the whole file", &format!("{lines} lines"));
    (pty, dir)
}

/// The colour and boldness of the cell at `row`, `col`.
fn colour(pty: &Pty, row: u16, col: u16) -> (vt100::Color, bool) {
    pty.with_screen(|s| {
        let cell = s.cell(row, col).unwrap();
        (cell.fgcolor(), cell.bold())
    })
}

/// The row on screen that starts with `text`.
fn row_of(pty: &Pty, text: &str) -> u16 {
    let rows = pty.screen_rows();
    let row = rows.iter().position(|r| r.starts_with(text));
    u16::try_from(row.unwrap_or_else(|| panic!("no row {text:?} in {rows:#?}"))).unwrap()
}

#[test]
fn levels_are_coloured_by_class_and_nothing_else_is() {
    let (pty, _dir) = showing(PYTHON.as_bytes(), &[]);
    let level_col = "2026-12-03 16:00:00,002 ".len() as u16;
    let error = row_of(&pty, "2026-12-03 16:00:00,002 ERROR");
    assert_eq!(colour(&pty, error, level_col), (vt100::Color::Idx(1), true));
    assert_eq!(
        colour(&pty, error, level_col + 4),
        (vt100::Color::Idx(1), true)
    );
    // The time, the rest of the line, the traceback: as they were.
    assert_eq!(colour(&pty, error, 0), (vt100::Color::Default, false));
    assert_eq!(
        colour(&pty, error, level_col + 6),
        (vt100::Color::Default, false)
    );
    assert_eq!(colour(&pty, error + 1, 0), (vt100::Color::Default, false));
    let warn = row_of(&pty, "2026-12-03 16:00:00,004 WARNING");
    assert_eq!(colour(&pty, warn, level_col), (vt100::Color::Idx(3), false));
    let info = row_of(&pty, "2026-12-03 16:00:00,001 INFO");
    assert_eq!(colour(&pty, info, level_col), (vt100::Color::Idx(2), false));
    let debug = row_of(&pty, "2026-12-03 16:00:00,003 DEBUG");
    assert_eq!(
        colour(&pty, debug, level_col),
        (vt100::Color::Idx(4), false)
    );
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

#[test]
fn a_line_with_colours_of_its_own_plain_and_prose_are_not_coloured() {
    let mut text = PYTHON.replace(
        "16:00:00,004 WARNING",
        "16:00:00,004 \x1b[35mWARNING\x1b[0m",
    );
    text.push_str("done\n");
    let (pty, _dir) = showing(text.as_bytes(), &[]);
    let col = "2026-12-03 16:00:00,004 ".len() as u16;
    let warn = row_of(&pty, "2026-12-03 16:00:00,004 WARNING");
    assert_eq!(colour(&pty, warn, col), (vt100::Color::Idx(5), false));
    quit(&pty);
    assert_exits_restored(&pty, 0);

    let (pty, _dir) = showing(PYTHON.as_bytes(), &["--plain"]);
    let error = row_of(&pty, "2026-12-03 16:00:00,002 ERROR");
    assert_eq!(colour(&pty, error, col), (vt100::Color::Default, false));
    quit(&pty);
    assert_exits_restored(&pty, 0);

    let readme = "Error: the cache is missing.\nRun the setup again; it rebuilds\nthe cache from the sources.\n\
                  WARNING: never as root.\nIt would change the owner\nof every file.\n";
    let (pty, _dir) = showing(readme.as_bytes(), &[]);
    for (row, _) in readme.lines().enumerate() {
        for col in 0..8 {
            assert_eq!(
                colour(&pty, row as u16, col),
                (vt100::Color::Default, false),
                "row {row}"
            );
        }
    }
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

/// A log of `n` records, errors and warnings among them, each error with
/// a traceback under it.
fn long_log(n: usize, errors: &[usize], warnings: &[usize]) -> String {
    let mut log = String::new();
    for i in 0..n {
        let time = format!(
            "2026-12-03 16:{:02}:{:02},{:03}",
            i / 60 % 60,
            i % 60,
            i % 1000
        );
        if errors.contains(&i) {
            log.push_str(&format!("{time} ERROR app: request {i} failed\n"));
            log.push_str("Traceback (most recent call last):\n  File \"app.py\", line 3\n");
            log.push_str("ZeroDivisionError: division by zero\n");
        } else if warnings.contains(&i) {
            log.push_str(&format!("{time} WARNING app: request {i} slow\n"));
        } else {
            log.push_str(&format!("{time} INFO app: request {i} done, no error\n"));
        }
    }
    log
}

/// Waits until the top row starts with `text`.
fn wait_top(pty: &Pty, text: &str) {
    pty.wait_for(&format!("{text:?} at the top"), TIMEOUT, |s| {
        content_rows(s).first().is_some_and(|r| r.starts_with(text))
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// `row` as a further line of an error record of `long_log` is drawn:
/// hanging under the message (`2026-12-03 16:02:30,150 ERROR ` is 30
/// columns).
fn under_error(row: &str) -> String {
    format!("{:30}{row}", "")
}

/// The traceback of `long_log`'s errors, as drawn.
fn traceback() -> Vec<String> {
    [
        "Traceback (most recent call last):",
        "  File \"app.py\", line 3",
        "ZeroDivisionError: division by zero",
    ]
    .map(under_error)
    .to_vec()
}

#[test]
fn e_and_w_move_to_the_next_and_previous_error_and_warning_records() {
    let log = long_log(3000, &[150, 2100], &[700, 2500]);
    let (pty, _dir) = showing(log.as_bytes(), &[]);
    // The status bar counts them ("no error" in a message is none).
    wait_status(&pty, "the records counted", "2 errors 2 warnings");
    // From the end back: the last error, at the top, its traceback under it.
    pty.send(b"E");
    wait_top(
        &pty,
        "2026-12-03 16:35:00,100 ERROR app: request 2100 failed",
    );
    let rows = pty.screen_rows();
    assert_eq!(rows[1], under_error("Traceback (most recent call last):"));
    pty.send(b"E");
    wait_top(
        &pty,
        "2026-12-03 16:02:30,150 ERROR app: request 150 failed",
    );
    pty.send(b"E");
    wait_status(
        &pty,
        "nothing before the first error",
        "no error record before this",
    );
    // w: a warning or worse, forward.
    pty.send(b"w");
    wait_top(
        &pty,
        "2026-12-03 16:11:40,700 WARNING app: request 700 slow",
    );
    pty.send(b"w");
    wait_top(
        &pty,
        "2026-12-03 16:35:00,100 ERROR app: request 2100 failed",
    );
    pty.send(b"w");
    wait_top(
        &pty,
        "2026-12-03 16:41:40,500 WARNING app: request 2500 slow",
    );
    pty.send(b"e");
    wait_status(&pty, "nothing after", "no error record after this");
    pty.send(b"W");
    wait_top(
        &pty,
        "2026-12-03 16:35:00,100 ERROR app: request 2100 failed",
    );
    // "no error" in an info record's message makes no error record.
    pty.send(b"g");
    wait_top(&pty, "2026-12-03 16:00:00,000 INFO");
    pty.send(b"e");
    wait_top(&pty, "2026-12-03 16:02:30,150 ERROR");
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

#[test]
fn e_finds_no_errors_in_text_that_is_not_a_log() {
    let mut readme = String::new();
    for i in 0..60 {
        readme.push_str(&format!("Error: case {i} of the troubleshooting guide.\n"));
        readme.push_str("It happens when the cache is stale, and the fix\n");
        readme.push_str("is to rebuild it from the sources.\n");
    }
    let (pty, _dir) = showing(readme.as_bytes(), &[]);
    pty.send(b"g");
    wait_top(&pty, "Error: case 0");
    let bar = status_row(&pty.with_screen(|s| s.clone()));
    assert!(!bar.contains("error"), "{bar}");
    pty.send(b"e");
    wait_status(&pty, "no error in prose", "no error record after this");
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

/// Issue 19, item 10: the level of every line of real logs from 24
/// systems and libraries, record-aware, at least 99% right per format, and
/// no line of four texts that are no logs taken for an error (the corpus
/// and how it was made: `tests/fixtures/logs/README.md`).
#[test]
fn levels_of_real_logs_are_right_for_every_format() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new("python3")
        .arg(format!("{root}/scripts/accuracy.py"))
        .arg(BIN)
        .arg(format!("{root}/tests/fixtures/logs"))
        .arg("--show-wrong")
        .arg("5")
        .output()
        .expect("python3 runs scripts/accuracy.py");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("accuracy: 28 passed, 0 failed"), "{report}");
}

#[test]
fn l_and_shift_l_set_the_least_level_shown_records_whole_with_the_filter() {
    let log = long_log(400, &[150, 300], &[200, 350]);
    let (pty, _dir) = showing(log.as_bytes(), &[]);
    // L three times: debug, info, warn.
    pty.send(b"LLL");
    let mut warn_or_worse = vec!["2026-12-03 16:02:30,150 ERROR app: request 150 failed".into()];
    warn_or_worse.extend(traceback());
    warn_or_worse.push("2026-12-03 16:03:20,200 WARNING app: request 200 slow".into());
    warn_or_worse.push("2026-12-03 16:05:00,300 ERROR app: request 300 failed".into());
    warn_or_worse.extend(traceback());
    warn_or_worse.push("2026-12-03 16:05:50,350 WARNING app: request 350 slow".into());
    wait_rows(&pty, "warnings and errors, whole", &warn_or_worse);
    assert!(status_row(&pty.with_screen(|s| s.clone())).contains("\u{2265}warn"));
    // With a filter: both hold.
    pty.send(b"&350\r");
    wait_rows(
        &pty,
        "the filter too",
        &["2026-12-03 16:05:50,350 WARNING app: request 350 slow"],
    );
    pty.send(b"&\r");
    wait_rows(&pty, "the filter dropped, the level kept", &warn_or_worse);
    pty.send(b"L");
    let errors: Vec<&String> = warn_or_worse
        .iter()
        .filter(|row| !row.contains("WARNING"))
        .collect();
    wait_rows(&pty, "errors only", &errors);
    // l back down to every level: the last lines of the log again.
    pty.send(b"llll");
    wait_status(&pty, "every level", "showing records at every level");
    pty.wait_for_text("INFO app: request 399 done", TIMEOUT)
        .unwrap();
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

#[test]
fn level_on_a_display_is_the_least_level_at_first() {
    let log = long_log(400, &[150], &[200]);
    let (pty, _dir) = showing(log.as_bytes(), &["--level", "error"]);
    wait_rows(
        &pty,
        "the error record alone",
        &[
            vec!["2026-12-03 16:02:30,150 ERROR app: request 150 failed".into()],
            traceback(),
        ]
        .concat(),
    );
    pty.send(b"l");
    pty.wait_for_text("WARNING app: request 200 slow", TIMEOUT)
        .unwrap();
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

/// pino's JSON lines: a multi-line stack in a string, a long message, a
/// message with an escape sequence in it.
const PINO: &str = concat!(
    r#"{"level":30,"time":1733241600123,"pid":7,"hostname":"web-1","msg":"server listening","port":8080}"#,
    "\n",
    r#"{"level":50,"time":1733241600456,"pid":7,"msg":"request failed","stack":"Error: boom\n    at handler (/srv/app.js:12:9)"}"#,
    "\n",
    r#"{"level":40,"time":1733241600789,"msg":"slow response from the upstream payment service, retrying","ms":1234}"#,
    "\n",
    r#"{"level":30,"time":1733241600999,"msg":"title \u001b]2;pwned\u0007 here"}"#,
    "\n",
);

#[test]
fn search_and_filter_match_json_records_as_they_are_drawn() {
    let (pty, _dir) = showing(PINO.as_bytes(), &[]);
    let listening = "2024-12-03T16:00:00.123Z INFO server listening pid=7 hostname=web-1 port=8080";
    // Drawn `port=8080`, received `"port":8080`.
    pty.send(b"&port=8080\r");
    wait_rows(&pty, "the record drawn with it", &[listening]);
    wait_status(&pty, "the filter", "&port=8080");
    // As received, nothing is drawn so: J filters again.
    pty.send(b"J");
    wait_status(
        &pty,
        "the filter on the raw lines",
        "no line matches &port=8080",
    );
    pty.send(b"J");
    wait_rows(&pty, "the record again", &[listening]);
    // A search sees the level word and the stack's rows as drawn.
    pty.send(b"&\r");
    pty.wait_for_text("2024-12-03T16:00:00.999Z INFO title", TIMEOUT)
        .unwrap();
    pty.send(b"g/^ +at handler|Z ERROR request\r");
    wait_status(&pty, "the stack's row found", "match 1 of 1");
    pty.send(b"g/\"pid\":7\r");
    wait_status(&pty, "nothing drawn so", "pattern not found");
    pty.send(b"J");
    pty.send(b"g/\"pid\":7\r");
    // (From the line after the top one, as less does.)
    wait_status(&pty, "the raw lines", "match 2 of 2");
    quit(&pty);
    assert_exits_restored(&pty, 0);
}

#[test]
fn json_records_read_as_lines_with_their_stack_under_them_and_j_shows_them_raw() {
    let (pty, _dir) = showing(PINO.as_bytes(), &[]);
    wait_rows(
        &pty,
        "readable records",
        &[
            "2024-12-03T16:00:00.123Z INFO server listening pid=7 hostname=web-1 port=8080",
            "2024-12-03T16:00:00.456Z ERROR request failed pid=7",
            "                               stack:",
            "                                 Error: boom",
            "                                     at handler (/srv/app.js:12:9)",
            "2024-12-03T16:00:00.789Z WARN slow response from the upstream payment service,",
            "                              retrying ms=1234",
            "2024-12-03T16:00:00.999Z INFO title ^[]2;pwned^G here",
        ],
    );
    // The level in its colour, the fields dim.
    let error = row_of(&pty, "2024-12-03T16:00:00.456Z ERROR");
    assert_eq!(colour(&pty, error, 25), (vt100::Color::Idx(1), true));
    assert!(
        pty.with_screen(|s| s.cell(error, 47).unwrap().dim()),
        "fields are dim"
    );
    assert!(
        !contains(&pty.raw_output(), b"\x1b]2;pwned"),
        "no escape reached the terminal"
    );
    // J: the lines as received.
    pty.send(b"J");
    pty.wait_for_text(r#"{"level":30,"time":1733241600123,"pid":7"#, TIMEOUT)
        .unwrap();
    pty.send(b"J");
    pty.wait_for_text("2024-12-03T16:00:00.123Z INFO server listening", TIMEOUT)
        .unwrap();
    quit(&pty);
    assert_exits_restored(&pty, 0);

    let (pty, _dir) = showing(PINO.as_bytes(), &["--raw"]);
    pty.wait_for_text(r#"{"level":50,"time":1733241600456"#, TIMEOUT)
        .unwrap();
    quit(&pty);
    assert_exits_restored(&pty, 0);
    // Passthrough: the bytes as received.
    let out = reflow(&[], PINO.as_bytes());
    assert_eq!(out.stdout, PINO.as_bytes());
}
