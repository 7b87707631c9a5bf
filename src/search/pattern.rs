//! A search pattern: smart case, the regex on a line's sanitized text,
//! and the matcher that searches a run of lines in one regex pass (see
//! the parent module).

use std::fmt::Display;
use std::ops::{ControlFlow, Range};

use regex::bytes::{Regex as BytesRegex, RegexBuilder as BytesRegexBuilder};
use regex::{Regex, RegexBuilder};
use regex_syntax::ast::{Ast, ClassSet, ClassSetItem};

use crate::sanitize::{Options, sanitize};

/// How a reflow header starts (an APC string, see [`crate::tag`]):
/// sanitizing removes it whole, so a search skips it.
pub(crate) const MARK: &[u8] = crate::tag::PREFIX;

/// The longest pattern taken, in bytes: what anyone types is far shorter,
/// and a paste of a whole log into the prompt is refused rather than
/// compiled (or drawn at every key) at a cost that grows with it.
pub(crate) const MAX_PATTERN: usize = 4096;

/// What is said of a pattern longer than [`MAX_PATTERN`].
pub(crate) const TOO_LONG: &str = "pattern too long: at most 4 KiB";

/// A compiled search pattern: a regex, smart-cased.
///
/// The empty pattern, and any pattern that can match the empty string
/// (`x*`, `^`), matches every line, as in `grep` and `less`; it highlights
/// nothing, since only non-empty matches are highlighted.
#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    text: String,
    /// On a line's sanitized text: what a match is, and the highlights.
    line: Regex,
    /// The same on the raw bytes of a line sanitizing would not change
    /// (they are its text): no copy, no UTF-8 check.
    raw: BytesRegex,
    /// The same in multi-line mode, for a whole run of lines at once, or
    /// `None` when the pattern has `\A` or `\z`, which only mean a line's
    /// ends when it is searched alone.
    run: Option<BytesRegex>,
}

/// How a pattern's letters match (`-i` toggles it while viewing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Case {
    /// Like ripgrep's smart case: a pattern without an uppercase letter
    /// ignores case, one with an uppercase letter does not.
    #[default]
    Smart,
    /// Letters match only themselves (`error` does not find `ERROR`).
    Exact,
}

impl Pattern {
    /// Compiles `text`, smart-cased: like ripgrep's smart case, a pattern
    /// without an uppercase letter ignores case (`error` finds `ERROR`;
    /// `Error` only `Error`); escapes such as `\S` or `\p{Lu}` are no
    /// letters.
    ///
    /// # Errors
    ///
    /// A one-line message fit for a status bar, such as
    /// `invalid pattern: unclosed group`, or [`TOO_LONG`] for one longer
    /// than [`MAX_PATTERN`].
    pub(crate) fn new(text: &str) -> Result<Pattern, String> {
        Pattern::with_case(text, Case::Smart)
    }

    /// Compiles `text` with its letters matched as `case` says.
    ///
    /// # Errors
    ///
    /// As [`Pattern::new`].
    pub(crate) fn with_case(text: &str, case: Case) -> Result<Pattern, String> {
        fn invalid(why: impl Display) -> String {
            format!("invalid pattern: {why}")
        }
        if text.len() > MAX_PATTERN {
            return Err(TOO_LONG.to_owned());
        }
        let ast = regex_syntax::ast::parse::Parser::new()
            .parse(text)
            .map_err(|e| invalid(e.kind()))?;
        let ignore_case = case == Case::Smart && !has_uppercase(&ast);
        // Parsed as the run regex reads it, to see its anchors, and to
        // report errors regex would report in a long, multi-line form.
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(ignore_case)
            .multi_line(true)
            .build()
            .parse(text)
            .map_err(|e| match e {
                regex_syntax::Error::Parse(e) => invalid(e.kind()),
                regex_syntax::Error::Translate(e) => invalid(e.kind()),
                e => invalid(e),
            })?;
        let compiled = |e: regex::Error| match e {
            regex::Error::CompiledTooBig(_) => invalid("too big"),
            e => invalid(e.to_string().lines().last().unwrap_or("").trim()),
        };
        // `regex::Regex` on the text: it refuses a pattern that could match
        // half a character (`(?-u:\xff)`), so highlights are always whole
        // characters, and the byte regexes agree with it on valid UTF-8.
        let line = RegexBuilder::new(text)
            .case_insensitive(ignore_case)
            .build()
            .map_err(compiled)?;
        let raw = BytesRegexBuilder::new(text)
            .case_insensitive(ignore_case)
            .build()
            .map_err(compiled)?;
        let run = if hir.properties().look_set().contains_anchor_haystack() {
            None
        } else {
            Some(
                BytesRegexBuilder::new(text)
                    .case_insensitive(ignore_case)
                    .multi_line(true)
                    .build()
                    .map_err(compiled)?,
            )
        };
        Ok(Pattern {
            text: text.to_owned(),
            line,
            raw,
            run,
        })
    }

