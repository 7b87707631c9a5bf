//! A chunk of the in-memory store: its bytes, plain in a memory mapping
//! of their own or sealed into one zstd frame, the compressor kept from
//! chunk to chunk, and the chunk's block index (where each block of
//! [`BLOCK`] lines that starts in it begins).

use super::BLOCK;

/// The zstd level for sealed chunks. Level 1 is zstd's fastest with
/// Huffman-coded literals: on varied service logs it holds 0.27x of the
/// text (LZ4: 0.45x), random words 0.58x (LZ4: 1.0x), compressing about as
/// fast as LZ4; higher levels gain a few percent for several times the CPU,
/// negative ones give up the entropy coding that is the point.
#[cfg(feature = "zstd")]
const LEVEL: i32 = 1;

/// A chunk is kept compressed only when that saves at least this fraction
/// of it (1/8): otherwise reading it back would cost time for little memory.
#[cfg(feature = "zstd")]
const MIN_SAVING: usize = 8;

/// The bytes of a plain chunk.
///
/// A regular chunk is an anonymous memory mapping of its own, not a heap
/// allocation: when it is compressed (or dropped) its memory goes back to
/// the system at once. A heap block of this size can stay with the
/// allocator instead (glibc serves such sizes from its heap once it has
/// freed one mapping of that size, and keeps freed heap in the middle), and
/// then the process would not shrink at all after compaction. Without
/// compaction (no `zstd` feature) chunks are on the heap.
#[derive(Debug)]
pub(super) enum Buf {
    #[cfg(feature = "zstd")]
    Map { map: memmap2::MmapMut, len: usize },
    /// A huge line adopted as it came, or where mapping failed.
    Vec(Vec<u8>),
}

impl Buf {
    pub(super) fn with_capacity(capacity: usize) -> Self {
        #[cfg(feature = "zstd")]
        if let Ok(map) = fresh(capacity) {
            return Buf::Map { map, len: 0 };
        }
        Buf::Vec(Vec::with_capacity(capacity))
    }

    pub(super) fn capacity(&self) -> usize {
        match self {
            #[cfg(feature = "zstd")]
            Buf::Map { map, .. } => map.len(),
            Buf::Vec(v) => v.capacity(),
        }
    }

    /// Appends `bytes`; a mapping has room for them (callers check).
    pub(super) fn extend_from_slice(&mut self, bytes: &[u8]) {
        match self {
            #[cfg(feature = "zstd")]
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
            #[cfg(feature = "zstd")]
            Buf::Map { map, len } => &map[..*len],
            Buf::Vec(v) => v,
        }
    }
}

/// A mapping of `len` bytes with its pages in memory already.
///
/// The kernel gives an anonymous mapping its memory a page at a time, as
/// each is first written; taking it all in the one `mmap` call
/// (`MAP_POPULATE`) spares a trap per page: those were a quarter of the
/// printer's time while a big input was piped in, which now comes a tenth
/// faster. (A thread of its own making the mappings ahead gained nothing
/// more on two cores, and huge pages stalled now and then.)
#[cfg(feature = "zstd")]
fn fresh(len: usize) -> std::io::Result<memmap2::MmapMut> {
    memmap2::MmapOptions::new().len(len).populate().map_anon()
}

/// A chunk's bytes in memory.
#[derive(Debug)]
#[cfg_attr(not(feature = "zstd"), allow(dead_code))]
pub(super) enum Data {
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
pub(super) struct Packer {
    #[cfg(feature = "zstd")]
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
    /// None without the `zstd` feature: chunks then stay plain.
    #[cfg(not(feature = "zstd"))]
    pub(super) fn new() -> Option<Self> {
        None
    }

    /// Never called without the `zstd` feature (there is no packer).
    #[cfg(not(feature = "zstd"))]
    pub(super) fn pack(&mut self, _data: &[u8]) -> Option<Data> {
        self.scratch.clear();
        None
    }

    #[cfg(feature = "zstd")]
    pub(super) fn new() -> Option<Self> {
        Some(Packer {
            compressor: zstd::bulk::Compressor::new(LEVEL).ok()?,
            scratch: Vec::new(),
        })
    }

    /// The chunk compressed, if that saves at least 1/[`MIN_SAVING`] of it.
    #[cfg(feature = "zstd")]
    pub(super) fn pack(&mut self, data: &[u8]) -> Option<Data> {
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
    pub(super) fn stored(&self) -> &[u8] {
        match self {
            Data::Plain(data) => data,
            Data::Zstd { packed, .. } => packed,
        }
    }

    /// The length of its lines.
    pub(super) fn len(&self) -> usize {
        match self {
            Data::Plain(data) => data.len(),
            Data::Zstd { len, .. } => *len,
        }
    }
}

/// A chunk in memory.
#[derive(Debug)]
pub(super) struct Chunk {
    pub(super) data: Data,
    /// The id of its first line.
    pub(super) first: usize,
    /// Where each block that starts in this chunk begins (the lines whose
    /// id is a multiple of [`BLOCK`]), in order.
    pub(super) blocks: Vec<u32>,
}

impl Chunk {
    /// Bytes it holds, for the budget.
    pub(super) fn footprint(&self) -> usize {
        let data = match &self.data {
            Data::Plain(data) => data.capacity(),
            Data::Zstd { packed, .. } => packed.len(),
        };
        data + self.blocks.capacity() * std::mem::size_of::<u32>()
    }

    /// Where to start looking for line `index` (held here): an offset, and
    /// how many lines to skip from it.
    pub(super) fn start_of(&self, index: usize) -> (usize, usize) {
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

/// Decompresses our own zstd frame of `len` bytes into `buf`. Returns
/// false, with `buf` left empty, if it fails or gives another length.
#[cfg(feature = "zstd")]
pub(super) fn unzstd(packed: &[u8], len: usize, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    buf.reserve(len);
    if zstd::zstd_safe::decompress(buf, packed).is_err() || buf.len() != len {
        buf.clear();
        return false;
    }
    true
}

/// Without the `zstd` feature no chunk is compressed: a frame is never
/// read back.
#[cfg(not(feature = "zstd"))]
pub(super) fn unzstd(_packed: &[u8], _len: usize, buf: &mut Vec<u8>) -> bool {
    buf.clear();
    false
}
