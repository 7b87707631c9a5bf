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

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::{ControlFlow, Range};

use super::spill::Spill;

/// Lines per index entry. Finding a line scans at most `BLOCK - 1` newlines.
const BLOCK: usize = 64;

/// Size of a regular chunk: 256 KiB, whole pages of a mapping of its own.
/// A longer line gets a chunk of its own.
const CHUNK: usize = 256 * 1024;

/// The newest chunks are never compressed or spilled (the open one and the
/// one before it).
const HOT_CHUNKS: usize = 2;

/// A partial line shorter than this is shown before its end comes.
const SHOWN_PARTIAL: usize = 1 << 20;

/// The zstd level for sealed chunks. Level 1 is zstd's fastest with
/// Huffman-coded literals: on varied service logs it holds 0.27x of the
/// text (LZ4: 0.45x), random words 0.58x (LZ4: 1.0x), compressing about as
/// fast as LZ4; higher levels gain a few percent for several times the CPU,
/// negative ones give up the entropy coding that is the point.
const LEVEL: i32 = 1;

/// A chunk is kept compressed only when that saves at least this fraction
/// of it (1/8): otherwise reading it back would cost time for little memory.
const MIN_SAVING: usize = 8;

/// A chunk larger than this (one huge line) is neither compressed (that
/// would hold it twice for a while) nor kept in the read-back cache.
const HUGE: usize = 4 * CHUNK;

/// The bytes of a plain chunk.
///
/// A regular chunk is an anonymous memory mapping of its own, not a heap
/// allocation: when it is compressed (or dropped) its memory goes back to
/// the system at once. A heap block of this size can stay with the
/// allocator instead (glibc serves such sizes from its heap once it has
/// freed one mapping of that size, and keeps freed heap in the middle), and
/// then the process would not shrink at all after compaction.
#[derive(Debug)]
enum Buf {
    Map {
        map: memmap2::MmapMut,
        len: usize,
    },
    /// A huge line adopted as it came, or where mapping failed.
    Vec(Vec<u8>),
}

impl Buf {
    fn with_capacity(capacity: usize) -> Self {
        match memmap2::MmapMut::map_anon(capacity) {
            Ok(map) => Buf::Map { map, len: 0 },
            Err(_) => Buf::Vec(Vec::with_capacity(capacity)),
        }
    }

    fn capacity(&self) -> usize {
        match self {
            Buf::Map { map, .. } => map.len(),
            Buf::Vec(v) => v.capacity(),
        }
    }

    /// Appends `bytes`; a mapping has room for them (callers check).
    fn extend_from_slice(&mut self, bytes: &[u8]) {
        match self {
            Buf::Map { map, len } => {
                map[*len..*len + bytes.len()].copy_from_slice(bytes);
                *len += bytes.len();
            }
            Buf::Vec(v) => v.extend_from_slice(bytes),
        }
    }
}

impl std::ops::Deref for Buf {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Buf::Map { map, len } => &map[..*len],
            Buf::Vec(v) => v,
        }
    }
}

/// A chunk's bytes in memory.
#[derive(Debug)]
enum Data {
    /// Lines as received, each ended by `\n`.
    Plain(Buf),
    /// A sealed chunk, one zstd frame, and its plain length.
    Zstd { packed: Box<[u8]>, len: usize },
}

/// The compressor, kept from chunk to chunk: a zstd context and a buffer
/// for its output allocated afresh for each chunk would be freed again at
/// once, and glibc keeps such freed blocks between the compressed chunks
/// that stay: past a memory budget, the heap then grew a third beyond the
/// chunks it held.
struct Packer {
    compressor: zstd::bulk::Compressor<'static>,
    /// The frame of the last chunk, copied out at its exact size.
    scratch: Vec<u8>,
}

impl std::fmt::Debug for Packer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packer")
            .field("scratch", &self.scratch.capacity())
            .finish_non_exhaustive()
    }
}