    /// The pattern as typed.
    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether a sanitized line's text matches.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.line.is_match(text)
    }

    /// The byte ranges of every non-empty match in a sanitized line's
    /// text, in order, for highlighting.
    pub(crate) fn ranges(&self, text: &str) -> Vec<Range<usize>> {
        self.line
            .find_iter(text)
            .filter(|m| !m.is_empty())
            .map(|m| m.range())
            .collect()
    }

    /// Whether raw line `raw` matches: whether its sanitized text does.
    /// Sanitizes it only when that would change it.
    pub(crate) fn matches_line(&self, raw: &[u8], options: Options) -> bool {
        let text = skip_marks(raw);
        if is_clean(text) {
            self.raw.is_match(text)
        } else {
            self.is_match(&sanitize(raw, options.tab_width))
        }
    }

    /// Calls `f` with the id of every matching line of `run` (lines each
    /// ended by `\n`, the first of them line `first`), in order, until it
    /// breaks.
    pub(crate) fn each_match(
        &self,
        first: usize,
        run: &[u8],
        options: Options,
        mut f: impl FnMut(usize) -> ControlFlow<()>,
    ) -> ControlFlow<()> {
        if run.is_empty() {
            return ControlFlow::Continue(());
        }
        let Some(regex) = &self.run else {
            return run
                .strip_suffix(b"\n")
                .unwrap_or(run)
                .split(|&b| b == b'\n')
                .zip(first..)
                .try_for_each(|(line, id)| {
                    if !self.matches_line(line, options) {
                        ControlFlow::Continue(())
                    } else {
                        f(id)
                    }
                });
        };
        // `at` is the start of line `line`; every line before it is done.
        let (mut at, mut line) = (0, first);
        let mut special = next_special(run, 0);
        // The leftmost match from some earlier `at`: while it starts at or
        // after the current `at` it is also the leftmost from there, so
        // lines checked one by one ahead of it do not search again (with
        // every line marked, that would search a run once per line).
        let mut leftmost: Option<Option<regex::bytes::Match<'_>>> = None;
        while at < run.len() {
            let found = match leftmost {
                Some(found) if found.is_none_or(|m| m.start() >= at) => found,
                _ => *leftmost.insert(regex.find_at(run, at)),
            };
            let start = found.map_or(run.len(), |m| m.start());
            // A line needing more than the run's raw bytes comes first if
            // the candidate is in it or after it.
            if let Some(lines) = special.clone()
                && lines.start <= start
            {
                line += count_lines(&run[at..lines.start]);
                if self.matches_line(&run[lines.clone()], options) {
                    f(line)?;
                }
                (at, line) = (lines.end + 1, line + 1);
                special = next_special(run, at);
                continue;
            }
            let Some(found) = found.filter(|m| m.start() < run.len()) else {
                break;
            };
            let begin = memchr::memrchr(b'\n', &run[at..start]).map_or(at, |i| at + i + 1);
            let end = memchr::memchr(b'\n', &run[start..]).map_or(run.len(), |i| start + i);
            line += count_lines(&run[at..begin]);
            // Inside its line it is a match of that line; otherwise the
            // line may still match on its own.
            if found.end() <= end || self.raw.is_match(&run[begin..end]) {
                f(line)?;
            }
            (at, line) = (end + 1, line + 1);
        }
        ControlFlow::Continue(())
    }
}

/// True if the pattern has an uppercase letter of its own: a literal, in
/// or out of a bracketed class (not `\S`, `\W`, `\p{Lu}`).
pub(crate) fn has_uppercase(ast: &Ast) -> bool {
    match ast {
        Ast::Literal(literal) => literal.c.is_uppercase(),
        Ast::ClassBracketed(class) => set_has_uppercase(&class.kind),
        Ast::Repetition(repetition) => has_uppercase(&repetition.ast),
        Ast::Group(group) => has_uppercase(&group.ast),
        Ast::Alternation(alternation) => alternation.asts.iter().any(has_uppercase),
        Ast::Concat(concat) => concat.asts.iter().any(has_uppercase),
        _ => false,
    }
}

pub(crate) fn set_has_uppercase(set: &ClassSet) -> bool {
    match set {
        ClassSet::Item(item) => item_has_uppercase(item),
        ClassSet::BinaryOp(op) => set_has_uppercase(&op.lhs) || set_has_uppercase(&op.rhs),
    }
}

