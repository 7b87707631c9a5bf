//! `e`/`E` and `w`/`W`: the next or previous record at a level or worse,
//! found in steps as a search is.
//!
//! Reading every line's record would cost a microsecond a line; a line
//! can only name an error if it holds one of a few byte patterns (a level
//! word of the class in any case, a one-letter level where klog or logcat
//! put it, a number in a JSON level field, a syslog priority), so a regex
//! of those (its literal prefilters skip through the run) finds the
//! candidates, and only they are read.

use std::ops::ControlFlow;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use regex::bytes::Regex;

use super::{Step, fraction};
use crate::Level;
use crate::history::History;
use crate::record::{Formats, Line, classify};

/// What a line must hold to name an error: every form `record::read`
/// finds one in. Plain literals, so the regex's prefilter (Teddy) skips
/// through the history at the speed of a substring search; the words only
/// in the three cases a level word is read in (`level::word`): `ERR`,
/// `err` and `Err` stand for ERROR, error and Error too.
const ERRORS: &[&str] = &[
    "ERR",
    "err",
    "Err",
    "EROR",
    "FATAL",
    "fatal",
    "Fatal",
    "FTL",
    "CRIT",
    "crit",
    "Crit",
    "CRT",
    "SEVERE",
    "PANIC",
    "panic",
    "Panic",
    "EMERG",
    "emerg",
    "Emerg",
    "ALERT",
    "alert",
    "Alert",
    // reflow's own header; klog (`E1203`) and logcat (` E `); a syslog
    // priority; numeric levels in JSON (pino 50 and 60, syslog 0-3).
    "lvl=e",
    "E0",
    "E1",
    "F0",
    "F1",
    " E ",
    " F ",
    " A ",
    "<",
    "\"level\":5",
    "\"level\":6",
    "\"level\": 5",
    "\"level\": 6",
    "\"level\":0",
    "\"level\":1",
    "\"level\":2",
    "\"level\":3",
    "\"level\": 3",
    "\"PRIORITY\":\"0",
    "\"PRIORITY\":\"1",
    "\"PRIORITY\":\"2",
    "\"PRIORITY\":\"3",
];
/// The same for a warning.
const WARNINGS: &[&str] = &[
    "WARN",
    "warn",
    "Warn",
    "WRN",
    "lvl=w",
    "W0",
    "W1",
    " W ",
    "\"level\":4",
    "\"level\": 4",
    "\"PRIORITY\":\"4",
];

/// The candidates' regex for records at `min` or worse, if a regex can
/// tell them: errors and warnings (finer levels are most lines anyway).
fn candidates(min: Level) -> Option<&'static Regex> {
    static ERROR: OnceLock<Regex> = OnceLock::new();
    static WARN: OnceLock<Regex> = OnceLock::new();
    let build = |words: &mut dyn Iterator<Item = &&str>| {
        let alternatives: Vec<String> = words.map(|w| regex::escape(w)).collect();
        Regex::new(&alternatives.join("|")).unwrap_or_else(|_| never())
    };
    match min {
        Level::Error => ERROR.get_or_init(|| build(&mut ERRORS.iter())).into(),
        Level::Warn => WARN
            .get_or_init(|| build(&mut ERRORS.iter().chain(WARNINGS)))
            .into(),
        _ => None,
    }
}

/// A regex that matches everything: every line is then read.
fn never() -> Regex {
    Regex::new("").unwrap_or_else(|_| unreachable!("the empty regex compiles"))
}

/// A search for the next record (the line that starts it) at a level or
/// worse, in the direction asked, from a position between lines (as
/// [`Search`](super::Search)).
#[derive(Clone, Debug)]
pub(crate) struct LevelSearch {
    min: Level,
    backward: bool,
    origin: usize,
    next: usize,
}

impl LevelSearch {
    /// Records at `min` or worse, from `from`.
    pub(crate) fn new(min: Level, from: usize, backward: bool) -> LevelSearch {
        LevelSearch {
            min,
            backward,
            origin: from,
            next: from,
        }
    }

    /// The level looked for.
    pub(crate) fn min(&self) -> Level {
        self.min
    }

    /// True when it looks back.
    pub(crate) fn backward(&self) -> bool {
        self.backward
    }