impl Packer {
    fn new() -> Option<Self> {
        Some(Packer {
            compressor: zstd::bulk::Compressor::new(LEVEL).ok()?,
            scratch: Vec::new(),
        })
    }

    /// The chunk compressed, if that saves at least 1/[`MIN_SAVING`] of it.
    fn pack(&mut self, data: &[u8]) -> Option<Data> {
        self.scratch.clear();
        self.scratch
            .reserve(zstd::zstd_safe::compress_bound(data.len()));
        let len = self
            .compressor
            .compress_to_buffer(data, &mut self.scratch)
            .ok()?;
        (len <= data.len() - data.len() / MIN_SAVING).then(|| Data::Zstd {
            len: data.len(),
            packed: self.scratch[..len].into(),
        })
    }
}

impl Data {
    /// The bytes that stand for the chunk: plain, or its zstd frame.
    fn stored(&self) -> &[u8] {
        match self {
            Data::Plain(data) => data,
            Data::Zstd { packed, .. } => packed,
        }
    }

    /// The length of its lines.
    fn len(&self) -> usize {
        match self {
            Data::Plain(data) => data.len(),
            Data::Zstd { len, .. } => *len,
        }
    }
}

/// A chunk in memory.
#[derive(Debug)]
struct Chunk {
    data: Data,
    /// The id of its first line.
    first: usize,
    /// Where each block that starts in this chunk begins (the lines whose
    /// id is a multiple of [`BLOCK`]), in order.
    blocks: Vec<u32>,
}

impl Chunk {
    /// Bytes it holds, for the budget.
    fn footprint(&self) -> usize {
        let data = match &self.data {
            Data::Plain(data) => data.capacity(),
            Data::Zstd { packed, .. } => packed.len(),
        };
        data + self.blocks.capacity() * std::mem::size_of::<u32>()
    }

    /// Where to start looking for line `index` (held here): an offset, and
    /// how many lines to skip from it.
    fn start_of(&self, index: usize) -> (usize, usize) {
        let block = index / BLOCK;
        match self
            .blocks
            .get(block.wrapping_sub(self.first.div_ceil(BLOCK)))
        {
            Some(&offset) if block * BLOCK >= self.first => {
                (offset as usize, index - block * BLOCK)
            }
            // The block began in the chunk before.
            _ => (0, index - self.first),
        }
    }
}

/// A chunk moved to the spill file: `stored` bytes at `at`, a zstd frame
/// of `len` plain bytes when `stored < len` (a chunk is kept compressed
/// only when that shrinks it), else the plain bytes themselves.
#[derive(Clone, Copy, Debug)]
struct Spilled {
    /// The id of its first line.
    first: usize,
    at: u64,
    stored: u64,
    len: u64,
}

impl Spilled {
    fn packed(&self) -> bool {
        self.stored < self.len
    }
}

