//! The `vte` sink: what the parser hands over (printed characters,
//! executed controls, CSI sequences) turned into text and style changes.
//! Tabs are expanded here, controls shown in caret notation, a carriage
//! return overwrites what came before it, overstrike (`c\bc`, `_\bc`)
//! becomes bold or underline, and only plain SGR changes the style: every
//! other sequence the parser recognises is dropped by not being handled.

use unicode_width::UnicodeWidthChar;
use vte::{Params, Perform};

use super::style::{Style, Styled};
use super::{MAX_TAB_WIDTH, Options, is_bidi_control, push_control};

/// Collects text and styles as `vte` parses a line.
pub(super) struct Sink {
    options: Options,
    pub(super) out: Styled,
    pub(super) style: Style,
    column: usize,
    /// Carriage returns seen: each one overwrote everything before it.
    pub(super) returns: usize,
    /// A carriage return overwrites what came before it (a progress
    /// update, see `returns`); false: it is shown as `^M`.
    pub(super) overwrite: bool,
    /// The style in effect where `out.text` starts: the default for a whole
    /// line; for a line fed in pieces, the style the last piece ended in.
    pub(super) base: Style,
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
pub(super) struct Overstrike {
    pub(super) bold: bool,
    pub(super) underline: bool,
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
    pub(super) fn new(options: Options, capacity: usize) -> Self {
        Sink {
            options,
            out: Styled {
                text: String::with_capacity(capacity),
                spans: Vec::new(),
            },
            style: Style::default(),
            column: 0,
            returns: 0,
            overwrite: true,
            base: Style::default(),
            held: None,
            backspace: false,
        }
    }

    /// Writes out the held character, and the backspace after it as `^H`:
    /// whatever comes next can no longer overstrike them.
    pub(super) fn release(&mut self) {
        if let Some((c, how)) = self.held.take() {
            // Its columns were counted when it was printed.
            if how == Overstrike::default() || !self.options.color {
                self.out.text.push(c);
            } else {
                let style = self.style;
                self.set_style(style.with(how.bold, how.underline));
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
            // A carriage return of a progress update overwrites what came
            // before it: keep only what follows, in the style then in
            // effect. Elsewhere it is `^M`, below.
            b'\r' if self.overwrite => {
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
