//! `reflow`: show piped input or files, word-wrapped to the terminal and
//! reflowed when it is resized. A thin shell over the library: parse the
//! command line, open the inputs, feed them to the printer from a reader
//! thread, and turn how it stopped into an exit status.

use std::fs::File;
use std::io::{self, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::thread;

use clap::{Parser, ValueEnum};
use reflow::{ColorChoice, OnExit, Printer, Sender};

/// Show log lines word-wrapped to the terminal's width, reflowed on resize.
#[derive(Debug, Parser)]
#[command(name = "reflow", version, about)]
struct Cli {
    /// Files to show, in order; none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Quit when the input ends (default: stay until q, like less).
    #[arg(short = 'E', long)]
    exit_on_eof: bool,

    /// A line equal to TEXT stops the display (it is not shown).
    #[arg(long, value_name = "TEXT")]
    sentinel: Option<String>,

    /// What to leave on the normal screen after the display stops.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ExitView::Screen)]
    on_exit: ExitView,

    /// Draw the colours in the input (NO_COLOR turns auto off).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Color::Auto)]
    color: Color,

    /// Columns between tab stops.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    tab_width: u16,
}

/// `--color` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    /// On unless NO_COLOR is set.
    Auto,
    /// Always on.
    Always,
    /// Never.
    Never,
}

impl From<Color> for ColorChoice {
    fn from(color: Color) -> Self {
        match color {
            Color::Auto => ColorChoice::Auto,
            Color::Always => ColorChoice::Always,
            Color::Never => ColorChoice::Never,
        }
    }
}

/// `--on-exit` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExitView {
    /// The last screenful of rows.
    Screen,
    /// The whole history, as plain lines.
    All,
    /// Nothing.
    None,
}

impl From<ExitView> for OnExit {
    fn from(view: ExitView) -> Self {
        match view {
            ExitView::Screen => OnExit::Screen,
            ExitView::All => OnExit::All,
            ExitView::None => OnExit::None,
        }
    }
}

/// An input to read: a named file, or stdin.
struct Input {
    name: String,
    reader: Box<dyn Read + Send>,
}

/// How much input the reader takes per read, and so at most per message.
const BLOCK: usize = 64 * 1024;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure { message, code }) => {
            eprintln!("reflow: {message}");
            ExitCode::from(code)
        }
    }
}

/// A one-line error and the exit status that goes with it.
struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    fn io(context: &str, error: &io::Error) -> Self {
        Failure {
            message: format!("{context}: {}", describe(error)),
            code: 1,
        }
    }
}

/// An I/O error as `strerror` words, without Rust's "(os error N)".
fn describe(error: &io::Error) -> String {
    let text = error.to_string();
    match text.rfind(" (os error ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let inputs = open_inputs(&cli.files)?;
    // The display is interactive when it draws on a terminal (as the
    // library decides: stdout a terminal, TERM not dumb) and a keyboard
    // can be read.
    let tty = reflow::draws_on_terminal() && File::open("/dev/tty").is_ok();
    let source = match inputs.as_slice() {
        [one] => one.name.clone(),
        [first, rest @ ..] => format!("{} (+{})", first.name, rest.len()),
        [] => String::new(),
    };
    let mut builder = Printer::builder()
        .interactive(tty)
        // Exit with 128 + the signal's number, after --on-exit.
        .report_signals(true)
        // Without a keyboard nobody could quit: end with the input.
        .exit_on_eof(cli.exit_on_eof || !tty)
        .on_exit(cli.on_exit.into())
        .color(cli.color.into())
        .tab_width(usize::from(cli.tab_width))
        .source(source);
    if let Some(sentinel) = cli.sentinel {
        builder = builder.sentinel(sentinel);
    }
    let printer = builder.spawn().map_err(|e| Failure {
        message: format!("cannot start the display: {}", describe(&e)),
        code: 1,
    })?;
    let read_error = Arc::new(Mutex::new(None));
    let reader = {
        let tx = printer.sender();
        let read_error = Arc::clone(&read_error);
        thread::Builder::new()
            .name("reflow-reader".into())
            .spawn(move || {
                if let Err(failure) = feed(inputs, &tx) {
                    *read_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(failure);
                }
                let _ = tx.end_of_input();
            })
            .map_err(|e| Failure::io("cannot start the reader", &e))?
    };
    // Until the user quits, a signal, the sentinel, or (with -E) the end.
    let stopped = printer.wait().map_err(|e| Failure::io("display", &e))?;
    // The reader may be blocked on a pipe that never ends; it is not joined
    // unless it is already done.
    if reader.is_finished() {
        let _ = reader.join();
    }
    if let Some(failure) = read_error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        return Err(failure);
    }
    Ok(stopped.reason.exit_code())
}

/// Opens every input up front, so a missing file is reported before the
/// display takes the screen.
fn open_inputs(files: &[PathBuf]) -> Result<Vec<Input>, Failure> {
    if files.is_empty() {
        if io::stdin().is_terminal() {
            return Err(Failure {
                message: "no input: pipe something in, or name a FILE".into(),
                code: 2,
            });
        }
        return Ok(vec![stdin()]);
    }
    files
        .iter()
        .map(|path| {
            if path.as_os_str() == "-" {
                return Ok(stdin());
            }
            let name = path.display().to_string();
            match File::open(path) {
                Ok(file) if file.metadata().is_ok_and(|m| m.is_dir()) => Err(Failure {
                    message: format!("{name}: Is a directory"),
                    code: 1,
                }),
                Ok(file) => Ok(Input {
                    name,
                    reader: Box::new(file),
                }),
                Err(e) => Err(Failure::io(&name, &e)),
            }
        })
        .collect()
}

fn stdin() -> Input {
    Input {
        name: "stdin".into(),
        reader: Box::new(io::stdin()),
    }
}

/// Reads each input in large blocks and sends whole lines, many at once.
/// One buffer serves every read (no allocation or zeroing per block); a
/// line longer than the buffer grows it. A last line without a newline
/// still counts as a line.
fn feed(inputs: Vec<Input>, tx: &Sender) -> Result<(), Failure> {
    let mut buf = vec![0; BLOCK];
    for Input { name, mut reader } in inputs {
        // `buf[..filled]` holds the start of a line not yet ended.
        let mut filled = 0;
        loop {
            if filled == buf.len() {
                buf.resize(buf.len() * 2, 0);
            }
            let n = match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // Keep what was read before the error.
                    let _ = tx.lines(&buf[..filled]);
                    return Err(Failure::io(&name, &e));
                }
            };
            let Some(last) = memchr::memrchr(b'\n', &buf[filled..filled + n]) else {
                filled += n;
                continue;
            };
            let end = filled + last + 1;
            if tx.lines(&buf[..end]).is_err() {
                return Ok(());
            }
            buf.copy_within(end..filled + n, 0);
            filled = filled + n - end;
            if buf.len() > BLOCK && filled < BLOCK {
                // A huge line has passed: give its memory back.
                buf.truncate(BLOCK);
                buf.shrink_to_fit();
            }
        }
        if filled > 0 && tx.lines(&buf[..filled]).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn io_errors_read_like_strerror() {
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(describe(&e), "No such file or directory");
    }
}
