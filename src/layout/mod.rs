//! Pure: lines and a width in, screen rows out.
//!
//! Wrapping is greedy first-fit (textwrap's `wrap_first_fit`) over our own
//! fragments, so widths are measured per grapheme cluster and a word
//! longer than the width is broken only between clusters. Where terminals
//! disagree on a cluster's width (👍🏽, ❤️, ZWJ sequences) the wider reading
//! is used, so no row overflows on any terminal. Only the lines that can be
//! visible are wrapped, so the cost of a screen depends on its size, not on
//! the length of the history.
//!
//! This file owns a line's layout at one width ([`Wrapped`]) and the cache
//! of them the display draws from ([`RowCache`], [`tail_rows`]). The rest:
//! `width` (the width policy), `wrap` (where rows break), `streamed` (huge
//! lines, a window at a time), `gutter` (a line's header drawn beside it),
//! `contract` (the checks shared by the property tests and the fuzz
//! target).

mod contract;
mod gutter;
mod streamed;
pub(crate) mod width;
mod wrap;

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::history::History;
use crate::options::Wrap;
use crate::record::{Format, Formats, Line, Read};
use crate::sanitize::{Options, Styled, sanitize_styled};
use crate::tag;

pub(crate) use contract::check_contract;
use gutter::Gutter;
use streamed::{HUGE, KEEP_ROWS, WINDOW, fold_streamed, last_rows, wrap_streamed_upto};
use width::TOO_WIDE;
pub use width::{cluster_width, fit, width_of};
pub use wrap::wrap_line;
use wrap::{columns, wrap_chars, wrap_hanging, wrap_ranges};

/// One screen row: the bytes to print (text and SGR) and its width.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) text: String,
    pub(crate) width: usize,
}

impl Row {
    /// A row of plain text, cut to `width` columns.
    pub(crate) fn plain(text: &str, width: usize) -> Self {
        let text = fit(text, width);
        Row {
            text: text.to_owned(),
            width: width_of(text),
        }
    }
}

/// A line sanitized and wrapped at one width: how many rows it has, and
/// its last rows (all of them, unless it has more than [`KEEP_ROWS`]).
#[derive(Debug)]
struct Wrapped {
    line: Styled,
    /// The last rows, as byte ranges of `line.text`.
    rows: VecDeque<Range<usize>>,
    /// How many rows the line has in all.
    count: usize,
    /// Columns every row but the first is indented by (a hanging indent).
    indent: usize,
    /// The first row is indented too (a record's further line).
    indent_first: bool,
    /// Laid out only in part (a huge line, stopped for a key or a signal):
    /// to be laid out again when next needed.
    cut_short: bool,
    /// The hanging indent of the log record it is a line of.
    hang: Hang,
}

/// How a line of a text log's record hangs: its wrapped rows, and the
/// record's further lines (a stack trace), under its message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Hang {
    /// No record's: the line's own indent (reflow's header) holds.
    #[default]
    None,
    /// It starts a record whose message is this many columns in.
    Start(usize),
    /// It continues the record before it: it hangs as that one does,
    /// once told ([`Wrapped::rehang`]).
    Further,
    /// It continues a record whose message is this many columns in.
    Under(usize),
}

impl Wrapped {
    fn new(raw: &[u8], width: usize, options: Options, abort: Option<&AtomicBool>) -> Self {
        if raw.len() >= HUGE && raw.iter().all(|b| matches!(b, b' '..=b'~')) {
            // A huge line of plain printable ASCII (a blob, minified JSON)
            // is its own sanitized text: wrapped where it lies, not copied
            // whole, so the display holds it about once.
            let text = std::str::from_utf8(raw).unwrap_or_default();
            let (rows, count, cut) = last_rows(text, width);
            let line = Styled {
                text: text[cut..].to_owned(),
                spans: Vec::new(),
                links: Vec::new(),
            };
            return Wrapped {
                line,
                rows,
                count,
                indent: 0,
                indent_first: false,
                cut_short: false,
                hang: Hang::None,
            };
        }
        if raw.len() >= HUGE {
            // Neither its whole sanitized text nor all its rows are held.
            return fold_streamed(raw, width, options, WINDOW, KEEP_ROWS, usize::MAX, abort)
                .into_wrapped();
        }
        let line = sanitize_styled(raw, options);
        let head = tag::split(raw, true).0;
        let indent = hanging(head.indent, width);
        let rows: VecDeque<_> = if indent > 0 && head.continued {
            wrap_ranges(&line.text, width - indent).into()
        } else if indent > 0 {
            wrap_hanging(&line.text, width, indent).into()
        } else {
            wrap_ranges(&line.text, width).into()
        };
        Wrapped {
            line,
            count: rows.len(),
            rows,
            indent,
            indent_first: head.continued,
            cut_short: false,
            hang: Hang::None,
        }
    }

    /// Row `index` of the line's `count`, painted with its styles; an
    /// empty row if it was not kept.
    fn row(&self, index: usize, width: usize) -> Row {
        let Some(kept) = index.checked_sub(self.count - self.rows.len()) else {
            return Row::default();
        };
        let range = self.rows[kept].clone();
        let indent = if index > 0 || self.indent_first {
            self.indent
        } else {
            0
        };
        let cols = width_of(&self.line.text[range.clone()]);
        if cols + indent > width {
            return Row::plain(TOO_WIDE, width);
        }
        let mut text = String::with_capacity(indent + range.len() + 16);
        text.extend(std::iter::repeat_n(' ', indent));
        self.line.paint(range, &mut text);
        Row {
            text,
            width: cols + indent,
        }
    }
}

