//! Pure: lines and a width in, screen rows out.
//!
//! Wrapping is greedy first-fit by display width (textwrap), so CJK takes
//! two columns and a word longer than the width is broken. Only the lines
//! that can be visible are wrapped, so the cost of a screen depends on its
//! size, not on the length of the history.

use std::collections::HashMap;

use textwrap::{Options, WrapAlgorithm};
use unicode_width::UnicodeWidthChar;

use crate::history::History;
use crate::sanitize::sanitize;

/// Wraps one sanitized line to `width` columns (at least 1).
///
/// An empty line is one empty row. The whitespace at a break is dropped.
pub fn wrap_line(text: &str, width: usize) -> Vec<String> {
    let options = Options::new(width.max(1))
        .wrap_algorithm(WrapAlgorithm::FirstFit)
        .break_words(true);
    let rows: Vec<String> = textwrap::wrap(text, options)
        .into_iter()
        .map(|row| fit(&row, width).to_owned())
        .collect();
    if rows.is_empty() {
        vec![String::new()]
    } else {
        rows
    }
}

/// The longest prefix of `text` that fits in `width` columns.
///
/// A safety net: a row must never be wider than the terminal, or the
/// terminal wraps it itself and every row below shifts.
pub fn fit(text: &str, width: usize) -> &str {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width {
            return &text[..i];
        }
    }
    text
}

/// Display width of a row.
pub fn width_of(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Wrapped rows of recently shown lines, so a frame rewraps only lines it
/// has not seen at this width. Cleared when the width or tab width changes.
#[derive(Debug, Default)]
pub(crate) struct RowCache {
    width: usize,
    tab_width: usize,
    rows: HashMap<usize, Vec<String>>,
}

impl RowCache {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The rows of line `index` at `width`, wrapping it if needed.
    fn rows(&mut self, history: &History, index: usize, width: usize, tab: usize) -> &[String] {
        if width != self.width || tab != self.tab_width {
            self.rows.clear();
            self.width = width;
            self.tab_width = tab;
        }
        self.rows.entry(index).or_insert_with(|| {
            let raw = history.get(index).unwrap_or_default();
            wrap_line(&sanitize(raw, tab), width)
        })
    }

    /// Forgets lines the screen can no longer show.
    fn retain_from(&mut self, first: usize) {
        self.rows.retain(|&index, _| index >= first);
    }
}

/// The newest `height` rows of the whole history wrapped at `width`,
/// oldest first. Wraps only the lines that reach the screen.
pub(crate) fn tail_rows(
    history: &History,
    width: usize,
    height: usize,
    tab_width: usize,
    cache: &mut RowCache,
) -> Vec<String> {
    let mut taken: Vec<&[String]> = Vec::new();
    let mut count = 0;
    let mut index = history.len();
    // Wrap into the cache first, newest line first, until the screen is full.
    let mut first = index;
    while index > 0 && count < height {
        index -= 1;
        count += cache.rows(history, index, width, tab_width).len();
        first = index;
    }
    cache.retain_from(first);
    for line in first..history.len() {
        if let Some(rows) = cache.rows.get(&line) {
            taken.push(rows);
        }
    }
    let all: Vec<&String> = taken.into_iter().flatten().collect();
    let skip = all.len().saturating_sub(height);
    all[skip..].iter().map(|row| (*row).clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(lines: &[&str]) -> History {
        let mut h = History::new();
        for line in lines {
            h.push(line.as_bytes());
        }
        h
    }

    #[test]
    fn short_lines_are_one_row() {
        assert_eq!(wrap_line("hello", 80), vec!["hello"]);
    }

    #[test]
    fn empty_line_is_one_empty_row() {
        assert_eq!(wrap_line("", 80), vec![""]);
        assert_eq!(wrap_line("", 1), vec![""]);
    }

    #[test]
    fn words_wrap_first_fit_and_drop_break_whitespace() {
        assert_eq!(
            wrap_line("1 2 3 4 5 6 7 8 9 10 11", 10),
            vec!["1 2 3 4 5", "6 7 8 9 10", "11"]
        );
        assert_eq!(wrap_line("aaa bbb ccc", 7), vec!["aaa bbb", "ccc"]);
    }

    #[test]
    fn long_words_are_broken() {
        assert_eq!(wrap_line("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap_line("ab cdefghij", 4), vec!["ab", "cdef", "ghij"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let rows = wrap_line("日本語のテキスト", 6);
        assert_eq!(rows, vec!["日本語", "のテキ", "スト"]);
        assert!(rows.iter().all(|r| width_of(r) <= 6));
    }

    #[test]
    fn width_one_never_overflows() {
        for row in wrap_line("ab 日本 c", 1) {
            assert!(width_of(&row) <= 1, "row {row:?}");
        }
    }

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("日本語", 5), "日本");
        assert_eq!(fit("abc", 5), "abc");
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn tail_rows_are_the_newest_rows_of_the_whole_history() {
        let h = history(&["one two three", "four", "", "five six seven eight"]);
        let mut cache = RowCache::new();
        assert_eq!(
            tail_rows(&h, 10, 4, 8, &mut cache),
            ["", "five six", "seven", "eight"]
        );
        assert_eq!(
            tail_rows(&h, 10, 100, 8, &mut cache),
            vec!["one two", "three", "four", "", "five six", "seven", "eight"]
        );
        // Reflow at another width uses the new width, not the cache.
        assert_eq!(
            tail_rows(&h, 20, 2, 8, &mut cache),
            vec!["", "five six seven eight"]
        );
    }

    #[test]
    fn tail_rows_of_an_empty_history_is_empty() {
        let mut cache = RowCache::new();
        assert!(tail_rows(&History::new(), 80, 24, 8, &mut cache).is_empty());
    }

    #[test]
    fn tail_rows_wraps_only_what_is_visible() {
        let mut h = History::new();
        for i in 0..10_000 {
            h.push(format!("line {i}").as_bytes());
        }
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 80, 5, 8, &mut cache);
        assert_eq!(
            rows,
            [
                "line 9995",
                "line 9996",
                "line 9997",
                "line 9998",
                "line 9999"
            ]
        );
        assert_eq!(cache.rows.len(), 5);
    }
}
