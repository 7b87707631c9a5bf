//! The printer thread. It owns all display state (the history, the screen
//! as last drawn, the terminal size) and blocks in one `select!` on
//! control messages, the line queue's wake-up, signals, keys and the next
//! deadline (a frame, or compaction when there is nothing else to do):
//! block, drain,
//! draw once.
//!
//! The full-screen display's keys, viewer state and frames are in
//! [`tui`]; this file is the loop and the lines' way in.

mod events;
mod plain;
mod tui;

use plain::Plain;

use tui::Tui;

use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use crate::error::Error;
use crate::history::{History, history_share};
use crate::keyboard::KeyReader;
use crate::layout::{Look, Row};
use crate::options::StopReason;
use crate::options::{Config, OnExit, Stopped};
use crate::queue::Queue;
use crate::sanitize::{sanitize, sanitize_styled, visible};
use crate::signals::{self, SignalListener};
use crate::terminal::{Surface, TerminalGuard};

/// The shortest time between two frames: at most ~60 frames a second,
/// however fast lines arrive.
const FRAME: Duration = Duration::from_micros(16_667);

/// While input keeps coming, sealed history chunks are compressed at most
/// one per this interval, in the gaps between batches: a host that logs
/// without pauses still has its history compressed (up to 50 MB/s), and a
/// burst of input is not slowed by compressing all of it at once.
const PACE: Duration = Duration::from_millis(5);

/// Once input has been quiet this long, the rest is compressed at once.
const QUIET: Duration = Duration::from_millis(100);

/// The longest line the display keeps as one (see `absorb_batch`).
const LONGEST_LINE: usize = 64 << 20;

/// A batch buffer that grew past this (a huge line) is not kept for reuse.
const KEEP_BATCH: usize = 8 << 20;

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
            headed: self.in_place.is_none(),
        }
    }
}

/// Everything the printer thread owns.
pub(crate) struct Worker {
    config: Config,
    inbox: Inbox,
    /// Lines taken from the queue, reused batch after batch.
    batch: Vec<u8>,
    /// The display's lines. Passthrough keeps none: nothing needs them.
    history: History,
    /// The history's last line was ended at [`LONGEST_LINE`], not by the
    /// input: the next batch goes on with its bytes.
    split_line: bool,
    /// Lines received, the unfinished one not counted.
    received: usize,
    /// When lines last reached the history, and when a chunk was last
    /// compressed (see [`PACE`]).
    last_input: Instant,
    last_compact: Instant,
    eof: bool,
    /// The newest notice for the status bar, sanitized.
    notice: Option<String>,
    out: Out,
}

