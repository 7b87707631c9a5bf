//! Pure: the time a log line starts with, as nanoseconds since the Unix
//! epoch (UTC), for ordering records of several sources (`--merge`).
//!
//! The forms read, each where the formats of [`super::Shape::Stamp`],
//! JSON and logfmt write it:
//!
//! - RFC 3339 / ISO 8601: `2026-12-03T16:00:00.123Z`, with a space or `_`
//!   for the `T`, a fraction after `.` or `,`, a zone `Z`, `+01:00`,
//!   `+0100`, `+01`, `UTC` or none (**no zone is read as UTC**: a log's
//!   writer rarely says its zone, and its lines only need to compare
//!   with each other); `2026/12/03 16:00:00` too. After a syslog
//!   priority (`<34>`, `<34>1 `) or in brackets (`[2026-…]`).
//! - syslog `Dec  3 16:00:00`, klog `I1203 16:00:00.123456` and logcat
//!   `12-03 16:00:00.123`, which have no year: **the current year, or the
//!   previous one if that would put the time more than a day in the
//!   future** (a log of late December read in early January).
//! - Apache `[Thu Dec 03 16:00:00.123456 2026]` (and ctime without the
//!   brackets), java.util.logging `Dec 03, 2026 4:00:00 PM`.
//! - JSON fields `time`, `ts`, `timestamp`, `@timestamp` (an RFC 3339
//!   string, or a number: epoch seconds with a fraction, zap's
//!   `"ts":1733241600.123`; milliseconds, pino's `"time":1733241600123`;
//!   by its size, microseconds and nanoseconds too) and journald's
//!   `__REALTIME_TIMESTAMP` (microseconds, as a string).
//! - logfmt `time=` and `ts=`, quoted or not, the same values.
//!
//! A time of day alone (`16:00:00.123 INFO …`) has no date, and is no
//! time here.

use std::time::{SystemTime, UNIX_EPOCH};

const NANOS: i64 = 1_000_000_000;
const DAY: i64 = 86_400 * NANOS;

/// How far into a line a time is looked for.
const HEAD: usize = 4096;

/// The time `line` (its own bytes) starts with, or names in its time
/// field, in nanoseconds since the Unix epoch, UTC. A time without a
/// year is placed by the system clock's year (see the module).
pub(crate) fn time_of(line: &[u8]) -> Option<i64> {
    time_at(line, now())
}

/// The current time as [`time_of`] counts.
fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
        Err(_) => 0,
    }
}

/// [`time_of`] with the time now being `now` (for a time with no year).
pub(crate) fn time_at(line: &[u8], now: i64) -> Option<i64> {
    let line = &line[..line.len().min(HEAD)];
    match line.first()? {
        b'{' => json(line, now),
        _ => stamp(line, now).or_else(|| logfmt(line, now)),
    }
}

/// A time at the start of a text line.
fn stamp(line: &[u8], now: i64) -> Option<i64> {
    let mut at = 0;
    // A syslog priority, and RFC 5424's version after it.
    if line.first() == Some(&b'<') {
        let close = memchr::memchr(b'>', &line[..line.len().min(5)])?;
        at = close + 1;
        if line.get(at..at + 2) == Some(b"1 ") {
            at += 2;
        }
    }
    if line.get(at) == Some(&b'[') {
        at += 1;
    }
    let c = Cursor { line };
    if let Some((time, _)) = c.iso(at) {
        return Some(time);
    }
    if let Some(time) = c.klog(at, now) {
        return Some(time);
    }
    if let Some(time) = c.logcat(at, now) {
        return Some(time);
    }
    c.named_month(at, now)
}

