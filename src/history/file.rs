//! A file's lines read in place: an index of where lines start, not the
//! bytes. The index is built from the end of the file backward, in a thread
//! of its own, so the last lines are known at once (the first screen of a
//! 1 GB log does not wait for the rest to be read) and the line count grows
//! as the rest is indexed. Lines are numbered from the end (line 0 is the
//! last), so a line's number never changes as the index grows.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use crossbeam_channel::{Receiver, Sender};

/// Lines per index entry: reading a line skips at most this many others.
const BLOCK: usize = 64;

/// How much the indexer reads at a time, and a scan hands out.
const WINDOW: usize = 1 << 20;

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

/// A file's first `end` bytes, as lines (each ended by `\n` there).
#[derive(Debug)]
pub(crate) struct FileLines {
    file: Arc<File>,
    /// The end of the last whole line taken (one past its `\n`).
    end: u64,
    index: Arc<Mutex<Index>>,
    /// A tick each time the indexer found more lines, and at its end.
    pub(crate) progress: Receiver<()>,
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
        if end > 0 {
            let (file, index) = (Arc::clone(&file), Arc::clone(&index));
            thread::Builder::new()
                .name("reflow-index".into())
                .spawn(move || build_index(&file, end, &index, &tick))?;
        }
        Ok((
            FileLines {
                file,
                end,
                index,
                progress,
            },
            tail,
        ))
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
    #[cfg(test)]
    pub(crate) fn done(&self) -> bool {
        self.index().done
    }

    /// Bytes the index holds.
    pub(crate) fn allocated(&self) -> usize {
        self.index().starts.capacity() * 8
    }

    /// Where line `j` from the end starts, if known.
    fn start(&self, index: &Index, j: usize) -> Option<u64> {
        if j >= index.counted {
            return None;
        }
        let k = j.div_ceil(BLOCK);
        let (from, line) = match index.starts.get(k) {
            Some(&at) => (at, k * BLOCK),
            None => (index.earliest, index.counted - 1),
        };
        // Forward from the start of line `line` (earlier in the file) to
        // the start of line `j`: skip `line - j` line ends.
        self.skip(from, line - j)
    }

    /// The offset `count` line ends after `from`.
    fn skip(&self, mut from: u64, mut count: usize) -> Option<u64> {
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
            Ok(0) | Err(_) => None,
            Ok(n) => Some(n),
        }
    }

    /// Line `j` from the end, without its `\n`; `None` if it is not
    /// indexed yet, or its bytes are gone (the file was cut short).
    pub(crate) fn get(&self, j: usize) -> Option<Vec<u8>> {
        let start = {
            let index = self.index();
            self.start(&index, j)?
        };
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

    /// The bytes of lines `from` down to `to` from the end (`from >= to`,
    /// both indexed), each ended by `\n`.
    fn run(&self, from: usize, to: usize) -> Option<Vec<u8>> {
        let (start, end) = {
            let index = self.index();
            let start = self.start(&index, from)?;
            let end = match to {
                0 => self.end,
                _ => self.start(&index, to - 1)?,
            };
            (start, end)
        };
        let mut bytes = vec![0; usize::try_from(end - start).ok()?];
        self.file.read_exact_at(&mut bytes, start).ok()?;
        Some(bytes)
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
            let lo = hi.saturating_sub(per_run).max(latest);
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
}

/// The end of the last whole line in `file`'s first `len` bytes, and the
/// bytes after it.
fn last_line_end(file: &File, len: u64) -> io::Result<(u64, Vec<u8>)> {
    let mut buf = vec![0; 64 * 1024];
    let mut at = len;
    let mut tail = Vec::new();
    while at > 0 {
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

/// Indexes `file` from `end` back to its start, a window at a time,
/// publishing each window's lines and ticking `tick`.
fn build_index(file: &File, end: u64, index: &Mutex<Index>, tick: &Sender<()>) {
    let mut buf = vec![0; WINDOW];
    // The last line's end is `end`; the `\n` there is its own.
    let mut at = end - 1;
    let mut starts = Vec::new();
    let mut counted = 0;
    let mut earliest = end;
    loop {
        let from = at.saturating_sub(WINDOW as u64);
        let piece = &mut buf[..usize::try_from(at - from).unwrap_or(0)];
        if let Err(e) = file.read_exact_at(piece, from) {
            let mut index = index.lock().unwrap_or_else(|e| e.into_inner());
            index.error = Some(e.to_string());
            index.done = true;
            let _ = tick.try_send(());
            return;
        }
        for nl in memchr::memrchr_iter(b'\n', piece) {
            // A line starts after each `\n`.
            let start = from + nl as u64 + 1;
            if counted % BLOCK == 0 {
                starts.push(start);
            }
            counted += 1;
            earliest = start;
        }
        let done = from == 0;
        if done {
            // The first line starts at 0.
            if counted % BLOCK == 0 {
                starts.push(0);
            }
            counted += 1;
            earliest = 0;
        }
        {
            let mut index = index.lock().unwrap_or_else(|e| e.into_inner());
            index.starts.extend_from_slice(&starts);
            index.counted = counted;
            index.earliest = earliest;
            index.done = done;
        }
        starts.clear();
        let _ = tick.try_send(());
        if done {
            return;
        }
        at = from;
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

    #[test]
    fn a_file_cut_short_gives_no_line_rather_than_other_bytes() {
        let (file, len) = file_of(b"aaaa\nbbbb\ncccc\n");
        let (lines, _) = FileLines::open(file.try_clone().unwrap(), len).unwrap();
        while !lines.done() {
            let _ = lines.progress.recv();
        }
        file.set_len(5).unwrap();
        assert_eq!(lines.get(2).unwrap(), b"aaaa");
        assert_eq!(lines.get(0), None);
    }
}
