//! Reading the lines of a text log that look like the one before without
//! parsing their times again: what the level filter and the level
//! searches do for every line they cannot pass over.
//!
//! Most lines of a text log begin alike: a time written the same way,
//! spaces, then the level word (`2026-12-03T16:00:00.123Z  INFO app: …`,
//! `[2026-12-03T16:00:00Z WARN  app] …`, logback's, tracing's). Reading
//! one in full ([`classify`]) tries every form of time
//! and what may follow one (CRI's stream, `kubectl logs --timestamps`'
//! inner line, logfmt); a [`Quick`] keeps the *skeleton* of the last
//! such line read in full, its time's bytes with each digit standing for
//! any digit, and a line with the same skeleton, then spaces and a level
//! word, is read as that line was, with its own level.
//!
//! It reads exactly as `classify` does: every form of time is told apart
//! by which bytes are digits and by the other bytes themselves, all of
//! them in the skeleton (or in the level word and the space after it,
//! which no time's form goes on with: a level word starts with no digit,
//! no `AM`/`PM`), and the rest of the line is left to the level word
//! first. A line with an ESC or a `\r` before its end is read in full: it
//! may show other words than it holds. A debug build checks each line read
//! quickly against `classify`.

use std::ops::Range;

use super::line::{Read, Shape, found, stamp};
use super::{Ends, Format, Level, Line, classify, level, shown_as_held};
use crate::tag;

/// The longest time skeleton kept.
const LONGEST: usize = 48;
/// How far into a line the level is looked for (`line::HEAD`).
const HEAD: usize = 160;

/// Reads lines as [`classify`] does, the ones like the
/// line before quickly (see the module).
#[derive(Clone, Debug, Default)]
pub(crate) struct Quick {
    template: Option<Template>,
    /// The last header passed over that says nothing of its line's
    /// record (no level, no continuation): a labelled source's lines all
    /// carry the same one.
    header: Vec<u8>,
}

/// The skeleton of a line read in full: its bytes up to where its time
/// ends (and the byte that ends it), eight at a time: a digit stands for
/// any digit, every other byte for itself.
#[derive(Clone, Debug)]
struct Template {
    format: Format,
    len: usize,
    /// The bytes that stand for themselves, 0 where a digit is.
    bytes: [u64; WORDS],
    /// 0xff on each byte that stands for itself.
    exact: [u64; WORDS],
    /// 0xff on each digit.
    digits: [u64; WORDS],
    /// Eight-byte words the skeleton takes.
    words: usize,
    /// What lines had after the skeleton, so most need no
    /// [`level::word`].
    seen: [Seen; SEEN],
    /// How many of `seen` are.
    seen_len: usize,
    /// The first 16 bytes of the last line of 64 or more that had the
    /// skeleton: a line that starts with them has the skeleton's first
    /// two words, unchecked, as the lines of a log share their date and
    /// hour.
    last: Option<u128>,
}

/// The spaces after a skeleton, a level word and a space (eight bytes
/// at most), met in a line.
#[derive(Clone, Debug)]
struct Seen {
    /// Little-endian, 0 past the space.
    bytes: u64,
    /// 0xff on each of those bytes.
    mask: u64,
    /// Where the word is, from the skeleton's end.
    word: Range<usize>,
    level: Level,
}

/// Eight-byte words of the longest skeleton.
const WORDS: usize = LONGEST / 8;
/// Level words a template keeps.
const SEEN: usize = 8;

impl Quick {
    /// Passes over the lines of the run of `ends` from `at` (a line's
    /// start) that are read quickly in `format` and start records below
    /// `min`, at most `most` of them: how many, where the line after them
    /// starts, and, if it was read quickly too (a start at `min` or
    /// worse), its end and level. In a history whose lines carry reflow's
    /// headers (`headed`), a header that says nothing of the record (a
    /// label) is passed over; one with a level or a continuation stops it,
    /// as do a line with an ESC or a `\r` overwrite of its own (they are
    /// read in full).
    pub(crate) fn pass_below(
        &mut self,
        format: &Format,
        min: Level,
        ends: &Ends,
        (mut at, headed): (usize, bool),
        most: usize,
    ) -> (usize, usize, Option<(usize, Level)>) {
        let run = ends.run();
        let Some(template) = self.template.as_mut().filter(|t| t.format == *format) else {
            return (0, at, None);
        };
        let mut passed = 0;
        while passed < most && at < run.len() {
            let own = match run[at] {
                0x1b if headed => match plain_header(&mut self.header, run, at) {
                    Some(len) => at + len,
                    None => break,
                },
                _ => at,
            };
            // Read from the run: what the template matches holds no `\n`
            // (nor ESC), so it is in the line, and it reads the line as
            // it reads the line alone.
            let Some((level, word)) = template.read(&run[own..]) else {
                break;
            };
            // The line's end, and whether what follows its header shows
            // as held: one search, from past what the template matched.
            let (stop, clean) = ends.from(own + word.end);
            if !clean || stop >= run.len() {
                break;
            }
            let line = &run[at..stop];
            debug_assert!(matches!(
                classify(format, line, headed),
                Line::Start(Read { level: Some(l), .. }) if l == level
            ));
            if level >= min {
                return (passed, at, Some((stop, level)));
            }
            passed += 1;
            at = stop + 1;
        }
        (passed, at, None)
    }

