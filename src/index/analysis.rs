//! Geodesic distance queries answered from a collection's R-tree: the `k` features
//! nearest to a geometry, and every feature within a distance of it. Part of step 3
//! (index): the analysis answers (nearest school, coverage gaps, parcels near a street)
//! call these under the collection's read lock. Distances are metres on WGS84;
//! geometries are CRS84 lon/lat.
//!
//! # Distance
//! [`geodesic_distance`] is 0 when the geometries intersect (`geo::Intersects`).
//! Otherwise it is the minimum, over every vertex of one geometry and every segment of
//! the other (both ways; a point counts as a segment of length 0), of the geodesic
//! distance (`geo::Geodesic`, Karney's algorithm) from the vertex to the segment's
//! closest point. That point is found in an equirectangular frame centred at the vertex
//! and scaled by the ellipsoid's radii of curvature there. The frame is affine in
//! lon/lat, so the point lies exactly on the segment as stored.
//!
//! Accuracy: the frame misplaces the foot of the perpendicular by about d²·tan φ / R,
//! which is about 0.15 m at d = 1 km and latitude 44°. But the distance is stationary at
//! the true foot, so the reported distance is off by only about d³·tan²φ / R². Against a
//! golden-section search of the geodesic along the segment, over the zone the excess
//! measured at most 0.003 mm up to 1 km, 0.08 mm up to 3 km, 0.4 mm up to 5 km and 3 mm
//! up to 10 km. The result never underestimates, because it is the exact geodesic length
//! to a real point of the other geometry. Only pairs whose frame distance could beat the
//! best geodesic so far are solved geodesically, so a parcel costs one to three Karney
//! solves. Segments are straight in lon/lat, as geo and GeoJSON draw them. Antimeridian
//! crossings are not handled (the zone is at 125° E).
//!
//! # Search
//! A degree of longitude is about 80 km at latitude 43.9° and a degree of latitude about
//! 111 km, so the R-tree's own nearest-neighbour metric (in degrees) would rank wrongly.
//! Both queries search metric boxes instead:
//! 1. [`CollectionIndex::within`] grows the origin's envelope by `metres`. Latitude is
//!    grown with the smallest meridian radius (the equator's). Longitude is grown with
//!    the radius of the box's most poleward parallel. Every point within `metres` is
//!    therefore inside the box. Features whose envelopes meet the box are then measured
//!    exactly.
//! 2. [`CollectionIndex::nearest`] does the same with a radius that starts from the
//!    collection's density and doubles. It stops when `k` kept features lie within the
//!    radius, when the radius reaches `max_m`, or when the box covers the whole
//!    collection. Every feature within the radius is in its box, so the `k` nearest
//!    found there are the `k` nearest overall.

use std::f64::consts::PI;
use std::sync::Arc;

use geo::{BoundingRect, Coord, Distance, Geodesic, Geometry, Intersects};
use rstar::{Envelope, AABB};

use super::collection::{CollectionIndex, IndexedFeature};

/// WGS84 semi-major axis (metres).
const SEMI_MAJOR: f64 = 6_378_137.0;
/// WGS84 first eccentricity squared, f·(2 − f) with f = 1/298.257223563.
const ECC2: f64 = 0.006_694_379_990_141_316;
/// The smallest meridian radius of curvature (at the equator), metres.
const MIN_MERIDIAN_RADIUS: f64 = SEMI_MAJOR * (1.0 - ECC2);
/// Below this the first radius of `nearest` is not worth starting from, metres.
const MIN_FIRST_RADIUS: f64 = 50.0;

/// Radius of curvature of the meridian at latitude `phi` (radians), metres.
fn meridian_radius(phi: f64) -> f64 {
    let w = 1.0 - ECC2 * phi.sin().powi(2);
    SEMI_MAJOR * (1.0 - ECC2) / (w * w.sqrt())
}

/// Radius of the parallel at latitude `phi` (radians), metres.
fn parallel_radius(phi: f64) -> f64 {
    SEMI_MAJOR * phi.cos() / (1.0 - ECC2 * phi.sin().powi(2)).sqrt()
}

/// A feature and its distance from the query's origin.
#[derive(Debug, Clone)]
pub struct Near {
    /// The feature.
    pub feature: Arc<IndexedFeature>,
    /// Geodesic distance from the origin, metres (0 when they intersect).
    pub distance_m: f64,
}

