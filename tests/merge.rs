//! Several sources as one stream in record-time order (`--merge`, issue 19
//! item 5) and commands as sources (`--cmd`, item 6): through pipes, the
//! exact bytes; on a display, the labels and the order on screen.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::*;

/// A Python `logging` log with a traceback under its error.
const PYTHON: &str = "\
2026-12-03 16:00:00,001 INFO app: start
2026-12-03 16:00:02,000 ERROR app: request failed
Traceback (most recent call last):
  File \"/srv/app.py\", line 12, in handle
    return 1 / 0
ZeroDivisionError: division by zero
2026-12-03 16:00:04,000 INFO app: done
";

/// A JSON log (zap's epoch seconds, RFC 3339 strings), between them.
const JSON: &str = "\
{\"level\":\"info\",\"ts\":1796313601.5,\"msg\":\"b one\"}
{\"time\":\"2026-12-03T17:00:03+01:00\",\"level\":\"warn\",\"msg\":\"b two\"}
{\"time\":\"2026-12-03T16:00:04Z\",\"level\":\"info\",\"msg\":\"b three\"}
";

/// `reflow args` run in `dir`, stdout a pipe.
fn piped(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).env_remove("NO_COLOR");
    run(cmd, b"")
}

fn text(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn merge_of_a_python_and_a_json_log_is_in_time_order_with_records_whole() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("app.log"), PYTHON).unwrap();
    fs::write(dir.path().join("b.jsonl"), JSON).unwrap();
    let out = piped(dir.path(), &["--merge", "app.log", "b.jsonl"]);
    assert!(out.status.success(), "{out:?}");
    let p: Vec<&str> = PYTHON.split_inclusive('\n').collect();
    let j: Vec<&str> = JSON.split_inclusive('\n').collect();
    // 16:00:04 twice: the command line's order.
    let want = [p[0], j[0], p[1], p[2], p[3], p[4], p[5], j[1], p[6], j[2]].concat();
    assert_eq!(text(&out), want);
    // The other way round, the tie goes the other way.
    let out = piped(dir.path(), &["--merge", "b.jsonl", "app.log"]);
    let want = [p[0], j[0], p[1], p[2], p[3], p[4], p[5], j[1], j[2], p[6]].concat();
    assert_eq!(text(&out), want);
}

#[test]
fn merge_of_equal_times_keeps_command_line_order_then_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let same = "2026-12-03 16:00:00 INFO";
    fs::write(dir.path().join("a.log"), format!("{same} a1\n{same} a2\n")).unwrap();
    fs::write(dir.path().join("b.log"), format!("{same} b1\n{same} b2\n")).unwrap();
    let out = piped(dir.path(), &["--merge", "b.log", "a.log"]);
    assert_eq!(
        text(&out),
        format!("{same} b1\n{same} b2\n{same} a1\n{same} a2\n")
    );
}

#[test]
fn merge_keeps_a_file_with_no_times_whole_and_before_the_times() {
    let dir = tempfile::tempdir().unwrap();
    let prose = "Release notes\n\nNothing here has a time,\n  so it keeps its order.\n";
    fs::write(dir.path().join("app.log"), PYTHON).unwrap();
    fs::write(dir.path().join("notes.txt"), prose).unwrap();
    let out = piped(dir.path(), &["--merge", "app.log", "notes.txt"]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(text(&out), format!("{prose}{PYTHON}"));
    // A line with no time inside a log stays right after its record.
    fs::write(
        dir.path().join("c.log"),
        "2026-12-03 16:00:01 INFO c: one\n--- no time here ---\n2026-12-03 16:00:03 INFO c: two\n",
    )
    .unwrap();
    let out = piped(dir.path(), &["--merge", "app.log", "c.log"]);
    let got = text(&out);
    assert!(
        got.contains("c: one\n--- no time here ---\n2026-12-03 16:00:02,000 ERROR"),
        "{got}"
    );
}

/// Two bigger logs, records of one to four lines, times interleaved at
/// random: every line once, each file's lines in their order, record
/// starts in non-decreasing time, each record's lines together.
#[test]
fn merge_never_loses_duplicates_or_splits_a_line_or_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed = 0x2545_f491_u64;
    let mut random = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut files = Vec::new();
    for name in ["a", "b"] {
        let mut text = String::new();
        let mut ms = 0;
        for record in 0..3000 {
            ms += random(40);
            let (s, m) = (ms / 1000, ms % 1000);
            text.push_str(&format!(
                "2026-12-03 16:{:02}:{:02}.{m:03} INFO {name}{record}: start\n",
                s / 60,
                s % 60
            ));
            for line in 0..random(4) {
                text.push_str(&format!("    at {name}{record}.frame{line}\n"));
            }
        }
        fs::write(dir.path().join(format!("{name}.log")), &text).unwrap();
        files.push(text);
    }
    let out = piped(dir.path(), &["--merge", "a.log", "b.log"]);
    assert!(out.status.success(), "{out:?}");
    let got = text(&out);
    assert_eq!(got.len(), files[0].len() + files[1].len());
    // The record a line belongs to: `a12` of `… INFO a12: start` and of
    // `    at a12.frame0`.
    let record_of = |line: &str| -> String {
        match line.strip_prefix("    at ") {
            Some(frame) => frame.split('.').next().unwrap().to_owned(),
            None => line[29..].split(':').next().unwrap().to_owned(),
        }
    };
    for (name, file) in ["a", "b"].iter().zip(&files) {
        // Each file's own lines, in its order.
        let own: Vec<&str> = got
            .lines()
            .filter(|line| record_of(line).starts_with(name))
            .collect();
        assert_eq!(own, file.lines().collect::<Vec<_>>(), "{name}");
    }
    let mut last = "";
    let mut record = String::new();
    for line in got.lines() {
        if line.starts_with("    at ") {
            assert_eq!(record_of(line), record, "a frame away from its record");
        } else {
            let time = &line[..23];
            assert!(time >= last, "{time} after {last}");
            last = time;
            record = record_of(line);
        }
    }
}

