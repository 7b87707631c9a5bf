//! The tty backend: entering and leaving the terminal (the viewport's
//! screen, hidden cursor, and keys one by one when interactive), and the
//! one writer thread every byte for it goes through.
//!
//! A display *owns* the terminal from [`TerminalGuard::enter`] until the
//! guard drops; while it owns it, the display is *shown* or *suspended*.
//! Suspending (a panic anywhere, Ctrl-Z) gives the normal screen back
//! without ending the display; the printer shows it again when it next has
//! something to draw (after a panic) or at once (on SIGCONT). Leaving is
//! idempotent and also runs from a chained panic hook, so a panic in any
//! thread prints its message on the normal screen, readable.
//!
//! Every byte for the terminal goes through one writer thread, in order.
//! A terminal that stops reading (Ctrl-S, a hung emulator) then blocks only
//! that thread: the printer never waits on a write, and the restoration
//! waits for the writer with a bound, so a stop still ends in time (the
//! modes are restored either way; the screen sequences are written if the
//! terminal takes them).

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{self as channel, Receiver, Sender};
use crossterm::{queue, terminal};

use crate::backend::{Backend, Handle};
use crate::options::Target;
use crate::render::Viewport;
use rustix::termios::{self, InputModes, LocalModes, OptionalActions, SpecialCodeIndex, Termios};

/// The terminal's state, one value for the process: there is one
/// terminal, and a panic hook on any thread must be able to give it back.
struct Terminal {
    /// True while a display owns the terminal (entered, guard not dropped).
    owned: AtomicBool,
    /// True while the display is on the screen: alternate screen, hidden
    /// cursor, raw input if interactive.
    shown: AtomicBool,
    /// The terminal's modes before raw input was turned on, and where they
    /// apply; `Some` while raw input is on because of us.
    saved: Mutex<Option<(KeyTty, Termios)>>,
    /// Panic hooks running now: the display stays off the screen until
    /// their messages are printed.
    panicking: AtomicUsize,
    /// Hosts running something on the normal screen now
    /// ([`Printer::suspend`](crate::Printer::suspend)): the display stays
    /// off until they are done.
    held: AtomicUsize,
    /// The way to the writer thread while a display owns the terminal,
    /// and how that display sits on it. Held while checking `shown` and
    /// queuing, never while writing, so a frame and a restoration are
    /// queued in a definite order.
    writer: Mutex<Option<Writer>>,
    /// Set when a write was not taken in time, cleared by the next one
    /// that is: while set, nobody waits for the terminal again.
    stuck: AtomicBool,
    /// Pieces of output the terminal has taken: a slow terminal keeps
    /// taking them, a stuck one does not.
    progress: AtomicUsize,
    /// Mouse reporting is on (the display reads keys).
    mouse: AtomicBool,
    /// How many times the display has left the screen: a frame queued
    /// before the last time is not written (or not finished), so leaving
    /// never waits behind frames the normal screen will not show.
    leaves: AtomicUsize,
}

static TERMINAL: Terminal = Terminal {
    owned: AtomicBool::new(false),
    shown: AtomicBool::new(false),
    saved: Mutex::new(None),
    panicking: AtomicUsize::new(0),
    held: AtomicUsize::new(0),
    writer: Mutex::new(None),
    stuck: AtomicBool::new(false),
    progress: AtomicUsize::new(0),
    mouse: AtomicBool::new(false),
    leaves: AtomicUsize::new(0),
};
static PANIC_HOOK: Once = Once::new();

/// How long a restoration (or the output after it) waits for the terminal
/// to take any output at all before giving up on it (the rest of a stop
/// must fit in the second a stop may take); a terminal that keeps taking
/// output, however slowly, is waited for. Not much less: on a loaded
/// machine a terminal that does read may take nothing for a few hundred
/// milliseconds, and giving up on it loses the restoration.
const WRITE_TIMEOUT: Duration = Duration::from_millis(800);

/// The writer writes at most this much at a time, so progress shows.
const PIECE: usize = 1024;

