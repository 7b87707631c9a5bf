//! Makes the README's picture from a real run: the logger example under a
//! pty, its screen (through the vt100 model) rendered to SVG.
//!
//! ```sh
//! cargo test --test integration -- --ignored screenshot   # writes docs/reflow.svg
//! ```

use std::fmt::Write as _;

use crate::support::*;

/// The colour of a cell as SVG, the xterm defaults.
fn color(c: vt100::Color, default: &str) -> String {
    const BASE: [&str; 16] = [
        "#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
        "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
    ];
    match c {
        vt100::Color::Default => default.to_owned(),
        vt100::Color::Idx(i) if usize::from(i) < 16 => BASE[usize::from(i)].to_owned(),
        vt100::Color::Idx(i) => format!("#{:02x}{:02x}{:02x}", i, i, i),
        vt100::Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

fn escape(c: &str) -> String {
    c.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The screen as an SVG of `cols` x `rows` cells.
fn svg(screen: &vt100::Screen) -> String {
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    let (cw, ch) = (8.4, 17.0);
    let (fg, bg) = ("#d0d0d0", "#1e1e1e");
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="DejaVu Sans Mono, Menlo, monospace" font-size="14"><rect width="100%" height="100%" fill="{bg}"/>"#,
        w = f64::from(cols) * cw + 16.0,
        h = f64::from(rows) * ch + 16.0,
    );
    for row in 0..rows {
        for col in 0..cols {
            let Some(cell) = screen.cell(row, col) else {
                continue;
            };
            let (x, y) = (8.0 + f64::from(col) * cw, 8.0 + f64::from(row) * ch);
            let (mut cell_fg, mut cell_bg) = (color(cell.fgcolor(), fg), color(cell.bgcolor(), bg));
            if cell.inverse() {
                std::mem::swap(&mut cell_fg, &mut cell_bg);
            }
            if cell_bg != bg {
                let _ = writeln!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{cw}" height="{ch}" fill="{cell_bg}"/>"#
                );
            }
            let text = cell.contents();
            if !text.trim().is_empty() {
                let weight = if cell.bold() {
                    r#" font-weight="bold""#
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    r#"<text x="{x:.1}" y="{:.1}" fill="{cell_fg}"{weight}>{}</text>"#,
                    y + 13.0,
                    escape(text)
                );
            }
        }
    }
    out.push_str("</svg>\n");
    out
}

#[test]
#[ignore = "writes docs/reflow.svg: cargo test --test integration -- --ignored screenshot"]
fn screenshot() {
    let script = format!(
        "RUST_LOG=debug '{}' --workers 3 --steps 400 --step-ms 25 > /dev/null",
        require_example("logger").display()
    );
    let pty = Pty::spawn(Pty::sh(&script), 84, 22);
    pty.wait_for_text("step 14 was slow", TIMEOUT).unwrap();
    let picture = pty.with_screen(svg);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reflow.svg");
    std::fs::write(&path, picture).unwrap();
    println!("wrote {}", path.display());
}
