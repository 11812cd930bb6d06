//! Nearest-neighbour and within-distance answers from the R-tree against a brute-force
//! geodesic scan, on seeded random parcels over the zone.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{Geometry, LineString, Point, Polygon};
use landreuse::domain::FeatureRecord;
use landreuse::index::analysis::{geodesic_distance, Near};
use landreuse::index::{CollectionIndex, IndexedFeature};
use proptest::prelude::*;
use serde_json::{json, Map};

/// Where the random shapes fall: the whole zone (sparse) or one district of it
/// (dense), as (min lon, min lat, width, height) in degrees.
fn district() -> impl Strategy<Value = [f64; 4]> {
    prop_oneof![
        Just([125.25, 43.78, 0.4, 0.27]),
        (0.0..0.37f64, 0.0..0.24f64).prop_map(|(x, y)| [125.25 + x, 43.78 + y, 0.03, 0.03]),
    ]
}

/// A parcel: a rectangle of 15 m to 250 m a side, as fractions of the district.
fn parcel() -> impl Strategy<Value = (f64, f64, f64, f64)> {
    (0.0..1.0f64, 0.0..1.0f64, 0.0002..0.003f64, 0.0002..0.003f64)
}

fn rectangle([x0, y0, w, h]: [f64; 4], (u, v, dx, dy): (f64, f64, f64, f64)) -> Polygon<f64> {
    let (x, y) = (x0 + u * w, y0 + v * h);
    let ring = vec![(x, y), (x + dx, y), (x + dx, y + dy), (x, y + dy), (x, y)];
    Polygon::new(LineString::from(ring), vec![])
}

/// An origin: a point (a map click), a small polygon (a parcel) or a line (a street).
fn origin() -> impl Strategy<Value = (u8, f64, f64, f64, f64)> {
    (
        0u8..3,
        0.0..1.0f64,
        0.0..1.0f64,
        0.0002..0.004f64,
        0.0002..0.004f64,
    )
}

fn origin_geometry(d: [f64; 4], (kind, u, v, dx, dy): (u8, f64, f64, f64, f64)) -> Geometry<f64> {
    let (x, y) = (d[0] + u * d[2], d[1] + v * d[3]);
    match kind {
        0 => Point::new(x, y).into(),
        1 => rectangle(d, (u, v, dx, dy)).into(),
        _ => LineString::from(vec![(x, y), (x + dx, y + dy), (x + 2.0 * dx, y)]).into(),
    }
}

fn records(d: [f64; 4], shapes: &[(f64, f64, f64, f64)]) -> Vec<FeatureRecord> {
    shapes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut properties = Map::new();
            let status = if i % 3 == 0 { "idle" } else { "active" };
            properties.insert("status".into(), json!(status));
            FeatureRecord {
                id: i as i64 + 1,
                code: format!("P-{i}"),
                properties,
                geometry: rectangle(d, *s).into(),
            }
        })
        .collect()
}

fn is_idle(f: &IndexedFeature) -> bool {
    f.properties()["status"] == "idle"
}

fn everything(_: &IndexedFeature) -> bool {
    true
}

/// Every record passing the filter and the distance cap, nearest first, ties in
/// serving order, measured one by one.
fn brute_force(
    recs: &[FeatureRecord],
    origin: &Geometry<f64>,
    cap: f64,
    idle_only: bool,
) -> Vec<(String, f64)> {
    let mut all: Vec<(String, f64)> = recs
        .iter()
        .filter(|r| !idle_only || r.properties["status"] == "idle")
        .map(|r| (r.code.clone(), geodesic_distance(origin, &r.geometry)))
        .filter(|(_, d)| *d <= cap)
        .collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1));
    all
}

fn answer(found: &[Near]) -> Vec<(String, f64)> {
    found
        .iter()
        .map(|n| (n.feature.code.to_string(), n.distance_m))
        .collect()
}

fn assert_same(got: &[(String, f64)], expected: &[(String, f64)]) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), expected.len(), "{:?} vs {:?}", got, expected);
    for (g, e) in got.iter().zip(expected) {
        prop_assert_eq!(&g.0, &e.0, "{:?} vs {:?}", got, expected);
        prop_assert!((g.1 - e.1).abs() <= 1e-9, "{:?} vs {:?}", g, e);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(20261128), ..ProptestConfig::default() })]

    #[test]
    fn nearest_equals_a_brute_force_geodesic_scan(
        d in district(),
        shapes in prop::collection::vec(parcel(), 1..300),
        origins in prop::collection::vec((origin(), 1usize..8, prop::option::of(50.0..5000.0f64), any::<bool>()), 1..6),
    ) {
        let recs = records(d, &shapes);
        let index = CollectionIndex::build(recs.clone(), landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels));
        for (o, k, max_m, idle_only) in origins {
            let origin = origin_geometry(d, o);
            let keep: &dyn Fn(&IndexedFeature) -> bool = if idle_only { &is_idle } else { &everything };
            let got = answer(&index.nearest(&origin, k, max_m, keep));
            let mut expected = brute_force(&recs, &origin, max_m.unwrap_or(f64::INFINITY), idle_only);
            expected.truncate(k);
            assert_same(&got, &expected)?;
        }
    }

    #[test]
    fn within_equals_a_brute_force_geodesic_scan(
        d in district(),
        shapes in prop::collection::vec(parcel(), 1..300),
        origins in prop::collection::vec((origin(), 10.0..3000.0f64, any::<bool>()), 1..6),
    ) {
        let recs = records(d, &shapes);
        let index = CollectionIndex::build(recs.clone(), landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels));
        for (o, metres, idle_only) in origins {
            let origin = origin_geometry(d, o);
            let keep: &dyn Fn(&IndexedFeature) -> bool = if idle_only { &is_idle } else { &everything };
            let got = answer(&index.within(&origin, metres, keep));
            assert_same(&got, &brute_force(&recs, &origin, metres, idle_only))?;
        }
    }
}

#[test]
fn nothing_is_near_in_an_empty_collection_or_for_an_empty_origin() {
    let empty = CollectionIndex::build(
        Vec::new(),
        landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels),
    );
    let click: Geometry<f64> = Point::new(125.4, 43.9).into();
    assert!(empty.nearest(&click, 3, None, &everything).is_empty());
    assert!(empty.within(&click, 500.0, &everything).is_empty());
    let d = [125.25, 43.78, 0.4, 0.27];
    let index = CollectionIndex::build(
        records(d, &[(0.5, 0.5, 0.001, 0.001)]),
        landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels),
    );
    let nowhere: Geometry<f64> = LineString::<f64>::new(vec![]).into();
    assert!(index.nearest(&nowhere, 3, None, &everything).is_empty());
    assert_eq!(index.nearest(&click, 0, None, &everything).len(), 0);
}

#[test]
fn nearest_reaches_a_feature_far_outside_the_first_radius() {
    let d = [125.25, 43.78, 0.4, 0.27];
    let index = CollectionIndex::build(
        records(d, &[(0.0, 0.0, 0.001, 0.001), (0.1, 0.1, 0.001, 0.001)]),
        landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels),
    );
    let far: Geometry<f64> = Point::new(126.5, 45.0).into();
    let got = index.nearest(&far, 1, None, &everything);
    assert_eq!(&*got[0].feature.code, "P-1");
    assert!(index.nearest(&far, 1, Some(1000.0), &everything).is_empty());
}
