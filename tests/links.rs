//! OSC 8 hyperlinks (issue 20): passed on to a display with colour on,
//! written anew on every row a link wraps onto and closed at the row's
//! end, at any width; never with `--color never` or to `TERM=dumb`; a
//! link of another scheme never; passthrough copies the bytes as they
//! came. vt100 does not model OSC 8, so the bytes written are read.

use reflow::{ColorChoice, Printer, Viewport};

use crate::support::{BIN, Capture, Pty, TIMEOUT, count, find, quit, reflow, temp_file};

const OPEN: &str = "\x1b]8;;https://example.com/x\x1b\\";
const CLOSE: &str = "\x1b]8;;\x1b\\";

/// A link over most of a line (in the ST form), a `javascript:` link and
/// a clipboard write (BEL form), and a plain line.
fn lines() -> Vec<u8> {
    let mut bytes = Vec::new();
    bytes.extend_from_slice(b"see \x1b]8;;https://example.com/x\x1b\\");
    bytes.extend_from_slice(b"alpha bravo charlie delta echo foxtrot golf hotel");
    bytes.extend_from_slice(b"\x1b]8;;\x1b\\ end\n");
    bytes.extend_from_slice(b"js \x1b]8;;javascript:alert(1)\x07click\x1b]8;;\x07 me\n");
    bytes.extend_from_slice(b"clip \x1b]52;c;cm0gLXJmIH4=\x07 board\n");
    bytes.extend_from_slice(b"plain\n");
    bytes
}

/// Runs the binary on [`lines`] at `cols` x 8 with `args`, until all its
/// lines are shown.
fn show(args: &[&str], cols: u16) -> (Pty, tempfile::TempPath) {
    let file = temp_file("links.log", &lines());
    let mut argv = args.to_vec();
    argv.push(file.to_str().unwrap());
    let pty = Pty::spawn(Pty::command(BIN, &argv), cols, 8);
    pty.wait_for_text("plain", TIMEOUT).unwrap();
    (pty, file)
}

/// Every OSC in `raw` is one of ours: the link or its end.
fn only_our_links(raw: &[u8]) {
    let mut rest = raw;
    while let Some(at) = find(rest, b"\x1b]") {
        rest = &rest[at..];
        assert!(
            rest.starts_with(OPEN.as_bytes()) || rest.starts_with(CLOSE.as_bytes()),
            "an OSC not ours: {:?}",
            String::from_utf8_lossy(&rest[..rest.len().min(40)])
        );
        rest = &rest[2..];
    }
}

#[test]
fn a_wrapped_link_is_opened_on_each_row_and_closed_at_its_end() {
    let (pty, _file) = show(&[], 40);
    let first = format!("see {OPEN}alpha bravo charlie delta echo{CLOSE}");
    let second = format!("{OPEN}foxtrot golf hotel{CLOSE} end");
    pty.wait_for_raw_bytes(second.as_bytes(), TIMEOUT).unwrap();
    let raw = pty.raw_output();
    assert!(find(&raw, first.as_bytes()).is_some(), "first row");
    assert_eq!(
        pty.screen_rows()[..5],
        [
            "see alpha bravo charlie delta echo",
            "foxtrot golf hotel end",
            "js click me",
            "clip  board",
            "plain",
        ]
    );
    // Resized: the link follows the new rows.
    pty.resize(30, 8);
    let first = format!("see {OPEN}alpha bravo charlie delta{CLOSE}");
    let second = format!("{OPEN}echo foxtrot golf hotel{CLOSE} end");
    pty.wait_for_raw_bytes(second.as_bytes(), TIMEOUT).unwrap();
    let raw = pty.raw_output();
    assert!(find(&raw, first.as_bytes()).is_some(), "first row at 30");
    quit(&pty);
    let raw = pty.raw_output();
    // Opened as often as closed: no link is left open.
    assert_eq!(count(&raw, OPEN.as_bytes()), count(&raw, CLOSE.as_bytes()));
    assert!(find(&raw, b"javascript").is_none());
    assert!(find(&raw, b"cm0g").is_none());
    only_our_links(&raw);
}

#[test]
fn colour_never_draws_no_link() {
    let (pty, _file) = show(&["--color", "never"], 40);
    assert_eq!(
        pty.screen_rows()[..2],
        [
            "see alpha bravo charlie delta echo",
            "foxtrot golf hotel end"
        ]
    );
    quit(&pty);
    let raw = pty.raw_output();
    assert!(find(&raw, b"\x1b]").is_none(), "an OSC with --color never");
}

#[test]
fn term_dumb_gets_the_text_without_links() {
    let file = temp_file("links-dumb.log", &lines());
    let pty = Pty::spawn(
        Pty::sh(&format!("TERM=dumb exec '{BIN}' '{}'", file.display())),
        40,
        8,
    );
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap().code(), Some(0));
    let raw = pty.raw_output();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("see alpha bravo"), "{text:?}");
    assert!(find(&raw, b"\x1b]").is_none(), "{text:?}");
}

/// Passthrough (stdout a pipe, as in `reflow file | cat`) is untouched:
/// the bytes as received, links and all, as before links were drawn.
#[test]
fn passthrough_copies_links_as_received() {
    let file = temp_file("links-pipe.log", &lines());
    let out = reflow(&[file.to_str().unwrap()], b"");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(out.stdout, lines());
    let out = reflow(&["--color", "always"], &lines());
    assert_eq!(out.stdout, lines());
}

/// The inline display prints the same rows: each part of a wrapped link
/// is a link, closed at its row's end; with colour off there is none.
#[test]
fn the_inline_display_opens_and_closes_a_link_on_each_row() {
    let draw = |color: ColorChoice| {
        let out = Capture::default();
        let printer = Printer::builder()
            .viewport(Viewport::Inline)
            .color(color)
            .draw_into(out.clone(), 20, 6)
            .spawn()
            .unwrap();
        let tx = printer.sender();
        tx.line(b"\x1b]8;;https://example.com/x\x07aaaa bbbb cccc dddd eeee\x1b]8;;\x07 f")
            .unwrap();
        tx.line("after").unwrap();
        printer.join().unwrap();
        out.bytes()
    };
    let raw = draw(ColorChoice::Always);
    let rows = [
        format!("{OPEN}aaaa bbbb cccc dddd{CLOSE}"),
        format!("{OPEN}eeee{CLOSE} f"),
    ];
    for row in &rows {
        assert!(
            find(&raw, row.as_bytes()).is_some(),
            "{row:?} in {:?}",
            String::from_utf8_lossy(&raw)
        );
    }
    assert_eq!(count(&raw, OPEN.as_bytes()), count(&raw, CLOSE.as_bytes()));
    only_our_links(&raw);
    let raw = draw(ColorChoice::Never);
    assert!(find(&raw, b"\x1b]").is_none());
    assert!(find(&raw, b"aaaa bbbb cccc dddd").is_some());
}
