//! The channel protocol between senders and the printer thread.

/// Why the printer stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StopReason {
    /// A sender called [`Sender::shutdown`](crate::Sender::shutdown), or the
    /// [`Printer`](crate::Printer) was dropped.
    Shutdown,
    /// A line equal to the sentinel arrived.
    Sentinel,
    /// Every [`Sender`](crate::Sender) was dropped.
    Disconnected,
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
}

impl StopReason {
    /// The exit status a command-line tool should return for this reason:
    /// 0, or 128 plus the signal number, as a shell reports it.
    pub fn exit_code(self) -> u8 {
        match self {
            StopReason::Interrupt => 130,
            StopReason::Terminate => 143,
            StopReason::Hangup => 129,
            _ => 0,
        }
    }
}

/// A control message to the printer thread. Lines do not travel as
/// messages: they go through the [`Queue`](crate::queue::Queue), which the
/// printer drains before it handles any message, so a stop always comes
/// after the lines queued before it.
#[derive(Debug)]
pub(crate) enum Msg {
    /// The input has ended (shown as EOF; stops with `exit_on_eof`).
    Eof,
    /// Stop after everything queued before this message.
    Stop(StopReason),
}
