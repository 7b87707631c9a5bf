//! One line read alone: what it starts with (its [`Shape`]) and the level
//! it names. No state: `super` decides, with what it learned of the
//! source, whether a line of that shape starts a record.

use std::ops::Range;

use super::level::{self, Level};

/// What a log line starts with. A source's lines that start a record all
/// have the same shape; a line of another shape continues the record
/// before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// A JSON object (`{"level":"info",…}`).
    Json,
    /// `key=value` pairs (logfmt, slog's text handler, logrus).
    Logfmt,
    /// A date and time, perhaps in brackets or after a syslog priority:
    /// ISO 8601, `2026/12/03 16:00:00`, `Dec  3 16:00:00`,
    /// `Dec 03, 2026 4:00:00 PM`, `[Thu Dec 03 16:00:00 2026]`,
    /// `12-03 16:00:00.123` (logcat), klog's `E1203 16:00:00.123456`.
    Stamp,
    /// A level word first: `ERROR:root:…`, `[WARN app] …`.
    Level,
}

/// What a line says about its record, read from its bytes alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Read {
    /// What it starts with; `None` for a line of no log shape (a stack
    /// frame, a blank line, prose).
    pub(crate) shape: Option<Shape>,
    /// The level it names, if any.
    pub(crate) level: Option<Level>,
    /// Where that level is in the line, to colour it.
    pub(crate) at: Option<Range<usize>>,
    /// It has a record's shape but is a further line of the record
    /// before it (PostgreSQL's `DETAIL:`, `STATEMENT:`).
    pub(crate) further: bool,
    /// Where its message starts, after the time and the level (a text
    /// log's: rows that wrap, and the record's further lines, hang under
    /// it).
    pub(crate) message: Option<usize>,
}

/// How far into a line its level is looked for: the level of a log
/// line is in its prefix, never deep in its message.
const HEAD: usize = 160;
/// How many words or bracketed groups after the time are looked at.
const WORDS: usize = 4;

/// Reads `line` (a line's own bytes, without reflow's header).
pub(crate) fn read(line: &[u8]) -> Read {
    let line = &line[..line.len().min(4096)];
    match line.first() {
        None => Read::default(),
        Some(b'{') => super::fields::json(line),
        Some(b) if b.is_ascii_whitespace() => Read::default(),
        _ => {
            if let Some(read) = klog(line) {
                return read;
            }
            if let Some((end, pri, letters)) = stamp(line) {
                let mut read = after_stamp(line, end, letters);
                read.shape = Some(Shape::Stamp);
                // A syslog priority says the severity, whatever words the
                // message starts with.
                if let Some(level) = pri.and_then(|p| Level::of_syslog(p % 8)) {
                    read.level = Some(level);
                    read.at = memchr::memchr(b'>', line).map(|close| 1..close);
                    read.further = false;
                }
                return read;
            }
            if let Some(read) = super::fields::logfmt(line) {
                return read;
            }
            level_first(line)
        }
    }
}

/// The level of a line's rest after its time: the rest of a
/// `kubectl logs --timestamps` or CRI line may be a whole line of the
/// app's own (JSON, logfmt, another time), else the level is among the
/// first words.
fn after_stamp(line: &[u8], end: usize, letters: bool) -> Read {
    let mut at = skip_spaces(line, end);
    // CRI: `stdout F ` or `stderr P `.
    let mut cri = false;
    for stream in [&b"stdout "[..], b"stderr "] {
        if line[at..].starts_with(stream) {
            let flag = at + stream.len();
            if matches!(line.get(flag), Some(b'F' | b'P')) && line.get(flag + 1) == Some(&b' ') {
                at = flag + 2;
                cri = true;
            }
        }
    }
    let rest = &line[at..];
    if cri {
        // CRI: the line the container wrote, which has the record's
        // shape, or continues the record before.
        let mut inner = read(rest);
        inner.further |= inner.shape.is_none();
        inner.at = inner.at.map(|r| r.start + at..r.end + at);
        inner.message = inner.message.map(|m| m + at);
        return inner;
    } else if let Some(first) = rest.first() {
        // `kubectl logs --timestamps`: a time before the app's own line.
        let inner = if *first == b'{' {
            Some(super::fields::json(rest))
        } else if stamp(rest).is_some() || klog(rest).is_some() {
            Some(read(rest))
        } else {
            super::fields::logfmt(rest)
        };
        if let Some(mut inner) = inner.filter(|r| r.level.is_some()) {
            inner.at = inner.at.map(|r| r.start + at..r.end + at);
            inner.message = inner.message.map(|m| m + at);
            return inner;
        }
    }
    words(line, at, letters)
}

