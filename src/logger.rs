//! reflow as the `log` facade's logger: `reflow::init()` where a tool
//! would call `env_logger::init()`.
//!
//! Records are formatted on the calling thread (into a buffer it keeps)
//! and queued whole, so the caller never writes to the terminal and lines
//! of one record never mix with another's. Filtering is `env_logger`'s own
//! (`env_filter`, from `RUST_LOG`).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::sync::Mutex;

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::options::Target;
use crate::options::{ColorChoice, OnExit, Viewport};
use crate::printer::{Builder as PrinterBuilder, Printer, Sender, draws_on};

/// Sets up reflow as the logger, as `env_logger::init()` does: levels from
/// `RUST_LOG` (errors only when it is unset), records drawn on stderr
/// (inline when it is a terminal, see [`Viewport::Inline`], plain lines
/// otherwise), the whole log in the terminal's scrollback.
///
/// The logger works for the whole process, whether the guard is kept or
/// not: see [`LogGuard`].
///
/// ```
/// let _log = reflow::init();
/// log::info!("hidden unless RUST_LOG says info");
/// log::error!("shown");
/// ```
///
/// # Panics
///
/// If a logger is already set, or the display cannot start; see
/// [`try_init`] to handle that.
pub fn init() -> LogGuard {
    match try_init() {
        Ok(guard) => guard,
        Err(e) => panic!("reflow::init: {e}"),
    }
}

/// [`init`], returning the error instead of panicking.
///
/// # Errors
///
/// If a logger is already set, or the display cannot start.
pub fn try_init() -> io::Result<LogGuard> {
    Logger::builder().try_init()
}

/// The `log` logger. Build one with [`Logger::builder`].
pub struct Logger {
    filter: env_filter::Filter,
    out: Out,
    color: bool,
    timestamps: bool,
    /// Mark each line for a hanging indent (only on a display: a plain
    /// copy must stay free of escapes).
    hang: bool,
}

/// Where records go.
pub(crate) enum Out {
    /// To the printer thread: a display (or a saved file) needs it.
    Printer(Sender),
    /// Straight to the target, written on the calling thread as
    /// `env_logger` writes: no thread exists to slow a host that has
    /// none. `sanitize`: the target is a terminal that gets no display
    /// (`TERM=dumb`), so records are safe text.
    Direct {
        target: Target,
        /// `/dev/tty`, or a writer of the host's; else stdout or stderr.
        writer: Option<std::sync::Mutex<Box<dyn io::Write + Send>>>,
        sanitize: bool,
    },
    /// Through the test harness's capture (`print!`, `eprint!`), as
    /// env_logger's `is_test`.
    Test(Target),
}

impl Out {
    /// Writes one formatted record (whole lines). `headed`: each line
    /// starts with reflow's header (for a display only).
    pub(crate) fn record(&self, text: &str, headed: bool) {
        match self {
            Out::Printer(tx) => {
                // The printer has stopped: nothing can be shown any more.
                let _ = match headed {
                    true => tx.headed_lines(text.as_bytes()),
                    false => tx.lines(text.as_bytes()),
                };
            }
            Out::Test(Target::Stdout) => print!("{text}"),
            Out::Test(_) => eprint!("{text}"),
            Out::Direct {
                target,
                writer,
                sanitize,
            } => {
                let safe;
                let bytes = if *sanitize {
                    safe = text
                        .split_inclusive('\n')
                        .map(|line| {
                            let (line, end) = match line.strip_suffix('\n') {
                                Some(line) => (line, "\n"),
                                None => (line, ""),
                            };
                            format!("{}{end}", crate::sanitize::sanitize(line.as_bytes(), 8))
                        })
                        .collect::<String>();
                    safe.as_bytes()
                } else {
                    text.as_bytes()
                };
                // One write per record, as env_logger's; a failed write
                // has nowhere to be told.
                let _ = match (target, writer) {
                    (_, Some(writer)) => writer
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .write_all(bytes),
                    (Target::Stdout, None) => io::stdout().lock().write_all(bytes),
                    _ => io::stderr().lock().write_all(bytes),
                };
            }
        }
    }

