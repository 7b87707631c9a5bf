//! env_logger 0.11's API over reflow, so that porting a tool is a rename:
//! `env_logger::` becomes `reflow::env_logger::`, and nothing else changes.
//! The same calls, names and meaning ([`Builder`], [`Env`], `RUST_LOG`,
//! `RUST_LOG_STYLE`, a custom [`format`](Builder::format) with a
//! [`Formatter`], [`is_test`](Builder::is_test)), and
//! env_logger's look: `[2024-02-29T13:05:09Z INFO  my_tool] message`.
//!
//! What changes is where records go on a terminal: reflow's inline display
//! (see [`Viewport::Inline`]), which wraps each
//! record with its hanging indent at the width of the moment, keeps the
//! tool's own output in order with it, and gives the terminal back at the
//! exit. Not on a terminal, records are written by the calling thread, as
//! env_logger writes them.
//!
//! ```
//! use std::io::Write;
//! reflow::env_logger::Builder::from_default_env()
//!     .format(|buf, record| writeln!(buf, "{}: {}", record.level(), record.args()))
//!     .filter_level(log::LevelFilter::Info)
//!     .init();
//! log::info!("as with env_logger");
//! ```

use std::io;

use log::{Log, Metadata, Record, SetLoggerError};

use crate::logger::Out;
use crate::options::{ColorChoice, OnExit, Viewport};
use crate::printer::Printer;

pub use log::LevelFilter;

pub use fmt::{Target, TimestampPrecision, WriteStyle};

/// The variable the filter is read from by default.
pub const DEFAULT_FILTER_ENV: &str = "RUST_LOG";
/// The variable the write style is read from by default.
pub const DEFAULT_WRITE_STYLE_ENV: &str = "RUST_LOG_STYLE";

/// Formatting records: the [`Formatter`] a custom format
/// writes into, timestamps and styles.
pub mod fmt;

use fmt::Formatter;

mod env;
mod format;

pub use env::Env;

/// A custom format.
type FormatFn = dyn Fn(&mut Formatter, &Record<'_>) -> io::Result<()> + Sync + Send;

/// How records look.
struct Format {
    timestamp: Option<TimestampPrecision>,
    module_path: bool,
    target: bool,
    level: bool,
    file: bool,
    line: bool,
    indent: Option<usize>,
    suffix: &'static str,
    custom: Option<Box<FormatFn>>,
    /// How the default format writes a record's key-values (None: as
    /// [`fmt::default_kv_format`]).
    #[cfg(feature = "kv")]
    kv: Option<Box<fmt::KvFormatFn>>,
}

impl Default for Format {
    fn default() -> Self {
        Format {
            timestamp: Some(TimestampPrecision::Seconds),
            module_path: false,
            target: true,
            level: true,
            file: false,
            line: false,
            indent: Some(4),
            suffix: "\n",
            custom: None,
            #[cfg(feature = "kv")]
            kv: None,
        }
    }
}

/// Builds a [`Logger`], as env_logger's `Builder`.
pub struct Builder {
    filter: env_filter::Builder,
    write_style: WriteStyle,
    target: Target,
    is_test: bool,
    format: Format,
    built: bool,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder")
            .field("write_style", &self.write_style)
            .field("target", &self.target)
            .field("is_test", &self.is_test)
            .finish_non_exhaustive()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            filter: env_filter::Builder::new(),
            write_style: WriteStyle::Auto,
            target: Target::Stderr,
            is_test: false,
            format: Format::default(),
            built: false,
        }
    }
}

impl Builder {
    /// The defaults, reading no variable.
    pub fn new() -> Self {
        Self::default()
    }

    /// The defaults, with the filter and write style from `env`.
    pub fn from_env<'a, E: Into<Env<'a>>>(env: E) -> Self {
        let mut builder = Builder::new();
        builder.parse_env(env);
        builder
    }

    /// Applies the filter and write style of `env`.
    pub fn parse_env<'a, E: Into<Env<'a>>>(&mut self, env: E) -> &mut Self {
        let env = env.into();
        if let Some(filters) = env.filter.get() {
            self.parse_filters(&filters);
        }
        if let Some(style) = env.write_style.get() {
            self.parse_write_style(&style);
        }
        self
    }

