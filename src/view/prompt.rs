//! The prompt's line editor, pure: the text typed at `/`, `?` or `&` with
//! a cursor in it, the edits less and readline users reach for (Left,
//! Right, Home, End, Backspace, Delete, Ctrl-U, Ctrl-W), the patterns
//! entered before (Up, Down), and which part of a long line a row of the
//! status bar shows so that the cursor is always in it.
//!
//! The cursor moves over whole grapheme clusters, so it never sits inside
//! an `é` written as `e` and a combining accent, and what is erased is what
//! the user sees go.

use std::collections::VecDeque;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use super::keys::Prompt;
use crate::layout::cluster_width;

/// How many patterns the prompt remembers for Up (less keeps 100 too).
pub(crate) const REMEMBERED: usize = 100;

/// An edit of the line, as a key asks for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edit {
    Left,
    Right,
    /// Home, Ctrl-A.
    Home,
    /// End, Ctrl-E.
    End,
    /// Erases the cluster before the cursor.
    Backspace,
    /// Erases the cluster at the cursor.
    Delete,
    /// Ctrl-U: erases from the start of the line to the cursor.
    KillToStart,
    /// Ctrl-W: erases the word before the cursor (and the spaces after
    /// it), as a shell does.
    KillWord,
}

/// A line being typed, and where the cursor is in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EditLine {
    text: String,
    /// How many chars are before the cursor.
    cursor: usize,
}

impl EditLine {
    /// The text typed so far.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// How many chars are before the cursor.
    #[cfg(test)]
    pub(crate) fn cursor(&self) -> usize {
        self.cursor
    }

    /// The cursor as a byte offset into [`text`](Self::text).
    pub(crate) fn cursor_byte(&self) -> usize {
        self.text
            .char_indices()
            .nth(self.cursor)
            .map_or(self.text.len(), |(at, _)| at)
    }

    /// Puts the cursor at byte `at` (a char boundary).
    fn move_to(&mut self, at: usize) {
        self.cursor = self.text[..at].chars().count();
    }

    /// Replaces the text, the cursor at its end (a pattern recalled).
    pub(crate) fn set(&mut self, text: &str) {
        text.clone_into(&mut self.text);
        self.cursor = self.text.chars().count();
    }

    /// Types `c` at the cursor.
    pub(crate) fn insert(&mut self, c: char) {
        let at = self.cursor_byte();
        self.text.insert(at, c);
        self.cursor += 1;
    }

    /// Where the cluster before the cursor starts (the cursor itself at
    /// the start).
    fn before(&self) -> usize {
        let at = self.cursor_byte();
        self.text[..at]
            .grapheme_indices(true)
            .next_back()
            .map_or(at, |(start, _)| start)
    }

    /// Where the cluster at the cursor ends (the cursor itself at the end).
    fn after(&self) -> usize {
        let at = self.cursor_byte();
        at + self.text[at..].graphemes(true).next().map_or(0, str::len)
    }

    /// Erases the bytes `range`, leaving the cursor at its start.
    fn erase(&mut self, range: Range<usize>) {
        let start = range.start;
        self.text.replace_range(range, "");
        self.move_to(start);
    }

    /// Applies `edit`.
    pub(crate) fn apply(&mut self, edit: Edit) {
        let at = self.cursor_byte();
        match edit {
            Edit::Left => self.move_to(self.before()),
            Edit::Right => self.move_to(self.after()),
            Edit::Home => self.cursor = 0,
            Edit::End => self.cursor = self.text.chars().count(),
            Edit::Backspace => self.erase(self.before()..at),
            Edit::Delete => self.erase(at..self.after()),
            Edit::KillToStart => self.erase(0..at),
            Edit::KillWord => {
                let head = &self.text[..at];
                let word_end = head.trim_end().len();
                let start = head[..word_end]
                    .rfind(char::is_whitespace)
                    .map_or(0, |space| {
                        space + head[space..].chars().next().map_or(1, char::len_utf8)
                    });
                self.erase(start..at);
            }
        }
    }
}

/// The patterns entered at the prompts in this run, oldest first. One
/// list for `/`, `?` and `&`, as less keeps one for its searches and
/// filters.
#[derive(Debug, Default)]
pub(crate) struct PromptHistory {
    entries: VecDeque<String>,
}

