//! The in-memory line store: compact, append-only, compressed as it goes.
//!
//! Millions of log lines must cost little more than their own bytes, so
//! the history is not a `Vec<String>`. Lines are appended, each followed by
//! a `\n`, into fixed-size byte chunks, each a memory mapping of its own (a
//! chunk never reallocates, so there is no doubling slack, and its memory
//! goes back to the system as soon as it is compressed), and the index keeps one position per block of
//! [`BLOCK`] lines; a line inside a block is found by scanning forward with
//! `memchr`. The index costs 8 bytes per 64 lines.
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

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

/// Lines per index entry. Finding a line scans at most `BLOCK - 1` newlines.
const BLOCK: usize = 64;

/// Size of a regular chunk: 256 KiB, whole pages of a mapping of its own.
/// A longer line gets a chunk of its own.
const CHUNK: usize = 256 * 1024;

/// The newest chunks are never compressed (the open one and the one
/// before it).
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

/// Where a block of lines starts: a chunk and an offset inside it.
#[derive(Clone, Copy, Debug)]
struct Pos {
    chunk: u32,
    offset: u32,
}

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

#[derive(Debug)]
enum Chunk {
    /// Lines as received, each ended by `\n`.
    Plain(Buf),
    /// A sealed chunk, one zstd frame, and its plain length.
    Zstd { data: Box<[u8]>, len: usize },
}

impl Chunk {
    /// The chunk's lines: its own bytes when plain, else decompressed into
    /// `buf` (whose allocation is reused from call to call).
    fn bytes<'a>(&'a self, buf: &'a mut Vec<u8>) -> &'a [u8] {
        match self {
            Chunk::Plain(data) => data,
            Chunk::Zstd { data, len } => {
                buf.clear();
                buf.reserve(*len);
                // Our own compressed bytes: failing to decompress them is a
                // bug, shown as missing lines rather than a crash.
                if zstd::zstd_safe::decompress(buf, data).is_err() {
                    buf.clear();
                }
                buf
            }
        }
    }

    /// The chunk compressed, if that saves at least 1/[`MIN_SAVING`] of it.
    fn pack(data: &[u8]) -> Option<Chunk> {
        let packed = zstd::bulk::compress(data, LEVEL).ok()?;
        (packed.len() <= data.len() - data.len() / MIN_SAVING).then(|| Chunk::Zstd {
            len: data.len(),
            data: packed.into_boxed_slice(),
        })
    }
}

/// Every line received (or, with a cap, the newest), as raw bytes, in
/// arrival order. Lines keep the index they arrived with: with a cap, the
/// first kept line is [`first`](Memory::first), not 0.
#[derive(Debug, Default)]
pub(crate) struct Memory {
    chunks: Vec<Chunk>,
    /// The index of the first line that begins in each chunk.
    chunk_first: Vec<usize>,
    /// Where each block of lines starts, from block `block_base` on.
    blocks: Vec<Pos>,
    block_base: usize,
    /// The line where `blocks[0]` starts: a block's first line, or the
    /// first line of the first chunk when older chunks were dropped.
    block_base_line: usize,
    /// Lines before this one are gone (see `max_lines`).
    first: usize,
    max_lines: Option<usize>,
    len: usize,
    bytes: u64,
    /// Chunks before this one were considered for compression already.
    next_pack: usize,
    /// The last compressed chunk read (its index, or `None`), decompressed:
    /// neighbouring lines are usually read together.
    unpacked: RefCell<(Option<usize>, Vec<u8>)>,
    /// The start of a line whose end has not come yet (see
    /// [`stream`](Memory::stream)): shown as it is, not yet counted.
    partial: Vec<u8>,
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

    /// Appends one line. A `\n` inside `line` would be taken for a line
    /// end, so callers split on newlines first.
    pub(crate) fn push(&mut self, line: &[u8]) {
        debug_assert!(memchr::memchr(b'\n', line).is_none());
        self.open_chunk(line.len() + 1);
        let index = self.chunks.len() - 1;
        if let Some(Chunk::Plain(chunk)) = self.chunks.last_mut() {
            if self.len.is_multiple_of(BLOCK) {
                self.blocks.push(Pos {
                    chunk: index as u32,
                    offset: chunk.len() as u32,
                });
            }
            chunk.extend_from_slice(line);
            chunk.extend_from_slice(b"\n");
            self.len += 1;
            self.bytes += line.len() as u64;
        }
        self.trim();
    }

