//! The one XML escaper of the report: every text and attribute value of the SVG goes
//! through it, and so does the HTML around it ([`escape`]). One character table, one
//! loop; [`escape`] and the `Display` wrapper [`E`] (for `write!`) are its two entry
//! points.

use std::fmt;

/// What a character is written as in XML character data and attribute values, or
/// `None` when it is written as itself.
fn replacement(c: char) -> Option<&'static str> {
    match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&#39;"),
        // Control characters other than tab and newline are not allowed in XML.
        c if c < ' ' && c != '\t' && c != '\n' => Some(" "),
        _ => None,
    }
}

/// Writes `s` escaped, copying the runs between escaped characters in one piece.
fn write_escaped(out: &mut impl fmt::Write, s: &str) -> fmt::Result {
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(rep) = replacement(c) {
            out.write_str(&s[start..i])?;
            out.write_str(rep)?;
            start = i + c.len_utf8();
        }
    }
    out.write_str(&s[start..])
}

/// Escapes text for XML character data and attribute values (`&`, `<`, `>`, `"`, `'`);
/// control characters other than tab and newline, which XML does not allow, become
/// spaces.
///
/// ```
/// use landreuse::report::svg::escape;
/// assert_eq!(escape("道路 <A&B>"), "道路 &lt;A&amp;B&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = write_escaped(&mut out, s);
    out
}

/// Escaped text (`Display` for use in `write!`).
pub(super) struct E<'a>(pub(super) &'a str);

impl fmt::Display for E<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b & \"c\" 'd' >"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39; &gt;"
        );
        assert_eq!(escape("经开\u{1}区"), "经开 区");
        assert_eq!(format!("{}", E("<&\">")), "&lt;&amp;&quot;&gt;");
        assert_eq!(format!("{}", E("无")), "无");
    }

    #[test]
    fn the_table_escapes_markup_and_blanks_control_characters() {
        for (c, expected) in [
            ('&', Some("&amp;")),
            ('<', Some("&lt;")),
            ('>', Some("&gt;")),
            ('"', Some("&quot;")),
            ('\'', Some("&#39;")),
            ('\t', None),
            ('\n', None),
            (' ', None),
            ('a', None),
            ('闲', None),
            ('\u{7f}', None),
        ] {
            assert_eq!(replacement(c), expected, "{c:?}");
        }
        // Every other C0 control character (NUL, bell, CR, escape …) is a space.
        for c in ('\0'..' ').filter(|c| !matches!(c, '\t' | '\n')) {
            assert_eq!(replacement(c), Some(" "), "{c:?}");
        }
    }

    #[test]
    fn both_entry_points_give_the_same_text() {
        let samples = [
            "",
            "plain",
            "储备用地 <A&B> \"test\" 'q'",
            "\r\n\t\u{0}\u{1b}[31m",
            "&amp; already escaped",
            "末尾<",
        ];
        for s in samples {
            assert_eq!(format!("{}", E(s)), escape(s), "{s:?}");
        }
        assert_eq!(escape("a\r\nb\tc\u{0}"), "a \nb\tc ");
        assert_eq!(escape("&amp;"), "&amp;amp;", "escaping twice is visible");
    }
}
