//! Entering and leaving the terminal: alternate screen, hidden cursor, and
//! keys one by one (raw input) when interactive.
//!
//! A display *owns* the terminal from [`TerminalGuard::enter`] until the
//! guard drops; while it owns it, the display is *shown* or *suspended*.
//! Suspending (a panic anywhere, Ctrl-Z) gives the normal screen back
//! without ending the display; the printer shows it again when it next has
//! something to draw (after a panic) or at once (on SIGCONT). Leaving is
//! idempotent and also runs from a chained panic hook, so a panic in any
//! thread prints its message on the normal screen, readable.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use crossterm::{cursor, execute, queue, style, terminal};
use nix::sys::termios::{self, InputFlags, LocalFlags, SetArg, SpecialCharacterIndices, Termios};

/// True while a display owns the terminal (entered, guard not dropped).
static OWNED: AtomicBool = AtomicBool::new(false);
/// True while the display is on the screen: alternate screen, hidden
/// cursor, raw input if interactive.
static SHOWN: AtomicBool = AtomicBool::new(false);
/// The terminal's modes before raw input was turned on, and where they
/// apply; `Some` while raw input is on because of us.
static SAVED: Mutex<Option<(Input, Termios)>> = Mutex::new(None);
static PANIC_HOOK: Once = Once::new();
/// Panic hooks running now: the display stays off the screen until their
/// messages are printed.
static PANICKING: AtomicUsize = AtomicUsize::new(0);

/// The terminal whose modes raw input changes: stdin when it is the
/// terminal, otherwise `/dev/tty` (where crossterm reads keys too).
enum Input {
    Stdin(io::Stdin),
    Tty(File),
}

impl Input {
    fn open() -> io::Result<Self> {
        if io::stdin().is_terminal() {
            Ok(Input::Stdin(io::stdin()))
        } else {
            File::open("/dev/tty").map(Input::Tty)
        }
    }

    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Input::Stdin(stdin) => stdin.as_fd(),
            Input::Tty(file) => file.as_fd(),
        }
    }
}

/// Owns the terminal's display state; gives it back when dropped.
#[derive(Debug)]
pub(crate) struct TerminalGuard {
    raw: bool,
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
    pub(crate) fn enter(raw: bool) -> io::Result<Self> {
        // One display per terminal: a second printer would fight the first.
        if OWNED.swap(true, Ordering::SeqCst) {
            return Err(io::Error::other(
                "another reflow printer already owns the terminal",
            ));
        }
        install_panic_hook();
        // From here on, any failure is undone by the guard's Drop.
        let guard = TerminalGuard { raw };
        show(raw)?;
        Ok(guard)
    }

    /// Shows the display again after a suspension; does nothing if it is
    /// shown. Returns false while a panic's message is being printed (try
    /// again later). The caller redraws everything.
    pub(crate) fn resume(&self) -> io::Result<bool> {
        if SHOWN.load(Ordering::SeqCst) {
            return Ok(true);
        }
        if PANICKING.load(Ordering::SeqCst) > 0 {
            return Ok(false);
        }
        show(self.raw)?;
        Ok(true)
    }

    /// Gives the normal screen back (for Ctrl-Z) without ending the display.
    pub(crate) fn suspend(&self) {
        leave();
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        leave();
        OWNED.store(false, Ordering::SeqCst);
    }
}

fn show(raw: bool) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if raw {
        raw_input()?;
    }
    SHOWN.store(true, Ordering::SeqCst);
    execute!(
        out,
        terminal::EnterAlternateScreen,
        cursor::Hide,
        terminal::Clear(terminal::ClearType::All)
    )
}

/// Keys one by one, no echo, no flow control (Ctrl-S is not a way to
/// freeze the display by accident); signals from keys stay on.
fn raw_input() -> io::Result<()> {
    let mut saved = SAVED.lock().unwrap_or_else(|e| e.into_inner());
    if saved.is_some() {
        return Ok(());
    }
    let input = Input::open()?;
    let original = termios::tcgetattr(input.fd())?;
    let mut raw = original.clone();
    raw.local_flags &= !(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ECHONL);
    raw.local_flags |= LocalFlags::ISIG;
    raw.input_flags &= !(InputFlags::IXON | InputFlags::ICRNL | InputFlags::INLCR);
    raw.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
    raw.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
    termios::tcsetattr(input.fd(), SetArg::TCSANOW, &raw)?;
    *saved = Some((input, original));
    Ok(())
}

/// True while the display is on the screen; false once it was suspended
/// (a panic, Ctrl-Z) or ended.
pub(crate) fn is_shown() -> bool {
    SHOWN.load(Ordering::SeqCst)
}

/// Puts the terminal back as it was: ends any synchronized update, resets
/// colours, shows the cursor, leaves the alternate screen, restores the
/// input modes. Does nothing if the display is not shown. Safe to call
/// twice and from any thread.
fn leave() {
    // The lock first: a frame being written finishes before the terminal is
    // given back, and no frame starts after (the printer checks `SHOWN`
    // under this lock). Reentrant, so a panic mid-frame does not deadlock.
    let mut out = io::stdout().lock();
    if !SHOWN.swap(false, Ordering::SeqCst) {
        return;
    }
    // The modes first: once the normal screen shows, the terminal is
    // entirely back.
    release_input();
    let _ = queue!(
        out,
        terminal::EndSynchronizedUpdate,
        style::SetAttribute(style::Attribute::Reset),
        cursor::Show,
        terminal::LeaveAlternateScreen
    );
    let _ = out.flush();
}

/// Restores the input modes if we changed them, without writing anything:
/// also for when the output is stuck (a terminal that stopped reading) and
/// the rest of the restoration cannot be written.
pub(crate) fn release_input() {
    let mut saved = SAVED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((input, original)) = saved.take() {
        let _ = termios::tcsetattr(input.fd(), SetArg::TCSANOW, &original);
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
            PANICKING.fetch_add(1, Ordering::SeqCst);
            leave();
            previous(info);
            PANICKING.fetch_sub(1, Ordering::SeqCst);
        }));
    });
}
