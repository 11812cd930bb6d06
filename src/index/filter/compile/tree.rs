//! The compiled form of a filter: typed operands and a tree of predicates.

use super::super::spatial::{Literal, SpatialOp, WithinDistance};
use super::super::temporal::Relation;
use crate::domain::QueryableType;

/// A truth value of three-valued logic: `None` is unknown.
pub type Truth = Option<bool>;

/// The type of a value in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Text,
    Number,
    Bool,
    Instant,
    List,
    Null,
}

impl Ty {
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "a number",
            Self::Bool => "a boolean",
            Self::Instant => "a date or timestamp",
            Self::List => "a list",
            Self::Null => "NULL",
        }
    }

    pub(super) fn of(kind: QueryableType) -> Self {
        match kind {
            QueryableType::String => Self::Text,
            QueryableType::Number | QueryableType::Integer => Self::Number,
            QueryableType::Boolean => Self::Bool,
            QueryableType::Date | QueryableType::Timestamp => Self::Instant,
            QueryableType::StringArray => Self::List,
        }
    }
}

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Number(f64),
    Text(String),
    Bool(bool),
    Instant(i64),
}

impl Scalar {
    pub(super) fn ty(&self) -> Ty {
        match self {
            Self::Null => Ty::Null,
            Self::Number(_) => Ty::Number,
            Self::Text(_) => Ty::Text,
            Self::Bool(_) => Ty::Bool,
            Self::Instant(_) => Ty::Instant,
        }
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
    IntDiv,
}

/// A value: a property's cell, a constant, or a function of values.
#[derive(Debug, Clone)]
pub enum Operand {
    Column(usize, Ty),
    Lit(Scalar),
    Arith(ArithOp, Vec<Operand>),
    CaseI(Box<Operand>),
    AccentI(Box<Operand>),
}

impl Operand {
    pub(super) fn ty(&self) -> Ty {
        match self {
            Self::Column(_, t) => *t,
            Self::Lit(s) => s.ty(),
            Self::Arith(..) => Ty::Number,
            Self::CaseI(_) | Self::AccentI(_) => Ty::Text,
        }
    }

    pub(super) fn columns(&self, out: &mut Vec<usize>) {
        match self {
            Self::Column(c, _) => out.push(*c),
            Self::Lit(_) => {}
            Self::Arith(_, args) => args.iter().for_each(|a| a.columns(out)),
            Self::CaseI(a) | Self::AccentI(a) => a.columns(out),
        }
    }
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Array functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayOp {
    Equals,
    Contains,
    ContainedBy,
    Overlaps,
}

/// One side of a temporal function: an instant, or an interval of two instants (an open
/// end is the literal `i64::MIN` or `i64::MAX`).
#[derive(Debug, Clone)]
pub enum TimeOperand {
    Instant(Operand),
    Interval(Operand, Operand),
}

/// One side of an array function.
#[derive(Debug, Clone)]
pub enum ListOperand {
    Column(usize),
    Lit(Vec<String>),
}

/// A predicate.
#[derive(Debug)]
pub enum Node {
    Const(Truth),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Compare(CmpOp, Operand, Operand),
    Like(Operand, Operand),
    In(Operand, Vec<Operand>),
    Between(Operand, Operand, Operand),
    IsNull(Operand),
    Spatial(SpatialOp, Box<Literal>),
    DWithin(Box<WithinDistance>),
    Temporal(Relation, TimeOperand, TimeOperand),
    Array(ArrayOp, ListOperand, ListOperand),
    /// A predicate on one text property, decided once per distinct text: `slot` is its
    /// place in the evaluator's memo tables.
    Memo {
        column: usize,
        slot: usize,
        node: Box<Node>,
    },
}

impl Node {
    /// The lon/lat box every match lies in, if the spatial predicates bound it.
    pub fn window(&self) -> Option<[f64; 4]> {
        match self {
            Self::Spatial(op, lit) if *op != SpatialOp::Disjoint => {
                let (l, u) = (lit.envelope.lower(), lit.envelope.upper());
                Some([l[0], l[1], u[0], u[1]])
            }
            Self::DWithin(d) => {
                let w = d.window();
                Some([w.lower()[0], w.lower()[1], w.upper()[0], w.upper()[1]])
            }
            Self::Const(Some(false) | None) => Some([1.0, 1.0, 0.0, 0.0]),
            Self::And(nodes) => nodes.iter().filter_map(Self::window).reduce(|a, b| {
                [
                    a[0].max(b[0]),
                    a[1].max(b[1]),
                    a[2].min(b[2]),
                    a[3].min(b[3]),
                ]
            }),
            Self::Or(nodes) => {
                let windows: Option<Vec<[f64; 4]>> = nodes.iter().map(Self::window).collect();
                windows?
                    .into_iter()
                    .filter(|w| w[0] <= w[2] && w[1] <= w[3])
                    .reduce(|a, b| {
                        [
                            a[0].min(b[0]),
                            a[1].min(b[1]),
                            a[2].max(b[2]),
                            a[3].max(b[3]),
                        ]
                    })
                    .or(Some([1.0, 1.0, 0.0, 0.0]))
            }
            _ => None,
        }
    }

    /// The same tree with its memo slots moved up by `offset` (when filters are joined).
    pub fn with_memo_offset(self, offset: usize) -> Self {
        match self {
            Self::Memo { column, slot, node } => Self::Memo {
                column,
                slot: slot + offset,
                node,
            },
            Self::And(n) => Self::And(n.into_iter().map(|n| n.with_memo_offset(offset)).collect()),
            Self::Or(n) => Self::Or(n.into_iter().map(|n| n.with_memo_offset(offset)).collect()),
            Self::Not(n) => Self::Not(Box::new(n.with_memo_offset(offset))),
            other => other,
        }
    }
}
