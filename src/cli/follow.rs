//! Following files as they grow, like `tail -F`: the last FILE without
//! `-E`, or every FILE with `--follow-all`.
//!
//! A followed file is read to its end through its descriptor, then the
//! reader waits for inotify events (through `notify`) on the file and its
//! directory: no polling, so a quiet file costs nothing. On each event it
//! reads what was appended and looks at what the path now names:
//! - the same file, shorter than what was read: truncated in place (copy
//!   and truncate); the new content is read from its start;
//! - another file (rename and create, logrotate's default): the old file
//!   is read to its end through the descriptor still open, then the new
//!   one is followed from its start;
//! - nothing, and the file has no name left: deleted. What was read stays;
//!   a file created again at the path is picked up.
//!
//! Lines already sent are never touched: they are in the display's
//! history. A line left open by a file that is truncated or replaced is
//! ended there, so the new content starts a line of its own.
//!
//! With `--follow-all` each file has its own reader, and the lines of all
//! go through a [`Mux`] that labels them and keeps them whole.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crossbeam_channel::{self as channel, Receiver};
use notify::{Event, RecursiveMode, Watcher};
use reflow::{Closed, Sender, Tag};

/// How much the reader takes per read, and so at most per message.
const BLOCK: usize = 64 * 1024;

/// Where the bytes of one input go: straight to the display, or through
/// the labelling [`Mux`].
pub(crate) trait Sink {
    /// The next bytes of the input, as read: a line may end in a later
    /// piece (it is shown meanwhile).
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed>;

    /// Ends the input's open line, if it has one: its input ended, or was
    /// truncated or replaced.
    fn end_line(&mut self) -> Result<(), Closed>;

    /// Says `text` in the status bar.
    fn notice(&self, text: String);

    /// The followed input has been read to its current end: the status
    /// bar may say EOF (until more arrives), as for a file that ended.
    fn caught_up(&self) {}
}

/// One input straight to the display.
pub(crate) struct Direct {
    tx: Sender,
    /// The last byte sent ended a line.
    at_start: bool,
}

impl Direct {
    pub(crate) fn new(tx: Sender) -> Self {
        Direct { tx, at_start: true }
    }

    /// Goes on after a line already begun (the unfinished end of a file
    /// read in place).
    pub(crate) fn within_line(tx: Sender) -> Self {
        Direct {
            tx,
            at_start: false,
        }
    }
}

impl Sink for Direct {
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed> {
        let Some(&last) = bytes.last() else {
            return Ok(());
        };
        self.tx.stream(bytes)?;
        self.at_start = last == b'\n';
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), Closed> {
        if !self.at_start {
            // Not a byte of the input: --save ends as the input ended.
            self.tx.end_line()?;
            self.at_start = true;
        }
        Ok(())
    }

    fn notice(&self, text: String) {
        let _ = self.tx.notice(text);
    }

    fn caught_up(&self) {
        // The end of input would end an open line: a file whose last line
        // is still being written has not reached a place to say EOF.
        if self.at_start {
            let _ = self.tx.end_of_input();
        }
    }
}

/// How lines are labelled with their file (`--follow-all`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Labels {
    /// A [`Tag`] the display draws as a label column (`save`: `--save`
    /// writes the label as text too).
    Tags { width: usize, save: bool },
    /// `NAME: ` as text, for lines copied through (not drawn by reflow).
    Text,
}

impl Labels {
    /// What each line of the file `name` starts with (nothing for a tag),
    /// and the sender its lines go through.
    fn label(self, tx: &Sender, name: &str) -> (Vec<u8>, Sender) {
        match self {
            Labels::Tags { width, save } => {
                let tag = Tag::new().label(name).label_width(width).save_label(save);
                (Vec::new(), tx.tagged(tag))
            }
            Labels::Text => (format!("{name}: ").into_bytes(), tx.clone()),
        }
    }

    /// The label column's width for files named `names`: the longest
    /// name's, up to the display's cap (longer ones are cut with `…`).
    pub(crate) fn width<'a>(names: impl IntoIterator<Item = &'a str>) -> usize {
        names
            .into_iter()
            .map(reflow::width_of)
            .max()
            .unwrap_or(1)
            .clamp(1, Tag::MAX_LABEL_WIDTH)
    }
}

