//! The in-memory line store: compact, append-only, compressed as it goes,
//! and spilled to disk beyond a memory budget.
//!
//! Millions of log lines must cost little more than their own bytes, so
//! the history is not a `Vec<String>`. Lines are appended, each followed by
//! a `\n`, into fixed-size byte chunks, each a memory mapping of its own (a
//! chunk never reallocates, so there is no doubling slack, and its memory
//! goes back to the system as soon as it is compressed). A line never spans
//! two chunks. Each chunk keeps where every block of [`BLOCK`] lines that
//! starts in it begins; a line inside a block is found by scanning forward
//! with `memchr`. That index costs 4 bytes per 64 lines.
//!
//! When the printer has nothing else to do, sealed chunks are compressed
//! with zstd at a fast level ([`Memory::compact`]): logs shrink to about a
//! quarter, so a long history takes much less memory than its own text. An
//! entropy coder is what makes this hold for every input: LZ4 finds no
//! repeats in random ids, hex addresses or lines of unrelated words, and
//! leaves them at their full size, while zstd's Huffman-coded literals still
//! take them to about 0.6x. Decompressing is well above 1 GB/s, so reading
//! the whole history (a search) stays fast. The newest chunks stay plain,
//! since following the end of the log reads them all the time.
//!
//! An input that never ends (`yes`, `kubectl logs -f` for days, random
//! bytes that do not compress) would still fill the machine, so a history
//! can be given a budget ([`Memory::max_memory`]). Past it, sealed chunks
//! are compressed at once rather than when idle, and then the oldest
//! chunks, compressed (or plain where compression saved nothing), move to
//! a [spill file](super::spill) with their block index: memory then holds
//! the newest chunks and, for each spilled one, 32 bytes of where it is.
//! Spilled chunks are read back on demand, a chunk at a time (one `pread`
//! from the page cache and the same decompression as in memory), so
//! scrolling and search reach every line as before. Nothing is dropped
//! unless a cap asks for it, or the spill file cannot be written (a full
//! disk): then the history keeps within its budget by dropping its oldest
//! lines, and says so ([`Memory::spill_news`]).
//!
//! This file holds the arena: the chunks in arrival order, their block
//! index, appending, reading a line and scanning runs. [`chunk`] holds a
//! chunk's bytes (a memory mapping, or its zstd frame) and the compressor;
//! [`cold`] what happens to sealed chunks: compaction, the budget, the
//! spill file, and reading them back; [`partial`] a byte stream's
//! unfinished last line.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::{ControlFlow, Range};

mod chunk;
mod cold;
mod partial;

use chunk::{Buf, Chunk, Data, Packer};
use cold::{LOST, SpillState, Spilled};

/// Lines per index entry. Finding a line scans at most `BLOCK - 1` newlines.
const BLOCK: usize = 64;

/// Size of a regular chunk: 256 KiB, whole pages of a mapping of its own.
/// A longer line gets a chunk of its own.
const CHUNK: usize = 256 * 1024;

/// The newest chunks are never compressed or spilled (the open one and the
/// one before it).
const HOT_CHUNKS: usize = 2;

/// A chunk larger than this (one huge line) is neither compressed (that
/// would hold it twice for a while) nor kept in the read-back cache.
const HUGE: usize = 4 * CHUNK;

/// Every line received (or, with a cap, the newest), as raw bytes, in
/// arrival order. Lines keep the index they arrived with: with a cap, the
/// first kept line is [`first`](Memory::first), not 0.
///
/// Chunks are numbered in arrival order, and a number never changes: the
/// oldest held is `base`, the spilled ones come first
/// (`base..base + spilled.len()`), then those in memory.
#[derive(Debug, Default)]
pub(crate) struct Memory {
    spilled: VecDeque<Spilled>,
    chunks: VecDeque<Chunk>,
    base: usize,
    /// Lines before this one are gone (see `max_lines`).
    first: usize,
    max_lines: Option<usize>,
    len: usize,
    bytes: u64,
    /// Chunks before this one were considered for compression already.
    next_pack: usize,
    /// The last compressed or spilled chunk read (its number, or `None`),
    /// decompressed: neighbouring lines are usually read together.
    unpacked: RefCell<(Option<usize>, Vec<u8>)>,
    /// A spilled chunk's zstd frame, read back before it is decompressed.
    raw: RefCell<Vec<u8>>,
    /// Made when the first chunk is compressed.
    packer: Option<Packer>,
    /// The start of a line whose end has not come yet (see
    /// [`stream`](Memory::stream)): shown as it is, not yet counted.
    partial: Vec<u8>,
    /// Bytes the chunks in memory may hold (with the index) before the
    /// oldest are spilled; `None`: no limit.
    budget: Option<usize>,
    /// Bytes held by the chunks in memory (data and block index), kept up
    /// to date as they change.
    resident: usize,
    spill: SpillState,
}

