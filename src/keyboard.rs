//! Keyboard input (the key reader): a thread waits in `poll(2)` on the terminal and on its
//! stop, and forwards crossterm's events to the printer thread. It wakes
//! for a key, a hang-up or its stop, never on a timer, and leaves the
//! terminal's input alone once stopped.
//!
//! Two ways the key thread used to hold the process:
//! - it sat in `send` on the full event channel while the printer, which
//!   owns the only receiver, was stopping and joining it (64 keys pressed
//!   while a huge line was laid out, then SIGTERM: a deadlock, SIGKILL
//!   only). The receiver is dropped before the join, so a blocked `send`
//!   fails at once.
//! - a terminal gone (its emulator killed, SIGHUP ignored) is readable for
//!   ever with nothing to read: crossterm's reader then spun. Our own poll
//!   sees the hang-up and ends the thread, which the printer takes as
//!   [`StopReason::Hangup`](crate::StopReason::Hangup).

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{self as channel, Receiver, Sender};
use crossterm::event::{Event, KeyCode, KeyModifiers};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::terminal::KeyTty;

/// How long crossterm may wait for the rest of what the terminal sent
/// once poll says there is something: it reads what is there at once, and
/// waits this long only when nothing more comes.
const READ_WAIT: Duration = Duration::from_millis(10);

/// Wake-ups in a row that brought no event before the terminal is taken
/// as gone: a safety net for an end of input that poll does not flag as a
/// hang-up (every real key sequence yields an event long before this).
const EMPTY_WAKES: u32 = 10_000;

/// The key thread; dropping it stops the thread and joins it.
#[derive(Debug)]
pub(crate) struct KeyReader {
    stop: Option<UnixStream>,
    thread: Option<JoinHandle<()>>,
    /// The terminal's events, in order. Disconnected when the terminal is
    /// gone (a hang-up or a read error).
    pub(crate) events: Receiver<Event>,
}

impl KeyReader {
    /// Starts the key thread on the process's terminal. A key that quits
    /// or cancels (`q`, Esc) sets `urgent` before it is queued, so a layout
    /// under way stops short for it.
    pub(crate) fn start(urgent: Arc<AtomicBool>) -> io::Result<Self> {
        let tty = KeyTty::open()?;
        let (stop, stopped) = UnixStream::pair()?;
        let (tx, events) = channel::bounded(64);
        let thread = thread::Builder::new()
            .name("reflow-keys".into())
            .spawn(move || forward(&tty, stopped, &tx, &urgent))?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
            events,
        })
    }
}

/// Forwards the terminal's events until the stop, the terminal's end, or
/// the printer's end (the receiver gone).
fn forward(tty: &KeyTty, mut stopped: UnixStream, tx: &Sender<Event>, urgent: &AtomicBool) {
    let mut empty = 0;
    loop {
        let (tty_flags, stop_flags) = {
            let mut fds = [
                PollFd::new(tty.fd(), PollFlags::POLLIN),
                PollFd::new(stopped.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) => {}
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return,
            }
            (fds[0].revents(), fds[1].revents())
        };
        if stop_flags.is_some_and(|f| !f.is_empty()) {
            let _ = stopped.read(&mut [0]);
            return;
        }
        let tty_flags = tty_flags.unwrap_or(PollFlags::empty());
        if tty_flags.intersects(PollFlags::POLLHUP | PollFlags::POLLERR | PollFlags::POLLNVAL) {
            return;
        }
        if !tty_flags.contains(PollFlags::POLLIN) {
            continue;
        }
        // Whatever the terminal sent, as events: crossterm reads it all and
        // may parse several events from one read.
        let mut any = false;
        loop {
            match crossterm::event::poll(READ_WAIT) {
                Ok(true) => {}
                Ok(false) => break,
                Err(_) => return,
            }
            match crossterm::event::read() {
                Ok(event) => {
                    any = true;
                    if is_urgent(&event) {
                        urgent.store(true, Ordering::Relaxed);
                    }
                    if tx.send(event).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
        empty = if any { 0 } else { empty + 1 };
        if empty >= EMPTY_WAKES {
            return;
        }
    }
}

/// A key that must be answered at once, whatever the printer is doing.
fn is_urgent(event: &Event) -> bool {
    let Event::Key(key) = event else {
        return false;
    };
    matches!(key.code, KeyCode::Char('q' | 'Q') | KeyCode::Esc)
        || (key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL))
}

impl Drop for KeyReader {
    fn drop(&mut self) {
        // The receiver goes first: a thread blocked sending to it (the
        // channel full while the printer was busy) then fails at once,
        // instead of waiting on the very thread that is joining it.
        self.events = channel::never();
        // Then the stop: a byte, or the socket's end, wakes its poll.
        if let Some(mut stop) = self.stop.take() {
            let _ = io::Write::write(&mut stop, &[1]);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
