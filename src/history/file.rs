//! A file's lines read in place: an index of where lines start, not the
//! bytes. The index is built from the end of the file backward, in a thread
//! of its own, so the last lines are known at once (the first screen of a
//! 1 GB log does not wait for the rest to be read) and the line count grows
//! as the rest is indexed. Lines are numbered from the end (line 0 is the
//! last), so a line's number never changes as the index grows. The
//! indexer stops when the lines are dropped (the printer gone), at its
//! next window: a multi-GB file is not read on for nobody.
//!
//! Before the index reaches a line, the line can still be read *forward*
//! from a byte offset known to start one (0, or the start after any
//! `\n`): `line_from`, `next_start`, `prev_start`. The lines counted that
//! way from the file's start (the *head*, every [`BLOCK`]th start kept)
//! have their numbers from the start at once; when the head reaches the
//! earliest line indexed, every line's number is known, before the index
//! itself gets there (`before_index`).

use std::cell::RefCell;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

/// Lines per index entry: reading a line skips at most this many others.
const BLOCK: usize = 64;

/// How much the indexer reads at a time, and a scan hands out.
const WINDOW: usize = 1 << 20;

/// Shown for a line whose bytes the file no longer has (it was truncated
/// after it was indexed).
const GONE: &[u8] = b"\xe2\x9f\xa8reflow: this line is gone: the file was truncated\xe2\x9f\xa9";

/// How much is read at a time for lines to show: a block of them.
const WINDOW_READ: usize = 64 * 1024;
/// The most bytes a scan reads in one run, unless one line is longer.
const RUN_BYTES: u64 = 16 << 20;

/// How much is indexed before the history is handed over: a few
/// screenfuls of the end, for the first frame.
const FIRST_WINDOW: usize = 64 * 1024;

/// What the indexer found so far.
#[derive(Debug, Default)]
struct Index {
    /// `starts[k]`: where line `BLOCK * k` from the end starts.
    starts: Vec<u64>,
    /// Lines whose start is known: lines `0..counted` from the end.
    counted: usize,
    /// Where line `counted - 1` starts (the earliest known).
    earliest: u64,
    /// The whole file is indexed.
    done: bool,
    /// Reading the file failed: what is indexed stays, the rest is not
    /// shown.
    error: Option<String>,
}

/// The lines counted forward from the file's start (see the module's
/// docs): where every [`BLOCK`]th starts, and how far the count has got.
#[derive(Debug)]
struct Head {
    /// `blocks[k]`: where line `BLOCK * k` from the start (0-based) starts.
    blocks: Vec<u64>,
    /// Lines `0..count` are counted: line `count` starts at `end`.
    count: usize,
    end: u64,
    /// How far the bytes have been read for the count (a long line's
    /// start may be read while its end is not found yet).
    scanned: u64,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            blocks: vec![0],
            count: 0,
            end: 0,
            scanned: 0,
        }
    }
}

impl Head {
    /// Line `count` ends at `end` (one past its `\n`): counted.
    fn push(&mut self, end: u64) {
        self.count += 1;
        self.end = end;
        self.scanned = self.scanned.max(end);
        if self.count.is_multiple_of(BLOCK) {
            self.blocks.push(end);
        }
    }
}

/// A file's first `end` bytes, as lines (each ended by `\n` there).
#[derive(Debug)]
pub(crate) struct FileLines {
    file: Arc<File>,
    /// The end of the last whole line taken (one past its `\n`).
    end: u64,
    index: Arc<Mutex<Index>>,
    /// A tick each time the indexer found more lines, and at its end.
    pub(crate) progress: Receiver<()>,
    /// The indexer, until it is started in the background.
    pending: RefCell<Option<(Indexer, Sender<()>)>>,
    /// The last piece of the file read for lines, and where it starts:
    /// lines shown together are read together.
    window: RefCell<(u64, Vec<u8>)>,
    /// The file was seen shorter than `end`: cut short, and maybe written
    /// again from its start, so none of its bytes can be trusted to be the
    /// lines indexed.
    cut: std::cell::Cell<bool>,
    /// Set when these lines are dropped: the indexer stops at its next
    /// window.
    stop: Arc<AtomicBool>,
    /// The lines counted forward from the start, while the index has not
    /// reached them.
    head: RefCell<Head>,
    /// The first error reading lines to show, not told yet.
    failed: RefCell<Option<String>>,
}

