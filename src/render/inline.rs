//! The inline display's frames: each line is printed once into the normal
//! screen, word-wrapped at the width of that moment, so it goes on into
//! the terminal's scrollback as any program's output does; below the
//! newest line, a live region is redrawn in place. It holds the open line
//! (a line whose end has not come: a prompt, a `\r` progress line) with
//! the cursor after it, or else the status rows (the cursor hidden and
//! parked at their start).
//!
//! The cursor is always at a place the next frame can find from where it
//! is, never by an absolute position: the start of the live region, or
//! the end of the open line. So erasing the live region is `\r`, a move up
//! over the open line's rows, and "erase below", which takes every row of
//! the live region however the terminal re-wrapped it on a resize.
//!
//! On a resize, the lines still on the screen are erased and printed again
//! at the new width, when they can be found: nothing but this display may
//! have written since ([`Inline::exclusive`]), and the rows they take now
//! are known. A terminal that re-wraps its lines on a resize (tmux, VTE,
//! kitty, iTerm2, WezTerm, Windows Terminal, Alacritty) splits a row wider
//! than the new width into several; one that does not (xterm, the Linux
//! console) keeps it one row. Moving up by too few rows would leave parts
//! of old rows above the new ones; by too many, it would erase lines the
//! display does not print again. So the lines printed again are only those
//! whose rows are certainly below the top of the screen and ours.

use std::collections::VecDeque;
use std::io;

use crossterm::{cursor, queue, style, terminal};

use crate::history::History;
use crate::layout::{Row, RowCache, fit};

/// What the live region shows now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Live {
    /// Nothing: the cursor is where the next line starts.
    #[default]
    Empty,
    /// The open line, as rows of these widths; the cursor after the last.
    Open(Vec<usize>),
    /// Status rows, this many; the cursor at the first one's start.
    Status(usize),
}

/// The inline display as last drawn.
#[derive(Clone, Debug)]
pub(crate) struct Inline {
    size: (u16, u16),
    /// The terminal re-wraps its rows when its width changes.
    reflows: bool,
    /// Nothing but this display writes on the terminal: the lines on the
    /// screen can be found again, and are redrawn on a resize.
    exclusive: bool,
    /// The id of the next line to print: the lines before it are in the
    /// terminal.
    next: usize,
    /// Lines printed whose rows may still be on the screen, oldest first:
    /// their ids, and the width of each row as printed.
    on_screen: VecDeque<(usize, Vec<usize>)>,
    /// Rows printed since the screen was last known to be ours, counted up
    /// to the height: the rows above the cursor that are certainly ours.
    ours: usize,
    live: Live,
    cursor_hidden: bool,
    /// The cursor is inside a row the host left unfinished (a prompt):
    /// the next line starts on a row of its own, and no live region is
    /// drawn below, away from where the host's input is echoed.
    mid_row: bool,
}

impl Inline {
    /// A display whose first line is `next` (the lines before it were
    /// shown otherwise), on a terminal of `size`.
    pub(crate) fn new(size: (u16, u16), next: usize, reflows: bool, exclusive: bool) -> Self {
        Inline {
            size,
            reflows,
            exclusive,
            next,
            on_screen: VecDeque::new(),
            ours: 0,
            live: Live::Empty,
            cursor_hidden: false,
            mid_row: false,
        }
    }

    /// Queues the bytes that put the cursor at the start of a row of its
    /// own, wherever it is (the host may have left a line unfinished
    /// before the display started): a row's width of spaces, which from
    /// the first column fills the row and from any other wraps to the
    /// next, then back to that row's start, erased (zsh's trick for its
    /// prompt). The unfinished line stays as it was.
    pub(crate) fn start_row(&self, out: &mut Vec<u8>) -> io::Result<()> {
        start_row(out, usize::from(self.size.0))
    }

    /// The size the display draws at.
    pub(crate) fn size(&self) -> (u16, u16) {
        self.size
    }

    /// The cursor is inside a row the host left unfinished.
    pub(crate) fn mid_row(&self) -> bool {
        self.mid_row
    }

    /// The id of the next line to print.
    pub(crate) fn next(&self) -> usize {
        self.next
    }

