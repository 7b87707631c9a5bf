//! The line queue between senders and the printer thread.
//!
//! A channel message per line costs an allocation, a free and a channel
//! operation per line, and a channel bounded in messages bounds nothing in
//! bytes. Instead, senders append lines (each ended by `\n`) to one shared
//! buffer with a byte budget, and the printer swaps the whole buffer for an
//! empty one, so it takes thousands of lines at a time. Senders wait (never
//! drop) while the buffer is over budget. The printer is woken only when the
//! buffer goes from empty to not empty, or when a control flag is set.
//!
//! The end of input and a request to stop are flags beside the buffer, set
//! under the same lock: they never wait for room (a `try_line` or a
//! shutdown cannot block), and the printer sees them together with exactly
//! the lines queued before them.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crossbeam_channel::{self as channel, Receiver};

use crate::options::StopReason;
use crate::tag::{self, Heading};

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
    /// The printer has stopped: nothing more is taken.
    closed: bool,
    /// A stop was asked for; later pushes are refused.
    stop: Option<StopReason>,
    /// The input ended since the printer last took the buffer.
    eof: bool,
    /// A message for the status bar, not shown yet.
    notice: Option<String>,
    /// The live region's rows, newest, not shown yet.
    status: Option<Vec<String>>,
    /// Draw the whole screen anew.
    repaint: bool,
    /// How long senders have waited for room, in all.
    held: Duration,
    /// Lines dropped by a lossy sender because the queue was full.
    dropped: u64,
    /// The buffer (or what the printer took last) ends inside a line that
    /// a stream is still sending: other lines wait until it ends.
    open_line: bool,
    /// The buffer's length just after the queue ended a stream's line with
    /// a `\n` of its own (not the input's): see [`Control::ended`].
    ended_at: Option<usize>,
    /// Sources begun since the printer last took the buffer: where in it
    /// their first line starts, and their names.
    sources: Vec<(usize, String)>,
    /// Senders waiting until the lines before them are drawn (see
    /// [`Queue::drawn`]), asked since the printer last took the buffer.
    drawn: Vec<channel::Sender<()>>,
}

/// What the senders went through because the printer was behind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pressure {
    /// How long senders waited for room, in all.
    pub(crate) held: Duration,
    /// Lines a lossy sender dropped.
    pub(crate) dropped: u64,
}

impl fmt::Display for Pressure {
    /// `held 1.2s`, `dropped 12`, both, or nothing (a wait under a tenth
    /// of a second is not worth a word).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.held.as_secs_f64();
        if held >= 0.1 {
            write!(f, "held {held:.1}s")?;
            if self.dropped > 0 {
                f.write_str(" ")?;
            }
        }
        if self.dropped > 0 {
            write!(f, "dropped {}", self.dropped)?;
        }
        Ok(())
    }
}

/// How to push.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Push<'a> {
    /// Wait for room (otherwise `Full`).
    pub(crate) wait: bool,
    /// Ask for this stop right after the bytes, in the same step.
    pub(crate) stop: Option<StopReason>,
    /// From the one stream that may leave a line unfinished: it may go on
    /// with its open line, and may leave one open.
    pub(crate) stream: bool,
    /// What goes before each line the bytes start (see [`crate::tag`]):
    /// put in here, where the queue knows whether a line is open.
    pub(crate) heading: Heading<'a>,
    /// A stream's sentinel: looked for here, where the queue knows whether
    /// the piece goes on with an open line (whose end is no whole line).
    /// The piece is cut before it and the stop follows.
    pub(crate) sentinel: Option<&'a [u8]>,
}

/// What the printer learns with a batch of lines, about the time after
/// them.
#[derive(Debug, Default)]
pub(crate) struct Control {
    /// The input ended after these lines.
    pub(crate) eof: bool,
    /// Stop after these lines.
    pub(crate) stop: Option<StopReason>,
    /// A message for the status bar, the newest one.
    pub(crate) notice: Option<String>,
    /// The live region's rows, the newest (none: left as they are).
    pub(crate) status: Option<Vec<String>>,
    /// Draw the whole screen anew (something else drew on it).
    pub(crate) repaint: bool,
    /// The lines end with a `\n` the queue added to end a stream's
    /// unfinished line: no byte of the input (`--save` leaves it out).
    pub(crate) ended: bool,
    /// Sources begun in these lines: the byte their first line starts at,
    /// and their names (see [`Queue::begin_source`]).
    pub(crate) sources: Vec<(usize, String)>,
    /// Each learns, by a message or by being dropped, when these lines
    /// are drawn (see [`Queue::drawn`]).
    pub(crate) drawn: Vec<channel::Sender<()>>,
}

