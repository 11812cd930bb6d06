//! Recognising the common coordinate mistakes of survey data before anything is stored,
//! and saying which `--crs` (and `--axis-order`) reads the file right:
//! - Gauss-Kruger eastings with the zone prefix 42 (EPSG:4530) read as EPSG:4551
//!   (500 km false easting, no prefix), and the reverse;
//! - latitude/longitude (or northing/easting) order where GeoJSON has longitude first;
//! - projected metres declared as degrees, and degrees declared as metres;
//! - coordinates that land outside the development zone.
//!
//! The first position of the first feature is classified by its numbers alone (the
//! ranges below hold for the zone and its neighbourhood in Jilin) and compared with
//! what the declared CRS and axis order lead to expect. GCJ-02 offsets (a few hundred
//! metres) cannot be told from the numbers; a file digitised on AMap or Tencent maps
//! must be named with `--crs GCJ02`.

use geo::{Distance, Geodesic, Point};

use crate::crs::{AxisOrder, Crs};
use crate::domain::ZONE_EXTENT;

/// How far (degrees) a feature may lie outside [`ZONE_EXTENT`] before it is refused.
pub const EXTENT_MARGIN_DEG: f64 = 0.1;

/// What a pair of numbers looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Looks {
    /// Degrees, longitude first.
    LonLat,
    /// Degrees, latitude first.
    LatLon,
    /// Gauss-Kruger metres, 500 km false easting, no zone prefix (EPSG:4551).
    GkNoPrefix(AxisOrder),
    /// Gauss-Kruger metres with the zone prefix 42 (EPSG:4530).
    GkZone42(AxisOrder),
    /// Web Mercator metres (EPSG:3857).
    Mercator(AxisOrder),
}

fn within(v: f64, lo: f64, hi: f64) -> bool {
    (lo..=hi).contains(&v)
}

fn classify(a: f64, b: f64) -> Option<Looks> {
    let lon = |v| within(v, 115.0, 135.0);
    let lat = |v| within(v, 38.0, 54.0);
    let northing = |v| within(v, 4_000_000.0, 6_200_000.0);
    let easting = |v| within(v, 100_000.0, 900_000.0);
    let zone42 = |v| within(v, 42_100_000.0, 42_900_000.0);
    let merc_x = |v| within(v, 12_800_000.0, 15_100_000.0);
    let merc_y = |v| within(v, 4_500_000.0, 7_200_000.0);
    let (en, ne) = (AxisOrder::EastNorth, AxisOrder::NorthEast);
    Some(if lon(a) && lat(b) {
        Looks::LonLat
    } else if lat(a) && lon(b) {
        Looks::LatLon
    } else if zone42(a) && northing(b) {
        Looks::GkZone42(en)
    } else if northing(a) && zone42(b) {
        Looks::GkZone42(ne)
    } else if easting(a) && northing(b) {
        Looks::GkNoPrefix(en)
    } else if northing(a) && easting(b) {
        Looks::GkNoPrefix(ne)
    } else if merc_x(a) && merc_y(b) {
        Looks::Mercator(en)
    } else if merc_y(a) && merc_x(b) {
        Looks::Mercator(ne)
    } else {
        return None;
    })
}

/// What the declared CRS and axis order lead to expect.
fn expected(crs: Crs, axis: AxisOrder) -> Looks {
    match crs {
        Crs::Epsg(4551) => Looks::GkNoPrefix(axis),
        Crs::Epsg(4530) => Looks::GkZone42(axis),
        Crs::Epsg(3857) => Looks::Mercator(axis),
        _ if axis == AxisOrder::NorthEast => Looks::LatLon,
        _ => Looks::LonLat,
    }
}

fn describe(l: Looks) -> &'static str {
    match l {
        Looks::LonLat => "longitude/latitude degrees",
        Looks::LatLon => "latitude/longitude degrees (latitude first)",
        Looks::GkNoPrefix(AxisOrder::EastNorth) => {
            "CGCS2000 Gauss-Kruger easting/northing without a zone prefix (500 km false easting)"
        }
        Looks::GkNoPrefix(AxisOrder::NorthEast) => {
            "CGCS2000 Gauss-Kruger northing/easting (northing first) without a zone prefix"
        }
        Looks::GkZone42(AxisOrder::EastNorth) => {
            "CGCS2000 Gauss-Kruger easting/northing with the zone prefix 42 (42,xxx,xxx m)"
        }
        Looks::GkZone42(AxisOrder::NorthEast) => {
            "CGCS2000 Gauss-Kruger northing/easting (northing first) with the zone prefix 42"
        }
        Looks::Mercator(AxisOrder::EastNorth) => "Web Mercator x/y metres",
        Looks::Mercator(AxisOrder::NorthEast) => "Web Mercator metres, y first",
    }
}