/// How lines become rows, beyond the text options: where rows break, and
/// whether lines start with reflow's headers (see [`crate::tag`]), read
/// for the gutter and the hanging indent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Look {
    pub(crate) text: Options,
    pub(crate) wrap: Wrap,
    /// Lines may start with a header: false for a file read in place.
    pub(crate) headed: bool,
    /// For rows left on the normal screen after the exit: no stream bar
    /// (the `▌` of stderr, the blank of stdout), so what is copied from
    /// there is the text. Labels, times and line numbers, which are
    /// text, stay (as less leaves its numbers on the screen).
    pub(crate) bare: bool,
    /// Each line's number in a column before it (`-N`), if on.
    pub(crate) numbers: Option<Numbers>,
    /// Log records are read from the lines: their levels coloured (in a
    /// line with no colours of its own).
    pub(crate) records: bool,
    /// Structured records (JSON, logfmt) are drawn as received, not as
    /// readable lines.
    pub(crate) raw: bool,
}

impl Look {
    /// Records are read from the lines as they are drawn.
    pub(crate) fn reads_records(&self) -> bool {
        self.records && self.text.color
    }

    /// Structured records are drawn as readable lines: what a search
    /// matches ([`crate::search::Drawn`]).
    pub(crate) fn readable(&self) -> bool {
        self.reads_records() && !self.raw
    }
}

/// How line numbers are drawn: right-aligned in a dim column as wide as
/// the largest number the history holds, so it does not move as the view
/// scrolls. A line's number is its id less `origin`'s, plus one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Numbers {
    /// Digits of the column.
    pub(crate) width: usize,
    /// The id of line 1, or `None` while it is not known (a file read in
    /// place still being indexed from its end): the column is blank.
    pub(crate) origin: Option<usize>,
}

impl Numbers {
    /// Line numbers for `history` as it is now.
    pub(crate) fn of(history: &History) -> Numbers {
        let origin = history.origin();
        let last = match origin {
            Some(origin) => history.shown_len().saturating_sub(origin),
            None => history.count(),
        };
        Numbers {
            width: digits(last),
            origin,
        }
    }

    /// The number of line `id`, if known.
    pub(crate) fn of_line(self, id: usize) -> Option<usize> {
        self.origin
            .and_then(|origin| id.checked_sub(origin))
            .map(|n| n + 1)
    }
}

/// How many decimal digits `n` has (1 for 0).
fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

impl From<Options> for Look {
    /// Word wrap, lines with headers (all but a file read in place).
    fn from(text: Options) -> Self {
        Look {
            text,
            headed: true,
            ..Look::default()
        }
    }
}

/// Byte ranges to highlight in a line's sanitized text (search matches).
pub(crate) type Highlight = std::sync::Arc<dyn Fn(&str) -> Vec<Range<usize>> + Send + Sync>;

impl Wrapped {
    /// A line laid out as `look` says, at `width` columns for its text (the
    /// gutter not counted), with `highlight`'s ranges in reverse video.
    fn with(
        raw: &[u8],
        width: usize,
        look: Look,
        highlight: Option<&Highlight>,
        abort: Option<&AtomicBool>,
        format: Option<Format>,
    ) -> Wrapped {
        if raw.len() >= HUGE && look.wrap == Wrap::Word {
            return Wrapped::new(raw, width, look.text, abort);
        }
        let (head, own) = tag::split(raw, look.headed);
        #[cfg(feature = "viewer")]
        if let Some(shown) = format
            .filter(|_| !look.raw)
            .and_then(|format| format.shown(own))
        {
            return Wrapped::shown(shown, width, highlight);
        }
        let _ = own;
        let mut line = sanitize_styled(raw, look.text);
        let read = format
            .filter(|format| !format.structured())
            .map(|format| format.line(line.text.as_bytes()));
        if line.spans.is_empty()
            && let Some(Line::Start(Read {
                level: Some(level),
                at: Some(at),
                ..
            })) = &read
        {
            line.colour_level(at.clone(), *level);
        }
        if let Some(highlight) = highlight {
            line.highlight(&highlight(&line.text));
        }
        // A line with reflow's header hangs as the header says; a text
        // log's record under its message.
        let hang = match read {
            _ if head.indent > 0 || head.continued => Hang::None,
            Some(Line::Start(Read {
                message: Some(message),
                ..
            })) => Hang::Start(width_of(line.text.get(..message).unwrap_or_default())),
            Some(Line::Further(_)) => Hang::Further,
            _ => Hang::None,
        };
        let asked = match hang {
            Hang::Start(cols) => cols,
            _ => head.indent,
        };
        let indent = hanging(asked, width);
        let rows: VecDeque<_> = match look.wrap {
            Wrap::Word if indent > 0 && head.continued => {
                wrap_ranges(&line.text, width - indent).into()
            }
            Wrap::Word if indent > 0 => wrap_hanging(&line.text, width, indent).into(),
            Wrap::Word => wrap_ranges(&line.text, width).into(),
            Wrap::Char => wrap_chars(&line.text, width, indent).into(),
            Wrap::None => std::iter::once(0..line.text.len()).collect(),
        };
        Wrapped {
            line,
            count: rows.len(),
            rows,
            indent,
            indent_first: head.continued && indent > 0,
            cut_short: false,
            hang,
        }
    }

