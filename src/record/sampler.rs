//! A stream's format, learned as its lines come: what the passthrough
//! `--level` filter and [`Records`](super::reader::Records) read lines
//! with, as [`Formats`](super::Formats) does for a history.
//!
//! Each block's first [`SAMPLE`] lines are held until its format is
//! learned from them (their text as shown: a log in colours is read as
//! the words it shows), or until the input pauses; then they, and every
//! later line of the block, are handed on with the format.

use super::{BLOCK, Format, SAMPLE, Sample, text};

/// The format of one source's lines, learned per block (see the module).
#[derive(Debug, Default)]
pub(crate) struct Sampler {
    /// The block's first lines, each with its `\n`, held while learning,
    /// and where each ends.
    held: Vec<u8>,
    ends: Vec<usize>,
    /// The next line's place in its source.
    line: usize,
    /// The block's format, once learned.
    format: Option<Format>,
    /// The block before's format learned alone: the prior of this one.
    before: Option<Format>,
}

impl Sampler {
    /// Takes `line` (its bytes with the `\n` that ends it, if any) and
    /// hands to `take` each line whose block's format is known, with it,
    /// in order: this one, or the block's held lines once learned.
    pub(crate) fn push(&mut self, line: &[u8], mut take: impl FnMut(Format, &[u8])) {
        if self.line.is_multiple_of(BLOCK) {
            self.format = None;
        }
        self.line += 1;
        match self.format {
            Some(format) => take(format, line),
            None => {
                self.held.extend_from_slice(line);
                self.ends.push(self.held.len());
                if self.ends.len() >= SAMPLE {
                    self.learn(take);
                }
            }
        }
    }

    /// The input paused or ended: a block still learning is learned from
    /// the lines it has, handed to `take`, so none is held back.
    pub(crate) fn pause(&mut self, take: impl FnMut(Format, &[u8])) {
        if !self.ends.is_empty() {
            self.learn(take);
        }
    }

    /// The format of the block being read, once learned.
    pub(crate) fn format(&self) -> Option<Format> {
        self.format
    }

    fn learn(&mut self, mut take: impl FnMut(Format, &[u8])) {
        let held = std::mem::take(&mut self.held);
        let ends = std::mem::take(&mut self.ends);
        let mut sample = Sample::default();
        split(&held, &ends).for_each(|line| sample.add(&text(strip(line))));
        let format = sample.format(self.before);
        self.before = Some(sample.format(None));
        self.format = Some(format);
        for line in split(&held, &ends) {
            take(format, line);
        }
    }
}

/// The held lines, each with its `\n`.
fn split<'a>(held: &'a [u8], ends: &'a [usize]) -> impl Iterator<Item = &'a [u8]> {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts.zip(ends.iter().copied()).map(|(s, e)| &held[s..e])
}

/// A line's text, without its `\n` or `\r\n`.
pub(crate) fn strip(line: &[u8]) -> &[u8] {
    let text = line.strip_suffix(b"\n").unwrap_or(line);
    text.strip_suffix(b"\r").unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Shape;

    fn learned(lines: &[&str]) -> Vec<(Option<Shape>, String)> {
        let mut sampler = Sampler::default();
        let mut got = Vec::new();
        let mut take = |format: Format, line: &[u8]| {
            got.push((format.shape, String::from_utf8_lossy(line).into_owned()));
        };
        for line in lines {
            sampler.push(line.as_bytes(), &mut take);
        }
        sampler.pause(&mut take);
        got
    }

    #[test]
    fn every_line_comes_once_in_order_with_its_blocks_format() {
        let lines: Vec<String> = (0..BLOCK + 3)
            .map(|i| format!("2026-12-03 16:00:00 INFO n={i}\n"))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let got = learned(&lines);
        assert_eq!(got.len(), lines.len());
        assert!(got.iter().zip(&lines).all(|((_, g), w)| g == w));
        assert!(got.iter().all(|(shape, _)| shape.is_some()));
    }

    #[test]
    fn a_log_in_colours_is_learned_from_the_words_it_shows() {
        let line = "\x1b[2m2026-12-03T16:00:00Z\x1b[0m \x1b[31mERROR\x1b[0m app: failed\n";
        let got = learned(&[line, line, line]);
        assert!(got.iter().all(|(shape, _)| shape.is_some()), "{got:?}");
    }
}
