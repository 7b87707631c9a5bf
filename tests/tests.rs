//! reflow's integration tests: one binary, a module for each subject.
//!
//! One binary links once, and its tests share one pool of threads instead
//! of each file waiting for its slowest test before the next may start.
//! Every module is a file of `tests/`, named in `Cargo.toml`'s `[[test]]`
//! (`autotests = false`): a new file there runs only once it is named
//! below. `support` is the pseudo-terminal harness and the helpers the
//! modules share.
//!
//! The tests run in parallel in this one process, so none may change what
//! the process shares: its environment, working directory, signal
//! dispositions, stdin, or a global logger or subscriber other tests use.
//! A test that must is a *host*: an `#[ignore]`d function that its test
//! runs in a child process of this same binary (see
//! [`support::run_host`]).
//!
//! ```sh
//! cargo test --test integration                   # all of them
//! cargo test --test integration -- viewer::       # one module
//! cargo test --test integration -- --ignored screenshot  # docs/reflow.svg
//! ```

mod support;

mod cli;
mod command;
mod follow;
mod forged;
mod hangs;
mod host;
mod inplace;
mod links;
mod load;
mod logger;
mod merge;
mod printer;
#[cfg(feature = "indicatif")]
mod progress;
mod pty_harness;
mod records;
mod save;
mod screenshot;
mod spill;
mod strings;
mod text;
#[cfg(feature = "tracing")]
mod tracing;
mod tty;
mod viewer;
mod widths;
