//! Pseudo-terminal harness for end-to-end tests.
//!
//! A program under test is spawned on the slave side of a fresh pty, exactly
//! as a user's terminal emulator would run it, and the harness plays the part
//! of that terminal emulator:
//!
//! * a reader thread drains the master side continuously and feeds every
//!   chunk into a [`vt100::Parser`], so tests can assert on what a user would
//!   *see* ([`Pty::screen_rows`], [`Pty::wait_for`]), and also keeps every raw
//!   byte, so tests can assert on the escape sequences themselves
//!   ([`Pty::raw_output`]);
//! * a waiter thread blocks on the child's exit, so [`Pty::wait_exit`] can
//!   never hang past its timeout and the child is always reaped (no zombies);
//! * keys go in through [`Pty::send`], window size changes through
//!   [`Pty::resize`], signals through [`Pty::signal`], and the terminal modes
//!   the program left behind can be read back with [`Pty::local_flags`].
//!
//! Synchronisation is event driven: both threads notify one [`Condvar`] on
//! every chunk of output, on end of output and on child exit, so waits wake
//! up as soon as something changes and never rely on sleeping. Timeouts are
//! only a safety net; when one fires the error carries the screen, the tail
//! of the raw output and the child's state, so a failing test explains
//! itself.
//!
//! Typical use:
//!
//! ```ignore
//! use crate::support::{Pty, TIMEOUT};
//!
//! // For the crate's own binary cargo provides the path; for an example
//! // use `support::require_example("name")`.
//! let pty = Pty::spawn(Pty::command(env!("CARGO_BIN_EXE_reflow"), &["x.log"]), 80, 24);
//! pty.wait_for_text("x.log", TIMEOUT).unwrap();
//! pty.send(b"q");
//! assert!(pty.wait_exit(TIMEOUT).unwrap().success());
//! assert!(pty.termios_is_sane());
//! ```
//!
//! Below the harness are the checks and oracles the tests share (the
//! terminal restored, the rows and the status bar waited for, hosts run
//! in a child process), and in [`pipes`] what they need beside a pty: the
//! binary through pipes, test files, a writer to read a printer back.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{self, Signal};
use nix::sys::termios::{LocalFlags, Termios};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

mod pipes;
pub use pipes::*;

/// The crate's binary, built by cargo for its integration tests, or the one
/// `REFLOW_BIN` names when they are built: `.ci/run` runs them again
/// against the build we ship (`scripts/build-release.sh`).
pub const BIN: &str = match option_env!("REFLOW_BIN") {
    Some(path) => path,
    None => env!("CARGO_BIN_EXE_reflow"),
};

/// Entering the alternate screen: a display taking the terminal.
pub const ALT_ON: &[u8] = b"\x1b[?1049h";
/// Leaving the alternate screen: a display giving the terminal back.
pub const ALT_OFF: &[u8] = b"\x1b[?1049l";

/// A generous default timeout for waits in tests.
///
/// Waits return as soon as their condition holds, so a long timeout costs
/// nothing when a test passes; it only bounds how long a broken test hangs
/// (CI machines can be slow, so keep this well above typical latencies).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How the child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitInfo {
    /// The process called `exit` with this status (0..=255).
    Exited(i32),
    /// The process was terminated by this signal.
    Signaled(Signal),
}

impl ExitInfo {
    /// The exit code, if the process exited normally.
    pub fn code(self) -> Option<i32> {
        match self {
            ExitInfo::Exited(code) => Some(code),
            ExitInfo::Signaled(_) => None,
        }
    }

    /// The terminating signal, if the process was killed by one.
    pub fn signal(self) -> Option<Signal> {
        match self {
            ExitInfo::Exited(_) => None,
            ExitInfo::Signaled(sig) => Some(sig),
        }
    }

    /// True when the process exited normally with status 0.
    pub fn success(self) -> bool {
        self == ExitInfo::Exited(0)
    }

    /// The status a POSIX shell would report in `$?`: the exit code, or
    /// 128 + signal number (e.g. 143 for SIGTERM, 130 for SIGINT).
    pub fn shell_status(self) -> i32 {
        match self {
            ExitInfo::Exited(code) => code,
            ExitInfo::Signaled(sig) => 128 + sig as i32,
        }
    }
}

