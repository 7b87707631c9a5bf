//! `--save` attacked the way a hostile neighbour or an unlucky user would:
//! planted symlinks, devices, FIFOs, permissions, kill -9, a full disk, two
//! savers, a directory reflow may not write in (issue 16, item 1).

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use reflow::Printer;

use crate::support::{
    ALT_ON, BIN, ExitInfo, Pty, TIMEOUT, contains, fifo, reflow, run, status_row, stderr,
};

/// Waits for `child`, at most `TIMEOUT`.
fn wait_bounded(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("reflow did not end within {TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// A reflow that keeps running: stdin stays open until `close` (lines are
/// copied through to a pipe, so what it has taken can be read back).
struct Running {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: std::process::ChildStdout,
}

impl Running {
    fn start(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("reflow starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().unwrap();
        Running {
            child,
            stdin,
            stdout,
        }
    }

    /// Sends `line` and waits until reflow has copied it through: it has
    /// been handed to the save too.
    fn send(&mut self, line: &[u8]) {
        self.stdin.as_mut().unwrap().write_all(line).unwrap();
        let mut got = vec![0; line.len()];
        self.stdout.read_exact(&mut got).unwrap();
        assert_eq!(got, line);
    }

    fn close(mut self) -> std::process::ExitStatus {
        drop(self.stdin.take());
        wait_bounded(&mut self.child)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn save_cmd(path: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("--save").arg(path);
    cmd
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn running_as_root() -> bool {
    let probe = tempfile::tempfile().unwrap();
    probe.metadata().unwrap().uid() == 0
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o7777
}

/// `sh -c 'ulimit -f BLOCKS; trap "" XFSZ; exec reflow args...'`: every
/// file reflow writes stops growing at BLOCKS blocks, and a write past it
/// fails with EFBIG instead of killing reflow.
fn limited(blocks: u32, args: &[&str]) -> Vec<String> {
    let mut argv = vec![
        "-c".to_owned(),
        format!("ulimit -f {blocks}; trap '' XFSZ; exec \"$0\" \"$@\""),
        BIN.to_owned(),
    ];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    argv
}

/// Numbered lines, about 2.9 MB.
fn numbers() -> Vec<u8> {
    (0..400_000)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect()
}

// 1. The temporary file.

#[test]
fn a_symlink_planted_at_a_predictable_temporary_name_is_never_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    fs::write(&victim, b"precious\n").unwrap();
    let path = dir.path().join("x.log");
    // The names a neighbour could guess: the one reflow used to use (this
    // process saves, so its pid is reflow's), and a few usual ones.
    let pid = std::process::id();
    for name in [
        format!(".x.log.reflow-{pid}.tmp"),
        "x.log.tmp".into(),
        ".x.log.tmp".into(),
        "x.log.partial".into(),
        ".x.log.reflow".into(),
        "x.log~".into(),
    ] {
        std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
    }
    let printer = Printer::builder()
        .output(std::io::sink())
        .save(&path)
        .spawn()
        .unwrap();
    printer.sender().line("the log").unwrap();
    printer.join().unwrap();
    assert_eq!(fs::read(&victim).unwrap(), b"precious\n");
    let meta = fs::symlink_metadata(&path).unwrap();
    assert!(meta.file_type().is_file(), "{:?}", meta.file_type());
    assert_eq!(fs::read(&path).unwrap(), b"the log\n");
}

#[test]
fn no_temporary_has_a_name_while_saving_and_kill_9_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    let mut running = Running::start(save_cmd(&path));
    running.send(b"secret log line\n");
    // Only the target is there (empty until the end, as with `>`): the
    // bytes are in a file with no name.
    assert_eq!(names_in(dir.path()), ["x.log"]);
    assert_eq!(fs::read(&path).unwrap(), b"");
    running.child.kill().unwrap();
    running.child.wait().unwrap();
    assert_eq!(names_in(dir.path()), ["x.log"]);
    assert_eq!(fs::read(&path).unwrap(), b"");

    // An old file is left as it was.
    fs::write(&path, b"old\n").unwrap();
    let mut running = Running::start(save_cmd(&path));
    running.send(b"secret log line\n");
    running.child.kill().unwrap();
    running.child.wait().unwrap();
    assert_eq!(names_in(dir.path()), ["x.log"]);
    assert_eq!(fs::read(&path).unwrap(), b"old\n");
}

// 3. Permissions.

#[test]
fn the_temporary_is_0600_while_reflow_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    fs::write(&path, b"old\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let mut running = Running::start(save_cmd(&path));
    running.send(b"secret\n");
    // Every file reflow has open in that directory, other than the
    // target: the temporary, named or not.
    let fds = format!("/proc/{}/fd", running.child.id());
    let mut temporaries = 0;
    for fd in fs::read_dir(&fds).unwrap() {
        let fd = fd.unwrap().path();
        let (Ok(points), Ok(meta)) = (fs::read_link(&fd), fs::metadata(&fd)) else {
            continue;
        };
        if meta.is_file() && points.starts_with(dir.path()) && points != path {
            temporaries += 1;
            assert_eq!(meta.mode() & 0o777, 0o600, "{}", points.display());
        }
    }
    assert_eq!(temporaries, 1);
    assert_eq!(running.close().code(), Some(0));
    assert_eq!(fs::read(&path).unwrap(), b"secret\n");
    assert_eq!(mode(&path), 0o644);
}

#[test]
fn an_existing_file_keeps_its_mode_and_owner() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    fs::write(&path, b"old\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let root = running_as_root();
    if root {
        // Another user's file, which root saves over.
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    }
    let out = reflow(&["--save", path.to_str().unwrap()], b"new\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(&path).unwrap(), b"new\n");
    assert_eq!(mode(&path), 0o600);
    if root {
        let meta = fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    } else {
        println!("not root: the owner part is not checked");
    }
}

#[test]
fn a_new_file_honours_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    for (umask, want) in [("077", 0o600), ("002", 0o664), ("022", 0o644)] {
        let path = dir.path().join(format!("new-{umask}.log"));
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &format!("umask {umask}; exec \"$0\" \"$@\""), BIN])
            .arg("--save")
            .arg(&path);
        let out = run(cmd, b"a\n");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(mode(&path), want, "umask {umask}");
    }
}

// 2. Devices, FIFOs and symlinks.

#[test]
fn a_fifo_is_written_in_place_and_stays_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path(), "pipe");
    let (tx, rx) = mpsc::channel();
    let reading = fifo.clone();
    // The reader opens first, as `cat pipe &` would.
    thread::spawn(move || {
        let got = fs::read(&reading);
        let _ = tx.send(got.map_err(|e| e.to_string()));
    });
    // reflow refuses a FIFO nobody reads: wait until the reader is there.
    let deadline = Instant::now() + TIMEOUT;
    let out = loop {
        let out = reflow(&["--save", fifo.to_str().unwrap()], b"a\nb\n");
        if out.status.code() == Some(0) || Instant::now() > deadline {
            break out;
        }
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let got = rx
        .recv_timeout(TIMEOUT)
        .expect("the FIFO's reader got an end");
    assert_eq!(got.unwrap(), b"a\nb\n");
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names_in(dir.path()), ["pipe"]);
}

