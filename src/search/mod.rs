//! Pure: finding lines of the history by a pattern, for `/` and `?`
//! (forward and backward, `n`/`N` to repeat) and the `&` filter.
//!
//! A pattern matches what the user sees, the sanitized text of a line
//! ([`sanitize`](mod@crate::sanitize)): text inside an escape sequence never matches (`31m`),
//! text split by a colour change does (`foo\x1b[31mbar` for `foobar`),
//! controls match as their caret notation (`^G`) and tabs as spaces.
//!
//! Sanitizing a million lines would take seconds, so it is done only for
//! the lines it would change. The history is read a chunk at a time
//! ([`History::scan`]); in each run of lines, the few lines sanitizing
//! would change (a byte that is a control, DEL, or not ASCII; lines that
//! turn out to be valid UTF-8 without C1 controls are not among them) are
//! found with a vectorized byte scan and checked one by one, and every
//! other line is its own sanitized text, searched in place: one regex
//! search over the whole run (in multi-line mode), whose leftmost match is
//! mapped back to its line. That lets regex's literal prefilters (memchr,
//! Teddy) skip through 256 KiB at a time instead of being restarted on
//! every 130-byte line: measured on 1,000,000 compressed log lines
//! (130 MB), a backward search for a word near the start took 0.23 s with
//! one `is_match` per line and 0.08 s by runs, half of it decompressing
//! the history (`benches/search.rs`, on a busy 2-core machine).
//!
//! A match in a run can still cross a line end (`a\nb`, `(?s).`, `\s`) or
//! start in one line and be no match of that line alone; such a candidate
//! is checked on its line alone before it counts. Nothing is missed: a
//! match of a line alone is also a match in the run (`^` and `$` match at
//! line ends in multi-line mode; `\b` sees the `\n` as the non-word it sees
//! at the end of the text), so the leftmost match in the run never starts
//! after it. `\A` and `\z` are the exception, so a pattern with them is
//! matched line by line.
//!
//! This file owns the search and filter steps over the history; the
//! pattern and its run matcher are in `pattern`.

mod level;
mod pattern;

use std::ops::{ControlFlow, Range};
use std::time::{Duration, Instant};

use crate::Level;
use crate::history::History;
use crate::record::{self, Candidates, Format, Formats, Line, Quick, Read, Shape};
use crate::sanitize::Options;

pub(crate) use level::{LevelSearch, LevelTally};
pub(crate) use pattern::{Case, MAX_PATTERN, Pattern, TOO_LONG};

/// How the lines searched are drawn, so that a search and a filter match
/// what is shown: structured records (JSON, logfmt) drawn as readable
/// lines are matched as drawn (`time LEVEL message key=value`, a part at
/// a time), every other line as its sanitized text.
pub(crate) struct Drawn<'a> {
    /// The formats of the history's blocks, as the display learns them.
    pub(crate) formats: &'a mut Formats,
    /// Lines may start with reflow's header (not a file read in place).
    pub(crate) headed: bool,
    /// Structured records are drawn readable (`Look::readable`).
    pub(crate) readable: bool,
}

impl Drawn<'_> {
    /// Some line of `lines` (`run`) is drawn as a readable record: they
    /// are then matched one by one ([`matches`](Drawn::matches)), not as a
    /// run. Every JSON record holds a `{` and every logfmt one an `=`: a
    /// run with neither (most of a plain log) needs no format learned.
    fn any_readable(
        &mut self,
        history: &History,
        lines: std::ops::Range<usize>,
        run: &[u8],
    ) -> bool {
        if !self.readable
            || cfg!(not(feature = "viewer"))
            || memchr::memchr2(b'{', b'=', run).is_none()
        {
            return false;
        }
        let mut id = lines.start;
        while id < lines.end {
            if self
                .formats
                .any(history, self.headed, id, Format::structured)
            {
                return true;
            }
            id = self.formats.block_end(id);
        }
        false
    }

    /// Whether line `id` (`raw`, as held) matches `pattern` as drawn.
    fn matches(
        &mut self,
        history: &History,
        id: usize,
        raw: &[u8],
        pattern: &Pattern,
        options: Options,
    ) -> bool {
        #[cfg(feature = "viewer")]
        if self.readable {
            let format = self.formats.of_line(history, self.headed, id, raw);
            let own = crate::tag::split(raw, self.headed).1;
            if let Some(shown) = format.structured().then(|| format.shown(own)).flatten() {
                return shown.any_part(|part| pattern.is_match(part));
            }
        }
        let _ = (history, id);
        pattern.matches_line(raw, options)
    }
}

/// The lines of `run` (each ended by `\n`, the first of them line
/// `first`) with their ids.
fn each_line(first: usize, run: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    // memchr's search, not `split`'s byte at a time: a level filter reads
    // most lines of a log.
    let mut start = 0;
    (first..).map_while(move |id| {
        let rest = run.get(start..).filter(|rest| !rest.is_empty())?;
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        start += len + 1;
        Some((id, &rest[..len]))
    })
}

/// What a [`Search`] step came to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step {
    /// The next matching line, by id.
    Found(usize),
    /// No line matches in the direction searched.
    NotFound,
    /// The budget ran out first: call [`Search::step`] again. `done` is
    /// the fraction of the lines to search that was searched, for a
    /// progress display.
    Pending {
        /// From 0 to 1.
        done: f32,
    },
}

/// Where a search in steps stands, and the step that moves it on: from
/// a position between lines, forward (the lines from it on) or backward
/// (the lines before it). Lines are read as they are at each step: a
/// forward search also reaches lines that arrived meanwhile, lines dropped
/// by a cap are skipped. [`Search`] and [`LevelSearch`] differ only in
/// what they look for in each run of lines.
#[derive(Clone, Debug)]
struct Walk {
    backward: bool,
    /// Where the search began, for progress.
    origin: usize,
    /// Forward, the first line not searched yet; backward, one past it.
    next: usize,
}

impl Walk {
    /// A walk from position `from`, back when `backward`.
    fn new(from: usize, backward: bool) -> Walk {
        Walk {
            backward,
            origin: from,
            next: from,
        }
    }

    /// True when it goes back.
    fn backward(&self) -> bool {
        self.backward
    }

