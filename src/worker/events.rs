//! The full-screen display's event loop: what the printer thread waits on
//! while a display runs (the queue's wake-up, SIGWINCH and other signals,
//! keys, a written frame, a file's index growing, the next deadline), and
//! what each one leads to.

use std::io;
use std::time::Instant;

use crossbeam_channel::{self as channel, Receiver, select};

use super::{Out, Worker};
use crate::options::StopReason;
use crate::sanitize::visible;
use crate::signals::SignalEvent;

impl Worker {
    pub(super) fn run_tui(&mut self) -> io::Result<StopReason> {
        let Out::Tui(tui) = &self.out else {
            return self.run_plain();
        };
        // Own clones of the receivers, so handling an event may borrow self.
        let woken = self.inbox.woken.clone();
        let mut resized = tui
            .signals
            .as_ref()
            .map_or_else(channel::never, |s| s.resized.clone());
        let mut signals = tui
            .signals
            .as_ref()
            .map_or_else(channel::never, |s| s.events.clone());
        let keys = tui
            .input
            .as_ref()
            .map_or_else(channel::never, |input| input.events.clone());
        let written = tui.terminal.written.clone();
        // A file read in place: its index grows in the background.
        let mut indexed = self.history.progress().unwrap_or_else(channel::never);
        loop {
            let frame = match &self.out {
                Out::Tui(tui) if tui.dirty && !tui.pending => Some(tui.next_frame),
                _ => None,
            };
            // Compaction is done when nothing else is waiting: the timer
            // is then due, and the work below checks for input.
            let compaction = self.compaction_due();
            // A search or filter under way goes on at once, a slice at a
            // time, after anything else that is ready.
            let busy = match &self.out {
                Out::Tui(tui) if tui.find.busy() => Some(Instant::now()),
                _ => None,
            };
            let compaction = match (compaction, busy) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let timer = match (frame, compaction) {
                (Some(a), Some(b)) => channel::at(a.min(b)),
                (Some(at), None) | (None, Some(at)) => channel::at(at),
                (None, None) => channel::never(),
            };
            select! {
                recv(woken) -> _ => {
                    if let Some(reason) = self.drain()? {
                        return Ok(reason);
                    }
                }
                // A source that has ended (the key reader at the end of the
                // terminal's input, say) is never selected again: a closed
                // channel is always ready, and the loop would spin.
                recv(resized) -> event => match event {
                    Ok(()) => self.resized(),
                    Err(_) => resized = channel::never(),
                },
                recv(signals) -> event => match self.answered(event, &keys, &signals) {
                    // Ctrl-C (SIGINT, the terminal keeps ISIG) first
                    // cancels a prompt, a search or the help, as in less.
                    Ok(SignalEvent::Stop(StopReason::Interrupt)) if self.cancel() => {}
                    Ok(SignalEvent::Stop(reason)) => return Ok(reason),
                    Ok(SignalEvent::Suspend) => self.suspend()?,
                    Err(_) => signals = channel::never(),
                },
                recv(keys) -> event => match self.answered(event, &keys, &signals) {
                    Ok(event) => {
                        if let Some(reason) = self.on_event(&event) {
                            return Ok(reason);
                        }
                    }
                    // The key thread ends on its own only when the terminal
                    // is gone (hung up, or no longer readable): nobody can
                    // see the display or quit it, even with SIGHUP ignored.
                    Err(_) => return Ok(StopReason::Hangup),
                },
                recv(written) -> buf => {
                    if let (Out::Tui(tui), Ok(buf)) = (&mut self.out, buf) {
                        tui.buf = buf;
                        tui.pending = false;
                    }
                    // A file read in place is indexed on from its end once
                    // its last lines are on the screen.
                    if let Err(e) = self.history.start_indexing() {
                        self.notice = Some(visible(format!("{}: cannot index: {e}", self.config.source).as_bytes()).into_owned());
                    }
                }
                recv(indexed) -> tick => {
                    if tick.is_err() {
                        indexed = channel::never();
                        // A filter set while the file was being indexed
                        // checked only the lines known then.
                        self.refilter();
                        if let Some(error) = self.history.error() {
                            let notice = format!("{}: {error}", self.config.source);
                            self.notice = Some(visible(notice.as_bytes()).into_owned());
                        }
                    }
                    if let Out::Tui(tui) = &mut self.out {
                        tui.dirty = true;
                    }
                }
                recv(timer) -> _ => {}
            }
            self.work();
            self.draw_if_due()?;
            self.compact_if_idle();
        }
    }

    /// An event from the key or signal thread is being answered: once none
    /// is left waiting, layouts need no longer stop short for them.
    fn answered<T>(
        &mut self,
        event: T,
        keys: &Receiver<crossterm::event::Event>,
        signals: &Receiver<SignalEvent>,
    ) -> T {
        if let Out::Tui(tui) = &mut self.out
            && keys.is_empty()
            && signals.is_empty()
        {
            tui.cache.answered();
        }
        event
    }
}
