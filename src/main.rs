//! `reflow`: show piped input or files, word-wrapped to the terminal and
//! reflowed when it is resized. A thin shell over the library: parse the
//! command line, open the inputs, feed them to the printer from a reader
//! thread, and turn how it stopped into an exit status.

#![deny(unsafe_code)]

/// The binary's own parts: the library knows nothing of files or exit
/// statuses.
mod cli {
    pub(crate) mod command;
    pub(crate) mod follow;
    pub(crate) mod inputs;
    pub(crate) mod stdio;
}

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;

use clap::{CommandFactory, Parser, ValueEnum};
use reflow::{Builder, ColorChoice, OnExit, Printer, Stopped, Wrap};

use cli::follow::Labels;
use cli::inputs::{self, Failures, Input, Plan, describe, print_error};
use cli::stdio;

/// Show log lines word-wrapped to the terminal's width, reflowed on resize.
#[derive(Debug, Parser)]
#[command(
    name = "reflow",
    version,
    about,
    after_help = "\
Examples:
  make 2>&1 | reflow                 show a build's output; q quits
  reflow app.log other.log           files in order ('-' is stdin); the last is
                                     followed as it grows, like tail -F
  reflow -F a.log b.log              follow both at once, each line labelled
  reflow -E --on-exit all < x.log    quit at the end, leave the whole log on screen
  reflow -- cargo build              run a command, its stderr marked; exits with its status
  journalctl -f | reflow --save s.log --max-lines 100000

Keys (as in less; h shows them): j/k a row, Space/b a page, g/G the ends,
/ ? search, n/N repeat, & filter, q quits; Ctrl-C, Ctrl-Z, Ctrl-\\ as in less.
Exit status: 0 done, 1 an I/O error, 2 a usage error, 128+N for signal N;
with a COMMAND, its own status (127 not found, 126 cannot run)."
)]
struct Cli {
    /// Files to show, in order; none or '-' reads stdin.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Run COMMAND and show its stdout and stderr (stderr lines marked);
    /// reflow exits with its status. Ctrl-C goes to the command first.
    #[arg(last = true, value_name = "COMMAND", conflicts_with = "files")]
    command: Vec<OsString>,

    /// Quit when the input ends (default: stay until q, like less, and
    /// follow the last FILE as it grows, like tail -F).
    #[arg(short = 'E', long)]
    exit_on_eof: bool,

    /// Follow every FILE at once, each line labelled with its file,
    /// interleaved as lines arrive (with -E or no keyboard: read in order,
    /// labelled; copied through a pipe, the label is "FILE: " text).
    #[arg(short = 'F', long)]
    follow_all: bool,

    /// A line equal to TEXT stops the display (it is not shown).
    #[arg(long, value_name = "TEXT", value_parser = non_empty_sentinel)]
    sentinel: Option<String>,

    /// Write everything received to PATH (byte for byte) when reflow stops,
    /// however it stops.
    #[arg(long, value_name = "PATH")]
    save: Option<PathBuf>,

    /// Keep only the newest N lines on screen (default: all). --save still
    /// writes every line.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_lines: Option<u64>,

    /// The most memory reflow takes, however long the input runs: SIZE in
    /// bytes, or with K, M, G or T (powers of 1024), like 512K, 64M, 2G.
    /// Beyond it the oldest lines move, compressed, to an unlinked temporary
    /// file in $TMPDIR (or /tmp), read back for scrolling, search and the
    /// rest. Default: an eighth of the machine's memory, 256M to 4G. Below
    /// about 16M the history keeps only its newest 512K in memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    max_memory: Option<u64>,

    /// What to leave on the normal screen after the display stops.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ExitView::Screen)]
    on_exit: ExitView,

    /// Draw the colours in the input (NO_COLOR turns auto off).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = Color::Auto)]
    color: Color,

    /// Print a completion script for SHELL and exit.
    #[arg(long, value_name = "SHELL", value_enum)]
    completions: Option<clap_complete::Shell>,

    /// Print the man page (roff) and exit.
    #[arg(long, hide = true)]
    man: bool,

    /// Columns between tab stops (1-64).
    // Bounded as the library bounds it: each tab becomes up to N spaces.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    tab_width: u16,

    /// Where long lines break: between words, anywhere, or not at all
    /// (Left/Right scroll sideways, like less -S).
    #[arg(long, value_enum, value_name = "MODE", default_value_t = WrapMode::Word)]
    wrap: WrapMode,