/// The options that read numbers that look like `l`, keeping a declared geographic CRS.
fn remedy(l: Looks, declared: Crs) -> String {
    let geographic = if declared.is_geographic() {
        declared
    } else {
        Crs::Epsg(4490)
    };
    let (crs, axis) = match l {
        Looks::LonLat => (geographic, AxisOrder::EastNorth),
        Looks::LatLon => (geographic, AxisOrder::NorthEast),
        Looks::GkNoPrefix(a) => (Crs::Epsg(4551), a),
        Looks::GkZone42(a) => (Crs::Epsg(4530), a),
        Looks::Mercator(a) => (Crs::Epsg(3857), a),
    };
    let mut s = format!("--crs {crs}");
    if axis == AxisOrder::NorthEast {
        s.push_str(" --axis-order north-east");
    }
    s
}

/// Why numbers that look like `found` do not fit `wanted`, in the words a surveyor uses.
fn mismatch(found: Looks, wanted: Looks) -> &'static str {
    use Looks::{GkNoPrefix, GkZone42, LatLon, LonLat, Mercator};
    match (found, wanted) {
        (GkZone42(_), GkNoPrefix(_)) => "its eastings carry the Gauss-Kruger zone prefix 42, which EPSG:4551 (500 km false easting, no prefix) does not have",
        (GkNoPrefix(_), GkZone42(_)) => "its eastings have no zone prefix, but EPSG:4530 expects eastings prefixed with the zone number 42",
        (LatLon, LonLat) => "it is in latitude/longitude order, but GeoJSON and this import read longitude first",
        (LonLat, LatLon) => "it is in longitude/latitude order, but the import was told latitude comes first",
        (GkZone42(_) | GkNoPrefix(_) | Mercator(_), LonLat | LatLon) => "it holds projected metres, but the CRS is declared in degrees",
        (LonLat | LatLon, _) => "it holds degrees, but the CRS is declared as projected metres",
        (GkNoPrefix(a), GkNoPrefix(_)) | (GkZone42(a), GkZone42(_)) | (Mercator(a), Mercator(_)) if a == AxisOrder::NorthEast => "its northing comes before its easting",
        (GkNoPrefix(_), GkNoPrefix(_)) | (GkZone42(_), GkZone42(_)) | (Mercator(_), Mercator(_)) => "its easting comes before its northing, but the import was told northing comes first",
        _ => "its numbers do not fit the declared CRS",
    }
}

/// Checks the first position of the first feature against the declared CRS and axis
/// order; the error says what was detected and which options read the file right.
pub fn check_declared(
    declared: Crs,
    axis: AxisOrder,
    feature: usize,
    a: f64,
    b: f64,
) -> Result<(), String> {
    let Some(found) = classify(a, b) else {
        return Ok(()); // the extent check explains numbers of no known shape
    };
    let wanted = expected(declared, axis);
    if found == wanted {
        return Ok(());
    }
    Err(format!(
        "the coordinates do not match the declared CRS {declared} ({}{}): the first position ({a}, {b}) of feature {feature} looks like {}; {}. Nothing was imported; import again with {} (on POST /imports: the crs and axis_order parameters)",
        declared.title(),
        if axis == AxisOrder::NorthEast { ", north-east axis order" } else { "" },
        describe(found),
        mismatch(found, wanted),
        remedy(found, declared),
    ))
}

/// The same check for a single-feature write, whose coordinates are in the CRS of its
/// `Content-Crs` header, in that CRS's authority axis order (Part 2); the remedy names
/// the header value that reads them right.
pub fn check_content_crs(declared: Crs, a: f64, b: f64) -> Result<(), String> {
    let axis = declared.authority_axis_order();
    let Some(found) = classify(a, b) else {
        return Ok(());
    };
    let wanted = expected(declared, axis);
    if found == wanted {
        return Ok(());
    }
    let fits = match found {
        Looks::LonLat => Some(Crs::Crs84),
        Looks::LatLon => Some(if declared.is_geographic() && declared != Crs::Crs84 {
            declared
        } else {
            Crs::Epsg(4490)
        }),
        Looks::GkNoPrefix(AxisOrder::NorthEast) => Some(Crs::Epsg(4551)),
        Looks::GkZone42(AxisOrder::NorthEast) => Some(Crs::Epsg(4530)),
        Looks::Mercator(AxisOrder::EastNorth) => Some(Crs::Epsg(3857)),
        _ => None,
    };
    let remedy = match fits {
        Some(crs) => format!("send them with Content-Crs: <{}>", crs.uri()),
        None => format!(
            "write each position in the axis order of {declared} ({}), or send them in another CRS with its Content-Crs",
            if axis == AxisOrder::NorthEast { "northing or latitude first" } else { "easting or longitude first" }
        ),
    };
    Err(format!(
        "the coordinates do not match the Content-Crs {declared} ({}, {} axis order): the first position ({a}, {b}) looks like {}; {}. Nothing was written; {remedy}",
        declared.title(),
        axis.code(),
        describe(found),
        mismatch(found, wanted),
    ))
}

