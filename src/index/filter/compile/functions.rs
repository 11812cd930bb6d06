//! The spatial, temporal and array functions, and geometry literals.

use cql2::Expr;
use geo::Geometry;

use super::super::spatial::{self, Literal, SpatialOp, WithinDistance};
use super::super::temporal::{parse_instant, Relation};
use super::super::{refuse, FilterError};
use super::tree::{ArrayOp, Node, Operand, Scalar, TimeOperand, Ty};
use super::{args_of, describe, short, Arg, Compiler};

impl Compiler<'_> {
    pub(super) fn spatial(&mut self, op: &str, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let Some(sop) = SpatialOp::of(op) else {
            return Err(refuse(format!(
                "{} is not a spatial function; they are S_INTERSECTS, S_DISJOINT, S_EQUALS, S_TOUCHES, S_WITHIN, S_CONTAINS, S_OVERLAPS, S_CROSSES and S_DWITHIN",
                op.to_uppercase()
            )));
        };
        let [a, b] = args_of::<2>(op, args)?;
        let name = op.to_uppercase();
        match (self.geometry_arg(a, &name)?, self.geometry_arg(b, &name)?) {
            (None, Some(lit)) => Ok(Node::Spatial(sop, Box::new(lit))),
            (Some(lit), None) => Ok(Node::Spatial(sop.converse(), Box::new(lit))),
            (Some(x), Some(y)) => Ok(Node::Const(Some(x.holds_between(sop, &y)))),
            (None, None) => Err(refuse(format!(
                "{name} compares the geometry with itself; give a geometry literal (WKT or BBOX) as one argument"
            ))),
        }
    }

    fn geometry_arg(&mut self, e: &Expr, name: &str) -> Result<Option<Literal>, FilterError> {
        match self.arg(e)? {
            Arg::Geometry(g) => Ok(g),
            _ => Err(refuse(format!(
                "{name} takes geometries: the property {} or a literal (WKT such as POINT(125.40 43.86), or BBOX(…)); {} is not one",
                self.schema.geometry,
                describe(e)
            ))),
        }
    }

    pub(super) fn dwithin(&mut self, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        if !(3..=4).contains(&args.len()) {
            return Err(refuse(format!(
                "S_DWITHIN takes the geometry, a geometry literal, a distance and its unit: S_DWITHIN(geometry, POINT(125.40 43.86), 1000, meters); it was given {} arguments",
                args.len()
            )));
        }
        let pair = (
            self.geometry_arg(&args[0], "S_DWITHIN")?,
            self.geometry_arg(&args[1], "S_DWITHIN")?,
        );
        let ((None, Some(lit)) | (Some(lit), None)) = pair else {
            return Err(refuse(
                "S_DWITHIN measures from the geometry to one geometry literal",
            ));
        };
        let Expr::Float(distance) = &*args[2] else {
            return Err(refuse(format!(
                "the distance of S_DWITHIN must be a number, not {}",
                describe(&args[2])
            )));
        };
        let unit = match args.get(3).map(|u| &**u) {
            None => "meters".to_string(),
            Some(Expr::Property { property } | Expr::Literal(property)) => property.clone(),
            Some(other) => {
                return Err(refuse(format!(
                    "the unit of S_DWITHIN must be a word such as meters, not {}",
                    describe(other)
                )))
            }
        };
        let per = spatial::metres_per(&unit).ok_or_else(|| {
            refuse(format!("{unit:?} is not a distance unit; use meters, kilometers, feet, miles or nautical miles"))
        })?;
        let within = WithinDistance::new(lit.geometry, distance * per)
            .map_err(|e| refuse(format!("S_DWITHIN: {e}")))?;
        Ok(Node::DWithin(Box::new(within)))
    }

    pub(super) fn geometry_literal(&self, g: &cql2::Geometry) -> Result<Literal, FilterError> {
        let shown = match g {
            cql2::Geometry::Wkt(w) => short(w),
            cql2::Geometry::GeoJSON(j) => short(&j.to_string()),
        };
        let bad = |why: String| refuse(format!("the geometry literal {shown} {why}"));
        let json = serde_json::to_value(g)
            .map_err(|e| bad(format!("is not valid WKT or GeoJSON: {e}")))?;
        let gj: geojson::Geometry =
            serde_json::from_value(json).map_err(|e| bad(format!("is not valid: {e}")))?;
        check_shape(&gj.value).map_err(&bad)?;
        let geometry: Geometry<f64> =
            Geometry::try_from(gj).map_err(|e| bad(format!("is not valid: {e}")))?;
        let geometry = spatial::to_crs84(geometry, self.crs)
            .map_err(|e| bad(format!("is outside the filter-crs: {e}")))?;
        Literal::new(geometry, None).map_err(bad)
    }

    pub(super) fn bbox_literal(&self, items: &[Box<Expr>]) -> Result<Literal, FilterError> {
        let numbers: Vec<f64> = items
            .iter()
            .map(|i| match &**i {
                Expr::Float(x) => Some(*x),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or_else(|| {
                refuse("BBOX takes numbers only: BBOX(minLon, minLat, maxLon, maxLat)")
            })?;
        let n = match numbers.as_slice() {
            [a, b, c, d] => [*a, *b, *c, *d],
            [a, b, _, d, e, _] => [*a, *b, *d, *e],
            _ => {
                return Err(refuse(format!(
                    "BBOX takes 4 (or 6) numbers, not {}: BBOX(minLon, minLat, maxLon, maxLat)",
                    numbers.len()
                )))
            }
        };
        spatial::bbox(n, self.crs).map_err(|e| {
            refuse(format!(
                "the BBOX({}) {e}",
                numbers
                    .iter()
                    .map(f64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ))
        })
    }

    pub(super) fn temporal(&mut self, op: &str, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let Some(rel) = Relation::of(op) else {
            return Err(refuse(format!(
                "{} is not a temporal function; they are T_AFTER, T_BEFORE, T_CONTAINS, T_DISJOINT, T_DURING, T_EQUALS, T_FINISHEDBY, T_FINISHES, T_INTERSECTS, T_MEETS, T_METBY, T_OVERLAPPEDBY, T_OVERLAPS, T_STARTEDBY and T_STARTS",
                op.to_uppercase()
            )));
        };
        let [a, b] = args_of::<2>(op, args)?;
        let (a, b) = (self.time(a, op)?, self.time(b, op)?);
        Ok(Node::Temporal(rel, a, b))
    }

    fn time(&mut self, e: &Expr, op: &str) -> Result<TimeOperand, FilterError> {
        match self.arg(e)? {
            Arg::Time(t) => Ok(t),
            Arg::Value(v) => Ok(TimeOperand::Instant(self.instant_operand(v, op)?)),
            _ => Err(refuse(format!(
                "{} takes dates, timestamps or intervals, not {}",
                op.to_uppercase(),
                describe(e)
            ))),
        }
    }

    fn instant_operand(&self, v: Operand, op: &str) -> Result<Operand, FilterError> {
        match (v.ty(), &v) {
            (Ty::Instant | Ty::Null, _) => Ok(v),
            (Ty::Text, Operand::Lit(Scalar::Text(s))) => parse_instant(s)
                .map(|t| Operand::Lit(Scalar::Instant(t)))
                .ok_or_else(|| {
                    refuse(format!(
                        "{s:?} is not a date (YYYY-MM-DD) or an RFC 3339 timestamp"
                    ))
                }),
            (t, _) => Err(refuse(format!(
                "{} takes dates or timestamps, not {}; {}",
                op.to_uppercase(),
                t.name(),
                self.mismatch_hint(&v, &v)
            ))),
        }
    }

    pub(super) fn interval_end(&mut self, e: &Expr, open: i64) -> Result<Operand, FilterError> {
        if matches!(e, Expr::Literal(s) if s == "..") {
            return Ok(Operand::Lit(Scalar::Instant(open)));
        }
        let v = self.value(e, "INTERVAL")?;
        self.instant_operand(v, "INTERVAL")
    }

    pub(super) fn array(&mut self, op: &str, args: &[Box<Expr>]) -> Result<Node, FilterError> {
        let aop = match op {
            "a_equals" => ArrayOp::Equals,
            "a_contains" => ArrayOp::Contains,
            "a_containedby" => ArrayOp::ContainedBy,
            "a_overlaps" => ArrayOp::Overlaps,
            _ => {
                return Err(refuse(format!(
                    "{} is not an array function; they are A_EQUALS, A_CONTAINS, A_CONTAINEDBY and A_OVERLAPS",
                    op.to_uppercase()
                )))
            }
        };
        let [a, b] = args_of::<2>(op, args)?;
        let mut side = |e: &Expr| {
            match self.arg(e)? {
            Arg::List(l) => Ok(l),
            _ => Err(refuse(format!(
                "{} takes lists: a list property (such as parcels) or a list in parentheses ('P1', 'P2'); {} is not one",
                op.to_uppercase(),
                describe(e)
            ))),
        }
        };
        let (l, r) = (side(a)?, side(b)?);
        let node = Node::Array(aop, l, r);
        Ok(self.memoise(node))
    }
}

/// Refuses rings that are not closed or have fewer than four positions, and lines of
/// fewer than two: `geo` would close or accept them silently.
fn check_shape(v: &geojson::GeometryValue) -> Result<(), String> {
    use geojson::GeometryValue as V;
    let ring = |r: &Vec<geojson::Position>| -> Result<(), String> {
        if r.len() < 4 {
            return Err(format!(
                "has a ring of {} positions; a ring needs at least 4, the last equal to the first",
                r.len()
            ));
        }
        if r.first() != r.last() {
            return Err(
                "has a ring that is not closed: its last position must equal its first".into(),
            );
        }
        Ok(())
    };
    let line = |l: &Vec<geojson::Position>| -> Result<(), String> {
        if l.len() < 2 {
            return Err("has a line of fewer than 2 positions".into());
        }
        Ok(())
    };
    match v {
        V::LineString { coordinates: l } => line(l),
        V::MultiLineString { coordinates: ls } => ls.iter().try_for_each(line),
        V::Polygon { coordinates: rings } => rings.iter().try_for_each(ring),
        V::MultiPolygon { coordinates: ps } => ps.iter().flatten().try_for_each(ring),
        V::GeometryCollection { geometries } => {
            geometries.iter().try_for_each(|g| check_shape(&g.value))
        }
        V::Point { .. } | V::MultiPoint { .. } => Ok(()),
    }
}
