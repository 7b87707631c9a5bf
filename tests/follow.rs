//! Following files as they grow, like `tail -F`: the binary under a pty,
//! the files written from the test, the screen read through vt100. Every
//! wait is for a screen state, with a timeout only as a safety net.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;

use crate::support::*;

const COLS: u16 = 60;
const ROWS: u16 = 10;

/// reflow run in `dir` with `args` (file names relative to `dir`).
fn reflow(dir: &Path, args: &[&str]) -> Pty {
    let mut cmd = Pty::command(BIN, args);
    cmd.cwd(dir);
    cmd.env_remove("NO_COLOR");
    Pty::spawn(cmd, COLS, ROWS)
}

fn append(path: &Path, text: &str) {
    let mut file = OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// The content rows without the empty ones at the end.
fn content(pty: &Pty) -> Vec<String> {
    let mut rows = pty.with_screen(content_rows);
    while rows.last().is_some_and(String::is_empty) {
        rows.pop();
    }
    rows
}

#[test]
fn appended_lines_appear_and_a_partial_line_is_completed() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    fs::write(&log, "one\n").unwrap();
    let pty = reflow(dir.path(), &["app.log"]);
    wait_rows(&pty, "the file", &["one"]);
    append(&log, "two\nthree\n");
    wait_rows(&pty, "appended lines", &["one", "two", "three"]);
    // A line still being written shows as it is...
    append(&log, "fou");
    wait_rows(&pty, "a partial line", &["one", "two", "three", "fou"]);
    // ...and is completed in place, not shown twice.
    append(&log, "r\nfive\n");
    wait_rows(
        &pty,
        "the completed line",
        &["one", "two", "three", "four", "five"],
    );
    quit(&pty);
}

#[test]
fn copy_truncate_is_noted_and_the_old_lines_stay() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    fs::write(&log, "old one\nold two\n").unwrap();
    let pty = reflow(dir.path(), &["app.log"]);
    wait_rows(&pty, "the file", &["old one", "old two"]);
    // As logrotate's copytruncate: the file is emptied in place, then the
    // program writes on at its (now small) offset.
    File::create(&log).unwrap();
    append(&log, "new\n");
    wait_rows(&pty, "the new content", &["old one", "old two", "new"]);
    wait_status(&pty, "the truncation", "app.log: truncated");
    quit(&pty);
}

#[test]
fn rename_and_create_reads_the_old_file_to_its_end_then_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    fs::write(&log, "first\n").unwrap();
    let pty = reflow(dir.path(), &["app.log"]);
    wait_rows(&pty, "the file", &["first"]);
    // Rotated as logrotate does by default; the program still has the old
    // file open and writes its last lines there, with no newline at the
    // end of the last, before the new file is made.
    let mut old = OpenOptions::new().append(true).open(&log).unwrap();
    fs::rename(&log, dir.path().join("app.log.1")).unwrap();
    old.write_all(b"after the rename\nunfinished").unwrap();
    drop(old);
    fs::write(&log, "new file\n").unwrap();
    wait_rows(
        &pty,
        "the old file's end, then the new file",
        &["first", "after the rename", "unfinished", "new file"],
    );
    wait_status(&pty, "the rotation", "app.log: rotated");
    append(&log, "more\n");
    wait_rows(
        &pty,
        "the new file followed",
        &[
            "first",
            "after the rename",
            "unfinished",
            "new file",
            "more",
        ],
    );
    quit(&pty);
}

#[test]
fn a_deleted_file_is_noted_and_picked_up_again_when_created() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    fs::write(&log, "kept\n").unwrap();
    let pty = reflow(dir.path(), &["app.log"]);
    wait_rows(&pty, "the file", &["kept"]);
    fs::remove_file(&log).unwrap();
    wait_status(&pty, "the deletion", "app.log: deleted");
    assert_eq!(content(&pty), ["kept"]);
    fs::write(&log, "again\n").unwrap();
    wait_rows(&pty, "the file created again", &["kept", "again"]);
    quit(&pty);
}

