//! The status bar: one row, cut to the width, never wrapped. When the row
//! is narrow, whole parts go, least useful first, down to none: a number
//! is never cut into another number, and a name cut short ends in `…`.
//!
//! Whatever the bar is given (a name, a notice, a message quoting a
//! pattern, the filter, the pattern being typed) is made [`visible`] here,
//! where it is drawn: no caller can forget it, and a control is shown the
//! same way wherever it comes from.

use super::prompt::window;
use crate::layout::{cluster_width, fit, width_of};
use crate::sanitize::visible;
use unicode_segmentation::UnicodeSegmentation;

/// What the status bar tells.
#[derive(Debug, Default)]
pub(crate) struct Status<'a> {
    /// The source (file, `stdin`, the command), or a notice or message.
    pub(crate) left: &'a str,
    pub(crate) lines: usize,
    /// Producers held back or lines dropped (never silent).
    pub(crate) pressure: &'a str,
    /// The last line shown and how many there are.
    pub(crate) position: Option<(usize, usize)>,
    /// Instead, while a file's lines are being counted: the last line
    /// shown's number if known yet, and how far into the bytes it is.
    pub(crate) counting: Option<(Option<usize>, usize)>,
    /// `None` while following; paused, the lines that arrived below.
    pub(crate) paused: Option<usize>,
    /// The filters, as typed (`&err &!debug`), while one is on.
    pub(crate) filter: Option<&'a str>,
    /// Under a filter: the last match shown, and how many match (the
    /// position stays the file's line).
    pub(crate) matches: Option<(usize, usize)>,
    /// The error and warning records seen, when there are any.
    pub(crate) levels: Option<(usize, usize)>,
    pub(crate) eof: bool,
    /// The keyboard is read: the help key is worth a hint.
    pub(crate) keys: bool,
    /// `left` is a message the user must read whole: the right side gives
    /// way to it.
    pub(crate) urgent: bool,
}

/// The status bar for `status`, `width` columns at most.
pub(crate) fn bar(status: &Status, width: usize) -> String {
    let count = format!(
        "{} line{}",
        status.lines,
        if status.lines == 1 { "" } else { "s" }
    );
    let position = match (status.counting, status.position) {
        // Never a number that is not the line's own: `?` until counted.
        (Some((Some(line), at)), _) => format!("line {line} ({at}%, counting lines…)"),
        (Some((None, at)), _) => format!("line ? ({at}%, counting lines…)"),
        (None, Some((line, of))) => format!("line {line} ({}%)", percent(line, of)),
        (None, None) => String::new(),
    };
    let mode = match status.paused {
        None => "FOLLOW".to_owned(),
        Some(0) => "PAUSED".to_owned(),
        Some(n) => format!("PAUSED +{n} new"),
    };
    let filter = status
        .filter
        .map(|f| {
            let f = visible(f.as_bytes());
            match status.matches {
                Some((at, of)) => format!("{f} {at}/{of}"),
                None => f.into_owned(),
            }
        })
        .unwrap_or_default();
    let levels = status
        .levels
        .map(|(errors, warnings)| {
            let plural = |n: usize| if n == 1 { "" } else { "s" };
            format!(
                "{errors} error{} {warnings} warning{}",
                plural(errors),
                plural(warnings)
            )
        })
        .unwrap_or_default();
    let source = visible(status.left.as_bytes());
    // (text, shown, priority: lower is dropped first; the filter never:
    // a view that hides lines must say so at any width)
    let mut parts = [
        (count.as_str(), true, 5),
        (status.pressure, !status.pressure.is_empty(), 5),
        (position.as_str(), !position.is_empty(), 1),
        (filter.as_str(), !filter.is_empty(), 6),
        (levels.as_str(), !levels.is_empty(), 3),
        (mode.as_str(), true, 4),
        ("EOF", status.eof, 2),
        ("h help", status.keys, 0),
    ];
    let right = |parts: &[(&str, bool, u8)]| {
        let shown: Vec<&str> = parts.iter().filter(|p| p.1).map(|p| p.0).collect();
        format!("{} ", shown.join(" | "))
    };
    let need = if status.urgent {
        width_of(&source) + 2
    } else {
        0
    };
    for drop in 0..6 {
        if width_of(&right(&parts)) + need <= width {
            break;
        }
        for part in parts.iter_mut().filter(|p| p.2 == drop) {
            part.1 = false;
        }
    }
    let right = if parts.iter().any(|p| p.1) {
        right(&parts)
    } else {
        String::new()
    };
    let room = width.saturating_sub(width_of(&right));
    // The name whole, or cut with an ellipsis (so `stdin` never reads as
    // another word), or not at all; a space before the right side.
    let budget = room.saturating_sub(1);
    let whole = format!(" {source}");
    let left = if width_of(&whole) <= budget {
        whole
    } else if budget >= 4 && !status.urgent && source.contains('/') && !source.contains(' ') {
        // A path keeps its end, which tells files apart (`…apt/term.log`);
        // a command line keeps its start.
        format!(" …{}", tail(&source, budget - 2))
    } else if budget >= 4 {
        format!("{}…", fit(&whole, budget - 1))
    } else {
        String::new()
    };
    let gap = room.saturating_sub(width_of(&left));
    let status = format!("{left}{:gap$}{right}", "");
    fit(&status, width).to_owned()
}

