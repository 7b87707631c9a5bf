//! The inline display, the printer thread's front-end for a terminal it
//! shares with its host (see [`Viewport::Inline`]): lines are printed
//! into the normal screen at most 60 times a second, each once, and the
//! live region below them is redrawn in place (`render::Inline`). It owns
//! the lines not printed yet (and those still on the screen, to print
//! them again at a new width), the terminal, the signals, and the host's
//! own output to that terminal (`crate::capture`), printed among the lines
//! as it comes.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::{self as channel, select};

use super::tui::{FRAME, terminal_size, winsize};
use super::{Core, Front, Waiting, clock};
use crate::backend::{Backend, Handle, Model, Surface};
use crate::capture::Capture;
use crate::error::Error;
use crate::history::{History, history_share};
use crate::layout::RowCache;
use crate::options::{Config, StopReason, Viewport};
use crate::render;
use crate::sanitize::visible;
use crate::signals::{self, SignalEvent, SignalListener};
use crate::terminal::TerminalGuard;

/// Lines received but not printed yet past which no more are taken from
/// the queue until the terminal has taken the frame it is writing: senders
/// then wait, as they would for `env_logger` on a slow terminal, and a
/// stop never has more than this to print.
const BACKLOG: usize = 20_000;

/// State of the inline display. Fields drop in order: the signals are
/// given back after the terminal.
pub(super) struct Inline {
    terminal: Box<dyn Backend>,
    signals: Option<SignalListener>,
    /// The host's stdout and stderr, when they write on this terminal.
    capture: Option<Capture>,
    /// What the host wrote after its last whole line, to print next.
    piece: Vec<u8>,
    /// The terminal itself, to ask its size (stdout may be the capture's).
    tty: Option<std::fs::File>,
    history: History,
    cache: RowCache,
    screen: render::Inline,
    /// The size of a writer drawn on as a terminal; `None` for a terminal.
    fixed_size: Option<(u16, u16)>,
    /// The live region's rows (progress bars, a status line), drawn below
    /// the lines and left on the screen at the end.
    status: Vec<String>,
    /// Bytes the next frame starts with (a resize's erasing).
    prelude: Vec<u8>,
    dirty: bool,
    next_frame: Instant,
    /// The frame being built; away at the writer while `pending`.
    buf: Vec<u8>,
    pending: bool,
    /// Senders waiting until their lines are printed.
    waiting: Waiting,
}

impl Inline {
    /// Takes the terminal (or `surface`'s writer) and starts the signal
    /// thread, on the caller's thread, so a failure is an error from
    /// `spawn`.
    pub(super) fn start(
        config: &mut Config,
        surface: Surface,
        queue: &Arc<crate::queue::Queue>,
    ) -> io::Result<Self> {
        let real = matches!(surface, Surface::Target(_));
        let mut capture = None;
        let mut tty = None;
        let (terminal, exclusive): (Box<dyn Backend>, bool) = match surface {
            Surface::Target(target) => {
                let (terminal, entering) =
                    TerminalGuard::enter(false, false, target, Viewport::Inline)?;
                let terminal = Box::new(terminal);
                // Nothing to overlap: the inline display's setup is short.
                entering.wait()?;
                let own = target.open()?;
                if config.take_host_output {
                    let size = winsize(&own).unwrap_or_else(terminal_size);
                    capture = Capture::of_host(&own, size, queue)?;
                }
                tty = Some(own);
                // With the host's output taken, only the display writes
                // on the terminal.
                (terminal, capture.is_some() || !target.shared())
            }
            // Nothing else writes into a writer given for drawing.
            Surface::Writer(writer) => (Box::new(Model::enter(writer, Viewport::Inline)?), true),
        };
        let signals = match real {
            true => Some(SignalListener::start(Arc::new(AtomicBool::new(false)))?),
            false => None,
        };
        let size = config
            .size
            .or_else(|| tty.as_ref().and_then(winsize))
            .unwrap_or_else(terminal_size);
        let history = config
            .max_lines
            .map_or_else(History::new, History::with_max_lines)
            .max_memory(history_share(config.max_memory));
        let screen = render::Inline::new(size, 0, reflows(), exclusive);
        let mut prelude = Vec::new();
        screen.start_row(&mut prelude)?;
        Ok(Inline {
            terminal,
            signals,
            capture,
            piece: Vec::new(),
            tty,
            history,
            cache: RowCache::new(),
            screen,
            fixed_size: config.size,
            status: Vec::new(),
            prelude,
            dirty: false,
            next_frame: Instant::now(),
            buf: Vec::new(),
            pending: false,
            waiting: Waiting::default(),
        })
    }

