//! Keyboard input: a thread waits on crossterm's event stream and forwards
//! events to the printer thread. It wakes for a key or for its stop signal,
//! never on a timer, and leaves the terminal's input alone once stopped.

use std::io;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{self as channel, Receiver};
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use futures::channel::oneshot;
use futures::future::{Either, select};

/// The input thread; dropping it stops the thread and joins it.
#[derive(Debug)]
pub(crate) struct Input {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    pub(crate) events: Receiver<Event>,
}

impl Input {
    pub(crate) fn start() -> io::Result<Self> {
        let (tx, events) = channel::bounded(64);
        let (stop, mut stopped) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("reflow-input".into())
            .spawn(move || {
                futures::executor::block_on(async move {
                    let mut stream = EventStream::new();
                    // Ends when the terminal is gone, on a read error, or
                    // when told to stop. The stop is looked at first: once
                    // crossterm's waker thread sits in its blocking poll it
                    // holds the event reader's lock, and polling the stream
                    // then blocks this thread until a key comes, so a stop
                    // polled second would wait for a key that never comes
                    // (a quit that hung, now and then, with the terminal
                    // not restored). Dropping the stream wakes that poll.
                    while let Either::Right((Some(Ok(event)), _)) =
                        select(&mut stopped, stream.next()).await
                    {
                        if tx.send(event).is_err() {
                            break;
                        }
                    }
                });
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
            events,
        })
    }
}

impl Drop for Input {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