    /// Appends one line, taking its allocation as a chunk of its own when
    /// it is longer than a chunk: a huge line is held once, never copied.
    pub(crate) fn push_owned(&mut self, mut line: Vec<u8>) {
        if line.len() < CHUNK {
            self.push(&line);
            return;
        }
        debug_assert!(memchr::memchr(b'\n', &line).is_none());
        let index = self.chunks.len();
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(Pos {
                chunk: index as u32,
                offset: 0,
            });
        }
        self.bytes += line.len() as u64;
        self.chunk_first.push(self.len);
        self.len += 1;
        line.push(b'\n');
        // Sealed: later lines go to a chunk of their own (a large shrink is
        // a remap, not a copy).
        line.shrink_to_fit();
        self.chunks.push(Chunk::Plain(Buf::Vec(line)));
        self.trim();
    }

    /// Appends every line of `block`: lines each ended by `\n` (a last
    /// line without one is ended here). Copies whole runs of lines at once
    /// instead of one line at a time.
    pub(crate) fn push_block(&mut self, block: &[u8]) {
        let mut rest = block;
        while !rest.is_empty() {
            let free = match self.chunks.last() {
                Some(Chunk::Plain(chunk)) => chunk.capacity() - chunk.len(),
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
        }
        self.trim();
    }

    /// With a cap, forgets the lines before the newest `max_lines`, and
    /// gives back every chunk that holds only such lines.
    fn trim(&mut self) {
        let Some(max) = self.max_lines else {
            return;
        };
        self.first = self.first.max(self.len.saturating_sub(max));
        // Whole chunks before `first`; the open chunk stays.
        let gone = self
            .chunk_first
            .iter()
            .skip(1)
            .take_while(|&&start| start <= self.first)
            .count();
        if gone == 0 {
            return;
        }
        self.chunks.drain(..gone);
        self.chunk_first.drain(..gone);
        self.next_pack = self.next_pack.saturating_sub(gone);
        self.unpacked.borrow_mut().0 = None;
        let start = self.chunk_first[0];
        let block = start / BLOCK;
        self.blocks.drain(..block - self.block_base);
        self.block_base = block;
        self.block_base_line = block * BLOCK;
        for pos in &mut self.blocks {
            pos.chunk = pos.chunk.saturating_sub(gone as u32);
        }
        // The first block began in a chunk now gone: it is found from the
        // start of the first chunk instead.
        if let Some(pos) = self.blocks.first_mut()
            && self.block_base_line < start
        {
            *pos = Pos {
                chunk: 0,
                offset: 0,
            };
            self.block_base_line = start;
        }
    }

    /// Copies whole lines (the last may lack its `\n`) into the open chunk,
    /// which has room for them, and indexes them.
    fn append_lines(&mut self, lines: &[u8]) {
        let index = self.chunks.len() - 1;
        let Some(Chunk::Plain(chunk)) = self.chunks.last_mut() else {
            return;
        };
        let base = chunk.len();
        let mut start = 0;
        let mut count = 0;
        let mut newlines = 0;
        let mut ends = memchr::memchr_iter(b'\n', lines);
        while start < lines.len() {
            if (self.len + count).is_multiple_of(BLOCK) {
                self.blocks.push(Pos {
                    chunk: index as u32,
                    offset: (base + start) as u32,
                });
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
        chunk.extend_from_slice(lines);
        if !lines.ends_with(b"\n") {
            chunk.extend_from_slice(b"\n");
        }
        self.len += count;
        self.bytes += (lines.len() - newlines) as u64;
    }

    /// Makes sure the open chunk has room for `need` more bytes.
    fn open_chunk(&mut self, need: usize) {
        let fits =
            matches!(self.chunks.last(), Some(Chunk::Plain(c)) if c.capacity() - c.len() >= need);
        if !fits {
            // Exact capacity: pushes within it never reallocate, so the
            // arena wastes only each chunk's unfilled tail.
            self.chunks
                .push(Chunk::Plain(Buf::with_capacity(need.max(CHUNK))));
            self.chunk_first.push(self.len);
        }
    }

    /// The raw bytes of line `index`, or `None` past the end.
    pub(crate) fn get(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        if index >= self.len || index < self.first {
            return None;
        }
        let block = index / BLOCK;
        let Pos { chunk, offset } = *self.blocks.get(block - self.block_base)?;
        let (mut chunk, mut offset) = (chunk as usize, offset as usize);
        let start = if block == self.block_base {
            self.block_base_line
        } else {
            block * BLOCK
        };
        let mut skip = index - start;
        loop {
            // Lines never span chunks: a block may go on in the next one.
            match self.chunks.get(chunk)? {
                Chunk::Plain(data) => match find_line(data, offset, skip) {
                    Ok(range) => return Some(Cow::Borrowed(&data[range])),
                    Err(left) => skip = left,
                },
                Chunk::Zstd { .. } => {
                    let found = self.with_unpacked(chunk, |data| {
                        find_line(data, offset, skip).map(|range| data[range].to_vec())
                    });
                    match found {
                        Ok(line) => return Some(Cow::Owned(line)),
                        Err(left) => skip = left,
                    }
                }
            }
            chunk += 1;
            offset = 0;
        }
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
        let mut line = self.chunk_first.first().copied().unwrap_or(0);
        for index in 0..self.chunks.len() {
            let mut each = |data: &[u8]| {
                let body = data.strip_suffix(b"\n").unwrap_or(data);
                if !data.is_empty() {
                    for text in body.split(|&b| b == b'\n') {
                        if line >= self.first {
                            f(text);
                        }
                        line += 1;
                    }
                }
            };
            match &self.chunks[index] {
                Chunk::Plain(data) => each(data),
                Chunk::Zstd { .. } => self.with_unpacked(index, each),
            }
        }
    }

    /// Runs `f` on compressed chunk `index`, decompressed (kept for the
    /// next call, which usually wants the same chunk).
    fn with_unpacked<R>(&self, index: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        let chunk = &self.chunks[index];
        if let Chunk::Plain(data) = chunk {
            return f(data);
        }
        let mut cache = self.unpacked.borrow_mut();
        let (cached, buf) = &mut *cache;
        if *cached != Some(index) {
            chunk.bytes(buf);
            *cached = Some(index);
        }
        f(buf)
    }

    /// True while some sealed chunk has not been compressed yet.
    pub(crate) fn can_compact(&self) -> bool {
        self.next_pack + HOT_CHUNKS < self.chunks.len()
    }

    /// Compresses the oldest sealed chunk not yet considered, if any: one
    /// chunk (256 KiB) a call, so the caller stays responsive. Returns
    /// whether more remain. A chunk that does not shrink stays plain.
    pub(crate) fn compact(&mut self) -> bool {
        if !self.can_compact() {
            return false;
        }
        let index = self.next_pack;
        self.next_pack += 1;
        // A chunk holding one huge line stays plain: compressing it would
        // hold it twice for a while.
        if let Chunk::Plain(data) = &self.chunks[index]
            && data.len() <= 4 * CHUNK
            && let Some(packed) = Chunk::pack(data)
        {
            self.chunks[index] = packed;
        }
        self.can_compact()
    }

    /// Bytes reserved by the store, for memory accounting.
    pub(crate) fn allocated(&self) -> usize {
        let chunks: usize = self
            .chunks
            .iter()
            .map(|chunk| match chunk {
                Chunk::Plain(data) => data.capacity(),
                Chunk::Zstd { data, .. } => data.len(),
            })
            .sum();
        chunks + self.blocks.capacity() * std::mem::size_of::<Pos>()
    }

    /// Calls `f` with the lines of `lines` held (the range is clipped to
    /// [`first`](Memory::first)`..`[`len`](Memory::len)) in runs: the
    /// ids of a run's lines and their bytes, each line ended by `\n`. A run
    /// is the part of one chunk in range, so each chunk is decompressed
    /// once, into one buffer reused for all of them, and the caller can
    /// search a run in one pass: a search reads the whole history in a few
    /// hundred calls instead of a million [`get`](Memory::get)s. Runs come
    /// oldest first, or newest first when `backward` (the lines inside a
    /// run are in order either way). Stops as soon as `f` breaks, and
    /// returns what it returned last.
    pub(crate) fn scan(
        &self,
        lines: Range<usize>,
        backward: bool,
        mut f: impl FnMut(Range<usize>, &[u8]) -> std::ops::ControlFlow<()>,
    ) -> std::ops::ControlFlow<()> {
        use std::ops::ControlFlow;
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
        // The chunks holding `start` and `end - 1`.
        let chunk_of = |line: usize| {
            self.chunk_first
                .partition_point(|&f| f <= line)
                .saturating_sub(1)
        };
        let (low, high) = (chunk_of(start), chunk_of(end - 1));
        let mut buf = Vec::new();
        let mut visit = |index: usize| {
            let data = self.chunks[index].bytes(&mut buf);
            let chunk_start = self.chunk_first[index];
            let from = start.max(chunk_start);
            let chunk_end = self.chunk_first.get(index + 1).copied().unwrap_or(self.len);
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

    fn lines(h: &Memory) -> Vec<Vec<u8>> {
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
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    fn packed_chunks(h: &Memory) -> usize {
        h.chunks
            .iter()
            .filter(|c| matches!(c, Chunk::Zstd { .. }))
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
    fn random_words(lines: usize) -> Vec<Vec<u8>> {
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
        assert!(h.chunks.iter().any(|c| matches!(c, Chunk::Plain(_))));
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