/// Everything the background threads share with the test thread.
///
/// One mutex guards all of it so that a waiter can evaluate a predicate over
/// a consistent snapshot and then sleep on the condvar without missing a
/// notification in between.
struct State {
    parser: vt100::Parser,
    /// Every byte read from the master, in order.
    raw: Vec<u8>,
    /// The reader hit end of file: the slave side was closed or hung up
    /// (the session leader exited), so no more output can ever arrive.
    eof: bool,
    /// A read error other than the EIO that signals end of file.
    read_error: Option<String>,
    /// Set by the waiter thread, under this lock, at the moment it reaps the
    /// child. While it is `None` the pid is guaranteed not to be reused.
    exit: Option<Result<ExitInfo, String>>,
}

struct Shared {
    state: Mutex<State>,
    /// Notified on every chunk of output, on EOF and on child exit.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not turn every later access into a
        // second, less useful panic.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A child process running in a pseudo-terminal, with a vt100 model of what
/// its terminal shows.
///
/// Dropping a `Pty` kills the child's whole process group with SIGKILL if it
/// is still running and reaps it, so a failing test leaves no stray
/// processes behind.
pub struct Pty {
    shared: Arc<Shared>,
    master: Box<dyn MasterPty + Send>,
    writer: Mutex<Box<dyn Write + Send>>,
    pid: u32,
    reader: Option<JoinHandle<()>>,
    waiter: Option<JoinHandle<()>>,
}

impl Pty {
    /// Builds a command for the program at `path`, with `args`.
    ///
    /// The working directory is set to the test process's current directory
    /// (the package root under `cargo test`). This matters: portable-pty
    /// otherwise starts the child in `$HOME`, which would break relative
    /// paths in arguments.
    pub fn command(path: impl AsRef<Path>, args: &[&str]) -> CommandBuilder {
        let mut cmd = CommandBuilder::new(path.as_ref());
        cmd.args(args);
        if let Ok(dir) = std::env::current_dir() {
            cmd.cwd(dir);
        }
        cmd
    }

    /// Shorthand for `sh -c script`, the usual way to run ad hoc commands.
    pub fn sh(script: &str) -> CommandBuilder {
        Self::command("sh", &["-c", script])
    }

