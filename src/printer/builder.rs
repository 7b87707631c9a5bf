//! [`Builder`]: the printer's settings, and `spawn`, which turns them into
//! the worker's [`Config`] and starts the printer thread.

use std::fmt;
use std::io::Write;
use std::sync::Arc;
use std::thread;

use crossbeam_channel as channel;

use crate::backend::Surface;
use crate::error::Error;
use crate::options::{ColorChoice, Config, OnExit, Target, Viewport, WhenFull, Wrap};
use crate::queue::Queue;
use crate::sanitize::{MAX_TAB_WIDTH, Options, TAB_WIDTH, visible};
use crate::worker::{Inbox, Worker};

use super::{Printer, draws_on, running};

/// Configures and starts a [`Printer`].
#[derive(Default)]
pub struct Builder {
    sentinel: Option<Vec<u8>>,
    interactive: bool,
    viewport: Viewport,
    inline_after_quit: bool,
    exit_on_eof: bool,
    on_exit: OnExit,
    capacity: Option<usize>,
    tab_width: Option<usize>,
    color: ColorChoice,
    source: Option<String>,
    output: Option<Box<dyn Write + Send>>,
    report_signals: bool,
    panic_on: Option<Vec<u8>>,
    save: Option<std::path::PathBuf>,
    max_lines: Option<usize>,
    max_memory: Option<u64>,
    /// `None`: patient (the default).
    restore_patiently: Option<bool>,
    target: Target,
    when_full: WhenFull,
    draw_into: Option<(Box<dyn Write + Send>, (u16, u16))>,
    wrap: Wrap,
    timestamps: bool,
    line_numbers: bool,
    save_timestamps: bool,
    in_place: Option<(std::fs::File, u64)>,
    /// The host's own output is left alone (see `take_host_output`).
    leave_host_output: bool,
    mouse: bool,
    ctrl_c_keeps_view: bool,
    min_level: Option<crate::Level>,
    plain: bool,
    raw: bool,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("sentinel", &self.sentinel)
            .field("interactive", &self.interactive)
            .field("viewport", &self.viewport)
            .field("exit_on_eof", &self.exit_on_eof)
            .field("on_exit", &self.on_exit)
            .field("capacity", &self.capacity)
            .field("tab_width", &self.tab_width)
            .field("color", &self.color)
            .field("source", &self.source)
            .field("output", &self.output.as_ref().map(|_| "custom"))
            .field("report_signals", &self.report_signals)
            .field("save", &self.save)
            .field("max_lines", &self.max_lines)
            .field("max_memory", &self.max_memory)
            .field("restore_patiently", &self.restore_patiently)
            .field("target", &self.target)
            .field("when_full", &self.when_full)
            .field("draw_into", &self.draw_into.as_ref().map(|(_, size)| size))
            .field("wrap", &self.wrap)
            .field("timestamps", &self.timestamps)
            .field("line_numbers", &self.line_numbers)
            .field("save_timestamps", &self.save_timestamps)
            .field("in_place", &self.in_place)
            .field("leave_host_output", &self.leave_host_output)
            .field("mouse", &self.mouse)
            .field("ctrl_c_keeps_view", &self.ctrl_c_keeps_view)
            .field("min_level", &self.min_level)
            .field("plain", &self.plain)
            .field("raw", &self.raw)
            .finish()
    }
}

/// Bytes of lines that may wait for the printer before senders block, by
/// default: about ten thousand log lines.
const DEFAULT_CAPACITY: usize = 1 << 20;

impl Builder {
    /// A line equal to `sentinel` stops the printer; the sentinel itself is
    /// not kept. A line ending in `\r` (from `\r\n`) matches without it,
    /// as it is shown without it.
    ///
    /// The sentinel must not be empty: an empty one would stop the printer
    /// at the first empty line, which is never what a stop marker means, so
    /// [`spawn`](Builder::spawn) refuses it.
    pub fn sentinel(mut self, sentinel: impl Into<Vec<u8>>) -> Self {
        self.sentinel = Some(sentinel.into());
        self
    }

