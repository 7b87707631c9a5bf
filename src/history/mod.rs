//! The line store: one interface over the lines of the display, addressed
//! by line ids, whatever holds them. Two kinds:
//!
//! - [`memory`]: lines received (pipes, the library), in compact chunks
//!   compressed as they age, the oldest moved to a [`spill`] file beyond a
//!   memory budget;
//! - [`file`](mod@file): a file's lines read in place, through an index of where
//!   they start, built from the end backward in the background.
//!
//! A history may start with a file and go on in memory (a followed file's
//! new lines). The file's lines are numbered down from a base as the index
//! finds them, so an id never changes: the viewer, the search and the
//! layout never care which kind holds a line.
//!
//! A line of a file the index has not reached yet is named by where it
//! starts: its byte offset is its id (always below the ids of indexed
//! lines, in file order among themselves). The view gets to those lines
//! from the file's start (`g`) or a byte position (`50%`), and walks
//! them with [`next_shown`](History::next_shown) and
//! [`prev_shown`](History::prev_shown), which read forward and back from
//! the offset; [`settle`](History::settle) gives such a line its own id
//! once the index has reached it. The search, the filter and `--save`
//! see only indexed lines.

mod file;
mod memory;
mod spill;

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::ops::{ControlFlow, Range};
use std::time::Instant;

use crossbeam_channel::Receiver;

use file::FileLines;
use memory::Memory;

/// What [`History::scan`] calls with each run.
type Visit<'a> = dyn FnMut(Range<usize>, &[u8]) -> ControlFlow<()> + 'a;

/// The id after a file's last line: its lines are numbered down from here
/// (so far down that no file reaches 0), lines received after them up.
const BASE: usize = 1 << 48;

/// A display's memory budget when none is given: an eighth of the
/// machine's memory (`MemTotal` in `/proc/meminfo`), at least 256 MiB and
/// at most 4 GiB; 1 GiB where the machine's memory cannot be read. An
/// eighth leaves room for the rest of the machine however long the input
/// runs; the floor keeps a small machine's history in memory as before
/// for typical logs; past 4 GiB, memory buys little that the page cache
/// does not give the spill file anyway.
pub(crate) fn default_max_memory() -> u64 {
    const MIB: u64 = 1 << 20;
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| mem_total(&info));
    total.map_or(1024 * MIB, |total| (total / 8).clamp(256 * MIB, 4096 * MIB))
}