#[test]
fn commands_are_sources_merged_by_time_and_labelled_when_not_merged() {
    let dir = tempfile::tempdir().unwrap();
    let a = "printf '2026-12-03 16:00:01 b\\n2026-12-03 16:00:03 d\\n'";
    let b = "printf '2026-12-03 16:00:00 a\\n2026-12-03 16:00:02 c\\n' >&2";
    let out = piped(dir.path(), &["--merge", "--cmd", a, "--cmd", b]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        text(&out),
        "2026-12-03 16:00:00 a\n2026-12-03 16:00:01 b\n2026-12-03 16:00:02 c\n2026-12-03 16:00:03 d\n"
    );
    // Mixed with a FILE, in command-line order for equal times.
    fs::write(dir.path().join("f.log"), "2026-12-03 16:00:00 file\n").unwrap();
    let out = piped(dir.path(), &["--merge", "--cmd", b, "f.log"]);
    assert_eq!(
        text(&out),
        "2026-12-03 16:00:00 a\n2026-12-03 16:00:00 file\n2026-12-03 16:00:02 c\n"
    );
    // Not merged: each line named by its command, as -F names files.
    let out = piped(dir.path(), &["--cmd", "echo one", "--cmd", "echo two >&2"]);
    let mut lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    lines.sort();
    assert_eq!(lines, ["echo one: one", "echo two >&2: two"]);
}

#[test]
fn a_command_that_cannot_start_is_one_error_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("f.log"), "kept\n").unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["--merge", "--cmd", "echo hi", "f.log"])
        .current_dir(dir.path())
        .env("PATH", "/nonexistent");
    let out = run(cmd, b"");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(text(&out), "kept\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "reflow: echo hi: sh: command not found\n"
    );
}

const COLS: u16 = 70;
const ROWS: u16 = 12;

fn display(dir: &Path, args: &[&str]) -> Pty {
    display_of(dir, args, ROWS)
}

fn display_of(dir: &Path, args: &[&str], rows: u16) -> Pty {
    let mut cmd = Pty::command(BIN, args);
    cmd.cwd(dir);
    cmd.env_remove("NO_COLOR");
    Pty::spawn(cmd, COLS, rows)
}

