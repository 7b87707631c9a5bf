//! The full-screen display's part of the printer thread: keys become
//! updates of the viewer's state (`crate::view`), a running search or
//! filter advances in slices between events, and each frame is drawn from
//! that state.

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossterm::event::Event;

use super::{FRAME, Out, Worker, display_size};
use crate::history::History;
use crate::keyboard::KeyReader;
use crate::layout::{Highlight, Row, RowCache};
use crate::options::StopReason;
use crate::options::{Config, Wrap};
use crate::render::{Screen, content_rows};
use crate::search::{Filter, MAX_PATTERN, Pattern, Progress, Search, Step, TOO_LONG};
use crate::signals::{self, SignalListener};
use crate::terminal::{self, TerminalGuard};
use crate::view::keys::{self, Action, Amount, HELP, Mode, Prompt};
use crate::view::status::{self, Status};
use crate::view::{Lines, View};

/// How long one slice of a search or filter runs before the loop looks at
/// keys and draws again: a long search shows progress and stays
/// cancellable.
const SLICE: Duration = Duration::from_millis(8);

/// State of the full-screen display. Fields drop in order: keys stop being
/// read before the terminal is restored.
pub(super) struct Tui {
    pub(super) input: Option<KeyReader>,
    pub(super) signals: Option<SignalListener>,
    pub(super) terminal: TerminalGuard,
    pub(super) screen: Screen,
    pub(super) cache: RowCache,
    pub(super) size: (u16, u16),
    pub(super) dirty: bool,
    pub(super) next_frame: Instant,
    /// The frame being built; away at the writer while `pending`.
    pub(super) buf: Vec<u8>,
    /// A frame is being written: the next waits for it (a terminal that
    /// reads slowly gets fewer frames, never a backlog).
    pub(super) pending: bool,
    pub(super) view: View,
    pub(super) find: Find,
}

impl Tui {
    pub(super) fn new(
        input: Option<KeyReader>,
        signals: Option<SignalListener>,
        terminal: TerminalGuard,
        size: (u16, u16),
    ) -> Self {
        Tui {
            input,
            signals,
            terminal,
            screen: Screen::new(),
            cache: RowCache::new(),
            size,
            dirty: true,
            next_frame: Instant::now(),
            buf: Vec::new(),
            pending: false,
            view: View::new(),
            find: Find::default(),
        }
    }

    fn mode(&self) -> Mode {
        if self.find.prompt.is_some() {
            Mode::Prompt
        } else if self.find.help {
            Mode::Help
        } else if self.find.running.is_some() {
            Mode::Searching
        } else {
            Mode::View
        }
    }

    /// Lays out the newest whole line now, as it arrives, while the view
    /// follows: a huge line is wrapped while input pours in, as the lines
    /// before it were, not later at a frame that a key is waiting behind
    /// (the partial line after it can fill the screen on its own for a
    /// while, and then give way to it).
    pub(super) fn laid_out(&mut self, history: &History, config: &Config) {
        let Some(newest) = history.len().checked_sub(1) else {
            return;
        };
        if !self.view.follows() || self.find.filter.is_some() {
            return;
        }
        let width = usize::from(self.size.0);
        self.cache
            .prepare(width, config.look(), self.find.highlight.as_ref());
        self.cache.count(history, newest);
    }

    /// The rows the content area shows, as the view says.
    fn rows(&mut self, history: &History, config: &Config) -> Vec<Row> {
        let (width, height) = self.size;
        let height = content_rows(height);
        if self.find.help {
            return HELP
                .iter()
                .take(height)
                .map(|line| Row::plain(line, usize::from(width)))
                .collect();
        }
        self.cache.prepare(
            usize::from(width),
            config.look(),
            self.find.highlight.as_ref(),
        );
        let lines = Lines::new(history, self.find.filtered());
        self.view.rows(&lines, &mut self.cache, height)
    }
}

/// Search and filter state, the prompt, the help and the last message.
#[derive(Default)]
pub(super) struct Find {
    /// The prompt being typed.
    prompt: Option<(Prompt, String)>,
    help: bool,
    /// Said in the status bar until the next key.
    message: Option<String>,
    /// The last search: its pattern and direction, and the line it found.
    last: Option<(Pattern, bool)>,
    found: Option<usize>,
    running: Option<Search>,
    filter: Option<Filter>,
    /// The filter has lines left to check.
    filtering: bool,
    /// Matches of the last search (or the filter) in reverse video.
    highlight: Option<Highlight>,
}

