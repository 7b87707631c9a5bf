//! Cold chunks: sealed chunks compressed (when the printer is idle, or at
//! once past the memory budget), the oldest moved to the spill file past
//! the budget or dropped when it cannot be written, and any of them read
//! back, a chunk at a time, when a line in them is wanted.

use super::super::spill::Spill;
use super::chunk::{Chunk, Data, Packer, unzstd};
use super::{HOT_CHUNKS, HUGE, Memory};

/// Shown for each line of a chunk that cannot be read back: its zstd frame
/// does not decompress to its length (a bug, or memory corrupted), or the
/// spill file cannot be read (a broken disk). The line ids stay in place.
pub(super) const LOST: &[u8] =
    b"\xe2\x9f\xa8reflow: this line is lost: its part of the history could not be read back\xe2\x9f\xa9";

/// A chunk moved to the spill file: `stored` bytes at `at`, a zstd frame
/// of `len` plain bytes when `stored < len` (a chunk is kept compressed
/// only when that shrinks it), else the plain bytes themselves.
#[derive(Clone, Copy, Debug)]
pub(super) struct Spilled {
    /// The id of its first line.
    pub(super) first: usize,
    pub(super) at: u64,
    pub(super) stored: u64,
    pub(super) len: u64,
}

impl Spilled {
    pub(super) fn packed(&self) -> bool {
        self.stored < self.len
    }
}

/// The spill file and what became of it.
#[derive(Debug, Default)]
pub(super) struct SpillState {
    /// Created when first needed.
    pub(super) file: Option<Spill>,
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

impl Memory {
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

    /// Runs `f` on chunk `n`, compressed or spilled, as plain bytes (kept
    /// for the next call, which usually wants the same chunk); `None` if
    /// they cannot be read back (see [`LOST`]).
    pub(super) fn with_unpacked<R>(&self, n: usize, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let mut cache = self.unpacked.borrow_mut();
        let (cached, buf) = &mut *cache;
        if *cached != Some(n) {
            *cached = None;
            if !self.unpack(n, buf) {
                return None;
            }
            *cached = Some(n);
        }
        let result = f(buf);
        if buf.capacity() > HUGE {
            *cache = (None, Vec::new());
        }
        Some(result)
    }

    /// Chunk `n`'s lines: its own bytes when plain in memory, else
    /// decompressed or read back into `buf`, or as many [`LOST`] lines as
    /// it holds when that fails.
    pub(super) fn chunk_bytes<'a>(&'a self, n: usize, buf: &'a mut Vec<u8>) -> &'a [u8] {
        if let Some(Chunk {
            data: Data::Plain(data),
            ..
        }) = n
            .checked_sub(self.spilled_end())
            .and_then(|i| self.chunks.get(i))
        {
            return data;
        }
        if !self.unpack(n, buf) {
            let lines = self.chunk_end(n) - self.chunk_first(n);
            for _ in 0..lines {
                buf.extend_from_slice(LOST);
                buf.push(b'\n');
            }
        }
        buf
    }

    /// Chunk `n` (not plain in memory), plain, into `buf`. Returns false,
    /// with `buf` empty, when our own compressed bytes or our own file
    /// fail (a bug or a broken disk): its lines are then shown as
    /// [`LOST`] rather than missing, or a crash.
    fn unpack(&self, n: usize, buf: &mut Vec<u8>) -> bool {
        buf.clear();
        match n.checked_sub(self.spilled_end()) {
            Some(i) => match &self.chunks[i].data {
                Data::Zstd { packed, len } => unzstd(packed, *len, buf),
                Data::Plain(data) => {
                    buf.extend_from_slice(data);
                    true
                }
            },
            None => self.read_spilled(&self.spilled[n - self.base], buf),
        }
    }

    /// A spilled chunk's lines, read back into `buf`. Returns false, with
    /// `buf` empty, on failure.
    pub(super) fn read_spilled(&self, spilled: &Spilled, buf: &mut Vec<u8>) -> bool {
        buf.clear();
        let Some(file) = &self.spill.file else {
            return false;
        };
        let (Ok(stored), Ok(len)) = (
            usize::try_from(spilled.stored),
            usize::try_from(spilled.len),
        ) else {
            return false;
        };
        if !spilled.packed() {
            if file.read(spilled.at, stored, buf).is_err() {
                buf.clear();
                return false;
            }
            return true;
        }
        let mut raw = self.raw.borrow_mut();
        let read = file.read(spilled.at, stored, &mut raw).is_ok() && unzstd(&raw, len, buf);
        if raw.capacity() > HUGE {
            *raw = Vec::new();
        }
        read
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
    pub(super) fn relieve(&mut self) {
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
}

// The tests compact, which needs the compressor.
#[cfg(all(test, feature = "zstd"))]
mod tests {
    use std::ops::ControlFlow;

    use super::super::tests::{Rng, lines, random_words};
    use super::super::{CHUNK, Memory};
    use super::*;

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

    pub(super) fn packed_chunks(h: &Memory) -> usize {
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
    pub(super) fn packed_plain_and_huge_chunks_mix() {
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

    /// Issue 17: a chunk that could not be decompressed (or read back from
    /// the spill file) became missing lines: `get` said "not held", a scan
    /// (search, `--save`) skipped them. Each of its lines is now shown as
    /// [`LOST`], and every id keeps its place.
    #[test]
    fn a_chunk_that_cannot_be_read_back_shows_its_lines_as_lost() {
        let line = |i: usize| format!("2026-11-25T20:00:00Z INFO worker {i}: served").into_bytes();
        let mut h = Memory::new();
        for i in 0..40_000 {
            h.push(&line(i));
        }
        while h.compact() {}
        // The second chunk's frame broken, past the header zstd reads first.
        let Data::Zstd { packed, .. } = &mut h.chunks[1].data else {
            panic!("the chunk was not compressed");
        };
        for byte in &mut packed[16..] {
            *byte = !*byte;
        }
        let broken = h.chunks[1].first..h.chunks[2].first;
        let lost = |i: usize| broken.contains(&i);
        for i in [
            0,
            broken.start - 1,
            broken.start,
            broken.start + 70,
            broken.end - 1,
            broken.end,
        ] {
            let want = if lost(i) { LOST.to_vec() } else { line(i) };
            assert_eq!(h.get(i).as_deref(), Some(&want[..]), "line {i}");
        }
        let want: Vec<Vec<u8>> = (0..40_000)
            .map(|i| if lost(i) { LOST.to_vec() } else { line(i) })
            .collect();
        assert_eq!(lines(&h), want);
        let mut ids = Vec::new();
        let _ = h.scan(broken.start + 3..broken.end + 3, true, |run, _| {
            ids.extend(run);
            ControlFlow::Continue(())
        });
        ids.sort_unstable();
        assert_eq!(ids, (broken.start + 3..broken.end + 3).collect::<Vec<_>>());

        // A spilled chunk whose bytes cannot be read back from the file.
        let mut h = Memory::new().max_memory(BUDGET);
        let want = mixed(&mut h, 12);
        let gone = h.spilled[2];
        h.spilled[2].at = u64::MAX / 2;
        let lost = gone.first..h.spilled[3].first;
        let want: Vec<Vec<u8>> = want
            .into_iter()
            .enumerate()
            .map(|(i, l)| if lost.contains(&i) { LOST.to_vec() } else { l })
            .collect();
        assert_eq!(lines(&h), want);
        assert_eq!(h.get(lost.start).as_deref(), Some(LOST));
        assert_eq!(h.get(lost.end).as_deref(), Some(&want[lost.end][..]));
    }
}
