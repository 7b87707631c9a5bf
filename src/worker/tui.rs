//! The full-screen display, the printer thread's front-end on a terminal:
//! it owns the history, the terminal, the screen as last drawn, the view
//! and the status bar's notices. Lines become history and rows; each frame
//! is drawn from that state, through a [`Backend`]. Its keys are in
//! `keys`, its search and filter state in `find`, its event loop in
//! `events`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::find::Find;
use super::{Core, Front, Waiting, clock, each_piece};
use crate::backend::{Backend, Handle, Model, Surface};
use crate::capture::Capture;
use crate::error::Error;
use crate::history::{History, Position, history_share};
use crate::keyboard::KeyReader;
use crate::layout::{Look, Numbers, Row, RowCache};
use crate::options::{Config, OnExit, StopReason, Target, Wrap};
use crate::render::{Screen, Viewport, content_rows};
use crate::sanitize::{sanitize, sanitize_styled, visible};
use crate::search::{MAX_PATTERN, TOO_LONG};
use crate::signals::{self, SignalListener};
use crate::terminal::{Entering, TerminalGuard};
use crate::view::status::{self, Status};
use crate::view::{Lines, View, help};

/// The shortest time between two frames: at most ~60 frames a second,
/// however fast lines arrive.
pub(super) const FRAME: Duration = Duration::from_micros(16_667);

/// A line at least this long is laid out as it arrives while the view
/// follows (see [`Tui::laid_out`]); shorter ones at the next frame.
const LAID_OUT_AHEAD: usize = 4096;

/// The end of input has its frame drawn at once at most once in this time
/// (see [`Tui::end_of_input`](Front::end_of_input)).
const ENDED_FRAMES: Duration = Duration::from_secs(1);

/// While input keeps coming, sealed history chunks are compressed at most
/// one per this interval, in the gaps between batches: a host that logs
/// without pauses still has its history compressed (up to 50 MB/s), and a
/// burst of input is not slowed by compressing all of it at once.
const PACE: Duration = Duration::from_millis(5);

/// While input keeps coming, a chunk is compressed only once it has paused
/// this long (see [`Tui::compaction_due`]).
const GAP: Duration = Duration::from_millis(2);

/// Once input has been quiet this long, the rest is compressed at once.
const QUIET: Duration = Duration::from_millis(100);
/// How often a slice of the error and warning count runs while input
/// pours in: a few percent of the printer's time at most.
const COUNT_PACE: Duration = Duration::from_millis(250);

/// The longest line the display keeps as one (see [`Tui::lines`]).
const LONGEST_LINE: usize = 64 << 20;

/// State of the full-screen display. Fields drop in order: keys stop being
/// read before the terminal is restored.
pub(super) struct Tui {
    /// The host's stdout and stderr, when they write on this terminal:
    /// their lines come through the queue, as a sender's.
    capture: Option<Capture>,
    pub(super) input: Option<KeyReader>,
    pub(super) signals: Option<SignalListener>,
    pub(super) terminal: Box<dyn Backend>,
    /// The display's lines.
    pub(super) history: History,
    /// The history's last line was ended at [`LONGEST_LINE`], not by the
    /// input: the next batch goes on with its bytes.
    split_line: bool,
    /// When lines last reached the history, and when a chunk was last
    /// compressed (see [`PACE`]).
    last_input: Instant,
    last_compact: Instant,
    /// When the error and warning records were last counted (a slice).
    pub(super) last_count: Instant,
    /// A file read in place whose bytes still go to `--save`: copied on
    /// the printer thread once the first frame is queued.
    unsaved: Option<(File, u64)>,
    /// The producer said its input ended.
    eof: bool,
    /// When the end of input last had its frame drawn at once (see
    /// [`end_of_input`](Front::end_of_input)).
    ended_frame: Option<Instant>,
    /// The newest notice for the status bar, sanitized.
    notice: Option<String>,
    /// When the notice was said, as a count of Ctrl-Cs so far.
    pub(super) notice_at: Option<usize>,
    screen: Screen,
    /// The size of a writer drawn on as a terminal; `None` for the
    /// terminal, whose size is asked for when it changes.
    fixed_size: Option<(u16, u16)>,
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
    /// The sources the lines came from, one after another (the binary's
    /// FILEs): each one's first line and its name, sanitized.
    pub(super) sources: Vec<(usize, String)>,
    /// Line numbers shown (`-N`, toggled by typing `-N`).
    pub(super) numbers: bool,
    /// Structured records are drawn as received (`J` toggles it).
    pub(super) raw: bool,
    /// How long lines break now (`--wrap`; `-S` toggles chopping).
    pub(super) wrap: Wrap,
    /// A jump waiting for its line to be counted (`100g` on a file
    /// still being indexed).
    pub(super) goal: Option<super::jump::Goal>,
    /// Senders waiting until their lines are drawn.
    pub(super) waiting: Waiting,
}

