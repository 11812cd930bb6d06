//! From a parsed CQL2 expression to a typed tree of predicates on cells.
//!
//! Names are resolved against the queryables, every comparison is type-checked (a text
//! literal is read as a number, date or boolean where the property is one), CASEI and
//! ACCENTI of literals are folded, and `land_use` comparisons apply the crosswalk. A
//! predicate that reads one text property only is marked for memoisation.

mod functions;
mod tree;

use cql2::Expr;

use super::spatial::Literal;
use super::temporal::parse_instant;
use super::values::Schema;
use super::{refuse, FilterError};
use crate::crs::Crs;
pub use tree::{
    ArithOp, ArrayOp, CmpOp, ListOperand, Node, Operand, Scalar, TimeOperand, Truth, Ty,
};

/// Compiles expressions for one collection.
pub struct Compiler<'a> {
    schema: &'a Schema,
    crs: Crs,
    memo_slots: Vec<usize>,
}

/// An argument as the compiler first reads it.
enum Arg {
    Value(Operand),
    Geometry(Option<Literal>),
    Time(TimeOperand),
    List(ListOperand),
}

/// The arguments of `op`, which takes exactly `N`.
fn args_of<'e, const N: usize>(
    op: &str,
    args: &'e [Box<Expr>],
) -> Result<&'e [Box<Expr>; N], FilterError> {
    args.try_into().map_err(|_| {
        refuse(format!(
            "{} takes {N} argument{}, not {}",
            op.to_uppercase(),
            if N == 1 { "" } else { "s" },
            args.len()
        ))
    })
}

impl<'a> Compiler<'a> {
    pub fn new(schema: &'a Schema, crs: Crs) -> Self {
        Self {
            schema,
            crs,
            memo_slots: Vec::new(),
        }
    }

    /// The predicate tree of `expr` and the column of each memo slot.
    pub fn compile(mut self, expr: &Expr) -> Result<(Node, Vec<usize>), FilterError> {
        let node = self.predicate(expr)?;
        Ok((node, self.memo_slots))
    }

    fn predicate(&mut self, e: &Expr) -> Result<Node, FilterError> {
        match e {
            Expr::Bool(b) => Ok(Node::Const(Some(*b))),
            Expr::Literal(s) if s.eq_ignore_ascii_case("true") => Ok(Node::Const(Some(true))),
            Expr::Literal(s) if s.eq_ignore_ascii_case("false") => Ok(Node::Const(Some(false))),
            Expr::Property { property } => match self.column(property)? {
                Operand::Column(c, Ty::Bool) => Ok(self.memoise(Node::Compare(
                    CmpOp::Eq,
                    Operand::Column(c, Ty::Bool),
                    Operand::Lit(Scalar::Bool(true)),
                ))),
                _ => Err(refuse(format!(
                    "{property} is not a boolean, so it cannot stand alone as a condition; compare it, e.g. {property} = …"
                ))),
            },
            Expr::Operation { op, args } => self.operation(&op.to_ascii_lowercase(), args),
            other => Err(refuse(format!(
                "{} is a value, not a condition; compare it with a property",
                describe(other)
            ))),
        }
    }

