//! Pure: lines and a width in, screen rows out.
//!
//! Wrapping is greedy first-fit (textwrap's `wrap_first_fit`) over our own
//! fragments, so widths are measured per grapheme cluster and a word
//! longer than the width is broken only between clusters. Where terminals
//! disagree on a cluster's width (👍🏽, ❤️, ZWJ sequences) the wider reading
//! is used, so no row overflows on any terminal. Only the lines that can be
//! visible are wrapped, so the cost of a screen depends on its size, not on
//! the length of the history.

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use textwrap::core::Fragment;
use textwrap::wrap_algorithms::wrap_first_fit;
use unicode_segmentation::{GraphemeCursor, UnicodeSegmentation};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::history::History;
use crate::options::Wrap;
use crate::sanitize::{Options, Stream, Style, Styled, sanitize_styled};
use crate::tag::{self, Head, Label};

/// Drawn instead of a grapheme cluster wider than the whole row (a wide
/// character on a one-column terminal): the row must still fit.
const TOO_WIDE: &str = "?";

/// Display width of one grapheme cluster: the widest that mainstream
/// terminals (glibc `wcwidth`, tmux, VTE, xterm, kitty) draw it, so no row
/// overflows on any of them. That is the wider of the sum of its code
/// points' widths (how tmux and xterm draw 👍🏽: 4 columns) and its width
/// as one emoji (how newer terminals draw ❤️: 2), with the code points
/// `unicode-width` counts narrower than terminals draw them taken at the
/// terminals' width (U+00AD soft hyphen: 1; U+3164 Hangul filler: 2).
pub fn cluster_width(cluster: &str) -> usize {
    let mut chars = cluster.chars();
    // A flag (two regional indicators) is 2 columns everywhere; counted
    // per letter it would be 4.
    if let (Some(a), Some(b), None) = (chars.next(), chars.next(), chars.next())
        && is_regional_indicator(a)
        && is_regional_indicator(b)
    {
        return 2;
    }
    let sum: usize = cluster.chars().map(char_width).sum();
    sum.max(cluster.width())
}

/// One code point's width as the widest mainstream terminal draws it.
fn char_width(c: char) -> usize {
    match c {
        // Default-ignorable, so `unicode-width` says 0, but glibc's
        // `wcwidth`, tmux and xterm draw them (measured in tmux 3.3a): the
        // soft hyphen as a hyphen, the Hangul fillers as blank cells of
        // their East Asian width.
        '\u{ad}' | '\u{ffa0}' => 1,
        '\u{115f}' | '\u{3164}' => 2,
        // Spacing marks and prepended concatenation marks that
        // `unicode-width` counts 0 but glibc's `wcwidth`, so tmux, draws 1
        // (found by the code point walk, tests/widths.rs and
        // scripts/widths-tmux.sh, in tmux 3.3a).
        '\u{605}'
        | '\u{70f}'
        | '\u{890}'..='\u{891}'
        | '\u{8e2}'
        | '\u{9be}'
        | '\u{9d7}'
        | '\u{b3e}'
        | '\u{b57}'
        | '\u{bbe}'
        | '\u{bd7}'
        | '\u{cc0}'
        | '\u{cc2}'
        | '\u{cc7}'..='\u{cc8}'
        | '\u{cca}'..='\u{ccb}'
        | '\u{cd5}'..='\u{cd6}'
        | '\u{d3e}'
        | '\u{d4e}'
        | '\u{d57}'
        | '\u{dcf}'
        | '\u{ddf}'
        | '\u{1715}'
        | '\u{1734}'
        | '\u{1b35}'
        | '\u{1b3b}'
        | '\u{1b3d}'
        | '\u{1b43}'..='\u{1b44}'
        | '\u{1baa}'
        | '\u{1bf2}'..='\u{1bf3}'
        | '\u{a8fa}'
        | '\u{a953}'
        | '\u{a9c0}'
        | '\u{111c0}'
        | '\u{111c2}'..='\u{111c3}'
        | '\u{11235}'
        | '\u{1133e}'
        | '\u{1134d}'
        | '\u{11357}'
        | '\u{114b0}'
        | '\u{114bd}'
        | '\u{115af}'
        | '\u{116b6}'
        | '\u{11930}'
        | '\u{1193d}'
        | '\u{1193f}'
        | '\u{11941}'
        | '\u{11a84}'..='\u{11a89}'
        | '\u{11d46}'
        | '\u{1d165}'..='\u{1d166}'
        | '\u{1d16d}'..='\u{1d172}' => 1,
        // Hangul tone marks, Khitan/Vietnamese reading marks and the circled
        // numbers on black squares (East Asian ambiguous): tmux draws 2.
        '\u{302e}'..='\u{302f}' | '\u{3248}'..='\u{324f}' | '\u{16ff0}'..='\u{16ff1}' => 2,
        // A regional indicator alone: tmux and xterm draw 1, kitty and
        // WezTerm a wide emoji letter.
        c if is_regional_indicator(c) => 2,
        c => c.width().unwrap_or(0),
    }
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1f1e6}'..='\u{1f1ff}')
}

/// Display width of sanitized text (no control characters).
pub fn width_of(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.graphemes(true).map(cluster_width).sum()
}

/// The longest prefix of `text` that fits in `width` columns, cut between
/// grapheme clusters.
pub fn fit(text: &str, width: usize) -> &str {
    if text.is_ascii() {
        return &text[..text.len().min(width)];
    }
    let mut used = 0;
    for (i, cluster) in text.grapheme_indices(true) {
        used += cluster_width(cluster);
        if used > width {
            return &text[..i];
        }
    }
    text
}