impl FileLines {
    /// Takes the whole lines of `file`'s first `len` bytes in place and
    /// starts indexing them. Returns them and the bytes after the last
    /// `\n` (a last line not ended yet), which are read now.
    pub(crate) fn open(file: File, len: u64) -> io::Result<(FileLines, Vec<u8>)> {
        let (end, tail) = last_line_end(&file, len)?;
        let file = Arc::new(file);
        let index = Arc::new(Mutex::new(Index {
            earliest: end,
            done: end == 0,
            ..Index::default()
        }));
        let (tick, progress) = crossbeam_channel::bounded(1);
        let mut pending = None;
        let mut window = (u64::MAX, Vec::new());
        if end > 0 {
            // The last screenfuls now, so the first frame shows them; the
            // rest in the background once it is out (see `start`).
            let mut indexer = Indexer::new(end);
            let done = indexer.step(&file, FIRST_WINDOW, &index);
            // Their bytes are the first window of lines to show: the first
            // frame reads nothing more.
            if index.lock().is_ok_and(|index| index.error.is_none()) {
                window = (indexer.at, std::mem::take(&mut indexer.buf));
            }
            if !done {
                pending = Some((indexer, tick));
            }
        }
        Ok((
            FileLines {
                file,
                end,
                index,
                progress,
                pending: RefCell::new(pending),
                window: RefCell::new(window),
                cut: std::cell::Cell::new(false),
                stop: Arc::new(AtomicBool::new(false)),
                head: RefCell::new(Head::default()),
                failed: RefCell::new(None),
            },
            tail,
        ))
    }

    /// Indexes the rest of the file in the background, from now on (after
    /// the first frame: the indexer does not compete with it).
    pub(crate) fn start(&self) -> io::Result<()> {
        let Some((indexer, tick)) = self.pending.borrow_mut().take() else {
            return Ok(());
        };
        let (file, index) = (Arc::clone(&self.file), Arc::clone(&self.index));
        let stop = Arc::clone(&self.stop);
        thread::Builder::new()
            .name("reflow-index".into())
            .spawn(move || {
                wait_for_gate();
                build_index(&file, indexer, &index, &tick, &stop);
            })?;
        Ok(())
    }

    fn index(&self) -> MutexGuard<'_, Index> {
        self.index.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lines known so far (counted from the end).
    pub(crate) fn counted(&self) -> usize {
        self.index().counted
    }

    /// Bytes the lines take.
    pub(crate) fn bytes(&self) -> u64 {
        self.end
    }

    /// The index is complete.
    pub(crate) fn done(&self) -> bool {
        self.index().done
    }

    /// Bytes the index holds.
    pub(crate) fn allocated(&self) -> usize {
        self.index().starts.capacity() * 8
    }

    /// A known line start at or before line `j` (from the end) and how
    /// many line ends lie between it and line `j`'s start.
    fn locate(index: &Index, j: usize) -> Option<(u64, usize)> {
        if j >= index.counted {
            return None;
        }
        let k = j.div_ceil(BLOCK);
        let (from, line) = match index.starts.get(k) {
            Some(&at) => (at, k * BLOCK),
            None => (index.earliest, index.counted - 1),
        };
        Some((from, line - j))
    }

    /// Where line `j` from the end starts, if known.
    fn line_start(&self, index: &Index, j: usize) -> Option<u64> {
        let (from, skip) = Self::locate(index, j)?;
        // Forward from a start earlier in the file: skip `skip` line ends.
        self.skip(from, skip)
    }

    /// The offset `count` line ends after `from`.
    fn skip(&self, mut from: u64, mut count: usize) -> Option<u64> {
        // Through the bytes of the window first, if it holds `from`.
        if count > 0 {
            let window = self.window.borrow();
            if let Some(bytes) = held(&window, from) {
                for at in memchr::memchr_iter(b'\n', bytes) {
                    count -= 1;
                    if count == 0 {
                        return Some(from + at as u64 + 1);
                    }
                }
                from += bytes.len() as u64;
            }
        }
        let mut buf = vec![0; 16 * 1024];
        while count > 0 {
            let n = self.read(&mut buf, from)?;
            for at in memchr::memchr_iter(b'\n', &buf[..n]) {
                count -= 1;
                if count == 0 {
                    return Some(from + at as u64 + 1);
                }
            }
            from += n as u64;
        }
        Some(from)
    }