    /// The level line `raw` (as held: reflow's header, if `headed`, then
    /// its bytes) starts a record of in `format`, when it is read quickly;
    /// `None`: [`classify`](Quick::classify) it. `clean`: the caller knows
    /// it shows as held (else it is looked through for an ESC or a `\r`:
    /// [`shown_as_held`]).
    pub(crate) fn level(
        &mut self,
        format: &Format,
        raw: &[u8],
        headed: bool,
        clean: bool,
    ) -> Option<Level> {
        self.quickly(format, raw, headed, clean)
            .and_then(|read| read.level)
    }

    /// What line `raw` (as held: reflow's header, if `headed`, then its
    /// bytes) is in `format`, as [`classify`] says.
    pub(crate) fn classify(&mut self, format: &Format, raw: &[u8], headed: bool) -> Line {
        if let Some(read) = self.quickly(format, raw, headed, false) {
            return Line::Start(read);
        }
        let line = classify(format, raw, headed);
        if matches!(line, Line::Start(_)) && format.shape == Some(Shape::Stamp) {
            let own = tag::split(raw, headed).1;
            self.template = Template::of(*format, own).or(self.template.take());
        }
        line
    }

    /// Line `raw` read by the template: a start at its level word
    /// (`clean`: it is known to show as held).
    fn quickly(&mut self, format: &Format, raw: &[u8], headed: bool, clean: bool) -> Option<Read> {
        let template = self.template.as_mut().filter(|t| t.format == *format)?;
        let own = if headed {
            let (head, own) = tag::split(raw, headed);
            if head.level.is_some() || head.continued {
                return None;
            }
            own
        } else {
            raw
        };
        if !clean && !shown_as_held(own) {
            return None;
        }
        let (level, at) = template.read(own)?;
        let read = Read {
            shape: Some(Shape::Stamp),
            ..found(own, level, at)
        };
        debug_assert_eq!(
            Line::Start(read.clone()),
            classify(format, raw, headed),
            "{own:?}"
        );
        Some(read)
    }
}

/// The length of the header the line at `at` of `run` starts with, when
/// it says nothing of the line's record (no level, no continuation):
/// `header`, the last such, again (most often), or read from the line and
/// kept in `header`.
fn plain_header(header: &mut Vec<u8>, run: &[u8], at: usize) -> Option<usize> {
    let rest = &run[at..];
    if !header.is_empty() && rest.starts_with(header) {
        return Some(header.len());
    }
    let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
    let (head, own) = tag::split(line, true);
    let len = line.len() - own.len();
    if len == 0 || head.level.is_some() || head.continued {
        return None;
    }
    header.clear();
    header.extend_from_slice(&line[..len]);
    Some(len)
}

impl Template {
    /// The template of `line` (its own bytes), read in full in `format`,
    /// when it is a time, spaces and a level word.
    fn of(format: Format, line: &[u8]) -> Option<Template> {
        if matches!(line.first(), Some(b'<' | b'{')) || !shown_as_held(line) {
            return None;
        }
        let (end, pri, _) = stamp(line)?;
        if pri.is_some() || end >= LONGEST || line.len() <= end {
            return None;
        }
        let mut template = Template {
            format,
            len: end + 1,
            bytes: [0; WORDS],
            exact: [0; WORDS],
            digits: [0; WORDS],
            words: (end + 1).div_ceil(8),
            seen: std::array::from_fn(|_| Seen {
                bytes: 0,
                mask: 0,
                word: 0..0,
                level: Level::Info,
            }),
            seen_len: 0,
            last: None,
        };
        for (i, &b) in line[..=end].iter().enumerate() {
            let shift = 8 * (i % 8);
            if b.is_ascii_digit() {
                template.digits[i / 8] |= 0xff << shift;
            } else {
                template.exact[i / 8] |= 0xff << shift;
                template.bytes[i / 8] |= u64::from(b) << shift;
            }
        }
        // Only what the template reads as this line was read.
        let (level, at) = template.read(line)?;
        let read = Read {
            shape: Some(Shape::Stamp),
            ..found(line, level, at)
        };
        (Line::Start(read) == format.line(line)).then_some(template)
    }

