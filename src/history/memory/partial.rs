//! A byte stream taken in: the lines each piece ends, whole runs at a
//! time, and its unfinished end kept as the partial line, which a display
//! shows before it ends (unless it is huge) but which is not counted yet.

use std::borrow::Cow;

use super::Memory;

/// A partial line shorter than this is shown before its end comes.
const SHOWN_PARTIAL: usize = 1 << 20;

impl Memory {
    /// Takes a piece of a byte stream: the lines it ends, whole runs at a
    /// time, and its unfinished end as the partial line (continued by the
    /// next piece). A huge line is handed over without a copy once it ends.
    pub(crate) fn stream(&mut self, batch: &[u8]) {
        let mut rest = batch;
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.partial.extend_from_slice(rest);
                return;
            };
            let mut line = std::mem::take(&mut self.partial);
            line.extend_from_slice(&rest[..end]);
            self.push_owned(line);
            rest = &rest[end + 1..];
        }
        match memchr::memrchr(b'\n', rest) {
            Some(last) => {
                self.push_block(&rest[..=last]);
                self.partial.extend_from_slice(&rest[last + 1..]);
            }
            None => self.partial.extend_from_slice(rest),
        }
    }

    /// The partial line: what came of the last line so far.
    pub(crate) fn partial(&self) -> &[u8] {
        &self.partial
    }

    /// The input ended inside a line: it is a whole line. Returns whether
    /// there was one.
    pub(crate) fn end_partial(&mut self) -> bool {
        if self.partial.is_empty() {
            return false;
        }
        let line = std::mem::take(&mut self.partial);
        self.push_owned(line);
        true
    }

    /// One past the last line a display shows: the partial line counts
    /// while it is short (a huge one is shown once it ends, rather than
    /// wrapped again with each piece).
    pub(crate) fn shown_len(&self) -> usize {
        self.len + usize::from(!self.partial.is_empty() && self.partial.len() < SHOWN_PARTIAL)
    }

    /// Line `index` as a display shows it: a held line, or the partial
    /// one at [`len`](Memory::len).
    pub(crate) fn shown(&self, index: usize) -> Option<Cow<'_, [u8]>> {
        if index == self.len && index < self.shown_len() {
            return Some(Cow::Borrowed(&self.partial));
        }
        self.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_keeps_its_unfinished_line_apart_until_it_ends() {
        let mut h = Memory::new();
        h.stream(b"one\ntw");
        assert_eq!((h.len(), h.shown_len()), (1, 2));
        assert_eq!(h.shown(1).as_deref(), Some(&b"tw"[..]));
        assert_eq!(h.get(1), None);
        h.stream(b"o");
        h.stream(b"\nthree\n");
        assert_eq!((h.len(), h.shown_len(), h.partial()), (3, 3, &b""[..]));
        assert_eq!(h.text(1).as_deref(), Some("two"));
        h.stream(b"four");
        assert!(h.end_partial());
        assert!(!h.end_partial());
        assert_eq!(h.text(3).as_deref(), Some("four"));
        // A huge unfinished line is not shown until it ends.
        h.stream(&vec![b'x'; SHOWN_PARTIAL]);
        assert_eq!((h.len(), h.shown_len()), (4, 4));
    }
}
