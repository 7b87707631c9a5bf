//! Pure: log records read from the text of lines, never stored.
//!
//! A line *starts a record* when it has its source's [`Shape`] (a time,
//! a JSON object, logfmt pairs, a level word first); every other line (a
//! stack frame, a Python traceback, `Caused by:`, an indented
//! continuation, PostgreSQL's `DETAIL:` and `STATEMENT:` lines) belongs
//! to the record before it. A record's level is the one its first line
//! names, or its second's when the first names none and the second starts
//! with one (java.util.logging: a time and a method, then `SEVERE: …`).
//!
//! The shape is learned, per source, from the first [`SAMPLE`] lines of
//! each block of [`BLOCK`] lines (so a source that changes format is
//! learned again), keeping the shape of the block before while it still
//! starts records. Text where no shape starts enough lines (a man page, a
//! README, source code) is not a log: no line of it has a level, whatever
//! words it holds. Nothing here is done at ingest: a line is read when it
//! is drawn, searched or filtered, and its bytes never change.
//!
//! `level` holds the vocabularies, `line` reads one line alone, `fields`
//! the level fields of JSON and logfmt, `candidates` finds the lines of a
//! run that may name a level (for the searches, which read only those),
//! `filter` the record-aware `--level` of passthrough.

mod candidates;
mod ends;
mod fields;
pub(crate) mod filter;
mod formats;
mod level;
mod line;
mod quick;
pub(crate) mod reader;
mod sampler;
#[cfg(feature = "viewer")]
mod shown;
pub(crate) mod time;

pub(crate) use candidates::{Candidates, each_candidate};
pub(crate) use ends::Ends;
pub(crate) use formats::Formats;
pub use level::{Level, UnknownLevel};
pub(crate) use line::{Read, Shape, read};
pub(crate) use quick::Quick;
#[cfg(feature = "viewer")]
pub(crate) use shown::Shown;

/// Lines in a block: each block's shape is learned from its own start.
pub(crate) const BLOCK: usize = 1024;
/// Lines of a block its shape is learned from.
pub(crate) const SAMPLE: usize = 64;

/// What a source's lines are, as learned from a sample of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Format {
    /// The shape of the lines that start records; `None`: not a log.
    pub(crate) shape: Option<Shape>,
    /// Some record of the sample names a level. A record that names none
    /// in a log that has levels counts as info; in a log with none, every
    /// record passes a level filter.
    pub(crate) levels: bool,
}

/// What one line is in a [`Format`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// It starts a record, with the level it names, and where.
    Start(Read),
    /// It continues the record before it; `Some` level when it starts
    /// with one (the second line of a java.util.logging record).
    Further(Option<Level>),
    /// The source is not a log.
    Text,
}

impl Format {
    /// Text that is not a log.
    pub(crate) const TEXT: Format = Format {
        shape: None,
        levels: false,
    };

    /// The format of `sample` (a block's first lines, in order), keeping
    /// `prior` (the block before's) while some line of the sample still
    /// has its shape.
    pub(crate) fn learn<'a>(
        sample: impl IntoIterator<Item = &'a [u8]>,
        prior: Option<Format>,
    ) -> Format {
        let mut tally = Sample::default();
        sample.into_iter().for_each(|line| tally.add(line));
        tally.format(prior)
    }

    /// True when the source is a log.
    pub(crate) fn is_log(&self) -> bool {
        self.shape.is_some()
    }

    /// True for a structured log (JSON, logfmt), whose records can be
    /// drawn as readable lines ([`shown`](Format::shown)).
    pub(crate) fn structured(&self) -> bool {
        matches!(self.shape, Some(Shape::Json | Shape::Logfmt))
    }

    /// What `line` (its own bytes, without reflow's header) is in this
    /// format.
    pub(crate) fn line(&self, line: &[u8]) -> Line {
        let Some(shape) = self.shape else {
            return Line::Text;
        };
        let read = read(line);
        if read.shape == Some(shape) && !read.further {
            return Line::Start(read);
        }
        let second = (read.shape == Some(Shape::Level) && !read.further)
            .then_some(read.level)
            .flatten();
        Line::Further(second)
    }

    /// `line` (its own bytes) drawn as a readable record, when it starts
    /// one in a structured format (JSON, logfmt).
    #[cfg(feature = "viewer")]
    pub(crate) fn shown(&self, line: &[u8]) -> Option<Shown> {
        match self.shape? {
            Shape::Json if line.first() == Some(&b'{') => shown::json(line),
            Shape::Logfmt => shown::logfmt(line),
            _ => None,
        }
    }

    /// The class a record of `level` counts as in a level filter: `None`
    /// passes every filter (a log with no levels at all).
    pub(crate) fn class(&self, level: Option<Level>) -> Option<Level> {
        match level {
            Some(level) => Some(level),
            None if self.levels => Some(Level::Info),
            None => None,
        }
    }
}