    /// Reads on for about `budget` (at least one run of the history, 256
    /// KiB, so every step gets somewhere), handing each run to `find`: its
    /// lines, its bytes, and the position this step began at. `find` gives
    /// the line it found there, if any (backward: the last of the run).
    /// After [`Step::Found`] the next step goes on past the line found.
    fn step(
        &mut self,
        history: &History,
        budget: Duration,
        mut find: impl FnMut(Range<usize>, &[u8], usize) -> Option<usize>,
    ) -> Step {
        let started = Instant::now();
        let (first, len) = (history.first(), history.len());
        self.next = self.next.clamp(first, len);
        let backward = self.backward;
        let lines = if backward {
            first..self.next
        } else {
            self.next..len
        };
        let from = self.next;
        let next = &mut self.next;
        let mut found = None;
        let _ = history.scan(lines, backward, |lines, run| {
            found = find(lines.clone(), run, from);
            if let Some(line) = found {
                *next = if backward { line } else { line + 1 };
                return ControlFlow::Break(());
            }
            *next = if backward { lines.start } else { lines.end };
            if started.elapsed() >= budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if let Some(line) = found {
            return Step::Found(line);
        }
        let (done, total) = if backward {
            if self.next <= first {
                return Step::NotFound;
            }
            (
                self.origin.saturating_sub(self.next),
                self.origin.saturating_sub(first),
            )
        } else {
            if self.next >= len {
                return Step::NotFound;
            }
            (
                self.next.saturating_sub(self.origin),
                len.saturating_sub(self.origin),
            )
        };
        Step::Pending {
            done: fraction(done, total),
        }
    }
}

/// A search through the history that runs in steps, so the display stays
/// responsive: the caller steps, reads keys, draws, steps again. It
/// searches from a position between lines, as a [`Walk`] goes.
#[derive(Clone, Debug)]
pub(crate) struct Search {
    pattern: Pattern,
    walk: Walk,
}

impl Search {
    /// A search for `pattern` from position `from` (see [`Walk`]); `n` is
    /// `Search::new(pattern, found + 1, false)` after a forward match and
    /// `Search::new(pattern, found, true)` after a backward one, or just
    /// another [`step`](Search::step) of the same search.
    pub(crate) fn new(pattern: Pattern, from: usize, backward: bool) -> Search {
        Search {
            pattern,
            walk: Walk::new(from, backward),
        }
    }

    /// The pattern searched for.
    pub(crate) fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Searches on for about `budget` (see [`Walk::step`]), matching
    /// each line as it is `drawn`.
    pub(crate) fn step(
        &mut self,
        history: &History,
        options: Options,
        budget: Duration,
        drawn: &mut Drawn,
    ) -> Step {
        let (pattern, backward) = (&self.pattern, self.walk.backward());
        self.walk.step(history, budget, |lines, run, _| {
            let mut found = None;
            if drawn.any_readable(history, lines.clone(), run) {
                for (id, line) in each_line(lines.start, run) {
                    if drawn.matches(history, id, line, pattern, options) {
                        found = Some(id);
                        if !backward {
                            break;
                        }
                    }
                }
                return found;
            }
            // Backward, the last match of the run: all of it is searched
            // anyway.
            let _ = pattern.each_match(lines.start, run, options, |line| {
                found = Some(line);
                if backward {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            });
            found
        })
    }
}

/// `part / whole` within 0..=1, for a progress display.
fn fraction(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        return 1.0;
    }
    (part as f64 / whole as f64).clamp(0.0, 1.0) as f32
}

/// How far a [`Filter`] got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Progress {
    /// Every line held has been checked.
    Done,
    /// The budget ran out first. `done` is the fraction of the lines held
    /// that was checked.
    Pending {
        /// From 0 to 1.
        done: f32,
    },
}

/// One `&` of a filter: lines that match `pattern` (`&pattern`), or that
/// do not (`&!pattern`, `negated`).
#[derive(Clone, Debug)]
pub(crate) struct Term {
    pub(crate) pattern: Pattern,
    pub(crate) negated: bool,
}

/// The matching lines of the whole history, for `&pattern` (show only
/// matching lines) and its stack (`&a` then `&!b`: lines with a and
/// without b): checked in steps, oldest first, and kept up to date as
/// lines arrive by calling [`extend`](Filter::extend) again.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    /// Every one must hold for a line to be shown.
    terms: Vec<Term>,
    /// Only the records at this level or worse, each whole (see
    /// [`crate::record`]); with it, `terms` may be empty.
    level: Option<Level>,
    /// The record being read is at `level` or worse.
    keep: bool,
    /// A record's first line that names no level, and whether the terms
    /// let it through: its level is on the line after it
    /// (java.util.logging).
    waiting: Option<(usize, bool)>,
    /// Ids of matching lines, in order.
    matches: Vec<usize>,
    /// The first line not checked yet.
    next: usize,
}

impl Filter {
    /// A filter for `pattern` with nothing checked yet.
    pub(crate) fn new(pattern: Pattern) -> Filter {
        Filter::of(vec![Term {
            pattern,
            negated: false,
        }])
    }

    /// A filter for all of `terms` (not empty) with nothing checked yet.
    pub(crate) fn of(terms: Vec<Term>) -> Filter {
        Filter::with_level(terms, None)
    }

    /// A filter for all of `terms` and, if `level` names one, the records
    /// at that level or worse; nothing checked yet.
    pub(crate) fn with_level(terms: Vec<Term>, level: Option<Level>) -> Filter {
        Filter {
            terms,
            level,
            keep: true,
            waiting: None,
            matches: Vec::new(),
            next: 0,
        }
    }

    /// The level records must have, if any.
    pub(crate) fn level(&self) -> Option<Level> {
        self.level
    }

    /// What it filters by, in the order given.
    pub(crate) fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// The pattern whose matches are highlighted: the first kept one.
    pub(crate) fn pattern(&self) -> Option<&Pattern> {
        self.terms.iter().find(|t| !t.negated).map(|t| &t.pattern)
    }

    /// As typed: `&error &!debug`, after the level: `≥warn &timeout`.
    pub(crate) fn described(&self) -> String {
        let level = self.level.map(|l| format!("\u{2265}{}", l.name()));
        let terms: Vec<String> = level
            .into_iter()
            .chain(self.terms.iter().map(|t| {
                format!(
                    "&{}{}",
                    if t.negated { "!" } else { "" },
                    t.pattern.as_str()
                )
            }))
            .collect();
        terms.join(" ")
    }

