//! `--merge`: several sources as one stream ordered by record time.
//!
//! Each source is read by its own thread into a [`Sink`], which groups
//! its lines into records ([`reflow::Records`], the format learned per
//! block) and hands them, a read's worth at a time, to the merging
//! thread over a bounded channel of its own. The merge is a k-way merge
//! of the sources' records by time, stable: equal times keep the
//! command-line order, and a source's records always keep their own
//! order. A record is sent whole (its stack trace with it), and every
//! line exactly once.
//!
//! A record with no time (text that is no log, lines before a source's
//! first record) sorts by the time of the record before it in its own
//! source, so it goes right after that one; before a source's first time,
//! before every time.
//!
//! Reading to the end (copied through a pipe, or with -E), the merge is
//! exact: it waits for every source that has not ended to have its next
//! record. On a display that follows (files with -F, commands), a record
//! is held at most [`WINDOW`] for the others to catch up; after that it is
//! shown in the order it arrived, and a record older than one already
//! shown is said once per source in the status bar (`late: b.log
//! 16:00:01.2 is 3.1 s behind`).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{self as channel, Receiver, Select};
use reflow::{Closed, Record, Records, Sender};

use super::inputs::{self, Failures, Opened};
use super::mux::Feed;

/// How long a followed merge holds a record for the other sources.
pub(crate) const WINDOW: Duration = Duration::from_millis(250);

/// Batches a source may have read ahead of the merge (each up to a read,
/// 64 KiB): beyond them its reader waits.
const AHEAD: usize = 8;

/// How much merged output is gathered before it is sent.
const OUT: usize = 64 * 1024;

/// Records of one source, with when they arrived.
type Batch = (Instant, Vec<Record>);

/// How the sources are read and merged.
pub(crate) struct Merge {
    /// Each source's sender (labelled on a display), by its index; one
    /// sender for all when `one`.
    pub(crate) senders: Vec<Sender>,
    /// All sources go through the first sender (nothing tells them
    /// apart: copied through, the bytes are the sources' own).
    pub(crate) one: bool,
    /// Each source's name, for the late notice.
    pub(crate) names: Vec<String>,
    /// Follow FILEs as they grow.
    pub(crate) follow: bool,
    /// Hold records at most this long (`None`: an exact merge).
    pub(crate) window: Option<Duration>,
}

/// Reads every source of `opened` (index: its place among the sources) at
/// once and sends their records to the display through `merge`'s senders,
/// in time order, until all have ended or the display stops.
pub(crate) fn run(
    opened: Vec<(usize, Opened)>,
    tx: &Sender,
    failures: &Arc<Failures>,
    merge: Merge,
) {
    let count = opened.iter().map(|(index, _)| index + 1).max().unwrap_or(0);
    let mut sinks: Vec<Option<Sink>> = (0..count).map(|_| None).collect();
    let mut lanes = Vec::new();
    let live = merge.window.is_some();
    for (index, source) in &opened {
        let (out, rx) = channel::bounded(AHEAD);
        // A followed file has an end for now (it is caught up); a pipe
        // never says, so what it gave is handed on at each read.
        let each_read = live && !source.is_file();
        sinks[*index] = Some(Sink::new(out, tx.clone(), live, each_read));
        lanes.push(Lane::new(*index, rx));
    }
    let follow = merge.follow;
    let merger = {
        let tx = tx.clone();
        thread::Builder::new()
            .name("reflow-merge".into())
            .spawn(move || {
                let _ = merged(
                    lanes,
                    &tx,
                    &merge.senders,
                    merge.one,
                    &merge.names,
                    merge.window,
                );
            })
    };
    let merger = match merger {
        Ok(merger) => merger,
        Err(e) => return failures.report("--merge", &e),
    };
    inputs::at_once(opened.into_iter(), failures, follow, |index| {
        sinks[index].take().expect("one sink for each source")
    });
    let _ = merger.join();
}

/// One source's records, in order, and where it stands in the merge.
struct Lane {
    /// The source's place among the sources.
    index: usize,
    rx: Receiver<Batch>,
    /// Its reader may still send.
    open: bool,
    queue: VecDeque<Held>,
    /// The time a record with none sorts by: the last one's.
    last: i64,
    /// It was said to be late.
    warned: bool,
}

