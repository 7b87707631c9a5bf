//! The lines of a run that can name a record at a level or worse, found
//! without reading each line: `e`/`E`, `w`/`W` and the status bar's
//! counts read only these.
//!
//! A line can only name an error in a few forms (what [`read`](super::read)
//! and the header accept): a level word, a one-letter level (klog's
//! `E1203 `, logcat's ` E `), a syslog priority (`<11>`), a number under
//! a JSON level key (pino's 50, syslog's 3), reflow's header (`lvl=e`).
//! Two scans find where one may stand, each at the speed of a vectorized
//! search: one of literals (the words in the three cases logs write them,
//! and the keys a number can follow; Aho-Corasick, whose Teddy needs every
//! literal to be three bytes or more to stay fast: one short literal among
//! them made the old regex of them a byte-at-a-time automaton, 370 ms
//! against 100 ms on 250 MB); and a byte search for the letters and `<` of
//! the short forms. Each place found is checked where it stands, a few bytes either
//! side, against what the form needs (a whole word of the class, a letter
//! standing alone or before klog's digits, a priority or a number of the
//! class): a word inside another (`stderr`, `errors`), an `F` in `INFO`
//! or a number of another class is passed over without reading the line.
//!
//! Every check only passes over what no reading of the line could take
//! for the level: its text may differ from its bytes where an escape
//! sequence was taken out or a JSON string unescaped, so a line with a
//! backslash or an ESC before the place is taken whatever stands before
//! it. A line that passes is read whole by the caller, which decides.

use std::ops::ControlFlow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};

use super::Level;
use super::fields;
use super::level::{letter, word};

/// The level words of an error, each in the three cases logs write a
/// word in (a JSON or logfmt value is read in any case: these are its
/// usual ones). The short forms (`ERR`, `CRIT`, `EMERG`) also find the
/// long ones they begin.
const ERRORS: &[&str] = &[
    "ERR", "EROR", "FATAL", "FTL", "CRIT", "CRT", "SEVERE", "PANIC", "EMERG", "ALERT",
];
/// The same for a warning.
const WARNINGS: &[&str] = &["WARN", "WRN"];
/// The keys a level is written under as a number or a letter: JSON's
/// (`fields::JSON_KEYS`: `"log.level"`, `"levelname"`, `"loglevel"` hold
/// `level`), and reflow's header (`lvl=e`). Three bytes or more each.
const KEYS: &[&str] = &["level", "severity", "PRIORITY", "lvl", "\"@l"];

/// Calls `f` with each line of `run` (its lines each ended by `\n`; the
/// first is line `first`) that may start or name a record at `min` or
/// worse, in order, until it breaks: every such line, and few others.
/// Below warnings every line is one.
pub(crate) fn each_candidate(
    min: Level,
    first: usize,
    run: &[u8],
    f: &mut impl FnMut(usize, &[u8]) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Some(mut candidates) = Candidates::new(min, run) else {
        let body = run.strip_suffix(b"\n").unwrap_or(run);
        if run.is_empty() {
            return ControlFlow::Continue(());
        }
        for (line, id) in body.split(|&b| b == b'\n').zip(first..) {
            f(id, line)?;
        }
        return ControlFlow::Continue(());
    };
    // `start` begins line `id`: the line after the last one handed out.
    let (mut start, mut id) = (0, first);
    while let Some(line) = candidates.next_line(start) {
        id += memchr::memchr_iter(b'\n', &run[start..line.start]).count();
        f(id, &run[line.clone()])?;
        (start, id) = (line.end + 1, id + 1);
    }
    ControlFlow::Continue(())
}

/// The candidate lines of a run (see [`each_candidate`]), asked for one
/// at a time from a place on: what each scan found past it is kept, so
/// going on from a later place costs nothing but the scans' own work.
pub(crate) struct Candidates<'a> {
    scans: Scans,
    run: &'a [u8],
    /// The next place each scan found (`usize::MAX`: none left), and
    /// where it looked from (`usize::MAX`: not yet).
    next: [(usize, usize); 3],
}

