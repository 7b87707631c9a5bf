//! The command line: every option `reflow` takes, parsed by clap, and the
//! conversions of its values into the library's options.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use reflow::{ColorChoice, OnExit, Wrap};

/// Show log lines word-wrapped to the terminal's width, reflowed on resize.
#[derive(Debug, Parser)]
#[command(
    name = "reflow",
    version,
    about,
    after_help = "\
Examples:
  make 2>&1 | reflow                 show a build's output; q quits
  reflow app.log other.log           files in order ('-' is stdin); the last is
                                     followed as it grows, like tail -F
  reflow -F a.log b.log              follow both at once, each line labelled
  reflow -E --on-exit all < x.log    quit at the end, leave the whole log on screen
  reflow -- cargo build              run a command, its stderr marked; exits with its status
  reflow --merge a.log b.log > all   one stream in record-time order, records whole
  reflow --merge --cmd 'make test' app.log   a command's output as a source
  journalctl -f | reflow --save s.log --max-lines 100000

Keys (as in less; h shows them): j/k a row, Space/b a page, g/G the ends,
/ ? search, n/N repeat, & filter, q quits. Ctrl-C as in less: the producer
gets SIGINT, reflow stops following and keeps the view (F follows, q quits).
Ctrl-Z, Ctrl-\\ as in less.
Exit status: 0 done, 1 an I/O error, 2 a usage error, 128+N for signal N;
with a COMMAND, its own status (127 not found, 126 cannot run)."
)]
pub(crate) struct Cli {
    /// Files to show, in order; none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,

    /// Run COMMAND and show its stdout and stderr (stderr lines marked);
    /// reflow exits with its status. Ctrl-C goes to the command first.
    #[arg(last = true, value_name = "COMMAND", conflicts_with = "files")]
    pub(crate) command: Vec<OsString>,

    /// Quit when the input ends (default: stay until q, like less, and
    /// follow the last FILE as it grows, like tail -F).
    #[arg(short = 'E', long)]
    pub(crate) exit_on_eof: bool,

    /// Follow every FILE at once, each line labelled with its file,
    /// interleaved as lines arrive (with -E or no keyboard: read in order,
    /// labelled; copied through a pipe, the label is "FILE: " text).
    #[arg(short = 'F', long)]
    pub(crate) follow_all: bool,

    /// A line equal to TEXT stops the display (it is not shown).
    #[arg(long, value_name = "TEXT", value_parser = non_empty_sentinel)]
    pub(crate) sentinel: Option<String>,

    /// Write everything received to PATH (byte for byte) when reflow stops,
    /// however it stops.
    #[arg(long, value_name = "PATH")]
    pub(crate) save: Option<PathBuf>,

    /// Keep only the newest N lines on screen (default: all). --save still
    /// writes every line.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_lines: Option<u64>,

    /// The most memory reflow takes, however long the input runs: SIZE in
    /// bytes, or with K, M, G or T (powers of 1024), like 512K, 64M, 2G.
    /// Beyond it the oldest lines move, compressed, to an unlinked temporary
    /// file in $TMPDIR (or /tmp), read back for scrolling, search and the
    /// rest. Default: an eighth of the machine's memory, 256M to 4G. Below
    /// about 16M the history keeps only its newest 512K in memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_memory: Option<u64>,

    /// What to leave on the normal screen after the display stops.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ExitView::Screen)]
    pub(crate) on_exit: ExitView,

    /// Draw the colours in the input (NO_COLOR turns auto off).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    pub(crate) color: ColorWhen,

    /// Print a completion script for SHELL and exit.
    #[arg(long, value_name = "SHELL", value_enum)]
    pub(crate) completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit.
    #[arg(long, hide = true)]
    pub(crate) man: bool,

    /// Columns between tab stops (1-64).
    // Bounded as the library bounds it: each tab becomes up to N spaces.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) tab_width: u16,

