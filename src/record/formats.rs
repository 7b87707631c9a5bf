//! The formats of a history's blocks, learned when a line of the block is
//! first drawn, searched or filtered, and kept.

use std::collections::{BTreeSet, HashMap};

use super::{BLOCK, Format, SAMPLE, Sample};
use crate::history::History;
use crate::tag;

/// Each block's [`Format`] (see the module), by the id of its first line.
#[derive(Debug, Default)]
pub(crate) struct Formats {
    blocks: HashMap<usize, Format>,
    /// Each block's sample, counted: a block's format is learned with
    /// the one before's as its prior, so a search through a long history
    /// would otherwise read every sample twice.
    samples: HashMap<usize, Sample>,
    /// Lines that begin a source: blocks are counted from each.
    starts: BTreeSet<usize>,
}

impl Formats {
    /// Line `id` begins a source.
    pub(crate) fn begin_source(&mut self, id: usize) {
        self.starts.insert(id);
        // Blocks at and after it are counted anew.
        self.blocks.retain(|&first, _| first < id);
        self.samples.retain(|&first, _| first < id);
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
        let (source, first) = self.block(id);
        if let Some(format) = self.blocks.get(&first) {
            return *format;
        }
        let prior = first
            .checked_sub(BLOCK)
            .filter(|&before| before >= source)
            .map(|before| self.sample(history, headed, before).format(None));
        let sample = self.sample(history, headed, first);
        let format = sample.format(prior);
        // A block still filling is learned again as its lines come.
        if sample.len() >= SAMPLE || first + BLOCK <= history.len() {
            self.blocks.insert(first, format);
        }
        format
    }

    /// The first line of the block after line `id`'s: `BLOCK` lines on
    /// from its block's first, or the next source's first line if sooner.
    pub(crate) fn block_end(&self, id: usize) -> usize {
        let (_, first) = self.block(id);
        let end = first + BLOCK;
        let next = self.starts.range(id + 1..).next().copied();
        next.map_or(end, |next| next.min(end))
    }

    /// The first line of line `id`'s source, and of its block.
    fn block(&self, id: usize) -> (usize, usize) {
        let source = self.starts.range(..=id).next_back().copied().unwrap_or(0);
        (source, source + (id - source) / BLOCK * BLOCK)
    }

    /// The sample of the block that starts at line `first`: up to
    /// [`SAMPLE`] lines from it on, without their headers, as shown.
    fn sample(&mut self, history: &History, headed: bool, first: usize) -> Sample {
        if let Some(sample) = self.samples.get(&first) {
            return *sample;
        }
        // A block whose start is not held (not indexed yet, dropped by a
        // cap): the lines from the first held on.
        let from = first.max(history.first());
        let end = history.len().min(from + SAMPLE);
        let mut sample = Sample::default();
        history.for_lines(from..end, |raw| {
            sample.add(&super::text(tag::split(raw, headed).1));
        });
        if sample.len() >= SAMPLE || first + BLOCK <= history.len() {
            self.samples.insert(first, sample);
        }
        sample
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_whose_start_is_gone_is_learned_from_the_lines_held() {
        let mut history = History::with_max_lines(1000);
        for i in 0..2000 {
            history.push(format!("2026-12-03 16:00:00,{i:03} INFO a: line {i}").as_bytes());
        }
        assert_eq!(history.first(), 1000);
        let format = Formats::default().of(&history, true, 1010);
        assert_eq!(format.shape, Some(super::super::Shape::Stamp));
        assert!(format.levels);
    }
}