impl<'a> Candidates<'a> {
    /// The candidates at `min` or worse in `run` (its lines each ended by
    /// `\n`); `None` below warnings, where every line is one.
    pub(crate) fn new(min: Level, run: &'a [u8]) -> Option<Candidates<'a>> {
        Some(Candidates {
            scans: Scans::of(min)?,
            run,
            next: [(usize::MAX, usize::MAX); 3],
        })
    }

    /// The next candidate line that starts at `from` (a line's start) or
    /// after: its bytes' range in the run, without the `\n`.
    pub(crate) fn next_line(&mut self, from: usize) -> Option<std::ops::Range<usize>> {
        let (scans, run) = (&self.scans, self.run);
        if from >= run.len() {
            return None;
        }
        for (scan, (at, searched)) in self.next.iter_mut().enumerate() {
            if *at < from || *searched > from {
                *at = scans.find(scan, run, from);
                *searched = from;
            }
        }
        loop {
            let (scan, at) = self
                .next
                .iter()
                .map(|&(at, _)| at)
                .enumerate()
                .min_by_key(|&(_, at)| at)
                .unwrap_or((0, usize::MAX));
            if at == usize::MAX {
                return None;
            }
            if scans.holds(scan, run, at) {
                let begin = memchr::memrchr(b'\n', &run[from..at]).map_or(from, |i| from + i + 1);
                let end = memchr::memchr(b'\n', &run[at..]).map_or(run.len(), |i| at + i);
                return Some(begin..end);
            }
            self.next[scan] = (scans.find(scan, run, at + 1), at + 1);
        }
    }
}

/// The scans for records at a level or worse: the literals, and two sets
/// of bytes the short forms start with.
struct Scans {
    min: Level,
    literals: &'static AhoCorasick,
    /// The letters of a one-letter level of the class or worse.
    letters: &'static [u8],
    /// `<` (a priority), and `W` for warnings.
    others: &'static [u8],
}

impl Scans {
    /// The scans for `min`, if a scan can tell its records: errors and
    /// warnings (finer levels are most lines anyway).
    fn of(min: Level) -> Option<Scans> {
        static ERROR: OnceLock<Option<AhoCorasick>> = OnceLock::new();
        static WARN: OnceLock<Option<AhoCorasick>> = OnceLock::new();
        let build = |words: &mut dyn Iterator<Item = &&str>| {
            let mut literals = Vec::new();
            for w in words {
                let small = w.to_ascii_lowercase();
                let capitalized = format!("{}{}", &w[..1], &small[1..]);
                literals.extend([w.to_string(), small, capitalized]);
            }
            literals.extend(KEYS.iter().map(|k| k.to_string()));
            // A few short literals always build; if they did not, every
            // line would be read.
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&literals)
                .ok()
        };
        let (literals, others): (&Option<AhoCorasick>, &[u8]) = match min {
            Level::Error => (ERROR.get_or_init(|| build(&mut ERRORS.iter())), b"<"),
            Level::Warn => (
                WARN.get_or_init(|| build(&mut ERRORS.iter().chain(WARNINGS))),
                b"W<",
            ),
            _ => return None,
        };
        let literals = literals.as_ref()?;
        Some(Scans {
            min,
            literals,
            letters: b"EFA",
            others,
        })
    }

    /// Where scan `scan` finds its next place in `run` at or after `at`
    /// (`usize::MAX`: none).
    fn find(&self, scan: usize, run: &[u8], at: usize) -> usize {
        let hay = run.get(at..).unwrap_or_default();
        let found = match scan {
            0 => {
                return self
                    .literals
                    .find(Input::new(run).span(at..run.len()))
                    .map_or(usize::MAX, |m| m.start());
            }
            1 => bytes(self.letters, hay),
            _ => bytes(self.others, hay),
        };
        found.map_or(usize::MAX, |i| at + i)
    }

    /// True when the place `at` that scan `scan` found may be a level of
    /// the class or worse, by the bytes around it.
    fn holds(&self, scan: usize, run: &[u8], at: usize) -> bool {
        let rest = &run[at..];
        match rest[0] {
            b'<' => priority(rest).is_some_and(|l| l >= self.min),
            _ if scan != 0 => self.letter(run, at),
            _ => self.word(run, at) || self.key(rest),
        }
    }