/// Geodesic distance in metres between two lon/lat geometries (points, lines, polygons
/// and their multi- forms): 0 when they intersect, infinite when either is empty. See
/// the module documentation for the method and its accuracy.
///
/// ```
/// use geo::{Distance, Geodesic, Geometry, Point, polygon};
/// use landreuse::index::analysis::geodesic_distance;
///
/// let (a, b) = (Point::new(125.40, 43.90), Point::new(125.41, 43.91));
/// let d = geodesic_distance(&a.into(), &b.into());
/// assert!((d - Geodesic.distance(a, b)).abs() < 1e-9);
///
/// let square: Geometry = polygon![(x: 125.40, y: 43.90), (x: 125.41, y: 43.90),
///     (x: 125.41, y: 43.91), (x: 125.40, y: 43.91)].into();
/// assert_eq!(geodesic_distance(&Point::new(125.405, 43.905).into(), &square), 0.0);
/// ```
pub fn geodesic_distance(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    if a.intersects(b) {
        return 0.0;
    }
    parts_distance(&Parts::of(a), &Parts::of(b), f64::INFINITY).unwrap_or(f64::INFINITY)
}

/// An equirectangular frame centred at a vertex: metres per degree east and north.
#[derive(Debug, Clone, Copy)]
struct Frame {
    centre: Coord<f64>,
    east: f64,
    north: f64,
    /// Relative error of frame distances per metre (see [`Frame::lower_bound`]).
    slack: f64,
}

impl Frame {
    fn at(centre: Coord<f64>) -> Self {
        let phi = centre.y.to_radians();
        Self {
            centre,
            east: parallel_radius(phi).to_radians(),
            north: meridian_radius(phi).to_radians(),
            // The frame's east scale drifts by tan φ · Δφ/2 between its centre and a
            // point Δφ away; twice that, plus room for the second-order terms.
            slack: (phi.tan().abs() + 1.0) / MIN_MERIDIAN_RADIUS,
        }
    }

