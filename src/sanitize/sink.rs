//! The `vte` sink: what the parser hands over (printed characters,
//! executed controls, CSI sequences) turned into text and style changes.
//! Tabs are expanded here, controls shown in caret notation, a carriage
//! return overwrites what came before it, overstrike (`c\bc`, `_\bc`)
//! becomes bold or underline, and only plain SGR and a safe OSC 8 link
//! (`link.rs`) change the style: every other sequence the parser
//! recognises is dropped by not being handled.

use unicode_width::UnicodeWidthChar;
use vte::{Params, Perform};

use super::link::{self, MAX_LINKS, Osc8};
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
    /// Links handed out before `out.links` (a line fed in pieces): the
    /// styles number a line's links from its start.
    links_before: usize,
    /// A link whose OSC 8 ended with an ESC: it is opened only if that ESC
    /// was the start of ST (`ESC \`), that is if `vte`'s next call is
    /// that escape; any other call drops it.
    pending: Option<Box<str>>,
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
                links: Vec::new(),
            },
            style: Style::default(),
            column: 0,
            returns: 0,
            overwrite: true,
            base: Style::default(),
            held: None,
            backspace: false,
            links_before: 0,
            pending: None,
        }
    }

    /// The text, styles and links made since the last call (for a line
    /// fed in pieces): the links' numbers go on from where these end.
    pub(super) fn take(&mut self) -> Styled {
        self.links_before += self.out.links.len();
        std::mem::take(&mut self.out)
    }

    /// Colours (and links) are kept.
    pub(super) fn color(&self) -> bool {
        self.options.color
    }

    /// Drops a link waiting for its ST: something else came first.
    fn cancel_pending(&mut self) {
        if self.pending.is_some() {
            self.pending = None;
        }
    }

    /// From here on, the text is in the link `body` (see `link::Osc8`),
    /// unless the line has as many links as it keeps.
    fn open_link(&mut self, body: Box<str>) {
        let links = &mut self.out.links;
        let number = if links.last() == Some(&body) {
            // Opened again (a link cut by other sequences): held once.
            Some(self.links_before + links.len())
        } else if self.links_before + links.len() < MAX_LINKS {
            links.push(body);
            Some(self.links_before + links.len())
        } else {
            None
        };
        let number = number.and_then(|n| u16::try_from(n).ok()).unwrap_or(0);
        self.set_style(self.style.with_link(number));
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
        self.cancel_pending();
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
        self.cancel_pending();
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
        self.cancel_pending();
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

    /// OSC 8 opens or closes a link (with colour on: links are drawn
    /// where colours are); every other OSC is dropped.
    fn osc_dispatch(&mut self, params: &[&[u8]], bell_terminated: bool) {
        self.cancel_pending();
        if !self.options.color {
            return;
        }
        let Some(osc) = link::parse(params) else {
            return;
        };
        // What was printed before is in the link before.
        self.release();
        // Whatever comes of it, the link before ends here: the text after
        // is another link's, kept or not.
        self.set_style(self.style.with_link(0));
        if let Osc8::Open(body) = osc {
            if bell_terminated {
                self.open_link(body);
            } else {
                self.pending = Some(body);
            }
        }
    }

    fn esc_dispatch(&mut self, intermediates: &[u8], _ignore: bool, byte: u8) {
        let pending = self.pending.take();
        if let Some(body) = pending
            && byte == b'\\'
            && intermediates.is_empty()
        {
            self.open_link(body);
        }
    }

    fn hook(&mut self, _: &Params, _: &[u8], _: bool, _: char) {
        self.cancel_pending();
    }

    fn put(&mut self, _: u8) {
        self.cancel_pending();
    }

    fn unhook(&mut self) {
        self.cancel_pending();
    }
}