/// The process is exiting and could not wait for the terminal to take
/// the rest (see [`cut_short`]).
static CUT: AtomicBool = AtomicBool::new(false);

/// [`CUT_NOTICE`] has been written.
static NOTICED: AtomicBool = AtomicBool::new(false);

/// What a frame cut short at the exit ends with: the row it was on ended,
/// and a line that says so.
const CUT_NOTICE: &[u8] = b"\x1b[0m\r\n\x1b[2mreflow: the rest was not printed: the terminal \
did not take it before the exit\x1b[0m\r\n";

/// At the process's exit, when the displays could not finish in time (a
/// terminal that reads slowly): the frame being written stops at its next
/// piece with [`CUT_NOTICE`] rather than in the middle of a line, the
/// terminal's modes and screen are given back, and the writer is waited
/// for, within its bound, so the process does not end in the middle of a
/// write.
pub(crate) fn cut_short() {
    CUT.store(true, Ordering::SeqCst);
    TERMINAL.leaves.fetch_add(1, Ordering::SeqCst);
    // As the panic hook does: never waiting long for the writer's lock.
    on_panic();
    let queued = enqueue(&writer(), Vec::new());
    wait_written(queued, false);
}

/// The writer thread's queue, and the viewport whose sequences enter and
/// leave the display (also from the panic hook).
struct Writer {
    jobs: Sender<Job>,
    viewport: Viewport,
}

/// Bytes for the terminal, and who wants to know they were written.
struct Job {
    bytes: Vec<u8>,
    done: Sender<Vec<u8>>,
    /// For a frame: `leaves` when it was queued.
    frame: Option<usize>,
    /// An inline frame: lines that must all be printed, but for an exit
    /// that cannot wait ([`cut_short`]).
    lines: bool,
}

fn writer() -> MutexGuard<'static, Option<Writer>> {
    TERMINAL.writer.lock().unwrap_or_else(|e| e.into_inner())
}

/// Queues `bytes` for the terminal (the caller holds the writer's lock, so
/// the order is decided); the receiver hears when they are written.
fn enqueue(writer: &Option<Writer>, bytes: Vec<u8>) -> Option<Receiver<Vec<u8>>> {
    let jobs = &writer.as_ref()?.jobs;
    let (done, written) = channel::bounded(1);
    jobs.send(Job {
        bytes,
        done,
        frame: None,
        lines: false,
    })
    .ok()?;
    Some(written)
}

/// Waits (without the writer's lock) until queued bytes are written: for
/// ever when `patient`, else with a bound. Returns false if they were not
/// (no writer, or it is stuck).
fn wait_written(receiver: Option<Receiver<Vec<u8>>>, patient: bool) -> bool {
    let Some(written) = receiver else {
        return false;
    };
    if patient {
        return written.recv().is_ok();
    }
    if TERMINAL.stuck.load(Ordering::SeqCst) {
        return written.try_recv().is_ok();
    }
    // A terminal that reads slowly is waited for as long as it keeps
    // reading; one that takes nothing for the whole timeout is stuck.
    loop {
        let before = TERMINAL.progress.load(Ordering::SeqCst);
        match written.recv_timeout(WRITE_TIMEOUT) {
            Ok(_) => return true,
            Err(channel::RecvTimeoutError::Disconnected) => return false,
            Err(channel::RecvTimeoutError::Timeout) => {
                if TERMINAL.progress.load(Ordering::SeqCst) == before {
                    TERMINAL.stuck.store(true, Ordering::SeqCst);
                    return false;
                }
            }
        }
    }
}