    /// Spawns `cmd` in a new pty of `cols` x `rows`, panicking on failure.
    ///
    /// See [`Pty::try_spawn`].
    pub fn spawn(cmd: CommandBuilder, cols: u16, rows: u16) -> Pty {
        Self::try_spawn(cmd, cols, rows).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Spawns `cmd` in a new pty of `cols` x `rows`.
    ///
    /// The environment is adjusted so the child sees the same terminal the
    /// harness models: `TERM=xterm-256color`, and `COLUMNS`/`LINES` removed,
    /// since many programs (and libraries) let those override the real
    /// window size, and the outer environment of a test run may set them.
    ///
    /// The child becomes a session leader with the pty as its controlling
    /// terminal, so it gets SIGWINCH on [`Pty::resize`], and keys like
    /// Ctrl-C sent with [`Pty::send`] raise signals as in a real terminal.
    pub fn try_spawn(mut cmd: CommandBuilder, cols: u16, rows: u16) -> Result<Pty, String> {
        let (nz_rows, nz_cols) = nonzero_size(cols, rows);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("COLUMNS");
        cmd.env_remove("LINES");
        let argv = format!("{:?}", cmd.get_argv());

        let pair = native_pty_system()
            .openpty(pty_size(cols, rows))
            .map_err(|e| format!("openpty failed: {e:#}"))?;
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| format!("spawning {argv} in a pty failed: {e:#}"))?;
        // Our copy of the slave must be closed now: the reader only sees end
        // of file once every slave descriptor is closed (or the tty is hung
        // up), and `wait_exit` relies on that to know all output has been
        // collected. The tty's
        // settings survive this (see `local_flags`), since they belong to
        // the pty pair, which lives as long as the master is open.
        drop(pair.slave);
        let master = pair.master;

        let pid = child
            .process_id()
            .ok_or_else(|| format!("no pid for spawned {argv}"))?;
        let reader = master
            .try_clone_reader()
            .map_err(|e| format!("cloning pty reader failed: {e:#}"))?;
        let writer = master
            .take_writer()
            .map_err(|e| format!("taking pty writer failed: {e:#}"))?;

        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                // Scrollback is kept so tests can inspect lines that
                // scrolled off; it does not affect the visible screen.
                parser: vt100::Parser::new(nz_rows, nz_cols, 1000),
                raw: Vec::new(),
                eof: false,
                read_error: None,
                exit: None,
            }),
            changed: Condvar::new(),
        });

        let reader = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("pty-reader-{pid}"))
                .spawn(move || read_loop(reader, &shared))
                .map_err(|e| format!("spawning reader thread failed: {e}"))?
        };
        let waiter = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("pty-waiter-{pid}"))
                .spawn(move || wait_loop(child, pid, &shared))
                .map_err(|e| format!("spawning waiter thread failed: {e}"))?
        };

        Ok(Pty {
            shared,
            master,
            writer: Mutex::new(writer),
            pid,
            reader: Some(reader),
            waiter: Some(waiter),
        })
    }

    /// The child's process id (also its process group and session id).
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Waits until `pred` holds for the current screen.
    ///
    /// The predicate is re-evaluated each time the reader thread processes a
    /// chunk of output, so this returns as soon as the screen matches. It
    /// gives up early, without waiting for the timeout, once the output has
    /// ended (EOF), because the screen can no longer change.
    ///
    /// On failure the error names `what` and shows the screen, the tail of
    /// the raw output and the child's state.
    pub fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&vt100::Screen) -> bool,
    ) -> Result<(), String> {
        self.wait_until(what, timeout, |st| pred(st.parser.screen()))
    }

    /// Waits until `text` appears anywhere on the visible screen (within a
    /// single row; text wrapped across rows does not match).
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> Result<(), String> {
        self.wait_for(&format!("text {text:?} on screen"), timeout, |screen| {
            visible_rows(screen).iter().any(|row| row.contains(text))
        })
    }

    /// Waits until `pred` holds for all raw bytes received so far.
    ///
    /// Useful for escape sequences that leave no visible trace (leaving the
    /// alternate screen, showing the cursor, ...). To wait for something
    /// *new*, remember `raw_output().len()` first and look past it.
    pub fn wait_for_raw(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&[u8]) -> bool,
    ) -> Result<(), String> {
        self.wait_until(what, timeout, |st| pred(&st.raw))
    }

    /// Waits until the byte string `needle` occurs in the raw output.
    pub fn wait_for_raw_bytes(&self, needle: &[u8], timeout: Duration) -> Result<(), String> {
        let what = format!("raw bytes \"{}\"", needle.escape_ascii());
        self.wait_for_raw(&what, timeout, |raw| contains(raw, needle))
    }

    /// Each visible row of the screen, with trailing spaces trimmed.
    pub fn screen_rows(&self) -> Vec<String> {
        visible_rows(self.shared.lock().parser.screen())
    }

    /// The visible screen as text, rows joined by newlines (vt100's
    /// `Screen::contents`, trailing blank rows omitted).
    /// Every row the terminal holds, its scrollback first, trimmed; the
    /// empty rows at the end left out.
    pub fn all_rows(&self) -> Vec<String> {
        let mut shared = self.shared.lock();
        let screen = shared.parser.screen_mut();
        let (_, cols) = screen.size();
        screen.set_scrollback(usize::MAX);
        let back = screen.scrollback();
        let mut rows = Vec::new();
        for offset in (1..=back).rev() {
            screen.set_scrollback(offset);
            let top = screen.rows(0, cols.get()).next().unwrap_or_default();
            rows.push(top.trim_end().to_owned());
        }
        screen.set_scrollback(0);
        rows.extend(screen.rows(0, cols.get()).map(|r| r.trim_end().to_owned()));
        while rows.last().is_some_and(String::is_empty) {
            rows.pop();
        }
        rows
    }

    pub fn screen_text(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// Runs `f` on the current screen, for assertions beyond plain text
    /// (cell attributes, cursor position, alternate screen, ...).
    pub fn with_screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(self.shared.lock().parser.screen())
    }

    /// The cursor position as (row, col), zero based.
    pub fn cursor_position(&self) -> (u16, u16) {
        self.with_screen(|s| s.cursor_position())
    }

    /// A copy of every byte the child has written to the terminal so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// Writes `bytes` to the terminal as if typed (e.g. `b"q"`, `b"\r"` for
    /// Enter, `b"\x03"` for Ctrl-C, `b"\x1b[A"` for Up). Panics on failure;
    /// see [`Pty::try_send`] when the child may already be gone.
    pub fn send(&self, bytes: &[u8]) {
        self.try_send(bytes)
            .unwrap_or_else(|e| panic!("writing {:?} to pty failed: {e}", bytes.escape_ascii()));
    }

    /// Writes `bytes` to the terminal, returning any I/O error.
    pub fn try_send(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes)?;
        w.flush()
    }

    /// Resizes the terminal to `cols` x `rows`.
    ///
    /// The model is resized first and the kernel second, with the model
    /// locked throughout, which is the order a terminal emulator uses: the
    /// kernel's TIOCSWINSZ sends SIGWINCH to the child, and anything the
    /// child draws in response must be interpreted at the new size. In the
    /// other order, a quick redraw could be fed to the parser while it still
    /// has the old size and be garbled. (Output the child wrote *before* the
    /// resize but that we have not parsed yet is interpreted at the new
    /// size, exactly as in a real terminal.)
    pub fn resize(&self, cols: u16, rows: u16) {
        let (nz_rows, nz_cols) = nonzero_size(cols, rows);
        let mut st = self.shared.lock();
        st.parser.set_size(nz_rows, nz_cols);
        self.master
            .resize(pty_size(cols, rows))
            .unwrap_or_else(|e| panic!("resizing pty to {cols}x{rows} failed: {e:#}"));
    }

    /// The size (cols, rows) the kernel currently has for the pty.
    pub fn kernel_size(&self) -> (u16, u16) {
        let size = self.master.get_size().expect("TIOCGWINSZ on pty master");
        (size.cols, size.rows)
    }

    /// Sends `sig` to the child process.
    ///
    /// Fails if the child has already been reaped: its pid might then belong
    /// to an unrelated process. The check and the `kill` happen under the
    /// same lock the waiter thread takes to reap the child, so there is no
    /// window in which the pid could be reused.
    pub fn signal(&self, sig: Signal) -> Result<(), String> {
        let st = self.shared.lock();
        if let Some(exit) = &st.exit {
            return Err(format!(
                "not sending {sig}: child {} already exited ({exit:?})",
                self.pid
            ));
        }
        signal::kill(Pid::from_raw(self.pid as i32), sig)
            .map_err(|e| format!("kill({}, {sig}) failed: {e}", self.pid))
    }

    /// The exit status if the child has already exited, without waiting.
    pub fn try_exit(&self) -> Option<Result<ExitInfo, String>> {
        self.shared.lock().exit.clone()
    }

    /// Waits until the child has exited *and* all of its output has been
    /// read (the reader hit end of file), so the screen and raw output are
    /// final when this returns.
    ///
    /// The child is the session leader of the pty, so when it exits the
    /// kernel hangs up the terminal: end of file follows at once, after
    /// everything already written has been read, even if descendants
    /// survive (they get SIGHUP, and any later output of theirs is lost,
    /// as in a terminal whose shell has exited).
    pub fn wait_exit(&self, timeout: Duration) -> Result<ExitInfo, String> {
        let mut exit = None;
        self.wait_until("child exit and end of output", timeout, |st| {
            exit = st.exit.clone();
            exit.is_some() && st.eof
        })?;
        exit.expect("checked by the predicate")
    }

    /// The terminal's termios settings, as set by the child (e.g. raw mode).
    ///
    /// The settings belong to the pty pair, not to any process, and on
    /// Linux reading them through the master returns the slave's settings
    /// (the kernel redirects TCGETS on a pty master to its slave). They stay
    /// readable after the child exited and closed the slave, for as long as
    /// this `Pty` keeps the master open, and keep whatever the child left
    /// behind: exactly what the user's shell would inherit.
    pub fn termios(&self) -> Termios {
        self.master
            .get_termios()
            .expect("tcgetattr on pty master failed")
    }

    /// The local mode flags (ICANON, ECHO, ISIG, ...) of the terminal.
    pub fn local_flags(&self) -> LocalFlags {
        self.termios().local_flags
    }

    /// True when the terminal is in ordinary cooked mode: canonical line
    /// editing, echo and signal keys all enabled. Raw mode clears all
    /// three, so this is the check that a program restored the terminal.
    pub fn termios_is_sane(&self) -> bool {
        self.local_flags()
            .contains(LocalFlags::ICANON | LocalFlags::ECHO | LocalFlags::ISIG)
    }

    /// Shared body of all waits: evaluates `pred` under the lock, then
    /// sleeps on the condvar until the next change, the deadline, or the end
    /// of output (after which nothing can change any more).
    fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&State) -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let mut st = self.shared.lock();
        loop {
            if pred(&st) {
                return Ok(());
            }
            // After EOF only the child's exit can still change; once both
            // happened the state is final.
            if st.eof && st.exit.is_some() {
                return Err(describe_failure(
                    &format!("gave up waiting for {what}: the child exited and its output ended"),
                    &st,
                ));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(describe_failure(
                    &format!("timed out after {timeout:?} waiting for {what}"),
                    &st,
                ));
            }
            st = self
                .shared
                .changed
                .wait_timeout(st, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let (exited, eof) = {
            let st = self.shared.lock();
            (st.exit.is_some(), st.eof)
        };
        // Kill the whole process group (the child is a session and group
        // leader), so its background jobs go too. Safe from pid reuse:
        // before the child is reaped its pid is taken, and after that, a
        // group id stays reserved while any member is alive.
        if !exited || !eof {
            let _ = signal::killpg(Pid::from_raw(self.pid as i32), Signal::SIGKILL);
        }
        // Reap the child (no zombie) and collect the threads, but never let
        // a misbehaving child hang the test run: bounded wait, then detach.
        let finished = self.wait_exit(Duration::from_secs(5)).is_ok();
        if finished && let Some(t) = self.reader.take() {
            let _ = t.join();
        }
        if self.try_exit().is_some()
            && let Some(t) = self.waiter.take()
        {
            let _ = t.join();
        }
    }
}

