//! `e`/`E` and `w`/`W`: the next or previous record at a level or worse,
//! found in steps as a search is.
//!
//! Reading every line's record would cost a microsecond a line; a line
//! can only name an error in a few forms (a level word of the class, a
//! one-letter level where klog or logcat put it, a number in a JSON level
//! field, a syslog priority), so `record::each_candidate` finds the lines
//! that may (two vectorized scans through the run, each place found
//! checked by the bytes around it), and only they are read.

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use super::{Step, Walk};
use crate::Level;
use crate::history::History;
use crate::record::{Formats, Line, Quick, classify, each_candidate};

/// A search for the next record (the line that starts it) at a level or
/// worse, in the direction asked, from a position between lines (a
/// [`Walk`], as [`Search`](super::Search) goes).
#[derive(Clone, Debug)]
pub(crate) struct LevelSearch {
    min: Level,
    walk: Walk,
    /// Reads the candidates like the one before quickly.
    quick: Quick,
}

impl LevelSearch {
    /// Records at `min` or worse, from `from`.
    pub(crate) fn new(min: Level, from: usize, backward: bool) -> LevelSearch {
        LevelSearch {
            quick: Quick::default(),
            min,
            walk: Walk::new(from, backward),
        }
    }

    /// The level looked for.
    pub(crate) fn min(&self) -> Level {
        self.min
    }

    /// True when it looks back.
    pub(crate) fn backward(&self) -> bool {
        self.walk.backward()
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
        let (min, backward) = (self.min, self.walk.backward());
        let quick = &mut self.quick;
        self.walk.step(history, budget, |lines, run, from| {
            let mut found = None;
            let _ = each_candidate(min, lines.start, run, &mut |id, line| {
                // A start before the line found (java.util.logging) must
                // still be on the side searched.
                if let Some((start, class)) = record_at(history, formats, quick, headed, id, line)
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
            });
            found
        })
    }
}