/// A piece of a line that wrapping keeps whole: a word (or a part of a
/// word too long for a row) and the spaces after it.
#[derive(Debug, Clone, Copy)]
struct Piece {
    start: usize,
    end: usize,
    width: usize,
    spaces: usize,
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
fn pieces(text: &str, width: usize) -> Vec<Piece> {
    let mut pieces = Vec::new();
    each_piece(text, width, &mut |piece| pieces.push(piece));
    pieces
}

/// [`pieces`], one at a time, holding none.
fn each_piece(text: &str, width: usize, out: &mut impl FnMut(Piece)) {
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
fn is_boundary(text: &str, at: usize) -> bool {
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
fn first_cluster_len(text: &str, at: usize) -> usize {
    text[at..].graphemes(true).next().map_or(1, str::len)
}

/// One word as pieces no wider than `width` (unless a single cluster is).
fn word_pieces(
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

/// A line at least this long is wrapped by [`each_row`]: as many rows
/// as it has are never held at once.
const HUGE: usize = 1 << 20;

/// First-fit wrapping of `text` one row at a time, holding no list of
/// pieces or rows: for huge lines, where those lists would take many times
/// the line's own size (a 10 MB line at width 1 has ten million rows).
/// The same rows as textwrap's `wrap_first_fit` over [`pieces`] (a
/// property test holds them equal): a piece goes on the row unless it does
/// not fit and the row already has one; the spaces after a piece count
/// only when another follows.
fn each_row(text: &str, width: usize, mut row: impl FnMut(Range<usize>)) {
    let mut rows = FirstFit::new(width);
    each_piece(text, rows.width, &mut |piece| rows.piece(piece, &mut row));
    rows.finish(&mut row);
}

/// The state of first-fit wrapping between pieces: the row being filled.
struct FirstFit {
    width: usize,
    current: Option<Range<usize>>,
    used: usize,
    /// Whether any row was given out (an empty line is one empty row).
    any: bool,
}

impl FirstFit {
    fn new(width: usize) -> Self {
        FirstFit {
            width: width.max(1),
            current: None,
            used: 0,
            any: false,
        }
    }

    /// Takes the next piece; gives out the row it does not fit on.
    fn piece(&mut self, piece: Piece, row: &mut impl FnMut(Range<usize>)) {
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
    fn finish(self, row: &mut impl FnMut(Range<usize>)) {
        match self.current {
            Some(range) => row(range),
            None if !self.any => row(0..0),
            None => {}
        }
    }
}

/// How much of a huge line is sanitized at a time.
const WINDOW: usize = 1 << 20;

/// A huge line sanitized and wrapped a window at a time, so neither its
/// whole sanitized text nor all its rows are ever held: the same rows and
/// styles as sanitizing it whole and keeping its last `keep` rows.
///
/// The text is cut for wrapping only where whole-line wrapping would cut
/// too: after a space and before another cluster that is not a space (a
/// word's start, which every row boundary respects). A carriage return
/// overwrites what came before it, so the wrapping starts over.
fn wrap_streamed(
    raw: &[u8],
    width: usize,
    options: Options,
    window: usize,
    keep: usize,
) -> Wrapped {
    wrap_streamed_upto(raw, width, options, window, keep, usize::MAX)
}

/// [`wrap_streamed`], stopping once `stop` rows are known: the rows kept
/// are those just before row `stop` (for showing rows of a huge line
/// before the newest ones it keeps), and its count is `stop`.
fn wrap_streamed_upto(
    raw: &[u8],
    width: usize,
    options: Options,
    window: usize,
    keep: usize,
    stop: usize,
) -> Wrapped {
    fold_streamed(raw, width, options, window, keep, stop, None).into_wrapped()
}

/// The work of [`wrap_streamed_upto`], up to its rows. Once `abort` is
/// set it stops at the next window, with the rows known so far (the result
/// is then [`Wrapped::cut_short`]): a key or signal that ends the display
/// is answered in milliseconds, not after seconds of laying out.
fn fold_streamed(
    raw: &[u8],
    width: usize,
    options: Options,
    window: usize,
    keep: usize,
    stop: usize,
    abort: Option<&AtomicBool>,
) -> Fold {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let mut stream = Stream::new(options);
    let mut fold = Fold::new(width, keep, window);
    fold.stop = stop;
    let mut rest = raw;
    while !rest.is_empty() {
        let cut = window_end(rest, window);
        stream.feed(&rest[..cut]);
        rest = &rest[cut..];
        let (styled, returned) = match rest.is_empty() {
            true => stream.finish(),
            false => stream.take(),
        };
        if returned {
            fold = Fold::new(width, keep, window);
            fold.stop = stop;
        }
        fold.append(styled);
        fold.wrap(false);
        if fold.count >= stop {
            return fold;
        }
        if abort.is_some_and(|abort| abort.load(Ordering::Relaxed)) {
            fold.cut_short = true;
            return fold;
        }
    }
    fold.wrap(true);
    fold
}

/// Where the window of `raw` starting at 0 ends: about `window` bytes on,
/// before an ASCII byte (a character boundary), or at the end.
fn window_end(raw: &[u8], window: usize) -> usize {
    if raw.len() <= window {
        return raw.len();
    }
    let ascii = |b: &u8| b.is_ascii();
    match raw[..window].iter().rposition(ascii) {
        Some(at) if at > 0 => at,
        _ => raw[window..]
            .iter()
            .position(ascii)
            .map_or(raw.len(), |at| window + at),
    }
}

/// In [`Fold::wrap`]: the pending text is one long word, cut where its
/// last piece starts.
const LONG_WORD: usize = usize::MAX;

/// The state of [`wrap_streamed`]: text from `base` on (the kept rows and
/// what is not wrapped yet), in global byte offsets of the sanitized line.
struct Fold {
    rows: Option<FirstFit>,
    keep: usize,
    /// Text no longer needed is given back once there is this much of it.
    window: usize,
    kept: VecDeque<Range<usize>>,
    count: usize,
    text: String,
    spans: Vec<(usize, Style)>,
    base: usize,
    /// Text before this offset has been cut into pieces.
    wrapped: usize,
    /// No place to cut the text at was found before this offset.
    searched: usize,
    /// Rows from this one on are not wanted.
    stop: usize,
    /// The text not wrapped yet starts inside the line's first word, whose
    /// leading spaces (indentation) belong to it.
    first_word: bool,
    /// The most text held at once.
    peak: usize,
    /// Stopped before the end, on `abort`.
    cut_short: bool,
}

impl Fold {
    fn new(width: usize, keep: usize, window: usize) -> Self {
        Fold {
            rows: Some(FirstFit::new(width)),
            keep: keep.max(1),
            window,
            kept: VecDeque::new(),
            count: 0,
            text: String::new(),
            spans: Vec::new(),
            base: 0,
            wrapped: 0,
            searched: 0,
            stop: usize::MAX,
            first_word: true,
            peak: 0,
            cut_short: false,
        }
    }

    fn append(&mut self, styled: Styled) {
        self.peak = self.peak.max(self.text.len() + styled.text.len());
        let at = self.base + self.text.len();
        for (offset, style) in styled.spans {
            let offset = at + offset;
            // As the sanitizer does within one piece: changes with no text
            // between collapse into the last, which may undo the one before.
            match self.spans.last_mut() {
                Some(last) if last.0 == offset => {
                    last.1 = style;
                    let n = self.spans.len();
                    let before = n.checked_sub(2).map(|i| self.spans[i].1);
                    if before.unwrap_or_default() == style {
                        self.spans.pop();
                    }
                }
                _ => self.spans.push((offset, style)),
            }
        }
        self.text.push_str(&styled.text);
    }

    /// Cuts the text not wrapped yet into pieces, up to the last place
    /// where whole-line wrapping would cut too (or to the end, at the end).
    fn wrap(&mut self, end: bool) {
        if !end {
            self.shorten_spaces();
        }
        let pending = &self.text[self.wrapped - self.base..];
        let upto = if end {
            pending.len()
        } else {
            let bytes = pending.as_bytes();
            // Only the text not searched before (a line without spaces is
            // searched once, not once per window).
            let from = self.searched.saturating_sub(self.wrapped).max(1);
            self.searched = self.wrapped + bytes.len();
            // Not inside the line's leading spaces: they belong to its first
            // word (kept indentation), which a cut there would split off.
            let indent = pending.len() - pending.trim_start_matches(' ').len();
            let from = if self.first_word {
                from.max(indent + 1)
            } else {
                from
            };
            match (from..bytes.len())
                .rev()
                .find(|&at| bytes[at - 1] == b' ' && bytes[at] != b' ' && is_boundary(pending, at))
            {
                Some(at) => {
                    self.first_word = false;
                    at
                }
                // No word starts in a window's worth of text: one long word
                // (a run of `^@`, or of spaces from the line's start). Its
                // rows are known up to the piece still growing, so the text
                // before that is wrapped and can be given back: the work and
                // memory follow the rows, however long the word.
                // Cut where that piece starts: found below, in the one pass
                // that wraps the pieces before it.
                None if pending.len() >= self.window => LONG_WORD,
                None => return,
            }
        };
        let Some(rows) = &mut self.rows else {
            return;
        };
        let offset = self.wrapped;
        let (kept, count, keep, stop) = (&mut self.kept, &mut self.count, self.keep, self.stop);
        let mut row = |range: Range<usize>| {
            if *count >= stop {
                return;
            }
            if kept.len() == keep {
                kept.pop_front();
            }
            kept.push_back(range);
            *count += 1;
        };
        let shift = |piece: Piece| Piece {
            start: piece.start + offset,
            end: piece.end + offset,
            ..piece
        };
        let upto = if upto == LONG_WORD {
            // Every piece but the last, still growing, is final: each is
            // wrapped once the next one is known.
            let mut last: Option<Piece> = None;
            each_piece(pending, rows.width, &mut |piece| {
                if let Some(before) = last.replace(piece) {
                    rows.piece(shift(before), &mut row);
                }
            });
            last.map_or(0, |piece| piece.start)
        } else {
            each_piece(&pending[..upto], rows.width, &mut |piece| {
                rows.piece(shift(piece), &mut row);
            });
            upto
        };
        if upto == 0 && !end {
            return;
        }
        self.wrapped += upto;
        if end {
            if let Some(rows) = self.rows.take() {
                rows.finish(&mut row);
            }
        } else {
            self.forget();
        }
    }

    /// Shortens a run of spaces after a word at the end of the pending
    /// text to a little more than a row. Those spaces are never drawn (a
    /// row ends before them), and once there are more than a row of them
    /// the next word starts a row whatever their number: only their count
    /// up to that matters. So a line of a word and then megabytes of tabs
    /// holds a row's worth of them, not all. The run's first and last
    /// spaces stay, as a cluster may take them in.
    fn shorten_spaces(&mut self) {
        let width = self.rows.as_ref().map_or(1, |rows| rows.width);
        let pending = &self.text.as_bytes()[self.wrapped - self.base..];
        let run = pending.iter().rev().take_while(|&&b| b == b' ').count();
        let before = pending.len() - run;
        if before == 0 || run <= width + 3 {
            // Spaces from where the pending text starts are indentation
            // (a word) or follow a cut; either way they are not shortened.
            return;
        }
        let from = self.wrapped - self.base + before + width + 2;
        let to = self.wrapped - self.base + pending.len() - 1;
        self.text.drain(from..to);
        let (from, removed) = (self.base + from, to - from);
        for span in &mut self.spans {
            if span.0 > from {
                span.0 = span.0.saturating_sub(removed).max(from);
            }
        }
        // Style changes inside the run collapse into the last of them.
        self.spans.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                earlier.1 = later.1;
            }
            same
        });
        if self.searched > from {
            self.searched = self.searched.saturating_sub(removed).max(from);
        }
    }

    /// Gives back the text before the oldest row kept (and before the row
    /// being filled), once it is most of what is held.
    fn forget(&mut self) {
        let row = self
            .rows
            .as_ref()
            .and_then(|r| r.current.as_ref().map(|c| c.start));
        let front = self.kept.front().map(|r| r.start);
        let from = front.into_iter().chain(row).min().unwrap_or(self.wrapped);
        let dead = from - self.base;
        if dead < self.window || dead < self.text.len() / 2 {
            return;
        }
        self.text.drain(..dead);
        let style = self.style_at(from);
        self.spans.retain(|&(at, _)| at > from);
        self.spans.insert(0, (from, style));
        self.base = from;
    }

    fn style_at(&self, offset: usize) -> Style {
        let after = self.spans.partition_point(|&(at, _)| at <= offset);
        after
            .checked_sub(1)
            .map_or_else(Style::default, |i| self.spans[i].1)
    }

    fn into_wrapped(self) -> Wrapped {
        let cut = self.kept.front().map_or(self.base, |r| r.start);
        let line = Styled {
            text: self.text,
            spans: self
                .spans
                .into_iter()
                .map(|(at, style)| (at.saturating_sub(self.base), style))
                .collect(),
        }
        .from(cut - self.base);
        let rows = self
            .kept
            .into_iter()
            .map(|r| r.start - cut..r.end - cut)
            .collect();
        Wrapped {
            line,
            rows,
            count: self.count,
            indent: 0,
            cut_short: self.cut_short,
        }
    }
}

/// [`wrap_ranges`] with every row after the first `indent` columns
/// narrower (they are drawn indented).
fn wrap_hanging(text: &str, width: usize, indent: usize) -> Vec<Range<usize>> {
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

/// One screen row: the bytes to print (text and SGR) and its width.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) text: String,
    pub(crate) width: usize,
}

impl Row {
    /// A row of plain text, cut to `width` columns.
    pub(crate) fn plain(text: &str, width: usize) -> Self {
        let text = fit(text, width);
        Row {
            text: text.to_owned(),
            width: width_of(text),
        }
    }
}

/// The most rows of one line kept: more than a screen shows (a terminal
/// taller than this would show the oldest of them blank), so the newest rows
/// of a line are always at hand, while a huge line's millions of earlier
/// rows are counted, not kept; and few enough that their text and styles
/// stay small beside the line.
const KEEP_ROWS: usize = 1 << 12;

/// A huge line wrapped one row at a time: its last [`KEEP_ROWS`] rows (as
/// byte ranges from the first of them), how many rows it has in all, and
/// the byte offset where the first row kept starts.
fn last_rows(text: &str, width: usize) -> (VecDeque<Range<usize>>, usize, usize) {
    let mut rows = VecDeque::new();
    let mut count = 0;
    each_row(text, width, |range| {
        if rows.len() == KEEP_ROWS {
            rows.pop_front();
        }
        rows.push_back(range);
        count += 1;
    });
    let cut = rows.front().map_or(0, |r| r.start);
    for range in &mut rows {
        *range = range.start - cut..range.end - cut;
    }
    (rows, count, cut)
}

/// A line sanitized and wrapped at one width: how many rows it has, and
/// its last rows (all of them, unless it has more than [`KEEP_ROWS`]).
#[derive(Debug)]
struct Wrapped {
    line: Styled,
    /// The last rows, as byte ranges of `line.text`.
    rows: VecDeque<Range<usize>>,
    /// How many rows the line has in all.
    count: usize,
    /// Columns every row but the first is indented by (a hanging indent).
    indent: usize,
    /// Laid out only in part (a huge line, stopped for a key or a signal):
    /// to be laid out again when next needed.
    cut_short: bool,
}

impl Wrapped {
    fn new(raw: &[u8], width: usize, options: Options, abort: Option<&AtomicBool>) -> Self {
        if raw.len() >= HUGE && raw.iter().all(|b| matches!(b, b' '..=b'~')) {
            // A huge line of plain printable ASCII (a blob, minified JSON)
            // is its own sanitized text: wrapped where it lies, not copied
            // whole, so the display holds it about once.
            let text = std::str::from_utf8(raw).unwrap_or_default();
            let (rows, count, cut) = last_rows(text, width);
            let line = Styled {
                text: text[cut..].to_owned(),
                spans: Vec::new(),
            };
            return Wrapped {
                line,
                rows,
                count,
                indent: 0,
                cut_short: false,
            };
        }
        if raw.len() >= HUGE {
            // Neither its whole sanitized text nor all its rows are held.
            return fold_streamed(raw, width, options, WINDOW, KEEP_ROWS, usize::MAX, abort)
                .into_wrapped();
        }
        let line = sanitize_styled(raw, options);
        // An indent that leaves less than half the row is not kept.
        let indent = Some(tag::split(raw, true).0.indent)
            .filter(|&n| n * 2 <= width)
            .unwrap_or(0);
        let rows: VecDeque<_> = if indent > 0 {
            wrap_hanging(&line.text, width, indent).into()
        } else {
            wrap_ranges(&line.text, width).into()
        };
        Wrapped {
            line,
            count: rows.len(),
            rows,
            indent,
            cut_short: false,
        }
    }

    /// Row `index` of the line's `count`, painted with its styles; an
    /// empty row if it was not kept.
    fn row(&self, index: usize, width: usize) -> Row {
        let Some(kept) = index.checked_sub(self.count - self.rows.len()) else {
            return Row::default();
        };
        let range = self.rows[kept].clone();
        let indent = if index > 0 { self.indent } else { 0 };
        let cols = width_of(&self.line.text[range.clone()]);
        if cols + indent > width {
            return Row::plain(TOO_WIDE, width);
        }
        let mut text = String::with_capacity(indent + range.len() + 16);
        text.extend(std::iter::repeat_n(' ', indent));
        self.line.paint(range, &mut text);
        Row {
            text,
            width: cols + indent,
        }
    }
}

/// How lines become rows, beyond the text options: where rows break, and
/// whether lines start with reflow's headers (see [`crate::tag`]), read
/// for the gutter and the hanging indent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Look {
    pub(crate) text: Options,
    pub(crate) wrap: Wrap,
    /// Lines may start with a header: false for a file read in place.
    pub(crate) headed: bool,
}

impl From<Options> for Look {
    /// Word wrap, lines with headers (all but a file read in place).
    fn from(text: Options) -> Self {
        Look {
            text,
            headed: true,
            ..Look::default()
        }
    }
}

/// How a label is drawn in the gutter.
impl Label {
    /// The name in exactly `width` columns: cut with `…` when longer,
    /// padded with blanks when shorter.
    fn cell(&self) -> String {
        let whole = width_of(&self.name);
        let mut cell = match whole > self.width {
            true => format!("{}\u{2026}", fit(&self.name, self.width - 1)),
            false => self.name.clone(),
        };
        let used = width_of(&cell);
        cell.extend(std::iter::repeat_n(' ', self.width.saturating_sub(used)));
        cell
    }

