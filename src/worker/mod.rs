//! The printer thread. [`Worker::run`] hands the lines it takes from the
//! queue to a front-end ([`Front`]): plain passthrough, or the full-screen
//! display, which blocks in one `select!` on the queue's wake-up, signals,
//! keys and the next deadline, then draws once. Whatever the front-end,
//! the lines are saved here, and every line accepted is kept at a stop.
//!
//! The display's state and frames are in [`tui`], its event loop in
//! `events`, its keys in `keys`, its search and filter state in `find`;
//! passthrough is [`plain`].

mod events;
mod find;
mod inline;
mod jump;
mod keys;
mod plain;
mod toggles;
mod tui;

use plain::Plain;
use tui::Tui;

use std::io::{self, Write};
use std::sync::Arc;

use crossbeam_channel::{self as channel, Receiver};

use crate::backend::{Handle, Surface};
use crate::error::Error;
use crate::layout::Look;
use crate::options::{Config, StopReason, Stopped, Viewport};
use crate::queue::Queue;
use crate::sanitize::{sanitize, visible};
use crate::signals;

/// A batch buffer that grew past this (a huge line) is not kept for reuse.
const KEEP_BATCH: usize = 8 << 20;

/// Senders waiting for lines to be drawn on a display (see
/// [`Front::wait_drawn`]): each is answered once a frame begun after its
/// lines were taken is written, or at once when nothing is left to draw.
#[derive(Default)]
pub(super) struct Waiting {
    /// Their lines are taken, not yet in a frame.
    taken: Vec<channel::Sender<()>>,
    /// Their lines are in the frame being written.
    in_frame: Vec<channel::Sender<()>>,
}

impl Waiting {
    /// Senders whose lines were just taken.
    pub(super) fn add(&mut self, waiting: Vec<channel::Sender<()>>) {
        self.taken.extend(waiting);
    }

    /// Answers those whose lines are on the screen, after a turn of the
    /// display's loop: `dirty`, something is left to draw; `pending`, a
    /// frame is being written.
    pub(super) fn settle(&mut self, dirty: bool, pending: bool) {
        // Nothing left to draw: the frame being written (or the last one)
        // shows their lines.
        if !dirty {
            self.in_frame.append(&mut self.taken);
        }
        if !pending {
            for waiter in self.in_frame.drain(..) {
                let _ = waiter.try_send(());
            }
        }
    }
}

/// What the printer thread receives: lines, the end of input and stop
/// requests through the queue, and its wake-up channel.
pub(crate) struct Inbox {
    pub(crate) woken: Receiver<()>,
    pub(crate) queue: Arc<Queue>,
}

impl Drop for Inbox {
    /// However the printer thread ends (a panic included), senders learn
    /// it: the queue is closed, so a waiting or later `line` fails instead
    /// of blocking forever or vanishing.
    fn drop(&mut self) {
        self.queue.close(&mut Vec::new());
    }
}

impl Config {
    /// How lines are laid out on the display.
    pub(crate) fn look(&self) -> Look {
        Look {
            text: self.text,
            wrap: self.wrap,
            // A file read in place holds the bytes as they are: no line
            // there has a header.
            headed: self.in_place.is_none() && !self.unheaded,
            bare: false,
            // The full-screen display adds them (`Tui::look`).
            numbers: None,
            records: self.records,
            raw: self.raw,
        }
    }
}

/// The printer thread: what every front-end shares ([`Core`]), and the
/// front-end that shows the lines.
pub(crate) struct Worker {
    core: Core,
    front: Box<dyn Front + Send>,
}

/// What the loop owns whatever shows the lines: the options, the queue,
/// the batch being taken, the `--save` file (in `config`) and the count.
pub(super) struct Core {
    config: Config,
    inbox: Inbox,
    /// Lines taken from the queue, reused batch after batch.
    batch: Vec<u8>,
    /// Lines received, the unfinished one not counted.
    received: usize,
}

/// A way of showing lines, and the state only it needs: plain passthrough
/// ([`Plain`]) or the full-screen display ([`Tui`]). The [`Core`] takes
/// lines from the queue, saves them, and hands them here; a front-end
/// blocks on its own sources (the queue, and for a display its keys,
/// signals and frames) in [`run`](Front::run), as ripgrep's searcher hands
/// matches to a sink.
pub(super) trait Front {
    /// Waits for input and events and answers them, until a reason to
    /// stop. Takes lines with [`Core::drain`].
    fn run(&mut self, core: &mut Core) -> io::Result<StopReason>;

    /// Lines taken from the queue, as received (whole lines, and perhaps
    /// the start of one). Returns how many lines they ended, and how
    /// writing them went.
    fn lines(&mut self, config: &Config, batch: &[u8]) -> (usize, io::Result<()>);

