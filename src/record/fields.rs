//! The level of a structured line: a JSON object or logfmt pairs, read
//! from the one field that names it, without parsing the whole line.

use std::ops::Range;

use super::level::{self, Level};
use super::line::{Read, Shape};

/// The keys a level is written under, in the order they are looked for:
/// zap, logrus, slog, pino, bunyan, winston, GELF (`level`); Elastic ECS
/// (`log.level`); Google Cloud (`severity`); python-json-logger
/// (`levelname`); journald (`PRIORITY`).
const JSON_KEYS: [&[u8]; 8] = [
    b"\"level\"",
    b"\"log.level\"",
    b"\"severity\"",
    b"\"levelname\"",
    b"\"lvl\"",
    b"\"loglevel\"",
    b"\"PRIORITY\"",
    b"\"@l\"",
];

/// A line that starts with `{`: JSON if it looks like an object, with
/// the level of its level field, or of the line it carries (Docker's
/// json-file `{"log":"…"}`).
pub(crate) fn json(line: &[u8]) -> Read {
    let end = line.iter().rposition(|b| !b.is_ascii_whitespace());
    let object = line.get(1..).is_some_and(|rest| {
        let rest = &rest[rest.iter().position(|b| *b != b' ').unwrap_or(0)..];
        rest.first() == Some(&b'"')
    }) && end.is_some_and(|e| line[e] == b'}');
    if !object {
        return Read::default();
    }
    let mut read = Read {
        shape: Some(Shape::Json),
        ..Read::default()
    };
    for key in JSON_KEYS {
        let Some(found) = memchr::memmem::find(line, key) else {
            continue;
        };
        let mut at = skip(line, found + key.len());
        if line.get(at) != Some(&b':') {
            continue;
        }
        at = skip(line, at + 1);
        let syslog = key == b"\"PRIORITY\"";
        if let Some((level, span)) = json_value(line, at, syslog) {
            read.level = Some(level);
            read.at = Some(span);
            return read;
        }
    }
    // Docker's json-file: the line the container wrote, as a string.
    if let Some(found) = memchr::memmem::find(line, b"\"log\":\"") {
        let inner = unescape_prefix(&line[found + 7..]);
        let inner = super::line::read(&inner);
        // A line the container wrote that has no log shape continues the
        // record before (a traceback, an indented line).
        read.further = inner.shape.is_none();
        read.level = inner.level;
    }
    read
}

/// The level a JSON value at `at` names: a string (`"warn"`, `"3"` for
/// journald) or a number (syslog's 0-7, pino's 10-60).
fn json_value(line: &[u8], at: usize, syslog: bool) -> Option<(Level, Range<usize>)> {
    if line.get(at) == Some(&b'"') {
        let start = at + 1;
        let end = start + memchr::memchr(b'"', &line[start..])?;
        let value = &line[start..end];
        if value.iter().all(u8::is_ascii_digit) && !value.is_empty() {
            let n = std::str::from_utf8(value).ok()?.parse().ok()?;
            return Some((number(n, syslog)?, start..end));
        }
        let mut upper = value.to_vec();
        upper.make_ascii_uppercase();
        return level::word(&upper).map(|l| (l, start..end));
    }
    let len = line[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let n = std::str::from_utf8(&line[at..at + len])
        .ok()?
        .parse()
        .ok()?;
    Some((number(n, syslog)?, at..at + len))
}

/// The start of a JSON string's text (`at` is past its opening quote),
/// its escapes undone: enough of it for a level to be read.
fn unescape_prefix(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len().min(256));
    let mut bytes = s.iter().take(512);
    while let Some(&b) = bytes.next() {
        match b {
            b'"' => break,
            b'\\' => match bytes.next() {
                Some(b'n') => break,
                Some(b't') => out.push(b'\t'),
                Some(&c) => out.push(c),
                None => break,
            },
            _ => out.push(b),
        }
    }
    out
}

/// The class of a level written as a number: syslog's 0-7 (always
/// under `PRIORITY`, `syslog`), else pino's 10-60.
pub(super) fn number(n: u64, syslog: bool) -> Option<Level> {
    if syslog || n <= 7 {
        Level::of_syslog(n)
    } else {
        Level::of_pino(n)
    }
}