impl Tui {
    /// Takes the terminal (or `surface`'s writer) and starts the key and
    /// signal threads, on the caller's thread, so a failure is an error
    /// from `spawn`.
    pub(super) fn start(
        config: &mut Config,
        surface: Surface,
        queue: &Arc<crate::queue::Queue>,
    ) -> io::Result<Self> {
        // A writer drawn on as a terminal has no signals: it is no terminal.
        let real = matches!(surface, Surface::Target(_));
        // The terminal first: a refused second display must not touch the
        // first one's signal handling.
        let mut capture = None;
        // The terminal takes the screen's sequences while the rest is set
        // up: waited for at the end.
        let mut entering = None;
        let mut size = config.size;
        let terminal: Box<dyn Backend> = match surface {
            Surface::Target(target) => {
                // What the host's stdout holds goes out before the screen
                // is taken (the capture would flush it after).
                if config.take_host_output {
                    let _ = io::stdout().flush();
                }
                let (terminal, entered) = TerminalGuard::enter(
                    config.interactive,
                    config.mouse,
                    target,
                    Viewport::FullScreen,
                )?;
                let terminal = Box::new(terminal);
                entering = Some(entered);
                let size = *size.get_or_insert_with(|| size_of_target(target));
                // What the host writes on this terminal would garble the
                // screen: it becomes lines of the display.
                if config.take_host_output {
                    let own = target.open()?;
                    capture = Capture::of_host(&own, size, queue)?.map(Capture::full_screen);
                }
                terminal
            }
            Surface::Writer(writer) => Box::new(Model::enter(writer, Viewport::FullScreen)?),
        };
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
        let budget = history_share(config.max_memory);
        let mut unsaved = None;
        let history = match config.in_place.take() {
            Some((file, len)) => {
                // Its lines hold the file's bytes, never a header (the
                // `Look` reads none: `Config::look`).
                config.unheaded = true;
                // The saved file holds every line shown: the file's too.
                if config.save.is_some() {
                    unsaved = Some((file.try_clone()?, len));
                }
                History::in_place(file, len, config.max_lines)?
            }
            None => config
                .max_lines
                .map_or_else(History::new, History::with_max_lines),
        }
        .max_memory(budget);
        let mut cache = RowCache::new();
        cache.abort_on(urgent);
        // `--level` on a display: the least level shown at first.
        let mut find = Find {
            min_level: config.min_level,
            levels: config.records.then(Default::default),
            ..Find::default()
        };
        if find.min_level.is_some() {
            find.set_filter(Vec::new());
        }
        // A terminal that takes no output is an error from `spawn`.
        entering.map(Entering::wait).transpose()?;
        Ok(Tui {
            capture,
            input,
            signals,
            terminal,
            history,
            split_line: false,
            last_input: Instant::now(),
            last_compact: Instant::now(),
            last_count: Instant::now(),
            unsaved,
            eof: false,
            ended_frame: None,
            notice: None,
            notice_at: None,
            screen: Screen::new(),
            fixed_size: config.size,
            cache,
            size: size.unwrap_or_else(terminal_size),
            dirty: true,
            next_frame: Instant::now(),
            buf: Vec::new(),
            pending: false,
            view: View::new(),
            find,
            sources: Vec::new(),
            numbers: config.line_numbers,
            raw: config.raw,
            wrap: config.wrap,
            goal: None,
            waiting: Waiting::default(),
        })
    }

