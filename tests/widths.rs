//! The width walk (issue 12, item 1): every code point of planes 0-3
//! (no surrogates, no private-use block U+E000..U+F8FF), alone and between
//! ASCII letters, laid out by `wrap_line` at widths 2 and 3 and drawn in the
//! `vt100` model: no row may make the terminal wrap, and reflow's width of
//! each code point may be wider than the column advance vt100 gives, never
//! narrower. About 10 s in a debug build, 1 s in release; the counts are
//! printed: `cargo test --release --test integration -- widths:: --nocapture`.
//!
//! It also writes `widths.tsv` (code point, reflow width, vt100 advance,
//! sanitized text in hex) into Cargo's test tmp dir, which
//! `scripts/widths-tmux.sh` replays in a tmux pane.

use std::fmt::Write as _;
use std::num::NonZeroU16;

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).unwrap()
}

/// Planes 0-3 without surrogates and the private-use block.
fn code_points() -> impl Iterator<Item = char> {
    (0..=0x3FFFFu32)
        .filter(|c| !(0xE000..=0xF8FF).contains(c))
        .filter_map(char::from_u32)
}

/// Lays `line` out at `width` and draws it; true when a row made the model
/// wrap (or scroll).
fn overflows(term: &mut vt100::Parser, line: &str, width: usize) -> bool {
    let rows = reflow::wrap_line(line, width);
    assert!(rows.len() < 40, "{line:?} made {} rows", rows.len());
    term.process(b"\x1b[H\x1b[2J");
    for row in &rows {
        term.process(row.as_bytes());
        term.process(b"\r\n");
    }
    let screen = term.screen();
    screen.cursor_position().0 as usize != rows.len()
        || (0..rows.len() as u16).any(|r| screen.row_wrapped(r))
}

#[test]
fn no_code_point_overflows_a_row_in_vt100() {
    let start = std::time::Instant::now();
    let mut narrow = [
        (2, vt100::Parser::new(nz(40), nz(2), 0)),
        (3, vt100::Parser::new(nz(40), nz(3), 0)),
    ];
    let mut wide = vt100::Parser::new(nz(2), nz(200), 0);
    let (mut checked, mut same, mut reflow_wider) = (0usize, 0usize, 0usize);
    let mut reflow_narrower = Vec::new();
    let mut overflowing = Vec::new();
    let mut tsv = String::new();
    let mut buf = [0u8; 4];
    for c in code_points() {
        checked += 1;
        let alone = reflow::sanitize(c.encode_utf8(&mut buf).as_bytes(), 8);
        let between = reflow::sanitize(format!("a{c}b").as_bytes(), 8);
        for (width, term) in narrow.iter_mut() {
            for line in [&alone, &between] {
                if overflows(term, line, *width) {
                    overflowing.push((c, *width, line.clone()));
                }
            }
        }
        // vt100's advance for the code point: drawn after an ASCII letter,
        // so a combining mark has something to combine with.
        wide.process(b"\x1b[H\x1b[2Ja");
        wide.process(alone.as_bytes());
        let advance = wide.screen().cursor_position().1 as usize - 1;
        let ours = reflow::width_of(&alone);
        match ours.cmp(&advance) {
            std::cmp::Ordering::Equal => same += 1,
            std::cmp::Ordering::Greater => reflow_wider += 1,
            std::cmp::Ordering::Less => reflow_narrower.push((c, ours, advance)),
        }
        let hex: String = alone.bytes().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let _ = writeln!(tsv, "{:x}\t{ours}\t{advance}\t{hex}", c as u32);
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("widths.tsv");
    std::fs::write(&path, tsv).unwrap();
    println!(
        "vt100 walk: {checked} code points checked; reflow width == vt100 advance: {same}; \
         reflow wider (safe): {reflow_wider}; reflow narrower (failures): {}; \
         rows overflowing at width 2 or 3: {}; {:.1?}; table in {}",
        reflow_narrower.len(),
        overflowing.len(),
        start.elapsed(),
        path.display()
    );
    let show = |v: &[(char, usize, usize)]| -> Vec<String> {
        v.iter()
            .take(50)
            .map(|(c, a, b)| format!("U+{:04X} reflow {a} vt100 {b}", *c as u32))
            .collect()
    };
    assert!(
        reflow_narrower.is_empty(),
        "reflow narrower than vt100: {:?}",
        show(&reflow_narrower)
    );
    assert!(
        overflowing.is_empty(),
        "rows overflowing: {:?}",
        &overflowing[..overflowing.len().min(50)]
    );
}

/// The check above can fail: rows wider than the model, drawn without
/// `wrap_line`, are seen (a narrow row that wraps, a wide character that
/// does not fit in the last column).
#[test]
fn the_model_sees_a_row_wider_than_the_terminal() {
    let drawn = |text: &str, width: u16| {
        let mut term = vt100::Parser::new(nz(40), nz(width), 0);
        term.process(text.as_bytes());
        term.process(b"\r\n");
        let screen = term.screen();
        screen.cursor_position().0 != 1 || screen.row_wrapped(0)
    };
    assert!(!drawn("ab", 2));
    assert!(drawn("abc", 2));
    assert!(!drawn("a日", 3));
    assert!(drawn("ab日", 3));
    // But the model draws U+3164 as 0 columns where tmux draws 2: hence
    // the tmux half, scripts/widths-tmux.sh.
    assert!(!drawn("\u{3164}\u{3164}", 3));
}
