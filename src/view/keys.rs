//! What a key means to the viewer, which depends on what it is doing: the
//! same `q` quits, closes the help, or is typed into a search prompt.
//! Pure: a table tested without a terminal.

use super::prompt::Edit;

/// What the key reader hands the viewer: a key, or the terminal's news
/// that its size changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "viewer"), allow(dead_code))]
pub(crate) enum Input {
    Key(Key),
    Resize,
}

/// A key (or wheel turn) the viewer knows, with terminal details gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "viewer"), allow(dead_code))]
pub(crate) enum Key {
    Char(char),
    Ctrl(char),
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Delete,
    Enter,
    Esc,
    Backspace,
    F1,
    WheelUp,
    WheelDown,
}

/// What the viewer is doing, for what a key means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Showing lines.
    View,
    /// Typing a pattern in the status bar.
    Prompt,
    /// Showing the keys.
    Help,
    /// A search is running.
    Searching,
    /// After `m`, `'`, `:` or `-`: the next key names the mark, the
    /// command or the option.
    Letter,
}

/// How far a move goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Amount {
    Rows(usize),
    Page,
    HalfPage,
}

/// Which prompt a key opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prompt {
    /// `/`: search forward.
    Forward,
    /// `?`: search backward.
    Backward,
    /// `&`: show only matching lines.
    Filter,
}

impl Prompt {
    /// The character the prompt shows before the pattern.
    pub(crate) fn sign(self) -> char {
        match self {
            Prompt::Forward => '/',
            Prompt::Backward => '?',
            Prompt::Filter => '&',
        }
    }
}

/// What a key asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Quit,
    /// Ctrl-C with nothing to cancel: quit as interrupted (130).
    Interrupt,
    Repaint,
    Up(Amount),
    Down(Amount),
    Top,
    Bottom,
    Left,
    Right,
    Open(Prompt),
    /// A character typed into the prompt, at its cursor.
    Type(char),
    /// The prompt's line edited (Backspace on an empty one closes it).
    Edit(Edit),
    /// Up in a prompt: the pattern entered before the one shown.
    Older,
    /// Down in a prompt: the one after, and then the line being typed.
    Newer,
    Submit,
    /// Closes the prompt or the help, or stops a search.
    Cancel,
    /// `n`: the next match in the search's direction; `N`: the other way.
    Next,
    Previous,
    Help,
    /// A digit of a count (`500j`, `100g`, `50%`), as in less.
    Digit(u8),
    /// `%` or `p`: to the count's percent of the lines.
    Percent,
    /// `m`: mark the top line with the next letter.
    Mark,
    /// `'`: back to the mark of the next letter (`''`: to before the last
    /// jump).
    GoMark,
    /// The letter after `m` or `'`, `:` (`:n`, `:p`, `:x`) or `-` (`-N`).
    Letter(char),
    /// `:`: the next letter names a command over files, as in less.
    Colon,
    /// `-`: the next letter names an option to toggle (`-N`, `-S`, `-i`),
    /// as in less.
    Dash,
    /// `e` `E` (errors), `w` `W` (warnings or worse): the next record at
    /// that level or worse; `true`: the previous one.
    Level(crate::Level, bool),
    /// `L`: show only records of the next level up or worse; `l`: one
    /// level down (`false`).
    MinLevel(bool),
    /// `J`: JSON and logfmt records as received, or readable.
    Raw,
}

