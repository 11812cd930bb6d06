//! Transformations with PROJ, cached per thread and CRS pair.
//!
//! A PROJ object is expensive to build (it reads `proj.db`) and cannot move between
//! threads, so each thread keeps the ones it has built, keyed by (source, target), and
//! every feature of every request on that thread reuses them. The transformations are
//! built with PROJ's "normalised for visualisation" axis order (easting or longitude
//! first); the authority order is applied here, explicitly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use geo::{Geometry, MapCoords};

use super::{gcj02, AxisOrder, Crs};

thread_local! {
    static CACHE: RefCell<HashMap<(Crs, Crs), Rc<proj::Proj>>> = RefCell::new(HashMap::new());
}

/// The PROJ transformation from `from` to `to` (GIS axis order on both sides), built
/// once per thread.
fn cached(from: Crs, to: Crs) -> Result<Rc<proj::Proj>, String> {
    CACHE.with(|cache| {
        if let Some(p) = cache.borrow().get(&(from, to)) {
            return Ok(p.clone());
        }
        let p = proj::Proj::new_known_crs(&from.proj_id(), &to.proj_id(), None)
            .map_err(|e| format!("PROJ cannot transform {from} to {to}: {e}"))?;
        let p = Rc::new(p);
        cache.borrow_mut().insert((from, to), p.clone());
        Ok(p)
    })
}

/// How a transformation moves a position.
enum Step {
    /// Same datum: at most an axis swap.
    None,
    /// GCJ-02 offset removed.
    Gcj02,
    /// Through PROJ.
    Proj(Rc<proj::Proj>),
}

fn run(step: &Step, x: f64, y: f64, forward: bool) -> Result<(f64, f64), String> {
    match step {
        Step::None => Ok((x, y)),
        Step::Gcj02 if forward => Ok(gcj02::gcj02_to_wgs84(x, y)),
        Step::Gcj02 => Ok(gcj02::wgs84_to_gcj02(x, y)),
        Step::Proj(p) => p
            .convert((x, y))
            .map_err(|e| format!("position ({x}, {y}) cannot be transformed: {e}")),
    }
}

fn step(from: Crs, to: Crs) -> Result<Step, String> {
    Ok(if from == Crs::Gcj02 || to == Crs::Gcj02 {
        Step::Gcj02
    } else if from.is_crs84_datum() && to.is_crs84_datum() {
        Step::None
    } else {
        Step::Proj(cached(from, to)?)
    })
}

/// A transformation of source coordinates to CRS84 longitude/latitude. Not `Send`
/// (PROJ objects are per thread): build it on the thread that uses it.
pub struct ToCrs84 {
    step: Step,
    swap: bool,
}

impl ToCrs84 {
    /// Coordinates that are CRS84 already.
    pub fn identity() -> Self {
        Self {
            step: Step::None,
            swap: false,
        }
    }

    /// From `source`, whose positions come in `axis` order.
    pub fn new(source: Crs, axis: AxisOrder) -> Result<Self, String> {
        Ok(Self {
            step: step(source, Crs::Crs84)?,
            swap: axis == AxisOrder::NorthEast,
        })
    }

    /// Transforms one position given as (first, second) number.
    pub fn apply(&self, a: f64, b: f64) -> Result<(f64, f64), String> {
        let (x, y) = if self.swap { (b, a) } else { (a, b) };
        run(&self.step, x, y, true)
    }
}

/// Writes CRS84 geometry in an output CRS, in that CRS's authority axis order. Not
/// `Send`; build it where it is used (it is cheap: the PROJ object is cached).
pub struct Reprojector {
    target: Crs,
    step: Step,
    swap: bool,
    /// Decimal places kept: metres to 0.1 mm; degrees are written as computed.
    decimals: Option<i32>,
}

impl Reprojector {
    /// To `target`.
    pub fn new(target: Crs) -> Result<Self, String> {
        Ok(Self {
            target,
            step: step(Crs::Crs84, target)?,
            swap: target.authority_axis_order() == AxisOrder::NorthEast,
            decimals: (!target.is_geographic()).then_some(4),
        })
    }

    /// The output CRS.
    pub fn target(&self) -> Crs {
        self.target
    }

    /// Whether output equals the stored CRS84 coordinates.
    pub fn is_identity(&self) -> bool {
        matches!(self.step, Step::None) && !self.swap
    }