impl Memory {
    /// An empty history.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An empty history that keeps only the newest `max` lines (memory is
    /// given back a chunk, 256 KiB, at a time).
    pub(crate) fn with_max_lines(max: usize) -> Self {
        Memory {
            max_lines: Some(max.max(1)),
            ..Self::default()
        }
    }

    /// Number of lines received: one past the index of the newest.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The index of the oldest line still held (0 unless capped).
    pub(crate) fn first(&self) -> usize {
        self.first
    }

    /// True when no line has been received.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total bytes of all lines, without their separators.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The number of the first chunk in memory (after the spilled ones).
    fn spilled_end(&self) -> usize {
        self.base + self.spilled.len()
    }

    /// One past the number of the newest chunk.
    fn end(&self) -> usize {
        self.spilled_end() + self.chunks.len()
    }

    /// The id of chunk `n`'s first line.
    fn chunk_first(&self, n: usize) -> usize {
        match n.checked_sub(self.spilled_end()) {
            Some(i) => self.chunks[i].first,
            None => self.spilled[n - self.base].first,
        }
    }

    /// One past the id of chunk `n`'s last line.
    fn chunk_end(&self, n: usize) -> usize {
        if n + 1 < self.end() {
            self.chunk_first(n + 1)
        } else {
            self.len
        }
    }

    /// The number of the chunk holding line `line` (held).
    fn chunk_of(&self, line: usize) -> usize {
        match self.chunks.front() {
            Some(chunk) if chunk.first <= line => {
                self.spilled_end() + self.chunks.partition_point(|c| c.first <= line) - 1
            }
            _ => {
                self.base
                    + self
                        .spilled
                        .partition_point(|s| s.first <= line)
                        .saturating_sub(1)
            }
        }
    }

    /// Runs `f` on the open chunk (the newest, plain): the next line's id,
    /// the chunk's block index and its bytes. Keeps the count of bytes held
    /// up to date.
    fn with_open<R>(&mut self, f: impl FnOnce(usize, &mut Vec<u32>, &mut Buf) -> R) -> Option<R> {
        let len = self.len;
        let chunk = self.chunks.back_mut()?;
        let before = chunk.footprint();
        let Chunk {
            data: Data::Plain(data),
            blocks,
            ..
        } = chunk
        else {
            return None;
        };
        let result = f(len, blocks, data);
        self.resident = self.resident - before + chunk.footprint();
        Some(result)
    }

    /// Appends one line. A `\n` inside `line` would be taken for a line
    /// end, so callers split on newlines first.
    pub(crate) fn push(&mut self, line: &[u8]) {
        debug_assert!(memchr::memchr(b'\n', line).is_none());
        self.open_chunk(line.len() + 1);
        let pushed = self.with_open(|len, blocks, data| {
            if len.is_multiple_of(BLOCK) {
                blocks.push(data.len() as u32);
            }
            data.extend_from_slice(line);
            data.extend_from_slice(b"\n");
        });
        if pushed.is_some() {
            self.len += 1;
            self.bytes += line.len() as u64;
        }
        self.trim();
        self.relieve();
    }

    /// Appends one line, taking its allocation as a chunk of its own when
    /// it is longer than a chunk: a huge line is held once, never copied.
    pub(crate) fn push_owned(&mut self, mut line: Vec<u8>) {
        if line.len() < CHUNK {
            self.push(&line);
            return;
        }
        debug_assert!(memchr::memchr(b'\n', &line).is_none());
        self.bytes += line.len() as u64;
        line.push(b'\n');
        // Sealed: later lines go to a chunk of their own (a large shrink is
        // a remap, not a copy).
        line.shrink_to_fit();
        let blocks = if self.len.is_multiple_of(BLOCK) {
            vec![0]
        } else {
            Vec::new()
        };
        self.add_chunk(Chunk {
            data: Data::Plain(Buf::Vec(line)),
            first: self.len,
            blocks,
        });
        self.len += 1;
        self.trim();
        self.relieve();
    }

