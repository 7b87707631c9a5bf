//! indicatif's progress bars beside the logger's records, as a tool author
//! would write them: `reflow::indicatif::draw_target()` after `init`.

use crate::support::*;

/// A tool that logs a record per step and shows a bar, as a downloader
/// would: 20 steps, then it waits until the test has made the terminal
/// narrower (no key is typed: its echo would be the terminal's, not the
/// display's), then 20 more, and the bar's end.
#[test]
#[ignore = "a host run by a_bar_stays_below_the_records_through_a_resize_and_its_end_stays"]
fn host_logs_beside_a_progress_bar() {
    reflow::env_logger::Builder::new()
        .filter_level(log::LevelFilter::Info)
        .format_timestamp(None)
        .init();
    let bar = indicatif::ProgressBar::with_draw_target(Some(40), reflow::indicatif::draw_target());
    bar.set_style(
        indicatif::ProgressStyle::with_template("fetching {pos}/{len} [{bar:20}]")
            .expect("a valid template"),
    );
    for i in 0..40 {
        if i == 20 {
            bar.println("half way there");
            while crossterm::terminal::size().map_or(0, |(cols, _)| cols) != 40 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        }
        log::info!(target: "fetch", "fetched item number {i} of the forty we were asked for");
        bar.inc(1);
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    bar.finish();
    // Before the test harness's own "ok", which would start a row of the
    // host's own after the bar (a prompt's place, where no region is kept).
    std::process::exit(0);
}

#[test]
fn a_bar_stays_below_the_records_through_a_resize_and_its_end_stays() {
    let pty = run_host(host_name!(host_logs_beside_a_progress_bar), 70, 12, &[]);
    pty.wait_for("the printed line above the bar", TIMEOUT, |screen| {
        let text = screen.contents();
        text.contains("half way there\nfetching 20/40 [")
    })
    .unwrap();
    // While it runs: the bar is the last row in use, below the records.
    let rows = pty.screen_rows();
    let bar = rows
        .iter()
        .rposition(|row| !row.trim().is_empty())
        .expect("rows in use");
    assert!(rows[bar].starts_with("fetching 20/40 ["), "{rows:#?}");
    assert_eq!(rows[bar - 1], "half way there", "{rows:#?}");
    assert!(
        rows[..bar].iter().any(|row| row.contains("item number 19")),
        "{rows:#?}"
    );
    pty.resize(40, 12);
    let exit = pty.wait_exit(TIMEOUT).unwrap();
    assert!(exit.success(), "{}", pty.screen_text());
    assert_terminal_restored(&pty);
    let all = pty.all_rows();
    let text = all.join("\n");
    // Every record, once, in order; wrapped at 40 columns after the resize.
    let mut at = 0;
    for i in 0..40 {
        let needle = format!("item number {i} of");
        let found = text[at..]
            .find(&needle)
            .unwrap_or_else(|| panic!("record {i} missing or out of order:\n{text}"));
        at += found + needle.len();
        assert_eq!(text.matches(&needle).count(), 1, "record {i}:\n{text}");
    }
    assert!(
        all.iter()
            .all(|row| row.chars().count() <= 40 || !row.contains("item"))
    );
    // The line printed above the bar is a line of the log, once, after
    // the records before it. (It joins the log when the bar is next
    // redrawn: records logged before that come first.)
    assert_eq!(text.matches("half way there").count(), 1, "{text}");
    let half = text.find("half way there").unwrap();
    assert!(text.find("item number 19 of").unwrap() < half, "{text}");
    // No bar left behind, in the scrollback or on the screen, but the
    // last one, which stays below the last record.
    let bars: Vec<&String> = all
        .iter()
        .filter(|row| row.starts_with("fetching"))
        .collect();
    assert_eq!(bars.len(), 1, "{text}");
    assert!(bars[0].starts_with("fetching 40/40 ["), "{text}");
    assert!(text.find("fetching 40/40").unwrap() > text.find("item number 39 of").unwrap());
}
