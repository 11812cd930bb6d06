//! The spatial functions of CQL2 on lon/lat geometry: geometry literals (WKT, GeoJSON,
//! BBOX) read in the `filter-crs` and carried to CRS84, and the predicates decided with
//! `geo` (`Intersects` for the common case, the DE-9IM matrix of `Relate` for the others).
//!
//! As in the CQL2 standard, the predicates are planar on the coordinates (degrees).
//! `S_DWITHIN` is the exception: its distance is geodesic metres, as in the analysis
//! endpoints ([`crate::index::analysis::geodesic_distance`]).

use geo::{
    BoundingRect, Coord, Geometry, Intersects, LineString, MultiPolygon, Polygon, Rect, Relate,
};
use rstar::AABB;

use crate::crs::{Crs, ToCrs84};
use crate::index::analysis::Probe;
use crate::index::IndexedFeature;

/// The spatial functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpatialOp {
    Intersects,
    Disjoint,
    Equals,
    Touches,
    Within,
    Contains,
    Overlaps,
    Crosses,
}

impl SpatialOp {
    /// The function of a canonical operator name (`s_intersects` …).
    pub fn of(op: &str) -> Option<Self> {
        Some(match op {
            "s_intersects" => Self::Intersects,
            "s_disjoint" => Self::Disjoint,
            "s_equals" => Self::Equals,
            "s_touches" => Self::Touches,
            "s_within" => Self::Within,
            "s_contains" => Self::Contains,
            "s_overlaps" => Self::Overlaps,
            "s_crosses" => Self::Crosses,
            _ => return None,
        })
    }

    /// The same question with the two geometries swapped.
    pub fn converse(self) -> Self {
        match self {
            Self::Within => Self::Contains,
            Self::Contains => Self::Within,
            other => other,
        }
    }
}

/// A geometry literal in CRS84, with its envelope.
#[derive(Debug)]
pub struct Literal {
    /// The geometry.
    pub geometry: Geometry<f64>,
    /// Its envelope, lon/lat.
    pub envelope: AABB<[f64; 2]>,
    /// The box itself, when the literal is a BBOX that needed no transformation: a
    /// feature whose envelope lies inside it intersects it.
    pub rect: Option<Rect<f64>>,
}

impl Literal {
    /// A literal of lon/lat geometry.
    pub fn new(geometry: Geometry<f64>, rect: Option<Rect<f64>>) -> Result<Self, String> {
        let r = geometry
            .bounding_rect()
            .ok_or("the geometry is empty; give at least one position")?;
        Ok(Self {
            envelope: AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
            geometry,
            rect,
        })
    }

    /// Whether `op(feature, literal)` holds.
    pub fn holds(&self, op: SpatialOp, feature: &IndexedFeature) -> bool {
        let g = &feature.geometry;
        match op {
            SpatialOp::Intersects => self.meets(feature),
            SpatialOp::Disjoint => !self.meets(feature),
            _ if !self.meets(feature) => false,
            SpatialOp::Equals => g.relate(&self.geometry).is_equal_topo(),
            SpatialOp::Touches => g.relate(&self.geometry).is_touches(),
            SpatialOp::Within => g.relate(&self.geometry).is_within(),
            SpatialOp::Contains => g.relate(&self.geometry).is_contains(),
            SpatialOp::Overlaps => g.relate(&self.geometry).is_overlaps(),
            SpatialOp::Crosses => g.relate(&self.geometry).is_crosses(),
        }
    }

    fn meets(&self, feature: &IndexedFeature) -> bool {
        let [x0, y0, x1, y1] = feature.envelope;
        let envelope = AABB::from_corners([x0, y0], [x1, y1]);
        if !rstar::Envelope::intersects(&self.envelope, &envelope) {
            return false;
        }
        if self.rect.is_some() && rstar::Envelope::contains_envelope(&self.envelope, &envelope) {
            return true;
        }
        feature.geometry.intersects(&self.geometry)
    }

    /// Whether two literals stand in `op` (a filter that compares literals only).
    pub fn holds_between(&self, op: SpatialOp, other: &Literal) -> bool {
        let m = self.geometry.relate(&other.geometry);
        match op {
            SpatialOp::Intersects => m.is_intersects(),
            SpatialOp::Disjoint => m.is_disjoint(),
            SpatialOp::Equals => m.is_equal_topo(),
            SpatialOp::Touches => m.is_touches(),
            SpatialOp::Within => m.is_within(),
            SpatialOp::Contains => m.is_contains(),
            SpatialOp::Overlaps => m.is_overlaps(),
            SpatialOp::Crosses => m.is_crosses(),
        }
    }
}