    /// Appends every line of `block`: lines each ended by `\n` (a last
    /// line without one is ended here). Copies whole runs of lines at once
    /// instead of one line at a time.
    pub(crate) fn push_block(&mut self, block: &[u8]) {
        let mut rest = block;
        while !rest.is_empty() {
            let free = match self.chunks.back() {
                Some(Chunk {
                    data: Data::Plain(chunk),
                    ..
                }) => chunk.capacity() - chunk.len(),
                _ => 0,
            };
            let whole = rest.len() + usize::from(!rest.ends_with(b"\n"));
            // As many whole lines as fit in the open chunk.
            let take = if whole <= free {
                rest.len()
            } else {
                memchr::memrchr(b'\n', &rest[..free.min(rest.len())]).map_or(0, |i| i + 1)
            };
            if take == 0 {
                // Not even the first line fits: a new chunk, of its size if
                // it is larger than a chunk.
                let first = memchr::memchr(b'\n', rest).map_or(rest.len() + 1, |i| i + 1);
                self.open_chunk(first);
                continue;
            }
            self.append_lines(&rest[..take]);
            rest = &rest[take..];
            // Within the budget as the block goes in, not only after it.
            self.relieve();
        }
        self.trim();
        self.relieve();
    }

    /// With a cap, forgets the lines before the newest `max_lines`, and
    /// gives back every chunk that holds only such lines.
    fn trim(&mut self) {
        let Some(max) = self.max_lines else {
            return;
        };
        self.first = self.first.max(self.len.saturating_sub(max));
        self.forget_before(self.first);
    }

    /// Gives back every chunk whose lines all come before line `line`; the
    /// open chunk stays.
    fn forget_before(&mut self, line: usize) {
        let spilled = !self.spilled.is_empty();
        while self.base + 1 < self.end() && self.chunk_first(self.base + 1) <= line {
            match self.spilled.pop_front() {
                Some(gone) => {
                    if let Some(file) = &self.spill.file {
                        let _ = file.release(gone.at, gone.stored);
                    }
                }
                None => {
                    if let Some(gone) = self.chunks.pop_front() {
                        self.resident -= gone.footprint();
                    }
                }
            }
            self.base += 1;
        }
        self.next_pack = self.next_pack.max(self.spilled_end());
        if spilled && self.spilled.is_empty() {
            // Nothing left in the file: its space goes back at once, even
            // where holes cannot be punched.
            if let Some(file) = &mut self.spill.file {
                file.clear();
            }
            self.spilled.shrink_to_fit();
        }
        let cache = self.unpacked.get_mut();
        if cache.0.is_some_and(|n| n < self.base) {
            *cache = (None, Vec::new());
        }
    }

    /// Copies whole lines (the last may lack its `\n`) into the open chunk,
    /// which has room for them, and indexes them.
    fn append_lines(&mut self, lines: &[u8]) {
        let counted = self.with_open(|len, blocks, data| {
            let base = data.len();
            data.extend_from_slice(lines);
            if !lines.ends_with(b"\n") {
                data.extend_from_slice(b"\n");
            }
            // Indexed in the copy, still in cache, and counted in bulk
            // (SIMD, without a stop at each line end): only every BLOCK-th
            // line's start is wanted, and finding each line end one by one
            // was a tenth of a piped ingest's time.
            let copy = &data[base..];
            let mut skipper = Skipper::default();
            // The first line here that starts a block, then every BLOCK-th.
            let mut line = (BLOCK - len % BLOCK) % BLOCK;
            while let Some(at) = skipper.line_start(copy, line) {
                blocks.push((base + at) as u32);
                line += BLOCK;
            }
            let count = skipper.ends;
            (count, count - usize::from(!lines.ends_with(b"\n")))
        });
        if let Some((count, newlines)) = counted {
            self.len += count;
            self.bytes += (lines.len() - newlines) as u64;
        }
    }

