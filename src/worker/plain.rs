//! Passthrough, the printer thread's other front-end: with no display,
//! each line is written once, as received (or, to a terminal that gets no
//! display, as a sanitized row). It owns the state only passthrough needs.

use std::io::{self, BufWriter, Write};

use super::{Core, Front, stop_if_closed};
use crate::error::Error;
use crate::options::{Config, StopReason};
use crate::record::filter::LevelFilter;
use crate::sanitize::sanitize;

/// Passthrough output.
pub(super) struct Plain {
    out: BufWriter<Box<dyn Write + Send>>,
    /// The output is a terminal that gets no display (`TERM=dumb`): lines
    /// are sanitized rows, never copied, since a copy could retitle the
    /// window or write the clipboard.
    sanitize: bool,
    /// A sanitized line whose end has not come yet (from a stream); raw
    /// passthrough writes it as it comes.
    open: Vec<u8>,
    /// The last batch ended inside a line.
    mid_line: bool,
    /// `--level`: the records kept, and the line not ended yet.
    levels: Option<Levels>,
}

/// Passthrough by level (see [`LevelFilter`]).
struct Levels {
    filter: LevelFilter,
    /// The start of a line whose end has not come yet.
    open: Vec<u8>,
    /// What the filter kept, to be written.
    kept: Vec<u8>,
    /// Where sources begin in the next batch (byte offsets).
    starts: Vec<usize>,
}

impl Plain {
    /// Passthrough to `writer`, of the records at `min_level` or above
    /// if it names one.
    pub(super) fn new(
        writer: Box<dyn Write + Send>,
        sanitize: bool,
        min_level: Option<crate::Level>,
    ) -> Plain {
        Plain {
            out: BufWriter::with_capacity(1 << 16, writer),
            sanitize,
            open: Vec::new(),
            mid_line: false,
            levels: min_level.map(|min| Levels {
                filter: LevelFilter::new(min),
                open: Vec::new(),
                kept: Vec::new(),
                starts: Vec::new(),
            }),
        }
    }

    /// Writes `kept` (whole lines) as passthrough writes lines.
    fn write_kept(&mut self, tab_width: usize) -> io::Result<()> {
        let Some(levels) = &mut self.levels else {
            return Ok(());
        };
        let kept = std::mem::take(&mut levels.kept);
        let result = if self.sanitize {
            let mut result = Ok(());
            for line in kept.split_inclusive(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\n").unwrap_or(line);
                if result.is_ok() {
                    result = writeln!(self.out, "{}", sanitize(line, tab_width));
                }
            }
            result
        } else {
            self.out.write_all(&kept)
        };
        if let Some(levels) = &mut self.levels {
            levels.kept = kept;
            levels.kept.clear();
        }
        result
    }
}

impl Levels {
    /// Hands `batch`'s whole lines to the filter, keeping its unfinished
    /// end; returns how many lines it ended.
    fn take(&mut self, batch: &[u8]) -> usize {
        let starts = std::mem::take(&mut self.starts);
        let mut count = 0;
        let mut from = 0;
        for at in starts.into_iter().filter(|&at| at <= batch.len()) {
            count += self.segment(&batch[from.min(at)..at]);
            from = at;
            self.end();
            self.filter.begin_source(&mut self.kept);
        }
        count + self.segment(&batch[from..])
    }

    /// [`take`](Levels::take) of a part of a batch within one source.
    fn segment(&mut self, batch: &[u8]) -> usize {
        let mut count = 0;
        let mut rest = batch;
        while let Some(end) = memchr::memchr(b'\n', rest) {
            count += 1;
            if self.open.is_empty() {
                self.filter.push(&rest[..=end], &mut self.kept);
            } else {
                self.open.extend_from_slice(&rest[..=end]);
                self.filter.push(&self.open, &mut self.kept);
                self.open.clear();
            }
            rest = &rest[end + 1..];
        }
        self.open.extend_from_slice(rest);
        self.filter.pause(&mut self.kept);
        count
    }

    /// The input ended: the unfinished line is a line, and every record
    /// held is decided.
    fn end(&mut self) {
        let open = std::mem::take(&mut self.open);
        if !open.is_empty() {
            let mut line = open;
            line.push(b'\n');
            self.filter.push(&line, &mut self.kept);
        }
        self.filter.end(&mut self.kept);
    }
}

