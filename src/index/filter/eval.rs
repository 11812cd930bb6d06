//! Evaluating a compiled filter on the features of one index snapshot.
//!
//! The evaluator holds, for each memoised predicate, a table over the distinct texts of
//! its property: the first feature with a text decides it, every later one reads the
//! table. `owner LIKE '%丰田%'` thus runs once per owner, not once per parcel.

use std::borrow::Cow;
use std::cell::Cell as Flag;
use std::cmp::Ordering;

use like::Like;

use super::compile::{
    ArithOp, ArrayOp, CmpOp, ListOperand, Node, Operand, Scalar, TimeOperand, Truth,
};
use super::temporal::Interval;
use super::values::{list_items, Cell};
use super::{refuse, Filter, FilterError};
use crate::index::{CollectionIndex, IndexedFeature};

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
enum Val<'a> {
    Null,
    Number(f64),
    Text(Cow<'a, str>),
    Bool(bool),
    Instant(i64),
}

/// Lower case, for CASEI.
pub fn casei(s: &str) -> String {
    s.to_lowercase()
}

/// Without accents, for ACCENTI.
pub fn accenti(s: &str) -> String {
    unaccent::unaccent(s)
}

/// Refuses a LIKE pattern whose escapes are broken.
pub fn check_pattern(pattern: &str) -> Result<(), FilterError> {
    Like::<true>::like("", pattern).map(|_| ()).map_err(|e| {
        refuse(format!(
            "the LIKE pattern {pattern:?} is not valid: {e} (\\ escapes %, _ and \\)"
        ))
    })
}

/// Where the cells of one evaluation come from.
trait Row {
    fn value(&self, column: usize) -> Val<'_>;
    fn list(&self, column: usize) -> Option<&str>;
}

/// A feature of the snapshot.
struct FeatureRow<'a> {
    index: &'a CollectionIndex,
    feature: &'a IndexedFeature,
}

impl Row for FeatureRow<'_> {
    fn value(&self, column: usize) -> Val<'_> {
        match self
            .feature
            .cells
            .get(column)
            .copied()
            .unwrap_or(Cell::Null)
        {
            Cell::Null => Val::Null,
            Cell::Number(x) => Val::Number(x),
            Cell::Bool(b) => Val::Bool(b),
            Cell::Instant(t) => Val::Instant(t),
            Cell::Text(s) => Val::Text(Cow::Borrowed(self.index.dictionaries[column].text(s))),
        }
    }

    fn list(&self, column: usize) -> Option<&str> {
        match self.feature.cells.get(column) {
            Some(Cell::Text(s)) => Some(self.index.dictionaries[column].text(*s)),
            _ => None,
        }
    }
}

/// One text of one property (to decide a memoised predicate).
struct TextRow<'a> {
    column: usize,
    text: &'a str,
}

impl Row for TextRow<'_> {
    fn value(&self, column: usize) -> Val<'_> {
        if column == self.column {
            Val::Text(Cow::Borrowed(self.text))
        } else {
            Val::Null
        }
    }

    fn list(&self, column: usize) -> Option<&str> {
        (column == self.column).then_some(self.text)
    }
}

const UNDECIDED: u8 = 0;

fn encode(t: Truth) -> u8 {
    match t {
        Some(true) => 1,
        Some(false) => 2,
        None => 3,
    }
}

fn decode(v: u8) -> Truth {
    match v {
        1 => Some(true),
        2 => Some(false),
        _ => None,
    }
}

/// A filter bound to one snapshot of its collection's index.
pub struct Evaluator<'a> {
    pub(super) filter: &'a Filter,
    pub(super) index: &'a CollectionIndex,
    memos: Vec<Vec<Flag<u8>>>,
}

