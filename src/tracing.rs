//! `tracing` support (cargo feature `tracing`): [`init`] in one line, or a
//! [`Sender`] as a `tracing_subscriber::fmt::MakeWriter`, so
//! `tracing_subscriber::fmt().with_writer(printer.sender())` draws events
//! through reflow.
//!
//! The subscriber asks for a writer per event: each event is gathered
//! whole, then sent as one record, so events from many threads never mix.
//! Into a file or a pipe the bytes are exactly what tracing wrote. On a
//! display, each line of an event gets a hanging indent instead: its
//! first line's rows hang under the message (after its first `": "`,
//! where the default format's message starts), a further line's under its
//! own text (`.pretty()`'s fields, a span's `in` lines), bounded by the
//! width as log records are. No byte is added.

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
        if !self.tx.draws_a_display() {
            // A file or a pipe: the bytes as tracing wrote them.
            let _ = self.tx.lines(&event);
            return;
        }
        let body = event.strip_suffix(b"\n").unwrap_or(&event);
        let mut record = Vec::with_capacity(event.len() + 64);
        for (i, line) in body.split(|&b| b == b'\n').enumerate() {
            let indent = match i {
                // The columns before the message: up to the first ": ",
                // escapes (colours) not counted.
                0 => {
                    let head = memchr::memmem::find(line, b": ").map_or(0, |at| at + 2);
                    crate::width_of(&crate::sanitize::sanitize(&line[..head], 8))
                }
                // Its own indentation.
                _ => line.iter().take_while(|&&b| b == b' ').count(),
            };
            record.extend_from_slice(&crate::tag::Head::indent(indent).encode());
            record.extend_from_slice(line);
            record.push(b'\n');
        }
        let _ = self.tx.headed_lines(&record);
    }
}

/// Sets up a `tracing` subscriber that draws through reflow, in one line,
/// as `tracing_subscriber::fmt::init()` would: on stderr; on a terminal
/// reflow's inline display (records in the scrollback, wrapped with their
/// hanging indent, the host's own output kept in order, everything
/// printed at the exit), with ANSI colours; elsewhere tracing's own
/// writer, the bytes exactly as tracing wrote them, no colours and no
/// thread. Events at INFO and above (as `tracing_subscriber`'s default).
///
/// # Panics
///
/// When a global subscriber is set already, or the display cannot start.
pub fn init() {
    if let Err(e) = try_init() {
        panic!("reflow::tracing::init: {e}");
    }
}

/// [`init`], returning the error instead of panicking.
///
/// # Errors
///
/// When a global subscriber is set already, or the display cannot start.
pub fn try_init() -> Result<(), Box<dyn std::error::Error + Send + Sync + 'static>> {
    use crate::options::{OnExit, Target, Viewport};
    let target = Target::Stderr;
    if !crate::printer::draws_on(target) {
        return tracing_subscriber::fmt()
            .with_writer(io::stderr)
            .with_ansi(false)
            .try_init();
    }
    let printer = crate::printer::Printer::builder()
        .target(target)
        .viewport(Viewport::Inline)
        .on_exit(OnExit::All)
        .source("tracing")
        .spawn()?;
    let sender = printer.sender();
    crate::printer::keep_for_process(printer);
    tracing_subscriber::fmt()
        .with_writer(sender)
        .with_ansi(true)
        .try_init()
}