#[test]
fn a_fifo_nobody_reads_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo(dir.path(), "pipe");
    let out = reflow(&["--save", fifo.to_str().unwrap()], b"a\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("reflow: {}: a FIFO nobody reads\n", fifo.display())
    );
    assert!(out.stdout.is_empty());
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Character devices to save to: copies of /dev/null and /dev/full made
/// with mknod where that is allowed (root), else the real ones (which a
/// user who is not root cannot replace anyway).
fn devices(dir: &Path) -> (PathBuf, PathBuf) {
    let null = dir.join("null");
    let full = dir.join("full");
    let made = |path: &Path, minor: &str| {
        Command::new("mknod")
            .arg(path)
            .args(["c", "1", minor])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if running_as_root() {
        assert!(made(&null, "3") && made(&full, "7"), "root could not mknod");
        (null, full)
    } else {
        println!("not root: saving to the real /dev/null and /dev/full");
        ("/dev/null".into(), "/dev/full".into())
    }
}

#[test]
fn a_device_is_written_in_place_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (null, full) = devices(dir.path());
    let out = reflow(&["--save", null.to_str().unwrap()], b"hi\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(&null)
            .unwrap()
            .file_type()
            .is_char_device()
    );

    // A device that fails every write: the error, status 1, and the
    // device is still a device.
    let out = reflow(&["--save", full.to_str().unwrap()], b"hi\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("reflow: {}: No space left on device\n", full.display())
    );
    assert!(
        fs::symlink_metadata(&full)
            .unwrap()
            .file_type()
            .is_char_device()
    );
    if null.starts_with(dir.path()) {
        assert_eq!(names_in(dir.path()), ["full", "null"]);
    }
}

