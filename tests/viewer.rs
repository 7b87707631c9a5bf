//! The viewer as a `less` user drives it, end to end: the binary under a
//! pty, keys sent as a terminal sends them, the screen read through vt100.

use std::fs::File;
use std::io::Write;

use crate::support::*;
use nix::sys::signal::Signal;

const COLS: u16 = 40;
const ROWS: u16 = 10;
/// Rows for lines: all but the status bar.
const CONTENT: usize = ROWS as usize - 1;

/// Line `i` of the test log: every third one wraps onto a second row at
/// 40 columns, so moves by rows and by lines differ.
fn line(i: usize) -> String {
    if i.is_multiple_of(3) {
        format!("L{i:04} a long line that wraps onto a second row here")
    } else {
        format!("L{i:04} short")
    }
}

fn lines(n: usize) -> Vec<String> {
    (0..n).map(line).collect()
}

/// Every row of `lines` wrapped at `width`, in order.
fn all_rows(lines: &[String], width: usize) -> Vec<String> {
    lines.iter().flat_map(|l| greedy(l, width)).collect()
}

/// The binary showing a 200-line log with `args`, at its end.
fn viewing(args: &[&str]) -> (Pty, Vec<String>, tempfile::TempDir) {
    viewing_at(args, COLS, ROWS)
}

/// [`viewing`] on a terminal `cols` x `rows`.
fn viewing_at(args: &[&str], cols: u16, rows: u16) -> (Pty, Vec<String>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let lines = lines(200);
    let file = write_file(dir.path(), "view.log", lines_text(&lines).as_bytes());
    let mut all = args.to_vec();
    all.push(file.to_str().unwrap());
    let pty = Pty::spawn(Pty::command(BIN, &all), cols, rows);
    wait_status(&pty, "the whole log", "200 lines");
    (pty, lines, dir)
}

#[test]
fn g_jjj_pages_and_half_pages_move_by_wrapped_rows() {
    let (pty, lines, _dir) = viewing(&["--mouse"]);
    assert_eq!(
        pty.with_screen(|s| s.mouse_protocol_mode()),
        vt100::MouseProtocolMode::PressRelease,
        "--mouse asks for the wheel"
    );
    let rows = all_rows(&lines, usize::from(COLS));
    let at = |top: usize| rows[top..top + CONTENT].to_vec();
    let end = rows.len() - CONTENT;
    wait_rows(&pty, "following the end", &at(end));
    wait_status(&pty, "following", "FOLLOW");

    pty.send(b"g");
    wait_rows(&pty, "g: the first row at the top", &at(0));
    wait_status(&pty, "paused at the top", "PAUSED");
    pty.send(b"jjj");
    wait_rows(&pty, "jjj: three rows down", &at(3));
    pty.send(b" ");
    wait_rows(&pty, "Space: a page down", &at(3 + CONTENT));
    pty.send(b"b");
    wait_rows(&pty, "b: a page up", &at(3));
    pty.send(b"\x04");
    wait_rows(&pty, "Ctrl-D: half a page down", &at(3 + CONTENT / 2));
    pty.send(b"\x15");
    wait_rows(&pty, "Ctrl-U: half a page up", &at(3));
    pty.send(b"\x1b[6~");
    wait_rows(&pty, "PgDn", &at(3 + CONTENT));
    pty.send(b"\x1b[5~");
    wait_rows(&pty, "PgUp", &at(3));
    pty.send(b"\x1b[B\x1b[B");
    wait_rows(&pty, "Down Down", &at(5));
    pty.send(b"\x1b[A");
    wait_rows(&pty, "Up", &at(4));
    pty.send(b"kkkkkkkkkk");
    wait_rows(&pty, "k past the top stays at the top", &at(0));
    // The mouse wheel (SGR reports: 65 down, 64 up): three rows a turn.
    pty.send(b"\x1b[<65;5;5M");
    wait_rows(&pty, "wheel down", &at(3));
    pty.send(b"\x1b[<65;5;5M\x1b[<64;5;5M");
    wait_rows(&pty, "wheel down, up", &at(3));
    pty.send(b"G");
    wait_rows(&pty, "G: the end", &at(end));
    wait_status(&pty, "following again", "FOLLOW");
    quit(&pty);
    // The mouse is given back with the rest.
    assert_eq!(
        pty.with_screen(|s| s.mouse_protocol_mode()),
        vt100::MouseProtocolMode::None
    );
}

#[test]
fn without_mouse_the_terminal_keeps_the_mouse_for_selecting_text() {
    let (pty, _lines, _dir) = viewing(&[]);
    // As less without --mouse: no mouse mode, so dragging selects text.
    assert_eq!(
        pty.with_screen(|s| s.mouse_protocol_mode()),
        vt100::MouseProtocolMode::None
    );
    assert!(!contains(&pty.raw_output(), b"\x1b[?1000h"));
    quit(&pty);
    assert!(!contains(&pty.raw_output(), b"\x1b[?1000h"));
}