    /// Flushes a direct writer.
    pub(crate) fn flush(&self) {
        if let Out::Direct { target, writer, .. } = self {
            let _ = match (target, writer) {
                (_, Some(writer)) => writer.lock().unwrap_or_else(|e| e.into_inner()).flush(),
                (Target::Stdout, None) => io::stdout().flush(),
                _ => io::stderr().flush(),
            };
        }
    }
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("filter", &self.filter)
            .finish_non_exhaustive()
    }
}

impl Logger {
    /// A builder with `env_logger`'s defaults: the filter from `RUST_LOG`,
    /// timestamps on, colour when drawing on a terminal, stderr.
    pub fn builder() -> LoggerBuilder {
        LoggerBuilder::new()
    }
}

thread_local! {
    /// Each thread formats its records in a buffer of its own, reused.
    static RECORD: RefCell<String> = const { RefCell::new(String::new()) };
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.filter.enabled(metadata)
    }

    /// Never panics; waits only while the display's queue is full.
    fn log(&self, record: &Record<'_>) {
        if !self.filter.matches(record) {
            return;
        }
        // What this thread printed on the terminal before comes first.
        crate::capture::sync();
        RECORD.with(|buf| {
            // A record logged while formatting another one on this thread
            // (from a Display impl) gets a buffer of its own.
            let mut own = String::new();
            let mut borrowed = buf.try_borrow_mut();
            let text = match &mut borrowed {
                Ok(buf) => &mut **buf,
                Err(_) => &mut own,
            };
            text.clear();
            self.format(record, text);
            self.out.record(text, self.hang);
        });
    }

    fn flush(&self) {
        self.out.flush();
    }
}

impl Logger {
    /// `TIMESTAMP LEVEL target: message`; the message's further lines are
    /// indented under its first, and on a display every line's wrapped
    /// rows are too (a hanging indent, reflowed with the window).
    fn format(&self, record: &Record<'_>, out: &mut String) {
        let start = out.len();
        if self.timestamps {
            push_timestamp(out);
            out.push(' ');
        }
        let level = record.level();
        if self.color {
            let _ = write!(out, "\x1b[{}m{level:<5}\x1b[0m ", color_of(level));
        } else {
            let _ = write!(out, "{level:<5} ");
        }
        let _ = write!(out, "{}: ", record.target());
        // The columns before the message (escape codes take none).
        let indent = out[start..].chars().count() - if self.color { 9 } else { 0 };
        let body = out.len();
        let _ = write!(out, "{}", record.args());
        #[cfg(feature = "kv")]
        push_key_values(out, record.key_values(), self.color);
        if self.hang || out[body..].contains('\n') {
            let message = out.split_off(body);
            let prefix = out.split_off(start);
            // On a display, a header asks for the indent: the first line's
            // rows hang under its message, a further line's rows all start
            // there (never spaces, which the wrapping would take for text).
            // A header is ASCII but for a label's name, and these have none.
            let (first, further) = match self.hang {
                true => (
                    String::from_utf8_lossy(
                        &crate::tag::Head::indent(indent)
                            .with_level(level_of(record.level()))
                            .encode(),
                    )
                    .into_owned(),
                    String::from_utf8_lossy(&crate::tag::Head::continued(indent).encode())
                        .into_owned(),
                ),
                false => (String::new(), " ".repeat(indent)),
            };
            for (i, line) in message.split('\n').enumerate() {
                if i == 0 {
                    out.push_str(&first);
                    out.push_str(&prefix);
                } else {
                    out.push_str(&further);
                }
                out.push_str(line);
                out.push('\n');
            }
            out.pop();
        }
        out.push('\n');
    }
}