    /// Lines received and not printed yet.
    fn backlog(&self) -> usize {
        self.history.len() - self.screen.next()
    }

    fn size_now(&self) -> (u16, u16) {
        self.fixed_size
            .or_else(|| self.tty.as_ref().and_then(winsize))
            .unwrap_or_else(terminal_size)
    }

    /// Takes what the host wrote after its last whole line (a prompt, a
    /// progress line), to print at the next frame; its whole lines come
    /// through the queue, in order with the lines sent.
    fn host_piece(&mut self) {
        if let Some(capture) = &self.capture {
            self.piece.extend(capture.take_open());
            self.dirty = true;
        }
    }

    /// The host's last bytes at the stop (the queue has closed): whole
    /// lines among the lines, the rest printed as it is.
    fn host_rest(&mut self, rest: &[u8]) {
        let (guarded, unfinished) = crate::capture::guarded_lines(rest);
        if !guarded.is_empty() {
            self.history.end_partial();
            self.history.stream(&guarded);
        }
        self.piece.extend_from_slice(unfinished);
        self.dirty = true;
    }

    fn resized(&mut self) {
        if let Some(signals) = &self.signals {
            while signals.resized.try_recv().is_ok() {}
            if signals.continued.swap(false, Ordering::SeqCst) {
                // Continued after a stop not seen coming (SIGSTOP): what
                // ran meanwhile may have written anything.
                self.screen.forget();
            }
        }
        let size = self.size_now();
        if let Some(capture) = &self.capture {
            capture.resize(size);
        }
        // Erasing what moves is queued before the next frame.
        let _ = self.screen.resize(&mut self.prelude, size);
        self.dirty = true;
    }

    /// Ctrl-Z: the live region erased, stop like any job, and on `fg` go
    /// on where the cursor is then.
    fn suspend(&mut self) -> io::Result<()> {
        self.terminal.suspend();
        signals::stop_process();
        self.terminal.resume()?;
        self.screen.forget();
        self.resized();
        Ok(())
    }

    /// Builds the next frame into `buf`: the prelude, then the lines not
    /// printed yet and the live region.
    fn build(&mut self, config: &Config, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        buf.append(&mut self.prelude);
        let width = usize::from(self.screen.size().0);
        self.cache.prepare(width, config.look(), None);
        self.screen
            .frame(buf, &self.history, &mut self.cache, &self.status)?;
        let piece = std::mem::take(&mut self.piece);
        self.screen.host_piece(buf, &piece)
    }

    fn draw_if_due(&mut self, config: &Config) -> io::Result<()> {
        let now = Instant::now();
        if !self.dirty || self.pending || now < self.next_frame {
            return Ok(());
        }
        if !self.terminal.is_shown() {
            // Someone else has the screen (a panic's message, the host's
            // hold): the lines wait, and go on after what they wrote.
            if !self.terminal.resume()? {
                self.next_frame = now + FRAME;
                return Ok(());
            }
            self.screen.forget();
        }
        // A resize whose signal has not come yet: rows printed at the old
        // width on a narrower terminal would wrap where the display does
        // not count them. One ioctl a frame.
        if self.fixed_size.is_none() && self.size_now() != self.screen.size() {
            self.resized();
        }
        // Kept to go back to: a frame the terminal refuses (it left the
        // screen meanwhile) is built again whole later.
        let before = self.screen.clone();
        let mut buf = std::mem::take(&mut self.buf);
        let prelude = self.prelude.clone();
        self.build(config, &mut buf)?;
        match self.terminal.frame(buf) {
            Ok(()) => self.pending = true,
            Err(buf) => {
                self.buf = buf;
                self.screen = before;
                self.prelude = prelude;
                self.screen.forget();
                return Ok(());
            }
        }
        self.dirty = false;
        self.next_frame = now + FRAME;
        Ok(())
    }

