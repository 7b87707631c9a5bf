//! The width policy: how many columns a grapheme cluster takes, as wide as
//! the widest mainstream terminal draws it (so no row overflows on any),
//! and the cuts that follow from it.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Drawn instead of a grapheme cluster wider than the whole row (a wide
/// character on a one-column terminal): the row must still fit.
pub(crate) const TOO_WIDE: &str = "?";

/// Display width of one grapheme cluster: the widest that mainstream
/// terminals (glibc `wcwidth`, tmux, VTE, xterm, kitty) draw it, so no row
/// overflows on any of them. That is the wider of the sum of its code
/// points' widths (how tmux and xterm draw 👍🏽: 4 columns) and its width
/// as one emoji (how newer terminals draw ❤️: 2), with the code points
/// `unicode-width` counts narrower than terminals draw them taken at the
/// terminals' width (U+00AD soft hyphen: 1; U+3164 Hangul filler: 2).
pub fn cluster_width(cluster: &str) -> usize {
    let mut chars = cluster.chars();
    // A flag (two regional indicators) is 2 columns everywhere; counted
    // per letter it would be 4.
    if let (Some(a), Some(b), None) = (chars.next(), chars.next(), chars.next())
        && is_regional_indicator(a)
        && is_regional_indicator(b)
    {
        return 2;
    }
    let sum: usize = cluster.chars().map(char_width).sum();
    sum.max(cluster.width())
}

/// One code point's width as the widest mainstream terminal draws it.
pub(crate) fn char_width(c: char) -> usize {
    match c {
        // Default-ignorable, so `unicode-width` says 0, but glibc's
        // `wcwidth`, tmux and xterm draw them (measured in tmux 3.3a): the
        // soft hyphen as a hyphen, the Hangul fillers as blank cells of
        // their East Asian width.
        '\u{ad}' | '\u{ffa0}' => 1,
        '\u{115f}' | '\u{3164}' => 2,
        // Spacing marks and prepended concatenation marks that
        // `unicode-width` counts 0 but glibc's `wcwidth`, so tmux, draws 1
        // (found by the code point walk, tests/widths.rs and
        // scripts/widths-tmux.sh, in tmux 3.3a).
        '\u{605}'
        | '\u{70f}'
        | '\u{890}'..='\u{891}'
        | '\u{8e2}'
        | '\u{9be}'
        | '\u{9d7}'
        | '\u{b3e}'
        | '\u{b57}'
        | '\u{bbe}'
        | '\u{bd7}'
        | '\u{cc0}'
        | '\u{cc2}'
        | '\u{cc7}'..='\u{cc8}'
        | '\u{cca}'..='\u{ccb}'
        | '\u{cd5}'..='\u{cd6}'
        | '\u{d3e}'
        | '\u{d4e}'
        | '\u{d57}'
        | '\u{dcf}'
        | '\u{ddf}'
        | '\u{1715}'
        | '\u{1734}'
        | '\u{1b35}'
        | '\u{1b3b}'
        | '\u{1b3d}'
        | '\u{1b43}'..='\u{1b44}'
        | '\u{1baa}'
        | '\u{1bf2}'..='\u{1bf3}'
        | '\u{a8fa}'
        | '\u{a953}'
        | '\u{a9c0}'
        | '\u{111c0}'
        | '\u{111c2}'..='\u{111c3}'
        | '\u{11235}'
        | '\u{1133e}'
        | '\u{1134d}'
        | '\u{11357}'
        | '\u{114b0}'
        | '\u{114bd}'
        | '\u{115af}'
        | '\u{116b6}'
        | '\u{11930}'
        | '\u{1193d}'
        | '\u{1193f}'
        | '\u{11941}'
        | '\u{11a84}'..='\u{11a89}'
        | '\u{11d46}'
        | '\u{1d165}'..='\u{1d166}'
        | '\u{1d16d}'..='\u{1d172}' => 1,
        // Hangul tone marks, Khitan/Vietnamese reading marks and the circled
        // numbers on black squares (East Asian ambiguous): tmux draws 2.
        '\u{302e}'..='\u{302f}' | '\u{3248}'..='\u{324f}' | '\u{16ff0}'..='\u{16ff1}' => 2,
        // A regional indicator alone: tmux and xterm draw 1, kitty and
        // WezTerm a wide emoji letter.
        c if is_regional_indicator(c) => 2,
        c => c.width().unwrap_or(0),
    }
}

pub(crate) fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1f1e6}'..='\u{1f1ff}')
}