    /// Reads at `at` into `buf`, up to `end`: how many bytes, `None` at the
    /// end or on an error (a file cut short under us).
    fn read(&self, buf: &mut [u8], at: u64) -> Option<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.end.saturating_sub(at)).ok()?);
        if want == 0 {
            return None;
        }
        match self.file.read_at(&mut buf[..want], at) {
            Ok(0) => None,
            Err(e) => {
                self.failed
                    .borrow_mut()
                    .get_or_insert_with(|| e.to_string());
                None
            }
            Ok(n) => Some(n),
        }
    }

    /// Line `j` from the end, without its `\n`; `None` if it is not
    /// indexed yet, or its bytes are gone (the file was cut short).
    pub(crate) fn get(&self, j: usize) -> Option<Vec<u8>> {
        let (from, skip) = Self::locate(&self.index(), j)?;
        if self.cut.get() {
            return Some(GONE.to_vec());
        }
        // Bytes read before were the lines indexed when they were read.
        if let Some(line) = self.kept(from, skip) {
            return Some(line);
        }
        let line = self.read_line(from, skip);
        self.checked(line)
    }

    /// What was just read from the file, unless the file is now seen cut
    /// short: then it may be other bytes than the lines indexed, and must
    /// never be shown in their place.
    fn checked(&self, line: Option<Vec<u8>>) -> Option<Vec<u8>> {
        match self.is_cut() {
            true => Some(GONE.to_vec()),
            false => line,
        }
    }

    /// The line `skip` line ends after `from`, if the window holds it.
    fn kept(&self, from: u64, skip: usize) -> Option<Vec<u8>> {
        let window = self.window.borrow();
        let start = match skip {
            0 => from,
            _ => from + memchr::memchr_iter(b'\n', held(&window, from)?).nth(skip - 1)? as u64 + 1,
        };
        covered(&window, start).map(<[u8]>::to_vec)
    }

    /// True once the file has been seen shorter than what was indexed
    /// (copy-truncate): checked after every read from the file (the bytes
    /// of one read before are shown as they were read), and never
    /// forgotten, since a file written again from its start may grow past
    /// `end` with other bytes.
    fn is_cut(&self) -> bool {
        if !self.cut.get() && self.file.metadata().is_ok_and(|m| m.len() < self.end) {
            self.cut.set(true);
        }
        self.cut.get()
    }

    /// Line `skip` line ends after `from`, read from the file.
    fn read_line(&self, from: u64, skip: usize) -> Option<Vec<u8>> {
        if let Some(line) = self.in_window(from, skip) {
            return Some(line);
        }
        let start = self.skip(from, skip)?;
        let mut line = Vec::new();
        let mut buf = vec![0; 4096];
        let mut at = start;
        loop {
            let n = self.read(&mut buf, at)?;
            if let Some(nl) = memchr::memchr(b'\n', &buf[..n]) {
                line.extend_from_slice(&buf[..nl]);
                return Some(line);
            }
            line.extend_from_slice(&buf[..n]);
            at += n as u64;
            // Read more of a long line at a time.
            if buf.len() < WINDOW {
                buf.resize(buf.len() * 2, 0);
            }
        }
    }

    /// The line `skip` line ends after `from`, if it lies in the piece of
    /// [`WINDOW_READ`] bytes read at `from` (read now, or kept from before).
    fn in_window(&self, from: u64, skip: usize) -> Option<Vec<u8>> {
        {
            let mut window = self.window.borrow_mut();
            if window.0 != from {
                let mut buf = std::mem::take(&mut window.1);
                buf.resize(WINDOW_READ, 0);
                let n = self.read(&mut buf, from)?;
                buf.truncate(n);
                *window = (from, buf);
            }
        }
        self.kept(from, skip)
    }

    /// The bytes of lines `from` down to `to` from the end (`from >= to`,
    /// both indexed), each ended by `\n`.
    fn run(&self, from: usize, to: usize) -> Option<Vec<u8>> {
        if self.cut.get() {
            return None;
        }
        let (start, end) = self.run_span(from, to)?;
        let len = usize::try_from(end - start).ok()?;
        if let Some(bytes) = held(&self.window.borrow(), start).and_then(|bytes| bytes.get(..len)) {
            return Some(bytes.to_vec());
        }
        let mut bytes = vec![0; len];
        self.file.read_exact_at(&mut bytes, start).ok()?;
        (!self.is_cut()).then_some(bytes)
    }

    /// Where the run of lines `from` (the earliest, counted from the end)
    /// down to `to` starts and ends in the file.
    fn run_span(&self, from: usize, to: usize) -> Option<(u64, u64)> {
        let index = self.index();
        let start = self.line_start(&index, from)?;
        let end = match to {
            0 => self.end,
            _ => self.line_start(&index, to - 1)?,
        };
        Some((start, end))
    }

    /// Hands out lines `from..to` counted from the end, in runs of whole
    /// lines of about a [`WINDOW`]: each run's range (from the end, in file
    /// order: `Range { start: later, end: earlier + 1 }` is not used; see
    /// `f`'s arguments) and bytes. `f(first, last, bytes)` gets the run's
    /// earliest and latest line (from the end) and its bytes. Runs come in
    /// file order, or reversed when `backward`.
    pub(crate) fn scan(
        &self,
        lines: Range<usize>,
        backward: bool,
        mut f: impl FnMut(usize, usize, &[u8]) -> std::ops::ControlFlow<()>,
    ) -> std::ops::ControlFlow<()> {
        use std::ops::ControlFlow;
        // `lines` are from the end: `lines.start` is the latest.
        let counted = self.counted();
        let (latest, earliest) = (lines.start, lines.end.min(counted));
        if latest >= earliest {
            return ControlFlow::Continue(());
        }
        // Runs of whole blocks: about a window of bytes each.
        let per_run = (BLOCK * 128).max(1);
        let mut runs = Vec::new();
        let mut hi = earliest;
        while hi > latest {
            let mut lo = hi.saturating_sub(per_run).max(latest);
            // A run is read whole: bounded in bytes too, so long lines
            // never make a search allocate more than RUN_BYTES (a single
            // longer line is a run of its own).
            while hi - lo > 1
                && self
                    .run_span(hi - 1, lo)
                    .is_some_and(|(start, end)| end - start > RUN_BYTES)
            {
                lo = hi - (hi - lo) / 2;
            }
            runs.push((hi - 1, lo));
            hi = lo;
        }
        if backward {
            runs.reverse();
        }
        for (first, last) in runs {
            let Some(bytes) = self.run(first, last) else {
                return ControlFlow::Continue(());
            };
            f(first, last, &bytes)?;
        }
        ControlFlow::Continue(())
    }

    /// A reason reading the file stopped, if it did.
    pub(crate) fn error(&self) -> Option<String> {
        self.index().error.clone()
    }

    /// The first error met reading lines to show since the last call.
    pub(crate) fn read_error(&self) -> Option<String> {
        self.failed.borrow_mut().take()
    }

    /// How many lines are indexed and where the earliest starts, read
    /// together.
    pub(crate) fn indexed(&self) -> (usize, u64) {
        let index = self.index();
        (index.counted, index.earliest)
    }

    /// Where line `j` from the end starts, if it is indexed.
    pub(crate) fn start_of(&self, j: usize) -> Option<u64> {
        let (from, skip) = Self::locate(&self.index(), j)?;
        self.skip(from, skip)
    }

    /// The line that starts at byte `at` (a line start: 0, or after a
    /// `\n`), without its `\n`, read forward whether or not it is indexed.
    pub(crate) fn line_from(&self, at: u64) -> Option<Vec<u8>> {
        if at >= self.end {
            return None;
        }
        if self.cut.get() {
            return Some(GONE.to_vec());
        }
        if let Some(line) = covered(&self.window.borrow(), at) {
            return Some(line.to_vec());
        }
        let line = self.read_line(at, 0);
        self.checked(line)
    }

    /// Where the line after the one starting at `at` starts (`end` after
    /// the last). Counted in the head when it goes on from there.
    pub(crate) fn next_start(&self, at: u64) -> Option<u64> {
        if at >= self.end {
            return None;
        }
        let line = covered(&self.window.borrow(), at).map(<[u8]>::len);
        let next = match line.or_else(|| self.in_window(at, 0).map(|l| l.len())) {
            Some(len) => at + len as u64 + 1,
            // Longer than a window: its end is found by reading on.
            None => self.skip(at, 1)?,
        };
        let mut head = self.head.borrow_mut();
        if head.end == at {
            head.push(next);
        }
        Some(next)
    }

    /// Where the line before the one starting at `at` starts (`None` at
    /// the file's start). `at` may be `end`: then the last line's start.
    pub(crate) fn prev_start(&self, at: u64) -> Option<u64> {
        if at == 0 || at > self.end {
            return None;
        }
        // The `\n` at `at - 1` ends the line before: its start is after
        // the `\n` before that, or the file's start.
        let mut until = at - 1;
        {
            let window = self.window.borrow();
            if let Some(off) = until.checked_sub(window.0)
                && let Some(bytes) = window.1.get(..usize::try_from(off).ok()?)
            {
                match memchr::memrchr(b'\n', bytes) {
                    Some(nl) => return Some(window.0 + nl as u64 + 1),
                    None if window.0 == 0 => return Some(0),
                    None => until = window.0,
                }
            }
        }
        let mut buf = vec![0; 16 * 1024];
        while until > 0 {
            let from = until.saturating_sub(buf.len() as u64);
            let piece = &mut buf[..usize::try_from(until - from).ok()?];
            if let Err(e) = self.file.read_exact_at(piece, from) {
                self.failed
                    .borrow_mut()
                    .get_or_insert_with(|| e.to_string());
                return None;
            }
            if let Some(nl) = memchr::memrchr(b'\n', piece) {
                return Some(from + nl as u64 + 1);
            }
            until = from;
        }
        Some(0)
    }

    /// The first line starting at or after byte `at` (`end` past the
    /// last): where a jump to a byte position lands.
    pub(crate) fn start_at_or_after(&self, at: u64) -> Option<u64> {
        if at == 0 || at >= self.end {
            return Some(at.min(self.end));
        }
        // The line holding byte `at - 1` ends at the first `\n` from there.
        self.skip(at - 1, 1)
    }

    /// Line `j` (from the end) of the indexed line starting at byte `at`,
    /// if the index has reached it.
    pub(crate) fn indexed_at(&self, at: u64) -> Option<usize> {
        let (from, line) = {
            let index = self.index();
            if index.counted == 0 || at < index.earliest || at >= self.end {
                return None;
            }
            // Block starts go down the file as `k` grows.
            let k = index.starts.partition_point(|&start| start > at);
            match index.starts.get(k) {
                Some(&start) => (start, k * BLOCK),
                None => (index.earliest, index.counted - 1),
            }
        };
        line.checked_sub(self.newlines(from, at)?)
    }

    /// How many `\n` lie in bytes `from..to`.
    fn newlines(&self, mut from: u64, to: u64) -> Option<usize> {
        let mut buf = vec![0; 16 * 1024];
        let mut count = 0;
        while from < to {
            let want = usize::try_from(to - from).map_or(buf.len(), |n| n.min(buf.len()));
            let n = self.read(&mut buf[..want], from)?;
            count += memchr::memchr_iter(b'\n', &buf[..n]).count();
            from += n as u64;
        }
        Some(count)
    }

    /// How many lines come before the line starting at byte `at`, if the
    /// head has counted that far.
    pub(crate) fn number_of(&self, at: u64) -> Option<usize> {
        let (from, line) = {
            let head = self.head.borrow();
            if at > head.end {
                return None;
            }
            let k = head
                .blocks
                .partition_point(|&start| start <= at)
                .checked_sub(1)?;
            (head.blocks[k], k * BLOCK)
        };
        Some(line + self.newlines(from, at)?)
    }

    /// Once the head has reached the earliest line indexed (or the index
    /// the start), every line's number is known: how many lines come
    /// before the earliest indexed, and how many are indexed.
    pub(crate) fn before_index(&self) -> Option<(usize, usize)> {
        let (counted, earliest) = self.indexed();
        let before = match earliest {
            0 => 0,
            _ => self.number_of(earliest)?,
        };
        Some((before, counted))
    }

    /// Where line `n` from the start (0-based) starts, if the head has
    /// counted that far.
    pub(crate) fn head_start(&self, n: usize) -> Option<u64> {
        let (from, skip) = {
            let head = self.head.borrow();
            if n > head.count {
                return None;
            }
            if n == head.count {
                return Some(head.end);
            }
            (head.blocks[n / BLOCK], n % BLOCK)
        };
        self.skip(from, skip)
    }

    /// Counts more lines forward from the start, a window at a time,
    /// until `lines` are counted, `until` (one window at least), the
    /// file's end, or the earliest line indexed (from there the index
    /// knows). Returns whether there is more to count.
    pub(crate) fn count_on(&self, lines: usize, until: Instant) -> bool {
        let mut buf = vec![0; WINDOW];
        loop {
            let (_, earliest) = self.indexed();
            let from = {
                let head = self.head.borrow();
                if head.end >= earliest || head.scanned >= self.end {
                    return false;
                }
                if head.count >= lines {
                    return true;
                }
                head.scanned
            };
            let Some(n) = self.read(&mut buf, from) else {
                return false;
            };
            let mut head = self.head.borrow_mut();
            for nl in memchr::memchr_iter(b'\n', &buf[..n]) {
                head.push(from + nl as u64 + 1);
            }
            head.scanned = from + n as u64;
            drop(head);
            if Instant::now() >= until {
                return true;
            }
        }
    }
}

