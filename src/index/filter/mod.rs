//! CQL2 filters (OGC API – Features Part 3) evaluated on the index.
//!
//! 1. The text or JSON is checked against the limits below, then parsed with the `cql2`
//!    crate.
//! 2. [`compile`] resolves property names against the collection's queryables, checks
//!    types, carries geometry literals from the `filter-crs` to CRS84, applies the
//!    land-use crosswalk and folds constants.
//! 3. The query ([`super::Query`]) takes R-tree candidates from the filter's spatial
//!    window, then [`eval`] decides each candidate from its cells: a predicate on one
//!    text property is decided once per distinct text, not once per feature.
//!
//! Comparisons follow SQL's three-valued logic: a comparison with a null is unknown, and
//! only features for which the whole filter is true match.

mod compile;
mod eval;
mod plan;
mod spatial;
mod temporal;
mod values;

use cql2::Expr;
use rstar::AABB;

use crate::crs::Crs;
pub use eval::Evaluator;
pub use plan::{candidates, Candidates, Columns};
pub use temporal::parse_instant;
pub use values::{cells_of, Cell, Dictionaries, Dictionary, Schema};

/// Longest filter accepted, bytes: a filter travels in the URL, and the HTTP server
/// reads request lines of at most 65,534 bytes (longer ones are answered 414).
pub const MAX_FILTER_BYTES: usize = 60_000;
/// Deepest nesting accepted (parentheses, NOT, function calls).
pub const MAX_FILTER_DEPTH: usize = 64;
/// Most AND and OR operators accepted in one filter.
pub const MAX_FILTER_CONNECTIVES: usize = 500;
/// Most expression nodes accepted (list elements included).
pub const MAX_FILTER_NODES: usize = 10_000;

/// The encodings of a filter (`filter-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterLang {
    /// CQL2 text, `status = 'idle' AND area_mu > 30`.
    Cql2Text,
    /// CQL2 JSON, `{"op":"=","args":[{"property":"status"},"idle"]}`.
    Cql2Json,
}

/// Why a filter is refused: a sentence naming what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

fn refuse(message: impl Into<String>) -> FilterError {
    FilterError(message.into())
}

/// A compiled filter, ready to evaluate on any snapshot of its collection's index.
#[derive(Debug)]
pub struct Filter {
    root: compile::Node,
    memo_slots: Vec<usize>,
    window: Option<[f64; 4]>,
}

impl Filter {
    /// Parses and compiles `text` for a collection with `schema`; geometry literals are in
    /// `crs`.
    pub fn parse(
        text: &str,
        lang: FilterLang,
        schema: &Schema,
        crs: Crs,
    ) -> Result<Self, FilterError> {
        let expr = parse(text, lang)?;
        Self::compile(&expr, schema, crs)
    }

    /// Compiles a parsed expression.
    pub fn compile(expr: &Expr, schema: &Schema, crs: Crs) -> Result<Self, FilterError> {
        let (root, memo_slots) = compile::Compiler::new(schema, crs).compile(expr)?;
        let window = root.window();
        Ok(Self {
            root,
            memo_slots,
            window,
        })
    }

    /// `property IN (values)` on a collection with `schema` (the land-use crosswalk
    /// applies, as for any filter).
    pub fn any_of(schema: &Schema, property: &str, values: &[&str]) -> Result<Self, FilterError> {
        let list = values
            .iter()
            .map(|v| Box::new(Expr::Literal((*v).to_string())))
            .collect();
        let expr = Expr::Operation {
            op: "in".into(),
            args: vec![
                Box::new(Expr::Property {
                    property: property.to_string(),
                }),
                Box::new(Expr::Array(list)),
            ],
        };
        Self::compile(&expr, schema, Crs::Crs84)
    }

    /// All of the filters (an empty list is `true`).
    pub fn all(filters: Vec<Filter>) -> Self {
        let mut memo_slots = Vec::new();
        let mut nodes = Vec::new();
        for f in filters {
            let offset = memo_slots.len();
            memo_slots.extend(f.memo_slots);
            nodes.push(f.root.with_memo_offset(offset));
        }
        let root = compile::Node::And(nodes);
        Self {
            window: root.window(),
            root,
            memo_slots,
        }
    }

    /// The lon/lat box every match lies in, when the filter's spatial predicates bound it
    /// (min lon, min lat, max lon, max lat; min above max when nothing can match).
    pub fn window(&self) -> Option<AABB<[f64; 2]>> {
        self.window
            .map(|[a, b, c, d]| AABB::from_corners([a, b], [c, d]))
    }

    /// Whether the spatial window is empty: nothing can match.
    pub fn matches_nothing(&self) -> bool {
        self.window.is_some_and(|w| w[0] > w[2] || w[1] > w[3])
    }
}

