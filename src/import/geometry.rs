//! Checking a source geometry, transforming it to CRS84 and measuring it on the
//! ellipsoid.
//!
//! The steps, in order (the first failure is reported, naming the ring and position):
//! 1. the geometry type suits the collection (Polygon/MultiPolygon for land,
//!    LineString/MultiLineString for roads); a single polygon or line is kept as a
//!    multi-geometry of one part, the one type its collection is served with;
//! 2. every position has two finite numbers; rings have at least four positions and
//!    are closed; lines have at least two;
//! 3. positions are transformed to CRS84 and must be valid longitudes and latitudes;
//! 4. the result is a valid simple geometry (no self-intersection, holes inside the
//!    shell and not crossing each other), checked with `geo`'s validation;
//! 5. geodesic area and perimeter, or length, are computed on the WGS84 ellipsoid
//!    (CGCS2000 differs from it by less than a millimetre here).

use geo::orient::{Direction, Orient};
use geo::{
    Coord, Geodesic, GeodesicArea, Geometry, Length, LineString, MultiLineString, MultiPolygon,
    Polygon, Validation,
};
use geojson::{GeometryValue, Position};
use serde_json::Value;

use crate::crs::ToCrs84;
use crate::domain::feature::Measures;
use crate::domain::GeometryKind;

/// Checks, transforms and measures one source geometry.
pub fn prepare_geometry(
    value: &Value,
    kind: GeometryKind,
    transform: &ToCrs84,
) -> Result<(Geometry<f64>, Measures), String> {
    if value.is_null() {
        return Err("has no geometry".into());
    }
    let gj = <geojson::Geometry as serde::Deserialize>::deserialize(value)
        .map_err(|e| format!("has a geometry that is not valid GeoJSON: {e}"))?;
    let positions = position_count(&gj.value);
    if positions > MAX_POSITIONS {
        return Err(format!(
            "has a geometry of {positions} positions; a feature holds at most {MAX_POSITIONS}, so nothing was written: simplify it first (ogr2ogr -simplify with a tolerance in the data's units)"
        ));
    }
    let geometry = match (&gj.value, kind) {
        (GeometryValue::Polygon { coordinates }, GeometryKind::Areal | GeometryKind::Mixed) => {
            // Served as a MultiPolygon of one part: a collection has one geometry type.
            Geometry::MultiPolygon(MultiPolygon(vec![polygon(coordinates, "", transform)?]))
        }
        (GeometryValue::MultiPolygon { coordinates }, GeometryKind::Areal | GeometryKind::Mixed) => {
            let polys = coordinates
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("polygon {i}, "), transform))
                .collect::<Result<Vec<_>, _>>()?;
            Geometry::MultiPolygon(MultiPolygon(polys))
        }
        (GeometryValue::LineString { coordinates }, GeometryKind::Linear | GeometryKind::Mixed) => {
            Geometry::MultiLineString(MultiLineString(vec![line(coordinates, "line", transform)?]))
        }
        (GeometryValue::MultiLineString { coordinates }, GeometryKind::Linear | GeometryKind::Mixed) => {
            let lines = coordinates
                .iter()
                .enumerate()
                .map(|(i, l)| line(l, &format!("line {i}"), transform))
                .collect::<Result<Vec<_>, _>>()?;
            Geometry::MultiLineString(MultiLineString(lines))
        }
        (other, GeometryKind::Areal) => {
            return Err(format!(
                "has a {} geometry; land needs a Polygon or MultiPolygon",
                other.type_name()
            ))
        }
        (other, GeometryKind::Linear) => {
            return Err(format!(
                "has a {} geometry; roads need a LineString or MultiLineString",
                other.type_name()
            ))
        }
        (other, GeometryKind::Mixed) => {
            return Err(format!(
                "has a {} geometry; a project is a LineString, MultiLineString, Polygon or MultiPolygon",
                other.type_name()
            ))
        }
    };
    // Rings wound as RFC 7946 says (exterior counter-clockwise, holes clockwise),
    // whatever the source did: shapefiles wind exteriors clockwise, and swapping the axes
    // of a northing-first CRS reverses every ring.
    let geometry = match geometry {
        Geometry::MultiPolygon(m) => Geometry::MultiPolygon(m.orient(Direction::Default)),
        other => other,
    };
    check_valid(&geometry)?;
    let measures = measure(&geometry);
    Ok((geometry, measures))
}

/// The most positions one feature's geometry may have (a cadastral parcel has tens to
/// thousands; a million is a mistake, and would hold the writer for seconds).
pub const MAX_POSITIONS: usize = 250_000;

fn position_count(g: &GeometryValue) -> usize {
    match g {
        GeometryValue::Point { .. } => 1,
        GeometryValue::MultiPoint { coordinates } | GeometryValue::LineString { coordinates } => {
            coordinates.len()
        }
        GeometryValue::MultiLineString { coordinates } | GeometryValue::Polygon { coordinates } => {
            coordinates.iter().map(Vec::len).sum()
        }
        GeometryValue::MultiPolygon { coordinates } => coordinates
            .iter()
            .flat_map(|p| p.iter().map(Vec::len))
            .sum(),
        GeometryValue::GeometryCollection { geometries } => {
            geometries.iter().map(|g| position_count(&g.value)).sum()
        }
    }
}

