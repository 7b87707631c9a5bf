//! The full-screen display's frames: keep the previous frame, rewrite only
//! the rows that changed, and send each frame as one synchronized update
//! in one write.

use std::io;

use crossterm::{cursor, queue, style, terminal};

use super::content_rows;
use crate::layout::{Row, fit, width_of};

/// The screen as last drawn, to diff the next frame against.
#[derive(Debug, Default)]
pub(crate) struct Screen {
    previous: Vec<Row>,
    status: Option<String>,
    size: (u16, u16),
    /// The terminal's cursor is shown (at a prompt's edit position).
    cursor: bool,
}

impl Screen {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Queues into `out` the bytes that turn the last frame into this one.
    /// `rows` are the content rows (each at most `width` wide), top first;
    /// `status` is drawn in reverse video on the bottom row when there is
    /// room for one. With a `cursor` column, the terminal's cursor is
    /// shown there on the status row (a prompt's edit position, as less
    /// puts it), else hidden. Returns how many rows were rewritten.
    pub(crate) fn frame(
        &mut self,
        out: &mut Vec<u8>,
        (width, height): (u16, u16),
        rows: &[Row],
        status: &str,
        cursor: Option<usize>,
    ) -> io::Result<usize> {
        let full = self.size != (width, height);
        let w = usize::from(width);
        let h = usize::from(height);
        let content = content_rows(height);
        let mut next: Vec<Row> = Vec::with_capacity(content);
        next.extend(rows.iter().take(content).cloned());
        next.resize(content, Row::default());
        // The status row is padded to the full width, so it is overwritten
        // without an erase and its reverse video spans the whole row.
        let status = (content < h).then(|| {
            let status = fit(status, w);
            format!("{status}{:pad$}", "", pad = w - width_of(status))
        });

        queue!(out, terminal::BeginSynchronizedUpdate)?;
        if full {
            queue!(out, terminal::Clear(terminal::ClearType::All))?;
            self.previous.clear();
            self.status = None;
        }
        let mut written = 0;
        for (y, row) in next.iter().enumerate() {
            if self.previous.get(y) == Some(row) {
                continue;
            }
            written += 1;
            // At most `height` rows, so the index fits in a u16. Cleared
            // before it is printed: a row that reaches the last column
            // leaves the cursor where an erase would eat the last cell, and
            // terminals disagree on some widths, so erasing after is unsafe.
            queue!(
                out,
                cursor::MoveTo(0, y as u16),
                terminal::Clear(terminal::ClearType::CurrentLine),
                style::Print(&row.text)
            )?;
        }
        if status.is_some() && status != self.status {
            written += 1;
            queue!(
                out,
                cursor::MoveTo(0, content as u16),
                style::SetAttribute(style::Attribute::Reverse),
                style::Print(status.as_deref().unwrap_or_default()),
                style::SetAttribute(style::Attribute::Reset)
            )?;
        }
        // Placed at every frame: drawing the rows moved it.
        match cursor.filter(|_| content < h) {
            Some(column) => {
                let column = column.min(w.saturating_sub(1)) as u16;
                queue!(out, cursor::MoveTo(column, content as u16), cursor::Show)?;
                self.cursor = true;
            }
            // A new screen does not know what the terminal shows.
            None if self.cursor || full => {
                queue!(out, cursor::Hide)?;
                self.cursor = false;
            }
            None => {}
        }
        queue!(out, terminal::EndSynchronizedUpdate)?;
        self.previous = next;
        self.status = status;
        self.size = (width, height);
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(list: &[&str]) -> Vec<Row> {
        list.iter().map(|s| Row::plain(s, 80)).collect()
    }

    fn parser(rows: u16, cols: u16) -> vt100::Parser {
        let n = |v| std::num::NonZeroU16::new(v).unwrap();
        vt100::Parser::new(n(rows), n(cols), 0)
    }

    fn draw(screen: &mut Screen, parser: &mut vt100::Parser, r: &[Row], status: &str) -> usize {
        let (h, w) = parser.screen().size();
        let (h, w) = (h.get(), w.get());
        let mut out = Vec::new();
        let n = screen.frame(&mut out, (w, h), r, status, None).unwrap();
        parser.process(&out);
        n
    }

    fn shown(parser: &vt100::Parser) -> Vec<String> {
        parser
            .screen()
            .rows(0, parser.screen().size().1.get())
            .map(|row| row.trim_end().to_owned())
            .collect()
    }

    #[test]
    fn first_frame_draws_every_row_then_only_changes() {
        let mut parser = parser(4, 10);
        let mut screen = Screen::new();
        assert_eq!(draw(&mut screen, &mut parser, &rows(&["a", "b"]), "st"), 4);
        assert_eq!(shown(&parser), ["a", "b", "", "st"]);
        assert!(parser.screen().cell(3, 0).unwrap().inverse());
        assert!(parser.screen().cell(3, 9).unwrap().inverse());
        assert_eq!(
            draw(&mut screen, &mut parser, &rows(&["a", "b", "c"]), "st"),
            1
        );
        assert_eq!(shown(&parser), ["a", "b", "c", "st"]);
        assert_eq!(
            draw(&mut screen, &mut parser, &rows(&["b", "c", "d"]), "st"),
            3
        );
        assert_eq!(shown(&parser), ["b", "c", "d", "st"]);
        assert_eq!(
            draw(&mut screen, &mut parser, &rows(&["b", "c", "d"]), "st"),
            0
        );
    }

    #[test]
    fn shorter_rows_erase_what_was_there() {
        let mut parser = parser(3, 10);
        let mut screen = Screen::new();
        draw(&mut screen, &mut parser, &rows(&["long text", "x"]), "");
        draw(&mut screen, &mut parser, &rows(&["ab", "x"]), "");
        assert_eq!(shown(&parser), ["ab", "x", ""]);
    }

    #[test]
    fn full_width_rows_keep_their_last_cell() {
        let mut parser = parser(3, 5);
        let mut screen = Screen::new();
        draw(
            &mut screen,
            &mut parser,
            &rows(&["abcde", "fghij"]),
            "status bar too long",
        );
        assert_eq!(shown(&parser), ["abcde", "fghij", "statu"]);
    }

    #[test]
    fn a_new_size_redraws_everything() {
        let mut parser = parser(3, 10);
        let mut screen = Screen::new();
        draw(&mut screen, &mut parser, &rows(&["a", "b"]), "s");
        parser.set_size(4.try_into().unwrap(), 8.try_into().unwrap());
        assert_eq!(
            draw(&mut screen, &mut parser, &rows(&["a", "b", "c"]), "s"),
            4
        );
        assert_eq!(shown(&parser), ["a", "b", "c", "s"]);
    }

    #[test]
    fn a_prompt_shows_the_cursor_at_its_column_and_hides_it_after() {
        let mut parser = parser(3, 10);
        let mut screen = Screen::new();
        let mut out = Vec::new();
        screen
            .frame(&mut out, (10, 3), &rows(&["a"]), "/abc", Some(2))
            .unwrap();
        parser.process(&out);
        assert_eq!(parser.screen().cursor_position(), (2, 2));
        assert!(!parser.screen().hide_cursor());
        out.clear();
        screen
            .frame(&mut out, (10, 3), &rows(&["a"]), "st", None)
            .unwrap();
        parser.process(&out);
        assert!(parser.screen().hide_cursor());
    }

    #[test]
    fn one_row_terminal_shows_content_only() {
        let mut parser = parser(1, 4);
        let mut screen = Screen::new();
        draw(
            &mut screen,
            &mut parser,
            &[Row::plain("abcdef", 4)],
            "status",
        );
        assert_eq!(shown(&parser), ["abcd"]);
    }
}
