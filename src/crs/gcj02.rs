//! GCJ-02 to WGS84 and back: the offset datum of AMap (高德), Tencent maps and other
//! maps published in mainland China.
//!
//! Sits beside the PROJ transformations of [`crate::crs`]: PROJ does not know GCJ-02, so
//! import turns GCJ-02 coordinates (traced on an AMap base map, say) into CRS84 here.
//!
//! GCJ-02 ("国测局 2002", the "Mars coordinates") is WGS84 plus a deliberate, smoothly
//! varying offset that Chinese regulations require of published maps. The official
//! algorithm is not public; the formula that open-source tools share, and that this
//! module implements, is a reconstruction: two polynomial-plus-sine functions of
//! (lon − 105°, lat − 35°) give an offset in metre-like units, which is turned into
//! degrees with the meridian and prime-vertical radii of the Krasovsky 1940 ellipsoid
//! (a = 6 378 245 m, e² = 0.006 693 421 622 965 943 23). How closely it follows the
//! official algorithm is not published, so treat GCJ-02 input as metre-grade at best;
//! the millimetre figures below are about this formula, not about the maps.
//!
//! The offset is large. At 125.40°E 43.86°N (by 世纪大街) it moves a point
//! 535.1 m east and 281.0 m north (604.4 m, bearing 62°), measured on WGS84; across the
//! zone (lon 125.25–125.65, lat 43.78–44.05) it is 491–536 m east and 228–286 m north.
//!
//! There is no closed-form inverse; [`gcj02_to_wgs84`] iterates the forward formula
//! until its image matches the input to better than 1e-10 degrees. On a 0.001° grid
//! over the zone (108 671 points) the worst round trip WGS84 → GCJ-02 → WGS84 was
//! 1.0e-10 degrees (about 0.01 mm), reached with at most 4 corrections.
//!
//! Outside the coarse mainland-China rectangle of [`in_mainland_china`] GCJ-02 equals
//! WGS84, and both functions return their input unchanged. The rectangle is the one
//! the reconstruction comes with; it also covers Korea, Mongolia, western Japan and much
//! of South and Southeast Asia, which is harmless for a zone in Changchun.

use std::f64::consts::PI;

/// Semi-major axis of the Krasovsky 1940 ellipsoid, metres.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// First eccentricity squared of the Krasovsky 1940 ellipsoid: the published
/// 0.00669342162296594323, of which an f64 keeps these digits.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// Largest difference, in degrees, allowed between the GCJ-02 image of the inverse's
/// answer and the coordinates it was asked to invert.
const INVERSE_TOLERANCE_DEG: f64 = 1e-10;
/// Bound on the inverse's iterations. Each one shrinks the error by the offset's
/// gradient, below 0.005, so 4 suffice in practice.
const INVERSE_MAX_ITERATIONS: usize = 20;

/// Whether a position lies in the coarse rectangle where GCJ-02 differs from WGS84:
/// longitude 72.004–137.8347°E, latitude 0.8293–55.8271°N (bounds included).
///
/// ```
/// use landreuse::crs::gcj02::in_mainland_china;
/// assert!(in_mainland_china(125.403, 43.862));
/// assert!(!in_mainland_china(139.6917, 35.6895)); // Tokyo
/// ```
pub fn in_mainland_china(lon: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat)
}

/// Converts WGS84 longitude/latitude (degrees) to GCJ-02 (degrees), longitude first.
/// Returns the input unchanged outside [`in_mainland_china`].
///
/// ```
/// use landreuse::crs::gcj02::wgs84_to_gcj02;
/// let (lon, lat) = wgs84_to_gcj02(125.403, 43.862);
/// assert!((lon - 125.409_656).abs() < 1e-6 && (lat - 43.864_528).abs() < 1e-6);
/// ```
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    let (d_lon, d_lat) = offset_degrees(lon, lat);
    (lon + d_lon, lat + d_lat)
}

