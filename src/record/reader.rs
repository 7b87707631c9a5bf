//! A source's lines, in order, handed back as whole records with their
//! time and level: what `reflow --merge` orders several sources by.

use std::collections::VecDeque;

use super::sampler::{Sampler, strip};
use super::time::time_of;
use super::{Format, Level, Line};

/// Groups one source's lines into log records, in order.
///
/// Push the lines as they come ([`push`](Records::push)), take the
/// records that are complete by iterating (a record is complete when the
/// line that starts the next one arrives), and say when the input ends
/// ([`end`](Records::end)). Each record is its lines' bytes, unchanged,
/// with the time its first line says ([`Record::time`]) and its level.
///
/// The format is learned as the display learns it: from the first 64
/// lines of each block of 1024 (so a source that changes format is
/// learned again), which are held until then. A line that does not start
/// a record (a stack frame, a traceback, an indented continuation)
/// belongs to the record before it. Text that is no log gives each line
/// as a record of its own, with no time and no level.
///
/// ```
/// let log = "2026-12-03 16:00:00,001 ERROR app: failed\n\
///            Traceback (most recent call last):\n  File \"x.py\", line 1\n\
///            2026-12-03 16:00:01,500 INFO app: ok\n";
/// let mut records = reflow::Records::new();
/// for line in log.split_inclusive('\n') {
///     records.push(line.as_bytes());
/// }
/// records.end();
/// let all: Vec<reflow::Record> = records.collect();
/// assert_eq!(all.len(), 2);
/// assert_eq!(all[0].lines(), 3);
/// assert_eq!(all[0].level(), Some(reflow::Level::Error));
/// assert!(all[0].bytes().ends_with(b"line 1\n"));
/// // Nanoseconds since the Unix epoch, UTC: 2026-12-03T16:00:01.5Z.
/// assert_eq!(all[1].time(), Some(1_796_313_601_500_000_000));
/// ```
#[derive(Debug, Default)]
pub struct Records {
    sampler: Sampler,
    /// What the lines handed on with their format make.
    made: Made,
}

/// The records made of a source's lines.
#[derive(Debug, Default)]
struct Made {
    /// The record being read.
    open: Option<Record>,
    /// The record before was handed out before its end (see `flush`).
    flushed: bool,
    /// Records complete, in order.
    done: VecDeque<Record>,
}

/// One log record: its lines, as they came, with its time and level.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    bytes: Vec<u8>,
    lines: usize,
    time: Option<i64>,
    level: Option<Level>,
    continues: bool,
}

impl Record {
    /// The record's lines as they were pushed (each with its `\n`, if it
    /// had one).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// How many lines it has.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// The time its first line says, in nanoseconds since the Unix epoch
    /// (UTC); a time written with no zone is taken as UTC, one with no
    /// year is this year's (last year's when this year's would be more
    /// than a day ahead). `None`: the line says none (text that is no
    /// log, lines before a source's first record).
    pub fn time(&self) -> Option<i64> {
        self.time
    }

    /// The level it names (on its first line, or on its second when the
    /// first names none: java.util.logging).
    pub fn level(&self) -> Option<Level> {
        self.level
    }

    /// True for lines that continue the record handed out before them,
    /// which [`Records::flush`] handed out before its end.
    pub fn continues(&self) -> bool {
        self.continues
    }
}

impl Records {
    /// Records of a new source.
    pub fn new() -> Records {
        Records::default()
    }

    /// Takes the source's next line: its bytes with the `\n` that ends
    /// it, if any.
    pub fn push(&mut self, line: &[u8]) {
        let made = &mut self.made;
        self.sampler
            .push(line, |format, line| made.take(format, line));
    }

    /// The input paused: a block still being learned is learned from the
    /// lines it has, so the records they complete come out now.
    pub fn pause(&mut self) {
        let made = &mut self.made;
        self.sampler.pause(|format, line| made.take(format, line));
    }

    /// As [`pause`](Records::pause), and the record being read is handed
    /// out as it is: for a source that may be quiet a long time, as a
    /// followed file or a command is. Lines that still continue it come
    /// later as a record that [`continues`](Record::continues).
    pub fn flush(&mut self) {
        self.pause();
        let made = &mut self.made;
        if let Some(open) = made.open.take() {
            made.done.push_back(open);
            made.flushed = true;
        }
    }

    /// The input ended: every line is in a record handed out.
    pub fn end(&mut self) {
        self.flush();
    }
}

impl Made {
    fn take(&mut self, format: Format, line: &[u8]) {
        match super::classify(&format, strip(line), false) {
            Line::Text => {
                self.close();
                self.done.push_back(Record {
                    bytes: line.to_vec(),
                    lines: 1,
                    ..Record::default()
                });
            }
            Line::Start(read) => {
                self.close();
                self.open = Some(Record {
                    bytes: line.to_vec(),
                    lines: 1,
                    time: time_of(&super::text(strip(line))),
                    level: read.level,
                    continues: false,
                });
            }
            Line::Further(second) => {
                let flushed = self.flushed;
                let open = self.open.get_or_insert_with(|| Record {
                    continues: flushed,
                    ..Record::default()
                });
                if open.lines == 1 && open.level.is_none() {
                    open.level = second;
                }
                open.bytes.extend_from_slice(line);
                open.lines += 1;
            }
        }
    }

