//! Jumps by line number and by percent (`100g`, `50%`), and what keeps
//! them true while a file read in place is still being indexed: a line
//! number not counted yet is counted forward from the file's start, a
//! slice at a time, and the jump waits for it ("counting lines…") rather
//! than landing elsewhere; lines shown by their byte offset get their own
//! ids as the index reaches them, on screen, in the marks and for `''`.

use std::time::{Duration, Instant};

use super::tui::Tui;
use crate::view::Lines;

/// How long counting lines for a jump may hold the loop at a time (at
/// the key, then at each tick of the index), so keys and frames go on.
const COUNTING: Duration = Duration::from_millis(8);

/// A jump to a line whose number is not known yet.
#[derive(Clone, Copy, Debug)]
pub(super) struct Goal {
    /// The line, 1-based.
    line: usize,
    /// The top line when it was asked for, `None` while following: once
    /// the view has moved elsewhere, the jump is dropped rather than
    /// pulling it back.
    top: Option<usize>,
}

impl Tui {
    /// `100g`, `100G`: line `n` of the input (the next shown, under a
    /// filter), as in less; past the last, the last. While the lines are
    /// still being counted, a jump that cannot be made at once waits for
    /// the count and says so.
    pub(super) fn goto_line(&mut self, n: usize) {
        self.goal = None;
        match self.history.line_id(n, Instant::now() + COUNTING) {
            Some(id) => self.land(id),
            None => {
                self.goal = Some(Goal {
                    line: n,
                    top: self.top_line(),
                });
                self.find.message = Some(counting(n));
            }
        }
        self.tell_read_error();
    }

    /// `50%`, `50p`: that far into the input. While a file is being
    /// indexed, by byte position (its lines are not all counted), the
    /// next line start from there; else by line.
    pub(super) fn goto_percent(&mut self, percent: usize) {
        let percent = percent.min(100);
        let id = self.history.at_percent(percent).unwrap_or_else(|| {
            let (first, len) = (self.history.first(), self.history.len());
            (first + (len - first) * percent / 100).min(len.saturating_sub(1))
        });
        self.goal = None;
        self.land(id);
        self.tell_read_error();
    }

    /// Line `id` (or the next one shown, or the last) at the top, the
    /// view before it kept for `''`.
    fn land(&mut self, id: usize) {
        let lines = Lines::new(&self.history, self.find.filtered());
        if let Some(line) = lines.at_or_after(id).or_else(|| lines.last()) {
            self.find.before_jump = Some(self.view.top().line);
            self.view.jump(line, &self.history);
        }
        self.dirty = true;
    }

    /// The index grew: lines named by their offset take their own ids,
    /// and a jump waiting for a line number counts on, or lands.
    pub(super) fn index_grew(&mut self) {
        let history = &self.history;
        let settle = |id: usize| history.settle(id);
        self.view.renumber(settle);
        for line in self.find.marks.values_mut() {
            *line = settle(*line);
        }
        self.find.before_jump = self.find.before_jump.map(settle);
        if let Some(goal) = &mut self.goal {
            goal.top = goal.top.map(settle);
        }
        if let Some(goal) = self.goal {
            if goal.top != self.top_line() {
                // Moved meanwhile: the jump is no longer wanted.
                self.goal = None;
            } else if let Some(id) = self.history.line_id(goal.line, Instant::now() + COUNTING) {
                self.goal = None;
                if self.find.message.as_deref() == Some(counting(goal.line).as_str()) {
                    self.find.message = None;
                }
                self.land(id);
            }
        }
        self.tell_read_error();
    }

    /// The top line, while the view is paused (following, it moves with
    /// the lines that come).
    fn top_line(&self) -> Option<usize> {
        (!self.view.follows()).then(|| self.view.top().line)
    }

    /// Cancels a jump waiting for its line to be counted (Esc, Ctrl-C);
    /// false when there was none.
    pub(super) fn cancel_goal(&mut self) -> bool {
        if self.goal.take().is_some() {
            self.find.message = Some("jump cancelled".to_owned());
            self.dirty = true;
            return true;
        }
        false
    }

    /// Says an error reading the file's lines in the status bar, as the
    /// index's own errors are.
    pub(super) fn tell_read_error(&mut self) {
        if let Some(error) = self.history.read_error() {
            let notice = format!("cannot read the file: {error}");
            self.say(crate::sanitize::visible(notice.as_bytes()).into_owned());
        }
    }
}

/// What the status bar says while line `n` is being counted.
fn counting(n: usize) -> String {
    format!("line {n}: counting lines… (Esc cancels)")
}
