//! The display's keys: a key becomes an update of the viewer's state
//! (`crate::view`) or of the search and filter (`find`), and a running
//! search or filter advances in slices between events, so a long one shows
//! progress and stays cancellable.

use std::time::{Duration, Instant};

use super::Front;
use super::tui::Tui;
use crate::Level;
use crate::options::{Config, StopReason, Wrap};
use crate::render::content_rows;
use crate::search::{
    Drawn, Filter, LevelSearch, MAX_PATTERN, Pattern, Progress, Search, Step, Term,
};
use crate::view::keys::{self, Action, Amount, Input, Prompt};
use crate::view::prompt::{Edit, Typing};
use crate::view::{Lines, help};

/// How long one slice of a search or filter runs before the loop looks at
/// keys and draws again.
const SLICE: Duration = Duration::from_millis(8);

impl Tui {
    /// Handles a key or other input event. Returns a reason to stop.
    pub(super) fn on_event(&mut self, config: &Config, input: Input) -> Option<StopReason> {
        let key = match input {
            Input::Resize => {
                self.resized();
                return None;
            }
            Input::Key(key) => key,
        };
        let action = keys::action(self.find.mode(), key)?;
        self.dirty = true;
        if !matches!(action, Action::Repaint) {
            self.find.message = None;
            self.find.matched = false;
        }
        if self.scroll_help(action) {
            return None;
        }
        if let Action::Digit(d) = action {
            // Capped well past any line count: never an overflow.
            let count = self.find.count.unwrap_or(0).saturating_mul(10) + usize::from(d);
            self.find.count = Some(count.min(1 << 48));
            self.find.message = Some(format!("count {}", count.min(1 << 48)));
            return None;
        }
        let count = self.find.count.take();
        if action == Action::Interrupt {
            // The key, where the terminal sends no signal: after all.
            return self.interrupted(config, usize::MAX);
        }
        let (width, height) = self.size;
        let page = content_rows(height);
        // What `m`, `'` or `:` began, for the letter after it.
        let pending = match action {
            Action::Letter(_) => self.find.pending.take(),
            _ => None,
        };
        let look = self.look(config);
        let lines = Lines::new(&self.history, self.find.filtered());
        let cache = &mut self.cache;
        cache.prepare(usize::from(width), look, self.find.highlight.as_ref());
        let view = &mut self.view;
        let rows = |amount| match amount {
            Amount::Rows(n) => n,
            Amount::Page => page.max(1),
            Amount::HalfPage => (page / 2).max(1),
        };
        let times = count.unwrap_or(1).max(1);
        match action {
            Action::Quit => return Some(StopReason::Quit),
            Action::Interrupt => {}
            Action::Repaint => self.repaint(),
            Action::Up(amount) => view.up(rows(amount).saturating_mul(times), &lines, cache, page),
            Action::Down(amount) => {
                view.down(rows(amount).saturating_mul(times), &lines, cache, page);
            }
            // `100g`, `100G`: line 100 of the file (the next shown, under
            // a filter), as in less; `50%`: that far in (see `jump`).
            Action::Top | Action::Bottom if count.is_some() => self.goto_line(times),
            Action::Top => view.home(&lines),
            Action::Bottom => view.follow(),
            Action::Percent => self.goto_percent(count.unwrap_or(0)),
            Action::Mark => self.find.pending = Some('m'),
            Action::GoMark => self.find.pending = Some('\''),
            Action::Colon => self.find.pending = Some(':'),
            Action::Dash => self.find.pending = Some('-'),
            Action::Letter(c) => match pending {
                Some('-') => self.toggle(config, c),
                Some(':') => {
                    let top = view.top().line;
                    let current = self.sources.partition_point(|&(first, _)| first <= top);
                    let wanted = match c {
                        'n' => Some(current),
                        'p' => current.checked_sub(2),
                        'x' => Some(0),
                        _ => None,
                    };
                    let start = wanted.and_then(|i| self.sources.get(i)).map(|s| s.0);
                    match start.and_then(|first| lines.at_or_after(first)) {
                        Some(line) if self.sources.len() > 1 => {
                            self.find.before_jump = Some(top);
                            view.jump(line, &self.history);
                        }
                        _ => {
                            self.find.message = Some(match c {
                                'n' => "no next file".to_owned(),
                                'p' => "no previous file".to_owned(),
                                'x' => "one file only".to_owned(),
                                _ => format!("no command :{c} (:n :p :x)"),
                            });
                        }
                    }
                }
                Some('m') => {
                    self.find.marks.insert(c, view.top().line);
                    self.find.message = Some(format!("mark {c} set"));
                }
                _ => {
                    let target = match c {
                        '\'' => self.find.before_jump,
                        _ => self.find.marks.get(&c).copied(),
                    };
                    match target {
                        Some(line) => {
                            self.find.before_jump = Some(view.top().line);
                            view.jump(line, &self.history);
                        }
                        None => self.find.message = Some(format!("no mark {c}")),
                    }
                }
            },
            Action::Digit(_) => {}
            Action::Left | Action::Right if self.wrap == Wrap::None => {
                let step = (usize::from(width) / 2).max(1);
                view.column = match action {
                    Action::Left => view.column.saturating_sub(step),
                    _ => view.column + step,
                };
            }
            Action::Left | Action::Right => {}
            Action::Open(prompt) => self.find.prompt = Some(Typing::new(prompt)),
            Action::Type(c) => {
                // One character past the bound is kept, so the prompt says
                // the pattern is too long and Enter refuses it; the rest of
                // a paste is dropped, never held or drawn.
                if let Some(typing) = &mut self.find.prompt
                    && typing.line.text().len() <= MAX_PATTERN
                {
                    typing.line.insert(c);
                }
            }
            Action::Edit(edit) => {
                if let Some(typing) = &mut self.find.prompt {
                    if edit == Edit::Backspace && typing.line.text().is_empty() {
                        // Erasing an empty prompt closes it, as in less.
                        self.find.prompt = None;
                    } else {
                        typing.line.apply(edit);
                    }
                }
            }
            Action::Older => {
                if let Some(typing) = &mut self.find.prompt {
                    typing.older(&self.find.entered);
                }
            }
            Action::Newer => {
                if let Some(typing) = &mut self.find.prompt {
                    typing.newer(&self.find.entered);
                }
            }
            Action::Submit => {
                if let Some(typing) = self.find.prompt.take() {
                    let text = typing.line.text();
                    self.find.entered.push(text);
                    self.submit(typing.prompt, text);
                }
            }
            Action::Cancel => {
                self.find.pending = None;
                self.cancel();
            }
            Action::Next => self.repeat(false),
            Action::Previous => self.repeat(true),
            Action::MinLevel(raise) => self.step_level(raise),
            Action::Raw => {
                self.raw = !self.raw;
                // A search and a filter match what is shown.
                self.refilter();
                self.find.message = Some(
                    if self.raw {
                        "JSON and logfmt records as received (J: readable)"
                    } else {
                        "JSON and logfmt records readable (J: as received)"
                    }
                    .to_owned(),
                );
            }
            Action::Level(min, backward) => {
                // From the line after the top one (the record found goes
                // to the top, as a match does), or back from the top.
                let top = self.view.top().line;
                let from = if backward { top } else { top + 1 };
                self.find.running = None;
                self.find.level = Some(LevelSearch::new(min, from, backward));
            }
            Action::Help => self.find.help = Some(0),
        }
        None
    }