/// The level among the first [`WORDS`] words or bracketed groups from
/// `at`: `INFO`, `[error]`, `[core:error]`, `<WARN>`, `ERROR:`.
fn words(line: &[u8], mut at: usize, letters: bool) -> Read {
    let limit = line.len().min(HEAD);
    let after_time = at;
    for _ in 0..WORDS {
        at = skip_separators(line, at);
        if at >= limit {
            break;
        }
        let (open, close) = match line[at] {
            b'[' => (true, b']'),
            b'(' => (true, b')'),
            b'<' => (true, b'>'),
            _ => (false, b' '),
        };
        let start = at + usize::from(open);
        let end = if open {
            match memchr::memchr(close, &line[start..limit]) {
                Some(i) => start + i,
                None => break,
            }
        } else {
            line[start..limit]
                .iter()
                .position(|b| b.is_ascii_whitespace())
                .map_or(limit, |i| start + i)
        };
        let group = &line[start..end];
        // `[core:error]`, `[mpm_event:notice]`: the part after a colon.
        let part = if open {
            match memchr::memrchr(b':', group) {
                Some(colon) => start + colon + 1..end,
                None => start..end,
            }
        } else {
            start..end
        };
        let word = trim_word(line, part);
        let bytes = &line[word.clone()];
        if letters
            && bytes.len() == 1
            && let Some(level) = level::letter(bytes[0])
        {
            return found(line, level, word);
        }
        if level::continues(bytes) && line.get(word.end) == Some(&b':') {
            return Read {
                further: true,
                ..Read::default()
            };
        }
        if let Some(level) = level_word(line, word.clone()) {
            return found(line, level, word);
        }
        at = end + usize::from(open);
    }
    // No level: the message follows the time.
    Read {
        message: (after_time < line.len()).then_some(after_time),
        ..Read::default()
    }
}

/// A level word at `word`, slog's offsets (`DEBUG-4` is trace,
/// `ERROR+2` an error) taken with it.
fn level_word(line: &[u8], word: Range<usize>) -> Option<Level> {
    let bytes = &line[word.clone()];
    if let Some(level) = level::word(bytes) {
        return Some(level);
    }
    // `DEBUG-4`, `INFO+2`: the word before the sign.
    let sign = bytes.iter().position(|&b| b == b'-' || b == b'+')?;
    let (name, offset) = bytes.split_at(sign);
    let n: i32 = std::str::from_utf8(&offset[1..]).ok()?.parse().ok()?;
    let base = level::word(name)?;
    let n = if offset[0] == b'-' { -n } else { n };
    Some(match (base, n) {
        (Level::Debug, ..=-1) => Level::Trace,
        (base, _) => base,
    })
}

/// The level `level` at `at` in `line`, the message after it (and after
/// what closes or follows it: `]`, `:`, a dash, spaces).
pub(super) fn found(line: &[u8], level: Level, at: Range<usize>) -> Read {
    let mut message = at.end;
    while line
        .get(message)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b']' | b')' | b'>' | b':' | b'|' | b'-'))
    {
        message += 1;
    }
    Read {
        level: Some(level),
        at: Some(at),
        message: (message < line.len()).then_some(message),
        ..Read::default()
    }
}

/// `range` without the punctuation around a word (`ERROR:`, `WARN,`).
fn trim_word(line: &[u8], mut range: Range<usize>) -> Range<usize> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'+';
    while range.start < range.end && !word(line[range.start]) {
        range.start += 1;
    }
    while range.end > range.start && !word(line[range.end - 1]) {
        range.end -= 1;
    }
    // `WARNING:root:msg`: only the first word.
    if let Some(stop) = line[range.clone()].iter().position(|&b| !word(b)) {
        range.end = range.start + stop;
    }
    range
}

fn skip_spaces(line: &[u8], mut at: usize) -> usize {
    while line.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
        at += 1;
    }
    at
}