/// The writer thread: writes each job to a handle of its own on the target
/// (a duplicate of stdout or stderr, or `/dev/tty`: not `io::stdout()`,
/// whose lock a stuck write would hold) and hands the buffer back.
fn start_writer(mut out: Box<dyn Write + Send>) -> io::Result<(Sender<Job>, JoinHandle<()>)> {
    let (jobs, queued) = channel::unbounded::<Job>();
    let thread = thread::Builder::new()
        .name("reflow-output".into())
        .spawn(move || {
            for Job {
                mut bytes,
                done,
                frame,
                lines,
            } in queued
            {
                for piece in bytes.chunks(PIECE) {
                    // The display left the screen since: the rest of this
                    // frame would only delay the restoration.
                    let left = frame.is_some_and(|at| at != TERMINAL.leaves.load(Ordering::SeqCst));
                    let cut = CUT.load(Ordering::SeqCst);
                    if left || (lines && cut) {
                        // Cut short at the exit: said once, on a row of its
                        // own (the jobs after it are dropped).
                        if cut && !NOTICED.swap(true, Ordering::SeqCst) {
                            let _ = out.write_all(CUT_NOTICE);
                        }
                        break;
                    }
                    // A failed write is a terminal gone (SIGHUP follows)
                    // or closed: nothing to do but go on.
                    if out.write_all(piece).is_err() {
                        break;
                    }
                    TERMINAL.progress.fetch_add(1, Ordering::SeqCst);
                }
                TERMINAL.stuck.store(false, Ordering::SeqCst);
                bytes.clear();
                let _ = done.send(bytes);
            }
        })?;
    Ok((jobs, thread))
}

/// The terminal keys come from, whose modes raw input changes: stdin when
/// it is the terminal, otherwise `/dev/tty` (as crossterm chooses where it
/// reads keys).
pub(crate) enum KeyTty {
    Stdin(io::Stdin),
    Tty(File),
}

impl KeyTty {
    pub(crate) fn open() -> io::Result<Self> {
        if io::stdin().is_terminal() {
            Ok(KeyTty::Stdin(io::stdin()))
        } else {
            File::open("/dev/tty").map(KeyTty::Tty)
        }
    }

    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        match self {
            KeyTty::Stdin(stdin) => stdin.as_fd(),
            KeyTty::Tty(file) => file.as_fd(),
        }
    }
}

/// Owns the terminal's display state; gives it back when dropped.
#[derive(Debug)]
pub(crate) struct TerminalGuard {
    raw: bool,
    /// With `raw`: the terminal reports the mouse's buttons (the wheel).
    mouse: bool,
    /// Wait for the terminal as long as it takes when giving it back (see
    /// [`TerminalGuard::patient`]).
    patient: bool,
    thread: Option<JoinHandle<()>>,
    /// Frames written, their buffers handed back.
    written: Receiver<Vec<u8>>,
    written_tx: Sender<Vec<u8>>,
}

impl TerminalGuard {
    /// Switches to the alternate screen and hides the cursor; with `raw`,
    /// keys arrive one by one without echo. Ctrl-C, Ctrl-Z and Ctrl-\ keep
    /// raising their signals (as in `less`), so they reach every process of
    /// a pipeline, not only this one.
    ///
    /// # Errors
    ///
    /// When another display owns the terminal, or the terminal cannot be
    /// set up (it is then left as it was).
    /// With `mouse` (and `raw`), the wheel scrolls: the terminal reports
    /// the mouse's buttons, so selecting text needs Shift.
    ///
    /// The sequences that take the screen are queued, not waited for: the
    /// caller sets up the rest of its display meanwhile (threads, the
    /// history), then waits on the [`Entering`] returned, which fails for a
    /// terminal that does not take them.
    pub(crate) fn enter(
        raw: bool,
        mouse: bool,
        target: Target,
        viewport: Viewport,
    ) -> io::Result<(Self, Entering)> {
        // One display per terminal: a second printer would fight the first.
        if TERMINAL.owned.swap(true, Ordering::SeqCst) {
            return Err(io::Error::other(
                "another reflow printer already owns the terminal",
            ));
        }
        install_panic_hook();
        let out = target.open().map(|f| Box::new(f) as Box<dyn Write + Send>);
        let (jobs, thread) = match out.and_then(start_writer) {
            Ok(started) => started,
            Err(e) => {
                TERMINAL.owned.store(false, Ordering::SeqCst);
                return Err(e);
            }
        };
        *writer() = Some(Writer { jobs, viewport });
        let (written_tx, written) = channel::unbounded();
        // From here on, any failure is undone by the guard's Drop.
        let guard = TerminalGuard {
            raw,
            mouse,
            patient: false,
            thread: Some(thread),
            written,
            written_tx,
        };
        let entering = Entering(show_queued(raw, mouse)?);
        Ok((guard, entering))
    }
}

