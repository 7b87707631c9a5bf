//! Options changed while viewing, as less takes them after `-`: `-N` line
//! numbers, `-S` long lines chopped or wrapped, `-i` smart case or exact.
//! Each says its new state in the status bar, and the line at the top of
//! the view stays there.

use super::tui::Tui;
use crate::options::{Config, Wrap};
use crate::search::{Case, Pattern, Term};

impl Tui {
    /// `-` then `option`.
    pub(super) fn toggle(&mut self, config: &Config, option: char) {
        let said = match option {
            'N' => {
                self.numbers = !self.numbers;
                if self.numbers {
                    "line numbers on"
                } else {
                    "line numbers off"
                }
            }
            'S' => {
                // Back to what was configured, or to words when that was
                // chopping too.
                self.wrap = match (self.wrap, config.wrap) {
                    (Wrap::None, Wrap::None) => Wrap::Word,
                    (Wrap::None, wrap) => wrap,
                    _ => Wrap::None,
                };
                if self.wrap == Wrap::None {
                    "long lines chopped (Left, Right scroll)"
                } else {
                    "long lines wrapped"
                }
            }
            'i' => {
                self.find.case = match self.find.case {
                    Case::Smart => Case::Exact,
                    Case::Exact => Case::Smart,
                };
                self.recase();
                match self.find.case {
                    Case::Smart => "case: smart (a pattern in lower case ignores case)",
                    Case::Exact => "case: exact",
                }
            }
            _ => {
                self.find.message = Some(format!("no option -{option} (-N -S -i)"));
                return;
            }
        };
        self.find.message = Some(said.to_owned());
        // The top line's text stays at the top, laid out anew.
        self.view.relayout();
        self.dirty = true;
    }

    /// The search and the filter, compiled again in the case now asked for:
    /// the filter checks every line again, the matches are counted again.
    fn recase(&mut self) {
        let case = self.find.case;
        let again = |p: &Pattern| Pattern::with_case(p.as_str(), case).ok();
        if let Some((pattern, backward)) = &self.find.last
            && let Some(pattern) = again(pattern)
        {
            self.find.last = Some((pattern, *backward));
            self.find.recount();
        }
        if let Some(filter) = &self.find.filter {
            let terms: Option<Vec<Term>> = filter
                .terms()
                .iter()
                .map(|t| {
                    again(&t.pattern).map(|pattern| Term {
                        pattern,
                        negated: t.negated,
                    })
                })
                .collect();
            if let Some(terms) = terms {
                self.find.set_filter(terms);
            }
        }
        self.find.highlight();
    }
}
