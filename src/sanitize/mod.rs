//! Pure: untrusted line bytes in, text that is safe to draw out.
//!
//! A log line must never reach the terminal as a control sequence: it
//! could move the cursor, clear the screen, set the title or write the
//! clipboard. The line is run through `vte`, the escape-sequence parser
//! terminals themselves use, rather than hand-written patterns: every
//! sequence is recognised the way a terminal would see it, and only SGR
//! (colours and attributes) is kept, as a [`Style`] change at a text
//! offset, and, where colours are, an OSC 8 hyperlink that is safe to pass
//! on (`http`, `https` or `file`, its URI printable ASCII of at most 2048
//! bytes, ended by BEL or ST; see `link`), as the link a span of text is in.
//! Every other OSC (the title, the clipboard, …) is removed. Nothing of the
//! input's escape bytes is ever written out; styles and links are
//! re-encoded from their parsed state. Other control characters are
//! shown in caret notation (`^G`, `^?`), as `less` shows them, except
//! the backspaces of overstrike (`c\bc` bold, `_\bc` underlined: man
//! pages), which `less` draws as the style they mean.
//!
//! Bidirectional controls that reorder what follows them (the embeddings,
//! overrides and isolates, U+202A-U+202E and U+2066-U+2069) are shown as
//! `<U+202E>`, in log text too (`less` 590 passes them on): plain right-to-left
//! text never needs them (the terminal orders it by itself), and with
//! them a line can show its words in an order they do not have. The
//! directional marks (U+200E, U+200F, U+061C), which plain right-to-left
//! text does use and which only set the direction of the punctuation
//! beside them, are kept in log text.
//!
//! Text that is reflow's own (a file name, a label, a notice, a message,
//! a typed pattern, a usage error) goes through [`visible`] instead:
//! nothing in it is interpreted or removed, every control is shown.
//!
//! This module holds the entry points and the control characters' forms;
//! `style` the SGR model and its encoder, `link` what makes an OSC 8 link
//! safe, `sink` what `vte` hands over, `stream` a line fed in pieces.

use std::borrow::Cow;
use std::fmt::Write as _;

use vte::Parser;

mod link;
mod returns;
mod sink;
mod stream;
mod style;

use link::{Scan, mark_hidden_controls};
pub(crate) use returns::returns_overwrite;

use sink::Sink;
pub(crate) use stream::Pieces;
pub(crate) use style::{Style, Styled};

/// Default tab stop distance.
pub(crate) const TAB_WIDTH: usize = 8;

/// The widest tab stop distance taken: each tab is expanded to spaces, so
/// an unbounded one would make every tab a huge allocation.
pub(crate) const MAX_TAB_WIDTH: usize = 64;

/// True for the bidirectional controls that reorder the text after them:
/// LRE, RLE, PDF, LRO, RLO (U+202A-U+202E) and LRI, RLI, FSI, PDI
/// (U+2066-U+2069). A U+202E in a name turns `txt.exe` into `exe.txt`.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// True for the directional marks: LRM, RLM (U+200E, U+200F) and the
/// Arabic letter mark (U+061C). Invisible; kept in log text, shown in
/// reflow's own.
fn is_bidi_mark(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// Appends how control `c` is shown and returns its width: C0 controls
/// in caret notation (`^G`, `^M`, `^[` for ESC), DEL as `^?`, C1 controls
/// as `^[` and their 7-bit form (U+009B is `^[[`), as `less` shows them.
/// Every form is ASCII, so its width is its length.
fn push_control(c: char, out: &mut String) -> usize {
    let before = out.len();
    match u32::from(c) {
        code @ 0..=0x1f => {
            out.push('^');
            out.push(char::from(code as u8 ^ 0x40));
        }
        0x7f => out.push_str("^?"),
        code @ 0x80..=0x9f => {
            out.push_str("^[");
            out.push(char::from(code as u8 - 0x40));
        }
        code => {
            let _ = write!(out, "<U+{code:04X}>");
        }
    }
    out.len() - before
}

/// Makes text that reflow shows as its own (a file name, a label, a
/// notice, a message, a typed pattern, a usage error) safe to print and
/// true to what it holds, on one line: every control character is shown,
/// none interpreted or removed. C0 controls are in caret notation, `\r`,
/// `\n`, tab and ESC included (`^M`, `^J`, `^I`, `^[`), so no part of a
/// name can be hidden; DEL is `^?`, C1 controls `^[` and their 7-bit form
/// (U+009D is `^[]`), bidirectional controls and marks `<U+202E>`; invalid
/// UTF-8 is U+FFFD. Every form shown is ASCII and as wide as it is long.
///
/// ```
/// assert_eq!(reflow::visible(b"secret\rshown.log"), "secret^Mshown.log");
/// assert_eq!(reflow::visible(b"\x1b]2;t\x07"), "^[]2;t^G");
/// assert_eq!(reflow::visible("a\u{202e}b".as_bytes()), "a<U+202E>b");
/// assert_eq!(reflow::visible(b"plain"), "plain");
/// ```
pub fn visible(raw: &[u8]) -> Cow<'_, str> {
    let text = String::from_utf8_lossy(raw);
    let shown = |c: char| c.is_control() || is_bidi_control(c) || is_bidi_mark(c);
    if !text.chars().any(shown) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if shown(c) {
            push_control(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// How to turn raw bytes into displayable text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Distance between tab stops, taken within 1..=[`MAX_TAB_WIDTH`].
    pub(crate) tab_width: usize,
    /// Keep SGR colours and attributes; when false they are dropped too.
    pub(crate) color: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tab_width: TAB_WIDTH,
            color: false,
        }
    }
}