    fn operation(&mut self, op: &str, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        match op {
            "and" | "or" => {
                let nodes = args
                    .iter()
                    .map(|a| self.predicate(a))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if op == "and" { Node::And(nodes) } else { Node::Or(nodes) })
            }
            "not" => {
                let [a] = args_of::<1>(op, args)?;
                Ok(Node::Not(Box::new(self.predicate(a)?)))
            }
            "=" | "<>" | "<" | "<=" | ">" | ">=" => self.comparison(op, args),
            "like" => self.like(args),
            "between" => self.between(args),
            "in" => self.in_list(args),
            "isnull" => {
                let [a] = args_of::<1>("IS NULL", args)?;
                let value = match self.arg(a)? {
                    Arg::Value(v) => v,
                    Arg::List(ListOperand::Column(c)) => Operand::Column(c, Ty::List),
                    Arg::Geometry(None) => return Ok(Node::Const(Some(false))),
                    _ => return Err(refuse("IS NULL applies to a property")),
                };
                Ok(self.memoise(Node::IsNull(value)))
            }
            "s_dwithin" | "dwithin" => self.dwithin(args),
            _ if op.starts_with("s_") => self.spatial(op, args),
            _ if op.starts_with("t_") => self.temporal(op, args),
            _ if op.starts_with("a_") => self.array(op, args),
            _ => Err(refuse(format!(
                "{} is not a function or operator this server evaluates; the filter can use AND, OR, NOT, comparisons, LIKE, BETWEEN, IN, IS NULL, CASEI, ACCENTI, arithmetic, the S_ spatial functions (and S_DWITHIN), the T_ temporal functions and the A_ array functions",
                op.to_uppercase()
            ))),
        }
    }

    /// A property reference.
    fn column(&self, name: &str) -> Result<Operand, FilterError> {
        let position = self.schema.position(name).or_else(|| {
            self.schema
                .properties
                .iter()
                .position(|q| q.name.eq_ignore_ascii_case(name))
        });
        match position {
            Some(i) => Ok(Operand::Column(i, Ty::of(self.schema.properties[i].kind))),
            None => Err(refuse(format!(
                "{name:?} is not a queryable of this collection; the queryables are {}",
                self.schema.names().join(", ")
            ))),
        }
    }

    fn is_geometry(&self, name: &str) -> bool {
        name.eq_ignore_ascii_case(&self.schema.geometry)
    }

    fn arg(&mut self, e: &Expr) -> Result<Arg, FilterError> {
        Ok(match e {
            Expr::Property { property } if self.is_geometry(property) => Arg::Geometry(None),
            Expr::Property { property } => match self.column(property)? {
                Operand::Column(c, Ty::List) => Arg::List(ListOperand::Column(c)),
                other => Arg::Value(other),
            },
            Expr::Float(x) => Arg::Value(Operand::Lit(Scalar::Number(*x))),
            Expr::Literal(s) => Arg::Value(Operand::Lit(Scalar::Text(s.clone()))),
            Expr::Bool(b) => Arg::Value(Operand::Lit(Scalar::Bool(*b))),
            Expr::Null => Arg::Value(Operand::Lit(Scalar::Null)),
            Expr::Timestamp { timestamp: t } | Expr::Date { date: t } => {
                Arg::Value(Operand::Lit(Scalar::Instant(instant_literal(t)?)))
            }
            Expr::Interval { interval } => {
                let [a, b] = args_of::<2>("INTERVAL", interval)?;
                Arg::Time(TimeOperand::Interval(
                    self.interval_end(a, i64::MIN)?,
                    self.interval_end(b, i64::MAX)?,
                ))
            }
            Expr::Geometry(g) => Arg::Geometry(Some(self.geometry_literal(g)?)),
            Expr::BBox { bbox } => Arg::Geometry(Some(self.bbox_literal(bbox)?)),
            Expr::Array(items) => Arg::List(ListOperand::Lit(
                items
                    .iter()
                    .map(|i| list_element(i))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::Operation { op, args } => {
                Arg::Value(self.function(&op.to_ascii_lowercase(), args)?)
            }
        })
    }

    fn value(&mut self, e: &Expr, what: &str) -> Result<Operand, FilterError> {
        match self.arg(e)? {
            Arg::Value(v) => Ok(v),
            Arg::Geometry(_) => Err(refuse(format!(
                "{what} compares a geometry; use a spatial function such as S_INTERSECTS(geometry, …)"
            ))),
            Arg::Time(_) => Err(refuse(format!(
                "{what} compares an interval; use a temporal function such as T_INTERSECTS"
            ))),
            Arg::List(_) => Err(refuse(format!(
                "{what} compares a list; use an array function such as A_CONTAINS"
            ))),
        }
    }

    /// A function that yields a value: CASEI, ACCENTI, arithmetic.
    fn function(&mut self, op: &str, args: &[Box<Expr>]) -> Result<Operand, FilterError> {
        match op {
            "casei" | "accenti" => {
                let [a] = args_of::<1>(op, args)?;
                let inner = self.value(a, &op.to_uppercase())?;
                if !matches!(inner.ty(), Ty::Text | Ty::Null) {
                    return Err(refuse(format!(
                        "{} applies to text, not to {}",
                        op.to_uppercase(),
                        inner.ty().name()
                    )));
                }
                Ok(match (op, inner) {
                    ("casei", Operand::Lit(Scalar::Text(s))) => Operand::Lit(Scalar::Text(super::eval::casei(&s))),
                    ("accenti", Operand::Lit(Scalar::Text(s))) => Operand::Lit(Scalar::Text(super::eval::accenti(&s))),
                    ("casei", inner) => Operand::CaseI(Box::new(inner)),
                    (_, inner) => Operand::AccentI(Box::new(inner)),
                })
            }
            "+" | "-" | "*" | "/" | "%" | "^" | "div" => {
                let arith = match op {
                    "+" => ArithOp::Add,
                    "-" => ArithOp::Sub,
                    "*" => ArithOp::Mul,
                    "/" => ArithOp::Div,
                    "%" => ArithOp::Rem,
                    "^" => ArithOp::Pow,
                    _ => ArithOp::IntDiv,
                };
                if args.len() < 2 {
                    return Err(refuse(format!("{op} takes two numbers")));
                }
                let mut operands = Vec::new();
                for a in args {
                    let v = self.number(a, op)?;
                    operands.push(v);
                }
                Ok(Operand::Arith(arith, operands))
            }
            _ => Err(refuse(format!(
                "{}() is not a function this server evaluates; the value functions are CASEI, ACCENTI and the arithmetic operators + - * / % ^ DIV",
                op.to_uppercase()
            ))),
        }
    }

    fn number(&mut self, e: &Expr, op: &str) -> Result<Operand, FilterError> {
        let v = self.value(e, op)?;
        match (v.ty(), v) {
            (Ty::Number | Ty::Null, v) => Ok(v),
            (_, Operand::Lit(Scalar::Text(s))) => s
                .trim()
                .parse()
                .map(|x| Operand::Lit(Scalar::Number(x)))
                .map_err(|_| refuse(format!("{op} takes numbers; {s:?} is not a number"))),
            (t, _) => Err(refuse(format!("{op} takes numbers, not {}", t.name()))),
        }
    }

    /// Makes two operands comparable: a text literal is read as the other side's type.
    fn unify(&self, a: Operand, b: Operand, what: &str) -> Result<(Operand, Operand), FilterError> {
        let (ta, tb) = (a.ty(), b.ty());
        if ta == tb || ta == Ty::Null || tb == Ty::Null {
            return Ok((a, b));
        }
        let coerce = |lit: &Operand, to: Ty| -> Option<Operand> {
            let Operand::Lit(Scalar::Text(s)) = lit else {
                return None;
            };
            let s = s.trim();
            Some(Operand::Lit(match to {
                Ty::Number => Scalar::Number(s.parse().ok()?),
                Ty::Instant => Scalar::Instant(parse_instant(s)?),
                Ty::Bool => Scalar::Bool(match s.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return None,
                }),
                _ => return None,
            }))
        };
        if let Some(b2) = coerce(&b, ta) {
            return Ok((a, b2));
        }
        if let Some(a2) = coerce(&a, tb) {
            return Ok((a2, b));
        }
        Err(refuse(format!(
            "{what} compares {} with {}: {}",
            ta.name(),
            tb.name(),
            self.mismatch_hint(&a, &b)
        )))
    }

    fn mismatch_hint(&self, a: &Operand, b: &Operand) -> String {
        let name = |o: &Operand| match o {
            Operand::Column(c, _) => Some(self.schema.properties[*c].name.to_string()),
            _ => None,
        };
        match (name(a), name(b)) {
            (Some(n), _) | (_, Some(n)) => {
                let kind = self.schema.properties[self.schema.position(&n).unwrap_or(0)].kind;
                format!("{n} is of type {kind:?}; give a value of that type")
            }
            _ => "give values of one type".into(),
        }
    }

    fn comparison(&mut self, op: &str, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let [a, b] = args_of::<2>(op, args)?;
        let cmp = match op {
            "=" => CmpOp::Eq,
            "<>" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let what = format!("the comparison {op}");
        let (l, r) = (self.value(a, &what)?, self.value(b, &what)?);
        let (l, r) = self.unify(l, r, &what)?;
        if matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
            if let Some(node) = self.crosswalk(&l, std::slice::from_ref(&r)) {
                let node = self.memoise(node);
                return Ok(if cmp == CmpOp::Ne {
                    Node::Not(Box::new(node))
                } else {
                    node
                });
            }
        }
        Ok(self.memoise(Node::Compare(cmp, l, r)))
    }

    /// `land_use = '0601'` and `land_use IN (…)` select every code the values cover.
    fn crosswalk(&self, value: &Operand, list: &[Operand]) -> Option<Node> {
        let Operand::Column(c, Ty::Text) = value else {
            return None;
        };
        let name = &self.schema.properties[*c].name;
        let mut codes: Vec<Operand> = Vec::new();
        for item in list {
            let Operand::Lit(Scalar::Text(v)) = item else {
                return None;
            };
            let matching = self.schema.land_use_codes(name, v)?;
            codes.extend(
                matching
                    .into_iter()
                    .map(|m| Operand::Lit(Scalar::Text(m.into()))),
            );
        }
        Some(Node::In(value.clone(), codes))
    }

    fn like(&mut self, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let [a, b] = args_of::<2>("LIKE", args)?;
        let value = self.value(a, "LIKE")?;
        let pattern = self.value(b, "LIKE")?;
        for side in [&value, &pattern] {
            if !matches!(side.ty(), Ty::Text | Ty::Null) {
                return Err(refuse(format!(
                    "LIKE compares text, not {}; {}",
                    side.ty().name(),
                    self.mismatch_hint(side, side)
                )));
            }
        }
        if let Operand::Lit(Scalar::Text(p)) = &pattern {
            super::eval::check_pattern(p)?;
        }
        Ok(self.memoise(Node::Like(value, pattern)))
    }

    fn between(&mut self, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let [a, lo, hi] = args_of::<3>("BETWEEN", args)?;
        let value = self.value(a, "BETWEEN")?;
        let (lo, hi) = (self.value(lo, "BETWEEN")?, self.value(hi, "BETWEEN")?);
        let (value, lo) = self.unify(value, lo, "BETWEEN")?;
        let (value, hi) = self.unify(value, hi, "BETWEEN")?;
        if !matches!(value.ty(), Ty::Number | Ty::Instant | Ty::Null) {
            return Err(refuse(format!(
                "BETWEEN compares numbers, dates or timestamps, not {}",
                value.ty().name()
            )));
        }
        Ok(self.memoise(Node::Between(value, lo, hi)))
    }

    fn in_list(&mut self, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let [a, list] = args_of::<2>("IN", args)?;
        let value = self.value(a, "IN")?;
        let Expr::Array(items) = &**list else {
            return Err(refuse(
                "IN takes a list in parentheses: status IN ('idle', 'zombie')",
            ));
        };
        let mut unified = Vec::with_capacity(items.len());
        let mut value = value;
        for item in items {
            let v = self.value(item, "IN")?;
            let (val, v) = self.unify(value, v, "IN")?;
            value = val;
            unified.push(v);
        }
        if let Some(node) = self.crosswalk(&value, &unified) {
            return Ok(self.memoise(node));
        }
        Ok(self.memoise(Node::In(value, unified)))
    }

    /// Marks a predicate on exactly one text or list property for memoisation.
    fn memoise(&mut self, node: Node) -> Node {
        let mut columns = Vec::new();
        match &node {
            Node::Compare(_, a, b) | Node::Like(a, b) => {
                a.columns(&mut columns);
                b.columns(&mut columns);
            }
            Node::In(a, list) => {
                a.columns(&mut columns);
                list.iter().for_each(|l| l.columns(&mut columns));
            }
            Node::Between(a, b, c) => [a, b, c].iter().for_each(|o| o.columns(&mut columns)),
            Node::IsNull(a) => a.columns(&mut columns),
            Node::Array(_, l, r) => {
                for s in [l, r] {
                    if let ListOperand::Column(c) = s {
                        columns.push(*c);
                    }
                }
            }
            _ => return node,
        }
        columns.dedup();
        let [column] = columns[..] else { return node };
        let textual = matches!(
            Ty::of(self.schema.properties[column].kind),
            Ty::Text | Ty::List
        );
        if !textual {
            return node;
        }
        let slot = self.memo_slots.len();
        self.memo_slots.push(column);
        Node::Memo {
            column,
            slot,
            node: Box::new(node),
        }
    }
}

