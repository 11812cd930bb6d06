//! Encoding of geometries, properties and times for storage, shared by the backends.

use geo::{BoundingRect, Geometry};
use serde_json::{Map, Value};

use super::StoreError;
use crate::domain::feature::Measures;
use crate::domain::{Collection, FeatureRecord, PropertyKind, ValidFeature};

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

/// Bounding box as (min lon, min lat, max lon, max lat); (0,0,0,0) for empty geometry.
pub fn bounds(g: &Geometry<f64>) -> (f64, f64, f64, f64) {
    g.bounding_rect()
        .map(|r| (r.min().x, r.min().y, r.max().x, r.max().y))
        .unwrap_or_default()
}

/// A typed property value ready for binding.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    /// Text or NULL.
    Text(Option<String>),
    /// Real or NULL.
    Real(Option<f64>),
}

/// The values of a collection's typed columns, in column order.
pub fn typed_values(c: Collection, f: &ValidFeature) -> Vec<Bound> {
    c.properties()
        .iter()
        .map(|p| {
            let v = f.typed.get(p.name);
            match p.kind {
                PropertyKind::Text => Bound::Text(v.and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                })),
                PropertyKind::Real => Bound::Real(v.and_then(Value::as_f64)),
            }
        })
        .collect()
}

/// Assembles the served properties of a stored row: typed columns (non-null), then the
/// geodesic measures, then the free attributes.
pub fn assemble_properties(
    typed: Vec<(&'static str, Bound)>,
    measures: Measures,
    attributes_json: &str,
    code: &str,
) -> Result<Map<String, Value>, StoreError> {
    let mut props = Map::new();
    for (name, v) in typed {
        match v {
            Bound::Text(Some(s)) => {
                props.insert(name.into(), Value::String(s));
            }
            Bound::Real(Some(x)) => {
                props.insert(name.into(), Value::from(x));
            }
            // Every typed property is always present (null when unknown), so clients
            // such as GDAL that read the schema from the first page see every field.
            _ => {
                props.insert(name.into(), Value::Null);
            }
        }
    }
    measures.write_properties(&mut props);
    let attrs: Map<String, Value> =
        serde_json::from_str(attributes_json).map_err(|e| StoreError::Corrupt {
            what: format!("attributes of feature {code}"),
            detail: e.to_string(),
        })?;
    for (k, v) in attrs {
        props.entry(k).or_insert(v);
    }
    Ok(props)
}

/// The JSON state of a feature from its properties and its GeoJSON geometry text.
pub fn state_json_parts(properties: &Map<String, Value>, geometry_text: &str) -> String {
    let props = serde_json::to_string(properties).unwrap_or_else(|_| "{}".into());
    format!(r#"{{"properties":{props},"geometry":{geometry_text}}}"#)
}

/// The JSON state of a feature as events record it (`after`/`before`).
pub fn state_json(record: &FeatureRecord) -> String {
    let mut state = Map::new();
    state.insert(
        "properties".into(),
        Value::Object(record.properties.clone()),
    );
    state.insert(
        "geometry".into(),
        serde_json::to_value(geojson::Geometry::from(&record.geometry)).unwrap_or(Value::Null),
    );
    Value::Object(state).to_string()
}