/// Path of a cargo example binary, `target/<profile>/examples/<name>`.
///
/// Integration tests run from `target/<profile>/deps/<test>-<hash>`, so the
/// examples directory is found relative to the running test executable;
/// this also honours `CARGO_TARGET_DIR` and `--release` without extra work.
///
/// Caveat: a plain `cargo test` builds the examples, but a target filter
/// such as `cargo test --test integration` does not, leaving the binary
/// missing or stale: run `cargo build --examples` first in that case
/// (`--examples` on the `cargo test` line builds them as tests, elsewhere). This function does not check that the file exists; see
/// [`require_example`].
pub fn example_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let deps = exe
        .parent()
        .expect("test executable has a parent directory");
    let profile_dir = if deps.ends_with("deps") {
        deps.parent().expect("deps directory has a parent")
    } else {
        deps
    };
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// [`example_path`], panicking with instructions if the binary is missing.
pub fn require_example(name: &str) -> PathBuf {
    let path = example_path(name);
    assert!(
        path.is_file(),
        "example binary {} not found; build it with `cargo build --example {name}` \
         (a filtered `cargo test --test ...` does not build examples)",
        path.display()
    );
    path
}

fn pty_size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// vt100 wants (rows, cols) as non-zero values.
fn nonzero_size(cols: u16, rows: u16) -> (NonZeroU16, NonZeroU16) {
    let nz = |v: u16, name: &str| {
        NonZeroU16::new(v).unwrap_or_else(|| panic!("terminal {name} must be non-zero"))
    };
    (nz(rows, "rows"), nz(cols, "cols"))
}

