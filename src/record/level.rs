//! The vocabularies of levels, mapped to five classes.

/// How severe a log record is: five classes that every logging library's
/// levels map to (FATAL, CRITICAL and SEVERE are errors; NOTICE and
/// PostgreSQL's LOG are info; FINE and DEBUG1-5 are debug; FINER, FINEST
/// and VERBOSE are trace). Ordered from the least severe, so
/// `level >= Level::Warn` means "a warning or worse".
///
/// ```
/// use reflow::Level;
///
/// assert!(Level::Error > Level::Warn);
/// assert_eq!("warning".parse::<Level>(), Ok(Level::Warn));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// The finest detail: TRACE, FINER, FINEST, VERBOSE.
    Trace,
    /// DEBUG, FINE, CONFIG, DEBUG1-5.
    Debug,
    /// INFO, NOTICE, LOG.
    Info,
    /// WARN, WARNING.
    Warn,
    /// ERROR and worse: FATAL, CRITICAL, SEVERE, PANIC, EMERG, ALERT.
    Error,
}

impl Level {
    /// Every class, the least severe first.
    pub const ALL: [Level; 5] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Warn,
        Level::Error,
    ];

    /// The class's name as `--level` takes it: `error`, `warn`, …
    pub fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// The class of a numeric syslog or journald priority (0-7).
    pub(crate) fn of_syslog(priority: u64) -> Option<Level> {
        Some(match priority {
            0..=3 => Level::Error,
            4 => Level::Warn,
            5 | 6 => Level::Info,
            7 => Level::Debug,
            _ => return None,
        })
    }

    /// The class of a pino or bunyan numeric level (10 trace … 60 fatal).
    pub(crate) fn of_pino(level: u64) -> Option<Level> {
        Some(match level {
            0..=14 => Level::Trace,
            15..=24 => Level::Debug,
            25..=34 => Level::Info,
            35..=44 => Level::Warn,
            45..=100 => Level::Error,
            _ => return None,
        })
    }
}

/// The error `"…".parse::<Level>()` gives for a word that names no level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownLevel(String);

impl std::fmt::Display for UnknownLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown level {:?} (error, warn, info, debug or trace)",
            self.0
        )
    }
}

impl std::error::Error for UnknownLevel {}

impl std::str::FromStr for Level {
    type Err = UnknownLevel;