    /// Checks the lines not checked yet (those that arrived since the last
    /// call, at first all of them) for about `budget`, at least one chunk.
    /// Forgets matches a cap has dropped from the history since.
    pub(crate) fn extend(
        &mut self,
        history: &History,
        options: Options,
        budget: Duration,
        drawn: &mut Drawn,
    ) -> Progress {
        let started = Instant::now();
        let (first, len) = (history.first(), history.len());
        let gone = self.matches.partition_point(|&line| line < first);
        self.matches.drain(..gone);
        self.next = self.next.max(first);
        let level = self.level;
        let (terms, matches, next) = (&self.terms, &mut self.matches, &mut self.next);
        let (keep, waiting) = (&mut self.keep, &mut self.waiting);
        let _ = history.scan(*next..len, false, |lines, run| {
            let readable = drawn.any_readable(history, lines.clone(), run);
            match (terms.as_slice(), level) {
                // One pattern kept: its prefiltered scan.
                (
                    [
                        Term {
                            pattern,
                            negated: false,
                        },
                    ],
                    None,
                ) if !readable => {
                    let _ = pattern.each_match(lines.start, run, options, |line| {
                        matches.push(line);
                        ControlFlow::Continue(())
                    });
                }
                // A stack, lines left out, records drawn readable: each
                // line on its own.
                (terms, None) => {
                    for (id, line) in each_line(lines.start, run) {
                        if wanted(terms, drawn, history, id, line, options) {
                            matches.push(id);
                        }
                    }
                }
                // A level: records whole.
                (terms, Some(min)) => {
                    let mut records = Records {
                        history,
                        drawn: &mut *drawn,
                        options,
                        terms,
                        min,
                        keep: &mut *keep,
                        waiting: &mut *waiting,
                        matches: &mut *matches,
                        quick: Quick::default(),
                    };
                    records.run(lines.start, run);
                }
            }
            *next = lines.end;
            if started.elapsed() >= budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if self.next >= len {
            Progress::Done
        } else {
            Progress::Pending {
                done: fraction(self.next - first, len - first),
            }
        }
    }

    /// The ids of the matching lines checked so far, oldest first.
    pub(crate) fn matches(&self) -> &[usize] {
        &self.matches
    }
}

/// Whether line `id` (`line`, as held) passes every term of a filter,
/// matched as it is `drawn`.
fn wanted(
    terms: &[Term],
    drawn: &mut Drawn,
    history: &History,
    id: usize,
    line: &[u8],
    options: Options,
) -> bool {
    terms
        .iter()
        .all(|t| drawn.matches(history, id, line, &t.pattern, options) != t.negated)
}

/// A level filter reading a history's lines in order: the lines of the
/// records at `min` or worse (and every line of a text that is no log,
/// or of a log without levels), each passing the terms too, go into
/// `matches`. It reads only the lines that can matter: in a block of a
/// log with levels, a line that is no candidate (`record::Candidates`)
/// neither starts a record at `min` nor names its level, so while no
/// record is kept it is passed over unread; a candidate is read, the
/// lines after a record kept are read until the next record starts, and
/// the line before a candidate that names its record's level on a second
/// line (java.util.logging) is read with it. Reading every line gives
/// the same matches (a test holds it to that), at a line a microsecond.
struct Records<'a, 'd> {
    history: &'a History,
    drawn: &'a mut Drawn<'d>,
    options: Options,
    terms: &'a [Term],
    min: Level,
    /// The record being read is at `min` or worse.
    keep: &'a mut bool,
    /// A record's first line that names no level, and whether the terms
    /// let it through: its level is on the line after it.
    waiting: &'a mut Option<(usize, bool)>,
    matches: &'a mut Vec<usize>,
    /// Reads the lines like the one before quickly.
    quick: Quick,
}

impl Records<'_, '_> {
    /// Reads the lines of `run` (each ended by `\n`; the first is line
    /// `first`), block by block.
    fn run(&mut self, first: usize, run: &[u8]) {
        let (mut at, mut id) = (0, first);
        while at < run.len() {
            let end_id = self.drawn.formats.block_end(id);
            let format = self.drawn.formats.of(self.history, self.drawn.headed, id);
            let mixed = self
                .drawn
                .formats
                .mixed(self.history, self.drawn.headed, id);
            let levels = !mixed && format.is_log() && format.levels;
            if levels && format.shape == Some(Shape::Stamp) {
                // Line by line while most are read quickly: that finds
                // the block's end too.
                (at, id) = self.quickly(id, end_id, run, at, format);
                if id == end_id || at >= run.len() {
                    continue;
                }
            }
            let end = memchr::memchr_iter(b'\n', &run[at..])
                .nth(end_id - id - 1)
                .map_or(run.len(), |i| at + i + 1);
            let block = &run[at..end];
            if mixed {
                self.lines(id, block, None);
            } else if levels {
                self.block(id, block, format);
            } else {
                self.lines(id, block, Some(format));
            }
            (at, id) = (end, end_id);
        }
    }

    /// Reads every line of `lines` (the first is line `first`), in
    /// `format` (one block's), or each in its own block's.
    fn lines(&mut self, first: usize, lines: &[u8], format: Option<Format>) {
        for (id, line) in each_line(first, lines) {
            let format = format.unwrap_or_else(|| {
                (self.drawn.formats).of_line(self.history, self.drawn.headed, id, line)
            });
            self.line(id, line, format);
        }
    }

    /// Reads the lines of `block`, a block of a log with levels in
    /// `format` (its first line is line `first`), that can matter; the
    /// last one always, for the record it starts may go on in the next
    /// block.
    fn block(&mut self, first: usize, block: &[u8], format: Format) {
        let Some(mut candidates) = Candidates::new(self.min, block) else {
            self.lines(first, block, Some(format));
            return;
        };
        let (mut at, mut id) = (0, first);
        while at < block.len() {
            let end = memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |i| at + i);
            if *self.keep || self.waiting.is_some() {
                self.line(id, &block[at..end], format);
                (at, id) = (end + 1, id + 1);
                continue;
            }
            let Some(next) = candidates.next_line(at) else {
                // No candidate left: the last line.
                let last =
                    memchr::memrchr(b'\n', &block[at..block.len() - 1]).map_or(at, |i| at + i + 1);
                let last_id = id + memchr::memchr_iter(b'\n', &block[at..last]).count();
                let end = memchr::memchr(b'\n', &block[last..]).map_or(block.len(), |i| last + i);
                self.line(last_id, &block[last..end], format);
                return;
            };
            let gap = next.start > at;
            id += memchr::memchr_iter(b'\n', &block[at..next.start]).count();
            let line = &block[next.clone()];
            let read = self.quick.classify(&format, line, self.drawn.headed);
            if gap && matches!(read, Line::Further(Some(_))) {
                // Its first line was passed over: it may wait for this one.
                let before = memchr::memrchr(b'\n', &block[..next.start - 1]).map_or(0, |i| i + 1);
                self.line(id - 1, &block[before..next.start - 1], format);
            }
            self.take(id, line, format, read);
            (at, id) = (next.end + 1, id + 1);
        }
    }

    /// Reads the lines of `run` from `at` (line `first`) to line `end`
    /// (or the run's end) one by one while most are read quickly
    /// (`record::Quick`: a text log whose lines start alike), passing over
    /// the records of levels below `min` (the first such start ends a
    /// record kept); where most are not, it stops. The place and id of
    /// the next line to read.
    fn quickly(
        &mut self,
        first: usize,
        end: usize,
        run: &[u8],
        mut at: usize,
        format: Format,
    ) -> (usize, usize) {
        let (min, headed) = (self.min, self.drawn.headed);
        let (mut id, mut missed) = (first, 0);
        let ends = record::Ends::new(run);
        while at < run.len() && id < end {
            if self.waiting.is_none() {
                // Most lines: passed over in a loop of their own, to the
                // next that is not (read quickly too, most often). Each
                // starts a record below `min`: one kept ends at the first.
                let (passed, next, found) =
                    self.quick
                        .pass_below(&format, min, &ends, (at, headed), end - id);
                if passed > 0 {
                    *self.keep = false;
                }
                (at, id) = (next, id + passed);
                if at >= run.len() || id >= end {
                    break;
                }
                if let Some((stop, level)) = found {
                    self.take(id, &run[at..stop], format, start_at(level));
                    (at, id) = (stop + 1, id + 1);
                    continue;
                }
            }
            // The line's end, and whether it shows as held: one search
            // for both (two would read the run twice).
            let (stop, clean) = ends.from(at);
            let line = &run[at..stop];
            match self.quick.level(&format, line, headed, clean) {
                Some(level) if level < min && !*self.keep && self.waiting.is_none() => {}
                Some(level) => self.take(id, line, format, start_at(level)),
                None => {
                    missed += 1;
                    // Lines of other forms (the first few make the
                    // template): the candidates are read.
                    if missed * MISSES > id + 1 - first + 2 * MISSES {
                        return (at, id);
                    }
                    self.line(id, line, format);
                }
            }
            (at, id) = (stop + 1, id + 1);
        }
        (at, id)
    }

    /// Reads line `id` (its bytes as held, `line`) in `format`.
    fn line(&mut self, id: usize, line: &[u8], format: Format) {
        let read = self.quick.classify(&format, line, self.drawn.headed);
        self.take(id, line, format, read);
    }

    /// Takes line `id` (`line`), read as `read` in `format`, into the
    /// record being read.
    fn take(&mut self, id: usize, line: &[u8], format: Format, read: Line) {
        let min = self.min;
        let passes = |class: Option<Level>| class.is_none_or(|c| c >= min);
        let shown = match read {
            Line::Text => true,
            Line::Start(read) => {
                if let Some((first, wanted)) = self.waiting.take()
                    && wanted
                    && passes(format.class(None))
                {
                    self.matches.push(first);
                }
                if read.level.is_none() && format.levels {
                    *self.waiting = Some((id, self.wanted(id, line)));
                    return;
                }
                *self.keep = passes(format.class(read.level));
                *self.keep
            }
            Line::Further(second) => {
                if let Some((first, wanted)) = self.waiting.take() {
                    *self.keep = passes(format.class(second));
                    if *self.keep && wanted {
                        self.matches.push(first);
                    }
                }
                *self.keep
            }
        };
        if shown && self.wanted(id, line) {
            self.matches.push(id);
        }
    }

    /// Whether line `id` (`line`) passes the terms.
    fn wanted(&mut self, id: usize, line: &[u8]) -> bool {
        wanted(self.terms, self.drawn, self.history, id, line, self.options)
    }
}

/// A line read quickly as starting a record at `level`: all
/// [`Records::take`] needs of it.
fn start_at(level: Level) -> Line {
    Line::Start(Read {
        level: Some(level),
        ..Read::default()
    })
}

/// One line in this many of a block may be read in full (not by
/// `record::Quick`) for the rest to be read one by one.
const MISSES: usize = 8;

/// The matching lines of a search counted over the whole history, for
/// "match 3 of 17" in the status bar: a [`Filter`] of its pattern, run in
/// steps between events (a big history is counted without freezing the
/// display) and kept up to date as lines arrive.
#[derive(Clone, Debug)]
pub(crate) struct Tally {
    filter: Filter,
    /// Lines are left to count (set again when lines arrive).
    pending: bool,
}

impl Tally {
    /// Counting `pattern`'s matches, none counted yet.
    pub(crate) fn new(pattern: Pattern) -> Tally {
        Tally {
            filter: Filter::new(pattern),
            pending: true,
        }
    }