fn skip_separators(line: &[u8], mut at: usize) -> usize {
    while line
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'|' | b'-' | b':' | b','))
    {
        at += 1;
    }
    at
}

/// A line that starts with its level: `ERROR:root:msg`, `WARNING: x`,
/// `[INFO app] x`, `ERROR  [main] x`, `E/Tag: x`? (no: one letter is
/// never a level by itself).
fn level_first(line: &[u8]) -> Read {
    let open = line[0] == b'[';
    let start = usize::from(open);
    let end = line[start..]
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .map_or(line.len(), |i| start + i);
    let after = line.get(end).copied();
    let capitals = line[start..end]
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let fits = match after {
        // `[INFO app]`, `[WARN ]`
        Some(b']' | b' ') if open => true,
        // `ERROR  [main] …` (a level column first): capitals only.
        Some(b' ') => capitals,
        // `ERROR: x`, `WARNING:root:x`, `Error: x` but not `Error:x`.
        Some(b':') if !open => capitals || matches!(line.get(end + 1), Some(b' ') | None),
        _ => false,
    };
    if !fits {
        return Read::default();
    }
    let word = start..end;
    if level::continues(&line[word.clone()]) && after == Some(b':') {
        return Read {
            shape: Some(Shape::Level),
            further: true,
            ..Read::default()
        };
    }
    match level::word(&line[word.clone()]) {
        Some(level) => Read {
            shape: Some(Shape::Level),
            ..found(line, level, word)
        },
        None => Read::default(),
    }
}