    /// Something to tell the user, sanitized already (the display's
    /// status bar; passthrough has nowhere to say it).
    fn notice(&mut self, _text: String) {}

    /// The live region's rows, sanitized already (the inline display
    /// draws them below the lines; the others have no live region).
    fn set_status(&mut self, _rows: Vec<String>) {}

    /// The producer said its input ended (it may go on, as a followed file
    /// does).
    fn end_of_input(&mut self) {}

    /// Sources begin in `batch`, about to be handed to
    /// [`lines`](Front::lines): at these bytes, with these names (see
    /// [`Sender::begin_source`](crate::Sender::begin_source)).
    fn sources(&mut self, _batch: &[u8], _sources: Vec<(usize, String)>) {}

    /// Draw everything anew: something else wrote on the terminal.
    fn repaint(&mut self) {}

    /// Senders wait until the lines handed over so far are drawn (see
    /// [`Sender::wait_drawn`](crate::Sender::wait_drawn)): each is answered
    /// once they are.
    fn wait_drawn(&mut self, waiting: Vec<channel::Sender<()>>);

    /// The input stopped inside a line: it is ended. True if there was one.
    fn end_open_line(&mut self, config: &Config) -> bool;

    /// The loop has stopped and lines are still to come (those queued
    /// before it stopped): take them without delay.
    fn stopping(&mut self) {}

    /// Leaves the output as it was found, then writes what
    /// [`OnExit`](crate::OnExit) asks for; waits for a terminal that
    /// stopped reading only when `patient`.
    fn finish(self: Box<Self>, config: &Config, patient: bool) -> io::Result<()>;

    /// What a failed write of this front-end is.
    fn failure(&self) -> fn(io::Error) -> Error;

    /// The host's side of the display, if this front-end draws one.
    fn handle(&self) -> Option<Arc<dyn Handle>> {
        None
    }
}

impl Worker {
    /// A worker that writes plain lines to `writer`: copied as received,
    /// or with `sanitize` as safe plain rows (for a terminal).
    pub(crate) fn plain(
        config: Config,
        inbox: Inbox,
        writer: Box<dyn Write + Send>,
        sanitize: bool,
    ) -> Self {
        let front = Box::new(Plain::new(writer, sanitize, config.min_level));
        Worker::new(config, inbox, front)
    }

    /// A worker that owns the terminal: set up here, on the caller's
    /// thread, so a failure is an error from `spawn`.
    pub(crate) fn tui(mut config: Config, inbox: Inbox, surface: Surface) -> io::Result<Self> {
        let front: Box<dyn Front + Send> = match config.viewport {
            Viewport::FullScreen => Box::new(Tui::start(&mut config, surface, &inbox.queue)?),
            Viewport::Inline => {
                Box::new(inline::Inline::start(&mut config, surface, &inbox.queue)?)
            }
        };
        Ok(Worker::new(config, inbox, front))
    }

    fn new(config: Config, inbox: Inbox, front: Box<dyn Front + Send>) -> Self {
        Worker {
            core: Core {
                config,
                inbox,
                batch: Vec::new(),
                received: 0,
            },
            front,
        }
    }

    /// The host's side of the display, if there is one (see [`Handle`]).
    pub(crate) fn handle(&self) -> Option<Arc<dyn Handle>> {
        self.front.handle()
    }

    /// Runs until a stop, then keeps what is still queued and leaves the
    /// terminal as it found it.
    pub(crate) fn run(self) -> Result<Stopped, Error> {
        let Worker {
            mut core,
            mut front,
        } = self;
        let mut result = front.run(&mut core);
        // The user closed the viewer, the host goes on: its lines go on
        // inline, after what the viewer leaves on the normal screen.
        if let (Ok(StopReason::Quit), Some(target)) = (&result, core.config.inline_after_quit) {
            let config = &mut core.config;
            config.viewport = Viewport::Inline;
            config.interactive = false;
            let queue = Arc::clone(&core.inbox.queue);
            let inline = front
                .finish(config, true)
                .and_then(|()| inline::Inline::start(config, Surface::Target(target), &queue));
            match inline {
                Ok(inline) => {
                    front = Box::new(inline);
                    result = front.run(&mut core);
                }
                Err(e) => {
                    // Nowhere to show them: the rest is still saved.
                    front = Box::new(Plain::new(Box::new(io::sink()), false, None));
                    result = Err(e);
                }
            }
        }
        front.stopping();
        // Lines already accepted are kept even after a stop (for the exit
        // output and the line count). Closing takes the queue in one step,
        // so producers that keep sending cannot hold the printer open.
        core.drain_after_stop(&mut *front);
        // The saved file is complete now: it is not kept waiting for the
        // terminal.
        let saved = match core.config.save.as_mut() {
            Some(save) => save.finish().map_err(|source| Error::Save {
                path: save.path().to_owned(),
                source,
            }),
            None => Ok(()),
        };
        let failed = front.failure();
        // A stop the host asked for waits for a terminal that stopped
        // reading; one by a signal must end in time.
        let patient = core.config.restore_patiently
            && result
                .as_ref()
                .is_ok_and(|reason| reason.signal().is_none());
        let finished = front.finish(&core.config, patient);
        let reason = result.map_err(failed)?;
        finished.map_err(failed)?;
        saved?;
        if !core.config.report_signals {
            // Everything is written and the terminal restored: now the
            // signal has the effect it would have had without us.
            signals::act_as_default(reason);
        }
        let pressure = core.inbox.queue.pressure();
        Ok(Stopped {
            reason,
            lines: core.received,
            held: pressure.held,
            dropped: pressure.dropped,
        })
    }
}

