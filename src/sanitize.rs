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

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::UnicodeWidthChar;
use vte::{Params, Parser, Perform};

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
    /// This style with the attributes of an overstrike added.
    fn with(self, overstrike: Overstrike) -> Style {
        let mut attrs = self.attrs;
        if overstrike.bold {
            attrs |= attr::BOLD;
        }
        if overstrike.underline {
            attrs |= attr::UNDERLINE;
        }
        Style { attrs, ..self }
    }

    /// True for the terminal's plain default style.
    pub(crate) fn is_default(&self) -> bool {
        *self == Style::default()
    }

    /// Applies one SGR sequence's parameters, taking only what it
    /// understands.
    ///
    /// `vte` hands each parameter with its colon sub-parameters as one
    /// slice (`38:5:196` is `[38, 5, 196]`), while the semicolon forms of
    /// the extended colours arrive as separate parameters (`38;5;196` is
    /// `[38] [5] [196]`). Every code that takes arguments consumes them,
    /// whether it is drawn or not, so an argument is never read as an
    /// attribute of its own (`58;5;1`, an underline colour, must not turn
    /// the text bold and blinking). Unknown codes, and known ones in a form
    /// not understood, are dropped alone.
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
            let Some((&code, sub)) = param.split_first() else {
                continue;
            };
            match (code, sub) {
                // Codes with arguments: colon form in `sub`, or semicolon
                // form in the parameters that follow.
                (38 | 48 | 58, _) => {
                    let color = if sub.is_empty() {
                        let (color, used) = extended_semicolon(&params[i..]);
                        i += used;
                        color
                    } else {
                        extended(sub)
                    };
                    // 58 (underline colour) is not drawn: consumed, dropped.
                    match (code, color) {
                        (38, Some(color)) => self.fg = color,
                        (48, Some(color)) => self.bg = color,
                        _ => {}
                    }
                }
                // Underline styles (`4:3` curly, …) drawn as plain underline.
                (4, [0]) => self.attrs &= !attr::UNDERLINE,
                (4, [1..=5]) => self.attrs |= attr::UNDERLINE,
                // Any other code with sub-parameters is a form we do not
                // know: dropped whole.
                (_, [_, ..]) => {}
                (0, []) => *self = Style::default(),
                (1, []) => self.attrs |= attr::BOLD,
                (2, []) => self.attrs |= attr::DIM,
                (3, []) => self.attrs |= attr::ITALIC,
                // 21 is "doubly underlined" in ECMA-48 and in xterm, VTE,
                // kitty and tmux (only old Linux consoles read it as bold
                // off): drawn as plain underline.
                (4 | 21, []) => self.attrs |= attr::UNDERLINE,
                (5 | 6, []) => self.attrs |= attr::BLINK,
                (7, []) => self.attrs |= attr::REVERSE,
                (8, []) => self.attrs |= attr::HIDDEN,
                (9, []) => self.attrs |= attr::STRIKE,
                (22, []) => self.attrs &= !(attr::BOLD | attr::DIM),
                (23, []) => self.attrs &= !attr::ITALIC,
                (24, []) => self.attrs &= !attr::UNDERLINE,
                (25, []) => self.attrs &= !attr::BLINK,
                (27, []) => self.attrs &= !attr::REVERSE,
                (28, []) => self.attrs &= !attr::HIDDEN,
                (29, []) => self.attrs &= !attr::STRIKE,
                (30..=37, []) => self.fg = Color::Indexed((code - 30) as u8),
                (40..=47, []) => self.bg = Color::Indexed((code - 40) as u8),
                (90..=97, []) => self.fg = Color::Indexed((code - 90 + 8) as u8),
                (100..=107, []) => self.bg = Color::Indexed((code - 100 + 8) as u8),
                (39, []) => self.fg = Color::Default,
                (49, []) => self.bg = Color::Default,
                // 59 (default underline colour), overline, fonts, …: not
                // drawn, and they take no arguments.
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

/// A colour from semicolon-form parameters (those after the 38, 48 or
/// 58), and how many it used (never more than there are).
fn extended_semicolon(rest: &[&[u16]]) -> (Option<Color>, usize) {
    // Each argument must be a plain number; `38;5:1` is no colour we know,
    // but its arguments are still consumed.
    let arg = |n: usize| match rest.get(n) {
        Some(&[value]) => Some(*value),
        _ => None,
    };
    let (color, used) = match arg(0) {
        Some(5) => (
            arg(1)
                .and_then(|n| u8::try_from(n).ok())
                .map(Color::Indexed),
            2,
        ),
        Some(2) => match (arg(1), arg(2), arg(3)) {
            (Some(r), Some(g), Some(b)) => (rgb(r, g, b), 4),
            _ => (None, 4),
        },
        // Malformed: swallow the rest of the sequence rather than read
        // colour components as attributes.
        _ => (None, rest.len()),
    };
    (color, used.min(rest.len()))
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

    /// Shows `ranges` of the text (search matches, in order) in reverse
    /// video, whatever styles they had: each style in them is flipped.
    pub(crate) fn highlight(&mut self, ranges: &[std::ops::Range<usize>]) {
        if ranges.is_empty() {
            return;
        }
        let mut cuts: Vec<usize> = self.spans.iter().map(|&(at, _)| at).collect();
        for range in ranges {
            cuts.push(range.start);
            cuts.push(range.end);
        }
        cuts.sort_unstable();
        cuts.dedup();
        let inside = |at: usize| {
            let after = ranges.partition_point(|r| r.start <= at);
            after > 0 && at < ranges[after - 1].end
        };
        let spans = cuts
            .into_iter()
            .filter(|&at| at < self.text.len())
            .map(|at| {
                let mut style = self.style_at(at);
                if inside(at) {
                    style.attrs ^= attr::REVERSE;
                }
                (at, style)
            })
            .collect();
        self.spans = spans;
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
    /// The last character printed, not yet in `out`: a backspace and a
    /// character after it may still overstrike it. Holding it back (rather
    /// than rewriting `out`) keeps a line fed in pieces equal to the whole
    /// line, since text already taken is never changed.
    held: Option<(char, Overstrike)>,
    /// A backspace came right after `held`; the next character decides
    /// whether it is an overstrike or a `^H`.
    backspace: bool,
}

/// What overstriking did to a character, as `less` reads it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Overstrike {
    bold: bool,
    underline: bool,
}

impl Overstrike {
    /// `held`, then a backspace, then `next`: the character and style that
    /// make, or `None` if that is no overstrike (the backspace is shown).
    fn strike(held: (char, Overstrike), next: char) -> Option<(char, Overstrike)> {
        let (c, mut how) = held;
        if c == next {
            how.bold = true;
            Some((c, how))
        } else if c == '_' {
            how.underline = true;
            Some((next, how))
        } else if next == '_' {
            how.underline = true;
            Some((c, how))
        } else {
            None
        }
    }
}

impl Sink {
    fn new(options: Options, capacity: usize) -> Self {
        Sink {
            options,
            out: Styled {
                text: String::with_capacity(capacity),
                spans: Vec::new(),
            },
            style: Style::default(),
            column: 0,
            returns: 0,
            base: Style::default(),
            held: None,
            backspace: false,
        }
    }

    /// Writes out the held character, and the backspace after it as `^H`:
    /// whatever comes next can no longer overstrike them.
    fn release(&mut self) {
        if let Some((c, how)) = self.held.take() {
            // Its columns were counted when it was printed.
            if how == Overstrike::default() || !self.options.color {
                self.out.text.push(c);
            } else {
                let style = self.style;
                self.set_style(style.with(how));
                self.out.text.push(c);
                self.set_style(style);
            }
        }
        if std::mem::take(&mut self.backspace) {
            self.push_str("^H", 2);
        }
    }

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
        if self.backspace
            && c != '\x7f'
            && let Some(held) = self.held
            && let Some(struck) = Overstrike::strike(held, c)
        {
            // One cell, drawn as the character that stays.
            self.column = self.column.saturating_sub(held.0.width().unwrap_or(0));
            self.column += struck.0.width().unwrap_or(0);
            self.held = Some(struck);
            self.backspace = false;
            return;
        }
        self.release();
        if c == '\x7f' || is_bidi_control(c) {
            self.column += push_control(c, &mut self.out.text);
            return;
        }
        self.held = Some((c, Overstrike::default()));
        self.column += c.width().unwrap_or(0);
    }

    fn execute(&mut self, byte: u8) {
        if byte == 0x08 && self.held.is_some() && !self.backspace {
            self.backspace = true;
            return;
        }
        self.release();
        match byte {
            b'\t' => {
                let tab = self.options.tab_width.clamp(1, MAX_TAB_WIDTH);
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
            // C0 and C1 controls (U+0080-U+009F, which `vte` executes).
            0x00..=0x1f | 0x80..=0x9f => {
                self.column += push_control(char::from(byte), &mut self.out.text);
            }
            _ => {}
        }
    }

    fn csi_dispatch(&mut self, params: &Params, intermediates: &[u8], ignore: bool, action: char) {
        // Only plain SGR: no private markers or intermediates (`CSI > 4 m`
        // is a keyboard mode switch, not a colour).
        if action == 'm' && intermediates.is_empty() && !ignore && self.options.color {
            // What was printed before is in the style before.
            self.release();
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
/// stops. Other control characters become caret notation, bidirectional
/// controls `<U+202E>` (see the module docs). SGR sequences
/// become style changes when colour is on; every other escape sequence
/// (CSI, OSC, DCS, APC, PM, SOS, bare ESC) is removed, including one cut
/// short by the end of the line.
pub(crate) fn sanitize_styled(raw: &[u8], options: Options) -> Styled {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    // Decoded up front, so the parser never holds a partial character at
    // the end of the line, and stray C1 bytes are invalid UTF-8, not controls.
    let text: Cow<'_, str> = String::from_utf8_lossy(raw);
    let mut sink = Sink::new(options, text.len());
    Parser::new().advance(&mut sink, text.as_bytes());
    sink.release();
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
            sink: Sink::new(options, 0),
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
    /// The last character may be held back for the next call (a backspace
    /// after it could still overstrike it); [`finish`](Stream::finish)
    /// gives out everything.
    pub(crate) fn take(&mut self) -> (Styled, bool) {
        let returned = std::mem::take(&mut self.sink.returns) > 0;
        // What comes next starts in the style this ends in.
        self.sink.base = self.sink.style;
        (std::mem::take(&mut self.sink.out), returned)
    }

    /// [`take`](Stream::take) at the end of the line: nothing is held back.
    pub(crate) fn finish(&mut self) -> (Styled, bool) {
        self.sink.release();
        self.take()
    }
}

/// Turns one raw line into displayable plain text: [`sanitize_styled`]
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

    /// Issue 12: every SGR form we draw, and the ones we must drop whole
    /// (their arguments never read as attributes of their own).
    #[test]
    fn sgr_takes_only_what_it_understands() {
        let cases: &[(&str, &[u8], &str)] = &[
            // Colours: 16, bright, 256, truecolour; semicolon and colon.
            ("fg 16", b"\x1b[31mx", "\x1b[0;31mx\x1b[0m"),
            ("bg 16", b"\x1b[42mx", "\x1b[0;42mx\x1b[0m"),
            ("bright fg", b"\x1b[90mx", "\x1b[0;90mx\x1b[0m"),
            ("bright fg 97", b"\x1b[97mx", "\x1b[0;97mx\x1b[0m"),
            ("bright bg", b"\x1b[100mx", "\x1b[0;100mx\x1b[0m"),
            ("bright bg 107", b"\x1b[107mx", "\x1b[0;107mx\x1b[0m"),
            ("256 ;", b"\x1b[38;5;196mx", "\x1b[0;38;5;196mx\x1b[0m"),
            ("256 :", b"\x1b[38:5:196mx", "\x1b[0;38;5;196mx\x1b[0m"),
            ("256 low is named", b"\x1b[38;5;1mx", "\x1b[0;31mx\x1b[0m"),
            ("256 bg ;", b"\x1b[48;5;17mx", "\x1b[0;48;5;17mx\x1b[0m"),
            ("256 bg :", b"\x1b[48:5:17mx", "\x1b[0;48;5;17mx\x1b[0m"),
            ("rgb ;", b"\x1b[38;2;1;2;3mx", "\x1b[0;38;2;1;2;3mx\x1b[0m"),
            ("rgb :", b"\x1b[38:2:1:2:3mx", "\x1b[0;38;2;1;2;3mx\x1b[0m"),
            (
                "rgb :: (colour space)",
                b"\x1b[38:2::1:2:3mx",
                "\x1b[0;38;2;1;2;3mx\x1b[0m",
            ),
            (
                "rgb bg ;",
                b"\x1b[48;2;4;5;6mx",
                "\x1b[0;48;2;4;5;6mx\x1b[0m",
            ),
            (
                "rgb bg ::",
                b"\x1b[48:2::4:5:6mx",
                "\x1b[0;48;2;4;5;6mx\x1b[0m",
            ),
            (
                "colour then attr",
                b"\x1b[38;5;196;1mx",
                "\x1b[0;1;38;5;196mx\x1b[0m",
            ),
            (
                "rgb then attr",
                b"\x1b[38;2;1;2;3;4mx",
                "\x1b[0;4;38;2;1;2;3mx\x1b[0m",
            ),
            ("default fg", b"\x1b[31;39mx", "x"),
            ("default bg", b"\x1b[41;49mx", "x"),
            // Attributes and their resets.
            ("bold", b"\x1b[1mx", "\x1b[0;1mx\x1b[0m"),
            ("dim", b"\x1b[2mx", "\x1b[0;2mx\x1b[0m"),
            ("italic", b"\x1b[3mx", "\x1b[0;3mx\x1b[0m"),
            ("underline", b"\x1b[4mx", "\x1b[0;4mx\x1b[0m"),
            ("double underline", b"\x1b[21mx", "\x1b[0;4mx\x1b[0m"),
            ("blink", b"\x1b[5mx", "\x1b[0;5mx\x1b[0m"),
            ("rapid blink", b"\x1b[6mx", "\x1b[0;5mx\x1b[0m"),
            ("reverse", b"\x1b[7mx", "\x1b[0;7mx\x1b[0m"),
            ("strike", b"\x1b[9mx", "\x1b[0;9mx\x1b[0m"),
            ("22 ends bold and dim", b"\x1b[1;2;22mx", "x"),
            ("23", b"\x1b[3;23mx", "x"),
            ("24", b"\x1b[4;24mx", "x"),
            ("24 after 21", b"\x1b[21;24mx", "x"),
            ("25", b"\x1b[5;25mx", "x"),
            ("27", b"\x1b[7;27mx", "x"),
            ("29", b"\x1b[9;29mx", "x"),
            ("0", b"\x1b[1;31;0mx", "x"),
            ("empty", b"\x1b[1;31m\x1b[mx", "x"),
            ("empty param is 0", b"\x1b[1;;3mx", "\x1b[0;3mx\x1b[0m"),
            // Underline styles: 4:0 off, 4:1..5 drawn as underline.
            ("4:0", b"\x1b[4m\x1b[4:0mx", "x"),
            ("4:1", b"\x1b[4:1mx", "\x1b[0;4mx\x1b[0m"),
            ("4:3 curly", b"\x1b[4:3mx", "\x1b[0;4mx\x1b[0m"),
            ("4:5 dashed", b"\x1b[4:5mx", "\x1b[0;4mx\x1b[0m"),
            ("4:6 unknown", b"\x1b[4:6mx", "x"),
            // Underline colour: dropped whole, arguments included.
            ("58;5;1", b"\x1b[58;5;1mx", "x"),
            ("58;5;1 then red", b"\x1b[58;5;1;31mx", "\x1b[0;31mx\x1b[0m"),
            ("58;2;r;g;b", b"\x1b[58;2;1;5;7mx", "x"),
            (
                "58;2 then italic",
                b"\x1b[58;2;1;5;7;3mx",
                "\x1b[0;3mx\x1b[0m",
            ),
            ("58:5:1", b"\x1b[58:5:1mx", "x"),
            ("58:2::1:5:7", b"\x1b[58:2::1:5:7mx", "x"),
            (
                "58:2:1:5:7 then bold",
                b"\x1b[58:2:1:5:7;1mx",
                "\x1b[0;1mx\x1b[0m",
            ),
            ("59", b"\x1b[4;59mx", "\x1b[0;4mx\x1b[0m"),
            // Unknown codes are dropped alone, never shifted.
            ("overline 53", b"\x1b[53;1mx", "\x1b[0;1mx\x1b[0m"),
            ("font 11", b"\x1b[11;3mx", "\x1b[0;3mx\x1b[0m"),
            ("unknown 200", b"\x1b[200;7mx", "\x1b[0;7mx\x1b[0m"),
            ("unknown with colons", b"\x1b[1:5:1mx", "x"),
            (
                "38;5 out of range",
                b"\x1b[38;5;256;1mx",
                "\x1b[0;1mx\x1b[0m",
            ),
            (
                "38;2 out of range",
                b"\x1b[38;2;256;0;0;1mx",
                "\x1b[0;1mx\x1b[0m",
            ),
            ("38;5 with colon arg", b"\x1b[38;5:1;3mx", "x"),
            ("38;9 unknown kind", b"\x1b[38;9;1mx", "x"),
            ("38 cut short", b"\x1b[38;5mx", "x"),
            ("38;2 cut short", b"\x1b[38;2;1;2mx", "x"),
        ];
        for (name, raw, want) in cases {
            assert_eq!(painted(raw), *want, "{name}");
        }
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