pub(crate) fn item_has_uppercase(item: &ClassSetItem) -> bool {
    match item {
        ClassSetItem::Literal(literal) => literal.c.is_uppercase(),
        ClassSetItem::Range(range) => range.start.c.is_uppercase() || range.end.c.is_uppercase(),
        ClassSetItem::Bracketed(class) => set_has_uppercase(&class.kind),
        ClassSetItem::Union(union) => union.items.iter().any(item_has_uppercase),
        _ => false,
    }
}

/// `raw` after the reflow headers it starts with (the one reflow wrote,
/// and any the text itself starts with: for matching, which reads no
/// field, both are what sanitizing removes). A header is skipped when its
/// body holds no CAN, SUB or ESC and `ESC \` ends it: in an APC string
/// `vte` ignores every other byte (UTF-8 ones too: a label's `é` or `…`,
/// and C1's ST) and `ESC \` leaves it in the ground state with nothing
/// printed, so sanitizing the line gives the same as sanitizing what
/// follows. Anything else in a mark (CAN or SUB end it early) is left to
/// the sanitizer.
pub(crate) fn skip_marks(mut raw: &[u8]) -> &[u8] {
    while let Some(rest) = raw.strip_prefix(MARK) {
        let body = memchr::memchr3(0x1b, 0x18, 0x1a, rest).unwrap_or(rest.len());
        match rest[body..].strip_prefix(b"\x1b\\") {
            Some(after) => raw = after,
            None => break,
        }
    }
    raw
}

