//! The `reflow` binary's own parts: the library knows nothing of files,
//! commands or exit statuses. `main` parses the command line and runs one
//! of the two ways in: files and pipes (`files`) or a command (`command`).

pub(crate) mod args;
pub(crate) mod command;
pub(crate) mod files;
pub(crate) mod follow;
pub(crate) mod inputs;
pub(crate) mod merge;
pub(crate) mod mux;
pub(crate) mod pty;
pub(crate) mod session;
pub(crate) mod sniff;
pub(crate) mod sources;
pub(crate) mod stdio;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::CommandFactory;

use args::Cli;

use inputs::{Failures, Input};
use session::{Failure, describe, plain_output, print_error};

/// How much a reader of input (a file, stdin, a followed file, a command's
/// output) takes per read, and so at most per message: a longer line goes
/// on in pieces of this size.
pub(crate) const READ_SIZE: usize = 64 * 1024;

pub(crate) fn main() -> ExitCode {
    let cli = match Cli::parse_placed() {
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

fn run(mut cli: Cli) -> Result<u8, Failure> {
    if !cli.command.is_empty() {
        let argv = std::mem::take(&mut cli.command);
        return command::run(cli, argv);
    }
    // Commands as sources, or one stream in time order: every source is
    // read at once (stdin only when named, beside a command).
    if cli.merge || !cli.cmds.is_empty() {
        let inputs = match cli.cmds.is_empty() {
            true => Input::all(&cli.files),
            false => cli.files.iter().map(|path| Input::new(path)).collect(),
        };
        return shown(cli, inputs, sources::show);
    }
    let inputs = Input::all(&cli.files);
    shown(cli, inputs, files::show)
}

/// A way to show inputs: `files::show` or `sources::show`.
type Show = fn(Cli, Vec<Input>, Option<std::fs::File>, &Arc<Failures>) -> Result<u8, Failure>;

/// Shows `inputs` as `show` does, then writes the error lines kept about
/// them, and gives the exit status.
fn shown(cli: Cli, inputs: Vec<Input>, show: Show) -> Result<u8, Failure> {
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
