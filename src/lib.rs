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
//! tells without sending.
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
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod error;
mod history;
mod keyboard;
mod layout;
#[cfg(feature = "log")]
mod logger;
mod options;
mod printer;
mod queue;
mod render;
mod sanitize;
mod save;
mod signals;
mod tag;
mod terminal;
#[cfg(feature = "tracing")]
mod tracing;
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
pub use options::{ColorChoice, OnExit, StopReason, Stopped, Target, WhenFull, Wrap};
pub use printer::{
    Builder, Closed, Printer, Sender, TrySendError, draws_on, draws_on_terminal, shutdown_all,
};
pub use sanitize::{sanitize, visible};
pub use tag::Tag;

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
struct ReadmeDoctests;

/// Entry points for the benchmarks in `benches/`: not part of the API.
#[doc(hidden)]
pub mod bench {
    use std::io;

    use crate::History;
    use crate::layout::{RowCache, tail_rows};
    use crate::render::{Screen, content_rows};
    use crate::sanitize::Options;

    /// Lays out and draws one whole `width` x `height` frame of the newest
    /// rows of `history` into `out`, as the printer does right after a
    /// resize (nothing cached, every row written). Returns the rows written.
    ///
    /// # Errors
    ///
    /// Only if writing into `out` fails, which a `Vec` does not.
    pub fn redraw(
        history: &History,
        width: u16,
        height: u16,
        out: &mut Vec<u8>,
    ) -> io::Result<usize> {
        let mut cache = RowCache::new();
        let mut screen = Screen::new();
        let rows = tail_rows(
            history,
            usize::from(width),
            content_rows(height),
            Options {
                color: true,
                ..Options::default()
            },
            &mut cache,
        );
        screen.frame(out, (width, height), &rows, "status")
    }

    /// `g` then `G` in the viewer, each drawn as a frame into `out` from
    /// nothing cached (as the first frame after a jump across the
    /// history). Returns the rows written by both frames.
    ///
    /// # Errors
    ///
    /// Only if writing into `out` fails, which a `Vec` does not.
    pub fn top_and_bottom(
        history: &History,
        width: u16,
        height: u16,
        out: &mut Vec<u8>,
    ) -> io::Result<usize> {
        use crate::layout::Look;
        use crate::view::{Lines, View};
        let mut cache = RowCache::new();
        let mut screen = Screen::new();
        let mut view = View::new();
        let look = Look::from(Options {
            color: true,
            ..Options::default()
        });
        cache.prepare(usize::from(width), look, None);
        let lines = Lines::new(history, None);
        view.home(&lines);
        let rows = view.rows(&lines, &mut cache, content_rows(height));
        let mut written = screen.frame(out, (width, height), &rows, "status")?;
        view.follow();
        let rows = view.rows(&lines, &mut cache, content_rows(height));
        written += screen.frame(out, (width, height), &rows, "status")?;
        Ok(written)
    }
}

/// Entry points for the search benchmark: not part of the API.
#[doc(hidden)]
pub mod bench_search {
    use std::ops::ControlFlow;
    use std::time::Duration;

    use crate::History;
    use crate::sanitize::Options;
    use crate::search::{Pattern, Search, Step};

    /// Searches `history` backward from its end for `pattern`, as `?`
    /// does, in steps of 10 ms, to the end: the id of the line found.
    ///
    /// # Errors
    ///
    /// An invalid pattern.
    pub fn backward(history: &History, pattern: &str) -> Result<Option<usize>, String> {
        let pattern = Pattern::new(pattern)?;
        let mut search = Search::new(pattern, history.len(), true);
        loop {
            match search.step(history, Options::default(), Duration::from_millis(10)) {
                Step::Found(line) => return Ok(Some(line)),
                Step::NotFound => return Ok(None),
                Step::Pending { .. } => {}
            }
        }
    }

    /// The same, one `is_match` per line instead of one search per chunk:
    /// what the chunked search is measured against.
    ///
    /// # Errors
    ///
    /// An invalid pattern.
    pub fn backward_line_by_line(
        history: &History,
        pattern: &str,
    ) -> Result<Option<usize>, String> {
        let pattern = Pattern::new(pattern)?;
        let mut found = None;
        let _ = history.scan(history.first()..history.len(), true, |lines, run| {
            let body = run.strip_suffix(b"\n").unwrap_or(run);
            for (line, id) in body.split(|&b| b == b'\n').zip(lines) {
                if pattern.matches_line(line, Options::default()) {
                    found = Some(id);
                }
            }
            if found.is_some() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        Ok(found)
    }
}

/// Entry point for the fuzz target in `fuzz/`: not part of the API.
#[doc(hidden)]
pub mod fuzz {
    /// Sanitizes and wraps `raw` at `width` and checks the layout contract.
    ///
    /// # Errors
    ///
    /// A description of the broken property.
    pub fn check_layout(raw: &[u8], width: usize) -> Result<(), String> {
        crate::layout::check_contract(raw, width)
    }
}
