//! Everything the tests need beside the pty: the binary run through
//! pipes with a bounded wait, files and FIFOs to feed it, and a writer
//! that hands a library printer's output back to the test.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use nix::sys::signal::{self, Signal};
use nix::unistd::Pid;
use tempfile::TempPath;

use super::{BIN, TIMEOUT};

/// `reflow args...` with pipes for stdin, stdout and stderr (so lines are
/// copied through, never drawn), fed `stdin`, with `NO_COLOR` unset; see
/// [`run`].
pub fn reflow(args: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("NO_COLOR");
    run(cmd, stdin)
}

/// [`run_within`] `TIMEOUT`.
pub fn run(cmd: Command, stdin: &[u8]) -> Output {
    run_within(cmd, stdin, TIMEOUT)
}

/// Runs `cmd` with `stdin` fed from its own thread (so a full stdout pipe
/// cannot deadlock the test; a broken pipe, when it exits without reading,
/// is expected) and collects its output. A child still running after
/// `timeout` is killed and the test fails: a deadlock fails the test
/// instead of hanging it.
pub fn run_within(mut cmd: Command, stdin: &[u8], timeout: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts");
    let mut input = child.stdin.take().expect("a piped stdin");
    let data = stdin.to_vec();
    let feeder = thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = read_all(child.stdout.take().expect("a piped stdout"));
    let err = read_all(child.stderr.take().expect("a piped stderr"));
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("a pid fits in an i32"));
    let (done_tx, done) = mpsc::channel();
    let waiter = thread::spawn(move || {
        let status = child.wait();
        let _ = done_tx.send(());
        status
    });
    if done.recv_timeout(timeout).is_err() {
        // Not reaped yet (the waiter has not returned), so the pid is
        // still the child's.
        let _ = signal::kill(pid, Signal::SIGKILL);
        panic!("{cmd:?} did not end within {timeout:?}");
    }
    let status = waiter
        .join()
        .expect("the waiter thread")
        .expect("waiting for the child");
    feeder.join().expect("the feeder thread");
    Output {
        status,
        stdout: out.join().expect("the stdout reader"),
        stderr: err.join().expect("the stderr reader"),
    }
}

/// Reads `from` to its end on its own thread.
fn read_all(mut from: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        bytes
    })
}

/// What a run wrote to stderr, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The peak resident memory of process `pid`, in KiB (`VmHWM`).
pub fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in kB")
}

/// Writes `bytes` to the file `name` in `dir`, named exactly so.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("writing a test file");
    path
}

/// Writes `bytes` to a temporary file whose name starts with `name`,
/// removed when the returned path is dropped (keep it alive while the
/// program under test may open it).
pub fn temp_file(name: &str, bytes: &[u8]) -> TempPath {
    let file = tempfile::Builder::new()
        .prefix(name)
        .tempfile()
        .expect("a temporary file");
    std::fs::write(file.path(), bytes).expect("writing a temporary file");
    file.into_temp_path()
}

/// `lines` as the text of a file: each one ended by a newline.
pub fn lines_text(lines: &[String]) -> String {
    lines.iter().map(|line| format!("{line}\n")).collect()
}

/// A named pipe `name` in `dir`.
pub fn fifo(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let status = Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo failed");
    path
}

/// A writer the test can read back: give a clone to a printer's
/// `output`, read what it wrote with [`Capture::bytes`] or
/// [`Capture::text`].
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Every byte written so far.
    pub fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every byte written so far, as UTF-8 text; panics if it is not.
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes()).expect("UTF-8 output")
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