impl PromptHistory {
    /// Remembers `text`, entered: not when empty or the same as the last
    /// one; the oldest goes past [`REMEMBERED`].
    pub(crate) fn push(&mut self, text: &str) {
        if text.is_empty() || self.entries.back().is_some_and(|last| last == text) {
            return;
        }
        if self.entries.len() >= REMEMBERED {
            self.entries.pop_front();
        }
        self.entries.push_back(text.to_owned());
    }

    /// The entry `back` places before the newest (0: the newest).
    fn get(&self, back: usize) -> Option<&str> {
        let index = self.entries.len().checked_sub(back + 1)?;
        self.entries.get(index).map(String::as_str)
    }
}

/// A prompt open in the status bar: which one, its line, and where Up and
/// Down have got to in the history.
#[derive(Debug)]
pub(crate) struct Typing {
    pub(crate) prompt: Prompt,
    pub(crate) line: EditLine,
    /// The entry shown, counted back from the newest; `None`: the line
    /// being typed.
    back: Option<usize>,
    /// The line being typed, kept while older ones are shown.
    draft: String,
}

impl Typing {
    /// `prompt`, just opened: empty.
    pub(crate) fn new(prompt: Prompt) -> Self {
        Typing {
            prompt,
            line: EditLine::default(),
            back: None,
            draft: String::new(),
        }
    }

    /// Up: the entry before the one shown (the newest, from the line being
    /// typed); at the oldest, nothing changes.
    pub(crate) fn older(&mut self, history: &PromptHistory) {
        let back = self.back.map_or(0, |back| back + 1);
        let Some(entry) = history.get(back) else {
            return;
        };
        if self.back.is_none() {
            self.line.text().clone_into(&mut self.draft);
        }
        self.back = Some(back);
        self.line.set(entry);
    }

    /// Down: the entry after the one shown, and after the newest the line
    /// that was being typed.
    pub(crate) fn newer(&mut self, history: &PromptHistory) {
        match self.back {
            None => {}
            Some(0) => {
                self.back = None;
                let draft = std::mem::take(&mut self.draft);
                self.line.set(&draft);
            }
            Some(back) => {
                self.back = Some(back - 1);
                if let Some(entry) = history.get(back - 1) {
                    self.line.set(entry);
                }
            }
        }
    }
}

/// The part of a line a row shows, and where the cursor is in the row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// The bytes of the line shown.
    pub(crate) range: Range<usize>,
    /// Text is cut off before the range: the row starts with a mark.
    pub(crate) cut_start: bool,
    /// Text is cut off after the range: the row ends with a mark.
    pub(crate) cut_end: bool,
    /// The cursor's cell in the row, the start mark counted.
    pub(crate) column: usize,
}

