//! `/collections/{id}/queryables`: the properties items can be filtered on, as a JSON
//! Schema (OGC API – Features Part 3), with the fixed values of code fields as enums.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::ogc::{find_layer, respond};
use super::params::{self, Format, FormatQuery, Params};
use super::{base_url, typed, ApiError, AppState};
use crate::domain::{landuse, Layer, Queryable, QueryableType};

/// The primary geometry as a JSON Schema property: its one type as the GeoJSON schema
/// (`$ref`, which QGIS reads) and as the format of OGC API – Features Part 5.
fn geometry_property(layer: Layer, description: &str) -> Value {
    let t = layer.geometry_type();
    json!({
        "title": "Geometry",
        "description": description,
        "$ref": format!("https://geojson.org/schema/{}.json", t.name()),
        "format": t.schema_format(),
        "x-ogc-role": "primary-geometry",
    })
}

/// The properties filters and the schema describe, by name.
fn typed_properties(layer: Layer) -> Map<String, Value> {
    let c = layer.collection();
    let mut properties = Map::new();
    for p in layer.filterables() {
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
    properties
}

/// The JSON Schema of a served collection's queryables.
pub fn schema(layer: Layer, base: &str) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "geometry".into(),
        geometry_property(
            layer,
            "Filtered with bbox (and bbox-crs) or the spatial functions of a filter, by exact intersection.",
        ),
    );
    properties.extend(typed_properties(layer));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/queryables", layer.id()),
        "type": "object",
        "title": layer.title(),
        "properties": properties,
        "additionalProperties": false,
    })
}

/// The schema of a served collection's features (OGC API – Features Part 5): the
/// geometry with its one type, the typed properties and measures; attributes a source
/// file carried beyond them are served too, so further properties are allowed.
pub fn feature_schema(layer: Layer, base: &str) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({"title": "id", "description": "Feature id (parcel code, project code …).", "type": "string", "x-ogc-role": "id"}),
    );
    properties.insert(
        "geometry".into(),
        geometry_property(
            layer,
            &format!(
                "Every feature is a {} in CRS84 (a single polygon or line as one part).",
                layer.geometry_type().name()
            ),
        ),
    );
    properties.extend(typed_properties(layer));
    // Returnables that are not receivables (Part 5): measured or derived, never written
    // by a Part 4 write.
    for name in crate::workflow::features::derived_names(layer.collection()) {
        if let Some(p) = properties.get_mut(name) {
            p["readOnly"] = json!(true);
        }
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{base}/collections/{}/schema", layer.id()),
        "type": "object",
        "title": layer.title(),
        "description": layer.description(),
        "properties": properties,
        "additionalProperties": true,
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
    schema_response(&state, &id, q.f, &headers, "Queryables", schema)
}

/// `GET /collections/{collection_id}/schema`
pub async fn features_schema(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    schema_response(&state, &id, q.f, &headers, "Schema", feature_schema)
}

/// A JSON Schema of collection `id`, written by `build`, as JSON or as an HTML page.
fn schema_response(
    state: &AppState,
    id: &str,
    f: Option<Format>,
    headers: &HeaderMap,
    what: &str,
    build: fn(Layer, &str) -> Value,
) -> Result<Response, ApiError> {
    let layer = find_layer(id)?;
    let f = params::format(f, headers);
    let base = base_url(&state.settings, headers);
    let body = build(layer, &base);
    Ok(match f {
        Format::Json => typed(body.to_string(), media_type(headers)),
        Format::Html => respond(&base, f, &body, &format!("{what} of {}", layer.title())),
    })
}
