//! Several sources read at once: FILEs and commands (`--cmd`), each
//! labelled as `-F` labels files, interleaved as their lines arrive or,
//! with `--merge`, in record-time order (`merge`).
//!
//! A command runs as `sh -c COMMAND`, its stdout and stderr on one pipe
//! (in the order it writes them, as `2>&1`), its stdin `/dev/null`, in a
//! process group of its own; its end is said in the status bar as in
//! command mode, and when reflow stops, one still running is ended as
//! command mode ends it. The sources' ends are the input's: the display
//! then does what it does at the end of several files.

use std::ffi::OsString;
use std::fs::File;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex};

use rustix::process::Pid;

use super::args::Cli;
use super::command::{self, Command, Ends, Shown};
use super::files::read_then_finish;
use super::inputs::{self, Failures, Input, Opened};
use super::merge::{self, Merge, WINDOW};
use super::mux::{Labels, Mux};
use super::session::{Failure, configure, describe, start};

/// A source as named on the command line.
enum Named {
    File(Input),
    Command(String),
}

/// A command started, not yet watched.
struct Started {
    child: std::process::Child,
    pid: Pid,
    line: String,
}

/// Shows `inputs` and the commands of `--cmd`, in command-line order,
/// until the display stops; returns its exit status.
pub(crate) fn show(
    cli: Cli,
    inputs: Vec<Input>,
    output: Option<File>,
    failures: &Arc<Failures>,
) -> Result<u8, Failure> {
    let mut named: Vec<(usize, Named)> = Vec::new();
    let file_places = cli.places.files.iter().copied().chain(std::iter::repeat(0));
    for (input, place) in inputs.into_iter().zip(file_places) {
        named.push((place, Named::File(input)));
    }
    let cmd_places = cli
        .places
        .cmds
        .iter()
        .copied()
        .chain(std::iter::repeat(usize::MAX));
    for (cmd, place) in cli.cmds.iter().zip(cmd_places) {
        named.push((place, Named::Command(cmd.clone())));
    }
    named.sort_by_key(|(place, _)| *place);
    // Names as given (errors, text labels, the late notice), and labels as
    // a display draws them: the part of a path that tells files apart, a
    // command line shortened.
    let names: Vec<String> = named
        .iter()
        .map(|(_, source)| match source {
            Named::File(input) => input.name().to_owned(),
            Named::Command(cmd) => reflow::visible(cmd.as_bytes()).into_owned(),
        })
        .collect();
    let files: Vec<&str> = named
        .iter()
        .zip(&names)
        .filter(|((_, source), _)| matches!(source, Named::File(_)))
        .map(|(_, name)| name.as_str())
        .collect();
    let mut short_files = Labels::short(&files).into_iter();
    let short: Vec<String> = named
        .iter()
        .zip(&names)
        .map(|((_, source), name)| match source {
            Named::File(_) => short_files.next().unwrap_or_else(|| name.clone()),
            Named::Command(_) => command::shortened(name),
        })
        .collect();
    // Open the files and start the commands; each that cannot is one
    // error line, and the others are shown.
    let mut opened: Vec<(usize, Opened)> = Vec::new();
    let mut started: Vec<Started> = Vec::new();
    for (index, (_, source)) in named.into_iter().enumerate() {
        match source {
            Named::File(input) => {
                if let Some(file) = failures.open(input) {
                    opened.push((index, file));
                }
            }
            Named::Command(cmd) => match run(&cmd) {
                Ok((child, pid, pipe)) => {
                    opened.push((index, Opened::pipe(names[index].clone(), pipe)));
                    started.push(Started {
                        child,
                        pid,
                        line: names[index].clone(),
                    });
                }
                Err(failure) => failures.say(&names[index], &failure.message),
            },
        }
    }
    if opened.is_empty() {
        return Ok(1);
    }
    let source = match names.as_slice() {
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first} (+{})", rest.len()),
        [] => String::new(),
    };
    let takes_screen = reflow::draws_on_terminal();
    let tty = super::session::keyboard(takes_screen);
    let stays = !cli.exit_on_eof && tty;
    let follow = cli.follow_all && stays;
    let labels = match takes_screen {
        true => Some(Labels::Tags {
            width: Labels::width(&short.iter().map(String::as_str).collect::<Vec<_>>()),
            save: cli.save_labels,
        }),
        // Copied through, a merge is the sources' bytes, in order; else
        // each line is named as given, as grep names files.
        false if cli.merge => None,
        false => Some(Labels::Text),
    };
    let window = (stays && (follow || !started.is_empty())).then_some(WINDOW);
    let builder = configure(&cli, source, output, tty);
    let printer = match start(builder) {
        Ok(printer) => printer,
        Err(failure) => {
            for command in started {
                let running = Arc::new(Mutex::new(true));
                Command::watch(
                    command.child,
                    command.pid,
                    running,
                    None,
                    None,
                    &command.line,
                )
                .stop();
            }
            return Err(failure);
        }
    };
    // The commands' ends are said together: several that end at once
    // are all in the status bar, not only the last.
    let ends = Ends::default();
    let mut groups = Vec::new();
    let commands: Vec<Command> = started
        .into_iter()
        .map(|command| {
            let shown = Shown {
                tx: printer.sender(),
                readers: Vec::new(),
                ends_input: false,
                ends: Some(ends.clone()),
            };
            let running = Arc::new(Mutex::new(true));
            groups.push((command.pid, Arc::clone(&running)));
            Command::watch(
                command.child,
                command.pid,
                running,
                Some(shown),
                None,
                &command.line,
            )
        })
        .collect();
    // Registered after the display started, which then still handles
    // SIGINT itself (it stops following, as less does).
    let forwarder = command::forward_interrupts(groups);
    let merging = cli.merge;
    let code = read_then_finish(printer, failures, move |tx, failures| {
        let shown = match labels {
            Some(Labels::Text) => names.clone(),
            _ => short.clone(),
        };
        if merging {
            let senders = match labels {
                Some(labels) => shown.iter().map(|name| labels.label(tx, name).1).collect(),
                None => vec![tx.clone()],
            };
            let merge = Merge {
                senders,
                one: labels.is_none(),
                names: short,
                follow,
                window,
            };
            merge::run(opened, tx, failures, merge);
        } else if let Some(labels) = labels {
            let mux = Arc::new(Mux::labelled(tx.clone(), &shown, labels));
            inputs::all_at_once(opened.into_iter(), &mux, failures, follow);
        }
    });
    // Whatever stopped the display, each command is ended or told to end.
    for command in commands {
        command.stop();
    }
    if let Some(forwarder) = forwarder {
        forwarder.close();
    }
    code
}

/// Starts `sh -c cmd` with its stdout and stderr on one pipe: the command,
/// its process id, and the pipe's end to read.
fn run(cmd: &str) -> Result<(std::process::Child, Pid, File), Failure> {
    let (read, write) = std::io::pipe().map_err(|e| Failure {
        message: format!("cannot make a pipe: {}", describe(&e)),
        code: 1,
    })?;
    let write = OwnedFd::from(write);
    let argv: Vec<OsString> = ["sh", "-c", cmd].iter().map(OsString::from).collect();
    let child = command::spawn(&argv, Some(&write), false)?;
    // Only the command's copies are left: the pipe ends when they close.
    drop(write);
    let Some(pid) = i32::try_from(child.id()).ok().and_then(Pid::from_raw) else {
        return Err(Failure {
            message: "the command has no process id".into(),
            code: 1,
        });
    };
    Ok((child, pid, File::from(OwnedFd::from(read))))
}
