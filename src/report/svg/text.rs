//! Text metrics without the fonts: how wide a text is drawn, and how to shorten or wrap
//! it to a width. Labels are placed and legends laid out from these estimates, so they
//! err on the wide side.
//!
//! A character's width starts from its terminal columns (`unicode-width`): two columns
//! (CJK ideographs, kana, hangul, full-width forms) are drawn about one em wide in Noto
//! Sans CJK; one column is a Latin-like glyph, 0.27–0.7 em by its shape in Noto Sans;
//! zero columns (combining marks, joiners) add nothing.

use unicode_width::UnicodeWidthChar;

/// Advance of a space, in em; also used for tab, newline and the control characters
/// that the escaper writes as a space.
const SPACE_EM: f64 = 0.27;

/// Whether a character is drawn about one em wide (two columns or more: CJK, kana,
/// hangul, full-width forms).
pub(super) fn is_wide(c: char) -> bool {
    c.width().is_some_and(|w| w >= 2)
}

/// Estimated advance of a character in em, for Noto Sans / Noto Sans CJK.
pub(super) fn char_em(c: char) -> f64 {
    match c.width() {
        // Control characters: drawn as the space the escaper (or SVG white space
        // handling) turns them into.
        None => SPACE_EM,
        Some(0) => 0.0,
        Some(1) => narrow_em(c),
        Some(columns) => columns as f64 / 2.0,
    }
}

/// Advance of a one-column character in em, by its shape in Noto Sans.
fn narrow_em(c: char) -> f64 {
    if c == ' ' {
        SPACE_EM
    } else if matches!(
        c,
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\''
    ) {
        0.3
    } else if matches!(c, 'f' | 't' | 'r' | '(' | ')' | '-') {
        0.4
    } else if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
        0.7
    } else {
        0.6
    }
}

/// Estimated width of a text in px at a font size of `size` px (no font metrics
/// offline; errs on the wide side).
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// Shortens a text to at most `max_w` px, ending it with "…" when cut.
pub(super) fn truncate_to(s: &str, max_w: f64, size: f64) -> String {
    if text_width(s, size) <= max_w {
        return s.to_string();
    }
    let budget = max_w - text_width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        w += char_em(c) * size;
        if w > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Wraps a text into lines of at most `max_w` px: between words of Latin text and
/// between any two CJK characters.
pub(super) fn wrap_text(s: &str, max_w: f64, size: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for tok in wrap_tokens(s) {
        let candidate_w = text_width(line.trim_end(), size) + text_width(tok.trim_end(), size);
        if !line.is_empty() && candidate_w > max_w {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if line.is_empty() && text_width(tok.trim_end(), size) > max_w {
            break_word(&tok, max_w, size, &mut lines, &mut line);
            continue;
        }
        line.push_str(&tok);
    }
    let last = line.trim_end();
    if !last.is_empty() {
        lines.push(last.to_string());
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The pieces a text may break between: a CJK character alone, or a run of other
/// characters with its trailing space.
fn wrap_tokens(s: &str) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if is_wide(c) {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
            tokens.push(c.to_string());
        } else if c == ' ' {
            cur.push(c);
            tokens.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens
}

/// Breaks a word longer than a line by characters, starting on the (empty) `line`;
/// the last piece stays in `line`.
fn break_word(word: &str, max_w: f64, size: f64, lines: &mut Vec<String>, line: &mut String) {
    for c in word.chars() {
        if !line.is_empty() && text_width(line, size) + char_em(c) * size > max_w {
            lines.push(std::mem::take(line));
        }
        line.push(c);
    }
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::*;

    #[test]
    fn a_cjk_character_is_one_em_and_latin_ones_are_narrower() {
        // Two columns, one em: 储备用地 is 8 columns, 4 em.
        assert_eq!("储备用地".width(), 8);
        assert!((text_width("储备用地", 10.0) - 40.0).abs() < 1e-9);
        for c in ['经', 'か', 'カ', '가', 'Ｆ', '１', '，', '。'] {
            assert!(is_wide(c), "{c}");
            assert!((char_em(c) - 1.0).abs() < 1e-12, "{c}");
        }
        // One column: Latin letters, digits, Cyrillic, half-width katakana, the ellipsis
        // and dashes (ambiguous width, drawn narrow in a Latin context).
        for c in ['a', 'W', '7', 'ж', 'ｶ', '…', '—', '·'] {
            assert!(!is_wide(c), "{c}");
            assert!((0.27..=0.7).contains(&char_em(c)), "{c}");
        }
        // Emoji are two columns too; U+303F HALF FILL SPACE, inside the CJK block, is one.
        assert!(is_wide('😀'));
        assert!(!is_wide('\u{303f}'));
        assert!(text_width("Jingkai", 11.0) < text_width("经开区经开区经", 11.0));
        assert!((text_width("iii", 10.0) - 9.0).abs() < 1e-9);
        assert!((text_width("MMM", 10.0) - 21.0).abs() < 1e-9);
    }

    #[test]
    fn marks_add_nothing_and_control_characters_count_as_spaces() {
        // e + combining acute accent: one glyph.
        assert!((text_width("e\u{301}", 10.0) - text_width("e", 10.0)).abs() < 1e-9);
        // Zero-width space and joiner.
        assert_eq!(char_em('\u{200b}'), 0.0);
        assert_eq!(char_em('\u{200d}'), 0.0);
        for c in ['\t', '\n', '\u{1}', '\u{1b}'] {
            assert!((char_em(c) - char_em(' ')).abs() < 1e-12, "{c:?}");
        }
    }

    #[test]
    fn long_texts_are_cut_with_an_ellipsis() {
        assert_eq!(truncate_to("深圳街", 100.0, 10.0), "深圳街");
        let cut = truncate_to("长春经济技术开发区土地储备", 50.0, 10.0);
        assert_eq!(cut, "长春经济…");
        assert!(text_width(&cut, 10.0) <= 50.0);
    }

    #[test]
    fn wrapping_breaks_between_cjk_characters_and_between_words() {
        assert_eq!(
            wrap_text("经开一小区", 24.0, 11.0),
            vec!["经开", "一小", "区"]
        );
        assert_eq!(
            wrap_text("Jingkai road", 50.0, 11.0),
            vec!["Jingkai", "road"]
        );
        assert_eq!(wrap_text("", 50.0, 11.0), vec![""]);
        // A word longer than a line is broken by characters.
        assert_eq!(
            wrap_text("Changchun", 20.0, 10.0),
            vec!["Cha", "ngc", "hun"]
        );
    }
}