/// Checks the limits, then parses.
pub fn parse(text: &str, lang: FilterLang) -> Result<Expr, FilterError> {
    if text.len() > MAX_FILTER_BYTES {
        return Err(refuse(format!(
            "the filter is {} bytes long; the longest accepted is {MAX_FILTER_BYTES} bytes",
            text.len()
        )));
    }
    if text.trim().is_empty() {
        return Err(refuse(
            "the filter is empty; give a CQL2 expression such as status = 'idle'",
        ));
    }
    let expr = match lang {
        FilterLang::Cql2Text => {
            check_text_shape(text)?;
            cql2::parse_text(text).map_err(|e| syntax_error(text, &e))?
        }
        FilterLang::Cql2Json => cql2::parse_json(text).map_err(|e| {
            refuse(format!(
                "the filter is not CQL2 JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?,
    };
    let mut nodes = 0;
    count_nodes(&expr, 0, &mut nodes)?;
    Ok(expr)
}

/// Refuses nesting and chains that could exhaust the parser's stack, before parsing.
fn check_text_shape(text: &str) -> Result<(), FilterError> {
    let (mut depth, mut deepest, mut nots, mut connectives) = (0usize, 0usize, 0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' => {
                // Skip a string or a quoted name ('' inside a string is a quote).
                while let Some((_, d)) = chars.next() {
                    if d == c {
                        if chars.peek().is_some_and(|(_, e)| *e == c) {
                            chars.next();
                            continue;
                        }
                        break;
                    }
                }
                nots = 0;
            }
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                let mut end = i + c.len_utf8();
                while let Some((j, d)) = chars.peek().copied() {
                    if d.is_alphanumeric() || d == '_' || d == ':' || d == '.' {
                        end = j + d.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                let word = &text[start..end];
                if word.eq_ignore_ascii_case("not") {
                    nots += 1;
                } else {
                    nots = 0;
                }
                if word.eq_ignore_ascii_case("and") || word.eq_ignore_ascii_case("or") {
                    connectives += 1;
                }
            }
            c if c.is_whitespace() => {}
            _ => nots = 0,
        }
        deepest = deepest.max(depth + nots);
    }
    if deepest > MAX_FILTER_DEPTH {
        return Err(refuse(format!(
            "the filter nests {deepest} levels deep; the deepest accepted is {MAX_FILTER_DEPTH}"
        )));
    }
    if connectives > MAX_FILTER_CONNECTIVES {
        return Err(refuse(format!(
            "the filter joins {connectives} conditions with AND or OR; at most {MAX_FILTER_CONNECTIVES} are accepted (use IN for a list of values)"
        )));
    }
    Ok(())
}

fn count_nodes(e: &Expr, depth: usize, nodes: &mut usize) -> Result<(), FilterError> {
    *nodes += 1;
    if *nodes > MAX_FILTER_NODES {
        return Err(refuse(format!(
            "the filter has more than {MAX_FILTER_NODES} terms; simplify it"
        )));
    }
    if depth > MAX_FILTER_DEPTH * 2 {
        return Err(refuse(format!(
            "the filter nests deeper than {MAX_FILTER_DEPTH} levels"
        )));
    }
    let children: &[Box<Expr>] = match e {
        Expr::Operation { args, .. } => args,
        Expr::Interval { interval } => interval,
        Expr::BBox { bbox } => bbox,
        Expr::Array(items) => items,
        Expr::Timestamp { timestamp } => std::slice::from_ref(timestamp),
        Expr::Date { date } => std::slice::from_ref(date),
        _ => &[],
    };
    for c in children {
        count_nodes(c, depth + 1, nodes)?;
    }
    Ok(())
}

/// The parser's rule names in the words of CQL2 (`Eq` is `=`, `EOI` the end).
fn readable_rules(expected: &str) -> String {
    let named = |rule: &str| -> String {
        match rule.trim() {
            "EOI" => "the end of the filter".into(),
            "NotFlag" => "NOT".into(),
            "IsNullPostfix" => "IS NULL".into(),
            "And" => "AND".into(),
            "Or" => "OR".into(),
            "Add" => "+".into(),
            "Subtract" => "-".into(),
            "Multiply" => "*".into(),
            "Divide" => "/".into(),
            "Modulo" => "%".into(),
            "Power" => "^".into(),
            "Eq" => "=".into(),
            "NotEq" => "<>".into(),
            "Gt" => ">".into(),
            "GtEq" => ">=".into(),
            "Lt" => "<".into(),
            "LtEq" => "<=".into(),
            other => other.to_string(),
        }
    };
    match expected.split_once(' ') {
        Some((verb, rest)) => {
            let rules: Vec<String> = rest
                .replace(" or ", ", ")
                .split(',')
                .filter(|r| !r.trim().is_empty())
                .map(named)
                .collect();
            format!("{verb} {}", rules.join(", "))
        }
        None => expected.to_string(),
    }
}

/// A syntax error as a sentence: where (line and column) and what the parser expected.
fn syntax_error(text: &str, e: &cql2::Error) -> FilterError {
    let detail = e.to_string();
    // pest writes " --> 1:14" then the line with a caret, then "= expected …".
    let position = detail
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .and_then(|p| p.split_once(':'))
        .and_then(|(line, col)| Some((line.parse::<usize>().ok()?, col.parse::<usize>().ok()?)));
    let expected = detail
        .lines()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map_or_else(
            || "expected a valid CQL2 text expression".to_string(),
            readable_rules,
        );
    match position {
        Some((line, col)) => {
            let line_text = text.lines().nth(line - 1).unwrap_or("");
            let token: String = line_text
                .chars()
                .skip(col - 1)
                .take_while(|c| !c.is_whitespace())
                .take(30)
                .collect();
            let token = if token.is_empty() {
                "the end of the filter".to_string()
            } else {
                format!("{token:?}")
            };
            FilterError(format!(
                "the filter is not valid CQL2 text: at line {line}, column {col} ({token}) the parser {expected}"
            ))
        }
        None => FilterError(format!("the filter is not valid CQL2 text: {detail}")),
    }
}

#[cfg(test)]
mod tests;