/// klog: `E1203 16:00:00.123456   12345 file.go:42] msg`.
fn klog(line: &[u8]) -> Option<Read> {
    let first = *line.first()?;
    let level = level::letter(first).filter(|_| matches!(first, b'I' | b'W' | b'E' | b'F'))?;
    let digits = line.get(1..5)?;
    if !digits.iter().all(u8::is_ascii_digit) || line.get(5) != Some(&b' ') {
        return None;
    }
    time_of_day(line, 6)?;
    // The message after the thread and the `file.go:42] `.
    let close = memchr::memchr(b']', &line[..line.len().min(HEAD)]);
    let message = close.map(|close| skip_spaces(line, close + 1));
    Some(Read {
        shape: Some(Shape::Stamp),
        message: message.filter(|&m| m < line.len()),
        ..found(line, level, 0..1)
    })
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

/// Where a date and time that `line` starts with ends, the syslog
/// priority before it (`<34>`), and whether one-letter levels follow it
/// (logcat). A date without a time of day is no time: a changelog's
/// `2026-12-03: fixed` is not a log.
pub(crate) fn stamp(line: &[u8]) -> Option<(usize, Option<u64>, bool)> {
    let mut at = 0;
    let mut pri = None;
    if line.first() == Some(&b'<') {
        let close = memchr::memchr(b'>', &line[..line.len().min(5)])?;
        pri = Some(std::str::from_utf8(&line[1..close]).ok()?.parse().ok()?);
        at = close + 1;
        // RFC 5424: a version after the priority.
        if line.get(at..at + 2) == Some(b"1 ") {
            at += 2;
        }
    }
    let bracket = line.get(at) == Some(&b'[');
    at += usize::from(bracket);
    let (mut end, letters) = date_time(line, at)?;
    if bracket {
        // `[2026-12-03T16:00:00Z ERROR app]`: the level may be inside.
        if line.get(end) == Some(&b']') {
            end += 1;
        } else if line.get(end) != Some(&b' ') {
            return None;
        }
    }
    match line.get(end) {
        None | Some(b' ' | b'\t' | b']' | b'|') => Some((end, pri, letters)),
        Some(b':') if line.get(end + 1) == Some(&b' ') => Some((end + 1, pri, letters)),
        _ => None,
    }
}

/// A date and time at `at`; its end, and whether it is logcat's.
fn date_time(line: &[u8], at: usize) -> Option<(usize, bool)> {
    let d = |i: usize, n: usize| digits(line, at + i, n);
    // 2026-12-03T16:00:00, 2026/12/03 16:00:00
    if d(0, 4) && d(5, 2) && d(8, 2) {
        let sep = line[at + 4];
        if (sep == b'-' || sep == b'/') && line[at + 7] == sep {
            if !matches!(line.get(at + 10), Some(b'T' | b' ' | b'_')) {
                return None;
            }
            let end = time_of_day(line, at + 11)?;
            return Some((zone(line, end), false));
        }
    }
    // 12-03 16:00:00.123 (logcat)
    if d(0, 2) && line.get(at + 2) == Some(&b'-') && d(3, 2) && line.get(at + 5) == Some(&b' ') {
        return Some((time_of_day(line, at + 6)?, true));
    }
    // 16:00:00.123
    if let Some(end) = time_of_day(line, at) {
        return Some((end, false));
    }
    // Thu Dec 03 16:00:00.123456 2026, Dec  3 16:00:00, Dec 03, 2026 4:00:00 PM
    let mut i = at;
    if DAYS.iter().any(|day| line[i..].starts_with(day)) && line.get(i + 3) == Some(&b' ') {
        i += 4;
    }
    if !MONTHS.iter().any(|m| line[i..].starts_with(m)) || line.get(i + 3) != Some(&b' ') {
        return None;
    }
    i = skip_spaces(line, i + 4);
    let day = line[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=2).contains(&day) {
        return None;
    }
    i += day;
    if line[i..].starts_with(b", ") && digits(line, i + 2, 4) {
        i += 6;
    }
    let mut end = time_of_day(line, skip_spaces(line, i).max(i + 1))?;
    if line[end..].starts_with(b" AM") || line[end..].starts_with(b" PM") {
        end += 3;
    }
    if line.get(end) == Some(&b' ') && digits(line, end + 1, 4) {
        end += 5;
    }
    Some((end, false))
}

/// `H:MM`, `HH:MM:SS`, with a fraction (`.123`, `,123`): its end.
fn time_of_day(line: &[u8], at: usize) -> Option<usize> {
    let hours = line
        .get(at..)?
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if !(1..=2).contains(&hours)
        || line.get(at + hours) != Some(&b':')
        || !digits(line, at + hours + 1, 2)
    {
        return None;
    }
    let mut end = at + hours + 3;
    if line.get(end) == Some(&b':') && digits(line, end + 1, 2) {
        end += 3;
        if matches!(line.get(end), Some(b'.' | b',')) && digits(line, end + 1, 1) {
            end += 1;
            end += line[end..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        }
    }
    Some(end)
}

/// Past a time zone right after a time: `Z`, `+01:00`, `-0800`.
fn zone(line: &[u8], end: usize) -> usize {
    match line.get(end) {
        Some(b'Z') => end + 1,
        Some(b'+' | b'-') if digits(line, end + 1, 2) => {
            let mut e = end + 3;
            if line.get(e) == Some(&b':') {
                e += 1;
            }
            if digits(line, e, 2) { e + 2 } else { end + 3 }
        }
        _ => end,
    }
}

fn digits(line: &[u8], at: usize, n: usize) -> bool {
    line.get(at..at + n)
        .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(line: &str) -> Option<Level> {
        read(line.as_bytes()).level
    }

    fn shape(line: &str) -> Option<Shape> {
        read(line.as_bytes()).shape
    }

    #[test]
    fn the_level_of_each_format_is_found_where_it_writes_it() {
        use Level::*;
        for (line, want) in [
            ("2026-12-03 16:00:00,123 ERROR app.db: lost", Error),
            ("2026-12-03 16:00:00.123 [main] WARN  c.e.App - slow", Warn),
            (
                "2026-12-03 16:00:00.123 [pool-1-thread-3] INFO  c.e.App - ok",
                Info,
            ),
            ("[2026-12-03T16:00:00Z DEBUG myapp::db] query", Debug),
            (
                "2026-12-03T16:00:00.123456Z TRACE hyper::proto: read",
                Trace,
            ),
            (
                "2026-12-03T16:00:00.123456Z  INFO req{id=3}: app: done",
                Info,
            ),
            ("2026/12/03 16:00:00 [error] 123#0: *1 open() failed", Error),
            (
                "[Thu Dec 03 16:00:00.123456 2026] [core:error] [pid 12] AH00126",
                Error,
            ),
            (
                "[Thu Dec 03 16:00:00 2026] [mpm_event:notice] [pid 1] resuming",
                Info,
            ),
            ("E1203 16:00:00.123456   12345 file.go:42] boom", Error),
            ("W1203 16:00:00.123456   12345 file.go:42] hm", Warn),
            (
                "12-03 16:00:00.123  1234  5678 E ActivityManager: ANR",
                Error,
            ),
            ("12-03 16:00:00.123  1234  5678 V Tag: detail", Trace),
            ("2026-12-03 16:00:00.123 UTC [1234] LOG:  checkpoint", Info),
            ("2026-12-03 16:00:00.123 UTC [1234] ERROR:  relation", Error),
            (
                "2026-12-03T16:00:00.000Z\tERROR\tapp/main.go:12\tboom",
                Error,
            ),
            ("<11>1 2026-12-03T16:00:00Z host app 12 ID1 - failed", Error),
            ("<30>Dec  3 16:00:00 host app[1]: started", Info),
            ("Dec  3 16:00:00 host sshd[12]: error: PAM failure", Error),
            ("time=2026-12-03T16:00:00Z level=WARN msg=slow", Warn),
            ("time=2026-12-03T16:00:00Z level=DEBUG-4 msg=fine", Trace),
            ("time=\"2026-12-03T16:00:00Z\" level=error msg=\"x\"", Error),
            ("ERROR:root:it broke", Error),
            ("WARNING:app.db:slow", Warn),
            ("[WARN  app] careful", Warn),
            ("16:00:00.123 INFO  started", Info),
            (
                "2026-12-03T16:00:00.123456789Z stdout F {\"level\":\"error\",\"msg\":\"x\"}",
                Error,
            ),
            (
                "2026-12-03T16:00:00.123456789Z stderr F level=warn msg=x",
                Warn,
            ),
            ("2026-12-03T16:00:00.1Z 2026-12-03 16:00:00 ERROR x", Error),
        ] {
            assert_eq!(level(line), Some(want), "{line}");
            assert!(shape(line).is_some(), "{line}");
        }
    }

    #[test]
    fn the_level_is_marked_where_it_is_for_its_colour() {
        let line = "2026-12-03 16:00:00,123 ERROR app: lost";
        let at = read(line.as_bytes()).at.unwrap();
        assert_eq!(&line[at], "ERROR");
        let line = "[Thu Dec 03 16:00:00 2026] [core:error] x";
        let at = read(line.as_bytes()).at.unwrap();
        assert_eq!(&line[at], "error");
        let line = "E1203 16:00:00.123456   1 f.go:1] x";
        assert_eq!(read(line.as_bytes()).at, Some(0..1));
    }

    #[test]
    fn a_level_deep_in_the_message_is_not_the_lines_level() {
        assert_eq!(
            level("Dec  3 16:00:00 host kernel: usb 1-1: read/64, error -71"),
            None
        );
        assert_eq!(
            level("2026-12-03 16:00:00 handled request for /errors/list now"),
            None
        );
    }

    #[test]
    fn further_lines_and_prose_have_no_shape_of_a_start() {
        assert_eq!(shape("    at com.example.Main.run(Main.java:12)"), None);
        assert_eq!(shape("Traceback (most recent call last):"), None);
        assert_eq!(shape("ValueError: bad value"), None);
        assert_eq!(shape("Caused by: java.io.IOException: x"), None);
        assert_eq!(shape("Error handling is described below."), None);
        assert_eq!(shape("2026-12-03: fixed the error"), None);
        assert_eq!(shape("2026-12-03T16:00:00Z,error,disk"), None);
        assert_eq!(shape(""), None);
        let pg = read(b"2026-12-03 16:00:00.123 UTC [1234] STATEMENT:  select 1/0;");
        assert!(pg.further && pg.shape == Some(Shape::Stamp), "{pg:?}");
    }

    #[test]
    fn java_util_logging_has_its_time_first_and_its_level_on_the_next_line() {
        let head = read(b"Dec 03, 2026 4:00:00 PM org.example.Main run");
        assert_eq!((head.shape, head.level), (Some(Shape::Stamp), None));
        let second = read(b"SEVERE: it failed");
        assert_eq!(
            (second.shape, second.level),
            (Some(Shape::Level), Some(Level::Error))
        );
    }
}
