//! Where rows break: a line cut into pieces (words, and the parts of a word
//! too long for a row), laid out first fit by textwrap, one row at a time
//! for huge lines (the same rows, held equal by a property test), with a
//! hanging indent, by clusters (`--wrap char`), or cut at columns
//! (`--wrap none`).

use std::ops::Range;

use textwrap::core::Fragment;
use textwrap::wrap_algorithms::wrap_first_fit;
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};

use super::width::{TOO_WIDE, cluster_width, fit, width_of};

/// A piece of a line that wrapping keeps whole: a word (or a part of a
/// word too long for a row) and the spaces after it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) width: usize,
    pub(crate) spaces: usize,
}

impl Fragment for Piece {
    fn width(&self) -> f64 {
        self.width as f64
    }
    fn whitespace_width(&self) -> f64 {
        self.spaces as f64
    }
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// Splits `text` into pieces at ASCII spaces; words wider than `width`
/// are broken between grapheme clusters. Spaces at the start of the line
/// belong to the first word, so indentation is kept. A space that is part
/// of a cluster (after a prepended mark, before a combining one) is part of
/// a word, not a break.
pub(crate) fn pieces(text: &str, width: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    each_piece(text, width, &mut |piece| pieces.push(piece));
    pieces
}

/// [`pieces`], one at a time, holding none.
pub(crate) fn each_piece(text: &str, width: usize, out: &mut impl FnMut(Piece)) {
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut i = 0;
    while i < len {
        let start = i;
        if start == 0 {
            while i < len && bytes[i] == b' ' {
                i += 1;
            }
        } else if bytes[i] == b' ' {
            i += first_cluster_len(text, i);
        }
        let (end, spaces_end) = loop {
            i += memchr::memchr(b' ', &bytes[i..]).unwrap_or(len - i);
            if i == len {
                break (len, len);
            }
            let mut e = i;
            while e < len && bytes[e] == b' ' {
                e += 1;
            }
            // Between two spaces is always a boundary; the run's ends may
            // belong to the clusters around it.
            let s = if is_boundary(text, i) { i } else { i + 1 };
            let t = if is_boundary(text, e) { e } else { e - 1 };
            if s <= t && s > start {
                break (s, t);
            }
            i = e;
        };
        word_pieces(text, start..end, spaces_end - end, width, out);
        i = spaces_end;
    }
}

/// True when a grapheme cluster boundary is at byte `at`.
pub(crate) fn is_boundary(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    if at == 0 || at >= bytes.len() {
        return true;
    }
    // No ASCII character extends or prepends to a cluster (and sanitized
    // text has no CR), so between two ASCII bytes is always a boundary.
    if bytes[at - 1].is_ascii() && bytes[at].is_ascii() {
        return true;
    }
    GraphemeCursor::new(at, text.len(), true)
        .is_boundary(text, 0)
        .unwrap_or(true)
}

/// Byte length of the grapheme cluster that starts at `at`.
pub(crate) fn first_cluster_len(text: &str, at: usize) -> usize {
    text[at..].graphemes(true).next().map_or(1, str::len)
}

/// One word as pieces no wider than `width` (unless a single cluster is).
pub(crate) fn word_pieces(
    text: &str,
    word: Range<usize>,
    spaces: usize,
    width: usize,
    out: &mut impl FnMut(Piece),
) {
    let slice = &text[word.clone()];
    if slice.is_ascii() {
        let mut start = word.start;
        while word.end - start > width {
            out(Piece {
                start,
                end: start + width,
                width,
                spaces: 0,
            });
            start += width;
        }
        out(Piece {
            start,
            end: word.end,
            width: word.end - start,
            spaces,
        });
        return;
    }
    let mut piece = Piece {
        start: word.start,
        end: word.start,
        width: 0,
        spaces: 0,
    };
    for (offset, cluster) in slice.grapheme_indices(true) {
        let w = cluster_width(cluster);
        if piece.width + w > width && piece.end > piece.start {
            out(piece);
            piece = Piece {
                start: word.start + offset,
                end: word.start + offset,
                width: 0,
                spaces: 0,
            };
        }
        piece.end = word.start + offset + cluster.len();
        piece.width += w;
    }
    piece.spaces = spaces;
    out(piece);
}

/// Wraps sanitized `text` to `width` columns (at least 1): the byte range
/// of each row. An empty line is one empty row; the spaces at a break are
/// dropped.
pub(crate) fn wrap_ranges(text: &str, width: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    if text.is_empty() {
        return std::iter::once(0..0).collect();
    }
    let pieces = pieces(text, width);
    wrap_first_fit(&pieces, &[width as f64])
        .into_iter()
        .filter_map(|row| Some(row.first()?.start..row.last()?.end))
        .collect()
}

/// First-fit wrapping of `text` one row at a time, holding no list of
/// pieces or rows: for huge lines, where those lists would take many times
/// the line's own size (a 10 MB line at width 1 has ten million rows).
/// The same rows as textwrap's `wrap_first_fit` over [`pieces`] (a
/// property test holds them equal): a piece goes on the row unless it does
/// not fit and the row already has one; the spaces after a piece count
/// only when another follows.
pub(crate) fn each_row(text: &str, width: usize, mut row: impl FnMut(Range<usize>)) {
    let mut rows = FirstFit::new(width);
    each_piece(text, rows.width, &mut |piece| rows.piece(piece, &mut row));
    rows.finish(&mut row);
}

/// The state of first-fit wrapping between pieces: the row being filled.
pub(crate) struct FirstFit {
    pub(crate) width: usize,
    pub(crate) current: Option<Range<usize>>,
    pub(crate) used: usize,
    /// Whether any row was given out (an empty line is one empty row).
    pub(crate) any: bool,
}

impl FirstFit {
    pub(crate) fn new(width: usize) -> Self {
        FirstFit {
            width: width.max(1),
            current: None,
            used: 0,
            any: false,
        }
    }

