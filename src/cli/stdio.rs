//! stdin and stdout as plain files, with their errors.
//!
//! `std::io::Stdin` and `Stdout` treat EBADF as success (a read finds end
//! of input, a write is dropped), so that a program started with a closed
//! fd still runs. For `reflow` that would turn `reflow 0>/dev/null` into an
//! empty input and `reflow 1</dev/null` into output written nowhere, with
//! status 0. Reading and writing through a duplicate of the fd instead
//! reports the error, as `cat` does.
//!
//! `reflow <&-` (stdin closed) and `reflow >&-` (stdout closed) are errors,
//! as they are for `cat`: "Bad file descriptor". But Rust's runtime, before
//! `main`, reopens any of fds 0-2 that is closed on `/dev/null`, so by the
//! time `main` runs a closed stdin reads as empty input and a closed stdout
//! swallows every write, both "successfully". Telling that substitute from
//! a real `/dev/null` afterwards would be a guess (the runtime opens it read
//! and write, as Python's `subprocess.DEVNULL` does), so the truth is
//! recorded before the runtime changes it: from `.init_array`, which the
//! loader runs before the runtime's start-up code.
//!
//! On targets without `.init_array` nothing is recorded, and a closed fd
//! behaves as `/dev/null`.

#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicBool, Ordering};

static STDIN_CLOSED: AtomicBool = AtomicBool::new(false);
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// stdin, to read without losing its errors.
///
/// # Errors
///
/// EBADF when fd 0 was closed when the process started; a failure to
/// duplicate it.
pub(crate) fn stdin() -> io::Result<File> {
    duplicate(io::stdin().as_fd(), &STDIN_CLOSED)
}

/// stdout, to write without losing its errors.
///
/// # Errors
///
/// As [`stdin`], for fd 1.
pub(crate) fn stdout() -> io::Result<File> {
    duplicate(io::stdout().as_fd(), &STDOUT_CLOSED)
}

fn duplicate(fd: std::os::fd::BorrowedFd<'_>, closed: &AtomicBool) -> io::Result<File> {
    if closed.load(Ordering::Relaxed) {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    Ok(File::from(fd.try_clone_to_owned()?))
}

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_os = "illumos",
    target_os = "solaris",
))]
mod record {
    use super::{Ordering, STDIN_CLOSED, STDOUT_CLOSED};

    // The loader calls every function in `.init_array` before `main`, in
    // the same way C constructors are called. `#[used]` keeps the entry in
    // the binary although nothing refers to it.
    #[used]
    #[unsafe(link_section = ".init_array")]
    static RECORD: extern "C" fn() = record;

    extern "C" fn record() {
        STDIN_CLOSED.store(is_closed(0), Ordering::Relaxed);
        STDOUT_CLOSED.store(is_closed(1), Ordering::Relaxed);
    }

    fn is_closed(fd: libc::c_int) -> bool {
        // SAFETY: F_GETFD only reads the descriptor's flags; it touches no
        // memory, and on an fd that is not open it fails with EBADF, its
        // only possible error here.
        unsafe { libc::fcntl(fd, libc::F_GETFD) == -1 }
    }
}