    /// A record's further line ([`Hang::Further`]) hangs under its
    /// record's message, `cols` columns in, at `width`: every row of it
    /// indented, as a further line of reflow's logger is.
    fn rehang(&mut self, cols: usize, width: usize, wrap: Wrap) {
        if self.hang != Hang::Further {
            return;
        }
        self.hang = Hang::Under(cols);
        let indent = hanging(cols, width);
        if indent == 0 {
            return;
        }
        let text = &self.line.text;
        let rows: VecDeque<_> = match wrap {
            Wrap::Word => wrap_ranges(text, width - indent).into(),
            Wrap::Char => wrap_chars(text, width - indent, 0).into(),
            Wrap::None => return,
        };
        self.count = rows.len();
        self.rows = rows;
        self.indent = indent;
        self.indent_first = true;
    }

    /// The columns the record it is a line of hangs by, if known here.
    fn record_hang(&self) -> Option<usize> {
        match self.hang {
            Hang::Start(cols) | Hang::Under(cols) => Some(cols),
            Hang::Further => None,
            Hang::None => Some(0),
        }
    }

    /// A structured record drawn as a readable line: its first part
    /// wrapped with a hanging indent under its message, each further part
    /// (a line of a multi-line field) on rows of its own hanging there too.
    #[cfg(feature = "viewer")]
    fn shown(shown: crate::record::Shown, width: usize, highlight: Option<&Highlight>) -> Wrapped {
        // Its text is the record's, untrusted: shown with every control
        // visible; the level and the fields keep their styles only where
        // that changed nothing.
        let parts: Vec<String> = shown
            .parts
            .iter()
            .map(|part| crate::sanitize::visible(part.as_bytes()).into_owned())
            .collect();
        let clean = parts[0] == shown.parts[0];
        let indent = hanging(shown.indent, width);
        let mut rows = Vec::new();
        let mut text = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            text.push_str(part);
            let ranges = match (i, indent) {
                (0, 0) => wrap_ranges(part, width),
                (0, _) => wrap_hanging(part, width, indent),
                _ => wrap_ranges(part, width - indent),
            };
            rows.extend(ranges.into_iter().map(|r| r.start + start..r.end + start));
        }
        let first = parts[0].len();
        let mut line = Styled::record(
            text,
            shown.level.filter(|_| clean),
            shown.fields.filter(|_| clean).map(|at| at..first),
        );
        if let Some(highlight) = highlight {
            line.highlight(&highlight(&line.text));
        }
        Wrapped {
            line,
            count: rows.len(),
            rows: rows.into(),
            indent,
            indent_first: false,
            cut_short: false,
            hang: Hang::None,
        }
    }

    /// Where row `index` starts in the line's text (0 for a row not kept).
    fn start_of(&self, index: usize) -> usize {
        index
            .checked_sub(self.count - self.rows.len())
            .and_then(|kept| self.rows.get(kept))
            .map_or(0, |range| range.start)
    }

    /// The row that holds byte `offset` of the line's text.
    fn row_of(&self, offset: usize) -> usize {
        let before = self.rows.partition_point(|range| range.start <= offset);
        (self.count - self.rows.len() + before).saturating_sub(1)
    }

    /// The one row of an unwrapped line: its columns from `from` on.
    fn cut(&self, width: usize, from: usize) -> Row {
        let (pad, range) = columns(&self.line.text, from, width);
        let mut text = String::with_capacity(pad + range.len() + 16);
        text.extend(std::iter::repeat_n(' ', pad));
        let cols = pad + width_of(&self.line.text[range.clone()]);
        self.line.paint(range, &mut text);
        Row { text, width: cols }
    }
}

/// How far back a record's further line looks for the line that starts
/// it (a longer stack trace hangs under nothing past that).
const RECORD_LINES: usize = 1024;

/// The most further lines whose hang is kept (16 bytes each).
const MAX_HANGS: usize = 1 << 16;

/// The hanging indent a line asks for, at `width` columns: clamped to half
/// the row, never dropped, so the text keeps at least half of every row
/// (a 50-column prefix at 60 columns hangs the rows at 30).
fn hanging(asked: usize, width: usize) -> usize {
    asked.min(width / 2)
}

/// A line as laid out for the screen: its rows and its gutter.
#[derive(Debug)]
struct Entry {
    wrapped: Wrapped,
    gutter: Gutter,
    /// Rows of a huge line before the newest ones it keeps, laid out when
    /// the view scrolls back into them.
    earlier: Option<Wrapped>,
}

/// Wrapped lines recently shown, so a frame wraps only lines it has not
/// seen at this width: a 10 MB line is wrapped once per width, not once
/// per frame. Cleared when the width, the look or the highlight change.
#[derive(Default)]
pub(crate) struct RowCache {
    width: usize,
    look: Option<Look>,
    highlight: Option<Highlight>,
    lines: HashMap<usize, Entry>,
    /// Lines wrapped so far: how tests see that a frame reused the cache.
    wraps: usize,
    /// Set when a key or signal wants the printer: a huge line's layout
    /// stops short (see [`fold_streamed`]).
    abort: Option<Arc<AtomicBool>>,
    /// Lines that begin a source (a file after the first): a boundary row
    /// naming it comes first, kept at every width and look.
    boundaries: std::collections::BTreeMap<usize, String>,
    /// The formats of the lines' records, when the look reads them.
    formats: Formats,
    /// How far the further lines of records hang, by line, as found by
    /// looking back ([`hang_before`](RowCache::hang_before)): a trace laid
    /// out bottom up looks back once, not once a line.
    hangs: HashMap<usize, usize>,
}

