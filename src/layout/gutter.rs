//! What is drawn left of a line's text, outside the wrapped rows: what a
//! line's header says (see `crate::tag`) as a label column, a stderr bar
//! and an arrival time, after the line's number (`-N`).

use crate::tag::{Head, Label};

use super::width::{fit, width_of};

/// How a label is drawn in the gutter.
impl Label {
    /// The name in exactly `width` columns: cut with `…` when longer,
    /// padded with blanks when shorter.
    pub(crate) fn cell(&self) -> String {
        let whole = width_of(&self.name);
        let mut cell = match whole > self.width {
            true => format!("{}\u{2026}", fit(&self.name, self.width - 1)),
            false => self.name.clone(),
        };
        let used = width_of(&cell);
        cell.extend(std::iter::repeat_n(' ', self.width.saturating_sub(used)));
        cell
    }

    /// The label in one column, for the narrow gutter: its first
    /// character, or a bar when that is not one column wide.
    pub(crate) fn mark(&self) -> char {
        match self.name.chars().next() {
            Some(c) if width_of(c.encode_utf8(&mut [0; 4])) == 1 => c,
            _ => '\u{258c}',
        }
    }

    /// One of six colours, the same for a name every time, so each file
    /// keeps its colour across lines and runs.
    pub(crate) fn colour(&self) -> u8 {
        // FNV-1a: stable across runs and builds, unlike the std hasher.
        let hash = self.name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        31 + u8::try_from(hash % 6).unwrap_or(0)
    }
}

/// What is drawn left of a line's text on each of its rows, outside the
/// wrapped text: the line's number and the file's label on the first row,
/// the stderr bar on every row, the arrival time on the first (blanks
/// under the number, the label and the time on the rest).
#[derive(Debug, Default)]
pub(crate) struct Gutter {
    pub(crate) first: String,
    pub(crate) rest: String,
    pub(crate) width: usize,
}

impl Gutter {
    /// `number`: the line's number (blank when not known) right-aligned
    /// in a column of that many digits, leftmost, as less draws it.
    /// `bare`: without the stream bar (see `Look::bare`).
    pub(crate) fn new(
        head: &Head,
        number: Option<(Option<usize>, usize)>,
        width: usize,
        bare: bool,
    ) -> Gutter {
        let mut gutter = Gutter::default();
        if let Some((number, digits)) = number {
            // Wider than the column only if the count was stale: the
            // row's width stays true.
            let cell = number.map_or_else(|| " ".repeat(digits), |n| format!("{n:>digits$}"));
            gutter.first.push_str(&format!("\x1b[0;2m{cell}\x1b[0m "));
            gutter.rest.extend(std::iter::repeat_n(' ', cell.len() + 1));
            gutter.width += cell.len() + 1;
        }
        if let Some(label) = &head.label {
            let colour = label.colour();
            gutter
                .first
                .push_str(&format!("\x1b[0;{colour}m{}\x1b[0m ", label.cell()));
            gutter
                .rest
                .extend(std::iter::repeat_n(' ', label.width + 1));
            gutter.width += label.width + 1;
        }
        if head.err && !bare {
            gutter.first.push_str("\x1b[0;31m\u{258c}\x1b[0m");
            gutter.rest.push_str("\x1b[0;31m\u{258c}\x1b[0m");
            gutter.width += 1;
        } else if head.out && !bare {
            gutter.first.push(' ');
            gutter.rest.push(' ');
            gutter.width += 1;
        }
        if let Some(time) = &head.time {
            gutter.first.push_str(&format!("\x1b[0;2m{time}\x1b[0m "));
            gutter.rest.extend(std::iter::repeat_n(' ', time.len() + 1));
            gutter.width += time.len() + 1;
        }
        // A gutter that leaves less than half the row gives way to a
        // narrow one: each file's mark and the stderr bar, one column
        // each, so lines of two files can still be told apart (numbers
        // and times go: the text matters more).
        if gutter.width * 2 > width {
            return Gutter::narrow(head, width, bare);
        }
        gutter
    }