enum Out {
    /// Each line written once, as it comes.
    Plain(Plain),
    /// The full-screen display.
    Tui(Box<Tui>),
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
        let out = Out::Plain(Plain::new(writer, sanitize));
        Worker::new(config, inbox, History::new(), out)
    }

    /// A worker that owns the terminal: set up here, on the caller's
    /// thread, so a failure is an error from `spawn`.
    pub(crate) fn tui(mut config: Config, inbox: Inbox, surface: Surface) -> io::Result<Self> {
        // A writer drawn on as a terminal has no signals: it is no terminal.
        let real = matches!(surface, Surface::Target(_));
        // The terminal first: a refused second display must not touch the
        // first one's signal handling.
        let terminal = TerminalGuard::enter(config.interactive, surface)?;
        // Set by the key and signal threads for what must be answered at
        // once (q, Esc, a stop signal): a huge line's layout stops short.
        let urgent = Arc::new(AtomicBool::new(false));
        let signals = if real {
            Some(SignalListener::start(Arc::clone(&urgent))?)
        } else {
            None
        };
        let input = if config.interactive {
            Some(KeyReader::start(Arc::clone(&urgent))?)
        } else {
            None
        };
        let size = display_size(&config);
        let budget = history_share(config.max_memory);
        let history = match config.in_place.take() {
            Some((file, len)) => {
                // The saved file holds every line shown: the file's too.
                if let Some(save) = &mut config.save {
                    // A write error is told at the stop: nothing is shown yet.
                    each_piece(&file, len, |piece| {
                        save.write(piece, None);
                        Ok(())
                    })?;
                }
                History::in_place(file, len, config.max_lines)?
            }
            None => config
                .max_lines
                .map_or_else(History::new, History::with_max_lines),
        }
        .max_memory(budget);
        let mut tui = Box::new(Tui::new(input, signals, terminal, size));
        tui.cache.abort_on(urgent);
        let out = Out::Tui(tui);
        Ok(Worker::new(config, inbox, history, out))
    }

    fn new(config: Config, inbox: Inbox, history: History, out: Out) -> Self {
        Worker {
            config,
            inbox,
            batch: Vec::new(),
            history,
            split_line: false,
            received: 0,
            last_input: Instant::now(),
            last_compact: Instant::now(),
            eof: false,
            notice: None,
            out,
        }
    }

    /// Runs until a stop, then keeps what is still queued and leaves the
    /// terminal as it found it.
    pub(crate) fn run(mut self) -> Result<Stopped, Error> {
        let result = self.display();
        // The display has stopped: a huge line not laid out yet is shown
        // at exit with the rows known, rather than holding the exit up.
        if let Out::Tui(tui) = &mut self.out {
            tui.cache.cut_layouts_short();
        }
        // Lines already accepted are kept even after a stop (for the exit
        // output and the line count). Closing takes the queue in one step,
        // so producers that keep sending cannot hold the printer open.
        self.drain_after_stop();
        // The saved file is complete now: it is not kept waiting for the
        // terminal.
        let saved = match self.config.save.as_mut() {
            Some(save) => save.finish().map_err(|source| Error::Save {
                path: save.path().to_owned(),
                source,
            }),
            None => Ok(()),
        };
        // An output error is the display's or the passthrough's.
        let failed = match self.out {
            Out::Tui(_) => Error::Display,
            Out::Plain(_) => Error::Output,
        };
        // A stop the host asked for waits for a terminal that stopped
        // reading; one by a signal must end in time.
        let patient = self.config.restore_patiently
            && result
                .as_ref()
                .is_ok_and(|reason| reason.signal().is_none());
        let finished = self.finish(patient);
        let reason = result.map_err(failed)?;
        finished.map_err(failed)?;
        saved?;
        if !self.config.report_signals {
            // Everything is written and the terminal restored: now the
            // signal has the effect it would have had without us.
            signals::act_as_default(reason);
        }
        let pressure = self.inbox.queue.pressure();
        Ok(Stopped {
            reason,
            lines: self.received,
            held: pressure.held,
            dropped: pressure.dropped,
        })
    }

    fn display(&mut self) -> io::Result<StopReason> {
        match self.out {
            Out::Tui(_) => self.run_tui(),
            Out::Plain(_) => self.run_plain(),
        }
    }

    fn run_plain(&mut self) -> io::Result<StopReason> {
        // Without a display, a file's lines are written as any others.
        if let Some((file, len)) = self.config.in_place.take() {
            let mut stop = None;
            each_piece(&file, len, |piece| {
                if stop.is_none() {
                    self.batch.extend_from_slice(piece);
                    stop = self.absorb_batch(false)?;
                }
                Ok(())
            })?;
            if let Some(reason) = stop {
                return Ok(reason);
            }
        }
        let woken = self.inbox.woken.clone();
        loop {
            if woken.recv().is_ok()
                && let Some(reason) = self.drain()?
            {
                return Ok(reason);
            }
            // Flush once per burst, before blocking for more.
            if woken.is_empty()
                && let Some(reason) = stop_if_closed(self.flush_plain())?
            {
                return Ok(reason);
            }
        }
    }

    /// Takes every queued line into the history (and, in plain mode, the
    /// output, in one write), then what came after them. Returns a reason
    /// to stop: asked for, the end of input with `exit_on_eof`, or the
    /// output closed.
    fn drain(&mut self) -> io::Result<Option<StopReason>> {
        let control = self.inbox.queue.take(&mut self.batch);
        if let Some(reason) = self.absorb_batch(control.ended)? {
            return Ok(Some(reason));
        }
        self.lines_arrived();
        if control.repaint {
            self.repaint();
        }
        if let Some(text) = control.notice
            && let Out::Tui(tui) = &mut self.out
        {
            // Shown whole: a `\r` in it must not hide what came before.
            self.notice = Some(visible(text.as_bytes()).into_owned());
            tui.dirty = true;
        }
        if control.eof {
            self.eof = true;
            if let Out::Tui(tui) = &mut self.out {
                tui.dirty = true;
            }
            if self.config.exit_on_eof {
                return Ok(Some(StopReason::EndOfInput));
            }
        }
        Ok(control.stop)
    }

    /// `ended`: the batch ends with a `\n` that is no byte of the input
    /// (see [`Control::ended`](crate::queue::Control::ended)).
    fn absorb_batch(&mut self, ended: bool) -> io::Result<Option<StopReason>> {
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
            if let (Some(text), Out::Tui(tui)) = (failed, &mut self.out) {
                self.notice = Some(sanitize(text.as_bytes(), self.config.text.tab_width));
                tui.dirty = true;
            }
        }
        let result = match &mut self.out {
            Out::Plain(plain) => {
                let (lines, written) = plain.write(batch, self.config.text.tab_width);
                self.received += lines;
                stop_if_closed(written)
            }
            Out::Tui(tui) => {
                // The history counts the lines as it indexes them.
                let before = self.history.len();
                // The partial line shown is about to grow or end.
                tui.cache.forget(before);
                // The rest of a line split at its length is text: never
                // read as a header.
                if std::mem::take(&mut self.split_line) && crate::tag::needs_guard(batch, true) {
                    self.history.stream(crate::tag::EMPTY);
                }
                if self.config.timestamps {
                    let at_start = self.history.partial().is_empty();
                    let stamped = crate::tag::stamp(batch, at_start, &clock());
                    self.history.stream(&stamped);
                } else {
                    self.history.stream(batch);
                }
                // A line that never ends (`reflow /dev/zero`) must not take
                // all memory, nor its layout all the time: past a bound its
                // bytes so far become a line, and the rest goes on as the
                // next. Nothing is lost; --save and passthrough keep the
                // bytes as received.
                if self.history.partial().len() >= LONGEST_LINE && self.history.end_partial() {
                    self.split_line = true;
                    self.notice = Some(format!(
                        "a line longer than {} MiB is shown as several",
                        LONGEST_LINE >> 20
                    ));
                }
                self.received += self.history.len() - before;
                // The spill file failed (a full disk): old lines go, and
                // the status bar says how many.
                if let Some(news) = self.history.spill_news() {
                    self.notice = Some(sanitize(news.as_bytes(), self.config.text.tab_width));
                }
                if self.history.len() > before {
                    tui.laid_out(&self.history, &self.config);
                }
                self.last_input = Instant::now();
                // Input came after its end was said (a file that grows
                // again): it has not ended after all.
                self.eof = false;
                tui.dirty = true;
                Ok(None)
            }
        };
        self.batch.clear();
        if self.batch.capacity() > KEEP_BATCH {
            self.batch = Vec::new();
        }
        result
    }

    /// Closes the queue, keeping every line a sender was told was taken;
    /// an unfinished line is a line too.
    fn drain_after_stop(&mut self) {
        let ended = self.inbox.queue.close(&mut self.batch);
        let _ = self.absorb_batch(ended);
        self.end_open_line();
    }

    /// The input stopped inside a line: it counts as a whole line.
    fn end_open_line(&mut self) {
        let ended = match &mut self.out {
            Out::Plain(plain) => plain.end_open_line(self.config.text.tab_width),
            Out::Tui(_) => self.history.end_partial(),
        };
        if ended {
            self.received += 1;
        }
    }

    /// Compresses one sealed chunk (about a quarter of a millisecond) when
    /// one is due and no input is waiting; the loop comes back for the next
    /// one after checking for anything more urgent. So a host that logs
    /// without pauses still gets its history compressed, in the gaps.
    fn compact_if_idle(&mut self) {
        let now = Instant::now();
        if self.inbox.woken.is_empty() && self.compaction_due().is_some_and(|due| due <= now) {
            self.history.compact();
            self.last_compact = now;
        }
    }

    /// When the next sealed chunk may be compressed: at the pace while
    /// input comes, at once when it has been quiet.
    fn compaction_due(&self) -> Option<Instant> {
        self.history
            .can_compact()
            .then(|| (self.last_input + QUIET).min(self.last_compact + PACE))
    }

    fn flush_plain(&mut self) -> io::Result<()> {
        match &mut self.out {
            Out::Plain(plain) => plain.flush(),
            Out::Tui(_) => Ok(()),
        }
    }

    /// Leaves the terminal as it was, then prints what `on_exit` asks for.
    /// What `on_exit` asks for, as plain lines.
    fn write_on_exit(&self, out: &mut impl Write, screen: &[Row]) -> io::Result<()> {
        match self.config.on_exit {
            OnExit::None => Ok(()),
            OnExit::Screen => {
                for row in screen {
                    writeln!(out, "{}", row.text)?;
                }
                Ok(())
            }
            OnExit::All => {
                let mut result = Ok(());
                self.history.for_each(|line| {
                    if result.is_ok() {
                        let line = sanitize_styled(line, self.config.text);
                        let mut text = String::with_capacity(line.text.len());
                        line.paint(0..line.text.len(), &mut text);
                        result = writeln!(out, "{text}");
                    }
                });
                result
            }
        }
    }

    fn finish(&mut self, patient: bool) -> io::Result<()> {
        // The final view stays visible: what the screen shows now.
        let screen = match self.config.on_exit {
            OnExit::Screen => self.screen_rows(),
            _ => Vec::new(),
        };
        let tui = match std::mem::replace(
            &mut self.out,
            Out::Plain(Plain::new(Box::new(io::sink()), false)),
        ) {
            Out::Plain(mut plain) => return stop_if_closed(plain.flush()).map(|_| ()),
            Out::Tui(tui) => tui,
        };
        let Tui {
            input,
            signals,
            mut terminal,
            ..
        } = *tui;
        drop(input);
        if patient {
            terminal.patient();
        }
        terminal.suspend();
        // Printed under whatever a panic left on the normal screen, so its
        // message stays above, readable; through the terminal's writer,
        // which gives up on a terminal that stopped reading.
        let mut out = BufWriter::with_capacity(
            1 << 16,
            After {
                terminal: &terminal,
            },
        );
        // Best effort: the only failure is a terminal gone or stuck, and
        // then nothing more can be shown anyway.
        let _ = self
            .write_on_exit(&mut out, &screen)
            .and_then(|()| out.flush());
        drop(out);
        drop(terminal);
        drop(signals);
        Ok(())
    }
}

/// Output on the normal screen after the display, through its writer.
struct After<'a> {
    terminal: &'a TerminalGuard,
}

impl Write for After<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.terminal.after(bytes) {
            Ok(bytes.len())
        } else {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the terminal stopped taking output",
            ))
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
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

/// The time now, local, to the millisecond: `HH:MM:SS.mmm`.
fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S%.3f").to_string()
}

/// The size to draw at: a writer's fixed one, or the terminal's now.
fn display_size(config: &Config) -> (u16, u16) {
    config.size.unwrap_or_else(terminal_size)
}

fn terminal_size() -> (u16, u16) {
    let (w, h) = crossterm::terminal::size().unwrap_or((80, 24));
    (w.max(1), h.max(1))
}