/// The bytes of `window` (a piece of the file and where it starts) from
/// byte `at` of the file on, if it holds that byte.
fn held(window: &(u64, Vec<u8>), at: u64) -> Option<&[u8]> {
    let off = usize::try_from(at.checked_sub(window.0)?).ok()?;
    window.1.get(off..)
}

/// The line of `window` that starts at byte `at` of the file, if the
/// window holds it whole (its `\n` too).
fn covered(window: &(u64, Vec<u8>), at: u64) -> Option<&[u8]> {
    let bytes = held(window, at)?;
    let nl = memchr::memchr(b'\n', bytes)?;
    Some(&bytes[..nl])
}

/// For reflow's own tests (`tests/inplace.rs`): with
/// `REFLOW_TEST_INDEX_GATE` naming a FIFO, the indexer waits before
/// indexing more than the first window until something opens the FIFO
/// to write and closes it, so a test can act while a file is only
/// partly indexed, whatever the machine's speed. Unset, nothing waits.
fn wait_for_gate() {
    if let Some(gate) = std::env::var_os("REFLOW_TEST_INDEX_GATE") {
        // Blocks in open(2) until a writer comes, then reads to its end.
        let _ = std::fs::read(gate);
    }
}

impl Drop for FileLines {
    /// Stops the indexer (it is detached: a read in progress is not
    /// waited for).
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The end of the last whole line in `file`'s first `len` bytes, and the
/// bytes after it.
fn last_line_end(file: &File, len: u64) -> io::Result<(u64, Vec<u8>)> {
    // A last line is short, as a rule: a small read finds its start (the
    // indexer reads the lines before it next), bigger ones a long one's.
    let mut buf = vec![0; 4 * 1024];
    let mut at = len;
    let mut tail = Vec::new();
    while at > 0 {
        if tail.len() >= buf.len() && buf.len() < 64 * 1024 {
            buf.resize(buf.len() * 4, 0);
        }
        let from = at.saturating_sub(buf.len() as u64);
        let piece = &mut buf[..usize::try_from(at - from).unwrap_or(0)];
        file.read_exact_at(piece, from)?;
        if let Some(nl) = memchr::memrchr(b'\n', piece) {
            let end = from + nl as u64 + 1;
            tail.splice(0..0, piece[nl + 1..].iter().copied());
            return Ok((end, tail));
        }
        tail.splice(0..0, piece.iter().copied());
        at = from;
    }
    Ok((0, tail))
}

/// Indexing from the end backward: where it has got to.
#[derive(Debug)]
struct Indexer {
    /// The end of what is left to index (the `\n` at `end - 1` ends the
    /// last line, and belongs to it).
    at: u64,
    counted: usize,
    earliest: u64,
    buf: Vec<u8>,
}

impl Indexer {
    fn new(end: u64) -> Self {
        Indexer {
            at: end - 1,
            counted: 0,
            earliest: end,
            buf: Vec::new(),
        }
    }