    /// Lines have arrived: they are counted too.
    pub(crate) fn lines_arrived(&mut self) {
        self.pending = true;
    }

    /// True while lines are left to count.
    pub(crate) fn pending(&self) -> bool {
        self.pending
    }

    /// Counts on for about `budget` (at least one chunk).
    pub(crate) fn step(
        &mut self,
        history: &History,
        options: Options,
        budget: Duration,
        drawn: &mut Drawn,
    ) {
        if self.filter.extend(history, options, budget, drawn) == Progress::Done {
            self.pending = false;
        }
    }

    /// What the status bar says of the match on `line`: `match 3 of 17`;
    /// while counting (or while a file's index is still growing, `more`),
    /// `match 3 of 17+`, and `…` for a place not reached yet.
    pub(crate) fn described(&self, line: usize, more: bool) -> String {
        let matches = self.filter.matches();
        let place = match matches.binary_search(&line) {
            Ok(at) => (at + 1).to_string(),
            Err(_) => "\u{2026}".to_owned(),
        };
        let plus = if self.pending || more { "+" } else { "" };
        format!("match {place} of {}{plus}", matches.len())
    }
}

#[cfg(test)]
mod tests {
    use super::pattern::{is_clean, skip_marks};
    use super::*;
    use crate::sanitize::sanitize;
    use proptest::prelude::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::new(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// Every line of `h` that matches, the slow way: sanitize each one.
    fn naive(h: &History, p: &Pattern) -> Vec<usize> {
        (h.first()..h.len())
            .filter(|&i| p.is_match(&sanitize(&h.get(i).unwrap_or_default(), 8)))
            .collect()
    }

    /// Every line a search finds, stepping until it finds no more.
    fn found(h: &History, p: &Pattern, from: usize, backward: bool) -> Vec<usize> {
        let mut search = Search::new(p.clone(), from, backward);
        let mut all = Vec::new();
        loop {
            match search.step(
                h,
                Options::default(),
                Duration::ZERO,
                &mut drawn(&mut Formats::default()),
            ) {
                Step::Found(line) => all.push(line),
                Step::NotFound => return all,
                Step::Pending { done } => assert!((0.0..=1.0).contains(&done)),
            }
        }
    }

    /// As the display draws: records read, JSON and logfmt readable.
    fn drawn(formats: &mut Formats) -> Drawn<'_> {
        Drawn {
            formats,
            headed: true,
            readable: true,
        }
    }

    fn filtered(h: &History, p: &Pattern) -> Vec<usize> {
        let mut filter = Filter::new(p.clone());
        while filter.extend(
            h,
            Options::default(),
            Duration::ZERO,
            &mut drawn(&mut Formats::default()),
        ) != Progress::Done
        {}
        filter.matches().to_vec()
    }

    fn history(lines: &[&[u8]]) -> History {
        let mut h = History::new();
        lines.iter().for_each(|line| h.push(line));
        h
    }