impl Find {
    fn filtered(&self) -> Option<&[usize]> {
        self.filter.as_ref().map(Filter::matches)
    }

    /// True while a search or filter has work left.
    pub(super) fn busy(&self) -> bool {
        self.running.is_some() || self.filtering
    }

    fn highlight(&mut self) {
        let pattern = self
            .last
            .as_ref()
            .map(|(p, _)| p)
            .or_else(|| self.filter.as_ref().map(Filter::pattern))
            .cloned();
        self.highlight = pattern.map(|p| Arc::new(move |text: &str| p.ranges(text)) as Highlight);
    }
}

impl Worker {
    /// Handles a key or other input event. Returns a reason to stop.
    pub(super) fn on_event(&mut self, event: &Event) -> Option<StopReason> {
        if let Event::Resize(..) = event {
            self.resized();
            return None;
        }
        let Out::Tui(tui) = &mut self.out else {
            return None;
        };
        let key = keys::key(event)?;
        let action = keys::action(tui.mode(), key)?;
        tui.dirty = true;
        if !matches!(action, Action::Repaint) {
            tui.find.message = None;
        }
        let (width, height) = tui.size;
        let page = content_rows(height);
        let lines = Lines::new(&self.history, tui.find.filtered());
        let cache = &mut tui.cache;
        cache.prepare(
            usize::from(width),
            self.config.look(),
            tui.find.highlight.as_ref(),
        );
        let view = &mut tui.view;
        let rows = |amount| match amount {
            Amount::Rows(n) => n,
            Amount::Page => page.max(1),
            Amount::HalfPage => (page / 2).max(1),
        };
        match action {
            Action::Quit => return Some(StopReason::Quit),
            Action::Interrupt => return Some(StopReason::Interrupt),
            Action::Repaint => self.repaint(),
            Action::Up(amount) => view.up(rows(amount), &lines, cache, page),
            Action::Down(amount) => view.down(rows(amount), &lines, cache, page),
            Action::Top => view.home(&lines),
            Action::Bottom => view.follow(),
            Action::Left | Action::Right if self.config.wrap == Wrap::None => {
                let step = (usize::from(width) / 2).max(1);
                view.column = match action {
                    Action::Left => view.column.saturating_sub(step),
                    _ => view.column + step,
                };
            }
            Action::Left | Action::Right => {}
            Action::Open(prompt) => tui.find.prompt = Some((prompt, String::new())),
            Action::Type(c) => {
                // One character past the bound is kept, so the prompt says
                // the pattern is too long and Enter refuses it; the rest of
                // a paste is dropped, never held or drawn.
                if let Some((_, text)) = &mut tui.find.prompt
                    && text.len() <= MAX_PATTERN
                {
                    text.push(c);
                }
            }
            Action::Erase => {
                // Erasing past the start closes the prompt, as in less.
                if let Some((_, text)) = &mut tui.find.prompt
                    && text.pop().is_none()
                {
                    tui.find.prompt = None;
                }
            }
            Action::Submit => {
                if let Some((prompt, text)) = tui.find.prompt.take() {
                    self.submit(prompt, &text);
                }
            }
            Action::Cancel => {
                self.cancel();
            }
            Action::Next => self.repeat(false),
            Action::Previous => self.repeat(true),
            Action::Help => tui.find.help = true,
        }
        None
    }

    /// Cancels what is under way (a prompt, a search, a filter still
    /// checking, the help); false when there was nothing to cancel.
    pub(super) fn cancel(&mut self) -> bool {
        let Out::Tui(tui) = &mut self.out else {
            return false;
        };
        let find = &mut tui.find;
        let busy = find.prompt.is_some() || find.help || find.busy();
        if find.running.take().is_some() {
            find.message = Some("search cancelled".to_owned());
        }
        if find.filtering {
            // What was checked stays filtered; new lines are checked as
            // they come.
            find.filtering = false;
            find.message = Some("filter stopped".to_owned());
        }
        find.prompt = None;
        find.help = false;
        tui.dirty = true;
        busy
    }

