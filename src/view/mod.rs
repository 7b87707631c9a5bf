//! The viewer's state, pure: where the view is in the history (following
//! the end, or paused with its top anchored to a line), which lines it
//! shows (all, or a filter's), and the rows of a frame. Moving costs the
//! rows moved, never the history's length; tested without a terminal.

pub(crate) mod help;
pub(crate) mod keys;
pub(crate) mod prompt;
pub(crate) mod status;

use crate::history::History;
use crate::layout::{Row, RowCache};

/// The lines a view walks through: the whole history, or the lines a
/// filter kept (ascending ids). The whole history includes a file's
/// lines not indexed yet, named by their offset (see `history`), so `g`
/// shows a file's start at once.
#[derive(Clone, Copy)]
pub(crate) struct Lines<'a> {
    pub(crate) history: &'a History,
    pub(crate) filter: Option<&'a [usize]>,
}

impl<'a> Lines<'a> {
    /// Every line of `history`, or those of `filter` still held.
    pub(crate) fn new(history: &'a History, filter: Option<&'a [usize]>) -> Self {
        Lines { history, filter }
    }

    fn kept(&self) -> &'a [usize] {
        let filter = self.filter.unwrap_or_default();
        let gone = filter.partition_point(|&id| id < self.history.first());
        &filter[gone..]
    }

    pub(crate) fn first(&self) -> Option<usize> {
        match self.filter {
            None => self.history.first_shown(),
            Some(_) => self.kept().first().copied(),
        }
    }

    pub(crate) fn last(&self) -> Option<usize> {
        match self.filter {
            None => self.first().map(|_| self.history.shown_len() - 1),
            Some(_) => self.kept().last().copied(),
        }
    }

    pub(crate) fn next(&self, id: usize) -> Option<usize> {
        match self.filter {
            None => self.history.next_shown(id),
            Some(_) => {
                let kept = self.kept();
                kept.get(kept.partition_point(|&x| x <= id)).copied()
            }
        }
    }

    pub(crate) fn prev(&self, id: usize) -> Option<usize> {
        match self.filter {
            None => self.history.prev_shown(id),
            Some(_) => {
                let kept = self.kept();
                let at = kept.partition_point(|&x| x < id);
                at.checked_sub(1).map(|i| kept[i])
            }
        }
    }

    /// The first line at or after `id`.
    pub(crate) fn at_or_after(&self, id: usize) -> Option<usize> {
        match self.filter {
            None if self.history.holds_shown(id) => Some(id),
            None => (id < self.history.shown_len()).then(|| id.max(self.history.first())),
            Some(_) => {
                let kept = self.kept();
                kept.get(kept.partition_point(|&x| x < id)).copied()
            }
        }
    }

    /// How many lines there are up to and including `id`, and in all.
    pub(crate) fn rank(&self, id: usize) -> (usize, usize) {
        match self.filter {
            None => {
                let first = self.history.first();
                let end = self.history.shown_len();
                ((id + 1).min(end) - first.min(id + 1), end - first)
            }
            Some(_) => {
                let kept = self.kept();
                (kept.partition_point(|&x| x <= id), kept.len())
            }
        }
    }

    /// True when the view shows line `id`.
    pub(crate) fn contains(&self, id: usize) -> bool {
        match self.filter {
            None => self.history.holds_shown(id),
            Some(_) => self.kept().binary_search(&id).is_ok(),
        }
    }
}

/// A place in the laid-out history: a line and a row of it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Anchor {
    pub(crate) line: usize,
    pub(crate) row: usize,
}

/// Where the view is.
#[derive(Debug)]
pub(crate) struct View {
    follow: bool,
    /// The first row shown, while paused (and as last drawn, following).
    top: Anchor,
    /// Where the top row starts in its line's text: kept across a resize,
    /// so the same text stays at the top at the new width.
    offset: usize,
    /// The width the top was laid out at.
    width: usize,
    /// The history's length when the view paused: lines after are new.
    seen: usize,
    /// Columns scrolled sideways (unwrapped lines).
    pub(crate) column: usize,
    /// The last line shown, for the position.
    bottom: Option<usize>,
}

impl Default for View {
    fn default() -> Self {
        View {
            follow: true,
            top: Anchor::default(),
            offset: 0,
            width: 0,
            seen: 0,
            column: 0,
            bottom: None,
        }
    }
}

impl View {
    /// A view following the end.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// True while the newest rows are shown as they come.
    pub(crate) fn follows(&self) -> bool {
        self.follow
    }

    /// Lines that arrived since the view paused.
    pub(crate) fn new_lines(&self, history: &History) -> usize {
        if self.follow {
            0
        } else {
            history.len().saturating_sub(self.seen)
        }
    }

