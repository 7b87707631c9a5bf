//! The full-screen display's event loop: what the printer thread waits on
//! while a display runs (the queue's wake-up, SIGWINCH and other signals,
//! keys, a written frame, a file's index growing, the next deadline), and
//! what each one leads to.

use std::io;
use std::time::Instant;

use crossbeam_channel::{self as channel, Receiver, select};

use super::Core;
use super::tui::Tui;
use crate::options::StopReason;
use crate::sanitize::visible;
use crate::signals::SignalEvent;
use crate::view::keys::Input;

/// More keys waiting than this are a flood, not keys typed ahead: they are
/// read without a slice of work after each (see the event loop).
const TYPED_AHEAD: usize = 16;

impl Tui {
    /// Blocks in one `select!`, answers what came, then does one slice of
    /// a search, draws if a frame is due, and compresses history if idle.
    pub(super) fn event_loop(&mut self, core: &mut Core) -> io::Result<StopReason> {
        // Own clones of the receivers, so handling an event may borrow self.
        let woken = core.woken().clone();
        let mut resized = self
            .signals
            .as_ref()
            .map_or_else(channel::never, |s| s.resized.clone());
        let mut signals = self
            .signals
            .as_ref()
            .map_or_else(channel::never, |s| s.events.clone());
        let keys = self
            .input
            .as_ref()
            .map_or_else(channel::never, |input| input.events.clone());
        let written = self.terminal.written();
        // A file read in place: its index grows in the background.
        let mut indexed = self.history.progress().unwrap_or_else(channel::never);
        // Its bytes go to --save once the first frame is on its way.
        self.draw_if_due(core)?;
        self.save_in_place(&mut core.config)?;
        loop {
            let frame = (self.dirty && !self.pending).then_some(self.next_frame);
            // Compaction is done when nothing else is waiting: the timer
            // is then due, and the work below checks for input.
            let compaction = self.compaction_due();
            // A search or filter under way goes on at once, a slice at a
            // time, after anything else that is ready.
            // So does the count of a search's matches.
            let busy = (self.find.busy() || self.find.counting()).then(Instant::now);
            // The count of error and warning records, once input is quiet.
            let levels = self.levels_due();
            let timer = [frame, compaction, busy, levels]
                .into_iter()
                .flatten()
                .min()
                .map_or_else(channel::never, channel::at);
            select! {
                recv(woken) -> _ => {
                    if let Some(reason) = core.drain(self)? {
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
                    Ok(SignalEvent::Stop(StopReason::Interrupt, _)) if self.cancel() => {}
                    Ok(SignalEvent::Stop(StopReason::Interrupt, count)) => {
                        if let Some(reason) = self.interrupted(core.config(), count) {
                            return Ok(reason);
                        }
                    }
                    Ok(SignalEvent::Stop(reason, _)) => return Ok(reason),
                    Ok(SignalEvent::Suspend) => self.suspend()?,
                    Err(_) => signals = channel::never(),
                },
                recv(keys) -> event => match self.answered(event, &keys, &signals) {
                    Ok(event) => {
                        if let Some(reason) = self.on_event(core.config(), event) {
                            return Ok(reason);
                        }
                    }
                    // The key thread ends on its own only when the terminal
                    // is gone (hung up, or no longer readable): nobody can
                    // see the display or quit it, even with SIGHUP ignored.
                    Err(_) => return Ok(StopReason::Hangup),
                },
                recv(written) -> buf => {
                    if let Ok(buf) = buf {
                        self.buf = buf;
                        self.pending = false;
                    }
                    // A file read in place is indexed on from its end once
                    // its last lines are on the screen.
                    if let Err(e) = self.history.start_indexing() {
                        let notice = format!("{}: cannot index: {e}", core.config().source);
                        self.say(visible(notice.as_bytes()).into_owned());
                    }
                }
                recv(indexed) -> tick => {
                    if tick.is_err() {
                        indexed = channel::never();
                        // A filter set while the file was being indexed
                        // checked only the lines known then.
                        self.refilter();
                        if let Some(error) = self.history.error() {
                            let notice = format!("{}: {error}", core.config().source);
                            self.say(visible(notice.as_bytes()).into_owned());
                        }
                    }
                    self.index_grew();
                    self.dirty = true;
                }
                recv(timer) -> _ => {}
            }
            // A slice of the search or filter a key started runs before
            // the next key is read, as in less (`&short` Enter `g` goes to
            // the filter's first line), unless more keys wait than anyone
            // types ahead: a flood (a key held down, a paste) then goes
            // through without a slice after each, or 2,000 `E`s, each
            // starting its search over, kept the `q` after them waiting
            // 16 s. A signal waiting is answered first too.
            if keys.len() <= TYPED_AHEAD && signals.is_empty() {
                self.work(core.config());
            }
            if self.levels_due().is_some_and(|due| due <= Instant::now()) {
                self.count_levels(core.config());
            }
            self.draw_if_due(core)?;
            self.waiting.settle(self.dirty, self.pending);
            self.compact_if_idle(core);
        }
    }

    /// An event from the key or signal thread is being answered: once none
    /// is left waiting, layouts need no longer stop short for them.
    fn answered<T>(
        &mut self,
        event: T,
        keys: &Receiver<Input>,
        signals: &Receiver<SignalEvent>,
    ) -> T {
        if keys.is_empty() && signals.is_empty() {
            self.cache.answered();
        }
        event
    }
}
