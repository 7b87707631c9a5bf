//! Progress bars beside the log (cargo feature `indicatif`): indicatif's
//! bars drawn in the live region of reflow's inline display, below the
//! records, instead of fighting them for the terminal.
//!
//! ```no_run
//! # fn main() {
//! reflow::env_logger::init(); // or reflow::init(), reflow::tracing::init()
//! let bar = indicatif::ProgressBar::with_draw_target(Some(100), reflow::indicatif::draw_target());
//! for i in 0..100 {
//!     log::info!("step {i}");
//!     bar.inc(1);
//! }
//! bar.finish(); // its last state stays on the screen after the exit
//! # }
//! ```
//!
//! indicatif draws through a [`TermLike`]: it moves a cursor up over the
//! rows it drew last, clears them and writes them again. [`LiveRegion`]
//! follows those moves over rows of its own and, at each flush, hands the
//! rows to the display as its live region ([`Sender::set_status`]), which
//! the printer thread redraws in place between records, at every resize,
//! and leaves on the screen at the end. Rows the bars left above
//! themselves for good (`ProgressBar::println`, `MultiProgress::println`)
//! become lines of the log, in order. A `MultiProgress` works the same
//! way: give it the draw target.

use std::io;
use std::sync::Mutex;

use ::indicatif::{ProgressDrawTarget, TermLike};

use crate::printer::Sender;

/// Where indicatif should draw: the live region of the display that the
/// logger (or `reflow::tracing`) keeps for the process, when there is one
/// (on a terminal); else indicatif's own `stderr` target, which hides the
/// bars when stderr is not a terminal. Call it after the logger's `init`.
pub fn draw_target() -> ProgressDrawTarget {
    match crate::printer::process_display() {
        Some(sender) => ProgressDrawTarget::term_like(Box::new(LiveRegion::new(sender))),
        None => ProgressDrawTarget::stderr(),
    }
}

/// A [`TermLike`] that draws into a display's live region: the rows
/// indicatif writes become [`Sender::set_status`] rows. Make one from the
/// sender of an inline display ([`Viewport::Inline`](crate::Viewport)) and
/// hand it to `ProgressDrawTarget::term_like`.
#[derive(Debug)]
pub struct LiveRegion {
    sender: Sender,
    rows: Mutex<Rows>,
}

/// The rows as indicatif believes it drew them, and its cursor: a small
/// terminal of `width` columns, as far as indicatif uses one. 0.18 ends
/// each line by filling its row with spaces and lets the terminal wrap
/// to the next (0.17 writes newlines); a row wider than the width wraps.
#[derive(Debug, Default)]
struct Rows {
    rows: Vec<String>,
    /// The row the cursor is on, and the columns before it there.
    at: usize,
    col: usize,
    /// Nothing written since the cursor came to this row's start: the
    /// next write replaces the row (indicatif rewrites whole rows).
    fresh: bool,
    /// A draw has started since the last flush.
    drawing: bool,
    /// The terminal's width for this draw (asked once, as it starts).
    width: usize,
}

impl Rows {
    fn row(&mut self) -> &mut String {
        if self.rows.len() <= self.at {
            self.rows.resize(self.at + 1, String::new());
        }
        &mut self.rows[self.at]
    }

    /// Moves the cursor up `n` rows, to their start. A draw starts with
    /// this move, to the top of the rows it redraws: the rows above them
    /// were left there for good (printed lines), and leave the region;
    /// they are returned.
    fn up(&mut self, n: usize) -> Vec<String> {
        self.at = self.at.saturating_sub(n);
        self.home();
        if self.drawing {
            return Vec::new();
        }
        self.drawing = true;
        let above = self.at.min(self.rows.len());
        self.at -= above;
        self.rows
            .drain(..above)
            .map(|row| row.trim_end_matches(' ').to_owned())
            .collect()
    }

    fn down(&mut self, n: usize) {
        self.at += n;
        self.home();
        self.row();
    }

    /// The cursor to its row's start.
    fn home(&mut self) {
        self.col = 0;
        self.fresh = true;
    }

    /// The row the cursor is on, for writing at the cursor.
    fn row_to_write(&mut self) -> &mut String {
        let fresh = std::mem::take(&mut self.fresh);
        let row = self.row();
        if fresh {
            row.clear();
        }
        row
    }

