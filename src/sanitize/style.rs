//! The SGR style model and its encoder: the colours and attributes a line
//! may keep ([`Style`]), how one SGR sequence's parameters change them
//! (`Style::apply`), how a style is written back out (`Style::sgr`, always
//! from a reset, never the input's bytes), and a sanitized line with its
//! style changes ([`Styled`]): the style at an offset, a cut, search
//! highlights, and painting a row. A hyperlink is part of a style too (the
//! link a span of text is in), so wrapping and cutting keep it as they
//! keep colours, and painting opens it again on every row it reaches.

use std::fmt::Write as _;

use vte::Params;

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

/// The graphic state SGR sequences set (colours and attributes), and the
/// hyperlink the text is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Style {
    fg: Color,
    bg: Color,
    attrs: u16,
    /// The OSC 8 link: 0 for none, else one more than its index in the
    /// line's [`Styled::links`]. An index keeps `Style` small and `Copy`
    /// (a span stays 24 bytes) while a line holds each URI once.
    link: u16,
}

impl Style {
    /// This style with the attributes of an overstrike added (bold, or
    /// underlined, as `less` reads `c^Hc` and `_^Hc`).
    pub(super) fn with(self, bold: bool, underline: bool) -> Style {
        let mut attrs = self.attrs;
        if bold {
            attrs |= attr::BOLD;
        }
        if underline {
            attrs |= attr::UNDERLINE;
        }
        Style { attrs, ..self }
    }

    /// True for the terminal's plain default graphic state (whatever the
    /// link).
    pub(crate) fn is_default(&self) -> bool {
        self.graphic() == Style::default()
    }

    /// This style without its link: what SGR sets.
    fn graphic(self) -> Style {
        Style { link: 0, ..self }
    }

    /// The link this style is in: 0 for none, else one more than its
    /// index in the line's [`Styled::links`].
    #[cfg(test)]
    pub(super) fn link(self) -> u16 {
        self.link
    }

    /// This style in link `link` (0: in none).
    pub(super) fn with_link(self, link: u16) -> Style {
        Style { link, ..self }
    }

