//! [`Error`]: why a printer could not start, or ended with a failure. A
//! host tells the cases apart by variant, never by message text; the
//! messages are the ones users see.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why [`Builder::spawn`](crate::Builder::spawn) failed, or why
/// [`Printer::join`](crate::Printer::join) (or `wait`, `join_timeout`)
/// reports a failure. Every variant that comes from the OS keeps its
/// [`io::Error`] as its [`source`](std::error::Error::source); an `Error`
/// converts into an [`io::Error`] of the same [`kind`](Error::kind).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The [`save`](crate::Builder::save) file could not be opened before
    /// the display started, or could not be written or put in place at
    /// the stop (what was written is kept; the message says where).
    Save {
        /// The path as it was given.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The [`sentinel`](crate::Builder::sentinel) is empty: it would stop
    /// at the first empty line.
    EmptySentinel,
    /// The terminal could not be set up, or a display's output failed.
    Display(io::Error),
    /// Writing lines through (no display) failed, other than a reader
    /// that went away.
    Output(io::Error),
    /// The printer thread could not be started.
    Thread(io::Error),
    /// The printer thread panicked (the terminal was restored).
    Panicked,
    /// [`join_timeout`](crate::Printer::join_timeout): the printer did not
    /// finish in time (it is left to finish on its own; raw mode is off).
    TimedOut,
}

impl Error {
    /// The [`io::ErrorKind`] this error would have as an [`io::Error`].
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Error::Save { source, .. } => source.kind(),
            Error::Display(e) | Error::Output(e) | Error::Thread(e) => e.kind(),
            Error::EmptySentinel => io::ErrorKind::InvalidInput,
            Error::Panicked => io::ErrorKind::Other,
            Error::TimedOut => io::ErrorKind::TimedOut,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Save { path, source } => write!(f, "{}: {source}", path.display()),
            Error::EmptySentinel => {
                f.write_str("the sentinel is empty: it would stop at the first empty line")
            }
            Error::Display(e) | Error::Output(e) | Error::Thread(e) => e.fmt(f),
            Error::Panicked => f.write_str("the printer thread panicked"),
            Error::TimedOut => f.write_str("the printer did not finish in time"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Save { source, .. } => Some(source),
            Error::Display(e) | Error::Output(e) | Error::Thread(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for io::Error {
    fn from(error: Error) -> io::Error {
        io::Error::new(error.kind(), error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_what_users_see_and_kinds_are_kept() {
        let save = Error::Save {
            path: "x.log".into(),
            source: io::Error::new(io::ErrorKind::IsADirectory, "Is a directory"),
        };
        assert_eq!(save.to_string(), "x.log: Is a directory");
        assert_eq!(save.kind(), io::ErrorKind::IsADirectory);
        let io = io::Error::from(save);
        assert_eq!(io.kind(), io::ErrorKind::IsADirectory);
        assert_eq!(io.to_string(), "x.log: Is a directory");
        assert_eq!(Error::EmptySentinel.kind(), io::ErrorKind::InvalidInput);
        assert!(Error::Panicked.to_string().contains("panicked"));
    }
}
