//! A terminal-width-aware logging printer.
//!
//! A dedicated printer thread owns the terminal. It drains a bounded
//! queue of lines (senders wait when it is full; nothing is dropped), keeps
//! every line in a compact history, and draws the newest
//! lines word-wrapped to the terminal's width; when the terminal is
//! resized it reflows the history to the new width. It stops on a shutdown,
//! a sentinel line, [`Printer::join`] or drop, `q` (when interactive) or a
//! terminating signal, and always leaves the terminal as it found it.
//!
//! When stdout is not a terminal, each line is written once, as received.
//! Lines are untrusted: only their colours reach the terminal (see the
//! README, which is compiled as a doc test too).
//!
//! ```
//! use std::io::Write;
//! use std::sync::{Arc, Mutex};
//!
//! # #[derive(Clone, Default)]
//! # struct Shared(Arc<Mutex<Vec<u8>>>);
//! # impl Write for Shared {
//! #     fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.lock().unwrap().write(b) }
//! #     fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
//! # }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let out = Shared::default(); // any `Write + Send`; stdout by default
//! let printer = reflow::Printer::builder()
//!     .sentinel("!@#EXIT#@!")
//!     .output(out.clone())
//!     .spawn()?;
//! let tx = printer.sender();
//! let worker = {
//!     let tx = tx.clone();
//!     std::thread::spawn(move || tx.line("from a thread"))
//! };
//! worker.join().unwrap()?;
//! tx.line("hello")?;
//! tx.line("!@#EXIT#@!")?; // stops the printer; not kept
//! let stopped = printer.join()?;
//! assert_eq!(stopped.reason, reflow::StopReason::Sentinel);
//! assert_eq!(stopped.lines, 2);
//! assert_eq!(&*out.0.lock().unwrap(), b"from a thread\nhello\n");
//! # Ok(())
//! # }
//! ```
//!
//! # Lifetime
//!
//! The [`Printer`] guard owns the printer thread. While it lives,
//! [`Printer::sender`] always hands out a working [`Sender`], however many
//! came and went before: dropping senders never stops anything. The
//! printer stops when it is told to, and only then:
//!
//! - [`Printer::join`] (or dropping the `Printer`): stop after every line
//!   queued so far, wait for them to be drawn and the terminal restored.
//!   It never waits for senders to go away.
//! - [`Sender::shutdown`] / [`Printer::shutdown`] from any thread, or the
//!   sentinel line; [`Printer::wait`] waits for such a stop (or the user
//!   quitting, or a signal) without asking for one.
//! - [`Printer::join_timeout`] bounds the wait when the terminal may have
//!   stopped reading.
//!
//! After a stop every send fails with [`Closed`]; [`Sender::is_closed`]
//! tells without sending. A send returns once the line is queued;
//! [`Sender::wait_drawn`] waits until the lines sent so far are on the
//! screen (or written, copied through).
//!
//! A panic anywhere (caught or not) first gives the normal screen back, so
//! its message is readable; a caught one leaves the display running (it
//! comes back with the next line), an uncaught one in `main` drops the
//! `Printer` while unwinding, which writes what `on_exit` says.
//! [`std::process::exit`] skips destructors: call [`shutdown_all`] first.
//! Signals: see [`Builder::report_signals`].
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! let printer = reflow::Printer::builder().output(std::io::sink()).spawn()?;
//! std::thread::scope(|s| {
//!     for worker in 0..4 {
//!         let printer = &printer;
//!         // Each worker takes its own sender and drops it when done.
//!         s.spawn(move || printer.sender().line(format!("worker {worker} done")));
//!     }
//! });
//! printer.sender().line("summary: 4 workers").expect("still running");
//! let stopped = printer.join()?; // everything above is drawn first
//! assert_eq!(stopped.lines, 5);
//! # Ok(())
//! # }
//! ```
// Unsafe only where no safe way exists, each with its SAFETY comment:
// asking the kernel for a signal's action (`signals.rs`), registering the
// exit handler (`printer/mod.rs`).
#![deny(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod backend;
mod capture;
mod error;
mod history;
// Compiled in every build, so they keep building; public (and hidden from
// the docs) only with the `internals` feature reflow's benches and fuzz
// targets turn on.
#[cfg(feature = "log")]
pub mod env_logger;
#[cfg(feature = "indicatif")]
pub mod indicatif;
#[cfg_attr(not(feature = "internals"), allow(dead_code, unreachable_pub))]
mod internals;
#[cfg(feature = "viewer")]
mod keyboard;
#[cfg(not(feature = "viewer"))]
#[path = "keyboard_off.rs"]
mod keyboard;
mod layout;
#[cfg(feature = "log")]
mod logger;
mod options;
mod printer;
mod queue;
mod record;
mod render;
mod sanitize;
mod save;
mod signals;
mod tag;
mod terminal;
mod time;
#[cfg(feature = "tracing")]
pub mod tracing;
#[cfg(feature = "tracing")]
pub use tracing::EventWriter;
mod search;
mod view;
mod worker;

pub use error::Error;
pub use history::History;
pub use layout::{cluster_width, fit, width_of, wrap_line};
#[cfg(feature = "log")]
pub use logger::{LogGuard, Logger, LoggerBuilder, init, try_init};
pub use options::{ColorChoice, OnExit, StopReason, Stopped, Target, Viewport, WhenFull, Wrap};
pub use printer::{
    Builder, Closed, Printer, Sender, TrySendError, draws_on, draws_on_terminal, shutdown_all,
};
pub use record::reader::{Record, Records};
pub use record::{Level, UnknownLevel};
pub use sanitize::{sanitize, visible};
pub use tag::Tag;

#[cfg(feature = "internals")]
#[doc(hidden)]
pub use internals::{bench, bench_filter, bench_search, fuzz};

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;
