//! `reflow`: show piped input or files, word-wrapped to the terminal and
//! reflowed when it is resized. A thin entry over `cli/`: parse the
//! command line, open the inputs, feed them to the printer from a reader
//! thread, and turn how it stopped into an exit status.

#![deny(unsafe_code)]

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