    /// Ctrl-C (SIGINT, or the key where the terminal sends no signal)
    /// that cancelled nothing. With a keyboard and
    /// [`ctrl_c_keeps_view`](crate::Builder::ctrl_c_keeps_view), it does
    /// what it does in less: the view stops following and stays (the
    /// producers of a pipeline got the terminal's SIGINT too), and `q`
    /// quits. Else it stops the display. `count`: the
    /// [`interrupts`](crate::signals::interrupts) it came with; a notice
    /// said since (the ends of the commands it interrupted, taken from the
    /// queue before it) is newer and stays.
    pub(super) fn interrupted(&mut self, config: &Config, count: usize) -> Option<StopReason> {
        if !(config.ctrl_c_keeps_view && config.interactive && self.input.is_some()) {
            return Some(StopReason::Interrupt);
        }
        self.view.pause(&self.history);
        if self.notice_at.is_none_or(|said| said < count) {
            self.find.message = Some("interrupted: not following (F follows); q quits".to_owned());
        }
        self.dirty = true;
        None
    }

    /// Up, Down, Top and Bottom scroll the help while it is shown; false
    /// for any other action, or with no help shown.
    fn scroll_help(&mut self, action: Action) -> bool {
        let Some(top) = self.find.help else {
            return false;
        };
        let (width, height) = self.size;
        let page = content_rows(height).max(1);
        let rows = help::rows(usize::from(width)).len();
        // From where it is drawn, after a resize too.
        let top = help::clamp(top, rows, page);
        let by = |amount| match amount {
            Amount::Rows(n) => n,
            Amount::Page => page,
            Amount::HalfPage => (page / 2).max(1),
        };
        let top = match action {
            Action::Up(amount) => top.saturating_sub(by(amount)),
            Action::Down(amount) => top.saturating_add(by(amount)),
            Action::Top => 0,
            Action::Bottom => usize::MAX,
            _ => return false,
        };
        self.find.help = Some(help::clamp(top, rows, page));
        true
    }

