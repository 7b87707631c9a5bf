//! The host's own output beside an inline display. When the host's stdout
//! or stderr writes on the terminal the display draws on, a pseudo-
//! terminal takes its place (`dup2`), so what the host prints (a `--help`,
//! a REPL's prompt, a panic's message) reaches the display, which prints it
//! among the lines, in place of a live region it would otherwise scramble.
//! The host still writes to a terminal (`isatty` holds, at the display's
//! size), and gets its own descriptors back when the display stops, after
//! everything it wrote was taken. A panic puts them back at once (see
//! [`release`]), so its message is written straight to the terminal.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use crossbeam_channel::{self as channel, Receiver};
use rustix::termios::{self, OptionalActions};

use crate::printer::Sender;

/// The host's descriptors as they were, for whoever puts them back first:
/// the stop, or a panic hook.
static SAVED: Mutex<Vec<(RawFd, OwnedFd)>> = Mutex::new(Vec::new());

/// The capture being read, for [`sync`] from the host's threads.
static ACTIVE: Mutex<Option<Arc<Shared>>> = Mutex::new(None);

/// What the reader thread and the host's threads share.
struct Shared {
    /// The pty's own end, non-blocking.
    master: File,
    /// Taken while reading and queuing, so what is read is queued in the
    /// order it was written.
    reading: Mutex<Reading>,
    /// Whether the host's unfinished last line has bytes not taken yet.
    open: Mutex<bool>,
    /// Ticks when it has.
    tick: channel::Sender<()>,
}

struct Reading {
    /// Whole lines go into the queue as any sender's.
    sender: Sender,
    /// What was read and not queued yet: an unfinished line, or lines the
    /// queue refused because it closed (taken at the stop).
    unsent: Vec<u8>,
}

impl Shared {
    /// Reads what the host wrote so far and queues its whole lines.
    fn read(&self) {
        // Its lines are queued through a sender, which syncs first: not
        // with itself.
        let _reading = ReadingHere::enter();
        let mut reading = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        let mut buf = [0u8; 1 << 14];
        loop {
            match (&self.master).read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => reading.unsent.extend_from_slice(&buf[..n]),
            }
        }
        let Some(last) = memchr::memrchr(b'\n', &reading.unsent) else {
            self.set_open(&reading.unsent);
            return;
        };
        let rest = reading.unsent.split_off(last + 1);
        let lines = std::mem::replace(&mut reading.unsent, rest);
        if reading.sender.lines(&lines).is_err() {
            // Closed: the stop takes them.
            let mut kept = lines;
            kept.append(&mut reading.unsent);
            reading.unsent = kept;
            return;
        }
        // After the lines: the display takes them first.
        let open = reading.unsent.clone();
        self.set_open(&open);
    }

    fn set_open(&self, open: &[u8]) {
        let mut waiting = self.open.lock().unwrap_or_else(|e| e.into_inner());
        *waiting = !open.is_empty();
        if *waiting {
            let _ = self.tick.try_send(());
        }
    }
}

/// Queues what the host wrote on the terminal so far, before a record the
/// same thread logs next: its output and its log stay in order. Costs one
/// read that finds nothing when no capture runs... and nothing at all
/// when none does.
pub(crate) fn sync() {
    if !CAPTURING.load(Ordering::Relaxed) || READING_HERE.with(std::cell::Cell::get) {
        return;
    }
    let shared = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(shared) = shared {
        shared.read();
    }
}

