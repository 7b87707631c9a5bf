//! The key reader where reflow is built without the `viewer` feature:
//! there are no keys to read ([`Builder::interactive`](crate::Builder)
//! does not exist then), so it never starts.

use std::io;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crossbeam_channel::Receiver;

use crate::view::keys::Input;

/// Never started.
#[derive(Debug)]
pub(crate) struct KeyReader {
    pub(crate) events: Receiver<Input>,
}

impl KeyReader {
    /// Fails: keys need the `viewer` feature.
    pub(crate) fn start(_urgent: Arc<AtomicBool>) -> io::Result<Self> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "reflow was built without its `viewer` feature: no keys",
        ))
    }
}