    #[test]
    fn matches_the_sanitized_text() {
        let cases: &[(&str, &[u8], bool)] = &[
            ("foobar", b"foo\x1b[31mbar", true),
            ("31m", b"foo\x1b[31mbar", false),
            ("o.b", b"foo\x1b[31mbar\x1b[0m", true),
            ("title", b"a\x1b]0;title\x07b", false),
            ("ab", b"a\x1b]0;title\x07b", true),
            (r"\^G", b"bell\x07", true),
            ("bell^", b"bell\x07", false),
            (r"\^\[\[2J", "a\u{9b}2Jb".as_bytes(), true),
            ("a b", b"a\tb", false),
            ("a {7}b", b"a\tb", true),
            (r"\t", b"a\tb", false),
            ("^100%$", b"10%\r50%\r100%", true),
            ("50", b"10%\r50%\r100%", false),
            ("ok$", b"windows ok\r", true),
            ("\u{fffd}", b"a\xffb", true),
            ("a.b", b"a\xffb", true),
            ("ls", b"l\x08ls\x08s", true),
            (r"\^H", b"ab\x08c", true),
            (r"\^\?", b"del\x7f", true),
            ("^text", b"\x1b_reflow:indent=4\x1b\\text", true),
            ("indent", b"\x1b_reflow:indent=4\x1b\\text", false),
            (
                "^x",
                b"\x1b_reflow:indent=4\x1b\\\x1b_reflow:indent=2\x1b\\x",
                true,
            ),
            ("日本", "日本語".as_bytes(), true),
            ("^.{3}$", "日本語".as_bytes(), true),
        ];
        for (text, raw, want) in cases {
            let p = pattern(text);
            let name = String::from_utf8_lossy(raw);
            assert_eq!(
                p.matches_line(raw, Options::default()),
                *want,
                "{text} on {name:?}"
            );
            // The same when searching a history of such lines.
            let h = history(&[b"zz", raw, b"zz"]);
            let want_lines = if *want { vec![1] } else { vec![] };
            assert_eq!(
                filtered(&h, &p),
                want_lines,
                "{text} on {name:?} in a history"
            );
        }
    }

    #[cfg(feature = "viewer")]
    #[test]
    fn json_and_logfmt_records_match_as_drawn_readable_and_as_received_raw() {
        let h = history(&[
            b"{\"level\":\"info\",\"msg\":\"login\",\"user\":\"bob\"}",
            b"{\"level\":\"warn\",\"msg\":\"slow\",\"stack\":\"at a\\nat b\"}",
            b"{\"level\":\"info\",\"msg\":\"logout\",\"user\":\"ann\"}",
        ]);
        let find = |text: &str, readable: bool| {
            let mut formats = Formats::default();
            let mut drawn = Drawn {
                formats: &mut formats,
                headed: true,
                readable,
            };
            let mut search = Search::new(pattern(text), 0, false);
            let mut all = Vec::new();
            loop {
                match search.step(&h, Options::default(), Duration::ZERO, &mut drawn) {
                    Step::Found(line) => all.push(line),
                    Step::NotFound => return all,
                    Step::Pending { .. } => {}
                }
            }
        };
        // Readable: `time LEVEL message key=value`, a multi-line field's
        // lines on rows of their own.
        assert_eq!(find("user=bob", true), [0]);
        assert_eq!(find("^stack:$", true), [1]);
        assert_eq!(find("^  at b$", true), [1]);
        assert_eq!(find("^info login user=bob$", true), [0]);
        assert_eq!(find("\"user\"", true), Vec::<usize>::new());
        // As received (J, --raw).
        assert_eq!(find("user=bob", false), Vec::<usize>::new());
        assert_eq!(find("\"user\":\"bob\"", false), [0]);
        // The filter and the count see the same.
        let mut filter = Filter::new(pattern("user=a"));
        let mut formats = Formats::default();
        let step = filter.extend(
            &h,
            Options::default(),
            Duration::MAX,
            &mut drawn(&mut formats),
        );
        assert_eq!((step, filter.matches()), (Progress::Done, &[2][..]));
        let logfmt = history(&[
            b"time=2026-12-03T16:00:00Z level=info msg=\"a b\" user=bob",
            b"time=2026-12-03T16:00:01Z level=error msg=failed user=ann",
        ]);
        let mut filter = Filter::new(pattern("z error failed|z info a b user"));
        let step = filter.extend(
            &logfmt,
            Options::default(),
            Duration::MAX,
            &mut drawn(&mut formats),
        );
        assert_eq!((step, filter.matches()), (Progress::Done, &[0, 1][..]));
    }

    #[test]
    fn a_level_filter_keeps_records_whole_and_waits_for_a_second_line_level() {
        let h = history(&[
            b"Dec 03, 2026 4:00:00 PM a.B run",
            b"INFO: fine",
            b"Dec 03, 2026 4:00:01 PM a.B run",
            b"SEVERE: failed",
            b"\tat a.B.run(B.java:3)",
            b"Dec 03, 2026 4:00:02 PM a.B run",
            b"WARNING: slow",
        ]);
        let mut filter = Filter::with_level(Vec::new(), Some(Level::Warn));
        let mut formats = Formats::default();
        let step = filter.extend(
            &h,
            Options::default(),
            Duration::MAX,
            &mut drawn(&mut formats),
        );
        assert_eq!(step, Progress::Done);
        assert_eq!(filter.matches(), [2, 3, 4, 5, 6]);
        assert_eq!(filter.described(), "\u{2265}warn");
    }

    #[test]
    fn stacked_filters_keep_the_lines_every_term_lets_through() {
        let lines: Vec<Vec<u8>> = (0..3_000)
            .map(|i| match i % 3 {
                0 => format!("{i} error in \x1b[1mdisk\x1b[0m").into_bytes(),
                1 => format!("{i} error in net").into_bytes(),
                _ => format!("{i} fine").into_bytes(),
            })
            .collect();
        let refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let h = history(&refs);
        let term = |text: &str, negated| Term {
            pattern: pattern(text),
            negated,
        };
        let run = |terms: Vec<Term>| {
            let mut filter = Filter::of(terms);
            while filter.extend(
                &h,
                Options::default(),
                Duration::ZERO,
                &mut drawn(&mut Formats::default()),
            ) != Progress::Done
            {}
            filter.matches().to_vec()
        };
        let want = |keep: fn(usize) -> bool| (0..3_000).filter(|&i| keep(i)).collect::<Vec<_>>();
        // &error &!disk: the errors but the disk ones (matched on the
        // text shown, the bold's escapes not counted).
        assert_eq!(
            run(vec![term("error", false), term("disk", true)]),
            want(|i| i % 3 == 1)
        );
        // &!error alone: every line without it.
        assert_eq!(run(vec![term("error", true)]), want(|i| i % 3 == 2));
        let filter = Filter::of(vec![term("error", false), term("disk", true)]);
        assert_eq!(filter.described(), "&error &!disk");
        assert_eq!(filter.pattern().map(Pattern::as_str), Some("error"));
    }

