//! Checks for splitting a parcel into lots and merging adjacent parcels.
//!
//! The reserve workflow calls these before it writes new parcels: a reserved parcel is
//! split for supply in lots, or adjacent parcels are merged into one. Geometry is lon/lat
//! (CRS84); every area is geodesic, in m². Survey coordinates are rounded, so shared
//! edges do not match exactly: slivers below a small tolerance are ignored.

use geo::{
    unary_union, BooleanOps, BoundingRect, Coord, CoordsIter, GeodesicArea, Geometry,
    InteriorPoint, Intersects, MapCoords, MultiPolygon, Orient, Polygon,
};

/// Slivers smaller than this are rounding noise, m².
const MIN_SLIVER_M2: f64 = 1.0;
/// …or smaller than this share of the piece concerned.
const SLIVER_SHARE: f64 = 1e-4;
/// The pieces of a split must keep the parcel's area within this share.
const AREA_TOLERANCE: f64 = 1e-3;
/// Vertices of merged parcels closer than this are the same survey point, metres.
const SNAP_M: f64 = 0.1;

/// Checks that `pieces` are a valid split of `original`.
///
/// 1. The original and every piece are Polygons or MultiPolygons; there are at least two
///    pieces.
/// 2. Each piece lies inside the original: the part outside is below 0.01 % of the
///    piece's area or 1 m², whichever is larger.
/// 3. No two pieces overlap by more than that tolerance (of the smaller piece).
/// 4. The pieces' total area is within 0.1 % of the original's.
///
/// The error lists every problem found, as sentences naming the pieces by index.
pub fn check_split(original: &Geometry<f64>, pieces: &[Geometry<f64>]) -> Result<(), String> {
    let parcel = areal(original).ok_or("the original parcel is not a Polygon or MultiPolygon")?;
    if pieces.len() < 2 {
        return Err(format!(
            "a split needs at least 2 pieces, got {}",
            pieces.len()
        ));
    }
    let pieces = pieces
        .iter()
        .enumerate()
        .map(|(i, g)| areal(g).ok_or(format!("piece {i} is not a Polygon or MultiPolygon")))
        .collect::<Result<Vec<_>, _>>()?;
    let areas: Vec<f64> = pieces.iter().map(area_m2).collect();
    let mut problems = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let outside = area_m2(&piece.difference(&parcel));
        if outside >= tolerance(areas[i]) {
            problems.push(format!(
                "piece {i} reaches {} m² outside the original parcel",
                thousands(outside)
            ));
        }
    }
    for i in 0..pieces.len() {
        for j in i + 1..pieces.len() {
            let overlap = overlap_m2(&pieces[i], &pieces[j]);
            if overlap >= tolerance(areas[i].min(areas[j])) {
                problems.push(format!(
                    "pieces {i} and {j} overlap by {} m²",
                    thousands(overlap)
                ));
            }
        }
    }
    problems.extend(area_kept(area_m2(&parcel), areas.iter().sum()));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Merges adjacent parcels into one polygon.
///
/// 1. There are at least two parcels, each a Polygon or MultiPolygon.
/// 2. Vertices within 0.1 m of a vertex of an earlier parcel are snapped onto it, and
///    the union is taken; parts and holes below 1 m² (rounding slivers) are dropped.
/// 3. What remains must be one polygon: parcels that touch the others only at a point,
///    or not at all, are named in the error.
pub fn merge(parcels: &[Geometry<f64>]) -> Result<Geometry<f64>, String> {
    if parcels.len() < 2 {
        return Err(format!(
            "a merge needs at least 2 parcels, got {}",
            parcels.len()
        ));
    }
    let parcels = parcels
        .iter()
        .enumerate()
        .map(|(i, g)| areal(g).ok_or(format!("parcel {i} is not a Polygon or MultiPolygon")))
        .collect::<Result<Vec<_>, _>>()?;
    let polygons = snapped(&parcels);
    let mut parts: Vec<Polygon<f64>> = unary_union(&polygons)
        .0
        .into_iter()
        .filter(|p| area_m2(p) >= MIN_SLIVER_M2)
        .map(without_small_holes)
        .collect();
    if parts.len() == 1 {
        return Ok(Geometry::Polygon(parts.remove(0)));
    }
    Err(disconnected_message(&parcels, &parts))
}

