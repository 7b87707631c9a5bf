//! Pure: finding lines of the history by a pattern, for `/` and `?`
//! (forward and backward, `n`/`N` to repeat) and the `&` filter.
//!
//! A pattern matches what the user sees, the sanitized text of a line
//! ([`sanitize`]): text inside an escape sequence never matches (`31m`),
//! text split by a colour change does (`foo\x1b[31mbar` for `foobar`),
//! controls match as their caret notation (`^G`) and tabs as spaces.
//!
//! Sanitizing a million lines would take seconds, so it is done only for
//! the lines it would change. The history is read a chunk at a time
//! ([`History::scan`]); in each run of lines, the few lines sanitizing
//! would change (a byte that is a control, DEL, or not ASCII; lines that
//! turn out to be valid UTF-8 without C1 controls are not among them) are
//! found with a vectorized byte scan and checked one by one, and every
//! other line is its own sanitized text, searched in place: one regex
//! search over the whole run (in multi-line mode), whose leftmost match is
//! mapped back to its line. That lets regex's literal prefilters (memchr,
//! Teddy) skip through 256 KiB at a time instead of being restarted on
//! every 130-byte line: measured on 1,000,000 compressed log lines
//! (130 MB), a backward search for a word near the start took 0.23 s with
//! one `is_match` per line and 0.08 s by runs, half of it decompressing
//! the history (`benches/search.rs`, on a busy 2-core machine).
//!
//! A match in a run can still cross a line end (`a\nb`, `(?s).`, `\s`) or
//! start in one line and be no match of that line alone; such a candidate
//! is checked on its line alone before it counts. Nothing is missed: a
//! match of a line alone is also a match in the run (`^` and `$` match at
//! line ends in multi-line mode; `\b` sees the `\n` as the non-word it sees
//! at the end of the text), so the leftmost match in the run never starts
//! after it. `\A` and `\z` are the exception, so a pattern with them is
//! matched line by line.

use std::fmt::Display;
use std::ops::{ControlFlow, Range};
use std::time::{Duration, Instant};

use regex::bytes::{Regex as BytesRegex, RegexBuilder as BytesRegexBuilder};
use regex::{Regex, RegexBuilder};
use regex_syntax::ast::{Ast, ClassSet, ClassSetItem};

use crate::history::History;
use crate::sanitize::{Options, sanitize};

/// How a reflow header starts (an APC string, see [`crate::tag`]):
/// sanitizing removes it whole, so a search skips it.
const MARK: &[u8] = crate::tag::PREFIX;

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