thread_local! {
    /// This thread is queuing the host's output already.
    static READING_HERE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Marks this thread as queuing the host's output, until dropped.
struct ReadingHere(bool);

impl ReadingHere {
    fn enter() -> Self {
        ReadingHere(READING_HERE.with(|here| here.replace(true)))
    }
}

impl Drop for ReadingHere {
    fn drop(&mut self) {
        let before = self.0;
        READING_HERE.with(|here| here.set(before));
    }
}

/// True while a capture runs.
static CAPTURING: AtomicBool = AtomicBool::new(false);

/// The capture is a full-screen display's: a panic's message goes to the
/// normal screen (the display gives it way), not among the lines, which
/// might never be printed after the alternate screen is left.
static FULL_SCREEN: AtomicBool = AtomicBool::new(false);

/// True while a full-screen display takes the host's output.
pub(crate) fn for_full_screen() -> bool {
    CAPTURING.load(Ordering::SeqCst) && FULL_SCREEN.load(Ordering::SeqCst)
}

/// The pty in place of the host's stdout and/or stderr.
pub(crate) struct Capture {
    shared: Arc<Shared>,
    /// The host's end; closed at the stop, so the reader sees the end.
    slave: Option<OwnedFd>,
    /// Ticks when the host's unfinished line has new bytes.
    pub(crate) ready: Receiver<()>,
}

impl Capture {
    /// [`start`](Capture::start) for the terminal `tty` (the display's),
    /// the host's whole lines going to `queue` as a sender's, in order
    /// with the lines sent (a line is never a sentinel).
    pub(crate) fn of_host(
        tty: &File,
        size: (u16, u16),
        queue: &Arc<crate::queue::Queue>,
    ) -> io::Result<Option<Capture>> {
        use std::os::unix::fs::MetadataExt;
        let device = tty.metadata()?.rdev();
        let host = Sender::new(queue, &None, false, true, None);
        Capture::start(device, size, host)
    }

    /// Puts a pty of `size` in place of each of stdout and stderr that is
    /// the terminal `device` (its `st_rdev`); `None` when neither is. Whole
    /// lines the host writes go to `sender`.
    ///
    /// # Errors
    ///
    /// When the pty cannot be made or put in place (nothing is changed).
    pub(crate) fn start(
        device: u64,
        size: (u16, u16),
        sender: Sender,
    ) -> io::Result<Option<Capture>> {
        let fds: Vec<RawFd> = [io::stdout().as_raw_fd(), io::stderr().as_raw_fd()]
            .into_iter()
            .filter(|&fd| rdev(fd) == Some(device))
            .collect();
        if fds.is_empty() {
            return Ok(None);
        }
        let pty = open_pty(size)?;
        // Bytes as the host wrote them: no `\n` made `\r\n`.
        let mut modes = termios::tcgetattr(&pty.slave)?;
        modes.make_raw();
        termios::tcsetattr(&pty.slave, OptionalActions::Now, &modes)?;
        let flags = rustix::fs::fcntl_getfl(&pty.master)?;
        rustix::fs::fcntl_setfl(&pty.master, flags | rustix::fs::OFlags::NONBLOCK)?;
        let (tick, ready) = channel::bounded(1);
        let shared = Arc::new(Shared {
            master: File::from(pty.master),
            reading: Mutex::new(Reading {
                sender,
                unsent: Vec::new(),
            }),
            open: Mutex::new(false),
            tick,
        });
        // What the host's std buffers hold goes where it was meant to.
        let _ = io::stdout().flush();
        let mut saved = SAVED.lock().unwrap_or_else(|e| e.into_inner());
        for &fd in &fds {
            saved.push((fd, dup_std(fd)?));
            if let Err(e) = dup_onto(&pty.slave, fd) {
                drop(saved);
                release();
                return Err(e);
            }
        }
        drop(saved);
        crate::printer::stop_at_exit();
        let reader = Arc::clone(&shared);
        let started = thread::Builder::new()
            .name("reflow-host-output".into())
            .spawn(move || {
                use rustix::event::{PollFd, PollFlags, poll};
                loop {
                    let mut fds = [PollFd::new(&reader.master, PollFlags::IN)];
                    match poll(&mut fds, None) {
                        Ok(_) => {}
                        Err(rustix::io::Errno::INTR) => continue,
                        Err(_) => break,
                    }
                    if fds[0].revents().contains(PollFlags::IN) {
                        reader.read();
                    } else {
                        // Every copy of the host's end is closed.
                        break;
                    }
                }
            });
        if let Err(e) = started {
            release();
            return Err(e);
        }
        *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&shared));
        CAPTURING.store(true, Ordering::SeqCst);
        Ok(Some(Capture {
            shared,
            slave: Some(pty.slave),
            ready,
        }))
    }

    /// Takes the start of the host's unfinished line (a prompt, a `\r`
    /// progress line) for the display to print as it is: what it writes
    /// next continues it, and is not sent again when the line ends.
    pub(crate) fn take_open(&self) -> Vec<u8> {
        let mut reading = self
            .shared
            .reading
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if reading.unsent.contains(&b'\n') {
            // Lines the queue refused (it closed): the stop takes them.
            return Vec::new();
        }
        let open = std::mem::take(&mut reading.unsent);
        drop(reading);
        self.shared.set_open(&[]);
        open
    }

    /// The host's terminal is now `size`, as the display's.
    pub(crate) fn resize(&self, size: (u16, u16)) {
        let winsize = rustix::termios::Winsize {
            ws_row: size.1,
            ws_col: size.0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let _ = rustix::termios::tcsetwinsize(self.shared.master.as_fd(), winsize);
    }

    /// True while the host's output still comes here (no panic put its
    /// descriptors back).
    pub(crate) fn active(&self) -> bool {
        !SAVED.lock().unwrap_or_else(|e| e.into_inner()).is_empty()
    }

    /// Gives the host its descriptors back, and returns what it wrote and
    /// the queue did not take (it closed before): its last bytes.
    pub(crate) fn stop(mut self) -> Vec<u8> {
        self.end()
    }

    /// Marks the capture as a full-screen display's (see
    /// [`for_full_screen`]).
    pub(crate) fn full_screen(self) -> Self {
        FULL_SCREEN.store(true, Ordering::SeqCst);
        self
    }

    fn end(&mut self) -> Vec<u8> {
        CAPTURING.store(false, Ordering::SeqCst);
        FULL_SCREEN.store(false, Ordering::SeqCst);
        ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).take();
        release();
        drop(self.slave.take());
        // Whatever is left in the pty (the host's end is closed now).
        let mut reading = self
            .shared
            .reading
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let mut buf = [0u8; 1 << 14];
        loop {
            match (&self.shared.master).read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => reading.unsent.extend_from_slice(&buf[..n]),
            }
        }
        std::mem::take(&mut reading.unsent)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if self.slave.is_some() {
            self.end();
        }
    }
}