    /// One of six colours, the same for a name every time, so each file
    /// keeps its colour across lines and runs.
    fn colour(&self) -> u8 {
        // FNV-1a: stable across runs and builds, unlike the std hasher.
        let hash = self.name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        31 + u8::try_from(hash % 6).unwrap_or(0)
    }
}

/// What is drawn left of a line's text on each of its rows, outside the
/// wrapped text: the file's label on the first row, the stderr bar on
/// every row, the arrival time on the first (blanks under the label and
/// the time on the rest).
#[derive(Debug, Default)]
struct Gutter {
    first: String,
    rest: String,
    width: usize,
}

impl Gutter {
    fn new(head: &Head, width: usize) -> Gutter {
        let mut gutter = Gutter::default();
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
        if head.err {
            gutter.first.push_str("\x1b[0;31m\u{258c}\x1b[0m");
            gutter.rest.push_str("\x1b[0;31m\u{258c}\x1b[0m");
            gutter.width += 1;
        } else if head.out {
            gutter.first.push(' ');
            gutter.rest.push(' ');
            gutter.width += 1;
        }
        if let Some(time) = &head.time {
            gutter.first.push_str(&format!("\x1b[0;2m{time}\x1b[0m "));
            gutter.rest.extend(std::iter::repeat_n(' ', time.len() + 1));
            gutter.width += time.len() + 1;
        }
        // A gutter that leaves less than half the row is not drawn.
        if gutter.width * 2 > width {
            return Gutter::default();
        }
        gutter
    }
}

/// Byte ranges to highlight in a line's sanitized text (search matches).
pub(crate) type Highlight = std::sync::Arc<dyn Fn(&str) -> Vec<Range<usize>> + Send + Sync>;

/// [`wrap_ranges`] breaking anywhere, as a terminal does: each row as many
/// clusters as fit (after the first, `indent` columns fewer).
fn wrap_chars(text: &str, width: usize, indent: usize) -> Vec<Range<usize>> {
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
fn columns(text: &str, from: usize, width: usize) -> (usize, Range<usize>) {
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

impl Wrapped {
    /// A line laid out as `look` says, at `width` columns for its text (the
    /// gutter not counted), with `highlight`'s ranges in reverse video.
    fn with(
        raw: &[u8],
        width: usize,
        look: Look,
        highlight: Option<&Highlight>,
        abort: Option<&AtomicBool>,
    ) -> Wrapped {
        if raw.len() >= HUGE && look.wrap == Wrap::Word {
            return Wrapped::new(raw, width, look.text, abort);
        }
        let (head, _) = tag::split(raw, look.headed);
        let mut line = sanitize_styled(raw, look.text);
        if let Some(highlight) = highlight {
            line.highlight(&highlight(&line.text));
        }
        let indent = Some(head.indent).filter(|&n| n * 2 <= width).unwrap_or(0);
        let rows: VecDeque<_> = match look.wrap {
            Wrap::Word if indent > 0 => wrap_hanging(&line.text, width, indent).into(),
            Wrap::Word => wrap_ranges(&line.text, width).into(),
            Wrap::Char => wrap_chars(&line.text, width, indent).into(),
            Wrap::None => std::iter::once(0..line.text.len()).collect(),
        };
        Wrapped {
            line,
            count: rows.len(),
            rows,
            indent,
            cut_short: false,
        }
    }

    /// Where row `index` starts in the line's text (0 for a row not kept).
    fn start_of(&self, index: usize) -> usize {
        index
            .checked_sub(self.count - self.rows.len())
            .and_then(|kept| self.rows.get(kept))
            .map_or(0, |range| range.start)
    }

    /// The row that holds byte `offset` of the line's text.
    fn row_of(&self, offset: usize) -> usize {
        let before = self.rows.partition_point(|range| range.start <= offset);
        (self.count - self.rows.len() + before).saturating_sub(1)
    }

    /// The one row of an unwrapped line: its columns from `from` on.
    fn cut(&self, width: usize, from: usize) -> Row {
        let (pad, range) = columns(&self.line.text, from, width);
        let mut text = String::with_capacity(pad + range.len() + 16);
        text.extend(std::iter::repeat_n(' ', pad));
        let cols = pad + width_of(&self.line.text[range.clone()]);
        self.line.paint(range, &mut text);
        Row { text, width: cols }
    }
}

/// A line as laid out for the screen: its rows and its gutter.
#[derive(Debug)]
struct Entry {
    wrapped: Wrapped,
    gutter: Gutter,
    /// Rows of a huge line before the newest ones it keeps, laid out when
    /// the view scrolls back into them.
    earlier: Option<Wrapped>,
}

/// Wrapped lines recently shown, so a frame wraps only lines it has not
/// seen at this width: a 10 MB line is wrapped once per width, not once
/// per frame. Cleared when the width, the look or the highlight change.
#[derive(Default)]
pub(crate) struct RowCache {
    width: usize,
    look: Option<Look>,
    highlight: Option<Highlight>,
    lines: HashMap<usize, Entry>,
    /// Lines wrapped so far: how tests see that a frame reused the cache.
    wraps: usize,
    /// Set when a key or signal wants the printer: a huge line's layout
    /// stops short (see [`fold_streamed`]).
    abort: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for RowCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowCache")
            .field("width", &self.width)
            .field("lines", &self.lines.len())
            .finish_non_exhaustive()
    }
}

impl RowCache {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Lays out at `width` in `look` from now on, with matches of
    /// `highlight` shown; what was laid out otherwise is forgotten.
    pub(crate) fn prepare(&mut self, width: usize, look: Look, highlight: Option<&Highlight>) {
        let width = width.max(1);
        let same_highlight = match (&self.highlight, highlight) {
            (None, None) => true,
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        };
        if width != self.width || Some(look) != self.look || !same_highlight {
            self.lines.clear();
            self.width = width;
            self.look = Some(look);
            self.highlight = highlight.cloned();
        }
    }

    /// Lets `abort` cut a huge line's layout short from now on.
    pub(crate) fn abort_on(&mut self, abort: Arc<AtomicBool>) {
        self.abort = Some(abort);
    }

    /// From now on, every huge line's layout stops short at once.
    pub(crate) fn cut_layouts_short(&mut self) {
        let abort = self.abort.get_or_insert_with(Default::default);
        abort.store(true, Ordering::Relaxed);
    }

    /// What set the abort flag has been answered: layouts go to their end
    /// again.
    pub(crate) fn answered(&mut self) {
        if let Some(abort) = &self.abort {
            abort.store(false, Ordering::Relaxed);
        }
    }

    /// The width rows are laid out at.
    pub(crate) fn width(&self) -> usize {
        self.width.max(1)
    }

    fn entry(&mut self, history: &History, index: usize) -> &Entry {
        let (width, look) = (self.width.max(1), self.look.unwrap_or_default());
        let wraps = &mut self.wraps;
        let highlight = self.highlight.as_ref();
        let abort = self.abort.as_deref();
        // A layout cut short is done again, now that the printer is free.
        if self
            .lines
            .get(&index)
            .is_some_and(|entry| entry.wrapped.cut_short)
            && !abort.is_some_and(|abort| abort.load(Ordering::Relaxed))
        {
            self.lines.remove(&index);
        }
        self.lines.entry(index).or_insert_with(|| {
            *wraps += 1;
            let raw = history.shown(index).unwrap_or_default();
            let gutter = Gutter::new(&tag::split(&raw, look.headed).0, width);
            let wrapped = Wrapped::with(&raw, width - gutter.width, look, highlight, abort);
            Entry {
                wrapped,
                gutter,
                earlier: None,
            }
        })
    }

    /// How many rows line `index` has.
    pub(crate) fn count(&mut self, history: &History, index: usize) -> usize {
        self.entry(history, index).wrapped.count
    }

    /// Row `row` of line `index`, from column `from` of an unwrapped line.
    pub(crate) fn row(&mut self, history: &History, index: usize, row: usize, from: usize) -> Row {
        let width = self.width.max(1);
        let look = self.look.unwrap_or_default();
        let unwrapped = look.wrap == Wrap::None;
        self.entry(history, index);
        let Some(Entry {
            wrapped,
            gutter,
            earlier,
        }) = self.lines.get_mut(&index)
        else {
            return Row::default();
        };
        let inner = width - gutter.width;
        let kept_from = wrapped.count - wrapped.rows.len();
        let body = if unwrapped {
            wrapped.cut(inner, from)
        } else if row < kept_from {
            // A huge line keeps only its newest rows: earlier ones are laid
            // out again around the row asked for, a window at a time.
            let have = earlier
                .as_ref()
                .is_some_and(|e| row >= e.count - e.rows.len() && row < e.count);
            if !have {
                let raw = history.shown(index).unwrap_or_default();
                let stop = (row + KEEP_ROWS / 2).clamp(row + 1, kept_from);
                *earlier = Some(wrap_streamed_upto(
                    &raw, inner, look.text, WINDOW, KEEP_ROWS, stop,
                ));
            }
            earlier
                .as_ref()
                .map_or_else(Row::default, |e| e.row(row, inner))
        } else {
            wrapped.row(row, inner)
        };
        if gutter.width == 0 {
            return body;
        }
        let prefix = if row == 0 {
            &gutter.first
        } else {
            &gutter.rest
        };
        Row {
            text: format!("{prefix}{}", body.text),
            width: gutter.width + body.width,
        }
    }

    /// Where row `row` of line `index` starts in its text.
    pub(crate) fn start_of(&mut self, history: &History, index: usize, row: usize) -> usize {
        self.entry(history, index).wrapped.start_of(row)
    }

    /// The row of line `index` that holds byte `offset` of its text.
    pub(crate) fn row_of(&mut self, history: &History, index: usize, offset: usize) -> usize {
        self.entry(history, index).wrapped.row_of(offset)
    }

    /// Forgets line `index` (the partial line, which grew).
    pub(crate) fn forget(&mut self, index: usize) {
        self.lines.remove(&index);
    }

    /// Forgets every line but those `keep` says the screen can show.
    pub(crate) fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        self.lines.retain(|&index, _| keep(index));
    }
}

/// The newest `height` rows of the whole history laid out at `width`,
/// oldest first. Lays out only the lines that reach the screen.
pub(crate) fn tail_rows(
    history: &History,
    width: usize,
    height: usize,
    look: impl Into<Look>,
    cache: &mut RowCache,
) -> Vec<Row> {
    cache.prepare(width, look.into(), None);
    let mut count = 0;
    let mut first = history.len();
    while first > history.first() && count < height {
        first -= 1;
        count += cache.count(history, first);
    }
    cache.retain(|index| index >= first);
    let mut skip = count.saturating_sub(height);
    let mut rows = Vec::with_capacity(height.min(count));
    for index in first..history.len() {
        let n = cache.count(history, index);
        let from = skip.min(n);
        skip -= from;
        rows.extend((from..n).map(|i| cache.row(history, index, i, 0)));
    }
    rows
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

    fn plain() -> Options {
        Options::default()
    }

    fn texts(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.text.as_str()).collect()
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

    #[test]
    fn wide_characters_count_two_columns() {
        let rows = wrap_line("日本語のテキスト", 6);
        assert_eq!(rows, vec!["日本語", "のテキ", "スト"]);
        // A wide character never straddles the edge.
        assert_eq!(wrap_line("a日本", 4), vec!["a日", "本"]);
    }

    #[test]
    fn disputed_clusters_count_their_wider_reading() {
        assert_eq!(cluster_width("👍🏽"), 4);
        assert_eq!(cluster_width("❤\u{fe0f}"), 2);
        assert_eq!(cluster_width("e\u{301}"), 1);
        assert_eq!(cluster_width("👨\u{200d}👩\u{200d}👧"), 6);
        assert_eq!(width_of("a👍🏽b"), 6);
    }

    /// Issue 12: where terminals and `unicode-width` disagree, the widest
    /// reading. The tmux widths in the comments were measured in tmux 3.3a
    /// (`a<cluster>b` written to a pane, then its cursor column); "uw" is
    /// `unicode-width` 0.2.
    #[test]
    fn width_policy_table_of_known_disagreements() {
        let cases: &[(&str, &str, usize)] = &[
            // Default-ignorables terminals draw: tmux 1/2/2/1, uw 0/2/0/0.
            ("soft hyphen", "\u{ad}", 1),
            ("Hangul choseong filler", "\u{115f}", 2),
            ("Hangul filler", "\u{3164}", 2),
            ("halfwidth Hangul filler", "\u{ffa0}", 1),
            ("choseong filler + jungseong", "\u{115f}\u{1161}", 2),
            // Default-ignorables no terminal draws: 0 everywhere.
            ("Hangul jungseong filler", "\u{1160}", 0),
            ("zero width space", "\u{200b}", 0),
            ("word joiner", "\u{2060}", 0),
            ("BOM", "\u{feff}", 0),
            ("lone VS16", "\u{fe0f}", 0),
            ("lone VS15", "\u{fe0e}", 0),
            ("lone tag", "\u{e0061}", 0),
            ("cancel tag", "\u{e007f}", 0),
            // Variation selectors: ❤️ tmux 1, newer terminals 2; ⌚︎ tmux 2.
            ("VS16 on a text-default emoji", "\u{2764}\u{fe0f}", 2),
            ("VS15 on an emoji-default one", "\u{231a}\u{fe0e}", 2),
            // Regional indicators: a pair is a flag (2 everywhere, tmux
            // too); alone, tmux 1, kitty 2.
            ("flag", "\u{1f1eb}\u{1f1f7}", 2),
            ("lone regional indicator", "\u{1f1eb}", 2),
            // Skin tone: tmux 4, newer terminals 2.
            ("skin-tone modifier", "\u{1f44d}\u{1f3fd}", 4),
            ("lone skin-tone modifier", "\u{1f3fd}", 2),
            // ZWJ sequence: tmux 3.3a 2, terminals without ZWJ 6.
            (
                "ZWJ family",
                "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
                6,
            ),
            // Tag sequence (flag of England): 2 in tmux and uw.
            (
                "tag flag",
                "\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
                2,
            ),
            // Line and paragraph separators: tmux 0, uw 1: the wider.
            ("line separator", "\u{2028}", 1),
            ("paragraph separator", "\u{2029}", 1),
            // Found by the code point walk (tests/widths.rs,
            // scripts/widths-tmux.sh): uw 0 (or 1), tmux 3.3a 1 (or 2).
            ("U+0605", "\u{605}", 1),
            ("U+070F", "\u{70f}", 1),
            ("U+0890", "\u{890}", 1),
            ("U+0891", "\u{891}", 1),
            ("U+08E2", "\u{8e2}", 1),
            ("U+09BE", "\u{9be}", 1),
            ("U+09D7", "\u{9d7}", 1),
            ("U+0B3E", "\u{b3e}", 1),
            ("U+0B57", "\u{b57}", 1),
            ("U+0BBE", "\u{bbe}", 1),
            ("U+0BD7", "\u{bd7}", 1),
            ("U+0CC0", "\u{cc0}", 1),
            ("U+0CC2", "\u{cc2}", 1),
            ("U+0CC7", "\u{cc7}", 1),
            ("U+0CC8", "\u{cc8}", 1),
            ("U+0CCA", "\u{cca}", 1),
            ("U+0CCB", "\u{ccb}", 1),
            ("U+0CD5", "\u{cd5}", 1),
            ("U+0CD6", "\u{cd6}", 1),
            ("U+0D3E", "\u{d3e}", 1),
            ("U+0D4E", "\u{d4e}", 1),
            ("U+0D57", "\u{d57}", 1),
            ("U+0DCF", "\u{dcf}", 1),
            ("U+0DDF", "\u{ddf}", 1),
            ("U+1715", "\u{1715}", 1),
            ("U+1734", "\u{1734}", 1),
            ("U+1B35", "\u{1b35}", 1),
            ("U+1B3B", "\u{1b3b}", 1),
            ("U+1B3D", "\u{1b3d}", 1),
            ("U+1B43", "\u{1b43}", 1),
            ("U+1B44", "\u{1b44}", 1),
            ("U+1BAA", "\u{1baa}", 1),
            ("U+1BF2", "\u{1bf2}", 1),
            ("U+1BF3", "\u{1bf3}", 1),
            ("U+A8FA", "\u{a8fa}", 1),
            ("U+A953", "\u{a953}", 1),
            ("U+A9C0", "\u{a9c0}", 1),
            ("U+111C0", "\u{111c0}", 1),
            ("U+111C2", "\u{111c2}", 1),
            ("U+111C3", "\u{111c3}", 1),
            ("U+11235", "\u{11235}", 1),
            ("U+1133E", "\u{1133e}", 1),
            ("U+1134D", "\u{1134d}", 1),
            ("U+11357", "\u{11357}", 1),
            ("U+114B0", "\u{114b0}", 1),
            ("U+114BD", "\u{114bd}", 1),
            ("U+115AF", "\u{115af}", 1),
            ("U+116B6", "\u{116b6}", 1),
            ("U+11930", "\u{11930}", 1),
            ("U+1193D", "\u{1193d}", 1),
            ("U+1193F", "\u{1193f}", 1),
            ("U+11941", "\u{11941}", 1),
            ("U+11A84", "\u{11a84}", 1),
            ("U+11A85", "\u{11a85}", 1),
            ("U+11A86", "\u{11a86}", 1),
            ("U+11A87", "\u{11a87}", 1),
            ("U+11A88", "\u{11a88}", 1),
            ("U+11A89", "\u{11a89}", 1),
            ("U+11D46", "\u{11d46}", 1),
            ("U+1D165", "\u{1d165}", 1),
            ("U+1D166", "\u{1d166}", 1),
            ("U+1D16D", "\u{1d16d}", 1),
            ("U+1D16E", "\u{1d16e}", 1),
            ("U+1D16F", "\u{1d16f}", 1),
            ("U+1D170", "\u{1d170}", 1),
            ("U+1D171", "\u{1d171}", 1),
            ("U+1D172", "\u{1d172}", 1),
            ("U+302E", "\u{302e}", 2),
            ("U+302F", "\u{302f}", 2),
            ("U+3248", "\u{3248}", 2),
            ("U+3249", "\u{3249}", 2),
            ("U+324A", "\u{324a}", 2),
            ("U+324B", "\u{324b}", 2),
            ("U+324C", "\u{324c}", 2),
            ("U+324D", "\u{324d}", 2),
            ("U+324E", "\u{324e}", 2),
            ("U+324F", "\u{324f}", 2),
            ("U+16FF0", "\u{16ff0}", 2),
            ("U+16FF1", "\u{16ff1}", 2),
        ];
        for (name, cluster, want) in cases {
            assert_eq!(cluster.graphemes(true).count(), 1, "{name} is one cluster");
            assert_eq!(cluster_width(cluster), *want, "{name}");
            // Between ASCII letters (as measured), and never split.
            let between = format!("a{cluster}b");
            assert_eq!(width_of(&between), want + 2, "{name} between letters");
            for width in 1..8 {
                assert_eq!(
                    check_contract(between.as_bytes(), width),
                    Ok(()),
                    "{name} at {width}"
                );
            }
        }
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

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("日本語", 5), "日本");
        assert_eq!(fit("abc", 5), "abc");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("ae\u{301}b", 2), "ae\u{301}");
    }

    #[test]
    fn tail_rows_are_the_newest_rows_of_the_whole_history() {
        let h = history(&["one two three", "four", "", "five six seven eight"]);
        let mut cache = RowCache::new();
        assert_eq!(
            texts(&tail_rows(&h, 10, 4, plain(), &mut cache)),
            ["", "five six", "seven", "eight"]
        );
        assert_eq!(
            texts(&tail_rows(&h, 10, 100, plain(), &mut cache)),
            ["one two", "three", "four", "", "five six", "seven", "eight"]
        );
        // Reflow at another width uses the new width, not the cache.
        assert_eq!(
            texts(&tail_rows(&h, 20, 2, plain(), &mut cache)),
            ["", "five six seven eight"]
        );
    }

    #[test]
    fn tail_rows_of_an_empty_history_is_empty() {
        let mut cache = RowCache::new();
        assert!(tail_rows(&History::new(), 80, 24, plain(), &mut cache).is_empty());
    }

    #[test]
    fn tail_rows_wraps_only_what_is_visible() {
        let mut h = History::new();
        for i in 0..10_000 {
            h.push(format!("line {i}").as_bytes());
        }
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 80, 5, plain(), &mut cache);
        assert_eq!(
            texts(&rows),
            [
                "line 9995",
                "line 9996",
                "line 9997",
                "line 9998",
                "line 9999"
            ]
        );
        assert_eq!(cache.lines.len(), 5);
    }

    #[test]
    fn a_huge_line_is_wrapped_once_per_width_not_once_per_frame() {
        let mut h = History::new();
        let huge = "word ".repeat(400_000);
        h.push(huge.as_bytes());
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 80, 10, plain(), &mut cache);
        assert_eq!(rows.len(), 10);
        assert_eq!(cache.wraps, 1);
        // New lines arrive; the huge line is still partly on screen.
        h.push(b"next");
        let rows = tail_rows(&h, 80, 10, plain(), &mut cache);
        assert_eq!(rows[9].text, "next");
        assert_eq!(cache.wraps, 2);
        tail_rows(&h, 80, 10, plain(), &mut cache);
        assert_eq!(cache.wraps, 2);
        // A new width wraps it again, once.
        tail_rows(&h, 60, 10, plain(), &mut cache);
        assert_eq!(cache.wraps, 4);
    }

    #[test]
    fn a_huge_line_keeps_its_last_rows_not_all_of_them() {
        // 2 MiB at width 1: two million rows, of which only the newest
        // are kept, in the colour they had.
        let mut raw = b"\x1b[31m".to_vec();
        raw.extend((0..2 << 20).map(|i| b'a' + (i % 26) as u8));
        raw.extend_from_slice(b"\x1b[0mZ");
        let mut h = History::new();
        h.push(&raw);
        let mut cache = RowCache::new();
        let color = Options {
            color: true,
            ..Options::default()
        };
        let rows = tail_rows(&h, 1, 3, color, &mut cache);
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        let last = (2 << 20) - 1;
        let red = |i: usize| format!("\x1b[0;31m{}\x1b[0m", (b'a' + (i % 26) as u8) as char);
        assert_eq!(texts, [red(last - 1).as_str(), red(last).as_str(), "Z"]);
        let wrapped = &cache.lines[&0].wrapped;
        assert_eq!(wrapped.count, (2 << 20) + 1);
        assert_eq!(wrapped.rows.len(), KEEP_ROWS);
        assert!(
            wrapped.line.text.len() <= KEEP_ROWS,
            "the text was kept whole"
        );
    }

    #[test]
    fn a_huge_plain_line_is_wrapped_where_it_lies_into_the_same_rows() {
        let text: String = (0..200_000)
            .map(|i| format!("w{} ", "x".repeat(i % 9)))
            .collect();
        assert!(text.len() >= HUGE);
        let wrapped = Wrapped::new(text.as_bytes(), 13, Options::default(), None);
        let all = wrap_line(&text, 13);
        assert_eq!(wrapped.count, all.len());
        let kept: Vec<String> = (all.len() - wrapped.rows.len()..all.len())
            .map(|i| wrapped.row(i, 13).text)
            .collect();
        assert_eq!(kept, all[all.len() - wrapped.rows.len()..]);
        assert!(wrapped.line.text.len() <= KEEP_ROWS * 13, "kept whole");
    }

    /// Regression: scrolling back into a huge line showed blank rows
    /// before the newest ones it keeps.
    /// The text a huge line's wrapping holds at most, as a multiple of
    /// what one window of it sanitizes to.
    fn held(raw: &[u8], window: usize) -> (usize, usize) {
        let fold = fold_streamed(raw, 80, plain(), window, KEEP_ROWS, usize::MAX, None);
        (fold.peak, fold.into_wrapped().count)
    }

    #[test]
    fn a_huge_line_of_tabs_is_wrapped_in_memory_bounded_by_its_rows() {
        // 4 MiB of tabs are 32 MiB of spaces: the line's indentation, cut
        // into rows of 80 spaces. Wrapping used to hold all of it (100 MB of
        // tabs took 912 MB and half a minute).
        let window = 1 << 16;
        let (peak, count) = held(&vec![b'\t'; 4 << 20], window);
        assert_eq!(count, (32usize << 20).div_ceil(80));
        assert!(peak < 2 << 20, "held {peak} bytes");
        // After a word, the spaces are never drawn: one row.
        let mut raw = b"word".to_vec();
        raw.resize(4 << 20, b'\t');
        let (peak, count) = held(&raw, window);
        assert_eq!(count, 1);
        assert!(peak < 2 << 20, "held {peak} bytes");
    }

    #[test]
    fn a_huge_word_of_controls_is_wrapped_in_memory_bounded_by_its_rows() {
        // NULs are `^@`, one long word of 8 MiB: `reflow /dev/zero` grew
        // by gigabytes while this wrapping held the word whole.
        let (peak, count) = held(&vec![0; 4 << 20], 1 << 16);
        assert_eq!(count, (8usize << 20).div_ceil(80));
        assert!(peak < 2 << 20, "held {peak} bytes");
    }

    #[test]
    fn every_row_of_a_huge_line_can_be_shown_not_only_the_newest() {
        let text: String = (0..300_000)
            .map(|i| format!("w{} ", "x".repeat(i % 7)))
            .collect();
        assert!(text.len() >= HUGE);
        let all = wrap_line(&text, 13);
        let mut h = History::new();
        h.push(text.as_bytes());
        let mut cache = RowCache::new();
        cache.prepare(13, Look::default(), None);
        assert_eq!(cache.count(&h, 0), all.len());
        let kept_from = all.len() - KEEP_ROWS;
        for i in [
            0,
            1,
            2047,
            2048,
            5000,
            all.len() / 2,
            kept_from - 1,
            kept_from,
            all.len() - 1,
        ] {
            assert_eq!(cache.row(&h, 0, i, 0).text, all[i], "row {i}");
        }
    }

    #[test]
    fn a_marked_line_hangs_its_wrapped_rows_under_its_first() {
        let mut raw = Head::indent(6).encode();
        raw.extend_from_slice(b"INFO: one two three four five six");
        let h = history(&[std::str::from_utf8(&raw).unwrap()]);
        let rows = tail_rows(&h, 16, 10, plain(), &mut RowCache::new());
        assert_eq!(
            texts(&rows),
            ["INFO: one two", "      three four", "      five six"]
        );
        // Too deep for the width: no indent rather than no room.
        let rows = tail_rows(&h, 10, 10, plain(), &mut RowCache::new());
        assert_eq!(texts(&rows)[1], "two three");
        // A mark that is not one is just removed, as any APC string.
        let h = history(&["\x1b_reflow:indent=x\x1b\\text"]);
        assert_eq!(
            texts(&tail_rows(&h, 16, 10, plain(), &mut RowCache::new())),
            ["text"]
        );
    }

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
        // Too wide for the row: the text keeps it.
        let rows = tail_rows(&h, 24, 10, look, &mut RowCache::new());
        assert_eq!(texts(&rows), ["one two three four"]);
        // A file read in place has no headers: its bytes are text.
        let in_place = Look {
            headed: false,
            ..look
        };
        let rows = tail_rows(&h, 30, 10, in_place, &mut RowCache::new());
        assert_eq!(texts(&rows), ["one two three four"]);
        // Only the first header is read: one in the text is text.
        let h = history(&["\x1b_reflow:out\x1b\\\x1b_reflow:err;label=6:kernel\x1b\\FAKE"]);
        let rows = tail_rows(&h, 30, 10, look, &mut RowCache::new());
        assert_eq!(texts(&rows), [" FAKE"]);
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

    #[test]
    fn char_wrap_breaks_anywhere_and_none_cuts_with_an_offset() {
        let h = history(&["abc def ghi"]);
        let look = |wrap| Look {
            wrap,
            ..Look::default()
        };
        let rows = tail_rows(&h, 4, 10, look(Wrap::Char), &mut RowCache::new());
        assert_eq!(texts(&rows), ["abc ", "def ", "ghi"]);
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 4, 10, look(Wrap::None), &mut cache);
        assert_eq!(texts(&rows), ["abc "]);
        assert_eq!(cache.row(&h, 0, 0, 5).text, "ef g");
        assert_eq!(cache.row(&h, 0, 0, 20).text, "");
        let h = history(&["日本語"]);
        cache.prepare(3, look(Wrap::None), None);
        // A wide character cut by the left edge is a blank, not half.
        assert_eq!(cache.row(&h, 0, 0, 1).text, " 本");
    }

    #[test]
    fn highlighted_matches_are_reverse_video_across_rows() {
        let h = history(&["\x1b[31mred\x1b[0m plain red"]);
        let mut cache = RowCache::new();
        let find: Highlight = std::sync::Arc::new(|text: &str| {
            text.match_indices("red")
                .map(|(at, m)| at..at + m.len())
                .collect()
        });
        let look = Look::from(Options {
            color: true,
            ..Options::default()
        });
        cache.prepare(6, look, Some(&find));
        let rows: Vec<String> = (0..cache.count(&h, 0))
            .map(|i| cache.row(&h, 0, i, 0).text)
            .collect();
        assert_eq!(
            rows,
            ["\x1b[0;7;31mred\x1b[0m", "plain", "\x1b[0;7mred\x1b[0m"]
        );
    }

    /// Regression: a red line wrapped onto three rows must be red on all
    /// three, each row ending in a reset, and the next line plain.
    #[test]
    fn colour_carries_across_wrapped_rows_and_stops_at_the_line_end() {
        let h = history(&["\x1b[31maaaa bbbb cccc", "plain"]);
        let mut cache = RowCache::new();
        let color = Options {
            color: true,
            ..Options::default()
        };
        let rows = tail_rows(&h, 5, 4, color, &mut cache);
        assert_eq!(
            texts(&rows),
            [
                "\x1b[0;31maaaa\x1b[0m",
                "\x1b[0;31mbbbb\x1b[0m",
                "\x1b[0;31mcccc\x1b[0m",
                "plain"
            ]
        );
        assert_eq!(rows[0].width, 4);
    }
}