/// The sequences that took the screen, on their way to the terminal (see
/// [`TerminalGuard::enter`]).
#[must_use = "a terminal that takes no output is found by waiting"]
pub(crate) struct Entering(Option<Receiver<Vec<u8>>>);

impl Entering {
    /// Waits until the terminal has taken them, within the bound of a
    /// restoration.
    ///
    /// # Errors
    ///
    /// The terminal took nothing in that time (it is stuck).
    pub(crate) fn wait(self) -> io::Result<()> {
        match wait_written(self.0, false) {
            true => Ok(()),
            false => Err(stuck()),
        }
    }
}

/// The error for a terminal that takes no output.
fn stuck() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "the terminal does not take output")
}

impl Backend for TerminalGuard {
    /// Queues a frame for the terminal, unless the display is not shown
    /// (then the frame is handed back). Never waits for the write: the
    /// buffer comes back on [`written`](TerminalGuard::written) once done.
    fn frame(&self, bytes: Vec<u8>) -> Result<(), Vec<u8>> {
        let writer = writer();
        match &*writer {
            Some(writer) if TERMINAL.shown.load(Ordering::SeqCst) => writer
                .jobs
                .send(Job {
                    bytes,
                    done: self.written_tx.clone(),
                    // A full-screen frame is dropped once the display
                    // leaves the screen (the normal screen will not show
                    // it); an inline one prints lines, which must all
                    // reach the terminal.
                    frame: (writer.viewport == Viewport::FullScreen)
                        .then(|| TERMINAL.leaves.load(Ordering::SeqCst)),
                    lines: writer.viewport == Viewport::Inline,
                })
                .map_err(|e| e.into_inner().bytes),
            _ => Err(bytes),
        }
    }

    /// Writes `bytes` on the normal screen after the display has gone,
    /// in order after everything before, waiting while the terminal takes them (see `WRITE_TIMEOUT`) for each
    /// piece; gives up when the terminal does not take them.
    fn after(&self, bytes: &[u8]) -> bool {
        bytes
            .chunks(1 << 16)
            .all(|piece| wait_written(enqueue(&writer(), piece.to_vec()), self.patient))
    }

    /// From now on, giving the terminal back waits for it as long as it
    /// takes: for a stop the host asked for (join, drop, `q`), whose caller
    /// bounds the wait itself if it wants to; a terminal frozen for a while
    /// then still gets its restoration when it reads again. Stops by a
    /// signal and panics keep the bound, so they end in time.
    fn patient(&mut self) {
        self.patient = true;
    }

    /// Shows the display again after a suspension; does nothing if it is
    /// shown. Returns false while a panic's message is being printed (try
    /// again later). The caller redraws everything.
    fn resume(&self) -> io::Result<bool> {
        if TERMINAL.shown.load(Ordering::SeqCst) {
            return Ok(true);
        }
        if TERMINAL.panicking.load(Ordering::SeqCst) > 0 || TERMINAL.held.load(Ordering::SeqCst) > 0
        {
            return Ok(false);
        }
        show(self.raw, self.mouse)?;
        Ok(true)
    }

    /// Gives the normal screen back (for Ctrl-Z) without ending the display.
    fn suspend(&self) {
        leave(self.patient);
    }

    fn is_shown(&self) -> bool {
        TERMINAL.shown.load(Ordering::SeqCst)
    }

    fn written(&self) -> Receiver<Vec<u8>> {
        self.written.clone()
    }

    fn handle(&self) -> std::sync::Arc<dyn Handle> {
        std::sync::Arc::new(Tty)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        leave(self.patient);
        // The writer ends once its queue is empty; a stuck one is left to
        // the end of the process rather than waited for.
        let stuck = !wait_written(enqueue(&writer(), Vec::new()), self.patient);
        *writer() = None;
        if let Some(thread) = self.thread.take()
            && !stuck
        {
            let _ = thread.join();
        }
        TERMINAL.owned.store(false, Ordering::SeqCst);
    }
}

