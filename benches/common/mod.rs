//! What the benches share: reading the shared harness's GeoJSONSeq parcels
//! (`LANDREUSE_BENCH_PARCELS=/tmp/bench/data/parcels_1m.geojsonl`).

use std::io::BufRead;

use landreuse::domain::FeatureRecord;
use serde_json::Value;

/// Parcels of a GeoJSONSeq file, in file order.
pub fn read_geojsonl(path: &str) -> Vec<FeatureRecord> {
    let file = std::fs::File::open(path).expect("LANDREUSE_BENCH_PARCELS opens");
    std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let v: Value = serde_json::from_str(&line.expect("line")).expect("GeoJSON line");
            let g: geojson::Geometry =
                serde_json::from_value(v["geometry"].clone()).expect("geometry");
            FeatureRecord {
                id: i as i64 + 1,
                code: v["properties"]["parcel_id"]
                    .as_str()
                    .map_or_else(|| i.to_string(), str::to_string),
                properties: v["properties"].as_object().cloned().unwrap_or_default(),
                geometry: geo::Geometry::try_from(g).expect("geo geometry"),
            }
        })
        .collect()
}