    /// Show the time each line arrived (HH:MM:SS.mmm, dim) before it; not
    /// written to --save.
    #[arg(long)]
    timestamps: bool,

    /// Write the arrival times into the --save file too (as text before
    /// each line); implies --timestamps.
    #[arg(long, requires = "save")]
    save_timestamps: bool,

    /// Write each line's file label into the --save file too (as "FILE: "
    /// text before each line); with --follow-all.
    #[arg(long, requires_all = ["save", "follow_all"])]
    save_labels: bool,
}

/// `--wrap` values.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum WrapMode {
    /// Between words.
    Word,
    /// Anywhere, at the width.
    Char,
    /// Not at all: rows are cut at the width.
    None,
}

impl From<WrapMode> for Wrap {
    fn from(mode: WrapMode) -> Self {
        match mode {
            WrapMode::Word => Wrap::Word,
            WrapMode::Char => Wrap::Char,
            WrapMode::None => Wrap::None,
        }
    }
}

/// `--sentinel`: an empty one would stop at the first empty line, which no
/// one asking for a stop marker means.
fn non_empty_sentinel(text: &str) -> Result<String, String> {
    match text.is_empty() {
        true => Err("the sentinel cannot be empty (it would stop at the first empty line)".into()),
        false => Ok(text.to_owned()),
    }
}

