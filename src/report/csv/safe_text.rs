//! The guard on the CSV report's text cells against spreadsheet formulas.

use std::borrow::Cow;

use serde::{Serialize, Serializer};

/// Text of a cell that a spreadsheet could take for a formula, made plain text.
///
/// As OWASP advises against CSV injection
/// (<https://owasp.org/www-community/attacks/CSV_Injection>), a cell that starts with
/// `=`, `+`, `-`, `@`, a tab (0x09) or a carriage return (0x0D) is written with a single
/// quote `'` before it, which Excel and LibreOffice take as "this is text". Anything else,
/// a `-` inside the text or Chinese included, is written as it is. Numbers are not
/// `SafeText`: the columns the program counts are typed as numbers and stay numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafeText<'a>(Cow<'a, str>);

impl SafeText<'_> {
    /// The characters that make a spreadsheet read a cell as a formula when it starts with one.
    pub const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

    /// The cell as written to the file.
    pub fn cell(&self) -> Cow<'_, str> {
        if self.0.starts_with(Self::FORMULA_LEADS) {
            Cow::Owned(format!("'{}", self.0))
        } else {
            Cow::Borrowed(&self.0)
        }
    }
}

impl<'a> From<&'a str> for SafeText<'a> {
    fn from(s: &'a str) -> Self {
        Self(Cow::Borrowed(s))
    }
}

impl From<String> for SafeText<'_> {
    fn from(s: String) -> Self {
        Self(Cow::Owned(s))
    }
}

impl<'a> From<Option<&'a str>> for SafeText<'a> {
    /// Nothing is an empty cell.
    fn from(s: Option<&'a str>) -> Self {
        s.unwrap_or_default().into()
    }
}

impl Serialize for SafeText<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.cell())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(text: &str) -> String {
        SafeText::from(text).cell().into_owned()
    }

    #[test]
    fn text_starting_like_a_formula_is_quoted() {
        for text in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+86 431",
            "-1+2",
            "@SUM(A1:A2)",
            "\tTAB",
            "\rCR",
        ] {
            assert_eq!(cell(text), format!("'{text}"), "{text:?}");
        }
    }

    #[test]
    fn other_text_is_written_as_it_is() {
        for text in [
            "长春示例光电有限公司",
            "A-ACT",
            "zombie, idle or D-grade land",
            "'already quoted",
            " =after a space",
            "",
        ] {
            assert_eq!(cell(text), text);
        }
    }
}
