//! Faithful, safe text in a real pseudo-terminal: colours across wrapped
//! rows, hostile escape sequences neutralised, wide characters in place,
//! `--color` and `NO_COLOR`.

use crate::support::{BIN, Pty, TIMEOUT, quit, temp_file, wait_for_all_lines};

/// Runs the binary on `bytes` at `cols` x `rows` until its status bar
/// shows `lines` lines and the end of input.
fn show(name: &str, bytes: &[u8], args: &[&str], cols: u16, rows: u16, lines: usize) -> Pty {
    let file = temp_file(name, bytes);
    let mut argv: Vec<&str> = args.to_vec();
    argv.push(file.to_str().unwrap());
    let pty = Pty::spawn(Pty::command(BIN, &argv), cols, rows);
    // The file is followed: one whose last line is unfinished waits for
    // the rest of it and says no EOF; the line shown counts (as the
    // position does).
    let open = !bytes.ends_with(b"\n");
    let status = format!("{lines} line");
    // The status bar is cut from the right when narrow: tests use widths
    // where the count and EOF fit.
    pty.wait_for("all lines shown", TIMEOUT, |screen| {
        let bottom = screen
            .rows(0, cols)
            .nth(usize::from(rows) - 1)
            .unwrap_or_default();
        bottom.contains(&status) && (open || bottom.contains("EOF"))
    })
    .unwrap();
    pty
}

/// The colours of the non-blank cells of a row.
fn colors(screen: &vt100::Screen, row: u16, cols: u16) -> Vec<vt100::Color> {
    (0..cols)
        .filter_map(|col| screen.cell(row, col))
        .filter(|cell| !cell.contents().trim().is_empty())
        .map(|cell| cell.fgcolor())
        .collect()
}

/// Every non-blank cell of the row is in the default colour.
fn assert_plain(screen: &vt100::Screen, row: u16, cols: u16) {
    let c = colors(screen, row, cols);
    assert!(
        c.iter().all(|&c| c == vt100::Color::Default),
        "row {row}: {c:?}"
    );
}

#[test]
fn a_red_line_is_red_on_all_its_rows_and_the_next_line_is_not() {
    let mut red = b"\x1b[31m".to_vec();
    red.extend_from_slice("a".repeat(25).as_bytes());
    red.extend_from_slice(b" bbbbbbbbbbbbbbbbbbbbbbbbb ccccccccccccccccccccccccc\x1b[0m");
    red.extend_from_slice(b"\nplain after\n");
    let pty = show("red.log", &red, &[], 30, 6, 2);
    pty.with_screen(|screen| {
        let rows: Vec<String> = screen
            .rows(0, 30)
            .map(|r| r.trim_end().to_owned())
            .collect();
        assert_eq!(rows[0], "a".repeat(25));
        assert_eq!(rows[1], "b".repeat(25));
        assert_eq!(rows[2], "c".repeat(25));
        assert_eq!(rows[3], "plain after");
        for row in 0..3 {
            let c = colors(screen, row, 30);
            assert_eq!(c.len(), 25, "row {row}");
            assert!(
                c.iter().all(|&c| c == vt100::Color::Idx(1)),
                "row {row}: {c:?}"
            );
        }
        for row in 3..5 {
            assert_plain(screen, row, 30);
        }
        // The status bar is not red either.
        assert_plain(screen, 5, 30);
    });
    quit(&pty);
}

#[test]
fn colour_never_draws_no_colour() {
    let pty = show(
        "never.log",
        b"\x1b[31mred\x1b[0m\n",
        &["--color", "never"],
        40,
        4,
        1,
    );
    pty.with_screen(|screen| {
        assert_eq!(screen.rows(0, 40).next().unwrap().trim_end(), "red");
        assert_plain(screen, 0, 40);
    });
    quit(&pty);
}

// `--color always` beats NO_COLOR; an empty NO_COLOR is no NO_COLOR.

/// Runs the binary through `sh -c` with `env` before it (for NO_COLOR)
/// on a file holding one red line, and returns the first cell's colour.
fn first_cell_colour(env: &str, args: &str) -> vt100::Color {
    let file = temp_file("colour.log", b"\x1b[31mred\x1b[0m plain\n");
    let pty = Pty::spawn(
        Pty::sh(&format!("{env} exec '{BIN}' {args} '{}'", file.display())),
        40,
        5,
    );
    wait_for_all_lines(&pty, 1);
    let (text, colour, after) = pty.with_screen(|s| {
        (
            s.rows(0, 40).next().unwrap().trim_end().to_owned(),
            s.cell(0, 0).unwrap().fgcolor(),
            s.cell(0, 4).unwrap().fgcolor(),
        )
    });
    assert_eq!(text, "red plain");
    assert_eq!(after, vt100::Color::Default, "the colour bled on");
    pty.send(b"q");
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(0));
    colour
}