    /// Says `text` as a line of its own among the lines (dim, never
    /// saved): the inline display has no status bar to keep it in.
    fn say(&mut self, text: &str) {
        self.history
            .push(format!("\x1b[2mreflow: {}\x1b[0m", visible(text.as_bytes())).as_bytes());
        self.dirty = true;
    }
}

impl Front for Inline {
    fn run(&mut self, core: &mut Core) -> io::Result<StopReason> {
        let woken = core.woken().clone();
        let mut resized = self
            .signals
            .as_ref()
            .map_or_else(channel::never, |s| s.resized.clone());
        let mut signals = self
            .signals
            .as_ref()
            .map_or_else(channel::never, |s| s.events.clone());
        let written = self.terminal.written();
        let captured = self
            .capture
            .as_ref()
            .map_or_else(channel::never, |c| c.ready.clone());
        loop {
            // After the last turn's frame, or the one written since.
            self.waiting.settle(self.dirty, self.pending);
            // A terminal slower than the lines: take no more until it has
            // taken what it is writing (senders wait meanwhile).
            let take = match self.pending && self.backlog() >= BACKLOG {
                true => channel::never(),
                false => woken.clone(),
            };
            let timer = (self.dirty && !self.pending)
                .then_some(self.next_frame)
                .map_or_else(channel::never, channel::at);
            // While a frame is due or being written the printer wakes for
            // it anyway: lines wait for that, rather than wake it one by
            // one (a wake-up is a context switch per record for the host).
            // Idle, the first line wakes it; a line that came meanwhile is
            // taken now.
            let wakes_anyway = self.dirty || self.pending;
            core.wake_for_lines(!wakes_anyway);
            if !wakes_anyway && core.has_lines() {
                if let Some(reason) = core.drain(self)? {
                    return Ok(reason);
                }
                self.draw_if_due(core.config())?;
                continue;
            }
            select! {
                recv(take) -> _ => {
                    if let Some(reason) = core.drain(self)? {
                        return Ok(reason);
                    }
                }
                recv(resized) -> event => match event {
                    Ok(()) => self.resized(),
                    Err(_) => resized = channel::never(),
                },
                recv(signals) -> event => match event {
                    Ok(SignalEvent::Stop(reason, _)) => return Ok(reason),
                    Ok(SignalEvent::Suspend) => self.suspend()?,
                    Err(_) => signals = channel::never(),
                },
                recv(written) -> buf => {
                    if let Ok(buf) = buf {
                        self.buf = buf;
                        self.pending = false;
                    }
                }
                recv(captured) -> _ => {
                    // The host's lines queued before its unfinished one
                    // are printed first.
                    if let Some(reason) = core.drain(self)? {
                        return Ok(reason);
                    }
                    self.host_piece();
                }
                recv(timer) -> _ => {}
            }
            // Lines that did not wake it.
            if !(self.pending && self.backlog() >= BACKLOG)
                && core.has_lines()
                && let Some(reason) = core.drain(self)?
            {
                return Ok(reason);
            }
            if self.capture.as_ref().is_some_and(|c| !c.active()) {
                // A panic gave the host its descriptors back: its output
                // goes straight to the terminal from now on.
                self.capture = None;
                self.screen.share();
            }
            self.draw_if_due(core.config())?;
        }
    }