    /// The point of segment `s`–`e` closest to the centre in the frame (on the lon/lat
    /// segment), and its frame distance in metres.
    fn closest(&self, s: Coord<f64>, e: Coord<f64>) -> (Coord<f64>, f64) {
        let (sx, sy) = (
            (s.x - self.centre.x) * self.east,
            (s.y - self.centre.y) * self.north,
        );
        let (dx, dy) = ((e.x - s.x) * self.east, (e.y - s.y) * self.north);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 {
            (-(sx * dx + sy * dy) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let on_segment = Coord {
            x: s.x + t * (e.x - s.x),
            y: s.y + t * (e.y - s.y),
        };
        (on_segment, (sx + t * dx).hypot(sy + t * dy))
    }

    /// A lower bound of the geodesic distance to a point at frame distance `l`.
    fn lower_bound(&self, l: f64) -> f64 {
        let eps = self.slack * l;
        if eps < 0.5 {
            l * (1.0 - eps)
        } else {
            0.0
        }
    }
}

/// A geometry as the distance sees it: a frame at each vertex, and its segments (a
/// point being a segment of length 0).
#[derive(Debug, Default)]
struct Parts {
    vertices: Vec<Frame>,
    segments: Vec<[Coord<f64>; 2]>,
}

impl Parts {
    fn of(g: &Geometry<f64>) -> Self {
        let mut parts = Self::default();
        parts.fill(g);
        parts
    }

    /// Refills the buffers (reused from candidate to candidate).
    fn fill(&mut self, g: &Geometry<f64>) {
        self.vertices.clear();
        self.segments.clear();
        self.add(g);
    }

    fn add(&mut self, g: &Geometry<f64>) {
        match g {
            Geometry::Point(p) => self.add_coords(&[p.0]),
            Geometry::MultiPoint(ps) => ps.iter().for_each(|p| self.add_coords(&[p.0])),
            Geometry::Line(l) => self.add_coords(&[l.start, l.end]),
            Geometry::LineString(ls) => self.add_coords(&ls.0),
            Geometry::MultiLineString(mls) => mls.iter().for_each(|ls| self.add_coords(&ls.0)),
            Geometry::Polygon(p) => std::iter::once(p.exterior())
                .chain(p.interiors())
                .for_each(|ring| self.add_coords(&ring.0)),
            Geometry::MultiPolygon(mp) => mp
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .for_each(|ring| self.add_coords(&ring.0)),
            Geometry::Rect(r) => self.add(&r.to_polygon().into()),
            Geometry::Triangle(t) => self.add(&t.to_polygon().into()),
            Geometry::GeometryCollection(gc) => gc.iter().for_each(|g| self.add(g)),
        }
    }

    /// A line's vertices (a ring's closing vertex once) and its segments.
    fn add_coords(&mut self, coords: &[Coord<f64>]) {
        let open = match coords {
            [first, .., last] if first == last => &coords[..coords.len() - 1],
            _ => coords,
        };
        self.vertices.extend(open.iter().copied().map(Frame::at));
        match coords {
            [only] => self.segments.push([*only, *only]),
            _ => self
                .segments
                .extend(coords.windows(2).map(|w| [w[0], w[1]])),
        }
    }
}

/// Calls `visit(vertex, closest point, lower bound)` for every vertex–segment pair,
/// both ways.
fn each_pair(a: &Parts, b: &Parts, mut visit: impl FnMut(Coord<f64>, Coord<f64>, f64)) {
    for (vertices, segments) in [(&a.vertices, &b.segments), (&b.vertices, &a.segments)] {
        for frame in vertices {
            for [s, e] in segments {
                let (q, l) = frame.closest(*s, *e);
                visit(frame.centre, q, frame.lower_bound(l));
            }
        }
    }
}

fn solve(v: Coord<f64>, q: Coord<f64>) -> f64 {
    Geodesic.distance(v.into(), q.into())
}

/// The distance between disjoint geometries, or `None` when it surely exceeds `limit`.
/// Pass 1 finds the pair with the least lower bound; pass 2 solves only the pairs whose
/// lower bound is under the best distance so far, so the minimum is exact.
fn parts_distance(a: &Parts, b: &Parts, limit: f64) -> Option<f64> {
    let mut first: Option<(Coord<f64>, Coord<f64>, f64)> = None;
    each_pair(a, b, |v, q, lower| {
        if first.is_none_or(|(_, _, least)| lower < least) {
            first = Some((v, q, lower));
        }
    });
    let (v0, q0, least) = first?;
    if least > limit {
        return None;
    }
    let mut best = solve(v0, q0);
    each_pair(a, b, |v, q, lower| {
        // The first pair is solved already, either way round.
        if lower < best && (v, q) != (v0, q0) && (q, v) != (v0, q0) {
            best = best.min(solve(v, q));
        }
    });
    Some(best)
}

/// The origin of a query, decomposed once.
#[derive(Debug)]
pub(crate) struct Probe {
    geometry: Geometry<f64>,
    parts: Parts,
    envelope: AABB<[f64; 2]>,
}

impl Probe {
    pub(crate) fn new(geometry: Geometry<f64>) -> Option<Self> {
        let r = geometry.bounding_rect()?;
        Some(Self {
            parts: Parts::of(&geometry),
            geometry,
            envelope: AABB::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
        })
    }

    /// The lon/lat box holding every point within `metres` of the origin's envelope.
    pub(crate) fn window(&self, metres: f64) -> AABB<[f64; 2]> {
        // Slightly more than needed, so that rounding cannot cut a point off.
        let grow = 1.0 + 1e-9;
        let (lo, hi) = (self.envelope.lower(), self.envelope.upper());
        let dlat = (metres / MIN_MERIDIAN_RADIUS).to_degrees() * grow;
        let (south, north) = ((lo[1] - dlat).max(-90.0), (hi[1] + dlat).min(90.0));
        let poleward = south.abs().max(north.abs()).to_radians();
        let dlon = (metres / parallel_radius(poleward)).to_degrees() * grow;
        let (west, east) = if dlon.is_finite() && dlon < 180.0 && poleward < PI / 2.0 {
            (lo[0] - dlon, hi[0] + dlon)
        } else {
            (-540.0, 540.0)
        };
        AABB::from_corners([west, south], [east, north])
    }

    /// Whether `f` lies within `metres` (geodesic) of the origin.
    pub(crate) fn within(&self, f: &IndexedFeature, metres: f64) -> bool {
        let mut scratch = Parts::default();
        self.distance_to(f, &mut scratch, metres)
            .is_some_and(|d| d <= metres)
    }

    /// The exact distance to `f`, or `None` when it surely exceeds `limit`.
    fn distance_to(&self, f: &IndexedFeature, scratch: &mut Parts, limit: f64) -> Option<f64> {
        let [x0, y0, x1, y1] = f.envelope;
        let envelope = AABB::from_corners([x0, y0], [x1, y1]);
        if self.envelope.intersects(&envelope) && self.geometry.intersects(&f.geometry) {
            return Some(0.0);
        }
        scratch.fill(&f.geometry);
        parts_distance(&self.parts, scratch, limit)
    }
}

impl CollectionIndex {
    /// The `k` features nearest to `origin` that pass `keep`, nearest first (ties in
    /// serving order), none farther than `max_m` metres when given. Distances are
    /// geodesic metres ([`geodesic_distance`]).
    pub fn nearest(
        &self,
        origin: &Geometry<f64>,
        k: usize,
        max_m: Option<f64>,
        keep: &dyn Fn(&IndexedFeature) -> bool,
    ) -> Vec<Near> {
        let cap = max_m.unwrap_or(f64::INFINITY);
        let Some(probe) = Probe::new(origin.clone()) else {
            return Vec::new();
        };
        if k == 0 || self.is_empty() || cap.is_nan() || cap < 0.0 {
            return Vec::new();
        }
        let extent = self.tree.root().envelope();
        let mut radius = self.first_radius(k).min(cap);
        loop {
            let window = probe.window(radius);
            let whole = window.contains_envelope(&extent);
            let found = self.measure(&probe, &window, if whole { cap } else { radius }, keep);
            if found.len() >= k || whole || radius >= cap {
                return self.ranked(found, k);
            }
            radius = (radius * 2.0).min(cap);
        }
    }

    /// Every feature within `metres` of `origin` that passes `keep`, nearest first (ties
    /// in serving order). Distances are geodesic metres ([`geodesic_distance`]).
    pub fn within(
        &self,
        origin: &Geometry<f64>,
        metres: f64,
        keep: &dyn Fn(&IndexedFeature) -> bool,
    ) -> Vec<Near> {
        let Some(probe) = Probe::new(origin.clone()) else {
            return Vec::new();
        };
        if self.is_empty() || metres.is_nan() || metres < 0.0 {
            return Vec::new();
        }
        let found = self.measure(&probe, &probe.window(metres), metres, keep);
        self.ranked(found, usize::MAX)
    }

    /// The radius that holds about `k` features at the collection's mean density.
    fn first_radius(&self, k: usize) -> f64 {
        let e = self.tree.root().envelope();
        let mid = f64::midpoint(e.lower()[1], e.upper()[1]).to_radians();
        let width = (e.upper()[0] - e.lower()[0]).to_radians() * parallel_radius(mid);
        let height = (e.upper()[1] - e.lower()[1]).to_radians() * meridian_radius(mid);
        let per_feature = width * height / self.len() as f64;
        (k as f64 * per_feature / PI).sqrt().max(MIN_FIRST_RADIUS)
    }

    /// (distance, slot) of every kept feature in `window` at most `limit` away.
    fn measure(
        &self,
        probe: &Probe,
        window: &AABB<[f64; 2]>,
        limit: f64,
        keep: &dyn Fn(&IndexedFeature) -> bool,
    ) -> Vec<(f64, u32)> {
        let mut scratch = Parts::default();
        self.tree
            .locate_in_envelope_intersecting(window)
            .filter_map(|leaf| {
                let f = &self.slots[leaf.data as usize];
                if !keep(f) {
                    return None;
                }
                let d = probe.distance_to(f, &mut scratch, limit)?;
                (d <= limit).then_some((d, leaf.data))
            })
            .collect()
    }

    /// The first `k` by distance, then serving order.
    fn ranked(&self, mut found: Vec<(f64, u32)>, k: usize) -> Vec<Near> {
        found.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        found
            .into_iter()
            .take(k)
            .map(|(distance_m, slot)| Near {
                feature: self.slots[slot as usize].clone(),
                distance_m,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use geo::{Destination, Line, LineString, Point, Polygon};

    use super::*;

    fn square(x: f64, y: f64, side: f64) -> Geometry<f64> {
        let ring = vec![
            (x, y),
            (x + side, y),
            (x + side, y + side),
            (x, y + side),
            (x, y),
        ];
        Polygon::new(LineString::from(ring), vec![]).into()
    }

    /// A seeded stream in [0, 1).
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn point_to_point_is_the_geodesic_distance() {
        let mut next = uniform(3);
        for _ in 0..200 {
            let a = Point::new(125.25 + next() * 0.4, 43.78 + next() * 0.27);
            let b = Point::new(125.25 + next() * 0.4, 43.78 + next() * 0.27);
            let d = geodesic_distance(&a.into(), &b.into());
            assert!((d - Geodesic.distance(a, b)).abs() < 1e-9, "{a:?} {b:?}");
        }
    }

    #[test]
    fn a_point_inside_a_polygon_is_at_distance_zero() {
        let parcel = square(125.40, 43.90, 0.001);
        assert_eq!(
            geodesic_distance(&Point::new(125.4005, 43.9005).into(), &parcel),
            0.0
        );
    }

    #[test]
    fn a_point_100_m_north_of_a_square_is_100_m_away() {
        let parcel = square(125.40, 43.90, 0.002);
        let edge_middle = Point::new(125.401, 43.902);
        let north = Geodesic.destination(edge_middle, 0.0, 100.0);
        let d = geodesic_distance(&north.into(), &parcel);
        assert!((d - 100.0).abs() < 0.01, "{d}");
    }

    #[test]
    fn a_line_is_as_far_from_a_polygon_as_its_nearest_point() {
        let parcel = square(125.40, 43.90, 0.002);
        let road = Line::new((125.405, 43.90), (125.405, 43.902));
        let expected = Geodesic.distance(Point::new(125.402, 43.902), Point::new(125.405, 43.902));
        let d = geodesic_distance(&road.into(), &parcel);
        assert!((d - expected).abs() < 0.01, "{d} {expected}");
        let crossing = Line::new((125.399, 43.901), (125.405, 43.901));
        assert_eq!(geodesic_distance(&crossing.into(), &parcel), 0.0);
    }

    /// The least geodesic distance from `v` to the lon/lat segment, by golden-section
    /// search on the segment's parameter.
    fn searched(v: Point<f64>, s: Coord<f64>, e: Coord<f64>) -> f64 {
        let at = |t: f64| Geodesic.distance(v, (s + (e - s) * t).into());
        let (mut lo, mut hi, r) = (0.0, 1.0, (5f64.sqrt() - 1.0) / 2.0);
        for _ in 0..80 {
            let (m1, m2) = (hi - r * (hi - lo), lo + r * (hi - lo));
            if at(m1) < at(m2) {
                hi = m2;
            } else {
                lo = m1;
            }
        }
        at(lo).min(at(0.0)).min(at(1.0))
    }

    #[test]
    fn the_distance_to_a_segment_is_within_a_millimetre_of_the_least_geodesic() {
        let mut next = uniform(11);
        for (reach, tolerance) in [(0.03, 0.0001), (0.06, 0.001)] {
            for _ in 0..300 {
                let v = Point::new(125.45 + next() * 0.01, 43.9 + next() * 0.01);
                let s = Coord {
                    x: v.x() + (next() - 0.5) * reach,
                    y: v.y() + (next() - 0.5) * reach,
                };
                let e = Coord {
                    x: v.x() + (next() - 0.5) * reach,
                    y: v.y() + (next() - 0.5) * reach,
                };
                let d = geodesic_distance(&v.into(), &Line::new(s, e).into());
                let truth = searched(v, s, e);
                assert!(d - truth > -1e-6 && d - truth < tolerance, "{d} {truth}");
            }
        }
    }

    #[test]
    fn frame_lower_bounds_never_exceed_the_geodesic() {
        let mut next = uniform(5);
        for reach in [0.01, 0.1, 1.0, 5.0] {
            for _ in 0..300 {
                let v = Coord {
                    x: 125.45,
                    y: 43.9 + (next() - 0.5) * 20.0,
                };
                let q = Coord {
                    x: v.x + (next() - 0.5) * reach,
                    y: v.y + (next() - 0.5) * reach,
                };
                let frame = Frame::at(v);
                let (_, l) = frame.closest(q, q);
                assert!(frame.lower_bound(l) <= solve(v, q), "{v:?} {q:?}");
            }
        }
    }

    #[test]
    fn windows_hold_every_point_within_the_distance() {
        let parcel = square(125.40, 43.90, 0.01);
        let probe = Probe::new(parcel.clone()).expect("not empty");
        for metres in [10.0, 500.0, 3000.0, 50_000.0] {
            let window = probe.window(metres);
            for bearing in (0..360).step_by(15) {
                for corner in [
                    (125.40, 43.90),
                    (125.41, 43.91),
                    (125.40, 43.91),
                    (125.41, 43.90),
                ] {
                    let p = Geodesic.destination(corner.into(), f64::from(bearing), metres);
                    assert!(window.contains_point(&[p.x(), p.y()]), "{metres} {bearing}");
                }
            }
        }
    }
}
