//! Placing an imported parcel in its zone and sub-district when the source does not
//! say, from the zone polygons already stored.

use geo::{Contains, Geometry, InteriorPoint};
use serde_json::{Map, Value};

use crate::domain::FeatureRecord;

/// Zone and sub-district polygons, smallest first so the most specific zone wins.
#[derive(Debug, Clone, Default)]
pub struct ZoneLocator {
    zones: Vec<(String, Geometry<f64>)>,
    subdistricts: Vec<(String, Geometry<f64>)>,
}

impl ZoneLocator {
    /// Builds the locator from the stored `zones` collection.
    pub fn new(records: &[FeatureRecord]) -> Self {
        let mut zones = Vec::new();
        let mut subdistricts = Vec::new();
        let mut sorted: Vec<&FeatureRecord> = records.iter().collect();
        sorted.sort_by(|a, b| {
            let area = |r: &FeatureRecord| {
                r.properties
                    .get("area_m2")
                    .and_then(Value::as_f64)
                    .unwrap_or(f64::MAX)
            };
            area(a).total_cmp(&area(b))
        });
        for r in sorted {
            let entry = (r.code.clone(), r.geometry.clone());
            match r.properties.get("kind").and_then(Value::as_str) {
                Some("zone") => zones.push(entry),
                Some("subdistrict") => subdistricts.push(entry),
                _ => {}
            }
        }
        Self {
            zones,
            subdistricts,
        }
    }

    /// Sets `zone` and `subdistrict` from the parcel's interior point where they are null.
    pub fn fill_in(&self, typed: &mut Map<String, Value>, geometry: &Geometry<f64>) {
        let Some(point) = geometry.interior_point() else {
            return;
        };
        for (key, list) in [("zone", &self.zones), ("subdistrict", &self.subdistricts)] {
            if typed.get(key).is_some_and(|v| !v.is_null()) {
                continue;
            }
            if let Some((code, _)) = list.iter().find(|(_, g)| g.contains(&point)) {
                typed.insert(key.into(), Value::from(code.clone()));
            }
        }
    }
}
