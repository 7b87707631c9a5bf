//! The inputs named on the command line: opened one after the other, read
//! in blocks of whole lines, and the ones that fail reported by name, as
//! `cat` does: every input that can be read is shown, in order, and each
//! one that cannot gets one error line.

use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;

use reflow::{Closed, Sender};

use super::READ_SIZE;
use super::follow::{self, Direct, Stop};
use super::mux::{Feed, Labels, Mux};
use super::session::{describe, print_error};
use super::sniff::Sniffing;
use super::stdio;

/// The pipe buffer asked for on a piped input (see [`read`]).
const PIPE_SIZE: usize = 1 << 20;

/// The most read from an input at a time: a quarter of [`PIPE_SIZE`], so
/// that the printer takes one piece while the next is read.
const PIPE_READ: usize = PIPE_SIZE / 4;

/// An input as named on the command line: a file, or stdin (`-`).
pub(crate) struct Input {
    /// The name to show: safe to print (see [`Input::new`]).
    name: String,
    /// `None` for stdin.
    path: Option<PathBuf>,
}

impl Input {
    /// The inputs `files` names, in order; none means stdin.
    pub(crate) fn all(files: &[PathBuf]) -> Vec<Input> {
        if files.is_empty() {
            return vec![Input::stdin()];
        }
        files.iter().map(|path| Input::new(path)).collect()
    }

    /// The input `path` names (`-` is stdin).
    pub(crate) fn new(path: &Path) -> Input {
        if path.as_os_str() == "-" {
            return Input::stdin();
        }
        Input {
            // A file name is untrusted: one holding escape codes would
            // reach the terminal through the error message. Every control
            // in it is shown (a newline, a `\r`, ESC in caret notation,
            // U+202E as `<U+202E>`), so a message stays one plain line
            // and no part of the name is hidden or reordered.
            name: reflow::visible(path.as_os_str().as_bytes()).into_owned(),
            path: Some(path.to_owned()),
        }
    }

    fn stdin() -> Input {
        Input {
            name: "stdin".into(),
            path: None,
        }
    }

    /// The name to show, safe to print.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The input opened as a regular file and its length now, to be read
    /// in place; `None` for stdin, a pipe, a device or a file that does not
    /// open (which the usual way reports).
    pub(crate) fn regular_file(&self) -> Option<(File, u64)> {
        let path = self.path.as_ref()?;
        // Opening a FIFO to look at it would let its writer in, and
        // closing it again would give that writer EPIPE: look first, and
        // open without blocking in case the node changed in between.
        if !std::fs::metadata(path).ok()?.is_file() {
            return None;
        }
        let file = File::options()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .ok()?;
        let meta = file.metadata().ok()?;
        meta.is_file().then_some((file, meta.len()))
    }

    /// The file's path; `None` for stdin.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// True for stdin.
    pub(crate) fn is_stdin(&self) -> bool {
        self.path.is_none()
    }

    fn open(&self) -> io::Result<File> {
        let Some(path) = &self.path else {
            return stdio::stdin();
        };
        let file = File::open(path)?;
        // Linux opens a directory and fails at the first read; saying so
        // at open keeps a directory from starting the display.
        if file.metadata()?.is_dir() {
            return Err(io::Error::from_raw_os_error(libc::EISDIR));
        }
        Ok(file)
    }
}

/// An input that opened.
pub(crate) struct Opened {
    name: String,
    file: File,
    /// `None` for stdin (or a command's output).
    path: Option<PathBuf>,
}

impl Opened {
    /// The read end of a pipe, named `name` (a command's output).
    pub(crate) fn pipe(name: String, file: File) -> Opened {
        Opened {
            name,
            file,
            path: None,
        }
    }

    /// True when it is a file that may be followed as it grows.
    pub(crate) fn is_file(&self) -> bool {
        self.path.is_some()
    }
}

/// The error lines about inputs, and whether there was any.
///
/// While a display holds the screen, a line written to the terminal would
/// be drawn over, then lost with the alternate screen: the lines are kept
/// until [`Failures::flush`], called once the display has left the screen,
/// so they are the last thing the user reads. When lines are copied
/// through (stdout not a terminal, or `TERM=dumb`) they are written as they
/// happen, next to the output they interrupt.
pub(crate) struct Failures {
    state: Mutex<State>,
}

struct State {
    defer: bool,
    kept: Vec<String>,
    any: bool,
    /// While lines are kept for later: the display, to say them at once in
    /// its status bar too.
    display: Option<Sender>,
}

impl Failures {
    /// Keeps the lines until [`Failures::flush`] when `defer` is true.
    pub(crate) fn new(defer: bool) -> Self {
        Failures {
            state: Mutex::new(State {
                defer,
                kept: Vec::new(),
                any: false,
                display: None,
            }),
        }
    }

    /// From now on, a failure is also shown at once in the status bar of
    /// the display that `tx` feeds.
    /// Those before it (inputs that failed to open) show, the last one, now.
    pub(crate) fn show_on(&self, tx: Sender) {
        let mut state = self.lock();
        if let Some(last) = state.kept.last() {
            let _ = tx.notice(last.trim_start_matches("reflow: "));
        }
        state.display = Some(tx);
    }