/// The value of a JSON line's time field.
fn json(line: &[u8], now: i64) -> Option<i64> {
    for (key, unit) in [
        (&b"\"time\""[..], Unit::Guess),
        (b"\"ts\"", Unit::Guess),
        (b"\"timestamp\"", Unit::Guess),
        (b"\"@timestamp\"", Unit::Guess),
        (b"\"__REALTIME_TIMESTAMP\"", Unit::Micros),
    ] {
        let Some(found) = memchr::memmem::find(line, key) else {
            continue;
        };
        let mut at = spaces(line, found + key.len());
        if line.get(at) != Some(&b':') {
            continue;
        }
        at = spaces(line, at + 1);
        let value = match line.get(at) {
            Some(b'"') => {
                let end = memchr::memchr(b'"', &line[at + 1..])?;
                &line[at + 1..at + 1 + end]
            }
            _ => {
                let end = line[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b' '))
                    .map_or(line.len(), |e| at + e);
                &line[at..end]
            }
        };
        if let Some(time) = value_time(value, unit, now) {
            return Some(time);
        }
    }
    None
}

/// The value of logfmt's `time=` or `ts=`, the first pair or a later one.
fn logfmt(line: &[u8], now: i64) -> Option<i64> {
    for key in [&b"time="[..], b"ts="] {
        let mut from = 0;
        while let Some(found) = memchr::memmem::find(&line[from..], key) {
            let start = from + found;
            from = start + key.len();
            if start > 0 && line[start - 1] != b' ' {
                continue;
            }
            let value = match line.get(from) {
                Some(b'"') => {
                    let end = memchr::memchr(b'"', &line[from + 1..])?;
                    &line[from + 1..from + 1 + end]
                }
                _ => {
                    let end = memchr::memchr(b' ', &line[from..]).map_or(line.len(), |e| from + e);
                    &line[from..end]
                }
            };
            if let Some(time) = value_time(value, Unit::Guess, now) {
                return Some(time);
            }
        }
    }
    None
}

/// What an epoch number counts.
#[derive(Clone, Copy)]
enum Unit {
    /// Told by its size: seconds up to 11 digits (the year 5138), then
    /// milliseconds up to 14, microseconds up to 17, else nanoseconds.
    Guess,
    Micros,
}

/// A field's value: a date and time, or a number since the epoch.
fn value_time(value: &[u8], unit: Unit, now: i64) -> Option<i64> {
    if value.first().is_some_and(u8::is_ascii_digit)
        && let Some(time) = epoch(value, unit)
    {
        return Some(time);
    }
    Cursor { line: value }
        .iso(0)
        .map(|(time, _)| time)
        .or_else(|| stamp(value, now))
}

/// `1733241600`, `1733241600.123`, `1733241600123`: nanoseconds.
fn epoch(value: &[u8], unit: Unit) -> Option<i64> {
    let int = value.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &value[int..];
    let fraction: &[u8] = match rest.first() {
        None => b"",
        Some(b'.') if rest[1..].iter().all(u8::is_ascii_digit) => &rest[1..],
        _ => return None,
    };
    if int == 0 || int > 19 {
        return None;
    }
    let whole: i64 = std::str::from_utf8(&value[..int]).ok()?.parse().ok()?;
    let scale = match unit {
        Unit::Micros => 1_000,
        Unit::Guess => match int {
            ..=11 => NANOS,
            12..=14 => 1_000_000,
            15..=17 => 1_000,
            _ => 1,
        },
    };
    // The fraction, to the nanosecond, of one unit.
    let mut part: i64 = 0;
    let mut weight = scale;
    for &d in fraction.iter().take(9) {
        weight /= 10;
        part += i64::from(d - b'0') * weight;
    }
    whole.checked_mul(scale)?.checked_add(part)
}