    /// Searches on for about `budget`, at least a chunk of the history.
    /// `headed`: lines may start with reflow's header.
    pub(crate) fn step(
        &mut self,
        history: &History,
        formats: &mut Formats,
        headed: bool,
        budget: Duration,
    ) -> Step {
        let started = Instant::now();
        let (first, len) = (history.first(), history.len());
        self.next = self.next.clamp(first, len);
        let lines = if self.backward {
            first..self.next
        } else {
            self.next..len
        };
        let (min, backward, from) = (self.min, self.backward, self.next);
        let next = &mut self.next;
        let regex = candidates(min);
        let mut found = None;
        let _ = history.scan(lines, backward, |lines, run| {
            let mut check = |id: usize, line: &[u8]| {
                // A start before the line found (java.util.logging) must
                // still be on the side searched.
                if let Some((start, class)) = record_at(history, formats, headed, id, line)
                    && class >= min
                    && (if backward {
                        start < from
                    } else {
                        start >= from
                    })
                {
                    found = Some(start);
                    if !backward {
                        return ControlFlow::Break(());
                    }
                }
                ControlFlow::Continue(())
            };
            let _ = each_candidate(regex, lines.start, run, &mut check);
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
        let (done, total) = if self.backward {
            if self.next <= first {
                return Step::NotFound;
            }
            (self.origin - self.next, self.origin.saturating_sub(first))
        } else {
            if self.next >= len {
                return Step::NotFound;
            }
            (self.next - self.origin, len.saturating_sub(self.origin))
        };
        Step::Pending {
            done: fraction(done, total),
        }
    }
}

/// The record line `id` (its bytes `line`, as held) tells of: its start
/// and class, when it starts one, or when it is the `LEVEL: …` second
/// line of a java.util.logging record whose first names none.
fn record_at(
    history: &History,
    formats: &mut Formats,
    headed: bool,
    id: usize,
    line: &[u8],
) -> Option<(usize, Level)> {
    let format = formats.of(history, headed, id);
    match classify(&format, line, headed) {
        Line::Start(read) => Some((id, format.class(read.level)?)),
        Line::Further(Some(level)) => {
            let before = id.checked_sub(1)?;
            let raw = history.get(before)?;
            match classify(&format, &raw, headed) {
                Line::Start(read) if read.level.is_none() => Some((before, level)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The error and warning records of the whole history, counted in steps
/// between events (only the lines that can name one are read) and kept
/// up to date as lines arrive, for the status bar.
#[derive(Clone, Debug, Default)]
pub(crate) struct LevelTally {
    /// The lines from `low` to `high` are counted.
    low: usize,
    high: usize,
    errors: usize,
    warnings: usize,
}

impl LevelTally {
    /// The errors and the warnings counted so far.
    pub(crate) fn counts(&self) -> (usize, usize) {
        (self.errors, self.warnings)
    }

    /// Lines are left to count: new ones, or a file's earlier lines its
    /// index has reached since.
    pub(crate) fn pending(&self, history: &History) -> bool {
        self.high < history.len() || history.first() < self.low.min(self.high)
    }

    /// Counts on for about `budget`.
    pub(crate) fn step(
        &mut self,
        history: &History,
        formats: &mut Formats,
        headed: bool,
        budget: Duration,
    ) {
        let started = Instant::now();
        if self.low == self.high {
            // Nothing counted yet: from the lines held now.
            (self.low, self.high) = (history.first(), history.first());
        }
        let regex = candidates(Level::Warn);
        let (errors, warnings) = (&mut self.errors, &mut self.warnings);
        let mut count = |lines: std::ops::Range<usize>, run: &[u8]| {
            let _ = each_candidate(regex, lines.start, run, &mut |id, line| {
                if let Some((_, class)) = record_at(history, formats, headed, id, line) {
                    match class {
                        Level::Error => *errors += 1,
                        Level::Warn => *warnings += 1,
                        _ => {}
                    }
                }
                ControlFlow::Continue(())
            });
        };
        let high = &mut self.high;
        let _ = history.scan(*high..history.len(), false, |lines, run| {
            count(lines.clone(), run);
            *high = lines.end;
            if started.elapsed() >= budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        let low = &mut self.low;
        let first = history.first();
        if first < *low && started.elapsed() < budget {
            let _ = history.scan(first..*low, true, |lines, run| {
                count(lines.clone(), run);
                *low = lines.start;
                if started.elapsed() >= budget {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            });
        }
    }
}

/// Calls `f` with each line of `run` (the first is line `first`) that
/// holds a match of `regex` (every line without one), in order.
fn each_candidate(
    regex: Option<&Regex>,
    first: usize,
    run: &[u8],
    f: &mut impl FnMut(usize, &[u8]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Some(regex) = regex else {
        let body = run.strip_suffix(b"\n").unwrap_or(run);
        if run.is_empty() {
            return ControlFlow::Continue(());
        }
        for (line, id) in body.split(|&b| b == b'\n').zip(first..) {
            f(id, line)?;
        }
        return ControlFlow::Continue(());
    };
    // `at` is the start of line `id`.
    let (mut at, mut id) = (0, first);
    while let Some(found) = regex.find_at(run, at) {
        let start = memchr::memrchr(b'\n', &run[at..found.start()]).map_or(at, |i| at + i + 1);
        id += memchr::memchr_iter(b'\n', &run[at..start]).count();
        let end =
            memchr::memchr(b'\n', &run[found.start()..]).map_or(run.len(), |i| found.start() + i);
        f(id, &run[start..end])?;
        at = end + 1;
        id += 1;
        if at >= run.len() {
            break;
        }
    }
    ControlFlow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(text: &str) -> History {
        let mut h = History::new();
        for line in text.lines() {
            h.push(line.as_bytes());
        }
        h
    }

    fn find_all(h: &History, min: Level, backward: bool) -> Vec<usize> {
        let mut formats = Formats::default();
        let mut from = if backward { h.len() } else { 0 };
        let mut found = Vec::new();
        loop {
            let mut search = LevelSearch::new(min, from, backward);
            match search.step(h, &mut formats, true, Duration::from_secs(5)) {
                Step::Found(line) => {
                    found.push(line);
                    from = if backward { line } else { line + 1 };
                }
                Step::NotFound => return found,
                Step::Pending { .. } => panic!("a 5 s budget ran out"),
            }
        }
    }

    const LOG: &str = "\
2026-12-03 16:00:00 INFO a: start
2026-12-03 16:00:01 ERROR a: failed
java.lang.IllegalStateException: error in the trace is no record
\tat a.B(B.java:1)
2026-12-03 16:00:02 WARN a: slow, an error maybe
2026-12-03 16:00:03 INFO a: error words in info are no error
2026-12-03 16:00:04 FATAL a: gone
";

    #[test]
    fn finds_the_records_at_a_level_or_worse_both_ways() {
        let h = history(LOG);
        assert_eq!(find_all(&h, Level::Error, false), [1, 6]);
        assert_eq!(find_all(&h, Level::Error, true), [6, 1]);
        assert_eq!(find_all(&h, Level::Warn, false), [1, 4, 6]);
        assert_eq!(find_all(&h, Level::Info, false), [0, 1, 4, 5, 6]);
    }

    #[test]
    fn letters_numbers_and_priorities_are_candidates_too() {
        let klog = "I1203 16:00:00.1 1 a.go:1] ok\nE1203 16:00:00.2 1 a.go:2] bad\nI1203 16:00:00.3 1 a.go:3] ok\n";
        assert_eq!(find_all(&history(klog), Level::Error, false), [1]);
        let pino = "{\"level\":30,\"msg\":\"a\"}\n{\"level\":50,\"msg\":\"b\"}\n{\"level\":40,\"msg\":\"c\"}\n";
        assert_eq!(find_all(&history(pino), Level::Error, false), [1]);
        assert_eq!(find_all(&history(pino), Level::Warn, true), [2, 1]);
        let logcat = "12-03 16:00:00.100  1  2 I T: a\n12-03 16:00:00.200  1  2 E T: b\n";
        assert_eq!(find_all(&history(logcat), Level::Error, false), [1]);
    }

    #[test]
    fn a_java_util_logging_record_is_found_at_its_first_line() {
        let jul = "Dec 03, 2026 4:00:00 PM a.B run\nINFO: fine\nDec 03, 2026 4:00:01 PM a.B run\nSEVERE: bad\n\tat a.B.run(B.java:3)\n";
        assert_eq!(find_all(&history(jul), Level::Error, false), [2]);
        assert_eq!(find_all(&history(jul), Level::Error, true), [2]);
    }

    #[test]
    fn a_tally_counts_error_and_warning_records_as_lines_arrive() {
        let mut h = history(LOG);
        let mut tally = LevelTally::default();
        let mut formats = Formats::default();
        while tally.pending(&h) {
            tally.step(&h, &mut formats, true, Duration::ZERO);
        }
        assert_eq!(tally.counts(), (2, 1));
        h.push(b"2026-12-03 16:00:05 WARN a: again");
        h.push(b"\terror in a trace line");
        assert!(tally.pending(&h));
        tally.step(&h, &mut formats, true, Duration::MAX);
        assert_eq!(tally.counts(), (2, 2));
    }

    #[test]
    fn prose_has_no_error_records() {
        let readme = "Error: it failed.\nThis is prose, as a README\nis written.\nERROR: again\nand more prose\nhere.\n";
        assert_eq!(
            find_all(&history(readme), Level::Error, false),
            Vec::<usize>::new()
        );
    }
}
