//! A structured record (a JSON object, logfmt pairs) as a readable line:
//! its time, its level, its message, then the other fields as
//! `key=value` (dimmed by the layout), each field whose value has lines
//! of its own (a `stack`) after it, one line a part. The bytes held stay
//! as received: this is only how the display draws them.

use std::ops::Range;

use super::Level;

/// A structured record laid out as text.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Shown {
    /// The parts, in order: the first is the record's line, the others
    /// the lines of its multi-line fields.
    pub(crate) parts: Vec<String>,
    /// The level word in the first part, and its class.
    pub(crate) level: Option<(Range<usize>, Level)>,
    /// Where, in the first part, the other fields start (drawn dim).
    pub(crate) fields: Option<usize>,
    /// Columns of the first part before its message: further rows hang
    /// under it.
    pub(crate) indent: usize,
}

impl Shown {
    /// Whether `matches` holds for one of its parts as drawn (every
    /// control visible): what a search of the record sees.
    pub(crate) fn any_part(&self, mut matches: impl FnMut(&str) -> bool) -> bool {
        self.parts
            .iter()
            .any(|part| matches(&crate::sanitize::visible(part.as_bytes())))
    }
}

const TIME: [&str; 6] = [
    "time",
    "ts",
    "timestamp",
    "@timestamp",
    "t",
    "__REALTIME_TIMESTAMP",
];
const LEVEL: [&str; 8] = [
    "level",
    "lvl",
    "severity",
    "log.level",
    "levelname",
    "loglevel",
    "PRIORITY",
    "@l",
];
const MESSAGE: [&str; 7] = [
    "msg",
    "message",
    "MESSAGE",
    "short_message",
    "@m",
    "@mt",
    "log",
];

/// `line` (a line's own bytes) as a readable record, if it is a JSON
/// object with a message, level or time.
pub(crate) fn json(line: &[u8]) -> Option<Shown> {
    let serde_json::Value::Object(map) = serde_json::from_slice(line).ok()? else {
        return None;
    };
    let pairs: Vec<(String, Value)> = map
        .into_iter()
        .map(|(key, value)| {
            let value = match value {
                serde_json::Value::String(s) => Value::Text(s),
                other => Value::Raw(other.to_string()),
            };
            (key, value)
        })
        .collect();
    shown(pairs, true)
}

/// `line` as a readable record, if it is logfmt with a message, level or
/// time.
pub(crate) fn logfmt(line: &[u8]) -> Option<Shown> {
    let text = std::str::from_utf8(line).ok()?;
    let mut pairs = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = &rest[..eq];
        if key.is_empty() || key.contains(char::is_whitespace) || key.contains('"') {
            return None;
        }
        rest = &rest[eq + 1..];
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let (value, len) = unquote(quoted)?;
            rest = &quoted[len..];
            value
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let value = rest[..end].to_owned();
            rest = &rest[end..];
            value
        };
        pairs.push((key.to_owned(), Value::Text(value)));
        rest = rest.trim_start();
    }
    shown(pairs, false)
}

/// A logfmt quoted value after its `"`: the text and the bytes it took
/// (its closing quote too).
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                c => out.push(c),
            },
            c => out.push(c),
        }
    }
    None
}

#[derive(Debug)]
enum Value {
    /// A string, its escapes undone.
    Text(String),
    /// Any other JSON value, as JSON.
    Raw(String),
}

impl Value {
    fn text(&self) -> &str {
        match self {
            Value::Text(s) | Value::Raw(s) => s,
        }
    }
}

fn shown(mut pairs: Vec<(String, Value)>, json: bool) -> Option<Shown> {
    let mut take = |keys: &[&str]| {
        let at = pairs.iter().position(|(k, _)| keys.contains(&k.as_str()))?;
        Some(pairs.remove(at))
    };
    let time = take(&TIME);
    let level = take(&LEVEL);
    let message = take(&MESSAGE);
    if time.is_none() && level.is_none() && message.is_none() {
        return None;
    }
    let mut first = String::new();
    let mut more = Vec::new();
    if let Some((key, time)) = &time {
        match epoch(key, time) {
            Some(stamp) => first.push_str(&stamp),
            None => first.push_str(time.text()),
        }
        first.push(' ');
    }
    let mut level_at = None;
    if let Some((key, value)) = &level {
        let class = level_class(key, value, json);
        let word = match (value, class) {
            (Value::Raw(_), Some(class)) => class.name().to_ascii_uppercase(),
            _ => value.text().to_owned(),
        };
        let start = first.len();
        first.push_str(&word);
        level_at = class.map(|class| (start..first.len(), class));
        first.push(' ');
    }
    let indent = first.chars().count();
    if let Some((_, message)) = &message {
        let mut lines = message.text().trim_end_matches('\n').split('\n');
        first.push_str(lines.next().unwrap_or_default());
        more.extend(lines.map(str::to_owned));
    }
    let fields = (!pairs.is_empty()).then_some(first.len());
    for (key, value) in &pairs {
        let text = value.text();
        if text.contains('\n') {
            more.push(format!("{key}:"));
            more.extend(
                text.trim_end_matches('\n')
                    .split('\n')
                    .map(|l| format!("  {l}")),
            );
            continue;
        }
        if !first.ends_with(' ') && !first.is_empty() {
            first.push(' ');
        }
        let plain = matches!(value, Value::Raw(_))
            || !text.is_empty()
                && !text.contains(|c: char| c.is_whitespace() || c == '"' || c == '=');
        if plain {
            first.push_str(&format!("{key}={text}"));
        } else {
            first.push_str(&format!("{key}={text:?}"));
        }
    }
    let mut parts = vec![first.trim_end().to_owned()];
    parts.extend(more);
    Some(Shown {
        parts,
        level: level_at,
        fields,
        indent,
    })
}

