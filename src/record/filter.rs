//! `--level` without a display: the records at a level or above, each
//! whole, in input order, as their bytes came. Like `grep`, by record.

use super::sampler::{Sampler, strip};
use super::{Format, Level, Line, Quick};

/// A record-aware level filter over lines in order (see the module).
/// Each block's first lines are held until its format is learned (at
/// most [`SAMPLE`](super::SAMPLE) lines, or fewer when the input pauses:
/// see [`pause`](LevelFilter::pause)).
#[derive(Debug)]
pub(crate) struct LevelFilter {
    sampler: Sampler,
    kept: Kept,
}

/// What is kept of the lines handed on with their format.
#[derive(Debug)]
struct Kept {
    min: Level,
    /// The record being read is kept.
    keep: bool,
    /// A record's first line that names no level, waiting for its second
    /// (java.util.logging), with its `\n`.
    waiting: Option<Vec<u8>>,
    /// Reads the lines like the one before quickly.
    quick: Quick,
}

impl LevelFilter {
    /// Keeps the records at `min` or above.
    pub(crate) fn new(min: Level) -> LevelFilter {
        LevelFilter {
            sampler: Sampler::default(),
            kept: Kept {
                min,
                keep: true,
                waiting: None,
                quick: Quick::default(),
            },
        }
    }

    /// Takes `line` (its bytes with the `\n` that ends it, if any) and
    /// appends to `out` what is known to be kept.
    pub(crate) fn push(&mut self, line: &[u8], out: &mut Vec<u8>) {
        let kept = &mut self.kept;
        self.sampler
            .push(line, |format, line| kept.take(format, line, out));
    }

    /// The input paused (a batch ended) or a source ended: a block still
    /// learning is learned from the lines it has, so they are not held
    /// back from a reader.
    pub(crate) fn pause(&mut self, out: &mut Vec<u8>) {
        let kept = &mut self.kept;
        self.sampler
            .pause(|format, line| kept.take(format, line, out));
    }

    /// The input ended: everything still held is decided.
    pub(crate) fn end(&mut self, out: &mut Vec<u8>) {
        self.pause(out);
        if let Some(first) = self.kept.waiting.take() {
            let format = self.sampler.format().unwrap_or_default();
            if self.kept.passes(format.class(None)) {
                out.extend_from_slice(&first);
            }
        }
    }

    /// A new source begins: its format is learned from its own lines.
    pub(crate) fn begin_source(&mut self, out: &mut Vec<u8>) {
        self.end(out);
        self.sampler = Sampler::default();
        self.kept.keep = true;
    }
}

impl Kept {
    fn passes(&self, class: Option<Level>) -> bool {
        class.is_none_or(|class| class >= self.min)
    }

    fn take(&mut self, format: Format, line: &[u8], out: &mut Vec<u8>) {
        match self.quick.classify(&format, strip(line), false) {
            Line::Text => out.extend_from_slice(line),
            Line::Start(read) => {
                if let Some(first) = self.waiting.take()
                    && self.passes(format.class(None))
                {
                    out.extend_from_slice(&first);
                }
                if read.level.is_none() && format.levels {
                    self.waiting = Some(line.to_vec());
                    return;
                }
                self.keep = self.passes(format.class(read.level));
                if self.keep {
                    out.extend_from_slice(line);
                }
            }
            Line::Further(second) => {
                if let Some(first) = self.waiting.take() {
                    self.keep = self.passes(format.class(second));
                    if self.keep {
                        out.extend_from_slice(&first);
                    }
                }
                if self.keep {
                    out.extend_from_slice(line);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(text: &str, min: Level) -> String {
        let mut f = LevelFilter::new(min);
        let mut out = Vec::new();
        for line in text.split_inclusive('\n') {
            f.push(line.as_bytes(), &mut out);
        }
        f.end(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn records_are_kept_whole_with_their_traces_in_order() {
        let log = "2026-12-03 16:00:00,001 INFO a: start\n\
                   2026-12-03 16:00:00,002 ERROR a: failed\n\
                   Traceback (most recent call last):\n  File \"x.py\", line 1\n\
                   ValueError: bad\n\
                   2026-12-03 16:00:00,003 DEBUG a: detail\n\
                   2026-12-03 16:00:00,004 WARNING a: slow\n";
        assert_eq!(
            filter(log, Level::Error),
            "2026-12-03 16:00:00,002 ERROR a: failed\nTraceback (most recent call last):\n  \
             File \"x.py\", line 1\nValueError: bad\n"
        );
        let warn = filter(log, Level::Warn);
        assert!(
            warn.ends_with("WARNING a: slow\n") && !warn.contains("INFO"),
            "{warn}"
        );
        assert_eq!(filter(log, Level::Trace), log);
    }

    #[test]
    fn a_log_in_colours_is_filtered_by_the_words_it_shows() {
        let log = "\x1b[2m2026-12-03T16:00:00Z\x1b[0m \x1b[32m INFO\x1b[0m a: start\n\
                   \x1b[2m2026-12-03T16:00:01Z\x1b[0m \x1b[31mERROR\x1b[0m a: failed\n\
                   \x1b[2m2026-12-03T16:00:02Z\x1b[0m \x1b[32m INFO\x1b[0m a: done\n";
        let errors = filter(log, Level::Error);
        assert_eq!(errors, log.lines().nth(1).unwrap().to_owned() + "\n");
    }

    #[test]
    fn text_that_is_not_a_log_passes_whole() {
        let readme = "Error: it failed\nThis is prose, the way a README\nis written.\n\
                      WARNING: careful\nMore prose here,\nand then some.\n";
        assert_eq!(filter(readme, Level::Error), readme);
    }

    #[test]
    fn java_util_logging_records_wait_for_their_level_line() {
        let jul = "Dec 03, 2026 4:00:00 PM a.B run\nINFO: fine\n\
                   Dec 03, 2026 4:00:01 PM a.B run\nSEVERE: failed\n\
                   java.lang.RuntimeException: x\n\tat a.B.run(B.java:3)\n";
        assert_eq!(
            filter(jul, Level::Error),
            "Dec 03, 2026 4:00:01 PM a.B run\nSEVERE: failed\n\
             java.lang.RuntimeException: x\n\tat a.B.run(B.java:3)\n"
        );
    }

    #[test]
    fn a_pause_lets_a_slow_source_through_before_its_sample_fills() {
        let mut f = LevelFilter::new(Level::Error);
        let mut out = Vec::new();
        f.push(b"2026-12-03 16:00:00 ERROR x: y\n", &mut out);
        assert!(out.is_empty());
        f.pause(&mut out);
        assert_eq!(out, b"2026-12-03 16:00:00 ERROR x: y\n");
        f.push(b"2026-12-03 16:00:01 INFO x: z\n", &mut out);
        f.push(b"2026-12-03 16:00:02 ERROR x: w\n", &mut out);
        assert!(out.ends_with(b"ERROR x: w\n") && !out.windows(4).any(|w| w == b"INFO"));
    }
}