    /// A class by any of the words that name it, in any case.
    fn from_str(s: &str) -> Result<Level, UnknownLevel> {
        let upper = s.to_ascii_uppercase();
        word(upper.as_bytes()).ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

/// The class a level word names, as logs write it: all capitals
/// (`ERROR`, `WRN`), all small (`error`), or capitalized (`Error`). The
/// three-letter forms (`ERR`, `WRN`, `INF`, `DBG`, `TRC`, `FTL`, `CRT`,
/// `EMERG`) and the Java and PostgreSQL words (`SEVERE`, `FINE`,
/// `CONFIG`, `LOG`) only in capitals: in small letters they are words of
/// a message as often as levels.
pub(crate) fn word(w: &[u8]) -> Option<Level> {
    if w.len() < 3 || w.len() > 9 {
        return None;
    }
    // Apache's `trace1` to `trace8`, PostgreSQL's `DEBUG1` to `DEBUG5`.
    if let [base @ .., digit] = w
        && digit.is_ascii_digit()
    {
        return match word(base)? {
            level @ (Level::Debug | Level::Trace) => Some(level),
            _ => None,
        };
    }
    let capitals = w
        .iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let small = w.iter().all(|b| b.is_ascii_lowercase());
    let capitalized = w[0].is_ascii_uppercase() && w[1..].iter().all(|b| b.is_ascii_lowercase());
    if !(capitals || small || capitalized) {
        return None;
    }
    let mut buf = [0u8; 9];
    let up = &mut buf[..w.len()];
    up.copy_from_slice(w);
    up.make_ascii_uppercase();
    let any_case = match &*up {
        b"ERROR" | b"FATAL" | b"CRITICAL" | b"PANIC" | b"EMERGENCY" | b"ALERT" => {
            Some(Level::Error)
        }
        b"WARN" | b"WARNING" => Some(Level::Warn),
        b"INFO" | b"NOTICE" => Some(Level::Info),
        b"DEBUG" => Some(Level::Debug),
        b"TRACE" | b"VERBOSE" => Some(Level::Trace),
        _ => None,
    };
    if any_case.is_some() {
        return any_case;
    }
    if !capitals {
        return None;
    }
    match &*up {
        b"ERR" | b"FTL" | b"CRIT" | b"CRT" | b"EMERG" | b"SEVERE" | b"EROR" => Some(Level::Error),
        b"WRN" => Some(Level::Warn),
        b"INF" | b"LOG" => Some(Level::Info),
        b"DBG" | b"FINE" | b"CONFIG" => Some(Level::Debug),
        b"TRC" | b"FINER" | b"FINEST" => Some(Level::Trace),
        _ => None,
    }
}

/// The class of a one-letter level (klog's `E1203`, logcat's ` W `):
/// only where a format puts one.
pub(crate) fn letter(b: u8) -> Option<Level> {
    Some(match b {
        b'F' | b'E' | b'A' => Level::Error,
        b'W' => Level::Warn,
        b'I' | b'N' => Level::Info,
        b'D' => Level::Debug,
        b'V' | b'T' => Level::Trace,
        _ => return None,
    })
}

/// PostgreSQL's words for the further lines of a record (`DETAIL:`,
/// `STATEMENT:`, …), written with the prefix of a new line.
pub(crate) fn continues(w: &[u8]) -> bool {
    matches!(
        w,
        b"DETAIL" | b"HINT" | b"STATEMENT" | b"CONTEXT" | b"QUERY" | b"LOCATION"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_name_their_class_in_the_cases_logs_write_them() {
        for (w, level) in [
            ("ERROR", Level::Error),
            ("error", Level::Error),
            ("Error", Level::Error),
            ("FATAL", Level::Error),
            ("CRITICAL", Level::Error),
            ("SEVERE", Level::Error),
            ("ERR", Level::Error),
            ("WARNING", Level::Warn),
            ("warn", Level::Warn),
            ("NOTICE", Level::Info),
            ("LOG", Level::Info),
            ("DEBUG3", Level::Debug),
            ("trace3", Level::Trace),
            ("FINE", Level::Debug),
            ("CONFIG", Level::Debug),
            ("FINEST", Level::Trace),
            ("verbose", Level::Trace),
        ] {
            assert_eq!(word(w.as_bytes()), Some(level), "{w}");
        }
        for w in [
            "eRRor", "log", "fine", "config", "err", "severe", "ERRORS", "x", "Errors",
        ] {
            assert_eq!(word(w.as_bytes()), None, "{w}");
        }
    }

    #[test]
    fn numbers_map_as_syslog_and_pino_number_them() {
        assert_eq!(Level::of_syslog(3), Some(Level::Error));
        assert_eq!(Level::of_syslog(4), Some(Level::Warn));
        assert_eq!(Level::of_syslog(6), Some(Level::Info));
        assert_eq!(Level::of_syslog(7), Some(Level::Debug));
        assert_eq!(Level::of_syslog(8), None);
        assert_eq!(Level::of_pino(10), Some(Level::Trace));
        assert_eq!(Level::of_pino(30), Some(Level::Info));
        assert_eq!(Level::of_pino(60), Some(Level::Error));
    }

    #[test]
    fn parse_takes_any_word_of_a_class_and_says_what_it_wanted() {
        assert_eq!("Warn".parse::<Level>(), Ok(Level::Warn));
        assert_eq!("fatal".parse::<Level>(), Ok(Level::Error));
        let err = "loud".parse::<Level>().unwrap_err().to_string();
        assert!(err.contains("error, warn, info, debug or trace"), "{err}");
    }
}