/// Converts GCJ-02 longitude/latitude (degrees) back to WGS84 (degrees), longitude
/// first. Returns the input unchanged outside [`in_mainland_china`].
///
/// Solves `w + offset(w) = g` by fixed-point iteration `w ← w − (w + offset(w) − g)`,
/// starting from `w = g`. The offset's gradient is below 0.005 in the zone, so each
/// step shrinks the error at least 200-fold and Newton's Jacobian is not needed. It
/// stops once the forward image is within 1e-10 degrees of `g`, or after 20 iterations
/// (4 sufficed everywhere in the zone), returning the last estimate.
///
/// ```
/// use landreuse::crs::gcj02::{gcj02_to_wgs84, wgs84_to_gcj02};
/// let (gcj_lon, gcj_lat) = wgs84_to_gcj02(125.403, 43.862);
/// let (lon, lat) = gcj02_to_wgs84(gcj_lon, gcj_lat);
/// assert!((lon - 125.403).abs() < 1e-9 && (lat - 43.862).abs() < 1e-9);
/// ```
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if !in_mainland_china(lon, lat) {
        return (lon, lat);
    }
    let (mut w_lon, mut w_lat) = (lon, lat);
    for _ in 0..INVERSE_MAX_ITERATIONS {
        // The ungated offset: an iterate that strays over the rectangle's edge must
        // not see the identity there.
        let (d_lon, d_lat) = offset_degrees(w_lon, w_lat);
        let (r_lon, r_lat) = (w_lon + d_lon - lon, w_lat + d_lat - lat);
        if r_lon.abs() < INVERSE_TOLERANCE_DEG && r_lat.abs() < INVERSE_TOLERANCE_DEG {
            break;
        }
        w_lon -= r_lon;
        w_lat -= r_lat;
    }
    (w_lon, w_lat)
}

/// The GCJ-02 offset (Δlon, Δlat) in degrees at a WGS84 position, with no rectangle
/// check.
fn offset_degrees(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon - 105.0, lat - 35.0);
    let phi = lat.to_radians();
    let w = 1.0 - KRASOVSKY_EE * phi.sin().powi(2);
    let meridian_radius = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (w * w.sqrt());
    let prime_vertical_radius = KRASOVSKY_A / w.sqrt();
    let d_lat = (offset_north(x, y) / meridian_radius).to_degrees();
    let d_lon = (offset_east(x, y) / (prime_vertical_radius * phi.cos())).to_degrees();
    (d_lon, d_lat)
}

/// The east offset in the reconstruction's metre-like units, of x = lon − 105°,
/// y = lat − 35°.
fn offset_east(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + 2.0 / 3.0
            * (ripple(x)
                + 20.0 * (PI * x).sin()
                + 40.0 * (PI * x / 3.0).sin()
                + 150.0 * (PI * x / 12.0).sin()
                + 300.0 * (PI * x / 30.0).sin())
}

/// The north offset in the reconstruction's metre-like units, of x = lon − 105°,
/// y = lat − 35°.
fn offset_north(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + 2.0 / 3.0
            * (ripple(x)
                + 20.0 * (PI * y).sin()
                + 40.0 * (PI * y / 3.0).sin()
                + 160.0 * (PI * y / 12.0).sin()
                + 320.0 * (PI * y / 30.0).sin())
}