#[test]
fn scrolling_down_to_the_end_follows_again() {
    let (pty, lines, _dir) = viewing(&[]);
    let rows = all_rows(&lines, usize::from(COLS));
    let end = rows.len() - CONTENT;
    pty.send(b"kk");
    wait_rows(&pty, "two rows up", &rows[end - 2..end - 2 + CONTENT]);
    wait_status(&pty, "paused", "PAUSED");
    pty.send(b"jj");
    wait_status(&pty, "following at the end", "FOLLOW");
    wait_rows(&pty, "at the end", &rows[end..]);
    quit(&pty);
}

#[test]
fn a_paused_view_stays_put_while_lines_arrive_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path(), "in");
    let pty = Pty::spawn(Pty::command(BIN, &[fifo.to_str().unwrap()]), COLS, ROWS);
    // Opening blocks until reflow opens its end.
    let mut input = File::options().write(true).open(&fifo).unwrap();
    let first = lines(100);
    writeln!(input, "{}", first.join("\n")).unwrap();
    wait_status(&pty, "the first lines", "100 lines");
    let rows = all_rows(&first, usize::from(COLS));
    let end = rows.len() - CONTENT;
    wait_rows(&pty, "following", &rows[end..]);
    pty.send(b"k");
    let paused = rows[end - 1..end - 1 + CONTENT].to_vec();
    wait_rows(&pty, "one row up", &paused);
    let more: Vec<String> = (100..150).map(line).collect();
    writeln!(input, "{}", more.join("\n")).unwrap();
    wait_status(&pty, "the new lines counted", "PAUSED +50 new");
    wait_status(&pty, "the new lines counted", "150 lines");
    assert_eq!(
        pty.with_screen(content_rows),
        paused,
        "the paused view moved"
    );
    // G follows again: the newest rows.
    pty.send(b"G");
    let all = all_rows(&lines(150), usize::from(COLS));
    wait_rows(&pty, "following the new end", &all[all.len() - CONTENT..]);
    drop(input);
    wait_status(&pty, "the end of input", "EOF");
    quit(&pty);
}

#[test]
fn a_partial_last_line_is_shown_and_completed_when_the_rest_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path(), "in");
    let pty = Pty::spawn(Pty::command(BIN, &[fifo.to_str().unwrap()]), COLS, ROWS);
    let mut input = File::options().write(true).open(&fifo).unwrap();
    write!(input, "first\nhalf a li").unwrap();
    input.flush().unwrap();
    wait_rows(&pty, "the partial line", &["first", "half a li"]);
    // The partial line shown counts, as the position does (issue 20,
    // item 8: "2 lines | line 3 (100%)" said otherwise).
    wait_status(
        &pty,
        "a line and the partial one",
        "2 lines | line 2 (100%)",
    );
    write!(input, "ne\nnext").unwrap();
    input.flush().unwrap();
    wait_rows(&pty, "completed", &["first", "half a line", "next"]);
    wait_status(
        &pty,
        "two lines and the partial one",
        "3 lines | line 3 (100%)",
    );
    drop(input);
    wait_status(&pty, "the end: still three", "3 lines | line 3 (100%)");
    quit(&pty);
}

#[test]
fn a_resize_while_scrolled_back_keeps_the_top_line() {
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"g");
    for _ in 0..60 {
        pty.send(b"j");
    }
    // 60 rows down: line 45 is at the top (every third line has two rows).
    pty.wait_for("sixty rows down", TIMEOUT, |s| {
        s.rows(0, COLS)
            .next()
            .is_some_and(|r| r.starts_with("L0045"))
    })
    .unwrap();
    for (cols, rows) in [(30, 8), (70, 12), (25, 10), (40, 10)] {
        pty.resize(cols, rows);
        pty.wait_for(&format!("resized to {cols}x{rows}"), TIMEOUT, |s| {
            let first = s.rows(0, cols).next().unwrap_or_default();
            s.size() == (rows.try_into().unwrap(), cols.try_into().unwrap())
                && first.starts_with("L0045")
                && status_row(s).contains("PAUSED")
        })
        .unwrap();
    }
    quit(&pty);
}