fn visible_rows(screen: &vt100::Screen) -> Vec<String> {
    let (_, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .map(|row| row.trim_end_matches(' ').to_string())
        .collect()
}

/// Reader thread: master output -> parser + raw copy, notify on each chunk.
fn read_loop(mut reader: Box<dyn Read + Send>, shared: &Shared) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.read(&mut buf) {
            // portable-pty maps EIO (Linux's "all slave fds closed") to 0.
            Ok(0) => break,
            Ok(n) => {
                let mut st = shared.lock();
                st.parser.process(&buf[..n]);
                st.raw.extend_from_slice(&buf[..n]);
                drop(st);
                shared.changed.notify_all();
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                shared.lock().read_error = Some(e.to_string());
                break;
            }
        }
    }
    shared.lock().eof = true;
    shared.changed.notify_all();
}

/// Waiter thread: blocks until the child exits, then reaps it under the
/// state lock (see [`Pty::signal`] for why) and notifies.
fn wait_loop(mut child: Box<dyn Child + Send + Sync>, pid: u32, shared: &Shared) {
    // Block until the child is a zombie *without* reaping it (WNOWAIT), so
    // its pid stays reserved until we hold the lock.
    // On success, or on an unexpected error, fall through to a blocking
    // reap, which reports any real problem.
    let pid = Pid::from_raw(pid as i32);
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT;
    while let Err(Errno::EINTR) = waitid(Id::Pid(pid), flags) {}
    let mut st = shared.lock();
    st.exit = Some(reap(&mut child));
    drop(st);
    shared.changed.notify_all();
}

