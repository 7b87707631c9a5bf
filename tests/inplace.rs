//! A regular FILE is read in place (issue 11): shown at its end and its
//! start without being copied into memory, and its bytes shown right.

use std::io::Write;

use crate::support::*;

fn first_row(screen: &vt100::Screen) -> String {
    screen
        .rows(0, 80)
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

#[test]
fn a_file_larger_than_the_budget_is_shown_at_its_end_and_start_holding_little() {
    // 60 MB of lines; the display may hold 24 MiB at most (held in
    // memory they would take about 18 MiB compressed, 60 before).
    const LINES: usize = 1_000_000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..LINES {
            writeln!(out, "line {i:07} {}", "payload ".repeat(6)).unwrap();
        }
    }
    let pty = Pty::spawn(Pty::command(BIN, &[path.to_str().unwrap()]), 80, 24);
    pty.wait_for("the last line, every line counted", TIMEOUT * 3, |s| {
        let rows: Vec<String> = s.rows(0, 80).collect();
        rows[22].starts_with(&format!("line {:07}", LINES - 1))
            && status_row(s).contains(&format!("{LINES} lines"))
    })
    .unwrap();
    let peak = peak_kib(pty.pid());
    assert!(peak < 24 * 1024, "held {peak} KiB for a 60 MB file");
    pty.send(b"g");
    pty.wait_for("the first line", TIMEOUT, |s| {
        first_row(s).starts_with("line 0000000 ")
    })
    .unwrap();
    pty.send(b"/line 0654321\r");
    pty.wait_for("a line found in the middle", TIMEOUT, |s| {
        first_row(s).starts_with("line 0654321 ")
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn crlf_invalid_utf8_long_lines_and_a_last_line_without_newline_are_right() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.log");
    // Read in place from 8 MiB on: 9 MB of lines before the odd ones.
    let mut bytes = Vec::new();
    for i in 0..150_000 {
        bytes.extend_from_slice(format!("filler {i:06} {}\n", "f".repeat(45)).as_bytes());
    }
    bytes.extend_from_slice(b"crlf line\r\n");
    bytes.extend_from_slice(b"bad \xff byte\n");
    bytes.extend_from_slice(b"\n");
    // A line across the first index window and many pages: 900 KB of one
    // word repeated, wrapped onto many rows.
    bytes.extend_from_slice(&b"abcdefgh ".repeat(100_000));
    bytes.extend_from_slice(b"END\n");
    bytes.extend_from_slice(b"no newline at the end");
    std::fs::write(&path, &bytes).unwrap();
    let pty = Pty::spawn(Pty::command(BIN, &[path.to_str().unwrap()]), 80, 24);
    // Followed (no -E): the last line, without its newline yet, is shown
    // and counted, as the position counts it.
    pty.wait_for("the last lines", TIMEOUT, |s| {
        let rows: Vec<String> = s.rows(0, 80).map(|r| r.trim_end().to_owned()).collect();
        rows[22] == "no newline at the end"
            && rows[21].ends_with("END")
            && rows[20].ends_with("abcdefgh")
            && status_row(s).contains("150005 lines")
    })
    .unwrap();
    pty.send(b"?^crlf\r");
    pty.wait_for("the odd lines", TIMEOUT, |s| {
        let rows: Vec<String> = s.rows(0, 80).map(|r| r.trim_end().to_owned()).collect();
        // vt100 does not draw U+FFFD: the bytes are checked below.
        rows[0] == "crlf line" && rows[1] == "bad  byte" && rows[2].is_empty()
    })
    .unwrap();
    assert!(contains(&pty.raw_output(), "bad \u{fffd} byte".as_bytes()));
    quit(&pty);
}

/// Writes 150,000 lines of 61 bytes (`old 000000 o…`, 9 MB: read in
/// place) to `path`.
fn write_old_lines(path: &std::path::Path) {
    let mut text = String::new();
    for i in 0..150_000 {
        text.push_str(&format!("old {i:06} {}\n", "o".repeat(50)));
    }
    std::fs::write(path, &text).unwrap();
}

#[test]
fn a_file_read_in_place_and_truncated_shows_its_lines_gone_never_other_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotating.log");
    write_old_lines(&path);
    let pty = Pty::spawn(Pty::command(BIN, &[path.to_str().unwrap()]), 80, 24);
    pty.wait_for("the old end, all indexed", TIMEOUT, |s| {
        s.rows(0, 80)
            .nth(22)
            .is_some_and(|r| r.starts_with("old 149999 "))
            && status_row(s).contains("150000 lines")
    })
    .unwrap();
    // Copy-truncate, then the writer goes on from the start, past the old
    // length with other bytes.
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(0).unwrap();
    drop(file);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    writeln!(file, "new first line").unwrap();
    file.flush().unwrap();
    pty.wait_for("the new line, the truncation said", TIMEOUT, |s| {
        s.rows(0, 80)
            .nth(22)
            .is_some_and(|r| r.trim_end() == "new first line")
            && status_row(s).contains("truncated")
    })
    .unwrap();
    // The lines on screen keep what they showed; those not shown yet have
    // no bytes left to show.
    pty.send(b"g");
    pty.wait_for("the old lines gone", TIMEOUT, |s| {
        let rows: Vec<String> = s.rows(0, 80).collect();
        rows[..23].iter().all(|r| r.contains("this line is gone"))
    })
    .unwrap();
    // More than the old length written again: an old line still never
    // shows the new bytes.
    let big = "x".repeat(100);
    for _ in 0..100_000 {
        writeln!(file, "{big}").unwrap();
    }
    file.flush().unwrap();
    pty.wait_for("the new lines counted", TIMEOUT, |s| {
        status_row(s).contains("250001 lines")
    })
    .unwrap();
    pty.send(b"/^old\r");
    pty.send(b"\x1b[6~\x1b[6~\x1b[6~");
    pty.wait_for("old lines, still gone", TIMEOUT, |s| {
        let rows: Vec<String> = s.rows(0, 80).collect();
        rows[..23]
            .iter()
            .all(|r| r.contains("this line is gone") && !r.contains("xxx"))
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn a_file_read_in_place_is_followed_through_a_rotation_losing_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    write_old_lines(&path);
    // The logger's own descriptor, kept across the rotation as a logger's
    // is until it reopens its file.
    let mut logger = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    let pty = Pty::spawn(Pty::command(BIN, &[path.to_str().unwrap()]), 80, 24);
    pty.wait_for("the file's end", TIMEOUT, |s| {
        s.rows(0, 80)
            .nth(22)
            .is_some_and(|r| r.starts_with("old 149999 "))
    })
    .unwrap();
    // Renamed away, its last words written after the rename, and a new
    // file in its place.
    let rotated = dir.path().join("app.log.1");
    std::fs::rename(&path, &rotated).unwrap();
    writeln!(logger, "last words of the old file").unwrap();
    logger.flush().unwrap();
    std::fs::write(&path, "first words of the new file\n").unwrap();
    pty.wait_for("both files' words, the rotation said", TIMEOUT, |s| {
        let rows: Vec<String> = s.rows(0, 80).map(|r| r.trim_end().to_owned()).collect();
        rows[21] == "last words of the old file"
            && rows[22] == "first words of the new file"
            && status_row(s).contains("rotated")
    })
    .unwrap();
    quit(&pty);
}

/// A file of `lines` numbered lines of 61 bytes each (`line 000000001 x…`,
/// from 1), read in place, its indexer held after the first window by a
/// FIFO (`REFLOW_TEST_INDEX_GATE`, see `src/history/file.rs`) until
/// [`Gated::release`]: the test acts while the file is being indexed,
/// whatever this machine's speed. Opened, its end shown.
struct Gated {
    pty: Pty,
    gate: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Gated {
    fn open(lines: usize) -> Gated {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            for i in 1..=lines {
                writeln!(out, "line {i:09} {}", "x".repeat(45)).unwrap();
            }
        }
        let gate = dir.path().join("gate");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &gate,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
            0,
        )
        .unwrap();
        let mut cmd = Pty::command(BIN, &[path.to_str().unwrap()]);
        cmd.env("REFLOW_TEST_INDEX_GATE", &gate);
        let pty = Pty::spawn(cmd, 80, 24);
        let last = format!("line {lines:09} ");
        pty.wait_for("the end, still being indexed", TIMEOUT, |s| {
            content_rows(s)[22].starts_with(&last) && status_row(s).contains("counting lines…")
        })
        .unwrap();
        Gated {
            pty,
            gate,
            _dir: dir,
        }
    }

    /// Lets the indexer go on to the file's start.
    fn release(&self) {
        use std::os::unix::fs::OpenOptionsExt;
        // The indexer waits in open(2) to read: a writer's open and close
        // let it go (non-blocking: it never hangs the test).
        drop(
            std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&self.gate)
                .unwrap(),
        );
    }

    /// Waits until the top row is line `n` and the status bar holds
    /// `status`.
    fn wait_top(&self, what: &str, n: usize, status: &str) {
        let top = format!("line {n:09} ");
        self.pty
            .wait_for(&format!("{what}: {top:?}, {status:?}"), TIMEOUT, |s| {
                first_row(s).starts_with(&top) && status_row(s).contains(status)
            })
            .unwrap();
    }
}

/// Issue 20: `g` pressed while a 10 GB log was being indexed went to the
/// earliest line indexed then (`line 35201432 (44%)`) and stayed there
/// once the index reached the start. The start is shown at once,
/// numbered from it, and stays when the index arrives; `50%` and `100g`
/// land where they say; a mark set meanwhile still holds.
#[test]
fn g_on_a_file_being_indexed_shows_its_start_at_once_and_keeps_it() {
    const LINES: usize = 400_000;
    let gated = Gated::open(LINES);
    let pty = &gated.pty;
    pty.send(b"g");
    gated.wait_top("g: the first line", 1, "line 23 (0%, counting lines…)");
    // Down a page, through lines not indexed yet.
    pty.send(b" ");
    gated.wait_top("a page down", 24, "line 46 (0%, counting lines…)");
    pty.send(b"ma");
    wait_status(pty, "the mark said", "mark a set");
    // By byte position: the line starting at half the file's bytes.
    pty.send(b"50%");
    gated.wait_top("50%", LINES / 2 + 1, "line ? (50%, counting lines…)");
    pty.send(b"100g");
    gated.wait_top("100g", 100, "line 122 (0%, counting lines…)");
    pty.send(b"g");
    gated.wait_top("g again", 1, "line 23 (0%, counting lines…)");
    // The index reaches the start: the same lines, their numbers true.
    gated.release();
    gated.wait_top("indexed to the start", 1, "400000 lines | line 23 (0%)");
    assert!(!pty.with_screen(status_row).contains("counting"));
    pty.send(b"'a");
    gated.wait_top("'a: the mark, still on its line", 24, "line 46 (0%)");
    pty.send(b"''");
    gated.wait_top("'': back", 1, "line 23 (0%)");
    pty.send(b"50%");
    gated.wait_top("50% once counted", LINES / 2 + 1, "line 200023 (50%)");
    // Counted from the file's first line (it went to line 1).
    pty.send(b"100g");
    gated.wait_top("100g once counted", 100, "line 122 (0%)");
    quit(pty);
}

/// `390000g` while the lines are being counted: counted forward from the
/// start, or waited for ("counting lines…"), never landed elsewhere.
#[test]
fn a_line_number_not_counted_yet_is_waited_for_never_guessed() {
    let gated = Gated::open(400_000);
    let pty = &gated.pty;
    pty.send(b"g");
    gated.wait_top("g", 1, "counting lines…");
    pty.send(b"390000g");
    pty.wait_for("counting, or there", TIMEOUT, |s| {
        let top = first_row(s);
        let status = status_row(s);
        (top.starts_with("line 000000001 ") && status.contains("line 390000: counting lines…"))
            || top.starts_with("line 000390000 ")
    })
    .unwrap();
    let top = pty.with_screen(first_row);
    assert!(
        top.starts_with("line 000000001 ") || top.starts_with("line 000390000 "),
        "landed elsewhere: {top}"
    );
    gated.release();
    gated.wait_top("there once counted", 390_000, "line 390022 (97%)");
    quit(pty);
}