impl Core {
    /// The options the printer was built with.
    pub(super) fn config(&self) -> &Config {
        &self.config
    }

    /// The queue's wake-up: ready when lines or requests are waiting.
    pub(super) fn woken(&self) -> &Receiver<()> {
        &self.inbox.woken
    }

    /// Whether new lines wake the printer (see `Queue::wake_for_lines`).
    pub(super) fn wake_for_lines(&self, on: bool) {
        self.inbox.queue.wake_for_lines(on);
    }

    /// True when lines (or a stop) wait in the queue.
    pub(super) fn has_lines(&self) -> bool {
        self.inbox.queue.has_lines()
    }

    /// The queue's pressure for the status bar: lines held or dropped.
    pub(super) fn pressure(&self) -> crate::queue::Pressure {
        self.inbox.queue.pressure()
    }

    /// Takes every queued line and hands them to `front` (in one write,
    /// for passthrough), then what came after them. Returns a reason to
    /// stop: asked for, the end of input with `exit_on_eof`, or the output
    /// closed.
    pub(super) fn drain(&mut self, front: &mut dyn Front) -> io::Result<Option<StopReason>> {
        let mut control = self.inbox.queue.take(&mut self.batch);
        if !control.sources.is_empty() {
            front.sources(&self.batch, std::mem::take(&mut control.sources));
        }
        if let Some(reason) = self.absorb(front, control.ended)? {
            return Ok(Some(reason));
        }
        if control.repaint {
            front.repaint();
        }
        if let Some(text) = control.notice {
            // Shown whole: a `\r` in it must not hide what came before.
            front.notice(visible(text.as_bytes()).into_owned());
        }
        if let Some(rows) = control.status {
            front.set_status(sanitized_rows(&rows, self.config.text.tab_width));
        }
        if !control.drawn.is_empty() {
            front.wait_drawn(control.drawn);
        }
        if control.eof {
            front.end_of_input();
            if self.config.exit_on_eof {
                return Ok(Some(StopReason::EndOfInput));
            }
        }
        Ok(control.stop)
    }

    /// Takes the bytes of a file read in place into `front`, a piece at a
    /// time, as if they had been queued; stops at a reason to stop.
    pub(super) fn absorb_file(
        &mut self,
        front: &mut dyn Front,
        file: &std::fs::File,
        len: u64,
    ) -> io::Result<Option<StopReason>> {
        let mut stop = None;
        each_piece(file, len, |piece| {
            if stop.is_none() {
                self.batch.extend_from_slice(piece);
                stop = self.absorb(front, false)?;
            }
            Ok(())
        })?;
        Ok(stop)
    }

    /// Saves the batch and hands it to `front`. `ended`: the batch ends
    /// with a `\n` that is no byte of the input (see
    /// [`Control::ended`](crate::queue::Control::ended)).
    fn absorb(&mut self, front: &mut dyn Front, ended: bool) -> io::Result<Option<StopReason>> {
        if self.batch.is_empty() {
            return Ok(None);
        }
        if let Some(marker) = &self.config.panic_on
            && memchr::memmem::find(&self.batch, marker).is_some()
        {
            panic!("reflow test hook: the printer thread panics");
        }
        let batch = &self.batch[..];
        if let Some(save) = &mut self.config.save {
            let stamp = self.config.save_timestamps.then(|| format!("{} ", clock()));
            let input = match ended {
                true => &batch[..batch.len() - 1],
                false => batch,
            };
            let failed = save.write(input, stamp.as_deref());
            if ended {
                save.end_line();
            }
            // A save that stopped working is said at once, while the user
            // can still act on it.
            if let Some(text) = failed {
                front.notice(sanitize(text.as_bytes(), self.config.text.tab_width));
            }
        }
        let (lines, written) = front.lines(&self.config, batch);
        self.received += lines;
        self.batch.clear();
        if self.batch.capacity() > KEEP_BATCH {
            self.batch = Vec::new();
        }
        stop_if_closed(written)
    }