#[test]
fn follow_all_labels_and_interleaves_lines_as_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    fs::write(&a, "").unwrap();
    fs::write(&b, "").unwrap();
    let pty = reflow(dir.path(), &["-F", "a.log", "b.log"]);
    pty.wait_for_text("a.log", TIMEOUT).unwrap();
    let mut want = Vec::new();
    for (path, text) in [(&a, "a one"), (&b, "b one"), (&a, "a two"), (&b, "b two")] {
        append(path, &format!("{text}\n"));
        let name = path.file_name().unwrap().to_str().unwrap();
        want.push(format!("{name} {text}"));
        let rows: Vec<&str> = want.iter().map(String::as_str).collect();
        wait_rows(&pty, text, &rows);
    }
    // Each file's label has its own colour, the same on each of its lines.
    let colour = |row: u16| pty.with_screen(|s| s.cell(row, 0).map(|c| c.fgcolor()));
    assert_eq!(colour(0), colour(2));
    assert_eq!(colour(1), colour(3));
    assert_ne!(colour(0), Some(vt100::Color::Default));
    quit(&pty);
}

#[test]
fn exit_on_eof_does_not_follow() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("app.log"), "only\n").unwrap();
    let pty = reflow(dir.path(), &["-E", "--on-exit", "none", "app.log"]);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert!(exit.success(), "{exit:?}");
    assert_terminal_restored(&pty);
}

/// `reflow file > out`: no display and no keyboard, so nothing could quit
/// a follow; it ends with the file, as with -E. With -F the lines are
/// labelled as text, as grep names the file of each line.
#[test]
fn copied_through_nothing_is_followed_and_labels_are_text() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.log"), "a1\na2\n").unwrap();
    fs::write(dir.path().join("b.log"), "b1").unwrap();
    let run = |args: &[&str]| {
        let child = Command::new(BIN)
            .args(args)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (done, ended) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(child.wait_with_output());
        });
        ended
            .recv_timeout(TIMEOUT)
            .expect("reflow ends with its input when copying through")
            .unwrap()
    };
    let out = run(&["a.log", "b.log"]);
    assert!(out.status.success());
    assert_eq!(out.stdout, b"a1\na2\nb1\n");
    let out = run(&["-F", "a.log", "b.log"]);
    assert!(out.status.success());
    assert_eq!(out.stdout, b"a.log: a1\na.log: a2\nb.log: b1\n");
}

/// `--save` holds the bytes as read, without the labels, unless asked.
#[test]
fn labels_are_saved_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.log"), "a1\n").unwrap();
    fs::write(dir.path().join("b.log"), "b1\n").unwrap();
    for (extra, want) in [
        (None, "a1\nb1\n"),
        (Some("--save-labels"), "a.log: a1\nb.log: b1\n"),
    ] {
        let mut args = vec!["-E", "-F", "--on-exit", "none", "--save", "saved.log"];
        args.extend(extra);
        args.extend(["a.log", "b.log"]);
        let pty = reflow(dir.path(), &args);
        assert!(pty.wait_exit(TIMEOUT).unwrap().success());
        let saved = fs::read_to_string(dir.path().join("saved.log")).unwrap();
        assert_eq!(saved, want, "{extra:?}");
    }
}

#[test]
fn labels_keep_what_tells_files_apart_and_a_mark_stays_at_any_width() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("apt")).unwrap();
    fs::write(dir.path().join("apt/history.log"), "h1\n").unwrap();
    fs::write(dir.path().join("apt/term.log"), "t1\n").unwrap();
    let pty = reflow(dir.path(), &["-F", "apt/history.log", "apt/term.log"]);
    // The base names tell them apart: not `apt/…` twice.
    let labelled = ["history.log h1", "term.log    t1"];
    let sorted = |rows: Vec<String>| {
        let mut rows: Vec<String> = rows.into_iter().filter(|r| !r.is_empty()).collect();
        rows.sort();
        rows
    };
    pty.wait_for("both labelled", TIMEOUT, |screen| {
        let rows: Vec<String> = screen
            .rows(0, 80)
            .take(2)
            .map(|r| r.trim_end().to_owned())
            .collect();
        sorted(rows) == labelled
    })
    .unwrap();
    // Too narrow for the label column: each line keeps its file's mark,
    // the label's first letter in reverse video.
    pty.resize(20, 6);
    pty.wait_for("the narrow marks", TIMEOUT, |screen| {
        let rows: Vec<String> = screen.rows(0, 20).take(2).collect();
        sorted(rows) == ["hh1", "tt1"]
            && (0..2).all(|row| screen.cell(row, 0).is_some_and(|c| c.inverse()))
    })
    .unwrap();
    quit(&pty);
}