/// `MemTotal`, in bytes, from the text of `/proc/meminfo`.
fn mem_total(info: &str) -> Option<u64> {
    let line = info.lines().find(|line| line.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// What of a display's memory budget its history may hold: the rest is
/// for everything else the process holds (its code and threads, the line
/// queue and the batch taken from it, the screen, a search's buffers, and
/// the allocator's slack as compressed chunks come and go): 24 MiB, or a
/// quarter of a budget below 96 MiB. Measured (`scripts/bench-spill.py`):
/// 10 GB of logs through a 64 MiB budget, 48 MiB for the history, peak at
/// about 58 MiB.
pub(crate) fn history_share(budget: u64) -> usize {
    let rest = (budget / 4).min(24 << 20);
    usize::try_from(budget - rest).unwrap_or(usize::MAX)
}

/// Where a line stands among the lines (see [`History::position`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Position {
    /// Line `line` (1-based) of `of`.
    Line { line: usize, of: usize },
    /// The lines are still being counted: the line's number if known
    /// (counted from the file's start), and how far into the bytes it is.
    Counting { line: Option<usize>, percent: usize },
}

/// Every line received (or, with a cap, the newest), as raw bytes, in
/// arrival order, after the lines of a file read in place if there is one.
/// Lines keep their id: [`first`](History::first) is the oldest held.
#[derive(Debug, Default)]
pub struct History {
    file: Option<FileLines>,
    /// The id of the first line in memory: 0, or [`BASE`] after a file.
    base: usize,
    memory: Memory,
    /// Keep only the newest lines (of the file's too).
    max_lines: Option<usize>,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty history that keeps only the newest `max` lines (memory is
    /// given back a chunk, 256 KiB, at a time).
    pub fn with_max_lines(max: usize) -> Self {
        History {
            memory: Memory::with_max_lines(max),
            max_lines: Some(max.max(1)),
            ..Self::default()
        }
    }

    /// A history that starts with the lines of `file`'s first `len` bytes,
    /// read in place; the bytes after its last `\n` are the start of a line
    /// the next lines received continue.
    pub(crate) fn in_place(file: File, len: u64, max_lines: Option<usize>) -> io::Result<Self> {
        // Byte offsets name lines not indexed yet: they must stay below
        // the ids of indexed lines, `BASE` minus one a byte at most.
        if len >= (BASE / 2) as u64 {
            return Err(io::Error::other("too large to be read in place"));
        }
        let (lines, tail) = FileLines::open(file, len)?;
        let mut memory = max_lines.map_or_else(Memory::new, Memory::with_max_lines);
        memory.stream(&tail);
        Ok(History {
            file: Some(lines),
            base: BASE,
            memory,
            max_lines: max_lines.map(|max| max.max(1)),
        })
    }

    /// One past the id of the newest line.
    pub fn len(&self) -> usize {
        self.base + self.memory.len()
    }

    /// The id of the oldest line held (0 unless capped, or a file is being
    /// indexed).
    pub fn first(&self) -> usize {
        let first = match &self.file {
            Some(file) if self.memory.first() == 0 => self.base - file.counted(),
            _ => self.base + self.memory.first(),
        };
        match self.max_lines {
            Some(max) => first.max(self.len().saturating_sub(max)),
            None => first,
        }
    }

    /// How many lines there are (of a file, those indexed so far), those
    /// a cap dropped included.
    pub fn count(&self) -> usize {
        self.memory.len() + self.file.as_ref().map_or(0, FileLines::counted)
    }

    /// The id of the input's first line, from which line numbers count:
    /// 0, or after a file read in place, its first line's once the index
    /// has reached it (`None` until then, or when the file could not be
    /// read to its start). Lines dropped by a cap keep their numbers.
    pub(crate) fn origin(&self) -> Option<usize> {
        match &self.file {
            None => Some(self.base),
            Some(file) if file.done() && file.error().is_none() => Some(self.base - file.counted()),
            Some(_) => None,
        }
    }

    /// True when no line has been received.
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }

    /// Total bytes of all lines (a file's with their separators).
    pub fn bytes(&self) -> u64 {
        self.memory.bytes() + self.file.as_ref().map_or(0, FileLines::bytes)
    }

    /// Appends one line. A `\n` inside `line` would be taken for a line
    /// end, so callers split on newlines first.
    pub fn push(&mut self, line: &[u8]) {
        self.memory.push(line);
    }

    /// Appends every line of `block`: lines each ended by `\n` (a last
    /// line without one is ended here).
    pub fn push_block(&mut self, block: &[u8]) {
        self.memory.push_block(block);
    }

    /// Holds at most `bytes` in memory (the newest 512 KiB always stay):
    /// beyond it, the oldest lines go to an unlinked temporary file and
    /// are read back from there when needed. None is lost, unless that
    /// file cannot be written (a full disk): then the oldest lines are
    /// dropped, and `spill_news` says so.
    pub fn max_memory(mut self, bytes: usize) -> Self {
        self.memory = std::mem::take(&mut self.memory).max_memory(bytes);
        self
    }

    /// What the status bar should say about the spill file, once each time
    /// it changes: that it cannot be written, and how many old lines were
    /// dropped since.
    pub(crate) fn spill_news(&mut self) -> Option<String> {
        self.memory.spill_news()
    }

    /// The raw bytes of line `index`, or `None` if it is not held (past
    /// the end, dropped by a cap, not indexed yet, or gone from its file).
    pub fn get(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        if index >= self.base {
            return self.memory.get(index - self.base);
        }
        if self.is_offset(index) {
            return self.file.as_ref()?.line_from(index as u64).map(Cow::Owned);
        }
        let file = self.file.as_ref()?;
        if index < self.first() {
            return None;
        }
        file.get(self.base - 1 - index).map(Cow::Owned)
    }

    /// Calls `f` with the raw bytes of each line of `lines` held, in
    /// order, as [`get`](History::get) gives them, but the lines of a file
    /// read in place are read in one go (a `get` reads its line, and
    /// checks the file, each time); a file cut short gives none.
    pub(crate) fn for_lines(&self, lines: Range<usize>, mut f: impl FnMut(&[u8])) {
        // In runs, in memory too: a `get` per line finds its chunk and
        // scans its block from the start each time, which made learning a
        // block's formats (64 lines) a tenth of a piped ingest's time.
        let _ = self.scan(lines, false, |_, run| {
            each_line(run, &mut f);
            ControlFlow::Continue(())
        });
    }

    /// Line `index` as text: invalid UTF-8 becomes U+FFFD.
    pub fn text(&self, index: usize) -> Option<String> {
        self.get(index)
            .map(|line| String::from_utf8_lossy(&line).into_owned())
    }

    /// Calls `f` with every line held, oldest first.
    pub fn for_each(&self, mut f: impl FnMut(&[u8])) {
        let _ = self.scan(self.first()..self.len(), false, |_, run| {
            each_line(run, &mut f);
            ControlFlow::Continue(())
        });
    }

    /// True while some sealed chunk has not been compressed yet.
    pub(crate) fn can_compact(&self) -> bool {
        self.memory.can_compact()
    }

    /// Compresses the oldest sealed chunk not yet considered, if any.
    /// Returns whether more remain.
    pub(crate) fn compact(&mut self) -> bool {
        self.memory.compact()
    }

    /// Bytes reserved by the store, for memory accounting (the benches'
    /// figure).
    pub(crate) fn allocated(&self) -> usize {
        self.memory.allocated() + self.file.as_ref().map_or(0, FileLines::allocated)
    }

    /// Takes a piece of a byte stream: the lines it ends, and its
    /// unfinished end as the partial line.
    pub(crate) fn stream(&mut self, batch: &[u8]) {
        self.memory.stream(batch);
    }

    /// The partial line: what came of the last line so far.
    pub(crate) fn partial(&self) -> &[u8] {
        self.memory.partial()
    }

    /// The input ended inside a line: it is a whole line. Returns whether
    /// there was one.
    pub(crate) fn end_partial(&mut self) -> bool {
        self.memory.end_partial()
    }

    /// One past the last line a display shows (the partial line counts
    /// while it is short).
    pub(crate) fn shown_len(&self) -> usize {
        self.base + self.memory.shown_len()
    }

    /// Line `index` as a display shows it: a held line, or the partial one.
    pub(crate) fn shown(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        if index >= self.base {
            return self.memory.shown(index - self.base);
        }
        self.get(index)
    }

    /// The file whose lines not indexed yet are named by their byte
    /// offset: one read in place whose end is indexed, with no cap (a
    /// cap keeps the newest lines only) and none of its lines dropped.
    fn by_offset(&self) -> Option<&FileLines> {
        let file = self.file.as_ref()?;
        (self.max_lines.is_none() && self.memory.first() == 0 && file.counted() > 0).then_some(file)
    }

    /// True when `id` names a line of the file by its byte offset.
    fn is_offset(&self, id: usize) -> bool {
        self.by_offset()
            .is_some_and(|file| (id as u64) < file.bytes())
    }

    /// The id of the line starting at byte `at` of `file`: its own once
    /// indexed, else the offset; the first line after the file's at its
    /// end.
    fn id_at(&self, file: &FileLines, at: u64) -> usize {
        if at >= file.bytes() {
            return self.base;
        }
        match file.indexed_at(at) {
            Some(j) => self.base - 1 - j,
            None => at as usize,
        }
    }

    /// The id `id` goes by now: a line named by its offset gets its own
    /// id once the index has reached it; any other id stays.
    pub(crate) fn settle(&self, id: usize) -> usize {
        match self.by_offset() {
            Some(file) if (id as u64) < file.bytes() => self.id_at(file, id as u64),
            _ => id,
        }
    }

    /// The first line a display can show: the file's first while its
    /// index has not reached it (named by its offset, 0), else
    /// [`first`](History::first); `None` when there is none.
    pub(crate) fn first_shown(&self) -> Option<usize> {
        if self.first() >= self.shown_len() {
            return None;
        }
        match self.by_offset() {
            Some(file) if !file.done() => Some(0),
            _ => Some(self.first()),
        }
    }

    /// True when a display can show line `id`.
    pub(crate) fn holds_shown(&self, id: usize) -> bool {
        self.is_offset(id) || (id >= self.first() && id < self.shown_len())
    }

    /// The line after `id` a display shows, read forward from a line not
    /// indexed yet.
    pub(crate) fn next_shown(&self, id: usize) -> Option<usize> {
        let next = match self.by_offset() {
            Some(file) if (id as u64) < file.bytes() => {
                self.id_at(file, file.next_start(id as u64)?)
            }
            _ => id + 1,
        };
        (next < self.shown_len()).then_some(next)
    }

    /// The line before `id` a display shows: before the earliest line
    /// indexed too, read back from it.
    pub(crate) fn prev_shown(&self, id: usize) -> Option<usize> {
        if let Some(file) = self.by_offset() {
            if (id as u64) < file.bytes() {
                let at = file.prev_start(id as u64)?;
                return Some(self.id_at(file, at));
            }
            let (counted, earliest) = file.indexed();
            if id == self.base - counted && earliest > 0 {
                return Some(self.id_at(file, file.prev_start(earliest)?));
            }
        }
        (id > self.first()).then(|| id - 1)
    }

    /// Where line `id` stands, for the status bar: its number and the
    /// count of lines, or, while they are being counted, what is known.
    pub(crate) fn position(&self, id: usize) -> Position {
        // Settled first: the index only grows, so the count read after
        // it covers the id.
        let id = self.settle(id);
        let end = self.shown_len();
        let rank = |first: usize, before: usize| Position::Line {
            line: before + (id + 1).min(end) - first.min(id + 1),
            of: before + end - first,
        };
        let Some(file) = self.by_offset() else {
            return rank(self.first(), 0);
        };
        let offset = (id as u64) < file.bytes();
        if let Some((before, counted)) = file.before_index()
            && !offset
        {
            return rank(self.base - counted, before);
        }
        let (line, at) = if offset {
            (file.number_of(id as u64).map(|n| n + 1), id as u64)
        } else if id < self.base {
            (None, file.start_of(self.base - 1 - id).unwrap_or(0))
        } else {
            (None, file.bytes())
        };
        let percent = if id + 1 >= end {
            100
        } else {
            usize::try_from(u128::from(at) * 100 / u128::from(self.bytes().max(1)))
                .unwrap_or(99)
                .min(99)
        };
        Position::Counting { line, percent }
    }

    /// The id of line `n` (1-based) of the input, if it can be known by
    /// `until`: while a file is being indexed, by counting its lines
    /// forward from its start. A number past the last line gives an id
    /// past it too; `None` means it is not known yet.
    pub(crate) fn line_id(&self, n: usize, until: Instant) -> Option<usize> {
        let n = n.saturating_sub(1);
        let Some(file) = self.by_offset() else {
            let origin = self
                .file
                .as_ref()
                .map_or(0, |file| self.base - file.counted());
            return Some(origin + n);
        };
        let mut more = true;
        loop {
            if let Some(at) = file.head_start(n) {
                return Some(self.id_at(file, at));
            }
            // The head met the index: every line's number is known.
            if let Some((before, counted)) = file.before_index() {
                return Some(self.base - counted + n.saturating_sub(before));
            }
            if !more || Instant::now() >= until {
                return None;
            }
            more = file.count_on(n, until);
        }
    }

    /// While a file is being indexed, the first line starting at or
    /// after `percent`% of its bytes (a jump by byte position, as less
    /// makes for a file whose lines are not counted); `None` otherwise,
    /// and past the file's lines.
    pub(crate) fn at_percent(&self, percent: usize) -> Option<usize> {
        let file = self.by_offset().filter(|file| !file.done())?;
        let bytes = u128::from(self.bytes());
        let at = u64::try_from(bytes * percent.min(100) as u128 / 100).ok()?;
        if at >= file.bytes() {
            return None;
        }
        let start = file.start_at_or_after(at)?;
        let id = self.id_at(file, start);
        (id < self.shown_len()).then_some(id)
    }

    /// An error met reading a file's lines to show, once.
    pub(crate) fn read_error(&self) -> Option<String> {
        self.file.as_ref().and_then(FileLines::read_error)
    }

    /// Ticks while a file's index grows; `None` when there is nothing to
    /// index.
    pub(crate) fn progress(&self) -> Option<Receiver<()>> {
        self.file.as_ref().map(|file| file.progress.clone())
    }

    /// Starts indexing a file read in place in the background (after the
    /// first frame).
    pub(crate) fn start_indexing(&self) -> io::Result<()> {
        self.file.as_ref().map_or(Ok(()), FileLines::start)
    }

    /// True while a file's index is still growing: lines before
    /// [`first`](History::first) are still to come.
    pub(crate) fn indexing(&self) -> bool {
        self.file.as_ref().is_some_and(|file| !file.done())
    }

    /// Why a file read in place could not be read to its start, if so.
    pub(crate) fn error(&self) -> Option<String> {
        self.file.as_ref().and_then(FileLines::error)
    }

    /// Reads lines `lines` in runs of whole lines, each run's ids and its
    /// bytes (every line ended by `\n`), the oldest first, or the newest
    /// first when `backward` (the lines inside a run are in order either
    /// way). Stops as soon as `f` breaks, and returns what it returned
    /// last.
    pub(crate) fn scan(
        &self,
        lines: Range<usize>,
        backward: bool,
        mut f: impl FnMut(Range<usize>, &[u8]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        let base = self.base;
        let lines = lines.start.max(self.first())..lines.end;
        let in_file = lines.start..lines.end.min(base);
        let in_memory = lines.start.max(base)..lines.end;
        let file = |f: &mut Visit| {
            match &self.file {
                Some(file) if !in_file.is_empty() => {
                    // Counted from the end: the newest first.
                    let from_end = base - in_file.end..base - in_file.start;
                    file.scan(from_end, backward, |earliest, latest, run| {
                        f(base - 1 - earliest..base - latest, run)
                    })
                }
                _ => ControlFlow::Continue(()),
            }
        };
        let memory = |f: &mut Visit| {
            if in_memory.is_empty() {
                return ControlFlow::Continue(());
            }
            self.memory.scan(
                in_memory.start - base..in_memory.end - base,
                backward,
                |range, run| f(range.start + base..range.end + base, run),
            )
        };
        if backward {
            memory(&mut f)?;
            file(&mut f)
        } else {
            file(&mut f)?;
            memory(&mut f)
        }
    }
}

/// Calls `f` with each line of `run` (lines each ended by `\n`, as
/// [`History::scan`] gives them), without its `\n`.
fn each_line(run: &[u8], mut f: impl FnMut(&[u8])) {
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', run) {
        f(&run[start..end]);
        start = end + 1;
    }
    if start < run.len() {
        f(&run[start..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn in_place(text: &[u8]) -> History {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        let history = History::in_place(file, text.len() as u64, None).unwrap();
        let progress = history.progress().unwrap();
        history.start_indexing().unwrap();
        while history.file.as_ref().is_some_and(|f| !f.done()) {
            let _ = progress.recv();
        }
        history
    }

    #[test]
    fn the_default_budget_is_an_eighth_of_the_machine_between_256_mib_and_4_gib() {
        let info = |kib: u64| format!("MemTotal:       {kib} kB\nMemFree:  1 kB\n");
        assert_eq!(mem_total(&info(24_683_584)), Some(24_683_584 * 1024));
        assert_eq!(mem_total("MemFree: 3 kB\n"), None);
        assert_eq!(mem_total("MemTotal: lots\n"), None);
        let budget = default_max_memory();
        assert!((256 << 20..=4096 << 20).contains(&budget), "{budget}");
        assert_eq!(history_share(64 << 20), 48 << 20);
        assert_eq!(history_share(16 << 20), 12 << 20);
        assert_eq!(history_share(4 << 30), (4 << 30) - (24 << 20));
    }

    #[test]
    fn a_file_then_memory_is_one_history() {
        let mut h = in_place(b"a\nb\nc\npart");
        assert_eq!(h.count(), 3);
        assert_eq!(h.len() - h.first(), 3);
        let first = h.first();
        let texts: Vec<String> = (first..h.len()).map(|i| h.text(i).unwrap()).collect();
        assert_eq!(texts, ["a", "b", "c"]);
        assert_eq!(h.shown(h.len()).as_deref(), Some(&b"part"[..]));
        h.stream(b"ial\nd\n");
        assert_eq!(h.count(), 5);
        let texts: Vec<String> = (first..h.len()).map(|i| h.text(i).unwrap()).collect();
        assert_eq!(texts, ["a", "b", "c", "partial", "d"]);
        let mut all = Vec::new();
        h.for_each(|line| all.push(String::from_utf8_lossy(line).into_owned()));
        assert_eq!(all, texts);
        for backward in [false, true] {
            let mut seen = Vec::new();
            let _ = h.scan(first + 1..h.len() - 1, backward, |range, run| {
                let lines: Vec<&[u8]> = run
                    .strip_suffix(b"\n")
                    .unwrap()
                    .split(|&b| b == b'\n')
                    .collect();
                assert_eq!(lines.len(), range.len());
                for (id, line) in range.zip(lines) {
                    seen.push((id, String::from_utf8_lossy(line).into_owned()));
                }
                ControlFlow::Continue(())
            });
            seen.sort();
            let want: Vec<(usize, String)> = (first + 1..h.len() - 1)
                .map(|i| (i, h.text(i).unwrap()))
                .collect();
            assert_eq!(seen, want, "backward: {backward}");
        }
    }

    /// A history of `text` in place, only its end indexed (the indexer
    /// not started).
    fn partly_indexed(text: &[u8]) -> History {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        History::in_place(file, text.len() as u64, None).unwrap()
    }

    /// `n` lines of 12 bytes: `line 000000` to `line {n-1}`.
    fn numbered(n: usize) -> Vec<u8> {
        (0..n)
            .flat_map(|i| format!("line {i:06}\n").into_bytes())
            .collect()
    }

    fn finish_indexing(h: &History) {
        let progress = h.progress().unwrap();
        h.start_indexing().unwrap();
        while h.indexing() {
            let _ = progress.recv();
        }
    }

    /// Issue 20: `g` on a file still being indexed went to the earliest
    /// line indexed, and stayed there. Its start is known (offset 0):
    /// its lines are read forward from there, numbered from the start.
    #[test]
    fn a_file_not_indexed_yet_is_read_forward_from_its_start() {
        let h = partly_indexed(&numbered(300_000));
        assert!(h.indexing() && h.first() > 0);
        assert_eq!(h.first_shown(), Some(0));
        let mut id = 0;
        for i in 0..1000 {
            assert_eq!(h.text(id).unwrap(), format!("line {i:06}"));
            assert_eq!(
                h.position(id),
                Position::Counting {
                    line: Some(i + 1),
                    percent: 0
                }
            );
            id = h.next_shown(id).unwrap();
        }
        assert_eq!(h.text(id).unwrap(), "line 001000");
        for i in (990..1000).rev() {
            id = h.prev_shown(id).unwrap();
            assert_eq!(h.text(id).unwrap(), format!("line {i:06}"));
        }
        assert_eq!(h.prev_shown(0), None);
        // Up from the earliest line indexed reads back into the rest.
        let first = h.first();
        let earliest: usize = h.text(first).unwrap()[5..].parse().unwrap();
        let before = h.prev_shown(first).unwrap();
        assert!(before < first);
        assert_eq!(h.text(before).unwrap(), format!("line {:06}", earliest - 1));
        // Its number is not known yet: never a wrong one.
        assert!(matches!(
            h.position(first),
            Position::Counting { line: None, .. }
        ));
    }

    #[test]
    fn percent_is_by_bytes_and_line_numbers_are_counted_while_indexing() {
        let h = partly_indexed(&numbered(300_000));
        let half = h.at_percent(50).unwrap();
        assert_eq!(h.text(half).unwrap(), "line 150000");
        assert_eq!(
            h.position(half),
            Position::Counting {
                line: None,
                percent: 50
            }
        );
        assert_eq!(h.text(h.at_percent(0).unwrap()).unwrap(), "line 000000");
        // Near: counted forward at once.
        let soon = Instant::now() + std::time::Duration::from_secs(60);
        let id = h.line_id(100, soon).unwrap();
        assert_eq!(h.text(id).unwrap(), "line 000099");
        // Far, with no time to count: not known yet, never another line.
        assert_eq!(h.line_id(250_000, Instant::now()), None);
        // With time, counted: its number is known, not yet the count.
        let id = h.line_id(250_000, soon).unwrap();
        assert_eq!(h.text(id).unwrap(), "line 249999");
        assert_eq!(
            h.position(id),
            Position::Counting {
                line: Some(250_000),
                percent: 83
            }
        );
        // Past the earliest indexed: the count meets the index, and every
        // number is known.
        let id = h.line_id(299_000, soon).unwrap();
        assert!(id >= h.first());
        assert_eq!(h.text(id).unwrap(), "line 298999");
        assert_eq!(
            h.position(id),
            Position::Line {
                line: 299_000,
                of: 300_000
            }
        );
        assert_eq!(h.line_id(300_001, soon), Some(h.len()));
    }

    #[test]
    fn walking_forward_meets_the_index_and_settles_on_the_same_lines() {
        let h = partly_indexed(&numbered(10_000));
        assert!(h.indexing() && h.count() < 10_000);
        let mut id = h.first_shown().unwrap();
        let mut walked = vec![id];
        while let Some(next) = h.next_shown(id) {
            walked.push(next);
            id = next;
        }
        assert_eq!(walked.len(), 10_000);
        for (i, &id) in walked.iter().enumerate() {
            assert_eq!(h.text(id).unwrap(), format!("line {i:06}"));
        }
        // Offsets while not indexed, then the index's own ids.
        let met = walked.iter().position(|&id| id >= h.first()).unwrap();
        assert!(met > 0 && walked[met..].windows(2).all(|w| w[1] == w[0] + 1));
        assert_eq!(
            h.position(walked[9_999]),
            Position::Line {
                line: 10_000,
                of: 10_000
            }
        );
        finish_indexing(&h);
        assert!(!h.indexing());
        for (i, &id) in walked.iter().enumerate() {
            assert_eq!(h.settle(id), h.first() + i, "line {i}");
        }
        assert_eq!(
            h.position(walked[0]),
            Position::Line {
                line: 1,
                of: 10_000
            }
        );
    }

    #[test]
    fn ids_of_a_file_stay_as_its_index_grows() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            text.extend_from_slice(format!("{i}\n").as_bytes());
        }
        let h = in_place(&text);
        assert_eq!(h.count(), 200_000);
        assert_eq!(h.text(h.len() - 1).as_deref(), Some("199999"));
        assert_eq!(h.text(h.first()).as_deref(), Some("0"));
        assert_eq!(h.text(h.first() + 12_345).as_deref(), Some("12345"));
        assert_eq!(h.get(h.first() - 1), None);
    }
}
