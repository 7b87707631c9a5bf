//! The public face: the builder, the cloneable sender, and the printer
//! guard that stops and joins the printer thread when dropped.

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::Duration;

use crossbeam_channel::{self as channel, Receiver};

use crate::options::{ColorChoice, Config, OnExit, StopReason, Stopped, Target, WhenFull, Wrap};
use crate::queue::{Push, PushError, Queue};
use crate::sanitize::{MAX_TAB_WIDTH, Options, TAB_WIDTH, visible};
use crate::tag::Heading;
use crate::terminal::Surface;
use crate::worker::{Inbox, Worker};

/// Configures and starts a [`Printer`].
#[derive(Default)]
pub struct Builder {
    sentinel: Option<Vec<u8>>,
    interactive: bool,
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
    impatient: bool,
    target: Target,
    when_full: WhenFull,
    draw_into: Option<(Box<dyn Write + Send>, (u16, u16))>,
    wrap: Wrap,
    timestamps: bool,
    save_timestamps: bool,
    in_place: Option<(std::fs::File, u64)>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("sentinel", &self.sentinel)
            .field("interactive", &self.interactive)
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
            .field("impatient", &self.impatient)
            .field("target", &self.target)
            .field("when_full", &self.when_full)
            .field("draw_into", &self.draw_into.as_ref().map(|(_, size)| size))
            .field("wrap", &self.wrap)
            .field("timestamps", &self.timestamps)
            .field("save_timestamps", &self.save_timestamps)
            .field("in_place", &self.in_place)
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

    /// Read the keyboard (`q` quits, Ctrl-C interrupts) and put the terminal
    /// in raw mode while the display runs. Off by default, so a host tool
    /// that reads its own stdin is not disturbed.
    pub fn interactive(mut self, interactive: bool) -> Self {
        self.interactive = interactive;
        self
    }

    /// Stop when a sender reports the end of input
    /// ([`Sender::end_of_input`]). Off by default: the display stays, like
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

    /// The name shown in the status bar (a file name, `stdin`, …), each
    /// control in it shown as [`visible`](crate::visible) shows it.
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
    /// [`StopReason`] of [`Printer::join`]/[`Printer::wait`], and the host
    /// decides (the `reflow` binary exits with 128 + the signal's number).
    /// A signal the host handles or ignores itself when the first display
    /// starts is left to the host entirely: the display does not stop.
    pub fn report_signals(mut self, report: bool) -> Self {
        self.report_signals = report;
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

    /// Draws the full-screen display into `writer` as if it were a
    /// terminal of `cols` x `rows`: the seam for tests, which feed the
    /// bytes to a terminal model (such as the `vt100` crate) and look at
    /// the screen. No signals, keys or terminal modes are involved; the
    /// size does not change. Frames place every row themselves; what is
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
        self.impatient = !patient;
        self
    }

    /// Where long lines are broken on the display: between words (the
    /// default), anywhere, or not at all (each line one row, scrolled
    /// sideways with Left/Right, like `less -S`).
    pub fn wrap(mut self, wrap: Wrap) -> Self {
        self.wrap = wrap;
        self
    }