/// The action `key` asks for in `mode`, if any.
pub(crate) fn action(mode: Mode, key: Key) -> Option<Action> {
    use Action as A;
    match (mode, key) {
        (_, Key::Ctrl('l')) => Some(A::Repaint),
        // Ctrl-C first stops what is under way; with nothing, it quits.
        (Mode::View, Key::Ctrl('c')) => Some(A::Interrupt),
        (_, Key::Ctrl('c')) => Some(A::Cancel),
        (Mode::Searching, Key::Esc) => Some(A::Cancel),
        // The keys of less's and readline's line editing.
        (Mode::Prompt, key) => match key {
            Key::Char(c) => Some(A::Type(c)),
            Key::Backspace | Key::Ctrl('h') => Some(A::Edit(Edit::Backspace)),
            Key::Delete => Some(A::Edit(Edit::Delete)),
            Key::Left => Some(A::Edit(Edit::Left)),
            Key::Right => Some(A::Edit(Edit::Right)),
            Key::Home | Key::Ctrl('a') => Some(A::Edit(Edit::Home)),
            Key::End | Key::Ctrl('e') => Some(A::Edit(Edit::End)),
            Key::Ctrl('u') => Some(A::Edit(Edit::KillToStart)),
            Key::Ctrl('w') => Some(A::Edit(Edit::KillWord)),
            Key::Up => Some(A::Older),
            Key::Down => Some(A::Newer),
            Key::Enter => Some(A::Submit),
            Key::Esc => Some(A::Cancel),
            _ => None,
        },
        (Mode::Letter, Key::Char(c)) => Some(A::Letter(c)),
        (Mode::Letter, _) => Some(A::Cancel),
        (Mode::Help, Key::Char('q' | 'h') | Key::Esc | Key::F1) => Some(A::Cancel),
        // The help scrolls by the keys that scroll the lines.
        (Mode::Help, key) => match action(Mode::View, key) {
            Some(a @ (A::Up(_) | A::Down(_) | A::Top | A::Bottom)) => Some(a),
            _ => None,
        },
        (Mode::View | Mode::Searching, key) => match key {
            Key::Char('q' | 'Q') => Some(A::Quit),
            Key::Up | Key::Char('k' | 'y') | Key::Ctrl('p' | 'y') => Some(A::Up(Amount::Rows(1))),
            Key::Down | Key::Enter | Key::Char('j') | Key::Ctrl('n' | 'e') => {
                Some(A::Down(Amount::Rows(1)))
            }
            Key::WheelUp => Some(A::Up(Amount::Rows(3))),
            Key::WheelDown => Some(A::Down(Amount::Rows(3))),
            Key::PageUp | Key::Char('b') | Key::Ctrl('b') => Some(A::Up(Amount::Page)),
            Key::PageDown | Key::Char(' ' | 'f') | Key::Ctrl('f') => Some(A::Down(Amount::Page)),
            Key::Ctrl('u') | Key::Char('u') => Some(A::Up(Amount::HalfPage)),
            Key::Ctrl('d') | Key::Char('d') => Some(A::Down(Amount::HalfPage)),
            Key::Home | Key::Char('g' | '<') => Some(A::Top),
            Key::End | Key::Char('G' | '>' | 'F') => Some(A::Bottom),
            Key::Left => Some(A::Left),
            Key::Right => Some(A::Right),
            Key::Char('/') => Some(A::Open(Prompt::Forward)),
            Key::Char('?') => Some(A::Open(Prompt::Backward)),
            Key::Char('&') => Some(A::Open(Prompt::Filter)),
            Key::Char('n') => Some(A::Next),
            Key::Char('N') => Some(A::Previous),
            Key::Char('h' | 'H') | Key::F1 => Some(A::Help),
            Key::Char(c @ '0'..='9') => Some(A::Digit(c as u8 - b'0')),
            Key::Char('%' | 'p') => Some(A::Percent),
            Key::Char('m') => Some(A::Mark),
            Key::Char('\'') => Some(A::GoMark),
            Key::Char(':') => Some(A::Colon),
            Key::Char('-') => Some(A::Dash),
            Key::Char('e') => Some(A::Level(crate::Level::Error, false)),
            Key::Char('E') => Some(A::Level(crate::Level::Error, true)),
            Key::Char('w') => Some(A::Level(crate::Level::Warn, false)),
            Key::Char('W') => Some(A::Level(crate::Level::Warn, true)),
            Key::Char('L') => Some(A::MinLevel(true)),
            Key::Char('l') => Some(A::MinLevel(false)),
            Key::Char('J') => Some(A::Raw),
            _ => None,
        },
    }
}

/// The help's first row.
pub(crate) const HELP_TITLE: &str = "reflow keys";