/// Turns one raw line into displayable text and its styles.
///
/// Invalid UTF-8 becomes U+FFFD. A trailing `\r` (from `\r\n`) is dropped;
/// a lone `\r` of a progress update keeps only what follows the last one,
/// and is `^M` in any other line (see `returns`). Tabs expand to tab
/// stops. Other control characters become caret notation, bidirectional
/// controls `<U+202E>` (see the module docs). SGR sequences and safe OSC 8
/// links become style changes when colour is on; every other escape
/// sequence (CSI, OSC, DCS, APC, PM, SOS, bare ESC) is removed, including
/// one cut short by the end of the line.
pub(crate) fn sanitize_styled(raw: &[u8], options: Options) -> Styled {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    // Printable ASCII alone, as most log lines are: nothing to parse.
    if raw.iter().all(|&b| (b' '..=b'~').contains(&b)) {
        return Styled {
            text: String::from_utf8_lossy(raw).into_owned(),
            ..Styled::default()
        };
    }
    parsed(raw, options)
}

/// [`sanitize_styled`] by the parser, for a line with more than printable
/// ASCII in it.
fn parsed(raw: &[u8], options: Options) -> Styled {
    // Decoded up front, so the parser never holds a partial character at
    // the end of the line, and stray C1 bytes are invalid UTF-8, not controls.
    let text: Cow<'_, str> = String::from_utf8_lossy(raw);
    let mut sink = Sink::new(options, text.len());
    sink.overwrite = returns_overwrite(raw);
    let bytes = match options.color {
        true => mark_hidden_controls(text.as_bytes(), &mut Scan::default()),
        false => Cow::Borrowed(text.as_bytes()),
    };
    Parser::new().advance(&mut sink, &bytes);
    sink.release();
    sink.out
}

