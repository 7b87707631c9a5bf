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
//! go through a [`Mux`](super::mux::Mux) that labels them and keeps them
//! whole.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crossbeam_channel::{self as channel, Receiver};
use notify::{Event, RecursiveMode, Watcher};
use reflow::{Closed, Sender};

use super::READ_SIZE;
use super::mux::Feed;

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

impl Feed for Direct {
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
    sink: &mut dyn Feed,
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
    sink: &mut dyn Feed,
    from: u64,
) -> Result<(), Stop> {
    let mut buf = vec![0; READ_SIZE];
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