    /// A file read in place goes to `--save` whole, before any line that
    /// comes after it: done on the printer thread after the first frame,
    /// so the display shows at once. A write error is told at the stop.
    pub(super) fn save_in_place(&mut self, config: &mut Config) -> io::Result<()> {
        if let (Some((file, len)), Some(save)) = (self.unsaved.take(), &mut config.save) {
            each_piece(&file, len, |piece| {
                save.write(piece, None);
                Ok(())
            })?;
        }
        Ok(())
    }

    /// The index of the source line `id` came from, when there are
    /// several.
    pub(super) fn source_of(&self, id: usize) -> Option<usize> {
        if self.sources.len() < 2 {
            return None;
        }
        self.sources
            .partition_point(|&(first, _)| first <= id)
            .checked_sub(1)
    }

    /// The status bar's name of the source whose lines are on screen (its
    /// last row's), when there are several.
    fn shown_source(&self) -> Option<String> {
        let id = self.view.bottom()?;
        let index = self.source_of(id)?;
        Some(self.sources[index].1.clone())
    }

    /// Says `text` in the status bar (sanitized already). The newest says
    /// most: it takes the place of a key's message too (`interrupted`,
    /// then the ends of the commands it interrupted).
    pub(super) fn say(&mut self, text: String) {
        self.find.message = None;
        self.notice = Some(text);
        self.notice_at = Some(crate::signals::interrupts());
        self.dirty = true;
    }

    /// Lays out the newest whole line now, as it arrives, while the view
    /// follows: a huge line is wrapped while input pours in, as the lines
    /// before it were, not later at a frame that a key is waiting behind
    /// (the partial line after it can fill the screen on its own for a
    /// while, and then give way to it).
    fn laid_out(&mut self, config: &Config) {
        let Some(newest) = self.history.len().checked_sub(1) else {
            return;
        };
        if !self.view.follows() || self.find.filter.is_some() {
            return;
        }
        // Only a long line: a short one is laid out in a frame's time, and
        // laying out the newest at every batch (which learns its block's
        // formats from 64 sample lines) was a twentieth of the printer's
        // time while 124 MB were piped in.
        if (self.history.get(newest)).is_none_or(|line| line.len() < LAID_OUT_AHEAD) {
            return;
        }
        let width = usize::from(self.size.0);
        let look = self.look(config);
        self.cache
            .prepare(width, look, self.find.highlight.as_ref());
        self.cache.count(&self.history, newest);
    }

    /// The rows the content area shows, as the view says.
    fn rows(&mut self, config: &Config) -> Vec<Row> {
        self.rows_as(self.look(config))
    }

    /// How lines are laid out now: as configured, with the toggles typed
    /// while viewing (`-N`, `-S`).
    pub(super) fn look(&self, config: &Config) -> Look {
        Look {
            wrap: self.wrap,
            numbers: self.numbers.then(|| Numbers::of(&self.history)),
            raw: self.raw,
            ..config.look()
        }
    }

    /// The rows on screen as `look` lays them out.
    fn rows_as(&mut self, look: Look) -> Vec<Row> {
        let (width, height) = self.size;
        let height = content_rows(height);
        if let Some(top) = self.find.help {
            let rows = help::rows(usize::from(width));
            let top = help::clamp(top, rows.len(), height);
            return rows[top..]
                .iter()
                .take(height)
                .map(|line| Row::plain(line, usize::from(width)))
                .collect();
        }
        self.cache
            .prepare(usize::from(width), look, self.find.highlight.as_ref());
        let lines = Lines::new(&self.history, self.find.filtered());
        self.view.rows(&lines, &mut self.cache, height)
    }

