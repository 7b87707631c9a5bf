//! Starting and ending the display for either way of running (files and
//! pipes, or a command), and the errors the binary reports: one line each,
//! with the exit status that goes with it.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

use reflow::{Builder, Printer, Stopped};

use super::args::Cli;
use super::stdio;

/// A one-line error and the exit status that goes with it.
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) code: u8,
}

impl Failure {
    pub(crate) fn io(context: &str, error: &io::Error) -> Self {
        Failure {
            message: format!("{context}: {}", describe(error)),
            code: 1,
        }
    }
}

/// Writes one error line on stderr. A failure to do so cannot be reported
/// anywhere, and must not panic as `eprintln!` would.
pub(crate) fn print_error(line: &str) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

/// An I/O error as `strerror` words, without Rust's "(os error N)".
pub(crate) fn describe(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// Where to copy lines through, when the display does not take the
/// screen: stdout as a file, so a write error reaches us (see `stdio`); a
/// closed stdout fails here, before any input is read.
pub(crate) fn plain_output(takes_screen: bool) -> Result<Option<File>, Failure> {
    // A terminal that gets no display (TERM=dumb) still gets only safe
    // text: the library sanitizes what it writes to a terminal itself.
    if takes_screen || io::stdout().is_terminal() {
        return Ok(None);
    }
    stdio::stdout()
        .map(Some)
        .map_err(|e| Failure::io("stdout", &e))
}

/// The display as the options ask: `source` names the input in the
/// status bar; `output` is where to copy lines through, if not the
/// terminal; `tty` whether a keyboard can be read.
pub(crate) fn configure(cli: &Cli, source: String, output: Option<File>, tty: bool) -> Builder {
    let mut builder = Printer::builder()
        .interactive(tty)
        // Exit with 128 + the signal's number, after --on-exit.
        .report_signals(true)
        // Every stop ends within a second, even on a terminal that stopped
        // reading.
        .restore_patiently(false)
        // Without a keyboard nobody could quit: end with the input.
        .exit_on_eof(cli.exit_on_eof || !tty)
        .on_exit(cli.on_exit.into())
        .color(cli.color.into())
        .tab_width(usize::from(cli.tab_width))
        .wrap(cli.wrap.into())
        .timestamps(cli.timestamps || cli.save_timestamps)
        .save_timestamps(cli.save_timestamps)
        .source(source);
    if let Some(sentinel) = &cli.sentinel {
        builder = builder.sentinel(sentinel.as_str());
    }
    if let Some(path) = &cli.save {
        builder = builder.save(path);
    }
    if let Some(max) = cli.max_lines {
        builder = builder.max_lines(usize::try_from(max).unwrap_or(usize::MAX));
    }
    if let Some(bytes) = cli.max_memory {
        builder = builder.max_memory(bytes);
    }
    if let Some(output) = output {
        builder = builder.output(output);
    }
    builder
}

/// An error about the --save file names the file, as any I/O error.
fn save_failure(save: Option<&Path>, e: &io::Error) -> Option<Failure> {
    let text = describe(e);
    let path = save?.display().to_string();
    text.starts_with(&format!("{path}: ")).then_some(Failure {
        // The path is untrusted text too.
        message: reflow::visible(text.as_bytes()).into_owned(),
        code: 1,
    })
}

/// Starts the display.
pub(crate) fn start(builder: Builder, save: Option<&Path>) -> Result<Printer, Failure> {
    builder.spawn().map_err(|e| {
        save_failure(save, &e).unwrap_or_else(|| Failure {
            message: format!("cannot start the display: {}", describe(&e)),
            code: 1,
        })
    })
}

/// Waits until the display stops: the user quits, a signal, the sentinel,
/// or (with -E) the end of input.
pub(crate) fn finish(printer: Printer, save: Option<&Path>) -> Result<Stopped, Failure> {
    printer.wait().map_err(|e| match e.raw_os_error() {
        // The display writes to stdout, in either mode.
        Some(_) => Failure::io("stdout", &e),
        None => save_failure(save, &e).unwrap_or_else(|| Failure::io("display", &e)),
    })
}