    /// Opens `input`, or reports why it cannot be.
    pub(crate) fn open(&self, input: Input) -> Option<Opened> {
        match input.open() {
            Ok(file) => Some(Opened {
                name: input.name,
                file,
                path: input.path,
            }),
            Err(e) => {
                self.report(&input.name, &e);
                None
            }
        }
    }

    /// Reports that `name` failed with `error`.
    pub(crate) fn report(&self, name: &str, error: &io::Error) {
        self.say(name, &describe(error));
    }

    /// Reports that `name` failed, for `reason`.
    pub(crate) fn say(&self, name: &str, reason: &str) {
        let line = format!("reflow: {name}: {reason}");
        let mut state = self.lock();
        state.any = true;
        if state.defer {
            if let Some(display) = &state.display {
                let _ = display.notice(format!("{name}: {reason}"));
            }
            state.kept.push(line);
        } else {
            print_error(&line);
        }
    }

    /// Writes the kept lines; from now on lines are written at once.
    pub(crate) fn flush(&self) {
        let mut state = self.lock();
        state.defer = false;
        for line in state.kept.drain(..) {
            print_error(&line);
        }
    }

    /// True when an input failed.
    pub(crate) fn any(&self) -> bool {
        self.lock().any
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How the inputs are read, beyond "in order, each to its end".
#[derive(Clone, Copy, Debug)]
pub(crate) struct Plan {
    /// Follow the last input as it grows (or, with `labels`, every one).
    pub(crate) follow: bool,
    /// `--follow-all`: each line labelled with its input.
    pub(crate) labels: Option<Labels>,
}

/// Reads `first`, then opens and reads each of `rest` in turn, sending
/// everything as it comes; the last one is followed when `plan` says so.
/// With labels, each line is labelled with its input; following, every
/// input is then read and followed at once. An input that fails to open or
/// to read is reported and the next one is read; what was read before a
/// read error is kept. Stops early when the printer has stopped.
pub(crate) fn feed(
    first: Opened,
    rest: Vec<Input>,
    names: &[&str],
    tx: &Sender,
    failures: &Arc<Failures>,
    plan: Plan,
) {
    let mux = plan
        .labels
        .map(|labels| Arc::new(Mux::new(tx.clone(), names, labels)));
    // Inputs are numbered by their place on the command line, which is
    // where their labels are; `first` is the first that opened.
    let skipped = names.len() - rest.len() - 1;
    let sink = |index: usize| -> Box<dyn Feed> {
        match &mux {
            Some(mux) => Box::new(mux.source(index)),
            None => Box::new(Direct::new(tx.clone())),
        }
    };
    if plan.follow
        && let Some(mux) = &mux
    {
        let opened = std::iter::once((skipped, first)).chain(
            rest.into_iter()
                .enumerate()
                .filter_map(|(i, input)| Some((skipped + 1 + i, failures.open(input)?))),
        );
        all_at_once(opened, mux, failures, true);
        return;
    }
    // One buffer serves every read (no allocation or zeroing per block).
    let mut buf = vec![0; PIPE_READ];
    let count = rest.len();
    let mut rest = rest.into_iter().enumerate();
    let mut next = Some((skipped, first));
    while let Some((index, opened)) = next.take() {
        // The last FILE named: one after it that fails to open still
        // counts, as `tail -F` follows only the last name.
        let last = index == skipped + count;
        let mut sink = sink(index);
        let follow = plan.follow && last;
        // Several FILEs, one after another: the display marks where each
        // begins, names the one on screen, and moves by them (`:n`, `:p`).
        if names.len() > 1 && tx.begin_source(opened.name.clone()).is_err() {
            return;
        }
        if read(opened, &mut buf, sink.as_mut(), failures, follow).is_err() {
            return;
        }
        next = rest.find_map(|(i, input)| Some((skipped + 1 + i, failures.open(input)?)));
    }
}

/// Follows `file`, opened at `path` (shown as `name`), from byte `from`
/// on, its first bytes being read in place already; reports an error.
/// The file read in place is the one followed: one that replaced it at
/// `path` meanwhile is a rotation, found by the follow.
pub(crate) fn follow_from(
    file: File,
    path: &Path,
    name: &str,
    from: u64,
    tx: &Sender,
    failures: &Failures,
) {
    let mut sink = match sink_after(&file, from, tx) {
        Ok(sink) => sink,
        Err(e) => return failures.report(name, &e),
    };
    let stopped = follow::follow(file, path, name, &mut sink, from);
    if sink.end_line().is_err() {
        return;
    }
    if let Err(Stop::Io(e)) = stopped {
        failures.report(name, &e);
    }
}

/// Ends the last line of the file at `path` read in place up to `len`, if
/// it has no newline.
pub(crate) fn end_in_place(path: &Path, len: u64, tx: &Sender) {
    if let Ok(mut sink) = File::open(path).and_then(|file| sink_after(&file, len, tx)) {
        let _ = sink.end_line();
    }
}

/// The sink that goes on after `file`'s first `len` bytes, read in place:
/// within a line when they do not end with a newline.
fn sink_after(file: &File, len: u64, tx: &Sender) -> io::Result<Direct> {
    use std::os::unix::fs::FileExt;
    let mut last = [b'\n'];
    if len > 0 {
        file.read_exact_at(&mut last, len - 1)?;
    }
    Ok(match last {
        [b'\n'] => Direct::new(tx.clone()),
        _ => Direct::within_line(tx.clone()),
    })
}

/// Reads `opened` to its end, or follows it, reporting a read error.
/// `Err` when the display has stopped.
pub(crate) fn read(
    opened: Opened,
    buf: &mut [u8],
    sink: &mut dyn Feed,
    failures: &Failures,
    follow: bool,
) -> Result<(), Closed> {
    let Opened {
        name,
        mut file,
        path,
    } = opened;
    let path = path.filter(|_| follow && file.metadata().is_ok_and(|m| m.is_file()));
    let mut sniffing = Sniffing::new(sink, &name);
    let sink: &mut dyn Feed = &mut sniffing;
    // A pipe of 64 KiB (Linux's default) hands its bytes over in as many
    // pieces, each a wake-up for both ends: a big input piped in came a
    // sixth faster through one of 1 MiB (0.183 s to 0.154 s; 1 MiB is the
    // most an unprivileged process may ask for). Nothing to do for files
    // and terminals, which refuse.
    let _ = rustix::pipe::fcntl_setpipe_size(&file, PIPE_SIZE);
    let stopped = match path {
        Some(path) => follow::follow(file, &path, &name, sink, 0),
        None => follow::copy(&mut file, buf, sink).map(|_| ()),
    };
    // A last line without a newline still counts as a line (it is ended
    // here), also when a read error cuts the input short.
    sink.end_line()?;
    match stopped {
        Ok(()) => Ok(()),
        Err(Stop::Closed) => Err(Closed),
        Err(Stop::Io(e)) => {
            failures.report(&name, &e);
            Ok(())
        }
    }
}

/// `--follow-all`, following (and `--cmd`): every input read (and, with
/// `follow`, followed) at once, each by its own thread; returns when all
/// have ended (only those that cannot be followed, or fail, ever do).
pub(crate) fn all_at_once(
    opened: impl Iterator<Item = (usize, Opened)>,
    mux: &Arc<Mux>,
    failures: &Arc<Failures>,
    follow: bool,
) {
    at_once(opened, failures, follow, |index| mux.source(index));
}

/// Every input read at once into the sink `sink` gives for its index,
/// each by its own thread; returns when all have ended.
pub(crate) fn at_once<S: Feed + Send + 'static>(
    opened: impl Iterator<Item = (usize, Opened)>,
    failures: &Arc<Failures>,
    follow: bool,
    mut sink: impl FnMut(usize) -> S,
) {
    let readers: Vec<_> = opened
        .filter_map(|(index, opened)| {
            let mut sink = sink(index);
            let shared = Arc::clone(failures);
            let name = opened.name.clone();
            let spawned = thread::Builder::new()
                .name("reflow-follow".into())
                .spawn(move || {
                    let mut buf = vec![0; READ_SIZE];
                    let _ = read(opened, &mut buf, &mut sink, &shared, follow);
                });
            match spawned {
                Ok(reader) => Some(reader),
                Err(e) => {
                    failures.report(&name, &e);
                    None
                }
            }
        })
        .collect();
    for reader in readers {
        let _ = reader.join();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_like_strerror() {
        let e = io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(describe(&e), "No such file or directory");
    }

    #[test]
    fn a_file_name_is_shown_with_its_controls_visible() {
        let cases: &[(&[u8], &str)] = &[
            (b"app.log", "app.log"),
            // The name that once turned the terminal red, shown as it is.
            (b"\x1b[31mred.log", "^[[31mred.log"),
            (b"title\x1b]2;owned\x07.log", "title^[]2;owned^G.log"),
            (b"bell\x07.log", "bell^G.log"),
            (b"two\nlines.log", "two^Jlines.log"),
            (b"del\x7f.log", "del^?.log"),
            (b"end\x1b", "end^["),
            // Issue 16: the part before a `\r` was hidden.
            (b"secret\rshown.log", "secret^Mshown.log"),
            ("a\u{202e}gol.txt".as_bytes(), "a<U+202E>gol.txt"),
            // C1 CSI, as UTF-8 (shown as the 7-bit ESC [ it stands for)
            // and as a lone byte (not UTF-8).
            ("c1\u{9b}31m.log".as_bytes(), "c1^[[31m.log"),
            (b"byte\x9b31m.log", "byte\u{fffd}31m.log"),
        ];
        for &(raw, shown) in cases {
            let input = Input::new(Path::new(std::ffi::OsStr::from_bytes(raw)));
            assert_eq!(input.name(), shown, "{}", raw.escape_ascii());
            assert!(!input.name().chars().any(char::is_control), "{shown:?}");
        }
    }
}