/// The inputs of `--follow-all` into one sender, labelled, a whole line at
/// a time, in the order lines are completed.
///
/// A line is sent once it is whole, so inputs never mix within a line. A
/// partial line (a file's last, still being written) is shown at once when
/// no other input has a line open: it is sent with [`Sender::stream`],
/// which makes every other line wait until it ends. The other readers
/// must then never wait for it (their files may end or stall, and the
/// line would never end): their whole lines and partial lines are held
/// here meanwhile, and follow as soon as the open line ends. Sending waits
/// only for the printer, never for a file, so holding the lock across a
/// send cannot close a cycle.
pub(crate) struct Mux {
    /// For notices.
    tx: Sender,
    /// Each input's sender (tagged with its label on a display), by its
    /// index.
    senders: Vec<Sender>,
    state: Mutex<State>,
}

/// Who has a line open, and what waits.
struct State {
    /// Each input's label as text, by its index (empty when tagged).
    prefixes: Vec<Vec<u8>>,
    /// The input whose partial line is open in the sender.
    open: Option<usize>,
    /// Whole lines (labelled) held while a line is open, in arrival order:
    /// runs of one input's lines, with its index.
    held: Vec<(usize, Vec<u8>)>,
    /// Each input's partial line not sent yet (unlabelled).
    partial: Vec<Vec<u8>>,
}

impl Mux {
    /// A mux for inputs named `names` (index = position).
    pub(crate) fn new(tx: Sender, names: &[&str], labels: Labels) -> Self {
        let (prefixes, senders) = names.iter().map(|name| labels.label(&tx, name)).unzip();
        Mux {
            tx,
            senders,
            state: Mutex::new(State {
                prefixes,
                open: None,
                held: Vec::new(),
                partial: vec![Vec::new(); names.len()],
            }),
        }
    }

    /// The sink of input `index`.
    pub(crate) fn source(self: &Arc<Self>, index: usize) -> Source {
        Source {
            mux: Arc::clone(self),
            index,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Buffers of whole lines stay consistent whatever panicked.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn piece(&self, index: usize, mut bytes: &[u8]) -> Result<(), Closed> {
        let mut state = self.lock();
        if state.open == Some(index) {
            let Some(end) = memchr::memchr(b'\n', bytes) else {
                return self.senders[index].stream(bytes);
            };
            // The rest of the open line carries no label: it had one.
            self.senders[index].stream(&bytes[..=end])?;
            state.open = None;
            bytes = &bytes[end + 1..];
        }
        let State {
            prefixes,
            held,
            partial,
            ..
        } = &mut *state;
        let partial = &mut partial[index];
        partial.extend_from_slice(bytes);
        if let Some(last) = memchr::memrchr(b'\n', partial) {
            let run = run_of(held, index);
            let prefix = &prefixes[index];
            for line in partial[..=last].split_inclusive(|&b| b == b'\n') {
                run.extend_from_slice(prefix);
                run.extend_from_slice(line);
            }
            partial.drain(..=last);
        }
        self.flush(&mut state)
    }

    fn end_line(&self, index: usize) -> Result<(), Closed> {
        let mut state = self.lock();
        if state.open == Some(index) {
            self.senders[index].stream(b"\n")?;
            state.open = None;
        } else if !state.partial[index].is_empty() {
            let line = std::mem::take(&mut state.partial[index]);
            let State { prefixes, held, .. } = &mut *state;
            let run = run_of(held, index);
            run.extend_from_slice(&prefixes[index]);
            run.extend_from_slice(&line);
            run.push(b'\n');
        }
        self.flush(&mut state)
    }

    /// With no line open: the held lines go, then one input's partial line
    /// opens, so it shows at once.
    fn flush(&self, state: &mut State) -> Result<(), Closed> {
        if state.open.is_some() {
            return Ok(());
        }
        for (index, run) in std::mem::take(&mut state.held) {
            self.senders[index].lines(&run)?;
        }
        if let Some(index) = state.partial.iter().position(|p| !p.is_empty()) {
            // A text label and the line's first bytes in one piece.
            let mut piece = state.prefixes[index].clone();
            piece.append(&mut state.partial[index]);
            self.senders[index].stream(&piece)?;
            state.open = Some(index);
        }
        Ok(())
    }
}

/// The run of held lines to add input `index`'s lines to: the last one if
/// it is that input's, else a new one.
fn run_of(held: &mut Vec<(usize, Vec<u8>)>, index: usize) -> &mut Vec<u8> {
    if held.last().is_none_or(|(last, _)| *last != index) {
        held.push((index, Vec::new()));
    }
    match held.last_mut() {
        Some((_, run)) => run,
        None => unreachable!("a run was just pushed"),
    }
}

/// One input's way into a [`Mux`].
pub(crate) struct Source {
    mux: Arc<Mux>,
    index: usize,
}

impl Sink for Source {
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed> {
        self.mux.piece(self.index, bytes)
    }

    fn end_line(&mut self) -> Result<(), Closed> {
        self.mux.end_line(self.index)
    }

    fn notice(&self, text: String) {
        let _ = self.mux.tx.notice(text);
    }
}

/// Why reading an input stopped early.
pub(crate) enum Stop {
    /// The display stopped: nothing more can be shown.
    Closed,
    /// A read failed; what was read before is kept.
    Io(io::Error),
}

impl From<Closed> for Stop {
    fn from(_: Closed) -> Self {
        Stop::Closed
    }
}

/// Sends everything `reader` gives until its end, as it comes (a line
/// still being written shows before its end arrives). Returns how many
/// bytes were read.
pub(crate) fn copy(
    reader: &mut dyn Read,
    buf: &mut [u8],
    sink: &mut dyn Sink,
) -> Result<u64, Stop> {
    let mut total = 0;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Stop::Io(e)),
        };
        sink.piece(&buf[..n])?;
        total += n as u64;
    }
}