    /// Compresses one sealed chunk (about a quarter of a millisecond) when
    /// one is due and no input is waiting; the loop comes back for the next
    /// one after checking for anything more urgent. So a host that logs
    /// without pauses still gets its history compressed, in the gaps.
    pub(super) fn compact_if_idle(&mut self, core: &Core) {
        let now = Instant::now();
        // The queue's lock is taken only when a chunk is due, not at every
        // turn of the loop.
        let due = self.compaction_due().is_some_and(|due| due <= now);
        if due && core.woken().is_empty() && !core.has_lines() {
            self.history.compact();
            self.last_compact = now;
        }
    }

    /// When a slice of background work that gives way to input is due:
    /// once the input has been quiet for [`QUIET`], and a slice every
    /// [`COUNT_PACE`] while it pours in.
    pub(super) fn quiet_since(&self, last: Instant) -> Instant {
        (self.last_input + QUIET).min(last + COUNT_PACE)
    }

    /// When the next sealed chunk may be compressed: at the pace while
    /// input comes, in a gap of [`GAP`] at least, and at once when it has
    /// been quiet. A flood (a big file piped in, batches a fraction of a
    /// millisecond apart) leaves no such gap: compressing a chunk every
    /// 5 ms in its short waits took a tenth of the printer's time, and a
    /// CPU from the reader and the writer of the pipe. It is compressed
    /// once quiet, or as it goes beyond the memory budget.
    pub(super) fn compaction_due(&self) -> Option<Instant> {
        self.history.can_compact().then(|| {
            let paced = (self.last_compact + PACE).max(self.last_input + GAP);
            (self.last_input + QUIET).min(paced)
        })
    }

    pub(super) fn resized(&mut self) {
        // However many SIGWINCH arrived, the size is read once, now.
        if let Some(signals) = &self.signals {
            while signals.resized.try_recv().is_ok() {}
        }
        if self
            .signals
            .as_ref()
            .is_some_and(|s| s.continued.swap(false, Ordering::SeqCst))
        {
            // Continued after a stop we did not see coming (SIGSTOP):
            // whatever ran meanwhile may have drawn over the screen.
            self.screen = Screen::new();
        }
        self.size = self.size_now();
        if let Some(capture) = &self.capture {
            capture.resize(self.size);
        }
        self.dirty = true;
    }

    /// The size to draw at: a writer's fixed one, or the terminal's now.
    fn size_now(&self) -> (u16, u16) {
        self.fixed_size.unwrap_or_else(terminal_size)
    }

    /// Ctrl-Z (SIGTSTP): give the terminal back, stop like any job, and
    /// on `fg` show the display again, redrawn at the size of that moment;
    /// the view, its search and filter stay as they were.
    pub(super) fn suspend(&mut self) -> io::Result<()> {
        self.terminal.suspend();
        signals::stop_process();
        // Not refused: no panic hook runs on this thread now, and a frame
        // will come back for another that does.
        self.terminal.resume()?;
        self.repaint();
        self.next_frame = Instant::now();
        Ok(())
    }