/// Lines waiting for the printer.
#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<State>,
    /// Senders waiting for room.
    room: Condvar,
    budget: usize,
    wake: channel::Sender<()>,
    /// The printer wants a wake-up for new lines (false while it will
    /// wake for a frame anyway: lines then wait for it, instead of waking
    /// it one by one).
    wake_for_lines: AtomicBool,
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
            wake_for_lines: AtomicBool::new(true),
        };
        (queue, woken)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A sender that panicked mid-append leaves whole bytes behind; the
        // queue stays usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends `parts` as one unit (whole lines, each ended by `\n`, but
    /// for a stream's last), waiting for room if asked; then, in the same
    /// step, asks for the stop if given (a sentinel ends the lines before
    /// it).
    pub(crate) fn push(&self, parts: &[&[u8]], mut how: Push<'_>) -> Result<(), PushError> {
        // Bytes where no line starts with ESC need no guard: the common
        // case, told in one pass, and then copied as they are.
        if matches!(how.heading, Heading::Guard) && parts.iter().all(|p| tag::unguarded(p)) {
            how.heading = Heading::Off;
        }
        let added: usize = parts
            .iter()
            .map(|p| tag::added_at_most(p, how.heading))
            .sum();
        let len: usize = parts.iter().map(|p| p.len()).sum::<usize>() + added;
        let mut state = self.lock();
        loop {
            if state.closed || state.stop.is_some() {
                return Err(PushError::Closed);
            }
            // Never inside another sender's unfinished line.
            let blocked = state.open_line && !how.stream;
            if len == 0 && !blocked {
                break;
            }
            if !blocked && (state.buf.is_empty() || state.buf.len() + len <= self.budget) {
                break;
            }
            if !how.wait {
                return Err(PushError::Full);
            }
            let since = Instant::now();
            state = self.room.wait(state).unwrap_or_else(|e| e.into_inner());
            state.held += since.elapsed();
        }
        let cut;
        let (parts, stop) = match (how.stream, how.sentinel, parts) {
            (true, Some(sentinel), [piece]) => {
                match stream_sentinel(piece, sentinel, state.open_line) {
                    Some(at) => {
                        cut = [&piece[..at]];
                        (&cut[..], Some(StopReason::Sentinel))
                    }
                    None => (parts, how.stop),
                }
            }
            _ => (parts, how.stop),
        };
        let was_empty = state.buf.is_empty();
        // A stream going on with its open line does not start one.
        let mut at_start = !(how.stream && state.open_line);
        let last = parts.iter().rposition(|p| !p.is_empty());
        for (i, part) in parts.iter().enumerate() {
            // Only a stream's last line may go on in a later piece.
            let more = how.stream && Some(i) == last;
            at_start = tag::head_lines(&mut state.buf, part, at_start, more, how.heading);
        }
        if how.stream && len > 0 {
            let last = parts.iter().rev().find_map(|p| p.last());
            state.open_line = last != Some(&b'\n');
            if !state.open_line {
                self.room.notify_all();
            }
        }
        if stop.is_some() {
            state.stop = stop;
            // Senders waiting for room learn that none will come.
            self.room.notify_all();
        }
        drop(state);
        let wanted = self.wake_for_lines.load(Ordering::SeqCst);
        if (was_empty && len > 0 && wanted) || stop.is_some() {
            self.wake();
        }
        Ok(())
    }

    /// Whether new lines wake the printer (see `wake_for_lines`). Turned
    /// on, the printer must look at the queue once more before it sleeps:
    /// a line may have come while it was off.
    pub(crate) fn wake_for_lines(&self, on: bool) {
        self.wake_for_lines.store(on, Ordering::SeqCst);
    }

    /// True when lines (or a stop) wait for the printer.
    pub(crate) fn has_lines(&self) -> bool {
        let state = self.lock();
        !state.buf.is_empty() || state.stop.is_some()
    }

    fn wake(&self) {
        // A full wake channel means a wake-up is already pending.
        let _ = self.wake.try_send(());
    }

    /// Asks the printer to stop after every line queued so far; from now
    /// on pushes are refused. The first reason given wins. Never waits.
    pub(crate) fn stop(&self, reason: StopReason) {
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return;
        }
        state.stop = Some(reason);
        drop(state);
        // Senders waiting for room learn it at once.
        self.room.notify_all();
        self.wake();
    }

    /// Notes that the input has ended, after every line queued so far.
    pub(crate) fn end_of_input(&self) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return Err(PushError::Closed);
        }
        state.eof = true;
        // The end of input ends an unfinished line too, so what comes
        // later never continues it.
        Self::end_open_line(&mut state);
        drop(state);
        self.room.notify_all();
        self.wake();
        Ok(())
    }

    /// Ends a stream's unfinished line, if there is one, after every line
    /// queued so far. Never waits.
    pub(crate) fn end_line(&self) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return Err(PushError::Closed);
        }
        if Self::end_open_line(&mut state) {
            drop(state);
            self.room.notify_all();
            self.wake();
        }
        Ok(())
    }

    /// Ends the open line with a `\n` of the queue's own; true if one was
    /// open.
    fn end_open_line(state: &mut State) -> bool {
        let open = std::mem::take(&mut state.open_line);
        if open {
            state.buf.push(b'\n');
            state.ended_at = Some(state.buf.len());
        }
        open
    }

    /// Leaves a message for the status bar (the newest replaces one not
    /// shown yet). Never waits.
    pub(crate) fn notice(&self, text: String) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return Err(PushError::Closed);
        }
        state.notice = Some(text);
        drop(state);
        self.wake();
        Ok(())
    }

    /// The next line queued begins the source `name` (a file). Never
    /// waits; nothing is added to the bytes.
    pub(crate) fn begin_source(&self, name: String) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return Err(PushError::Closed);
        }
        let at = state.buf.len();
        state.sources.push((at, name));
        Ok(())
    }

    /// Sets the rows of the live region below the lines (the newest
    /// replace ones not shown yet; after lines queued before, in order).
    /// Never waits.
    pub(crate) fn status(&self, rows: Vec<String>) -> Result<(), PushError> {
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return Err(PushError::Closed);
        }
        state.status = Some(rows);
        drop(state);
        self.wake();
        Ok(())
    }

    /// A channel that gets a message once every line queued so far is
    /// drawn: the printer takes it with them, and answers once they are
    /// on the screen (or written, copied through). It is dropped unanswered
    /// if the printer stops first. Never waits.
    pub(crate) fn drawn(&self) -> Result<Receiver<()>, PushError> {
        let (answer, answered) = channel::bounded(1);
        let mut state = self.lock();
        if state.closed || state.stop.is_some() {
            return Err(PushError::Closed);
        }
        state.drawn.push(answer);
        drop(state);
        self.wake();
        Ok(answered)
    }

    /// The live region's rows set and not taken yet: at the stop, what
    /// [`close`](Queue::close) leaves.
    pub(crate) fn take_status(&self) -> Option<Vec<String>> {
        self.lock().status.take()
    }

    /// Counts `lines` a lossy sender dropped.
    pub(crate) fn dropped(&self, lines: u64) {
        self.lock().dropped += lines;
    }

    /// What the senders went through: time held back, lines dropped.
    pub(crate) fn pressure(&self) -> Pressure {
        let state = self.lock();
        Pressure {
            held: state.held,
            dropped: state.dropped,
        }
    }

    /// Asks for the whole screen to be drawn anew. Never waits.
    pub(crate) fn repaint(&self) {
        self.lock().repaint = true;
        self.wake();
    }

    /// True once a stop was asked for or the printer has stopped.
    pub(crate) fn is_closed(&self) -> bool {
        let state = self.lock();
        state.closed || state.stop.is_some()
    }

    /// Moves everything queued into `into` (which should be empty; its
    /// allocation is reused for the next round) and lets waiting senders
    /// on. Returns what happened after those lines.
    pub(crate) fn take(&self, into: &mut Vec<u8>) -> Control {
        let mut state = self.lock();
        std::mem::swap(&mut state.buf, into);
        let control = Control {
            eof: std::mem::take(&mut state.eof),
            stop: state.stop,
            notice: state.notice.take(),
            status: state.status.take(),
            repaint: std::mem::take(&mut state.repaint),
            ended: state.ended_at.take() == Some(into.len()),
            sources: std::mem::take(&mut state.sources),
            drawn: std::mem::take(&mut state.drawn),
        };
        drop(state);
        self.room.notify_all();
        control
    }

    /// Like [`take`](Queue::take), and closes the queue in the same step:
    /// every push that returned `Ok` is in `into`, every later one fails.
    /// Returns [`Control::ended`] for those lines, and the sources that
    /// begin in them ([`Control::sources`]).
    pub(crate) fn close(&self, into: &mut Vec<u8>) -> (bool, Vec<(usize, String)>) {
        let mut state = self.lock();
        state.closed = true;
        std::mem::swap(&mut state.buf, into);
        let ended = state.ended_at.take() == Some(into.len());
        let sources = std::mem::take(&mut state.sources);
        // Nobody waits for lines to be drawn by a printer that stops.
        state.drawn.clear();
        drop(state);
        self.room.notify_all();
        (ended, sources)
    }
}

