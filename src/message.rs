//! What the printer tells its host about how it ended.

/// Why the printer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// A shutdown was asked for ([`Sender::shutdown`](crate::Sender::shutdown),
    /// [`Printer::shutdown`](crate::Printer::shutdown)), or the
    /// [`Printer`](crate::Printer) was joined or dropped.
    Shutdown,
    /// A line equal to the sentinel arrived.
    Sentinel,
    /// The input ended and the printer was told to exit at its end.
    EndOfInput,
    /// The user pressed `q`.
    Quit,
    /// The user pressed Ctrl-C, or the process got SIGINT.
    Interrupt,
    /// The process got SIGTERM.
    Terminate,
    /// The process got SIGHUP (the terminal went away).
    Hangup,
    /// The output was closed (a broken pipe in passthrough mode).
    OutputClosed,
    /// Another signal whose default action ends the process (SIGQUIT,
    /// SIGUSR1, …), by number.
    Signal(i32),
}

impl StopReason {
    /// The exit status a command-line tool should return for this reason:
    /// 0, or 128 plus the signal number, as a shell reports it.
    pub fn exit_code(self) -> u8 {
        match self.signal() {
            Some(sig) => u8::try_from(128 + sig).unwrap_or(u8::MAX),
            None => 0,
        }
    }

    /// The signal behind this stop, if a signal caused it.
    pub fn signal(self) -> Option<i32> {
        match self {
            StopReason::Interrupt => Some(signal_hook::consts::SIGINT),
            StopReason::Terminate => Some(signal_hook::consts::SIGTERM),
            StopReason::Hangup => Some(signal_hook::consts::SIGHUP),
            StopReason::Signal(sig) => Some(sig),
            _ => None,
        }
    }

    pub(crate) fn from_signal(sig: i32) -> Self {
        match sig {
            signal_hook::consts::SIGINT => StopReason::Interrupt,
            signal_hook::consts::SIGTERM => StopReason::Terminate,
            signal_hook::consts::SIGHUP => StopReason::Hangup,
            sig => StopReason::Signal(sig),
        }
    }
}

/// Where a printer draws (or, when that is not a terminal, writes its
/// lines).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// Standard output: the default for a [`Printer`](crate::Printer), as a
    /// viewer whose output is the display.
    #[default]
    Stdout,
    /// Standard error: the default for the logger, as `env_logger` does,
    /// so the host's stdout stays free for its real output.
    Stderr,
    /// The controlling terminal (`/dev/tty`), whatever stdout and stderr
    /// are: the display shows even when both are redirected.
    Tty,
}

impl Target {
    /// A handle for writing to it, of its own (a duplicate of the file
    /// descriptor, or `/dev/tty` opened anew).
    ///
    /// # Errors
    ///
    /// When the descriptor cannot be duplicated or `/dev/tty` opened.
    pub(crate) fn open(self) -> std::io::Result<std::fs::File> {
        use std::os::fd::AsFd;
        match self {
            Target::Stdout => Ok(std::io::stdout().as_fd().try_clone_to_owned()?.into()),
            Target::Stderr => Ok(std::io::stderr().as_fd().try_clone_to_owned()?.into()),
            Target::Tty => std::fs::OpenOptions::new().write(true).open("/dev/tty"),
        }
    }

    /// True when it is a terminal.
    pub(crate) fn is_terminal(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Target::Stdout => std::io::stdout().is_terminal(),
            Target::Stderr => std::io::stderr().is_terminal(),
            Target::Tty => self.open().is_ok_and(|tty| tty.is_terminal()),
        }
    }
}