impl Front for Plain {
    /// Blocks on the queue, writes each batch as it comes, and flushes
    /// once per burst, before blocking for more.
    fn run(&mut self, core: &mut Core) -> io::Result<StopReason> {
        // Without a display, a file's lines are written as any others.
        if let Some((file, len)) = core.config.in_place.take()
            && let Some(reason) = core.absorb_file(self, &file, len)?
        {
            return Ok(reason);
        }
        let woken = core.woken().clone();
        loop {
            if woken.recv().is_ok()
                && let Some(reason) = core.drain(self)?
            {
                return Ok(reason);
            }
            if woken.is_empty()
                && let Some(reason) = stop_if_closed(self.out.flush())?
            {
                return Ok(reason);
            }
        }
    }

    /// Written is drawn: once flushed. A failed flush is told by the next.
    fn wait_drawn(&mut self, waiting: Vec<crossbeam_channel::Sender<()>>) {
        let _ = self.out.flush();
        for waiter in waiting {
            let _ = waiter.try_send(());
        }
    }

    /// Writes `batch`; returns the lines it ended, and how the write went.
    fn lines(&mut self, config: &Config, batch: &[u8]) -> (usize, io::Result<()>) {
        let tab_width = config.text.tab_width;
        if let Some(levels) = &mut self.levels {
            let count = levels.take(batch);
            return (count, self.write_kept(tab_width));
        }
        if !self.sanitize {
            self.mid_line = batch.last() != Some(&b'\n');
            let lines = memchr::memchr_iter(b'\n', batch).count();
            return (lines, self.out.write_all(batch));
        }
        let mut result = Ok(());
        let mut count = 0;
        let out = &mut self.out;
        split_lines(&mut self.open, batch, |line| {
            count += 1;
            if result.is_ok() {
                result = writeln!(out, "{}", sanitize(line, tab_width));
            }
        });
        (count, result)
    }

    /// The input stopped inside a line: it is ended, and counts as a line.
    /// True if there was one.
    fn end_open_line(&mut self, config: &Config) -> bool {
        let tab_width = config.text.tab_width;
        if let Some(levels) = &mut self.levels {
            let open = !levels.open.is_empty();
            levels.end();
            let _ = self.write_kept(tab_width);
            return open;
        }
        let open = std::mem::take(&mut self.open);
        let mid_line = std::mem::take(&mut self.mid_line);
        match self.sanitize {
            false if mid_line => {
                let _ = self.out.write_all(b"\n");
                true
            }
            true if !open.is_empty() => {
                let _ = writeln!(self.out, "{}", sanitize(&open, tab_width));
                true
            }
            _ => false,
        }
    }

    fn sources(&mut self, batch: &[u8], sources: Vec<(usize, String)>) {
        // Each source's format is learned from its own lines: the lines
        // before a source's start are taken first, and the batch's lines
        // then come to `lines` from that start on.
        let Some(levels) = &mut self.levels else {
            return;
        };
        let _ = batch;
        levels.starts = sources.into_iter().map(|(at, _)| at).collect();
    }

    fn finish(mut self: Box<Self>, config: &Config, _: bool) -> io::Result<()> {
        if let Some(levels) = &mut self.levels {
            levels.end();
            self.write_kept(config.text.tab_width)?;
        }
        stop_if_closed(self.out.flush()).map(|_| ())
    }

    fn failure(&self) -> fn(io::Error) -> Error {
        Error::Output
    }
}

/// Splits `batch` into lines for `line`, continuing the unfinished line in
/// `open` and leaving the batch's own unfinished end there.
fn split_lines(open: &mut Vec<u8>, batch: &[u8], mut line: impl FnMut(&[u8])) {
    let mut rest = batch;
    while let Some(end) = memchr::memchr(b'\n', rest) {
        if open.is_empty() {
            line(&rest[..end]);
        } else {
            open.extend_from_slice(&rest[..end]);
            line(open);
            open.clear();
        }
        rest = &rest[end + 1..];
    }
    open.extend_from_slice(rest);
}
