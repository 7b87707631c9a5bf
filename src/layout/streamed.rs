//! Huge lines (a megabyte and more): sanitized and wrapped a window at a
//! time, keeping only their newest rows, so neither the whole sanitized
//! line nor all its rows are ever held, and stopped short when a key or
//! a signal wants the printer.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::sanitize::{Options, Pieces, Style, Styled, returns_overwrite};

use super::wrap::{FirstFit, Piece, each_piece, each_row, is_boundary};
use super::{Hang, Wrapped};

/// A line at least this long is wrapped by [`each_row`]: as many rows
/// as it has are never held at once.
pub(crate) const HUGE: usize = 1 << 20;

/// How much of a huge line is sanitized at a time.
pub(crate) const WINDOW: usize = 1 << 20;

/// A huge line sanitized and wrapped a window at a time, so neither its
/// whole sanitized text nor all its rows are ever held: the same rows and
/// styles as sanitizing it whole and keeping its last `keep` rows.
///
/// The text is cut for wrapping only where whole-line wrapping would cut
/// too: after a space and before another cluster that is not a space (a
/// word's start, which every row boundary respects). A carriage return
/// overwrites what came before it, so the wrapping starts over.
pub(crate) fn wrap_streamed(
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
pub(crate) fn wrap_streamed_upto(
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
pub(crate) fn fold_streamed(
    raw: &[u8],
    width: usize,
    options: Options,
    window: usize,
    keep: usize,
    stop: usize,
    abort: Option<&AtomicBool>,
) -> Fold {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let mut stream = Pieces::new(options, returns_overwrite(raw));
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
            // The style going on from the start may be in a link from
            // before: the line's links stay.
            let links = std::mem::take(&mut fold.links);
            fold = Fold::new(width, keep, window);
            fold.stop = stop;
            fold.links = links;
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
pub(crate) fn window_end(raw: &[u8], window: usize) -> usize {
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
pub(crate) const LONG_WORD: usize = usize::MAX;

/// The state of [`wrap_streamed`]: text from `base` on (the kept rows and
/// what is not wrapped yet), in global byte offsets of the sanitized line.
pub(crate) struct Fold {
    pub(crate) rows: Option<FirstFit>,
    pub(crate) keep: usize,
    /// Text no longer needed is given back once there is this much of it.
    pub(crate) window: usize,
    pub(crate) kept: VecDeque<Range<usize>>,
    pub(crate) count: usize,
    pub(crate) text: String,
    pub(crate) spans: Vec<(usize, Style)>,
    /// Every link of the line so far (the styles number them from its
    /// start; at most `sanitize::MAX_LINKS`), none given back.
    pub(crate) links: Vec<Box<str>>,
    pub(crate) base: usize,
    /// Text before this offset has been cut into pieces.
    pub(crate) wrapped: usize,
    /// No place to cut the text at was found before this offset.
    pub(crate) searched: usize,
    /// Rows from this one on are not wanted.
    pub(crate) stop: usize,
    /// The text not wrapped yet starts inside the line's first word, whose
    /// leading spaces (indentation) belong to it.
    pub(crate) first_word: bool,
    /// The most text held at once.
    pub(crate) peak: usize,
    /// Stopped before the end, on `abort`.
    pub(crate) cut_short: bool,
}

impl Fold {
    pub(crate) fn new(width: usize, keep: usize, window: usize) -> Self {
        Fold {
            rows: Some(FirstFit::new(width)),
            keep: keep.max(1),
            window,
            kept: VecDeque::new(),
            count: 0,
            text: String::new(),
            spans: Vec::new(),
            links: Vec::new(),
            base: 0,
            wrapped: 0,
            searched: 0,
            stop: usize::MAX,
            first_word: true,
            peak: 0,
            cut_short: false,
        }
    }

    pub(crate) fn append(&mut self, styled: Styled) {
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
        self.links.extend(styled.links);
    }

    /// Cuts the text not wrapped yet into pieces, up to the last place
    /// where whole-line wrapping would cut too (or to the end, at the end).
    pub(crate) fn wrap(&mut self, end: bool) {
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
    pub(crate) fn shorten_spaces(&mut self) {
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
    pub(crate) fn forget(&mut self) {
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

    pub(crate) fn style_at(&self, offset: usize) -> Style {
        let after = self.spans.partition_point(|&(at, _)| at <= offset);
        after
            .checked_sub(1)
            .map_or_else(Style::default, |i| self.spans[i].1)
    }

    pub(crate) fn into_wrapped(self) -> Wrapped {
        let cut = self.kept.front().map_or(self.base, |r| r.start);
        let line = Styled {
            text: self.text,
            spans: self
                .spans
                .into_iter()
                .map(|(at, style)| (at.saturating_sub(self.base), style))
                .collect(),
            links: self.links,
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
            indent_first: false,
            cut_short: self.cut_short,
            hang: Hang::None,
        }
    }
}

/// The most rows of one line kept: more than a screen shows (a terminal
/// taller than this would show the oldest of them blank), so the newest rows
/// of a line are always at hand, while a huge line's millions of earlier
/// rows are counted, not kept; and few enough that their text and styles
/// stay small beside the line.
pub(crate) const KEEP_ROWS: usize = 1 << 12;

/// A huge line wrapped one row at a time: its last [`KEEP_ROWS`] rows (as
/// byte ranges from the first of them), how many rows it has in all, and
/// the byte offset where the first row kept starts.
pub(crate) fn last_rows(text: &str, width: usize) -> (VecDeque<Range<usize>>, usize, usize) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::test_support::*;

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
}