/// `env_logger`'s colours for the level tags.
/// A `log` level's class, for the header that tells the display a
/// record's level with no parsing.
pub(crate) fn level_of(level: Level) -> crate::Level {
    match level {
        Level::Error => crate::Level::Error,
        Level::Warn => crate::Level::Warn,
        Level::Info => crate::Level::Info,
        Level::Debug => crate::Level::Debug,
        Level::Trace => crate::Level::Trace,
    }
}

fn color_of(level: Level) -> &'static str {
    match level {
        Level::Error => "31",
        Level::Warn => "33",
        Level::Info => "32",
        Level::Debug => "34",
        Level::Trace => "35",
    }
}

thread_local! {
    /// The second last written by this thread, and its text: a second's
    /// records format the time once.
    static SECOND: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
}

/// A record's key-values after its message: ` key=value` each, the key in
/// italics with colours (as env_logger's `kv` feature writes them).
#[cfg(feature = "kv")]
pub(crate) fn push_key_values(out: &mut String, fields: &dyn log::kv::Source, color: bool) {
    struct Pairs<'a>(&'a mut String, bool);
    impl<'kvs> log::kv::VisitSource<'kvs> for Pairs<'_> {
        fn visit_pair(
            &mut self,
            key: log::kv::Key<'kvs>,
            value: log::kv::Value<'kvs>,
        ) -> Result<(), log::kv::Error> {
            let _ = match self.1 {
                true => write!(self.0, " \x1b[3m{key}\x1b[0m={value}"),
                false => write!(self.0, " {key}={value}"),
            };
            Ok(())
        }
    }
    let _ = fields.visit(&mut Pairs(out, color));
}

/// The time now as RFC 3339 in UTC, to the second (as `env_logger`).
pub(crate) fn push_timestamp(out: &mut String) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    SECOND.with(|cached| {
        let Ok(mut cached) = cached.try_borrow_mut() else {
            return push_time(out, secs);
        };
        if cached.0 != secs {
            let mut text = String::with_capacity(20);
            push_time(&mut text, secs);
            *cached = (secs, text);
        }
        out.push_str(&cached.1);
    });
}

/// `secs` since the epoch as RFC 3339 in UTC, to the second:
/// `2024-02-29T13:05:09Z`.
fn push_time(out: &mut String, secs: i64) {
    let _ = crate::time::Civil::from_unix(secs, 0).write_rfc3339(out, 0);
}

/// Configures the logger and its display.
#[derive(Debug)]
pub struct LoggerBuilder {
    filter: env_filter::Builder,
    printer: PrinterBuilder,
    color: ColorChoice,
    timestamps: bool,
    target: Target,
}

impl Default for LoggerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl LoggerBuilder {
    /// The defaults of [`Logger::builder`].
    pub fn new() -> Self {
        LoggerBuilder {
            filter: env_filter::Builder::from_env("RUST_LOG"),
            // Inline: records go into the terminal's scrollback as they
            // come, as env_logger's do (a keyboard gets the full screen).
            printer: Printer::builder()
                .on_exit(OnExit::All)
                .viewport(Viewport::Inline)
                // With a keyboard (full screen), `q` closes the viewer and
                // the records go on inline: none is lost.
                .inline_after_quit(true),
            color: ColorChoice::Auto,
            timestamps: true,
            target: Target::Stderr,
        }
    }

    /// Shows records at `level` and above (for every module not given a
    /// level of its own).
    pub fn filter_level(mut self, level: LevelFilter) -> Self {
        self.filter.filter_level(level);
        self
    }

    /// Shows records of `module` (and its submodules) at `level` and above.
    pub fn filter_module(mut self, module: &str, level: LevelFilter) -> Self {
        self.filter.filter_module(module, level);
        self
    }

    /// Adds `RUST_LOG`-style directives (`info,my_tool::net=debug`).
    pub fn parse_filters(mut self, filters: &str) -> Self {
        self.filter.parse(filters);
        self
    }

    /// Prefix each record with the time (on by default).
    pub fn timestamps(mut self, on: bool) -> Self {
        self.timestamps = on;
        self
    }