/// A record waiting to be merged.
struct Held {
    /// What it sorts by.
    key: i64,
    /// Its own time, if it has one.
    own: Option<i64>,
    arrived: Instant,
    bytes: Vec<u8>,
}

impl Lane {
    fn new(index: usize, rx: Receiver<Batch>) -> Lane {
        Lane {
            index,
            rx,
            open: true,
            queue: VecDeque::new(),
            last: i64::MIN,
            warned: false,
        }
    }

    fn take(&mut self, (arrived, records): Batch) {
        for record in records {
            // The rest of a record handed on before its end: with it while
            // it waits, else right after it.
            if record.continues()
                && let Some(back) = self.queue.back_mut()
            {
                back.bytes.extend_from_slice(record.bytes());
                continue;
            }
            let own = record.time();
            let key = own.unwrap_or(self.last);
            self.last = key;
            self.queue.push_back(Held {
                key,
                own,
                arrived,
                bytes: record.into_bytes(),
            });
        }
    }

    fn received(&mut self, batch: Result<Batch, channel::RecvError>) {
        match batch {
            Ok(batch) => self.take(batch),
            Err(_) => self.open = false,
        }
    }
}

/// The merge itself (see the module), until every lane has ended.
fn merged(
    mut lanes: Vec<Lane>,
    tx: &Sender,
    senders: &[Sender],
    one: bool,
    names: &[String],
    window: Option<Duration>,
) -> Result<(), Closed> {
    let mut out = Out {
        buf: Vec::with_capacity(OUT),
        to: 0,
    };
    let mut newest: Option<i64> = None;
    loop {
        if window.is_some() {
            for lane in lanes.iter_mut().filter(|l| l.open) {
                loop {
                    match lane.rx.try_recv() {
                        Ok(batch) => lane.take(batch),
                        Err(channel::TryRecvError::Empty) => break,
                        Err(channel::TryRecvError::Disconnected) => {
                            lane.open = false;
                            break;
                        }
                    }
                }
            }
        } else if let Some(lane) = lanes.iter_mut().find(|l| l.open && l.queue.is_empty()) {
            // Exact: every source's next record is needed to know the
            // earliest.
            if lane.rx.is_empty() {
                out.flush(senders)?;
            }
            let batch = lane.rx.recv();
            lane.received(batch);
            continue;
        }
        // The earliest head; on equal times, the first source's.
        let best = lanes
            .iter()
            .enumerate()
            .filter(|(_, lane)| !lane.queue.is_empty())
            .min_by_key(|(_, lane)| lane.queue[0].key)
            .map(|(i, _)| i);
        let Some(best) = best else {
            if lanes.iter().all(|lane| !lane.open) {
                break;
            }
            out.flush(senders)?;
            wait(&mut lanes, None);
            continue;
        };
        if let Some(window) = window {
            let complete = lanes.iter().all(|l| !l.open || !l.queue.is_empty());
            let due = lanes[best].queue[0].arrived + window;
            if !complete && Instant::now() < due {
                out.flush(senders)?;
                wait(&mut lanes, Some(due));
                continue;
            }
        }
        let lane = &mut lanes[best];
        let Some(held) = lane.queue.pop_front() else {
            continue;
        };
        if window.is_some()
            && let (Some(own), Some(newest)) = (held.own, newest)
            && own < newest
            && !lane.warned
        {
            lane.warned = true;
            let name = names.get(lane.index).map_or("", String::as_str);
            let _ = tx.notice(late(name, own, newest));
        }
        newest = Some(newest.map_or(held.key, |n| n.max(held.key)));
        out.push(if one { 0 } else { lane.index }, &held.bytes, senders)?;
    }
    out.flush(senders)
}

/// Waits for the next batch of any open lane, until `until` at most.
fn wait(lanes: &mut [Lane], until: Option<Instant>) {
    let received = {
        let mut select = Select::new();
        let mut ids = Vec::new();
        for (i, lane) in lanes.iter().enumerate().filter(|(_, l)| l.open) {
            select.recv(&lane.rx);
            ids.push(i);
        }
        // None open: every queue is complete, and nothing is waited for.
        if ids.is_empty() {
            return;
        }
        let op = match until {
            Some(until) => match select.select_deadline(until) {
                Ok(op) => op,
                Err(_) => return,
            },
            None => select.select(),
        };
        let i = ids[op.index()];
        (i, op.recv(&lanes[i].rx))
    };
    let (i, batch) = received;
    lanes[i].received(batch);
}