/// True when sanitizing gives `raw` back unchanged: valid UTF-8 without
/// C0 controls (ESC, tab, `\r`, backspace, …), DEL, C1 controls
/// (U+0080-U+009F) or bidirectional controls (U+202A-U+202E,
/// U+2066-U+2069). That is exactly the text `vte` hands to `print`
/// character by character and the sanitizer keeps as it is; everything
/// else it changes (removes, expands, overwrites, shows as `^X` or
/// `<U+202E>`, decodes as U+FFFD).
pub(crate) fn is_clean(raw: &[u8]) -> bool {
    if memchr::memchr(b'\n', raw).is_some() {
        return false;
    }
    if next_odd(raw).is_none() {
        return true;
    }
    !raw.iter().any(|&b| b < 0x20 || b == 0x7f)
        && std::str::from_utf8(raw).is_ok()
        // U+0080-U+009F is `C2 80`-`C2 9F` in UTF-8.
        && !memchr::memchr_iter(0xc2, raw).any(|i| matches!(raw.get(i + 1), Some(0x80..=0x9f)))
        // U+202A-U+202E is `E2 80 AA`-`E2 80 AE`, U+2066-U+2069 `E2 81 A6`-`E2 81 A9`.
        && !memchr::memchr_iter(0xe2, raw).any(|i| {
            matches!(
                (raw.get(i + 1), raw.get(i + 2)),
                (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
            )
        })
}

/// The first byte of `bytes` that is a control other than `\n`, DEL, or
/// not ASCII. Tested 64 bytes at a time without branches, in a form the
/// compiler vectorizes (one unsigned range compare per byte; the obvious
/// `b < 0x20 || b >= 0x7f` was not, and took ten times as long): a run of
/// plain ASCII lines is passed over at memory speed.
pub(crate) fn next_odd(bytes: &[u8]) -> Option<usize> {
    const LANES: usize = 64;
    // Printable ASCII is 0x20..=0x7e: below 0x5f after subtracting 0x20.
    let odd = |b: u8| (b.wrapping_sub(0x20) >= 0x5f) & (b != b'\n');
    let mut blocks = bytes.chunks_exact(LANES);
    let mut offset = 0;
    for block in &mut blocks {
        if block.iter().fold(0u8, |any, &b| any | u8::from(odd(b))) != 0 {
            return block.iter().position(|&b| odd(b)).map(|i| offset + i);
        }
        offset += LANES;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| odd(b))
        .map(|i| offset + i)
}

/// The next line of `run` from offset `from` on (the start of a line) that
/// sanitizing would change, without its `\n`.
pub(crate) fn next_special(run: &[u8], mut from: usize) -> Option<Range<usize>> {
    loop {
        let odd = from + next_odd(&run[from..])?;
        let start = memchr::memrchr(b'\n', &run[from..odd]).map_or(from, |i| from + i + 1);
        let end = memchr::memchr(b'\n', &run[odd..]).map_or(run.len(), |i| odd + i);
        if !is_clean(&run[start..end]) {
            return Some(start..end);
        }
        // Non-ASCII text: searched in place like ASCII.
        from = end + 1;
        if from >= run.len() {
            return None;
        }
    }
}

pub(crate) fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::new(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_header_is_skipped_whatever_its_label_but_not_when_can_or_sub_ends_it() {
        // A --cmd's label is the command, UTF-8 and all: its lines were
        // all sanitized one by one, and `&WARN` on a million took 1.2 s.
        for (raw, skipped) in [
            (
                &b"\x1b_reflow:label=4:\xc3\xa9\xe2\x80\xa6 x\x1b\\text"[..],
                true,
            ),
            (b"\x1b_reflow:\xc2\x9c ST\x1b\\text", true),
            (b"\x1b_reflow:\xff\xe6\x97\x1b\\text", true),
            (b"\x1b_reflow:a\x18b\x1b\\text", false),
            (b"\x1b_reflow:a\x1ab\x1b\\text", false),
            (b"\x1b_reflow:a\x1b[1mb\x1b\\text", false),
        ] {
            let text = skip_marks(raw);
            assert_eq!(text == b"text", skipped, "{raw:?}");
            // Skipped or not, what it leaves sanitizes as the whole line;
            // a header left in place would have been wrong to skip.
            assert_eq!(sanitize(raw, 8), sanitize(text, 8), "{raw:?}");
            assert_eq!(sanitize(raw, 8) == "text", skipped, "{raw:?}");
        }
    }

    #[test]
    fn smart_case() {
        let cases = [
            ("error", "ERROR here", true),
            ("error", "an Error", true),
            ("Error", "an Error", true),
            ("Error", "ERROR here", false),
            ("Error", "error", false),
            // Escapes are no letters: still case-insensitive.
            (r"\Serror", "xERROR", true),
            (r"\p{Lu}rror", "Error", true),
            (r"\p{Lu}rror", "ERROR", true),
            // A class with an uppercase letter is case-sensitive.
            ("[A-Z]x", "Ax", true),
            ("[A-Z]x", "AX", false),
            ("ÉTÉ", "été", false),
            ("été", "ÉTÉ", true),
            ("(?-i)error", "ERROR", false),
        ];
        for (text, line, want) in cases {
            assert_eq!(pattern(text).is_match(line), want, "{text} on {line}");
        }
    }

    #[test]
    fn invalid_patterns_say_why_in_one_line() {
        let cases = [
            ("(abc", "invalid pattern: unclosed group"),
            ("[a", "invalid pattern: unclosed character class"),
            (
                "a{2,1}",
                "invalid pattern: invalid repetition count range, the start must be <= the end",
            ),
            (
                "*",
                "invalid pattern: repetition operator missing expression",
            ),
            (r"\p{Nope}", "invalid pattern: Unicode property not found"),
            (
                r"(?-u:\xff)",
                "invalid pattern: pattern can match invalid UTF-8",
            ),
            ("a{99999999}", "invalid pattern: too big"),
        ];
        for (text, want) in cases {
            let error = Pattern::new(text).expect_err(text);
            assert_eq!(error, want, "{text}");
            assert!(!error.contains('\n'), "{text}: {error}");
        }
    }

    /// Issue 16: a 10,000-character paste after `/` froze the display.
    /// The bound is in bytes, checked before anything is parsed.
    #[test]
    fn a_pattern_longer_than_4_kib_is_refused() {
        let longest = "a".repeat(MAX_PATTERN);
        assert!(Pattern::new(&longest).is_ok());
        for text in [
            "a".repeat(MAX_PATTERN + 1),
            "日".repeat(MAX_PATTERN),
            "(".repeat(1 << 20),
        ] {
            assert_eq!(Pattern::new(&text).expect_err("too long"), TOO_LONG);
        }
    }

    /// A pattern matches what is shown, never what is hidden.
    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn ranges_are_the_non_empty_matches() {
        let cases: &[(&str, &str, &[Range<usize>])] = &[
            ("o", "foo boo", &[1..2, 2..3, 5..6, 6..7]),
            ("o+", "foo boo", &[1..3, 5..7]),
            ("x*", "axxb", &[1..3]),
            ("^", "abc", &[]),
            ("é", "été", &[0..2, 3..5]),
            ("ERROR", "error ERROR", &[6..11]),
            ("error", "error ERROR", &[0..5, 6..11]),
        ];
        for (text, line, want) in cases {
            assert_eq!(pattern(text).ranges(line), *want, "{text} on {line}");
        }
        // An empty match still makes a matching line.
        assert!(pattern("^").is_match("abc"));
        assert!(pattern("").matches_line(b"", Options::default()));
    }
}
