//! Signals as events: while a display runs, a signal-hook listener thread
//! turns SIGWINCH and SIGCONT into a redraw, SIGTSTP into a suspension, and
//! the signals that end a process into a stop, each delivered on a channel
//! the printer thread selects on.
//!
//! A good citizen of its host: a signal the host already handles (or
//! ignores) when the first display starts is left to the host. For the
//! others, when no display runs, the default action happens as if reflow
//! were not there (signal-hook never uninstalls its handler, so the default
//! is emulated then), and the count of running displays decides which.

use std::io;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{self as channel, Receiver};
use signal_hook::consts::{
    SIGALRM, SIGCONT, SIGHUP, SIGINT, SIGPROF, SIGQUIT, SIGTERM, SIGTSTP, SIGUSR1, SIGUSR2,
    SIGVTALRM, SIGWINCH, SIGXCPU, SIGXFSZ,
};
use signal_hook::iterator::{Handle, Signals};

use crate::options::StopReason;

/// Signals whose default action ends the process (none of them is a fault
/// the process raises on itself, which cannot be handled safely).
const ENDING: [i32; 11] = [
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU,
    SIGXFSZ,
];

/// Which of the ending signals and SIGTSTP reflow takes care of, decided
/// once, before the first registration, and how many displays run.
struct Registry {
    /// Ending signals (and SIGTSTP) whose disposition was the default.
    ours: Vec<i32>,
    /// True when no display runs: the default action then happens.
    default_action: Arc<AtomicBool>,
    displays: Mutex<usize>,
}

static REGISTRY: OnceLock<io::Result<Registry>> = OnceLock::new();

/// How many SIGINTs the process got, counted in the handler itself, before
/// any thread can wake for one (its actions run in the order registered,
/// and this one is registered first).
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

/// The count of SIGINTs so far: whatever is seen with a count of `n` or
/// more happened after the `n`th Ctrl-C.
pub(crate) fn interrupts() -> usize {
    INTERRUPTS.load(Ordering::SeqCst)
}

/// Counts SIGINTs into [`INTERRUPTS`].
#[allow(unsafe_code)]
fn count_interrupts() -> io::Result<()> {
    // SAFETY: the action only adds to an atomic, which is
    // async-signal-safe: no lock, no allocation, no other state.
    unsafe {
        signal_hook::low_level::register(SIGINT, || {
            INTERRUPTS.fetch_add(1, Ordering::SeqCst);
        })
    }
    .map(|_| ())
}

fn registry() -> io::Result<&'static Registry> {
    REGISTRY
        .get_or_init(|| {
            let ours: Vec<i32> = ENDING
                .iter()
                .chain([&SIGTSTP])
                .copied()
                .filter(|&sig| !taken_by_host(sig))
                .collect();
            let default_action = Arc::new(AtomicBool::new(true));
            if ours.contains(&SIGINT) {
                count_interrupts()?;
            }
            for &sig in &ours {
                signal_hook::flag::register_conditional_default(sig, Arc::clone(&default_action))?;
            }
            Ok(Registry {
                ours,
                default_action,
                displays: Mutex::new(0),
            })
        })
        .as_ref()
        .map_err(|e| io::Error::new(e.kind(), e.to_string()))
}

/// True if the process handles or ignores `sig` already (its host's
/// choice), as the kernel says: `sigaction` with no new action only reads
/// the current one. A signal whose action cannot be read counts as left
/// at its default.
#[allow(unsafe_code)]
fn taken_by_host(sig: i32) -> bool {
    // SAFETY: `sigaction` with a null new action changes nothing and
    // writes the current action into `old`, which is valid, writable
    // memory of the right type; an all-zero `sigaction` is a valid value
    // of that plain C struct, so it is sound to read even if nothing were
    // written.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let read = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
    read == 0 && old.sa_sigaction != libc::SIG_DFL
}