    /// Leaves the next `lines` lines unprinted (a stop that must end in
    /// time; the caller says so).
    pub(crate) fn skip(&mut self, lines: usize) {
        self.next += lines;
    }

    /// Queues the bytes that print every line of `history` not printed yet
    /// and redraw the live region: the open line if there is one, else the
    /// `status` rows (each cut to the width; none, and there is no region).
    /// `cache` must be prepared for the width.
    pub(crate) fn frame(
        &mut self,
        out: &mut Vec<u8>,
        history: &History,
        cache: &mut RowCache,
        status: &[String],
    ) -> io::Result<()> {
        queue!(out, terminal::BeginSynchronizedUpdate)?;
        self.erase_live(out)?;
        let (width, height) = (usize::from(self.size.0), usize::from(self.size.1));
        // Lines dropped from a capped history before they were printed
        // are gone: the next printed is the oldest held.
        self.next = self.next.max(history.first());
        if self.mid_row && self.next < history.shown_len() {
            self.mid_row = false;
            self.start_row(out)?;
        }
        for id in self.next..history.len() {
            let widths = print_line(out, history, cache, id)?;
            queue!(out, style::Print("\r\n"))?;
            self.ours = (self.ours + widths.len()).min(height);
            self.on_screen.push_back((id, widths));
        }
        self.next = history.len();
        // Only the lines that can still be on the screen are kept.
        let mut rows: usize = self.on_screen.iter().map(|(_, w)| w.len()).sum();
        while rows > height
            && let Some((_, widths)) = self.on_screen.pop_front()
        {
            rows -= widths.len();
        }
        let first = self.on_screen.front().map_or(self.next, |(id, _)| *id);
        cache.retain(|id| id >= first);
        if self.mid_row {
            // The host's unfinished row keeps the cursor.
            self.show_cursor(out)?;
        } else if history.shown_len() > history.len() {
            // The open line, with the cursor after it (for a prompt).
            cache.forget(history.len());
            let mut widths = print_line(out, history, cache, history.len())?;
            // A prompt's last space is kept, so what is typed after it
            // (echoed by the terminal) lands where it would without us.
            let spaces = history
                .partial()
                .iter()
                .rev()
                .take_while(|&&b| b == b' ')
                .count()
                .min(width);
            if spaces > 0 {
                match widths.last_mut() {
                    Some(last) if *last + spaces <= width => *last += spaces,
                    _ => {
                        queue!(out, style::Print("\r\n"))?;
                        widths.push(spaces);
                    }
                }
                queue!(out, style::Print(" ".repeat(spaces)))?;
            }
            self.show_cursor(out)?;
            self.live = Live::Open(widths);
        } else if !status.is_empty() {
            self.hide_cursor(out)?;
            let rows = status.len().min(height.saturating_sub(1)).max(1);
            for (i, text) in status.iter().take(rows).enumerate() {
                if i > 0 {
                    queue!(out, style::Print("\r\n"))?;
                }
                queue!(out, style::Print(fit(text, width)))?;
            }
            queue!(out, style::Print("\r"))?;
            if rows > 1 {
                queue!(out, cursor::MoveUp(rows as u16 - 1))?;
            }
            self.live = Live::Status(rows);
        } else {
            self.show_cursor(out)?;
            self.live = Live::Empty;
        }
        queue!(out, terminal::EndSynchronizedUpdate)?;
        Ok(())
    }