/// Checks that a feature's lon/lat envelope lies in (or near) the zone; `raw` is its
/// first source position, for the diagnosis.
pub fn check_extent(envelope: [f64; 4], raw: Option<(f64, f64)>) -> Result<(), String> {
    let z = ZONE_EXTENT;
    let m = EXTENT_MARGIN_DEG;
    let meets = envelope[0] <= z[2] + m
        && envelope[2] >= z[0] - m
        && envelope[1] <= z[3] + m
        && envelope[3] >= z[1] - m;
    if meets {
        return Ok(());
    }
    let centre = Point::new(
        f64::midpoint(envelope[0], envelope[2]),
        f64::midpoint(envelope[1], envelope[3]),
    );
    let zone_centre = Point::new(f64::midpoint(z[0], z[2]), f64::midpoint(z[1], z[3]));
    let km = Geodesic.distance(centre, zone_centre) / 1000.0;
    let hint = match raw.and_then(|(a, b)| classify(a, b).map(|l| (l, a, b))) {
        Some((l, a, b)) => format!(
            "; its source position ({a}, {b}) looks like {}, read with {}",
            describe(l),
            remedy(l, Crs::Crs84)
        ),
        None => "; check the CRS (--crs) and the axis order (--axis-order)".into(),
    };
    Err(format!(
        "lies at lon {:.5}, lat {:.5}, {km:.0} km from the development zone (lon {}–{}, lat {}–{}){hint}",
        centre.x(),
        centre.y(),
        z[0],
        z[2],
        z[1],
        z[3],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: AxisOrder = AxisOrder::EastNorth;
    const NE: AxisOrder = AxisOrder::NorthEast;

    fn err(crs: Crs, axis: AxisOrder, a: f64, b: f64) -> String {
        check_declared(crs, axis, 0, a, b).unwrap_err()
    }

    #[test]
    fn right_declarations_pass() {
        assert!(check_declared(Crs::Crs84, EN, 0, 125.4, 43.86).is_ok());
        assert!(check_declared(Crs::Epsg(4490), NE, 0, 43.86, 125.4).is_ok());
        assert!(check_declared(Crs::Epsg(4551), EN, 0, 451_000.0, 4_857_000.0).is_ok());
        assert!(check_declared(Crs::Epsg(4530), NE, 0, 4_857_000.0, 42_451_000.0).is_ok());
        assert!(check_declared(Crs::Epsg(3857), EN, 0, 13_959_000.0, 5_445_000.0).is_ok());
        // Numbers of no known shape are left to the extent check.
        assert!(check_declared(Crs::Crs84, EN, 0, 0.5, 0.5).is_ok());
    }

    #[test]
    fn zone_prefix_mistakes_name_the_other_crs() {
        let e = err(Crs::Epsg(4551), EN, 42_451_000.0, 4_857_000.0);
        assert!(e.contains("zone prefix 42"), "{e}");
        assert!(e.contains("--crs EPSG:4530"), "{e}");
        let e = err(Crs::Epsg(4530), EN, 451_000.0, 4_857_000.0);
        assert!(e.contains("no zone prefix"), "{e}");
        assert!(e.contains("--crs EPSG:4551"), "{e}");
    }

    #[test]
    fn swapped_axes_are_recognised() {
        let e = err(Crs::Crs84, EN, 43.86, 125.4);
        assert!(e.contains("latitude/longitude order"), "{e}");
        assert!(e.contains("--axis-order north-east"), "{e}");
        let e = err(Crs::Epsg(4551), EN, 4_857_000.0, 451_000.0);
        assert!(e.contains("northing comes before its easting"), "{e}");
        assert!(e.contains("--crs EPSG:4551 --axis-order north-east"), "{e}");
    }

    #[test]
    fn metres_declared_as_degrees_and_back() {
        let e = err(Crs::Epsg(4326), EN, 42_451_000.0, 4_857_000.0);
        assert!(e.contains("projected metres"), "{e}");
        assert!(e.contains("--crs EPSG:4530"), "{e}");
        let e = err(Crs::Crs84, EN, 13_959_000.0, 5_445_000.0);
        assert!(e.contains("--crs EPSG:3857"), "{e}");
        let e = err(Crs::Epsg(4551), EN, 125.4, 43.86);
        assert!(e.contains("holds degrees"), "{e}");
        assert!(e.contains("--crs EPSG:4490"), "{e}");
    }

    #[test]
    fn far_away_features_are_refused_with_the_distance() {
        assert!(check_extent([125.40, 43.86, 125.41, 43.87], None).is_ok());
        let e = check_extent([121.47, 31.23, 121.48, 31.24], None).unwrap_err();
        assert!(e.contains("km from the development zone"), "{e}");
        assert!(e.contains("--crs"), "{e}");
    }
}
