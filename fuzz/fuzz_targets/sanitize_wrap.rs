//! Any bytes, any width: sanitizing and wrapping never panic and always
//! keep the layout contract (rows fit, clusters whole, nothing lost but
//! break spaces, no escape but SGR reaches the terminal).
//!
//! ```text
//! cargo +nightly fuzz run sanitize_wrap
//! ```

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the width (1 to 256), the rest is the line.
    let Some((&width, line)) = data.split_first() else {
        return;
    };
    if let Err(broken) = reflow::fuzz::check_layout(line, usize::from(width) + 1) {
        panic!("{broken}");
    }
});