    /// Show each line's arrival time (`HH:MM:SS.mmm`, local time, dim)
    /// before it on the display. The time is not part of the line:
    /// [`save`](Builder::save) and passthrough output do not have it.
    pub fn timestamps(mut self, on: bool) -> Self {
        self.timestamps = on;
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
    /// file first, which takes the time to copy them.
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
    /// Fails with [`io::ErrorKind::InvalidInput`] if the
    /// [`sentinel`](Builder::sentinel) is empty. Fails if the
    /// [`save`](Builder::save) file cannot be created, the terminal cannot
    /// be set up, signal handlers cannot be installed, or the thread cannot
    /// be started. The terminal is left as it was.
    pub fn spawn(self) -> io::Result<Printer> {
        // Before anything is created or drawn.
        if self.sentinel.as_ref().is_some_and(Vec::is_empty) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the sentinel is empty: it would stop at the first empty line",
            ));
        }
        let tui = self.output.is_none() && draws_on(self.target);
        // A display reads the headers the queue puts on lines (see
        // `crate::tag`); nothing else gets any.
        let display = self.draw_into.is_some() || tui;
        // First: a place that cannot be written is said before any display.
        let save = match &self.save {
            Some(path) => Some(
                crate::save::Save::create(path, display)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?,
            ),
            None => None,
        };
        let capacity = self.capacity.unwrap_or(DEFAULT_CAPACITY);
        let (queue, woken) = Queue::new(capacity);
        let queue = Arc::new(queue);
        let config = Config {
            interactive: self.interactive,
            exit_on_eof: self.exit_on_eof,
            end_on_signal: !self.report_signals,
            panic_on: self.panic_on,
            save,
            in_place: self.in_place,
            max_lines: self.max_lines,
            max_memory: self
                .max_memory
                .unwrap_or_else(crate::history::default_max_memory),
            impatient: self.impatient,
            size: self.draw_into.as_ref().map(|(_, size)| *size),
            on_exit: self.on_exit,
            text: Options {
                tab_width: self.tab_width.unwrap_or(TAB_WIDTH),
                color: self.color.enabled(),
            },
            wrap: self.wrap,
            timestamps: self.timestamps,
            save_timestamps: self.save_timestamps,
            // A file name is untrusted text too; sanitized once, here.
            source: visible(self.source.unwrap_or_default().as_bytes()).into_owned(),
        };
        let target = self.target;
        let inbox = Inbox {
            woken,
            queue: Arc::clone(&queue),
        };
        let worker = match (self.output, self.draw_into) {
            (_, Some((writer, _))) => Worker::tui(config, inbox, Surface::Writer(writer))?,
            (Some(writer), None) => Worker::plain(config, inbox, writer, false),
            // A terminal without a display (`TERM=dumb`) still gets only
            // safe text.
            (None, None) if !tui => {
                let sanitize = target.is_terminal();
                Worker::plain(config, inbox, Box::new(target.open()?), sanitize)
            }
            (None, None) => Worker::tui(config, inbox, Surface::Target(target))?,
        };
        let (done_tx, done_rx) = channel::bounded(1);
        running().push((Arc::downgrade(&queue), done_rx.clone()));
        let thread = thread::Builder::new()
            .name("reflow-printer".into())
            .spawn(move || {
                // Dropped last, even when the worker panics: Printer's Drop
                // waits for it instead of joining without a bound.
                let _done = done_tx;
                worker.run()
            })?;
        Ok(Printer {
            queue,
            lossy: self.when_full == WhenFull::DropNewest,
            sentinel: self.sentinel.map(Arc::from),
            display,
            thread: Some(thread),
            done: done_rx,
        })
    }
}

/// True when a printer spawned now (without [`Builder::output`]) would
/// take over the terminal: stdout is a terminal and `TERM` is not `dumb`.
/// Otherwise it copies lines through as received.
pub fn draws_on_terminal() -> bool {
    draws_on(Target::Stdout)
}

/// True when a printer spawned now for `target` would take it over: it is
/// a terminal and `TERM` is not `dumb`.
pub fn draws_on(target: Target) -> bool {
    std::env::var_os("TERM").is_none_or(|term| term != "dumb") && target.is_terminal()
}