fn instant_literal(e: &Expr) -> Result<i64, FilterError> {
    match e {
        Expr::Literal(s) => parse_instant(s).ok_or_else(|| {
            refuse(format!(
                "{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp (2024-05-01T08:00:00Z)"
            ))
        }),
        other => Err(refuse(format!(
            "DATE and TIMESTAMP take a string, not {}",
            describe(other)
        ))),
    }
}

/// One element of a list literal. A double-quoted word is read as text: the abstract
/// tests of array-functions write `A_CONTAINS(list, ("foo","bar"))`.
fn list_element(e: &Expr) -> Result<String, FilterError> {
    match e {
        Expr::Literal(s) | Expr::Property { property: s } => Ok(s.clone()),
        Expr::Float(x) => Ok(x.to_string()),
        Expr::Bool(b) => Ok(b.to_string()),
        other => Err(refuse(format!(
            "a list holds strings or numbers, not {}",
            describe(other)
        ))),
    }
}

/// A few words on what an expression is, for messages.
fn describe(e: &Expr) -> String {
    match e {
        Expr::Property { property } => format!("the property {property}"),
        Expr::Float(x) => format!("the number {x}"),
        Expr::Literal(s) => format!("the string {:?}", short(s)),
        Expr::Bool(b) => format!("{b}"),
        Expr::Null => "NULL".into(),
        Expr::Timestamp { .. } => "a TIMESTAMP".into(),
        Expr::Date { .. } => "a DATE".into(),
        Expr::Interval { .. } => "an INTERVAL".into(),
        Expr::Geometry(_) => "a geometry".into(),
        Expr::BBox { .. } => "a BBOX".into(),
        Expr::Array(_) => "a list".into(),
        Expr::Operation { op, .. } => format!("{}(…)", op.to_uppercase()),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        let head: String = s.chars().take(57).collect();
        format!("{head}…")
    } else {
        s.to_string()
    }
}