/// The short-period term of x that both offsets share.
fn ripple(x: f64) -> f64 {
    20.0 * (6.0 * PI * x).sin() + 20.0 * (2.0 * PI * x).sin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Fixture {
        points: Vec<FixturePoint>,
    }

    #[derive(Deserialize)]
    struct FixturePoint {
        name: String,
        wgs84_lon: f64,
        wgs84_lat: f64,
        gcj02_lon: f64,
        gcj02_lat: f64,
        inverse_wgs84_lon: f64,
        inverse_wgs84_lat: f64,
    }

    fn fixture() -> Fixture {
        serde_json::from_str(include_str!("../../tests/fixtures/gcj02_points.json"))
            .expect("tests/fixtures/gcj02_points.json parses")
    }

    /// Positions on a 41 × 28 grid (0.01° steps) covering the development zone.
    fn zone_grid() -> impl Iterator<Item = (f64, f64)> {
        (0..=40).flat_map(|i| {
            (0..=27).map(move |j| (125.25 + 0.01 * f64::from(i), 43.78 + 0.01 * f64::from(j)))
        })
    }

    fn assert_close(name: &str, what: &str, got: (f64, f64), want: (f64, f64), tol: f64) {
        let (d_lon, d_lat) = ((got.0 - want.0).abs(), (got.1 - want.1).abs());
        assert!(
            d_lon <= tol && d_lat <= tol,
            "{name}: {what} gave {got:?}, expected {want:?} within {tol:e}° \
             (off by {d_lon:e}°, {d_lat:e}°)"
        );
    }

    #[test]
    fn round_trip_over_the_zone_returns_the_wgs84_position() {
        for (lon, lat) in zone_grid() {
            let (g_lon, g_lat) = wgs84_to_gcj02(lon, lat);
            let back = gcj02_to_wgs84(g_lon, g_lat);
            assert_close("grid", "round trip", back, (lon, lat), 1e-9);
        }
    }

    #[test]
    fn inverse_image_matches_its_input_to_the_tolerance() {
        for (g_lon, g_lat) in zone_grid() {
            let (w_lon, w_lat) = gcj02_to_wgs84(g_lon, g_lat);
            let image = wgs84_to_gcj02(w_lon, w_lat);
            assert_close("grid", "forward(inverse)", image, (g_lon, g_lat), 1e-10);
        }
    }

    #[test]
    fn forward_agrees_with_the_independent_fixture() {
        for p in fixture().points {
            let got = wgs84_to_gcj02(p.wgs84_lon, p.wgs84_lat);
            assert_close(
                &p.name,
                "wgs84_to_gcj02",
                got,
                (p.gcj02_lon, p.gcj02_lat),
                1e-8,
            );
        }
    }

    #[test]
    fn inverse_agrees_with_the_independent_fixture() {
        for p in fixture().points {
            let got = gcj02_to_wgs84(p.gcj02_lon, p.gcj02_lat);
            let want = (p.inverse_wgs84_lon, p.inverse_wgs84_lat);
            assert_close(&p.name, "gcj02_to_wgs84", got, want, 1e-8);
            assert_close(
                &p.name,
                "gcj02_to_wgs84",
                got,
                (p.wgs84_lon, p.wgs84_lat),
                1e-9,
            );
        }
    }

    #[test]
    fn positions_outside_china_are_unchanged() {
        for (lon, lat) in [
            (139.6917, 35.6895),
            (-0.1276, 51.5072),
            (151.2093, -33.8688),
        ] {
            assert!(!in_mainland_china(lon, lat));
            assert_eq!(wgs84_to_gcj02(lon, lat), (lon, lat));
            assert_eq!(gcj02_to_wgs84(lon, lat), (lon, lat));
        }
    }

    #[test]
    fn the_zone_lies_inside_the_rectangle() {
        assert!(zone_grid().all(|(lon, lat)| in_mainland_china(lon, lat)));
    }

    #[test]
    fn shift_at_century_avenue_is_the_documented_one() {
        // Metres on WGS84 from the local radii: ample for a 600 m offset.
        let (lon, lat) = (125.40_f64, 43.86_f64);
        let (g_lon, g_lat) = wgs84_to_gcj02(lon, lat);
        let (a, f) = (6_378_137.0, 1.0 / 298.257_223_563);
        let ee = f * (2.0 - f);
        let w = 1.0 - ee * lat.to_radians().sin().powi(2);
        let east = (g_lon - lon).to_radians() * a / w.sqrt() * lat.to_radians().cos();
        let north = (g_lat - lat).to_radians() * a * (1.0 - ee) / (w * w.sqrt());
        assert!((east - 535.1).abs() < 0.05, "east shift {east} m");
        assert!((north - 281.0).abs() < 0.05, "north shift {north} m");
    }
}
