//! Passthrough, the printer thread's other front-end: with no display,
//! each line is written once, as received (or, to a terminal that gets no
//! display, as a sanitized row). It owns the state only passthrough needs.

use std::io::{self, BufWriter, Write};

use super::{Core, Front, stop_if_closed};
use crate::error::Error;
use crate::options::{Config, StopReason};
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
}

impl Plain {
    pub(super) fn new(writer: Box<dyn Write + Send>, sanitize: bool) -> Plain {
        Plain {
            out: BufWriter::with_capacity(1 << 16, writer),
            sanitize,
            open: Vec::new(),
            mid_line: false,
        }
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

    /// Writes `batch`; returns the lines it ended, and how the write went.
    fn lines(&mut self, config: &Config, batch: &[u8]) -> (usize, io::Result<()>) {
        let tab_width = config.text.tab_width;
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

    fn finish(mut self: Box<Self>, _: &Config, _: bool) -> io::Result<()> {
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