    /// A level word of the class or worse begins at `at`: the letters and
    /// digits from there read as one, in any case, and no letter or digit
    /// stands before it (it is not the end of another word, `stderr`).
    fn word(&self, run: &[u8], at: usize) -> bool {
        let len = run[at..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if len > 9 || !alone_after(run, at) {
            return false;
        }
        let mut upper = [0; 9];
        upper[..len].copy_from_slice(&run[at..at + len]);
        upper.make_ascii_uppercase();
        word(&upper[..len]).is_some_and(|l| l >= self.min)
    }

    /// A level key at the start of `rest` with a value of the class or
    /// worse: a number after a JSON key (`"level":50`, `"PRIORITY":"3"`,
    /// inside a JSON string as `\"level\":50`), or the letter of reflow's
    /// header (`lvl=e`).
    fn key(&self, rest: &[u8]) -> bool {
        if let Some(value) = rest.strip_prefix(b"lvl=") {
            let class = match value.first() {
                Some(b'e') => Level::Error,
                Some(b'w') => Level::Warn,
                _ => return false,
            };
            return class >= self.min;
        }
        let syslog = rest.starts_with(b"PRIORITY");
        let key = KEYS
            .iter()
            .find(|k| rest.starts_with(k.as_bytes()))
            .map_or(0, |k| k.len());
        // `"levelname"`: the key goes on.
        let mut at = key
            + if rest[key..].starts_with(b"name") {
                4
            } else {
                0
            };
        let mut colon = false;
        while let Some(&b) = rest.get(at)
            && (b == b'"' || b == b'\\' || b == b' ' || (b == b':' && !colon))
        {
            colon |= b == b':';
            at += 1;
        }
        let digits = rest[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if !colon || digits == 0 {
            return false;
        }
        std::str::from_utf8(&rest[at..at + digits])
            .ok()
            .and_then(|n| n.parse().ok())
            .and_then(|n| fields::number(n, syslog))
            .is_some_and(|l| l >= self.min)
    }

    /// A one-letter level of the class or worse at `at`: klog's (the
    /// letter, four digits, a space) or one standing alone (logcat's
    /// ` E `, `E/Tag`): nothing of a word after it, nor a letter or
    /// digit before it.
    fn letter(&self, run: &[u8], at: usize) -> bool {
        if letter(run[at]).is_none_or(|l| l < self.min) {
            return false;
        }
        let klog = run[at] != b'A'
            && run
                .get(at + 1..at + 6)
                .is_some_and(|d| d[..4].iter().all(u8::is_ascii_digit) && d[4] == b' ');
        let ends = run
            .get(at + 1)
            .is_none_or(|&b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'+'));
        klog || (ends && alone_after(run, at))
    }
}

/// No letter or digit stands right before `at` in its line, or one may
/// not be what the line shows there: an escape sequence or a JSON escape
/// (`\t`) before it in the line is taken out or undone when it is read.
fn alone_after(run: &[u8], at: usize) -> bool {
    if !run[..at].last().is_some_and(u8::is_ascii_alphanumeric) {
        return true;
    }
    memchr::memrchr3(b'\n', 0x1b, b'\\', &run[..at]).is_some_and(|i| run[i] != b'\n')
}

/// The class of the syslog priority `rest` starts with (`<11>`).
fn priority(rest: &[u8]) -> Option<Level> {
    let close = memchr::memchr(b'>', &rest[..rest.len().min(5)])?;
    let n: u64 = std::str::from_utf8(&rest[1..close]).ok()?.parse().ok()?;
    Level::of_syslog(n % 8)
}

/// The first place in `hay` of one of `set` (one to three bytes).
fn bytes(set: &[u8], hay: &[u8]) -> Option<usize> {
    match *set {
        [a] => memchr::memchr(a, hay),
        [a, b] => memchr::memchr2(a, b, hay),
        [a, b, c, ..] => memchr::memchr3(a, b, c, hay),
        [] => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of `text` each_candidate hands out for `min`.
    fn candidates(min: Level, text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        let _ = each_candidate(min, 0, text.as_bytes(), &mut |id, _| {
            found.push(id);
            ControlFlow::Continue(())
        });
        found
    }

    #[test]
    fn places_that_cannot_be_a_level_are_passed_over_without_reading_the_line() {
        for line in [
            "2026-12-03 16:00:00 INFO a: stderr closed",
            "2026-12-03 16:00:00 INFO a: 3 errors, 2 alerts, interrupted, Errno 5",
            "2026-12-03 16:00:00 WARN a: slow",
            "2026-12-03 16:00:00 DEBUG a: req=E12ab IF FILE DATA-x",
            r#"{"level":30,"msg":"a","count":5}"#,
            r#"{"level":"info","msg":"b","level2":3}"#,
            r#"{"PRIORITY":"6","MESSAGE":"c"}"#,
            "<14>Dec  3 16:00:00 host app: d",
            "<b>html</b> <br> <>",
            "12-03 16:00:00.123  1  2 I Tag: e",
        ] {
            assert_eq!(
                candidates(Level::Error, &format!("{line}\n")),
                Vec::<usize>::new(),
                "{line}"
            );
        }
    }

    #[test]
    fn every_form_of_an_error_is_a_candidate() {
        for line in [
            // A level word, as a word, in the cases logs write it; a word
            // in a message too: only reading the line can tell.
            "2026-12-03 16:00:00 ERROR a: b",
            "2026-12-03 16:00:00 INFO a: an error in the message",
            "[2026-12-03T16:00:00Z Error app] x",
            "ERROR:root:x",
            "[Thu Dec 03 16:00:00 2026] [core:crit] x",
            "time=1 level=CRITICAL msg=x",
            "time=1 level=ERROR+2 msg=x",
            "2026-12-03 16:00:00 \x1b[31mERROR\x1b[0m a",
            "SEVERE: x",
            // One letter: klog, logcat's threadtime and -v time.
            "E1203 16:00:00.1 1 a.go:1] x",
            "F1203 16:00:00.1 1 a.go:1] x",
            "12-03 16:00:00.123  1  2 E Tag: x",
            "12-03 16:00:00.123\t1\t2\tA\tTag: x",
            "12-03 16:00:00.123 E/Tag( 12): x",
            "12-03 16:00:00.123 \x1b[31mE\x1b[0m Tag: x",
            // A priority, a number under a level key, reflow's header.
            "<11>1 2026-12-03T16:00:00Z host app - - x",
            "<3>Dec  3 16:00:00 host app: x",
            r#"{"level":50,"msg":"x"}"#,
            r#"{"level":45,"msg":"x"}"#,
            r#"{"level": 3,"msg":"x"}"#,
            r#"{"log.level":"60","msg":"x"}"#,
            r#"{"PRIORITY":"2","MESSAGE":"x"}"#,
            r#"{"@l":60,"@m":"x"}"#,
            r#"{"log":"{\"level\":50,\"msg\":\"x\"}\n","stream":"stdout"}"#,
            "\x1b_reflow:indent=6;lvl=e\x1b\\x: y",
        ] {
            assert_eq!(
                candidates(Level::Error, &format!("INFO a\n{line}\nINFO b\n")),
                [1],
                "{line:?}"
            );
        }
        for line in [
            "12-03 16:00:00.123  1  2 W Tag: x",
            "W1203 16:00:00.1 1 a.go:1] x",
            "<12>Dec  3 16:00:00 host app: x",
            r#"{"level":40}"#,
            "\x1b_reflow:lvl=w\x1b\\x",
            "2026-12-03 16:00:00 Warning a",
        ] {
            assert_eq!(
                candidates(Level::Warn, &format!("{line}\n")),
                [0],
                "{line:?}"
            );
            assert_eq!(
                candidates(Level::Error, &format!("{line}\n")),
                Vec::<usize>::new()
            );
        }
    }

    #[test]
    fn lines_are_handed_out_once_with_their_ids_and_without_their_end() {
        let text = "ERROR a ERROR b <3>\nINFO\nINFO\nE1203 1:00 x\nFATAL";
        let mut found = Vec::new();
        let _ = each_candidate(Level::Error, 10, text.as_bytes(), &mut |id, line| {
            found.push((id, String::from_utf8_lossy(line).into_owned()));
            ControlFlow::Continue(())
        });
        let want = [
            (10, "ERROR a ERROR b <3>"),
            (13, "E1203 1:00 x"),
            (14, "FATAL"),
        ];
        assert_eq!(found, want.map(|(id, l)| (id, l.to_owned())));
        assert_eq!(candidates(Level::Info, "a\nb\n"), [0, 1]);
    }
}