    /// The record being read is complete.
    fn close(&mut self) {
        self.flushed = false;
        if let Some(open) = self.open.take() {
            self.done.push_back(open);
        }
    }
}

impl Iterator for Records {
    type Item = Record;

    /// The next record complete, in the source's order.
    fn next(&mut self) -> Option<Record> {
        self.made.done.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::BLOCK;

    fn records(text: &str) -> Vec<Record> {
        let mut records = Records::new();
        for line in text.split_inclusive('\n') {
            records.push(line.as_bytes());
        }
        records.end();
        records.collect()
    }

    fn texts(records: &[Record]) -> Vec<String> {
        records
            .iter()
            .map(|r| String::from_utf8_lossy(r.bytes()).into_owned())
            .collect()
    }

    #[test]
    fn records_keep_their_traces_and_every_byte() {
        let log = "2026-12-03 16:00:00,001 INFO a: start\n\
                   2026-12-03 16:00:00,002 ERROR a: failed\n\
                   Traceback (most recent call last):\n  File \"x.py\", line 1\n\
                   ValueError: bad\n\
                   2026-12-03 16:00:00,003 WARNING a: slow\r\n\
                   2026-12-03 16:00:00,004 DEBUG a: last";
        let all = records(log);
        assert_eq!(
            all.iter().map(Record::lines).collect::<Vec<_>>(),
            [1, 4, 1, 1]
        );
        assert_eq!(texts(&all).concat(), log);
        let levels: Vec<_> = all.iter().map(Record::level).collect();
        use Level::*;
        assert_eq!(levels, [Some(Info), Some(Error), Some(Warn), Some(Debug)]);
        let t = 1_796_313_600_000_000_000;
        let times: Vec<_> = all.iter().map(|r| r.time().unwrap() - t).collect();
        assert_eq!(times, [1_000_000, 2_000_000, 3_000_000, 4_000_000]);
    }

    #[test]
    fn a_log_in_colours_has_its_times_and_levels() {
        let all = records(
            "\x1b[2m2026-12-03T16:00:00Z\x1b[0m \x1b[31mERROR\x1b[0m a: failed\n\
             \x1b[2m2026-12-03T16:00:01Z\x1b[0m \x1b[32m INFO\x1b[0m a: ok\n",
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].level(), Some(Level::Error));
        assert_eq!(
            all[1].time().unwrap() - all[0].time().unwrap(),
            1_000_000_000
        );
    }

    #[test]
    fn text_that_is_no_log_is_a_record_a_line_without_a_time() {
        let all = records("Some prose here,\n  indented\nmore prose.\n");
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|r| r.time().is_none() && r.lines() == 1));
    }

    #[test]
    fn lines_before_the_first_record_are_one_of_their_own() {
        let all =
            records("\tat x(Y.java:1)\n2026-12-03 16:00:00 INFO a\n2026-12-03 16:00:01 INFO b\n");
        assert_eq!(all.len(), 3);
        assert_eq!((all[0].time(), all[0].continues()), (None, false));
    }

    #[test]
    fn java_util_logging_takes_its_level_from_the_second_line() {
        let all = records(
            "Dec 03, 2026 4:00:00 PM a.B run\nSEVERE: failed\n\tat a.B.run(B.java:3)\n\
             Dec 03, 2026 4:00:01 PM a.B run\nINFO: fine\n",
        );
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].level(), Some(Level::Error));
        assert_eq!(all[0].lines(), 3);
        assert_eq!(all[1].level(), Some(Level::Info));
        assert_eq!(
            all[1].time().unwrap() - all[0].time().unwrap(),
            1_000_000_000
        );
    }

    #[test]
    fn a_flushed_record_is_continued_by_the_lines_after_it() {
        let mut records = Records::new();
        records.push(b"2026-12-03 16:00:00 ERROR a: x\n");
        assert_eq!(records.next(), None);
        records.flush();
        let first = records.next().unwrap();
        assert!(first.time().is_some() && !first.continues());
        records.push(b"\tat a.b(C.java:1)\n");
        records.push(b"2026-12-03 16:00:01 INFO a: y\n");
        records.end();
        let rest: Vec<Record> = records.collect();
        assert_eq!(rest.len(), 2);
        assert!(rest[0].continues() && rest[0].time().is_none());
        assert!(!rest[1].continues());
    }

    #[test]
    fn each_block_is_learned_anew() {
        let mut text = String::new();
        for i in 0..BLOCK {
            text.push_str(&format!(
                "2026-12-03 16:00:00,{:03} INFO a: {i}\n",
                i % 1000
            ));
        }
        for i in 0..100 {
            text.push_str(&format!(
                "{{\"time\":\"2026-12-04T00:00:00Z\",\"msg\":\"{i}\"}}\n"
            ));
        }
        let all = records(&text);
        assert_eq!(all.len(), BLOCK + 100);
        assert!(all.iter().all(|r| r.time().is_some()));
    }
}
