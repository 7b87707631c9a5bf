//! When a carriage return inside a line is a progress update, drawn as a
//! terminal draws it (what follows overwrites what came before), and when
//! it is data, shown as `^M` as `less` shows it.
//!
//! A terminal shows a line with a lone `\r` as the last text written over
//! the row: `downloading 10%\rdownloading 20%` reads `downloading 20%`.
//! Showing only that is right for progress output, and wrong for data: in
//! a binary file (`reflow /usr/bin/ls`) a `\r` would hide what came before
//! it, and a search could never find it. So the overwrite rule holds only
//! where the terminal itself would have shown none of the text before each
//! `\r`: the line is text (valid UTF-8, no control characters but tab,
//! backspace, bell and escape sequences), and the text after each `\r`
//! covers the text before it (it is at least as wide, or erases the rest
//! of the row with `ESC [ K`). Anything else keeps every byte in sight.

use unicode_width::UnicodeWidthChar;

/// True when the carriage returns of `raw` (one line, its `\r\n` ending
/// dropped) overwrite the text before them; false when they are shown as
/// `^M`. A line without one gives true (nothing to decide).
pub(crate) fn returns_overwrite(raw: &[u8]) -> bool {
    if memchr::memchr(b'\r', raw).is_none() {
        return true;
    }
    let control =
        |b: &u8| matches!(b, 0x00..=0x06 | 0x0a..=0x0c | 0x0e..=0x1a | 0x1c..=0x1f | 0x7f);
    if raw.iter().any(control) {
        return false;
    }
    let Ok(text) = std::str::from_utf8(raw) else {
        return false;
    };
    let mut segments = text.split('\r');
    let mut shown = segments.next().map_or(0, |first| measure(first).0);
    for segment in segments {
        if segment.is_empty() {
            // Nothing written: the row stays as it was.
            continue;
        }
        let (width, erases) = measure(segment);
        if width < shown && !erases {
            return false;
        }
        shown = width;
    }
    true
}

/// The columns `segment` takes, escape sequences aside, and whether it
/// erases the rest of the row (`ESC [ K`, `ESC [ 0 K`, `ESC [ 2 K`).
fn measure(segment: &str) -> (usize, bool) {
    let mut width = 0usize;
    let mut erases = false;
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.next() {
                Some('[') => {
                    let mut params = String::new();
                    for c in chars.by_ref() {
                        if ('\x40'..='\x7e').contains(&c) {
                            erases |= c == 'K' && matches!(params.as_str(), "" | "0" | "2");
                            break;
                        }
                        params.push(c);
                    }
                }
                // OSC and other strings: up to BEL or ST.
                Some(']' | 'P' | '_' | '^' | 'X') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\t' => width = (width / 8 + 1) * 8,
            '\x08' => width = width.saturating_sub(1),
            c => width += c.width().unwrap_or(0),
        }
    }
    (width, erases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_updates_overwrite() {
        let cases: &[&[u8]] = &[
            b"downloading [#   ] 10%\rdownloading [##  ] 20%\rdownloading [####] 100%",
            b"\r  0%|          | 0/100\r 10%|#         | 10/100",
            // apt: the last word as wide as the number it replaces.
            b"Reading package lists... 0%\rReading package lists... Done",
            // cargo: a shorter row that erases the rest of the old one.
            b"   Building [=====>    ] 2/5: foo, bar\r\x1b[K   Compiling baz",
            // Colours do not count as width.
            b"\x1b[32m50%\x1b[0m\r\x1b[1m60%\x1b[0m",
            b"spin \xe2\xa0\x8b\rspin \xe2\xa0\x99",
            b"a\r\rb",
            b"no return at all \x00",
        ];
        for raw in cases {
            assert!(
                returns_overwrite(raw),
                "{:?}",
                raw.escape_ascii().to_string()
            );
        }
    }

    #[test]
    fn data_keeps_every_byte_in_sight() {
        let cases: &[&[u8]] = &[
            // Binary: NUL and other controls, or invalid UTF-8.
            b"\x7fELF\x02\x01\x01\x00\x00\r\x00\x00\x00",
            b"ELF data\rmore\x01",
            b"caf\xe9 100%\rcaf\xe9 200%",
            // Text whose later part would leave some of the earlier one
            // on a terminal: not a progress update.
            b"abc,def,ghi\rxyz",
            b"10 s left\r9 s left",
        ];
        for raw in cases {
            assert!(
                !returns_overwrite(raw),
                "{:?}",
                raw.escape_ascii().to_string()
            );
        }
    }
}
