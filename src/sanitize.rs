//! Pure: untrusted line bytes in, text that is safe to draw out.
//!
//! A log line must never reach the terminal as a control sequence: it
//! could move the cursor, clear the screen, set the title or write the
//! clipboard. The line is run through `vte`, the escape-sequence parser
//! terminals themselves use, rather than hand-written patterns: every
//! sequence is recognised the way a terminal would see it, and only SGR
//! (colours and attributes) is kept, as a [`Style`] change at a text
//! offset. Nothing of the input's escape bytes is ever written out; styles
//! are re-encoded from their parsed state. Other control characters are
//! shown in caret notation (`^G`, `^?`), as `less` shows them.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;
use vte::{Params, Parser, Perform};

/// Default tab stop distance.
pub(crate) const TAB_WIDTH: usize = 8;

/// How to turn raw bytes into displayable text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// Distance between tab stops, at least 1.
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

/// A colour of the SGR model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum Color {
    /// The terminal's default.
    #[default]
    Default,
    /// One of the 256 indexed colours (0-15 are the named ones).
    Indexed(u8),
    /// A 24-bit colour.
    Rgb(u8, u8, u8),
}

/// Attribute bits of a [`Style`].
mod attr {
    pub(super) const BOLD: u16 = 1;
    pub(super) const DIM: u16 = 1 << 1;
    pub(super) const ITALIC: u16 = 1 << 2;
    pub(super) const UNDERLINE: u16 = 1 << 3;
    pub(super) const BLINK: u16 = 1 << 4;
    pub(super) const REVERSE: u16 = 1 << 5;
    pub(super) const HIDDEN: u16 = 1 << 6;
    pub(super) const STRIKE: u16 = 1 << 7;
    /// SGR codes, in bit order.
    pub(super) const CODES: [u8; 8] = [1, 2, 3, 4, 5, 7, 8, 9];
}

/// The graphic state SGR sequences set: colours and attributes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Style {
    fg: Color,
    bg: Color,
    attrs: u16,
}

impl Style {
    /// True for the terminal's plain default style.
    pub(crate) fn is_default(&self) -> bool {
        *self == Style::default()
    }