/// What the path of a followed file names now, against the file open.
enum Found {
    /// The same file, as long as what was read or longer.
    Same,
    /// The same file, shorter than what was read.
    Truncated,
    /// Another file: the one open was moved away (or deleted) and this one
    /// made in its place.
    Replaced(File),
    /// No file; `deleted` when the one open has no name left either.
    Gone { deleted: bool },
}

/// The identity of a file: the same device and inode are the same file.
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// A file being followed at a path.
struct Followed<'a> {
    path: &'a Path,
    name: &'a str,
    file: File,
    /// Bytes read from the start of `file`.
    read: u64,
}

impl Followed<'_> {
    fn look(&self) -> io::Result<Found> {
        let open = self.file.metadata()?;
        match std::fs::metadata(self.path) {
            Ok(now) if same_file(&now, &open) => Ok(match open.len() < self.read {
                true => Found::Truncated,
                false => Found::Same,
            }),
            Ok(_) => match File::open(self.path) {
                // Compared again once open: the path may have changed in
                // between.
                Ok(file) if file.metadata().is_ok_and(|m| !same_file(&m, &open)) => {
                    Ok(Found::Replaced(file))
                }
                Ok(_) => Ok(Found::Same),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Found::Gone {
                    deleted: open.nlink() == 0,
                }),
                Err(e) => Err(e),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Found::Gone {
                deleted: open.nlink() == 0,
            }),
            Err(e) => Err(e),
        }
    }
}

/// Events that may concern a followed file, coalesced: a wake-up says
/// "look again", however many events caused it.
struct Watch {
    watcher: notify::RecommendedWatcher,
    wakes: Receiver<()>,
    path: PathBuf,
}

impl Watch {
    /// Watches `path` (the file it names now, wherever it is moved) and its
    /// directory (a file created, moved or deleted at the path).
    fn new(path: &Path) -> io::Result<Self> {
        // Events are reported with absolute paths (notify makes a relative
        // watch absolute): so is the path they are compared with.
        let path = std::env::current_dir()?.join(path);
        let dir = path
            .parent()
            .map_or_else(|| PathBuf::from("/"), Path::to_owned);
        // Events in the directory name the file they concern: only those
        // at our path matter (a busy /var/log must not wake us for every
        // other log). Paths compare by components, so `a/./b` is `a/b`.
        let watched = path.clone();
        // One pending wake-up is all a reader needs: it reads everything
        // there is when it wakes.
        let (wake, wakes) = channel::bounded(1);
        let handler = move |event: notify::Result<Event>| {
            let relevant = match &event {
                Ok(event) => {
                    event.need_rescan() || event.paths.is_empty() || event.paths.contains(&watched)
                }
                Err(_) => true,
            };
            if relevant {
                let _ = wake.try_send(());
            }
        };
        let mut watcher = notify::recommended_watcher(handler).map_err(to_io)?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(to_io)?;
        let mut watch = Watch {
            watcher,
            wakes,
            path,
        };
        watch.file();
        Ok(watch)
    }

    /// Watches the file the path names now: its writes are seen even
    /// where the directory cannot report them (a symlink to elsewhere, a
    /// file moved out of the directory while still written).
    fn file(&mut self) {
        let _ = self.watcher.unwatch(&self.path);
        // The directory watch alone still sees most: not fatal.
        let _ = self.watcher.watch(&self.path, RecursiveMode::NonRecursive);
    }

    /// Waits for the next event; false once no event can come.
    fn wait(&self) -> bool {
        self.wakes.recv().is_ok()
    }
}