#[test]
fn merged_files_show_in_time_order_each_line_labelled() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("app.log"), PYTHON).unwrap();
    fs::write(dir.path().join("b.jsonl"), JSON).unwrap();
    let pty = display_of(dir.path(), &["--merge", "app.log", "b.jsonl"], 20);
    // Each file's lines read in its own format, though they share the
    // history's first block: the JSON drawn readable, the traceback
    // under its record's message (the label, 8 columns, then 30).
    let rows = [
        "app.log 2026-12-03 16:00:00,001 INFO app: start",
        // Drawn readable: the epoch time as RFC 3339.
        "b.jsonl 2026-12-03T16:00:01.500Z info b one",
        "app.log 2026-12-03 16:00:02,000 ERROR app: request failed",
        "app.log                               Traceback (most recent call",
        "                                      last):",
        "app.log                                 File \"/srv/app.py\", line 12,",
        "                                      in handle",
        "app.log                                   return 1 / 0",
        "app.log                               ZeroDivisionError: division by",
        "                                      zero",
        "b.jsonl 2026-12-03T17:00:03+01:00 warn b two",
        "app.log 2026-12-03 16:00:04,000 INFO app: done",
    ];
    pty.wait_for("the merged rows", TIMEOUT, |screen| {
        let got = content_rows(screen);
        got.len() >= rows.len() && got.iter().zip(rows).all(|(g, w)| g == w)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    quit(&pty);
}

#[test]
fn two_commands_merge_on_the_display_and_their_ends_are_said() {
    let dir = tempfile::tempdir().unwrap();
    let one = "printf '2026-12-03 16:00:01 b\\n2026-12-03 16:00:03 d\\n'\n";
    let two = "printf '2026-12-03 16:00:00 a\\n2026-12-03 16:00:02 c\\n'; sleep 0.5; exit 3\n";
    fs::write(dir.path().join("one.sh"), one).unwrap();
    fs::write(dir.path().join("two.sh"), two).unwrap();
    let pty = display(
        dir.path(),
        &["--merge", "--cmd", "sh one.sh", "--cmd", "sh two.sh"],
    );
    wait_rows(
        &pty,
        "merged",
        &[
            "sh two.sh 2026-12-03 16:00:00 a",
            "sh one.sh 2026-12-03 16:00:01 b",
            "sh two.sh 2026-12-03 16:00:02 c",
            "sh one.sh 2026-12-03 16:00:03 d",
        ],
    );
    wait_status(&pty, "the failing command's end", "sh two.sh: exit 3");
    quit(&pty);
}

#[test]
fn a_commands_label_is_its_command_line_backslashes_and_all() {
    let dir = tempfile::tempdir().unwrap();
    let pty = display(
        dir.path(),
        &["--cmd", r"printf 'a\tb\n'", "--cmd", "echo c"],
    );
    pty.wait_for("both commands' lines", TIMEOUT, |screen| {
        let got = content_rows(screen);
        got.iter()
            .any(|r| r.starts_with(r"printf 'a\tb\n' a       b"))
            && got
                .iter()
                .any(|r| r.ends_with(" c") && r.starts_with("echo c"))
    })
    .unwrap_or_else(|e| panic!("{e}"));
    quit(&pty);
}

#[test]
fn ctrl_c_reaches_every_command_and_all_their_ends_are_said() {
    let dir = tempfile::tempdir().unwrap();
    // Each says it is ready, then waits for SIGINT: only Ctrl-C ends it.
    for (name, code) in [("a.sh", 7), ("b.sh", 8)] {
        let script = format!(
            "trap 'echo {name} interrupted; exit {code}' INT\n\
             echo {name} ready\n\
             while :; do sleep 0.1; done\n"
        );
        fs::write(dir.path().join(name), script).unwrap();
    }
    // exec: sh -c's own shell would end on SIGINT before the script.
    let pty = display(
        dir.path(),
        &["--cmd", "exec sh a.sh", "--cmd", "exec sh b.sh"],
    );
    pty.wait_for("both ready", TIMEOUT, |screen| {
        let rows = content_rows(screen).join("\n");
        rows.contains("a.sh ready") && rows.contains("b.sh ready")
    })
    .unwrap_or_else(|e| panic!("{e}"));
    // Ctrl-C: the terminal sends SIGINT to reflow's group, not theirs.
    pty.send(b"\x03");
    pty.wait_for("both ends said at once", TIMEOUT, |screen| {
        let status = status_row(screen);
        status.contains("exec sh a.sh: exit 7") && status.contains("exec sh b.sh: exit 8")
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let rows = content_rows(&pty.with_screen(|s| s.clone())).join("\n");
    assert!(rows.contains("exec sh a.sh a.sh interrupted"), "{rows}");
    assert!(rows.contains("exec sh b.sh b.sh interrupted"), "{rows}");
    quit(&pty);
}

#[test]
fn a_record_later_than_the_window_is_shown_as_it_comes_and_said_late() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.sh"),
        "echo '2026-12-03 16:00:05 a newer'\nwhile :; do sleep 1; done\n",
    )
    .unwrap();
    // b's older record comes only once a's is on screen, long after the
    // window it could have been held for.
    fs::write(
        dir.path().join("b.sh"),
        "while [ ! -e go ]; do sleep 0.05; done\n\
         echo '2026-12-03 16:00:01 b older'\nwhile :; do sleep 1; done\n",
    )
    .unwrap();
    let pty = display(
        dir.path(),
        &["--merge", "--cmd", "sh a.sh", "--cmd", "sh b.sh"],
    );
    wait_rows(
        &pty,
        "a's record, not held",
        &["sh a.sh 2026-12-03 16:00:05 a newer"],
    );
    fs::write(dir.path().join("go"), "").unwrap();
    wait_rows(
        &pty,
        "b's record after it, as it came",
        &[
            "sh a.sh 2026-12-03 16:00:05 a newer",
            "sh b.sh 2026-12-03 16:00:01 b older",
        ],
    );
    wait_status(
        &pty,
        "the late notice",
        "late: sh b.sh 16:00:01.0 is 4.0 s behind",
    );
    quit(&pty);
}
