//! [`Env`]: where the filter and the write style are read from
//! (`RUST_LOG`, `RUST_LOG_STYLE`, or variables of the host's).

use std::borrow::Cow;

use super::{DEFAULT_FILTER_ENV, DEFAULT_WRITE_STYLE_ENV};

/// Where the filter and the write style are read from.
#[derive(Clone, Debug)]
pub struct Env<'a> {
    pub(super) filter: Var<'a>,
    pub(super) write_style: Var<'a>,
}

#[derive(Clone, Debug)]
pub(super) struct Var<'a> {
    name: Cow<'a, str>,
    default: Option<Cow<'a, str>>,
}

impl Var<'_> {
    pub(super) fn get(&self) -> Option<String> {
        std::env::var(&*self.name)
            .ok()
            .or_else(|| self.default.as_ref().map(|d| d.to_string()))
    }
}

impl Default for Env<'_> {
    fn default() -> Self {
        Env {
            filter: Var {
                name: DEFAULT_FILTER_ENV.into(),
                default: None,
            },
            write_style: Var {
                name: DEFAULT_WRITE_STYLE_ENV.into(),
                default: None,
            },
        }
    }
}

impl<'a> Env<'a> {
    /// `RUST_LOG` and `RUST_LOG_STYLE`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the filter from `filter_env`.
    pub fn filter<E: Into<Cow<'a, str>>>(mut self, filter_env: E) -> Self {
        self.filter = Var {
            name: filter_env.into(),
            default: None,
        };
        self
    }

    /// Reads the filter from `filter_env`, or `default` when it is unset.
    pub fn filter_or<E: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>>(
        mut self,
        filter_env: E,
        default: V,
    ) -> Self {
        self.filter = Var {
            name: filter_env.into(),
            default: Some(default.into()),
        };
        self
    }

    /// The filter when its variable is unset.
    pub fn default_filter_or<V: Into<Cow<'a, str>>>(mut self, default: V) -> Self {
        self.filter.default = Some(default.into());
        self
    }

    /// Reads the write style from `write_style_env`.
    pub fn write_style<E: Into<Cow<'a, str>>>(mut self, write_style_env: E) -> Self {
        self.write_style = Var {
            name: write_style_env.into(),
            default: None,
        };
        self
    }

    /// Reads the write style from `write_style_env`, or `default`.
    pub fn write_style_or<E: Into<Cow<'a, str>>, V: Into<Cow<'a, str>>>(
        mut self,
        write_style_env: E,
        default: V,
    ) -> Self {
        self.write_style = Var {
            name: write_style_env.into(),
            default: Some(default.into()),
        };
        self
    }

    /// The write style when its variable is unset.
    pub fn default_write_style_or<V: Into<Cow<'a, str>>>(mut self, default: V) -> Self {
        self.write_style.default = Some(default.into());
        self
    }
}

impl<'a, T: Into<Cow<'a, str>>> From<T> for Env<'a> {
    /// The filter read from the variable named `filter_env`.
    fn from(filter_env: T) -> Self {
        Env::default().filter(filter_env)
    }
}