#[test]
fn search_jumps_to_matches_highlighted_and_n_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = lines(200);
    lines[30] = "L0030 the Needle here".to_owned();
    lines[150] = "L0150 another needle".to_owned();
    let file = write_file(dir.path(), "search.log", lines_text(&lines).as_bytes());
    let pty = Pty::spawn(Pty::command(BIN, &[file.to_str().unwrap()]), COLS, ROWS);
    wait_status(&pty, "the whole log", "200 lines");
    // Backward from the end; lower case ignores case.
    pty.send(b"?needle");
    wait_status(&pty, "the prompt", "?needle");
    pty.send(b"\r");
    let top_is = |pty: &Pty, what: &str, want: &str| {
        pty.wait_for(what, TIMEOUT, |s| {
            s.rows(0, COLS).next().is_some_and(|r| r.trim_end() == want)
        })
        .unwrap();
    };
    top_is(&pty, "?needle: the last match", "L0150 another needle");
    // Highlighted: the match in reverse video, the rest of the row not.
    pty.with_screen(|s| {
        let col = "L0150 another ".len() as u16;
        for c in col..col + 6 {
            assert!(
                s.cell(0, c).unwrap().inverse(),
                "column {c} not highlighted"
            );
        }
        assert!(!s.cell(0, 0).unwrap().inverse());
        assert!(!s.cell(0, col + 6).unwrap().inverse());
    });
    pty.send(b"n");
    top_is(&pty, "n: the match before", "L0030 the Needle here");
    pty.with_screen(|s| assert!(s.cell(0, 10).unwrap().inverse()));
    pty.send(b"n");
    wait_status(&pty, "no more matches", "pattern not found: needle");
    pty.send(b"N");
    top_is(&pty, "N: the other way", "L0150 another needle");
    // A pattern with a capital letter matches case.
    pty.send(b"g/Needle\r");
    top_is(&pty, "/Needle", "L0030 the Needle here");
    pty.send(b"n");
    wait_status(&pty, "case kept", "pattern not found: Needle");
    pty.send(b"/a(b\r");
    wait_status(&pty, "an invalid pattern said", "invalid pattern");
    quit(&pty);
}

#[test]
fn ampersand_filters_and_ampersand_alone_shows_all_again() {
    let (pty, lines, _dir) = viewing(&[]);
    pty.send(b"&L01[0-3]7\r");
    wait_rows(
        &pty,
        "only matching lines",
        &[
            "L0107 short".to_owned(),
            "L0117 a long line that wraps onto a".to_owned(),
            "second row here".to_owned(),
            "L0127 short".to_owned(),
            "L0137 short".to_owned(),
        ],
    );
    wait_status(&pty, "the filter shown", "&L01[0-3]7");
    pty.send(b"&\r");
    let rows = all_rows(&lines, usize::from(COLS));
    wait_rows(&pty, "all lines again", &rows[rows.len() - CONTENT..]);
    quit(&pty);
}

#[test]
fn filters_stack_leave_lines_out_and_drop_one_at_a_time() {
    // Issue 20, item 2: `&!pattern` as in less and lnav, filters that
    // narrow one another, and a way to drop the last one or all.
    let (pty, lines, _dir) = viewing(&[]);
    pty.send(b"&!long\r");
    let short: Vec<String> = lines
        .iter()
        .filter(|l| !l.contains("long"))
        .cloned()
        .collect();
    wait_rows(
        &pty,
        "the lines without long",
        &short[short.len() - CONTENT..],
    );
    wait_status(&pty, "the filter shown", "&!long");
    // A second filter narrows the first.
    pty.send(b"&L01[0-3]\r");
    wait_rows(
        &pty,
        "short lines of L0100-L0139 only",
        &short
            .iter()
            .filter(|l| {
                l.starts_with("L010")
                    || l.starts_with("L011")
                    || l.starts_with("L012")
                    || l.starts_with("L013")
            })
            .skip(27 - CONTENT)
            .cloned()
            .collect::<Vec<_>>(),
    );
    wait_status(&pty, "both filters shown", "&!long &L01[0-3]");
    pty.send(b"&!7\r");
    pty.wait_for("the 7s left out too", TIMEOUT, |screen| {
        let text = screen.contents();
        text.contains("L0139 short") && !text.contains("L0137") && !text.contains("L0127")
    })
    .unwrap();
    // & alone drops the last: the 7s are back.
    pty.send(b"&\r");
    // The matches counted beside them: 27 short lines in L0100-L0139.
    wait_status(&pty, "two filters again", "&!long &L01[0-3] 27/27");
    pty.wait_for_text("L0137 short", TIMEOUT).unwrap();
    // &* drops them all.
    pty.send(b"&*\r");
    let rows = all_rows(&lines, usize::from(COLS));
    wait_rows(&pty, "all lines again", &rows[rows.len() - CONTENT..]);
    // A filter nothing passes says so.
    pty.send(b"&!L0\r");
    wait_status(&pty, "nothing passes", "no line matches &!L0");
    quit(&pty);
}

/// The top row of the screen, once it starts with `want`.
fn wait_top(pty: &Pty, what: &str, want: &str) {
    pty.wait_for(what, TIMEOUT, |screen| {
        screen
            .rows(0, COLS)
            .next()
            .is_some_and(|row| row.starts_with(want))
    })
    .unwrap();
}

