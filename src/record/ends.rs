//! Where the lines of a run end, and whether each shows as held: what
//! the level filter's skip loop asks of every line it passes over.
//!
//! One search for `\n`, ESC and `\r` at once tells both. Called on
//! every line of 100 bytes, `memchr3`'s dispatch (which of memchr's
//! searchers this CPU has) and setup were a sixth of its time, 4% of
//! the level filter's (`cargo bench --bench filter` under `perf`):
//! [`Ends`] picks the searcher once, for a run.

/// The ends of the lines of a run, with one searcher for them all.
#[derive(Debug)]
pub(crate) struct Ends<'a> {
    run: &'a [u8],
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::Three>,
}

impl<'a> Ends<'a> {
    /// The ends of `run`'s lines.
    pub(crate) fn new(run: &'a [u8]) -> Ends<'a> {
        Ends {
            run,
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::Three::new(b'\n', 0x1b, b'\r'),
        }
    }

    /// The run.
    pub(crate) fn run(&self) -> &'a [u8] {
        self.run
    }

    /// The first `\n`, ESC or `\r` of `bytes`.
    #[inline]
    fn find(&self, bytes: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = &self.avx2 {
            return avx2.find(bytes);
        }
        memchr::memchr3(b'\n', 0x1b, b'\r', bytes)
    }

    /// The end of the line that starts at `at` (the index of its `\n`,
    /// or the run's length), and whether it shows as it is held (no ESC,
    /// no `\r` but one just before its end: see
    /// [`shown_as_held`](super::shown_as_held)).
    #[inline]
    pub(crate) fn from(&self, at: usize) -> (usize, bool) {
        let run = self.run;
        let Some(i) = run
            .get(at..)
            .and_then(|rest| self.find(rest))
            .map(|i| at + i)
        else {
            return (run.len(), true);
        };
        match (run[i], run.get(i + 1)) {
            (b'\n', _) => (i, true),
            (b'\r', Some(b'\n')) => (i + 1, true),
            (b'\r', None) => (run.len(), true),
            _ => (
                memchr::memchr(b'\n', &run[i..]).map_or(run.len(), |n| i + n),
                false,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::shown_as_held;
    use super::*;

    /// Every place of `run` answered as the line from it to the next
    /// `\n` is, in order and back to front.
    fn agree(run: &[u8]) {
        let ends = Ends::new(run);
        for at in (0..=run.len()).chain((0..=run.len()).rev()) {
            let stop = (at..run.len())
                .find(|&i| run[i] == b'\n')
                .unwrap_or(run.len());
            let want = (stop, shown_as_held(&run[at.min(stop)..stop]));
            assert_eq!(ends.from(at), want, "{at} of {run:?}");
        }
    }

    #[test]
    fn a_line_ends_at_its_newline_and_is_clean_as_its_bytes_say() {
        agree(b"");
        agree(b"a\nb\r\nc\rd\ne\x1b[1mf\ng\r");
        agree(b"no newline at all");
        agree(b"\r\n\r\x1b\n\n\r");
        // An ESC far from the end of its line, `\r\n` endings, a last
        // line ending in `\r`.
        let mut run = Vec::new();
        for i in 0..300 {
            run.extend_from_slice(&vec![b'x'; i % 97]);
            match i % 7 {
                0 => run.extend_from_slice(b"\r\n"),
                1 => run.extend_from_slice(b"\x1b[0m tail\n"),
                2 => run.extend_from_slice(b"10%\rdone\n"),
                3 => run.extend_from_slice(b"\r\r\n"),
                _ => run.push(b'\n'),
            }
        }
        run.push(b'\r');
        agree(&run);
    }
}
