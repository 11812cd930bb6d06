//! The R-tree index against a brute-force scan on seeded random parcels.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use geo::{BoundingRect, Intersects, LineString, Polygon, Rect};
use std::sync::Arc;

use landreuse::domain::{Collection, FeatureRecord};
use landreuse::index::filter::{Filter, Schema};
use landreuse::index::{CollectionIndex, Query};
use proptest::prelude::*;
use serde_json::{json, Map};

fn status_in(values: &[&str]) -> Arc<Filter> {
    Arc::new(Filter::any_of(&Schema::of(Collection::Parcels), "status", values).unwrap())
}

/// A random simple parcel: a rectangle, or an L made from one by cutting a corner.
fn parcel() -> impl Strategy<Value = (f64, f64, f64, f64, bool)> {
    (
        0.0..1.0f64,
        0.0..1.0f64,
        0.001..0.1f64,
        0.001..0.1f64,
        any::<bool>(),
    )
}

fn polygon((x, y, w, h, l_shape): (f64, f64, f64, f64, bool)) -> Polygon<f64> {
    let ring = if l_shape {
        vec![
            (x, y),
            (x + w, y),
            (x + w, y + h / 2.0),
            (x + w / 2.0, y + h / 2.0),
            (x + w / 2.0, y + h),
            (x, y + h),
            (x, y),
        ]
    } else {
        vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)]
    };
    Polygon::new(LineString::from(ring), vec![])
}

fn records(shapes: &[(f64, f64, f64, f64, bool)], status_every: usize) -> Vec<FeatureRecord> {
    shapes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut properties = Map::new();
            let status = if i % status_every == 0 {
                "idle"
            } else {
                "active"
            };
            properties.insert("status".into(), json!(status));
            FeatureRecord {
                id: i as i64 + 1,
                code: format!("P-{i}"),
                properties,
                geometry: polygon(*s).into(),
            }
        })
        .collect()
}

fn brute_force(records: &[FeatureRecord], b: [f64; 4], status: Option<&str>) -> Vec<String> {
    let window = Rect::new((b[0], b[1]), (b[2], b[3]));
    records
        .iter()
        .filter(|r| r.geometry.intersects(&window))
        .filter(|r| status.is_none_or(|s| r.properties["status"] == s))
        .map(|r| r.code.clone())
        .collect()
}

/// The window turned a little, as a projected box is in lon/lat.
fn skewed(b: [f64; 4]) -> Polygon<f64> {
    let d = (b[2] - b[0]).min(b[3] - b[1]) * 0.15;
    Polygon::new(
        LineString::from(vec![
            (b[0] + d, b[1]),
            (b[2], b[1] + d),
            (b[2] - d, b[3]),
            (b[0], b[3] - d),
            (b[0] + d, b[1]),
        ]),
        vec![],
    )
}

fn query_codes(index: &CollectionIndex, q: &Query) -> (usize, Vec<String>) {
    let page = index.query(q);
    (
        page.matched,
        page.features.iter().map(|f| f.code.to_string()).collect(),
    )
}

fn window() -> impl Strategy<Value = [f64; 4]> {
    (-0.1..1.1f64, -0.1..1.1f64, 0.0..0.4f64, 0.0..0.4f64)
        .prop_map(|(x, y, w, h)| [x, y, x + w, y + h])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, rng_seed: proptest::test_runner::RngSeed::Fixed(20261128), ..ProptestConfig::default() })]

    #[test]
    fn bbox_answers_equal_a_brute_force_scan(shapes in prop::collection::vec(parcel(), 1..400), boxes in prop::collection::vec(window(), 1..8)) {
        let recs = records(&shapes, 3);
        let index = CollectionIndex::build(recs.clone(), Schema::of(Collection::Parcels));
        let everything = [-10.0, -10.0, 10.0, 10.0];
        let (matched, got) = query_codes(&index, &Query { bbox: Some(everything), limit: 100_000, ..Query::default() });
        prop_assert_eq!(matched, recs.len());
        prop_assert_eq!(got, brute_force(&recs, everything, None));
        for b in boxes {
            let expected = brute_force(&recs, b, None);
            let (matched, got) = query_codes(&index, &Query { bbox: Some(b), limit: 100_000, ..Query::default() });
            prop_assert_eq!(matched, expected.len());
            prop_assert_eq!(got, expected);
            let idle = brute_force(&recs, b, Some("idle"));
            let q = Query { bbox: Some(b), filter: Some(status_in(&["idle"])), limit: 100_000, ..Query::default() };
            prop_assert_eq!(query_codes(&index, &q).1, idle);
            // A filter with several accepted values selects their union.
            let either: Vec<String> = brute_force(&recs, b, None).into_iter().filter(|c| {
                let s = &recs.iter().find(|r| &r.code == c).unwrap().properties["status"];
                s == "idle" || s == "active"
            }).collect();
            let q = Query { bbox: Some(b), filter: Some(status_in(&["idle", "active", "vacant"])), limit: 100_000, ..Query::default() };
            prop_assert_eq!(query_codes(&index, &q).1, either);
            // A skewed quadrilateral (as a box given in a projected CRS becomes in
            // lon/lat) is tested exactly, not by its envelope.
            let area = skewed(b);
            let env = area.bounding_rect().unwrap();
            let q = Query { bbox: Some([env.min().x, env.min().y, env.max().x, env.max().y]), area: Some(area.clone()), limit: 100_000, ..Query::default() };
            let expected: Vec<String> = recs.iter().filter(|r| r.geometry.intersects(&area)).map(|r| r.code.clone()).collect();
            prop_assert_eq!(query_codes(&index, &q).1, expected);
        }
    }

    #[test]
    fn pages_concatenate_to_the_whole_answer(shapes in prop::collection::vec(parcel(), 1..300), b in window(), limit in 1usize..40) {
        let recs = records(&shapes, 2);
        let index = CollectionIndex::build(recs.clone(), Schema::of(Collection::Parcels));
        let expected = brute_force(&recs, b, None);
        let mut got = Vec::new();
        let mut offset = 0;
        loop {
            let (matched, page) = query_codes(&index, &Query { bbox: Some(b), limit, offset, ..Query::default() });
            prop_assert_eq!(matched, expected.len());
            if page.is_empty() { break; }
            offset += page.len();
            got.extend(page);
        }
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn upserts_keep_the_index_equal_to_a_scan(shapes in prop::collection::vec(parcel(), 2..200), moved in prop::collection::vec(parcel(), 1..50), b in window()) {
        let mut recs = records(&shapes, 4);
        let mut index = CollectionIndex::build(recs.clone(), Schema::of(Collection::Parcels));
        let mut changes = Vec::new();
        for (i, shape) in moved.iter().enumerate() {
            let target = i * 7 % recs.len();
            recs[target].geometry = polygon(*shape).into();
            changes.push(recs[target].clone());
        }
        let mut added = records(&moved, 5);
        for (i, r) in added.iter_mut().enumerate() {
            r.id = 10_000 + i as i64;
            r.code = format!("NEW-{i}");
        }
        changes.extend(added.clone());
        recs.extend(added);
        index.upsert(changes);
        let (_, got) = query_codes(&index, &Query { bbox: Some(b), limit: 100_000, ..Query::default() });
        prop_assert_eq!(got, brute_force(&recs, b, None));
        prop_assert_eq!(index.len(), recs.len());
    }
}