/// The running printer thread. Hand out [`Sender`]s with
/// [`sender`](Printer::sender), as many and as late as you like: while the
/// `Printer` lives it can always hand out one that works, so dropping
/// every sender does not stop it.
///
/// It stops on [`shutdown`](Printer::shutdown) (or a sender's), the
/// sentinel, [`join`](Printer::join), drop, the user quitting (when
/// interactive) or a terminating signal. Every line a sender was told was
/// taken is drawn (or written) first.
///
/// Dropping it is [`join`](Printer::join) with a bound: it waits up to five
/// seconds for the queued lines and the terminal's restoration. Keep it in
/// a named binding (`let printer = …` or `let _printer = …`, never
/// `let _ = …`, which drops it at once).
#[must_use = "dropping the Printer stops it at once"]
pub struct Printer {
    queue: Arc<Queue>,
    lossy: bool,
    sentinel: Option<Arc<[u8]>>,
    /// It draws a display, which reads the lines' headers (see
    /// [`Tag`](crate::Tag)).
    display: bool,
    thread: Option<JoinHandle<io::Result<Stopped>>>,
    done: Receiver<()>,
}

impl fmt::Debug for Printer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Printer")
            .field("stopped", &self.is_stopped())
            .finish_non_exhaustive()
    }
}

impl Printer {
    /// A builder with the defaults: no sentinel, not interactive, the last
    /// screen left on exit.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// A handle to send lines from any thread. A sender taken from a
    /// printer that has not stopped always works, however many senders
    /// came and went before it.
    pub fn sender(&self) -> Sender {
        Sender::new(&self.queue, &self.sentinel, self.lossy, self.display)
    }

    /// Asks the printer to stop once every line queued so far is drawn;
    /// later sends fail with [`Closed`]. Does not wait: follow with
    /// [`join`](Printer::join). Does nothing if it has stopped already.
    pub fn shutdown(&self) {
        self.queue.stop(StopReason::Shutdown);
    }

    /// Runs `f` with the normal screen given back to the host, then brings
    /// the display back, drawn anew: for a prompt, or output of the host's
    /// own that must stay on the normal screen (as `indicatif`'s
    /// `suspend`). Lines sent meanwhile are kept and shown after. Without a
    /// display (lines copied through) it just runs `f`.
    ///
    /// With `.interactive(true)` the display's key reader keeps reading the
    /// keyboard meanwhile: use it with a non-interactive display (the
    /// default) when `f` reads from the terminal.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        if !crate::terminal::is_owned() {
            return f();
        }
        let hold = crate::terminal::hold();
        let result = f();
        drop(hold);
        self.repaint();
        result
    }

    /// Draws the whole screen anew at the next frame: after something else
    /// wrote on the terminal (the key Ctrl-L does the same).
    pub fn repaint(&self) {
        self.queue.repaint();
    }

    /// True once the printer thread has ended (by any stop).
    pub fn is_stopped(&self) -> bool {
        !matches!(self.done.try_recv(), Err(channel::TryRecvError::Empty))
    }

    /// Stops the printer after every line queued so far (as
    /// [`shutdown`](Printer::shutdown)) and waits until those lines are
    /// drawn and the terminal is restored. If it stopped earlier (sentinel,
    /// the user quitting, a signal), returns that reason at once.
    ///
    /// This never waits for senders to be dropped, so it cannot hang on a
    /// sender kept somewhere (a logger's, your own `tx`). It waits for the
    /// output, though: use [`join_timeout`](Printer::join_timeout) when the
    /// terminal may have stopped reading (Ctrl-S).
    ///
    /// # Errors
    ///
    /// An I/O error of the printer thread (other than a closed output), or
    /// an error if it panicked.
    pub fn join(self) -> io::Result<Stopped> {
        self.shutdown();
        self.wait()
    }

    /// Like [`join`](Printer::join), but gives up after `timeout`.
    ///
    /// # Errors
    ///
    /// As [`join`](Printer::join); and [`io::ErrorKind::TimedOut`] when the
    /// printer has not finished in time (it is left to finish on its own,
    /// and raw mode is turned off).
    pub fn join_timeout(mut self, timeout: Duration) -> io::Result<Stopped> {
        self.shutdown();
        match self.done.recv_timeout(timeout) {
            Err(channel::RecvTimeoutError::Timeout) => {
                self.thread = None;
                crate::terminal::release_input();
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the printer did not finish in time",
                ))
            }
            _ => self.wait(),
        }
    }

    /// Waits until the printer stops by itself, without asking it to: the
    /// sentinel, a [`Sender::shutdown`], the end of input with
    /// [`Builder::exit_on_eof`], the user quitting, or a signal. This is
    /// how a viewer waits for its user; it waits for ever if nothing of the
    /// kind comes.
    ///
    /// # Errors
    ///
    /// As [`join`](Printer::join).
    pub fn wait(mut self) -> io::Result<Stopped> {
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the printer thread panicked"))),
            None => Err(io::Error::other("the printer was already joined")),
        }
    }
}