    /// Read the keyboard (`q` quits, Ctrl-C interrupts; scrollback, search
    /// and filters) and put the terminal in raw mode while the display
    /// runs. Off by default, so a host tool that reads its own stdin is not
    /// disturbed. Needs the cargo feature `viewer` (on by default; the
    /// logger alone, `default-features = false, features = ["log"]`, goes
    /// without it).
    #[cfg(feature = "viewer")]
    pub fn interactive(mut self, interactive: bool) -> Self {
        self.interactive = interactive;
        self
    }

    /// The mouse wheel scrolls an [`interactive`](Builder::interactive)
    /// display, three rows a turn. Off by default, as in `less` (its
    /// `--mouse`): the terminal reports the mouse's buttons meanwhile, so
    /// selecting text with the mouse needs Shift held.
    #[cfg(feature = "viewer")]
    pub fn mouse(mut self, on: bool) -> Self {
        self.mouse = on;
        self
    }

    /// After the user quits a full-screen display with `q`, the lines
    /// sent from then on go on in an inline display on the same terminal,
    /// rather than being lost: for a host that keeps running after its
    /// user closed the viewer (the logger's default). The display's last
    /// screen, or its whole history, is printed first as
    /// [`on_exit`](Builder::on_exit) says. Off by default: `q` stops.
    pub fn inline_after_quit(mut self, on: bool) -> Self {
        self.inline_after_quit = on;
        self
    }

    /// Full screen (the default) or inline: see [`Viewport`]. An
    /// [`interactive`](Builder::interactive) display is always full
    /// screen.
    pub fn viewport(mut self, viewport: Viewport) -> Self {
        self.viewport = viewport;
        self
    }

    /// Stop when a sender reports the end of input
    /// ([`Sender::end_of_input`](crate::Sender::end_of_input)). Off by default: the display stays, like
    /// `less`, until the user quits or the printer is shut down.
    pub fn exit_on_eof(mut self, exit: bool) -> Self {
        self.exit_on_eof = exit;
        self
    }

    /// What to print on the normal screen after the display stops.
    pub fn on_exit(mut self, on_exit: OnExit) -> Self {
        self.on_exit = on_exit;
        self
    }