/// The end of `text` that fits in `width` columns, whole clusters.
fn tail(text: &str, width: usize) -> &str {
    let mut used = 0;
    let mut start = text.len();
    for (at, cluster) in text.grapheme_indices(true).rev() {
        used += cluster_width(cluster);
        if used > width {
            break;
        }
        start = at;
    }
    &text[start..]
}

/// The prompt row: the sign, the part of the pattern being typed
/// around the cursor (byte `cursor` of `text`), a cut side marked `…` as
/// a cut name is, and the column the terminal's cursor goes to. A `note`
/// (the pattern is too long) follows the pattern when there is room.
///
/// Drawn at every frame while a paste pours in, so it costs the pattern's
/// length once, not once per character cut off (measuring what was left
/// after each cut took 31 s of CPU for an 8,000-character paste).
pub(crate) fn prompt(
    sign: char,
    text: &str,
    cursor: usize,
    note: Option<&str>,
    width: usize,
) -> (String, usize) {
    let note = note
        .map(|note| format!(" {note}"))
        .filter(|note| width_of(note) + 3 <= width)
        .unwrap_or_default();
    // `visible` shows each char on its own, so the text before the cursor
    // shown is where the cursor is in the text shown.
    let shown = visible(text.as_bytes());
    let before = visible(&text.as_bytes()[..cursor]).len();
    let room = width.saturating_sub(1 + width_of(&note));
    let window = window(&shown, before, room);
    let mark = |cut: bool| if cut { "…" } else { "" };
    let row = format!(
        "{sign}{}{}{}{note}",
        mark(window.cut_start),
        &shown[window.range],
        mark(window.cut_end)
    );
    let column = (1 + window.column).min(width.saturating_sub(1));
    (fit(&row, width).to_owned(), column)
}

/// The status bar while the help is shown: its `shown` rows from row
/// `top` of `rows`, and the keys that scroll it when it does not fit.
pub(crate) fn help(top: usize, shown: usize, rows: usize, width: usize) -> String {
    if shown >= rows {
        return " help: q or Esc closes it".to_owned();
    }
    let (first, last) = (top + 1, top + shown);
    let long = format!(" help: lines {first}-{last} of {rows}, j k Space b scroll, q closes");
    if width_of(&long) <= width {
        return long;
    }
    let short = format!(" help {first}-{last}/{rows}, q closes");
    if width_of(&short) <= width {
        return short;
    }
    fit(&format!(" help {first}-{last}/{rows}"), width).to_owned()
}