    /// Makes sure the open chunk has room for `need` more bytes.
    fn open_chunk(&mut self, need: usize) {
        let fits = matches!(
            self.chunks.back(),
            Some(Chunk { data: Data::Plain(c), .. }) if c.capacity() - c.len() >= need
        );
        if !fits {
            // Exact capacity: pushes within it never reallocate, so the
            // arena wastes only each chunk's unfilled tail.
            self.add_chunk(Chunk {
                data: Data::Plain(Buf::with_capacity(need.max(CHUNK))),
                first: self.len,
                blocks: Vec::new(),
            });
        }
    }

    /// Seals the open chunk and adds `chunk` after it.
    fn add_chunk(&mut self, chunk: Chunk) {
        if let Some(open) = self.chunks.back_mut() {
            let before = open.footprint();
            open.blocks.shrink_to_fit();
            self.resident = self.resident - before + open.footprint();
        }
        self.resident += chunk.footprint();
        self.chunks.push_back(chunk);
    }

    /// The raw bytes of line `index`, or `None` past the end.
    pub(crate) fn get(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        if index >= self.len || index < self.first {
            return None;
        }
        let n = self.chunk_of(index);
        let (offset, skip) = match n.checked_sub(self.spilled_end()) {
            Some(i) => {
                let chunk = &self.chunks[i];
                if let Data::Plain(data) = &chunk.data {
                    let (offset, skip) = chunk.start_of(index);
                    return find_line(data, offset, skip)
                        .ok()
                        .map(|range| Cow::Borrowed(&data[range]));
                }
                chunk.start_of(index)
            }
            None => {
                let spilled = self.spilled[n - self.base];
                if !spilled.packed()
                    && spilled.len > HUGE as u64
                    && self.chunk_end(n) == spilled.first + 1
                {
                    // One huge line: read straight into the line returned,
                    // not through the cache (which would hold a second copy).
                    let mut line = Vec::new();
                    if !self.read_spilled(&spilled, &mut line) {
                        return Some(Cow::Borrowed(LOST));
                    }
                    line.pop();
                    return (line.len() as u64 + 1 == spilled.len).then_some(Cow::Owned(line));
                }
                (0, index - spilled.first)
            }
        };
        self.with_unpacked(n, |data| {
            find_line(data, offset, skip)
                .ok()
                .map(|range| Cow::Owned(data[range].to_vec()))
        })
        .unwrap_or(Some(Cow::Borrowed(LOST)))
    }

    /// Line `index` as text: invalid UTF-8 becomes U+FFFD.
    #[cfg(test)]
    pub(crate) fn text(&self, index: usize) -> Option<String> {
        self.get(index)
            .map(|line| String::from_utf8_lossy(&line).into_owned())
    }

    /// Calls `f` with every line held, oldest first.
    #[cfg(test)]
    pub(crate) fn for_each(&self, mut f: impl FnMut(&[u8])) {
        let _ = self.scan(self.first..self.len, false, |_, run| {
            let body = run.strip_suffix(b"\n").unwrap_or(run);
            body.split(|&b| b == b'\n').for_each(&mut f);
            ControlFlow::Continue(())
        });
    }

    /// Calls `f` with the lines of `lines` held (the range is clipped to
    /// [`first`](Memory::first)`..`[`len`](Memory::len)) in runs: the
    /// ids of a run's lines and their bytes, each line ended by `\n`. A run
    /// is the part of one chunk in range, so each chunk is decompressed
    /// (or read back from the spill file) once, into one buffer reused for
    /// all of them, and the caller can search a run in one pass: a search
    /// reads the whole history in a few hundred calls instead of a million
    /// [`get`](Memory::get)s. Runs come oldest first, or newest first when
    /// `backward` (the lines inside a run are in order either way). Stops
    /// as soon as `f` breaks, and returns what it returned last.
    pub(crate) fn scan(
        &self,
        lines: Range<usize>,
        backward: bool,
        mut f: impl FnMut(Range<usize>, &[u8]) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        /// The offset just past `count` lines of `data` from `offset` on
        /// (or the end of `data`, if it holds fewer).
        fn skip_lines(data: &[u8], offset: usize, count: usize) -> usize {
            if count == 0 {
                return offset;
            }
            memchr::memchr_iter(b'\n', &data[offset..])
                .nth(count - 1)
                .map_or(data.len(), |i| offset + i + 1)
        }
        let start = lines.start.max(self.first);
        let end = lines.end.min(self.len);
        if start >= end {
            return ControlFlow::Continue(());
        }
        let (low, high) = (self.chunk_of(start), self.chunk_of(end - 1));
        let mut buf = Vec::new();
        let mut visit = |n: usize| {
            let data = self.chunk_bytes(n, &mut buf);
            let chunk_start = self.chunk_first(n);
            let from = start.max(chunk_start);
            let chunk_end = self.chunk_end(n);
            let to = end.min(chunk_end);
            // Where line `id` of this chunk starts: from its block's start
            // when the chunk is in memory (a few lines to skip, not up to a
            // chunk's thousands: a block's formats are learned from a
            // short range), else from `fallback` (an offset, and the lines
            // to skip from there).
            let line_start = |id: usize, fallback: (usize, usize)| {
                let (offset, skip) = match n.checked_sub(self.spilled_end()) {
                    Some(i) => self.chunks[i].start_of(id),
                    None => fallback,
                };
                skip_lines(data, offset, skip)
            };
            let begin = line_start(from, (0, from - chunk_start));
            // Only the chunks at the ends of the range are cut: counting
            // the lines of every chunk would cost more than searching it.
            let finish = if to == chunk_end {
                data.len()
            } else {
                line_start(to, (begin, to - from))
            };
            if begin < finish {
                f(from..to, &data[begin..finish])
            } else {
                ControlFlow::Continue(())
            }
        };
        if backward {
            (low..=high).rev().try_for_each(&mut visit)
        } else {
            (low..=high).try_for_each(&mut visit)
        }
    }
}