#[test]
fn color_always_draws_colours_even_with_no_color_set() {
    assert_eq!(
        first_cell_colour("NO_COLOR=1", "--color always"),
        vt100::Color::Idx(1)
    );
}

#[test]
fn an_empty_no_color_leaves_colours_on() {
    assert_eq!(
        first_cell_colour("NO_COLOR=", "--color auto"),
        vt100::Color::Idx(1)
    );
    // The control: set and not empty, auto turns colour off.
    assert_eq!(
        first_cell_colour("NO_COLOR=1", "--color auto"),
        vt100::Color::Default
    );
}

/// Records what a line tried to do to the terminal beyond the screen.
#[derive(Default)]
struct Spy {
    titles: Vec<Vec<u8>>,
    clipboard: Vec<Vec<u8>>,
}

impl vt100::Callbacks for Spy {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.titles.push(title.to_vec());
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.titles.push(name.to_vec());
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], data: &[u8]) {
        self.clipboard.push(data.to_vec());
    }
}

#[test]
fn hostile_lines_cannot_touch_the_terminal() {
    let mut hostile = Vec::new();
    hostile.extend_from_slice(b"first line stays\n");
    hostile.extend_from_slice(b"title \x1b]2;PWNED\x07 set\n");
    hostile.extend_from_slice(b"icon \x1b]1;PWNED\x1b\\ set\n");
    hostile.extend_from_slice(b"clip \x1b]52;c;cm0gLXJmIH4K\x07 board\n");
    hostile.extend_from_slice(b"clear \x1b[2J\x1b[H screen\n");
    hostile.extend_from_slice(b"leave \x1b[?1049l alt\n");
    hostile.extend_from_slice(b"show \x1b[?25h cursor\n");
    hostile.extend_from_slice(b"mouse \x1b[?1003h on\n");
    hostile.extend_from_slice(b"8-bit \x9b2J csi\n");
    hostile.extend_from_slice(b"dcs \x1bP1$qm\x1b\\ end\n");
    hostile.extend_from_slice(b"bell \x07 and nul \0\n");
    hostile.extend_from_slice(b"cut off \x1b]2;PWNED");
    let pty = show("hostile.log", &hostile, &[], 60, 16, 12);
    let rows = pty.screen_rows();
    assert_eq!(
        rows[..12],
        [
            "first line stays",
            "title  set",
            "icon  set",
            "clip  board",
            "clear  screen",
            "leave  alt",
            "show  cursor",
            "mouse  on",
            // vt100 does not draw U+FFFD (checked in the bytes below).
            "8-bit 2J csi",
            "dcs  end",
            "bell ^G and nul ^@",
            "cut off",
        ]
    );
    pty.with_screen(|screen| {
        assert!(screen.alternate_screen());
        assert!(screen.hide_cursor());
        // No mouse mode: not the line's (every motion), and none of
        // reflow's own without --mouse.
        assert_eq!(screen.mouse_protocol_mode(), vt100::MouseProtocolMode::None);
    });
    // Replay every byte it wrote into a model that records titles and
    // clipboard writes: there must be none, and no OSC at all.
    let raw = pty.raw_output();
    let mut spy = vt100::Parser::new_with_callbacks(
        16.try_into().unwrap(),
        60.try_into().unwrap(),
        0,
        Spy::default(),
    );
    spy.process(&raw);
    assert!(
        spy.callbacks().titles.is_empty(),
        "{:?}",
        spy.callbacks().titles
    );
    assert!(spy.callbacks().clipboard.is_empty());
    assert!(!raw.windows(2).any(|w| w == b"\x1b]"));
    let replaced = "8-bit \u{fffd}2J csi".as_bytes();
    assert!(raw.windows(replaced.len()).any(|w| w == replaced));
    quit(&pty);
}