/// `line` of `of` as a whole percentage, 100 only at the end.
fn percent(line: usize, of: usize) -> usize {
    if of == 0 || line >= of {
        100
    } else {
        (line * 100 / of).min(99)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(left: &str, lines: usize, eof: bool, keys: bool) -> Status<'_> {
        Status {
            left,
            lines,
            eof,
            keys,
            ..Status::default()
        }
    }

    #[test]
    fn the_bar_shows_source_count_position_mode_and_eof() {
        assert_eq!(
            bar(&status("app.log", 3, true, true), 50),
            " app.log          3 lines | FOLLOW | EOF | h help "
        );
        assert_eq!(
            bar(&status("", 1, false, false), 20),
            "    1 line | FOLLOW "
        );
        let paused = Status {
            position: Some((250, 1000)),
            paused: Some(12),
            filter: Some("&err"),
            ..status("log", 1000, false, false)
        };
        assert_eq!(
            bar(&paused, 70),
            " log              1000 lines | line 250 (25%) | &err | PAUSED +12 new "
        );
        // Narrow: the position goes first; the filter stays the longest.
        assert_eq!(
            bar(&paused, 45),
            " log      1000 lines | &err | PAUSED +12 new "
        );
        assert_eq!(bar(&paused, 38), "   1000 lines | &err | PAUSED +12 new ");
        assert_eq!(bar(&paused, 30), " log        1000 lines | &err ");
        assert_eq!(bar(&paused, 12), " log   &err ");
        // Under a filter, the position is the file's line; the matches
        // are counted beside the filter.
        let filtered = Status {
            position: Some((39_788, 39_788)),
            matches: Some((3_282, 3_282)),
            filter: Some("&err"),
            ..status("app.log", 39_788, false, false)
        };
        assert_eq!(
            bar(&filtered, 80),
            " app.log              39788 lines | line 39788 (100%) | &err 3282/3282 | FOLLOW "
        );
        let pressure = Status {
            pressure: "held 1.2s dropped 3",
            ..status("log", 9, false, false)
        };
        assert_eq!(
            bar(&pressure, 46),
            " log   9 lines | held 1.2s dropped 3 | FOLLOW "
        );
    }

    /// Issue 20: `g` on a file being indexed said `line 35201432 (44%)`,
    /// the earliest line indexed then, numbered from itself.
    #[test]
    fn lines_being_counted_get_no_number_but_their_own() {
        let known = Status {
            counting: Some((Some(23), 0)),
            paused: Some(0),
            ..status("big.log", 1000, false, false)
        };
        assert_eq!(
            bar(&known, 70),
            " big.log          1000 lines | line 23 (0%, counting lines…) | PAUSED "
        );
        let unknown = Status {
            counting: Some((None, 50)),
            ..known
        };
        assert_eq!(
            bar(&unknown, 70),
            " big.log          1000 lines | line ? (50%, counting lines…) | PAUSED "
        );
    }

    #[test]
    fn a_narrow_bar_cuts_the_source_first() {
        assert_eq!(
            bar(&status("/a/long/path/app.log", 3, true, false), 30),
            " ….log 3 lines | FOLLOW | EOF "
        );
        // A path keeps its end, which tells files apart; a command line
        // its start.
        assert_eq!(
            bar(&status("cargo build --release", 3, true, false), 30),
            " carg… 3 lines | FOLLOW | EOF "
        );
        assert_eq!(
            bar(&status("/var/log/apt/history.log", 3, true, false), 40),
            " …pt/history.log 3 lines | FOLLOW | EOF "
        );
        assert_eq!(
            bar(&status("app.log", 3, true, true), 17),
            "3 lines | FOLLOW "
        );
        assert_eq!(bar(&status("app.log", 3, true, true), 11), "   3 lines ");
        assert_eq!(bar(&status("app.log", 3, true, false), 5), " ap… ");
        assert_eq!(bar(&status("app.log", 3, true, false), 0), "");
    }

    /// Regressions: `10` was shown for a million lines, `st` for stdin.
    #[test]
    fn a_number_or_a_name_is_never_cut_into_another() {
        for width in 0..60 {
            let s = Status {
                position: Some((999_999, 1_000_000)),
                paused: Some(123_456),
                ..status("stdin", 1_000_000, true, false)
            };
            let bar = bar(&s, width);
            assert!(width_of(&bar) <= width, "{bar:?}");
            for word in bar.split(|c: char| !c.is_ascii_alphanumeric() && c != '…') {
                if word.chars().all(|c| c.is_ascii_digit()) && !word.is_empty() {
                    assert!(
                        ["1000000", "999999", "99", "123456"].contains(&word),
                        "at {width}: {bar:?}"
                    );
                }
                if word.starts_with("st") {
                    assert!(
                        word == "stdin" || word.ends_with('…'),
                        "at {width}: {bar:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_message_is_shown_whole_before_the_right_side() {
        let s = Status {
            urgent: true,
            ..status("pattern not found: 150", 200, true, true)
        };
        assert_eq!(
            bar(&s, 50),
            " pattern not found: 150  200 lines | FOLLOW | EOF "
        );
        assert_eq!(bar(&s, 30), " pattern not found: 150       ");
    }

    #[test]
    fn percent_is_100_only_at_the_end() {
        assert_eq!(percent(999_999, 1_000_000), 99);
        assert_eq!(percent(1_000_000, 1_000_000), 100);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(0, 0), 100);
    }

    /// The prompt row for `text` with the cursor at its end.
    fn at_end(sign: char, text: &str, note: Option<&str>, width: usize) -> String {
        prompt(sign, text, text.len(), note, width).0
    }

    #[test]
    fn a_long_prompt_keeps_its_end_in_view() {
        assert_eq!(prompt('/', "err", 3, None, 10), ("/err".to_owned(), 4));
        assert_eq!(
            prompt('?', "abcdefghij", 10, None, 6),
            ("?…hij".to_owned(), 5)
        );
        assert_eq!(prompt('/', "日本語", 9, None, 5), ("/…語".to_owned(), 4));
        assert_eq!(
            prompt('/', "abcdefgh", 8, Some("too long"), 15),
            ("/…fgh too long".to_owned(), 5)
        );
        // No room for the note: the pattern's end comes first.
        assert_eq!(at_end('/', "abcdef", Some("too long"), 6), "/…def");
    }

    #[test]
    fn the_cursor_is_kept_in_view_where_it_is() {
        let text = "0123456789abcdefghij";
        // At the start, after Home: the start.
        assert_eq!(
            prompt('/', text, 0, None, 12),
            ("/0123456789…".to_owned(), 1)
        );
        // In between: both sides cut, the cursor on its character.
        let (row, column) = prompt('/', text, 10, None, 12);
        assert_eq!(row, "/…89abcdefg…");
        assert_eq!(row.chars().nth(column), Some('a'));
        // Near the end: the end.
        let (row, column) = prompt('/', text, 11, None, 12);
        assert_eq!(row, "/…bcdefghij");
        assert_eq!(row.chars().nth(column), Some('b'));
        // A control typed is shown in caret notation, and counted so.
        let (row, column) = prompt('/', "a\u{1}b", 2, None, 12);
        assert_eq!((row.as_str(), column), ("/a^Ab", 4));
    }

    /// Issue 16: an 8,000-character paste took 31 s of CPU, the prompt
    /// being measured again after each character cut off its start.
    #[test]
    fn a_long_prompt_shows_its_end_at_the_cursor() {
        // Its cost (once the square of its length) is bounded end to end
        // by the pty test that pastes 10,000 characters after `/`.
        let text = "é".repeat(200_000);
        let (row, column) = prompt('/', &text, text.len(), None, 80);
        assert_eq!(width_of(&row), 79, "a cell left for the cursor");
        assert_eq!(column, 79);
        assert!(row.starts_with("/…é"));
        assert!(row.ends_with("é"));
    }

    #[test]
    fn the_help_says_where_it_is_when_it_does_not_fit() {
        assert_eq!(help(0, 9, 9, 60), " help: q or Esc closes it");
        assert_eq!(
            help(0, 9, 33, 60),
            " help: lines 1-9 of 33, j k Space b scroll, q closes"
        );
        assert_eq!(help(24, 9, 33, 30), " help 25-33/33, q closes");
        assert_eq!(help(24, 9, 33, 12), " help 25-33/");
    }

    /// Issue 16: a pasted C1 OSC reached the frame raw through the
    /// prompt, the search messages and the filter marker; a `\r` in a name
    /// hid what came before it; U+202E reordered the bar.
    #[test]
    fn every_string_in_the_bar_is_shown_visibly() {
        let osc = "\u{9d}52;c;aGk=\u{9c}";
        assert_eq!(at_end('/', osc, None, 40), "/^[]52;c;aGk=^[\\");
        let filter = format!("&{osc}");
        let s = Status {
            filter: Some(&filter),
            urgent: true,
            ..status("pattern not found: \u{9d}x\u{9c}", 3, false, false)
        };
        assert_eq!(
            bar(&s, 65),
            " pattern not found: ^[]x^[\\  3 lines | &^[]52;c;aGk=^[\\ | FOLLOW "
        );
        assert_eq!(
            bar(&status("secret\rshown.log", 3, false, false), 40),
            " secret^Mshown.log     3 lines | FOLLOW "
        );
        let bidi = bar(&status("a\u{202e}gol.txt", 3, false, false), 40);
        assert_eq!(bidi, " a<U+202E>gol.txt      3 lines | FOLLOW ");
        assert_eq!(width_of(&bidi), 40);
        for row in [bar(&s, 65), at_end('/', osc, None, 40), bidi] {
            assert!(!row.chars().any(|c| c.is_control()), "{row:?}");
        }
    }
}