    /// The terminal is now `size`. Queues the bytes that erase the live
    /// region and, where they can be found, the lines on the screen; the
    /// next [`frame`](Inline::frame) prints them again at the new width.
    pub(crate) fn resize(&mut self, out: &mut Vec<u8>, size: (u16, u16)) -> io::Result<()> {
        let old = std::mem::replace(&mut self.size, size);
        if old == size {
            return Ok(());
        }
        let (width, height) = (usize::from(size.0).max(1), usize::from(size.1));
        // To the start of the live region: over the open line's rows as
        // the terminal holds them now (the cursor is on the last of them).
        // `below`: the rows from the cursor's down, which the screen holds
        // too (the cursor's own row at least; status rows at their start).
        let below = match &self.live {
            Live::Open(widths) => {
                let rows: usize = widths.iter().map(|&w| self.rows_now(w, width)).sum();
                queue!(out, style::Print("\r"))?;
                if rows > 1 {
                    queue!(out, cursor::MoveUp(rows as u16 - 1))?;
                }
                rows
            }
            Live::Status(rows) => *rows,
            Live::Empty => 1,
        };
        if self.exclusive {
            // The lines whose rows are all certainly on the screen and
            // ours: above the cursor there are at least `ours` rows of
            // ours, and at most `height - below` rows.
            // (`ours` counts rows as printed; the terminal may hold each
            // as several now.)
            let mut printed = 0;
            let mut ours_now = 0;
            for (_, widths) in self.on_screen.iter().rev() {
                printed += widths.len();
                if printed > self.ours {
                    break;
                }
                ours_now += widths
                    .iter()
                    .map(|&w| self.rows_now(w, width))
                    .sum::<usize>();
            }
            let reach = ours_now.min(height.saturating_sub(below.max(1)));
            let mut up = 0;
            let mut keep = self.on_screen.len();
            for (i, (_, widths)) in self.on_screen.iter().enumerate().rev() {
                let rows: usize = widths.iter().map(|&w| self.rows_now(w, width)).sum();
                if up + rows > reach {
                    break;
                }
                up += rows;
                keep = i;
            }
            if keep < self.on_screen.len() {
                self.next = self.on_screen[keep].0;
                self.on_screen.truncate(keep);
                self.ours = self.ours.saturating_sub(up);
                queue!(out, style::Print("\r"))?;
                if up > 0 {
                    queue!(out, cursor::MoveUp(up as u16))?;
                }
            }
        }
        // A row the host left unfinished is the host's: not erased.
        if !self.mid_row {
            erase_down(out)?;
        }
        self.live = Live::Empty;
        Ok(())
    }

    /// Queues the bytes that print `piece`, the start (or more) of a line
    /// the host left unfinished, as the host wrote it, at the cursor: after
    /// the lines printed so far, with the live region erased. It is the
    /// host's to continue (what it writes next, and what the terminal
    /// echoes of what is typed after a prompt), so it is never redrawn: the
    /// lines on the screen can no longer be found, and the next line starts
    /// on a row of its own. A `\r` in it rewrites the row, as it would on
    /// the terminal.
    pub(crate) fn host_piece(&mut self, out: &mut Vec<u8>, piece: &[u8]) -> io::Result<()> {
        if piece.is_empty() {
            return Ok(());
        }
        self.erase_live(out)?;
        let text = match memchr::memrchr(b'\r', piece) {
            Some(at) => {
                queue!(
                    out,
                    style::Print("\r"),
                    terminal::Clear(terminal::ClearType::UntilNewLine)
                )?;
                &piece[at + 1..]
            }
            None => piece,
        };
        let styled = crate::sanitize::sanitize_styled(text, crate::sanitize::Options::default());
        let mut painted = String::with_capacity(styled.text.len());
        styled.paint(0..styled.text.len(), &mut painted);
        queue!(
            out,
            style::Print(painted),
            style::SetAttribute(style::Attribute::Reset)
        )?;
        self.show_cursor(out)?;
        self.forget();
        self.mid_row = true;
        Ok(())
    }

    /// From now on something else may write on the terminal: the lines on
    /// the screen are no longer printed again on a resize.
    pub(crate) fn share(&mut self) {
        self.exclusive = false;
        self.forget();
    }

    /// Something else wrote on the terminal (a suspension, a hold, a
    /// panic's message): the live region was erased before, and what is on
    /// the screen is no longer known. The next frame goes on at the cursor.
    pub(crate) fn forget(&mut self) {
        self.on_screen.clear();
        self.ours = 0;
        self.live = Live::Empty;
        self.cursor_hidden = false;
    }

    /// Queues the bytes that erase the live region, leaving the cursor at
    /// its start, shown: for the stop, or before someone else writes.
    pub(crate) fn clear(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        self.erase_live(out)?;
        self.show_cursor(out)
    }