#[test]
fn wide_characters_never_straddle_the_edge() {
    let text = "日本語のテキスト\nab日本\n👍🏽👍🏽👍🏽\n";
    let pty = show("wide.log", text.as_bytes(), &[], 40, 10, 3);
    pty.resize(7, 10);
    // 7 columns: three wide characters a row, never a half one at the
    // edge; "ab日本" is 6; each 👍🏽 counts 4 (tmux and xterm draw it so),
    // so one a row.
    let want = ["日本語", "のテキ", "スト", "ab日本", "👍🏽", "👍🏽", "👍🏽"];
    pty.wait_for("rows at 7 columns", TIMEOUT, |screen| {
        let rows: Vec<String> = screen.rows(0, 7).map(|r| r.trim_end().to_owned()).collect();
        rows[..7] == want
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn a_ten_megabyte_line_is_shown_and_reflowed() {
    let mut big = Vec::with_capacity(10_500_000);
    big.extend_from_slice(b"start\n");
    for i in 0..1_000_000u32 {
        big.extend_from_slice(format!("w{:08} ", i % 100_000_000).as_bytes());
    }
    big.extend_from_slice(b"\nend\n");
    let pty = show("big.log", &big, &[], 80, 24, 3);
    // Ten-character words, eight to an 80-column row: the row above "end"
    // holds the last eight words.
    let tail_row = |n: u32| {
        (n - 8..n)
            .map(|i| format!("w{i:08}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Waited for, not read at once: the status can show the count before
    // the frame with the rows is drawn.
    let tail = tail_row(1_000_000);
    pty.wait_for("the huge line's end above \"end\"", TIMEOUT, |screen| {
        let rows: Vec<String> = screen.rows(0, 80).collect();
        rows[21].trim_end() == tail.trim_end() && rows[22].trim_end() == "end"
    })
    .unwrap();
    pty.resize(43, 10);
    // 43 columns: three words (32) fit, a fourth (43) does too.
    pty.wait_for("the huge line reflowed", TIMEOUT, |screen| {
        let rows: Vec<String> = screen
            .rows(0, 43)
            .map(|r| r.trim_end().to_owned())
            .collect();
        let want = (1_000_000 - 4..1_000_000)
            .map(|i| format!("w{i:08}"))
            .collect::<Vec<_>>()
            .join(" ");
        rows[7] == want && rows[8] == "end"
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn no_color_turns_colour_off_and_tabs_follow_tab_width() {
    let file = temp_file("nocolor.log", b"\x1b[32mgreen\x1b[0m\ta\tb\n");
    // Through sh, to set NO_COLOR for the child only.
    let pty = Pty::spawn(
        Pty::sh(&format!(
            "NO_COLOR=1 exec '{BIN}' --tab-width 4 '{}'",
            file.display()
        )),
        40,
        5,
    );
    // " 1 line " with its spaces: "11 lines" must not match.
    pty.wait_for_text(" 1 line ", TIMEOUT).unwrap();
    pty.with_screen(|screen| {
        assert_eq!(
            screen.rows(0, 40).next().unwrap().trim_end(),
            "green   a   b"
        );
        assert_plain(screen, 0, 40);
    });
    quit(&pty);
}

#[test]
fn a_return_in_binary_data_is_shown_and_found_and_the_file_is_called_binary() {
    // An ELF header, with a `\r` among its bytes: the bytes before it must
    // stay on show (as less shows them) and be found by a search.
    let bytes = b"\x7fELF\x02\x01\x01\x00\x00\x00\rpart\x00two\ntext line\n";
    let pty = show("bin.elf", bytes, &[], 80, 6, 2);
    pty.wait_for("the binary warning", TIMEOUT, |screen| {
        screen.contents().contains("bin.elf") && screen.contents().contains("may be a binary file")
    })
    .unwrap();
    let first = pty.screen_rows()[0].clone();
    assert_eq!(first, "^?ELF^B^A^A^@^@^@^Mpart^@two", "{first:?}");
    // `?ELF` from the end finds the first line: its match is highlighted.
    pty.send(b"?ELF\r");
    pty.wait_for("ELF highlighted", TIMEOUT, |screen| {
        (2..5).all(|col| screen.cell(0, col).is_some_and(|cell| cell.inverse()))
    })
    .unwrap();
    quit(&pty);
}

#[test]
fn progress_updates_overwrite_and_other_returns_show_as_caret_m() {
    let bytes = b"get [#   ] 10%\rget [##  ] 20%\rget [####] 99%\n\
        abc,def,ghi\rxyz\n\
        10 s left\r9 s left\n";
    let pty = show("returns.log", bytes, &[], 60, 6, 3);
    let rows = pty.screen_rows();
    // Each update covers the one before: shown as a terminal shows it.
    assert_eq!(rows[0], "get [####] 99%");
    // A shorter text after the return would leave some of the earlier
    // one on a terminal: no progress update, every byte stays.
    assert_eq!(rows[1], "abc,def,ghi^Mxyz");
    assert_eq!(rows[2], "10 s left^M9 s left");
    // Text: no binary warning.
    assert!(!pty.screen_text().contains("binary"));
    quit(&pty);
}