    /// Where long lines break: between words, anywhere, or not at all
    /// (Left/Right scroll sideways, like less -S).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = WrapMode::Word)]
    pub(crate) wrap: WrapMode,

    /// Show the time each line arrived (HH:MM:SS.mmm, dim) before it; not
    /// written to --save.
    #[arg(long)]
    pub(crate) timestamps: bool,

    /// Show each line's number in the input in a dim column before it (as
    /// less -N); typing -N while viewing turns it on and off.
    #[arg(short = 'N', long)]
    pub(crate) line_numbers: bool,

    /// Write the arrival times into the --save file too (as text before
    /// each line); implies --timestamps.
    #[arg(long, requires = "save")]
    pub(crate) save_timestamps: bool,

    /// Write each line's file label into the --save file too (as "FILE: "
    /// text before each line); with --follow-all.
    #[arg(long, requires_all = ["save", "follow_all"])]
    pub(crate) save_labels: bool,

    /// Run COMMAND with its stdout and stderr on a terminal of reflow's
    /// own: one stream in the order written (as 2>&1), stderr not marked;
    /// the command sees a terminal as wide as the display (colours,
    /// progress bars).
    #[arg(long, requires = "command")]
    pub(crate) pty: bool,

    /// Scroll with the mouse wheel (as less --mouse). The terminal then
    /// reports the mouse, so selecting text needs Shift; off by default.
    #[arg(long)]
    pub(crate) mouse: bool,

    /// Only log records at LEVEL or worse. Written to a file or a pipe,
    /// each record whole (with its stack trace), as received, in order:
    /// `reflow --level warn app.log > problems.log`. Text that is not a
    /// log passes whole.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(crate) level: Option<LevelArg>,

    /// Read no log records: every line is opaque text (no level colours,
    /// no level filter).
    #[arg(long, conflicts_with_all = ["level", "merge"])]
    pub(crate) plain: bool,

    /// Show JSON and logfmt records as received, not as readable lines
    /// (time, level, message, then the other fields); J switches.
    #[arg(long)]
    pub(crate) raw: bool,

    /// Show every source (FILEs, --cmd) as one stream ordered by record
    /// time, each record whole (with its stack trace), equal times in
    /// command-line order; a record with no time goes right after the one
    /// before it in its own source. A time with no zone is UTC; with no year
    /// (syslog, klog, logcat), this year's, or last year's when this year's
    /// would be more than a day ahead. Copied through a pipe, the merged bytes
    /// are exactly the sources' (no labels): `reflow --merge a.log b.log >
    /// all.log`. On a display that follows (no -E), records are held up to
    /// 250 ms to be put in order; one later than that is shown as it
    /// arrives, and the status bar says once per source: `late: b.log
    /// 16:00:01.2 is 3.1 s behind`.
    #[arg(long, conflicts_with = "command")]
    pub(crate) merge: bool,

    /// Add COMMAND's output (run by sh -c: stdout and stderr, in the order
    /// written) as a source, labelled with its command line as -F labels
    /// files; repeatable, mixed with FILEs (read at once, all of them;
    /// FILEs followed with -F). Its exit status is said in the status bar.
    #[arg(long = "cmd", value_name = "COMMAND", conflicts_with = "command")]
    pub(crate) cmds: Vec<String>,

    /// Where each FILE and each --cmd was on the command line: the order
    /// of the sources (`Cli::place`).
    #[arg(skip)]
    pub(crate) places: Places,
}

/// The places on the command line of the FILEs and the --cmd values.
#[derive(Clone, Debug, Default)]
pub(crate) struct Places {
    pub(crate) files: Vec<usize>,
    pub(crate) cmds: Vec<usize>,
}