    /// True when `line` starts with the skeleton.
    fn fits(&self, line: &[u8]) -> bool {
        if line.len() < self.len {
            return false;
        }
        let mut wrong = 0;
        for k in 0..self.words {
            let w = match line.get(8 * k..8 * k + 8) {
                Some(bytes) => u64::from_le_bytes(bytes.try_into().unwrap_or_default()),
                None => {
                    let mut word = [0; 8];
                    word[..line.len() - 8 * k].copy_from_slice(&line[8 * k..]);
                    u64::from_le_bytes(word)
                }
            };
            wrong |= self.wrong(k, w);
        }
        wrong == 0
    }

    /// Not 0 when `w`, the `k`th eight bytes of a line, are not the
    /// skeleton's (0 past its end).
    #[inline(always)]
    fn wrong(&self, k: usize, w: u64) -> u64 {
        const ZEROS: u64 = u64::from_ne_bytes([b'0'; 8]);
        const HIGH: u64 = u64::from_ne_bytes([0xf0; 8]);
        const SIX: u64 = u64::from_ne_bytes([6; 8]);
        const SIXTEEN: u64 = u64::from_ne_bytes([0x10; 8]);
        // A digit, less '0', is 0 to 9: its high half 0, and adding 6
        // does not reach 16.
        let d = (w ^ ZEROS) & self.digits[k];
        ((w & self.exact[k]) ^ self.bytes[k])
            | (d & HIGH)
            | ((d.wrapping_add(SIX)) & SIXTEEN & self.digits[k])
    }

