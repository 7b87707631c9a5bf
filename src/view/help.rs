//! The help screen's rows at a width, pure: each entry's keys, then what
//! they do in a column of its own, wrapped under itself (a hanging
//! indent); when the row is too narrow for two columns, the keys on a row
//! and what they do on the rows below, indented a little. Words are never
//! cut, unless one is wider than the row.

use super::keys::{HELP, HELP_TITLE};
use crate::layout::{width_of, wrap_line};

/// Columns before the keys.
const INDENT: usize = 2;
/// Columns between the keys and what they do.
const GAP: usize = 2;
/// Columns before what the keys do, when it goes below them.
const BELOW: usize = 4;
/// The narrowest a description's column may be: narrower, it goes below
/// the keys.
const NARROWEST: usize = 16;

/// The help's rows for a screen `width` columns wide, none wider.
pub(crate) fn rows(width: usize) -> Vec<String> {
    let width = width.max(1);
    let keys_width = HELP
        .iter()
        .map(|(keys, _)| width_of(keys))
        .max()
        .unwrap_or(0);
    let column = INDENT + keys_width + GAP;
    let mut rows = wrap_line(HELP_TITLE, width);
    for (keys, what) in HELP {
        if keys.is_empty() {
            rows.push(String::new());
        } else if width >= column + NARROWEST {
            let mut described = wrap_line(what, width - column).into_iter();
            let first = described.next().unwrap_or_default();
            let pad = column - INDENT - width_of(keys);
            rows.push(format!("{:INDENT$}{keys}{:pad$}{first}", "", ""));
            rows.extend(described.map(|row| format!("{:column$}{row}", "")));
        } else {
            let (indent, below) = if width > 2 * BELOW {
                (INDENT, BELOW)
            } else {
                (0, 0)
            };
            let key_rows = wrap_line(keys, width - indent);
            rows.extend(key_rows.iter().map(|row| format!("{:indent$}{row}", "")));
            let described = wrap_line(what, width - below);
            rows.extend(described.iter().map(|row| format!("{:below$}{row}", "")));
        }
    }
    rows
}

/// The help's top row for a wish to start at `top`, with `height` rows
/// on screen: never past the last screenful.
pub(crate) fn clamp(top: usize, rows: usize, height: usize) -> usize {
    top.min(rows.saturating_sub(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        text.split_whitespace().collect()
    }

    #[test]
    fn wide_rows_have_the_descriptions_in_a_column_of_their_own() {
        let rows = rows(80);
        assert_eq!(rows[0], "reflow keys");
        assert_eq!(rows.len(), HELP.len() + 1, "one row an entry at 80");
        let column = rows[1].find("down one row").unwrap();
        assert!(rows[1].starts_with("  j  Down  Enter "));
        for (row, (keys, what)) in rows[1..].iter().zip(HELP) {
            if !keys.is_empty() {
                assert_eq!(&row[column..], *what, "{row:?}");
                assert_eq!(row[..column].trim(), *keys);
            }
        }
    }

    #[test]
    fn at_60_columns_long_descriptions_wrap_under_their_column() {
        let rows = rows(60);
        assert!(rows.iter().all(|row| width_of(row) <= 60));
        let column = rows[1].find("down one row").unwrap();
        let at = rows
            .iter()
            .position(|row| row.contains("mark the top line x"))
            .unwrap();
        assert!(rows[at].trim_start().starts_with("m x"));
        // The rest of it on the next row, under its column.
        let next = &rows[at + 1];
        assert_eq!(next[..column].trim(), "");
        assert!(!next[column..].starts_with(' '));
        let said = format!("{} {}", &rows[at][column..], &next[column..]);
        assert_eq!(
            words(&said),
            words("mark the top line x; back to it; back again")
        );
        assert!(
            rows.iter()
                .any(|row| row.starts_with("  q ") && row.trim_end().ends_with("quit"))
        );
        // Ten rows (nine for the help) end before the search keys.
        assert!(rows.len() > 2 * 9);
        assert!(!rows[..9].iter().any(|row| row.contains("search forward")));
    }

    #[test]
    fn at_20_columns_every_word_is_kept() {
        for width in [20, 12, 5, 1] {
            let rows = rows(width);
            assert!(rows.iter().all(|row| width_of(row) <= width), "{rows:#?}");
            let text = rows.join(" ");
            let all: Vec<&str> = words(&text);
            let mut want = words(HELP_TITLE);
            for (keys, what) in HELP {
                want.extend(words(keys));
                want.extend(words(what));
            }
            if width >= 20 {
                // No word is wider than the row: each is whole, in order.
                assert_eq!(all, want, "at {width}");
            } else {
                assert_eq!(all.concat().len(), want.concat().len(), "at {width}");
            }
        }
        let rows = rows(20);
        // The keys on their row, what they do below, indented.
        let at = rows
            .iter()
            .position(|row| row == "  j  Down  Enter")
            .unwrap();
        assert_eq!(rows[at + 1], "    down one row");
        let at = rows.iter().position(|row| row == "  m x  ' x  ''").unwrap();
        assert_eq!(
            rows[at + 1..at + 4],
            [
                "    mark the top",
                "    line x; back to",
                "    it; back again"
            ]
        );
    }

    #[test]
    fn the_top_stops_at_the_last_screenful() {
        assert_eq!(clamp(0, 30, 9), 0);
        assert_eq!(clamp(100, 30, 9), 21);
        assert_eq!(clamp(5, 4, 9), 0);
    }
}