/// Reaps the child and converts its status.
///
/// portable-pty's own `ExitStatus` reports a signal only as a
/// `strsignal()` description ("Terminated") with the code forced to 1, so
/// the exact signal is taken from the underlying `std::process::Child`
/// (which is what portable-pty spawns on Unix) instead.
fn reap(child: &mut Box<dyn Child + Send + Sync>) -> Result<ExitInfo, String> {
    use std::os::unix::process::ExitStatusExt;

    let child: &mut dyn Child = &mut **child;
    if let Some(std_child) = child.downcast_mut::<std::process::Child>() {
        let status = std_child.wait().map_err(|e| format!("wait failed: {e}"))?;
        if let Some(code) = status.code() {
            return Ok(ExitInfo::Exited(code));
        }
        if let Some(sig) = status.signal() {
            return Signal::try_from(sig)
                .map(ExitInfo::Signaled)
                .map_err(|_| format!("killed by unknown signal {sig}"));
        }
        return Err(format!("unexpected wait status {status:?}"));
    }
    let status = child.wait().map_err(|e| format!("wait failed: {e}"))?;
    match status.signal() {
        None => Ok(ExitInfo::Exited(status.exit_code() as i32)),
        Some(name) => Err(format!("killed by signal {name:?}")),
    }
}

/// Failure message: the reason, the screen, recent raw output and the
/// child's state, so a failed assertion can be diagnosed from the log.
fn describe_failure(reason: &str, st: &State) -> String {
    use std::fmt::Write as _;

    let screen = st.parser.screen();
    let (rows, cols) = screen.size();
    let (crow, ccol) = screen.cursor_position();
    let mut out = String::new();
    let _ = writeln!(out, "{reason}");
    let _ = writeln!(
        out,
        "--- screen {cols}x{rows}, cursor at row {crow} col {ccol}{} ---",
        if screen.alternate_screen() {
            ", alternate screen"
        } else {
            ""
        }
    );
    for (i, row) in visible_rows(screen).iter().enumerate() {
        let _ = writeln!(out, "{i:3}|{row}");
    }
    const TAIL: usize = 600;
    let start = st.raw.len().saturating_sub(TAIL);
    let _ = writeln!(
        out,
        "--- last {} of {} raw bytes ---\n{}",
        st.raw.len() - start,
        st.raw.len(),
        st.raw[start..].escape_ascii()
    );
    let child = match &st.exit {
        None => "running".to_string(),
        Some(exit) => format!("exited: {exit:?}"),
    };
    let output = match (&st.read_error, st.eof) {
        (Some(e), _) => format!("read error: {e}"),
        (None, true) => "ended (EOF)".to_string(),
        (None, false) => "open".to_string(),
    };
    let _ = write!(out, "--- child {child}; output {output} ---");
    out
}