/// The record line `id` (its bytes `line`, as held) tells of: its start
/// and class, when it starts one, or when it is the `LEVEL: …` second
/// line of a java.util.logging record whose first names none.
fn record_at(
    history: &History,
    formats: &mut Formats,
    quick: &mut Quick,
    headed: bool,
    id: usize,
    line: &[u8],
) -> Option<(usize, Level)> {
    let format = formats.of_line(history, headed, id, line);
    match quick.classify(&format, line, headed) {
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
    /// Reads the candidates like the one before quickly.
    quick: Quick,
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
        let (errors, warnings, quick) = (&mut self.errors, &mut self.warnings, &mut self.quick);
        let mut count = |lines: std::ops::Range<usize>, run: &[u8]| {
            let _ = each_candidate(Level::Warn, lines.start, run, &mut |id, line| {
                if let Some((_, class)) = record_at(history, formats, quick, headed, id, line) {
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

    /// A log of `format`'s lines: two info records, `error` (an error
    /// record), then a record whose message alone says "error".
    fn family(info: &str, error: &str, wordy: &str) -> String {
        format!("{info}\n{info}\n{error}\n{wordy}\n{info}\n")
    }

    #[test]
    fn an_error_only_in_a_message_is_passed_over_and_an_error_of_each_family_is_found() {
        for (info, error, wordy) in [
            (
                "2026-12-03 16:00:00,123 INFO a: ok",
                "2026-12-03 16:00:01,000 ERROR a: failed",
                "2026-12-03 16:00:02,000 INFO a: error rate 0, no error",
            ),
            (
                "<14>Dec  3 16:00:00 host app[1]: ok",
                "<11>Dec  3 16:00:01 host app[1]: failed",
                "<14>Dec  3 16:00:02 host app[1]: error count 0",
            ),
            (
                "I1203 16:00:00.100000 1 a.go:1] ok",
                "E1203 16:00:00.200000 1 a.go:2] failed",
                "I1203 16:00:00.300000 1 a.go:3] error budget fine",
            ),
            (
                "12-03 16:00:00.100  12  34 I Tag: ok",
                "12-03 16:00:00.200  12  34 E Tag: failed",
                "12-03 16:00:00.300  12  34 I Tag: error none",
            ),
            (
                "12-03 16:00:00.100 I/Tag(  12): ok",
                "12-03 16:00:00.200 E/Tag(  12): failed",
                "12-03 16:00:00.300 I/Tag(  12): error none",
            ),
            (
                r#"{"level":"info","msg":"ok"}"#,
                r#"{"level":"error","msg":"failed"}"#,
                r#"{"level":"info","msg":"error none","errors":0}"#,
            ),
            (
                r#"{"level":30,"msg":"ok"}"#,
                r#"{"level":45,"msg":"failed"}"#,
                r#"{"level":30,"msg":"error none"}"#,
            ),
            (
                r#"{"PRIORITY":"6","MESSAGE":"ok"}"#,
                r#"{"PRIORITY":"3","MESSAGE":"failed"}"#,
                r#"{"PRIORITY":"6","MESSAGE":"error none"}"#,
            ),
            (
                r#"{"log":"{\"level\":30,\"msg\":\"ok\"}\n","stream":"stdout"}"#,
                r#"{"log":"{\"level\":50,\"msg\":\"failed\"}\n","stream":"stdout"}"#,
                r#"{"log":"{\"level\":30,\"msg\":\"error none\"}\n","stream":"stdout"}"#,
            ),
            (
                "time=1 level=info msg=ok",
                "time=2 level=error msg=failed",
                "time=3 level=info msg=\"error none\"",
            ),
            (
                "2026-12-03T16:00:00.1Z stdout F 2026-12-03 16:00:00 INFO ok",
                "2026-12-03T16:00:00.2Z stderr F 2026-12-03 16:00:00 ERROR failed",
                "2026-12-03T16:00:00.3Z stdout F 2026-12-03 16:00:00 INFO error none",
            ),
            (
                "2026-12-03 16:00:00 \x1b[32mINFO\x1b[0m a: ok",
                "2026-12-03 16:00:01 \x1b[31mERROR\x1b[0m a: failed",
                "2026-12-03 16:00:02 \x1b[32mINFO\x1b[0m a: \x1b[1merror\x1b[0m none",
            ),
            (
                "\x1b_reflow:indent=6;lvl=i\x1b\\ INFO a: ok",
                "\x1b_reflow:indent=6;lvl=e\x1b\\ERROR a: failed",
                "\x1b_reflow:indent=6;lvl=i\x1b\\ INFO a: error none",
            ),
            (
                "2026-12-03 16:00:00.123 UTC [12] LOG:  ok",
                "2026-12-03 16:00:01.123 UTC [12] ERROR:  failed",
                "2026-12-03 16:00:02.123 UTC [12] LOG:  error none",
            ),
        ] {
            let h = history(&family(info, error, wordy));
            assert_eq!(find_all(&h, Level::Error, false), [2], "{error:?}");
            assert_eq!(find_all(&h, Level::Error, true), [2], "{error:?}");
        }
        let jul = "Dec 03, 2026 4:00:00 PM a.B run\nINFO: error none\n\
                   Dec 03, 2026 4:00:01 PM a.B run\nSEVERE: failed\n";
        assert_eq!(find_all(&history(jul), Level::Error, true), [2]);
    }

    /// Every record at `min` or worse that reading each line finds: what
    /// the candidates must never miss.
    fn read_all(h: &History, min: Level) -> Vec<usize> {
        let mut formats = Formats::default();
        let mut starts = std::collections::BTreeSet::new();
        for id in h.first()..h.len() {
            let line = h.get(id).unwrap_or_default();
            if let Some((start, class)) =
                record_at(h, &mut formats, &mut Quick::default(), true, id, &line)
                && class >= min
            {
                starts.insert(start);
            }
        }
        starts.into_iter().collect()
    }

    #[test]
    fn the_search_finds_what_reading_every_line_finds_in_the_corpus_plain_or_in_colour() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logs");
        let (mut files, mut records) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "log") {
                continue;
            }
            files += 1;
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
                for min in [Level::Error, Level::Warn] {
                    let truth = read_all(&h, min);
                    let name = path.display();
                    assert_eq!(find_all(&h, min, false), truth, "{name} {min:?} {coloured}");
                    records += truth.len();
                }
            }
        }
        assert!(
            files >= 28 && records > 1000,
            "{files} files, {records} records"
        );
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