    /// The last line shown (1-based among the lines shown) and the count
    /// of lines, for the position in the status bar.
    pub(crate) fn position(&self, lines: &Lines) -> Option<(usize, usize)> {
        self.bottom.map(|line| lines.rank(line))
    }

    /// The last line on screen, as last drawn.
    pub(crate) fn bottom(&self) -> Option<usize> {
        self.bottom
    }

    /// The top row of the screen (as last drawn, when following).
    pub(crate) fn top(&self) -> Anchor {
        self.top
    }

    /// Stops following, the rows as last drawn staying on screen (Ctrl-C,
    /// as in less).
    pub(crate) fn pause(&mut self, history: &History) {
        if self.follow {
            self.follow = false;
            self.seen = history.len();
        }
    }

    /// Follows the end again (End, `G`).
    pub(crate) fn follow(&mut self) {
        self.follow = true;
    }

    /// The first row of the first line (Home, `g`).
    pub(crate) fn home(&mut self, lines: &Lines) {
        self.pause(lines.history);
        if let Some(first) = lines.first() {
            self.top = Anchor {
                line: first,
                row: 0,
            };
            self.offset = 0;
            self.width = 0;
        }
    }

    /// The lines are laid out anew at the same width (line numbers, wrap
    /// or chop toggled): the text at the top stays at the top, as after a
    /// resize.
    pub(crate) fn relayout(&mut self) {
        if self.width != 0 {
            // No cache has this width: the next frame maps the top again.
            self.width = usize::MAX;
        }
    }

    /// The lines on screen go by other ids now (a file's lines named by
    /// their offset, once indexed): the same text stays where it is.
    pub(crate) fn renumber(&mut self, id: impl Fn(usize) -> usize) {
        self.top.line = id(self.top.line);
        self.bottom = self.bottom.map(id);
    }

    /// Line `line` at the top (a search's match), paused.
    pub(crate) fn jump(&mut self, line: usize, history: &History) {
        self.pause(history);
        self.top = Anchor { line, row: 0 };
        self.offset = 0;
        self.width = 0;
    }

    /// Up `n` rows; the view pauses, even at the top.
    pub(crate) fn up(&mut self, n: usize, lines: &Lines, cache: &mut RowCache, height: usize) {
        self.settle(lines, cache);
        if self.follow {
            self.top = tail(lines, cache, height);
        }
        self.pause(lines.history);
        let mut top = self.valid(lines, cache);
        let mut n = n;
        while n > 0 {
            if top.row >= n {
                top.row -= n;
                break;
            }
            n -= top.row + 1;
            match lines.prev(top.line) {
                Some(line) => {
                    top = Anchor {
                        line,
                        row: cache.count(lines.history, line).saturating_sub(1),
                    };
                }
                None => {
                    top.row = 0;
                    break;
                }
            }
        }
        self.top = top;
        self.anchor(lines, cache);
    }

    /// Down `n` rows; reaching the end follows it again.
    pub(crate) fn down(&mut self, n: usize, lines: &Lines, cache: &mut RowCache, height: usize) {
        if self.follow {
            return;
        }
        self.settle(lines, cache);
        let mut top = self.valid(lines, cache);
        let mut n = n;
        while n > 0 {
            let count = cache.count(lines.history, top.line);
            if top.row + n < count {
                top.row += n;
                break;
            }
            n -= count - top.row;
            match lines.next(top.line) {
                Some(line) => top = Anchor { line, row: 0 },
                None => {
                    top.row = count.saturating_sub(1);
                    break;
                }
            }
        }
        self.top = top;
        self.anchor(lines, cache);
        if self.top >= tail(lines, cache, height) {
            self.follow = true;
        }
    }

    /// Brings the top to the cache's width: after a resize, the row that
    /// holds the text that was at the top. Row 0 needs no mapping (a width
    /// of 0 says so).
    fn settle(&mut self, lines: &Lines, cache: &mut RowCache) {
        let width = cache.width();
        if self.width != width {
            if !self.follow && self.width != 0 && lines.contains(self.top.line) {
                self.top.row = cache.row_of(lines.history, self.top.line, self.offset);
            }
            self.width = width;
        }
    }

    /// Records where the top row starts in its line's text.
    fn anchor(&mut self, lines: &Lines, cache: &mut RowCache) {
        if lines.contains(self.top.line) {
            self.offset = cache.start_of(lines.history, self.top.line, self.top.row);
        }
    }