    /// Indexes up to `window` more bytes and publishes them. Returns true
    /// when the index is complete (or reading failed).
    fn step(&mut self, file: &File, window: usize, index: &Mutex<Index>) -> bool {
        let from = self.at.saturating_sub(window as u64);
        self.buf
            .resize(usize::try_from(self.at - from).unwrap_or(0), 0);
        if let Err(e) = file.read_exact_at(&mut self.buf, from) {
            let mut index = index.lock().unwrap_or_else(|e| e.into_inner());
            index.error = Some(e.to_string());
            index.done = true;
            return true;
        }
        let mut starts = Vec::new();
        let mut line_start = |start: u64, this: &mut Indexer| {
            if this.counted.is_multiple_of(BLOCK) {
                starts.push(start);
            }
            this.counted += 1;
            this.earliest = start;
        };
        let buf = std::mem::take(&mut self.buf);
        for nl in memchr::memrchr_iter(b'\n', &buf) {
            // A line starts after each `\n`.
            line_start(from + nl as u64 + 1, self);
        }
        self.buf = buf;
        let done = from == 0;
        if done {
            // The first line starts at 0.
            line_start(0, self);
        }
        let mut index = index.lock().unwrap_or_else(|e| e.into_inner());
        index.starts.extend_from_slice(&starts);
        index.counted = self.counted;
        index.earliest = self.earliest;
        index.done = done;
        self.at = from;
        done
    }
}

/// Indexes the rest of `file` back to its start, a window at a time,
/// ticking `tick` after each, unless `stop` is set first.
fn build_index(
    file: &File,
    mut indexer: Indexer,
    index: &Mutex<Index>,
    tick: &Sender<()>,
    stop: &AtomicBool,
) {
    loop {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let done = indexer.step(file, WINDOW, index);
        let _ = tick.try_send(());
        if done {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_of(bytes: &[u8]) -> (File, u64) {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        (file, bytes.len() as u64)
    }

    fn indexed(bytes: &[u8]) -> (FileLines, Vec<u8>) {
        let (file, len) = file_of(bytes);
        let (lines, tail) = FileLines::open(file, len).unwrap();
        lines.start().unwrap();
        while !lines.done() {
            let _ = lines.progress.recv();
        }
        (lines, tail)
    }

    #[test]
    fn lines_are_read_back_from_the_end() {
        let (lines, tail) = indexed(b"one\ntwo\r\n\nfour\xff\nfive");
        assert_eq!(tail, b"five");
        assert_eq!(lines.counted(), 4);
        let got: Vec<Vec<u8>> = (0..4).map(|j| lines.get(j).unwrap()).collect();
        assert_eq!(
            got,
            [&b"four\xff"[..], b"", b"two\r", b"one"].map(<[u8]>::to_vec)
        );
        assert_eq!(lines.get(4), None);
    }

    /// 8,192 lines of 4 KiB would be one run of 32 MiB: runs stay within
    /// RUN_BYTES, and still give every line once, in order.
    #[test]
    fn a_scan_of_long_lines_reads_runs_bounded_in_bytes() {
        let line = "y".repeat(4095);
        let mut text = Vec::new();
        for _ in 0..8192 {
            text.extend_from_slice(line.as_bytes());
            text.push(b'\n');
        }
        let (lines, _) = indexed(&text);
        assert_eq!(lines.counted(), 8192);
        let (mut seen, mut largest) = (0, 0);
        let _ = lines.scan(0..8192, true, |first, last, bytes| {
            assert_eq!(memchr::memchr_iter(b'\n', bytes).count(), first - last + 1);
            seen += first - last + 1;
            largest = largest.max(bytes.len());
            std::ops::ControlFlow::Continue(())
        });
        assert_eq!(seen, 8192);
        assert!(largest as u64 <= RUN_BYTES, "a run of {largest} bytes");
    }

    #[test]
    fn many_lines_across_windows_and_blocks() {
        let mut text = Vec::new();
        for i in 0..300_000 {
            text.extend_from_slice(format!("line {i} {}\n", "x".repeat(i % 17)).as_bytes());
        }
        let (lines, tail) = indexed(&text);
        assert!(tail.is_empty());
        assert_eq!(lines.counted(), 300_000);
        for i in [0, 1, 63, 64, 65, 127, 128, 8191, 150_000, 299_999] {
            let want = format!("line {i} {}", "x".repeat(i % 17));
            assert_eq!(lines.get(299_999 - i).unwrap(), want.as_bytes(), "line {i}");
        }
        // Scans give every line once, in order, both ways.
        for backward in [false, true] {
            let mut seen = Vec::new();
            let _ = lines.scan(0..300_000, backward, |first, last, bytes| {
                assert_eq!(memchr::memchr_iter(b'\n', bytes).count(), first - last + 1);
                seen.push((first, last));
                std::ops::ControlFlow::Continue(())
            });
            if backward {
                seen.reverse();
            }
            assert_eq!(seen.first().unwrap().0, 299_999);
            assert_eq!(seen.last().unwrap().1, 0);
            for pair in seen.windows(2) {
                assert_eq!(pair[0].1, pair[1].0 + 1);
            }
        }
    }

    /// Lines, line starts and runs read from the bytes kept from before
    /// (the first window, read with the index's first screenfuls) are
    /// those read from the file.
    #[test]
    fn what_is_kept_from_a_read_is_what_the_file_holds() {
        let mut text = Vec::new();
        let mut starts = Vec::new();
        for i in 0..3000 {
            starts.push(text.len() as u64);
            // Some lines longer than a window of lines read together.
            let long = if i % 700 == 5 { 70_000 } else { i % 23 };
            text.extend_from_slice(format!("line {i} {}\n", "y".repeat(long)).as_bytes());
        }
        let want = |i: usize| {
            format!(
                "line {i} {}",
                "y".repeat(if i % 700 == 5 { 70_000 } else { i % 23 })
            )
        };
        let n = starts.len();
        // Runs near the end (in the first window) and across long lines.
        let runs = |lines: &FileLines| {
            for (latest, earliest) in [(0, 10), (3, 64), (0, 200), (690, 720), (0, 3000)] {
                let mut bytes = Vec::new();
                let _ = lines.scan(latest..earliest, false, |_, _, run| {
                    bytes.extend_from_slice(run);
                    std::ops::ControlFlow::Continue(())
                });
                let (from, to) = (n - earliest, n - latest);
                let end = starts.get(to).map_or(text.len(), |&at| at as usize);
                assert!(
                    bytes == text[starts[from] as usize..end],
                    "lines {latest}..{earliest}"
                );
            }
        };
        let (lines, _) = indexed(&text);
        runs(&lines);
        // From the end, as the first frame reads them, then here and there.
        let (lines, _) = indexed(&text);
        for j in (0..200).chain([699, 700, 1500, 2294, 2295, 2999]) {
            let i = n - 1 - j;
            assert_eq!(lines.get(j).unwrap(), want(i).as_bytes(), "line {i}");
            assert_eq!(lines.start_of(j), Some(starts[i]), "start of line {i}");
            assert_eq!(lines.line_from(starts[i]).unwrap(), want(i).as_bytes());
        }
        runs(&lines);
    }

    #[test]
    fn an_empty_file_and_one_without_newlines() {
        let (lines, tail) = indexed(b"");
        assert_eq!((lines.counted(), tail.len()), (0, 0));
        let (lines, tail) = indexed(b"no newline");
        assert_eq!((lines.counted(), &tail[..]), (0, &b"no newline"[..]));
        let (lines, _) = indexed(b"\n");
        assert_eq!(lines.counted(), 1);
        assert_eq!(lines.get(0).unwrap(), b"");
    }

    /// Issue 17: the indexer read on to the start of a multi-GB file after
    /// the printer (and its history) was gone.
    #[test]
    fn dropping_the_lines_stops_the_indexer() {
        // 4 GiB, sparse: seconds to index, even at gigabytes a second.
        let file = tempfile::tempfile().unwrap();
        file.set_len(4 << 30).unwrap();
        file.write_all_at(b"\nlast\n", (4 << 30) - 6).unwrap();
        let (lines, _) = FileLines::open(file, 4 << 30).unwrap();
        let (index, progress) = (Arc::clone(&lines.index), lines.progress.clone());
        lines.start().unwrap();
        drop(lines);
        // The indexer holds the only sender: its end disconnects the ticks.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            match progress.recv_deadline(deadline) {
                Ok(()) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                    panic!("the indexer still runs")
                }
            }
        }
        let index = index.lock().unwrap();
        assert!(
            !index.done,
            "indexed all {} lines for nobody",
            index.counted
        );
    }

