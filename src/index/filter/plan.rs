//! Candidate sets for the attribute predicates of a filter, from column indexes of the
//! snapshot, so that a filter with no spatial term does not evaluate every feature.
//!
//! A predicate on one text property is decided once per distinct text (as the evaluator
//! does), and the slots of every text that satisfies it are taken from that text's
//! posting list. A comparison or `BETWEEN` of a number or an instant with constants is a
//! range of the property's values sorted once. `AND` intersects and `OR` unites the sets
//! of its parts. The set is exact when every part of the filter was decided this way;
//! otherwise it is a superset, and the evaluator decides each of its members.
//!
//! The indexes are built on the first filter that needs them, once per snapshot of the
//! collection (a write starts a new snapshot).

use std::sync::{Arc, OnceLock};

use super::compile::{CmpOp, Node, Operand, Scalar, Ty};
use super::eval::Evaluator;
use super::values::{Cell, Schema};
use crate::domain::QueryableType;
use crate::index::collection::IndexedFeature;

/// A set of slots.
#[derive(Debug, Clone)]
pub struct Bits {
    words: Vec<u64>,
}

impl Bits {
    fn empty(len: usize) -> Self {
        Self {
            words: vec![0; len.div_ceil(64)],
        }
    }

    fn set(&mut self, slot: u32) {
        self.words[slot as usize / 64] |= 1 << (slot % 64);
    }

    fn set_all(&mut self, slots: &[u32]) {
        for s in slots {
            self.set(*s);
        }
    }

    fn and(&mut self, other: &Bits) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a &= b);
    }

    fn or(&mut self, other: &Bits) {
        self.words
            .iter_mut()
            .zip(&other.words)
            .for_each(|(a, b)| *a |= b);
    }

    /// Number of slots in the set.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// The slots in the set, in order.
    pub fn slots(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            let mut w = *w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let bit = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(i * 64 + bit)
            })
        })
    }
}

/// The slots a filter's attribute predicates allow.
#[derive(Debug)]
pub struct Candidates {
    /// The slots.
    pub bits: Bits,
    /// Whether exactly these slots match the filter (no member needs evaluating).
    pub exact: bool,
}

/// The slots of each text of one text property.
#[derive(Debug, Default)]
struct Postings {
    by_symbol: Vec<Vec<u32>>,
    nulls: Vec<u32>,
}

/// The slots of one number or instant property sorted by value (features without a
/// value left out).
#[derive(Debug, Default)]
struct Sorted {
    keys: Vec<f64>,
    slots: Vec<u32>,
}

/// The column indexes of one snapshot.
#[derive(Debug, Default)]
pub struct Columns {
    postings: Vec<Option<Postings>>,
    sorted: Vec<OnceLock<Sorted>>,
}

impl Columns {
    /// The posting lists of every text property, in one pass over the features.
    pub fn build(schema: &Schema, slots: &[Arc<IndexedFeature>]) -> Self {
        let texts: Vec<bool> = schema
            .properties
            .iter()
            .map(|q| matches!(q.kind, QueryableType::String | QueryableType::StringArray))
            .collect();
        let mut postings: Vec<Option<Postings>> =
            texts.iter().map(|t| t.then(Postings::default)).collect();
        for (slot, f) in slots.iter().enumerate() {
            for (column, p) in postings.iter_mut().enumerate() {
                let Some(p) = p else { continue };
                match f.cells.get(column) {
                    Some(Cell::Text(s)) => {
                        let s = *s as usize;
                        if p.by_symbol.len() <= s {
                            p.by_symbol.resize_with(s + 1, Vec::new);
                        }
                        p.by_symbol[s].push(slot as u32);
                    }
                    _ => p.nulls.push(slot as u32),
                }
            }
        }
        Self {
            sorted: texts.iter().map(|_| OnceLock::new()).collect(),
            postings,
        }
    }

    fn sorted(&self, column: usize, slots: &[Arc<IndexedFeature>]) -> Option<&Sorted> {
        let cell = self.sorted.get(column)?;
        Some(cell.get_or_init(|| {
            let mut pairs: Vec<(f64, u32)> = slots
                .iter()
                .enumerate()
                .filter_map(|(slot, f)| match f.cells.get(column) {
                    Some(Cell::Number(x)) if !x.is_nan() => Some((*x, slot as u32)),
                    Some(Cell::Instant(t)) => Some((*t as f64, slot as u32)),
                    _ => None,
                })
                .collect();
            pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            Sorted {
                keys: pairs.iter().map(|p| p.0).collect(),
                slots: pairs.iter().map(|p| p.1).collect(),
            }
        }))
    }
}

/// A bound of a range of values.
#[derive(Clone, Copy)]
enum Bound {
    Open,
    Incl(f64),
    Excl(f64),
}

/// The candidates of a whole filter on the snapshot it is bound to, if its attribute
/// predicates narrow it. The snapshot's column indexes are built only when a predicate
/// needs them.
pub fn candidates(evaluator: &Evaluator<'_>) -> Option<Candidates> {
    Planner {
        evaluator,
        slots: &evaluator.index.slots,
    }
    .node(&evaluator.filter.root)
}