    /// How many bytes of lines may wait for the printer before senders
    /// block (default 1 MiB). A single longer line is still taken.
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity.max(1));
        self
    }

    /// Distance between tab stops (default 8), clamped to 1..=64: each tab
    /// becomes that many spaces at most, so a huge value cannot make every
    /// tab a huge allocation.
    pub fn tab_width(mut self, width: usize) -> Self {
        self.tab_width = Some(width.clamp(1, MAX_TAB_WIDTH));
        self
    }

    /// Whether colours in lines are drawn (default: [`ColorChoice::Auto`]).
    /// Passthrough output is copied as received either way.
    pub fn color(mut self, color: ColorChoice) -> Self {
        self.color = color;
        self
    }

    /// While a display runs on the terminal, take what the host itself
    /// writes there (its stdout and stderr, when they are that terminal:
    /// `println!`, a panic's message, clap's `--help`) through a
    /// pseudo-terminal and show it among the lines, in the order it was
    /// written, instead of letting it garble the display. On by default,
    /// full screen and inline alike; off for a program whose own output is
    /// only the display (the `reflow` binary).
    pub fn take_host_output(mut self, on: bool) -> Self {
        self.leave_host_output = !on;
        self
    }

    /// The name shown in the status bar (a file name, `stdin`, …), each
    /// control in it shown as [`visible`] shows it.
    pub fn source(mut self, name: impl Into<String>) -> Self {
        self.source = Some(name.into());
        self
    }

    /// Write plain lines to `writer` instead of drawing on the terminal.
    /// Each line is written once, newline-terminated, as received.
    pub fn output(mut self, writer: impl Write + Send + 'static) -> Self {
        self.output = Some(Box::new(writer));
        self
    }

    /// What a terminating signal (SIGINT from Ctrl-C, SIGTERM, SIGHUP,
    /// SIGQUIT, …) does once it has stopped a terminal display, the
    /// terminal is restored and every line is written.
    ///
    /// By default (`false`) the signal then has its usual effect: the
    /// process ends as it would have without reflow (a shell sees status
    /// 130 for Ctrl-C). With `true` the printer reports it instead, as the
    /// [`StopReason`](crate::StopReason) of [`Printer::join`]/[`Printer::wait`], and the host
    /// decides (the `reflow` binary exits with 128 + the signal's number).
    /// A signal the host handles or ignores itself when the first display
    /// starts is left to the host entirely: the display does not stop.
    pub fn report_signals(mut self, report: bool) -> Self {
        self.report_signals = report;
        self
    }

    /// What SIGINT (Ctrl-C) does to an [`interactive`](Builder::interactive)
    /// display, once it cancels nothing (a prompt, a search, the help).
    ///
    /// By default (`false`) it stops the display, as any terminating
    /// signal does (see [`report_signals`](Builder::report_signals)): a
    /// host's Ctrl-C ends the host. With `true` it does what it does in
    /// `less`: the view stops following and stays, the status bar says
    /// so, and `q` quits (the `reflow` binary: the producers of a pipeline
    /// get the terminal's SIGINT and end, the lines they wrote stay on
    /// show). Without a keyboard, SIGINT stops the display either way.
    pub fn ctrl_c_keeps_view(mut self, keep: bool) -> Self {
        self.ctrl_c_keeps_view = keep;
        self
    }

    /// Writes every line received to `path`, byte for byte (escape
    /// sequences, invalid UTF-8, NUL and `\r` included), however the
    /// printer stops: shutdown, join, drop, the sentinel, the user
    /// quitting, a signal. A last line without a newline is saved without
    /// one.
    ///
    /// `path` is opened as the shell's `>` opens it, so what `>` refuses
    /// (a directory, a missing directory, a file that may not be written,
    /// a FIFO nobody reads) makes [`spawn`](Builder::spawn) fail, and a
    /// symlink is saved to its target. A regular file is replaced at the
    /// stop, in one rename, by a file written as the bytes arrive (memory
    /// stays flat): unnamed until then (`O_TMPFILE`, mode 0600, so `kill
    /// -9` leaves nothing), then given `path`'s mode and owner. A device or
    /// a FIFO, and a file in a directory where no file can be created, are
    /// written in place. The file is locked meanwhile: a second printer
    /// saving to it fails to spawn. A write error is shown in the status
    /// bar at once; what was written is kept (in `path` if it was empty,
    /// else beside it as `path.partial-XXXXXX`) and [`Printer::join`] says
    /// where.
    pub fn save(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.save = Some(path.into());
        self
    }

    /// Keep only the newest `max` lines for the display (older ones are
    /// forgotten, their memory given back a chunk at a time). By default
    /// every line is kept. [`save`](Builder::save) still writes them all.
    pub fn max_lines(mut self, max: usize) -> Self {
        self.max_lines = Some(max.max(1));
        self
    }

    /// The most memory the display may take, in bytes, however long the
    /// input runs. The history of lines holds what the rest does not need
    /// (all but 24 MiB, or three quarters of a budget below 96 MiB); beyond
    /// that, its oldest lines (compressed) move to a temporary file,
    /// unlinked at once and readable by this process only, in `$TMPDIR` or
    /// the system's temporary directory, and are read back from there for
    /// scrolling and search. Nothing is lost: only
    /// [`max_lines`](Builder::max_lines) forgets lines, or a temporary
    /// file that cannot be written (a full disk), which the status bar
    /// says with the count of old lines dropped.
    ///
    /// By default an eighth of the machine's memory, at least 256 MiB and
    /// at most 4 GiB.
    pub fn max_memory(mut self, bytes: u64) -> Self {
        self.max_memory = Some(bytes);
        self
    }

    /// What sending does when the queue is full: wait (the default), or
    /// drop the line and count it (see [`WhenFull`]).
    pub fn when_full(mut self, when_full: WhenFull) -> Self {
        self.when_full = when_full;
        self
    }

    /// True when lines could go straight to the target from the calling
    /// thread, with no printer thread: nothing asked for needs one (no
    /// display, no saved file, no sentinel, no other output).
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn plain_only(&self) -> bool {
        self.output.is_none()
            && self.draw_into.is_none()
            && self.save.is_none()
            && self.sentinel.is_none()
            && self.in_place.is_none()
            && self.panic_on.is_none()
            && !draws_on(self.target)
    }

    /// The target lines go to.
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn target_of(&self) -> Target {
        self.target
    }

    /// Draws the full-screen display into `writer` as if it were a
    /// terminal of `cols` x `rows`: the seam for tests, which feed the
    /// bytes to a terminal model (such as the `vt100` crate) and look at
    /// the screen. No signals, keys or terminal modes are involved, nor the
    /// process's terminal: several such displays run at once, beside a
    /// real one, and [`Printer::suspend`](crate::Printer::suspend) leaves
    /// only this one's screen. The size does not change. Frames place every row themselves; what is
    /// left on the normal screen at the end ends lines with a bare `\n`,
    /// which a terminal's line discipline turns into `\r\n`: a model must
    /// be fed the same.
    pub fn draw_into(mut self, writer: impl Write + Send + 'static, cols: u16, rows: u16) -> Self {
        self.draw_into = Some((Box::new(writer), (cols.max(1), rows.max(1))));
        self
    }

    /// Where to draw: stdout (the default), stderr or `/dev/tty`. When it
    /// is a terminal (and `TERM` is not `dumb`) the display takes it over;
    /// otherwise each line is written there once, as received (sanitized
    /// if it is a terminal).
    pub fn target(mut self, target: Target) -> Self {
        self.target = target;
        self
    }

    /// Whether a stop the host asked for (join, drop, a shutdown, the
    /// sentinel, `q`, the end of input) waits for a terminal that has
    /// stopped reading (a hung emulator, output paused) to take the
    /// restoration.
    ///
    /// By default (`true`) it waits as long as it takes, so the terminal is
    /// restored when it reads again ([`Printer::join_timeout`] and the drop
    /// still bound the caller's wait). With `false` it gives up after
    /// 0.8 s without progress, as a stop by a signal always does, so the process can end
    /// in time; the terminal's modes are restored either way, the screen
    /// only if it reads. The `reflow` binary uses `false`.
    pub fn restore_patiently(mut self, patient: bool) -> Self {
        self.restore_patiently = Some(patient);
        self
    }

    /// Where long lines are broken on the display: between words (the
    /// default), anywhere, or not at all (each line one row, scrolled
    /// sideways with Left/Right, like `less -S`).
    pub fn wrap(mut self, wrap: Wrap) -> Self {
        self.wrap = wrap;
        self
    }

    /// Show each line's arrival time (`HH:MM:SS.mmm`, dim) before it on
    /// the display: local time with the `local-time` feature (on with
    /// `cli`, the default), UTC without it. The time is not part of the line:
    /// [`save`](Builder::save) and passthrough output do not have it.
    pub fn timestamps(mut self, on: bool) -> Self {
        self.timestamps = on;
        self
    }

    /// Show each line's number in the input (1-based) in a dim column
    /// left of its text on a full-screen display, blank under it on the
    /// rows a long line wraps onto, as `less -N` does. The number counts
    /// every line received (a file [read in place](Builder::in_place)
    /// from its first line, shown once its index reaches it); lines a
    /// [`max_lines`](Builder::max_lines) cap dropped keep their numbers.
    /// It is no part of the line: never searched, saved, or copied
    /// through. With a keyboard, typing `-N` turns it on and off.
    pub fn line_numbers(mut self, on: bool) -> Self {
        self.line_numbers = on;
        self
    }

    /// Only the log records at `level` or above (`None`, the default:
    /// every line). Without a display (the output is not a terminal) it is
    /// a filter, record-aware: each record kept whole, with its stack
    /// trace and further lines, its bytes as received, in input order; a
    /// text that is not a log (no line has a level) passes whole, never a
    /// guess. Records are read from the text: see [`Level`](crate::Level).
    ///
    /// ```
    /// use reflow::{Level, Printer};
    ///
    /// let printer = Printer::builder()
    ///     .min_level(Some(Level::Warn))
    ///     .output(std::io::sink())
    ///     .spawn()?;
    /// printer.sender().line("2026-12-03 16:00:00 WARN disk: nearly full")?;
    /// printer.sender().line("2026-12-03 16:00:01 INFO disk: checked")?;
    /// printer.join()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn min_level(mut self, level: Option<crate::Level>) -> Self {
        self.min_level = level;
        self
    }

    /// Draw structured records (JSON objects, logfmt) as received. By
    /// default a full-screen display draws each as a readable line: its
    /// time, level and message, then its other fields dimmed as
    /// `key=value`, a multi-line field (a `stack`) on rows of its own
    /// under it. The bytes held, saved and searched are the same either
    /// way. With a keyboard, `J` switches between the two.
    pub fn raw(mut self, on: bool) -> Self {
        self.raw = on;
        self
    }

    /// Treat every line as opaque text: no log records are read from it
    /// (no level colours, no level filter). Off by default.
    pub fn plain(mut self, on: bool) -> Self {
        self.plain = on;
        self
    }

    /// Start with the lines of `file`'s first `len` bytes, read in place:
    /// not copied into memory, but read back from the file when they can be
    /// seen or are searched, through an index built from the end backward
    /// in the background. So a log of any size opens at its end at once,
    /// holding little memory; the line count grows as the index does.
    /// Lines sent afterwards follow them (the bytes after the file's last
    /// `\n` start a line the next ones continue), so a file that grows can
    /// be followed from `len` on.
    ///
    /// Without a display (passthrough) the bytes are written out as any
    /// others. With [`save`](Builder::save) they are copied into the saved
    /// file first, by the printer thread once its first frame is on the
    /// way: `spawn` does not wait for the copy, and keys are answered once
    /// it is done.
    pub fn in_place(mut self, file: std::fs::File, len: u64) -> Self {
        self.in_place = Some((file, len));
        self
    }

    /// Write each line's arrival time (`HH:MM:SS.mmm `, as text) before it
    /// in the [`save`](Builder::save)d file too. Off by default: the file
    /// holds the bytes as received.
    pub fn save_timestamps(mut self, on: bool) -> Self {
        self.save_timestamps = on;
        self
    }

    /// Test hook, not part of the API: the printer thread panics when it
    /// takes a batch holding `marker`.
    #[doc(hidden)]
    pub fn panic_on_marker(mut self, marker: impl Into<Vec<u8>>) -> Self {
        self.panic_on = Some(marker.into());
        self
    }

    /// Starts the printer thread.
    ///
    /// When stdout is a terminal (and `TERM` is not `dumb`) the printer takes
    /// it over: alternate screen, hidden cursor, a status bar. Otherwise it
    /// writes each line once, as received (passthrough).
    ///
    /// # Errors
    ///
    /// [`Error::EmptySentinel`] if the [`sentinel`](Builder::sentinel) is
    /// empty; [`Error::Save`] if the [`save`](Builder::save) file cannot be
    /// created; [`Error::Display`] if the terminal or signal handlers
    /// cannot be set up; [`Error::Output`] if the output cannot be opened;
    /// [`Error::Thread`] if the thread cannot be started. The terminal is
    /// left as it was.
    pub fn spawn(self) -> Result<Printer, Error> {
        // Before anything is created or drawn.
        if self.sentinel.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::EmptySentinel);
        }
        let tui = self.output.is_none() && draws_on(self.target);
        // A display reads the headers the queue puts on lines (see
        // `crate::tag`); nothing else gets any.
        let display = self.draw_into.is_some() || tui;
        // First: a place that cannot be written is said before any display.
        let save =
            match &self.save {
                Some(path) => Some(crate::save::Save::create(path, display).map_err(|source| {
                    Error::Save {
                        path: path.clone(),
                        source,
                    }
                })?),
                None => None,
            };
        let capacity = self.capacity.unwrap_or(DEFAULT_CAPACITY);
        let (queue, woken) = Queue::new(capacity);
        let queue = Arc::new(queue);
        let config = Config {
            interactive: self.interactive,
            viewport: match self.interactive {
                true => Viewport::FullScreen,
                false => self.viewport,
            },
            exit_on_eof: self.exit_on_eof,
            report_signals: self.report_signals,
            panic_on: self.panic_on,
            save,
            in_place: self.in_place,
            unheaded: false,
            max_lines: self.max_lines,
            max_memory: self
                .max_memory
                .unwrap_or_else(crate::history::default_max_memory),
            restore_patiently: self.restore_patiently.unwrap_or(true),
            size: self.draw_into.as_ref().map(|(_, size)| *size),
            on_exit: self.on_exit,
            text: Options {
                tab_width: self.tab_width.unwrap_or(TAB_WIDTH),
                color: self.color.enabled(),
            },
            wrap: self.wrap,
            timestamps: self.timestamps,
            line_numbers: self.line_numbers,
            save_timestamps: self.save_timestamps,
            // A file name is untrusted text too; sanitized once, here.
            source: visible(self.source.unwrap_or_default().as_bytes()).into_owned(),
            take_host_output: !self.leave_host_output,
            mouse: self.mouse,
            ctrl_c_keeps_view: self.ctrl_c_keeps_view,
            min_level: self.min_level.filter(|_| !self.plain),
            records: !self.plain,
            raw: self.raw,
            inline_after_quit: (self.inline_after_quit && self.draw_into.is_none())
                .then_some(self.target),
        };
        let target = self.target;
        let inbox = Inbox {
            woken,
            queue: Arc::clone(&queue),
        };
        let worker = match (self.output, self.draw_into) {
            (_, Some((writer, _))) => {
                Worker::tui(config, inbox, Surface::Writer(writer)).map_err(Error::Display)?
            }
            (Some(writer), None) => Worker::plain(config, inbox, writer, false),
            // A terminal without a display (`TERM=dumb`) still gets only
            // safe text.
            (None, None) if !tui => {
                let sanitize = target.is_terminal();
                let out = target.open().map_err(Error::Output)?;
                Worker::plain(config, inbox, Box::new(out), sanitize)
            }
            (None, None) => {
                Worker::tui(config, inbox, Surface::Target(target)).map_err(Error::Display)?
            }
        };
        let screen = worker.handle();
        let (done_tx, done_rx) = channel::bounded(1);
        running().push((Arc::downgrade(&queue), done_rx.clone()));
        let thread = thread::Builder::new()
            .name("reflow-printer".into())
            .spawn(move || {
                // Dropped last, even when the worker panics: Printer's Drop
                // waits for it instead of joining without a bound.
                let _done = done_tx;
                worker.run()
            })
            .map_err(Error::Thread)?;
        Ok(Printer {
            queue,
            lossy: self.when_full == WhenFull::DropNewest,
            sentinel: self.sentinel.map(Arc::from),
            display,
            screen,
            thread: Some(thread),
            done: done_rx,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_width_is_clamped_to_1_through_64() {
        for (asked, taken) in [(0, 1), (1, 1), (8, 8), (64, 64), (65, 64), (usize::MAX, 64)] {
            assert_eq!(Builder::default().tab_width(asked).tab_width, Some(taken));
        }
    }
}
