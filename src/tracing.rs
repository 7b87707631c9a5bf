//! `tracing` support (cargo feature `tracing`): a [`Sender`] is a
//! `tracing_subscriber::fmt::MakeWriter`, so
//! `tracing_subscriber::fmt().with_writer(printer.sender())` draws events
//! through reflow. Each event is written line by line through
//! `io::Write for &Sender`, whose unfinished lines are kept per thread: an
//! event never mixes with another thread's.

use tracing_subscriber::fmt::MakeWriter;

use crate::printer::Sender;

impl<'a> MakeWriter<'a> for Sender {
    type Writer = &'a Sender;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}
