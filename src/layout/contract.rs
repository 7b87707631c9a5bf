//! The layout contract, checked: shared by the property tests and the
//! fuzz target.

use unicode_segmentation::UnicodeSegmentation;

use crate::sanitize::{Options, sanitize_styled};

use super::streamed::wrap_streamed;
use super::width::width_of;
use super::wrap::{each_row, wrap_ranges};
use super::{Hang, Wrapped};

/// Checks the layout contract for one raw line at one width: every row
/// fits (unless it is one cluster wider than the width, which is drawn as
/// `?`), no grapheme cluster is split, the rows' text is the sanitized line
/// less only the spaces at breaks, and painted rows hold no escape but our
/// SGR, ending in a reset. Shared by the property test and the fuzz target.
pub(crate) fn check_contract(raw: &[u8], width: usize) -> Result<(), String> {
    let width = width.max(1);
    let styled = sanitize_styled(
        raw,
        Options {
            tab_width: 8,
            color: true,
        },
    );
    let text = styled.text.as_str();
    if text.contains(|c: char| c.is_control()) {
        return Err(format!("control character left in {text:?}"));
    }
    let ranges = wrap_ranges(text, width);
    let mut streamed = Vec::new();
    each_row(text, width, |range| streamed.push(range));
    if streamed != ranges {
        return Err(format!(
            "one row at a time {streamed:?} differs from textwrap {ranges:?}"
        ));
    }
    let boundaries: std::collections::HashSet<usize> = text
        .grapheme_indices(true)
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect();
    if ranges.first().map(|r| r.start) != Some(0) {
        return Err("the first row does not start the line".into());
    }
    let mut joined = String::new();
    let mut at = 0;
    for range in &ranges {
        if range.start < at || !text[at..range.start].bytes().all(|b| b == b' ') {
            return Err(format!("more than break spaces lost before {range:?}"));
        }
        if !boundaries.contains(&range.start) || !boundaries.contains(&range.end) {
            return Err(format!(
                "row {range:?} splits a grapheme cluster of {text:?}"
            ));
        }
        let row = &text[range.clone()];
        let cols = width_of(row);
        if cols > width && row.graphemes(true).count() != 1 {
            return Err(format!("row {row:?} is {cols} columns at width {width}"));
        }
        joined.push_str(row);
        at = range.end;
    }
    if !text[at..].bytes().all(|b| b == b' ') {
        return Err("text lost after the last row".into());
    }
    if joined.replace(' ', "") != text.replace(' ', "") {
        return Err("the rows do not add up to the line".into());
    }
    let wrapped = Wrapped {
        line: styled.clone(),
        count: ranges.len(),
        rows: ranges.into(),
        indent: 0,
        indent_first: false,
        cut_short: false,
        hang: Hang::None,
    };
    for i in 0..wrapped.count {
        let row = wrapped.row(i, width);
        let plain = strip_sgr(&row.text)
            .ok_or_else(|| format!("non-SGR escape or open link in {:?}", row.text))?;
        if row.width > width || width_of(&plain) > width {
            return Err(format!("painted row {:?} wider than {width}", row.text));
        }
        if row.text.contains("\x1b[") && !row.text.ends_with("\x1b[0m") {
            return Err(format!(
                "styled row {:?} does not end with a reset",
                row.text
            ));
        }
    }
    // A huge line is sanitized and wrapped a window at a time: small
    // windows and few kept rows give the same last rows.
    let options = Options {
        tab_width: 8,
        color: true,
    };
    let keep = 3;
    let streamed = wrap_streamed(raw, width, options, 7, keep);
    if streamed.count != wrapped.count {
        return Err(format!(
            "a window at a time: {} rows, whole: {}",
            streamed.count, wrapped.count
        ));
    }
    for i in wrapped.count.saturating_sub(keep)..wrapped.count {
        if streamed.row(i, width) != wrapped.row(i, width) {
            return Err(format!("a window at a time, row {i} differs"));
        }
    }
    Ok(())
}