    /// A prompt was entered: search, or set the filter.
    fn submit(&mut self, prompt: Prompt, text: &str) {
        let Out::Tui(tui) = &mut self.out else {
            return;
        };
        if prompt == Prompt::Filter && text.is_empty() {
            tui.find.filter = None;
            tui.find.filtering = false;
            tui.find.highlight();
            return;
        }
        if text.is_empty() {
            // An empty pattern repeats the last search, as in less.
            self.repeat(false);
            return;
        }
        let pattern = match Pattern::new(text) {
            Ok(pattern) => pattern,
            Err(error) => {
                tui.find.message = Some(error);
                return;
            }
        };
        match prompt {
            Prompt::Filter => {
                tui.find.filter = Some(Filter::new(pattern));
                tui.find.filtering = true;
            }
            Prompt::Forward | Prompt::Backward => {
                let backward = prompt == Prompt::Backward;
                tui.find.last = Some((pattern, backward));
                tui.find.found = None;
                self.start_search(false);
            }
        }
        if let Out::Tui(tui) = &mut self.out {
            tui.find.highlight();
        }
    }

    /// `n` (or `N`, `reverse`): the last search again, from its match.
    fn repeat(&mut self, reverse: bool) {
        let Out::Tui(tui) = &mut self.out else {
            return;
        };
        if tui.find.last.is_none() {
            tui.find.message = Some("no previous search".to_owned());
            return;
        }
        self.start_search(reverse);
    }

    /// Starts the last search: from its last match, or from the screen
    /// (forward after the top line, backward before the bottom one).
    fn start_search(&mut self, reverse: bool) {
        let Out::Tui(tui) = &mut self.out else {
            return;
        };
        let Some((pattern, backward)) = tui.find.last.clone() else {
            return;
        };
        let backward = backward != reverse;
        let top = tui.view.top().line;
        let from = match (tui.find.found, backward) {
            (Some(line), false) => line + 1,
            (Some(line), true) => line,
            (None, false) => top + 1,
            (None, true) => tui
                .view
                .bottom()
                .map_or(self.history.len(), |line| line + 1),
        };
        tui.find.running = Some(Search::new(pattern, from, backward));
    }

    /// One slice of the running search or filter.
    pub(super) fn work(&mut self) {
        let Out::Tui(tui) = &mut self.out else {
            return;
        };
        let text = self.config.text;
        if let Some(search) = &mut tui.find.running {
            tui.dirty = true;
            match search.step(&self.history, text, SLICE) {
                Step::Found(line) => {
                    let lines = Lines::new(&self.history, tui.find.filtered());
                    // With a filter on, only its lines can be shown.
                    if lines.contains(line) {
                        tui.find.running = None;
                        tui.find.found = Some(line);
                        tui.find.message = None;
                        tui.view.jump(line, &self.history);
                    }
                }
                Step::NotFound => {
                    let pattern = search.pattern().as_str().to_owned();
                    tui.find.running = None;
                    tui.find.message = Some(if self.history.indexing() {
                        format!("pattern not found in the lines read so far: {pattern}")
                    } else {
                        format!("pattern not found: {pattern}")
                    });
                }
                Step::Pending { done } => {
                    tui.find.message = Some(format!(
                        "searching… {}% (Esc cancels)",
                        (done * 100.0) as u32
                    ));
                }
            }
            return;
        }
        if tui.find.filtering
            && let Some(filter) = &mut tui.find.filter
        {
            tui.dirty = true;
            match filter.extend(&self.history, text, SLICE) {
                Progress::Done => {
                    tui.find.filtering = false;
                    tui.find.message = filter
                        .matches()
                        .is_empty()
                        .then(|| format!("no line matches {}", filter.pattern().as_str()));
                }
                Progress::Pending { done } => {
                    tui.find.message = Some(format!(
                        "filtering… {}% (Esc cancels)",
                        (done * 100.0) as u32
                    ));
                }
            }
        }
    }

    /// Checks every line held again for the filter (the lines before the
    /// first it knew of too).
    pub(super) fn refilter(&mut self) {
        if let Out::Tui(tui) = &mut self.out
            && let Some(filter) = &tui.find.filter
        {
            tui.find.filter = Some(Filter::new(filter.pattern().clone()));
            tui.find.filtering = true;
            tui.dirty = true;
        }
    }

    /// New lines arrived: a filter checks them too.
    pub(super) fn lines_arrived(&mut self) {
        if let Out::Tui(tui) = &mut self.out
            && tui.find.filter.is_some()
        {
            tui.find.filtering = true;
        }
    }