impl std::fmt::Debug for RowCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowCache")
            .field("width", &self.width)
            .field("lines", &self.lines.len())
            .finish_non_exhaustive()
    }
}

impl RowCache {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Lays out at `width` in `look` from now on, with matches of
    /// `highlight` shown; what was laid out otherwise is forgotten.
    pub(crate) fn prepare(&mut self, width: usize, look: Look, highlight: Option<&Highlight>) {
        let width = width.max(1);
        let same_highlight = match (&self.highlight, highlight) {
            (None, None) => true,
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            _ => false,
        };
        if width != self.width || Some(look) != self.look || !same_highlight {
            self.lines.clear();
            self.hangs.clear();
            self.width = width;
            self.look = Some(look);
            self.highlight = highlight.cloned();
        }
    }

    /// The formats learned of the lines' records, for the searches by
    /// level too.
    pub(crate) fn formats(&mut self) -> &mut Formats {
        &mut self.formats
    }

    /// Lets `abort` cut a huge line's layout short from now on.
    pub(crate) fn abort_on(&mut self, abort: Arc<AtomicBool>) {
        self.abort = Some(abort);
    }

    /// From now on, every huge line's layout stops short at once.
    pub(crate) fn cut_layouts_short(&mut self) {
        let abort = self.abort.get_or_insert_with(Default::default);
        abort.store(true, Ordering::Relaxed);
    }

    /// What set the abort flag has been answered: layouts go to their end
    /// again.
    pub(crate) fn answered(&mut self) {
        if let Some(abort) = &self.abort {
            abort.store(false, Ordering::Relaxed);
        }
    }

    /// The width rows are laid out at.
    pub(crate) fn width(&self) -> usize {
        self.width.max(1)
    }

    fn entry(&mut self, history: &History, index: usize) -> &Entry {
        let (width, look) = (self.width.max(1), self.look.unwrap_or_default());
        let wraps = &mut self.wraps;
        let highlight = self.highlight.as_ref();
        let abort = self.abort.as_deref();
        let formats = &mut self.formats;
        // A layout cut short is done again, now that the printer is free.
        if self
            .lines
            .get(&index)
            .is_some_and(|entry| entry.wrapped.cut_short)
            && !abort.is_some_and(|abort| abort.load(Ordering::Relaxed))
        {
            self.lines.remove(&index);
        }
        if !self.lines.contains_key(&index) {
            *wraps += 1;
            let raw = history.shown(index).unwrap_or_default();
            let number = look.numbers.map(|n| (n.of_line(index), n.width));
            let head = tag::split(&raw, look.headed).0;
            let gutter = Gutter::new(&head, number, width, look.bare);
            let format = look
                .reads_records()
                .then(|| formats.of_line(history, look.headed, index, &raw))
                .filter(Format::is_log);
            let inner = width - gutter.width;
            let mut wrapped = Wrapped::with(&raw, inner, look, highlight, abort, format);
            if wrapped.hang == Hang::Further {
                let cols = self.hang_before(history, index);
                wrapped.rehang(cols, inner, look.wrap);
            }
            let entry = Entry {
                wrapped,
                gutter,
                earlier: None,
            };
            self.lines.insert(index, entry);
        }
        &self.lines[&index]
    }

    /// The columns the record that line `index` continues hangs by: the
    /// column of its first line's message, looked for up to
    /// [`RECORD_LINES`] lines back (0 past them).
    fn hang_before(&mut self, history: &History, index: usize) -> usize {
        let look = self.look.unwrap_or_default();
        let floor = index.saturating_sub(RECORD_LINES).max(history.first());
        // Sources interleaved, each line labelled (`-F`, `--cmd`): the
        // record is the last one its own source started, and the other
        // sources' lines are passed over.
        let label_of = |raw: &[u8]| tag::split(raw, look.headed).0.label.map(|l| l.name);
        let label = look
            .headed
            .then(|| history.shown(index).and_then(|raw| label_of(&raw)))
            .flatten();
        // The lines that hang as the record found does.
        let mut further = vec![index];
        let mut id = index;
        let cols = loop {
            if id <= floor {
                // Not known from here: a line nearer the start may find it.
                return 0;
            }
            id -= 1;
            // The line and its header, split once.
            let mut line = None;
            if label.is_some() {
                line = history
                    .shown(id)
                    .map(|raw| (tag::split(&raw, look.headed).0, raw));
                if line
                    .as_ref()
                    .and_then(|(head, _)| head.label.as_ref())
                    .map(|l| &l.name)
                    != label.as_ref()
                {
                    continue;
                }
            }
            // Laid out or looked back from already: as it hangs.
            let known = self.lines.get(&id).and_then(|e| e.wrapped.record_hang());
            if let Some(cols) = known.or_else(|| self.hangs.get(&id).copied()) {
                break cols;
            }
            let line = line.or_else(|| {
                history
                    .shown(id)
                    .map(|raw| (tag::split(&raw, look.headed).0, raw))
            });
            let Some((head, raw)) = line.filter(|(_, raw)| raw.len() < HUGE) else {
                break 0;
            };
            let format = self.formats.of_line(history, look.headed, id, &raw);
            if !format.is_log() || format.structured() || head.indent > 0 || head.continued {
                break 0;
            }
            let text = sanitize_styled(&raw, look.text).text;
            match format.line(text.as_bytes()) {
                Line::Start(Read {
                    message: Some(message),
                    ..
                }) => break width_of(text.get(..message).unwrap_or_default()),
                Line::Further(_) => further.push(id),
                _ => break 0,
            }
        };
        if self.hangs.len() > MAX_HANGS {
            self.hangs.clear();
        }
        self.hangs.extend(further.into_iter().map(|id| (id, cols)));
        cols
    }

