//! env_logger's default format, and where a record's message starts (the
//! display hangs the record's rows there).

use std::io::Write as _;

use log::Record;

use super::Logger;
use super::fmt::{Formatter, TimestampPrecision};

impl Logger {
    /// The record as env_logger writes it (`display`: for reflow's
    /// display, which takes a further line's indent from a header rather
    /// than spaces), and the column its message starts at.
    pub(super) fn render(&self, record: &Record<'_>, display: bool) -> (Vec<u8>, usize) {
        let mut buf = Formatter {
            buf: Vec::with_capacity(128),
            color: self.color,
        };
        if let Some(custom) = &self.format.custom {
            let _ = custom(&mut buf, record);
            let message = record.args().to_string();
            let first = message.lines().next().unwrap_or_default();
            let text = String::from_utf8_lossy(&buf.buf);
            let head = text.lines().next().unwrap_or_default();
            let column = match (first.is_empty(), head.find(first)) {
                (false, Some(at)) => visible_width(&head[..at]),
                _ => 0,
            };
            return (buf.buf, column);
        }
        let format = &self.format;
        let mut head = String::new();
        let mut value = |text: &dyn std::fmt::Display| {
            if head.is_empty() {
                let subtle = buf.subtle();
                head.push_str(&format!("{subtle}[{subtle:#}{text}"));
            } else {
                head.push_str(&format!(" {text}"));
            }
        };
        if let Some(precision) = format.timestamp {
            match precision {
                TimestampPrecision::Seconds => {
                    let mut ts = String::with_capacity(20);
                    crate::logger::push_timestamp(&mut ts);
                    value(&ts);
                }
                _ => value(&fmt_timestamp(precision)),
            }
        }
        if format.level {
            let style = buf.default_level_style(record.level());
            value(&format_args!("{style}{:<5}{style:#}", record.level()));
        }
        if format.module_path
            && let Some(path) = record.module_path()
        {
            value(&path);
        }
        if format.file
            && let Some(file) = record.file()
        {
            match (format.line, record.line()) {
                (true, Some(line)) => value(&format_args!("{file}:{line}")),
                _ => value(&file),
            }
        }
        if format.target && !record.target().is_empty() {
            value(&record.target());
        }
        if !head.is_empty() {
            let subtle = buf.subtle();
            head.push_str(&format!("{subtle}]{subtle:#} "));
        }
        let column = visible_width(&head);
        let _ = buf.write_all(head.as_bytes());
        let message = record.args().to_string();
        match format.indent {
            Some(indent) if !display => {
                let mut lines = message.split('\n');
                let _ = buf.write_all(lines.next().unwrap_or_default().as_bytes());
                for line in lines {
                    let _ = write!(buf, "{}{:indent$}{line}", format.suffix, "");
                }
            }
            _ => {
                let _ = buf.write_all(message.as_bytes());
            }
        }
        #[cfg(feature = "kv")]
        {
            let kv = format
                .kv
                .as_deref()
                .unwrap_or(&super::fmt::default_kv_format);
            let _ = kv(&mut buf, record.key_values());
        }
        let _ = buf.write_all(format.suffix.as_bytes());
        (buf.buf, column)
    }
}

/// The time now at `precision`.
fn fmt_timestamp(precision: TimestampPrecision) -> String {
    let buf = Formatter {
        buf: Vec::new(),
        color: false,
    };
    match precision {
        TimestampPrecision::Seconds => buf.timestamp_seconds(),
        TimestampPrecision::Millis => buf.timestamp_millis(),
        TimestampPrecision::Micros => buf.timestamp_micros(),
        TimestampPrecision::Nanos => buf.timestamp_nanos(),
    }
    .to_string()
}

/// Columns `text` takes, its escape sequences taking none.
fn visible_width(text: &str) -> usize {
    crate::width_of(&crate::sanitize(text.as_bytes(), 8))
}