    /// Ends the display with its status rows left on the screen, as lines
    /// printed (an open line's rows, which the host's later output goes on
    /// after, are erased as by [`clear`](Inline::clear)); the cursor shown
    /// on a row of its own below.
    pub(crate) fn keep(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        if let Live::Status(rows) = self.live {
            self.live = Live::Empty;
            if rows > 1 {
                queue!(out, cursor::MoveDown(rows as u16 - 1))?;
            }
            queue!(out, style::Print("\r\n"))?;
        }
        self.clear(out)
    }

    /// How many rows a row printed `printed` columns wide takes now, at
    /// `width` columns.
    fn rows_now(&self, printed: usize, width: usize) -> usize {
        if self.reflows && printed > width {
            printed.div_ceil(width)
        } else {
            1
        }
    }

    fn erase_live(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        match std::mem::take(&mut self.live) {
            Live::Empty => return Ok(()),
            Live::Open(widths) => {
                queue!(out, style::Print("\r"))?;
                if widths.len() > 1 {
                    queue!(out, cursor::MoveUp(widths.len() as u16 - 1))?;
                }
            }
            Live::Status(_) => {}
        }
        erase_down(out)
    }

    fn hide_cursor(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        if !self.cursor_hidden {
            self.cursor_hidden = true;
            queue!(out, cursor::Hide)?;
        }
        Ok(())
    }

    fn show_cursor(&mut self, out: &mut Vec<u8>) -> io::Result<()> {
        if self.cursor_hidden {
            self.cursor_hidden = false;
            queue!(out, cursor::Show)?;
        }
        Ok(())
    }
}

/// Queues the bytes that put the cursor at the start of a row of its own
/// on a terminal `width` columns wide: see [`Inline::start_row`].
pub(crate) fn start_row(out: &mut Vec<u8>, width: usize) -> io::Result<()> {
    queue!(
        out,
        style::Print(" ".repeat(width)),
        style::Print("\r"),
        terminal::Clear(terminal::ClearType::UntilNewLine)
    )
}

/// Prints the rows of line `id` with `\r\n` between them (none after the
/// last); returns each row's width.
fn print_line(
    out: &mut Vec<u8>,
    history: &History,
    cache: &mut RowCache,
    id: usize,
) -> io::Result<Vec<usize>> {
    let count = cache.count(history, id);
    let mut widths = Vec::with_capacity(count);
    for i in 0..count {
        let Row { text, width } = cache.row(history, id, i, 0);
        if i > 0 {
            queue!(out, style::Print("\r\n"))?;
        }
        queue!(out, style::Print(text))?;
        widths.push(width);
    }
    Ok(widths)
}