/// Every printer spawned and not yet ended: its queue (to ask for a stop)
/// and its end (to wait for). For [`shutdown_all`] only.
type Running = Vec<(Weak<Queue>, Receiver<()>)>;
static RUNNING: Mutex<Running> = Mutex::new(Vec::new());

fn running() -> MutexGuard<'static, Running> {
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    running.retain(|(_, done)| matches!(done.try_recv(), Err(channel::TryRecvError::Empty)));
    running
}

/// Stops every printer of the process after the lines queued so far and
/// waits, up to `timeout` in all, until each has written them and given
/// the terminal back. Returns true when all have.
///
/// For a host that ends with [`std::process::exit`], which skips
/// destructors (a `Printer` dropped never, the terminal left on the
/// alternate screen, queued lines lost): call this first.
///
/// ```
/// # let printer = reflow::Printer::builder().output(std::io::sink()).spawn()?;
/// # let code = 0;
/// printer.sender().line("fatal: giving up").expect("running");
/// reflow::shutdown_all(std::time::Duration::from_secs(1));
/// # if false {
/// std::process::exit(code);
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn shutdown_all(timeout: Duration) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    let waits: Vec<Receiver<()>> = running()
        .iter()
        .filter_map(|(queue, done)| {
            queue.upgrade()?.stop(StopReason::Shutdown);
            Some(done.clone())
        })
        .collect();
    waits.iter().all(|done| {
        !matches!(
            done.recv_deadline(deadline),
            Err(channel::RecvTimeoutError::Timeout)
        )
    })
}

/// How long `Drop` waits for the thread to end.
const DROP_JOIN_TIMEOUT: Duration = Duration::from_secs(5);

impl Drop for Printer {
    fn drop(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.queue.stop(StopReason::Shutdown);
        // `done` disconnects when the thread ends, however it ends.
        match self.done.recv_timeout(DROP_JOIN_TIMEOUT) {
            // The thread is stuck writing to an output that stopped
            // reading; it keeps the lock on that output, so nothing more can
            // be written from here. Give the keyboard back at least.
            Err(channel::RecvTimeoutError::Timeout) => crate::terminal::release_input(),
            _ => {
                let _ = thread.join();
            }
        }
    }
}

/// The printer has stopped: the line was not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed;

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the printer has stopped")
    }
}

impl std::error::Error for Closed {}