/// Display width of sanitized text (no control characters).
pub fn width_of(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.graphemes(true).map(cluster_width).sum()
}

/// The longest prefix of `text` that fits in `width` columns, cut between
/// grapheme clusters.
pub fn fit(text: &str, width: usize) -> &str {
    if text.is_ascii() {
        return &text[..text.len().min(width)];
    }
    let mut used = 0;
    for (i, cluster) in text.grapheme_indices(true) {
        used += cluster_width(cluster);
        if used > width {
            return &text[..i];
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::*;

    #[test]
    fn wide_characters_count_two_columns() {
        let rows = wrap_line("日本語のテキスト", 6);
        assert_eq!(rows, vec!["日本語", "のテキ", "スト"]);
        // A wide character never straddles the edge.
        assert_eq!(wrap_line("a日本", 4), vec!["a日", "本"]);
    }

    #[test]
    fn disputed_clusters_count_their_wider_reading() {
        assert_eq!(cluster_width("👍🏽"), 4);
        assert_eq!(cluster_width("❤\u{fe0f}"), 2);
        assert_eq!(cluster_width("e\u{301}"), 1);
        assert_eq!(cluster_width("👨\u{200d}👩\u{200d}👧"), 6);
        assert_eq!(width_of("a👍🏽b"), 6);
    }

    /// Issue 12: where terminals and `unicode-width` disagree, the widest
    /// reading. The tmux widths in the comments were measured in tmux 3.3a
    /// (`a<cluster>b` written to a pane, then its cursor column); "uw" is
    /// `unicode-width` 0.2.
    #[test]
    fn width_policy_table_of_known_disagreements() {
        let cases: &[(&str, &str, usize)] = &[
            // Default-ignorables terminals draw: tmux 1/2/2/1, uw 0/2/0/0.
            ("soft hyphen", "\u{ad}", 1),
            ("Hangul choseong filler", "\u{115f}", 2),
            ("Hangul filler", "\u{3164}", 2),
            ("halfwidth Hangul filler", "\u{ffa0}", 1),
            ("choseong filler + jungseong", "\u{115f}\u{1161}", 2),
            // Default-ignorables no terminal draws: 0 everywhere.
            ("Hangul jungseong filler", "\u{1160}", 0),
            ("zero width space", "\u{200b}", 0),
            ("word joiner", "\u{2060}", 0),
            ("BOM", "\u{feff}", 0),
            ("lone VS16", "\u{fe0f}", 0),
            ("lone VS15", "\u{fe0e}", 0),
            ("lone tag", "\u{e0061}", 0),
            ("cancel tag", "\u{e007f}", 0),
            // Variation selectors: ❤️ tmux 1, newer terminals 2; ⌚︎ tmux 2.
            ("VS16 on a text-default emoji", "\u{2764}\u{fe0f}", 2),
            ("VS15 on an emoji-default one", "\u{231a}\u{fe0e}", 2),
            // Regional indicators: a pair is a flag (2 everywhere, tmux
            // too); alone, tmux 1, kitty 2.
            ("flag", "\u{1f1eb}\u{1f1f7}", 2),
            ("lone regional indicator", "\u{1f1eb}", 2),
            // Skin tone: tmux 4, newer terminals 2.
            ("skin-tone modifier", "\u{1f44d}\u{1f3fd}", 4),
            ("lone skin-tone modifier", "\u{1f3fd}", 2),
            // ZWJ sequence: tmux 3.3a 2, terminals without ZWJ 6.
            (
                "ZWJ family",
                "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}",
                6,
            ),
            // Tag sequence (flag of England): 2 in tmux and uw.
            (
                "tag flag",
                "\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
                2,
            ),
            // Line and paragraph separators: tmux 0, uw 1: the wider.
            ("line separator", "\u{2028}", 1),
            ("paragraph separator", "\u{2029}", 1),
            // Found by the code point walk (tests/widths.rs,
            // scripts/widths-tmux.sh): uw 0 (or 1), tmux 3.3a 1 (or 2).
            ("U+0605", "\u{605}", 1),
            ("U+070F", "\u{70f}", 1),
            ("U+0890", "\u{890}", 1),
            ("U+0891", "\u{891}", 1),
            ("U+08E2", "\u{8e2}", 1),
            ("U+09BE", "\u{9be}", 1),
            ("U+09D7", "\u{9d7}", 1),
            ("U+0B3E", "\u{b3e}", 1),
            ("U+0B57", "\u{b57}", 1),
            ("U+0BBE", "\u{bbe}", 1),
            ("U+0BD7", "\u{bd7}", 1),
            ("U+0CC0", "\u{cc0}", 1),
            ("U+0CC2", "\u{cc2}", 1),
            ("U+0CC7", "\u{cc7}", 1),
            ("U+0CC8", "\u{cc8}", 1),
            ("U+0CCA", "\u{cca}", 1),
            ("U+0CCB", "\u{ccb}", 1),
            ("U+0CD5", "\u{cd5}", 1),
            ("U+0CD6", "\u{cd6}", 1),
            ("U+0D3E", "\u{d3e}", 1),
            ("U+0D4E", "\u{d4e}", 1),
            ("U+0D57", "\u{d57}", 1),
            ("U+0DCF", "\u{dcf}", 1),
            ("U+0DDF", "\u{ddf}", 1),
            ("U+1715", "\u{1715}", 1),
            ("U+1734", "\u{1734}", 1),
            ("U+1B35", "\u{1b35}", 1),
            ("U+1B3B", "\u{1b3b}", 1),
            ("U+1B3D", "\u{1b3d}", 1),
            ("U+1B43", "\u{1b43}", 1),
            ("U+1B44", "\u{1b44}", 1),
            ("U+1BAA", "\u{1baa}", 1),
            ("U+1BF2", "\u{1bf2}", 1),
            ("U+1BF3", "\u{1bf3}", 1),
            ("U+A8FA", "\u{a8fa}", 1),
            ("U+A953", "\u{a953}", 1),
            ("U+A9C0", "\u{a9c0}", 1),
            ("U+111C0", "\u{111c0}", 1),
            ("U+111C2", "\u{111c2}", 1),
            ("U+111C3", "\u{111c3}", 1),
            ("U+11235", "\u{11235}", 1),
            ("U+1133E", "\u{1133e}", 1),
            ("U+1134D", "\u{1134d}", 1),
            ("U+11357", "\u{11357}", 1),
            ("U+114B0", "\u{114b0}", 1),
            ("U+114BD", "\u{114bd}", 1),
            ("U+115AF", "\u{115af}", 1),
            ("U+116B6", "\u{116b6}", 1),
            ("U+11930", "\u{11930}", 1),
            ("U+1193D", "\u{1193d}", 1),
            ("U+1193F", "\u{1193f}", 1),
            ("U+11941", "\u{11941}", 1),
            ("U+11A84", "\u{11a84}", 1),
            ("U+11A85", "\u{11a85}", 1),
            ("U+11A86", "\u{11a86}", 1),
            ("U+11A87", "\u{11a87}", 1),
            ("U+11A88", "\u{11a88}", 1),
            ("U+11A89", "\u{11a89}", 1),
            ("U+11D46", "\u{11d46}", 1),
            ("U+1D165", "\u{1d165}", 1),
            ("U+1D166", "\u{1d166}", 1),
            ("U+1D16D", "\u{1d16d}", 1),
            ("U+1D16E", "\u{1d16e}", 1),
            ("U+1D16F", "\u{1d16f}", 1),
            ("U+1D170", "\u{1d170}", 1),
            ("U+1D171", "\u{1d171}", 1),
            ("U+1D172", "\u{1d172}", 1),
            ("U+302E", "\u{302e}", 2),
            ("U+302F", "\u{302f}", 2),
            ("U+3248", "\u{3248}", 2),
            ("U+3249", "\u{3249}", 2),
            ("U+324A", "\u{324a}", 2),
            ("U+324B", "\u{324b}", 2),
            ("U+324C", "\u{324c}", 2),
            ("U+324D", "\u{324d}", 2),
            ("U+324E", "\u{324e}", 2),
            ("U+324F", "\u{324f}", 2),
            ("U+16FF0", "\u{16ff0}", 2),
            ("U+16FF1", "\u{16ff1}", 2),
        ];
        for (name, cluster, want) in cases {
            assert_eq!(cluster.graphemes(true).count(), 1, "{name} is one cluster");
            assert_eq!(cluster_width(cluster), *want, "{name}");
            // Between ASCII letters (as measured), and never split.
            let between = format!("a{cluster}b");
            assert_eq!(width_of(&between), want + 2, "{name} between letters");
            for width in 1..8 {
                assert_eq!(
                    check_contract(between.as_bytes(), width),
                    Ok(()),
                    "{name} at {width}"
                );
            }
        }
    }

    #[test]
    fn fit_cuts_by_display_width() {
        assert_eq!(fit("日本語", 5), "日本");
        assert_eq!(fit("abc", 5), "abc");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("ae\u{301}b", 2), "ae\u{301}");
    }
}