fn skip(line: &[u8], mut at: usize) -> usize {
    while line.get(at).is_some_and(|b| *b == b' ') {
        at += 1;
    }
    at
}

/// The keys logfmt writes a level under.
const LOGFMT_KEYS: [&[u8]; 4] = [b"level=", b"lvl=", b"severity=", b"loglevel="];

/// A line of `key=value` pairs (at least two, the first at its start):
/// logfmt, slog's text handler, logrus's text formatter without colours.
pub(crate) fn logfmt(line: &[u8]) -> Option<Read> {
    let key = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@'))
        .count();
    if key == 0 || line.get(key) != Some(&b'=') {
        return None;
    }
    let head = &line[..line.len().min(512)];
    let pairs = head
        .windows(2)
        .filter(|w| w[0].is_ascii_alphanumeric() && w[1] == b'=')
        .count();
    if pairs < 2 {
        return None;
    }
    let mut read = Read {
        shape: Some(Shape::Logfmt),
        ..Read::default()
    };
    for key in LOGFMT_KEYS {
        let mut from = 0;
        while let Some(found) = memchr::memmem::find(&head[from..], key) {
            let at = from + found;
            from = at + key.len();
            if at > 0 && head[at - 1] != b' ' {
                continue;
            }
            let start = at + key.len();
            let (start, end) = if head.get(start) == Some(&b'"') {
                let end = memchr::memchr(b'"', &head[start + 1..]).map(|e| start + 1 + e)?;
                (start + 1, end)
            } else {
                let end = head[start..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace())
                    .map_or(head.len(), |e| start + e);
                (start, end)
            };
            let value = &head[start..end];
            let sign = value.iter().position(|&b| b == b'-' || b == b'+');
            let name = &value[..sign.unwrap_or(value.len())];
            let mut upper = name.to_vec();
            upper.make_ascii_uppercase();
            if let Some(mut level) = level::word(&upper) {
                // slog: `DEBUG-4` is finer than debug.
                if level == Level::Debug && sign.is_some_and(|s| value[s] == b'-') {
                    level = Level::Trace;
                }
                read.level = Some(level);
                read.at = Some(start..end);
                return Some(read);
            }
        }
    }
    Some(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(line: &str) -> Option<Level> {
        super::super::line::read(line.as_bytes()).level
    }

    #[test]
    fn json_levels_are_read_from_every_librarys_field() {
        use Level::*;
        for (line, want) in [
            (r#"{"level":"error","ts":1.5,"msg":"x"}"#, Error),
            (r#"{"level":30,"time":1,"pid":1,"msg":"hi"}"#, Info),
            (r#"{"level":50,"msg":"boom"}"#, Error),
            (r#"{"level":10,"msg":"t"}"#, Trace),
            (r#"{"time":"x","level":"WARN","msg":"s"}"#, Warn),
            (
                r#"{"@timestamp":"x","log.level":"debug","message":"m"}"#,
                Debug,
            ),
            (
                r#"{"version":"1.1","host":"h","short_message":"m","level":3}"#,
                Error,
            ),
            (r#"{"severity":"WARNING","message":"m"}"#, Warn),
            (r#"{"PRIORITY":"6","MESSAGE":"started"}"#, Info),
            (r#"{"PRIORITY":"3","MESSAGE":"failed"}"#, Error),
            (
                r#"{"log":"2026-12-03 16:00:00 ERROR x\n","stream":"stderr","time":"t"}"#,
                Error,
            ),
        ] {
            assert_eq!(level(line), Some(want), "{line}");
        }
        assert_eq!(level(r#"{"msg":"no level here","n":1}"#), None);
        assert_eq!(super::super::line::read(b"{ not json").shape, None);
    }

    #[test]
    fn logfmt_levels_are_read_from_their_key() {
        assert_eq!(level("ts=1 level=error msg=x"), Some(Level::Error));
        assert_eq!(level("t=1 lvl=warn msg=\"a b\""), Some(Level::Warn));
        assert_eq!(level("msg=x mylevel=error"), None);
        assert_eq!(super::super::line::read(b"a=1").shape, None);
    }
}