/// Which part of `line` a row `width` cells wide shows, with the cursor
/// at byte `cursor` in it, measured in terminal cells (a wide character is
/// 2). A cell after the text is kept for the cursor at the end, and a cut
/// side takes a cell for its mark.
///
/// The whole line when it fits; else its start while the cursor is in
/// reach of it, its end while the cursor is in the end's reach (typing at
/// the end moves the text one cluster a key), and in between the half-row
/// page the cursor is in, so the text moves in steps, not at every key.
/// Costs the line's length once.
pub(crate) fn window(line: &str, cursor: usize, width: usize) -> Window {
    // Where each cluster starts, in bytes and in cells; one past the last
    // for the end.
    let mut starts = Vec::new();
    let mut cols = Vec::new();
    let mut col = 0;
    for (at, cluster) in line.grapheme_indices(true) {
        starts.push(at);
        cols.push(col);
        col += cluster_width(cluster);
    }
    starts.push(line.len());
    cols.push(col);
    let n = starts.len() - 1;
    // The cluster the cursor is on (the end: n); inside one, on it.
    let cursor = cursor.min(line.len());
    let mut k = starts.partition_point(|&at| at < cursor);
    if k > 0 && cursor < starts[k] {
        k -= 1;
    }
    let cursor_width = if k < n {
        (cols[k + 1] - cols[k]).max(1)
    } else {
        1
    };
    let total = cols[n] + 1;
    let shown = |s: usize, e: usize, cut_start: bool| Window {
        range: starts[s]..starts[e],
        cut_start,
        cut_end: e < n,
        column: usize::from(cut_start) + cols[k] - cols[s],
    };
    // The last cluster index at or after `s` whose start is within
    // `room` cells of `s`'s.
    let reach = |s: usize, room: usize| s + cols[s..].partition_point(|&c| c - cols[s] <= room) - 1;
    if total <= width {
        return shown(0, n, false);
    }
    // The start, a mark after it.
    if cols[k] + cursor_width < width {
        return shown(0, reach(0, width - 1), false);
    }
    // The end, a mark before it.
    let tail = cols.partition_point(|&c| c + width < cols[n] + 2);
    if k >= tail {
        return shown(tail, n, tail > 0);
    }
    // In between: marks on both sides.
    let room = width.saturating_sub(2);
    if room == 0 {
        // Not even a cell between the marks: the cursor alone.
        return Window {
            range: cursor..cursor,
            cut_start: false,
            cut_end: false,
            column: 0,
        };
    }
    let start = if room >= 4 {
        let page = room / 2;
        let from = cols[k] / page * page;
        cols.partition_point(|&c| c <= from) - 1
    } else {
        // Too narrow for pages: the cursor at the right edge.
        cols.partition_point(|&c| c + room < cols[k] + cursor_width)
            .min(k)
    };
    shown(start, reach(start, room), start > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, cursor: usize) -> EditLine {
        EditLine {
            text: text.to_owned(),
            cursor,
        }
    }

    #[test]
    fn edits_happen_at_the_cursor() {
        let cases: &[(&str, usize, Edit, &str, usize)] = &[
            ("abc", 3, Edit::Left, "abc", 2),
            ("abc", 0, Edit::Left, "abc", 0),
            ("abc", 1, Edit::Right, "abc", 2),
            ("abc", 3, Edit::Right, "abc", 3),
            ("abc", 2, Edit::Home, "abc", 0),
            ("abc", 0, Edit::End, "abc", 3),
            ("abc", 2, Edit::Backspace, "ac", 1),
            ("abc", 0, Edit::Backspace, "abc", 0),
            ("abc", 1, Edit::Delete, "ac", 1),
            ("abc", 3, Edit::Delete, "abc", 3),
            ("abc def", 5, Edit::KillToStart, "ef", 0),
            ("abc def", 0, Edit::KillToStart, "abc def", 0),
            // Ctrl-W: the word before the cursor and the spaces after it.
            ("foo bar baz", 11, Edit::KillWord, "foo bar ", 8),
            ("foo bar  ", 9, Edit::KillWord, "foo ", 4),
            ("foo bar baz", 6, Edit::KillWord, "foo r baz", 4),
            ("foo", 3, Edit::KillWord, "", 0),
            ("  ", 2, Edit::KillWord, "", 0),
            // By clusters: `e` and a combining acute are one.
            ("ae\u{301}b", 3, Edit::Left, "ae\u{301}b", 1),
            ("ae\u{301}b", 1, Edit::Right, "ae\u{301}b", 3),
            ("ae\u{301}b", 3, Edit::Backspace, "ab", 1),
            ("ae\u{301}b", 1, Edit::Delete, "ab", 1),
            ("日本語", 2, Edit::Backspace, "日語", 1),
            ("x 日本", 4, Edit::KillWord, "x ", 2),
        ];
        for &(text, cursor, edit, want, want_cursor) in cases {
            let mut l = line(text, cursor);
            l.apply(edit);
            assert_eq!(
                (l.text(), l.cursor()),
                (want, want_cursor),
                "{text:?} at {cursor}: {edit:?}"
            );
        }
    }

    #[test]
    fn typing_inserts_at_the_cursor() {
        let mut l = EditLine::default();
        for c in "L015".chars() {
            l.insert(c);
        }
        l.apply(Edit::Left);
        l.insert('x');
        assert_eq!(l.text(), "L01x5");
        assert_eq!(l.cursor(), 4);
        assert_eq!(l.cursor_byte(), 4);
        l.apply(Edit::Home);
        l.insert('日');
        assert_eq!(l.text(), "日L01x5");
        assert_eq!((l.cursor(), l.cursor_byte()), (1, 3));
        l.set("abc");
        assert_eq!((l.text(), l.cursor()), ("abc", 3));
    }

    #[test]
    fn up_and_down_walk_the_patterns_entered_and_come_back_to_the_draft() {
        let mut history = PromptHistory::default();
        for entered in ["one", "two", "two", "", "three"] {
            history.push(entered);
        }
        let mut typing = Typing::new(Prompt::Forward);
        typing.line.set("draf");
        typing.older(&history);
        assert_eq!(typing.line.text(), "three");
        typing.older(&history);
        assert_eq!(typing.line.text(), "two", "the repeat was not kept");
        typing.older(&history);
        assert_eq!(typing.line.text(), "one");
        typing.older(&history);
        assert_eq!(typing.line.text(), "one", "the oldest stays");
        typing.newer(&history);
        typing.newer(&history);
        assert_eq!(typing.line.text(), "three");
        typing.newer(&history);
        assert_eq!(typing.line.text(), "draf");
        assert_eq!(typing.line.cursor(), 4);
        typing.newer(&history);
        assert_eq!(typing.line.text(), "draf");
        // Nothing entered yet: Up does nothing.
        let mut fresh = Typing::new(Prompt::Filter);
        fresh.older(&PromptHistory::default());
        assert_eq!(fresh.line.text(), "");
    }

    #[test]
    fn the_history_is_bounded() {
        let mut history = PromptHistory::default();
        for i in 0..REMEMBERED + 10 {
            history.push(&i.to_string());
        }
        assert_eq!(history.entries.len(), REMEMBERED);
        assert_eq!(history.get(0), Some("109"));
        assert_eq!(history.get(REMEMBERED - 1), Some("10"));
        assert_eq!(history.get(REMEMBERED), None);
    }

    /// The row `window` gives, marks as `<` and `>`, and the cursor's cell.
    fn row(text: &str, cursor: usize, width: usize) -> (String, usize) {
        let w = window(text, cursor, width);
        let row = format!(
            "{}{}{}",
            if w.cut_start { "<" } else { "" },
            &text[w.range.clone()],
            if w.cut_end { ">" } else { "" }
        );
        assert!(crate::layout::width_of(&row) <= width, "{row:?} at {width}");
        assert!(w.column < width.max(1), "{w:?} at {width}");
        (row, w.column)
    }

    #[test]
    fn a_line_that_fits_is_shown_whole() {
        assert_eq!(row("abc", 1, 10), ("abc".to_owned(), 1));
        assert_eq!(row("abc", 3, 4), ("abc".to_owned(), 3));
        assert_eq!(row("", 0, 1), (String::new(), 0));
        assert_eq!(row("日本", 3, 5), ("日本".to_owned(), 2));
    }

    #[test]
    fn a_long_line_keeps_the_cursor_in_view() {
        let text = "abcdefghijklmnopqrst";
        // At the start: the start, cut at the end.
        assert_eq!(row(text, 0, 10), ("abcdefghi>".to_owned(), 0));
        assert_eq!(row(text, 8, 10), ("abcdefghi>".to_owned(), 8));
        // At the end: the end, and a cell for the cursor.
        assert_eq!(row(text, 20, 10), ("<mnopqrst".to_owned(), 9));
        assert_eq!(row(text, 12, 10), ("<mnopqrst".to_owned(), 1));
        // In between: the half-row page the cursor is in.
        assert_eq!(row(text, 9, 10), ("<ijklmnop>".to_owned(), 2));
        assert_eq!(row(text, 11, 10), ("<ijklmnop>".to_owned(), 4));
        // Inside a cluster (a ZWJ typed between two emoji joins them):
        // on it.
        assert_eq!(row("ab\u{1f468}\u{200d}\u{1f469}", 6, 10).1, 2);
        assert_eq!(row("abc", 7, 10).1, 3, "past the end: at the end");
        // Every cursor is in view, at every width.
        for width in 1..24 {
            for cursor in 0..=text.len() {
                let (shown, column) = row(text, cursor, width);
                let w = window(text, cursor, width);
                if width > 2 {
                    assert!(
                        w.range.contains(&cursor) || w.range.end == cursor,
                        "{shown:?}"
                    );
                }
                assert!(column < width, "{shown:?} {column}");
            }
        }
    }

    #[test]
    fn wide_characters_count_two_cells() {
        let text = "日本語のテキストです";
        let at = |chars: usize| text.char_indices().nth(chars).map_or(text.len(), |c| c.0);
        assert_eq!(row(text, at(0), 9), ("日本語の>".to_owned(), 0));
        assert_eq!(row(text, at(10), 9), ("<トです".to_owned(), 7));
        // キ, in between: its page, from テ.
        assert_eq!(row(text, at(5), 9), ("<テキス>".to_owned(), 3));
    }
}
