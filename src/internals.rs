//! Entry points for reflow's own benches (`benches/`) and fuzz targets
//! (`fuzz/`), over crate-private parts: not part of the API. The crate
//! root re-exports them, hidden from the docs, only with the `internals`
//! feature (see `Cargo.toml`), so semver and the docs cover the real API.

/// Entry points for the benchmarks in `benches/`: not part of the API.
pub mod bench {
    use std::io;

    use crate::History;
    use crate::layout::{Look, RowCache, tail_rows};
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
        Layouts::default().resized(history, width, height, false, out)
    }

    /// A display's layouts, kept from frame to frame as the printer keeps
    /// them: what was learned of the lines' records (their formats) stays
    /// across a resize; the rows do not.
    #[derive(Default)]
    pub struct Layouts(RowCache);

    impl Layouts {
        /// Lays out and draws one whole `width` x `height` frame of the
        /// newest rows of `history` into `out`, as right after a resize:
        /// every row laid out anew and written. With `records`, log
        /// records are read from the lines as the display reads them
        /// (levels coloured, and a record's wrapped rows and further lines,
        /// a stack trace, hanging under its message). Returns the rows
        /// written.
        ///
        /// # Errors
        ///
        /// As [`redraw`].
        pub fn resized(
            &mut self,
            history: &History,
            width: u16,
            height: u16,
            records: bool,
            out: &mut Vec<u8>,
        ) -> io::Result<usize> {
            let text = Options {
                color: true,
                ..Options::default()
            };
            let look = Look {
                records,
                ..Look::from(text)
            };
            // Another width first: the rows of the last frame are gone.
            self.0.prepare(usize::from(width) + 1, look, None);
            let rows = tail_rows(
                history,
                usize::from(width),
                content_rows(height),
                look,
                &mut self.0,
            );
            Screen::new().frame(out, (width, height), &rows, "status", None)
        }
    }

    /// Compresses every sealed chunk of `history`, as the printer does
    /// once input has been quiet.
    pub fn compact_all(history: &mut History) {
        while history.compact() {}
    }

    /// Bytes `history` reserves, for memory accounting.
    pub fn allocated(history: &History) -> usize {
        history.allocated()
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
        let mut written = screen.frame(out, (width, height), &rows, "status", None)?;
        view.follow();
        let rows = view.rows(&lines, &mut cache, content_rows(height));
        written += screen.frame(out, (width, height), &rows, "status", None)?;
        Ok(written)
    }
}

/// Entry points for the search benchmark: not part of the API.
pub mod bench_search {
    use std::ops::ControlFlow;
    use std::time::Duration;

    use crate::History;
    use crate::sanitize::Options;
    use crate::search::{Drawn, Pattern, Search, Step};

    /// Searches `history` backward from its end for `pattern`, as `?`
    /// does, in steps of 10 ms, to the end: the id of the line found.
    ///
    /// # Errors
    ///
    /// An invalid pattern.
    pub fn backward(history: &History, pattern: &str) -> Result<Option<usize>, String> {
        let pattern = Pattern::new(pattern)?;
        let mut search = Search::new(pattern, history.len(), true);
        // As the display searches: records read, JSON and logfmt readable.
        let mut formats = crate::record::Formats::default();
        let mut drawn = Drawn {
            formats: &mut formats,
            headed: true,
            readable: true,
        };
        loop {
            match search.step(
                history,
                Options::default(),
                Duration::from_millis(10),
                &mut drawn,
            ) {
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

/// Entry points for the filter benchmark: not part of the API.
pub mod bench_filter {
    use std::time::Duration;

    use crate::sanitize::Options;
    use crate::search::{Drawn, Filter, Pattern, Progress, Term};
    use crate::{History, Level};

    /// What the display keeps between filters: the formats of the
    /// history's blocks, learned once.
    #[derive(Default)]
    pub struct Display {
        formats: crate::record::Formats,
    }

    impl Display {
        /// Nothing learned yet.
        pub fn new() -> Display {
            Display::default()
        }

        /// Filters all of `history` as `&pattern` does in the display,
        /// or with `level` as its minimum (`L`), or both, in steps of 10
        /// ms, to the end: how many lines are shown.
        ///
        /// # Errors
        ///
        /// An invalid pattern.
        pub fn filter(
            &mut self,
            history: &History,
            pattern: Option<&str>,
            level: Option<Level>,
        ) -> Result<usize, String> {
            let terms = match pattern {
                Some(p) => vec![Term {
                    pattern: Pattern::new(p)?,
                    negated: false,
                }],
                None => Vec::new(),
            };
            let mut filter = Filter::with_level(terms, level);
            let mut drawn = Drawn {
                formats: &mut self.formats,
                headed: true,
                readable: true,
            };
            while filter.extend(
                history,
                Options::default(),
                Duration::from_millis(10),
                &mut drawn,
            ) != Progress::Done
            {}
            Ok(filter.matches().len())
        }
    }
}

/// Entry point for the fuzz target in `fuzz/`: not part of the API.
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