#[test]
fn counts_line_numbers_percents_and_marks_move_as_in_less() {
    // Issue 20, item 3: `500j`, `100g`, `50%`, `m`/`'`, `''`.
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"100g");
    wait_top(&pty, "100g: line 100 at the top", "L0099");
    pty.send(b"6j");
    // Lines 99 and 102 wrap (every third does): 6 rows down is line 103.
    wait_top(&pty, "6j: six rows down", "L0103");
    pty.send(b"ma");
    wait_status(&pty, "the mark said", "mark a set");
    pty.send(b"50%");
    wait_top(&pty, "50%: half way", "L0100");
    pty.send(b"10p");
    wait_top(&pty, "10p: a tenth of the way", "L0020");
    pty.send(b"'a");
    wait_top(&pty, "'a: back to the mark", "L0103");
    pty.send(b"''");
    wait_top(&pty, "'': back to before that", "L0020");
    pty.send(b"'z");
    wait_status(&pty, "an unknown mark said", "no mark z");
    pty.send(b"1G");
    wait_top(&pty, "1G: the first line", "L0000");
    quit(&pty);
}

#[test]
fn esc_and_ctrl_c_cancel_a_prompt_without_quitting() {
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"/abc");
    wait_status(&pty, "the prompt", "/abc");
    pty.send(b"\x1b");
    wait_status(&pty, "the prompt closed", "FOLLOW");
    pty.send(b"/abc");
    wait_status(&pty, "the prompt again", "/abc");
    // Ctrl-C: the terminal sends SIGINT; it cancels the prompt only.
    pty.send(b"\x03");
    wait_status(&pty, "the prompt closed by Ctrl-C", "FOLLOW");
    assert!(
        pty.try_exit().is_none(),
        "Ctrl-C quit instead of cancelling"
    );
    // With nothing to cancel, it stops following, as in less.
    pty.send(b"\x03");
    wait_status(&pty, "Ctrl-C with nothing to cancel", "interrupted");
    assert!(pty.try_exit().is_none(), "Ctrl-C quit the viewer");
    quit(&pty);
}

#[test]
fn h_shows_the_keys_and_q_closes_them() {
    let (pty, lines, _dir) = viewing(&[]);
    pty.send(b"h");
    pty.wait_for_text("reflow keys", TIMEOUT).unwrap();
    pty.send(b"q");
    let rows = all_rows(&lines, usize::from(COLS));
    wait_rows(&pty, "the log again", &rows[rows.len() - CONTENT..]);
    assert!(pty.try_exit().is_none(), "q in the help quit");
    quit(&pty);
}

#[test]
fn ctrl_z_and_fg_keep_the_place_and_the_search() {
    let (pty, lines, _dir) = viewing(&[]);
    let rows = all_rows(&lines, usize::from(COLS));
    pty.send(b"gjj");
    wait_rows(&pty, "scrolled back", &rows[2..2 + CONTENT]);
    pty.send(b"\x1a");
    pty.wait_for("suspended", TIMEOUT, |s| !s.alternate_screen())
        .unwrap();
    wait_until_stopped(pty.pid());
    pty.resize(40, 10);
    pty.signal(Signal::SIGCONT).unwrap();
    pty.wait_for("redrawn", TIMEOUT, |s| s.alternate_screen())
        .unwrap();
    wait_rows(&pty, "the same place", &rows[2..2 + CONTENT]);
    wait_status(&pty, "still paused", "PAUSED");
    quit(&pty);
}

#[test]
fn wrap_none_cuts_rows_and_left_right_scroll_sideways() {
    let (pty, lines, _dir) = viewing(&["--wrap", "none"]);
    let cut = |from: usize| -> Vec<String> {
        lines[200 - CONTENT..]
            .iter()
            .map(|l| l.chars().skip(from).take(40).collect::<String>())
            .map(|s| s.trim_end().to_owned())
            .collect()
    };
    wait_rows(&pty, "one row a line, cut", &cut(0));
    pty.send(b"\x1b[C");
    wait_rows(&pty, "Right: half a screen on", &cut(20));
    pty.send(b"\x1b[D");
    wait_rows(&pty, "Left: back", &cut(0));
    quit(&pty);
}

