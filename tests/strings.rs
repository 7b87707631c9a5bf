//! Issue 16, every string reflow draws or prints: its own (file names,
//! notices, the search prompt and its messages, the filter marker, usage
//! errors) as much as the log's, on a real pty. Controls are shown, never
//! sent: `^M`, `^[]`, `<U+202E>`.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::*;

/// An OSC 52 (clipboard write) in its 8-bit form, UTF-8 encoded: C1 OSC,
/// the payload, C1 ST.
const C1_OSC: &[u8] = b"\xc2\x9d52;c;aGk=\xc2\x9c";
/// How reflow shows it.
const C1_OSC_SHOWN: &str = "^[]52;c;aGk=^[\\";

/// The binary showing `path` on a `cols` x 10 pty, once its `lines` are
/// in; named as it is in its directory, so the bar has room for it.
fn viewing(path: &Path, cols: u16, lines: usize) -> Pty {
    let name = path.file_name().unwrap().to_str().unwrap();
    let mut cmd = Pty::command(BIN, &[name]);
    cmd.cwd(path.parent().unwrap());
    let pty = Pty::spawn(cmd, cols, 10);
    let count = format!("{lines} line");
    pty.wait_for("the file read", TIMEOUT, |screen| {
        status_row(screen).contains(&count)
    })
    .unwrap();
    pty
}

/// The C1 controls of `bytes`, UTF-8 encoded (`C2 80`-`C2 9F`).
fn c1_controls(bytes: &[u8]) -> usize {
    bytes
        .windows(2)
        .filter(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
        .count()
}

/// Issue 16: pasted after `/`, an 8-bit OSC went into the frame raw: in
/// the prompt, in `pattern not found: …`, in `no line matches …` and in the
/// status bar's `&…`.
#[test]
fn a_pasted_c1_osc_reaches_the_frame_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "c1.log", b"alpha\nbeta\ngamma\n");
    let pty = viewing(&file, 120, 3);

    pty.send(b"/");
    pty.send(C1_OSC);
    wait_status(&pty, "the prompt", &format!("/{C1_OSC_SHOWN}"));
    pty.send(b"\r");
    wait_status(
        &pty,
        "the search's message",
        &format!("pattern not found: {C1_OSC_SHOWN}"),
    );

    pty.send(b"&");
    pty.send(C1_OSC);
    pty.send(b"\r");
    pty.wait_for("the filter's message and marker", TIMEOUT, |screen| {
        let bar = status_row(screen);
        bar.contains(&format!("no line matches &{C1_OSC_SHOWN}"))
            && bar.contains(&format!("&{C1_OSC_SHOWN}"))
    })
    .unwrap();

    let raw = pty.raw_output();
    assert_eq!(c1_controls(&raw), 0, "a C1 control reached the terminal");
    quit(&pty);
}

/// Issue 16: `reflow $'secret\rshown.log'` showed ` shown.log`, the part
/// before the `\r` hidden.
#[test]
fn a_carriage_return_in_a_name_shows_as_caret_m_in_the_status_bar() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "secret\rshown.log", b"one line\n");
    let pty = viewing(&file, 80, 1);
    wait_status(&pty, "the whole name", "secret^Mshown.log");
    assert!(!contains(&pty.raw_output(), b"secret\r"));
    quit(&pty);
}

/// Issue 16: U+202E passed through in the status bar and in log text. It
/// is shown as `<U+202E>`, 8 columns counted as 8 (a line of twenty wraps
/// at 80 columns into two rows of ten); a directional mark in plain
/// right-to-left text is kept.
#[test]
fn bidi_controls_are_shown_visibly_and_take_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "abc\u{202e}def\n".to_owned();
    text.push_str(&"\u{202e}".repeat(20));
    text.push('\n');
    text.push_str("\u{2067}x\u{2069} \u{5e9}\u{5dc}\u{5d5}\u{5dd}\u{200f}!\n");
    let file = write_file(dir.path(), "a\u{202e}gol.txt", text.as_bytes());
    let pty = viewing(&file, 80, 3);
    wait_status(&pty, "the name", " a<U+202E>gol.txt ");
    let rows = pty.screen_rows();
    let ten = "<U+202E>".repeat(10);
    assert_eq!(rows[0], "abc<U+202E>def", "{rows:#?}");
    assert_eq!(rows[1], ten, "{rows:#?}");
    assert_eq!(rows[2], ten, "{rows:#?}");
    assert!(rows[3].starts_with("<U+2067>x<U+2069> "), "{rows:#?}");
    let raw = pty.raw_output();
    for control in ["\u{202e}", "\u{2067}", "\u{2069}"] {
        assert!(!contains(&raw, control.as_bytes()), "{control:?} was sent");
    }
    assert!(
        contains(&raw, "\u{200f}".as_bytes()),
        "the mark was dropped"
    );
    quit(&pty);
}

/// Issue 16: clap wrote the offending value back raw, on the terminal
/// (to a pipe it strips escape codes itself): `--color` cleared the
/// screen.
#[test]
fn a_usage_error_on_a_terminal_holds_no_escape_codes() {
    let value = "x\x1b[2J\x1b[Hx";
    let pty = Pty::spawn(Pty::command(BIN, &["--color", value]), 80, 10);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert_eq!(exit.code(), Some(2));
    let raw = pty.raw_output();
    assert!(
        !contains(&raw, b"\x1b"),
        "{:?}",
        raw.escape_ascii().to_string()
    );
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.starts_with("reflow: invalid value 'x^[[2J^[[Hx' for '--color <WHEN>'"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "one line and a hint: {text}");
}

/// Issue 16: pasting N characters after `/` cost CPU growing with N²
/// (8,000: 31.5 s) and `q` after a 10,240-character paste took 36.7 s.
/// The prompt is linear in its length, and a pattern is at most 4 KiB:
/// the rest of the paste is dropped and Enter says why.
#[test]
fn a_10000_character_paste_after_slash_is_answered_within_a_deadline() {
    const DEADLINE: Duration = Duration::from_secs(10);
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let file = write_file(dir.path(), "paste.log", lines.as_bytes());
    let pty = viewing(&file, 80, 100);

    let start = Instant::now();
    pty.send(b"/");
    let paste = "abcdefghij".repeat(1_000);
    // A chunk at a time, so a display that reads the paste slowly fails
    // at the deadline rather than holding the test in a write.
    for chunk in paste.as_bytes().chunks(100) {
        assert!(
            start.elapsed() < DEADLINE,
            "the paste was not read within {DEADLINE:?}"
        );
        pty.send(chunk);
    }
    let left = |start: Instant| DEADLINE.saturating_sub(start.elapsed());
    pty.wait_for("the prompt says it is full", left(start), |screen| {
        status_row(screen).contains("pattern too long")
    })
    .unwrap();
    pty.send(b"\r");
    pty.wait_for("Enter is answered", left(start), |screen| {
        status_row(screen).contains("pattern too long: at most 4 KiB")
            && !status_row(screen).starts_with('/')
    })
    .unwrap();
    pty.send(b"q");
    let exit = pty.wait_exit(left(start)).unwrap();
    assert_eq!(exit.code(), Some(0));
    assert_terminal_restored(&pty);
    assert!(start.elapsed() < DEADLINE, "{:?}", start.elapsed());
}
