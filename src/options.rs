//! The printer's options and outcomes: what a host chooses ([`OnExit`],
//! [`ColorChoice`], [`WhenFull`], [`Wrap`], [`Target`]), what it learns
//! back ([`Stopped`], [`StopReason`]), and [`Config`], the settings the
//! builder hands the printer thread. Plain data: this module depends on no
//! other part of the printer, so the builder and the thread both use it
//! without depending on each other.

use std::time::Duration;

use crate::sanitize::Options;
use crate::save::Save;

/// Why the printer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// A shutdown was asked for ([`Sender::shutdown`](crate::Sender::shutdown),
    /// [`Printer::shutdown`](crate::Printer::shutdown)), or the
    /// [`Printer`](crate::Printer) was joined or dropped.
    Shutdown,
    /// A line equal to the sentinel arrived.
    Sentinel,
    /// The input ended and the printer was told to exit at its end.
    EndOfInput,
    /// The user pressed `q`.
    Quit,
    /// The user pressed Ctrl-C, or the process got SIGINT.
    Interrupt,
    /// The process got SIGTERM.
    Terminate,
    /// The process got SIGHUP (the terminal went away).
    Hangup,
    /// The output was closed (a broken pipe in passthrough mode).
    OutputClosed,
    /// Another signal whose default action ends the process (SIGQUIT,
    /// SIGUSR1, …), by number.
    Signal(i32),
}

impl StopReason {
    /// The exit status a command-line tool should return for this reason:
    /// 0, or 128 plus the signal number, as a shell reports it.
    pub fn exit_code(self) -> u8 {
        match self.signal() {
            Some(sig) => u8::try_from(128 + sig).unwrap_or(u8::MAX),
            None => 0,
        }
    }

    /// The signal behind this stop, if a signal caused it.
    pub fn signal(self) -> Option<i32> {
        match self {
            StopReason::Interrupt => Some(signal_hook::consts::SIGINT),
            StopReason::Terminate => Some(signal_hook::consts::SIGTERM),
            StopReason::Hangup => Some(signal_hook::consts::SIGHUP),
            StopReason::Signal(sig) => Some(sig),
            _ => None,
        }
    }

    pub(crate) fn from_signal(sig: i32) -> Self {
        match sig {
            signal_hook::consts::SIGINT => StopReason::Interrupt,
            signal_hook::consts::SIGTERM => StopReason::Terminate,
            signal_hook::consts::SIGHUP => StopReason::Hangup,
            sig => StopReason::Signal(sig),
        }
    }
}

/// How a display sits on the terminal. A host chooses with
/// [`Builder::viewport`](crate::Builder::viewport); a keyboard
/// ([`interactive`](crate::Builder::interactive)) always gets the full
/// screen, where its keys scroll and search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Viewport {
    /// The alternate screen, as `less` uses it: the newest rows, a status
    /// bar, scrolling and search with a keyboard, everything reflowed on a
    /// resize; at the end the normal screen comes back as it was, with
    /// what [`OnExit`] asks for printed on it. The default of
    /// [`Printer::builder`](crate::Printer::builder).
    #[default]
    FullScreen,
    /// The normal screen, as `env_logger` prints: each line goes into the
    /// terminal's scrollback as it comes, word-wrapped at the width of the
    /// moment (a record's rows with their hanging indent), and a live
    /// region below it, redrawn in place, holds a line whose end has not
    /// come (a prompt, a `\r` progress line) or the status (a full queue).
    /// On a resize the live region, and the lines on the screen when they
    /// can be found, are drawn again at the new width. Nothing is printed
    /// again at the end. The logger's default on a terminal.
    Inline,
}

/// Where a printer draws (or, when that is not a terminal, writes its
/// lines).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Standard output: the default for a [`Printer`](crate::Printer), as a
    /// viewer whose output is the display.
    #[default]
    Stdout,
    /// Standard error: the default for the logger, as `env_logger` does,
    /// so the host's stdout stays free for its real output.
    Stderr,
    /// The controlling terminal (`/dev/tty`), whatever stdout and stderr
    /// are: the display shows even when both are redirected.
    Tty,
}

impl Target {
    /// A handle for writing to it, of its own (a duplicate of the file
    /// descriptor, or `/dev/tty` opened anew).
    ///
    /// # Errors
    ///
    /// When the descriptor cannot be duplicated or `/dev/tty` opened.
    pub(crate) fn open(self) -> std::io::Result<std::fs::File> {
        use std::os::fd::AsFd;
        match self {
            Target::Stdout => Ok(std::io::stdout().as_fd().try_clone_to_owned()?.into()),
            Target::Stderr => Ok(std::io::stderr().as_fd().try_clone_to_owned()?.into()),
            Target::Tty => std::fs::OpenOptions::new().write(true).open("/dev/tty"),
        }
    }

