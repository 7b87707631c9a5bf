//! The formats of a history's blocks, learned when a line of the block is
//! first drawn, searched or filtered, and kept.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use super::{BLOCK, Format, SAMPLE, Sample};
use crate::history::History;
use crate::tag;

/// Each block's [`Format`] (see the module), by the id of its first line.
///
/// A block whose lines come from several labelled sources interleaved
/// (`-F`, `--cmd`: each line's header names its source) is *mixed*: each
/// source's lines of the sample are learned alone, so a Java log next to
/// a JSON command is read as both, and [`of_line`](Formats::of_line)
/// gives a line its own source's format.
#[derive(Debug, Default)]
pub(crate) struct Formats {
    blocks: HashMap<usize, Learned>,
    /// The last block learned that is still filling: it is learned
    /// again as its lines come, never kept in `blocks`.
    filling: Option<Learned>,
    /// Each block's sample, counted: a block's format is learned with
    /// the one before's as its prior, so a search through a long history
    /// would otherwise read every sample twice.
    samples: HashMap<usize, Samples>,
    /// Lines that begin a source: blocks are counted from each.
    starts: BTreeSet<usize>,
}

/// A block's format, and each source's when it is mixed.
#[derive(Debug, Default)]
struct Learned {
    format: Format,
    /// By label, when the sample holds more than one (else empty).
    sources: Vec<(String, Format)>,
}

/// The entry of `label` among a block's sources, by label.
fn by_label<'a, T>(sources: &'a [(String, T)], label: &str) -> Option<&'a T> {
    sources
        .iter()
        .find(|(name, _)| name == label)
        .map(|(_, entry)| entry)
}

/// A block's sample counted whole, and by the label of each line (`""`
/// for none).
#[derive(Clone, Debug, Default)]
struct Samples {
    all: Sample,
    sources: Vec<(String, Sample)>,
}

impl Samples {
    fn mixed(&self) -> bool {
        self.sources.len() > 1
    }

    /// The formats these lines have alone, with no prior: the priors of
    /// the block after.
    fn alone(&self) -> Learned {
        Learned {
            format: self.all.format(None),
            sources: (self.sources.iter())
                .map(|(name, sample)| (name.clone(), sample.format(None)))
                .collect(),
        }
    }
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
    /// start with reflow's header (not a file read in place). In a mixed
    /// block (see [`Formats`]) it is the format of all its lines at once:
    /// ask [`of_line`](Formats::of_line) for a line's own.
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
        self.learned(history, headed, id).format
    }

    /// The format line `id` (`raw`, as held) is read in: its block's, or
    /// in a mixed block its own source's.
    pub(crate) fn of_line(
        &mut self,
        history: &History,
        headed: bool,
        id: usize,
        raw: &[u8],
    ) -> Format {
        if id < history.first() {
            return self.of(history, headed, id);
        }
        let learned = self.learned(history, headed, id);
        if learned.sources.is_empty() {
            return learned.format;
        }
        let label = tag::split(raw, headed).0.label.map(|label| label.name);
        let label = label.as_deref().unwrap_or_default();
        by_label(&learned.sources, label).map_or(learned.format, |format| *format)
    }

    /// Whether `test` holds for a format of line `id`'s block: its own,
    /// or, mixed, one of its sources'.
    pub(crate) fn any(
        &mut self,
        history: &History,
        headed: bool,
        id: usize,
        test: impl Fn(&Format) -> bool,
    ) -> bool {
        if id < history.first() {
            return test(&self.of(history, headed, id));
        }
        let learned = self.learned(history, headed, id);
        test(&learned.format) || learned.sources.iter().any(|(_, format)| test(format))
    }

    /// Line `id`'s block is mixed: each line is read in its source's
    /// format ([`of_line`](Formats::of_line)).
    pub(crate) fn mixed(&mut self, history: &History, headed: bool, id: usize) -> bool {
        id >= history.first() && !self.learned(history, headed, id).sources.is_empty()
    }

    /// Line `id`'s block, learned (`id` is held).
    fn learned(&mut self, history: &History, headed: bool, id: usize) -> &Learned {
        let (source, first) = self.block(id);
        if !self.blocks.contains_key(&first) {
            // The block before's formats, each learned alone: the priors.
            let before = first.checked_sub(BLOCK).filter(|&before| before >= source);
            // Neither block's start is held (a file indexed from its end):
            // both are sampled from the first line held, read once.
            let alike = first < history.first();
            let before_alone = before
                .filter(|_| !alike)
                .map(|before| self.sample(history, headed, before).alone());
            let samples = self.sample(history, headed, first);
            let before = before_alone.or_else(|| before.map(|_| samples.alone()));
            let prior = |label: Option<&str>| {
                let before = before.as_ref()?;
                match label {
                    None => Some(before.format),
                    Some(label) => by_label(&before.sources, label).copied(),
                }
            };
            let format = samples.all.format(prior(None));
            let sources = match samples.mixed() {
                true => samples
                    .sources
                    .iter()
                    .map(|(name, sample)| (name.clone(), sample.format(prior(Some(name)))))
                    .collect(),
                false => Vec::new(),
            };
            // A block still filling is learned again as its lines come.
            let learned = Learned { format, sources };
            let filling = samples.all.len() < SAMPLE && first + BLOCK > history.len();
            if filling {
                return self.filling.insert(learned);
            }
            self.blocks.insert(first, learned);
        }
        &self.blocks[&first]
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
    /// [`SAMPLE`] lines from it on, without their headers, as shown,
    /// counted whole and by label.
    fn sample(&mut self, history: &History, headed: bool, first: usize) -> Cow<'_, Samples> {
        if self.samples.contains_key(&first) {
            return Cow::Borrowed(&self.samples[&first]);
        }
        // A block whose start is not held (not indexed yet, dropped by a
        // cap): the lines from the first held on.
        let from = first.max(history.first());
        let end = history.len().min(from + SAMPLE);
        let mut samples = Samples::default();
        history.for_lines(from..end, |raw| {
            let (head, own) = tag::split(raw, headed);
            let text = super::text(own);
            samples.all.add(&text);
            let label = head.label.map(|label| label.name).unwrap_or_default();
            match samples.sources.iter_mut().find(|(name, _)| *name == label) {
                Some((_, sample)) => sample.add(&text),
                None => {
                    let mut sample = Sample::default();
                    sample.add(&text);
                    samples.sources.push((label, sample));
                }
            }
        });
        if samples.all.len() >= SAMPLE || first + BLOCK <= history.len() {
            return Cow::Borrowed(self.samples.entry(first).or_insert(samples));
        }
        Cow::Owned(samples)
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
