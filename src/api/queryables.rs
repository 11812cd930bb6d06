//! `/collections/{id}/queryables`: the properties items can be filtered on, as a JSON
//! Schema (OGC API – Features Part 3), with the fixed values of code fields as enums.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::ogc::{find_collection, respond};
use super::params::{self, Format, FormatQuery, Params};
use super::{base_url, typed, ApiError, AppState};
use crate::domain::{landuse, Collection, GeometryKind, Queryable, QueryableType};

/// The JSON Schema of a collection's queryables.
pub fn schema(c: Collection, base: &str) -> Value {
    let mut properties = Map::new();
    let geometry_format = match c.geometry_kind() {
        GeometryKind::Areal => "geometry-polygon-or-multipolygon",
        GeometryKind::Linear => "geometry-linestring-or-multilinestring",
        GeometryKind::Mixed => "geometry-any",
    };
    properties.insert(
        "geometry".into(),
        json!({
            "title": "Geometry",
            "description": "Filtered with bbox (and bbox-crs), by exact intersection.",
            "format": geometry_format,
            "x-ogc-role": "primary-geometry",
        }),
    );
    for p in c.filterables() {
        let mut prop = json!({"title": p.name, "description": p.description});
        add_type(&mut prop, &p);
        if p.name == "land_use" {
            prop["enum"] = landuse::parcel_codes().map(|l| l.code).collect();
            prop["description"] = json!(format!(
                "{} A filter value of either system selects every code it covers: land_use=0601 selects M, M1, M2, M3 and 0601; land_use=M selects M, M1–M3 and 0601.",
                p.description
            ));
        } else if let Some(values) = c.allowed_values(&p.name) {
            prop["enum"] = values.into();
        }
        properties.insert(p.name.to_string(), prop);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/queryables", c.id()),
        "type": "object",
        "title": c.title(),
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The JSON Schema type of a queryable (dates as formatted strings, lists as arrays).
pub fn add_type(prop: &mut Value, q: &Queryable) {
    let (ty, format) = match q.kind {
        QueryableType::String => ("string", None),
        QueryableType::Number => ("number", None),
        QueryableType::Integer => ("integer", None),
        QueryableType::Boolean => ("boolean", None),
        QueryableType::Date => ("string", Some("date")),
        QueryableType::Timestamp => ("string", Some("date-time")),
        QueryableType::StringArray => ("array", None),
    };
    prop["type"] = json!(ty);
    if let Some(f) = format {
        prop["format"] = json!(f);
    }
    if q.kind == QueryableType::StringArray {
        prop["items"] = json!({"type": "string"});
    }
}

/// The media type of the queryables for this request: `application/schema+json` (Part
/// 3), unless the client asks for plain JSON only (GDAL's OAPIF driver accepts
/// `application/geo+json, application/json` and refuses any other type).
fn media_type(headers: &HeaderMap) -> &'static str {
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let plain = accept.contains("application/json") || accept.contains("application/geo+json");
    if plain && !accept.contains("application/schema+json") {
        "application/json"
    } else {
        "application/schema+json"
    }
}

/// `GET /collections/{collection_id}/queryables`
pub async fn queryables(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find_collection(&id)?;
    let f = params::format(q.f, &headers);
    let base = base_url(&state.settings, &headers);
    let body = schema(c, &base);
    Ok(match f {
        Format::Json => typed(body.to_string(), media_type(&headers)),
        Format::Html => respond(&base, f, &body, &format!("Queryables of {}", c.title())),
    })
}