    #[test]
    fn searches_find_lines_in_order_both_ways() {
        let lines: Vec<Vec<u8>> = (0..30_000)
            .map(|i| match i % 1000 {
                17 => format!("{i} needle").into_bytes(),
                400 => format!("{i} nee\x1b[1mdle").into_bytes(),
                401 => format!("\x1b_reflow:indent=4\x1b\\needle {i}").into_bytes(),
                402 => format!("{i} ne\tedle \x1b[31mneedle").into_bytes(),
                _ => format!("{i} haystack {}", "hay ".repeat(i % 40)).into_bytes(),
            })
            .collect();
        let mut h = History::new();
        lines.iter().for_each(|line| h.push(line));
        while h.compact() {}
        let p = pattern("needle");
        let want: Vec<usize> = (0..30_000)
            .filter(|i| matches!(i % 1000, 17 | 400..=402))
            .collect();
        assert_eq!(naive(&h, &p), want);
        assert_eq!(found(&h, &p, 0, false), want);
        let mut back = want.clone();
        back.reverse();
        assert_eq!(found(&h, &p, h.len(), true), back);
        // From a position between lines: forward includes it, backward not.
        assert_eq!(found(&h, &p, 17, false)[0], 17);
        assert_eq!(found(&h, &p, 18, false)[0], 400);
        assert_eq!(found(&h, &p, 17, true), Vec::<usize>::new());
        assert_eq!(found(&h, &p, 18, true), [17]);
        assert_eq!(found(&h, &p, 1_401, true)[..2], [1_400, 1_017]);
        // Positions past either end are taken as the end.
        assert_eq!(found(&h, &p, 99_999, true)[0], 29_402);
        assert_eq!(found(&h, &p, 99_999, false), Vec::<usize>::new());
        assert_eq!(filtered(&h, &p), want);
    }

    #[test]
    fn a_capped_history_gives_ids_of_lines_still_held() {
        let mut h = History::with_max_lines(5_000);
        for i in 0..20_000 {
            let mark = if i % 300 == 0 { " needle" } else { "" };
            h.push(format!("{i} some log line text{mark}").as_bytes());
            if i % 1000 == 0 {
                while h.compact() {}
            }
        }
        assert_eq!(h.first(), 15_000);
        let p = pattern("needle");
        let want: Vec<usize> = (15_000..20_000).filter(|i| i % 300 == 0).collect();
        assert_eq!(found(&h, &p, 0, false), want);
        let mut back = want.clone();
        back.reverse();
        assert_eq!(found(&h, &p, h.len(), true), back);
        assert_eq!(filtered(&h, &p), want);
    }

    #[test]
    fn a_filter_takes_new_lines_and_forgets_dropped_ones() {
        let mut h = History::with_max_lines(3_000);
        let mut filter = Filter::new(pattern("needle"));
        let push = |h: &mut History, from: usize, to: usize| {
            for i in from..to {
                let mark = if i % 100 == 0 { " needle" } else { "" };
                h.push(format!("{i} text{mark}").as_bytes());
            }
        };
        push(&mut h, 0, 1_000);
        assert_eq!(
            filter.extend(
                &h,
                Options::default(),
                Duration::MAX,
                &mut drawn(&mut Formats::default()),
            ),
            Progress::Done
        );
        assert_eq!(
            filter.matches(),
            (0..1_000).step_by(100).collect::<Vec<_>>()
        );
        assert_eq!(filter.next, 1_000);
        // Nothing new: nothing changes.
        assert_eq!(
            filter.extend(
                &h,
                Options::default(),
                Duration::MAX,
                &mut drawn(&mut Formats::default()),
            ),
            Progress::Done
        );
        assert_eq!(filter.matches().len(), 10);
        push(&mut h, 1_000, 2_500);
        assert_eq!(
            filter.extend(
                &h,
                Options::default(),
                Duration::MAX,
                &mut drawn(&mut Formats::default()),
            ),
            Progress::Done
        );
        assert_eq!(
            filter.matches(),
            (0..2_500).step_by(100).collect::<Vec<_>>()
        );
        // Lines dropped by the cap leave the matches too.
        push(&mut h, 2_500, 60_000);
        while filter.extend(
            &h,
            Options::default(),
            Duration::ZERO,
            &mut drawn(&mut Formats::default()),
        ) != Progress::Done
        {}
        assert_eq!(h.first(), 57_000);
        assert_eq!(
            filter.matches(),
            (57_000..60_000).step_by(100).collect::<Vec<_>>()
        );
    }

    #[test]
    fn steps_report_progress_until_done() {
        let mut h = History::new();
        for i in 0..100_000 {
            h.push(format!("{i} a log line with no match in it at all, padded").as_bytes());
        }
        while h.compact() {}
        let p = pattern("needle");
        for backward in [false, true] {
            let from = if backward { h.len() } else { 0 };
            let mut search = Search::new(p.clone(), from, backward);
            let mut progress = Vec::new();
            loop {
                match search.step(
                    &h,
                    Options::default(),
                    Duration::ZERO,
                    &mut drawn(&mut Formats::default()),
                ) {
                    Step::Pending { done } => progress.push(done),
                    Step::NotFound => break,
                    Step::Found(line) => panic!("found {line}"),
                }
            }
            // One chunk a step: 100,000 lines of ~55 bytes are ~20 chunks.
            assert!(progress.len() > 10, "{progress:?}");
            assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
            assert!(progress[0] > 0.0 && progress[progress.len() - 1] < 1.0);
        }
        let mut filter = Filter::new(p);
        let mut steps = 0;
        while let Progress::Pending { done } = filter.extend(
            &h,
            Options::default(),
            Duration::ZERO,
            &mut drawn(&mut Formats::default()),
        ) {
            assert!((0.0..1.0).contains(&done));
            steps += 1;
        }
        assert!(steps > 10);
        // A generous budget does it all at once.
        let mut search = Search::new(pattern("needle"), 0, false);
        assert_eq!(
            search.step(
                &h,
                Options::default(),
                Duration::MAX,
                &mut drawn(&mut Formats::default())
            ),
            Step::NotFound
        );
    }

    #[test]
    fn exact_case_matches_letters_only_as_typed() {
        let raw: &[u8] = b"L0150 ERROR in disk";
        let smart = |text| pattern(text).matches_line(raw, Options::default());
        let exact = |text| {
            Pattern::with_case(text, Case::Exact)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
                .matches_line(raw, Options::default())
        };
        assert!(smart("l0150") && smart("error") && smart("L0150"));
        assert!(!smart("Error"));
        assert!(!exact("l0150") && !exact("error") && !exact("Error"));
        assert!(exact("L0150") && exact("ERROR") && exact("disk"));
    }