    /// Writes `text` at the cursor, as a terminal of `width` columns
    /// would: escape sequences take no room, a character that does not
    /// fit goes on the next row.
    fn write(&mut self, text: &str, width: usize) {
        let width = width.max(1);
        let mut pending = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\n' => self.newline(),
                '\r' => self.home(),
                '\x1b' => {
                    // CSI sequences (colours) as they are; they take no room.
                    let mut escape = String::from(c);
                    if chars.peek() == Some(&'[') {
                        escape.extend(chars.next());
                        for next in chars.by_ref() {
                            escape.push(next);
                            if ('\x40'..='\x7e').contains(&next) {
                                break;
                            }
                        }
                    }
                    // Applies to the next character, wherever it lands.
                    pending.push_str(&escape);
                }
                _ => {
                    let w = crate::layout::width::char_width(c);
                    if self.col + w > width {
                        self.newline();
                    }
                    let row = self.row_to_write();
                    row.push_str(&pending);
                    pending.clear();
                    row.push(c);
                    self.col += w;
                }
            }
        }
        if !pending.is_empty() {
            self.row_to_write().push_str(&pending);
        }
    }

    /// The width of this draw; asked of the terminal if no draw set it.
    fn width_now(&mut self) -> usize {
        if self.width == 0 {
            self.width = usize::from(terminal_width());
        }
        self.width
    }

    fn newline(&mut self) {
        self.down(1);
    }

    fn clear_line(&mut self) {
        self.row().clear();
        self.home();
    }

    /// The rows to show: without the spaces that pad them to the width,
    /// and without the rows left blank (the padding of a line one column
    /// too wide for the width wraps to a row of spaces).
    fn shown(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|row| row.trim_end_matches(' '))
            .filter(|row| !row.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl LiveRegion {
    /// Draws into the live region of the display `sender` goes to.
    pub fn new(sender: Sender) -> Self {
        LiveRegion {
            sender,
            rows: Mutex::new(Rows::default()),
        }
    }

    fn rows(&self) -> std::sync::MutexGuard<'_, Rows> {
        self.rows.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Rows left above for good go to the log as lines, before the
    /// region changes.
    fn commit(&self, lines: Vec<String>) -> io::Result<()> {
        for line in lines {
            self.sender.line(line).map_err(io::Error::other)?;
        }
        Ok(())
    }
}

impl TermLike for LiveRegion {
    fn width(&self) -> u16 {
        terminal_width()
    }

    fn height(&self) -> u16 {
        crossterm::terminal::size().map_or(24, |(_, height)| height.max(2))
    }

    fn move_cursor_up(&self, n: usize) -> io::Result<()> {
        // A draw starts here: the width is asked once for all its writes.
        let width = usize::from(terminal_width());
        let committed = {
            let mut rows = self.rows();
            rows.width = width;
            rows.up(n)
        };
        self.commit(committed)
    }

    fn move_cursor_down(&self, n: usize) -> io::Result<()> {
        let mut rows = self.rows();
        rows.drawing = true;
        rows.down(n);
        Ok(())
    }

    fn move_cursor_right(&self, _n: usize) -> io::Result<()> {
        Ok(())
    }

    fn move_cursor_left(&self, _n: usize) -> io::Result<()> {
        Ok(())
    }

    fn write_line(&self, s: &str) -> io::Result<()> {
        let mut rows = self.rows();
        rows.drawing = true;
        let width = rows.width_now();
        rows.write(s, width);
        rows.newline();
        Ok(())
    }

    fn write_str(&self, s: &str) -> io::Result<()> {
        let mut rows = self.rows();
        rows.drawing = true;
        let width = rows.width_now();
        rows.write(s, width);
        Ok(())
    }

    fn clear_line(&self) -> io::Result<()> {
        let mut rows = self.rows();
        rows.drawing = true;
        rows.clear_line();
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        let shown = {
            let mut rows = self.rows();
            rows.drawing = false;
            rows.shown()
        };
        self.sender.set_status(shown).map_err(io::Error::other)
    }
}

/// The terminal's width now (stdout is the terminal, or the pty that the
/// display gives the host's output, kept at the terminal's size).
fn terminal_width() -> u16 {
    crossterm::terminal::size().map_or(80, |(width, _)| width.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDTH: usize = 20;

    /// indicatif 0.18's own sequence for redrawing `last` rows of bars
    /// with `lines` (its `draw_to_term`, clearing), played on `rows` at
    /// [`WIDTH`] columns: each line written, then filled with spaces to
    /// the width. The first `texts` lines are printed text, not bars.
    /// Returns the rows committed to the log.
    fn draw(rows: &mut Rows, last: usize, lines: &[&str], texts: usize) -> (Vec<String>, usize) {
        let mut committed = rows.up(last.saturating_sub(1));
        for i in 0..last {
            rows.clear_line();
            if i + 1 != last {
                rows.down(1);
            }
        }
        committed.extend(rows.up(last.saturating_sub(1)));
        for line in lines {
            rows.write(line, WIDTH);
            let used = line.chars().count() % WIDTH;
            let fill = if used == 0 && !line.is_empty() {
                0
            } else {
                WIDTH - used
            };
            rows.write(&" ".repeat(fill), WIDTH);
        }
        rows.drawing = false;
        (committed, lines.len() - texts)
    }

    #[test]
    fn a_bar_redrawn_in_place_is_one_row() {
        let mut rows = Rows::default();
        let (committed, bars) = draw(&mut rows, 0, &["[#   ] 1/4"], 0);
        assert!(committed.is_empty());
        assert_eq!(rows.shown(), ["[#   ] 1/4"]);
        assert!(draw(&mut rows, bars, &["[##  ] 2/4"], 0).0.is_empty());
        assert_eq!(rows.shown(), ["[##  ] 2/4"]);
    }

    #[test]
    fn two_bars_are_two_rows_and_a_finished_clear_leaves_none() {
        let mut rows = Rows::default();
        draw(&mut rows, 0, &["a 1/2", "b 0/9"], 0);
        assert_eq!(rows.shown(), ["a 1/2", "b 0/9"]);
        draw(&mut rows, 2, &["a 2/2", "b 5/9"], 0);
        assert_eq!(rows.shown(), ["a 2/2", "b 5/9"]);
        // finish_and_clear: nothing drawn over the two rows.
        draw(&mut rows, 2, &[], 0);
        assert!(rows.shown().is_empty());
    }

    #[test]
    fn three_bars_redrawn_commit_nothing() {
        let mut rows = Rows::default();
        draw(&mut rows, 0, &["a", "b", "c"], 0);
        for _ in 0..3 {
            assert!(draw(&mut rows, 3, &["a", "b", "c"], 0).0.is_empty());
            assert_eq!(rows.shown(), ["a", "b", "c"]);
        }
    }

    #[test]
    fn printed_lines_above_the_bar_become_lines_of_the_log() {
        let mut rows = Rows::default();
        draw(&mut rows, 0, &["[#   ]"], 0);
        // println("hello"): the line, then the bar again below it; the
        // bar's row alone is redrawn next.
        let (_, bars) = draw(&mut rows, 1, &["hello", "[##  ]"], 1);
        assert_eq!(rows.shown(), ["hello", "[##  ]"]);
        let (committed, _) = draw(&mut rows, bars, &["[### ]"], 0);
        assert_eq!(committed, ["hello"]);
        assert_eq!(rows.shown(), ["[### ]"]);
    }

    #[test]
    fn the_padding_of_a_line_that_fills_the_width_leaves_no_blank_row() {
        let mut rows = Rows::default();
        let full = "y".repeat(WIDTH);
        draw(&mut rows, 0, &[&format!("{full} "), "[#]"], 0);
        assert_eq!(rows.shown(), [full, "[#]".to_owned()]);
    }

    #[test]
    fn a_row_wider_than_the_width_wraps_and_colours_take_no_room() {
        let mut rows = Rows::default();
        let long = "x".repeat(WIDTH + 5);
        draw(&mut rows, 0, &[&long, "\x1b[32m[#]\x1b[0m"], 0);
        assert_eq!(
            rows.shown(),
            [
                "x".repeat(WIDTH),
                "xxxxx".to_owned(),
                "\x1b[32m[#]\x1b[0m".to_owned()
            ]
        );
    }
}