#[test]
fn max_lines_keeps_the_newest_lines_only() {
    let (pty, lines, _dir) = viewing(&["--max-lines", "100"]);
    pty.send(b"g");
    pty.wait_for("the first line kept", TIMEOUT, |s| {
        s.rows(0, COLS)
            .next()
            .is_some_and(|r| r.trim_end() == lines[100])
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn timestamps_prefix_each_line_with_its_arrival_time() {
    let (pty, _lines, _dir) = viewing(&["--timestamps"]);
    pty.wait_for("times before lines", TIMEOUT, |s| {
        let first = s.rows(0, COLS).nth(CONTENT - 1).unwrap_or_default();
        let bytes = first.as_bytes();
        bytes.len() > 13
            && bytes[2] == b':'
            && bytes[5] == b':'
            && bytes[8] == b'.'
            && first[13..].starts_with("L0199")
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn several_files_have_boundaries_names_in_the_bar_and_colon_n_and_p_move_by_them() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["a.txt", "b.txt", "c.txt"];
    let files: Vec<String> = names
        .iter()
        .map(|name| {
            let text: String = (1..=30).map(|i| format!("{name} line {i}\n")).collect();
            let path = write_file(dir.path(), name, text.as_bytes());
            path.to_str().unwrap().to_owned()
        })
        .collect();
    let saved = dir.path().join("saved");
    let mut args = vec!["--save", saved.to_str().unwrap()];
    args.extend(files.iter().map(String::as_str));
    let pty = Pty::spawn(Pty::command(BIN, &args), 60, 10);
    wait_status(&pty, "every line", "90 lines");
    // The bar names the file whose lines are on screen, not the first.
    wait_status(&pty, "the last file named", "c.txt");
    let top = |pty: &Pty| pty.screen_rows()[0].clone();
    pty.send(b"g");
    wait_status(&pty, "the first file named", "a.txt");
    assert_eq!(top(&pty), "a.txt line 1");
    // `:n`: the next file's start, under its boundary row.
    pty.send(b":n");
    wait_status(&pty, "the second file named", "b.txt");
    let rows = pty.screen_rows();
    assert!(
        rows[0].starts_with("── ") && rows[0].contains("b.txt ─") && rows[0].ends_with('─'),
        "{rows:?}"
    );
    assert_eq!(rows[1], "b.txt line 1");
    // The boundary row is dim, and no line of the input.
    assert!(pty.with_screen(|s| s.cell(0, 0).is_some_and(|c| c.dim())));
    pty.send(b":n");
    wait_status(&pty, "the third file named", "c.txt");
    assert_eq!(pty.screen_rows()[1], "c.txt line 1");
    pty.send(b":n");
    wait_status(&pty, "past the last", "no next file");
    pty.send(b":p");
    wait_status(&pty, "back to the second", "b.txt");
    assert_eq!(pty.screen_rows()[1], "b.txt line 1");
    pty.send(b":p");
    wait_status(&pty, "back to the first", "a.txt");
    assert_eq!(top(&pty), "a.txt line 1");
    pty.send(b":p");
    wait_status(&pty, "before the first", "no previous file");
    // Scrolling up into the end of a.txt from b.txt's start passes the
    // boundary row by row, as any row.
    pty.send(b":n");
    wait_status(&pty, "the second file again", "b.txt");
    pty.send(b"k");
    pty.wait_for("a.txt's last line above the boundary", TIMEOUT, |screen| {
        let rows: Vec<String> = screen.rows(0, 60).collect();
        rows[0] == "a.txt line 30" && rows[1].contains("b.txt ─") && rows[2] == "b.txt line 1"
    })
    .unwrap();
    quit(&pty);
    // --save has the bytes as received: no boundary.
    let want: String = names
        .iter()
        .flat_map(|name| (1..=30).map(move |i| format!("{name} line {i}\n")))
        .collect();
    assert_eq!(std::fs::read_to_string(&saved).unwrap(), want);
}

const LEFT: &[u8] = b"\x1b[D";
const RIGHT: &[u8] = b"\x1b[C";
const UP: &[u8] = b"\x1b[A";
const DOWN: &[u8] = b"\x1b[B";
const HOME: &[u8] = b"\x1b[H";
const END: &[u8] = b"\x1b[F";
const DELETE: &[u8] = b"\x1b[3~";
const BACKSPACE: &[u8] = b"\x7f";

/// Waits until the status bar is the prompt `want`, the terminal's cursor
/// shown on it at `column`: where the next character typed goes.
fn wait_prompt(pty: &Pty, what: &str, want: &str, column: u16) {
    pty.wait_for(
        &format!("{what}: the prompt {want:?}, the cursor at column {column}"),
        TIMEOUT,
        |s| {
            status_row(s).trim_end() == want
                && s.cursor_position() == (s.size().0.get() - 1, column)
                && !s.hide_cursor()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn the_prompt_edits_at_its_cursor_as_in_less() {
    // Issue 20: Left, Right, Home, End, Ctrl-U, Ctrl-W and Backspace in
    // the prompt; Delete and Ctrl-A, Ctrl-E as readline has them.
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"g");
    wait_top(&pty, "g: the top", "L0000");

    pty.send(b"/L01x5");
    wait_prompt(&pty, "typed", "/L01x5", 6);
    pty.send(LEFT);
    wait_prompt(&pty, "Left: before the 5", "/L01x5", 5);
    pty.send(BACKSPACE);
    wait_prompt(&pty, "Backspace: the x gone", "/L015", 4);
    pty.send(END);
    wait_prompt(&pty, "End", "/L015", 5);
    pty.send(LEFT);
    pty.send(LEFT);
    pty.send(RIGHT);
    wait_prompt(&pty, "Left Left Right", "/L015", 4);
    pty.send(b"3");
    wait_prompt(&pty, "typed at the cursor", "/L0135", 5);
    pty.send(b"\r");
    wait_top(&pty, "the edited pattern searched", "L0135");
    pty.with_screen(|s| assert!(s.hide_cursor(), "the cursor hidden again"));

    // Ctrl-U: what is before the cursor goes, what is after stays.
    pty.send(b"/junkL0140");
    pty.send(HOME);
    wait_prompt(&pty, "Home", "/junkL0140", 1);
    pty.send(RIGHT.repeat(4).as_slice());
    wait_prompt(&pty, "after junk", "/junkL0140", 5);
    pty.send(b"\x15");
    wait_prompt(&pty, "Ctrl-U", "/L0140", 1);
    pty.send(b"\r");
    wait_top(&pty, "after Ctrl-U", "L0140");

    // Ctrl-W: the word before the cursor.
    pty.send(b"/L0160 junk");
    wait_prompt(&pty, "typed", "/L0160 junk", 11);
    pty.send(b"\x17");
    wait_prompt(&pty, "Ctrl-W", "/L0160", 7);
    pty.send(BACKSPACE);
    pty.send(b"\r");
    wait_top(&pty, "after Ctrl-W", "L0160");

    // Ctrl-A, Delete, Ctrl-E.
    pty.send(b"/xL0170");
    pty.send(b"\x01");
    wait_prompt(&pty, "Ctrl-A", "/xL0170", 1);
    pty.send(DELETE);
    wait_prompt(&pty, "Delete", "/L0170", 1);
    pty.send(b"\x05");
    wait_prompt(&pty, "Ctrl-E", "/L0170", 6);
    pty.send(b"\r");
    wait_top(&pty, "after Delete", "L0170");

    // Backspace on an empty prompt still closes it.
    pty.send(b"/");
    wait_prompt(&pty, "opened", "/", 1);
    pty.send(BACKSPACE);
    wait_status(&pty, "closed", "PAUSED");
    quit(&pty);
}

#[test]
fn up_and_down_in_a_prompt_walk_the_patterns_entered() {
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"g/L0150\r");
    wait_top(&pty, "/L0150", "L0150");
    pty.send(b"g/L0020\r");
    wait_top(&pty, "/L0020", "L0020");
    pty.send(b"/L0");
    wait_prompt(&pty, "a pattern begun", "/L0", 3);
    pty.send(UP);
    wait_prompt(&pty, "Up: the newest", "/L0020", 6);
    pty.send(UP);
    wait_prompt(&pty, "Up again: the one before", "/L0150", 6);
    pty.send(UP);
    wait_prompt(&pty, "Up at the oldest: stays", "/L0150", 6);
    pty.send(DOWN);
    wait_prompt(&pty, "Down", "/L0020", 6);
    pty.send(DOWN);
    wait_prompt(&pty, "Down: the line being typed, kept", "/L0", 3);
    pty.send(UP);
    pty.send(UP);
    wait_prompt(&pty, "Up Up", "/L0150", 6);
    pty.send(b"\r");
    wait_top(&pty, "the recalled pattern searched", "L0150");
    // The filter prompt walks the same list, as in less.
    pty.send(b"&");
    pty.send(UP);
    wait_prompt(&pty, "& Up", "&L0150", 6);
    pty.send(b"\x1b");
    wait_status(&pty, "closed", "PAUSED");
    quit(&pty);
}

#[test]
fn a_long_pattern_scrolls_within_the_prompt_row_around_its_cursor() {
    let (pty, _lines, _dir) = viewing(&[]);
    let text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX";
    assert_eq!(text.len(), 60);
    pty.send(b"/");
    pty.send(text.as_bytes());
    let last = COLS - 1;
    // The end: the start cut off and marked, a cell left for the cursor.
    pty.wait_for("the end of a long pattern", TIMEOUT, |s| {
        let row = status_row(s);
        row.starts_with("/…")
            && row.trim_end().ends_with("VWX")
            && row.trim_end().chars().count() == usize::from(last)
            && s.cursor_position() == (ROWS - 1, last)
    })
    .unwrap();
    let tail = pty.with_screen(status_row);
    assert!(text.ends_with(&tail.trim_end()["/…".len()..]), "{tail:?}");
    // Home: the start, the end cut off and marked.
    pty.send(HOME);
    let head = format!("/{}…", &text[..usize::from(COLS) - 2]);
    wait_prompt(&pty, "Home: the start", &head, 1);
    // The cursor moves in the row while it can.
    pty.send(RIGHT.repeat(20).as_slice());
    wait_prompt(&pty, "20 Right", &head, 21);
    // Past the row's end the text moves: the cursor stays in the row, on
    // the character it is at.
    pty.send(RIGHT.repeat(20).as_slice());
    pty.wait_for("40 Right", TIMEOUT, |s| {
        let row = status_row(s);
        let (y, x) = s.cursor_position();
        let at = row.chars().nth(usize::from(x));
        y == ROWS - 1 && x < COLS && row.starts_with("/…") && at == text.chars().nth(40)
    })
    .unwrap();
    // Typing there inserts there.
    pty.send(b"_");
    pty.wait_for("typed in the middle", TIMEOUT, |s| {
        let row = status_row(s);
        let (_, x) = s.cursor_position();
        let typed = row.chars().nth(usize::from(x) - 1);
        typed == Some('_') && row.chars().nth(usize::from(x)) == text.chars().nth(40)
    })
    .unwrap();
    pty.send(b"\x1b");
    wait_status(&pty, "closed", "FOLLOW");
    quit(&pty);
}

/// The help's position, as its status bar says it: first and last row
/// shown, and how many rows it has.
fn help_position(screen: &vt100::Screen) -> Option<(usize, usize, usize)> {
    let status = status_row(screen);
    let rest = status.trim().strip_prefix("help: lines ")?;
    let (range, rest) = rest.split_once(" of ")?;
    let (first, last) = range.split_once('-')?;
    let of = rest.split(',').next()?;
    Some((first.parse().ok()?, last.parse().ok()?, of.parse().ok()?))
}

#[test]
fn the_help_scrolls_when_it_does_not_fit() {
    // Issue 20: at 60x10 the help ended before the search, filter and
    // quit keys.
    let (pty, lines, _dir) = viewing_at(&[], 60, 10);
    let quit_row = |s: &vt100::Screen| {
        s.rows(0, 60)
            .any(|row| row.starts_with("  q ") && row.trim_end().ends_with("quit"))
    };
    pty.send(b"h");
    pty.wait_for("the help, at its top", TIMEOUT, |s| {
        s.contents().contains("reflow keys")
            && help_position(s).is_some_and(|p| p.0 == 1 && p.1 == 9)
    })
    .unwrap();
    assert!(!pty.with_screen(quit_row), "{}", pty.screen_text());
    let at = |pty: &Pty, what: &str, first: usize| {
        pty.wait_for(what, TIMEOUT, |s| {
            help_position(s).is_some_and(|p| p.0 == first && p.1 == first + 8)
        })
        .unwrap();
    };
    pty.send(b" ");
    at(&pty, "Space: a page down", 10);
    pty.send(b"j");
    at(&pty, "j: a row down", 11);
    pty.send(DOWN);
    at(&pty, "Down: a row down", 12);
    pty.send(b"k");
    at(&pty, "k: a row up", 11);
    pty.send(b"b");
    at(&pty, "b: a page up", 2);
    pty.send(b"bb");
    at(&pty, "b at the top: the top", 1);
    for _ in 0..10 {
        pty.send(b" ");
    }
    pty.wait_for("Space to the end: the quit key", TIMEOUT, |s| {
        quit_row(s) && help_position(s).is_some_and(|(_, last, of)| last == of)
    })
    .unwrap();
    pty.send(b"g");
    at(&pty, "g: the top", 1);
    pty.send(b"G");
    pty.wait_for("G: the end", TIMEOUT, quit_row).unwrap();
    pty.send(b"q");
    let rows = all_rows(&lines, 60);
    wait_rows(&pty, "the log again", &rows[rows.len() - 9..]);
    assert!(pty.try_exit().is_none(), "q in the help quit");
    quit(&pty);
}

#[test]
fn the_help_wraps_its_descriptions_at_20_columns() {
    // Issue 20: at 20 columns every description was cut.
    let (pty, _lines, _dir) = viewing_at(&[], 20, 40);
    pty.send(b"h");
    pty.wait_for_text("reflow keys", TIMEOUT).unwrap();
    // The keys on a row, what they do below, every word of it.
    let want = [
        "  m x  ' x  ''",
        "    mark the top",
        "    line x; back to",
        "    it; back again",
    ];
    pty.wait_for("a description wrapped whole", TIMEOUT, |s| {
        let rows = content_rows(s);
        rows.windows(want.len()).any(|w| w == want)
    })
    .unwrap();
    let text = pty.with_screen(|s| content_rows(s).join(" "));
    for word in "3 rows, with --mouse (then Shift + drag selects)".split(' ') {
        assert!(text.split(' ').any(|w| w == word), "{word:?} cut: {text}");
    }
    pty.send(b"q");
    wait_status(&pty, "the help closed", "200 lines");
    quit(&pty);
}

/// The rows of the last screenful of `lines` with `-N` at `width`: each
/// line's number right-aligned in a column of `digits`, blank under it on
/// its wrapped rows.
fn numbered_rows(lines: &[String], width: usize, digits: usize) -> Vec<String> {
    let rows: Vec<String> = lines
        .iter()
        .enumerate()
        .flat_map(|(i, line)| {
            greedy(line, width - digits - 1)
                .into_iter()
                .enumerate()
                .map(move |(row, text)| match row {
                    0 => format!("{:>digits$} {text}", i + 1),
                    _ => format!("{:digits$} {text}", ""),
                })
        })
        .collect();
    rows[rows.len() - CONTENT..].to_vec()
}

#[test]
fn dash_n_numbers_lines_in_a_gutter_that_search_never_sees() {
    let (pty, lines, _dir) = viewing(&["-N"]);
    wait_rows(
        &pty,
        "numbers before the lines, wrapped rows under the text",
        &numbered_rows(&lines, usize::from(COLS), 3),
    );
    // Dim, not part of the text.
    pty.with_screen(|s| assert!(s.cell(CONTENT as u16 - 1, 0).unwrap().dim()));
    // The numbers are never searched: every line's text starts with L.
    pty.send(b"g/^15\r");
    wait_status(&pty, "the gutter is no text", "pattern not found: ^15");
    pty.send(b"/L0150\r");
    wait_top(&pty, "the text is searched", "151 L0150 a long line");
    quit(&pty);
}

#[test]
fn dash_n_typed_while_viewing_toggles_numbers_and_keeps_the_top_line() {
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"g");
    for _ in 0..60 {
        pty.send(b"j");
    }
    // 60 rows down: line 45 is at the top (every third line has two rows).
    wait_top(&pty, "sixty rows down", "L0045");
    pty.send(b"-N");
    wait_status(&pty, "-N said", "line numbers on");
    wait_top(&pty, "numbers on, the same top line", " 46 L0045");
    pty.send(b"j");
    wait_top(
        &pty,
        "its second row, under the text",
        "    second row here",
    );
    pty.send(b"-N");
    wait_status(&pty, "-N again", "line numbers off");
    wait_top(
        &pty,
        "numbers off, the same text at the top",
        "second row here",
    );
    // Under a filter too.
    pty.send(b"&short\rgjj");
    wait_top(&pty, "the filter's third line", "L0004 short");
    pty.send(b"-N");
    wait_top(&pty, "numbered under the filter", "  5 L0004 short");
    pty.send(b"-x");
    wait_status(&pty, "an unknown option", "no option -x");
    quit(&pty);
}

#[test]
fn dash_s_toggles_chopping_long_lines_and_back() {
    let (pty, lines, _dir) = viewing(&[]);
    let rows = all_rows(&lines, usize::from(COLS));
    let wrapped = rows[rows.len() - CONTENT..].to_vec();
    let cut = |from: usize| -> Vec<String> {
        lines[200 - CONTENT..]
            .iter()
            .map(|l| l.chars().skip(from).take(40).collect::<String>())
            .map(|s| s.trim_end().to_owned())
            .collect()
    };
    wait_rows(&pty, "wrapped at 40 columns", &wrapped);
    pty.send(b"-S");
    wait_status(&pty, "-S said", "long lines chopped");
    wait_rows(&pty, "-S: one row a line, cut", &cut(0));
    pty.send(b"\x1b[C");
    wait_rows(&pty, "Right scrolls chopped lines", &cut(20));
    pty.send(b"-S");
    wait_status(&pty, "-S again", "long lines wrapped");
    wait_rows(&pty, "-S again: wrapped again", &wrapped);
    quit(&pty);
}

#[test]
fn dash_i_toggles_smart_case_and_exact_case() {
    let (pty, _lines, _dir) = viewing(&[]);
    pty.send(b"g/l0150\r");
    wait_top(&pty, "smart case: lower case finds L0150", "L0150");
    pty.send(b"-i");
    wait_status(&pty, "-i said", "case: exact");
    pty.send(b"g/l0150\r");
    wait_status(
        &pty,
        "exact: l0150 is not L0150",
        "pattern not found: l0150",
    );
    pty.send(b"/L0150\r");
    wait_top(&pty, "exact: L0150 is", "L0150");
    pty.send(b"-i");
    wait_status(&pty, "-i again", "case: smart");
    pty.send(b"g/l0150\r");
    wait_top(&pty, "smart again", "L0150");
    quit(&pty);
}

#[test]
fn n_says_which_match_of_how_many() {
    let (pty, lines, _dir) = viewing(&[]);
    let total = lines.iter().filter(|l| l.contains("short")).count();
    pty.send(b"g/short\r");
    wait_top(&pty, "the first match after the top", "L0001 short");
    wait_status(&pty, "its place", &format!("match 1 of {total}"));
    pty.send(b"n");
    wait_top(&pty, "n: the next match", "L0002 short");
    wait_status(&pty, "n: the second", &format!("match 2 of {total}"));
    pty.send(b"n");
    wait_status(&pty, "n: the third", &format!("match 3 of {total}"));
    pty.send(b"N");
    wait_top(&pty, "N: back", "L0002 short");
    wait_status(&pty, "N: the second again", &format!("match 2 of {total}"));
    // Another pattern is counted anew.
    pty.send(b"/wraps\r");
    // From the top line on: L0003, the second of the lines that wrap.
    wait_status(
        &pty,
        "a new pattern",
        &format!("match 2 of {}", 200 - total),
    );
    quit(&pty);
}
