//! Keyboard input (the key reader): a thread waits in `poll(2)` on the terminal and on its
//! stop, parses what the terminal sent with crossterm, and forwards the
//! keys the viewer knows ([`Input`]) to the printer thread. It wakes
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
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{self as channel, Receiver, Sender};
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};
use rustix::event::{PollFd, PollFlags, poll};

use crate::terminal::KeyTty;
use crate::view::keys::{Input, Key};

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
    /// The terminal's keys, in order. Disconnected when the terminal is
    /// gone (a hang-up or a read error).
    pub(crate) events: Receiver<Input>,
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
fn forward(tty: &KeyTty, mut stopped: UnixStream, tx: &Sender<Input>, urgent: &AtomicBool) {
    let mut empty = 0;
    loop {
        let (tty_flags, stop_flags) = {
            let tty_fd = tty.fd();
            let mut fds = [
                PollFd::new(&tty_fd, PollFlags::IN),
                PollFd::new(&stopped, PollFlags::IN),
            ];
            match poll(&mut fds, None) {
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(_) => return,
            }
            (fds[0].revents(), fds[1].revents())
        };
        if !stop_flags.is_empty() {
            let _ = stopped.read(&mut [0]);
            return;
        }
        if tty_flags.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
            return;
        }
        if !tty_flags.contains(PollFlags::IN) {
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
                    let Some(input) = input(&event) else {
                        continue;
                    };
                    if is_urgent(input) {
                        urgent.store(true, Ordering::Relaxed);
                    }
                    if tx.send(input).is_err() {
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
fn is_urgent(input: Input) -> bool {
    matches!(
        input,
        Input::Key(Key::Char('q' | 'Q') | Key::Esc | Key::Ctrl('c'))
    )
}

/// What an event from the terminal is to the viewer, if anything.
fn input(event: &Event) -> Option<Input> {
    match event {
        Event::Resize(..) => Some(Input::Resize),
        _ => key(event).map(Input::Key),
    }
}

/// The key an input event is, if any.
pub(crate) fn key(event: &Event) -> Option<Key> {
    match event {
        Event::Key(KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press | KeyEventKind::Repeat,
            ..
        }) => Some(match code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                Key::Ctrl(c.to_ascii_lowercase())
            }
            KeyCode::Char(c) => Key::Char(*c),
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::Delete => Key::Delete,
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Backspace => Key::Backspace,
            KeyCode::F(1) => Key::F1,
            _ => return None,
        }),
        Event::Mouse(MouseEvent { kind, .. }) => match kind {
            MouseEventKind::ScrollUp => Some(Key::WheelUp),
            MouseEventKind::ScrollDown => Some(Key::WheelDown),
            _ => None,
        },
        _ => None,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, modifiers))
    }

    #[test]
    fn events_become_keys() {
        let cases = [
            (
                press(KeyCode::Char('j'), KeyModifiers::NONE),
                Some(Key::Char('j')),
            ),
            (
                press(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Some(Key::Char('G')),
            ),
            (
                press(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Some(Key::Ctrl('c')),
            ),
            (
                press(KeyCode::PageUp, KeyModifiers::NONE),
                Some(Key::PageUp),
            ),
            (press(KeyCode::F(1), KeyModifiers::NONE), Some(Key::F1)),
            (
                press(KeyCode::Delete, KeyModifiers::NONE),
                Some(Key::Delete),
            ),
            (
                press(KeyCode::Char('w'), KeyModifiers::CONTROL),
                Some(Key::Ctrl('w')),
            ),
            (press(KeyCode::F(2), KeyModifiers::NONE), None),
            (Event::Resize(1, 1), None),
        ];
        for (event, want) in cases {
            assert_eq!(key(&event), want, "{event:?}");
        }
        let wheel = |kind| {
            Event::Mouse(MouseEvent {
                kind,
                column: 0,
                row: 0,
                modifiers: KeyModifiers::NONE,
            })
        };
        assert_eq!(key(&wheel(MouseEventKind::ScrollUp)), Some(Key::WheelUp));
        assert_eq!(
            key(&wheel(MouseEventKind::ScrollDown)),
            Some(Key::WheelDown)
        );
        assert_eq!(key(&wheel(MouseEventKind::Moved)), None);
    }

    #[test]
    fn quitting_keys_are_urgent_and_others_wait() {
        let urgent = [Key::Char('q'), Key::Char('Q'), Key::Esc, Key::Ctrl('c')];
        for key in urgent {
            assert!(is_urgent(Input::Key(key)), "{key:?}");
        }
        for key in [Key::Char('j'), Key::Ctrl('l'), Key::Enter] {
            assert!(!is_urgent(Input::Key(key)), "{key:?}");
        }
        assert!(!is_urgent(Input::Resize));
        assert_eq!(input(&Event::Resize(10, 5)), Some(Input::Resize));
    }
}