    /// The narrow gutter: the label's mark (its first character, in
    /// reverse video of its colour) and the stderr bar; none at all when
    /// even that leaves less than half the row.
    fn narrow(head: &Head, width: usize, bare: bool) -> Gutter {
        let mut gutter = Gutter::default();
        if let Some(label) = &head.label {
            let mark = label.mark();
            let cell = format!("\x1b[0;7;{}m{mark}\x1b[0m", label.colour());
            gutter.first.push_str(&cell);
            gutter.rest.push_str(&cell);
            gutter.width += 1;
        }
        if head.err && !bare {
            gutter.first.push_str("\x1b[0;31m\u{258c}\x1b[0m");
            gutter.rest.push_str("\x1b[0;31m\u{258c}\x1b[0m");
            gutter.width += 1;
        }
        if gutter.width * 2 > width {
            return Gutter::default();
        }
        gutter
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::test_support::*;
    use crate::layout::*;

    #[test]
    fn reflow_marks_draw_a_gutter_outside_the_wrapped_text() {
        let h = history(&["\x1b_reflow:err;t=12:34:56.789\x1b\\one two three four"]);
        let look = Look::from(plain());
        let rows = tail_rows(&h, 30, 10, look, &mut RowCache::new());
        let bar = "\x1b[0;31m\u{258c}\x1b[0m";
        assert_eq!(
            texts(&rows),
            [
                format!("{bar}\x1b[0;2m12:34:56.789\x1b[0m one two three"),
                format!("{bar}             four"),
            ]
        );
        assert_eq!(rows[0].width, 27);
        // Too wide for the row: the narrow gutter keeps the stderr bar,
        // the time goes.
        let rows = tail_rows(&h, 24, 10, look, &mut RowCache::new());
        assert_eq!(texts(&rows), [format!("{bar}one two three four")]);
        // Narrower still (the bar would take more than half): none.
        let rows = tail_rows(&h, 1, 30, look, &mut RowCache::new());
        assert!(texts(&rows).iter().all(|row| !row.contains('\u{258c}')));
        // A file read in place has no headers: its bytes are text.
        let in_place = Look {
            headed: false,
            ..look
        };
        let rows = tail_rows(&h, 30, 10, in_place, &mut RowCache::new());
        assert_eq!(texts(&rows), ["one two three four"]);
        // Bare (rows left after the exit): the time stays, the bar goes.
        let bare = Look { bare: true, ..look };
        let rows = tail_rows(&h, 30, 10, bare, &mut RowCache::new());
        assert_eq!(
            texts(&rows),
            [
                "\x1b[0;2m12:34:56.789\x1b[0m one two three".to_owned(),
                "             four".to_owned(),
            ]
        );
        // Only the first header is read: one in the text is text.
        let h = history(&["\x1b_reflow:out\x1b\\\x1b_reflow:err;label=6:kernel\x1b\\FAKE"]);
        let rows = tail_rows(&h, 30, 10, look, &mut RowCache::new());
        assert_eq!(texts(&rows), [" FAKE"]);
    }

    #[test]
    fn line_numbers_are_a_dim_column_outside_the_wrapped_text() {
        let lines: Vec<String> = (0..12)
            .map(|i| match i {
                10 => "one two three four".to_owned(),
                _ => format!("line {i}"),
            })
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let h = history(&refs);
        let numbers = Numbers::of(&h);
        assert_eq!((numbers.width, numbers.origin), (2, Some(0)));
        let look = Look {
            numbers: Some(numbers),
            ..Look::from(plain())
        };
        let rows = tail_rows(&h, 16, 4, look, &mut RowCache::new());
        let dim = |n: &str| format!("\x1b[0;2m{n}\x1b[0m ");
        assert_eq!(
            texts(&rows),
            [
                format!("{}line 9", dim("10")),
                // Wrapped: the rows after the first are blank under it.
                format!("{}one two three", dim("11")),
                "   four".to_owned(),
                format!("{}line 11", dim("12")),
            ]
        );
        assert_eq!(rows[1].width, 16);
        // Right-aligned in the column, with the time after it.
        let h = history(&["\x1b_reflow:t=12:34:56.789\x1b\\a", "b"]);
        let look = Look {
            numbers: Some(Numbers {
                width: 3,
                origin: Some(0),
            }),
            ..Look::from(plain())
        };
        let rows = tail_rows(&h, 40, 4, look, &mut RowCache::new());
        assert_eq!(
            texts(&rows),
            [
                format!("{}\x1b[0;2m12:34:56.789\x1b[0m a", dim("  1")),
                format!("{}b", dim("  2")),
            ]
        );
        // Numbers count from `origin` (a file's first line), and are
        // blank while it is not known.
        let from = |origin| Look {
            numbers: Some(Numbers { width: 2, origin }),
            ..Look::from(plain())
        };
        let rows = tail_rows(&h, 40, 4, from(Some(1)), &mut RowCache::new());
        assert_eq!(texts(&rows)[1], format!("{}b", dim(" 1")));
        let rows = tail_rows(&h, 40, 4, from(None), &mut RowCache::new());
        assert_eq!(texts(&rows)[1], format!("{}b", dim("  ")));
        // More than half the row: the numbers go.
        let rows = tail_rows(&h, 5, 4, from(Some(0)), &mut RowCache::new());
        assert_eq!(texts(&rows)[1], "b");
    }

    #[test]
    fn a_label_is_a_fixed_width_coloured_column_outside_the_text() {
        let look = Look::from(plain());
        let h = history(&[
            "\x1b_reflow:label=5:a.log\x1b\\one two three four",
            "\x1b_reflow:label=5:b\x1b\\x",
            // Longer than the column it is given: cut, with an ellipsis.
            "\x1b_reflow:label=4,save:long.log\x1b\\y",
        ]);
        let rows = tail_rows(&h, 20, 10, look, &mut RowCache::new());
        let colour = |name: &str| {
            Label {
                width: 5,
                name: name.into(),
                save: false,
            }
            .colour()
        };
        let (a, b, long) = (colour("a.log"), colour("b"), colour("long.log"));
        assert_eq!(
            texts(&rows),
            [
                format!("\x1b[0;{a}ma.log\x1b[0m one two three"),
                "      four".to_owned(),
                format!("\x1b[0;{b}mb    \x1b[0m x"),
                format!("\x1b[0;{long}mlon\u{2026}\x1b[0m y"),
            ]
        );
        // Not drawn for a file read in place.
        let in_place = Look {
            headed: false,
            ..look
        };
        let rows = tail_rows(&h, 20, 10, in_place, &mut RowCache::new());
        assert_eq!(texts(&rows)[0], "one two three four");
    }
}
