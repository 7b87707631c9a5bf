//! Pure: untrusted line bytes in, text that is safe to draw out.
//!
//! A log line must never reach the terminal as a control sequence: it could
//! move the cursor, clear the screen or set the title. Every control
//! character, `ESC` included, is shown in caret notation (`^[`, `^G`, `^?`)
//! the way `less` shows it, so what was in the log stays visible.

use unicode_width::UnicodeWidthChar;

/// Default tab stop distance.
pub(crate) const TAB_WIDTH: usize = 8;

/// Turns one raw line into displayable text.
///
/// Invalid UTF-8 becomes U+FFFD. A trailing `\r` (from `\r\n` line ends)
/// is dropped; a lone `\r` means what came before it was overwritten, so
/// only the text after the last one is kept. Tabs expand to `tab_width`
/// column stops. Control characters become caret notation.
pub fn sanitize(raw: &[u8], tab_width: usize) -> String {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let raw = match memchr::memrchr(b'\r', raw) {
        Some(i) => &raw[i + 1..],
        None => raw,
    };
    let text = String::from_utf8_lossy(raw);
    let tab_width = tab_width.max(1);
    let mut out = String::with_capacity(text.len());
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let spaces = tab_width - column % tab_width;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            '\0'..='\x1f' => {
                out.push('^');
                out.push(char::from(c as u8 ^ 0x40));
                column += 2;
            }
            '\x7f' => {
                out.push_str("^?");
                column += 2;
            }
            // C1 controls: 8-bit escape sequence introducers on some terminals.
            '\u{80}'..='\u{9f}' => {
                out.push_str("^[");
                out.push(char::from((c as u32 - 0x40) as u8));
                column += 3;
            }
            _ => {
                out.push(c);
                column += c.width().unwrap_or(0);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(sanitize(b"hello world", 8), "hello world");
        assert_eq!(sanitize("日本語 ok".as_bytes(), 8), "日本語 ok");
    }

    #[test]
    fn escape_sequences_cannot_reach_the_terminal() {
        let cases: &[(&[u8], &str)] = &[
            (b"\x1b[2Jcleared", "^[[2Jcleared"),
            (b"\x1b]2;title\x07x", "^[]2;title^Gx"),
            (b"\x1b[?1049l", "^[[?1049l"),
            (b"bell\x07", "bell^G"),
            (b"nul\0byte", "nul^@byte"),
            (b"del\x7f", "del^?"),
            ("c1 \u{9b}2J".as_bytes(), "c1 ^[[2J"),
        ];
        for (raw, want) in cases {
            let got = sanitize(raw, 8);
            assert_eq!(&got, want, "input {raw:?}");
            assert!(!got.contains('\x1b'));
        }
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        assert_eq!(sanitize(b"a\xffb", 8), "a\u{fffd}b");
    }

    #[test]
    fn tabs_expand_to_stops() {
        assert_eq!(sanitize(b"a\tb", 8), "a       b");
        assert_eq!(sanitize(b"\tb", 4), "    b");
        assert_eq!(sanitize(b"abcd\tb", 4), "abcd    b");
        assert_eq!(sanitize("日\tb".as_bytes(), 4), "日  b");
    }

    #[test]
    fn carriage_returns() {
        assert_eq!(sanitize(b"windows line\r", 8), "windows line");
        assert_eq!(sanitize(b"10%\r50%\r100%", 8), "100%");
        assert_eq!(sanitize(b"10%\r50%\r100%\r", 8), "100%");
    }
}
