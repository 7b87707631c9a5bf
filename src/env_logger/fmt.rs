//! Formatting records: the [`Formatter`] a custom format writes into,
//! timestamps and styles (env_logger's `fmt` module).

use std::fmt::Display;
use std::io;
use std::time::SystemTime;

use log::Level;

/// Styles for a custom format, as env_logger re-exports them.
pub use anstyle as style;

/// How precise a timestamp is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimestampPrecision {
    /// To the second.
    #[default]
    Seconds,
    /// To the millisecond.
    Millis,
    /// To the microsecond.
    Micros,
    /// To the nanosecond.
    Nanos,
}

/// Whether records are coloured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteStyle {
    /// When the target is a terminal (and `NO_COLOR` is not set).
    #[default]
    Auto,
    /// Always, into files and pipes too.
    Always,
    /// Never.
    Never,
}

/// Where records go.
#[derive(Default)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// Standard error (the default).
    #[default]
    Stderr,
    /// Any writer: records are written into it as they come.
    Pipe(Box<dyn io::Write + Send + 'static>),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Target::Stdout => "Stdout",
            Target::Stderr => "Stderr",
            Target::Pipe(_) => "Pipe(_)",
        })
    }
}

/// A point in time, shown as RFC 3339 in UTC at its precision:
/// `2024-02-29T13:05:09.123Z`.
#[derive(Clone, Copy, Debug)]
pub struct Timestamp {
    time: SystemTime,
    precision: TimestampPrecision,
}

impl Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = match self.precision {
            TimestampPrecision::Seconds => 0,
            TimestampPrecision::Millis => 3,
            TimestampPrecision::Micros => 6,
            TimestampPrecision::Nanos => 9,
        };
        crate::time::Civil::of(self.time).write_rfc3339(f, digits)
    }
}

/// How the default format writes a record's key-values (see
/// [`Builder::format_key_values`](super::Builder::format_key_values)).
#[cfg(feature = "kv")]
pub type KvFormatFn = dyn Fn(&mut Formatter, &dyn log::kv::Source) -> io::Result<()> + Sync + Send;

/// Leaves a record's key-values out.
#[cfg(feature = "kv")]
pub fn hidden_kv_format(
    _formatter: &mut Formatter,
    _fields: &dyn log::kv::Source,
) -> io::Result<()> {
    Ok(())
}

/// The default: ` key=value` for each pair, in order, the key in italics
/// where colours are written (as env_logger's `kv` feature has it):
/// `ip=127.0.0.1 port=8080`.
#[cfg(feature = "kv")]
pub fn default_kv_format(
    formatter: &mut Formatter,
    fields: &dyn log::kv::Source,
) -> io::Result<()> {
    let mut text = String::new();
    crate::logger::push_key_values(&mut text, fields, formatter.color);
    io::Write::write_all(formatter, text.as_bytes())
}

/// What a custom format writes a record into (it is `io::Write`).
#[derive(Debug)]
pub struct Formatter {
    pub(super) buf: Vec<u8>,
    /// Colours are written.
    pub(super) color: bool,
}

impl Formatter {
    /// The time now, to the second.
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp_seconds()
    }

    /// The time now, to the second.
    pub fn timestamp_seconds(&self) -> Timestamp {
        self.at(TimestampPrecision::Seconds)
    }

    /// The time now, to the millisecond.
    pub fn timestamp_millis(&self) -> Timestamp {
        self.at(TimestampPrecision::Millis)
    }

    /// The time now, to the microsecond.
    pub fn timestamp_micros(&self) -> Timestamp {
        self.at(TimestampPrecision::Micros)
    }

    /// The time now, to the nanosecond.
    pub fn timestamp_nanos(&self) -> Timestamp {
        self.at(TimestampPrecision::Nanos)
    }

    fn at(&self, precision: TimestampPrecision) -> Timestamp {
        Timestamp {
            time: SystemTime::now(),
            precision,
        }
    }

    /// The style env_logger gives `level` (none when colours are off):
    /// write `{style}…{style:#}`.
    pub fn default_level_style(&self, level: Level) -> style::Style {
        if !self.color {
            return style::Style::new();
        }
        match level {
            Level::Trace => style::AnsiColor::Cyan.on_default(),
            Level::Debug => style::AnsiColor::Blue.on_default(),
            Level::Info => style::AnsiColor::Green.on_default(),
            Level::Warn => style::AnsiColor::Yellow.on_default(),
            Level::Error => style::AnsiColor::Red
                .on_default()
                .effects(style::Effects::BOLD),
        }
    }

    /// The style of env_logger's brackets.
    pub(super) fn subtle(&self) -> style::Style {
        match self.color {
            true => style::AnsiColor::BrightBlack.on_default(),
            false => style::Style::new(),
        }
    }
}

impl io::Write for Formatter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