/// Nanoseconds since the epoch of a civil date and time in UTC.
fn civil(year: i64, month: u32, day: u32, seconds_of_day: i64, nanos: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    days.checked_mul(DAY)?
        .checked_add(seconds_of_day * NANOS + nanos)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar
/// (Howard Hinnant's `days_from_civil`, the inverse of `crate::time`'s).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let day_of_year = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The year of `now`, the calendar's.
fn year_of(now: i64) -> i64 {
    // The year is about days / 365.2425 from 1970; corrected by a step.
    let days = now.div_euclid(DAY);
    let mut year = 1970 + days * 400 / 146_097;
    while days_from_civil(year + 1, 1, 1) <= days {
        year += 1;
    }
    while days_from_civil(year, 1, 1) > days {
        year -= 1;
    }
    year
}

/// A date with no year: this year's, or last year's when this year's
/// would be more than a day ahead of `now`.
fn yearless(month: u32, day: u32, seconds: i64, nanos: i64, now: i64) -> Option<i64> {
    let year = year_of(now);
    let this = civil(year, month, day, seconds, nanos)?;
    match this > now.saturating_add(DAY) {
        true => civil(year - 1, month, day, seconds, nanos),
        false => Some(this),
    }
}

const MONTHS: [&[u8]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const DAYS: [&[u8]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

/// Reads numbers and words of a line at given places.
struct Cursor<'a> {
    line: &'a [u8],
}

impl Cursor<'_> {
    /// `n` digits at `at`, as a number.
    fn num(&self, at: usize, n: usize) -> Option<u32> {
        let digits = self.line.get(at..at + n)?;
        let mut value = 0;
        for &d in digits {
            if !d.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(d - b'0');
        }
        Some(value)
    }

    fn is(&self, at: usize, byte: u8) -> bool {
        self.line.get(at) == Some(&byte)
    }

    /// `YYYY-MM-DD` or `YYYY/MM/DD`, then `T`, ` ` or `_`, a time of day
    /// and a zone: the time and where it ends.
    fn iso(&self, at: usize) -> Option<(i64, usize)> {
        let year = self.num(at, 4)?;
        let sep = *self.line.get(at + 4)?;
        if !matches!(sep, b'-' | b'/') || !self.is(at + 7, sep) {
            return None;
        }
        let month = self.num(at + 5, 2)?;
        let day = self.num(at + 8, 2)?;
        if !matches!(self.line.get(at + 10), Some(b'T' | b't' | b' ' | b'_')) {
            return None;
        }
        let (seconds, nanos, end) = self.clock(at + 11)?;
        let (offset, end) = self.zone(end);
        let time = civil(i64::from(year), month, day, seconds, nanos)?;
        Some((time - offset, end))
    }

    /// `H:MM`, `HH:MM:SS`, with a fraction after `.` or `,`: the seconds
    /// of the day, the nanoseconds, and where it ends.
    fn clock(&self, at: usize) -> Option<(i64, i64, usize)> {
        let hours = self
            .line
            .get(at..)?
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if !(1..=2).contains(&hours) || !self.is(at + hours, b':') {
            return None;
        }
        let hour = self.num(at, hours)?;
        let minute = self.num(at + hours + 1, 2)?;
        let mut end = at + hours + 3;
        let mut second = 0;
        let mut nanos = 0;
        if self.is(end, b':')
            && let Some(s) = self.num(end + 1, 2)
        {
            second = s;
            end += 3;
            if matches!(self.line.get(end), Some(b'.' | b','))
                && self.line.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end += 1;
                let mut weight = NANOS;
                while let Some(&d) = self.line.get(end).filter(|d| d.is_ascii_digit()) {
                    weight /= 10;
                    nanos += i64::from(d - b'0') * weight;
                    end += 1;
                }
            }
        }
        if hour > 24 || minute > 59 || second > 60 {
            return None;
        }
        let seconds = i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second);
        Some((seconds, nanos, end))
    }

    /// A zone right after a time: its offset east of UTC in nanoseconds,
    /// and where it ends; none is UTC.
    fn zone(&self, at: usize) -> (i64, usize) {
        match self.line.get(at) {
            Some(b'Z' | b'z') => (0, at + 1),
            Some(&sign @ (b'+' | b'-')) => {
                let Some(hours) = self.num(at + 1, 2) else {
                    return (0, at);
                };
                let mut end = at + 3;
                let colon = usize::from(self.is(end, b':'));
                let minutes = match self.num(end + colon, 2) {
                    Some(m) => {
                        end += colon + 2;
                        m
                    }
                    None => 0,
                };
                let offset = (i64::from(hours) * 3600 + i64::from(minutes) * 60) * NANOS;
                (if sign == b'-' { -offset } else { offset }, end)
            }
            Some(b' ') if self.line[at + 1..].starts_with(b"UTC") => (0, at + 4),
            _ => (0, at),
        }
    }

    /// klog: `I1203 16:00:00.123456`.
    fn klog(&self, at: usize, now: i64) -> Option<i64> {
        if !matches!(self.line.get(at), Some(b'I' | b'W' | b'E' | b'F')) || !self.is(at + 5, b' ') {
            return None;
        }
        let month = self.num(at + 1, 2)?;
        let day = self.num(at + 3, 2)?;
        let (seconds, nanos, _) = self.clock(at + 6)?;
        yearless(month, day, seconds, nanos, now)
    }

    /// logcat: `12-03 16:00:00.123`.
    fn logcat(&self, at: usize, now: i64) -> Option<i64> {
        if !self.is(at + 2, b'-') || !self.is(at + 5, b' ') {
            return None;
        }
        let month = self.num(at, 2)?;
        let day = self.num(at + 3, 2)?;
        let (seconds, nanos, _) = self.clock(at + 6)?;
        yearless(month, day, seconds, nanos, now)
    }

    /// A month's name first (after a day's): syslog `Dec  3 16:00:00`,
    /// Apache and ctime `Thu Dec 03 16:00:00.123 2026`,
    /// java.util.logging `Dec 03, 2026 4:00:00 PM`.
    fn named_month(&self, mut at: usize, now: i64) -> Option<i64> {
        let line = self.line;
        if DAYS.iter().any(|d| line[at..].starts_with(d)) && self.is(at + 3, b' ') {
            at += 4;
        }
        let month = MONTHS.iter().position(|m| line[at..].starts_with(m))? as u32 + 1;
        if !self.is(at + 3, b' ') {
            return None;
        }
        at = spaces(line, at + 4);
        let digits = line[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=2).contains(&digits) {
            return None;
        }
        let day = self.num(at, digits)?;
        at += digits;
        let mut year = None;
        if line[at..].starts_with(b", ")
            && let Some(y) = self.num(at + 2, 4)
        {
            year = Some(i64::from(y));
            at += 6;
        }
        let (mut seconds, nanos, mut end) = self.clock(spaces(line, at).max(at + 1))?;
        let pm = line[end..].starts_with(b" PM");
        if pm || line[end..].starts_with(b" AM") {
            // 12 AM is midnight, 12 PM noon.
            seconds %= 12 * 3600;
            if pm {
                seconds += 12 * 3600;
            }
            end += 3;
        }
        if year.is_none()
            && self.is(end, b' ')
            && let Some(y) = self.num(end + 1, 4)
        {
            year = Some(i64::from(y));
        }
        match year {
            Some(year) => civil(year, month, day, seconds, nanos),
            None => yearless(month, day, seconds, nanos, now),
        }
    }
}

