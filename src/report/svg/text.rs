//! Text metrics without the fonts: how wide a text is drawn, and how to shorten or wrap
//! it to a width. Labels are placed and legends laid out from these estimates, so they
//! err on the wide side.

/// Whether a character is drawn about one em wide (CJK, full-width forms).
pub(super) fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Estimated advance of a character in em, for Noto Sans / Noto Sans CJK.
pub(super) fn char_em(c: char) -> f64 {
    if is_wide(c) {
        1.0
    } else if c == ' ' {
        0.27
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
    use super::*;

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
