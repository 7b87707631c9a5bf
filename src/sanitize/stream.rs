//! A line sanitized in pieces ([`Pieces`]), for a line too long to hold
//! twice: the same text and styles as `sanitize_styled` over the whole
//! line, taken as they come.

use vte::Parser;

use super::Options;
use super::link::{Scan, mark_hidden_controls};
use super::sink::Sink;
use super::style::Styled;

/// [`sanitize_styled`] of one line fed in pieces, for a line too long to
/// hold twice: the caller takes the text as it comes.
///
/// [`sanitize_styled`]: super::sanitize_styled
pub(crate) struct Pieces {
    parser: Parser,
    sink: Sink,
    /// Where the last piece left `mark_hidden_controls` (an OSC may be
    /// cut between pieces).
    scan: Scan,
}

impl Pieces {
    /// `overwrite`: the line's carriage returns overwrite what came before
    /// them ([`returns_overwrite`](super::returns_overwrite) of the whole
    /// line), else they are shown as `^M`.
    pub(crate) fn new(options: Options, overwrite: bool) -> Self {
        let mut sink = Sink::new(options, 0);
        sink.overwrite = overwrite;
        Pieces {
            parser: Parser::new(),
            sink,
            scan: Scan::default(),
        }
    }

    /// Sanitizes the next piece of the line. Pieces must be cut before an
    /// ASCII byte (or at the end): then decoding them one by one gives what
    /// decoding the whole line gives. The line's trailing `\r` is the
    /// caller's to drop, as [`sanitize_styled`](super::sanitize_styled) does.
    pub(crate) fn feed(&mut self, raw: &[u8]) {
        let text = String::from_utf8_lossy(raw);
        let bytes = match self.sink.color() {
            true => mark_hidden_controls(text.as_bytes(), &mut self.scan),
            false => text.as_bytes().into(),
        };
        self.parser.advance(&mut self.sink, &bytes);
    }

    /// The text and styles made since the last call (span offsets from the
    /// start of that text; its links are those opened since, numbered from
    /// the line's start), and whether a carriage return overwrote
    /// everything before it meanwhile (then the text starts the line).
    /// The last character may be held back for the next call (a backspace
    /// after it could still overstrike it); [`finish`](Pieces::finish)
    /// gives out everything.
    pub(crate) fn take(&mut self) -> (Styled, bool) {
        let returned = std::mem::take(&mut self.sink.returns) > 0;
        // What comes next starts in the style this ends in.
        self.sink.base = self.sink.style;
        (self.sink.take(), returned)
    }

    /// [`take`](Pieces::take) at the end of the line: nothing is held back.
    pub(crate) fn finish(&mut self) -> (Styled, bool) {
        self.sink.release();
        self.take()
    }
}