    /// Colour the level tags: by default when drawing on a terminal (and
    /// `NO_COLOR` is not set), never in plain lines unless `Always`.
    pub fn color(mut self, color: ColorChoice) -> Self {
        self.color = color;
        self
    }

    /// Where to draw (stderr by default).
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// Any other setting of the display (`interactive`, `save`,
    /// `max_lines`, `on_exit`, …): `f` gets the printer's builder.
    pub fn printer(mut self, f: impl FnOnce(PrinterBuilder) -> PrinterBuilder) -> Self {
        self.printer = f(self.printer);
        self
    }

    /// Starts the display and sets the logger.
    ///
    /// # Errors
    ///
    /// If a logger is already set (the display is then stopped again), or
    /// the display cannot start.
    pub fn try_init(mut self) -> io::Result<LogGuard> {
        let filter = self.filter.build();
        let tui = draws_on(self.target);
        // Plain lines get colour only when it is forced.
        let color = self.color.enabled() && (tui || self.color == ColorChoice::Always);
        let builder = self
            .printer
            .target(self.target)
            .source("log")
            .color(self.color);
        let (printer, out, hang) = open(builder)?;
        let logger = Logger {
            out,
            color,
            timestamps: self.timestamps,
            hang,
            filter,
        };
        let max = logger.filter.filter();
        if log::set_logger(Box::leak(Box::new(logger))).is_err() {
            drop(printer.map(Printer::join));
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "a logger is already set",
            ));
        }
        log::set_max_level(max);
        keep(printer);
        Ok(LogGuard(()))
    }
}

/// The logger's display, for the whole process: the logger keeps working
/// whether or not the host keeps the [`LogGuard`], as env_logger's does.
/// It is stopped at the process's exit (see `printer::stop_at_exit`), or
/// by [`LogGuard::stop`].
static DISPLAY: Mutex<Option<Printer>> = Mutex::new(None);

fn display() -> std::sync::MutexGuard<'static, Option<Printer>> {
    DISPLAY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where a logger's records go, for `builder`: straight to the target from
/// the calling thread when nothing needs a printer thread (not a
/// terminal, nothing else asked for: no thread is started), else a
/// printer. Returns the printer, the way to it, and whether lines get the
/// hanging indent's header (only a display reads it).
pub(crate) fn open(builder: PrinterBuilder) -> io::Result<(Option<Printer>, Out, bool)> {
    if builder.plain_only() {
        let target = builder.target_of();
        let writer = match target {
            Target::Tty => Some(std::sync::Mutex::new(
                Box::new(target.open()?) as Box<dyn io::Write + Send>
            )),
            _ => None,
        };
        let sanitize = target.is_terminal();
        return Ok((
            None,
            Out::Direct {
                target,
                writer,
                sanitize,
            },
            false,
        ));
    }
    let printer = builder.spawn()?;
    let tx = printer.sender();
    let hang = tx.draws_a_display();
    Ok((Some(printer), Out::Printer(tx), hang))
}

/// Keeps a logger's printer for the whole process (see [`LogGuard`]).
pub(crate) fn keep(printer: Option<Printer>) {
    if let Some(printer) = printer {
        crate::printer::set_process_display(&printer);
        *display() = Some(printer);
        crate::printer::stop_at_exit();
    }
}

/// A handle on the logger's display. The logger works for the whole
/// process without it (`reflow::init();` as `env_logger::init();`, or
/// `let _ = …`): every record is printed, and the terminal given back, at
/// the process's exit, `process::exit` included. Keep it for what it
/// offers: [`stop`](LogGuard::stop) early, [`suspend`](LogGuard::suspend)
/// for a prompt, a [`sender`](LogGuard::sender) for lines that are not
/// records.
#[derive(Debug)]
pub struct LogGuard(());