    /// True when the process's stdout or stderr may write on the same
    /// terminal as this target (the host's own output, outside reflow).
    pub(crate) fn shared(self) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Ok(device) = self.open().and_then(|f| f.metadata()).map(|m| m.rdev()) else {
            return true;
        };
        let same = |fd: std::os::fd::BorrowedFd<'_>| {
            fd.try_clone_to_owned()
                .map(std::fs::File::from)
                .and_then(|f| f.metadata())
                .is_ok_and(|m| m.rdev() == device)
        };
        use std::os::fd::AsFd;
        same(std::io::stdout().as_fd()) || same(std::io::stderr().as_fd())
    }

    /// True when it is a terminal.
    pub(crate) fn is_terminal(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Target::Stdout => std::io::stdout().is_terminal(),
            Target::Stderr => std::io::stderr().is_terminal(),
            Target::Tty => self.open().is_ok_and(|tty| tty.is_terminal()),
        }
    }
}

/// What to leave on the normal screen when a terminal display stops.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnExit {
    /// The last screenful of rows, so the final view stays visible.
    #[default]
    Screen,
    /// The whole history, as plain lines.
    All,
    /// Nothing.
    None,
}

/// Whether colours and attributes (SGR sequences) in lines are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// On, unless the `NO_COLOR` environment variable is set and not empty.
    #[default]
    Auto,
    /// Always on.
    Always,
    /// Never: SGR sequences are removed like every other sequence.
    Never,
}

impl ColorChoice {
    /// Whether colours are drawn where a display draws them.
    pub(crate) fn enabled(self) -> bool {
        match self {
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        }
    }
}

/// How the printer ended, returned by [`Printer::join`](crate::Printer::join).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stopped {
    /// Why it stopped.
    pub reason: StopReason,
    /// How many lines were received (drawn or written).
    pub lines: usize,
    /// How long senders were held back, in all, waiting for room.
    pub held: Duration,
    /// Lines dropped because the queue was full, with
    /// [`WhenFull::DropNewest`] (never otherwise).
    pub dropped: u64,
}

/// What a [`Sender::line`](crate::Sender::line) (or `lines`, or a write) does when the queue is
/// full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait for room: nothing is lost (the default). The status bar says
    /// how long senders were held back.
    #[default]
    Block,
    /// Drop the new line and go on: for a logger that must never slow its
    /// host. Never silent: the status bar and [`Stopped::dropped`] count
    /// every line dropped.
    DropNewest,
}

/// Where a line too long for a row is broken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Wrap {
    /// Between words, first fit; a word longer than a row is broken.
    #[default]
    Word,
    /// Anywhere, at the row's width, as a terminal wraps.
    Char,
    /// Not at all: each line is one row, cut at the width, and the view
    /// scrolls sideways (like `less -S`).
    None,
}

/// Settings the printer thread needs, from the builder.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) interactive: bool,
    /// Full screen, or inline (never with a keyboard).
    pub(crate) viewport: Viewport,
    pub(crate) exit_on_eof: bool,
    /// After a signal stopped the display, return it as the stop reason
    /// (false: end the process as the signal would have, when reflow took
    /// that signal over).
    pub(crate) report_signals: bool,
    /// Test hook: panic on taking a batch that holds these bytes.
    pub(crate) panic_on: Option<Vec<u8>>,
    /// Where every byte received is saved.
    pub(crate) save: Option<Save>,
    /// A file whose first bytes come first, read in place on a display.
    pub(crate) in_place: Option<(std::fs::File, u64)>,
    /// The display's lines are a file's bytes read in place (`in_place`
    /// was taken): no line has a header, whatever its bytes start with.
    pub(crate) unheaded: bool,
    /// Keep only the newest lines.
    pub(crate) max_lines: Option<usize>,
    /// The display's memory budget, in bytes (the history takes its
    /// share; see [`history_share`](crate::history::history_share)).
    pub(crate) max_memory: u64,
    /// A stop the host asked for waits for a terminal that stopped
    /// reading (false: never more than a bound).
    pub(crate) restore_patiently: bool,
    /// The size of a writer drawn on as a terminal (else the terminal's).
    pub(crate) size: Option<(u16, u16)>,
    pub(crate) on_exit: OnExit,
    pub(crate) text: Options,
    pub(crate) wrap: Wrap,
    /// Each line gets its arrival time on the display.
    pub(crate) timestamps: bool,
    /// Each line's number in a column before it, at the start (the display
    /// toggles it with `-N`).
    pub(crate) line_numbers: bool,
    /// And in the saved file, as text.
    pub(crate) save_timestamps: bool,
    /// The source name for the status bar, already sanitized.
    pub(crate) source: String,
    /// Take the host's output to the display's terminal (`crate::capture`).
    pub(crate) take_host_output: bool,
    /// The wheel scrolls an interactive display (mouse reporting on).
    pub(crate) mouse: bool,
    /// SIGINT that cancels nothing stops following and the view stays,
    /// as in less (an interactive display only).
    pub(crate) ctrl_c_keeps_view: bool,
    /// Only the records at this level or above (`Builder::min_level`).
    pub(crate) min_level: Option<crate::Level>,
    /// Lines are read as log records (not `Builder::plain`).
    pub(crate) records: bool,
    /// Structured records are drawn as received (`Builder::raw`).
    pub(crate) raw: bool,
    /// After `q` in a full-screen display on this terminal, go on inline
    /// there: the host is still running, and its lines keep coming.
    pub(crate) inline_after_quit: Option<Target>,
}