/// A `--max-memory` size: bytes, or a number with K, M, G or T (powers of
/// 1024, an `iB` or `B` after them allowed, any case).
fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "'{text}' is not a size: write bytes, or a number with K, M, G or T, like 64M or 2G"
        )
    };
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| bad())?;
    let unit = unit.to_ascii_uppercase();
    let unit = unit
        .strip_suffix("IB")
        .or_else(|| unit.strip_suffix('B'))
        .unwrap_or(&unit);
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(bad()),
    };
    let bytes = number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("'{text}' is too large"))?;
    if bytes == 0 {
        return Err("the memory budget cannot be 0".into());
    }
    Ok(bytes)
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

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` are "errors" that go to stdout.
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            print_error(&usage_error(e));
            return ExitCode::from(2);
        }
    };
    // Generated in memory first: the generators panic on a write error,
    // and `reflow --completions bash | head` is a closed pipe.
    let mut generated = Vec::new();
    if let Some(shell) = cli.completions {
        clap_complete::generate(shell, &mut Cli::command(), "reflow", &mut generated);
    } else if cli.man
        && let Err(e) = clap_mangen::Man::new(Cli::command()).render(&mut generated)
    {
        print_error(&format!("reflow: man page: {}", describe(&e)));
        return ExitCode::from(1);
    }
    if cli.completions.is_some() || cli.man {
        return match io::stdout().write_all(&generated) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                print_error(&format!("reflow: stdout: {}", describe(&e)));
                ExitCode::from(1)
            }
            _ => ExitCode::SUCCESS,
        };
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure { message, code }) => {
            print_error(&format!("reflow: {message}"));
            ExitCode::from(code)
        }
    }
}

/// A usage error as one line and a hint, as every error of reflow's is
/// one line: `reflow: invalid value 'x' for '--wrap <MODE>' (possible
/// values: word, char, none)`.
///
/// clap would echo what was typed raw (a file name is typed too, through
/// a glob), escape codes and all, up to three times, and so set the
/// title, clear the screen or write the clipboard: every value it may
/// show is made visible first, then its first paragraph is taken. Its tip
/// for a value that looks like a flag (`-- --x.log`) would run a command
/// here, so it is not shown.
fn usage_error(mut error: clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let shown = |text: &str| reflow::visible(text.as_bytes()).into_owned();
    let context: Vec<(ContextKind, ContextValue)> = error
        .context()
        .map(|(kind, value)| (kind, value.clone()))
        .collect();
    for (kind, value) in context {
        let value = match value {
            ContextValue::String(text) => ContextValue::String(shown(&text)),
            ContextValue::Strings(texts) => {
                ContextValue::Strings(texts.iter().map(|text| shown(text)).collect())
            }
            other => other,
        };
        error.insert(kind, value);
    }
    // Plain text: clap's own styles are stripped when it is displayed.
    let rendered = error.render().to_string();
    let first = rendered.split("\n\n").next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // Lists (of arguments, of possible values) are indented lines below;
    // a value typed has no line break left in it.
    let mut line = first
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with("[possible values: "))
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(ContextValue::Strings(values)) = error.get(ContextKind::ValidValue)
        && !values.is_empty()
    {
        line.push_str(&format!(" (possible values: {})", values.join(", ")));
    }
    if let Some(ContextValue::String(similar)) = error
        .get(ContextKind::SuggestedArg)
        .or_else(|| error.get(ContextKind::SuggestedValue))
    {
        line.push_str(&format!(" (did you mean '{similar}'?)"));
    } else if error.kind() == ErrorKind::UnknownArgument {
        line.push_str(" (a FILE whose name starts with '-' is ./NAME)");
    }
    // Whatever clap wrote itself, nothing in it can drive the terminal.
    format!(
        "reflow: {}\nTry 'reflow --help' for more information.",
        shown(&line)
    )
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

fn run(mut cli: Cli) -> Result<u8, Failure> {
    if !cli.command.is_empty() {
        let argv = std::mem::take(&mut cli.command);
        return cli::command::run(cli, argv);
    }
    let inputs = Input::all(&cli.files);
    // Reading the keyboard as input would fight the viewer for it.
    if inputs.iter().any(Input::is_stdin) && io::stdin().is_terminal() {
        return Err(Failure {
            message: "no input: pipe something in, or name a FILE".into(),
            code: 2,
        });
    }
    let takes_screen = reflow::draws_on_terminal();
    let output = plain_output(takes_screen)?;
    // Error lines about inputs: kept until the display has left the screen
    // when it takes the screen, written at once when lines are copied
    // through (see `Failures`).
    let failures = Arc::new(Failures::new(takes_screen));
    let shown = show(cli, inputs, output, &failures);
    // However it ended, the display has left the screen (the printer lives
    // and dies in `show`): the lines kept meanwhile can be read now.
    failures.flush();
    Ok(match shown? {
        // Like `cat`: every input that could be read was shown, and the
        // status says that some could not.
        0 if failures.any() => 1,
        code => code,
    })
}

/// Where to copy lines through, when the display does not take the
/// screen: stdout as a file, so a write error reaches us (see `stdio`); a
/// closed stdout fails here, before any input is read.
fn plain_output(takes_screen: bool) -> Result<Option<File>, Failure> {
    // A terminal that gets no display (TERM=dumb) still gets only safe
    // text: the library sanitizes what it writes to a terminal itself.
    if takes_screen || io::stdout().is_terminal() {
        return Ok(None);
    }
    stdio::stdout()
        .map(Some)
        .map_err(|e| Failure::io("stdout", &e))
}

/// Shows `inputs` until the display stops, and returns its exit status.
/// `output`: where to copy lines through, when the display does not take
/// the screen.
fn show(
    cli: Cli,
    inputs: Vec<Input>,
    output: Option<File>,
    failures: &Arc<Failures>,
) -> Result<u8, Failure> {
    let source = match inputs.as_slice() {
        [one] => one.name().to_owned(),
        [first, rest @ ..] => format!("{} (+{})", first.name(), rest.len()),
        [] => String::new(),
    };
    // Every name, for the labels: the column fits the longest.
    let names: Vec<String> = inputs.iter().map(|i| i.name().to_owned()).collect();
    // One big regular file on a display is read in place: it opens at its
    // end at once, whatever its size, holding only an index; a small one is
    // read into memory (where a file cut short under it changes nothing).
    // Options that need every line to pass through the reader (the
    // sentinel, arrival times, labels, --save's copy) keep the usual way.
    let takes_screen = reflow::draws_on_terminal();
    let tty = takes_screen && File::open("/dev/tty").is_ok();
    if let [one] = inputs.as_slice()
        && takes_screen
        && cli.save.is_none()
        && cli.sentinel.is_none()
        && !cli.timestamps
        && !cli.follow_all
        && let Some((file, len)) = one.regular_file().filter(|(_, len)| *len >= IN_PLACE)
    {
        let path_of_one = one.path().map(Path::to_owned).unwrap_or_default();
        let follow = (!cli.exit_on_eof && tty).then(|| path_of_one.clone());
        let name = one.name().to_owned();
        let builder = configure(&cli, source, output, tty).in_place(file, len);
        let printer = start(builder, None)?;
        return read_then_finish(printer, None, failures, move |tx, failures| match follow {
            Some(path) => inputs::follow_from(&path, &name, len, tx, failures),
            // A last line without a newline is a line too: ended here, as a
            // file read through the reader is.
            None => inputs::end_in_place(&path_of_one, len, tx),
        });
    }
    let mut inputs = inputs.into_iter();
    // The display starts with the first input that opens: when none can be
    // read the screen is never touched, and the errors are all there is.
    let Some(first) = inputs.by_ref().find_map(|input| failures.open(input)) else {
        return Ok(1);
    };
    let rest: Vec<Input> = inputs.collect();
    // The display is interactive when it draws on a terminal (as the
    // library decides: stdout a terminal, TERM not dumb) and a keyboard
    // can be read (`tty`, above).
    let plan = Plan {
        // Without a keyboard nobody could quit a display that waits for a
        // file to grow: it ends with the input, as with -E.
        follow: !cli.exit_on_eof && tty,
        labels: cli.follow_all.then(|| match takes_screen {
            true => Labels::Tags {
                width: Labels::width(names.iter().map(String::as_str)),
                save: cli.save_labels,
            },
            // Copied through, nothing draws a tag: the label is text, as
            // grep names the file of each line when it reads several.
            false => Labels::Text,
        }),
    };
    let save = cli.save.clone();
    // A label tag is drawn as the label column and not saved (but as
    // text with --save-labels).
    let builder = configure(&cli, source, output, tty);
    let printer = start(builder, save.as_deref())?;
    read_then_finish(printer, save.as_deref(), failures, move |tx, failures| {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        inputs::feed(first, rest, &names, tx, failures, plan);
    })
}

/// Feeds the display from `read` on a reader thread (then says the input
/// ended), and waits until it stops: the user quits, a signal, the
/// sentinel, or (with -E) the end. Returns the exit status.
fn read_then_finish(
    printer: Printer,
    save: Option<&Path>,
    failures: &Arc<Failures>,
    read: impl FnOnce(&reflow::Sender, &Arc<Failures>) + Send + 'static,
) -> Result<u8, Failure> {
    failures.show_on(printer.sender());
    let reader = {
        let tx = printer.sender();
        let failures = Arc::clone(failures);
        thread::Builder::new()
            .name("reflow-reader".into())
            .spawn(move || {
                read(&tx, &failures);
                let _ = tx.end_of_input();
            })
            .map_err(|e| Failure::io("cannot start the reader", &e))?
    };
    let stopped = finish(printer, save)?;
    // The reader may be blocked on a pipe that never ends; it is not joined
    // unless it is already done.
    if reader.is_finished() {
        let _ = reader.join();
    }
    Ok(stopped.reason.exit_code())
}

/// A regular file at least this big is read in place (see `show`).
const IN_PLACE: u64 = 8 << 20;

/// The display as the options ask: `source` names the input in the
/// status bar; `output` is where to copy lines through, if not the
/// terminal; `tty` whether a keyboard can be read.
fn configure(cli: &Cli, source: String, output: Option<File>, tty: bool) -> Builder {
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
fn saving(save: Option<&Path>, e: &io::Error) -> Option<Failure> {
    let text = describe(e);
    let path = save?.display().to_string();
    text.starts_with(&format!("{path}: ")).then_some(Failure {
        // The path is untrusted text too.
        message: reflow::visible(text.as_bytes()).into_owned(),
        code: 1,
    })
}

/// Starts the display.
fn start(builder: Builder, save: Option<&Path>) -> Result<Printer, Failure> {
    builder.spawn().map_err(|e| {
        saving(save, &e).unwrap_or_else(|| Failure {
            message: format!("cannot start the display: {}", describe(&e)),
            code: 1,
        })
    })
}

/// Waits until the display stops: the user quits, a signal, the sentinel,
/// or (with -E) the end of input.
fn finish(printer: Printer, save: Option<&Path>) -> Result<Stopped, Failure> {
    printer.wait().map_err(|e| match e.raw_os_error() {
        // The display writes to stdout, in either mode.
        Some(_) => Failure::io("stdout", &e),
        None => saving(save, &e).unwrap_or_else(|| Failure::io("display", &e)),
    })
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
    fn max_memory_takes_sizes_as_people_write_them() {
        for (text, bytes) in [
            ("64M", 64 << 20),
            ("2G", 2 << 30),
            ("512K", 512 << 10),
            ("1t", 1 << 40),
            ("64MiB", 64 << 20),
            ("64mb", 64 << 20),
            ("1048576", 1 << 20),
        ] {
            assert_eq!(parse_size(text), Ok(bytes), "{text}");
        }
        for text in ["", "M", "64Q", "-1M", "1.5G", "64 M", "99999999999999T"] {
            assert!(parse_size(text).is_err(), "{text}");
        }
        assert!(parse_size("0M").is_err());
    }
}