    fn lines(&mut self, config: &Config, batch: &[u8]) -> (usize, io::Result<()>) {
        let before = self.history.len();
        // The open line is about to grow or end.
        self.cache.forget(before);
        if config.timestamps {
            let at_start = self.history.partial().is_empty();
            let stamped = crate::tag::stamp(batch, at_start, &clock());
            self.history.stream(&stamped);
        } else {
            self.history.stream(batch);
        }
        let lines = self.history.len() - before;
        if let Some(news) = self.history.spill_news() {
            self.say(&news);
        }
        self.dirty = true;
        (lines, Ok(()))
    }

    fn set_status(&mut self, rows: Vec<String>) {
        if rows != self.status {
            self.status = rows;
            self.dirty = true;
        }
    }

    fn notice(&mut self, text: String) {
        self.say(&text);
    }

    fn repaint(&mut self) {
        // The host wrote on the screen (after a hold): go on below it.
        self.screen.forget();
        self.dirty = true;
    }

    fn wait_drawn(&mut self, waiting: Vec<channel::Sender<()>>) {
        self.waiting.add(waiting);
    }

    fn end_open_line(&mut self, _: &Config) -> bool {
        self.history.end_partial()
    }

    fn finish(mut self: Box<Self>, config: &Config, patient: bool) -> io::Result<()> {
        if patient {
            self.terminal.patient();
        }
        // The host gets its descriptors back, and what it wrote until then
        // is printed with the rest.
        if let Some(capture) = self.capture.take() {
            let rest = capture.stop();
            self.host_rest(&rest);
        }
        self.history.end_partial();
        // A stop by a signal must end in time: of a backlog, the newest
        // lines are printed, and the rest said in a line.
        let skipped = match patient {
            true => 0,
            false => self
                .backlog()
                .saturating_sub(usize::from(self.screen.size().1)),
        };
        if skipped > 0 {
            self.screen.skip(skipped);
            self.say(&format!("{skipped} lines not printed: stopped by a signal"));
        }
        // The last lines, in order after any frame still being written;
        // then leaving erases the live region and shows the cursor. A
        // display a panic's message suspended comes back for them first
        // (a panic of the main thread ends the process right after it).
        let shown = self.terminal.is_shown()
            || match self.terminal.resume() {
                Ok(true) => {
                    self.screen.forget();
                    true
                }
                _ => false,
            };
        if shown {
            let mut buf = Vec::new();
            if self.build(config, &mut buf).is_ok() {
                // The last status rows stay, as a progress bar's last
                // state does (a bar cleared at its end left none).
                let _ = self.screen.keep(&mut buf);
                // The host's unfinished row stays: leaving erases from the
                // start of the row the cursor is on.
                if self.screen.mid_row() {
                    buf.extend_from_slice(b"\r\n");
                }
                let _ = self.terminal.frame(buf);
            }
        }
        self.terminal.suspend();
        Ok(())
    }

    fn failure(&self) -> fn(io::Error) -> Error {
        Error::Display
    }

    fn handle(&self) -> Option<Arc<dyn Handle>> {
        Some(self.terminal.handle())
    }
}

/// True when the terminal re-wraps its lines when its width changes, as
/// far as its environment tells: tmux, VTE (GNOME Terminal, Tilix), kitty,
/// iTerm2, WezTerm, Konsole, Windows Terminal, Alacritty, ghostty, Apple's
/// Terminal. xterm, the Linux console and terminals not known count as not
/// re-wrapping: taking a terminal that does for one that does not could
/// only leave parts of rows twice, never erase a line for good.
fn reflows() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set("TMUX") {
        return true;
    }
    if set("XTERM_VERSION") {
        return false;
    }
    let known = [
        "VTE_VERSION",
        "KITTY_WINDOW_ID",
        "WEZTERM_EXECUTABLE",
        "KONSOLE_VERSION",
        "WT_SESSION",
        "ALACRITTY_WINDOW_ID",
        "GHOSTTY_RESOURCES_DIR",
    ];
    if known.iter().any(|name| set(name)) {
        return true;
    }
    matches!(
        std::env::var("TERM_PROGRAM").as_deref(),
        Ok("iTerm.app" | "Apple_Terminal" | "WezTerm" | "vscode" | "ghostty" | "tmux")
    )
}
