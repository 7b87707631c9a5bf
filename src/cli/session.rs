//! Starting and ending the display for either way of running (files and
//! pipes, or a command), and the errors the binary reports: one line each,
//! with the exit status that goes with it.

use std::fs::File;
use std::io::{self, IsTerminal, Write};

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
    strip_os(&error.to_string())
}

/// `text` without Rust's " (os error N)".
fn strip_os(text: &str) -> String {
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text.to_owned(),
    }
}

/// A keyboard can be read for the display's keys (only when the display
/// takes the screen, `takes_screen`): there is a controlling terminal.
/// Stdin is that terminal as a rule, asked without opening `/dev/tty`
/// (closing a terminal is slow); otherwise `/dev/tty` must open.
pub(crate) fn keyboard(takes_screen: bool) -> bool {
    let stdin_controls = || {
        let terminal = rustix::termios::tcgetsid(io::stdin()).ok();
        terminal.is_some() && terminal == rustix::process::getsid(None).ok()
    };
    takes_screen && (stdin_controls() || File::open("/dev/tty").is_ok())
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
        // reflow's own stdout and stderr are the display's: nothing else
        // of ours writes there while it runs.
        .take_host_output(false)
        .interactive(tty)
        // Exit with 128 + the signal's number, after --on-exit.
        .report_signals(true)
        // Ctrl-C as in less: the pipeline's producers get the terminal's
        // SIGINT and end; the view stays, and `q` quits. (A command's
        // display never sees SIGINT: `command::Interrupts` takes it.)
        .ctrl_c_keeps_view(true)
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
        .line_numbers(cli.line_numbers)
        .mouse(cli.mouse)
        .min_level(cli.level.map(Into::into))
        .plain(cli.plain)
        .raw(cli.raw)
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

/// A failure of the --save file, naming it (its path is untrusted text
/// too); `None` for any other error.
fn save_failure(error: &reflow::Error) -> Option<Failure> {
    let reflow::Error::Save { path, source } = error else {
        return None;
    };
    let text = format!("{}: {}", path.display(), describe(source));
    Some(Failure {
        message: reflow::visible(text.as_bytes()).into_owned(),
        code: 1,
    })
}

/// Any other library error, after `context`.
fn other_failure(context: &str, error: &reflow::Error) -> Failure {
    Failure {
        message: format!("{context}: {}", strip_os(&error.to_string())),
        code: 1,
    }
}

/// Starts the display.
pub(crate) fn start(builder: Builder) -> Result<Printer, Failure> {
    builder.spawn().map_err(|e| {
        // The terminal (or stdout) could not be set up: not an output error.
        save_failure(&e).unwrap_or_else(|| other_failure("cannot start the display", &e))
    })
}

/// Waits until the display stops: the user quits, a signal, the sentinel,
/// or (with -E) the end of input.
pub(crate) fn finish(printer: Printer) -> Result<Stopped, Failure> {
    printer.wait().map_err(|e| match &e {
        // The display writes to stdout, in either mode.
        reflow::Error::Display(io) | reflow::Error::Output(io) if io.raw_os_error().is_some() => {
            Failure::io("stdout", io)
        }
        _ => save_failure(&e).unwrap_or_else(|| other_failure("display", &e)),
    })
}