/// Queues the bytes that erase the cursor's row and every row below it,
/// leaving the cursor at its row's start. Not as "erase below" from the
/// row's start: at the top-left corner tmux takes that for clearing the
/// screen and keeps what it erases in its scrollback, so lines printed
/// again after a resize were there twice. So the row is erased first,
/// and the rest from its second column.
fn erase_down(out: &mut Vec<u8>) -> io::Result<()> {
    queue!(
        out,
        style::Print("\r"),
        terminal::Clear(terminal::ClearType::UntilNewLine),
        cursor::MoveRight(1),
        terminal::Clear(terminal::ClearType::FromCursorDown),
        style::Print("\r"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Look;
    use crate::sanitize::Options;

    /// A terminal model fed every frame, and the display drawing on it.
    struct Term {
        model: vt100::Parser,
        inline: Inline,
        history: History,
        cache: RowCache,
        /// Times "erase below" came with the cursor at the top-left
        /// corner, which tmux takes for clearing the screen (and keeps
        /// what it erases in its scrollback).
        cleared_from_home: usize,
    }

    impl Term {
        fn new(cols: u16, rows: u16) -> Self {
            Term {
                model: vt100::Parser::new(rows.try_into().unwrap(), cols.try_into().unwrap(), 100),
                inline: Inline::new((cols, rows), 0, false, true),
                history: History::new(),
                cache: RowCache::new(),
                cleared_from_home: 0,
            }
        }

        /// Feeds `out` to the model, counting [`Term::cleared_from_home`].
        fn feed(&mut self, out: &[u8]) {
            let erase = b"\x1b[J";
            let mut rest = out;
            while let Some(at) = rest.windows(erase.len()).position(|w| w == erase) {
                self.model.process(&rest[..at]);
                if self.model.screen().cursor_position() == (0, 0) {
                    self.cleared_from_home += 1;
                }
                self.model.process(erase);
                rest = &rest[at + erase.len()..];
            }
            self.model.process(rest);
        }

        fn send(&mut self, bytes: &[u8]) {
            self.history.stream(bytes);
            self.cache.forget(self.history.len().saturating_sub(1));
            self.cache.forget(self.history.len());
        }

        fn frame(&mut self, status: &[&str]) {
            let mut out = Vec::new();
            let width = usize::from(self.inline.size().0);
            self.cache
                .prepare(width, Look::from(Options::default()), None);
            let status: Vec<String> = status.iter().map(|s| (*s).to_owned()).collect();
            self.inline
                .frame(&mut out, &self.history, &mut self.cache, &status)
                .unwrap();
            self.feed(&out);
        }

        fn resize(&mut self, cols: u16, rows: u16) {
            self.resize_with(cols, rows, &[]);
        }

        /// A resize, then a frame with `status` rows.
        fn resize_with(&mut self, cols: u16, rows: u16, status: &[&str]) {
            // As xterm does: the screen keeps its rows, cut or widened.
            self.model
                .screen_mut()
                .set_size(rows.try_into().unwrap(), cols.try_into().unwrap());
            let mut out = Vec::new();
            self.inline.resize(&mut out, (cols, rows)).unwrap();
            self.feed(&out);
            self.frame(status);
        }

        /// The rows on the screen, trimmed, the empty ones at the end left out.
        fn screen(&self) -> Vec<String> {
            let (_, cols) = self.model.screen().size();
            let mut rows: Vec<String> = self
                .model
                .screen()
                .rows(0, cols.get())
                .map(|r| r.trim_end().to_owned())
                .collect();
            while rows.last().is_some_and(String::is_empty) {
                rows.pop();
            }
            rows
        }

        /// Every row the terminal holds, its scrollback first.
        fn all(&mut self) -> Vec<String> {
            let mut rows = Vec::new();
            let (_, cols) = self.model.screen().size();
            let mut back = 0;
            loop {
                self.model.screen_mut().set_scrollback(back + 1);
                if self.model.screen().scrollback() == back {
                    break;
                }
                back += 1;
            }
            for offset in (1..=back).rev() {
                self.model.screen_mut().set_scrollback(offset);
                let top = self
                    .model
                    .screen()
                    .rows(0, cols.get())
                    .next()
                    .unwrap_or_default();
                rows.push(top.trim_end().to_owned());
            }
            self.model.screen_mut().set_scrollback(0);
            rows.extend(self.screen());
            rows
        }
    }

    #[test]
    fn lines_are_printed_once_word_wrapped_and_go_on_into_the_scrollback() {
        let mut term = Term::new(20, 4);
        term.send(b"one two three four five six\n");
        term.frame(&[]);
        term.send(b"seven\neight\nnine\n");
        term.frame(&[]);
        term.frame(&[]);
        assert_eq!(
            term.all(),
            ["one two three four", "five six", "seven", "eight", "nine"]
        );
        assert!(!term.model.screen().hide_cursor());
        assert_eq!(term.model.screen().cursor_position(), (3, 0));
    }

    #[test]
    fn the_open_line_shows_with_the_cursor_after_it_and_is_replaced_when_it_grows() {
        let mut term = Term::new(20, 5);
        term.send(b"log line\n> ");
        term.frame(&[]);
        assert_eq!(term.screen(), ["log line", ">"]);
        assert_eq!(term.model.screen().cursor_position(), (1, 2));
        term.send(b"answered, a longer line than fits\n");
        term.frame(&[]);
        assert_eq!(
            term.all(),
            ["log line", "> answered, a longer", "line than fits"]
        );
    }

    #[test]
    fn status_rows_are_redrawn_in_place_below_the_lines_with_the_cursor_hidden() {
        let mut term = Term::new(20, 5);
        term.send(b"a\n");
        term.frame(&["status one"]);
        term.send(b"b\n");
        term.frame(&["status two", "second row"]);
        assert_eq!(term.screen(), ["a", "b", "status two", "second row"]);
        assert!(term.model.screen().hide_cursor());
        term.send(b"c\n");
        term.frame(&[]);
        assert_eq!(term.all(), ["a", "b", "c"]);
        assert!(!term.model.screen().hide_cursor());
    }

    #[test]
    fn a_resize_prints_the_lines_on_the_screen_again_at_the_new_width_once() {
        let mut term = Term::new(30, 6);
        for i in 0..12 {
            term.send(format!("line {i} has some words to wrap\n").as_bytes());
        }
        term.frame(&[]);
        term.resize(15, 6);
        let all = term.all();
        // Every line is there once; those on the screen at the new width.
        for i in 0..12 {
            // At 30 columns a line is one row; at 15 it starts its first.
            let start = format!("line {i} has");
            let seen = all.iter().filter(|r| r.starts_with(&start)).count();
            assert_eq!(seen, 1, "line {i} in {all:#?}");
        }
        let screen = term.screen();
        assert!(screen.iter().all(|r| r.len() <= 15), "{screen:#?}");
        // The move up reached the screen's top: erasing from there must
        // not look like clearing the screen to tmux.
        assert_eq!(term.cleared_from_home, 0);
        assert_eq!(screen.last().map(String::as_str), Some("wrap"));
        term.resize(40, 6);
        let screen = term.screen();
        assert_eq!(
            screen.last().map(String::as_str),
            Some("line 11 has some words to wrap")
        );
    }

    #[test]
    fn a_resize_under_status_rows_prints_no_line_twice() {
        // Two status rows at the bottom: the cursor at their start has
        // only four rows above it, not five.
        let mut term = Term::new(30, 6);
        for i in 0..12 {
            term.send(format!("line {i} has some words\n").as_bytes());
        }
        let bars = ["bar one 3/9", "bar two 1/9"];
        term.frame(&bars);
        assert_eq!(term.screen()[4..], bars);
        term.resize_with(15, 6, &bars);
        let all = term.all();
        for i in 0..12 {
            let start = format!("line {i} has");
            let seen = all.iter().filter(|r| r.starts_with(&start)).count();
            assert_eq!(seen, 1, "line {i} in {all:#?}");
        }
        let screen = term.screen();
        assert_eq!(screen[screen.len() - 2..], bars, "{screen:#?}");
        assert_eq!(screen[screen.len() - 3], "some words", "{screen:#?}");
    }

    #[test]
    fn without_the_screen_to_itself_a_resize_redraws_only_the_live_region() {
        let mut term = Term::new(30, 6);
        term.inline.exclusive = false;
        term.send(b"first line of the log here\n");
        term.frame(&["status"]);
        term.resize(12, 6);
        term.frame(&["status again"]);
        // The line printed before stays as the terminal keeps it (cut at
        // 12 here); the status is drawn once, at the new width.
        assert_eq!(term.screen(), ["first line o", "status again"]);
    }

    #[test]
    fn on_a_terminal_that_rewraps_the_rows_it_split_are_counted_when_moving_up() {
        let mut history = History::new();
        history.stream(b"thirty columns of text, almost\nshort\n");
        let mut cache = RowCache::new();
        cache.prepare(40, Look::from(Options::default()), None);
        let mut out = Vec::new();
        for reflows in [false, true] {
            let mut inline = Inline::new((40, 10), 0, reflows, true);
            inline.frame(&mut out, &history, &mut cache, &[]).unwrap();
            out.clear();
            inline.resize(&mut out, (10, 10)).unwrap();
            let text = String::from_utf8_lossy(&out);
            // Split into three rows (30 columns at 10) and one, or kept
            // as one and one.
            let up = if reflows { "\x1b[4A" } else { "\x1b[2A" };
            assert!(text.contains(up), "{reflows}: {text:?}");
            assert_eq!(inline.next(), 0);
        }
    }
}
