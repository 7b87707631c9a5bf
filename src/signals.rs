//! Signals as events: a signal-hook listener thread turns SIGWINCH into a
//! resize event and SIGINT, SIGTERM and SIGHUP into a stop, both delivered
//! on channels the printer thread selects on.

use std::io;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{self as channel, Receiver};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGWINCH};
use signal_hook::iterator::{Handle, Signals};

use crate::message::StopReason;

/// True when no printer is listening: the terminating signals then act as
/// they would without us (signal-hook never uninstalls its handler).
static DEFAULT_ACTION: AtomicBool = AtomicBool::new(true);
static FALLBACK: Once = Once::new();

/// The listener thread and its two event channels.
#[derive(Debug)]
pub(crate) struct SignalListener {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
    /// One event per burst of SIGWINCH: a full channel of one means a
    /// redraw is already due, so a storm of resizes is one redraw.
    pub(crate) resized: Receiver<()>,
    /// SIGINT, SIGTERM or SIGHUP, as the reason to stop.
    pub(crate) stop: Receiver<StopReason>,
}

impl SignalListener {
    pub(crate) fn start() -> io::Result<Self> {
        let mut fallback = Ok(());
        FALLBACK.call_once(|| {
            for sig in [SIGINT, SIGTERM, SIGHUP] {
                if let Err(e) =
                    signal_hook::flag::register_conditional_default(sig, &DEFAULT_ACTION)
                {
                    fallback = Err(e);
                }
            }
        });
        fallback?;
        let mut signals = Signals::new([SIGWINCH, SIGINT, SIGTERM, SIGHUP])?;
        DEFAULT_ACTION.store(false, Ordering::SeqCst);
        let handle = signals.handle();
        let (resize_tx, resized) = channel::bounded(1);
        let (stop_tx, stop) = channel::bounded(4);
        let thread = thread::Builder::new()
            .name("reflow-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    let reason = match signal {
                        SIGWINCH => {
                            let _ = resize_tx.try_send(());
                            continue;
                        }
                        SIGINT => StopReason::Interrupt,
                        SIGTERM => StopReason::Terminate,
                        _ => StopReason::Hangup,
                    };
                    let _ = stop_tx.try_send(reason);
                }
            });
        let thread = match thread {
            Ok(thread) => thread,
            Err(e) => {
                handle.close();
                DEFAULT_ACTION.store(true, Ordering::SeqCst);
                return Err(e);
            }
        };
        Ok(Self {
            handle,
            thread: Some(thread),
            resized,
            stop,
        })
    }
}

impl Drop for SignalListener {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        DEFAULT_ACTION.store(true, Ordering::SeqCst);
    }
}