    #[test]
    fn a_file_cut_short_shows_a_line_gone_rather_than_other_bytes() {
        // Longer than a window of lines read together: its first lines are
        // read from the file again after the last ones.
        let text: String = (0..5000)
            .map(|i| format!("line {i:06} {}\n", "a".repeat(40)))
            .collect();
        let (file, len) = file_of(text.as_bytes());
        let (lines, _) = FileLines::open(file.try_clone().unwrap(), len).unwrap();
        lines.start().unwrap();
        while !lines.done() {
            let _ = lines.progress.recv();
        }
        let last = lines.get(0).unwrap();
        assert!(last.starts_with(b"line 004999 "));
        assert!(lines.get(4999).unwrap().starts_with(b"line 000000 "));
        file.set_len(5).unwrap();
        // A line read from the file now is gone.
        assert_eq!(lines.get(2500).unwrap(), GONE);
        // Written again past the old end with other bytes: every line is
        // gone from then on, those read before too, never those bytes.
        file.write_all_at("X".repeat(len as usize + 100).as_bytes(), 0)
            .unwrap();
        for j in [0, 1, 2500, 4999] {
            assert_eq!(lines.get(j).unwrap(), GONE);
        }
        assert_eq!(lines.line_from(0).unwrap(), GONE);
    }

    #[test]
    fn lines_read_before_a_cut_are_shown_as_read_and_never_other_bytes() {
        let (file, len) = file_of(b"aaaa\nbbbb\ncccc\n");
        let (lines, _) = FileLines::open(file.try_clone().unwrap(), len).unwrap();
        assert_eq!(lines.get(2).unwrap(), b"aaaa");
        // Written again over the old bytes, then cut: the lines held from
        // before are those indexed; none is ever the new bytes.
        file.write_all_at(b"XXXX\nYYYY\nZZZZ\n", 0).unwrap();
        file.set_len(5).unwrap();
        for j in 0..3 {
            let line = lines.get(j).unwrap();
            assert!(
                [b"aaaa".as_slice(), b"bbbb", b"cccc", GONE].contains(&line.as_slice()),
                "line {j}: {:?}",
                String::from_utf8_lossy(&line)
            );
        }
    }
}