    /// Applies one SGR sequence's parameters. Unknown codes are ignored.
    fn apply(&mut self, params: &Params) {
        let params: Vec<&[u16]> = params.iter().collect();
        if params.is_empty() {
            *self = Style::default();
            return;
        }
        let mut i = 0;
        while i < params.len() {
            let param = params[i];
            i += 1;
            match param[0] {
                0 => *self = Style::default(),
                1 => self.attrs |= attr::BOLD,
                2 => self.attrs |= attr::DIM,
                3 => self.attrs |= attr::ITALIC,
                // `4:0` is "no underline" in the colon form.
                4 if param.get(1) == Some(&0) => self.attrs &= !attr::UNDERLINE,
                4 | 21 => self.attrs |= attr::UNDERLINE,
                5 | 6 => self.attrs |= attr::BLINK,
                7 => self.attrs |= attr::REVERSE,
                8 => self.attrs |= attr::HIDDEN,
                9 => self.attrs |= attr::STRIKE,
                22 => self.attrs &= !(attr::BOLD | attr::DIM),
                23 => self.attrs &= !attr::ITALIC,
                24 => self.attrs &= !attr::UNDERLINE,
                25 => self.attrs &= !attr::BLINK,
                27 => self.attrs &= !attr::REVERSE,
                28 => self.attrs &= !attr::HIDDEN,
                29 => self.attrs &= !attr::STRIKE,
                code @ 30..=37 => self.fg = Color::Indexed((code - 30) as u8),
                code @ 40..=47 => self.bg = Color::Indexed((code - 40) as u8),
                code @ 90..=97 => self.fg = Color::Indexed((code - 90 + 8) as u8),
                code @ 100..=107 => self.bg = Color::Indexed((code - 100 + 8) as u8),
                39 => self.fg = Color::Default,
                49 => self.bg = Color::Default,
                code @ (38 | 48) => {
                    let color = if param.len() > 1 {
                        // Colon form: 38:5:n, 38:2:r:g:b or 38:2:cs:r:g:b.
                        extended(&param[1..])
                    } else {
                        // Semicolon form: the colour takes the next params.
                        let rest: Vec<u16> = params[i..].iter().map(|p| p[0]).collect();
                        let (color, used) = extended_semicolon(&rest);
                        i += used;
                        color
                    };
                    if let Some(color) = color {
                        if code == 38 {
                            self.fg = color;
                        } else {
                            self.bg = color;
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// The SGR sequence that sets this style from any state: it starts with
    /// a reset, so nothing of an earlier state survives.
    pub(crate) fn sgr(&self) -> String {
        let mut out = String::from("\x1b[0");
        for (bit, code) in attr::CODES.iter().enumerate() {
            if self.attrs & (1 << bit) != 0 {
                let _ = write!(out, ";{code}");
            }
        }
        for (color, base) in [(self.fg, 30u16), (self.bg, 40)] {
            match color {
                Color::Default => {}
                Color::Indexed(n @ 0..=7) => {
                    let _ = write!(out, ";{}", base + u16::from(n));
                }
                Color::Indexed(n @ 8..=15) => {
                    let _ = write!(out, ";{}", base + 60 + u16::from(n - 8));
                }
                Color::Indexed(n) => {
                    let _ = write!(out, ";{};5;{n}", base + 8);
                }
                Color::Rgb(r, g, b) => {
                    let _ = write!(out, ";{};2;{r};{g};{b}", base + 8);
                }
            }
        }
        out.push('m');
        out
    }
}

/// A colour from colon-form sub-parameters (after the 38 or 48).
fn extended(sub: &[u16]) -> Option<Color> {
    match sub {
        [5, n, ..] => Some(Color::Indexed(u8::try_from(*n).ok()?)),
        // With a colour-space id: 2:cs:r:g:b.
        [2, _, r, g, b, ..] => rgb(*r, *g, *b),
        [2, r, g, b] => rgb(*r, *g, *b),
        _ => None,
    }
}

/// A colour from semicolon-form parameters, and how many it used.
fn extended_semicolon(rest: &[u16]) -> (Option<Color>, usize) {
    match rest {
        [5, n, ..] => (u8::try_from(*n).ok().map(Color::Indexed), 2),
        [2, r, g, b, ..] => (rgb(*r, *g, *b), 4),
        // Malformed: swallow the rest of the sequence rather than read
        // colour components as attributes.
        _ => (None, rest.len()),
    }
}

fn rgb(r: u16, g: u16, b: u16) -> Option<Color> {
    Some(Color::Rgb(
        u8::try_from(r).ok()?,
        u8::try_from(g).ok()?,
        u8::try_from(b).ok()?,
    ))
}

/// A sanitized line: display text with no control characters left, and
/// the style changes within it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Styled {
    /// The text to draw: printable characters and caret notation only.
    pub(crate) text: String,
    /// `(byte offset into text, style from there on)`, in order. The style
    /// before the first entry is the default.
    pub(crate) spans: Vec<(usize, Style)>,
}

impl Styled {
    /// The style in effect at byte `offset`.
    pub(crate) fn style_at(&self, offset: usize) -> Style {
        let after = self.spans.partition_point(|&(at, _)| at <= offset);
        after
            .checked_sub(1)
            .map_or_else(Style::default, |i| self.spans[i].1)
    }

    /// The line from byte `cut` on (a cluster boundary), in the styles it
    /// had there.
    pub(crate) fn from(self, cut: usize) -> Styled {
        if cut == 0 {
            return self;
        }
        let start = self.style_at(cut);
        let after = self.spans.partition_point(|&(at, _)| at <= cut);
        let spans = std::iter::once((0, start))
            .chain(
                self.spans[after..]
                    .iter()
                    .map(|&(at, style)| (at - cut, style)),
            )
            .collect();
        Styled {
            text: self.text[cut..].to_owned(),
            spans,
        }
    }

    /// Appends the bytes that draw `text[range]` in its styles: the style in
    /// effect at the start is set first, and a reset ends it, so nothing
    /// bleeds into the next row.
    pub(crate) fn paint(&self, range: std::ops::Range<usize>, out: &mut String) {
        let mut style = self.style_at(range.start);
        let mut styled = !style.is_default();
        if styled {
            out.push_str(&style.sgr());
        }
        let mut at = range.start;
        let first = self
            .spans
            .partition_point(|&(offset, _)| offset <= range.start);
        for &(offset, next) in &self.spans[first..] {
            if offset >= range.end {
                break;
            }
            out.push_str(&self.text[at..offset]);
            at = offset;
            if next != style {
                style = next;
                out.push_str(&style.sgr());
                styled = true;
            }
        }
        out.push_str(&self.text[at..range.end]);
        if styled {
            out.push_str("\x1b[0m");
        }
    }
}

/// Collects text and styles as `vte` parses a line.
struct Sink {
    options: Options,
    out: Styled,
    style: Style,
    column: usize,
    /// Carriage returns seen: each one overwrote everything before it.
    returns: usize,
    /// The style in effect where `out.text` starts: the default for a whole
    /// line; for a line fed in pieces, the style the last piece ended in.
    base: Style,
}

impl Sink {
    fn push_str(&mut self, s: &str, width: usize) {
        self.out.text.push_str(s);
        self.column += width;
    }

    fn set_style(&mut self, style: Style) {
        if style == self.style {
            return;
        }
        self.style = style;
        let at = self.out.text.len();
        let spans = &mut self.out.spans;
        match spans.last_mut() {
            // Two changes with no text between: only the last one counts,
            // and it may just undo the one before.
            Some(last) if last.0 == at => {
                last.1 = style;
                let before = spans.len().checked_sub(2).map(|i| spans[i].1);
                if before.unwrap_or(self.base) == style {
                    spans.pop();
                }
            }
            _ => spans.push((at, style)),
        }
    }
}

impl Perform for Sink {
    fn print(&mut self, c: char) {
        if c == '\x7f' {
            self.push_str("^?", 2);
            return;
        }
        self.out.text.push(c);
        self.column += c.width().unwrap_or(0);
    }

    fn execute(&mut self, byte: u8) {
        match byte {
            b'\t' => {
                let tab = self.options.tab_width.max(1);
                let spaces = tab - self.column % tab;
                for _ in 0..spaces {
                    self.out.text.push(' ');
                }
                self.column += spaces;
            }
            // A carriage return overwrites what came before it (progress
            // bars): keep only what follows, in the style then in effect.
            b'\r' => {
                self.returns += 1;
                self.out.text.clear();
                self.out.spans.clear();
                // The style goes on from the start, as a change from none.
                self.base = Style::default();
                self.column = 0;
                let style = std::mem::take(&mut self.style);
                self.set_style(style);
            }
            0x00..=0x1f => {
                let caret = [b'^', byte ^ 0x40];
                // Both bytes are ASCII.
                self.push_str(std::str::from_utf8(&caret).unwrap_or("^?"), 2);
            }
            // C1 controls (U+0080-U+009F): `^[` and the 7-bit equivalent.
            0x80..=0x9f => {
                let caret = [b'^', b'[', byte - 0x40];
                self.push_str(std::str::from_utf8(&caret).unwrap_or("^["), 3);
            }
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        // Only plain SGR: no private markers or intermediates (`CSI > 4 m`
        // is a keyboard mode switch, not a colour).
        if action == 'm' && intermediates.is_empty() && !ignore && self.options.color {
            let mut style = self.style;
            style.apply(params);
            self.set_style(style);
        }
    }
}

/// Turns one raw line into displayable text and its styles.
///
/// Invalid UTF-8 becomes U+FFFD. A trailing `\r` (from `\r\n`) is dropped;
/// a lone `\r` keeps only what follows the last one. Tabs expand to tab
/// stops. Other control characters become caret notation. SGR sequences
/// become style changes when colour is on; every other escape sequence
/// (CSI, OSC, DCS, APC, PM, SOS, bare ESC) is removed, including one cut
/// short by the end of the line.
pub(crate) fn sanitize_styled(raw: &[u8], options: Options) -> Styled {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    // Decoded up front, so the parser never holds a partial character at
    // the end of the line, and stray C1 bytes are invalid UTF-8, not controls.
    let text: Cow<'_, str> = String::from_utf8_lossy(raw);
    let mut sink = Sink {
        options,
        out: Styled {
            text: String::with_capacity(text.len()),
            spans: Vec::new(),
        },
        style: Style::default(),
        column: 0,
        returns: 0,
        base: Style::default(),
    };
    Parser::new().advance(&mut sink, text.as_bytes());
    sink.out
}

/// [`sanitize_styled`] of one line fed in pieces, for a line too long to
/// hold twice: the caller takes the text as it comes.
pub(crate) struct Stream {
    parser: Parser,
    sink: Sink,
}

impl Stream {
    pub(crate) fn new(options: Options) -> Self {
        Stream {
            parser: Parser::new(),
            sink: Sink {
                options,
                out: Styled::default(),
                style: Style::default(),
                column: 0,
                returns: 0,
                base: Style::default(),
            },
        }
    }

    /// Sanitizes the next piece of the line. Pieces must be cut before an
    /// ASCII byte (or at the end): then decoding them one by one gives what
    /// decoding the whole line gives. The line's trailing `\r` is the
    /// caller's to drop, as [`sanitize_styled`] does.
    pub(crate) fn feed(&mut self, raw: &[u8]) {
        let text = String::from_utf8_lossy(raw);
        self.parser.advance(&mut self.sink, text.as_bytes());
    }

    /// The text and styles made since the last call (span offsets from the
    /// start of that text), and whether a carriage return overwrote
    /// everything before it meanwhile (then the text starts the line).
    pub(crate) fn take(&mut self) -> (Styled, bool) {
        let returned = std::mem::take(&mut self.sink.returns) > 0;
        // What comes next starts in the style this ends in.
        self.sink.base = self.sink.style;
        (std::mem::take(&mut self.sink.out), returned)
    }
}

/// Turns one raw line into displayable plain text: [`sanitize_styled`]
/// without colours.
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

    fn color() -> Options {
        Options {
            tab_width: 8,
            color: true,
        }
    }

    fn painted(raw: &[u8]) -> String {
        let styled = sanitize_styled(raw, color());
        let mut out = String::new();
        styled.paint(0..styled.text.len(), &mut out);
        out
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
            (
                "OSC 8 hyperlink",
                b"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
                "link",
            ),
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

    #[test]
    fn sgr_becomes_style_changes() {
        let styled = sanitize_styled(b"\x1b[31mred\x1b[0m plain \x1b[1;4mbold", color());
        assert_eq!(styled.text, "red plain bold");
        assert_eq!(styled.spans.len(), 3);
        assert_eq!(styled.spans[0].0, 0);
        assert_eq!(styled.spans[0].1.sgr(), "\x1b[0;31m");
        assert_eq!(styled.spans[1], (3, Style::default()));
        assert_eq!(styled.spans[2].1.sgr(), "\x1b[0;1;4m");
    }

    #[test]
    fn sgr_is_re_encoded_never_copied() {
        assert_eq!(painted(b"\x1b[38;5;196mx"), "\x1b[0;38;5;196mx\x1b[0m");
        assert_eq!(painted(b"\x1b[38:2:1:2:3mx"), "\x1b[0;38;2;1;2;3mx\x1b[0m");
        assert_eq!(painted(b"\x1b[48;2;1;2;3mx"), "\x1b[0;48;2;1;2;3mx\x1b[0m");
        assert_eq!(painted(b"\x1b[91;102mx"), "\x1b[0;91;102mx\x1b[0m");
        assert_eq!(painted(b"\x1b[1m\x1b[22mx"), "x");
        assert_eq!(painted(b"\x1b[31m\x1b[mx"), "x");
        // Out-of-range colour components are ignored, not wrapped around.
        assert_eq!(painted(b"\x1b[38;2;999;0;0mx"), "x");
        // Private-marker and intermediate "SGR" are not colours.
        assert_eq!(painted(b"\x1b[?31mx\x1b[31$mx"), "xx");
    }

    #[test]
    fn colour_off_drops_sgr_too() {
        let styled = sanitize_styled(b"\x1b[31mred\x1b[0m", Options::default());
        assert_eq!(styled.text, "red");
        assert!(styled.spans.is_empty());
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
    }

    #[test]
    fn carriage_returns() {
        assert_eq!(sanitize(b"windows line\r", 8), "windows line");
        assert_eq!(sanitize(b"10%\r50%\r100%", 8), "100%");
        assert_eq!(sanitize(b"10%\r50%\r100%\r", 8), "100%");
        // The style in effect carries over the carriage return.
        assert_eq!(painted(b"\x1b[32m10%\r100%"), "\x1b[0;32m100%\x1b[0m");
    }

    #[test]
    fn paint_restores_the_style_at_a_row_start_and_resets_at_its_end() {
        let styled = sanitize_styled(b"ab\x1b[31mcd ef\x1b[0mgh", color());
        assert_eq!(styled.text, "abcd efgh");
        let mut row = String::new();
        styled.paint(3..7, &mut row);
        assert_eq!(row, "\x1b[0;31md ef\x1b[0m");
        row.clear();
        styled.paint(0..3, &mut row);
        assert_eq!(row, "ab\x1b[0;31mc\x1b[0m");
        row.clear();
        styled.paint(7..9, &mut row);
        assert_eq!(row, "gh");
    }
}