impl Cli {
    /// Parses the command line, with the places of its sources.
    pub(crate) fn parse_placed() -> Result<Cli, clap::Error> {
        use clap::{CommandFactory, FromArgMatches};
        let mut command = Cli::command();
        let matches = command.try_get_matches_from_mut(std::env::args_os())?;
        let mut cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))?;
        let places = |id: &str| -> Vec<usize> {
            matches
                .indices_of(id)
                .map(|places| places.collect())
                .unwrap_or_default()
        };
        cli.places = Places {
            files: places("files"),
            cmds: places("cmds"),
        };
        Ok(cli)
    }
}

/// `--level` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum LevelArg {
    /// ERROR, FATAL, CRITICAL, SEVERE, …
    Error,
    /// WARN, WARNING
    Warn,
    /// INFO, NOTICE
    Info,
    /// DEBUG, FINE
    Debug,
    /// TRACE, FINER, FINEST, VERBOSE
    Trace,
}

impl From<LevelArg> for reflow::Level {
    fn from(level: LevelArg) -> Self {
        match level {
            LevelArg::Error => reflow::Level::Error,
            LevelArg::Warn => reflow::Level::Warn,
            LevelArg::Info => reflow::Level::Info,
            LevelArg::Debug => reflow::Level::Debug,
            LevelArg::Trace => reflow::Level::Trace,
        }
    }
}

/// `--wrap` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum WrapMode {
    /// Between words.
    Word,
    /// Anywhere, at the width.
    Char,
    /// Not at all: rows are cut at the width.
    None,
}

impl From<WrapMode> for Wrap {
    fn from(mode: WrapMode) -> Self {
        match mode {
            WrapMode::Word => Wrap::Word,
            WrapMode::Char => Wrap::Char,
            WrapMode::None => Wrap::None,
        }
    }
}

/// `--sentinel`: an empty one would stop at the first empty line, which no
/// one asking for a stop marker means.
fn non_empty_sentinel(text: &str) -> Result<String, String> {
    match text.is_empty() {
        true => Err("the sentinel cannot be empty (it would stop at the first empty line)".into()),
        false => Ok(text.to_owned()),
    }
}

/// A `--max-memory` size: bytes, or a number with K, M, G or T (powers of
/// 1024, an `iB` or `B` after them allowed, any case).
fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "'{text}' is not a size: write bytes, or a number with K, M, G or T, like 64M or 2G"
        )
    };
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = unit.to_ascii_uppercase();
    let unit = unit
        .strip_suffix("IB")
        .or_else(|| unit.strip_suffix('B'))
        .unwrap_or(&unit);
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(bad()),
    };
    let bytes = number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))?;
    if bytes == 0 {
        return Err("the memory budget cannot be 0".into());
    }
    Ok(bytes)
}

/// `--color` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ColorWhen {
    /// On unless NO_COLOR is set.
    Auto,
    /// Always on.
    Always,
    /// Never.
    Never,
}

impl From<ColorWhen> for ColorChoice {
    fn from(color: ColorWhen) -> Self {
        match color {
            ColorWhen::Auto => ColorChoice::Auto,
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
        }
    }
}

/// `--on-exit` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ExitView {
    /// The last screenful of rows.
    Screen,
    /// The whole history, as plain lines.
    All,
    /// Nothing.
    None,
}

impl From<ExitView> for OnExit {
    fn from(view: ExitView) -> Self {
        match view {
            ExitView::Screen => OnExit::Screen,
            ExitView::All => OnExit::All,
            ExitView::None => OnExit::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn max_memory_takes_sizes_as_people_write_them() {
        for (text, bytes) in [
            ("64M", 64 << 20),
            ("2G", 2 << 30),
            ("512K", 512 << 10),
            ("1t", 1 << 40),
            ("64MiB", 64 << 20),
            ("64mb", 64 << 20),
            ("1048576", 1 << 20),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
        for text in ["", "M", "64Q", "-1M", "1.5G", "64 M", "99999999999999T"] {
            assert!(parse_size(text).is_err(), "{text}");
        }
        assert!(parse_size("0M").is_err());
    }
}
