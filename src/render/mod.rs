//! Painting frames. This file owns the sequences that enter and leave
//! each [`Viewport`]; `screen` paints the full-screen display (the rows
//! that changed, as one synchronized update in one write), `inline` the
//! inline one (records into the normal screen, a live region below them).

mod inline;
mod screen;

use std::io;

use crossterm::{cursor, queue, style, terminal};

pub(crate) use inline::{Inline, start_row};
pub(crate) use screen::Screen;

pub(crate) use crate::options::Viewport;

/// Rows left for content on a screen `height` rows high: all but the
/// status bar's, which a one-row screen does without.
pub(crate) fn content_rows(height: u16) -> usize {
    usize::from(if height >= 2 { height - 1 } else { height })
}

impl Viewport {
    /// Queues the sequences that put the display on the screen.
    pub(crate) fn enter(self, out: &mut Vec<u8>) -> io::Result<()> {
        match self {
            Viewport::FullScreen => queue!(
                out,
                terminal::EnterAlternateScreen,
                cursor::Hide,
                terminal::Clear(terminal::ClearType::All)
            ),
            // Records go where the cursor is, on the normal screen.
            Viewport::Inline => Ok(()),
        }
    }

    /// Queues the sequences that give the screen back as it was: colours
    /// reset, the cursor shown, the normal screen. Inline, the cursor sits
    /// at the start of the live region (see [`Inline`]), which is erased:
    /// what follows (a panic's message, the shell) starts there.
    pub(crate) fn leave(self, out: &mut Vec<u8>) -> io::Result<()> {
        match self {
            Viewport::FullScreen => queue!(
                out,
                style::SetAttribute(style::Attribute::Reset),
                cursor::Show,
                terminal::LeaveAlternateScreen
            ),
            Viewport::Inline => queue!(
                out,
                style::SetAttribute(style::Attribute::Reset),
                style::Print("\r"),
                terminal::Clear(terminal::ClearType::FromCursorDown),
                cursor::Show
            ),
        }
    }
}
