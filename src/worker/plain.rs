//! Passthrough, the printer thread's other front-end: with no display,
//! each line is written once, as received (or, to a terminal that gets no
//! display, as a sanitized row). It owns the state only passthrough needs.

use std::io::{self, BufWriter, Write};

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

    /// Writes `batch`; returns the lines it ended, and how the write went.
    pub(super) fn write(&mut self, batch: &[u8], tab_width: usize) -> (usize, io::Result<()>) {
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
    pub(super) fn end_open_line(&mut self, tab_width: usize) -> bool {
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

    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
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
