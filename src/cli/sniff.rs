//! "may be a binary file": the warning `less` gives, once per input, from
//! its first bytes. The bytes are shown all the same (controls in caret
//! notation, a lone `\r` as `^M`), and searched as received.

use reflow::Closed;

use super::mux::Feed;

/// How much of an input's start is looked at.
pub(crate) const HEAD: usize = 4096;

/// True when `head`, an input's first bytes, looks like binary data: it
/// has a NUL, or more than 5 bytes that are neither text nor the
/// controls text uses (tab, newline, carriage return, form feed,
/// backspace, bell, escape), invalid UTF-8 included, as `less` counts
/// them. An incomplete character at the very end is text cut short.
pub(crate) fn looks_binary(head: &[u8]) -> bool {
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let mut odd = 0;
    let mut at = 0;
    for chunk in head.utf8_chunks() {
        odd += chunk
            .valid()
            .chars()
            .filter(|&c| {
                c.is_control()
                    && !matches!(c, '\t' | '\n' | '\r' | '\x0c' | '\x08' | '\x07' | '\x1b')
            })
            .count();
        at += chunk.valid().len() + chunk.invalid().len();
        let cut_short = at == head.len() && chunk.invalid().len() < 4 && head.len() == HEAD;
        if !chunk.invalid().is_empty() && !cut_short {
            odd += 1;
        }
    }
    odd > 5
}

/// A [`Feed`] that warns once, in the status bar, when its input's first
/// bytes look binary ([`looks_binary`]).
pub(crate) struct Sniffing<'a> {
    inner: &'a mut dyn Feed,
    name: &'a str,
    head: Vec<u8>,
    done: bool,
}

impl<'a> Sniffing<'a> {
    pub(crate) fn new(inner: &'a mut dyn Feed, name: &'a str) -> Self {
        Sniffing {
            inner,
            name,
            head: Vec::new(),
            done: false,
        }
    }

    /// Looks at the head once it is whole, or at the input's end.
    fn decide(&mut self, at_end: bool) {
        if self.done
            || (self.head.len() < HEAD && !at_end && memchr::memchr(0, &self.head).is_none())
        {
            return;
        }
        self.done = true;
        if looks_binary(&self.head) {
            self.inner
                .notice(format!("{} may be a binary file", self.name));
        }
        self.head = Vec::new();
    }
}

impl Feed for Sniffing<'_> {
    fn piece(&mut self, bytes: &[u8]) -> Result<(), Closed> {
        if !self.done {
            let take = bytes.len().min(HEAD - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
            self.decide(false);
        }
        self.inner.piece(bytes)
    }

    fn end_line(&mut self) -> Result<(), Closed> {
        self.decide(true);
        self.inner.end_line()
    }

    fn notice(&self, text: String) {
        self.inner.notice(text);
    }

    fn caught_up(&self) {
        self.inner.caught_up();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_told_from_text_as_less_tells_it() {
        assert!(looks_binary(b"\x7fELF\x02\x01\x01\x00\x00\x00"));
        assert!(looks_binary(
            b"gzip? \x1f\x8b\x08\x08\xfe\xc1\x9a\x01\x02\x03"
        ));
        assert!(!looks_binary(
            b"2026-12-03 INFO ready\n\tat x\r\n\x1b[31merror\x1b[0m\n"
        ));
        assert!(!looks_binary("caf\u{e9} \u{65e5}\u{672c}\n".as_bytes()));
        // Latin-1 text: a few invalid bytes are not yet binary.
        assert!(!looks_binary(b"caf\xe9, na\xefve\n"));
        // A character cut by the end of a whole head is no sign.
        let mut head = vec![b'a'; HEAD - 1];
        head.push(0xe6);
        assert!(!looks_binary(&head));
    }
}