impl LogGuard {
    /// Runs `f` with the normal screen given back (a prompt, the host's own
    /// output), then brings the display back: see [`Printer::suspend`].
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match display().as_ref() {
            Some(printer) => printer.suspend(f),
            None => f(),
        }
    }

    /// A sender to the logger's display, for lines that are not records.
    pub fn sender(&self) -> Option<Sender> {
        display().as_ref().map(Printer::sender)
    }

    /// Stops the display now: every record logged so far is printed and
    /// the terminal given back (waiting at most five seconds for a terminal
    /// that stopped reading). Records logged after it are lost, as they
    /// are after any stop: call it last.
    pub fn stop(self) {
        let printer = display().take();
        if let Some(printer) = printer {
            let _ = printer.join_timeout(std::time::Duration::from_secs(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats `record` as a logger without timestamps would.
    fn formatted(color: bool, args: std::fmt::Arguments<'_>) -> String {
        formatted_as(color, false, args)
    }

    fn formatted_as(color: bool, hang: bool, args: std::fmt::Arguments<'_>) -> String {
        let printer = Printer::builder().output(io::sink()).spawn().unwrap();
        let logger = Logger {
            filter: env_filter::Builder::new().build(),
            out: Out::Printer(printer.sender()),
            color,
            timestamps: false,
            hang,
        };
        let mut out = String::new();
        let record = Record::builder()
            .args(args)
            .level(Level::Warn)
            .target("tool::net")
            .build();
        logger.format(&record, &mut out);
        out
    }

    #[test]
    fn a_record_is_level_target_message_and_further_lines_indented() {
        assert_eq!(
            formatted(false, format_args!("lost {} packets", 3)),
            "WARN  tool::net: lost 3 packets\n"
        );
        assert_eq!(
            formatted(false, format_args!("first\nsecond")),
            "WARN  tool::net: first\n                 second\n"
        );
        assert_eq!(
            formatted(true, format_args!("a\nb")),
            "\x1b[33mWARN \x1b[0m tool::net: a\n                 b\n"
        );
    }

    #[cfg(feature = "kv")]
    #[test]
    fn key_values_follow_the_message() {
        let printer = Printer::builder().output(io::sink()).spawn().unwrap();
        let pairs = [("ip", "127.0.0.1"), ("port", "8080")];
        let record = Record::builder()
            .args(format_args!("served"))
            .level(Level::Info)
            .target("tool")
            .key_values(&pairs)
            .build();
        for (color, want) in [
            (false, "INFO  tool: served ip=127.0.0.1 port=8080\n"),
            (
                true,
                "\x1b[32mINFO \x1b[0m tool: served \x1b[3mip\x1b[0m=127.0.0.1 \x1b[3mport\x1b[0m=8080\n",
            ),
        ] {
            let logger = Logger {
                filter: env_filter::Builder::new().build(),
                out: Out::Printer(printer.sender()),
                color,
                timestamps: false,
                hang: false,
            };
            let mut out = String::new();
            logger.format(&record, &mut out);
            assert_eq!(out, want);
        }
    }

    #[test]
    fn on_a_display_every_line_asks_for_a_hanging_indent_and_says_its_level() {
        let head = crate::tag::Head::indent(17).with_level(crate::Level::Warn);
        let mark = String::from_utf8_lossy(&head.encode()).into_owned();
        assert!(mark.contains("lvl=w"), "{mark}");
        let further =
            String::from_utf8_lossy(&crate::tag::Head::continued(17).encode()).into_owned();
        assert_eq!(
            formatted_as(false, true, format_args!("a\nb")),
            format!("{mark}WARN  tool::net: a\n{further}b\n")
        );
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        let mut out = String::new();
        push_timestamp(&mut out);
        assert_eq!(out.len(), 20, "{out}");
        assert!(out.starts_with("20") && out.ends_with('Z'), "{out}");
        assert_eq!(&out[10..11], "T");
    }

    #[test]
    fn a_time_is_written_to_the_second_in_utc() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_709_211_909, "2024-02-29T13:05:09Z"),
            (4_102_444_799, "2099-12-31T23:59:59Z"),
        ];
        for (secs, text) in cases {
            let mut out = String::new();
            push_time(&mut out, secs);
            assert_eq!(out, text);
        }
    }
}
