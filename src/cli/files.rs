//! Showing files and standard input: in place, followed, labelled with
//! `--follow-all`, fed to the display from a reader thread.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::thread;

use reflow::Printer;

use super::args::Cli;
use super::inputs::{self, Failures, Input, Plan};
use super::mux::Labels;
use super::session::{Failure, configure, finish, start};
use super::sniff;

/// A regular file at least this big is read in place (see `show`).
const IN_PLACE: u64 = 8 << 20;

/// Shows `inputs` until the display stops, and returns its exit status.
/// `output`: where to copy lines through, when the display does not take
/// the screen.
pub(crate) fn show(
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
    let tty = super::session::keyboard(takes_screen);
    if let [one] = inputs.as_slice()
        && takes_screen
        && cli.save.is_none()
        && cli.sentinel.is_none()
        && !cli.timestamps
        && !cli.follow_all
        && let Some((file, len)) = one.regular_file().filter(|(_, len)| *len >= IN_PLACE)
    {
        let path_of_one = one.path().map(Path::to_owned).unwrap_or_default();
        // The file read in place is followed, not whatever is at its path
        // once the first screen is up.
        let follow = match !cli.exit_on_eof && tty {
            true => Some((
                file.try_clone()
                    .map_err(|e| Failure::io(&format!("cannot follow {}", one.name()), &e))?,
                path_of_one.clone(),
            )),
            false => None,
        };
        let name = one.name().to_owned();
        let binary = head_of(&file).is_some_and(|head| sniff::looks_binary(&head));
        let builder = configure(&cli, source, output, tty).in_place(file, len);
        let printer = start(builder)?;
        if binary {
            let _ = printer
                .sender()
                .notice(format!("{name} may be a binary file"));
        }
        // Following starts once the file's end is on the screen: its
        // threads and inotify's setup, started with the first frame,
        // slowed that frame by a tenth on two cores. Nothing written to the
        // file meanwhile is missed: it is read from `len` on. A display
        // that stops first has nothing to follow for.
        if printer.sender().wait_drawn().is_err() {
            return Ok(finish(printer)?.reason.exit_code());
        }
        return read_then_finish(printer, failures, move |tx, failures| match follow {
            Some((file, path)) => inputs::follow_from(file, &path, &name, len, tx, failures),
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
                width: Labels::width(&names.iter().map(String::as_str).collect::<Vec<_>>()),
                save: cli.save_labels,
            },
            // Copied through, nothing draws a tag: the label is text, as
            // grep names the file of each line when it reads several.
            false => Labels::Text,
        }),
    };
    // A label tag is drawn as the label column and not saved (but as
    // text with --save-labels).
    let builder = configure(&cli, source, output, tty);
    let printer = start(builder)?;
    read_then_finish(printer, failures, move |tx, failures| {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        inputs::feed(first, rest, &names, tx, failures, plan);
    })
}

/// The first bytes of a file read in place, for [`sniff::looks_binary`]
/// (`None` when they cannot be read: the display says why later).
fn head_of(file: &File) -> Option<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    let mut head = vec![0; sniff::HEAD];
    let n = file.read_at(&mut head, 0).ok()?;
    head.truncate(n);
    Some(head)
}

/// Feeds the display from `read` on a reader thread (then says the input
/// ended), and waits until it stops: the user quits, a signal, the
/// sentinel, or (with -E) the end. Returns the exit status.
pub(crate) fn read_then_finish(
    printer: Printer,
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
    let stopped = finish(printer)?;
    // The reader may be blocked on a pipe that never ends; it is not joined
    // unless it is already done.
    if reader.is_finished() {
        let _ = reader.join();
    }
    Ok(stopped.reason.exit_code())
}