/// The host's whole lines in `bytes` (what it wrote after its last `\n`
/// left out) as lines a history takes: each behind a guard, so bytes of
/// the host that start like a line's header are never read as one.
/// Returns them and the rest.
pub(crate) fn guarded_lines(bytes: &[u8]) -> (Vec<u8>, &[u8]) {
    let end = memchr::memrchr(b'\n', bytes).map_or(0, |at| at + 1);
    let mut guarded = Vec::with_capacity(end + 16);
    if end > 0 {
        crate::tag::head_lines(
            &mut guarded,
            &bytes[..end],
            true,
            false,
            crate::tag::Heading::Guard,
        );
    }
    (guarded, &bytes[end..])
}

/// The host's descriptors given back for a while: while the display is
/// held for a prompt (`Printer::suspend`), what the host writes goes to
/// the terminal itself. Dropped, the capture takes them again (if it still
/// runs).
pub(crate) struct Paused {
    /// Each descriptor, and the capture's pty it was on.
    taken: Vec<(RawFd, OwnedFd)>,
}

/// Gives the host's descriptors back until the [`Paused`] is dropped. What
/// the host had buffered for stdout goes to the capture first, in order.
pub(crate) fn pause() -> Paused {
    let _ = io::stdout().flush();
    let saved = SAVED.lock().unwrap_or_else(|e| e.into_inner());
    pause_with(&saved)
}

/// [`pause`] for a panic hook: never waits for a lock (nothing is paused
/// if it is taken), and leaves the host's buffers alone.
pub(crate) fn pause_now() -> Paused {
    match SAVED.try_lock() {
        Ok(saved) => pause_with(&saved),
        Err(_) => Paused { taken: Vec::new() },
    }
}

fn pause_with(saved: &[(RawFd, OwnedFd)]) -> Paused {
    let mut taken = Vec::new();
    for (fd, old) in saved.iter() {
        if let Ok(pty) = dup_std(*fd)
            && dup_onto(old, *fd).is_ok()
        {
            taken.push((*fd, pty));
        }
    }
    Paused { taken }
}

impl Drop for Paused {
    fn drop(&mut self) {
        if self.taken.is_empty() {
            return;
        }
        let _ = io::stdout().flush();
        // A capture that ended meanwhile gave them back for good.
        let Ok(saved) = SAVED.try_lock() else {
            return;
        };
        if saved.is_empty() || !CAPTURING.load(Ordering::SeqCst) {
            return;
        }
        for (fd, pty) in &self.taken {
            let _ = dup_onto(pty, *fd);
        }
    }
}

/// Puts the host's descriptors back, if a capture took them. Safe to call
/// twice and from a panic hook (it never waits for a lock).
pub(crate) fn release() {
    let Ok(mut saved) = SAVED.try_lock() else {
        return;
    };
    for (fd, old) in saved.drain(..) {
        let _ = dup_onto(&old, fd);
    }
}

/// The two ends of a new pseudo-terminal of `size` (columns, rows).
struct Pty {
    master: OwnedFd,
    slave: OwnedFd,
}

/// Opens a pseudo-terminal as openpty(3) does (rustix has its parts).
fn open_pty(size: (u16, u16)) -> io::Result<Pty> {
    use rustix::fs::{Mode, OFlags};
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC)?;
    grantpt(&master)?;
    unlockpt(&master)?;
    let name = ptsname(&master, Vec::new())?;
    let slave = rustix::fs::open(
        name.as_c_str(),
        OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let winsize = termios::Winsize {
        ws_row: size.1,
        ws_col: size.0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    termios::tcsetwinsize(&master, winsize)?;
    Ok(Pty { master, slave })
}

/// Makes standard output or standard error (`fd`, 1 or 2) a copy of `from`.
fn dup_onto(from: impl AsFd, fd: RawFd) -> io::Result<()> {
    match fd {
        1 => rustix::stdio::dup2_stdout(from)?,
        2 => rustix::stdio::dup2_stderr(from)?,
        _ => return Err(io::Error::from(io::ErrorKind::InvalidInput)),
    }
    Ok(())
}

/// The device a descriptor is open on.
fn rdev(fd: RawFd) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    let file = File::from(dup_std(fd).ok()?);
    file.metadata().ok().map(|m| m.rdev())
}

/// A duplicate of stdout's or stderr's descriptor.
fn dup_std(fd: RawFd) -> io::Result<OwnedFd> {
    if fd == io::stdout().as_raw_fd() {
        io::stdout().as_fd().try_clone_to_owned()
    } else {
        io::stderr().as_fd().try_clone_to_owned()
    }
}