    #[test]
    fn a_tally_counts_every_match_in_steps_and_the_lines_that_arrive() {
        let mut h = History::new();
        let push = |h: &mut History, from: usize, to: usize| {
            for i in from..to {
                let mark = if i % 7 == 0 { " short" } else { "" };
                h.push(format!("{i} a log line of some length{mark}").as_bytes());
            }
        };
        push(&mut h, 0, 50_000);
        while h.compact() {}
        let mut tally = Tally::new(pattern("short"));
        // Nothing counted: no place yet, and more to come.
        assert_eq!(tally.described(14, false), "match \u{2026} of 0+");
        tally.step(
            &h,
            Options::default(),
            Duration::ZERO,
            &mut drawn(&mut Formats::default()),
        );
        assert!(tally.pending(), "one chunk is not all of it");
        let part = tally.filter.matches().len();
        assert!(part > 0 && part < 7_143, "{part}");
        assert_eq!(tally.described(14, false), format!("match 3 of {part}+"));
        while tally.pending() {
            tally.step(
                &h,
                Options::default(),
                Duration::ZERO,
                &mut drawn(&mut Formats::default()),
            );
        }
        // 0, 7, …, 49,994: 7,143 of them; line 14 is the third.
        assert_eq!(tally.described(14, false), "match 3 of 7143");
        assert_eq!(tally.described(49_994, false), "match 7143 of 7143");
        // A file still being indexed may hold more before.
        assert_eq!(tally.described(14, true), "match 3 of 7143+");
        // Lines that arrive are counted too.
        push(&mut h, 50_000, 50_010);
        tally.lines_arrived();
        assert_eq!(tally.described(14, false), "match 3 of 7143+");
        tally.step(
            &h,
            Options::default(),
            Duration::MAX,
            &mut drawn(&mut Formats::default()),
        );
        assert!(!tally.pending());
        assert_eq!(tally.described(50_001, false), "match 7144 of 7145");
    }

    /// A match in a run of lines that is no match of its line alone, and
    /// anchors of the whole text, each line by line.
    #[test]
    fn matches_never_span_lines() {
        let h = history(&[b"foo", b"bar", b"a", b"b", b"xfoo", b"", b"end"]);
        let cases: &[(&str, &[usize])] = &[
            (r"foo\nbar", &[]),
            (r"(?s)o.b", &[]),
            (r"o\s+b", &[]),
            ("^foo", &[0]),
            ("foo$", &[0, 4]),
            (r"\Afoo", &[0]),
            (r"foo\z", &[0, 4]),
            ("^$", &[5]),
            (r"\bfoo", &[0]),
            ("", &[0, 1, 2, 3, 4, 5, 6]),
            ("(?-m)^b", &[1, 3]),
        ];
        for (text, want) in cases {
            let p = pattern(text);
            assert_eq!(filtered(&h, &p), *want, "{text}");
            assert_eq!(naive(&h, &p), *want, "{text}, naive");
            assert_eq!(found(&h, &p, 0, false), *want, "{text} forward");
            let mut back = want.to_vec();
            back.reverse();
            assert_eq!(found(&h, &p, h.len(), true), back, "{text} backward");
        }
    }

    /// Pieces of lines that sanitizing changes, and some it does not.
    fn atom() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => prop::sample::select(vec!["foo", "bar", "ab", "x", " ", "ERROR", "31m", "^G", "é", "日本"])
                .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::sample::select(vec![
                "\x1b[31m", "\x1b[0m", "\x1b]0;foo\x07", "\x1b_reflow:indent=4\x1b\\",
                "\x1b_reflow:x", "\x1b", "\t", "\r", "\x08", "\x7f", "\x07", "\u{85}",
                "\u{9b}", "\x1b\\", "\x18", "\u{202e}", "\u{2066}", "\u{200f}",
                "\x1b_reflow:label=4:é…\x1b\\", "\u{9c}", "\x1a", "\x1b_reflow:\u{9c}",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::sample::select(vec![vec![0xff], vec![0xe6, 0x97], vec![0xc2], vec![0x9b]]),
            1 => any::<u8>().prop_map(|b| vec![b]),
        ]
    }

    fn line() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(atom(), 0..8).prop_map(|atoms| atoms.concat())
    }

    const PATTERNS: &[&str] = &[
        "foo",
        "foobar",
        "Foo",
        "^foo",
        "bar$",
        "31m",
        r"\^G",
        "a b",
        r"o\s+b",
        "日",
        "\u{fffd}",
        "x*",
        "(?s)o.b",
        r"\bfoo\b",
        "^$",
        r"\Afoo",
        r"foo\z",
        "[[:cntrl:]]",
        "^.$",
        "é",
        r"\^\[",
        "<U",
        " {2,}",
        "ERROR",
        "reflow",
        "rx",
    ];

    proptest! {
        /// The fast path is exact: a line it takes is its own sanitized
        /// text, once its leading marks are skipped.
        #[test]
        fn clean_lines_are_their_own_text(mut raw in line(), tab in 1usize..10) {
            raw.retain(|&b| b != b'\n');
            let text = skip_marks(&raw);
            if is_clean(text) {
                let shown = sanitize(&raw, tab);
                prop_assert_eq!(shown.as_bytes(), text);
            }
        }

        /// Matching a raw line is matching its sanitized text.
        #[test]
        fn fast_path_matches_as_sanitizing_does(
            raw in line(),
            text in prop::sample::select(PATTERNS),
        ) {
            let p = pattern(text);
            let want = p.is_match(&sanitize(&raw, 8));
            prop_assert_eq!(p.matches_line(&raw, Options::default()), want);
        }

        /// Searching runs of lines finds exactly the lines whose sanitized
        /// text matches, in both directions.
        #[test]
        fn searching_runs_is_matching_each_line(
            lines in prop::collection::vec(line(), 0..40),
            text in prop::sample::select(PATTERNS),
        ) {
            let mut h = History::new();
            for line in &lines {
                let line: Vec<u8> = line.iter().copied().filter(|&b| b != b'\n').collect();
                h.push(&line);
            }
            let p = pattern(text);
            let want = naive(&h, &p);
            prop_assert_eq!(&filtered(&h, &p), &want);
            prop_assert_eq!(&found(&h, &p, 0, false), &want);
            let mut back = want.clone();
            back.reverse();
            prop_assert_eq!(found(&h, &p, h.len(), true), back);
        }
    }

    /// The lines a level filter of `terms` at `min` shows when it reads
    /// every line: what skipping lines must give.
    fn every_record_line(h: &History, terms: &[Term], min: Level) -> Vec<usize> {
        let mut formats = Formats::default();
        let (mut keep, mut waiting, mut matches) = (true, None, Vec::new());
        let _ = h.scan(h.first()..h.len(), false, |lines, run| {
            let mut records = Records {
                history: h,
                drawn: &mut drawn(&mut formats),
                options: Options::default(),
                terms,
                min,
                keep: &mut keep,
                waiting: &mut waiting,
                matches: &mut matches,
                quick: Quick::default(),
            };
            // Each line read in full (`classify`, not `Quick`), in its
            // own format.
            for (id, line) in each_line(lines.start, run) {
                let format = records.drawn.formats.of_line(h, true, id, line);
                records.take(
                    id,
                    line,
                    format,
                    crate::record::classify(&format, line, true),
                );
            }
            ControlFlow::Continue(())
        });
        matches
    }

