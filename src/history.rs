//! The compact, append-only line store.
//!
//! Millions of log lines must cost little more than their own bytes, so the
//! history is not a `Vec<String>`. Lines are appended, each followed by a
//! `\n`, into fixed-size byte chunks (a chunk never reallocates, so there is
//! no doubling slack), and the index keeps one position per block of
//! [`BLOCK`] lines; a line inside a block is found by scanning forward with
//! `memchr`. The index costs 8 bytes per 64 lines.

use std::borrow::Cow;

/// Lines per index entry. Finding a line scans at most `BLOCK - 1` newlines.
const BLOCK: usize = 64;

/// Size of a regular chunk. A line longer than this gets a chunk of its own.
const CHUNK: usize = 256 * 1024;

/// Where a block of lines starts: a chunk and an offset inside it.
#[derive(Clone, Copy, Debug)]
struct Pos {
    chunk: u32,
    offset: u32,
}

/// Every line received, as raw bytes, in arrival order.
#[derive(Debug, Default)]
pub struct History {
    chunks: Vec<Vec<u8>>,
    blocks: Vec<Pos>,
    len: usize,
    bytes: u64,
}

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of lines held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no line has been received.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Total bytes of all lines, without their separators.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Appends one line. A `\n` inside `line` would be taken for a line end,
    /// so callers split on newlines first (the sender does).
    pub fn push(&mut self, line: &[u8]) {
        debug_assert!(memchr::memchr(b'\n', line).is_none());
        let need = line.len() + 1;
        let fits = self
            .chunks
            .last()
            .is_some_and(|c| c.capacity() - c.len() >= need);
        if !fits {
            // Exact capacity: `Vec::with_capacity` followed by pushes within it
            // never reallocates, so the arena wastes only each chunk's tail.
            self.chunks.push(Vec::with_capacity(need.max(CHUNK)));
        }
        let chunk_index = self.chunks.len() - 1;
        let chunk = &mut self.chunks[chunk_index];
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(Pos {
                chunk: chunk_index as u32,
                offset: chunk.len() as u32,
            });
        }
        chunk.extend_from_slice(line);
        chunk.push(b'\n');
        self.len += 1;
        self.bytes += line.len() as u64;
    }

    /// The raw bytes of line `index`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        if index >= self.len {
            return None;
        }
        let Pos { chunk, offset } = self.blocks[index / BLOCK];
        let (mut chunk, mut offset) = (chunk as usize, offset as usize);
        let mut skip = index % BLOCK;
        loop {
            let data = &self.chunks[chunk][offset..];
            if data.is_empty() {
                // Lines never span chunks: the block continues in the next one.
                chunk += 1;
                offset = 0;
                continue;
            }
            let end = memchr::memchr(b'\n', data).unwrap_or(data.len());
            if skip == 0 {
                return Some(&data[..end]);
            }
            skip -= 1;
            offset += end + 1;
        }
    }

    /// Line `index` as text: invalid UTF-8 becomes U+FFFD.
    pub fn text(&self, index: usize) -> Option<Cow<'_, str>> {
        self.get(index).map(String::from_utf8_lossy)
    }

    /// All lines, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.chunks.iter().flat_map(|chunk| {
            let body = chunk.strip_suffix(b"\n").unwrap_or(chunk);
            let empty = chunk.is_empty();
            body.split(|&b| b == b'\n').filter(move |_| !empty)
        })
    }

    /// Bytes reserved by the store, for memory accounting.
    pub fn allocated(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.blocks.capacity() * std::mem::size_of::<Pos>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_history_has_no_lines() {
        let h = History::new();
        assert!(h.is_empty());
        assert_eq!(h.get(0), None);
        assert_eq!(h.iter().count(), 0);
    }

    #[test]
    fn lines_come_back_in_order_across_blocks() {
        let mut h = History::new();
        for i in 0..1000 {
            h.push(format!("line {i}").as_bytes());
        }
        assert_eq!(h.len(), 1000);
        for i in [0, 1, 63, 64, 65, 127, 128, 999] {
            assert_eq!(h.get(i).unwrap(), format!("line {i}").as_bytes());
        }
        assert_eq!(h.get(1000), None);
        let all: Vec<_> = h.iter().collect();
        assert_eq!(all.len(), 1000);
        assert_eq!(all[500], b"line 500");
    }

    #[test]
    fn empty_lines_are_kept() {
        let mut h = History::new();
        h.push(b"");
        h.push(b"a");
        h.push(b"");
        assert_eq!(h.len(), 3);
        assert_eq!(h.get(0).unwrap(), b"");
        assert_eq!(h.get(1).unwrap(), b"a");
        assert_eq!(h.get(2).unwrap(), b"");
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![&b""[..], b"a", b""]);
    }

    #[test]
    fn raw_bytes_are_kept_and_shown_lossily() {
        let mut h = History::new();
        h.push(b"ok \xff\xfe end\r");
        assert_eq!(h.get(0).unwrap(), b"ok \xff\xfe end\r");
        assert_eq!(h.text(0).unwrap(), "ok \u{fffd}\u{fffd} end\r");
    }

    #[test]
    fn lines_larger_than_a_chunk_get_their_own() {
        let mut h = History::new();
        h.push(b"before");
        let big = vec![b'x'; CHUNK * 2 + 3];
        h.push(&big);
        h.push(b"after");
        assert_eq!(h.get(0).unwrap(), b"before");
        assert_eq!(h.get(1).unwrap(), &big[..]);
        assert_eq!(h.get(2).unwrap(), b"after");
        assert_eq!(h.iter().count(), 3);
    }

    #[test]
    fn a_block_spanning_chunks_is_found() {
        let mut h = History::new();
        // Lines of 100 KB: a block of 64 lines spans many chunks.
        let line = |i: usize| vec![b'a' + (i % 26) as u8; 100 * 1024];
        for i in 0..130 {
            h.push(&line(i));
        }
        for i in [0, 9, 10, 11, 63, 64, 100, 129] {
            assert_eq!(h.get(i).unwrap(), &line(i)[..], "line {i}");
        }
    }

    #[test]
    fn overhead_is_far_below_a_byte_per_line() {
        let mut h = History::new();
        let line = [b'x'; 99];
        for _ in 0..100_000 {
            h.push(&line);
        }
        // 99 bytes and a separator each: the only slack is the unfilled
        // tail of the open chunk and the index, 8 bytes per 64 lines.
        let payload = 100_000 * 100;
        let index = 100_000 / BLOCK * 8;
        let slack = h.allocated() - payload;
        assert!(slack <= CHUNK + 2 * index, "slack {slack} bytes");
    }
}