    /// Line `index` begins the source `name`: a boundary row naming it
    /// comes before its first row (`name` sanitized already).
    pub(crate) fn set_boundary(&mut self, index: usize, name: String) {
        self.lines.remove(&index);
        self.formats.begin_source(index);
        self.boundaries.insert(index, name);
    }

    /// The boundary row's name, if line `index` has one in this look (not
    /// in rows left on the screen after the exit: they are the text).
    fn boundary(&self, index: usize) -> Option<&str> {
        if self.look.is_some_and(|look| look.bare) {
            return None;
        }
        self.boundaries.get(&index).map(String::as_str)
    }

    /// Rows before line `index`'s text: its boundary row, if any.
    fn extra(&self, index: usize) -> usize {
        usize::from(self.boundary(index).is_some())
    }

    /// How many rows line `index` has.
    pub(crate) fn count(&mut self, history: &History, index: usize) -> usize {
        self.entry(history, index).wrapped.count + self.extra(index)
    }

    /// Row `row` of line `index`, from column `from` of an unwrapped line.
    pub(crate) fn row(&mut self, history: &History, index: usize, row: usize, from: usize) -> Row {
        let width = self.width.max(1);
        if let Some(name) = self.boundary(index) {
            if row == 0 {
                return boundary_row(name, width);
            }
            return self.text_row(history, index, row - 1, from);
        }
        self.text_row(history, index, row, from)
    }

    /// Row `row` of line `index`'s own rows (the boundary row aside).
    fn text_row(&mut self, history: &History, index: usize, row: usize, from: usize) -> Row {
        let width = self.width.max(1);
        let look = self.look.unwrap_or_default();
        let unwrapped = look.wrap == Wrap::None;
        self.entry(history, index);
        let Some(Entry {
            wrapped,
            gutter,
            earlier,
        }) = self.lines.get_mut(&index)
        else {
            return Row::default();
        };
        let inner = width - gutter.width;
        let kept_from = wrapped.count - wrapped.rows.len();
        let body = if unwrapped {
            wrapped.cut(inner, from)
        } else if row < kept_from {
            // A huge line keeps only its newest rows: earlier ones are laid
            // out again around the row asked for, a window at a time.
            let have = earlier
                .as_ref()
                .is_some_and(|e| row >= e.count - e.rows.len() && row < e.count);
            if !have {
                let raw = history.shown(index).unwrap_or_default();
                let stop = (row + KEEP_ROWS / 2).clamp(row + 1, kept_from);
                *earlier = Some(wrap_streamed_upto(
                    &raw, inner, look.text, WINDOW, KEEP_ROWS, stop,
                ));
            }
            earlier
                .as_ref()
                .map_or_else(Row::default, |e| e.row(row, inner))
        } else {
            wrapped.row(row, inner)
        };
        if gutter.width == 0 {
            return body;
        }
        let prefix = if row == 0 {
            &gutter.first
        } else {
            &gutter.rest
        };
        Row {
            text: format!("{prefix}{}", body.text),
            width: gutter.width + body.width,
        }
    }

    /// Where row `row` of line `index` starts in its text.
    pub(crate) fn start_of(&mut self, history: &History, index: usize, row: usize) -> usize {
        let extra = self.extra(index);
        self.entry(history, index)
            .wrapped
            .start_of(row.saturating_sub(extra))
    }

    /// The row of line `index` that holds byte `offset` of its text.
    pub(crate) fn row_of(&mut self, history: &History, index: usize, offset: usize) -> usize {
        let extra = self.extra(index);
        self.entry(history, index).wrapped.row_of(offset) + extra
    }

    /// Forgets line `index` (the partial line, which grew).
    pub(crate) fn forget(&mut self, index: usize) {
        self.lines.remove(&index);
    }

    /// Forgets every line but those `keep` says the screen can show.
    pub(crate) fn retain(&mut self, keep: impl Fn(usize) -> bool) {
        self.lines.retain(|&index, _| keep(index));
    }
}

/// The dim row drawn above a source's first line: `── name ───…`, cut to
/// `width` (`name` sanitized already).
fn boundary_row(name: &str, width: usize) -> Row {
    let head = fit(&format!("── {name} "), width).to_owned();
    let used = width_of(&head);
    let mut text = String::with_capacity(head.len() + 3 * (width - used) + 8);
    text.push_str("\x1b[2m");
    text.push_str(&head);
    text.extend(std::iter::repeat_n('─', width - used));
    text.push_str("\x1b[0m");
    Row { text, width }
}

