//! `tracing` support (cargo feature `tracing`): [`init`] in one line,
//! [`writer`] for a host that keeps its own subscriber, or a [`Sender`] as
//! a `tracing_subscriber::fmt::MakeWriter`, so
//! `tracing_subscriber::fmt().with_writer(printer.sender())` draws events
//! through a printer of your own.
//!
//! Porting a tool whose logger is tracing-subscriber's `fmt` is one line:
//! its `.with_writer(std::io::stderr)` (or, where it has none, a new line)
//! becomes `.with_writer(reflow::tracing::writer())`, whatever else its
//! subscriber says (filters, `with_target`, `without_time`, layers).
//!
//! The subscriber asks for a writer per event: each event is gathered
//! whole, then sent as one record, so events from many threads never mix.
//! Into a file or a pipe the bytes are exactly what tracing wrote. On a
//! display, each line of an event gets a hanging indent instead: its
//! first line's rows hang under the message (after the level and the
//! spans and target that follow it, where tracing's formats start the
//! message), a further line's under its own text (`.pretty()`'s fields, a
//! span's `in` lines), bounded by the width as log records are. No byte is
//! added.

use std::io::{self, Write};
use std::sync::Mutex;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::EitherWriter;

use crate::options::{OnExit, Target, Viewport};
use crate::printer::{Printer, Sender};

impl<'a> MakeWriter<'a> for Sender {
    type Writer = EventWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter {
            tx: self,
            event: Vec::new(),
            stderr_when_closed: false,
        }
    }
}

/// One event's bytes, sent whole when the subscriber is done with it.
#[derive(Debug)]
pub struct EventWriter<'a> {
    tx: &'a Sender,
    event: Vec<u8>,
    /// The process's display (see [`writer`]): an event that comes after
    /// it stopped (a destructor's, after `main`) goes to stderr, which is
    /// the terminal again by then, instead of being lost.
    stderr_when_closed: bool,
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
                0 => head_width(line),
                // Its own indentation.
                _ => line.iter().take_while(|&&b| b == b' ').count(),
            };
            record.extend_from_slice(&crate::tag::Head::indent(indent).encode());
            record.extend_from_slice(line);
            record.push(b'\n');
        }
        // What this thread printed on the terminal before the event (the
        // host's own stdout, taken by the display) comes before it.
        crate::capture::sync();
        if self.tx.headed_lines(&record).is_err() && self.stderr_when_closed {
            let _ = io::stderr().write_all(&event);
        }
    }
}

/// The columns of an event's first line before its message, escapes
/// (colours) not counted.
fn head_width(line: &[u8]) -> usize {
    let text = crate::sanitize::sanitize(line, 8);
    let head = message_start(&text);
    crate::width_of(&text[..head])
}

/// Where the message starts in the first line of an event as tracing's
/// formats write it: `[time] LEVEL [thread] [span{fields}:]* [target:] message`.
/// After the level come the words that end in `':'` and read as spans
/// (braces and all) or a target (a lowercase path); without a level word (a format of the
/// host's own), after the first `": "`; else at the start.
fn message_start(text: &str) -> usize {
    const LEVELS: [&str; 5] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];
    let bytes = text.as_bytes();
    let level_end = LEVELS
        .iter()
        .filter_map(|level| {
            text.match_indices(level)
                .find(|&(at, _)| {
                    let end = at + level.len();
                    (at == 0 || bytes[at - 1] == b' ') && bytes.get(end) == Some(&b' ')
                })
                .map(|(at, _)| at + level.len())
        })
        .min();
    let Some(mut at) = level_end else {
        return memchr::memmem::find(bytes, b": ").map_or(0, |at| at + 2);
    };
    while bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    // The words that end in ':' (a span list, a target), each then a space.
    loop {
        let mut depth = 0usize;
        let mut end = at;
        while let Some(&b) = bytes.get(end) {
            match b {
                b'{' => depth += 1,
                b'}' => depth = depth.saturating_sub(1),
                b' ' if depth == 0 => break,
                _ => {}
            }
            end += 1;
        }
        let word = &bytes[at..end];
        // A target is a module path (`app::net`), a span a name and maybe
        // its fields: a capitalized `Error:` is the message's own.
        let head = word.len() > 1
            && word.ends_with(b":")
            && (word.contains(&b'{')
                || word.iter().all(|&b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b"_:-.".contains(&b)
                }));
        if head && bytes.get(end) == Some(&b' ') {
            at = end + 1;
        } else {
            return at;
        }
    }
}

/// The process's display on stderr: decided by the first [`writer`] (or
/// [`init`]); `Some(None)` when stderr is no terminal reflow draws on.
static DISPLAY: Mutex<Option<Option<Sender>>> = Mutex::new(None);