/// The spill file and what became of it.
#[derive(Debug, Default)]
struct SpillState {
    /// Created when first needed.
    file: Option<Spill>,
    /// Why spilling stopped, if it did: from then on the oldest lines are
    /// dropped instead.
    failed: Option<String>,
    /// Lines dropped since.
    dropped: usize,
    /// What [`Memory::spill_news`] said last: the count of lines dropped.
    told: Option<usize>,
    /// Test hook: the file's writes fail past this many bytes.
    #[cfg(test)]
    limit: Option<u64>,
}

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

    /// Holds at most `budget` bytes in memory (the newest two chunks, 512
    /// KiB, always stay): beyond it, sealed chunks are compressed at once
    /// and then the oldest go to a spill file.
    pub(crate) fn max_memory(mut self, budget: usize) -> Self {
        self.budget = Some(budget);
        self.relieve();
        self
    }

    /// Test hook: the spill file's writes fail past `limit` bytes.
    #[cfg(test)]
    fn spill_limit(mut self, limit: u64) -> Self {
        self.spill.limit = Some(limit);
        self
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
            let mut start = 0;
            let mut count = 0;
            let mut newlines = 0;
            let mut ends = memchr::memchr_iter(b'\n', lines);
            while start < lines.len() {
                if (len + count).is_multiple_of(BLOCK) {
                    blocks.push((base + start) as u32);
                }
                count += 1;
                match ends.next() {
                    Some(end) => {
                        newlines += 1;
                        start = end + 1;
                    }
                    None => break,
                }
            }
            data.extend_from_slice(lines);
            if !lines.ends_with(b"\n") {
                data.extend_from_slice(b"\n");
            }
            (count, newlines)
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
                    self.read_spilled(&spilled, &mut line);
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
    }

    /// Takes a piece of a byte stream: the lines it ends, whole runs at a
    /// time, and its unfinished end as the partial line (continued by the
    /// next piece). A huge line is handed over without a copy once it ends.
    pub(crate) fn stream(&mut self, batch: &[u8]) {
        let mut rest = batch;
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.partial.extend_from_slice(rest);
                return;
            };
            let mut line = std::mem::take(&mut self.partial);
            line.extend_from_slice(&rest[..end]);
            self.push_owned(line);
            rest = &rest[end + 1..];
        }
        match memchr::memrchr(b'\n', rest) {
            Some(last) => {
                self.push_block(&rest[..=last]);
                self.partial.extend_from_slice(&rest[last + 1..]);
            }
            None => self.partial.extend_from_slice(rest),
        }
    }

    /// The partial line: what came of the last line so far.
    pub(crate) fn partial(&self) -> &[u8] {
        &self.partial
    }

    /// The input ended inside a line: it is a whole line. Returns whether
    /// there was one.
    pub(crate) fn end_partial(&mut self) -> bool {
        if self.partial.is_empty() {
            return false;
        }
        let line = std::mem::take(&mut self.partial);
        self.push_owned(line);
        true
    }

    /// One past the last line a display shows: the partial line counts
    /// while it is short (a huge one is shown once it ends, rather than
    /// wrapped again with each piece).
    pub(crate) fn shown_len(&self) -> usize {
        self.len + usize::from(!self.partial.is_empty() && self.partial.len() < SHOWN_PARTIAL)
    }

    /// Line `index` as a display shows it: a held line, or the partial
    /// one at [`len`](Memory::len).
    pub(crate) fn shown(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        if index == self.len && index < self.shown_len() {
            return Some(Cow::Borrowed(&self.partial));
        }
        self.get(index)
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

    /// Runs `f` on chunk `n`, compressed or spilled, as plain bytes (kept
    /// for the next call, which usually wants the same chunk).
    fn with_unpacked<R>(&self, n: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        let mut cache = self.unpacked.borrow_mut();
        let (cached, buf) = &mut *cache;
        if *cached != Some(n) {
            self.unpack(n, buf);
            *cached = Some(n);
        }
        let result = f(buf);
        if buf.capacity() > HUGE {
            *cache = (None, Vec::new());
        }
        result
    }

    /// Chunk `n`'s lines: its own bytes when plain in memory, else
    /// decompressed or read back into `buf`.
    fn chunk_bytes<'a>(&'a self, n: usize, buf: &'a mut Vec<u8>) -> &'a [u8] {
        if let Some(Chunk {
            data: Data::Plain(data),
            ..
        }) = n
            .checked_sub(self.spilled_end())
            .and_then(|i| self.chunks.get(i))
        {
            return data;
        }
        self.unpack(n, buf);
        buf
    }

    /// Chunk `n` (not plain in memory), plain, into `buf`. Our own
    /// compressed bytes or our own file failing is a bug or a broken disk,
    /// shown as missing lines rather than a crash.
    fn unpack(&self, n: usize, buf: &mut Vec<u8>) {
        buf.clear();
        match n.checked_sub(self.spilled_end()) {
            Some(i) => match &self.chunks[i].data {
                Data::Zstd { packed, len } => unzstd(packed, *len, buf),
                Data::Plain(data) => buf.extend_from_slice(data),
            },
            None => self.read_spilled(&self.spilled[n - self.base], buf),
        }
    }

    /// A spilled chunk's lines, read back into `buf` (empty on failure).
    fn read_spilled(&self, spilled: &Spilled, buf: &mut Vec<u8>) {
        buf.clear();
        let Some(file) = &self.spill.file else {
            return;
        };
        let (Ok(stored), Ok(len)) = (
            usize::try_from(spilled.stored),
            usize::try_from(spilled.len),
        ) else {
            return;
        };
        if !spilled.packed() {
            if file.read(spilled.at, stored, buf).is_err() {
                buf.clear();
            }
            return;
        }
        let mut raw = self.raw.borrow_mut();
        if file.read(spilled.at, stored, &mut raw).is_ok() {
            unzstd(&raw, len, buf);
        }
        if raw.capacity() > HUGE {
            *raw = Vec::new();
        }
    }

    /// True while some sealed chunk has not been compressed yet.
    pub(crate) fn can_compact(&self) -> bool {
        self.next_pack + HOT_CHUNKS < self.end()
    }

    /// Compresses the oldest sealed chunk not yet considered, if any: one
    /// chunk (256 KiB) a call, so the caller stays responsive. Returns
    /// whether more remain. A chunk that does not shrink stays plain.
    pub(crate) fn compact(&mut self) -> bool {
        if !self.can_compact() {
            return false;
        }
        let n = self.next_pack;
        self.next_pack += 1;
        if self.packer.is_none() {
            self.packer = Packer::new();
        }
        if let Some(chunk) = n
            .checked_sub(self.spilled_end())
            .and_then(|i| self.chunks.get_mut(i))
            && let Data::Plain(data) = &chunk.data
            && data.len() <= HUGE
            && let Some(packer) = &mut self.packer
            && let Some(packed) = packer.pack(data)
        {
            let before = chunk.footprint();
            chunk.data = packed;
            self.resident = self.resident - before + chunk.footprint();
        }
        self.can_compact()
    }

    /// Bytes held in memory: the chunks there, the index (of the spilled
    /// chunks too) and the read-back buffers. What the budget bounds (the
    /// compressor's context and output buffer, about a MiB, are left to
    /// the rest of the process).
    pub(crate) fn allocated(&self) -> usize {
        let buffers = self.unpacked.try_borrow().map_or(0, |c| c.1.capacity())
            + self.raw.try_borrow().map_or(0, |raw| raw.capacity());
        self.resident
            + self.spilled.capacity() * std::mem::size_of::<Spilled>()
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + buffers
    }

    /// Within the budget again: sealed chunks compressed at once, then the
    /// oldest spilled (or, when the spill file cannot be written, dropped),
    /// until the history fits or only the newest chunks are left.
    fn relieve(&mut self) {
        let Some(budget) = self.budget else {
            return;
        };
        while self.allocated() > budget {
            if self.can_compact() {
                self.compact();
                continue;
            }
            if self.chunks.len() <= HOT_CHUNKS {
                return;
            }
            if self.spill.failed.is_none() {
                match self.spill_oldest() {
                    Ok(()) => continue,
                    Err(why) => self.spill.failed = Some(why),
                }
            }
            self.drop_oldest();
        }
    }

    /// Moves the oldest chunk in memory (sealed, considered for
    /// compression) to the spill file.
    fn spill_oldest(&mut self) -> Result<(), String> {
        let spill = &mut self.spill;
        let file = match &mut spill.file {
            Some(file) => file,
            None => {
                #[cfg(test)]
                let created = match spill.limit {
                    Some(limit) => Spill::create_limited(limit),
                    None => Spill::create(),
                };
                #[cfg(not(test))]
                let created = Spill::create();
                let file = created.map_err(|e| {
                    format!(
                        "cannot make a spill file in {}: {e}",
                        std::env::temp_dir().display()
                    )
                })?;
                spill.file.insert(file)
            }
        };
        let Some(chunk) = self.chunks.front() else {
            return Ok(());
        };
        let stored = chunk.data.stored();
        let at = file
            .append(stored)
            .map_err(|e| format!("cannot write the spill file: {e}"))?;
        let spilled = Spilled {
            first: chunk.first,
            at,
            stored: stored.len() as u64,
            len: chunk.data.len() as u64,
        };
        if let Some(gone) = self.chunks.pop_front() {
            self.resident -= gone.footprint();
        }
        self.spilled.push_back(spilled);
        Ok(())
    }

    /// The spill file cannot be written: drops the oldest chunk in memory
    /// and, so that the lines held stay one run, every spilled one before
    /// it (their file space goes back: a full disk is likely ours).
    fn drop_oldest(&mut self) {
        let n = self.spilled_end() + 1;
        if n >= self.end() {
            return;
        }
        let first = self.chunk_first(n).max(self.first);
        self.spill.dropped += first - self.first;
        self.first = first;
        self.forget_before(first);
    }

    /// What the status bar should say about the spill file, when that
    /// changed since the last call: why it cannot be written, and how many
    /// old lines were dropped because of it.
    pub(crate) fn spill_news(&mut self) -> Option<String> {
        let spill = &mut self.spill;
        let why = spill.failed.as_ref()?;
        if spill.told == Some(spill.dropped) {
            return None;
        }
        spill.told = Some(spill.dropped);
        let dropped = spill.dropped;
        Some(format!(
            "{why}: {dropped} old line{} dropped to stay within the memory budget",
            if dropped == 1 { "" } else { "s" }
        ))
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
            let begin = skip_lines(data, 0, from - chunk_start);
            // Only the chunks at the ends of the range are cut: counting
            // the lines of every chunk would cost more than searching it.
            let finish = if to == chunk_end {
                data.len()
            } else {
                skip_lines(data, begin, to - from)
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

/// Decompresses our own zstd frame of `len` bytes into `buf` (left empty
/// if it fails).
fn unzstd(packed: &[u8], len: usize, buf: &mut Vec<u8>) {
    buf.clear();
    buf.reserve(len);
    if zstd::zstd_safe::decompress(buf, packed).is_err() {
        buf.clear();
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
    fn a_stream_keeps_its_unfinished_line_apart_until_it_ends() {
        let mut h = Memory::new();
        h.stream(b"one\ntw");
        assert_eq!((h.len(), h.shown_len()), (1, 2));
        assert_eq!(h.shown(1).as_deref(), Some(&b"tw"[..]));
        assert_eq!(h.get(1), None);
        h.stream(b"o");
        h.stream(b"\nthree\n");
        assert_eq!((h.len(), h.shown_len(), h.partial()), (3, 3, &b""[..]));
        assert_eq!(h.text(1).as_deref(), Some("two"));
        h.stream(b"four");
        assert!(h.end_partial());
        assert!(!h.end_partial());
        assert_eq!(h.text(3).as_deref(), Some("four"));
        // A huge unfinished line is not shown until it ends.
        h.stream(&vec![b'x'; SHOWN_PARTIAL]);
        assert_eq!((h.len(), h.shown_len()), (4, 4));
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
        let text: Vec<u8> = (0..20_000)
            .flat_map(|i| format!("{i} {}\n", "x".repeat(i % 300)).into_bytes())
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
        for i in (0..by_line.len()).step_by(97).chain([by_line.len() - 1]) {
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
    fn compaction_shrinks_sealed_chunks_and_keeps_every_line() {
        let mut h = Memory::new();
        for i in 0..100_000 {
            h.push(format!("2026-11-25T20:00:00Z INFO worker {i}: request served").as_bytes());
        }
        let before = h.allocated();
        while h.compact() {}
        assert!(!h.can_compact());
        let after = h.allocated();
        assert!(after * 3 < before, "{before} -> {after} bytes");
        for i in (0..100_000).step_by(1_013).chain([0, 99_999]) {
            let want = format!("2026-11-25T20:00:00Z INFO worker {i}: request served");
            assert_eq!(&*h.get(i).unwrap(), want.as_bytes(), "line {i}");
        }
        assert_eq!(lines(&h).len(), 100_000);
        // Appending goes on after compaction.
        h.push(b"new");
        assert_eq!(&*h.get(100_000).unwrap(), b"new");
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

    fn packed_chunks(h: &Memory) -> usize {
        h.chunks
            .iter()
            .filter(|c| matches!(c.data, Data::Zstd { .. }))
            .count()
    }

    #[test]
    fn incompressible_chunks_stay_plain() {
        // Every byte value but the line end, equally likely: nothing to gain.
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let line = |rng: &mut Rng| -> Vec<u8> {
            (0..40)
                .map(|_| match rng.next() as u8 {
                    b'\n' => 0,
                    b => b,
                })
                .collect()
        };
        let mut h = Memory::new();
        let mut want = Vec::new();
        for _ in 0..40_000 {
            want.push(line(&mut rng));
            h.push(want.last().unwrap());
        }
        let before = h.allocated();
        while h.compact() {}
        assert_eq!(packed_chunks(&h), 0);
        assert_eq!(h.allocated(), before);
        assert_eq!(lines(&h), want);
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
    fn random_words_are_compressed_and_come_back_whole() {
        let want = random_words(30_000);
        let mut h = Memory::new();
        for line in &want {
            h.push(line);
        }
        let before = h.allocated();
        while h.compact() {}
        let after = h.allocated();
        assert!(packed_chunks(&h) > 0);
        // About 0.6x: well below what LZ4 left (1.0x).
        assert!(after * 10 < before * 8, "{before} -> {after} bytes");
        assert_eq!(lines(&h), want);
        // Lines read one by one, in an order that jumps between chunks.
        for i in (0..want.len()).rev().step_by(331).chain([0, 1, 29_999]) {
            assert_eq!(&*h.get(i).unwrap(), &want[i][..], "line {i}");
        }
    }

    #[test]
    fn packed_plain_and_huge_chunks_mix() {
        // Compressible lines, an incompressible run, empty lines and a
        // huge line, compacted in the middle of arriving, read back in
        // every order.
        let mut rng = Rng(7);
        let mut want: Vec<Vec<u8>> = Vec::new();
        let mut h = Memory::new();
        let mut add = |h: &mut Memory, line: Vec<u8>| {
            if line.len() > CHUNK {
                h.push_owned(line.clone());
            } else {
                h.push(&line);
            }
            want.push(line);
        };
        for round in 0..6 {
            for i in 0..5_000 {
                add(
                    &mut h,
                    format!("{round} INFO request {i} served").into_bytes(),
                );
            }
            for _ in 0..5_000 {
                let line = (0..50).map(|_| (rng.next() % 255) as u8 + 1);
                add(
                    &mut h,
                    line.map(|b| if b == b'\n' { 0 } else { b }).collect(),
                );
            }
            for _ in 0..3_000 {
                add(&mut h, Vec::new());
            }
            add(&mut h, vec![b'a' + round; CHUNK + 100]);
            h.compact();
            h.compact();
        }
        while h.compact() {}
        assert!(packed_chunks(&h) > 0);
        assert!(h.chunks.iter().any(|c| matches!(c.data, Data::Plain(_))));
        assert_eq!(lines(&h), want);
        for i in (0..want.len())
            .step_by(97)
            .chain((0..want.len()).rev().step_by(1_009))
        {
            assert_eq!(&*h.get(i).unwrap(), &want[i][..], "line {i}");
        }
    }

    #[test]
    fn a_capped_history_compacts_and_keeps_the_newest_lines() {
        let want = random_words(40_000);
        let mut h = Memory::with_max_lines(7_000);
        for (i, line) in want.iter().enumerate() {
            h.push(line);
            if i % 500 == 0 {
                h.compact();
            }
        }
        while h.compact() {}
        assert!(packed_chunks(&h) > 0);
        assert_eq!(h.first(), 33_000);
        assert_eq!(h.get(32_999), None);
        assert_eq!(lines(&h), want[33_000..]);
        for i in (33_000..40_000).rev().step_by(113) {
            assert_eq!(&*h.get(i).unwrap(), &want[i][..], "line {i}");
        }
        // 7,000 lines of ~70 bytes, compressed, and the chunks around
        // them: not 40,000 lines' worth.
        assert!(h.allocated() < 5 * CHUNK, "{} bytes held", h.allocated());
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

#[cfg(test)]
mod spill_tests {
    use super::tests::{Rng, lines, random_words};
    use super::*;

    const BUDGET: usize = 2 << 20;

    /// The bytes held by the chunks in memory, counted afresh.
    fn recount(h: &Memory) -> usize {
        h.chunks.iter().map(Chunk::footprint).sum()
    }

    /// A line of random bytes but the line end: nothing to compress.
    fn noise(rng: &mut Rng, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| match rng.next() as u8 {
                b'\n' => 0,
                b => b,
            })
            .collect()
    }

    /// Random words (about 0.6x compressed), runs of random bytes, empty
    /// lines and a huge line, pushed every way a history takes them.
    fn mixed(h: &mut Memory, rounds: usize) -> Vec<Vec<u8>> {
        let mut rng = Rng(0x5eed);
        let words = random_words(4_000);
        let mut want: Vec<Vec<u8>> = Vec::new();
        for round in 0..rounds {
            for (i, line) in words.iter().enumerate() {
                let mut line = line.clone();
                line.extend_from_slice(format!(" {round}").as_bytes());
                match i % 3 {
                    0 => h.push(&line),
                    1 => h.push_block(&[&line[..], b"\n"].concat()),
                    _ => h.push_owned(line.clone()),
                }
                want.push(line);
            }
            let mut block = Vec::new();
            for _ in 0..2_000 {
                let line = noise(&mut rng, 60);
                block.extend_from_slice(&line);
                block.push(b'\n');
                want.push(line);
            }
            h.push_block(&block);
            h.push(b"");
            want.push(Vec::new());
            if round % 4 == 1 {
                let huge = vec![b'a' + (round % 26) as u8; HUGE + 1000];
                h.push_owned(huge.clone());
                want.push(huge);
            }
        }
        want
    }

    #[test]
    fn beyond_its_budget_a_history_spills_its_oldest_chunks_and_reads_them_back() {
        let mut h = Memory::new().max_memory(BUDGET);
        let want = mixed(&mut h, 12);
        let total: usize = want.iter().map(|l| l.len() + 1).sum();
        assert!(total > 4 * BUDGET, "{total} bytes");
        assert!(h.spilled.len() > 10, "{} chunks spilled", h.spilled.len());
        assert!(h.allocated() <= BUDGET, "{} bytes held", h.allocated());
        assert_eq!(h.resident, recount(&h));
        assert_eq!((h.first(), h.len()), (0, want.len()));
        assert_eq!(h.spill_news(), None);
        // Every line, in order, and one by one in an order that jumps
        // between spilled, compressed and plain chunks.
        assert_eq!(lines(&h), want);
        for i in (0..want.len()).rev().step_by(97).chain([0, want.len() - 1]) {
            assert_eq!(h.get(i).as_deref(), Some(&want[i][..]), "line {i}");
        }
        // Runs as a search reads them, both ways, from the middle of a
        // spilled chunk to the middle of one in memory.
        let spilled_line = h.spilled[3].first + 5;
        let range = spilled_line..want.len() - 7;
        for backward in [false, true] {
            let mut seen: Vec<Vec<(usize, Vec<u8>)>> = Vec::new();
            let _ = h.scan(range.clone(), backward, |ids, run| {
                let body = run.strip_suffix(b"\n").unwrap();
                seen.push(
                    ids.zip(body.split(|&b| b == b'\n').map(<[u8]>::to_vec))
                        .collect(),
                );
                ControlFlow::Continue(())
            });
            if backward {
                seen.reverse();
            }
            let seen = seen.concat();
            let expected: Vec<(usize, Vec<u8>)> =
                range.clone().map(|i| (i, want[i].clone())).collect();
            assert!(seen == expected, "backward: {backward}");
        }
    }

    #[test]
    fn a_history_of_tiny_lines_keeps_its_index_within_the_budget() {
        // `yes`: each chunk compresses to almost nothing, and what grows is
        // the index: 4 bytes per 64 lines, 1.25 MB for these 20M lines, unless
        // it goes with the chunks it indexes.
        let budget = 1 << 20;
        let mut h = Memory::new().max_memory(budget);
        let block = b"y\n".repeat(100_000);
        for _ in 0..200 {
            h.push_block(&block);
        }
        assert_eq!(h.len(), 20_000_000);
        assert!(h.allocated() <= budget, "{} bytes held", h.allocated());
        assert!(!h.spilled.is_empty());
        for i in [0, 1, 63, 64, 12_345_678, 19_999_999] {
            assert_eq!(h.get(i).as_deref(), Some(&b"y"[..]), "line {i}");
        }
        let mut count = 0;
        let _ = h.scan(0..h.len(), true, |ids, run| {
            assert_eq!(run.len(), 2 * ids.len());
            count += ids.len();
            ControlFlow::Continue(())
        });
        assert_eq!(count, 20_000_000);
    }

    #[test]
    fn a_full_disk_drops_the_oldest_lines_and_says_how_many() {
        let mut h = Memory::new().max_memory(BUDGET).spill_limit(3 << 20);
        let mut rng = Rng(3);
        let mut want = Vec::new();
        let mut fill = |h: &mut Memory, lines: usize| {
            for _ in 0..lines {
                let line = noise(&mut rng, 100);
                h.push(&line);
                want.push(line);
            }
        };
        // 10 MB that cannot be compressed: 2 MB held, 3 MB spilled, and
        // then the disk is full.
        fill(&mut h, 100_000);
        let news = h.spill_news().expect("the failure is told");
        assert!(news.contains("No space left on device"), "{news}");
        let dropped = h.first();
        assert!(dropped > 50_000, "{dropped} lines dropped");
        assert!(
            news.contains(&format!(": {dropped} old lines dropped")),
            "{news}"
        );
        // Told once; told again when more go.
        assert_eq!(h.spill_news(), None);
        assert!(h.allocated() <= BUDGET, "{} bytes held", h.allocated());
        assert!(h.spilled.is_empty());
        // The spill file was given back.
        assert_eq!(h.spill.file.as_ref().map(Spill::len), Some(0));
        fill(&mut h, 20_000);
        let news = h.spill_news().expect("more dropped, told again");
        assert!(h.first() > dropped);
        assert!(
            news.contains(&format!(": {} old lines dropped", h.first())),
            "{news}"
        );
        // What is held is the newest lines, whole.
        assert_eq!(lines(&h), want[h.first()..]);
        assert_eq!(h.get(h.first() - 1), None);
        assert_eq!(h.resident, recount(&h));
    }

    #[test]
    fn a_cap_still_drops_old_lines_from_a_spilled_history() {
        let mut h = Memory::with_max_lines(30_000).max_memory(BUDGET);
        let want = mixed(&mut h, 12);
        assert_eq!(h.first(), want.len() - 30_000);
        assert_eq!(lines(&h), want[want.len() - 30_000..]);
        assert!(!h.spilled.is_empty());
        assert!(h.spilled[0].first <= h.first());
        for i in (h.first()..want.len()).step_by(331) {
            assert_eq!(h.get(i).as_deref(), Some(&want[i][..]), "line {i}");
        }
        assert_eq!(h.resident, recount(&h));
        // A cap small enough that everything spilled goes: the file is
        // emptied.
        let mut h = Memory::with_max_lines(100).max_memory(BUDGET);
        mixed(&mut h, 6);
        assert!(h.spilled.is_empty());
        assert!(h.spill.file.as_ref().is_none_or(|f| f.len() == 0));
    }
}