    /// Cancels what is under way (a prompt, a search, a filter still
    /// checking, the help); false when there was nothing to cancel.
    pub(super) fn cancel(&mut self) -> bool {
        let busy = self.cancel_goal();
        let find = &mut self.find;
        let busy = busy || find.prompt.is_some() || find.help.is_some() || find.busy();
        if find.running.take().is_some() || find.level.take().is_some() {
            find.message = Some("search cancelled".to_owned());
        }
        if find.filtering {
            // What was checked stays filtered; new lines are checked as
            // they come.
            find.filtering = false;
            find.message = Some("filter stopped".to_owned());
        }
        find.prompt = None;
        find.help = None;
        self.dirty = true;
        busy
    }

    /// A prompt was entered: search, or set the filter.
    fn submit(&mut self, prompt: Prompt, text: &str) {
        if prompt == Prompt::Filter {
            self.filter_by(text);
            return;
        }
        if text.is_empty() {
            // An empty pattern repeats the last search, as in less.
            self.repeat(false);
            return;
        }
        let pattern = match Pattern::with_case(text, self.find.case) {
            Ok(pattern) => pattern,
            Err(error) => {
                self.find.message = Some(error);
                return;
            }
        };
        match prompt {
            Prompt::Filter => unreachable!("filters are set above"),
            Prompt::Forward | Prompt::Backward => {
                let backward = prompt == Prompt::Backward;
                self.find.last = Some((pattern, backward));
                self.find.found = None;
                self.find.recount();
                self.start_search(false);
            }
        }
        self.find.highlight();
    }