#[test]
fn a_symlink_saves_to_its_target_and_stays_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.log");
    fs::write(&real, b"old\n").unwrap();
    let link = dir.path().join("link.log");
    std::os::unix::fs::symlink("real.log", &link).unwrap();
    let out = reflow(&["--save", link.to_str().unwrap()], b"new\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.log"));
    assert_eq!(fs::read(&real).unwrap(), b"new\n");

    // A symlink to a file not there yet creates it, as `>` does.
    let dangling = dir.path().join("later.log");
    std::os::unix::fs::symlink("sub/made.log", &dangling).unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    let out = reflow(&["--save", dangling.to_str().unwrap()], b"made\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read(dir.path().join("sub/made.log")).unwrap(),
        b"made\n"
    );
    assert_eq!(names_in(&dir.path().join("sub")), ["made.log"]);
}

// 4. A directory, a missing parent.

#[test]
fn a_directory_is_refused_before_the_display_starts() {
    let dir = tempfile::tempdir().unwrap();
    let out = reflow(&["--save", dir.path().to_str().unwrap()], b"a\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!("reflow: {}: Is a directory\n", dir.path().display())
    );
    assert!(out.stdout.is_empty());
    assert!(names_in(dir.path()).is_empty());

    let script = format!("echo a | {BIN} --save {}", dir.path().display());
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap(), ExitInfo::Exited(1));
    assert!(!contains(&pty.raw_output(), ALT_ON), "the display started");
    assert!(pty.screen_text().contains("Is a directory"));
}

#[test]
fn spawn_refuses_a_directory_or_a_missing_parent() {
    let dir = tempfile::tempdir().unwrap();
    let error = Printer::builder()
        .output(std::io::sink())
        .save(dir.path())
        .spawn()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::IsADirectory);
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: ", dir.path().display()))
    );
    let error = Printer::builder()
        .output(std::io::sink())
        .save(dir.path().join("missing/x.log"))
        .spawn()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(names_in(dir.path()).is_empty());
}

// 5. A full disk.

#[test]
fn a_write_error_shows_in_the_status_bar_at_once_and_what_was_written_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    let input = dir.path().join("input");
    fs::write(&input, numbers()).unwrap();
    // Every file reflow writes stops at 1000 blocks, and a write past it
    // fails (EFBIG) instead of killing reflow.
    let script = format!(
        "ulimit -f 1000; trap '' XFSZ; cat {} | exec {BIN} --save {}",
        input.display(),
        path.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 100, 10);
    pty.wait_for("the error in the status bar", TIMEOUT, |screen| {
        status_row(screen).contains("File too large")
    })
    .unwrap();
    // Still running: the user sees it while there is time to act.
    assert!(pty.try_exit().is_none());
    pty.send(b"q");
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap(), ExitInfo::Exited(1));
    let saved = fs::read(&path).unwrap();
    assert!(!saved.is_empty() && saved.len() < numbers().len());
    assert!(numbers().starts_with(&saved), "not a prefix of the input");
    let screen = pty.screen_text();
    assert!(
        screen.contains(&format!(
            "{} holds the first {} bytes",
            path.display(),
            saved.len()
        )),
        "{screen}"
    );
    assert_eq!(names_in(dir.path()), ["input", "x.log"]);
}

