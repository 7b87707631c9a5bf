//! The line queue between senders and the printer thread.
//!
//! A channel message per line costs an allocation, a free and a channel
//! operation per line, and a channel bounded in messages bounds nothing in
//! bytes. Instead, senders append lines (each ended by `\n`) to one shared
//! buffer with a byte budget, and the printer swaps the whole buffer for an
//! empty one, so it takes thousands of lines at a time. Senders wait (never
//! drop) while the buffer is over budget. The printer is woken only when the
//! buffer goes from empty to not empty.

use std::sync::{Condvar, Mutex, MutexGuard};

use crossbeam_channel::{self as channel, Receiver};

/// Why [`Queue::push`] did not take the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PushError {
    /// Over budget, and the caller asked not to wait.
    Full,
    /// The printer has stopped.
    Closed,
}

#[derive(Debug, Default)]
struct State {
    buf: Vec<u8>,
    closed: bool,
}

/// Lines waiting for the printer.
#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<State>,
    /// Senders waiting for room.
    room: Condvar,
    budget: usize,
    wake: channel::Sender<()>,
}

impl Queue {
    /// A queue holding up to `budget` bytes (a single larger line is always
    /// taken when the queue is empty), and the channel that wakes the
    /// printer when lines arrive.
    pub(crate) fn new(budget: usize) -> (Self, Receiver<()>) {
        let (wake, woken) = channel::bounded(1);
        let queue = Queue {
            state: Mutex::new(State::default()),
            room: Condvar::new(),
            budget: budget.max(1),
            wake,
        };
        (queue, woken)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A sender that panicked mid-append leaves whole bytes behind; the
        // queue stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `parts` as one unit (whole lines, each ended by `\n`),
    /// waiting for room when `wait` is true.
    pub(crate) fn push(&self, parts: &[&[u8]], wait: bool) -> Result<(), PushError> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let mut state = self.lock();
        loop {
            if state.closed {
                return Err(PushError::Closed);
            }
            if state.buf.is_empty() || state.buf.len() + len <= self.budget {
                break;
            }
            if !wait {
                return Err(PushError::Full);
            }
            state = self.room.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        let was_empty = state.buf.is_empty();
        for part in parts {
            state.buf.extend_from_slice(part);
        }
        drop(state);
        if was_empty {
            // A full wake channel means a wake-up is already pending.
            let _ = self.wake.try_send(());
        }
        Ok(())
    }

    /// Moves everything queued into `into` (which should be empty; its
    /// allocation is reused for the next round) and lets waiting senders on.
    pub(crate) fn take(&self, into: &mut Vec<u8>) {
        let mut state = self.lock();
        std::mem::swap(&mut state.buf, into);
        drop(state);
        self.room.notify_all();
    }

    /// Like [`take`](Queue::take), and closes the queue in the same step:
    /// every push that returned `Ok` is in `into`, every later one fails.
    pub(crate) fn close(&self, into: &mut Vec<u8>) {
        let mut state = self.lock();
        state.closed = true;
        std::mem::swap(&mut state.buf, into);
        drop(state);
        self.room.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_come_out_in_order_and_wake_once() {
        let (queue, woken) = Queue::new(1024);
        queue.push(&[b"a", b"\n"], true).unwrap();
        queue.push(&[b"b\n"], true).unwrap();
        assert_eq!(woken.try_recv(), Ok(()));
        assert!(woken.try_recv().is_err(), "one wake-up per batch");
        let mut out = Vec::new();
        queue.take(&mut out);
        assert_eq!(out, b"a\nb\n");
        out.clear();
        queue.push(&[b"c\n"], true).unwrap();
        assert_eq!(woken.try_recv(), Ok(()));
    }

    #[test]
    fn over_budget_is_full_without_waiting_and_a_big_line_still_fits_alone() {
        let (queue, _woken) = Queue::new(4);
        queue.push(&[b"0123456789\n"], false).unwrap();
        assert_eq!(queue.push(&[b"x\n"], false), Err(PushError::Full));
        let mut out = Vec::new();
        queue.take(&mut out);
        queue.push(&[b"x\n"], false).unwrap();
    }

    #[test]
    fn a_waiting_sender_gets_in_once_the_printer_takes() {
        let (queue, _woken) = Queue::new(4);
        queue.push(&[b"abcd"], true).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| queue.push(&[b"efgh"], true));
            let mut out = Vec::new();
            // Until the waiter is in, every take frees room for it.
            while out.len() < 8 {
                let mut more = Vec::new();
                queue.take(&mut more);
                out.extend(more);
                std::thread::yield_now();
            }
            assert_eq!(waiter.join().unwrap(), Ok(()));
            assert_eq!(out, b"abcdefgh");
        });
    }

    #[test]
    fn close_keeps_what_was_pushed_and_refuses_the_rest() {
        let (queue, _woken) = Queue::new(1024);
        queue.push(&[b"kept\n"], true).unwrap();
        let mut out = Vec::new();
        queue.close(&mut out);
        assert_eq!(out, b"kept\n");
        assert_eq!(queue.push(&[b"late\n"], true), Err(PushError::Closed));
    }
}
