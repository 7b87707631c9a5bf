//! A piped history beyond `--max-memory`, end to end: the binary under a
//! pty, the oldest lines in its spill file, every line still there to
//! scroll to, search and save; and a spill file that cannot be written.

use std::path::Path;
use std::time::Duration;

use crate::support::*;

/// Time to read a few tens of MB through a debug build.
const SLOW: Duration = Duration::from_secs(60);

/// A xorshift generator: lines no two alike, compressing as logs do.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// `lines` log lines of about 110 bytes into `path`: `first-line` on the
/// first, `xylophone` on line 10 and `end-of-log` on the last.
fn write_log(path: &Path, lines: usize) -> Vec<u8> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut text = Vec::with_capacity(lines * 120);
    for i in 0..lines {
        let r = rng.next();
        let level = ["INFO", "INFO", "DEBUG", "WARN", "ERROR"][(r % 5) as usize];
        let tag = match i {
            0 => " first-line",
            10 => " xylophone",
            _ if i == lines - 1 => " end-of-log",
            _ => "",
        };
        text.extend_from_slice(
            format!(
                "2026-12-02T13:{:02}:{:02}.{:03}Z {level:<5} svc-{}[{}]: req={:016x} took={}ms{tag}\n",
                i / 60_000 % 60,
                i / 1000 % 60,
                i % 1000,
                r % 7,
                1000 + r % 97,
                rng.next(),
                r % 5000,
            )
            .as_bytes(),
        );
    }
    std::fs::write(path, &text).unwrap();
    text
}

/// Which line of [`write_log`] `row` shows, from its time.
fn line_number(row: &str) -> Option<usize> {
    let time = row.strip_prefix("2026-12-02T13:")?;
    let minutes: usize = time.get(0..2)?.parse().ok()?;
    let seconds: usize = time.get(3..5)?.parse().ok()?;
    let millis: usize = time.get(6..9)?.parse().ok()?;
    Some(minutes * 60_000 + seconds * 1000 + millis)
}

/// The pid of the `reflow` process under the pty's shell.
fn reflow_pid(pty: &Pty) -> u32 {
    let shell = pty.pid();
    let children =
        std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
    children
        .split_whitespace()
        .filter_map(|pid| pid.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "reflow")
        })
        .expect("reflow runs under the shell")
}

/// The files `pid` holds open that no name leads to any more, with their
/// mode bits.
fn unlinked_files(pid: u32) -> Vec<u32> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    fds.filter_map(Result::ok)
        .filter(|fd| {
            std::fs::read_link(fd.path())
                .is_ok_and(|target| target.to_string_lossy().ends_with("(deleted)"))
        })
        .filter_map(|fd| std::fs::metadata(fd.path()).ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.permissions().mode() & 0o777)
        .collect()
}

#[test]
fn a_piped_history_beyond_max_memory_is_all_there_to_scroll_search_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("in.log");
    let saved = dir.path().join("saved.log");
    // 40 MB: compressed, several times the history's 6 MiB share of 8M.
    let text = write_log(&log, 360_000);
    let script = format!(
        "cat '{}' | exec '{BIN}' --max-memory 8M --save '{}'",
        log.display(),
        saved.display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 100, 12);
    pty.wait_for_text("end-of-log", SLOW).unwrap();
    let pid = reflow_pid(&pty);
    // The oldest lines went to a spill file: unlinked, private. (The other
    // is --save's temporary, unlinked and private too until the end.)
    let spilled = unlinked_files(pid);
    assert_eq!(
        spilled,
        [0o600, 0o600],
        "reflow's unlinked files and their modes"
    );
    // Every line is there: the first, found by a search from the end...
    pty.send(b"?xylophone\r");
    pty.wait_for("the search to reach line 10", SLOW, |screen| {
        screen.contents().contains("took=") && screen.contents().contains("xylophone")
    })
    .unwrap();
    // ...and by scrolling to the top.
    pty.send(b"g");
    pty.wait_for_text("first-line", TIMEOUT).unwrap();
    pty.send(b"q");
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
    // Every byte saved.
    let saved = std::fs::read(&saved).unwrap();
    assert!(saved == text, "the saved file differs from the input");
}

#[test]
fn a_spill_file_that_cannot_be_written_is_shown_with_the_old_lines_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("in.log");
    write_log(&log, 360_000);
    // Files of at most 128 KiB (256 blocks of 512 bytes): the spill file
    // is soon "too large". SIGXFSZ is ignored, so the write fails with
    // EFBIG instead of the signal ending the process, as on a full disk.
    let script = format!(
        "trap '' XFSZ; ulimit -f 256; cat '{}' | exec '{BIN}' --max-memory 8M",
        log.display(),
    );
    let pty = Pty::spawn(Pty::sh(&script), 200, 12);
    pty.wait_for_text("end-of-log", SLOW).unwrap();
    pty.wait_for("the notice", TIMEOUT, |screen| {
        let bar = screen.contents();
        bar.contains("cannot write the spill file: File too large")
            && bar.contains("old lines dropped")
    })
    .unwrap();
    // The count said is the lines gone: `g` goes to the first one left.
    // (Idle compaction may spill, fail and drop a few more after the end
    // of input: the count and the top are read from one screen.)
    let dropped = |bar: &str| -> Option<usize> {
        let at = bar.find(" old lines dropped")?;
        bar[..at].rsplit(' ').next()?.parse().ok()
    };
    pty.send(b"g");
    pty.wait_for("the first line left at the top", TIMEOUT, |screen| {
        let contents = screen.contents();
        let mut rows = contents.lines();
        let top = rows.next().and_then(line_number);
        let bar = status_row(screen);
        let count = dropped(&bar);
        count.is_some_and(|c| c > 1000) && top == count
    })
    .unwrap();
    pty.send(b"q");
    assert!(pty.wait_exit(TIMEOUT).unwrap().success());
}

#[test]
fn a_size_that_is_no_size_is_a_usage_error() {
    for size in ["12Q", "1.5G", "0", ""] {
        let out = std::process::Command::new(BIN)
            .args(["--max-memory", size, "-E", "/dev/null"])
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{size:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--max-memory"), "{size:?}: {err}");
    }
    let out = std::process::Command::new(BIN)
        .args(["--max-memory", "64M", "-E", "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