/// Computes candidate sets against one snapshot.
struct Planner<'a> {
    evaluator: &'a Evaluator<'a>,
    slots: &'a [Arc<IndexedFeature>],
}

impl Planner<'_> {
    fn columns(&self) -> &Columns {
        self.evaluator.index.columns()
    }

    fn node(&self, n: &Node) -> Option<Candidates> {
        match n {
            Node::Memo { column, node, .. } => self.text(*column, node),
            Node::Compare(op, a, b) => self.compare(*op, a, b),
            Node::Between(a, lo, hi) => {
                let (column, lo, hi) = (number_column(a)?, number(lo)?, number(hi)?);
                self.range(column, Bound::Incl(lo), Bound::Incl(hi))
            }
            Node::And(nodes) => {
                let mut exact = true;
                let mut out: Option<Bits> = None;
                for n in nodes {
                    match self.node(n) {
                        Some(c) => {
                            exact &= c.exact;
                            match &mut out {
                                Some(bits) => bits.and(&c.bits),
                                None => out = Some(c.bits),
                            }
                        }
                        None => exact = false,
                    }
                }
                out.map(|bits| Candidates { bits, exact })
            }
            Node::Or(nodes) => {
                let mut exact = true;
                let mut out = Bits::empty(self.slots.len());
                for n in nodes {
                    let c = self.node(n)?;
                    exact &= c.exact;
                    out.or(&c.bits);
                }
                Some(Candidates { bits: out, exact })
            }
            _ => None,
        }
    }

    /// A predicate on one text property: the posting lists of the texts it holds for.
    fn text(&self, column: usize, node: &Node) -> Option<Candidates> {
        let postings = self.columns().postings.get(column)?.as_ref()?;
        let dictionary = self.evaluator.index.dictionaries.get(column)?;
        let mut bits = Bits::empty(self.slots.len());
        for (symbol, slots) in postings.by_symbol.iter().enumerate() {
            if !slots.is_empty()
                && self
                    .evaluator
                    .on_text(node, column, Some(dictionary.text(symbol as u32)))
                    == Some(true)
            {
                bits.set_all(slots);
            }
        }
        if !postings.nulls.is_empty() && self.evaluator.on_text(node, column, None) == Some(true) {
            bits.set_all(&postings.nulls);
        }
        Some(Candidates { bits, exact: true })
    }

    fn compare(&self, op: CmpOp, a: &Operand, b: &Operand) -> Option<Candidates> {
        let (column, x, op) = match (number_column(a), number_column(b)) {
            (Some(c), None) => (c, number(b)?, op),
            (None, Some(c)) => (c, number(a)?, flip(op)),
            _ => return None,
        };
        match op {
            CmpOp::Eq => self.range(column, Bound::Incl(x), Bound::Incl(x)),
            CmpOp::Lt => self.range(column, Bound::Open, Bound::Excl(x)),
            CmpOp::Le => self.range(column, Bound::Open, Bound::Incl(x)),
            CmpOp::Gt => self.range(column, Bound::Excl(x), Bound::Open),
            CmpOp::Ge => self.range(column, Bound::Incl(x), Bound::Open),
            CmpOp::Ne => {
                let mut below = self.range(column, Bound::Open, Bound::Excl(x))?;
                let above = self.range(column, Bound::Excl(x), Bound::Open)?;
                below.bits.or(&above.bits);
                Some(below)
            }
        }
    }

    /// The features whose value lies between two bounds (none without a value).
    fn range(&self, column: usize, lo: Bound, hi: Bound) -> Option<Candidates> {
        let sorted = self.columns().sorted(column, self.slots)?;
        let keys = &sorted.keys;
        let start = match lo {
            Bound::Open => 0,
            Bound::Incl(x) => keys.partition_point(|k| *k < x),
            Bound::Excl(x) => keys.partition_point(|k| *k <= x),
        };
        let end = match hi {
            Bound::Open => keys.len(),
            Bound::Incl(x) => keys.partition_point(|k| *k <= x),
            Bound::Excl(x) => keys.partition_point(|k| *k < x),
        };
        let mut bits = Bits::empty(self.slots.len());
        if start < end {
            bits.set_all(&sorted.slots[start..end]);
        }
        Some(Candidates { bits, exact: true })
    }
}

/// The column of a number or instant property operand.
fn number_column(o: &Operand) -> Option<usize> {
    match o {
        Operand::Column(c, Ty::Number | Ty::Instant) => Some(*c),
        _ => None,
    }
}

/// A number or instant constant.
fn number(o: &Operand) -> Option<f64> {
    match o {
        Operand::Lit(Scalar::Number(x)) if !x.is_nan() => Some(*x),
        Operand::Lit(Scalar::Instant(t)) => Some(*t as f64),
        _ => None,
    }
}

/// The operator with its operands swapped (`3 < x` is `x > 3`).
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}