    pub(super) fn resized(&mut self) {
        if let Out::Tui(tui) = &mut self.out {
            // However many SIGWINCH arrived, the size is read once, now.
            if let Some(signals) = &tui.signals {
                while signals.resized.try_recv().is_ok() {}
            }
            if tui
                .signals
                .as_ref()
                .is_some_and(|s| s.continued.swap(false, Ordering::SeqCst))
            {
                // Continued after a stop we did not see coming (SIGSTOP):
                // whatever ran meanwhile may have drawn over the screen.
                tui.screen = Screen::new();
            }
            tui.size = display_size(&self.config);
            tui.dirty = true;
        }
    }

    /// Draws the whole screen anew at the next frame (Ctrl-L, or the host
    /// after it wrote on the screen).
    pub(super) fn repaint(&mut self) {
        if let Out::Tui(tui) = &mut self.out {
            tui.screen = Screen::new();
            tui.size = display_size(&self.config);
            tui.dirty = true;
        }
    }

    /// Ctrl-Z (SIGTSTP): give the terminal back, stop like any job, and
    /// on `fg` show the display again, redrawn at the size of that moment;
    /// the view, its search and filter stay as they were.
    pub(super) fn suspend(&mut self) -> io::Result<()> {
        let Out::Tui(tui) = &mut self.out else {
            return Ok(());
        };
        tui.terminal.suspend();
        signals::stop_process();
        // Not refused: no panic hook runs on this thread now, and a frame
        // will come back for another that does.
        tui.terminal.resume()?;
        tui.screen = Screen::new();
        tui.size = display_size(&self.config);
        tui.dirty = true;
        tui.next_frame = Instant::now();
        Ok(())
    }

    pub(super) fn draw_if_due(&mut self) -> io::Result<()> {
        let Out::Tui(tui) = &mut self.out else {
            return Ok(());
        };
        let now = Instant::now();
        if !tui.dirty || tui.pending || now < tui.next_frame {
            return Ok(());
        }
        if !terminal::is_shown() {
            // A panic somewhere gave the normal screen back for its
            // message; there is something new to show, so the display
            // comes back, redrawn whole, once that message is out.
            if !tui.terminal.resume()? {
                tui.next_frame = now + FRAME;
                return Ok(());
            }
            tui.screen = Screen::new();
        }
        let rows = tui.rows(&self.history, &self.config);
        let width = usize::from(tui.size.0);
        let status = match &tui.find.prompt {
            Some((prompt, text)) => {
                let note = (text.len() > MAX_PATTERN).then_some(TOO_LONG);
                status::prompt(prompt.sign(), text, note, width)
            }
            None if tui.find.help => " help: q or Esc closes it".to_owned(),
            None => {
                let pressure = self.inbox.queue.pressure().to_string();
                let lines = Lines::new(&self.history, tui.find.filtered());
                let filter = tui.find.filter.as_ref().map(|f| f.pattern().as_str());
                let message = tui.find.message.as_deref();
                let left = message
                    .or(self.notice.as_deref())
                    .unwrap_or(&self.config.source);
                status::bar(
                    &Status {
                        left,
                        lines: self.history.count(),
                        pressure: &pressure,
                        position: tui.view.position(&lines),
                        paused: (!tui.view.follows()).then(|| tui.view.new_lines(&self.history)),
                        filter,
                        eof: self.eof,
                        keys: self.config.interactive,
                        urgent: message.is_some() || self.notice.is_some(),
                    },
                    width,
                )
            }
        };
        tui.buf.clear();
        tui.screen.frame(&mut tui.buf, tui.size, &rows, &status)?;
        // Queued only while shown, in order with a restoration: a panic
        // hook suspending the display on another thread either comes after
        // this frame or makes us skip it (and draw it whole later), never
        // lets it land on the panic message.
        match tui.terminal.frame(std::mem::take(&mut tui.buf)) {
            Ok(()) => tui.pending = true,
            Err(buf) => {
                tui.buf = buf;
                tui.screen = Screen::new();
                return Ok(());
            }
        }
        tui.dirty = false;
        tui.next_frame = now + FRAME;
        Ok(())
    }

    /// The rows on screen now, for what is left on the normal screen.
    pub(super) fn screen_rows(&mut self) -> Vec<Row> {
        match &mut self.out {
            Out::Tui(tui) => {
                tui.find.help = false;
                tui.rows(&self.history, &self.config)
            }
            Out::Plain(_) => Vec::new(),
        }
    }
}