/// Mouse reporting on: button events (the wheel among them), SGR encoding.
const MOUSE_ON: &[u8] = b"\x1b[?1000h\x1b[?1006h";
/// And off again.
const MOUSE_OFF: &[u8] = b"\x1b[?1006l\x1b[?1000l";

/// Takes the screen (again, after a suspension) and waits until the
/// terminal has taken the sequences.
fn show(raw: bool, mouse: bool) -> io::Result<()> {
    Entering(show_queued(raw, mouse)?).wait()
}

/// [`show`] without waiting: the receiver hears when the sequences are
/// written.
fn show_queued(raw: bool, mouse: bool) -> io::Result<Option<Receiver<Vec<u8>>>> {
    let writer = writer();
    if raw {
        raw_input()?;
    }
    let mut bytes = Vec::new();
    if let Some(writer) = &*writer {
        writer.viewport.enter(&mut bytes)?;
    }
    if raw && mouse {
        // The wheel scrolls the view: button presses only (no motion
        // reports), SGR-encoded. Terminals then select text with Shift
        // held only, which is why it is asked for (`--mouse`, as less).
        bytes.extend_from_slice(MOUSE_ON);
        TERMINAL.mouse.store(true, Ordering::SeqCst);
    }
    TERMINAL.shown.store(true, Ordering::SeqCst);
    Ok(enqueue(&writer, bytes))
}

/// Keys one by one, no echo, no flow control (Ctrl-S is not a way to
/// freeze the display by accident); signals from keys stay on.
///
/// A read waits a tenth of a second at most (VMIN 0, VTIME 1), not until
/// the next key: Ctrl-C (as Ctrl-Z and Ctrl-\) flushes the terminal's
/// input, so a key the key thread was told is waiting can be gone by the
/// time it reads it, and a read that waits for a key then held the exit
/// (which joins that thread) until the next one: `j` then Ctrl-C, typed
/// together, left reflow running after its Ctrl-C.
fn raw_input() -> io::Result<()> {
    let mut saved = TERMINAL.saved.lock().unwrap_or_else(|e| e.into_inner());
    if saved.is_some() {
        return Ok(());
    }
    let input = KeyTty::open()?;
    let original = termios::tcgetattr(input.fd())?;
    let mut raw = original.clone();
    raw.local_modes &= !(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ECHONL);
    raw.local_modes |= LocalModes::ISIG;
    raw.input_modes &= !(InputModes::IXON | InputModes::ICRNL | InputModes::INLCR);
    raw.special_codes[SpecialCodeIndex::VMIN] = 0;
    raw.special_codes[SpecialCodeIndex::VTIME] = 1;
    termios::tcsetattr(input.fd(), OptionalActions::Now, &raw)?;
    *saved = Some((input, original));
    Ok(())
}

/// The host's way to the terminal while a display owns it (see
/// [`Handle`]): it reaches the process's one terminal, not the printer
/// thread, so it answers while that thread is busy or stuck.
struct Tty;

impl Handle for Tty {
    fn hold(&self) {
        TERMINAL.held.fetch_add(1, Ordering::SeqCst);
        leave(false);
    }

    fn unhold(&self) {
        TERMINAL.held.fetch_sub(1, Ordering::SeqCst);
    }

    fn release_input(&self) {
        release_input();
    }
}

/// Puts the terminal back as it was: ends any synchronized update, resets
/// colours, shows the cursor, leaves the alternate screen, restores the
/// input modes. Does nothing if the display is not shown. Safe to call
/// twice and from any thread.
fn leave(patient: bool) {
    leave_locked(writer(), patient);
}

