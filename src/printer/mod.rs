//! The public face. This file owns [`Printer`], the guard that stops and
//! joins the printer thread when dropped, and the list of running printers
//! behind [`shutdown_all`]; `builder` starts one, `sender` is how lines go
//! in.

mod builder;
mod sender;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{self as channel, Receiver};

use crate::backend::{Handle, Hold};
use crate::error::Error;
use crate::options::{StopReason, Stopped, Target};
use crate::queue::Queue;

pub use builder::Builder;
pub use sender::{Closed, Sender, TrySendError};

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
    /// The display's host side: the screen given to the host, the
    /// keyboard given back when the thread is stuck.
    screen: Option<Arc<dyn Handle>>,
    thread: Option<JoinHandle<Result<Stopped, Error>>>,
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
        Sender::new(&self.queue, &self.sentinel, self.lossy, self.display, None)
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
        let Some(screen) = &self.screen else {
            return f();
        };
        let hold = Hold::new(screen);
        // The host's own output goes to the terminal meanwhile, not among
        // the lines.
        let paused = crate::capture::pause();
        let result = f();
        drop(paused);
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
    /// [`Error::Save`] when the saved file could not be written or put in
    /// place, [`Error::Display`] or [`Error::Output`] for a failed output
    /// (not for a reader that went away), [`Error::Panicked`].
    pub fn join(self) -> Result<Stopped, Error> {
        self.shutdown();
        self.wait()
    }

    /// Like [`join`](Printer::join), but gives up after `timeout`.
    ///
    /// # Errors
    ///
    /// As [`join`](Printer::join); and [`Error::TimedOut`] when the
    /// printer has not finished in time (it is left to finish on its own,
    /// and raw mode is turned off).
    pub fn join_timeout(mut self, timeout: Duration) -> Result<Stopped, Error> {
        self.shutdown();
        match self.done.recv_timeout(timeout) {
            Err(channel::RecvTimeoutError::Timeout) => {
                self.thread = None;
                self.release_input();
                Err(Error::TimedOut)
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
    pub fn wait(mut self) -> Result<Stopped, Error> {
        match self.thread.take() {
            Some(thread) => thread.join().unwrap_or(Err(Error::Panicked)),
            // Only join_timeout takes the thread, and it consumes self.
            None => Err(Error::TimedOut),
        }
    }

    /// The printer thread is stuck on an output that stopped reading: the
    /// keyboard is given back at least, from here.
    fn release_input(&self) {
        if let Some(screen) = &self.screen {
            screen.release_input();
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

/// The way to the display that lives for the whole process (the logger's,
/// tracing's), for what draws beside its lines: progress bars.
static PROCESS_DISPLAY: Mutex<Option<Sender>> = Mutex::new(None);

/// Makes `printer`'s display the process's (see [`process_display`]), if
/// it draws one.
pub(crate) fn set_process_display(printer: &Printer) {
    let sender = printer.sender();
    if sender.draws_a_display() {
        *PROCESS_DISPLAY.lock().unwrap_or_else(|e| e.into_inner()) = Some(sender);
    }
}

/// A sender to the display the logger (or tracing) keeps for the whole
/// process, while it runs.
#[cfg_attr(not(feature = "indicatif"), allow(dead_code))]
pub(crate) fn process_display() -> Option<Sender> {
    let display = PROCESS_DISPLAY.lock().unwrap_or_else(|e| e.into_inner());
    display.as_ref().filter(|tx| !tx.is_closed()).cloned()
}

/// Printers that live for the whole process (see [`keep_for_process`]).
static KEPT: Mutex<Vec<Printer>> = Mutex::new(Vec::new());

/// Keeps `printer` running for the whole process: it is stopped at the
/// process's exit (see [`stop_at_exit`]), so a host need not hold it.
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(crate) fn keep_for_process(printer: Printer) {
    set_process_display(&printer);
    KEPT.lock().unwrap_or_else(|e| e.into_inner()).push(printer);
    stop_at_exit();
}

/// How long the process's exit waits for the displays to print what they
/// took and give the terminal back.
const AT_EXIT: Duration = Duration::from_secs(5);

/// At the process's exit (the end of `main`, or `process::exit` from
/// anywhere: clap's `--help`, a usage error), every printer still running
/// is stopped first: every line accepted is printed, the host's captured
/// output too, and the terminal given back. Registered once, by the
/// displays that live for the whole process (the logger's, and any that
/// takes the host's output).
pub(crate) fn stop_at_exit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    extern "C" fn at_exit() {
        // Each display gives the host's descriptors back as it stops.
        if !shutdown_all(AT_EXIT) {
            // Never the end of the process in the middle of a line.
            crate::terminal::cut_short();
        }
    }
    ONCE.call_once(|| {
        // SAFETY: `at_exit` is a plain `extern "C"` function that lives as
        // long as the process; registering it has no other effect.
        #[allow(unsafe_code)]
        let _ = unsafe { libc::atexit(at_exit) };
    });
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
            Err(channel::RecvTimeoutError::Timeout) => self.release_input(),
            _ => {
                let _ = thread.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn public_handles_are_send_and_sync() {
        assert_send_sync::<Sender>();
        assert_send_sync::<Printer>();
    }
}
