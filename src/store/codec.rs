//! Encoding of geometries, properties and times for storage, shared by the backends.

use geo::Geometry;
use serde_json::{Map, Value};

use super::StoreError;
use crate::domain::FeatureRecord;

/// Now, as RFC 3339 UTC with millisecond precision.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// GeoJSON text of a CRS84 geometry.
pub fn geometry_to_text(g: &Geometry<f64>) -> String {
    geojson::Geometry::from(g).to_string()
}

/// Reads stored GeoJSON text back into a geometry.
pub fn geometry_from_text(text: &str, code: &str) -> Result<Geometry<f64>, StoreError> {
    let corrupt = |detail: String| StoreError::Corrupt {
        what: format!("geometry of feature {code}"),
        detail,
    };
    let gj: geojson::Geometry = text
        .parse()
        .map_err(|e: geojson::Error| corrupt(e.to_string()))?;
    Geometry::try_from(gj).map_err(|e| corrupt(e.to_string()))
}

/// The JSON state of a feature from its properties and its GeoJSON geometry text.
pub fn state_json_parts(properties: &Map<String, Value>, geometry_text: &str) -> String {
    let props = serde_json::to_string(properties).unwrap_or_else(|_| "{}".into());
    format!(r#"{{"properties":{props},"geometry":{geometry_text}}}"#)
}

/// The JSON state of a feature as events record it (`after`/`before`).
pub fn state_json(record: &FeatureRecord) -> String {
    let mut state = Map::new();
    let mut properties = record.properties.clone();
    // The write time is the event's own; a state is what was written.
    properties.remove(crate::domain::feature::UPDATED_AT);
    state.insert("properties".into(), Value::Object(properties));
    state.insert(
        "geometry".into(),
        serde_json::to_value(geojson::Geometry::from(&record.geometry)).unwrap_or(Value::Null),
    );
    Value::Object(state).to_string()
}