/// Checks the layout contract for one raw line at one width: every row
/// fits (unless it is one cluster wider than the width, which is drawn as
/// `?`), no grapheme cluster is split, the rows' text is the sanitized line
/// less only the spaces at breaks, and painted rows hold no escape but our
/// SGR, ending in a reset. Shared by the property test and the fuzz target.
pub(crate) fn check_contract(raw: &[u8], width: usize) -> Result<(), String> {
    let width = width.max(1);
    let styled = sanitize_styled(
        raw,
        Options {
            tab_width: 8,
            color: true,
        },
    );
    let text = styled.text.as_str();
    if text.contains(|c: char| c.is_control()) {
        return Err(format!("control character left in {text:?}"));
    }
    let ranges = wrap_ranges(text, width);
    let mut streamed = Vec::new();
    each_row(text, width, |range| streamed.push(range));
    if streamed != ranges {
        return Err(format!(
            "one row at a time {streamed:?} differs from textwrap {ranges:?}"
        ));
    }
    let boundaries: std::collections::HashSet<usize> = text
        .grapheme_indices(true)
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    if ranges.first().map(|r| r.start) != Some(0) {
        return Err("the first row does not start the line".into());
    }
    let mut joined = String::new();
    let mut at = 0;
    for range in &ranges {
        if range.start < at || !text[at..range.start].bytes().all(|b| b == b' ') {
            return Err(format!("more than break spaces lost before {range:?}"));
        }
        if !boundaries.contains(&range.start) || !boundaries.contains(&range.end) {
            return Err(format!(
                "row {range:?} splits a grapheme cluster of {text:?}"
            ));
        }
        let row = &text[range.clone()];
        let cols = width_of(row);
        if cols > width && row.graphemes(true).count() != 1 {
            return Err(format!("row {row:?} is {cols} columns at width {width}"));
        }
        joined.push_str(row);
        at = range.end;
    }
    if !text[at..].bytes().all(|b| b == b' ') {
        return Err("text lost after the last row".into());
    }
    if joined.replace(' ', "") != text.replace(' ', "") {
        return Err("the rows do not add up to the line".into());
    }
    let wrapped = Wrapped {
        line: styled.clone(),
        count: ranges.len(),
        rows: ranges.into(),
        indent: 0,
        cut_short: false,
    };
    for i in 0..wrapped.count {
        let row = wrapped.row(i, width);
        let plain =
            strip_sgr(&row.text).ok_or_else(|| format!("non-SGR escape in {:?}", row.text))?;
        if row.width > width || width_of(&plain) > width {
            return Err(format!("painted row {:?} wider than {width}", row.text));
        }
        if row.text.contains('\x1b') && !row.text.ends_with("\x1b[0m") {
            return Err(format!(
                "styled row {:?} does not end with a reset",
                row.text
            ));
        }
    }
    // A huge line is sanitized and wrapped a window at a time: small
    // windows and few kept rows give the same last rows.
    let options = Options {
        tab_width: 8,
        color: true,
    };
    let keep = 3;
    let streamed = wrap_streamed(raw, width, options, 7, keep);
    if streamed.count != wrapped.count {
        return Err(format!(
            "a window at a time: {} rows, whole: {}",
            streamed.count, wrapped.count
        ));
    }
    for i in wrapped.count.saturating_sub(keep)..wrapped.count {
        if streamed.row(i, width) != wrapped.row(i, width) {
            return Err(format!("a window at a time, row {i} differs"));
        }
    }
    Ok(())
}