    pub(super) fn draw_if_due(&mut self, core: &Core) -> io::Result<()> {
        let now = Instant::now();
        if !self.dirty || self.pending || now < self.next_frame {
            return Ok(());
        }
        if !self.terminal.is_shown() {
            // A panic somewhere gave the normal screen back for its
            // message; there is something new to show, so the display
            // comes back, redrawn whole, once that message is out.
            if !self.terminal.resume()? {
                self.next_frame = now + FRAME;
                return Ok(());
            }
            self.screen = Screen::new();
        }
        let config = core.config();
        let rows = self.rows(config);
        // Lines not indexed yet are read as they are drawn: a failure
        // is said in this frame.
        self.tell_read_error();
        let (status, cursor) = self.status(core);
        self.buf.clear();
        self.screen
            .frame(&mut self.buf, self.size, &rows, &status, cursor)?;
        // Queued only while shown, in order with a restoration: a panic
        // hook suspending the display on another thread either comes after
        // this frame or makes us skip it (and draw it whole later), never
        // lets it land on the panic message.
        match self.terminal.frame(std::mem::take(&mut self.buf)) {
            Ok(()) => self.pending = true,
            Err(buf) => {
                self.buf = buf;
                self.screen = Screen::new();
                return Ok(());
            }
        }
        self.dirty = false;
        self.next_frame = now + FRAME;
        Ok(())
    }

    /// The status bar's text: the prompt being typed (and the column of
    /// its cursor), the help's note, or the source (or the newest
    /// message), counts and position.
    fn status(&self, core: &Core) -> (String, Option<usize>) {
        let width = usize::from(self.size.0);
        if let Some(typing) = &self.find.prompt {
            let text = typing.line.text();
            let note = (text.len() > MAX_PATTERN).then_some(TOO_LONG);
            let (row, column) = status::prompt(
                typing.prompt.sign(),
                text,
                typing.line.cursor_byte(),
                note,
                width,
            );
            return (row, Some(column));
        }
        if let Some(top) = self.find.help {
            let rows = help::rows(width).len();
            let height = content_rows(self.size.1);
            let top = help::clamp(top, rows, height);
            return (status::help(top, height.min(rows), rows, width), None);
        }
        (self.bar(core), None)
    }

    /// The status bar with no prompt or help: the source (or the newest
    /// message), counts and position.
    fn bar(&self, core: &Core) -> String {
        let config = core.config();
        let width = usize::from(self.size.0);
        let pressure = core.pressure().to_string();
        let lines = Lines::new(&self.history, self.find.filtered());
        let filter = self
            .find
            .filter
            .as_ref()
            .map(crate::search::Filter::described);
        // Which match is at the top, from the count so far.
        let matched = self
            .find
            .matched
            .then(|| {
                let (tally, found) = (self.find.tally.as_ref()?, self.find.found?);
                Some(tally.described(found, self.history.indexing()))
            })
            .flatten();
        let message = self.find.message.as_deref().or(matched.as_deref());
        let shown = self.shown_source();
        let position = self.view.bottom().map(|id| self.history.position(id));
        let left = message
            .or(self.notice.as_deref())
            .or(shown.as_deref())
            .unwrap_or(&config.source);
        status::bar(
            &Status {
                left,
                // The partial last line on screen counts too, as the
                // position does (`2 lines | line 3` said otherwise).
                lines: self.history.count()
                    + usize::from(self.history.shown_len() > self.history.len()),
                pressure: &pressure,
                // The file's line, also under a filter (its matches are
                // counted apart); while a file's lines are being counted,
                // only what is known of it.
                position: match position {
                    Some(Position::Line { line, of }) => Some((line, of)),
                    _ => None,
                },
                counting: match position {
                    Some(Position::Counting { line, percent }) => Some((line, percent)),
                    _ => None,
                },
                matches: self
                    .find
                    .filtered()
                    .and_then(|_| self.view.position(&lines)),
                paused: (!self.view.follows()).then(|| self.view.new_lines(&self.history)),
                filter: filter.as_deref(),
                levels: self
                    .find
                    .levels
                    .as_ref()
                    .map(|tally| tally.counts())
                    .filter(|&(errors, warnings)| errors + warnings > 0),
                eof: self.eof,
                keys: config.interactive,
                urgent: message.is_some() || self.notice.is_some(),
            },
            width,
        )
    }