/// What a signal asks of the display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SignalEvent {
    /// SIGTSTP: give the terminal back and stop the process.
    Suspend,
    /// A signal that ends the process: stop, then (if the host wants it)
    /// end the way the signal would have. With [`interrupts`] as it was
    /// then: what a Ctrl-C caused (a command's end, after `--cmd` got it
    /// too) may be taken from the queue before the signal is, and is
    /// newer all the same.
    Stop(StopReason, usize),
}

/// The listener thread and its event channels, for one display.
#[derive(Debug)]
pub(crate) struct SignalListener {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
    /// One event per burst of SIGWINCH or SIGCONT: a full channel of one
    /// means a redraw is already due, so a storm of resizes is one redraw.
    pub(crate) resized: Receiver<()>,
    /// True when the last SIGCONT has not been seen yet: the screen may
    /// hold anything, so the next frame redraws it all.
    pub(crate) continued: Arc<AtomicBool>,
    pub(crate) events: Receiver<SignalEvent>,
}

impl SignalListener {
    /// Starts the listener. A stop signal sets `urgent` at once, before its
    /// event is queued, so a layout under way stops short for it.
    pub(crate) fn start(urgent: Arc<AtomicBool>) -> io::Result<Self> {
        let registry = registry()?;
        let mut wanted = vec![SIGWINCH, SIGCONT];
        wanted.extend(&registry.ours);
        let mut signals = Signals::new(&wanted)?;
        let handle = signals.handle();
        let (resize_tx, resized) = channel::bounded(1);
        let (event_tx, events) = channel::bounded(8);
        let continued = Arc::new(AtomicBool::new(false));
        let seen_cont = Arc::clone(&continued);
        let thread = thread::Builder::new()
            .name("reflow-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    let event = match signal {
                        SIGWINCH | SIGCONT => {
                            if signal == SIGCONT {
                                seen_cont.store(true, Ordering::SeqCst);
                            }
                            let _ = resize_tx.try_send(());
                            continue;
                        }
                        SIGTSTP => SignalEvent::Suspend,
                        sig => SignalEvent::Stop(StopReason::from_signal(sig), interrupts()),
                    };
                    urgent.store(true, Ordering::Relaxed);
                    let _ = event_tx.try_send(event);
                }
            });
        let thread = match thread {
            Ok(thread) => thread,
            Err(e) => {
                handle.close();
                return Err(e);
            }
        };
        // Only now, with the listener in place, does the default action
        // give way to the display.
        let mut displays = registry.displays.lock().unwrap_or_else(|e| e.into_inner());
        *displays += 1;
        registry.default_action.store(false, Ordering::SeqCst);
        Ok(Self {
            handle,
            thread: Some(thread),
            resized,
            continued,
            events,
        })
    }
}

impl Drop for SignalListener {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Ok(registry) = registry() {
            let mut displays = registry.displays.lock().unwrap_or_else(|e| e.into_inner());
            *displays = displays.saturating_sub(1);
            if *displays == 0 {
                registry.default_action.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// After a display stopped because of `reason`, ends the process the way
/// the signal would have without reflow, if reflow took that signal over
/// from the default action. Returns when there is nothing to do.
pub(crate) fn act_as_default(reason: StopReason) {
    let Some(sig) = reason.signal() else {
        return;
    };
    if registry().is_ok_and(|r| r.ours.contains(&sig)) {
        let _ = signal_hook::low_level::emulate_default_handler(sig);
    }
}

/// Stops this process as SIGTSTP would have (SIGSTOP); returns once it is
/// continued.
pub(crate) fn stop_process() {
    let _ = signal_hook::low_level::raise(signal_hook::consts::SIGSTOP);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hosts_dispositions_are_read_from_the_kernel() {
        use signal_hook::consts::{SIGPIPE, SIGUSR1, SIGUSR2};
        // The Rust runtime ignores SIGPIPE in every program it starts.
        assert!(taken_by_host(SIGPIPE));
        // Nothing in this test binary handles SIGUSR2; a handler for
        // SIGUSR1 is the host's.
        assert!(!taken_by_host(SIGUSR2));
        let flag = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(SIGUSR1, flag).unwrap();
        assert!(taken_by_host(SIGUSR1));
    }
}
