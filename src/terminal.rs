//! Entering and leaving the terminal: alternate screen, hidden cursor, raw
//! mode. Restoring is idempotent and also runs from a chained panic hook, so
//! a panic in any thread leaves a usable terminal before its message shows.

use std::io::{self, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::{cursor, execute, queue, style, terminal};

/// True while the display owns the screen (entered and not yet restored).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// True while raw mode is on because of us.
static RAW: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

/// Owns the terminal's display state; restores it when dropped.
#[derive(Debug)]
pub(crate) struct TerminalGuard(());

impl TerminalGuard {
    /// Switches to the alternate screen and hides the cursor; with
    /// `raw`, turns raw mode on (keys arrive one by one, Ctrl-C as a key).
    pub(crate) fn enter(raw: bool) -> io::Result<Self> {
        // One display per terminal: a second printer would fight the first.
        if ACTIVE.swap(true, Ordering::SeqCst) {
            return Err(io::Error::other(
                "another reflow printer already owns the terminal",
            ));
        }
        install_panic_hook();
        // From here on, any failure is undone by the guard's Drop.
        let guard = TerminalGuard(());
        if raw {
            terminal::enable_raw_mode()?;
            RAW.store(true, Ordering::SeqCst);
        }
        execute!(
            io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide,
            terminal::Clear(terminal::ClearType::All)
        )?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// True while the display still owns the screen; false once it was
/// restored (for example by the panic hook).
pub(crate) fn is_active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Puts the terminal back as it was: ends any synchronized update, resets
/// colours, shows the cursor, leaves the alternate screen, turns raw mode
/// off. Does nothing if the display is not active. Safe to call twice and
/// from any thread.
pub(crate) fn restore() {
    // The lock first: a frame being written finishes before the terminal is
    // given back, and no frame starts after (the printer checks `ACTIVE`
    // under this lock). Reentrant, so a panic mid-frame does not deadlock.
    let mut out = io::stdout().lock();
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let _ = queue!(
        out,
        terminal::EndSynchronizedUpdate,
        style::SetAttribute(style::Attribute::Reset),
        cursor::Show,
        terminal::LeaveAlternateScreen
    );
    let _ = out.flush();
    if RAW.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
    }
}

/// Turns raw mode off if we turned it on, without writing anything: for
/// when the output is stuck (a terminal that stopped reading) and the rest
/// of the restoration cannot be written.
pub(crate) fn release_input() {
    if RAW.swap(false, Ordering::SeqCst) {
        let _ = terminal::disable_raw_mode();
    }
}

/// Chains a hook in front of the existing one: restore first, so the
/// panic message lands on the normal screen and stays readable.
fn install_panic_hook() {
    PANIC_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}