impl<'a> Evaluator<'a> {
    /// Binds `filter` to `index`.
    pub fn new(filter: &'a Filter, index: &'a CollectionIndex) -> Self {
        let memos = filter
            .memo_slots
            .iter()
            .map(|column| {
                let n = index
                    .dictionaries
                    .get(*column)
                    .map_or(0, super::values::Dictionary::len);
                vec![Flag::new(UNDECIDED); n]
            })
            .collect();
        Self {
            filter,
            index,
            memos,
        }
    }

    /// Whether the feature matches (the whole filter is true for it).
    pub fn matches(&self, feature: &IndexedFeature) -> bool {
        let row = FeatureRow {
            index: self.index,
            feature,
        };
        self.node(&self.filter.root, &row, Some(feature)) == Some(true)
    }

    fn node(&self, n: &Node, row: &dyn Row, feature: Option<&IndexedFeature>) -> Truth {
        match n {
            Node::Const(t) => *t,
            Node::And(nodes) => {
                let mut out = Some(true);
                for n in nodes {
                    match self.node(n, row, feature) {
                        Some(false) => return Some(false),
                        None => out = None,
                        Some(true) => {}
                    }
                }
                out
            }
            Node::Or(nodes) => {
                let mut out = Some(false);
                for n in nodes {
                    match self.node(n, row, feature) {
                        Some(true) => return Some(true),
                        None => out = None,
                        Some(false) => {}
                    }
                }
                out
            }
            Node::Not(n) => self.node(n, row, feature).map(|b| !b),
            Node::Memo { column, slot, node } => self.memo(*column, *slot, node, row, feature),
            Node::Spatial(op, lit) => feature.map(|f| lit.holds(*op, f)),
            Node::DWithin(d) => feature.map(|f| d.holds(f)),
            other => leaf(other, row),
        }
    }

    /// The truth of a predicate on one text property (a memoised node's) for one text,
    /// or for no value.
    pub(super) fn on_text(&self, node: &Node, column: usize, text: Option<&str>) -> Truth {
        match text {
            Some(text) => self.node(node, &TextRow { column, text }, None),
            // No column is this one: every value reads as null.
            None => self.node(
                node,
                &TextRow {
                    column: usize::MAX,
                    text: "",
                },
                None,
            ),
        }
    }

    fn memo(
        &self,
        column: usize,
        slot: usize,
        node: &Node,
        row: &dyn Row,
        feature: Option<&IndexedFeature>,
    ) -> Truth {
        let symbol = match feature.and_then(|f| f.cells.get(column)) {
            Some(Cell::Text(s)) => *s as usize,
            // Not a text (null): decided directly, rarely.
            _ => return self.node(node, row, feature),
        };
        let Some(flag) = self.memos[slot].get(symbol) else {
            return self.node(node, row, feature);
        };
        let known = flag.get();
        if known != UNDECIDED {
            return decode(known);
        }
        let text = self.index.dictionaries[column].text(symbol as u32);
        let t = self.node(node, &TextRow { column, text }, None);
        flag.set(encode(t));
        t
    }
}

/// The predicates that read values only.
fn leaf(n: &Node, row: &dyn Row) -> Truth {
    match n {
        Node::Compare(op, a, b) => compare(*op, &value(a, row), &value(b, row)),
        Node::Like(a, p) => match (value(a, row), value(p, row)) {
            (Val::Text(s), Val::Text(p)) => Like::<true>::like(&*s, &*p).ok(),
            _ => None,
        },
        Node::In(a, list) => {
            let v = value(a, row);
            if v == Val::Null {
                return None;
            }
            let mut out = Some(false);
            for item in list {
                match compare(CmpOp::Eq, &v, &value(item, row)) {
                    Some(true) => return Some(true),
                    None => out = None,
                    Some(false) => {}
                }
            }
            out
        }
        Node::Between(a, lo, hi) => {
            let v = value(a, row);
            let above = compare(CmpOp::Ge, &v, &value(lo, row))?;
            let below = compare(CmpOp::Le, &v, &value(hi, row))?;
            Some(above && below)
        }
        Node::IsNull(a) => Some(match a {
            Operand::Column(c, super::compile::Ty::List) => row.list(*c).is_none(),
            _ => value(a, row) == Val::Null,
        }),
        Node::Temporal(rel, a, b) => Some(rel.holds(interval(a, row)?, interval(b, row)?)),
        Node::Array(op, a, b) => array(*op, a, b, row),
        _ => None,
    }
}