    /// `&text`: `&pattern` narrows the filter to lines that match too,
    /// `&!pattern` to lines that do not; `&` alone drops the last one,
    /// `&*` all of them.
    fn filter_by(&mut self, text: &str) {
        let mut terms = self
            .find
            .filter
            .as_ref()
            .map(|f| f.terms().to_vec())
            .unwrap_or_default();
        match text {
            "" => {
                terms.pop();
            }
            "*" => terms.clear(),
            _ => {
                let (negated, text) = match text.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, text),
                };
                if text.is_empty() {
                    self.find.message = Some("&! needs a pattern to leave out".to_owned());
                    return;
                }
                match Pattern::with_case(text, self.find.case) {
                    Ok(pattern) => terms.push(Term { pattern, negated }),
                    Err(error) => {
                        self.find.message = Some(error);
                        return;
                    }
                }
            }
        }
        self.find.set_filter(terms);
        self.find.highlight();
    }

    /// `L` (`raise`) and `l`: the least level a record must have to be
    /// shown, one class up or down (composed with the `&` filter).
    fn step_level(&mut self, raise: bool) {
        const STEPS: [Option<Level>; 5] = [
            None,
            Some(Level::Debug),
            Some(Level::Info),
            Some(Level::Warn),
            Some(Level::Error),
        ];
        let at = STEPS
            .iter()
            .position(|&s| s == self.find.min_level)
            .unwrap_or(0);
        let at = if raise {
            (at + 1).min(STEPS.len() - 1)
        } else {
            at.saturating_sub(1)
        };
        self.find.min_level = STEPS[at];
        let terms = self
            .find
            .filter
            .as_ref()
            .map(|f| f.terms().to_vec())
            .unwrap_or_default();
        self.find.set_filter(terms);
        self.find.message = Some(match self.find.min_level {
            Some(level) => format!(
                "showing records at {} or worse (l lowers, L raises)",
                level.name()
            ),
            None => "showing records at every level".to_owned(),
        });
    }

    /// `n` (or `N`, `reverse`): the last search again, from its match.
    fn repeat(&mut self, reverse: bool) {
        if self.find.last.is_none() {
            self.find.message = Some("no previous search".to_owned());
            return;
        }
        self.start_search(reverse);
    }

    /// Starts the last search: from its last match, or from the screen
    /// (forward after the top line, backward before the bottom one).
    fn start_search(&mut self, reverse: bool) {
        let Some((pattern, backward)) = self.find.last.clone() else {
            return;
        };
        let backward = backward != reverse;
        let top = self.view.top().line;
        let from = match (self.find.found, backward) {
            (Some(line), false) => line + 1,
            (Some(line), true) => line,
            (None, false) => top + 1,
            (None, true) => self
                .view
                .bottom()
                .map_or(self.history.len(), |line| line + 1),
        };
        self.find.running = Some(Search::new(pattern, from, backward));
    }

    /// One slice of the running search or filter.
    pub(super) fn work(&mut self, config: &Config) {
        let text = config.text;
        if self.find.level.is_some() {
            self.work_level(config);
            return;
        }
        let look = self.look(config);
        let mut drawn = Drawn {
            formats: self.cache.formats(),
            headed: look.headed,
            readable: look.readable(),
        };
        let find = &mut self.find;
        if let Some(search) = &mut find.running {
            self.dirty = true;
            match search.step(&self.history, text, SLICE, &mut drawn) {
                Step::Found(line) => {
                    let lines = Lines::new(&self.history, find.filtered());
                    // With a filter on, only its lines can be shown.
                    if lines.contains(line) {
                        find.running = None;
                        find.found = Some(line);
                        find.message = None;
                        find.matched = true;
                        find.before_jump = Some(self.view.top().line);
                        self.view.jump(line, &self.history);
                    }
                }
                Step::NotFound => {
                    let pattern = search.pattern().as_str().to_owned();
                    find.running = None;
                    find.message = Some(if self.history.indexing() {
                        format!("pattern not found in the lines read so far: {pattern}")
                    } else {
                        format!("pattern not found: {pattern}")
                    });
                }
                Step::Pending { done } => {
                    find.message = Some(format!(
                        "searching… {}% (Esc cancels)",
                        (done * 100.0) as u32
                    ));
                }
            }
            return;
        }
        if find.filtering
            && let Some(filter) = &mut find.filter
        {
            self.dirty = true;
            match filter.extend(&self.history, text, SLICE, &mut drawn) {
                Progress::Done => {
                    find.filtering = false;
                    find.message = filter
                        .matches()
                        .is_empty()
                        .then(|| format!("no line matches {}", filter.described()));
                }
                Progress::Pending { done } => {
                    find.message = Some(format!(
                        "filtering… {}% (Esc cancels)",
                        (done * 100.0) as u32
                    ));
                }
            }
            return;
        }
        // Last, as nothing waits for it: the count of the search's
        // matches, for "match 3 of 17".
        if let Some(tally) = &mut find.tally
            && tally.pending()
        {
            tally.step(&self.history, text, SLICE, &mut drawn);
            self.dirty |= find.matched;
        }
    }

    /// When the error and warning records left to count are counted: once
    /// the input has been quiet a while, or a slice at a pace while it
    /// pours in (as compaction is), with no search or filter under way, so
    /// that lines pouring in hardly wait for the count.
    pub(super) fn levels_due(&self) -> Option<Instant> {
        let pending = self
            .find
            .levels
            .as_ref()
            .is_some_and(|tally| tally.pending(&self.history));
        (pending && !self.find.busy()).then(|| self.quiet_since(self.last_count))
    }

    /// One slice of the count of error and warning records.
    pub(super) fn count_levels(&mut self, config: &Config) {
        let headed = config.look().headed;
        if let Some(tally) = &mut self.find.levels {
            tally.step(&self.history, self.cache.formats(), headed, SLICE);
            self.last_count = Instant::now();
            self.dirty = true;
        }
    }

    /// One slice of `e`, `w` and the others.
    fn work_level(&mut self, config: &Config) {
        let Some(search) = &mut self.find.level else {
            return;
        };
        self.dirty = true;
        let headed = config.look().headed;
        let formats = self.cache.formats();
        let (min, backward) = (search.min(), search.backward());
        let class = match min {
            Level::Error => "error",
            _ => "warning",
        };
        match search.step(&self.history, formats, headed, SLICE) {
            Step::Found(line) => {
                let lines = Lines::new(&self.history, self.find.filtered());
                if lines.contains(line) {
                    self.find.level = None;
                    self.find.message = None;
                    self.find.before_jump = Some(self.view.top().line);
                    self.view.jump(line, &self.history);
                }
            }
            Step::NotFound => {
                self.find.level = None;
                let side = if backward { "before" } else { "after" };
                let so_far = if self.history.indexing() {
                    " in the lines read so far"
                } else {
                    ""
                };
                self.find.message = Some(format!("no {class} record {side} this{so_far}"));
            }
            Step::Pending { done } => {
                self.find.message = Some(format!(
                    "looking for the {} {class}… {}% (Esc cancels)",
                    if backward { "previous" } else { "next" },
                    (done * 100.0) as u32
                ));
            }
        }
    }

    /// Checks every line held again for the filter (the lines before the
    /// first it knew of too).
    pub(super) fn refilter(&mut self) {
        if let Some(filter) = &self.find.filter {
            self.find.filter = Some(Filter::with_level(filter.terms().to_vec(), filter.level()));
            self.find.filtering = true;
            self.dirty = true;
        }
        if self.find.tally.is_some() {
            self.find.recount();
        }
    }
}