/// `late: b.log 16:00:01.2 is 3.1 s behind`: a record of `name` at `time`
/// shown after one at `newest`.
fn late(name: &str, time: i64, newest: i64) -> String {
    const NANOS: i64 = 1_000_000_000;
    let of_day = time.rem_euclid(86_400 * NANOS);
    let secs = of_day / NANOS;
    let tenth = of_day % NANOS / (NANOS / 10);
    let behind = (newest - time) as f64 / NANOS as f64;
    format!(
        "late: {name} {:02}:{:02}:{:02}.{tenth} is {behind:.1} s behind",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Merged output gathered for one sender.
struct Out {
    buf: Vec<u8>,
    /// The sender it goes through.
    to: usize,
}

impl Out {
    fn push(&mut self, to: usize, bytes: &[u8], senders: &[Sender]) -> Result<(), Closed> {
        if to != self.to {
            self.flush(senders)?;
            self.to = to;
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= OUT {
            self.flush(senders)?;
        }
        Ok(())
    }

    fn flush(&mut self, senders: &[Sender]) -> Result<(), Closed> {
        if self.buf.is_empty() {
            return Ok(());
        }
        if let Some(sender) = senders.get(self.to) {
            sender.lines(&self.buf)?;
        }
        self.buf.clear();
        Ok(())
    }
}

/// One source's way into the merge: its lines grouped into records,
/// handed on a read at a time.
pub(crate) struct Sink {
    inner: RefCell<Inner>,
    /// For notices.
    tx: Sender,
}

struct Inner {
    records: Records,
    /// A line not ended yet.
    partial: Vec<u8>,
    out: channel::Sender<Batch>,
    /// Hand on what a read completes, also the record still open, at each
    /// read (a pipe), or when caught up (a followed file).
    live: bool,
    each_read: bool,
}

impl Sink {
    fn new(out: channel::Sender<Batch>, tx: Sender, live: bool, each_read: bool) -> Sink {
        Sink {
            inner: RefCell::new(Inner {
                records: Records::new(),
                partial: Vec::new(),
                out,
                live,
                each_read,
            }),
            tx,
        }
    }
}

impl Inner {
    fn lines(&mut self, mut bytes: &[u8]) {
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', bytes) else {
                self.partial.extend_from_slice(bytes);
                return;
            };
            self.partial.extend_from_slice(&bytes[..=end]);
            self.records.push(&self.partial);
            self.partial.clear();
            bytes = &bytes[end + 1..];
        }
        while let Some(end) = memchr::memchr(b'\n', bytes) {
            self.records.push(&bytes[..=end]);
            bytes = &bytes[end + 1..];
        }
        self.partial.extend_from_slice(bytes);
    }

    fn end_line(&mut self) {
        if !self.partial.is_empty() {
            self.partial.push(b'\n');
            self.records.push(&self.partial);
            self.partial.clear();
        }
    }

    fn send(&mut self) -> Result<(), Closed> {
        let batch: Vec<Record> = self.records.by_ref().collect();
        if batch.is_empty() {
            return Ok(());
        }
        self.out.send((Instant::now(), batch)).map_err(|_| Closed)
    }
}

impl Feed for Sink {
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed> {
        let inner = self.inner.get_mut();
        inner.lines(bytes);
        if inner.each_read {
            inner.records.flush();
        }
        inner.send()
    }

    fn end_line(&mut self) -> Result<(), Closed> {
        let inner = self.inner.get_mut();
        inner.end_line();
        if inner.live {
            inner.records.flush();
        }
        inner.send()
    }

    fn notice(&self, text: String) {
        let _ = self.tx.notice(text);
    }

    fn caught_up(&self) {
        let mut inner = self.inner.borrow_mut();
        if inner.live {
            inner.records.flush();
            let _ = inner.send();
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let inner = self.inner.get_mut();
        inner.end_line();
        inner.records.end();
        let _ = inner.send();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_late_notice_says_the_time_and_how_far_behind() {
        let t = 1_796_313_601_234_000_000;
        assert_eq!(
            late("b.log", t, t + 3_100_000_000),
            "late: b.log 16:00:01.2 is 3.1 s behind"
        );
    }
}