#[test]
fn a_write_error_keeps_the_old_file_and_puts_what_was_written_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    fs::write(&path, b"old\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let mut cmd = Command::new("sh");
    cmd.args(limited(1000, &["--save", path.to_str().unwrap()]));
    let out = run(cmd, &numbers());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read(&path).unwrap(), b"old\n");
    let names = names_in(dir.path());
    assert_eq!(names.len(), 2, "{names:?}");
    let kept = dir.path().join(&names[1]);
    assert!(names[1].starts_with("x.log.partial-"), "{names:?}");
    let saved = fs::read(&kept).unwrap();
    assert!(!saved.is_empty() && numbers().starts_with(&saved));
    assert_eq!(mode(&kept), 0o640);
    assert_eq!(
        stderr(&out),
        format!(
            "reflow: {}: File too large: the first {} bytes are in {} ({} is as it was)\n",
            path.display(),
            saved.len(),
            kept.display(),
            path.display()
        )
    );
}

// 6. Byte for byte.

#[test]
fn a_last_line_without_a_newline_is_saved_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x");
    let out = reflow(&["--save", path.to_str().unwrap()], b"a\nb");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // On the screen or through a pipe the last line is still a line.
    assert_eq!(out.stdout, b"a\nb\n");
    assert_eq!(fs::read(&path).unwrap(), b"a\nb");

    // On a display too, quit with -E.
    let script = format!("printf 'a\\nb' | {BIN} -E --save {}", path.display());
    let pty = Pty::spawn(Pty::sh(&script), 80, 24);
    assert_eq!(pty.wait_exit(TIMEOUT).unwrap(), ExitInfo::Exited(0));
    assert_eq!(fs::read(&path).unwrap(), b"a\nb");

    // Between two files the line is ended, so the second file's first
    // line is a line of its own there too.
    let one = dir.path().join("one");
    let two = dir.path().join("two");
    fs::write(&one, b"1\n2").unwrap();
    fs::write(&two, b"3\n4").unwrap();
    let out = reflow(
        &[
            "--save",
            path.to_str().unwrap(),
            one.to_str().unwrap(),
            two.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(&path).unwrap(), b"1\n2\n3\n4");
}

#[test]
fn a_library_stream_is_saved_as_it_ended() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x");
    let printer = Printer::builder()
        .output(std::io::sink())
        .save(&path)
        .spawn()
        .unwrap();
    let tx = printer.sender();
    tx.stream(b"a\nb").unwrap();
    tx.end_of_input().unwrap();
    printer.join().unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"a\nb");
}

// 7. Two savers of one path.

#[test]
fn a_second_saver_of_the_same_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    let mut first = Running::start(save_cmd(&path));
    first.send(b"first\n");
    let out = reflow(&["--save", path.to_str().unwrap()], b"second\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "reflow: {}: another process is saving to it (it is locked)\n",
            path.display()
        )
    );
    // Through a symlink it is the same file.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let out = reflow(&["--save", link.to_str().unwrap()], b"second\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(first.close().code(), Some(0));
    assert_eq!(fs::read(&path).unwrap(), b"first\n");
    // Once the first has finished, the file is free again.
    let out = reflow(&["--save", path.to_str().unwrap()], b"third\n");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(&path).unwrap(), b"third\n");
}

// 8. A writable file where reflow cannot create files.

#[test]
fn a_writable_file_in_a_directory_reflow_cannot_write_is_saved_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.log");
    fs::write(&path, b"old\n").unwrap();
    let mut cmd = Command::new(BIN);
    cmd.arg("--save").arg(&path);
    if running_as_root() {
        // Root may create files anywhere: the saver is `nobody`, the
        // directory root's (as in the report: a root-owned directory) and
        // the file nobody's.
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
        cmd.uid(65534).gid(65534);
    } else {
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    }
    let out = run(cmd, b"new\n");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(fs::read(&path).unwrap(), b"new\n");
    assert_eq!(names_in(dir.path()), ["x.log"]);
}