fn spaces(line: &[u8], mut at: usize) -> usize {
    while line.get(at).is_some_and(|b| *b == b' ' || *b == b'\t') {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03T16:00:00Z.
    const T: i64 = 1_796_313_600 * NANOS;
    /// The moment the tests read a time with no year at: 2026-12-10.
    const NOW: i64 = T + 7 * DAY;

    fn at(line: &str) -> Option<i64> {
        time_at(line.as_bytes(), NOW)
    }

    const MS: i64 = 1_000_000;

    #[test]
    fn the_calendar_agrees_with_chrono() {
        use chrono::TimeZone;
        let t = chrono::Utc.with_ymd_and_hms(2026, 12, 3, 16, 0, 0).unwrap();
        assert_eq!(t.timestamp() * NANOS, T);
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (1969, 12, 31),
            (2100, 3, 1),
            (1600, 1, 1),
        ] {
            let theirs = chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())
                .num_days();
            assert_eq!(days_from_civil(i64::from(y), m, d), theirs, "{y}-{m}-{d}");
        }
        assert_eq!(year_of(T), 2026);
        assert_eq!(year_of(civil(2027, 1, 1, 0, 0).unwrap()), 2027);
        assert_eq!(year_of(civil(2026, 12, 31, 86_399, 0).unwrap()), 2026);
        assert_eq!(year_of(-1), 1969);
    }

    #[test]
    fn rfc_3339_and_iso_8601_in_every_spelling() {
        for line in [
            "2026-12-03T16:00:00Z x",
            "2026-12-03T16:00:00.000Z",
            "2026-12-03 16:00:00 INFO app",
            "2026-12-03_16:00:00",
            "2026-12-03T17:00:00+01:00",
            "2026-12-03T17:00:00+0100",
            "2026-12-03T17:00:00+01",
            "2026-12-03T08:00:00-08:00",
            "2026-12-03 16:00:00.000 UTC [1234] LOG:  checkpoint",
            "2026/12/03 16:00:00 [error] 123#0",
            "[2026-12-03T16:00:00Z DEBUG myapp::db] query",
            "<11>1 2026-12-03T16:00:00Z host app 12 ID1 - failed",
            "2026-12-03T16:00:00Z stdout F {\"time\":\"1999-01-01T00:00:00Z\"}",
            "2026-12-03T16:00Z",
        ] {
            assert_eq!(at(line), Some(T), "{line}");
        }
        // Fractions after `.` or `,`, to the nanosecond.
        assert_eq!(at("2026-12-03 16:00:00,123 ERROR a"), Some(T + 123 * MS));
        assert_eq!(
            at("2026-12-03T16:00:00.123456789Z TRACE"),
            Some(T + 123_456_789)
        );
        assert_eq!(at("2026-12-03T16:00:00.1234567891Z"), Some(T + 123_456_789));
        // No zone: read as UTC.
        assert_eq!(at("2026-12-03 17:30:00"), Some(T + 5400 * NANOS));
    }

    #[test]
    fn times_with_no_year_are_this_years_unless_that_is_ahead() {
        for line in [
            "Dec  3 16:00:00 host sshd[12]: x",
            "<30>Dec  3 16:00:00 host app[1]: started",
            "Dec 03 16:00:00 host x",
            "I1203 16:00:00.000000   12345 file.go:42] boom",
            "E1203 16:00:00   1 f.go:1] x",
            "12-03 16:00:00.000  1234  5678 E ActivityManager: ANR",
        ] {
            assert_eq!(at(line), Some(T), "{line}");
        }
        assert_eq!(
            at("I1203 16:00:00.123456 1 f.go:1] x"),
            Some(T + 123_456_000)
        );
        assert_eq!(at("12-03 16:00:00.123  1 2 I t: x"), Some(T + 123 * MS));
        // A day ahead at most: the 11th still this year, the 12th last year.
        let eleventh = at("Dec 11 16:00:00 h x").unwrap();
        assert_eq!(eleventh, T + 8 * DAY);
        let twelfth = at("Dec 12 16:00:00 h x").unwrap();
        assert_eq!(twelfth, civil(2025, 12, 12, 16 * 3600, 0).unwrap());
        // Read on January 1st, December's records are last year's.
        let january = civil(2027, 1, 1, 3600, 0).unwrap();
        assert_eq!(
            time_at(b"Dec 31 23:00:00 h x", january),
            civil(2026, 12, 31, 82_800, 0)
        );
        assert_eq!(
            time_at(b"Jan  1 00:30:00 h x", january),
            civil(2027, 1, 1, 1800, 0)
        );
    }

    #[test]
    fn apache_ctime_and_java_util_logging_name_their_month() {
        assert_eq!(
            at("[Thu Dec 03 16:00:00.123456 2026] [core:error] [pid 12] AH00126"),
            Some(T + 123_456_000)
        );
        assert_eq!(at("[Thu Dec 03 16:00:00 2026] [mpm_event:notice]"), Some(T));
        assert_eq!(at("Thu Dec  3 16:00:00 2026 x"), Some(T));
        assert_eq!(at("Dec 03, 2026 4:00:00 PM org.example.Main run"), Some(T));
        assert_eq!(
            at("Dec 03, 2026 12:00:01 AM a.B c"),
            civil(2026, 12, 3, 1, 0)
        );
        assert_eq!(
            at("Dec 03, 2026 12:00:00 PM a.B c"),
            civil(2026, 12, 3, 12 * 3600, 0)
        );
        assert_eq!(
            at("Dec 03, 2026 9:05:00 AM a.B c"),
            civil(2026, 12, 3, 9 * 3600 + 300, 0)
        );
    }

    #[test]
    fn json_time_fields_as_strings_and_epoch_numbers() {
        let secs = 1_796_313_600;
        for line in [
            r#"{"time":"2026-12-03T16:00:00Z","level":"info","msg":"x"}"#.to_owned(),
            r#"{"level":"info","ts":"2026-12-03T17:00:00+01:00"}"#.to_owned(),
            r#"{"timestamp": "2026-12-03 16:00:00", "msg": "x"}"#.to_owned(),
            r#"{"@timestamp":"2026-12-03T16:00:00.000Z","log.level":"warn"}"#.to_owned(),
            format!(r#"{{"level":"info","ts":{secs},"msg":"zap"}}"#),
            format!(r#"{{"level":30,"time":{secs}000,"msg":"pino"}}"#),
            format!(r#"{{"__REALTIME_TIMESTAMP":"{secs}000000","PRIORITY":"6"}}"#),
            format!(r#"{{"t":1,"time":{secs}000000000}}"#),
            r#"{"log":"x\n","stream":"stdout","time":"2026-12-03T16:00:00.000000000Z"}"#.to_owned(),
        ] {
            assert_eq!(at(&line), Some(T), "{line}");
        }
        assert_eq!(
            at(&format!(
                r#"{{"level":"info","ts":{secs}.123,"msg":"zap"}}"#
            )),
            Some(T + 123 * MS)
        );
        assert_eq!(
            at(&format!(r#"{{"time":{secs}123,"msg":"pino"}}"#)),
            Some(T + 123 * MS)
        );
        assert_eq!(
            at(&format!(r#"{{"__REALTIME_TIMESTAMP":"{secs}123456"}}"#)),
            Some(T + 123_456_000)
        );
        assert_eq!(at(r#"{"level":"info","msg":"no time"}"#), None);
        assert_eq!(at(r#"{"time":"soon"}"#), None);
    }

    #[test]
    fn logfmt_time_and_ts_pairs() {
        assert_eq!(at("time=2026-12-03T16:00:00Z level=WARN msg=slow"), Some(T));
        assert_eq!(
            at("time=\"2026-12-03 16:00:00.5\" level=error msg=\"x\""),
            Some(T + 500 * MS)
        );
        assert_eq!(at("level=info ts=2026-12-03T16:00:00Z msg=x"), Some(T));
        assert_eq!(at("level=info ts=1796313600.25 msg=x"), Some(T + 250 * MS));
        // Not a key of its own.
        assert_eq!(at("level=info uptime=2026-12-03T16:00:00Z"), None);
    }

    #[test]
    fn lines_without_a_date_have_no_time() {
        for line in [
            "",
            "16:00:00.123 INFO  started",
            "    at com.example.Main.run(Main.java:12)",
            "Traceback (most recent call last):",
            "2026-12-03: fixed the error",
            "2026-13-03 16:00:00 bad month",
            "2026-12-03 25:00:00 bad hour",
            "ERROR:root:it broke",
            "Decimal 3 16:00:00",
        ] {
            assert_eq!(at(line), None, "{line}");
        }
    }
}