/// [`leave`], with the writer's lock taken.
fn leave_locked(writer: MutexGuard<'static, Option<Writer>>, patient: bool) {
    // Under the writer's lock: frames queued before are dropped (what is
    // left of them: the normal screen will not show them), and none is
    // queued after (frames check `shown` under it).
    if !TERMINAL.shown.swap(false, Ordering::SeqCst) {
        return;
    }
    TERMINAL.leaves.fetch_add(1, Ordering::SeqCst);
    // The modes first: once the normal screen shows, the terminal is
    // entirely back.
    release_input();
    let mut bytes = Vec::new();
    let _ = queue!(bytes, terminal::EndSynchronizedUpdate);
    if TERMINAL.mouse.swap(false, Ordering::SeqCst) {
        bytes.extend_from_slice(MOUSE_OFF);
    }
    if let Some(writer) = &*writer {
        let _ = writer.viewport.leave(&mut bytes);
    }
    // Waited for, so a panic message printed next lands after it.
    let queued = enqueue(&writer, bytes);
    drop(writer);
    wait_written(queued, patient);
}

/// Restores the input modes if we changed them, without writing anything:
/// also for when the output is stuck (a terminal that stopped reading) and
/// the rest of the restoration cannot be written.
fn release_input() {
    let mut saved = TERMINAL.saved.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((input, original)) = saved.take() {
        let _ = termios::tcsetattr(input.fd(), OptionalActions::Now, &original);
    }
}

/// Chains a hook in front of the existing one: the display is suspended
/// first, so the panic message lands on the normal screen and stays
/// readable. A panic that is caught leaves the display running: it comes
/// back when there is something new to draw.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            TERMINAL.panicking.fetch_add(1, Ordering::SeqCst);
            on_panic();
            // A host thread's message goes where its stderr goes: with the
            // host's output taken (an inline display), among the lines, in
            // order, at once, and the host's later output too. It goes
            // straight to the terminal when nothing may read it there: a
            // panic of reflow's own threads (the printer, the reader of
            // the host's output), or one that aborts the process.
            // A full-screen display's capture gives way for the message,
            // which lands on the normal screen as the display suspends
            // (it might never be printed from the alternate screen).
            if cfg!(panic = "abort") || is_reflows_thread() {
                crate::capture::release();
                previous(info);
            } else if crate::capture::for_full_screen() {
                let paused = crate::capture::pause_now();
                previous(info);
                drop(paused);
            } else {
                previous(info);
            }
            TERMINAL.panicking.fetch_sub(1, Ordering::SeqCst);
        }));
    });
}

/// The current thread is one of reflow's (they are all named so).
fn is_reflows_thread() -> bool {
    thread::current()
        .name()
        .is_some_and(|name| name.starts_with("reflow-"))
}

/// How long the panic hook tries for the writer's lock. It is held only
/// while queuing (never while writing), so it is free within this unless
/// the panicking thread holds it itself.
const HOOK_PATIENCE: Duration = Duration::from_millis(100);

/// The panic hook's restoration. It never blocks: the panic may come from
/// a thread that holds the writer's lock (which is not reentrant). It
/// tries the lock for [`HOOK_PATIENCE`]; without it, only the input modes
/// are given back, if they are free, and the display's owner restores the
/// screen when it stops.
fn on_panic() {
    let deadline = std::time::Instant::now() + HOOK_PATIENCE;
    let writer = loop {
        match TERMINAL.writer.try_lock() {
            Ok(writer) => break Some(writer),
            Err(std::sync::TryLockError::Poisoned(writer)) => break Some(writer.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(std::sync::TryLockError::WouldBlock) => break None,
        }
    };
    match writer {
        Some(writer) => leave_locked(writer, false),
        None => {
            if let Ok(mut saved) = TERMINAL.saved.try_lock()
                && let Some((input, original)) = saved.take()
            {
                let _ = termios::tcsetattr(input.fd(), OptionalActions::Now, &original);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panic_hooks_restoration_never_waits_for_the_writer() {
        let held = writer();
        let (done, finished) = channel::bounded(1);
        thread::spawn(move || {
            on_panic();
            let _ = done.send(());
        });
        // A bound, not a sleep: it answers at once, or waits for `held`.
        let answered = finished.recv_timeout(Duration::from_secs(10)).is_ok();
        drop(held);
        assert!(answered, "the hook waited for the writer's lock");
    }
}