    /// The defaults, with `RUST_LOG` and `RUST_LOG_STYLE`.
    pub fn from_default_env() -> Self {
        Self::from_env(Env::default())
    }

    /// Applies `RUST_LOG` and `RUST_LOG_STYLE`.
    pub fn parse_default_env(&mut self) -> &mut Self {
        self.parse_env(Env::default())
    }

    /// Formats each record with `format`.
    pub fn format<F>(&mut self, format: F) -> &mut Self
    where
        F: Fn(&mut Formatter, &Record<'_>) -> io::Result<()> + Sync + Send + 'static,
    {
        self.format.custom = Some(Box::new(format));
        self
    }

    /// Back to the default format.
    pub fn default_format(&mut self) -> &mut Self {
        self.format = Format::default();
        self
    }

    /// Writes the level (on by default).
    pub fn format_level(&mut self, write: bool) -> &mut Self {
        self.format.level = write;
        self
    }

    /// Writes the source file.
    pub fn format_file(&mut self, write: bool) -> &mut Self {
        self.format.file = write;
        self
    }

    /// Writes the source line (with the file).
    pub fn format_line_number(&mut self, write: bool) -> &mut Self {
        self.format.line = write;
        self
    }

    /// Writes the source file and line.
    pub fn format_source_path(&mut self, write: bool) -> &mut Self {
        self.format.file = write;
        self.format.line = write;
        self
    }

    /// Writes the module path.
    pub fn format_module_path(&mut self, write: bool) -> &mut Self {
        self.format.module_path = write;
        self
    }

    /// Writes the target (on by default).
    pub fn format_target(&mut self, write: bool) -> &mut Self {
        self.format.target = write;
        self
    }

    /// Indents a message's further lines by this many spaces (4 by
    /// default); `None` leaves them as they are.
    pub fn format_indent(&mut self, indent: Option<usize>) -> &mut Self {
        self.format.indent = indent;
        self
    }

    /// The timestamp's precision, or none.
    pub fn format_timestamp(&mut self, timestamp: Option<TimestampPrecision>) -> &mut Self {
        self.format.timestamp = timestamp;
        self
    }

    /// Timestamps to the second.
    pub fn format_timestamp_secs(&mut self) -> &mut Self {
        self.format_timestamp(Some(TimestampPrecision::Seconds))
    }

    /// Timestamps to the millisecond.
    pub fn format_timestamp_millis(&mut self) -> &mut Self {
        self.format_timestamp(Some(TimestampPrecision::Millis))
    }

    /// Timestamps to the microsecond.
    pub fn format_timestamp_micros(&mut self) -> &mut Self {
        self.format_timestamp(Some(TimestampPrecision::Micros))
    }

    /// Timestamps to the nanosecond.
    pub fn format_timestamp_nanos(&mut self) -> &mut Self {
        self.format_timestamp(Some(TimestampPrecision::Nanos))
    }

    /// How the default format writes a record's key-values, after its
    /// message: [`fmt::default_kv_format`] (` key=value` each) unless set;
    /// [`fmt::hidden_kv_format`] leaves them out. (Cargo feature `kv`.)
    #[cfg(feature = "kv")]
    pub fn format_key_values<F>(&mut self, format: F) -> &mut Self
    where
        F: Fn(&mut Formatter, &dyn log::kv::Source) -> io::Result<()> + Sync + Send + 'static,
    {
        self.format.kv = Some(Box::new(format));
        self
    }

    /// What ends each record (`"\n"` by default).
    pub fn format_suffix(&mut self, suffix: &'static str) -> &mut Self {
        self.format.suffix = suffix;
        self
    }

    /// Records of `module` (and below) at `level` and above.
    pub fn filter_module(&mut self, module: &str, level: LevelFilter) -> &mut Self {
        self.filter.filter_module(module, level);
        self
    }

    /// Records at `level` and above, where no module says otherwise.
    pub fn filter_level(&mut self, level: LevelFilter) -> &mut Self {
        self.filter.filter_level(level);
        self
    }

    /// [`filter_module`](Builder::filter_module), or with `None`
    /// [`filter_level`](Builder::filter_level).
    pub fn filter(&mut self, module: Option<&str>, level: LevelFilter) -> &mut Self {
        self.filter.filter(module, level);
        self
    }

    /// `RUST_LOG`-style directives.
    pub fn parse_filters(&mut self, filters: &str) -> &mut Self {
        self.filter.parse(filters);
        self
    }

    /// Where records go (stderr by default).
    pub fn target(&mut self, target: Target) -> &mut Self {
        self.target = target;
        self
    }

    /// Whether records are coloured.
    pub fn write_style(&mut self, write_style: WriteStyle) -> &mut Self {
        self.write_style = write_style;
        self
    }

    /// `auto`, `always` or `never`, as in `RUST_LOG_STYLE` (anything else
    /// is `auto`).
    pub fn parse_write_style(&mut self, write_style: &str) -> &mut Self {
        self.write_style = match write_style {
            "always" => WriteStyle::Always,
            "never" => WriteStyle::Never,
            _ => WriteStyle::Auto,
        };
        self
    }

    /// Records go through the test harness's capture (`print!`/`eprint!`),
    /// so `cargo test` shows them with a failing test's output.
    pub fn is_test(&mut self, is_test: bool) -> &mut Self {
        self.is_test = is_test;
        self
    }

    /// Builds the logger and sets it as the `log` facade's.
    ///
    /// # Errors
    ///
    /// When a logger is set already.
    pub fn try_init(&mut self) -> Result<(), SetLoggerError> {
        let logger = self.build();
        let max = logger.filter();
        log::set_boxed_logger(Box::new(logger))?;
        log::set_max_level(max);
        Ok(())
    }

    /// [`try_init`](Builder::try_init).
    ///
    /// # Panics
    ///
    /// When a logger is set already.
    pub fn init(&mut self) {
        self.try_init()
            .expect("Builder::init should not be called after the logger is initialized");
    }

    /// Builds the logger; its display (on a terminal) runs for the whole
    /// process.
    ///
    /// # Panics
    ///
    /// When called twice on one builder, as env_logger's.
    pub fn build(&mut self) -> Logger {
        assert!(!self.built, "attempt to re-use consumed builder");
        self.built = true;
        let target = std::mem::take(&mut self.target);
        let ours = match &target {
            Target::Stdout => crate::options::Target::Stdout,
            _ => crate::options::Target::Stderr,
        };
        let terminal = !matches!(target, Target::Pipe(_)) && crate::printer::draws_on(ours);
        let color = match self.write_style {
            WriteStyle::Always => true,
            WriteStyle::Never => false,
            WriteStyle::Auto => {
                terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let (out, hang) = match target {
            _ if self.is_test => (Out::Test(ours), false),
            Target::Pipe(writer) => (
                Out::Direct {
                    target: ours,
                    writer: Some(std::sync::Mutex::new(writer)),
                    sanitize: false,
                },
                false,
            ),
            _ => {
                let printer = Printer::builder()
                    .target(ours)
                    .viewport(Viewport::Inline)
                    .inline_after_quit(true)
                    .on_exit(OnExit::All)
                    .source("log")
                    .color(match color {
                        true => ColorChoice::Always,
                        false => ColorChoice::Never,
                    });
                match crate::logger::open(printer) {
                    Ok((printer, out, hang)) => {
                        crate::logger::keep(printer);
                        (out, hang)
                    }
                    // No display: written straight, as env_logger would.
                    Err(_) => (
                        Out::Direct {
                            target: ours,
                            writer: None,
                            sanitize: false,
                        },
                        false,
                    ),
                }
            }
        };
        Logger {
            filter: std::mem::replace(&mut self.filter, env_filter::Builder::new()).build(),
            format: std::mem::take(&mut self.format),
            color,
            out,
            hang,
        }
    }
}

/// The `log` logger a [`Builder`] builds.
pub struct Logger {
    filter: env_filter::Filter,
    format: Format,
    color: bool,
    out: Out,
    /// Records go to a display, which reads the hanging indent's header.
    hang: bool,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

impl Logger {
    /// [`Builder::from_env`], built.
    pub fn from_env<'a, E: Into<Env<'a>>>(env: E) -> Self {
        Builder::from_env(env).build()
    }

    /// [`Builder::from_default_env`], built.
    pub fn from_default_env() -> Self {
        Builder::from_default_env().build()
    }

    /// The most verbose level any record can pass at.
    pub fn filter(&self) -> LevelFilter {
        self.filter.filter()
    }

    /// True when `record` passes the filter.
    pub fn matches(&self, record: &Record<'_>) -> bool {
        self.filter.matches(record)
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.filter.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        if !self.filter.matches(record) {
            return;
        }
        // What this thread printed on the terminal before comes first.
        crate::capture::sync();
        let (bytes, column) = self.render(record, self.hang);
        let text = String::from_utf8_lossy(&bytes);
        if !self.hang {
            self.out.record(&text, false);
            return;
        }
        // On the display: the first line's rows hang under its message,
        // a further line's rows all start at the indent asked for (or
        // under the message, for a custom format).
        let further = match (&self.format.custom, self.format.indent) {
            (None, Some(indent)) => Some(indent),
            (None, None) => None,
            (Some(_), _) => Some(column),
        };
        let first = crate::tag::Head::indent(column)
            .with_level(crate::logger::level_of(record.level()))
            .encode();
        let rest = further.map(|n| crate::tag::Head::continued(n).encode());
        let mut headed = String::with_capacity(text.len() + 32);
        for (i, line) in text.split_inclusive('\n').enumerate() {
            let head = match (i, &rest) {
                (0, _) => &first[..],
                (_, Some(rest)) => &rest[..],
                (_, None) => crate::tag::EMPTY,
            };
            headed.push_str(&String::from_utf8_lossy(head));
            headed.push_str(line);
        }
        if !headed.ends_with('\n') {
            headed.push('\n');
        }
        self.out.record(&headed, true);
    }

    fn flush(&self) {
        self.out.flush();
    }
}

/// [`Builder::from_default_env`] set as the logger.
///
/// # Errors
///
/// When a logger is set already.
pub fn try_init() -> Result<(), SetLoggerError> {
    try_init_from_env(Env::default())
}

/// [`try_init`].
///
/// # Panics
///
/// When a logger is set already.
pub fn init() {
    try_init().expect("env_logger::init should not be called after logger initialized");
}

/// [`Builder::from_env`] set as the logger.
///
/// # Errors
///
/// When a logger is set already.
pub fn try_init_from_env<'a, E: Into<Env<'a>>>(env: E) -> Result<(), SetLoggerError> {
    Builder::from_env(env).try_init()
}

/// [`try_init_from_env`].
///
/// # Panics
///
/// When a logger is set already.
pub fn init_from_env<'a, E: Into<Env<'a>>>(env: E) {
    try_init_from_env(env)
        .expect("env_logger::init_from_env should not be called after logger initialized");
}

/// [`Builder::from_default_env`].
pub fn builder() -> Builder {
    Builder::from_default_env()
}

/// [`Builder::from_env`].
pub fn from_env<'a, E: Into<Env<'a>>>(env: E) -> Builder {
    Builder::from_env(env)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn logger(setup: impl FnOnce(&mut Builder)) -> Logger {
        let mut builder = Builder::new();
        builder.target(Target::Pipe(Box::new(io::sink())));
        setup(&mut builder);
        builder.build()
    }

    fn rendered(logger: &Logger, args: std::fmt::Arguments<'_>) -> String {
        let record = Record::builder()
            .args(args)
            .level(log::Level::Warn)
            .target("tool::net")
            .module_path(Some("tool::net"))
            .file(Some("src/net.rs"))
            .line(Some(42))
            .build();
        String::from_utf8(logger.render(&record, false).0).unwrap()
    }

    /// A record's key-values follow its message as env_logger (0.11, with
    /// its `kv` feature) writes them; the hidden format leaves them out.
    #[cfg(feature = "kv")]
    #[test]
    fn key_values_follow_the_message_as_env_loggers_do() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Shared(Arc<Mutex<Vec<u8>>>);
        impl io::Write for Shared {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let pairs = [("ip", "127.0.0.1"), ("port", "8080")];
        let record = Record::builder()
            .args(format_args!("served"))
            .level(log::Level::Warn)
            .target("tool::net")
            .key_values(&pairs)
            .build();
        let ours = logger(|b| {
            b.format_timestamp(None);
        });
        let ours = String::from_utf8(ours.render(&record, false).0).unwrap();
        let out = Shared::default();
        let theirs = env_logger::Builder::new()
            .filter_level(LevelFilter::Trace)
            .format_timestamp(None)
            .write_style(env_logger::WriteStyle::Never)
            .target(env_logger::Target::Pipe(Box::new(out.clone())))
            .build();
        log::Log::log(&theirs, &record);
        let theirs = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(ours, "[WARN  tool::net] served ip=127.0.0.1 port=8080\n");
        assert_eq!(ours, theirs);
        let hidden = logger(|b| {
            b.format_timestamp(None)
                .format_key_values(fmt::hidden_kv_format);
        });
        assert_eq!(
            String::from_utf8(hidden.render(&record, false).0).unwrap(),
            "[WARN  tool::net] served\n"
        );
    }

    #[test]
    fn the_default_look_is_env_loggers() {
        let plain = logger(|b| {
            b.format_timestamp(None);
        });
        assert_eq!(
            rendered(&plain, format_args!("lost {} packets", 3)),
            "[WARN  tool::net] lost 3 packets\n"
        );
        // Further lines indented by 4, as env_logger's.
        assert_eq!(
            rendered(&plain, format_args!("one\ntwo")),
            "[WARN  tool::net] one\n    two\n"
        );
        let all = logger(|b| {
            b.format_timestamp(None)
                .format_module_path(true)
                .format_source_path(true)
                .format_indent(None)
                .format_suffix(" <\n");
        });
        assert_eq!(
            rendered(&all, format_args!("a\nb")),
            "[WARN  tool::net src/net.rs:42 tool::net] a\nb <\n"
        );
        let stamped = rendered(
            &logger(|b| {
                b.format_timestamp_millis();
            }),
            format_args!("x"),
        );
        // [2024-02-29T13:05:09.123Z WARN  tool::net] x
        assert_eq!(
            stamped.len(),
            "[2024-02-29T13:05:09.123Z WARN  tool::net] x\n".len(),
            "{stamped}"
        );
        assert!(
            stamped.starts_with("[20") && stamped.contains("Z WARN "),
            "{stamped}"
        );
    }

    #[test]
    fn write_style_always_colours_a_pipe_and_never_colours_nothing() {
        let always = logger(|b| {
            b.format_timestamp(None).parse_write_style("always");
        });
        assert_eq!(
            rendered(&always, format_args!("x")),
            "\x1b[90m[\x1b[0m\x1b[33mWARN \x1b[0m tool::net\x1b[90m]\x1b[0m x\n"
        );
        let never = logger(|b| {
            b.format_timestamp(None).write_style(WriteStyle::Never);
        });
        assert_eq!(rendered(&never, format_args!("x")), "[WARN  tool::net] x\n");
    }

    #[test]
    fn a_custom_format_keeps_its_look_and_finds_where_its_message_starts() {
        let custom = logger(|b| {
            b.format(|buf, record| {
                let style = buf.default_level_style(record.level());
                writeln!(
                    buf,
                    "12:00 {style}{}{style:#} {}",
                    record.level(),
                    record.args()
                )
            });
        });
        let record = Record::builder()
            .args(format_args!("the message"))
            .level(log::Level::Info)
            .build();
        let (bytes, column) = custom.render(&record, true);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "12:00 INFO the message\n"
        );
        assert_eq!(column, "12:00 INFO ".len());
    }

    #[test]
    fn env_reads_its_variables_with_their_defaults() {
        let env = Env::new()
            .filter_or("REFLOW_TEST_UNSET_FILTER", "debug")
            .write_style_or("REFLOW_TEST_UNSET_STYLE", "never");
        let built = Builder::from_env(env)
            .target(Target::Pipe(Box::new(io::sink())))
            .build();
        assert_eq!(built.filter(), LevelFilter::Debug);
        assert!(!built.color);
    }
}