/// Finds the starts of lines far apart in a run of lines (each ended by
/// `\n`), going forward: most of the way to the next is counted in bulk,
/// in a window a little shorter than the last step (lines are usually about
/// as long as the ones before), and only the last few line ends are found
/// one by one.
#[derive(Default)]
struct Skipper {
    /// How far the run has been read, and the line ends before that.
    at: usize,
    ends: usize,
    /// Bytes of the last step.
    stride: usize,
}

impl Skipper {
    /// The offset at which line `line` of `run` (counted from 0, not
    /// before the last one found) starts, or `None` if `run` ends first:
    /// then it has been read to its end, and [`ends`](Skipper::ends) is
    /// how many lines it holds.
    fn line_start(&mut self, run: &[u8], line: usize) -> Option<usize> {
        let from = self.at;
        let want = line - self.ends;
        // The window most likely holds fewer line ends than wanted; if
        // not, it is read again one line end at a time.
        let window = (self.stride - self.stride / 8).min(run.len() - from);
        let passed = memchr::memchr_iter(b'\n', &run[from..from + window]).count();
        let (start, mut seen) = match passed < want {
            true => (from + window, passed),
            false => (from, 0),
        };
        let mut at = start;
        if seen < want {
            for end in memchr::memchr_iter(b'\n', &run[start..]) {
                seen += 1;
                at = start + end + 1;
                if seen == want {
                    break;
                }
            }
        }
        self.at = at;
        self.ends += seen;
        if seen < want || at == run.len() {
            return None;
        }
        self.stride = at - from;
        Some(at)
    }
}