/// Why [`Sender::try_line`] did not take a line; the caller's own value is
/// handed back, not a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrySendError<T = Vec<u8>> {
    /// The queue is full; try again later, or use [`Sender::line`].
    Full(T),
    /// The printer has stopped.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The line that was not taken.
    pub fn into_inner(self) -> T {
        match self {
            TrySendError::Full(text) | TrySendError::Closed(text) => text,
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.write_str("the printer's channel is full"),
            TrySendError::Closed(_) => Closed.fmt(f),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for TrySendError<T> {}

/// Sends lines to the printer. Cheap to clone; `Send + Sync`. Dropping
/// senders never stops the printer.
///
/// A line containing `\n` is taken as several lines. Sending blocks only
/// while the queue is full (backpressure: lines are never dropped).
///
/// It is also an [`io::Write`] (so is `&Sender`): bytes are split into
/// lines, and a last line without its `\n` is kept until its newline comes
/// (or the sender is dropped), per thread, so it never mixes with another
/// thread's unfinished line. Anything that writes can print through it:
/// `writeln!(tx, "...")`, a `tracing` formatter, a child's output.
pub struct Sender {
    queue: Arc<Queue>,
    sentinel: Option<Arc<[u8]>>,
    /// Drop a line rather than wait when the queue is full.
    lossy: bool,
    /// The printer draws a display: the lines this sender starts get a
    /// header there (its tag's, or a guard; see [`crate::tag`]).
    display: bool,
    /// The header of this sender's [`Tag`](crate::Tag).
    header: Option<Arc<[u8]>>,
    /// Unfinished lines written through `io::Write`, by thread.
    partial: Mutex<Vec<(ThreadId, Vec<u8>)>>,
}

impl Clone for Sender {
    /// Another sender to the same printer, with no unfinished line.
    fn clone(&self) -> Self {
        let mut sender = Sender::new(&self.queue, &self.sentinel, self.lossy, self.display);
        sender.header = self.header.clone();
        sender
    }
}

impl Sender {
    /// A sender with no unfinished line.
    fn new(queue: &Arc<Queue>, sentinel: &Option<Arc<[u8]>>, lossy: bool, display: bool) -> Self {
        Sender {
            queue: Arc::clone(queue),
            sentinel: sentinel.clone(),
            lossy,
            display,
            header: None,
            partial: Mutex::new(Vec::new()),
        }
    }

    /// Another sender to the same printer whose lines carry `tag`: on a
    /// display, a stderr bar or a label column beside each line it
    /// starts. Without a display the lines go out as they are.
    pub fn tagged(&self, tag: crate::Tag) -> Sender {
        let mut sender = Sender::new(&self.queue, &self.sentinel, self.lossy, self.display);
        sender.header = tag.header().map(Arc::from);
        sender
    }

    /// Whether the printer draws a display (which reads headers).
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn draws_a_display(&self) -> bool {
        self.display
    }

    /// What this sender puts before the lines it starts.
    fn heading(&self) -> Heading<'_> {
        match (&self.header, self.display) {
            (_, false) => Heading::Off,
            (Some(header), true) => Heading::Tag(header),
            (None, true) => Heading::Guard,
        }
    }

    /// Sends `block`, lines each ended by `\n`, whose every line starts
    /// with a header reflow itself wrote (the logger's records); waits
    /// while the queue is full.
    #[cfg_attr(not(feature = "log"), allow(dead_code))]
    pub(crate) fn headed_lines(&self, block: &[u8]) -> Result<(), Closed> {
        let sent = self.queue.push(
            &[block],
            Push {
                wait: !self.lossy,
                ..Push::default()
            },
        );
        self.count_dropped(sent, block)
    }
}

impl Drop for Sender {
    /// Lines left unfinished through `io::Write` are sent as they are.
    fn drop(&mut self) {
        let partial = std::mem::take(self.partial.get_mut().unwrap_or_else(|e| e.into_inner()));
        for (_, line) in partial {
            let _ = self.lines(&line);
        }
    }
}

impl Write for &Sender {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let thread = thread::current().id();
        let mut partial = self.partial.lock().unwrap_or_else(|e| e.into_inner());
        let at = match partial.iter().position(|(id, _)| *id == thread) {
            Some(at) => at,
            None => {
                partial.push((thread, Vec::new()));
                partial.len() - 1
            }
        };
        let pending = &mut partial[at].1;
        let Some(last) = memchr::memrchr(b'\n', buf) else {
            pending.extend_from_slice(buf);
            return Ok(buf.len());
        };
        // This thread's unfinished line, ended now, and the lines after it.
        let mut block = std::mem::take(pending);
        pending.extend_from_slice(&buf[last + 1..]);
        if pending.is_empty() {
            partial.swap_remove(at);
        }
        drop(partial);
        let result = if block.is_empty() {
            self.lines(&buf[..=last])
        } else {
            block.extend_from_slice(&buf[..=last]);
            self.lines(&block)
        };
        result
            .map(|()| buf.len())
            .map_err(|Closed| io::Error::new(io::ErrorKind::BrokenPipe, Closed))
    }

    /// Unfinished lines wait for their newline: nothing to do.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Write for Sender {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&*self).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&*self).flush()
    }
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl Sender {
    /// Sends one line (text or raw bytes), waiting while the queue is full.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn line(&self, text: impl AsRef<[u8]>) -> Result<(), Closed> {
        let text = text.as_ref();
        let sent = self.send(text, !self.lossy);
        self.count_dropped(sent, text)
    }

    /// A lossy send that found the queue full dropped its lines: counted.
    fn count_dropped(&self, sent: Result<(), PushError>, text: &[u8]) -> Result<(), Closed> {
        match sent {
            Ok(()) => Ok(()),
            Err(PushError::Full) => {
                let ends = memchr::memchr_iter(b'\n', text.strip_suffix(b"\n").unwrap_or(text));
                self.queue.dropped(ends.count() as u64 + 1);
                Ok(())
            }
            Err(PushError::Closed) => Err(Closed),
        }
    }

    /// Sends one line if the queue has room, and hands it back otherwise.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when the queue is full,
    /// [`TrySendError::Closed`] when the printer has stopped.
    pub fn try_line<T: AsRef<[u8]>>(&self, text: T) -> Result<(), TrySendError<T>> {
        let sent = self.send(text.as_ref(), false);
        sent.map_err(|e| match e {
            PushError::Full => TrySendError::Full(text),
            PushError::Closed => TrySendError::Closed(text),
        })
    }

    /// Sends a block of lines, each ended by `\n` (the last may lack it),
    /// in one step: the way to feed a large input fast.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn lines(&self, block: &[u8]) -> Result<(), Closed> {
        if block.is_empty() {
            return self.push_lines(block, true).map_err(|_| Closed);
        }
        let sent = self.push_lines(block, !self.lossy);
        self.count_dropped(sent, block)
    }

    /// Sends the next piece of a byte stream (a pipe, a file): lines are
    /// split on `\n`, and a last line without its `\n` is continued by the
    /// next call, so a line of any length never has to be held whole by the
    /// caller (the printer writes it through as it comes, or keeps it
    /// once). Waits while the queue is full.
    ///
    /// A sentinel line stops the printer as with [`lines`](Sender::lines);
    /// only lines that begin and end within one piece are compared with it.
    ///
    /// While a line is unfinished, other senders' lines wait, so they never
    /// land inside it: use this from one producer per printer, and end the
    /// stream with a `\n` or [`end_of_input`](Sender::end_of_input). The
    /// sentinel is recognised on lines that begin within one piece.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn stream(&self, piece: &[u8]) -> Result<(), Closed> {
        // Only whole lines can be the sentinel.
        let whole = match memchr::memrchr(b'\n', piece) {
            Some(last) => &piece[..=last],
            None => b"",
        };
        // The end of a line begun in an earlier piece is not a whole line.
        let skip = match self.queue.line_open() {
            true => memchr::memchr(b'\n', whole).map_or(whole.len(), |i| i + 1),
            false => 0,
        };
        let (piece, stop) = match self.sentinel_at(&whole[skip..], false) {
            Some(at) => (&piece[..skip + at], Some(StopReason::Sentinel)),
            None => (piece, None),
        };
        self.queue
            .push(
                &[piece],
                Push {
                    wait: true,
                    stop,
                    stream: true,
                    heading: self.heading(),
                },
            )
            .map_err(|_| Closed)
    }

    /// Ends the stream's unfinished line, if [`stream`](Sender::stream)
    /// left one, as [`end_of_input`](Sender::end_of_input) does, without
    /// saying the input ended: the next piece starts a line of its own.
    /// The `\n` this adds is no byte of the input: the
    /// [`save`](Builder::save)d file has it only if more follows, so a
    /// stream saved ends as it ended. Never waits.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn end_line(&self) -> Result<(), Closed> {
        self.queue.end_line().map_err(|_| Closed)
    }

    /// Reports that the input has ended. The status bar shows EOF; with
    /// [`Builder::exit_on_eof`] the printer stops.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn end_of_input(&self) -> Result<(), Closed> {
        self.queue.end_of_input().map_err(|_| Closed)
    }

    /// Shows `text` in the status bar, in place of the source name, until
    /// the next notice: for what the user should see at once, such as an
    /// input that failed while the display runs. Untrusted like any line:
    /// each control in it is shown as [`visible`](crate::visible) shows
    /// it. Never waits; ignored without a display.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn notice(&self, text: impl Into<String>) -> Result<(), Closed> {
        self.queue.notice(text.into()).map_err(|_| Closed)
    }

    /// Asks the printer to stop once every line queued before has been
    /// drawn; never waits. Does nothing if it has already stopped.
    pub fn shutdown(&self) {
        self.queue.stop(StopReason::Shutdown);
    }

    /// True once the printer has stopped or been asked to: every later
    /// send fails with [`Closed`].
    pub fn is_closed(&self) -> bool {
        self.queue.is_closed()
    }

    /// Queues `text` as one line (several if it holds `\n`): its own
    /// trailing newline is dropped, and an empty text is one empty line.
    fn send(&self, text: &[u8], wait: bool) -> Result<(), PushError> {
        // What is left is lines separated by `\n`, the last one too (even
        // empty): `a\n\n` is `a` and an empty line.
        self.push(text.strip_suffix(b"\n").unwrap_or(text), true, wait)
    }

    /// Queues a block of lines (the last may lack its `\n`).
    fn push_lines(&self, block: &[u8], wait: bool) -> Result<(), PushError> {
        let body = block.strip_suffix(b"\n").unwrap_or(block);
        // An empty block holds no line.
        self.push(body, !block.is_empty(), wait)
    }

    /// Queues `body`, lines separated by `\n`, with a `\n` after the last
    /// one when `last` (it is a line, even empty); the sentinel becomes a
    /// stop here, at the boundary, never deep in the printer: the lines
    /// before it are queued, the stop follows them.
    fn push(&self, body: &[u8], last: bool, wait: bool) -> Result<(), PushError> {
        let (lines, end, stop): (&[u8], &[u8], _) = match self.sentinel_at(body, last) {
            Some(at) => (&body[..at], b"", Some(StopReason::Sentinel)),
            None if last => (body, b"\n", None),
            None => (body, b"", None),
        };
        // The lines and the stop after them go in as one step.
        self.queue.push(
            &[lines, end],
            Push {
                wait,
                stop,
                stream: false,
                heading: self.heading(),
            },
        )
    }

    /// Byte offset of the first line of `block` equal to the sentinel,
    /// with or without a trailing `\r` (a `\r\n` ends a line like `\n`).
    /// The lines are separated by `\n`; what follows the last `\n` is a
    /// line only when `last` (an empty remainder is no line).
    fn sentinel_at(&self, block: &[u8], last: bool) -> Option<usize> {
        let sentinel = self.sentinel.as_deref()?;
        let mut start = 0;
        while start <= block.len() {
            let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i);
            if end == block.len() && !last {
                break;
            }
            // The line as received: its header comes later, in the queue.
            let line = &block[start..end];
            if line == sentinel || line.strip_suffix(b"\r") == Some(sentinel) {
                return Some(start);
            }
            if end == block.len() {
                break;
            }
            start = end + 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn tab_width_is_clamped_to_1_through_64() {
        for (asked, taken) in [(0, 1), (1, 1), (8, 8), (64, 64), (65, 64), (usize::MAX, 64)] {
            assert_eq!(Builder::default().tab_width(asked).tab_width, Some(taken));
        }
    }

    #[test]
    fn public_handles_are_send_and_sync() {
        assert_send_sync::<Sender>();
        assert_send_sync::<Printer>();
    }
}