/// Where the first whole line of a stream's `piece` equal to `sentinel`
/// starts; `open`: the piece goes on with a line begun earlier (its end is
/// no whole line). Only lines that end within the piece count.
fn stream_sentinel(piece: &[u8], sentinel: &[u8], open: bool) -> Option<usize> {
    let whole = &piece[..memchr::memrchr(b'\n', piece).map_or(0, |last| last + 1)];
    let skip = match open {
        true => memchr::memchr(b'\n', whole).map_or(whole.len(), |i| i + 1),
        false => 0,
    };
    sentinel_at(&whole[skip..], Some(sentinel), false).map(|at| skip + at)
}

/// Byte offset of the first line of `block` equal to `sentinel`, with or
/// without a trailing `\r` (a `\r\n` ends a line like `\n`). The lines are
/// separated by `\n`; what follows the last `\n` is a line only when
/// `last` (an empty remainder is no line). The line is compared as
/// received: its header comes later, in [`Queue::push`].
pub(crate) fn sentinel_at(block: &[u8], sentinel: Option<&[u8]>, last: bool) -> Option<usize> {
    let sentinel = sentinel?;
    let mut start = 0;
    while start <= block.len() {
        let end = memchr::memchr(b'\n', &block[start..]).map_or(block.len(), |i| start + i);
        if end == block.len() && !last {
            break;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    const WAIT: Push<'_> = Push {
        wait: true,
        stop: None,
        stream: false,
        heading: Heading::Off,
        sentinel: None,
    };
    const NOWAIT: Push<'_> = Push {
        wait: false,
        stop: None,
        stream: false,
        heading: Heading::Off,
        sentinel: None,
    };
    const STREAM: Push<'_> = Push {
        wait: true,
        stop: None,
        stream: true,
        heading: Heading::Off,
        sentinel: None,
    };

    #[test]
    fn a_tag_heads_each_line_a_push_starts_and_never_the_rest_of_an_open_one() {
        let (queue, _woken) = Queue::new(1 << 20);
        let tagged = |stream| Push {
            stream,
            heading: Heading::Tag(b"H"),
            ..WAIT
        };
        queue.push(&[b"a\nb", b"\n"], tagged(false)).unwrap();
        queue.push(&[b"long"], tagged(true)).unwrap();
        queue.push(&[b" line\nnext"], tagged(true)).unwrap();
        queue.push(&[b"\n"], tagged(true)).unwrap();
        let guarded = Push {
            heading: Heading::Guard,
            ..WAIT
        };
        queue
            .push(&[b"\x1b_reflow:err\x1b\\x\nplain\n"], guarded)
            .unwrap();
        let mut got = Vec::new();
        queue.take(&mut got);
        assert_eq!(
            got,
            b"Ha\nHb\nHlong line\nHnext\n\x1b_reflow:\x1b\\\x1b_reflow:err\x1b\\x\nplain\n"
        );
    }

    #[test]
    fn a_guard_is_put_wherever_a_line_starts_like_a_header_across_pieces() {
        let (queue, _woken) = Queue::new(1 << 20);
        let stream = Push {
            stream: true,
            heading: Heading::Guard,
            ..WAIT
        };
        // Plain pieces pass as they are; a header-like line is guarded
        // whether it starts a piece, or starts in one and ends in the next.
        queue.push(&[b"plain\nte"], stream).unwrap();
        queue.push(&[b"xt\n"], stream).unwrap();
        queue
            .push(&[b"\x1b_reflow:err\x1b\\a\nb\n\x1b_ref"], stream)
            .unwrap();
        queue.push(&[b"low:out\x1b\\c\n"], stream).unwrap();
        // An ESC that goes on with an open line starts none.
        queue.push(&[b"d"], stream).unwrap();
        queue.push(&[b"\x1b[1me\n"], stream).unwrap();
        let mut got = Vec::new();
        queue.take(&mut got);
        let want: &[u8] = b"plain\ntext\n\x1b_reflow:\x1b\\\x1b_reflow:err\x1b\\a\nb\n\
            \x1b_reflow:\x1b\\\x1b_reflow:out\x1b\\c\nd\x1b[1me\n";
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
    }

    /// The queue decides, under its lock, where a stream's whole lines
    /// start: the end of a line left open by an earlier piece is none.
    #[test]
    fn a_streams_sentinel_is_found_where_the_queue_knows_the_open_line() {
        let (queue, _woken) = Queue::new(1 << 20);
        let with_sentinel = Push {
            sentinel: Some(b"STOP"),
            ..STREAM
        };
        queue.push(&[b"abc"], with_sentinel).unwrap();
        queue.push(&[b"STOP\nx\nSTOP\ny\n"], with_sentinel).unwrap();
        let mut got = Vec::new();
        let control = queue.take(&mut got);
        assert_eq!(got, b"abcSTOP\nx\n");
        assert_eq!(control.stop, Some(StopReason::Sentinel));
        assert_eq!(sentinel_at(b"a\nSTOP\r\nb", Some(b"STOP"), false), Some(2));
        assert_eq!(sentinel_at(b"a\nSTOP", Some(b"STOP"), false), None);
        assert_eq!(sentinel_at(b"a\nSTOP", Some(b"STOP"), true), Some(2));
    }

    #[test]
    fn other_lines_wait_while_a_stream_leaves_a_line_unfinished() {
        let (queue, _woken) = Queue::new(1024);
        queue.push(&[b"long line, first part "], STREAM).unwrap();
        assert_eq!(queue.push(&[b"other\n"], NOWAIT), Err(PushError::Full));
        std::thread::scope(|s| {
            let other = s.spawn(|| queue.push(&[b"other\n"], WAIT));
            queue.push(&[b"second part\nnext "], STREAM).unwrap();
            queue.push(&[b"line\n"], STREAM).unwrap();
            assert_eq!(other.join().unwrap(), Ok(()));
        });
        let mut out = Vec::new();
        queue.take(&mut out);
        assert_eq!(
            out,
            b"long line, first part second part\nnext line\nother\n"
        );
    }

    #[test]
    fn lines_come_out_in_order_and_wake_once() {
        let (queue, woken) = Queue::new(1024);
        queue.push(&[b"a", b"\n"], WAIT).unwrap();
        queue.push(&[b"b\n"], WAIT).unwrap();
        assert_eq!(woken.try_recv(), Ok(()));
        assert!(woken.try_recv().is_err(), "one wake-up per batch");
        let mut out = Vec::new();
        let control = queue.take(&mut out);
        assert_eq!(
            format!("{control:?}"),
            format!("{:?}", Control::default()),
            "nothing but lines"
        );
        assert_eq!(out, b"a\nb\n");
        out.clear();
        queue.push(&[b"c\n"], WAIT).unwrap();
        assert_eq!(woken.try_recv(), Ok(()));
    }

    #[test]
    fn over_budget_is_full_without_waiting_and_a_big_line_still_fits_alone() {
        let (queue, _woken) = Queue::new(4);
        queue.push(&[b"0123456789\n"], NOWAIT).unwrap();
        assert_eq!(queue.push(&[b"x\n"], NOWAIT), Err(PushError::Full));
        let mut out = Vec::new();
        queue.take(&mut out);
        queue.push(&[b"x\n"], NOWAIT).unwrap();
    }

    #[test]
    fn a_waiting_sender_gets_in_once_the_printer_takes() {
        let (queue, _woken) = Queue::new(4);
        queue.push(&[b"abcd"], WAIT).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| queue.push(&[b"efgh"], WAIT));
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
        queue.push(&[b"kept\n"], WAIT).unwrap();
        let mut out = Vec::new();
        queue.close(&mut out);
        assert_eq!(out, b"kept\n");
        assert_eq!(queue.push(&[b"late\n"], WAIT), Err(PushError::Closed));
    }

    #[test]
    fn a_stop_comes_after_the_lines_before_it_and_refuses_later_ones() {
        let (queue, woken) = Queue::new(4);
        queue.push(&[b"full\n"], WAIT).unwrap();
        let _ = woken.try_recv();
        assert_eq!(
            queue.push(&[b"x\n"], NOWAIT),
            Err(PushError::Full),
            "over budget"
        );
        // A stop never waits for room.
        queue.stop(StopReason::Shutdown);
        assert_eq!(woken.try_recv(), Ok(()));
        queue.stop(StopReason::Sentinel);
        assert!(queue.is_closed());
        assert_eq!(queue.push(&[b"late\n"], WAIT), Err(PushError::Closed));
        let mut out = Vec::new();
        let control = queue.take(&mut out);
        assert_eq!(out, b"full\n");
        assert_eq!(control.stop, Some(StopReason::Shutdown), "the first wins");
    }

    #[test]
    fn a_waiting_sender_is_refused_when_a_stop_comes() {
        let (queue, _woken) = Queue::new(4);
        queue.push(&[b"abcd"], WAIT).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| queue.push(&[b"efgh"], WAIT));
            queue.stop(StopReason::Shutdown);
            assert_eq!(waiter.join().unwrap(), Err(PushError::Closed));
        });
    }

    #[test]
    fn pressure_is_said_only_when_there_is_some() {
        let said = |held_ms, dropped| {
            Pressure {
                held: Duration::from_millis(held_ms),
                dropped,
            }
            .to_string()
        };
        assert_eq!(said(0, 0), "");
        assert_eq!(said(99, 0), "");
        assert_eq!(said(1234, 0), "held 1.2s");
        assert_eq!(said(0, 7), "dropped 7");
        assert_eq!(said(2000, 7), "held 2.0s dropped 7");
    }

    #[test]
    fn end_of_input_ends_a_streams_unfinished_line() {
        let (queue, _woken) = Queue::new(64);
        queue.push(&[b"a"], STREAM).unwrap();
        queue.end_of_input().unwrap();
        queue.push(&[b"b\n"], NOWAIT).unwrap();
        let mut out = Vec::new();
        queue.take(&mut out);
        assert_eq!(out, b"a\nb\n");
    }

    #[test]
    fn end_of_input_is_reported_once_with_the_lines_before_it() {
        let (queue, _woken) = Queue::new(64);
        queue.push(&[b"a\n"], WAIT).unwrap();
        queue.end_of_input().unwrap();
        let mut out = Vec::new();
        assert!(queue.take(&mut out).eof);
        assert_eq!(out, b"a\n");
        out.clear();
        assert!(!queue.take(&mut out).eof);
    }

    #[test]
    fn a_newline_the_queue_adds_is_told_apart_only_while_it_is_last() {
        let (queue, _woken) = Queue::new(1024);
        let mut out = Vec::new();
        queue.push(&[b"a\nb"], STREAM).unwrap();
        queue.end_line().unwrap();
        assert!(queue.take(&mut out).ended);
        assert_eq!(out, b"a\nb\n");
        // Nothing open: nothing added.
        queue.end_line().unwrap();
        out.clear();
        assert!(!queue.take(&mut out).ended);
        assert_eq!(out, b"");
        // More after it: it is a line's end like any other.
        queue.push(&[b"c"], STREAM).unwrap();
        queue.end_line().unwrap();
        queue.push(&[b"d\n"], STREAM).unwrap();
        out.clear();
        assert!(!queue.take(&mut out).ended);
        assert_eq!(out, b"c\nd\n");
        queue.push(&[b"e"], STREAM).unwrap();
        queue.end_of_input().unwrap();
        out.clear();
        assert!(queue.close(&mut out).0);
        assert_eq!(out, b"e\n");
    }
}