/// The byte range of the `skip`-th line at or after `offset` in `data`, or
/// how many lines are still to skip past its end.
fn find_line(data: &[u8], offset: usize, mut skip: usize) -> Result<Range<usize>, usize> {
    let mut at = offset;
    while at < data.len() {
        let end = memchr::memchr(b'\n', &data[at..]).map_or(data.len(), |i| at + i);
        if skip == 0 {
            return Ok(at..end);
        }
        skip -= 1;
        at = end + 1;
    }
    Err(skip)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn lines(h: &Memory) -> Vec<Vec<u8>> {
        let mut all = Vec::new();
        h.for_each(|line| all.push(line.to_vec()));
        all
    }

    #[test]
    fn a_capped_history_keeps_the_newest_lines_and_gives_chunks_back() {
        let mut h = Memory::with_max_lines(1000);
        let line = |i: usize| format!("line {i} {}", "x".repeat(i % 300));
        for i in 0..20_000 {
            if i % 3 == 0 {
                h.push(line(i).as_bytes());
            } else {
                let block = format!("{}\n", line(i));
                h.push_block(block.as_bytes());
            }
            if i % 997 == 0 {
                h.compact();
            }
        }
        assert_eq!(h.len(), 20_000);
        assert_eq!(h.first(), 19_000);
        assert_eq!(h.get(18_999), None);
        for i in 19_000..20_000 {
            assert_eq!(h.text(i).unwrap(), line(i), "line {i}");
        }
        let kept = lines(&h);
        assert_eq!(kept.len(), 1000);
        assert_eq!(kept[0], line(19_000).into_bytes());
        // About 1000 lines of ~160 bytes, in a few chunks, not 20,000.
        assert!(h.allocated() < 4 * CHUNK, "{} bytes held", h.allocated());
    }

    #[test]
    fn a_cap_of_one_keeps_the_last_line_even_a_huge_one() {
        let mut h = Memory::with_max_lines(1);
        h.push(b"a");
        h.push_owned(vec![b'y'; 2 * CHUNK]);
        h.push(b"b");
        assert_eq!((h.first(), h.len()), (2, 3));
        assert_eq!(h.text(2).unwrap(), "b");
        assert_eq!(h.get(1), None);
        assert_eq!(lines(&h), [b"b".to_vec()]);
        assert!(h.allocated() < 2 * CHUNK);
    }

    #[test]
    fn empty_history_has_no_lines() {
        let h = Memory::new();
        assert!(h.is_empty());
        assert_eq!(h.get(0), None);
        assert!(lines(&h).is_empty());
    }

    #[test]
    fn lines_come_back_in_order_across_blocks() {
        let mut h = Memory::new();
        for i in 0..1000 {
            h.push(format!("line {i}").as_bytes());
        }
        assert_eq!(h.len(), 1000);
        for i in [0, 1, 63, 64, 65, 127, 128, 999] {
            assert_eq!(&*h.get(i).unwrap(), format!("line {i}").as_bytes());
        }
        assert_eq!(h.get(1000), None);
        let all = lines(&h);
        assert_eq!(all.len(), 1000);
        assert_eq!(all[500], b"line 500");
    }

    #[test]
    fn empty_lines_are_kept() {
        let mut h = Memory::new();
        h.push(b"");
        h.push(b"a");
        h.push(b"");
        assert_eq!(h.len(), 3);
        assert_eq!(&*h.get(0).unwrap(), b"");
        assert_eq!(&*h.get(1).unwrap(), b"a");
        assert_eq!(&*h.get(2).unwrap(), b"");
        assert_eq!(lines(&h), [b"".to_vec(), b"a".to_vec(), b"".to_vec()]);
    }

    #[test]
    fn raw_bytes_are_kept_and_shown_lossily() {
        let mut h = Memory::new();
        h.push(b"ok \xff\xfe end\r");
        assert_eq!(&*h.get(0).unwrap(), b"ok \xff\xfe end\r");
        assert_eq!(h.text(0).unwrap(), "ok \u{fffd}\u{fffd} end\r");
    }

    #[test]
    fn lines_larger_than_a_chunk_get_their_own() {
        let mut h = Memory::new();
        h.push(b"before");
        let big = vec![b'x'; CHUNK * 2 + 3];
        h.push(&big);
        h.push(b"after");
        assert_eq!(&*h.get(0).unwrap(), b"before");
        assert_eq!(&*h.get(1).unwrap(), &big[..]);
        assert_eq!(&*h.get(2).unwrap(), b"after");
        assert_eq!(lines(&h).len(), 3);
    }

    #[test]
    fn a_block_spanning_chunks_is_found() {
        let mut h = Memory::new();
        // Lines of 100 KB: a block of 64 lines spans many chunks.
        let line = |i: usize| vec![b'a' + (i % 26) as u8; 100 * 1024];
        for i in 0..130 {
            h.push(&line(i));
        }
        for i in [0, 9, 10, 11, 63, 64, 100, 129] {
            assert_eq!(&*h.get(i).unwrap(), &line(i)[..], "line {i}");
        }
    }

    #[test]
    fn blocks_of_lines_are_the_same_as_single_lines() {
        // Lines growing and shrinking, long and empty, so the index's
        // bulk counting meets lines longer and shorter than the last.
        let text: Vec<u8> = (0..20_000)
            .flat_map(|i| match i % 1000 < 900 {
                true => format!("{i} {}\n", "x".repeat(i % 300)).into_bytes(),
                false => match i % 7 {
                    0 => "y".repeat(5000) + "\n",
                    _ => "\n".to_owned(),
                }
                .into_bytes(),
            })
            .collect();
        let mut by_line = Memory::new();
        text.strip_suffix(b"\n")
            .unwrap()
            .split(|&b| b == b'\n')
            .for_each(|line| by_line.push(line));
        // Blocks cut at line ends, as the senders cut them.
        let mut aligned = Memory::new();
        let mut rest = &text[..];
        while !rest.is_empty() {
            let cut = memchr::memrchr(b'\n', &rest[..rest.len().min(70_001)]).unwrap() + 1;
            aligned.push_block(&rest[..cut]);
            rest = &rest[cut..];
        }
        assert_eq!(aligned.len(), by_line.len());
        assert_eq!(aligned.bytes(), by_line.bytes());
        for i in 0..by_line.len() {
            assert_eq!(aligned.get(i), by_line.get(i), "line {i}");
        }
        assert_eq!(lines(&aligned), lines(&by_line));
        // A block without a final newline still ends its last line.
        let mut h = Memory::new();
        h.push_block(b"a\nb");
        h.push_block(b"c\n");
        assert_eq!(lines(&h), [b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn an_owned_huge_line_becomes_its_own_chunk_without_a_copy() {
        let mut h = Memory::new();
        h.push(b"before");
        // As a growing line leaves it: with room for the `\n`.
        let mut line = Vec::with_capacity(3 * CHUNK + 1);
        line.resize(3 * CHUNK, b'x');
        let at = line.as_ptr();
        h.push_owned(line);
        h.push_owned(b"small".to_vec());
        assert_eq!(h.len(), 3);
        let got = h.get(1).unwrap();
        assert_eq!(got.len(), 3 * CHUNK);
        assert_eq!(got.as_ptr(), at, "the line was copied");
        assert_eq!(h.text(0).unwrap(), "before");
        assert_eq!(h.text(2).unwrap(), "small");
    }

    #[test]
    fn a_huge_line_in_a_block_gets_a_chunk_of_its_own() {
        let mut h = Memory::new();
        let mut block = b"small\n".to_vec();
        block.extend(std::iter::repeat_n(b'y', CHUNK * 3));
        block.extend_from_slice(b"\nlast\n");
        h.push_block(&block);
        assert_eq!(h.len(), 3);
        assert_eq!(h.get(1).unwrap().len(), CHUNK * 3);
        assert_eq!(&*h.get(2).unwrap(), b"last");
    }

    #[test]
    fn far_line_starts_are_where_stepping_line_by_line_finds_them() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..400u64 {
            // Line lengths whose spread changes from round to round, and
            // now and then a run of empty lines or one long line: the
            // bulk count's window meets lines shorter and longer than
            // those of its last step, and exactly as many line ends.
            let spread = 1 + (round % 40) * 5;
            let mut lines = Vec::new();
            let mut starts = Vec::new();
            for _ in 0..1 + rng.next() % 600 {
                starts.push(lines.len());
                let len = match rng.next() % 50 {
                    0 => 0,
                    1 => 3000,
                    _ => (rng.next() % spread) as usize,
                };
                lines.extend(std::iter::repeat_n(b'a', len));
                lines.push(b'\n');
            }
            let mut skipper = Skipper::default();
            let mut line = (rng.next() % 3) as usize;
            loop {
                let at = skipper.line_start(&lines, line);
                assert_eq!(at, starts.get(line).copied(), "round {round}, line {line}");
                if at.is_none() {
                    break;
                }
                line += match round % 2 {
                    0 => BLOCK,
                    _ => 1 + (rng.next() % 100) as usize,
                };
            }
            assert_eq!(skipper.ends, starts.len(), "round {round}");
        }
    }

    /// A xorshift generator: test input no compressor can predict.
    pub(super) struct Rng(pub(super) u64);

    impl Rng {
        pub(super) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Lines of words picked at random from a list of made-up words: LZ4
    /// finds almost no repeats in them and leaves them at full size, an
    /// entropy coder still saves a third or more.
    pub(super) fn random_words(lines: usize) -> Vec<Vec<u8>> {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let words: Vec<Vec<u8>> = (0..50_000)
            .map(|_| {
                let len = 2 + rng.next() % 11;
                (0..len).map(|_| b'a' + (rng.next() % 26) as u8).collect()
            })
            .collect();
        (0..lines)
            .map(|_| {
                let count = 4 + rng.next() % 14;
                let picked: Vec<&[u8]> = (0..count)
                    .map(|_| &words[(rng.next() % words.len() as u64) as usize][..])
                    .collect();
                picked.join(&b' ')
            })
            .collect()
    }

    #[test]
    fn overhead_is_far_below_a_byte_per_line() {
        let mut h = Memory::new();
        let line = [b'x'; 99];
        for _ in 0..100_000 {
            h.push(&line);
        }
        // 99 bytes and a separator each: the only slack is the unfilled
        // tail of each chunk (less than a line) and of the open one, and the
        // index, 8 bytes per 64 lines.
        let payload = 100_000 * 100;
        let index = 100_000 / BLOCK * 8;
        let slack = h.allocated() - payload;
        assert!(slack <= CHUNK + 100 * 40 + 2 * index, "slack {slack} bytes");
    }

    /// Every run of `scan` split into lines, with their ids.
    fn scanned(h: &Memory, lines: Range<usize>, backward: bool) -> Vec<(usize, Vec<u8>)> {
        let mut runs = Vec::new();
        let _ = h.scan(lines, backward, |ids, run| {
            assert!(run.ends_with(b"\n"), "a run is whole lines");
            let body = &run[..run.len() - 1];
            let lines: Vec<_> = ids.clone().zip(body.split(|&b| b == b'\n')).collect();
            assert_eq!(lines.len(), ids.len(), "the ids are the run's lines");
            runs.push(
                lines
                    .into_iter()
                    .map(|(i, l)| (i, l.to_vec()))
                    .collect::<Vec<_>>(),
            );
            std::ops::ControlFlow::Continue(())
        });
        if backward {
            runs.reverse();
        }
        runs.concat()
    }

    /// What `scan` must give: `get` of every line in range.
    fn got(h: &Memory, lines: Range<usize>) -> Vec<(usize, Vec<u8>)> {
        lines
            .filter_map(|i| h.get(i).map(|line| (i, line.into_owned())))
            .collect()
    }

    #[test]
    fn scan_gives_what_get_gives() {
        let line = |i: usize| match i % 701 {
            0 | 1 => Vec::new(),
            7 => vec![b'h'; CHUNK + i],
            _ => format!("{i} {}", "x".repeat(i % 700)).into_bytes(),
        };
        let build = |max: Option<usize>| {
            let mut h = max.map_or_else(Memory::new, Memory::with_max_lines);
            for i in 0..4_000 {
                match i % 3 {
                    0 => h.push(&line(i)),
                    1 => h.push_owned(line(i)),
                    _ => h.push_block(&[line(i), b"\n".to_vec()].concat()),
                }
                if i % 500 == 0 {
                    while h.compact() {}
                }
            }
            h
        };
        for h in [build(None), build(Some(2_500)), build(Some(1))] {
            let (first, len) = (h.first(), h.len());
            let ranges = [
                0..len + 10,
                first..len,
                first + 1..len - 1,
                len / 2..len / 2 + 1,
                len / 3..len / 2,
                len - 1..len,
                len..len + 5,
                #[allow(clippy::reversed_empty_ranges)]
                (3..2),
            ];
            for lines in ranges {
                let want = got(&h, lines.clone());
                assert_eq!(scanned(&h, lines.clone(), false), want, "{lines:?}");
                assert_eq!(scanned(&h, lines.clone(), true), want, "{lines:?} backward");
            }
        }
    }

    #[test]
    fn scan_stops_when_told_and_reads_runs_in_order() {
        let mut h = Memory::new();
        for i in 0..20_000 {
            h.push(format!("line {i} {}", "y".repeat(90)).as_bytes());
        }
        while h.compact() {}
        for backward in [false, true] {
            let mut starts = Vec::new();
            let flow = h.scan(0..h.len(), backward, |lines, _| {
                starts.push(lines.start);
                if starts.len() == 3 {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            });
            assert!(flow.is_break());
            assert_eq!(starts.len(), 3);
            let mut sorted = starts.clone();
            sorted.sort_unstable();
            if backward {
                sorted.reverse();
                assert!(starts[0] > 0);
            } else {
                assert_eq!(starts[0], 0);
            }
            assert_eq!(starts, sorted);
        }
        assert!(h.scan(5..5, false, |_, _| unreachable!()).is_continue());
        assert!(
            Memory::new()
                .scan(0..10, true, |_, _| unreachable!())
                .is_continue()
        );
    }
}