    /// The SGR reset: the default graphic state, in the same link (a link
    /// is no SGR attribute, and `ESC [ 0 m` does not end it).
    fn reset(&mut self) {
        *self = Style::default().with_link(self.link);
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
    pub(super) fn apply(&mut self, params: &Params) {
        let params: Vec<&[u16]> = params.iter().collect();
        if params.is_empty() {
            self.reset();
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
                (0, []) => self.reset(),
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
    /// The OSC 8 links the spans' styles point into, each checked and as
    /// it is written out again between `ESC ] 8 ;` and `ESC \`:
    /// `id=…;URI` or `;URI`. Empty (no allocation) for a line without.
    pub(crate) links: Vec<Box<str>>,
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
            links: self.links,
        }
    }

    /// `text` (reflow's own layout of a structured record, safe already)
    /// with its level word coloured as [`colour_level`](Styled::colour_level)
    /// colours it and `dim` drawn dim (the fields after the message).
    #[cfg(feature = "viewer")]
    pub(crate) fn record(
        text: String,
        level: Option<(std::ops::Range<usize>, crate::Level)>,
        dim: Option<std::ops::Range<usize>>,
    ) -> Styled {
        let mut styled = Styled {
            text,
            spans: Vec::new(),
            links: Vec::new(),
        };
        if let Some((range, class)) = level {
            styled.colour_level(range, class);
        }
        if let Some(dim) = dim.filter(|d| d.start < d.end && d.end <= styled.text.len()) {
            let faint = Style {
                attrs: attr::DIM,
                ..Style::default()
            };
            styled.spans.retain(|&(at, _)| at < dim.start);
            styled.spans.push((dim.start, faint));
            if dim.end < styled.text.len() {
                styled.spans.push((dim.end, Style::default()));
            }
        }
        styled
    }

    /// Colours `range` as a level of `class` is coloured (as the
    /// logger colours it: errors red and bold, warnings yellow, info
    /// green, debug blue, trace cyan), in a line with no styles of its
    /// own; a line with some keeps them alone.
    pub(crate) fn colour_level(&mut self, range: std::ops::Range<usize>, class: crate::Level) {
        if !self.spans.is_empty() || range.is_empty() || range.end > self.text.len() {
            return;
        }
        let (colour, attrs) = match class {
            crate::Level::Error => (1, attr::BOLD),
            crate::Level::Warn => (3, 0),
            crate::Level::Info => (2, 0),
            crate::Level::Debug => (4, 0),
            crate::Level::Trace => (6, 0),
        };
        let style = Style {
            fg: Color::Indexed(colour),
            attrs,
            ..Style::default()
        };
        self.spans = vec![(range.start, style), (range.end, Style::default())];
        if range.end == self.text.len() {
            self.spans.pop();
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
    /// bleeds into the next row. A link works the same way: the one the
    /// start is in is opened first, and the row closes it, so each row of a
    /// wrapped link is a link of its own and a row redrawn alone never
    /// leaves one open.
    pub(crate) fn paint(&self, range: std::ops::Range<usize>, out: &mut String) {
        let start = self.style_at(range.start);
        let mut style = start.graphic();
        let mut styled = !style.is_default();
        if styled {
            out.push_str(&style.sgr());
        }
        let mut link = start.link;
        self.open_link(link, out);
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
            if next.graphic() != style {
                style = next.graphic();
                out.push_str(&style.sgr());
                styled = true;
            }
            // By what is written, not by number: a line fed in pieces may
            // hold the same link twice.
            if next.link != link && self.body(next.link) != self.body(link) {
                if self.body(link).is_some() {
                    out.push_str(CLOSE_LINK);
                }
                self.open_link(next.link, out);
            }
            link = next.link;
        }
        out.push_str(&self.text[at..range.end]);
        if self.body(link).is_some() {
            out.push_str(CLOSE_LINK);
        }
        if styled {
            out.push_str("\x1b[0m");
        }
    }

    /// What link number `link` writes between `ESC ] 8 ;` and ST: `None`
    /// for 0, or for a link the line does not hold.
    fn body(&self, link: u16) -> Option<&str> {
        let index = usize::from(link).checked_sub(1)?;
        self.links.get(index).map(|body| &**body)
    }

    /// Appends the OSC 8 that opens link `link` (nothing for none).
    fn open_link(&self, link: u16, out: &mut String) {
        if let Some(body) = self.body(link) {
            out.push_str("\x1b]8;");
            out.push_str(body);
            out.push_str("\x1b\\");
        }
    }

    /// The URI of the link at byte `offset`, if it is in one.
    #[cfg(test)]
    pub(crate) fn link_at(&self, offset: usize) -> Option<&str> {
        let link = usize::from(self.style_at(offset).link).checked_sub(1)?;
        let body = self.links.get(link)?;
        body.split_once(';').map(|(_, uri)| uri)
    }
}

/// The OSC 8 that ends a link (an empty URI), in the ST form.
pub(crate) const CLOSE_LINK: &str = "\x1b]8;;\x1b\\";

#[cfg(test)]
mod tests {
    use super::super::tests::{color, painted};
    use super::super::{Options, sanitize_styled};
    use super::*;

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

    /// Issue 20: links cost nothing on lines without them: a span is as
    /// big as before links (24 bytes), and a line without an OSC 8 holds
    /// no links allocation.
    #[test]
    fn a_span_stays_small_and_a_line_without_links_allocates_none() {
        assert_eq!(std::mem::size_of::<(usize, Style)>(), 24);
        for raw in [&b"plain text"[..], b"\x1b[31mred\x1b[0m \x1b]2;title\x07"] {
            let styled = sanitize_styled(raw, color());
            assert_eq!(styled.links.capacity(), 0);
        }
    }

    #[test]
    fn colour_off_drops_sgr_too() {
        let styled = sanitize_styled(b"\x1b[31mred\x1b[0m", Options::default());
        assert_eq!(styled.text, "red");
        assert!(styled.spans.is_empty());
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