fn value<'r>(o: &'r Operand, row: &'r dyn Row) -> Val<'r> {
    match o {
        Operand::Column(c, _) => row.value(*c),
        Operand::Lit(s) => match s {
            Scalar::Null => Val::Null,
            Scalar::Number(x) => Val::Number(*x),
            Scalar::Text(t) => Val::Text(Cow::Borrowed(t)),
            Scalar::Bool(b) => Val::Bool(*b),
            Scalar::Instant(t) => Val::Instant(*t),
        },
        Operand::CaseI(a) => match value(a, row) {
            Val::Text(t) => Val::Text(Cow::Owned(casei(&t))),
            _ => Val::Null,
        },
        Operand::AccentI(a) => match value(a, row) {
            Val::Text(t) => Val::Text(Cow::Owned(accenti(&t))),
            _ => Val::Null,
        },
        Operand::Arith(op, args) => {
            let mut numbers = args.iter().map(|a| match value(a, row) {
                Val::Number(x) => Some(x),
                _ => None,
            });
            let Some(Some(mut acc)) = numbers.next() else {
                return Val::Null;
            };
            for x in numbers {
                let Some(x) = x else { return Val::Null };
                acc = match op {
                    ArithOp::Add => acc + x,
                    ArithOp::Sub => acc - x,
                    ArithOp::Mul => acc * x,
                    ArithOp::Div => acc / x,
                    ArithOp::Rem => acc % x,
                    ArithOp::Pow => acc.powf(x),
                    ArithOp::IntDiv => (acc / x).trunc(),
                };
            }
            if acc.is_finite() {
                Val::Number(acc)
            } else {
                Val::Null
            }
        }
    }
}

fn compare(op: CmpOp, a: &Val<'_>, b: &Val<'_>) -> Truth {
    let ord = match (a, b) {
        (Val::Number(x), Val::Number(y)) => x.partial_cmp(y)?,
        (Val::Text(x), Val::Text(y)) => x.as_ref().cmp(y.as_ref()),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(y),
        (Val::Instant(x), Val::Instant(y)) => x.cmp(y),
        _ => return None,
    };
    Some(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

fn instant(o: &Operand, row: &dyn Row) -> Option<i64> {
    match value(o, row) {
        Val::Instant(t) => Some(t),
        _ => None,
    }
}

fn interval(t: &TimeOperand, row: &dyn Row) -> Option<Interval> {
    match t {
        TimeOperand::Instant(o) => {
            let at = instant(o, row)?;
            Some(Interval { start: at, end: at })
        }
        TimeOperand::Interval(a, b) => Some(Interval {
            start: instant(a, row)?,
            end: instant(b, row)?,
        }),
    }
}

fn array(op: ArrayOp, a: &ListOperand, b: &ListOperand, row: &dyn Row) -> Truth {
    let items = |l: &ListOperand| -> Option<Vec<String>> {
        match l {
            ListOperand::Column(c) => Some(list_items(row.list(*c)?).map(str::to_string).collect()),
            ListOperand::Lit(v) => Some(v.clone()),
        }
    };
    let (a, b) = (items(a)?, items(b)?);
    let within = |x: &[String], y: &[String]| x.iter().all(|i| y.contains(i));
    Some(match op {
        ArrayOp::Equals => within(&a, &b) && within(&b, &a),
        ArrayOp::Contains => within(&b, &a),
        ArrayOp::ContainedBy => within(&a, &b),
        ArrayOp::Overlaps => a.iter().any(|i| b.contains(i)),
    })
}