/// A painted row without our SGR sequences (`ESC [ digits/; m`) and our
/// OSC 8 links (`ESC ] 8 ; id ; URI ESC \\`, the id plain, the URI printable
/// ASCII of a kept scheme), or `None` if it holds any other escape, or a
/// link still open at its end.
pub(crate) fn strip_sgr(row: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = row;
    let mut open = false;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        if let Some(after) = rest[at..].strip_prefix("\x1b]8;") {
            let end = after.find("\x1b\\")?;
            let (id, uri) = after[..end].split_once(';')?;
            let id_ok = id.is_empty()
                || id.strip_prefix("id=").is_some_and(|id| {
                    id.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
                });
            let scheme = uri.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
            let uri_ok = uri.is_empty()
                || (uri.bytes().all(|b| (0x21..=0x7e).contains(&b))
                    && matches!(scheme.as_deref(), Some("http" | "https" | "file")));
            if !id_ok || !uri_ok {
                return None;
            }
            open = !uri.is_empty();
            rest = &after[end + 2..];
            continue;
        }
        let after = rest[at..].strip_prefix("\x1b[")?;
        let end = after.find('m')?;
        if !after[..end]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b';')
        {
            return None;
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (!open).then_some(out)
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Pieces hostile input is made of: any byte, spaces, tabs, words,
    /// wide and combining characters, emoji clusters, escape sequences.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            Just(b" ".to_vec()),
            Just(b"   ".to_vec()),
            Just(b"\t".to_vec()),
            Just(b"\r".to_vec()),
            // Overstrike (man pages): a pair may straddle a window's cut.
            Just(b"\x08".to_vec()),
            Just(b"_".to_vec()),
            "[a-z]{1,12}".prop_map(String::into_bytes),
            // Words longer than a row and runs of spaces longer than one:
            // the streamed wrapping cuts inside them.
            "[a-z]{30,90}".prop_map(String::into_bytes),
            Just(vec![b' '; 70]),
            Just(vec![b'\t'; 9]),
            Just(vec![0; 40]),
            Just("日本語".as_bytes().to_vec()),
            Just("e\u{301}".as_bytes().to_vec()),
            Just("👍🏽".as_bytes().to_vec()),
            Just("❤\u{fe0f}".as_bytes().to_vec()),
            Just("👨\u{200d}👩\u{200d}👧".as_bytes().to_vec()),
            Just("\u{200b}".as_bytes().to_vec()),
            Just(b"\x1b[31m".to_vec()),
            Just(b"\x1b[0m".to_vec()),
            Just(b"\x1b]2;title\x07".to_vec()),
            // OSC 8 links (issue 20): kept, refused, closed, cut short.
            Just(b"\x1b]8;;https://example.com/a;b\x1b\\".to_vec()),
            Just(b"\x1b]8;id=k;file://h/x\x07".to_vec()),
            Just(b"\x1b]8;;\x1b\\".to_vec()),
            Just(b"\x1b]8;;javascript:x\x07".to_vec()),
            Just(b"\x1b]8;;https://a\x01b\x07".to_vec()),
            Just(b"\x1b]8;;http://".to_vec()),
            Just(b"\x1b[2J".to_vec()),
            Just(b"\x1b[".to_vec()),
            any::<char>().prop_map(|c| c.to_string().into_bytes()),
        ]
    }

    fn line() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(piece(), 0..60).prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn rows_fit_keep_clusters_whole_and_lose_only_break_spaces(
            raw in line(),
            width in 1usize..40,
        ) {
            if let Err(broken) = check_contract(&raw, width) {
                prop_assert!(false, "{}", broken);
            }
        }

        /// A huge line is sanitized and wrapped a window at a time; tiny
        /// windows and few kept rows here put every cut and every giving
        /// back of text to the test.
        #[test]
        fn streamed_wrapping_equals_whole_line_wrapping(
            raw in line(),
            width in 1usize..30,
            window in 1usize..40,
            keep in 1usize..8,
            color in any::<bool>(),
        ) {
            let options = Options { color, ..Options::default() };
            let line = sanitize_styled(&raw, options);
            let ranges = wrap_ranges(&line.text, width);
            let whole = Wrapped { line, count: ranges.len(), rows: ranges.into(), indent: 0, indent_first: false, cut_short: false, hang: Hang::None };
            let streamed = wrap_streamed(&raw, width, options, window, keep);
            prop_assert_eq!(streamed.count, whole.count);
            prop_assert_eq!(streamed.rows.len(), whole.count.min(keep));
            for i in whole.count - streamed.rows.len()..whole.count {
                prop_assert_eq!(streamed.row(i, width), whole.row(i, width), "row {}", i);
            }
        }
    }
}
