//! The display's search and filter state: the prompt being typed, the last
//! search and where it found its line, the count of its matches, the
//! filter and its progress, the highlight, the case patterns are compiled
//! in, the patterns entered before, and the message they leave in the
//! status bar. The keys that change it are in `keys`.

use std::sync::Arc;

use crate::Level;
use crate::layout::Highlight;
use crate::search::{Case, Filter, LevelSearch, LevelTally, Pattern, Search, Tally, Term};
use crate::view::keys::Mode;
use crate::view::prompt::{PromptHistory, Typing};

/// Search and filter state, the prompt, the help and the last message.
#[derive(Default)]
pub(super) struct Find {
    /// The prompt being typed.
    pub(super) prompt: Option<Typing>,
    /// What was entered at the prompts, for Up and Down.
    pub(super) entered: PromptHistory,
    /// The help is shown, from this row down.
    pub(super) help: Option<usize>,
    /// Said in the status bar until the next key.
    pub(super) message: Option<String>,
    /// The last search: its pattern and direction, and the line it found.
    pub(super) last: Option<(Pattern, bool)>,
    pub(super) found: Option<usize>,
    pub(super) running: Option<Search>,
    /// `e`, `w` and the others: the record looked for.
    pub(super) level: Option<LevelSearch>,
    /// The last search's matches, counted in the background.
    pub(super) tally: Option<Tally>,
    /// The status bar says which match the last one found is ("match 3
    /// of 17"), until the next key.
    pub(super) matched: bool,
    /// How patterns match letters (`-i` toggles it).
    pub(super) case: Case,
    pub(super) filter: Option<Filter>,
    /// The error and warning records counted, for the status bar (`None`
    /// with records off).
    pub(super) levels: Option<LevelTally>,
    /// The least level a record must have to be shown (`l`, `L`,
    /// `--level`).
    pub(super) min_level: Option<Level>,
    /// The filter has lines left to check.
    pub(super) filtering: bool,
    /// Matches of the last search (or the filter) in reverse video.
    pub(super) highlight: Option<Highlight>,
    /// The count typed before a move (`500j`), as in less.
    pub(super) count: Option<usize>,
    /// `m` or `'` typed: the next key names a mark.
    pub(super) pending: Option<char>,
    /// Marks: the line each letter marked (at the top then).
    pub(super) marks: std::collections::HashMap<char, usize>,
    /// The top line before the last jump (a mark, a line number, a
    /// search), for `''`.
    pub(super) before_jump: Option<usize>,
}

impl Find {
    /// Filters by `terms` and the least level: no filter when neither
    /// asks for one.
    pub(super) fn set_filter(&mut self, terms: Vec<Term>) {
        self.filtering = !terms.is_empty() || self.min_level.is_some();
        self.filter = self
            .filtering
            .then(|| Filter::with_level(terms, self.min_level));
    }

    pub(super) fn filtered(&self) -> Option<&[usize]> {
        self.filter.as_ref().map(Filter::matches)
    }

    /// True while a search or filter has work left.
    pub(super) fn busy(&self) -> bool {
        self.running.is_some() || self.level.is_some() || self.filtering
    }

    /// New lines arrived: a filter checks them too, and the matches are
    /// counted on.
    pub(super) fn lines_arrived(&mut self) {
        if self.filter.is_some() {
            self.filtering = true;
        }
        if let Some(tally) = &mut self.tally {
            tally.lines_arrived();
        }
    }

    /// True while the last search's matches are being counted.
    pub(super) fn counting(&self) -> bool {
        self.tally.as_ref().is_some_and(Tally::pending)
    }

    /// Counts the last search's matches from the start (a new pattern, or
    /// lines that were not known when counting began).
    pub(super) fn recount(&mut self) {
        self.tally = self.last.as_ref().map(|(p, _)| Tally::new(p.clone()));
    }

    pub(super) fn mode(&self) -> Mode {
        if self.pending.is_some() {
            Mode::Letter
        } else if self.prompt.is_some() {
            Mode::Prompt
        } else if self.help.is_some() {
            Mode::Help
        } else if self.running.is_some() || self.level.is_some() {
            Mode::Searching
        } else {
            Mode::View
        }
    }

    pub(super) fn highlight(&mut self) {
        let pattern = self
            .last
            .as_ref()
            .map(|(p, _)| p)
            .or_else(|| self.filter.as_ref().and_then(Filter::pattern))
            .cloned();
        self.highlight = pattern.map(|p| Arc::new(move |text: &str| p.ranges(text)) as Highlight);
    }
}