/// A sample's lines, counted by shape as [`Format::learn`] reads them:
/// all it needs to decide, with any prior, so a block's first lines are
/// read once however many blocks ask for its format (each asks for the
/// one before's too).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sample {
    /// Lines that start a record, by shape (the order of `SHAPES`).
    counts: [usize; 4],
    /// Some record of that shape names a level.
    levels: [bool; 4],
    /// Lines that do not start with white space.
    unindented: usize,
    lines: usize,
    /// The shape of the line before, when it named no level: its level
    /// may be on the next line (java.util.logging).
    unnamed: Option<Shape>,
}

/// The shapes in the order a tie is broken in: Json, Logfmt, Stamp,
/// Level (java.util.logging has as many `SEVERE:` lines as times).
const SHAPES: [Shape; 4] = [Shape::Json, Shape::Logfmt, Shape::Stamp, Shape::Level];

impl Sample {
    /// Counts the next line of the sample (its own bytes, as shown).
    pub(crate) fn add(&mut self, line: &[u8]) {
        self.lines += 1;
        if line.first().is_none_or(|b| b.is_ascii_whitespace()) {
            self.unnamed = None;
            return;
        }
        self.unindented += 1;
        let read = read(line);
        if let Some(before) = self.unnamed.take()
            && read.shape == Some(Shape::Level)
            && read.level.is_some()
        {
            self.levels[before as usize] = true;
        }
        if let Some(shape) = read.shape
            && !read.further
        {
            self.counts[shape as usize] += 1;
            self.levels[shape as usize] |= read.level.is_some();
            self.unnamed = read.level.is_none().then_some(shape);
        }
    }

    /// The lines counted.
    pub(crate) fn len(&self) -> usize {
        self.lines
    }

    /// The format of the lines counted, keeping `prior` (the block
    /// before's) while some line of the sample still has its shape.
    pub(crate) fn format(&self, prior: Option<Format>) -> Format {
        let counts = &self.counts;
        if let Some(prior) = prior.filter(|p| p.shape.is_some_and(|s| counts[s as usize] > 0)) {
            let s = prior.shape.map_or(0, |s| s as usize);
            return Format {
                shape: prior.shape,
                levels: prior.levels || self.levels[s],
            };
        }
        // The most lines; on a tie, the first of `SHAPES`.
        let mut best = 0;
        for (i, &c) in counts.iter().enumerate() {
            if c > counts[best] {
                best = i;
            }
        }
        let count = counts[best];
        let shape = SHAPES[best];
        // A level word first is what prose does most: it must be most
        // of the lines.
        let share = if shape == Shape::Level { 2 } else { 10 };
        let enough = count * share >= self.unindented && (count >= 2 || self.unindented == 1);
        if count == 0 || !enough {
            // A block of stack frames alone goes on with the shape before.
            return match prior {
                Some(prior) if self.lines > 0 && counts.iter().all(|c| *c == 0) => prior,
                _ => Format::TEXT,
            };
        }
        Format {
            shape: Some(shape),
            levels: self.levels[best],
        }
    }
}

/// What line `raw` (as held: reflow's header, if `headed`, and the
/// line's bytes) is in `format`: a start of the level in its header when
/// reflow's logger wrote one, a further line when the header says so, else
/// what its text says, escape sequences taken out first (a log in
/// colours is read as the words it shows).
pub(crate) fn classify(format: &Format, raw: &[u8], headed: bool) -> Line {
    let (head, own) = crate::tag::split(raw, headed);
    if let Some(level) = head.level {
        return Line::Start(Read {
            level: Some(level),
            ..Read::default()
        });
    }
    if head.continued {
        return Line::Further(None);
    }
    format.line(&text(own))
}

/// A line's text as shown: its bytes, or, when it holds an escape
/// sequence or a carriage return that is not its last byte (a progress
/// line's overwrites), what is left of them once the sanitizer has done
/// with them: the text after the last `\r`, or the `\r`s as `^M`.
pub(crate) fn text(own: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if shown_as_held(own) {
        return std::borrow::Cow::Borrowed(own);
    }
    let styled = crate::sanitize::sanitize_styled(own, crate::sanitize::Options::default());
    std::borrow::Cow::Owned(styled.text.into_bytes())
}