/// `S_DWITHIN(geometry, literal, distance, units)`: geodesic distance at most `metres`.
#[derive(Debug)]
pub struct WithinDistance {
    pub(super) probe: Probe,
    pub(super) metres: f64,
}

impl WithinDistance {
    /// Within `metres` of `origin` (lon/lat).
    pub fn new(origin: Geometry<f64>, metres: f64) -> Result<Self, String> {
        if !metres.is_finite() || metres < 0.0 {
            return Err(format!(
                "the distance {metres} is not a distance; give a number of 0 or more"
            ));
        }
        let probe = Probe::new(origin).ok_or("the geometry is empty")?;
        Ok(Self { probe, metres })
    }

    /// The lon/lat box that holds every feature within the distance.
    pub fn window(&self) -> AABB<[f64; 2]> {
        self.probe.window(self.metres)
    }

    /// Whether `feature` lies within the distance.
    pub fn holds(&self, feature: &IndexedFeature) -> bool {
        self.probe.within(feature, self.metres)
    }
}

/// The metres in one of the distance units of `S_DWITHIN`.
pub fn metres_per(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "m" | "meter" | "meters" | "metre" | "metres" => 1.0,
        "km" | "kilometer" | "kilometers" | "kilometre" | "kilometres" => 1000.0,
        "ft" | "foot" | "feet" => 0.3048,
        "mi" | "mile" | "miles" | "statute miles" => 1609.344,
        "nm" | "nautical miles" => 1852.0,
        _ => return None,
    })
}

/// Carries a geometry given in `crs` (in its authority axis order) to CRS84 and checks
/// that it lies in the CRS's area of use.
pub fn to_crs84(g: Geometry<f64>, crs: Crs) -> Result<Geometry<f64>, String> {
    let g = if crs == Crs::Crs84 {
        g
    } else {
        let t = ToCrs84::new(crs, crs.authority_axis_order())?;
        geo::MapCoords::try_map_coords(&g, |c: Coord<f64>| {
            t.apply(c.x, c.y).map(|(x, y)| Coord { x, y })
        })?
    };
    let [w, s, e, n] = crs.area_of_use();
    let mut outside = None;
    geo::CoordsIter::coords_iter(&g).for_each(|c| {
        let inside =
            c.x.is_finite() && c.y.is_finite() && (w..=e).contains(&c.x) && (s..=n).contains(&c.y);
        if !inside && outside.is_none() {
            outside = Some(c);
        }
    });
    match outside {
        Some(c) => Err(format!(
            "it has a position outside the area of {crs} (lon {w}..{e}, lat {s}..{n}): it comes to lon {:.6}, lat {:.6}",
            c.x, c.y
        )),
        None => Ok(g),
    }
}

/// A BBOX literal (west, south, east, north in CRS84, or the CRS's axis order): a box
/// whose west edge lies east of its east edge crosses the antimeridian and becomes two.
pub fn bbox(n: [f64; 4], crs: Crs) -> Result<Literal, String> {
    if crs == Crs::Crs84 {
        let [w, s, e, north] = n;
        if s > north {
            return Err(format!(
                "its south edge {s} lies north of its north edge {north}"
            ));
        }
        if w > e {
            let parts = vec![
                rect_polygon(w, s, 180.0, north),
                rect_polygon(-180.0, s, e, north),
            ];
            let g = to_crs84(MultiPolygon::new(parts).into(), crs)?;
            return Literal::new(g, None);
        }
        let rect = Rect::new((w, s), (e, north));
        return Literal::new(to_crs84(rect.into(), crs)?, Some(rect));
    }
    if n[0] > n[2] || n[1] > n[3] {
        return Err("its minimum lies above its maximum".into());
    }
    // Straight edges in the CRS are curves in lon/lat: carry points along each edge.
    let corners = [
        (n[0], n[1]),
        (n[2], n[1]),
        (n[2], n[3]),
        (n[0], n[3]),
        (n[0], n[1]),
    ];
    let mut ring = Vec::new();
    for w in corners.windows(2) {
        for i in 0..16 {
            let t = f64::from(i) / 16.0;
            ring.push(Coord {
                x: w[0].0 + (w[1].0 - w[0].0) * t,
                y: w[0].1 + (w[1].1 - w[0].1) * t,
            });
        }
    }
    ring.push(ring[0]);
    let polygon = Polygon::new(LineString::new(ring), vec![]);
    Literal::new(to_crs84(polygon.into(), crs)?, None)
}

fn rect_polygon(w: f64, s: f64, e: f64, n: f64) -> Polygon<f64> {
    Rect::new((w, s), (e, n)).to_polygon()
}