    /// Takes the next piece; gives out the row it does not fit on.
    pub(crate) fn piece(&mut self, piece: Piece, row: &mut impl FnMut(Range<usize>)) {
        if let Some(range) = &self.current
            && self.used + piece.width > self.width
        {
            row(range.clone());
            self.any = true;
            self.current = None;
            self.used = 0;
        }
        let start = self.current.as_ref().map_or(piece.start, |r| r.start);
        self.current = Some(start..piece.end);
        self.used += piece.width + piece.spaces;
    }

    /// Gives out the last row.
    pub(crate) fn finish(self, row: &mut impl FnMut(Range<usize>)) {
        match self.current {
            Some(range) => row(range),
            None if !self.any => row(0..0),
            None => {}
        }
    }
}

/// [`wrap_ranges`] with every row after the first `indent` columns
/// narrower (they are drawn indented).
pub(crate) fn wrap_hanging(text: &str, width: usize, indent: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    let narrow = width.saturating_sub(indent).max(1);
    if text.is_empty() {
        return std::iter::once(0..0).collect();
    }
    // Words longer than a row are broken to fit the narrower rows.
    let pieces = pieces(text, narrow);
    wrap_first_fit(&pieces, &[width as f64, narrow as f64])
        .into_iter()
        .filter_map(|row| Some(row.first()?.start..row.last()?.end))
        .collect()
}

/// Wraps one sanitized line to `width` columns (at least 1) and returns
/// the rows' text. A grapheme cluster wider than the whole row is drawn as
/// `?`, so no row is ever wider than `width`.
pub fn wrap_line(text: &str, width: usize) -> Vec<String> {
    wrap_ranges(text, width)
        .into_iter()
        .map(|range| {
            let row = &text[range];
            if width_of(row) > width.max(1) {
                TOO_WIDE.to_owned()
            } else {
                row.to_owned()
            }
        })
        .collect()
}

/// [`wrap_ranges`] breaking anywhere, as a terminal does: each row as many
/// clusters as fit (after the first, `indent` columns fewer).
pub(crate) fn wrap_chars(text: &str, width: usize, indent: usize) -> Vec<Range<usize>> {
    let mut rows = Vec::new();
    let mut start = 0;
    let mut used = 0;
    let mut room = width.max(1);
    for (at, cluster) in text.grapheme_indices(true) {
        let w = cluster_width(cluster);
        if used + w > room && at > start {
            rows.push(start..at);
            start = at;
            used = 0;
            room = width.saturating_sub(indent).max(1);
        }
        used += w;
    }
    rows.push(start..text.len());
    rows
}

/// The part of `text` from column `from` on that fits in `width` columns,
/// and the blank columns to put before it (a wide cluster cut by the left
/// edge is not drawn half).
pub(crate) fn columns(text: &str, from: usize, width: usize) -> (usize, Range<usize>) {
    if from == 0 {
        return (0, 0..fit(text, width).len());
    }
    let mut col = 0;
    for (at, cluster) in text.grapheme_indices(true) {
        if col >= from {
            let pad = col - from;
            return (
                pad,
                at..at + fit(&text[at..], width.saturating_sub(pad)).len(),
            );
        }
        col += cluster_width(cluster);
    }
    (0, text.len()..text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::*;

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
        assert_eq!(wrap_line("aaa    bbb", 5), vec!["aaa", "bbb"]);
        assert_eq!(wrap_line("aaa  bbb", 8), vec!["aaa  bbb"]);
    }

    #[test]
    fn indentation_is_kept() {
        assert_eq!(
            wrap_line("    indented text", 12),
            vec!["    indented", "text"]
        );
        assert_eq!(wrap_line("   ", 80), vec!["   "]);
    }

    #[test]
    fn long_words_are_broken() {
        assert_eq!(wrap_line("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap_line("ab cdefghij", 4), vec!["ab", "cdef", "ghij"]);
    }

    /// Regression (found by the fuzzer): U+070F is a prepended mark, so
    /// it and the space after it are one cluster, not a break.
    #[test]
    fn a_space_after_a_prepended_mark_is_not_a_break() {
        let line = "ab \u{70f} cd";
        for width in 1..12 {
            assert_eq!(
                check_contract(line.as_bytes(), width),
                Ok(()),
                "width {width}"
            );
        }
        // U+070F counts 1 (tmux draws it), so "\u{70f} " is 2 columns.
        assert_eq!(wrap_line(line, 5), vec!["ab \u{70f} ", "cd"]);
    }

    #[test]
    fn grapheme_clusters_are_never_split() {
        let line = "e\u{301}e\u{301}e\u{301}👍🏽👍🏽";
        let rows = wrap_line(line, 4);
        assert_eq!(rows, vec!["e\u{301}e\u{301}e\u{301}", "👍🏽", "👍🏽"]);
        assert_eq!(rows.concat(), line);
    }

    #[test]
    fn width_one_never_overflows() {
        for row in wrap_line("ab 日本 c 👍🏽", 1) {
            assert!(width_of(&row) <= 1, "row {row:?}");
        }
        assert_eq!(wrap_line("日", 1), vec!["?"]);
    }
}