/// A painted row without our SGR sequences (`ESC [ digits/; m`), or
/// `None` if it holds any other escape.
fn strip_sgr(row: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = row;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        let after = rest[at..].strip_prefix("\x1b[")?;
        let end = after.find('m')?;
        if !after[..end]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b';')
        {
            return None;
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Pieces hostile input is made of: any byte, spaces, tabs, words,
    /// wide and combining characters, emoji clusters, escape sequences.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            Just(b" ".to_vec()),
            Just(b"   ".to_vec()),
            Just(b"\t".to_vec()),
            Just(b"\r".to_vec()),
            // Overstrike (man pages): a pair may straddle a window's cut.
            Just(b"\x08".to_vec()),
            Just(b"_".to_vec()),
            "[a-z]{1,12}".prop_map(String::into_bytes),
            // Words longer than a row and runs of spaces longer than one:
            // the streamed wrapping cuts inside them.
            "[a-z]{30,90}".prop_map(String::into_bytes),
            Just(vec![b' '; 70]),
            Just(vec![b'\t'; 9]),
            Just(vec![0; 40]),
            Just("日本語".as_bytes().to_vec()),
            Just("e\u{301}".as_bytes().to_vec()),
            Just("👍🏽".as_bytes().to_vec()),
            Just("❤\u{fe0f}".as_bytes().to_vec()),
            Just("👨\u{200d}👩\u{200d}👧".as_bytes().to_vec()),
            Just("\u{200b}".as_bytes().to_vec()),
            Just(b"\x1b[31m".to_vec()),
            Just(b"\x1b[0m".to_vec()),
            Just(b"\x1b]2;title\x07".to_vec()),
            Just(b"\x1b[2J".to_vec()),
            Just(b"\x1b[".to_vec()),
            any::<char>().prop_map(|c| c.to_string().into_bytes()),
        ]
    }

    fn line() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(piece(), 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn rows_fit_keep_clusters_whole_and_lose_only_break_spaces(
            raw in line(),
            width in 1usize..40,
        ) {
            if let Err(broken) = check_contract(&raw, width) {
                prop_assert!(false, "{}", broken);
            }
        }

        /// A huge line is sanitized and wrapped a window at a time; tiny
        /// windows and few kept rows here put every cut and every giving
        /// back of text to the test.
        #[test]
        fn streamed_wrapping_equals_whole_line_wrapping(
            raw in line(),
            width in 1usize..30,
            window in 1usize..40,
            keep in 1usize..8,
            color in any::<bool>(),
        ) {
            let options = Options { color, ..Options::default() };
            let line = sanitize_styled(&raw, options);
            let ranges = wrap_ranges(&line.text, width);
            let whole = Wrapped { line, count: ranges.len(), rows: ranges.into(), indent: 0, cut_short: false };
            let streamed = wrap_streamed(&raw, width, options, window, keep);
            prop_assert_eq!(streamed.count, whole.count);
            prop_assert_eq!(streamed.rows.len(), whole.count.min(keep));
            for i in whole.count - streamed.rows.len()..whole.count {
                prop_assert_eq!(streamed.row(i, width), whole.row(i, width), "row {}", i);
            }
        }
    }
}