/// A time written as a number since the epoch, in UTC as RFC 3339:
/// journald's microseconds, pino's milliseconds, zap's seconds.
fn epoch(key: &str, time: &Value) -> Option<String> {
    let text = time.text();
    let (secs, nanos) = if key == "__REALTIME_TIMESTAMP" {
        let us: i64 = text.parse().ok()?;
        (
            us.div_euclid(1_000_000),
            (us.rem_euclid(1_000_000) * 1000) as u32,
        )
    } else {
        if !matches!(time, Value::Raw(_)) {
            return None;
        }
        match text.parse::<i64>() {
            // Milliseconds (pino), exactly.
            Ok(ms) if ms >= 1_000_000_000_000 => (
                ms.div_euclid(1000),
                (ms.rem_euclid(1000) * 1_000_000) as u32,
            ),
            _ => {
                let secs: f64 = text.parse().ok()?;
                if !(1e8..1e11).contains(&secs) {
                    return None;
                }
                let nanos = ((secs.fract() * 1e9).round() as u32).min(999_999_999);
                (secs.floor() as i64, nanos)
            }
        }
    };
    let mut out = String::new();
    crate::time::Civil::from_unix(secs, nanos)
        .write_rfc3339(&mut out, 3)
        .ok()?;
    Some(out)
}

/// The class of a level field's value.
fn level_class(key: &str, value: &Value, json: bool) -> Option<Level> {
    let text = value.text();
    let number = text.parse::<u64>().ok();
    match number {
        Some(n) if key == "PRIORITY" || n <= 7 => Level::of_syslog(n),
        Some(n) if json => Level::of_pino(n),
        _ => {
            let word = text.split(['-', '+']).next().unwrap_or(text);
            let class = word.parse::<Level>().ok()?;
            // slog: `DEBUG-4` is finer than debug.
            Some(match (class, text.contains("-")) {
                (Level::Debug, true) => Level::Trace,
                _ => class,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_record_reads_time_level_message_then_its_fields() {
        let line =
            br#"{"level":50,"time":1733241600123,"pid":7,"msg":"query failed","err":"timeout"}"#;
        let shown = json(line).unwrap();
        assert_eq!(
            shown.parts,
            ["2024-12-03T16:00:00.123Z ERROR query failed pid=7 err=timeout"]
        );
        let (at, class) = shown.level.clone().unwrap();
        assert_eq!((&shown.parts[0][at], class), ("ERROR", Level::Error));
        assert_eq!(
            &shown.parts[0][shown.fields.unwrap()..],
            " pid=7 err=timeout"
        );
        assert_eq!(shown.indent, "2024-12-03T16:00:00.123Z ERROR ".len());
    }

    #[test]
    fn a_multi_line_field_is_shown_as_lines_of_its_own() {
        let line = br#"{"level":"error","msg":"boom","stack":"Error: boom\n    at f (a.js:1)\n    at g (b.js:2)","user":"a b"}"#;
        let shown = json(line).unwrap();
        assert_eq!(
            shown.parts,
            [
                "error boom user=\"a b\"",
                "stack:",
                "  Error: boom",
                "      at f (a.js:1)",
                "      at g (b.js:2)"
            ]
        );
    }

    #[test]
    fn logfmt_reads_as_json_does_and_other_text_is_left_alone() {
        let shown =
            logfmt(b"time=2026-12-03T16:00:00Z level=DEBUG-4 msg=\"cache miss\" key=a").unwrap();
        assert_eq!(
            shown.parts,
            ["2026-12-03T16:00:00Z DEBUG-4 cache miss key=a"]
        );
        assert_eq!(shown.level.unwrap().1, Level::Trace);
        assert_eq!(json(b"{\"a\":1}"), None);
        assert_eq!(json(b"[1,2]"), None);
        assert_eq!(logfmt(b"a=1 b=2"), None);
        assert_eq!(logfmt(b"not logfmt at all"), None);
    }
}