impl Pattern {
    /// Compiles `text`. Like ripgrep's smart case, a pattern without an
    /// uppercase letter ignores case (`error` finds `ERROR`; `Error` only
    /// `Error`); escapes such as `\S` or `\p{Lu}` are no letters.
    ///
    /// # Errors
    ///
    /// A one-line message fit for a status bar, such as
    /// `invalid pattern: unclosed group`, or [`TOO_LONG`] for one longer
    /// than [`MAX_PATTERN`].
    pub(crate) fn new(text: &str) -> Result<Pattern, String> {
        fn invalid(why: impl Display) -> String {
            format!("invalid pattern: {why}")
        }
        if text.len() > MAX_PATTERN {
            return Err(TOO_LONG.to_owned());
        }
        let ast = regex_syntax::ast::parse::Parser::new()
            .parse(text)
            .map_err(|e| invalid(e.kind()))?;
        let ignore_case = !has_uppercase(&ast);
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
    fn each_match(
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
fn has_uppercase(ast: &Ast) -> bool {
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

fn set_has_uppercase(set: &ClassSet) -> bool {
    match set {
        ClassSet::Item(item) => item_has_uppercase(item),
        ClassSet::BinaryOp(op) => set_has_uppercase(&op.lhs) || set_has_uppercase(&op.rhs),
    }
}

fn item_has_uppercase(item: &ClassSetItem) -> bool {
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
/// field, both are what sanitizing removes). Only a header whose body is
/// printable ASCII ended by `ESC \` is skipped: `vte` ignores such a body
/// and leaves the string in the ground state with nothing printed, so
/// sanitizing the line gives the same as sanitizing what follows. Anything
/// else in a mark (a control could end it early) is left to the sanitizer.
fn skip_marks(mut raw: &[u8]) -> &[u8] {
    while let Some(rest) = raw.strip_prefix(MARK) {
        let body = rest.iter().take_while(|b| matches!(b, b' '..=b'~')).count();
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
fn is_clean(raw: &[u8]) -> bool {
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
fn next_odd(bytes: &[u8]) -> Option<usize> {
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
fn next_special(run: &[u8], mut from: usize) -> Option<Range<usize>> {
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

fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// What a [`Search`] step came to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Step {
    /// The next matching line, by id.
    Found(usize),
    /// No line matches in the direction searched.
    NotFound,
    /// The budget ran out first: call [`Search::step`] again. `done` is
    /// the fraction of the lines to search that was searched, for a
    /// progress display.
    Pending {
        /// From 0 to 1.
        done: f32,
    },
}

/// A search through the history that runs in steps, so the display stays
/// responsive: the caller steps, reads keys, draws, steps again.
///
/// It searches from a position between lines: forward, the lines from
/// `from` on; backward, the lines before `from`. Lines are read as they
/// are at each step: a forward search also reaches lines that arrived
/// meanwhile, lines dropped by a cap are skipped.
#[derive(Clone, Debug)]
pub(crate) struct Search {
    pattern: Pattern,
    backward: bool,
    /// Where the search began, for progress.
    origin: usize,
    /// Forward, the first line not searched yet; backward, one past it.
    next: usize,
}

impl Search {
    /// A search for `pattern` from position `from` (see [`Search`]); `n` is
    /// `Search::new(pattern, found + 1, false)` after a forward match and
    /// `Search::new(pattern, found, true)` after a backward one, or just
    /// another [`step`](Search::step) of the same search.
    pub(crate) fn new(pattern: Pattern, from: usize, backward: bool) -> Search {
        Search {
            pattern,
            backward,
            origin: from,
            next: from,
        }
    }

    /// The pattern searched for.
    pub(crate) fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Searches on for about `budget` (at least one chunk of the history,
    /// 256 KiB, so every step gets somewhere). After [`Step::Found`] the
    /// next step goes on past the line found.
    pub(crate) fn step(&mut self, history: &History, options: Options, budget: Duration) -> Step {
        let started = Instant::now();
        let (first, len) = (history.first(), history.len());
        self.next = self.next.clamp(first, len);
        let lines = if self.backward {
            first..self.next
        } else {
            self.next..len
        };
        let (pattern, backward, next) = (&self.pattern, self.backward, &mut self.next);
        let mut found = None;
        let _ = history.scan(lines, backward, |lines, run| {
            if backward {
                // The last match of the run: all of it is searched anyway.
                let _ = pattern.each_match(lines.start, run, options, |line| {
                    found = Some(line);
                    ControlFlow::Continue(())
                });
            } else {
                let _ = pattern.each_match(lines.start, run, options, |line| {
                    found = Some(line);
                    ControlFlow::Break(())
                });
            }
            if let Some(line) = found {
                *next = if backward { line } else { line + 1 };
                return ControlFlow::Break(());
            }
            *next = if backward { lines.start } else { lines.end };
            if started.elapsed() >= budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if let Some(line) = found {
            return Step::Found(line);
        }
        let (done, total) = if self.backward {
            if self.next <= first {
                return Step::NotFound;
            }
            (
                self.origin.saturating_sub(self.next),
                self.origin.saturating_sub(first),
            )
        } else {
            if self.next >= len {
                return Step::NotFound;
            }
            (
                self.next.saturating_sub(self.origin),
                len.saturating_sub(self.origin),
            )
        };
        Step::Pending {
            done: fraction(done, total),
        }
    }
}

/// `part / whole` within 0..=1, for a progress display.
fn fraction(part: usize, whole: usize) -> f32 {
    if whole == 0 {
        return 1.0;
    }
    (part as f64 / whole as f64).clamp(0.0, 1.0) as f32
}

/// How far a [`Filter`] got.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Progress {
    /// Every line held has been checked.
    Done,
    /// The budget ran out first. `done` is the fraction of the lines held
    /// that was checked.
    Pending {
        /// From 0 to 1.
        done: f32,
    },
}

/// The matching lines of the whole history, for `&pattern` (show only
/// matching lines): checked in steps, oldest first, and kept up to date
/// as lines arrive by calling [`extend`](Filter::extend) again.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    pattern: Pattern,
    /// Ids of matching lines, in order.
    matches: Vec<usize>,
    /// The first line not checked yet.
    next: usize,
}

impl Filter {
    /// A filter for `pattern` with nothing checked yet.
    pub(crate) fn new(pattern: Pattern) -> Filter {
        Filter {
            pattern,
            matches: Vec::new(),
            next: 0,
        }
    }

    /// The pattern filtered by.
    pub(crate) fn pattern(&self) -> &Pattern {
        &self.pattern
    }

    /// Checks the lines not checked yet (those that arrived since the last
    /// call, at first all of them) for about `budget`, at least one chunk.
    /// Forgets matches a cap has dropped from the history since.
    pub(crate) fn extend(
        &mut self,
        history: &History,
        options: Options,
        budget: Duration,
    ) -> Progress {
        let started = Instant::now();
        let (first, len) = (history.first(), history.len());
        let gone = self.matches.partition_point(|&line| line < first);
        self.matches.drain(..gone);
        self.next = self.next.max(first);
        let (pattern, matches, next) = (&self.pattern, &mut self.matches, &mut self.next);
        let _ = history.scan(*next..len, false, |lines, run| {
            let _ = pattern.each_match(lines.start, run, options, |line| {
                matches.push(line);
                ControlFlow::Continue(())
            });
            *next = lines.end;
            if started.elapsed() >= budget {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        if self.next >= len {
            Progress::Done
        } else {
            Progress::Pending {
                done: fraction(self.next - first, len - first),
            }
        }
    }

    /// The ids of the matching lines checked so far, oldest first.
    pub(crate) fn matches(&self) -> &[usize] {
        &self.matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pattern(text: &str) -> Pattern {
        Pattern::new(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    /// Every line of `h` that matches, the slow way: sanitize each one.
    fn naive(h: &History, p: &Pattern) -> Vec<usize> {
        (h.first()..h.len())
            .filter(|&i| p.is_match(&sanitize(&h.get(i).unwrap_or_default(), 8)))
            .collect()
    }

    /// Every line a search finds, stepping until it finds no more.
    fn found(h: &History, p: &Pattern, from: usize, backward: bool) -> Vec<usize> {
        let mut search = Search::new(p.clone(), from, backward);
        let mut all = Vec::new();
        loop {
            match search.step(h, Options::default(), Duration::ZERO) {
                Step::Found(line) => all.push(line),
                Step::NotFound => return all,
                Step::Pending { done } => assert!((0.0..=1.0).contains(&done)),
            }
        }
    }

    fn filtered(h: &History, p: &Pattern) -> Vec<usize> {
        let mut filter = Filter::new(p.clone());
        while filter.extend(h, Options::default(), Duration::ZERO) != Progress::Done {}
        filter.matches().to_vec()
    }

    fn history(lines: &[&[u8]]) -> History {
        let mut h = History::new();
        lines.iter().for_each(|line| h.push(line));
        h
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
    fn matches_the_sanitized_text() {
        let cases: &[(&str, &[u8], bool)] = &[
            ("foobar", b"foo\x1b[31mbar", true),
            ("31m", b"foo\x1b[31mbar", false),
            ("o.b", b"foo\x1b[31mbar\x1b[0m", true),
            ("title", b"a\x1b]0;title\x07b", false),
            ("ab", b"a\x1b]0;title\x07b", true),
            (r"\^G", b"bell\x07", true),
            ("bell^", b"bell\x07", false),
            (r"\^\[\[2J", "a\u{9b}2Jb".as_bytes(), true),
            ("a b", b"a\tb", false),
            ("a {7}b", b"a\tb", true),
            (r"\t", b"a\tb", false),
            ("^100%$", b"10%\r50%\r100%", true),
            ("50", b"10%\r50%\r100%", false),
            ("ok$", b"windows ok\r", true),
            ("\u{fffd}", b"a\xffb", true),
            ("a.b", b"a\xffb", true),
            ("ls", b"l\x08ls\x08s", true),
            (r"\^H", b"ab\x08c", true),
            (r"\^\?", b"del\x7f", true),
            ("^text", b"\x1b_reflow:indent=4\x1b\\text", true),
            ("indent", b"\x1b_reflow:indent=4\x1b\\text", false),
            (
                "^x",
                b"\x1b_reflow:indent=4\x1b\\\x1b_reflow:indent=2\x1b\\x",
                true,
            ),
            ("日本", "日本語".as_bytes(), true),
            ("^.{3}$", "日本語".as_bytes(), true),
        ];
        for (text, raw, want) in cases {
            let p = pattern(text);
            let name = String::from_utf8_lossy(raw);
            assert_eq!(
                p.matches_line(raw, Options::default()),
                *want,
                "{text} on {name:?}"
            );
            // The same when searching a history of such lines.
            let h = history(&[b"zz", raw, b"zz"]);
            let want_lines = if *want { vec![1] } else { vec![] };
            assert_eq!(
                filtered(&h, &p),
                want_lines,
                "{text} on {name:?} in a history"
            );
        }
    }

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

    #[test]
    fn searches_find_lines_in_order_both_ways() {
        let lines: Vec<Vec<u8>> = (0..30_000)
            .map(|i| match i % 1000 {
                17 => format!("{i} needle").into_bytes(),
                400 => format!("{i} nee\x1b[1mdle").into_bytes(),
                401 => format!("\x1b_reflow:indent=4\x1b\\needle {i}").into_bytes(),
                402 => format!("{i} ne\tedle \x1b[31mneedle").into_bytes(),
                _ => format!("{i} haystack {}", "hay ".repeat(i % 40)).into_bytes(),
            })
            .collect();
        let mut h = History::new();
        lines.iter().for_each(|line| h.push(line));
        while h.compact() {}
        let p = pattern("needle");
        let want: Vec<usize> = (0..30_000)
            .filter(|i| matches!(i % 1000, 17 | 400..=402))
            .collect();
        assert_eq!(naive(&h, &p), want);
        assert_eq!(found(&h, &p, 0, false), want);
        let mut back = want.clone();
        back.reverse();
        assert_eq!(found(&h, &p, h.len(), true), back);
        // From a position between lines: forward includes it, backward not.
        assert_eq!(found(&h, &p, 17, false)[0], 17);
        assert_eq!(found(&h, &p, 18, false)[0], 400);
        assert_eq!(found(&h, &p, 17, true), Vec::<usize>::new());
        assert_eq!(found(&h, &p, 18, true), [17]);
        assert_eq!(found(&h, &p, 1_401, true)[..2], [1_400, 1_017]);
        // Positions past either end are taken as the end.
        assert_eq!(found(&h, &p, 99_999, true)[0], 29_402);
        assert_eq!(found(&h, &p, 99_999, false), Vec::<usize>::new());
        assert_eq!(filtered(&h, &p), want);
    }

    #[test]
    fn a_capped_history_gives_ids_of_lines_still_held() {
        let mut h = History::with_max_lines(5_000);
        for i in 0..20_000 {
            let mark = if i % 300 == 0 { " needle" } else { "" };
            h.push(format!("{i} some log line text{mark}").as_bytes());
            if i % 1000 == 0 {
                while h.compact() {}
            }
        }
        assert_eq!(h.first(), 15_000);
        let p = pattern("needle");
        let want: Vec<usize> = (15_000..20_000).filter(|i| i % 300 == 0).collect();
        assert_eq!(found(&h, &p, 0, false), want);
        let mut back = want.clone();
        back.reverse();
        assert_eq!(found(&h, &p, h.len(), true), back);
        assert_eq!(filtered(&h, &p), want);
    }

    #[test]
    fn a_filter_takes_new_lines_and_forgets_dropped_ones() {
        let mut h = History::with_max_lines(3_000);
        let mut filter = Filter::new(pattern("needle"));
        let push = |h: &mut History, from: usize, to: usize| {
            for i in from..to {
                let mark = if i % 100 == 0 { " needle" } else { "" };
                h.push(format!("{i} text{mark}").as_bytes());
            }
        };
        push(&mut h, 0, 1_000);
        assert_eq!(
            filter.extend(&h, Options::default(), Duration::MAX),
            Progress::Done
        );
        assert_eq!(
            filter.matches(),
            (0..1_000).step_by(100).collect::<Vec<_>>()
        );
        assert_eq!(filter.next, 1_000);
        // Nothing new: nothing changes.
        assert_eq!(
            filter.extend(&h, Options::default(), Duration::MAX),
            Progress::Done
        );
        assert_eq!(filter.matches().len(), 10);
        push(&mut h, 1_000, 2_500);
        assert_eq!(
            filter.extend(&h, Options::default(), Duration::MAX),
            Progress::Done
        );
        assert_eq!(
            filter.matches(),
            (0..2_500).step_by(100).collect::<Vec<_>>()
        );
        // Lines dropped by the cap leave the matches too.
        push(&mut h, 2_500, 60_000);
        while filter.extend(&h, Options::default(), Duration::ZERO) != Progress::Done {}
        assert_eq!(h.first(), 57_000);
        assert_eq!(
            filter.matches(),
            (57_000..60_000).step_by(100).collect::<Vec<_>>()
        );
    }

    #[test]
    fn steps_report_progress_until_done() {
        let mut h = History::new();
        for i in 0..100_000 {
            h.push(format!("{i} a log line with no match in it at all, padded").as_bytes());
        }
        while h.compact() {}
        let p = pattern("needle");
        for backward in [false, true] {
            let from = if backward { h.len() } else { 0 };
            let mut search = Search::new(p.clone(), from, backward);
            let mut progress = Vec::new();
            loop {
                match search.step(&h, Options::default(), Duration::ZERO) {
                    Step::Pending { done } => progress.push(done),
                    Step::NotFound => break,
                    Step::Found(line) => panic!("found {line}"),
                }
            }
            // One chunk a step: 100,000 lines of ~55 bytes are ~20 chunks.
            assert!(progress.len() > 10, "{progress:?}");
            assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
            assert!(progress[0] > 0.0 && progress[progress.len() - 1] < 1.0);
        }
        let mut filter = Filter::new(p);
        let mut steps = 0;
        while let Progress::Pending { done } = filter.extend(&h, Options::default(), Duration::ZERO)
        {
            assert!((0.0..1.0).contains(&done));
            steps += 1;
        }
        assert!(steps > 10);
        // A generous budget does it all at once.
        let mut search = Search::new(pattern("needle"), 0, false);
        assert_eq!(
            search.step(&h, Options::default(), Duration::MAX),
            Step::NotFound
        );
    }

    /// A match in a run of lines that is no match of its line alone, and
    /// anchors of the whole text, each line by line.
    #[test]
    fn matches_never_span_lines() {
        let h = history(&[b"foo", b"bar", b"a", b"b", b"xfoo", b"", b"end"]);
        let cases: &[(&str, &[usize])] = &[
            (r"foo\nbar", &[]),
            (r"(?s)o.b", &[]),
            (r"o\s+b", &[]),
            ("^foo", &[0]),
            ("foo$", &[0, 4]),
            (r"\Afoo", &[0]),
            (r"foo\z", &[0, 4]),
            ("^$", &[5]),
            (r"\bfoo", &[0]),
            ("", &[0, 1, 2, 3, 4, 5, 6]),
            ("(?-m)^b", &[1, 3]),
        ];
        for (text, want) in cases {
            let p = pattern(text);
            assert_eq!(filtered(&h, &p), *want, "{text}");
            assert_eq!(naive(&h, &p), *want, "{text}, naive");
            assert_eq!(found(&h, &p, 0, false), *want, "{text} forward");
            let mut back = want.to_vec();
            back.reverse();
            assert_eq!(found(&h, &p, h.len(), true), back, "{text} backward");
        }
    }

    /// Pieces of lines that sanitizing changes, and some it does not.
    fn atom() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            4 => prop::sample::select(vec!["foo", "bar", "ab", "x", " ", "ERROR", "31m", "^G", "é", "日本"])
                .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::sample::select(vec![
                "\x1b[31m", "\x1b[0m", "\x1b]0;foo\x07", "\x1b_reflow:indent=4\x1b\\",
                "\x1b_reflow:x", "\x1b", "\t", "\r", "\x08", "\x7f", "\x07", "\u{85}",
                "\u{9b}", "\x1b\\", "\x18", "\u{202e}", "\u{2066}", "\u{200f}",
            ])
            .prop_map(|s| s.as_bytes().to_vec()),
            1 => prop::sample::select(vec![vec![0xff], vec![0xe6, 0x97], vec![0xc2], vec![0x9b]]),
            1 => any::<u8>().prop_map(|b| vec![b]),
        ]
    }

    fn line() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(atom(), 0..8).prop_map(|atoms| atoms.concat())
    }

    const PATTERNS: &[&str] = &[
        "foo",
        "foobar",
        "Foo",
        "^foo",
        "bar$",
        "31m",
        r"\^G",
        "a b",
        r"o\s+b",
        "日",
        "\u{fffd}",
        "x*",
        "(?s)o.b",
        r"\bfoo\b",
        "^$",
        r"\Afoo",
        r"foo\z",
        "[[:cntrl:]]",
        "^.$",
        "é",
        r"\^\[",
        "<U",
        " {2,}",
        "ERROR",
        "reflow",
        "rx",
    ];

    proptest! {
        /// The fast path is exact: a line it takes is its own sanitized
        /// text, once its leading marks are skipped.
        #[test]
        fn clean_lines_are_their_own_text(mut raw in line(), tab in 1usize..10) {
            raw.retain(|&b| b != b'\n');
            let text = skip_marks(&raw);
            if is_clean(text) {
                let shown = sanitize(&raw, tab);
                prop_assert_eq!(shown.as_bytes(), text);
            }
        }

        /// Matching a raw line is matching its sanitized text.
        #[test]
        fn fast_path_matches_as_sanitizing_does(
            raw in line(),
            text in prop::sample::select(PATTERNS),
        ) {
            let p = pattern(text);
            let want = p.is_match(&sanitize(&raw, 8));
            prop_assert_eq!(p.matches_line(&raw, Options::default()), want);
        }

        /// Searching runs of lines finds exactly the lines whose sanitized
        /// text matches, in both directions.
        #[test]
        fn searching_runs_is_matching_each_line(
            lines in prop::collection::vec(line(), 0..40),
            text in prop::sample::select(PATTERNS),
        ) {
            let mut h = History::new();
            for line in &lines {
                let line: Vec<u8> = line.iter().copied().filter(|&b| b != b'\n').collect();
                h.push(&line);
            }
            let p = pattern(text);
            let want = naive(&h, &p);
            prop_assert_eq!(&filtered(&h, &p), &want);
            prop_assert_eq!(&found(&h, &p, 0, false), &want);
            let mut back = want.clone();
            back.reverse();
            prop_assert_eq!(found(&h, &p, h.len(), true), back);
        }
    }
}
