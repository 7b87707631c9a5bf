//! The seam between the display and what it draws on, as ratatui's
//! `Backend` is. The display builds frames for a [`Viewport`] and hands
//! them to a [`Backend`]: the tty (`terminal::TerminalGuard`, the
//! process's one terminal, through a writer thread) or a [`Model`] (any writer, as if it
//! were a terminal: for tests, which feed it to a terminal model). The
//! host's side of a running display is a [`Handle`].

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{self as channel, Receiver, Sender};

use crate::options::Target;
use crate::render::Viewport;

/// Where the display's frames go, and how it leaves the screen and comes
/// back (a panic's message, Ctrl-Z, a host's prompt).
pub(crate) trait Backend: Send {
    /// Queues a frame, unless the display is not shown (then the frame is
    /// handed back). Never waits for the write: the buffer comes back on
    /// [`written`](Backend::written) once done.
    fn frame(&self, bytes: Vec<u8>) -> Result<(), Vec<u8>>;

    /// Frames written, their buffers handed back.
    fn written(&self) -> Receiver<Vec<u8>>;

    /// True while the display is on the screen; false once it was
    /// suspended (a panic, Ctrl-Z, a host's hold) or ended.
    fn is_shown(&self) -> bool;

    /// Shows the display again after a suspension; does nothing if it is
    /// shown. Returns false while someone else has the screen (try again
    /// later). The caller redraws everything.
    fn resume(&self) -> io::Result<bool>;

    /// Gives the normal screen back without ending the display.
    fn suspend(&self);

    /// From now on, giving the screen back waits for the output as long as
    /// it takes (a stop the host asked for); otherwise with a bound.
    fn patient(&mut self);

    /// Writes `bytes` on the normal screen after the display has gone, in
    /// order after everything before; false when the output does not take
    /// them.
    fn after(&self, bytes: &[u8]) -> bool;

    /// The host's side of this display, for [`Printer`](crate::Printer).
    fn handle(&self) -> Arc<dyn Handle>;
}

/// What the host may do to a running display from its own thread. It
/// never goes through the printer thread: it must answer while that thread
/// is busy (a huge line's layout) or stuck on an output that stopped
/// reading, which is when [`Printer::join_timeout`](crate::Printer) and
/// `drop` need it.
pub(crate) trait Handle: Send + Sync {
    /// Leaves the screen to the host until [`unhold`](Handle::unhold); the
    /// display stays off it meanwhile.
    fn hold(&self);

    /// One hold less; the display comes back with its next frame.
    fn unhold(&self);

    /// Gives the keyboard back (raw input off) without writing anything.
    fn release_input(&self);
}

/// A hold on the screen (see [`Handle::hold`]), given back when dropped.
pub(crate) struct Hold(Arc<dyn Handle>);

impl Hold {
    pub(crate) fn new(handle: &Arc<dyn Handle>) -> Self {
        handle.hold();
        Hold(Arc::clone(handle))
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.0.unhold();
    }
}

/// What the display draws on.
pub(crate) enum Surface {
    /// A terminal.
    Target(Target),
    /// Any writer, as if it were a terminal (of the size in
    /// [`Config::size`](crate::options::Config)).
    Writer(Box<dyn Write + Send>),
}

/// A display drawn into a writer, as if it were a terminal: the same
/// sequences as on a tty, but no modes, signals or process-wide state, so
/// any number run at once, beside a real display. Writes happen on the
/// printer thread, at once.
pub(crate) struct Model {
    shared: Arc<Shared>,
    written: Receiver<Vec<u8>>,
    written_tx: Sender<Vec<u8>>,
}

/// The model's state, shared with its [`Handle`].
struct Shared {
    /// Held while checking `shown` and writing: a frame and a leave are
    /// written in a definite order.
    out: Mutex<Box<dyn Write + Send>>,
    shown: AtomicBool,
    held: AtomicUsize,
    viewport: Viewport,
}

impl Model {
    /// Enters the viewport on `out`.
    ///
    /// # Errors
    ///
    /// When `out` fails to take the first bytes.
    pub(crate) fn enter(out: Box<dyn Write + Send>, viewport: Viewport) -> io::Result<Self> {
        let (written_tx, written) = channel::unbounded();
        let shared = Arc::new(Shared {
            out: Mutex::new(out),
            shown: AtomicBool::new(false),
            held: AtomicUsize::new(0),
            viewport,
        });
        shared.show()?;
        Ok(Model {
            shared,
            written,
            written_tx,
        })
    }
}

impl Shared {
    fn out(&self) -> std::sync::MutexGuard<'_, Box<dyn Write + Send>> {
        self.out.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn show(&self) -> io::Result<()> {
        let mut out = self.out();
        if !self.shown.swap(true, Ordering::SeqCst) {
            let mut bytes = Vec::new();
            self.viewport.enter(&mut bytes)?;
            out.write_all(&bytes)?;
            out.flush()?;
        }
        Ok(())
    }

    fn leave(&self) {
        let mut out = self.out();
        if self.shown.swap(false, Ordering::SeqCst) {
            let mut bytes = Vec::new();
            let _ = crossterm::queue!(bytes, crossterm::terminal::EndSynchronizedUpdate);
            let _ = self.viewport.leave(&mut bytes);
            let _ = out.write_all(&bytes).and_then(|()| out.flush());
        }
    }
}

impl Backend for Model {
    fn frame(&self, mut bytes: Vec<u8>) -> Result<(), Vec<u8>> {
        let mut out = self.shared.out();
        if !self.shared.shown.load(Ordering::SeqCst) {
            return Err(bytes);
        }
        // A writer that fails is an output gone: the frame is dropped, as
        // the tty's writer does.
        let _ = out.write_all(&bytes).and_then(|()| out.flush());
        drop(out);
        bytes.clear();
        let _ = self.written_tx.send(bytes);
        Ok(())
    }

    fn written(&self) -> Receiver<Vec<u8>> {
        self.written.clone()
    }

    fn is_shown(&self) -> bool {
        self.shared.shown.load(Ordering::SeqCst)
    }

    fn resume(&self) -> io::Result<bool> {
        if self.shared.held.load(Ordering::SeqCst) > 0 {
            return Ok(false);
        }
        self.shared.show()?;
        Ok(true)
    }

    fn suspend(&self) {
        self.shared.leave();
    }

    fn patient(&mut self) {}

    fn after(&self, bytes: &[u8]) -> bool {
        let mut out = self.shared.out();
        out.write_all(bytes).and_then(|()| out.flush()).is_ok()
    }

    fn handle(&self) -> Arc<dyn Handle> {
        Arc::clone(&self.shared) as Arc<dyn Handle>
    }
}

impl Drop for Model {
    fn drop(&mut self) {
        self.shared.leave();
    }
}

impl Handle for Shared {
    fn hold(&self) {
        self.held.fetch_add(1, Ordering::SeqCst);
        self.leave();
    }

    fn unhold(&self) {
        self.held.fetch_sub(1, Ordering::SeqCst);
    }

    fn release_input(&self) {}
}
