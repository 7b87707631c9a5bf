//! Civil time in UTC from the system clock, written as RFC 3339: the
//! loggers' stamps (`2024-02-29T13:05:09Z`, as env_logger writes them) and,
//! without the `local-time` feature, the display's arrival times.
//!
//! Our own few lines instead of a date crate: UTC needs no time zone
//! database, only the proleptic Gregorian calendar, and the logger alone
//! stays light (issue 18, item 12). Pure: no I/O.

use std::fmt::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

/// A moment split into its UTC calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) nanos: u32,
}

impl Civil {
    /// `time` in UTC; a time before 1970 too.
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn of(time: SystemTime) -> Self {
        let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => (
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                d.subsec_nanos(),
            ),
            Err(before) => {
                let d = before.duration();
                let secs = -i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                match d.subsec_nanos() {
                    0 => (secs, 0),
                    n => (secs - 1, 1_000_000_000 - n),
                }
            }
        };
        Self::from_unix(secs, nanos)
    }

    /// Seconds since the epoch (and the nanoseconds past them) in UTC.
    pub(crate) fn from_unix(secs: i64, nanos: u32) -> Self {
        let days = secs.div_euclid(86_400);
        let of_day = secs.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
            nanos,
        }
    }

    /// As RFC 3339 in UTC with `digits` of the second's fraction (0, 3, 6
    /// or 9): `2024-02-29T13:05:09.123Z`.
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn write_rfc3339(&self, out: &mut impl Write, digits: u32) -> fmt::Result {
        write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )?;
        self.write_fraction(out, digits)?;
        out.write_char('Z')
    }

    /// The time of day to the millisecond: `13:05:09.123`.
    pub(crate) fn write_clock(&self, out: &mut impl Write) -> fmt::Result {
        write!(
            out,
            "{:02}:{:02}:{:02}",
            self.hour, self.minute, self.second
        )?;
        self.write_fraction(out, 3)
    }

    fn write_fraction(&self, out: &mut impl Write, digits: u32) -> fmt::Result {
        let digits = digits.min(9);
        if digits == 0 {
            return Ok(());
        }
        let value = self.nanos / 10u32.pow(9 - digits);
        write!(out, ".{value:0width$}", width = digits as usize)
    }
}

/// The date of a day counted from 1970-01-01, in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`: 400-year eras of 146,097
/// days, years that start on March 1st so the leap day comes last).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    fn rfc3339(secs: i64, nanos: u32, digits: u32) -> String {
        let mut out = String::new();
        Civil::from_unix(secs, nanos)
            .write_rfc3339(&mut out, digits)
            .expect("a String takes it");
        out
    }

    #[test]
    fn known_moments_are_written_as_rfc3339() {
        let cases = [
            (0, 0, 0, "1970-01-01T00:00:00Z"),
            (951_782_400, 0, 0, "2000-02-29T00:00:00Z"),
            (1_709_211_909, 123_456_789, 3, "2024-02-29T13:05:09.123Z"),
            (1_709_211_909, 123_456_789, 6, "2024-02-29T13:05:09.123456Z"),
            (1_709_211_909, 5, 9, "2024-02-29T13:05:09.000000005Z"),
            (4_102_444_799, 0, 0, "2099-12-31T23:59:59Z"),
            (-1, 0, 0, "1969-12-31T23:59:59Z"),
            (-2_208_988_800, 0, 0, "1900-01-01T00:00:00Z"),
        ];
        for (secs, nanos, digits, text) in cases {
            assert_eq!(rfc3339(secs, nanos, digits), text, "{secs}");
        }
    }

    #[test]
    fn a_time_before_the_epoch_counts_back_from_it() {
        let time = UNIX_EPOCH - Duration::from_millis(1500);
        let mut out = String::new();
        Civil::of(time)
            .write_rfc3339(&mut out, 3)
            .expect("a String");
        assert_eq!(out, "1969-12-31T23:59:58.500Z");
    }

    #[test]
    fn the_clock_is_the_time_of_day_to_the_millisecond() {
        let mut out = String::new();
        Civil::from_unix(1_709_211_909, 7_000_000)
            .write_clock(&mut out)
            .expect("a String");
        assert_eq!(out, "13:05:09.007");
    }

    proptest! {
        /// The calendar agrees with chrono's for any second of years 0 to
        /// 9999 (four digits, as RFC 3339 has them).
        #[test]
        fn the_calendar_agrees_with_chrono(secs in -62_167_219_200i64..253_402_300_800, nanos in 0u32..1_000_000_000) {
            let ours = rfc3339(secs, nanos, 9);
            let theirs = chrono::DateTime::from_timestamp(secs, nanos)
                .expect("in chrono's range")
                .format("%Y-%m-%dT%H:%M:%S%.9fZ")
                .to_string();
            prop_assert_eq!(ours, theirs);
        }
    }
}
