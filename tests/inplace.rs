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

#[test]
fn a_file_read_in_place_and_truncated_shows_its_lines_gone_never_other_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotating.log");
    let mut text = String::new();
    for i in 0..150_000 {
        text.push_str(&format!("old {i:06} {}\n", "o".repeat(50)));
    }
    std::fs::write(&path, &text).unwrap();
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