fn coord(p: &Position, at: &str, transform: &ToCrs84) -> Result<Coord<f64>, String> {
    let s = p.as_slice();
    if s.len() < 2 {
        return Err(format!(
            "{at} has {} number(s); a position needs two",
            s.len()
        ));
    }
    if s.len() > 2 {
        return Err(format!(
            "{at} has {} numbers ({}); land records are kept in two dimensions, and a height would be lost without a word, so nothing was written: drop the third number (ogr2ogr -dim XY)",
            s.len(),
            s.iter().map(f64::to_string).collect::<Vec<_>>().join(", ")
        ));
    }
    let (x, y) = (s[0], s[1]);
    if !x.is_finite() || !y.is_finite() {
        return Err(format!("{at} is not a finite number pair"));
    }
    let (lon, lat) = transform.apply(x, y).map_err(|e| format!("{at}: {e}"))?;
    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "{at} ({x}, {y}) is not a longitude/latitude pair (lon {lon}, lat {lat}); \
             if the data is projected, name its CRS with --crs (for example EPSG:4551)"
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn ring(
    positions: &[Position],
    label: &str,
    transform: &ToCrs84,
) -> Result<LineString<f64>, String> {
    if positions.len() < 4 {
        return Err(format!(
            "has {label} with {} positions; a ring needs at least 4 (the last repeating the first)",
            positions.len()
        ));
    }
    let (first, last) = (&positions[0], &positions[positions.len() - 1]);
    if first.as_slice().get(..2) != last.as_slice().get(..2) {
        return Err(format!(
            "has {label} that is not closed: it starts at {:?} and ends at {:?}",
            first.as_slice(),
            last.as_slice()
        ));
    }
    positions
        .iter()
        .enumerate()
        .map(|(i, p)| coord(p, &format!("position {i} of {label}"), transform))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
        .map_err(|e| format!("has {e}"))
}

fn polygon(
    rings: &[Vec<Position>],
    prefix: &str,
    transform: &ToCrs84,
) -> Result<Polygon<f64>, String> {
    let Some((shell, holes)) = rings.split_first() else {
        return Err(format!("has {prefix}a polygon without rings"));
    };
    let exterior = ring(shell, &format!("{prefix}exterior ring"), transform)?;
    let interiors = holes
        .iter()
        .enumerate()
        .map(|(i, h)| ring(h, &format!("{prefix}hole {i}"), transform))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn line(
    positions: &[Position],
    label: &str,
    transform: &ToCrs84,
) -> Result<LineString<f64>, String> {
    if positions.len() < 2 {
        return Err(format!(
            "has a {label} with {} position(s); a line needs at least 2",
            positions.len()
        ));
    }
    positions
        .iter()
        .enumerate()
        .map(|(i, p)| coord(p, &format!("position {i} of the {label}"), transform))
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
        .map_err(|e| format!("has {e}"))
}

fn check_valid(g: &Geometry<f64>) -> Result<(), String> {
    let problems: Vec<String> = g
        .validation_errors()
        .iter()
        .map(ToString::to_string)
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("has an invalid geometry: {}", problems.join("; ")))
    }
}

/// Geodesic measures of a CRS84 geometry.
pub fn measure(g: &Geometry<f64>) -> Measures {
    match g {
        // The geodesic area of a ring depends on its winding (a clockwise exterior
        // encloses the rest of the ellipsoid): measured with the rings oriented.
        Geometry::Polygon(p) => Measures {
            area_m2: Some(p.orient(Direction::Default).geodesic_area_unsigned()),
            perimeter_m: Some(g.geodesic_perimeter()),
            length_m: None,
        },
        Geometry::MultiPolygon(m) => Measures {
            area_m2: Some(m.orient(Direction::Default).geodesic_area_unsigned()),
            perimeter_m: Some(g.geodesic_perimeter()),
            length_m: None,
        },
        Geometry::LineString(l) => Measures {
            length_m: Some(Geodesic.length(l)),
            ..Measures::default()
        },
        Geometry::MultiLineString(ml) => Measures {
            length_m: Some(ml.0.iter().map(|l| Geodesic.length(l)).sum()),
            ..Measures::default()
        },
        _ => Measures::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn areal(v: &Value) -> Result<(Geometry<f64>, Measures), String> {
        prepare_geometry(v, GeometryKind::Areal, &ToCrs84::identity())
    }

    #[test]
    fn a_one_hectare_square_measures_one_hectare() {
        // 100 m x 100 m at 43.86 N: 100 m is 0.000899322 deg of latitude and
        // 0.000899322 / cos(43.86 deg) of longitude (approximately; 0.3 % tolerance).
        let dlat = 100.0 / 111_195.0;
        let dlon = dlat / 43.86_f64.to_radians().cos();
        let (x, y) = (125.40, 43.86);
        let (_, m) = areal(&json!({"type": "Polygon", "coordinates": [[[x, y], [x + dlon, y], [x + dlon, y + dlat], [x, y + dlat], [x, y]]]})).unwrap();
        let a = m.area_m2.unwrap();
        assert!((a - 10_000.0).abs() < 30.0, "{a}");
    }

    #[test]
    fn an_open_ring_is_named() {
        let err = areal(&json!({"type": "Polygon", "coordinates": [[[125.4, 43.8], [125.5, 43.8], [125.5, 43.9], [125.4, 43.9]]]})).unwrap_err();
        assert!(err.contains("exterior ring that is not closed"), "{err}");
    }

    #[test]
    fn a_bow_tie_is_a_self_intersection() {
        let err = areal(&json!({"type": "Polygon", "coordinates": [[[125.4, 43.8], [125.5, 43.9], [125.5, 43.8], [125.4, 43.9], [125.4, 43.8]]]})).unwrap_err();
        assert!(err.contains("self-intersection"), "{err}");
    }

    #[test]
    fn projected_numbers_in_degrees_point_to_the_crs_option() {
        let err = areal(&json!({"type": "Polygon", "coordinates": [[[532000.0, 4857000.0], [533000.0, 4857000.0], [533000.0, 4858000.0], [532000.0, 4857000.0]]]})).unwrap_err();
        assert!(err.contains("--crs"), "{err}");
    }
}
