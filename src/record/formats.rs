//! The formats of a history's blocks, learned when a line of the block is
//! first drawn, searched or filtered, and kept.

use std::collections::{BTreeSet, HashMap};

use super::{BLOCK, Format, SAMPLE};
use crate::history::History;
use crate::tag;

/// Each block's [`Format`] (see the module), by the id of its first line.
#[derive(Debug, Default)]
pub(crate) struct Formats {
    blocks: HashMap<usize, Format>,
    /// Lines that begin a source: blocks are counted from each.
    starts: BTreeSet<usize>,
}

impl Formats {
    /// Line `id` begins a source.
    pub(crate) fn begin_source(&mut self, id: usize) {
        self.starts.insert(id);
        // Blocks at and after it are counted anew.
        self.blocks.retain(|&first, _| first < id);
    }

    /// The first line after the block line `id` is in: the next block's
    /// first, or the next source's.
    pub(crate) fn block_end(&self, id: usize) -> usize {
        let source = self.starts.range(..=id).next_back().copied().unwrap_or(0);
        let end = source + ((id - source) / BLOCK + 1) * BLOCK;
        self.starts
            .range(id + 1..)
            .next()
            .map_or(end, |&next| next.min(end))
    }

    /// The format of the block line `id` is in; `headed`: lines may
    /// start with reflow's header (not a file read in place).
    pub(crate) fn of(&mut self, history: &History, headed: bool, id: usize) -> Format {
        if id < history.first() {
            // A line of a file named by its offset, not indexed yet: the
            // lines from it on.
            return Format::learn(
                OffsetSample::new(history, id)
                    .lines(headed)
                    .iter()
                    .map(Vec::as_slice),
                None,
            );
        }
        let source = self.starts.range(..=id).next_back().copied().unwrap_or(0);
        let first = source + (id - source) / BLOCK * BLOCK;
        if let Some(format) = self.blocks.get(&first) {
            return *format;
        }
        let prior = first
            .checked_sub(BLOCK)
            .filter(|&before| before >= source)
            .map(|before| {
                Format::learn(
                    sample(history, headed, before).iter().map(Vec::as_slice),
                    None,
                )
            });
        let sample = sample(history, headed, first);
        let format = Format::learn(sample.iter().map(Vec::as_slice), prior);
        // A block still filling is learned again as its lines come.
        if sample.len() >= SAMPLE || first + BLOCK <= history.len() {
            self.blocks.insert(first, format);
        }
        format
    }
}

/// Up to [`SAMPLE`] lines from `first` on, without their headers.
fn sample(history: &History, headed: bool, first: usize) -> Vec<Vec<u8>> {
    let first = first.max(history.first());
    let end = history.len().min(first + SAMPLE);
    (first..end)
        .filter_map(|id| history.get(id))
        .map(|raw| super::text(tag::split(&raw, headed).1).into_owned())
        .collect()
}

/// Lines read forward from a line named by its offset.
struct OffsetSample<'a> {
    history: &'a History,
    id: usize,
}

impl<'a> OffsetSample<'a> {
    fn new(history: &'a History, id: usize) -> Self {
        OffsetSample { history, id }
    }

    fn lines(&self, headed: bool) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut id = Some(self.id);
        while let Some(at) = id
            && out.len() < SAMPLE
        {
            if let Some(raw) = self.history.shown(at) {
                out.push(super::text(tag::split(&raw, headed).1).into_owned());
            }
            id = self.history.next_shown(at);
        }
        out
    }
}