    #[test]
    fn a_line_read_quickly_is_what_it_shows() {
        // Lines alike, but some overwritten after a `\r` by an ERROR: what
        // they show is read, never their start, whether an ESC follows
        // (once the only sign looked for) or none does. A `\r\n` ending
        // (a Windows log) is no overwrite.
        for (what, end) in [("escapes", "\x1b[0m"), ("returns", "")] {
            let mut h = History::new();
            for i in 0..3000 {
                let line = format!("2026-12-03 16:00:00,{:03} INFO a: line {i} error", i % 1000);
                let over = "2026-12-03 16:00:00,000 ERROR b: the line before overwritten whole";
                match i % 100 {
                    7 => h.push(format!("{line}\r{over}{end}").as_bytes()),
                    8 => h.push(format!("{line}\r").as_bytes()),
                    _ => h.push(line.as_bytes()),
                }
            }
            let hidden: Vec<usize> = (0..3000).filter(|i| i % 100 == 7).collect();
            // Warn and error, each alone, with `&e` and with `&!a`: the 30
            // (what they show has an e and no a).
            assert_eq!(same_as_reading_every_line(&h, what), 2 * 3 * 30);
            for budget in [Duration::MAX, Duration::ZERO] {
                assert_eq!(
                    level_filtered(&h, &[], Level::Error, budget),
                    hidden,
                    "{what}"
                );
            }
        }
    }

    #[test]
    fn labelled_lines_are_passed_over_as_each_line_reads() {
        // A labelled source (each line's header names it: a --cmd), among
        // its lines records whose header says their level or that they go
        // on one before: the filter passes over the label, and reads the
        // rest in full. (Sources interleaved are read line by line, each
        // in its own format.)
        use crate::tag::{Head, Tag};
        let label = Tag::new().label("cat /tmp/x…").label_width(8).header();
        let mut h = History::new();
        let mut errors = Vec::new();
        for i in 0..4000 {
            let mut line = label.clone().unwrap_or_default();
            let level = match i % 50 {
                7 => "ERROR",
                9 | 31 => "WARN",
                _ => "INFO",
            };
            if i % 50 == 7 {
                errors.push(i);
            }
            line.extend_from_slice(
                format!(
                    "2026-12-03 16:00:00,{:03} {level} a: line {i} error",
                    i % 1000
                )
                .as_bytes(),
            );
            // Text like the others', a header that says otherwise.
            let like = format!("2026-12-03 16:00:00,{:03} INFO b: logged", i % 1000);
            match i % 100 {
                // A record from the logger: its level in its header.
                13 => {
                    line = Head::indent(6).with_level(Level::Error).encode();
                    line.extend_from_slice(like.as_bytes());
                    errors.push(i);
                }
                // A further line of the record before.
                14 => {
                    line = Head::continued(6).encode();
                    line.extend_from_slice(like.as_bytes());
                }
                _ => {}
            }
            h.push(&line);
        }
        // ≥warn 320 lines (160 WARN, 80 ERROR, 40 logged records of two
        // lines), ≥error 160, the same with `&e`; with `&!a` only the
        // logged records (80 lines, `b: logged`) at either level.
        assert_eq!(
            same_as_reading_every_line(&h, "labels"),
            2 * (320 + 160) + 2 * 80
        );
        for budget in [Duration::MAX, Duration::ZERO] {
            let got = level_filtered(&h, &[], Level::Error, budget);
            let want: Vec<usize> = errors
                .iter()
                .flat_map(|&i| {
                    if i % 100 == 13 {
                        vec![i, i + 1]
                    } else {
                        vec![i]
                    }
                })
                .collect();
            assert_eq!(got, want);
        }
    }

    fn level_filtered(h: &History, terms: &[Term], min: Level, budget: Duration) -> Vec<usize> {
        let mut filter = Filter::with_level(terms.to_vec(), Some(min));
        let mut formats = Formats::default();
        let mut drawn = drawn(&mut formats);
        while filter.extend(h, Options::default(), budget, &mut drawn) != Progress::Done {}
        filter.matches().to_vec()
    }

    fn same_as_reading_every_line(h: &History, what: &str) -> usize {
        let terms = [
            vec![],
            vec![Term {
                pattern: pattern("e"),
                negated: false,
            }],
            vec![Term {
                pattern: pattern("a"),
                negated: true,
            }],
        ];
        let mut shown = 0;
        for min in [Level::Warn, Level::Error] {
            for terms in &terms {
                let every = every_record_line(h, terms, min);
                for budget in [Duration::MAX, Duration::ZERO] {
                    let got = level_filtered(h, terms, min, budget);
                    assert_eq!(got, every, "{what} {min:?} {terms:?} {budget:?}");
                }
                shown += every.len();
            }
        }
        shown
    }

    #[test]
    fn a_level_filter_shows_what_reading_every_line_shows_in_the_corpus() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logs");
        let mut shown = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "log") {
                continue;
            }
            let text = std::fs::read(&path).unwrap();
            for coloured in [false, true] {
                let mut h = History::new();
                for line in text.split(|&b| b == b'\n') {
                    if coloured {
                        h.push(&[b"\x1b[2m", line, b"\x1b[0m"].concat());
                    } else {
                        h.push(line);
                    }
                }
                shown += same_as_reading_every_line(&h, &format!("{} {coloured}", path.display()));
            }
        }
        assert!(shown > 10_000, "{shown}");
    }

    #[test]
    fn a_level_filter_skips_lines_exactly_across_blocks() {
        let mut lines: Vec<String> = Vec::new();
        let iso =
            |i: usize, level: &str| format!("2026-12-03 16:00:00,{i:03} {level} a: line {i} error");
        for i in 0..1020 {
            lines.push(iso(i, if i % 7 == 0 { "WARN" } else { "INFO" }));
        }
        // An error whose trace goes on into the next block.
        lines.push(iso(1020, "ERROR"));
        for i in 0..12 {
            lines.push(format!("\tat a.B.c{i}(B.java:{i})"));
        }
        while lines.len() < 2047 {
            lines.push(iso(lines.len(), "INFO"));
        }
        // A java.util.logging record across the next boundary, then more.
        lines.push("Dec 03, 2026 4:00:00 PM a.B run".into());
        for i in 0..200 {
            lines.push(
                if i % 2 == 0 {
                    "SEVERE: bad"
                } else {
                    "Dec 03, 2026 4:00:01 PM a.B run"
                }
                .into(),
            );
        }
        for i in 0..300 {
            lines.push(format!("Dec 03, 2026 4:00:02 PM a.B run{i}"));
            lines.push(
                if i % 3 == 0 {
                    "WARNING: hm"
                } else {
                    "INFO: fine"
                }
                .into(),
            );
        }
        // A block of a log without levels: all of it is shown.
        while lines.len() < 4096 {
            lines.push(format!("ts=1 msg=plain n={}", lines.len()));
        }
        let h = history(&lines.iter().map(|l| l.as_bytes()).collect::<Vec<_>>());
        assert!(same_as_reading_every_line(&h, "blocks") > 3000);
        let errors = level_filtered(&h, &[], Level::Error, Duration::MAX);
        let head: Vec<usize> = (1020..=1032).chain([2047, 2048]).collect();
        assert_eq!(errors[..15], head);
        // The error, its trace, 100 java.util.logging records of two
        // lines, the last block whole.
        assert_eq!(errors.len(), 13 + 200 + 1024);
        assert!(errors.ends_with(&[4094, 4095]));
    }
}