    /// What `on_exit` asks for, as plain lines.
    fn write_on_exit(
        &self,
        config: &Config,
        out: &mut impl Write,
        screen: &[Row],
    ) -> io::Result<()> {
        match config.on_exit {
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
                        let line = sanitize_styled(line, config.text);
                        let mut text = String::with_capacity(line.text.len());
                        line.paint(0..line.text.len(), &mut text);
                        result = writeln!(out, "{text}");
                    }
                });
                result
            }
        }
    }
}

impl Front for Tui {
    fn run(&mut self, core: &mut Core) -> io::Result<StopReason> {
        self.event_loop(core)
    }

    fn sources(&mut self, batch: &[u8], sources: Vec<(usize, String)>) {
        let before = self.history.len();
        for (at, name) in sources {
            let line = before + memchr::memchr_iter(b'\n', &batch[..at.min(batch.len())]).count();
            let name = visible(name.as_bytes()).into_owned();
            // A source with no lines gives way to the next.
            if self.sources.last().is_some_and(|&(first, _)| first == line) {
                self.sources.pop();
            }
            if line > 0 {
                self.cache.set_boundary(line, name.clone());
            }
            self.sources.push((line, name));
        }
        self.dirty = true;
    }

    fn lines(&mut self, config: &Config, batch: &[u8]) -> (usize, io::Result<()>) {
        // The history counts the lines as it indexes them.
        let before = self.history.len();
        // The partial line shown is about to grow or end.
        self.cache.forget(before);
        // The rest of a line split at its length is text: never read as a
        // header.
        if std::mem::take(&mut self.split_line) && crate::tag::needs_guard(batch, true) {
            self.history.stream(crate::tag::EMPTY);
        }
        if config.timestamps {
            let at_start = self.history.partial().is_empty();
            let stamped = crate::tag::stamp(batch, at_start, &clock());
            self.history.stream(&stamped);
        } else {
            self.history.stream(batch);
        }
        // A line that never ends (`reflow /dev/zero`) must not take all
        // memory, nor its layout all the time: past a bound its bytes so
        // far become a line, and the rest goes on as the next. Nothing is
        // lost; --save and passthrough keep the bytes as received.
        if self.history.partial().len() >= LONGEST_LINE && self.history.end_partial() {
            self.split_line = true;
            self.notice = Some(format!(
                "a line longer than {} MiB is shown as several",
                LONGEST_LINE >> 20
            ));
        }
        // The spill file failed (a full disk): old lines go, and the
        // status bar says how many.
        if let Some(news) = self.history.spill_news() {
            self.notice = Some(sanitize(news.as_bytes(), config.text.tab_width));
        }
        let lines = self.history.len() - before;
        if lines > 0 {
            self.laid_out(config);
            // A filter checks the new lines too.
            self.find.lines_arrived();
        }
        self.last_input = Instant::now();
        // Input came after its end was said (a file that grows again): it
        // has not ended after all.
        self.eof = false;
        self.dirty = true;
        (lines, Ok(()))
    }

    fn notice(&mut self, text: String) {
        self.say(text);
    }

    fn end_of_input(&mut self) {
        // Nothing more is coming: the last lines show now, not at the next
        // frame (up to 16.7 ms later, a sixth of a 124 MB pipe's time).
        // Once a second at most, so a file that keeps growing and ending
        // still gets ~60 frames a second.
        let now = Instant::now();
        let due = (self.ended_frame).is_none_or(|at| now.duration_since(at) >= ENDED_FRAMES);
        if !self.eof && due {
            self.next_frame = now;
            self.ended_frame = Some(now);
        }
        self.eof = true;
        self.dirty = true;
    }

    /// Draws the whole screen anew at the next frame (Ctrl-L, or the host
    /// after it wrote on the screen).
    fn repaint(&mut self) {
        self.screen = Screen::new();
        self.size = self.size_now();
        self.dirty = true;
    }

