//! [`Sender`]: the cloneable handle lines go in by, its `io::Write`, and
//! the errors of sending ([`Closed`], [`TrySendError`]).

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use std::thread::{self, ThreadId};

use crate::options::StopReason;
use crate::queue::{Push, PushError, Queue, sentinel_at};
use crate::tag::Heading;

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
        Sender::new(
            &self.queue,
            &self.sentinel,
            self.lossy,
            self.display,
            self.header.clone(),
        )
    }
}

impl Sender {
    /// A sender with no unfinished line, whose lines start with `header`.
    pub(crate) fn new(
        queue: &Arc<Queue>,
        sentinel: &Option<Arc<[u8]>>,
        lossy: bool,
        display: bool,
        header: Option<Arc<[u8]>>,
    ) -> Self {
        Sender {
            queue: Arc::clone(queue),
            sentinel: sentinel.clone(),
            lossy,
            display,
            header,
            partial: Mutex::new(Vec::new()),
        }
    }

    /// Another sender to the same printer whose lines carry `tag`: on a
    /// display, a stderr bar or a label column beside each line it
    /// starts. Without a display the lines go out as they are.
    pub fn tagged(&self, tag: crate::Tag) -> Sender {
        let header = tag.header().map(Arc::from);
        Sender::new(
            &self.queue,
            &self.sentinel,
            self.lossy,
            self.display,
            header,
        )
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
        // The queue looks for the sentinel, under its lock: only there is
        // it known whether the piece goes on with an open line.
        self.queue
            .push(
                &[piece],
                Push {
                    wait: true,
                    stream: true,
                    heading: self.heading(),
                    sentinel: self.sentinel.as_deref(),
                    ..Push::default()
                },
            )
            .map_err(|_| Closed)
    }

    /// Ends the stream's unfinished line, if [`stream`](Sender::stream)
    /// left one, as [`end_of_input`](Sender::end_of_input) does, without
    /// saying the input ended: the next piece starts a line of its own.
    /// The `\n` this adds is no byte of the input: the
    /// [`save`](crate::Builder::save)d file has it only if more follows, so a
    /// stream saved ends as it ended. Never waits.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn end_line(&self) -> Result<(), Closed> {
        self.queue.end_line().map_err(|_| Closed)
    }

    /// Reports that the input has ended. The status bar shows EOF; with
    /// [`Builder::exit_on_eof`](crate::Builder::exit_on_eof) the printer stops.
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

    /// Draws the display's whole screen anew at its next frame, as
    /// [`Printer::repaint`](crate::Printer::repaint) does: after something
    /// else wrote on the terminal (a program that printed a prompt there).
    pub fn repaint(&self) {
        self.queue.repaint();
    }

    /// The lines sent from now on come from the source `name` (a file, as
    /// the `reflow` binary shows several one after another). A full-screen
    /// display draws a dim boundary row, naming it, above its first line,
    /// names it in the status bar while its lines are shown, and moves
    /// between sources with `:n` and `:p`. Nothing is added to the lines'
    /// bytes (`--save` and passthrough never see it). Call it between
    /// lines: a line this sender left unfinished belongs to the source
    /// before. Never waits.
    pub fn begin_source(&self, name: impl Into<String>) -> Result<(), Closed> {
        self.queue.begin_source(name.into()).map_err(|_| Closed)
    }

    /// Sets the live region of an inline display: `rows` (a status line,
    /// progress bars) drawn below the newest line, redrawn in place as
    /// lines are printed above them and at every resize, each cut to the
    /// width. An empty `rows` removes the region. The rows set last stay
    /// on the screen when the display ends, as a progress bar's last state
    /// does. Untrusted like any line: only their colours reach the
    /// terminal. Applied after the lines sent before it, in order; never
    /// waits. Ignored by a full-screen display and without one.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let printer = reflow::Printer::builder()
    ///     .viewport(reflow::Viewport::Inline)
    ///     .output(std::io::sink())
    ///     .spawn()?;
    /// let tx = printer.sender();
    /// tx.line("fetched 3 of 10")?;
    /// tx.set_status(["downloading [###       ] 30%"])?;
    /// tx.set_status(Vec::<String>::new())?; // gone
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer has stopped.
    pub fn set_status<I, S>(&self, rows: I) -> Result<(), Closed>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let rows = rows.into_iter().map(Into::into).collect();
        self.queue.status(rows).map_err(|_| Closed)
    }

    /// Asks the printer to stop once every line queued before has been
    /// drawn; never waits. Does nothing if it has already stopped.
    pub fn shutdown(&self) {
        self.queue.stop(StopReason::Shutdown);
    }

    /// Waits until every line sent before this call (by any sender) is
    /// drawn: on a display, in a frame that the terminal has taken; copied
    /// through, written to the output and flushed. For a host that must
    /// know its lines are on the screen before it goes on, or that does
    /// its own slow work only once the first screen is up (as the `reflow`
    /// binary starts following a file it opened in place).
    ///
    /// It waits as long as the terminal does: while the display is
    /// suspended (so never call it from the closure given to
    /// [`Printer::suspend`](crate::Printer::suspend)), or while the
    /// terminal does not read.
    ///
    /// # Errors
    ///
    /// [`Closed`] if the printer stops (or was asked to) before they are
    /// drawn.
    pub fn wait_drawn(&self) -> Result<(), Closed> {
        let answered = self.queue.drawn().map_err(|_| Closed)?;
        answered.recv().map_err(|_| Closed)
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
        // What the host wrote on the terminal before, first: in order.
        if self.display {
            crate::capture::sync();
        }
        let sentinel = self.sentinel.as_deref();
        let (lines, end, stop): (&[u8], &[u8], _) = match sentinel_at(body, sentinel, last) {
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
                sentinel: None,
            },
        )
    }
}
