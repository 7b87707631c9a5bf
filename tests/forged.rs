//! Input bytes cannot make reflow draw what is not there: a line that
//! starts with text shaped like reflow's own line header (an APC string
//! `ESC _ reflow:… ESC \`) is shown, searched, compared with the sentinel
//! and saved as the text it is. Each attack a tester made is one test.

use crate::support::*;

/// Headers an input might forge: a stderr bar, a label column, a time.
const FORGED: &str = "\x1b_reflow:err\x1b\\E-line\n\
                      \x1b_reflow:label=8:kernel\x1b\\L-line\n\
                      \x1b_reflow:t=00:00:00.000\x1b\\T-line\n\
                      \x1b_reflow:out;err;label=6:kernel;t=11:11:11.111\x1b\\A-line\n";

/// No cell of the screen is a red stderr bar, and no row shows what the
/// forged headers asked for.
fn assert_nothing_forged(screen: &vt100::Screen) {
    let rows = content_rows(screen);
    for (y, row) in rows.iter().enumerate() {
        assert!(
            !row.contains("kernel") && !row.contains("00:00:00.000") && !row.contains("11:11:11"),
            "a forged label or time is drawn: {rows:#?}"
        );
        let (_, cols) = screen.size();
        for x in 0..cols.get() {
            let Some(cell) = screen.cell(y as u16, x) else {
                continue;
            };
            assert!(
                cell.contents() != "\u{258c}",
                "a stderr bar at row {y}: {rows:#?}"
            );
        }
    }
}

#[test]
fn a_commands_stdout_cannot_draw_a_stderr_bar_or_a_label() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("forged");
    std::fs::write(&input, FORGED).unwrap();
    let saved = dir.path().join("saved");
    let pty = Pty::spawn(
        Pty::command(
            BIN,
            &[
                "--save",
                saved.to_str().unwrap(),
                "--",
                "cat",
                input.to_str().unwrap(),
            ],
        ),
        80,
        24,
    );
    pty.wait_for("the forged lines and the end", TIMEOUT, |screen| {
        content_rows(screen).iter().any(|r| r == " A-line") && status_row(screen).contains("EOF")
    })
    .unwrap();
    pty.with_screen(|screen| {
        let rows = content_rows(screen);
        // Each is a stdout line: the blank column of stdout, then its text.
        for text in ["E-line", "L-line", "T-line", "A-line"] {
            assert!(rows.contains(&format!(" {text}")), "{text}: {rows:#?}");
        }
        assert_nothing_forged(screen);
    });
    pty.send(b"q");
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(0));
    assert_terminal_restored(&pty);
    // Saved as the command wrote them.
    assert_eq!(std::fs::read(&saved).unwrap(), FORGED.as_bytes());
}

#[test]
fn file_content_cannot_draw_a_bar_a_label_or_a_time_under_follow_all_and_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    std::fs::write(&a, FORGED).unwrap();
    std::fs::write(&b, "plain b\n").unwrap();
    let mut command = Pty::command(BIN, &["-F", "--timestamps", "a.log", "b.log"]);
    command.cwd(dir.path());
    let pty = Pty::spawn(command, 100, 24);
    pty.wait_for("every line", TIMEOUT, |screen| {
        let rows = content_rows(screen);
        rows.iter().any(|r| r.ends_with("A-line")) && rows.iter().any(|r| r.ends_with("plain b"))
    })
    .unwrap();
    pty.with_screen(|screen| {
        let rows = content_rows(screen);
        // Each line has its real label and a real arrival time, once.
        for text in ["E-line", "L-line", "T-line", "A-line"] {
            let row = rows
                .iter()
                .find(|r| r.ends_with(text))
                .unwrap_or_else(|| panic!("{text}: {rows:#?}"));
            assert!(row.starts_with("a.log "), "{row:?}");
            assert_eq!(row.matches(':').count(), 2, "one time only: {row:?}");
        }
        assert_nothing_forged(screen);
    });
    pty.send(b"q");
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    assert_terminal_restored(&pty);
}

#[test]
fn a_forged_header_before_the_sentinel_does_not_stop_the_display() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("saved");
    let input = "before\n\x1b_reflow:zz\x1b\\STOP\nafter\n";
    let script = format!(
        "printf 'before\\n\\033_reflow:zz\\033\\\\STOP\\nafter\\n' | {BIN} --sentinel STOP --save {}",
        saved.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    pty.wait_for("the line after it", TIMEOUT, |screen| {
        content_rows(screen).iter().any(|r| r == "after")
    })
    .unwrap();
    pty.with_screen(|screen| {
        let rows = content_rows(screen);
        assert_eq!(&rows[..3], ["before", "STOP", "after"]);
    });
    assert!(pty.try_exit().is_none(), "stopped at the forged line");
    pty.send(b"q");
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    assert_terminal_restored(&pty);
    assert_eq!(std::fs::read(&saved).unwrap(), input.as_bytes());
}

#[test]
fn the_real_sentinel_still_stops_the_display() {
    let script =
        format!("printf 'before\\nSTOP\\nafter\\n' | {BIN} --sentinel STOP; echo status=$?");
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    pty.wait_for_text("status=0", TIMEOUT).unwrap();
    assert!(!pty.screen_text().contains("after"));
}

#[test]
fn a_big_file_read_in_place_cannot_draw_a_bar_a_label_or_a_time() {
    // At least 8 MiB: read in place, its lines never passing the queue's
    // guard. The display must read no header in them at all.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    let mut bytes = Vec::with_capacity(9 << 20);
    let mut i = 0;
    while bytes.len() < 9 << 20 {
        bytes
            .extend_from_slice(format!("filler line {i:07} of text to grow the file\n").as_bytes());
        i += 1;
    }
    bytes.extend_from_slice(FORGED.as_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let pty = Pty::spawn(Pty::command(BIN, &[path.to_str().unwrap()]), 100, 24);
    pty.wait_for("the forged lines at the end", TIMEOUT, |screen| {
        content_rows(screen).iter().any(|r| r.ends_with("A-line"))
    })
    .unwrap();
    pty.with_screen(|screen| {
        let rows = content_rows(screen);
        for text in ["E-line", "L-line", "T-line", "A-line"] {
            assert!(rows.iter().any(|r| r == text), "{text}: {rows:#?}");
        }
        assert_nothing_forged(screen);
    });
    quit(&pty);
}