/// Whether line `own` (its own bytes) shows as it is held, to a record's
/// reading: it holds no ESC, and no `\r` but one last (a `\r\n` ending).
pub(crate) fn shown_as_held(own: &[u8]) -> bool {
    let body = own.strip_suffix(b"\r").unwrap_or(own);
    memchr::memchr2(0x1b, b'\r', body).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_shows_as_held_without_an_esc_or_a_return_before_its_end() {
        assert!(shown_as_held(b"12:00:01 INFO plain"));
        assert!(shown_as_held(b"12:00:01 INFO windows line\r"));
        assert!(!shown_as_held(b"12:00:01 INFO 10%\r12:00:02 ERROR failed"));
        assert!(!shown_as_held(b"12:00:01 \x1b[31mERROR\x1b[0m red"));
        let run = b"a\nb\r\nc\rd\ne\x1b[1mf\ng\r";
        let ends = Ends::new(run);
        assert_eq!(ends.from(0), (1, true));
        assert_eq!(ends.from(2), (4, true));
        assert_eq!(ends.from(5), (8, false));
        assert_eq!(ends.from(9), (15, false));
        assert_eq!(ends.from(16), (run.len(), true));
        assert_eq!(Ends::new(b"last").from(0), (4, true));
    }

    #[test]
    fn a_header_level_needs_no_parsing_and_colours_are_looked_through() {
        let text = Format::TEXT;
        let head = crate::tag::Head::indent(6).with_level(Level::Warn).encode();
        let mut line = head.clone();
        line.extend_from_slice(b"\x1b[33mWARN \x1b[0m tool: x");
        assert!(matches!(
            classify(&text, &line, true),
            Line::Start(Read {
                level: Some(Level::Warn),
                ..
            })
        ));
        let log = Format::learn(
            [
                &b"2026-12-03 16:00:00 INFO a"[..],
                b"2026-12-03 16:00:01 INFO b",
            ],
            None,
        );
        let coloured = b"2026-12-03 16:00:02 \x1b[31mERROR\x1b[0m a: b";
        assert!(matches!(
            classify(&log, coloured, false),
            Line::Start(Read {
                level: Some(Level::Error),
                ..
            })
        ));
    }

    fn learn(text: &str) -> Format {
        Format::learn(text.lines().map(str::as_bytes), None)
    }

    #[test]
    fn a_log_with_long_stack_traces_is_still_a_log() {
        let mut text = String::from("2026-12-03 16:00:00,123 ERROR app: failed\n");
        text.push_str("java.lang.IllegalStateException: boom\n");
        for i in 0..40 {
            text.push_str(&format!("\tat com.example.C.m{i}(C.java:{i})\n"));
        }
        text.push_str("Caused by: java.io.IOException: gone\n\t... 12 more\n");
        text.push_str("2026-12-03 16:00:01,000 INFO app: recovered\n");
        let format = learn(&text);
        assert_eq!(format.shape, Some(Shape::Stamp));
        assert!(format.levels);
        assert_eq!(
            format.line(b"\tat com.example.C.m(C.java:1)"),
            Line::Further(None)
        );
        assert!(matches!(
            format.line(b"2026-12-03 16:00:02,000 WARN x: y"),
            Line::Start(_)
        ));
    }

    #[test]
    fn prose_with_level_words_is_not_a_log() {
        let readme = "# Troubleshooting\n\nError: the file is missing\nThis happens when the disk fills.\n\
                      WARNING: do not run this as root.\nIt changes the owner of every file.\n\
                      Fatal errors are reported on stderr.\nSee the manual for more.\n\
                      Use --force to go on.\nDebug builds are slower.\n";
        assert_eq!(learn(readme), Format::TEXT);
        let code = "fn main() {\n    // ERROR: never do this\n    log::error!(\"x\");\n}\n\
                    error!(\"at top\");\nwarn!(\"too\");\n";
        assert_eq!(learn(code), Format::TEXT);
        let csv = "name,result,note\ndisk,error,full\nnet,warning,slow\ncpu,ok,none\n";
        assert_eq!(learn(csv), Format::TEXT);
        assert_eq!(Format::TEXT.line(b"ERROR: x"), Line::Text);
    }

    #[test]
    fn a_prior_format_is_kept_while_its_lines_still_start_records() {
        let prior = learn("2026-12-03 16:00:00 INFO a\n2026-12-03 16:00:01 INFO b\n");
        let sample = "ERROR: x\nERROR: y\nERROR: z\n2026-12-03 16:00:02 WARN c\n";
        assert_eq!(
            Format::learn(sample.lines().map(str::as_bytes), Some(prior)),
            prior
        );
        let other = Format::learn(b"ERROR: x\nERROR: y\n".split(|b| *b == b'\n'), Some(prior));
        assert_eq!(other.shape, Some(Shape::Level));
        let frames = Format::learn(
            [&b"\tat a.b(C.java:1)"[..], b"\tat c.d(E.java:2)"],
            Some(prior),
        );
        assert_eq!(frames, prior);
    }

    #[test]
    fn java_util_logging_records_take_their_level_from_their_second_line() {
        let jul = "Dec 03, 2026 4:00:00 PM org.example.Main run\nSEVERE: failed\n\
                   java.lang.RuntimeException: x\n\tat org.example.Main.run(Main.java:3)\n\
                   Dec 03, 2026 4:00:01 PM org.example.Main run\nINFO: fine\n";
        let format = learn(jul);
        assert_eq!(format.shape, Some(Shape::Stamp));
        assert_eq!(
            format.line(b"SEVERE: failed"),
            Line::Further(Some(Level::Error))
        );
    }

    #[test]
    fn a_record_with_no_level_counts_as_info_only_in_a_log_with_levels() {
        let with = learn("2026-12-03 16:00:00 INFO a\n2026-12-03 16:00:01 b\n");
        assert_eq!(with.class(None), Some(Level::Info));
        let without = learn("2026/12/03 16:00:00 a\n2026/12/03 16:00:01 b\n");
        assert!(without.is_log() && !without.levels);
        assert_eq!(without.class(None), None);
    }
}