/// The process's display, started the first time on a terminal.
fn display() -> Result<Option<Sender>, crate::Error> {
    let mut display = DISPLAY.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(decided) = &*display {
        return Ok(decided.clone());
    }
    // Asked once: once the display runs, stderr is its capture's pty,
    // which is a terminal too.
    let decided = if crate::printer::draws_on(Target::Stderr) {
        let printer = Printer::builder()
            .target(Target::Stderr)
            .viewport(Viewport::Inline)
            .on_exit(OnExit::All)
            .source("tracing")
            .spawn()?;
        let sender = printer.sender();
        crate::printer::keep_for_process(printer);
        Some(sender)
    } else {
        None
    };
    *display = Some(decided.clone());
    Ok(decided)
}

/// A `tracing_subscriber::fmt::MakeWriter` on stderr for a subscriber the
/// host builds itself, made by [`writer`]: on a terminal, reflow's inline
/// display (one for the whole process, however many writers); elsewhere
/// stderr itself, as `std::io::stderr` would be.
#[derive(Clone, Debug)]
pub struct Writer {
    display: Option<Sender>,
}

impl<'a> MakeWriter<'a> for Writer {
    type Writer = EitherWriter<EventWriter<'a>, io::Stderr>;

    fn make_writer(&'a self) -> Self::Writer {
        match &self.display {
            Some(tx) => EitherWriter::A(EventWriter {
                tx,
                event: Vec::new(),
                stderr_when_closed: true,
            }),
            None => EitherWriter::B(io::stderr()),
        }
    }
}

/// The writer for a host's own subscriber, in place of `std::io::stderr`:
///
/// ```no_run
/// tracing_subscriber::fmt()
///     .with_writer(reflow::tracing::writer())
///     .with_ansi(reflow::tracing::ansi())
///     .init();
/// ```
///
/// When stderr is a terminal (and `TERM` is not `dumb`), the first call
/// starts reflow's inline display on it, kept for the whole process:
/// events go into the scrollback, wrapped with their hanging indent, the
/// host's own output beside them kept in order, everything printed by the
/// exit (also `process::exit`'s). Later calls share it. Elsewhere (a file,
/// a pipe) it is stderr itself: tracing's bytes exactly, no thread.
///
/// Colours are the subscriber's choice, as ever: `with_ansi` is true by
/// default, so a host that never set it writes colour escapes into files
/// too, with reflow as without. A host that already says
/// `.with_ansi(stderr().is_terminal())` keeps that line; one that says
/// nothing and wants colours on the terminal only adds
/// `.with_ansi(reflow::tracing::ansi())`. The display strips colours
/// under `NO_COLOR`.
///
/// When the display cannot start (the terminal cannot be set up, no thread
/// for it), it is stderr: a logger does not stop its host. [`try_init`]
/// reports that error.
pub fn writer() -> Writer {
    Writer {
        display: display().unwrap_or(None),
    }
}

/// True when [`writer`] draws on reflow's display (stderr is a terminal it
/// draws on): the `with_ansi` for a subscriber that wants colours there
/// and plain bytes elsewhere. Starts the display as `writer` does.
pub fn ansi() -> bool {
    display().is_ok_and(|display| display.is_some())
}

/// Sets up a `tracing` subscriber that draws through reflow, in one line,
/// as `tracing_subscriber::fmt::init()` would: on stderr; on a terminal
/// reflow's inline display (records in the scrollback, wrapped with their
/// hanging indent, the host's own output kept in order, everything
/// printed at the exit), with ANSI colours; elsewhere tracing's own
/// writer, the bytes exactly as tracing wrote them, no colours and no
/// thread. Events at INFO and above (as `tracing_subscriber`'s default).
/// It is `fmt().with_writer(writer()).with_ansi(ansi())`.
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
    let display = display()?;
    let ansi = display.is_some();
    tracing_subscriber::fmt()
        .with_writer(Writer { display })
        .with_ansi(ansi)
        .try_init()
}

#[cfg(test)]
mod tests {
    use super::message_start;

    #[test]
    fn the_message_starts_after_the_level_spans_and_target() {
        let cases = [
            // fmt() as it comes.
            ("2026-05-08T10:11:12.123456Z  INFO app: ready", "ready"),
            // .with_target(false).without_time(): no ": " at all.
            (
                " INFO Book building has started",
                "Book building has started",
            ),
            // A ": " in the message is the message's.
            (" WARN Error: no such file", "Error: no such file"),
            (
                "ERROR serve{port=3000 host=\"a b\"}:conn: app::net: closed",
                "closed",
            ),
            ("DEBUG span: msg with: colon", "msg with: colon"),
            // A format of the host's own: after the first ": ".
            ("[app] ready: go", "go"),
            ("no head", "no head"),
        ];
        for (line, message) in cases {
            assert_eq!(&line[message_start(line)..], message, "{line:?}");
        }
    }
}