/// The help's entries: keys, and what they do; `("", "")` is a gap. Laid
/// out in two columns, or one under the other when narrow (`help.rs`).
pub(crate) const HELP: &[(&str, &str)] = &[
    ("j  Down  Enter", "down one row (Ctrl-E too)"),
    ("k  Up", "up one row (pauses following)"),
    ("Space  f  PgDn", "down a page"),
    ("b  PgUp", "up a page"),
    ("d  Ctrl-D", "down half a page"),
    ("u  Ctrl-U", "up half a page"),
    ("g  Home  <", "the first line"),
    ("G  End  >  F", "the last line, and follow again"),
    ("N j  N k  N g", "N rows down, up; line N (also N G)"),
    ("N %  N p", "N percent of the way"),
    (
        "m x  ' x  ''",
        "mark the top line x; back to it; back again",
    ),
    (
        "mouse wheel",
        "3 rows, with --mouse (then Shift + drag selects)",
    ),
    (":n  :p  :x", "the next file, the previous one, the first"),
    ("Left  Right", "sideways, with --wrap none or -S"),
    ("", ""),
    ("-N", "line numbers on, off"),
    ("-S", "chop long lines (Left, Right scroll), or wrap"),
    ("-i", "case: smart (lower case ignores it), or exact"),
    ("", ""),
    (
        "/pattern",
        "search forward (regex; lower case ignores case)",
    ),
    ("?pattern", "search backward"),
    ("n  N", "next match, the other way (says: match 3 of 17)"),
    ("e  E", "the next error record, the previous one"),
    ("w  W", "the next warning (or worse), the previous one"),
    ("L  l", "show only records of a level up or worse; down"),
    ("J", "JSON and logfmt records as received, or readable"),
    ("&pattern", "show only matching lines; again: narrows"),
    ("&!pattern", "leave matching lines out"),
    ("& alone  &*", "drop the last filter; drop them all"),
    (
        "Left Right Home End",
        "move in a prompt (Ctrl-A, Ctrl-E too)",
    ),
    ("Backspace  Delete", "erase before the cursor, at it"),
    ("Ctrl-U  Ctrl-W", "erase to the start; the word before"),
    ("Up  Down", "in a prompt: the patterns entered before"),
    ("Esc  Ctrl-C", "cancel a prompt or a running search"),
    ("", ""),
    ("Ctrl-L", "repaint the screen"),
    ("Ctrl-Z", "suspend (fg resumes)"),
    ("q", "quit"),
    ("Ctrl-C", "stop following (the producer gets SIGINT)"),
    (
        "h  F1",
        "this help; j k Space b scroll it, q or Esc closes it",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_means_what_the_mode_says() {
        use Action as A;
        let cases = [
            (Mode::View, Key::Char('q'), Some(A::Quit)),
            (Mode::Prompt, Key::Char('q'), Some(A::Type('q'))),
            (Mode::Help, Key::Char('q'), Some(A::Cancel)),
            (Mode::View, Key::Ctrl('c'), Some(A::Interrupt)),
            (Mode::Prompt, Key::Ctrl('c'), Some(A::Cancel)),
            (Mode::Searching, Key::Ctrl('c'), Some(A::Cancel)),
            (Mode::Searching, Key::Esc, Some(A::Cancel)),
            (Mode::Prompt, Key::Esc, Some(A::Cancel)),
            (Mode::View, Key::Esc, None),
            (Mode::View, Key::Char('j'), Some(A::Down(Amount::Rows(1)))),
            (Mode::View, Key::Char('k'), Some(A::Up(Amount::Rows(1)))),
            (Mode::View, Key::WheelDown, Some(A::Down(Amount::Rows(3)))),
            (Mode::View, Key::Char(' '), Some(A::Down(Amount::Page))),
            (Mode::View, Key::Char('b'), Some(A::Up(Amount::Page))),
            (Mode::View, Key::Ctrl('d'), Some(A::Down(Amount::HalfPage))),
            (Mode::View, Key::Ctrl('u'), Some(A::Up(Amount::HalfPage))),
            (Mode::View, Key::Char('g'), Some(A::Top)),
            (Mode::View, Key::End, Some(A::Bottom)),
            (Mode::View, Key::Char('?'), Some(A::Open(Prompt::Backward))),
            (Mode::View, Key::Char('&'), Some(A::Open(Prompt::Filter))),
            (Mode::View, Key::Char('N'), Some(A::Previous)),
            (Mode::View, Key::F1, Some(A::Help)),
            (Mode::Help, Key::Char('j'), Some(A::Down(Amount::Rows(1)))),
            (Mode::Help, Key::Char(' '), Some(A::Down(Amount::Page))),
            (Mode::Help, Key::Char('b'), Some(A::Up(Amount::Page))),
            (Mode::Help, Key::Char('G'), Some(A::Bottom)),
            (Mode::Help, Key::Char('/'), None),
            (Mode::Help, Key::Char('Q'), None),
            (Mode::Help, Key::Char('h'), Some(A::Cancel)),
            (Mode::Prompt, Key::Enter, Some(A::Submit)),
            (Mode::Prompt, Key::Backspace, Some(A::Edit(Edit::Backspace))),
            (Mode::Prompt, Key::Left, Some(A::Edit(Edit::Left))),
            (Mode::Prompt, Key::Ctrl('a'), Some(A::Edit(Edit::Home))),
            (Mode::Prompt, Key::End, Some(A::Edit(Edit::End))),
            (
                Mode::Prompt,
                Key::Ctrl('u'),
                Some(A::Edit(Edit::KillToStart)),
            ),
            (Mode::Prompt, Key::Ctrl('w'), Some(A::Edit(Edit::KillWord))),
            (Mode::Prompt, Key::Delete, Some(A::Edit(Edit::Delete))),
            (Mode::Prompt, Key::Up, Some(A::Older)),
            (Mode::Prompt, Key::Down, Some(A::Newer)),
            (Mode::Prompt, Key::Char('j'), Some(A::Type('j'))),
            (Mode::Prompt, Key::Ctrl('l'), Some(A::Repaint)),
            (Mode::View, Key::Char('-'), Some(A::Dash)),
            (Mode::Letter, Key::Char('N'), Some(A::Letter('N'))),
            (Mode::Letter, Key::Char('S'), Some(A::Letter('S'))),
            (Mode::Letter, Key::Char('i'), Some(A::Letter('i'))),
            (Mode::Letter, Key::Esc, Some(A::Cancel)),
            (Mode::Prompt, Key::Char('-'), Some(A::Type('-'))),
            (Mode::Help, Key::Char('-'), None),
        ];
        for (mode, key, want) in cases {
            assert_eq!(action(mode, key), want, "{mode:?} {key:?}");
        }
    }
}