/// Turns one raw line into displayable plain text: `sanitize_styled`
/// without colours. `tab_width` is taken within 1..=64.
pub fn sanitize(raw: &[u8], tab_width: usize) -> String {
    sanitize_styled(
        raw,
        Options {
            tab_width,
            color: false,
        },
    )
    .text
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn color() -> Options {
        Options {
            tab_width: 8,
            color: true,
        }
    }

    pub(super) fn painted(raw: &[u8]) -> String {
        let styled = sanitize_styled(raw, color());
        let mut out = String::new();
        styled.paint(0..styled.text.len(), &mut out);
        out
    }

    /// The shortcut for printable ASCII gives what the parser gives.
    #[test]
    fn printable_ascii_is_what_the_parser_makes_of_it() {
        let printable: Vec<u8> = (b' '..=b'~').collect();
        let mut lines: Vec<Vec<u8>> = vec![Vec::new(), printable.clone(), b"a\r".to_vec()];
        // Every printable byte, alone and among others, in many lengths.
        let mut seed = 7u32;
        for len in 0..200 {
            let mut line = Vec::new();
            for _ in 0..len {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                line.push(printable[(seed >> 16) as usize % printable.len()]);
            }
            lines.push(line);
        }
        for line in &lines {
            for color in [false, true] {
                let options = Options {
                    tab_width: 8,
                    color,
                };
                let raw = line.strip_suffix(b"\r").unwrap_or(line);
                assert_eq!(sanitize_styled(line, options), parsed(raw, options));
            }
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize(b"hello world", 8), "hello world");
        assert_eq!(sanitize("日本語 ok".as_bytes(), 8), "日本語 ok");
    }

    /// Hostile input: every sequence but SGR is removed, SGR only becomes a
    /// style, and no ESC byte survives in the text.
    #[test]
    fn escape_sequences_cannot_reach_the_terminal() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("OSC 2 title, BEL", b"a\x1b]2;pwned\x07b", "ab"),
            ("OSC 0 title, ST", b"a\x1b]0;pwned\x1b\\b", "ab"),
            ("OSC 52 clipboard", b"a\x1b]52;c;cm0gLXJmIH4=\x07b", "ab"),
            // OSC 8 links that are not kept (issue 20): their text stays,
            // in no link.
            (
                "OSC 8 javascript:",
                b"\x1b]8;;javascript:alert(1)\x07ab",
                "ab",
            ),
            (
                "OSC 8 data:",
                b"\x1b]8;;data:text/html;base64,PHNjcmlwdD4=\x07ab",
                "ab",
            ),
            ("OSC 8 no scheme", b"\x1b]8;;//evil/x\x07ab", "ab"),
            ("OSC 8 space", b"\x1b]8;;https://a b\x07ab", "ab"),
            ("OSC 8 control", b"\x1b]8;;https://a\x01b\x1b\\ab", "ab"),
            ("OSC 8 tab", b"\x1b]8;;https://a\tb\x07ab", "ab"),
            ("OSC 8 DEL", b"\x1b]8;;https://a\x7fb\x07ab", "ab"),
            (
                "OSC 8 non-ASCII",
                "\x1b]8;;https://ä.com\x07ab".as_bytes(),
                "ab",
            ),
            (
                "OSC 8 C1 ST",
                "\x1b]8;;https://a\u{9c}\x07ab".as_bytes(),
                "ab",
            ),
            (
                "OSC 8 ESC in the URI",
                b"\x1b]8;;https://a\x1bb\x1b\\ab",
                "ab",
            ),
            (
                "OSC 8 ended by ESC alone",
                b"\x1b]8;;https://a\x1bcab",
                "ab",
            ),
            (
                "OSC 8 ESC, control, \\",
                b"\x1b]8;;https://a\x1b\x01\\ab",
                "^Aab",
            ),
            ("OSC 8 ended by CAN", b"\x1b]8;;https://a\x18ab", "^Xab"),
            ("OSC 8 cut short", b"ab\x1b]8;;https://example.com/x", "ab"),
            (
                "OSC 8 ESC at the end",
                b"ab\x1b]8;;https://example.com/x\x1b",
                "ab",
            ),
            ("OSC 8 no URI", b"\x1b]8;id=x\x07ab\x1b]8\x07", "ab"),
            ("OSC 8 close alone", b"a\x1b]8;;\x1b\\b", "ab"),
            ("CSI 2J clear", b"a\x1b[2Jb", "ab"),
            ("CSI H home", b"a\x1b[Hb\x1b[10;20H", "ab"),
            ("cursor moves", b"\x1b[5A\x1b[3Cx\x1b[s\x1b[u", "x"),
            ("alt screen off", b"a\x1b[?1049lb", "ab"),
            ("cursor hide", b"a\x1b[?25lb", "ab"),
            ("mouse on", b"\x1b[?1000h\x1b[?1006hx", "x"),
            ("keyboard mode", b"\x1b[>4;1mx", "x"),
            ("DCS", b"a\x1bP1$qm\x1b\\b", "ab"),
            ("DCS sixel", b"a\x1bPq#0;2;0;0;0~~\x1b\\b", "ab"),
            ("APC", b"a\x1b_Gf=24;AAAA\x1b\\b", "ab"),
            ("PM", b"a\x1b^private\x1b\\b", "ab"),
            ("SOS", b"a\x1bXsos\x1b\\b", "ab"),
            ("bare ESC", b"a\x1bcb\x1b7c", "abc"),
            ("ESC at the end", b"abc\x1b", "abc"),
            ("truncated CSI", b"abc\x1b[31", "abc"),
            ("truncated OSC", b"abc\x1b]2;tit", "abc"),
            ("truncated DCS", b"abc\x1bP1$q", "abc"),
            ("8-bit CSI byte", b"a\x9b2Jb", "a\u{fffd}2Jb"),
            ("8-bit OSC byte", b"a\x9d0;t\x07b", "a\u{fffd}0;t^Gb"),
            ("C1 code point CSI", "a\u{9b}2Jb".as_bytes(), "a^[[2Jb"),
            ("C1 code point NEL", "a\u{85}b".as_bytes(), "a^[Eb"),
            ("bell", b"bell\x07", "bell^G"),
            ("NUL", b"nul\0byte", "nul^@byte"),
            ("DEL", b"del\x7f", "del^?"),
            ("backspace", b"ab\x08c", "ab^Hc"),
            ("vertical tab, form feed", b"a\x0bb\x0cc", "a^Kb^Lc"),
        ];
        for (name, raw, want) in cases {
            let styled = sanitize_styled(raw, color());
            assert_eq!(&styled.text, want, "{name}");
            assert!(!styled.text.contains('\x1b'), "{name}");
            assert!(styled.spans.is_empty(), "{name}: {:?}", styled.spans);
        }
    }

    /// Issue 20: an OSC 8 link to `http`, `https` or `file` is kept, as
    /// a link of the text it covers (never as text), its URI whole (a `;`
    /// in it too), its `id` only if plain; BEL or ST may end it.
    #[test]
    fn a_safe_hyperlink_keeps_its_text_in_a_link() {
        let styled = sanitize_styled(
            b"\x1b]8;;https://example.com/x\x1b\\link\x1b]8;;\x1b\\ after",
            color(),
        );
        assert_eq!(styled.text, "link after");
        assert_eq!(styled.link_at(0), Some("https://example.com/x"));
        assert_eq!(styled.link_at(3), Some("https://example.com/x"));
        assert_eq!(styled.link_at(4), None);
        assert_eq!(styled.links.len(), 1);
        let cases: &[(&[u8], &str)] = &[
            (b"\x1b]8;;http://a/b\x07x", ";http://a/b"),
            (b"\x1b]8;;FILE://host/usr/bin\x07x", ";FILE://host/usr/bin"),
            (b"\x1b]8;;https://a/b;c=d;e\x07x", ";https://a/b;c=d;e"),
            (
                b"\x1b]8;id=fn-1.2_x;https://a\x1b\\x",
                "id=fn-1.2_x;https://a",
            ),
            (b"\x1b]8;id=\xff;https://a\x07x", ";https://a"),
            (b"\x1b]8;id=a b:x=y;https://a\x07x", ";https://a"),
        ];
        for (raw, want) in cases {
            let styled = sanitize_styled(raw, color());
            assert_eq!(styled.text, "x");
            assert_eq!(styled.links, [Box::from(*want)], "{raw:?}");
            assert!(styled.link_at(0).is_some());
        }
        // Painted: re-encoded in the ST form, and closed at the end.
        assert_eq!(
            painted(b"a\x1b]8;id=k;https://a\x07b\x1b]8;;\x07c"),
            "a\x1b]8;id=k;https://a\x1b\\b\x1b]8;;\x1b\\c"
        );
    }

    /// Issue 20: a link is drawn only where colours are: with colour off
    /// (`--color never`, `NO_COLOR`, a pipe) it is removed like any OSC.
    #[test]
    fn hyperlinks_are_removed_with_colour_off() {
        let raw = b"\x1b]8;;https://example.com/x\x1b\\link\x1b]8;;\x1b\\";
        let styled = sanitize_styled(raw, Options::default());
        assert_eq!(styled.text, "link");
        assert!(styled.spans.is_empty());
        assert!(styled.links.is_empty());
        assert_eq!(sanitize(raw, 8), "link");
    }

    /// Issue 20: a link opened inside another replaces it, one not kept
    /// ends the one before (its text is not that link's), an SGR reset
    /// does not end a link, a link never closed ends with the line, and
    /// a carriage return keeps the link in effect as it keeps colours.
    #[test]
    fn nested_and_unterminated_links() {
        let styled = sanitize_styled(
            b"\x1b]8;;https://a\x07A\x1b]8;;https://b\x07B\x1b]8;;\x07C",
            color(),
        );
        assert_eq!(styled.text, "ABC");
        assert_eq!(styled.link_at(0), Some("https://a"));
        assert_eq!(styled.link_at(1), Some("https://b"));
        assert_eq!(styled.link_at(2), None);
        let styled = sanitize_styled(
            b"\x1b]8;;https://a\x07A\x1b]8;;javascript:x\x07B\x1b]8;;\x07C",
            color(),
        );
        assert_eq!(styled.link_at(0), Some("https://a"));
        assert_eq!(styled.link_at(1), None);
        assert_eq!(styled.links.len(), 1);
        let styled = sanitize_styled(b"\x1b]8;;https://a\x07\x1b[31mA\x1b[0mB", color());
        assert_eq!(styled.link_at(1), Some("https://a"));
        assert_eq!(
            painted(b"\x1b]8;;https://a\x07\x1b[31mA\x1b[0mB"),
            "\x1b[0;31m\x1b]8;;https://a\x1b\\A\x1b[0mB\x1b]8;;\x1b\\\x1b[0m"
        );
        assert_eq!(
            painted(b"x\x1b]8;;https://a\x07open to the end"),
            "x\x1b]8;;https://a\x1b\\open to the end\x1b]8;;\x1b\\"
        );
        let styled = sanitize_styled(b"\x1b]8;;https://a\x0710%\r100%", color());
        assert_eq!(styled.text, "100%");
        assert_eq!(styled.link_at(0), Some("https://a"));
        // The same link opened again is held once.
        let styled = sanitize_styled(
            b"\x1b]8;;https://a\x07A\x1b]8;;\x07 \x1b]8;;https://a\x07B",
            color(),
        );
        assert_eq!(styled.links.len(), 1);
        assert_eq!(styled.link_at(2), Some("https://a"));
    }

    /// Issue 20: a line keeps at most `MAX_LINKS` links; the text of
    /// those after stays, unlinked.
    #[test]
    fn a_line_keeps_a_bounded_number_of_links() {
        let raw: Vec<u8> = (0..link::MAX_LINKS + 10)
            .flat_map(|i| format!("\x1b]8;;https://a/{i}\x07x\x1b]8;;\x07").into_bytes())
            .collect();
        let styled = sanitize_styled(&raw, color());
        assert_eq!(styled.text.len(), link::MAX_LINKS + 10);
        assert_eq!(styled.links.len(), link::MAX_LINKS);
        assert_eq!(styled.link_at(link::MAX_LINKS - 1), Some("https://a/1023"));
        assert_eq!(styled.link_at(link::MAX_LINKS), None);
    }

    /// Issue 20: a line fed in pieces (a huge line) gets the same links,
    /// an OSC 8 cut between two pieces included.
    #[test]
    fn links_of_a_line_fed_in_pieces_are_numbered_from_its_start() {
        let raw: &[u8] =
            b"\x1b]8;;https://a\x07A\x1b]8;;https://b\x1b\\B\x1b]8;;https://a\x01\x07C";
        for cut in 1..raw.len() {
            if !raw[cut].is_ascii() {
                continue;
            }
            let mut pieces = Pieces::new(color(), true);
            pieces.feed(&raw[..cut]);
            let (first, _) = pieces.take();
            pieces.feed(&raw[cut..]);
            let (second, _) = pieces.finish();
            let links: Vec<&Box<str>> = first.links.iter().chain(&second.links).collect();
            assert_eq!(
                links,
                [&Box::from(";https://a"), &Box::from(";https://b")],
                "cut at {cut}"
            );
            // The link of each character, the second piece going on in the
            // style the first ended in.
            let whole = sanitize_styled(raw, color());
            let per_char = |styled: &Styled, before: Style| -> Vec<u16> {
                (0..styled.text.len())
                    .map(|at| {
                        let after = styled.spans.partition_point(|&(o, _)| o <= at);
                        after
                            .checked_sub(1)
                            .map_or(before, |i| styled.spans[i].1)
                            .link()
                    })
                    .collect()
            };
            let end = first.spans.last().map_or(Style::default(), |s| s.1);
            let mut fed = per_char(&first, Style::default());
            fed.extend(per_char(&second, end));
            assert_eq!(fed, per_char(&whole, Style::default()), "cut at {cut}");
            assert_eq!(fed, [1, 2, 0], "cut at {cut}");
        }
    }

    /// Issue 16: C1 controls (U+0080-U+009F, UTF-8 encoded) are
    /// controls to a terminal that reads them: each one is shown, and what
    /// an OSC or DCS introduced stays visible text, never a sequence.
    #[test]
    fn c1_controls_in_a_line_are_shown_in_caret_notation() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "OSC 52 and ST",
                "a\u{9d}52;c;aGk=\u{9c}b",
                "a^[]52;c;aGk=^[\\b",
            ),
            ("DCS", "a\u{90}1$q\u{9c}b", "a^[P1$q^[\\b"),
            ("APC", "a\u{9f}x\u{9c}", "a^[_x^[\\"),
            ("first and last", "\u{80}\u{9f}", "^[@^[_"),
        ];
        for (name, raw, want) in cases {
            let text = sanitize(raw.as_bytes(), 8);
            assert_eq!(&text, want, "{name}");
            assert!(!text.chars().any(char::is_control), "{name}");
        }
    }

    /// Issue 16: U+202E in a line reversed what followed it on screen.
    /// The embeddings, overrides and isolates are shown; the marks plain
    /// right-to-left text uses are kept.
    #[test]
    fn bidi_controls_in_a_line_are_shown_and_marks_kept() {
        assert_eq!(sanitize("a\u{202e}cba".as_bytes(), 8), "a<U+202E>cba");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            let text = sanitize(format!("x{c}y").as_bytes(), 8);
            assert_eq!(text, format!("x<U+{:04X}>y", u32::from(c)));
        }
        let hebrew = "שלום\u{200f} (1)";
        assert_eq!(sanitize(hebrew.as_bytes(), 8), hebrew);
        // The shown form takes its 8 columns for the tab stops.
        assert_eq!(sanitize("\u{2066}\tb".as_bytes(), 4), "<U+2066>    b");
        // A backspace before it is no overstrike.
        assert_eq!(sanitize("a\x08\u{202e}".as_bytes(), 8), "a^H<U+202E>");
    }

    /// Issue 16: reflow's own strings show every control, `\r` and ESC
    /// included, so nothing of a name is hidden, overwritten or reordered.
    #[test]
    fn visible_shows_every_control_and_interprets_none() {
        let cases: &[(&str, &[u8], &str)] = &[
            ("plain", b"app.log", "app.log"),
            ("wide", "日本.log".as_bytes(), "日本.log"),
            ("carriage return", b"secret\rshown.log", "secret^Mshown.log"),
            ("newline, tab", b"a\nb\tc", "a^Jb^Ic"),
            (
                "OSC 52",
                b"--\x1b]52;c;aGkh\x07.log",
                "--^[]52;c;aGkh^G.log",
            ),
            ("CSI", b"x\x1b[2J\x1b[Hx", "x^[[2J^[[Hx"),
            ("NUL, DEL", b"\0\x7f", "^@^?"),
            ("C1", "\u{9d}52;c;aGk=\u{9c}".as_bytes(), "^[]52;c;aGk=^[\\"),
            ("RLO", "a\u{202e}gol.txt".as_bytes(), "a<U+202E>gol.txt"),
            (
                "isolates",
                "\u{2066}\u{2069}".as_bytes(),
                "<U+2066><U+2069>",
            ),
            (
                "marks",
                "\u{200e}\u{200f}\u{61c}".as_bytes(),
                "<U+200E><U+200F><U+061C>",
            ),
            ("invalid UTF-8", b"a\xffb", "a\u{fffd}b"),
        ];
        for (name, raw, want) in cases {
            let shown = visible(raw);
            assert_eq!(&shown, want, "{name}");
            // Nothing left to show: shown again, it is the same.
            assert_eq!(visible(shown.as_bytes()), shown, "{name}");
        }
        assert!(matches!(visible(b"app.log"), Cow::Borrowed(_)));
    }

    /// Issue 12: overstrike as `less` reads it (man pages); a backspace
    /// that is not half of such a pair stays `^H`.
    #[test]
    fn overstrike_is_bold_or_underline() {
        const B: &str = "\x1b[0;1m";
        const U: &str = "\x1b[0;4m";
        const BU: &str = "\x1b[0;1;4m";
        const END: &str = "\x1b[0m";
        let cases: &[(&str, &[u8], String)] = &[
            ("c\\bc bold", b"l\x08ls\x08s", format!("{B}ls{END}")),
            ("_\\bc underline", b"_\x08f_\x08i", format!("{U}fi{END}")),
            ("c\\b_ underline", b"f\x08_i\x08_", format!("{U}fi{END}")),
            ("bold and underline", b"_\x08x\x08x", format!("{BU}x{END}")),
            ("_\\b_ is a bold _", b"_\x08_", format!("{B}_{END}")),
            (
                "man page line",
                b"N\x08NA\x08AM\x08ME\x08E",
                format!("{B}NAME{END}"),
            ),
            (
                "mixed",
                b"-\x08-a\x08a _\x08f_\x08i_\x08l_\x08e",
                format!("{B}-a{END} {U}file{END}"),
            ),
            ("wide", "日\x08日".as_bytes(), format!("{B}日{END}")),
            (
                "inside a colour",
                b"\x1b[31mb\x08b\x1b[0m",
                "\x1b[0;1;31mb\x1b[0m".into(),
            ),
            ("not a pair", b"ab\x08c", "ab^Hc".into()),
            ("at the start", b"\x08a", "^Ha".into()),
            ("at the end", b"a\x08", "a^H".into()),
            ("two backspaces", b"a\x08\x08a", "a^H^Ha".into()),
            ("after a tab", b"\t\x08x", "        ^Hx".into()),
            ("before a control", b"a\x08\x07", "a^H^G".into()),
            ("before DEL", b"a\x08\x7f", "a^H^?".into()),
            ("an SGR between", b"a\x08\x1b[1ma", format!("a^H{B}a{END}")),
            ("a CR between", b"a\x08\ra", "a".into()),
        ];
        for (name, raw, want) in cases {
            assert_eq!(&painted(raw), want, "{name}");
        }
        // Without colour the text is the same, plainly.
        assert_eq!(sanitize(b"N\x08NA\x08A _\x08x ab\x08c", 8), "NA x ab^Hc");
        // The overstruck character takes one cell for the tab stops.
        assert_eq!(sanitize(b"a\x08a\tb", 4), "a   b");
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(sanitize(b"a\xffb", 8), "a\u{fffd}b");
        assert_eq!(sanitize(b"cut \xe6\x97", 8), "cut \u{fffd}");
    }

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(sanitize(b"a\tb", 8), "a       b");
        assert_eq!(sanitize(b"\tb", 4), "    b");
        assert_eq!(sanitize(b"abcd\tb", 4), "abcd    b");
        assert_eq!(sanitize("日\tb".as_bytes(), 4), "日  b");
        // Escape sequences take no columns.
        assert_eq!(sanitize(b"\x1b[31mab\x1b[0m\tc", 4), "ab  c");
        // The distance is taken within 1..=64 (issue 12).
        assert_eq!(sanitize(b"a\tb", 0), "a b");
        assert_eq!(sanitize(b"\tb", 64), format!("{}b", " ".repeat(64)));
        assert_eq!(sanitize(b"\tb", usize::MAX), format!("{}b", " ".repeat(64)));
    }

    #[test]
    fn carriage_returns() {
        assert_eq!(sanitize(b"windows line\r", 8), "windows line");
        assert_eq!(sanitize(b"10%\r50%\r100%", 8), "100%");
        assert_eq!(sanitize(b"10%\r50%\r100%\r", 8), "100%");
        // The style in effect carries over the carriage return.
        assert_eq!(painted(b"\x1b[32m10%\r100%"), "\x1b[0;32m100%\x1b[0m");
    }
}