// ---------------------------------------------------------------------
// Shared checks and oracles for the end-to-end tests.
// ---------------------------------------------------------------------

/// The program left the terminal as it found it: normal screen, cursor
/// shown, line editing and echo back.
pub fn assert_terminal_restored(pty: &Pty) {
    pty.with_screen(|screen| {
        assert!(!screen.alternate_screen(), "still on the alternate screen");
        assert!(!screen.hide_cursor(), "cursor still hidden");
        assert_eq!(
            screen.mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "mouse reporting left on"
        );
    });
    assert!(
        pty.termios_is_sane(),
        "raw mode left on: {:?}",
        pty.local_flags()
    );
}

/// The program exits with `code` and leaves the terminal as it was.
pub fn assert_exits_restored(pty: &Pty, code: i32) {
    let exit = pty.wait_exit(TIMEOUT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exit.code(), Some(code), "{}", pty.screen_text());
    assert_terminal_restored(pty);
}

/// `q`: the viewer quits with status 0 and leaves the terminal restored.
pub fn quit(pty: &Pty) {
    pty.send(b"q");
    assert_exits_restored(pty, 0);
}

/// The content rows of the screen (all but the status bar at the
/// bottom), trailing blanks trimmed.
pub fn content_rows(screen: &vt100::Screen) -> Vec<String> {
    let (rows, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .take(usize::from(rows.get()) - 1)
        .map(|row| row.trim_end().to_owned())
        .collect()
}

/// Waits until the content rows are `want` and blank below it.
pub fn wait_rows(pty: &Pty, what: &str, want: &[impl AsRef<str>]) {
    pty.wait_for(what, TIMEOUT, |screen| {
        let rows = content_rows(screen);
        rows.len() >= want.len()
            && rows
                .iter()
                .zip(want)
                .all(|(row, want)| row == want.as_ref())
            && rows[want.len()..].iter().all(String::is_empty)
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Waits until the status bar holds `text` (after `what`).
pub fn wait_status(pty: &Pty, what: &str, text: &str) {
    pty.wait_for(
        &format!("{what}: {text:?} in the status bar"),
        TIMEOUT,
        |screen| status_row(screen).contains(text),
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Waits until the status bar reports `lines` lines and the end of input.
pub fn wait_for_all_lines(pty: &Pty, lines: usize) {
    let count = format!("{lines} line");
    pty.wait_for(&format!("{lines} lines and EOF"), TIMEOUT, |screen| {
        let status = status_row(screen);
        status.contains(&count) && status.contains("EOF")
    })
    .unwrap();
}

/// Where `needle` first occurs in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where `needle` last occurs in `haystack`.
pub fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// True when `needle` (or nothing) occurs in `haystack`.
/// True when every one of `wanted` is in `text`, each after the one
/// before it.
pub fn in_order(text: &str, wanted: &[&str]) -> bool {
    let mut at = 0;
    wanted.iter().all(|want| match text[at..].find(want) {
        Some(found) => {
            at += found + want.len();
            true
        }
        None => false,
    })
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || find(haystack, needle).is_some()
}

/// How many times `needle` occurs in `haystack`.
pub fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// The name the test harness knows the `#[ignore]`d host function
/// `$host` of the calling module by (`module::function`), for
/// [`run_host`]. The function is named, not written as a string, so that
/// a host renamed or moved away from its test is a compile error.
macro_rules! host_name {
    ($host:ident) => {{
        let _: fn() = $host;
        $crate::support::test_name(concat!(module_path!(), "::", stringify!($host)))
    }};
}
pub(crate) use host_name;

/// The test name of the function at `path` (`crate::module::function`):
/// the path without the crate's name.
pub fn test_name(path: &'static str) -> &'static str {
    path.split_once("::").map_or(path, |(_, name)| name)
}

/// The arguments that make this test binary run only the host `name`,
/// its output not captured.
fn host_args(name: &str) -> [&str; 5] {
    [
        "--ignored",
        "--exact",
        name,
        "--nocapture",
        "--test-threads=1",
    ]
}

/// Runs the `#[ignore]`d test function `name` (see [`host_name!`]) of
/// this same test binary (a "host": a program embedding reflow) in a child
/// process under a `cols` x `rows` pty, with `env` added; panics print no
/// backtrace, so their messages fit on the screen.
pub fn run_host(name: &str, cols: u16, rows: u16, env: &[(&str, &str)]) -> Pty {
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Pty::command(exe, &host_args(name));
    cmd.env("RUST_BACKTRACE", "0");
    for (key, value) in env {
        cmd.env(key, value);
    }
    Pty::spawn(cmd, cols, rows)
}

/// The command line that runs the host `name` as [`run_host`] does, for a
/// test that runs it through `sh -c` to set more around it (`TERM`, a
/// redirection), without `RUST_BACKTRACE`.
pub fn host_command_line(name: &str) -> String {
    let exe = std::env::current_exe().expect("current_exe");
    format!("'{}' {}", exe.display(), host_args(name).join(" "))
}

/// The line a host printed that starts with `prefix`, from the raw output
/// (a long one is not cut by the screen's width).
pub fn host_report(pty: &Pty, prefix: &str) -> String {
    let raw = pty.raw_output();
    let Some(at) = find(&raw, prefix.as_bytes()) else {
        panic!("no {prefix:?} report from the host:\n{}", pty.screen_text());
    };
    let line = &raw[at..];
    let end = find(line, b"\r\n").unwrap_or(line.len());
    String::from_utf8_lossy(&line[..end]).into_owned()
}

/// This process's resident memory, in bytes (`VmRSS`).
pub fn rss() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("VmRSS");
    let kib: usize = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("a number of kB");
    kib << 10
}

/// The bottom row of the screen: the status bar.
pub fn status_row(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    screen
        .rows(0, cols.get())
        .nth(usize::from(rows.get()) - 1)
        .unwrap_or_default()
}

/// An independent first-fit wrapper for the ASCII test lines (single
/// spaces, every word shorter than the width): the oracle screens are
/// checked against.
pub fn greedy(line: &str, width: usize) -> Vec<String> {
    if line.is_empty() {
        return vec![String::new()];
    }
    let mut rows = Vec::new();
    let mut row = String::new();
    for word in line.split(' ') {
        if row.is_empty() {
            row = word.to_owned();
        } else if row.len() + 1 + word.len() <= width {
            row.push(' ');
            row.push_str(word);
        } else {
            rows.push(std::mem::replace(&mut row, word.to_owned()));
        }
    }
    rows.push(row);
    rows
}

/// 200 lines of different lengths, some empty, some wrapping over several
/// rows at 43 columns.
pub fn test_lines() -> Vec<String> {
    (0..200)
        .map(|i: usize| {
            if i % 37 == 5 {
                return String::new();
            }
            let mut line = format!("{i:03}");
            for k in 0..(i * 7) % 23 {
                let len = (k * 5 + i) % 9 + 1;
                let letter = char::from(b'a' + ((i + k) % 26) as u8);
                line.push(' ');
                line.extend(std::iter::repeat_n(letter, len));
            }
            line
        })
        .collect()
}

/// The newest `count` rows of the whole history wrapped at `width`.
pub fn tail(lines: &[String], width: usize, count: usize) -> Vec<String> {
    let rows: Vec<String> = lines.iter().flat_map(|l| greedy(l, width)).collect();
    rows[rows.len().saturating_sub(count)..].to_vec()
}

/// What the screen must show: the newest rows above the status bar.
pub fn expected_screen(lines: &[String], width: u16, height: u16) -> Vec<String> {
    let count = usize::from(height) - 1;
    let mut rows = tail(lines, usize::from(width), count);
    rows.resize(count, String::new());
    rows
}

/// Waits until process `pid` is stopped (state `T` in `/proc/PID/stat`),
/// checking every 10 ms: the kernel offers no event for another process
/// stopping that a test could block on without reaping it.
pub fn wait_until_stopped(pid: u32) {
    let deadline = std::time::Instant::now() + TIMEOUT;
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
        // The state follows the command name, which is in parentheses.
        let state = stat.rsplit(") ").next().unwrap().chars().next();
        if state == Some('T') {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "process {pid} never stopped: {stat}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