    /// The top, moved onto a line the view shows (a cap or a filter may
    /// have taken its own) and a row it has.
    fn valid(&self, lines: &Lines, cache: &mut RowCache) -> Anchor {
        match lines.at_or_after(self.top.line) {
            Some(line) if line == self.top.line => Anchor {
                line,
                row: self
                    .top
                    .row
                    .min(cache.count(lines.history, line).saturating_sub(1)),
            },
            Some(line) => Anchor { line, row: 0 },
            None => lines
                .last()
                .map_or_else(Anchor::default, |line| Anchor { line, row: 0 }),
        }
    }

    /// The rows of the screen: `height` rows from the top (the newest
    /// rows when following; never past the end when paused). The cache is
    /// prepared for the width; a new width keeps the top's text at the top.
    pub(crate) fn rows(&mut self, lines: &Lines, cache: &mut RowCache, height: usize) -> Vec<Row> {
        let history = lines.history;
        self.settle(lines, cache);
        let end = tail(lines, cache, height);
        if self.follow {
            self.top = end;
        } else {
            self.top = self.valid(lines, cache).min(end);
        }
        let mut rows = Vec::with_capacity(height);
        let mut at = lines.contains(self.top.line).then_some(self.top);
        self.bottom = None;
        while let Some(Anchor { line, row }) = at {
            let count = cache.count(history, line);
            for i in row..count {
                if rows.len() == height {
                    break;
                }
                rows.push(cache.row(history, line, i, self.column));
            }
            self.bottom = Some(line);
            if rows.len() == height {
                break;
            }
            at = lines.next(line).map(|line| Anchor { line, row: 0 });
        }
        self.anchor(lines, cache);
        let (from, to) = (self.top.line, self.bottom.unwrap_or(self.top.line));
        // The newest whole line stays laid out too: a partial line after
        // it may hide it now, and give way to it later.
        let newest = history.len().wrapping_sub(1);
        cache.retain(|id| (id >= from && id <= to) || id == newest);
        rows
    }
}

