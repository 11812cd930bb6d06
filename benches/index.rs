//! Criterion benchmarks of the R-tree index on the synthetic parcel set.
//!
//! The set is read from `LANDREUSE_BENCH_PARCELS` (newline-delimited GeoJSON, e.g. the
//! 1,000,000 parcels of `python3 geodata/generate.py --synthetic 1000000 --out …`), or
//! generated in memory as a 100,000-parcel grid when unset. Queries come from
//! `LANDREUSE_BENCH_QUERIES` (one `minLon,minLat,maxLon,maxLat` per line, the shared
//! bench query set) or a seeded mix of small and medium boxes.

// Benchmark code: a failed unwrap or expect stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use geo::{LineString, Polygon};
use landreuse::domain::FeatureRecord;
use landreuse::index::{CollectionIndex, Query};
use serde_json::{json, Map};

fn load_parcels() -> Vec<FeatureRecord> {
    match std::env::var("LANDREUSE_BENCH_PARCELS") {
        Ok(path) => common::read_geojsonl(&path),
        Err(_) => grid(100_000),
    }
}

/// Parcels of about 60 m x 60 m on a grid over the district.
fn grid(n: usize) -> Vec<FeatureRecord> {
    let side = (n as f64).sqrt().ceil() as usize;
    let (dx, dy) = (0.4 / side as f64, 0.27 / side as f64);
    (0..n)
        .map(|i| {
            let (x, y) = (
                125.25 + (i % side) as f64 * dx,
                43.78 + (i / side) as f64 * dy,
            );
            let ring = vec![
                (x, y),
                (x + dx * 0.9, y),
                (x + dx * 0.9, y + dy * 0.9),
                (x, y + dy * 0.9),
                (x, y),
            ];
            let mut properties = Map::new();
            properties.insert(
                "status".into(),
                json!(if i % 10 == 0 { "idle" } else { "active" }),
            );
            FeatureRecord {
                id: i as i64 + 1,
                code: format!("G-{i}"),
                properties,
                geometry: Polygon::new(LineString::from(ring), vec![]).into(),
            }
        })
        .collect()
}

fn queries() -> Vec<[f64; 4]> {
    if let Ok(path) = std::env::var("LANDREUSE_BENCH_QUERIES") {
        return std::fs::read_to_string(path)
            .expect("query file")
            .lines()
            .filter_map(|l| {
                let v: Vec<f64> = l.split(',').filter_map(|s| s.trim().parse().ok()).collect();
                (v.len() == 4).then(|| [v[0], v[1], v[2], v[3]])
            })
            .collect();
    }
    // Seeded small (~500 m) and medium (~2.5 km) boxes over the district.
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..2000)
        .map(|i| {
            let size = if i % 4 == 0 { 0.03 } else { 0.006 };
            let (x, y) = (
                125.25 + next() * (0.4 - size),
                43.78 + next() * (0.27 - size),
            );
            [x, y, x + size, y + size * 0.72]
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let parcels = load_parcels();
    let boxes = queries();
    let n = parcels.len();
    let mut group = c.benchmark_group(format!("index_{n}"));
    group.sample_size(10);
    group.bench_function("bulk_load", |b| {
        b.iter_batched(
            || parcels.clone(),
            |p| {
                CollectionIndex::build(
                    p,
                    landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels),
                )
            },
            BatchSize::LargeInput,
        );
    });
    let index = CollectionIndex::build(
        parcels,
        landreuse::index::filter::Schema::of(landreuse::domain::Collection::Parcels),
    );
    let mut i = 0;
    group.sample_size(50);
    group.bench_function("bbox_limit_100_exact_count", |b| {
        b.iter(|| {
            i = (i + 1) % boxes.len();
            index
                .query(&Query {
                    bbox: Some(boxes[i]),
                    limit: 100,
                    ..Query::default()
                })
                .matched
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
