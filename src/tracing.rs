//! `tracing` support (cargo feature `tracing`): a [`Sender`] is a
//! `tracing_subscriber::fmt::MakeWriter`, so
//! `tracing_subscriber::fmt().with_writer(printer.sender())` draws events
//! through reflow.
//!
//! The subscriber asks for a writer per event: each event is gathered
//! whole, then sent as one record, so events from many threads never mix,
//! and a multi-line event's further lines are indented under its message
//! (after the first `": "` of its first line, where the default format's
//! message starts), as log records are.

use std::io::{self, Write};

use tracing_subscriber::fmt::MakeWriter;

use crate::printer::Sender;

impl<'a> MakeWriter<'a> for Sender {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter {
            tx: self,
            event: Vec::new(),
        }
    }
}

/// One event's bytes, sent whole when the subscriber is done with it.
#[derive(Debug)]
pub struct EventWriter<'a> {
    tx: &'a Sender,
    event: Vec<u8>,
}

impl Write for EventWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.event.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter<'_> {
    fn drop(&mut self) {
        let event = std::mem::take(&mut self.event);
        let body = event.strip_suffix(b"\n").unwrap_or(&event);
        if !body.contains(&b'\n') {
            let _ = self.tx.lines(&event);
            return;
        }
        let mut lines = body.split(|&b| b == b'\n');
        let first = lines.next().unwrap_or_default();
        // The columns before the message: up to the first ": ", escapes
        // (colours) not counted.
        let head = memchr::memmem::find(first, b": ").map_or(0, |at| at + 2);
        let indent = crate::sanitize::sanitize(&first[..head], 8).chars().count();
        let mut record = Vec::with_capacity(event.len() + 64);
        record.extend_from_slice(first);
        for line in lines {
            record.push(b'\n');
            record.extend(std::iter::repeat_n(b' ', indent));
            record.extend_from_slice(line);
        }
        record.push(b'\n');
        let _ = self.tx.lines(&record);
    }
}