    /// One CRS84 position in the target CRS, authority order.
    pub fn position(&self, lon: f64, lat: f64) -> Result<(f64, f64), String> {
        let (x, y) = run(&self.step, lon, lat, false)?;
        let (x, y) = match self.decimals {
            Some(d) => (round(x, d), round(y, d)),
            None => (x, y),
        };
        Ok(if self.swap { (y, x) } else { (x, y) })
    }

    /// A CRS84 geometry in the target CRS, authority order.
    pub fn geometry(&self, g: &Geometry<f64>) -> Result<Geometry<f64>, String> {
        g.try_map_coords(|c| {
            let (x, y) = self.position(c.x, c.y)?;
            Ok(geo::coord! { x: x, y: y })
        })
    }

    /// The reverse: a position in the target CRS (authority order) in CRS84.
    pub fn to_crs84(&self, a: f64, b: f64) -> Result<(f64, f64), String> {
        let (x, y) = if self.swap { (b, a) } else { (a, b) };
        match &self.step {
            Step::Proj(_) => run(&Step::Proj(cached(self.target, Crs::Crs84)?), x, y, true),
            other => run(other, x, y, true),
        }
    }
}

fn round(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geographic_outputs_only_swap_axes() {
        let r = Reprojector::new(Crs::Epsg(4490)).unwrap();
        assert_eq!(r.position(125.4, 43.86).unwrap(), (43.86, 125.4));
        assert_eq!(r.to_crs84(43.86, 125.4).unwrap(), (125.4, 43.86));
        assert!(Reprojector::new(Crs::Crs84).unwrap().is_identity());
    }

    #[test]
    fn gauss_kruger_output_is_northing_first_and_reverses() {
        let r = Reprojector::new(Crs::Epsg(4551)).unwrap();
        let (n, e) = r.position(125.4, 43.86).unwrap();
        assert!((4_800_000.0..5_000_000.0).contains(&n), "northing {n}");
        assert!((400_000.0..500_000.0).contains(&e), "easting {e}");
        let (lon, lat) = r.to_crs84(n, e).unwrap();
        assert!((lon - 125.4).abs() < 1e-9 && (lat - 43.86).abs() < 1e-9);
        let zone = Reprojector::new(Crs::Epsg(4530)).unwrap();
        let (n2, e2) = zone.position(125.4, 43.86).unwrap();
        assert!((n2 - n).abs() < 1e-6 && (e2 - 42_000_000.0 - e).abs() < 1e-6);
    }

    #[test]
    fn imports_read_either_axis_order() {
        let en = ToCrs84::new(Crs::Epsg(4551), AxisOrder::EastNorth).unwrap();
        let ne = ToCrs84::new(Crs::Epsg(4551), AxisOrder::NorthEast).unwrap();
        assert_eq!(
            en.apply(451_000.0, 4_857_000.0).unwrap(),
            ne.apply(4_857_000.0, 451_000.0).unwrap()
        );
    }

    /// Every point of the fixture, computed with Debian's cs2cs (PROJ 9.1, not the
    /// bundled 9.6): the output CRSs agree to 1 mm and the reverse to 1e-9 degrees.
    #[test]
    fn output_agrees_with_cs2cs_on_every_fixture_point() {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/crs_points.json")).unwrap();
        let mut worst: f64 = 0.0;
        for p in v["points"].as_array().unwrap() {
            let (lon, lat) = (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap());
            for (code, key, first, second) in [
                (4551, "epsg4551", "northing", "easting"),
                (4530, "epsg4530", "northing", "easting"),
                (3857, "epsg3857", "x", "y"),
            ] {
                let r = Reprojector::new(Crs::Epsg(code)).unwrap();
                let (a, b) = r.position(lon, lat).unwrap();
                let want = (
                    p[key][first].as_f64().unwrap(),
                    p[key][second].as_f64().unwrap(),
                );
                let d = (a - want.0).abs().max((b - want.1).abs());
                worst = worst.max(d);
                assert!(
                    d < 1e-3,
                    "EPSG:{code} at {lon},{lat}: ({a}, {b}) vs {want:?}"
                );
                let (lon2, lat2) = r.to_crs84(a, b).unwrap();
                assert!((lon2 - lon).abs() < 1e-9 && (lat2 - lat).abs() < 1e-9);
            }
        }
        eprintln!("worst difference from cs2cs: {worst} m");
    }
}