fn to_io(error: notify::Error) -> io::Error {
    match error.kind {
        notify::ErrorKind::Io(e) => e,
        notify::ErrorKind::PathNotFound => io::Error::from(io::ErrorKind::NotFound),
        notify::ErrorKind::MaxFilesWatch => io::Error::other("too many files watched (inotify)"),
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Reads `file` (open at `path`, shown as `name`) from byte `from` to its
/// end, then follows
/// it until the display stops: appended bytes as they come, truncation
/// and rotation noticed and said in the status bar.
///
/// # Errors
///
/// A read or watch error; what was read before stays shown.
pub(crate) fn follow(
    mut file: File,
    path: &Path,
    name: &str,
    sink: &mut dyn Sink,
    from: u64,
) -> Result<(), Stop> {
    let mut buf = vec![0; BLOCK];
    // The first `from` bytes are shown already (read in place).
    if from > 0 {
        use std::io::{Seek, SeekFrom};
        file.seek(SeekFrom::Start(from)).map_err(Stop::Io)?;
    }
    // Watched before the first read: a write between the end of that read
    // and the watch would otherwise wait for the next one.
    let watch = Watch::new(path);
    let mut followed = Followed {
        path,
        name,
        file,
        read: from,
    };
    followed.read += copy(&mut followed.file, &mut buf, sink)?;
    let mut watch = watch.map_err(|e| {
        let text = super::session::describe(&e);
        Stop::Io(io::Error::new(e.kind(), format!("cannot follow: {text}")))
    })?;
    // The file has been said to be gone, and not yet back.
    let mut gone = false;
    loop {
        match followed.look().map_err(Stop::Io)? {
            Found::Same => {}
            Found::Truncated => {
                sink.end_line()?;
                followed.file.seek(SeekFrom::Start(0)).map_err(Stop::Io)?;
                followed.read = 0;
                sink.notice(format!("{}: truncated", followed.name));
            }
            Found::Replaced(file) => {
                // What was written to the old file up to now, through the
                // descriptor still open: nothing it holds is lost.
                copy(&mut followed.file, &mut buf, sink)?;
                sink.end_line()?;
                followed.file = file;
                followed.read = 0;
                watch.file();
                let what = if gone { "created again" } else { "rotated" };
                sink.notice(format!("{}: {what}", followed.name));
                gone = false;
            }
            Found::Gone { deleted } => {
                if deleted && !gone {
                    sink.notice(format!("{}: deleted", followed.name));
                    gone = true;
                }
            }
        }
        followed.read += copy(&mut followed.file, &mut buf, sink)?;
        sink.caught_up();
        if !watch.wait() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reflow::Printer;
    use std::io::Write;

    /// A writer the test reads back once the printer has stopped.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn labels_are_tags_on_a_display_or_text_copied_through() {
        let printer = Printer::builder().output(io::sink()).spawn().unwrap();
        let tx = printer.sender();
        let tags = Labels::Tags {
            width: 5,
            save: false,
        };
        assert_eq!(tags.label(&tx, "a.log").0, b"");
        assert_eq!(Labels::Text.label(&tx, "a.log").0, b"a.log: ");
        assert_eq!(Labels::width(["a", "abc"]), 3);
        assert_eq!(
            Labels::width(["a-very-long-name-indeed.log"]),
            Tag::MAX_LABEL_WIDTH
        );
    }

    /// Whole lines go as they come; a partial line opens only when no other
    /// is open, and the others' lines wait for it, never the reverse.
    #[test]
    fn inputs_never_mix_within_a_line() {
        let out = Shared::default();
        let printer = Printer::builder().output(out.clone()).spawn().unwrap();
        let mux = Arc::new(Mux::new(printer.sender(), &["a", "b"], Labels::Text));
        let (mut a, mut b) = (mux.source(0), mux.source(1));
        a.piece(b"a1\na2 part").unwrap();
        // b's whole line and its partial line are held: a's line is open.
        b.piece(b"b1\nb2 ").unwrap();
        // a's line ends: the held lines go, then b's partial line opens.
        a.piece(b"ial\na3\n").unwrap();
        a.piece(b"a4\n").unwrap();
        b.piece(b"end\n").unwrap();
        // An input that ends with a partial line has it ended.
        a.piece(b"last").unwrap();
        a.end_line().unwrap();
        printer.join().unwrap();
        assert_eq!(
            String::from_utf8(out.0.lock().unwrap().clone()).unwrap(),
            "a: a1\na: a2 partial\nb: b1\na: a3\nb: b2 end\na: a4\na: last\n"
        );
    }
}