    /// `line` (its own bytes, shown as held) read by the template: a
    /// start of a record at its level word, if it has the template's
    /// skeleton, then spaces and a level word.
    #[inline]
    fn read(&mut self, line: &[u8]) -> Option<(Level, Range<usize>)> {
        // A line of 64 bytes or more (most): every word of the skeleton
        // checked at once, with no branch, and the eight after it.
        if let Some(head) = line.first_chunk::<64>() {
            let word = |k: usize| {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&head[8 * k..8 * k + 8]);
                u64::from_le_bytes(bytes)
            };
            let mut first = [0; 16];
            first.copy_from_slice(&head[..16]);
            let first = u128::from_le_bytes(first);
            let known = if self.last == Some(first) { 2 } else { 0 };
            let mut wrong = 0;
            for k in known..self.words {
                wrong |= self.wrong(k, word(k));
            }
            if wrong != 0 {
                return None;
            }
            self.last = Some(first);
        } else if !self.fits(line) {
            return None;
        }
        // Most lines: the spaces, a level word and a space met before,
        // eight bytes compared at once.
        if let Some(after) = line.get(self.len..self.len + 8) {
            let after = u64::from_le_bytes(after.try_into().unwrap_or_default());
            let seen = &self.seen[..self.seen_len];
            if let Some(seen) = seen.iter().find(|s| after & s.mask == s.bytes) {
                let at = self.len + seen.word.start;
                return Some((seen.level, at..self.len + seen.word.end));
            }
        }
        let mut at = self.len - 1;
        while matches!(line.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        let len = line[at.min(line.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let end = at + len;
        // A level word has three letters or more.
        if len < 3 || end >= HEAD || line.get(end) != Some(&b' ') {
            return None;
        }
        let level = level::word(&line[at..end])?;
        // Kept if its spaces, word and space fit in eight bytes.
        let span = end + 1 - self.len;
        if self.seen_len < SEEN && span <= 8 {
            let mut bytes = [0; 8];
            bytes[..span].copy_from_slice(&line[self.len..=end]);
            self.seen[self.seen_len] = Seen {
                bytes: u64::from_le_bytes(bytes),
                mask: u64::MAX >> (8 * (8 - span)),
                word: at - self.len..end - self.len,
                level,
            };
            self.seen_len += 1;
        }
        Some((level, at..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format() -> Format {
        Format {
            shape: Some(Shape::Stamp),
            levels: true,
        }
    }

    /// Reads `lines` in turn with one `Quick`, each also read in full:
    /// how many the template read.
    fn quick_reads(lines: &[&str]) -> usize {
        let mut quick = Quick::default();
        let mut fast = 0;
        for line in lines {
            let before = quick
                .template
                .as_mut()
                .and_then(|t| t.read(line.as_bytes()));
            fast += usize::from(before.is_some());
            assert_eq!(
                quick.classify(&format(), line.as_bytes(), false),
                classify(&format(), line.as_bytes(), false),
                "{line}"
            );
        }
        fast
    }

    #[test]
    fn lines_like_the_one_before_are_read_as_it_was() {
        let lines = [
            "2026-12-03T16:00:00.014903Z  INFO server::http: req=3aa56cbe error handled",
            "2026-12-03T16:00:00.015169Z  WARN db::pool: timeout",
            "2026-12-03T16:00:00.065176Z DEBUG auth: ok",
            "2026-12-03T16:00:00.065176Z ERROR auth: failed",
            "2026-12-03T16:00:00.065176Z error auth: failed",
            "2026-12-03T16:00:00.065176Z Warning auth: x",
        ];
        assert_eq!(quick_reads(&lines), 5);
        let mut quick = Quick::default();
        for line in lines {
            quick.classify(&format(), line.as_bytes(), false);
        }
        let Line::Start(read) = quick.classify(&format(), lines[1].as_bytes(), false) else {
            panic!("a start");
        };
        assert_eq!(read.level, Some(Level::Warn));
        assert_eq!(read.at, Some(29..33));
    }

    #[test]
    fn lines_unlike_it_are_read_in_full() {
        // Each after a line that made a template: another time, no level
        // word first, a stream (CRI), an inner line with its own level
        // (kubectl), a year after a syslog time, escapes, PostgreSQL's
        // further lines, a level too far in.
        let cases = [
            "2026-12-03 16:00:00,123 INFO [main] a",
            "2026-12-03 16:00:00.123 INFO [main] a",
            "2026-12-03 16:00:00,123 - root - ERROR - x",
            "2026-12-03 16:00:00,123 stdout F 2026-12-03 16:00:00,123 ERROR x",
            "2026-12-03 16:00:00,123 {\"level\":\"error\"} x",
            "2026-12-03 16:00:00,123 level=error msg=x",
            "2026-12-03 16:00:00,123 \x1b[31mERROR\x1b[0m x",
            "2026-12-03 16:00:00,123 DETAIL: x",
            "2026-12-03 16:00:00,123 INFO",
            "2026-12-03 16:00:00,123 INFO:x",
            "2026-12-03 16:00:00,123 WARN\tx",
            "Dec  3 16:00:00 host app: x",
            "Dec  3 16:00:00 2026 WARN x",
            "Dec  3 16:00:00 ERROR x",
            "Dec 13 16:00:00 ERROR x",
            "<11>Dec 13 16:00:00 INFO x",
            "E1203 16:00:00.123456   12345 file.go:42] x",
            "  at java.lang.Thread.run(Thread.java:750)",
            "2026-12-03 16:00:00,123 x INFO y",
            &format!("2026-12-03 16:00:00,123 {} ERROR x", " ".repeat(140)),
        ];
        for case in cases {
            quick_reads(&["2026-12-03 16:00:00,123 INFO [main] a", case]);
            quick_reads(&["Dec  3 16:00:00 WARN a", case]);
            quick_reads(&["[2026-12-03T16:00:00Z INFO  app] a", case]);
        }
        assert_eq!(
            quick_reads(&[
                "2026-12-03 16:00:00,123 INFO [main] a",
                "2026-12-03 16:00:00,123 - root - ERROR - x",
                "2026-12-03 16:00:00,124 ERROR [main] b",
            ]),
            1
        );
    }

    #[test]
    fn a_long_line_that_starts_as_the_one_before_has_the_rest_checked() {
        // Lines of 64 bytes or more (checked a word at a time), each
        // with its skeleton broken: after the 16 bytes it shares with the
        // one before (a letter for a digit, another separator, the
        // seconds' digits cut short), or in them. Only the second line
        // is read by the template (each read as it reads in full).
        let tail = "x".repeat(64);
        let good = format!("2026-12-03 16:00:00,123 INFO [main] a {tail}");
        let bad = [
            format!("2026-12-03 16:00:0x,123 ERROR [main] b {tail}"),
            format!("2026-12-03 16:00:00.123 ERROR [main] b {tail}"),
            format!("2026-12-03 16:0 ERROR [main] b {tail}"),
            format!("2026-12-03 16:00:00,1234 ERROR [main] b {tail}"),
            format!("2026-12-0x 16:00:00,123 ERROR [main] b {tail}"),
            format!("2026/12/03 16:00:00,123 ERROR [main] b {tail}"),
        ];
        for bad in &bad {
            assert_eq!(quick_reads(&[&good, &good, bad]), 1, "{bad}");
        }
    }

    #[test]
    fn a_header_is_looked_past_and_its_level_kept() {
        let mut quick = Quick::default();
        let mut raw = crate::tag::Head::indent(6)
            .with_level(Level::Error)
            .encode();
        raw.extend_from_slice(b"2026-12-03 16:00:00,123 INFO [main] a");
        let line = quick.classify(&format(), &raw, true);
        assert_eq!(line, classify(&format(), &raw, true));
        let Line::Start(read) = line else {
            panic!("a start");
        };
        assert_eq!(read.level, Some(Level::Error));
    }
}
