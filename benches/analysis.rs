//! Criterion benchmarks of the geodesic distance queries (`nearest`, `within`) on the
//! synthetic parcel set, and of a school-coverage pass.
//!
//! Parcels are read from `LANDREUSE_BENCH_PARCELS` (newline-delimited GeoJSON, e.g. the
//! 1,000,000 parcels of `python3 geodata/generate.py --synthetic 1000000 --out …`;
//! residential parcels are those with `land_use` R2), or generated in memory as a
//! 200,000-parcel grid when unset (every fourth parcel residential). The schools are a
//! separate seeded index of 50 polygons, alternately primary and middle.

// Benchmark code: a failed unwrap or expect stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use criterion::{criterion_group, criterion_main, Criterion};
use geo::{Geometry, LineString, Point, Polygon};
use landreuse::domain::FeatureRecord;
use landreuse::index::{CollectionIndex, IndexedFeature};
use serde_json::{json, Map};

/// The zone's extent (min lon, min lat, width, height) in degrees.
const ZONE: [f64; 4] = [125.25, 43.78, 0.4, 0.27];

fn load_parcels() -> Vec<FeatureRecord> {
    match std::env::var("LANDREUSE_BENCH_PARCELS") {
        Ok(path) => common::read_geojsonl(&path),
        Err(_) => grid(200_000),
    }
}

fn square(x: f64, y: f64, dx: f64, dy: f64) -> Polygon<f64> {
    let ring = vec![(x, y), (x + dx, y), (x + dx, y + dy), (x, y + dy), (x, y)];
    Polygon::new(LineString::from(ring), vec![])
}

/// Parcels on a grid over the zone (about 80 m a side at 200,000).
fn grid(n: usize) -> Vec<FeatureRecord> {
    let side = (n as f64).sqrt().ceil() as usize;
    let (dx, dy) = (ZONE[2] / side as f64, ZONE[3] / side as f64);
    (0..n)
        .map(|i| {
            let (x, y) = (
                ZONE[0] + (i % side) as f64 * dx,
                ZONE[1] + (i / side) as f64 * dy,
            );
            let mut properties = Map::new();
            let land_use = if i % 4 == 0 { "R2" } else { "M1" };
            properties.insert("land_use".into(), json!(land_use));
            FeatureRecord {
                id: i as i64 + 1,
                code: format!("G-{i}"),
                properties,
                geometry: square(x, y, dx * 0.9, dy * 0.9).into(),
            }
        })
        .collect()
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

/// 50 school sites of about 150 m x 150 m, alternately primary and middle.
fn schools() -> CollectionIndex {
    let mut next = uniform(17);
    let records = (0..50)
        .map(|i| {
            let (x, y) = (ZONE[0] + next() * ZONE[2], ZONE[1] + next() * ZONE[3]);
            let mut properties = Map::new();
            let level = if i % 2 == 0 { "primary" } else { "middle" };
            properties.insert("level".into(), json!(level));
            FeatureRecord {
                id: i + 1,
                code: format!("SCH-{i}"),
                properties,
                geometry: square(x, y, 0.0019, 0.00135).into(),
            }
        })
        .collect();
    CollectionIndex::build(
        records,
        landreuse::index::filter::Schema::of(landreuse::domain::Collection::Schools),
    )
}

fn clicks(n: usize) -> Vec<Geometry<f64>> {
    let mut next = uniform(7);
    (0..n)
        .map(|_| Point::new(ZONE[0] + next() * ZONE[2], ZONE[1] + next() * ZONE[3]).into())
        .collect()
}

fn everything(_: &IndexedFeature) -> bool {
    true
}

fn bench(c: &mut Criterion) {
    let parcels = load_parcels();
    let residential: Vec<Geometry<f64>> = parcels
        .iter()
        .filter(|r| r.properties.get("land_use").is_some_and(|u| u == "R2"))
        .map(|r| r.geometry.clone())
        .collect();
    let index = CollectionIndex::build(
        parcels,
        landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels),
    );
    let schools = schools();
    // Primary schools are the even-numbered ones (odd ids).
    let is_primary = |s: &IndexedFeature| s.id % 2 == 1;
    let points = clicks(2000);
    let mut group = c.benchmark_group(format!("analysis_{}", index.len()));
    let mut i = 0;
    group.bench_function("nearest_5_to_a_point", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            index.nearest(&points[i], 5, None, &everything).len()
        });
    });
    group.bench_function("within_500_m_of_a_point", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            index.within(&points[i], 500.0, &everything).len()
        });
    });
    group.bench_function("nearest_school_to_a_point", |b| {
        b.iter(|| {
            i = (i + 1) % points.len();
            schools.nearest(&points[i], 1, None, &everything).len()
        });
    });
    if residential.is_empty() {
        group.finish();
        return;
    }
    let mut next = uniform(23);
    let sample: Vec<&Geometry<f64>> = (0..1000)
        .map(|_| &residential[(next() * residential.len() as f64) as usize])
        .collect();
    group.sample_size(20);
    group.bench_function("coverage_1000_residential_primary_500_m", |b| {
        b.iter(|| {
            sample
                .iter()
                .filter(|p| schools.nearest(p, 1, Some(500.0), &is_primary).is_empty())
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