/// The newest `height` rows of the whole history laid out at `width`,
/// oldest first. Lays out only the lines that reach the screen.
pub(crate) fn tail_rows(
    history: &History,
    width: usize,
    height: usize,
    look: impl Into<Look>,
    cache: &mut RowCache,
) -> Vec<Row> {
    cache.prepare(width, look.into(), None);
    let mut count = 0;
    let mut first = history.len();
    while first > history.first() && count < height {
        first -= 1;
        count += cache.count(history, first);
    }
    cache.retain(|index| index >= first);
    let mut skip = count.saturating_sub(height);
    let mut rows = Vec::with_capacity(height.min(count));
    for index in first..history.len() {
        let n = cache.count(history, index);
        let from = skip.min(n);
        skip -= from;
        rows.extend((from..n).map(|i| cache.row(history, index, i, 0)));
    }
    rows
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub(crate) fn history(lines: &[&str]) -> History {
        let mut h = History::new();
        for line in lines {
            h.push(line.as_bytes());
        }
        h
    }

    pub(crate) fn plain() -> Options {
        Options::default()
    }

    pub(crate) fn texts(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.text.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn tail_rows_are_the_newest_rows_of_the_whole_history() {
        let h = history(&["one two three", "four", "", "five six seven eight"]);
        let mut cache = RowCache::new();
        assert_eq!(
            texts(&tail_rows(&h, 10, 4, plain(), &mut cache)),
            ["", "five six", "seven", "eight"]
        );
        assert_eq!(
            texts(&tail_rows(&h, 10, 100, plain(), &mut cache)),
            ["one two", "three", "four", "", "five six", "seven", "eight"]
        );
        // Reflow at another width uses the new width, not the cache.
        assert_eq!(
            texts(&tail_rows(&h, 20, 2, plain(), &mut cache)),
            ["", "five six seven eight"]
        );
    }

    #[test]
    fn a_text_logs_records_hang_under_their_message_clamped_when_narrow() {
        // A log's shape is learned from the start of its block.
        let before: Vec<String> = (0..10)
            .map(|i| format!("2026-12-03 15:59:59,{i:03} INFO app: request {i} done"))
            .collect();
        let mut lines: Vec<&str> = before.iter().map(String::as_str).collect();
        lines.extend([
            "2026-12-03 16:00:00,001 ERROR app: request failed because the upstream timed out",
            "Traceback (most recent call last):",
            "  File \"/srv/app.py\", line 12",
        ]);
        // A long trace: laid out bottom up, it looks back once.
        let frames: Vec<String> = (0..300).map(|i| format!("  frame {i}")).collect();
        lines.extend(frames.iter().map(String::as_str));
        lines.push("2026-12-03 16:00:01,001 INFO app: ok");
        let h = history(&lines);
        let look = Look {
            text: Options {
                color: true,
                ..Options::default()
            },
            headed: true,
            records: true,
            ..Look::default()
        };
        let bare = |rows: Vec<Row>| -> Vec<String> {
            let sgr = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
            rows.iter()
                .map(|r| sgr.replace_all(&r.text, "").into_owned())
                .collect()
        };
        let mut cache = RowCache::new();
        let all = bare(tail_rows(&h, 70, 400, look, &mut cache));
        let hang = " ".repeat(30);
        assert_eq!(
            all[10..14],
            [
                "2026-12-03 16:00:00,001 ERROR app: request failed because the upstream".to_owned(),
                format!("{hang}timed out"),
                format!("{hang}Traceback (most recent call last):"),
                format!("{hang}  File \"/srv/app.py\", line 12"),
            ]
        );
        assert_eq!(all[14 + 299], format!("{hang}  frame 299"));
        assert_eq!(
            all.last().map(String::as_str),
            Some("2026-12-03 16:00:01,001 INFO app: ok")
        );
        assert!(cache.hangs.len() <= 400, "each line looked back once");
        // Narrow: half the width at most.
        let narrow = bare(tail_rows(&h, 20, 400, look, &mut cache));
        let tail: Vec<&str> = narrow[narrow.len() - 4..]
            .iter()
            .map(String::as_str)
            .collect();
        let ten = " ".repeat(10);
        assert_eq!(
            tail,
            [
                "2026-12-03".to_owned(),
                format!("{ten}16:00:01,0"),
                format!("{ten}01 INFO"),
                format!("{ten}app: ok"),
            ]
        );
        // Records not read: no hang.
        let plain_rows = bare(tail_rows(
            &h,
            70,
            400,
            Look {
                records: false,
                ..look
            },
            &mut cache,
        ));
        assert_eq!(plain_rows[12], "Traceback (most recent call last):");
    }

    #[test]
    fn interleaved_sources_are_each_read_in_their_own_format() {
        // A Python log and a JSON one, labelled, their lines interleaved
        // in one block: each is read alone, the JSON drawn readable, the
        // traceback under its own record, past the other source's lines.
        let label = |name: &str, text: &str| {
            let tag = crate::Tag::new().label(name).label_width(1);
            let header = tag.header().unwrap_or_default();
            format!("{}{text}", String::from_utf8_lossy(&header))
        };
        let mut lines = Vec::new();
        for i in 0..3 {
            lines.push(label(
                "a",
                &format!("2026-12-03 16:00:0{i},001 INFO app: ok {i}"),
            ));
            lines.push(label("b", &format!(r#"{{"level":"warn","msg":"b {i}"}}"#)));
        }
        lines.push(label("a", "2026-12-03 16:00:04,001 ERROR app: failed"));
        lines.push(label("b", r#"{"level":"info","msg":"b 3"}"#));
        lines.push(label("a", "Traceback (most recent call last):"));
        lines.push(label("b", r#"{"level":"info","msg":"b 4"}"#));
        lines.push(label("a", "ZeroDivisionError: division by zero"));
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let look = Look {
            text: Options {
                color: true,
                ..Options::default()
            },
            headed: true,
            records: true,
            ..Look::default()
        };
        let sgr = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap();
        let mut cache = RowCache::new();
        let rows: Vec<String> = tail_rows(&history(&lines), 70, 40, look, &mut cache)
            .iter()
            .map(|row| sgr.replace_all(&row.text, "").into_owned())
            .collect();
        let hang = " ".repeat(30);
        assert_eq!(
            rows[6..],
            [
                "a 2026-12-03 16:00:04,001 ERROR app: failed".to_owned(),
                "b info b 3".to_owned(),
                format!("a {hang}Traceback (most recent call last):"),
                "b info b 4".to_owned(),
                format!("a {hang}ZeroDivisionError: division by zero"),
            ]
        );
        assert_eq!(rows[1], "b warn b 0");
    }

    #[test]
    fn tail_rows_of_an_empty_history_is_empty() {
        let mut cache = RowCache::new();
        assert!(tail_rows(&History::new(), 80, 24, plain(), &mut cache).is_empty());
    }

    #[test]
    fn tail_rows_wraps_only_what_is_visible() {
        let mut h = History::new();
        for i in 0..10_000 {
            h.push(format!("line {i}").as_bytes());
        }
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 80, 5, plain(), &mut cache);
        assert_eq!(
            texts(&rows),
            [
                "line 9995",
                "line 9996",
                "line 9997",
                "line 9998",
                "line 9999"
            ]
        );
        assert_eq!(cache.lines.len(), 5);
    }

    #[test]
    fn a_huge_line_is_wrapped_once_per_width_not_once_per_frame() {
        let mut h = History::new();
        let huge = "word ".repeat(400_000);
        h.push(huge.as_bytes());
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 80, 10, plain(), &mut cache);
        assert_eq!(rows.len(), 10);
        assert_eq!(cache.wraps, 1);
        // New lines arrive; the huge line is still partly on screen.
        h.push(b"next");
        let rows = tail_rows(&h, 80, 10, plain(), &mut cache);
        assert_eq!(rows[9].text, "next");
        assert_eq!(cache.wraps, 2);
        tail_rows(&h, 80, 10, plain(), &mut cache);
        assert_eq!(cache.wraps, 2);
        // A new width wraps it again, once.
        tail_rows(&h, 60, 10, plain(), &mut cache);
        assert_eq!(cache.wraps, 4);
    }

    #[test]
    fn a_huge_line_keeps_its_last_rows_not_all_of_them() {
        // 2 MiB at width 1: two million rows, of which only the newest
        // are kept, in the colour they had.
        let mut raw = b"\x1b[31m".to_vec();
        raw.extend((0..2 << 20).map(|i| b'a' + (i % 26) as u8));
        raw.extend_from_slice(b"\x1b[0mZ");
        let mut h = History::new();
        h.push(&raw);
        let mut cache = RowCache::new();
        let color = Options {
            color: true,
            ..Options::default()
        };
        let rows = tail_rows(&h, 1, 3, color, &mut cache);
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        let last = (2 << 20) - 1;
        let red = |i: usize| format!("\x1b[0;31m{}\x1b[0m", (b'a' + (i % 26) as u8) as char);
        assert_eq!(texts, [red(last - 1).as_str(), red(last).as_str(), "Z"]);
        let wrapped = &cache.lines[&0].wrapped;
        assert_eq!(wrapped.count, (2 << 20) + 1);
        assert_eq!(wrapped.rows.len(), KEEP_ROWS);
        assert!(
            wrapped.line.text.len() <= KEEP_ROWS,
            "the text was kept whole"
        );
    }

    #[test]
    fn a_huge_plain_line_is_wrapped_where_it_lies_into_the_same_rows() {
        let text: String = (0..200_000)
            .map(|i| format!("w{} ", "x".repeat(i % 9)))
            .collect();
        assert!(text.len() >= HUGE);
        let wrapped = Wrapped::new(text.as_bytes(), 13, Options::default(), None);
        let all = wrap_line(&text, 13);
        assert_eq!(wrapped.count, all.len());
        let kept: Vec<String> = (all.len() - wrapped.rows.len()..all.len())
            .map(|i| wrapped.row(i, 13).text)
            .collect();
        assert_eq!(kept, all[all.len() - wrapped.rows.len()..]);
        assert!(wrapped.line.text.len() <= KEEP_ROWS * 13, "kept whole");
    }

    #[test]
    fn every_row_of_a_huge_line_can_be_shown_not_only_the_newest() {
        let text: String = (0..300_000)
            .map(|i| format!("w{} ", "x".repeat(i % 7)))
            .collect();
        assert!(text.len() >= HUGE);
        let all = wrap_line(&text, 13);
        let mut h = History::new();
        h.push(text.as_bytes());
        let mut cache = RowCache::new();
        cache.prepare(13, Look::default(), None);
        assert_eq!(cache.count(&h, 0), all.len());
        let kept_from = all.len() - KEEP_ROWS;
        for i in [
            0,
            1,
            2047,
            2048,
            5000,
            all.len() / 2,
            kept_from - 1,
            kept_from,
            all.len() - 1,
        ] {
            assert_eq!(cache.row(&h, 0, i, 0).text, all[i], "row {i}");
        }
    }

    #[test]
    fn a_marked_line_hangs_its_wrapped_rows_under_its_first() {
        let mut raw = crate::tag::Head::indent(6).encode();
        raw.extend_from_slice(b"INFO: one two three four five six");
        let h = history(&[std::str::from_utf8(&raw).unwrap()]);
        let rows = tail_rows(&h, 16, 10, plain(), &mut RowCache::new());
        assert_eq!(
            texts(&rows),
            ["INFO: one two", "      three four", "      five six"]
        );
        // Too deep for the width: clamped to half the row, never dropped.
        let rows = tail_rows(&h, 10, 10, plain(), &mut RowCache::new());
        assert_eq!(
            texts(&rows),
            [
                "INFO: one",
                "     two",
                "     three",
                "     four",
                "     five",
                "     six"
            ]
        );
        // A record's further line: every row under the message, words
        // whole (no padding the wrapping could take for a word).
        let mut raw = crate::tag::Head::continued(6).encode();
        raw.extend_from_slice(b"second-of-multi line here");
        let h = history(&[std::str::from_utf8(&raw).unwrap()]);
        let rows = tail_rows(&h, 22, 10, plain(), &mut RowCache::new());
        assert_eq!(texts(&rows), ["      second-of-multi", "      line here"]);
        // A mark that is not one is just removed, as any APC string.
        let h = history(&["\x1b_reflow:indent=x\x1b\\text"]);
        assert_eq!(
            texts(&tail_rows(&h, 16, 10, plain(), &mut RowCache::new())),
            ["text"]
        );
    }

    #[test]
    fn char_wrap_breaks_anywhere_and_none_cuts_with_an_offset() {
        let h = history(&["abc def ghi"]);
        let look = |wrap| Look {
            wrap,
            ..Look::default()
        };
        let rows = tail_rows(&h, 4, 10, look(Wrap::Char), &mut RowCache::new());
        assert_eq!(texts(&rows), ["abc ", "def ", "ghi"]);
        let mut cache = RowCache::new();
        let rows = tail_rows(&h, 4, 10, look(Wrap::None), &mut cache);
        assert_eq!(texts(&rows), ["abc "]);
        assert_eq!(cache.row(&h, 0, 0, 5).text, "ef g");
        assert_eq!(cache.row(&h, 0, 0, 20).text, "");
        let h = history(&["日本語"]);
        cache.prepare(3, look(Wrap::None), None);
        // A wide character cut by the left edge is a blank, not half.
        assert_eq!(cache.row(&h, 0, 0, 1).text, " 本");
    }

    #[test]
    fn highlighted_matches_are_reverse_video_across_rows() {
        let h = history(&["\x1b[31mred\x1b[0m plain red"]);
        let mut cache = RowCache::new();
        let find: Highlight = std::sync::Arc::new(|text: &str| {
            text.match_indices("red")
                .map(|(at, m)| at..at + m.len())
                .collect()
        });
        let look = Look::from(Options {
            color: true,
            ..Options::default()
        });
        cache.prepare(6, look, Some(&find));
        let rows: Vec<String> = (0..cache.count(&h, 0))
            .map(|i| cache.row(&h, 0, i, 0).text)
            .collect();
        assert_eq!(
            rows,
            ["\x1b[0;7;31mred\x1b[0m", "plain", "\x1b[0;7mred\x1b[0m"]
        );
    }

    /// Regression: a red line wrapped onto three rows must be red on all
    /// three, each row ending in a reset, and the next line plain.
    #[test]
    fn colour_carries_across_wrapped_rows_and_stops_at_the_line_end() {
        let h = history(&["\x1b[31maaaa bbbb cccc", "plain"]);
        let mut cache = RowCache::new();
        let color = Options {
            color: true,
            ..Options::default()
        };
        let rows = tail_rows(&h, 5, 4, color, &mut cache);
        assert_eq!(
            texts(&rows),
            [
                "\x1b[0;31maaaa\x1b[0m",
                "\x1b[0;31mbbbb\x1b[0m",
                "\x1b[0;31mcccc\x1b[0m",
                "plain"
            ]
        );
        assert_eq!(rows[0].width, 4);
    }

    /// Issue 20: an OSC 8 link wrapped onto several rows is opened again
    /// at each row's start and closed at its end, at every width, so each
    /// row stands alone (a partial redraw never leaves a link open) and
    /// the next line is in no link. A search highlight inside it keeps it.
    #[test]
    fn a_link_is_opened_and_closed_on_each_row_it_wraps_onto() {
        const OPEN: &str = "\x1b]8;;https://example.com/x\x1b\\";
        const CLOSE: &str = "\x1b]8;;\x1b\\";
        let h = history(&[
            "see \x1b]8;;https://example.com/x\x1b\\aaaa bbbb cccc\x1b]8;;\x1b\\ end",
            "plain",
        ]);
        let mut cache = RowCache::new();
        let color = Options {
            color: true,
            ..Options::default()
        };
        let rows = tail_rows(&h, 9, 4, color, &mut cache);
        assert_eq!(
            texts(&rows),
            [
                format!("see {OPEN}aaaa{CLOSE}"),
                format!("{OPEN}bbbb cccc{CLOSE}"),
                "end".to_owned(),
                "plain".to_owned(),
            ]
        );
        assert_eq!(rows[0].width, 8);
        // Resized: the same link on the new rows.
        let rows = tail_rows(&h, 5, 5, color, &mut cache);
        assert_eq!(
            texts(&rows),
            [
                format!("{OPEN}aaaa{CLOSE}"),
                format!("{OPEN}bbbb{CLOSE}"),
                format!("{OPEN}cccc{CLOSE}"),
                "end".to_owned(),
                "plain".to_owned(),
            ]
        );
        let find: Highlight = std::sync::Arc::new(|text: &str| {
            text.match_indices("bbbb")
                .map(|(at, m)| at..at + m.len())
                .collect()
        });
        cache.prepare(20, Look::from(color), Some(&find));
        assert_eq!(
            cache.row(&h, 0, 0, 0).text,
            format!("see {OPEN}aaaa \x1b[0;7mbbbb\x1b[0m cccc{CLOSE}\x1b[0m")
        );
    }
}