/// The parcels' polygons, each vertex moved onto a vertex of an earlier parcel that lies
/// within [`SNAP_M`], so that rounding does not leave hairline gaps along shared edges.
fn snapped(parcels: &[MultiPolygon<f64>]) -> Vec<Polygon<f64>> {
    let mut seen: Vec<Coord<f64>> = Vec::new();
    let mut out = Vec::new();
    for parcel in parcels {
        let moved = parcel.map_coords(|c| nearest_within(&seen, c, SNAP_M).unwrap_or(c));
        seen.extend(moved.coords_iter());
        out.extend(moved.0);
    }
    out
}

/// The coordinate of `candidates` nearest to `c`, if within `metres` (equirectangular:
/// exact enough at this scale).
fn nearest_within(candidates: &[Coord<f64>], c: Coord<f64>, metres: f64) -> Option<Coord<f64>> {
    let m_per_deg_lat = 111_132.0;
    let m_per_deg_lon = m_per_deg_lat * c.y.to_radians().cos();
    let dist2 = |o: &Coord<f64>| {
        let dx = (o.x - c.x) * m_per_deg_lon;
        let dy = (o.y - c.y) * m_per_deg_lat;
        dx * dx + dy * dy
    };
    candidates
        .iter()
        .map(|o| (dist2(o), *o))
        .filter(|(d2, _)| *d2 <= metres * metres)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

/// The parcels outside the part holding the most parcels (ties: the one holding the
/// first parcel), as an error sentence.
fn disconnected_message(parcels: &[MultiPolygon<f64>], parts: &[Polygon<f64>]) -> String {
    let part_of: Vec<Option<usize>> = parcels
        .iter()
        .map(|parcel| {
            let inside = parcel.interior_point()?;
            parts.iter().position(|part| part.intersects(&inside))
        })
        .collect();
    let count = |k: usize| part_of.iter().filter(|p| **p == Some(k)).count();
    // `max_by_key` keeps the last maximum: reversed, that is the first parcel's part.
    let main = part_of
        .iter()
        .flatten()
        .copied()
        .rev()
        .max_by_key(|&k| count(k));
    let apart: Vec<String> = part_of
        .iter()
        .enumerate()
        .filter(|(_, p)| main.is_none() || **p != main)
        .map(|(i, _)| i.to_string())
        .collect();
    match apart.as_slice() {
        [one] => format!("parcel {one} is not adjacent to the others"),
        [init @ .., last] => format!(
            "parcels {} and {last} are not adjacent to the others",
            init.join(", ")
        ),
        [] => "the parcels do not form one connected polygon".to_owned(),
    }
}

/// The polygon without interior rings below the sliver size (gaps between parcels).
fn without_small_holes(polygon: Polygon<f64>) -> Polygon<f64> {
    let (exterior, holes) = polygon.into_inner();
    let holes = holes
        .into_iter()
        .filter(|ring| {
            // Measured as an exterior (a hole is wound clockwise).
            Polygon::new(ring.clone(), vec![])
                .orient(geo::orient::Direction::Default)
                .geodesic_area_unsigned()
                >= MIN_SLIVER_M2
        })
        .collect();
    Polygon::new(exterior, holes)
}

/// Lon/lat geometry as a consistently wound MultiPolygon, if it is areal.
fn areal(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    let multi = match g {
        Geometry::Polygon(p) => MultiPolygon::new(vec![p.clone()]),
        Geometry::MultiPolygon(m) => m.clone(),
        _ => return None,
    };
    // Boolean operations and unary_union read the fill from the winding.
    Some(multi.orient(geo::orient::Direction::Default))
}

fn area_m2(g: &impl GeodesicArea<f64>) -> f64 {
    g.geodesic_area_unsigned()
}

/// The sliver tolerance for a piece of `area` m².
fn tolerance(area: f64) -> f64 {
    (area * SLIVER_SHARE).max(MIN_SLIVER_M2)
}

/// Overlap of two pieces, m²; skips the boolean operation when their boxes are apart.
fn overlap_m2(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    match (a.bounding_rect(), b.bounding_rect()) {
        (Some(ra), Some(rb)) if ra.intersects(&rb) => area_m2(&a.intersection(b)),
        _ => 0.0,
    }
}

/// The problem with the pieces' total area, if it strays beyond the tolerance.
fn area_kept(parcel: f64, pieces: f64) -> Option<String> {
    let change = (pieces - parcel) / parcel;
    if change.abs() <= AREA_TOLERANCE {
        return None;
    }
    let percent = change.abs() * 100.0;
    let percent = if percent < 1.0 {
        format!("{percent:.2}")
    } else {
        format!("{percent:.1}")
    };
    let direction = if change < 0.0 { "less" } else { "more" };
    Some(format!(
        "the pieces cover {} m², {percent} % {direction} than the parcel's {} m²; \
         they must keep its area within 0.1 %",
        thousands(pieces),
        thousands(parcel)
    ))
}

/// An area in m² with one decimal and thousands separators: `9,850.3`.
fn thousands(m2: f64) -> String {
    let text = format!("{m2:.1}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, "0"));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    const LON0: f64 = 125.40;
    const LAT0: f64 = 43.86;
    // Metres per degree on the WGS84 ellipsoid at the test squares' mid-latitude
    // (43.8605° N), so that 100 m × 100 m measures 10,000.0 m² geodesically.
    const M_PER_DEG_LAT: f64 = 111_109.5;
    const M_PER_DEG_LON: f64 = 80_393.94;

    /// A rectangle given in metres east and north of (125.40, 43.86).
    fn rect(west: f64, south: f64, east: f64, north: f64) -> Geometry<f64> {
        let lon = |m: f64| LON0 + m / M_PER_DEG_LON;
        let lat = |m: f64| LAT0 + m / M_PER_DEG_LAT;
        Geometry::Polygon(polygon![
            (x: lon(west), y: lat(south)),
            (x: lon(east), y: lat(south)),
            (x: lon(east), y: lat(north)),
            (x: lon(west), y: lat(north)),
            (x: lon(west), y: lat(south)),
        ])
    }

    fn parcel() -> Geometry<f64> {
        rect(0.0, 0.0, 100.0, 100.0)
    }

    #[test]
    fn a_parcel_splits_into_three_lots() {
        let lots = [
            rect(0.0, 0.0, 40.0, 100.0),
            rect(40.0, 0.0, 70.0, 100.0),
            rect(70.0, 0.0, 100.0, 100.0),
        ];
        assert_eq!(check_split(&parcel(), &lots), Ok(()));
    }

    #[test]
    fn a_split_tolerates_millimetres_of_rounding_on_shared_edges() {
        // Coordinates rounded to 1e-7° move by up to 4 mm: 0.8 m² of overlap along a
        // 100 m edge, 0.4 m² outside, both under the 1 m² tolerance.
        let lots = [
            rect(0.0, 0.0, 40.004, 100.0),
            rect(39.996, 0.0, 70.0, 100.0),
            rect(70.0, 0.0, 100.004, 100.0),
        ];
        assert_eq!(check_split(&parcel(), &lots), Ok(()));
    }

    #[test]
    fn a_split_refuses_a_piece_reaching_outside_the_parcel() {
        let lots = [
            rect(0.0, 0.0, 40.0, 100.0),
            rect(40.0, 0.0, 70.0, 100.0),
            rect(70.0, 0.0, 101.0, 100.0),
        ];
        let err = check_split(&parcel(), &lots).unwrap_err();
        // 1 m × 100 m outside, which also adds 1 % to the area.
        assert_eq!(
            err,
            "piece 2 reaches 100.0 m² outside the original parcel; the pieces cover \
             10,100.0 m², 1.0 % more than the parcel's 10,000.0 m²; they must keep its \
             area within 0.1 %"
        );
    }

    #[test]
    fn a_split_refuses_overlapping_pieces() {
        let lots = [
            rect(0.0, 0.0, 40.0, 100.0),
            rect(35.0, 0.0, 70.0, 100.0),
            rect(70.0, 0.0, 100.0, 100.0),
        ];
        let err = check_split(&parcel(), &lots).unwrap_err();
        // 5 m × 100 m overlap, and so 5 % more area than the parcel.
        assert_eq!(
            err,
            "pieces 0 and 1 overlap by 500.0 m²; the pieces cover 10,500.0 m², 5.0 % more \
             than the parcel's 10,000.0 m²; they must keep its area within 0.1 %"
        );
    }

    #[test]
    fn a_split_refuses_pieces_that_lose_area() {
        let lots = [
            rect(0.0, 0.0, 40.0, 100.0),
            rect(40.0, 0.0, 70.0, 100.0),
            rect(70.0, 0.0, 98.5, 100.0),
        ];
        let err = check_split(&parcel(), &lots).unwrap_err();
        assert_eq!(
            err,
            "the pieces cover 9,850.0 m², 1.5 % less than the parcel's 10,000.0 m²; \
             they must keep its area within 0.1 %"
        );
    }

    #[test]
    fn a_split_needs_two_polygon_pieces() {
        let one = check_split(&parcel(), &[parcel()]).unwrap_err();
        assert_eq!(one, "a split needs at least 2 pieces, got 1");
        let line =
            Geometry::LineString(geo::LineString::from(vec![(125.4, 43.86), (125.41, 43.86)]));
        let err = check_split(&parcel(), &[rect(0.0, 0.0, 50.0, 100.0), line]).unwrap_err();
        assert_eq!(err, "piece 1 is not a Polygon or MultiPolygon");
    }

    #[test]
    fn two_adjacent_parcels_merge_into_one_polygon_with_their_area() {
        let a = rect(0.0, 0.0, 50.0, 100.0);
        let b = rect(50.0, 0.0, 100.0, 100.0);
        let merged = merge(&[a.clone(), b.clone()]).unwrap();
        assert!(matches!(merged, Geometry::Polygon(_)));
        let sum = area_m2(&a) + area_m2(&b);
        assert!(
            (area_m2(&merged) - sum).abs() < 1e-6 * sum,
            "{} vs {sum}",
            area_m2(&merged)
        );
    }

    #[test]
    fn a_merge_closes_hairline_gaps_from_rounded_coordinates() {
        // The shared edge is 5 cm apart in the two survey records.
        let merged = merge(&[rect(0.0, 0.0, 50.0, 100.0), rect(50.05, 0.0, 100.0, 100.0)]);
        assert!(matches!(merged, Ok(Geometry::Polygon(_))), "{merged:?}");
    }

    #[test]
    fn a_merge_refuses_parcels_that_are_apart() {
        let err = merge(&[rect(0.0, 0.0, 40.0, 100.0), rect(60.0, 0.0, 100.0, 100.0)]).unwrap_err();
        assert_eq!(err, "parcel 1 is not adjacent to the others");
    }

    #[test]
    fn a_merge_refuses_parcels_touching_only_at_a_corner() {
        let err = merge(&[rect(0.0, 0.0, 50.0, 50.0), rect(50.0, 50.0, 100.0, 100.0)]).unwrap_err();
        assert_eq!(err, "parcel 1 is not adjacent to the others");
    }

    #[test]
    fn a_merge_names_every_parcel_apart_from_the_others() {
        let parcels = [
            rect(-300.0, 0.0, -250.0, 100.0),
            rect(0.0, 0.0, 50.0, 100.0),
            rect(300.0, 0.0, 350.0, 100.0),
            rect(50.0, 0.0, 100.0, 100.0),
        ];
        let err = merge(&parcels).unwrap_err();
        assert_eq!(err, "parcels 0 and 2 are not adjacent to the others");
    }

    #[test]
    fn a_merge_needs_two_parcels() {
        assert_eq!(
            merge(&[parcel()]).unwrap_err(),
            "a merge needs at least 2 parcels, got 1"
        );
    }

    #[test]
    fn areas_are_written_with_thousands_separators() {
        assert_eq!(thousands(9_850.34), "9,850.3");
        assert_eq!(thousands(120.44), "120.4");
        assert_eq!(thousands(1_234_567.0), "1,234,567.0");
    }
}