/// The top row of the last screenful: `height` rows up from the end.
fn tail(lines: &Lines, cache: &mut RowCache, height: usize) -> Anchor {
    let Some(mut line) = lines.last() else {
        return Anchor::default();
    };
    let mut rows = 0;
    loop {
        let count = cache.count(lines.history, line);
        rows += count;
        if rows >= height {
            return Anchor {
                line,
                row: rows - height,
            };
        }
        match lines.prev(line) {
            Some(prev) => line = prev,
            None => return Anchor { line, row: 0 },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Look;

    fn history(n: usize) -> History {
        let mut h = History::new();
        for i in 0..n {
            h.push(format!("line {i}").as_bytes());
        }
        h
    }

    fn texts(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.text.as_str()).collect()
    }

    fn cache(width: usize) -> RowCache {
        let mut cache = RowCache::new();
        cache.prepare(width, Look::default(), None);
        cache
    }

    #[test]
    fn following_shows_the_newest_rows() {
        let h = history(10);
        let lines = Lines::new(&h, None);
        let mut view = View::new();
        let rows = view.rows(&lines, &mut cache(80), 3);
        assert_eq!(texts(&rows), ["line 7", "line 8", "line 9"]);
        assert_eq!(view.position(&lines), Some((10, 10)));
    }

    #[test]
    fn moves_are_by_rows_and_stop_at_the_ends() {
        let mut h = History::new();
        for line in ["a1 a2", "b", "c1 c2 c3", "d", "e", "f"] {
            h.push(line.as_bytes());
        }
        let lines = Lines::new(&h, None);
        let mut cache = cache(2);
        let mut view = View::new();
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), ["d", "e", "f"]);
        view.up(3, &lines, &mut cache, 3);
        assert!(!view.follows());
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), ["c1", "c2", "c3"]);
        view.up(1, &lines, &mut cache, 3);
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), ["b", "c1", "c2"]);
        view.up(100, &lines, &mut cache, 3);
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), ["a1", "a2", "b"]);
        view.down(2, &lines, &mut cache, 3);
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), ["b", "c1", "c2"]);
        assert!(!view.follows());
        view.down(100, &lines, &mut cache, 3);
        assert!(view.follows(), "reaching the end follows again");
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), ["d", "e", "f"]);
    }

    #[test]
    fn a_paused_view_does_not_move_and_counts_new_lines() {
        let mut h = history(10);
        let mut cache = cache(80);
        let mut view = View::new();
        view.rows(&Lines::new(&h, None), &mut cache, 3);
        view.up(2, &Lines::new(&h, None), &mut cache, 3);
        let before = texts(&view.rows(&Lines::new(&h, None), &mut cache, 3))
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>();
        for i in 10..15 {
            h.push(format!("line {i}").as_bytes());
        }
        let lines = Lines::new(&h, None);
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), before);
        assert_eq!(view.new_lines(&h), 5);
        view.follow();
        assert_eq!(view.new_lines(&h), 0);
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 3)),
            ["line 12", "line 13", "line 14"]
        );
    }

    #[test]
    fn home_and_end_are_the_first_row_and_following() {
        let h = history(10_000);
        let lines = Lines::new(&h, None);
        let mut cache = cache(80);
        let mut view = View::new();
        view.home(&lines);
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 2)),
            ["line 0", "line 1"]
        );
        assert_eq!(view.position(&lines), Some((2, 10_000)));
        view.follow();
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 2)),
            ["line 9998", "line 9999"]
        );
    }

    #[test]
    fn a_resize_keeps_the_top_text_at_the_top() {
        let mut h = History::new();
        h.push(b"first");
        h.push(b"aaaa bbbb cccc dddd eeee ffff");
        for i in 0..10 {
            h.push(format!("tail {i}").as_bytes());
        }
        let lines = Lines::new(&h, None);
        let mut cache = cache(10);
        let mut view = View::new();
        view.jump(1, &h);
        view.down(2, &lines, &mut cache, 3);
        // At 10 columns the long line is "aaaa bbbb", "cccc dddd", "eeee ffff".
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 3)),
            ["eeee ffff", "tail 0", "tail 1"]
        );
        cache.prepare(5, Look::default(), None);
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 3)),
            ["eeee", "ffff", "tail"]
        );
        cache.prepare(80, Look::default(), None);
        // The whole line is one row now: its row is the top.
        assert_eq!(
            view.rows(&lines, &mut cache, 3)[0].text,
            "aaaa bbbb cccc dddd eeee ffff"
        );
    }

    #[test]
    fn a_filter_shows_only_its_lines_and_moves_over_them() {
        let h = history(100);
        let kept: Vec<usize> = (0..100).filter(|i| i % 10 == 3).collect();
        let lines = Lines::new(&h, Some(&kept));
        let mut cache = cache(80);
        let mut view = View::new();
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 2)),
            ["line 83", "line 93"]
        );
        view.up(1, &lines, &mut cache, 2);
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 2)),
            ["line 73", "line 83"]
        );
        assert_eq!(view.position(&lines), Some((9, 10)));
        view.home(&lines);
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 2)),
            ["line 3", "line 13"]
        );
    }

    #[test]
    fn lines_dropped_by_a_cap_move_the_top_onto_the_first_kept() {
        let mut h = History::with_max_lines(50);
        for i in 0..40 {
            h.push(format!("line {i}").as_bytes());
        }
        let mut cache = cache(80);
        let mut view = View::new();
        view.home(&Lines::new(&h, None));
        for i in 40..100_000 {
            h.push(format!("line {i}").as_bytes());
        }
        let lines = Lines::new(&h, None);
        let rows = view.rows(&lines, &mut cache, 2);
        assert_eq!(rows[0].text, format!("line {}", h.first()));
    }

    /// Issue 20: `g` on a file being indexed showed the earliest line
    /// indexed then, and stayed on it once the index reached the start.
    #[test]
    fn home_on_a_file_being_indexed_shows_its_start_and_stays_there() {
        use std::io::Write;
        let text: String = (0..100_000).map(|i| format!("line {i:06}\n")).collect();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        let h = History::in_place(file, text.len() as u64, None).unwrap();
        assert!(h.indexing());
        let lines = Lines::new(&h, None);
        let mut cache = cache(80);
        let mut view = View::new();
        view.rows(&lines, &mut cache, 3);
        view.home(&lines);
        assert_eq!(
            texts(&view.rows(&lines, &mut cache, 3)),
            ["line 000000", "line 000001", "line 000002"]
        );
        view.down(1000, &lines, &mut cache, 3);
        view.up(2, &lines, &mut cache, 3);
        let want = ["line 000998", "line 000999", "line 001000"];
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), want);
        // Indexed to the start: the same lines, by their own ids now.
        let progress = h.progress().unwrap();
        h.start_indexing().unwrap();
        while h.indexing() {
            let _ = progress.recv();
        }
        view.renumber(|id| h.settle(id));
        assert_eq!(view.top().line, h.first() + 998);
        assert_eq!(texts(&view.rows(&lines, &mut cache, 3)), want);
    }

    #[test]
    fn an_empty_history_has_no_rows_and_moves_do_nothing() {
        let h = History::new();
        let lines = Lines::new(&h, None);
        let mut cache = cache(80);
        let mut view = View::new();
        view.up(3, &lines, &mut cache, 5);
        view.down(3, &lines, &mut cache, 5);
        view.home(&lines);
        assert!(view.rows(&lines, &mut cache, 5).is_empty());
        assert_eq!(view.position(&lines), None);
    }
}