    /// Closes the queue, keeping every line a sender was told was taken;
    /// an unfinished line is a line too.
    fn drain_after_stop(&mut self, front: &mut dyn Front) {
        let (ended, sources) = self.inbox.queue.close(&mut self.batch);
        if !sources.is_empty() {
            front.sources(&self.batch, sources);
        }
        let _ = self.absorb(front, ended);
        if let Some(rows) = self.inbox.queue.take_status() {
            front.set_status(sanitized_rows(&rows, self.config.text.tab_width));
        }
        if front.end_open_line(&self.config) {
            self.received += 1;
        }
    }
}

/// Status rows as they may be drawn: untrusted text, so only their colours
/// reach the terminal, and a row is one row (a `\n` in one is shown as
/// `visible` shows it).
fn sanitized_rows(rows: &[String], tab_width: usize) -> Vec<String> {
    rows.iter()
        .map(|row| sanitize(visible_breaks(row).as_bytes(), tab_width))
        .collect()
}

/// `text` with its line breaks made visible (`\n` as `^J`, `\r` as `^M`).
fn visible_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\r']) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.replace('\n', "^J").replace('\r', "^M"))
}

/// A closed output (broken pipe) is a way to stop, not an error.
fn stop_if_closed(result: io::Result<()>) -> io::Result<Option<StopReason>> {
    match result {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(Some(StopReason::OutputClosed)),
        Err(e) => Err(e),
    }
}

/// Calls `f` with `file`'s first `len` bytes, a piece at a time.
fn each_piece(
    file: &std::fs::File,
    len: u64,
    mut f: impl FnMut(&[u8]) -> io::Result<()>,
) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0; 1 << 20];
    let mut at = 0;
    while at < len {
        let want = usize::try_from(len - at).map_or(buf.len(), |left| left.min(buf.len()));
        let n = file.read_at(&mut buf[..want], at)?;
        if n == 0 {
            break;
        }
        f(&buf[..n])?;
        at += n as u64;
    }
    Ok(())
}

/// The time now, to the millisecond: `HH:MM:SS.mmm`. Local with the
/// `local-time` feature (chrono's offset of the local time zone), else UTC
/// (no time zone database).
fn clock() -> String {
    let now = std::time::SystemTime::now();
    let (secs, nanos) = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or((0, 0), |d| {
            (i64::try_from(d.as_secs()).unwrap_or(0), d.subsec_nanos())
        });
    #[cfg(feature = "local-time")]
    let secs = {
        use chrono::Offset;
        let local = chrono::DateTime::<chrono::Local>::from(now);
        secs + i64::from(local.offset().fix().local_minus_utc())
    };
    let mut out = String::with_capacity(12);
    let _ = crate::time::Civil::from_unix(secs, nanos).write_clock(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::Waiting;
    use crossbeam_channel::{self as channel, Receiver};

    /// A sender's wait, as [`crate::queue::Queue::drawn`] makes one.
    fn waiter(waiting: &mut Waiting) -> Receiver<()> {
        let (answer, answered) = channel::bounded(1);
        waiting.add(vec![answer]);
        answered
    }

    #[test]
    fn a_wait_is_answered_once_a_frame_begun_after_it_is_written() {
        let mut waiting = Waiting::default();
        let answered = waiter(&mut waiting);
        // Lines taken, their frame not due yet.
        waiting.settle(true, false);
        assert!(answered.is_empty());
        // A frame began before they came, and is being written.
        waiting.settle(true, true);
        assert!(answered.is_empty());
        // Their frame is being written.
        waiting.settle(false, true);
        assert!(answered.is_empty());
        // More lines came meanwhile: theirs are on the screen all the same.
        waiting.settle(true, false);
        assert_eq!(answered.try_recv(), Ok(()));
    }

    #[test]
    fn a_wait_with_nothing_to_draw_is_answered_at_once() {
        let mut waiting = Waiting::default();
        let answered = waiter(&mut waiting);
        waiting.settle(false, false);
        assert_eq!(answered.try_recv(), Ok(()));
        // A wait behind a frame being written that shows its lines already
        // (nothing left to draw) waits for that frame only.
        let answered = waiter(&mut waiting);
        waiting.settle(false, true);
        assert!(answered.is_empty());
        waiting.settle(false, false);
        assert_eq!(answered.try_recv(), Ok(()));
    }

    #[test]
    fn a_wait_dropped_unanswered_says_the_printer_stopped() {
        let mut waiting = Waiting::default();
        let answered = waiter(&mut waiting);
        waiting.settle(false, true);
        drop(waiting);
        assert!(answered.recv().is_err());
    }
}