    fn wait_drawn(&mut self, waiting: Vec<crossbeam_channel::Sender<()>>) {
        self.waiting.add(waiting);
    }

    fn end_open_line(&mut self, _: &Config) -> bool {
        self.history.end_partial()
    }

    fn stopping(&mut self) {
        // A huge line not laid out yet is shown at exit with the rows
        // known, rather than holding the exit up.
        self.cache.cut_layouts_short();
    }

    fn finish(mut self: Box<Self>, config: &Config, patient: bool) -> io::Result<()> {
        // The host gets its descriptors back; what it wrote until then is
        // among the lines, its unfinished line as the last.
        if let Some(capture) = self.capture.take() {
            let mut rest = capture.stop();
            if !rest.is_empty() && !rest.ends_with(b"\n") {
                rest.push(b'\n');
            }
            let (guarded, _) = crate::capture::guarded_lines(&rest);
            if !guarded.is_empty() {
                self.history.end_partial();
                self.history.stream(&guarded);
            }
        }
        // The final view stays visible: what the screen shows now.
        let screen = match config.on_exit {
            OnExit::Screen => {
                self.find.help = None;
                // Left on the normal screen: the text, no stream bars.
                let bare = Look {
                    bare: true,
                    ..self.look(config)
                };
                self.rows_as(bare)
            }
            _ => Vec::new(),
        };
        drop(self.input.take());
        if patient {
            self.terminal.patient();
        }
        self.terminal.suspend();
        // Printed under whatever a panic left on the normal screen, so its
        // message stays above, readable; through the terminal's writer,
        // which gives up on a terminal that stopped reading.
        let mut out = BufWriter::with_capacity(
            1 << 16,
            After {
                terminal: &*self.terminal,
            },
        );
        // A host's display (a logger's) starts on a row of its own,
        // wherever the host left the cursor before it (the binary's
        // follows the shell's prompt line, and writes only the lines).
        // Best effort: the only failure is a terminal gone or stuck, and
        // then nothing more can be shown anyway.
        let mut fresh = Vec::new();
        if config.on_exit != OnExit::None
            && config.inline_after_quit.is_some()
            && crate::render::start_row(&mut fresh, usize::from(self.size.0)).is_ok()
        {
            let _ = out.write_all(&fresh);
        }
        let _ = self
            .write_on_exit(config, &mut out, &screen)
            .and_then(|()| out.flush());
        drop(out);
        let Tui {
            terminal, signals, ..
        } = *self;
        drop(terminal);
        drop(signals);
        Ok(())
    }

    fn failure(&self) -> fn(io::Error) -> Error {
        Error::Display
    }

    fn handle(&self) -> Option<Arc<dyn Handle>> {
        Some(self.terminal.handle())
    }
}

/// Output on the normal screen after the display, through its writer.
struct After<'a> {
    terminal: &'a dyn Backend,
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

/// The size of the terminal `target` is, asked on its own descriptor
/// before the display takes the host's output over (crossterm opens
/// `/dev/tty` to ask, and closing a terminal is slow); else as
/// [`terminal_size`] asks.
fn size_of_target(target: Target) -> (u16, u16) {
    let asked = match target {
        Target::Stdout => winsize(io::stdout()),
        Target::Stderr => winsize(io::stderr()),
        _ => None,
    };
    asked.unwrap_or_else(terminal_size)
}

/// The size of the terminal `fd` is, if it is one.
pub(super) fn winsize(fd: impl std::os::fd::AsFd) -> Option<(u16, u16)> {
    let size = rustix::termios::tcgetwinsize(fd).ok()?;
    (size.ws_col > 0 && size.ws_row > 0).then_some((size.ws_col, size.ws_row))
}

/// The terminal's size now (80x24 if it cannot be asked).
pub(super) fn terminal_size() -> (u16, u16) {
    let (w, h) = crossterm::terminal::size().unwrap_or((80, 24));
    (w.max(1), h.max(1))
}
