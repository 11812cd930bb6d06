//! `/api`: the OpenAPI 3.0 definition of this server, self-contained (no remote
//! `$ref`), generated from the collections so queryables appear as parameters.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Map, Value};

use super::params::{self, Format, DEFAULT_LIMIT, MAX_LIMIT};
use super::{base_url, html, typed, ApiError, AppState};
use crate::crs::Crs;
use crate::domain::{Collection, PropertyKind};

/// `GET /api`
pub async fn document(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(&pairs, &["f"])?;
    let f = params::format(&pairs, &headers)?;
    let doc = definition(&base_url(&state.settings, &headers));
    Ok(match f {
        Format::Json => typed(
            doc.to_string(),
            "application/vnd.oai.openapi+json;version=3.0",
        ),
        Format::Html => typed(
            html::document("API definition", &doc),
            "text/html; charset=utf-8",
        ),
    })
}

fn response(description: &str, schema_ref: &str, media: &[&str]) -> Value {
    let content: Map<String, Value> = media
        .iter()
        .map(|m| (m.to_string(), json!({"schema": {"$ref": schema_ref}})))
        .collect();
    json!({"description": description, "content": content})
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}}}})
}

fn simple_get(summary: &str, op: &str, schema: &str) -> Value {
    json!({"get": {
        "summary": summary, "operationId": op,
        "parameters": [{"$ref": "#/components/parameters/f"}],
        "responses": {"200": response(summary, schema, &["application/json", "text/html"]),
                      "400": problem("A parameter is wrong.")}
    }})
}

fn queryable_parameter(c: Collection, name: &str, kind: PropertyKind, description: &str) -> Value {
    let mut schema = match kind {
        PropertyKind::Text => json!({"type": "string"}),
        PropertyKind::Real => json!({"type": "number"}),
        PropertyKind::Integer => json!({"type": "integer"}),
    };
    if let Some(values) = c.allowed_values(name) {
        schema["enum"] = json!(values);
    }
    json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false,
           "description": format!("Only features whose {name} equals this value. {description}"),
           "schema": schema})
}

fn crs_uris() -> Vec<String> {
    Crs::OUTPUT.iter().map(|c| c.uri()).collect()
}

fn collection_paths(c: Collection, paths: &mut Map<String, Value>) {
    let id = c.id();
    let mut parameters = vec![
        json!({"$ref": "#/components/parameters/bbox"}),
        json!({"$ref": "#/components/parameters/bbox-crs"}),
        json!({"$ref": "#/components/parameters/crs"}),
        json!({"$ref": "#/components/parameters/limit"}),
        json!({"$ref": "#/components/parameters/offset"}),
        json!({"$ref": "#/components/parameters/datetime"}),
        json!({"$ref": "#/components/parameters/f"}),
    ];
    parameters.extend(
        c.queryables()
            .map(|p| queryable_parameter(c, p.name, p.kind, p.description)),
    );
    paths.insert(
        format!("/collections/{id}"),
        simple_get(
            &format!("Metadata of {id}"),
            &format!("describe_{id}"),
            "#/components/schemas/collection",
        ),
    );
    paths.insert(format!("/collections/{id}/items"), json!({"get": {
        "summary": format!("Features of {id}"), "operationId": format!("get_{id}_features"),
        "description": c.description(), "parameters": parameters,
        "responses": {"200": response("A page of features.", "#/components/schemas/featureCollectionGeoJSON", &["application/geo+json", "text/html"]),
                      "400": problem("A parameter is wrong or unknown."),
                      "404": problem("No such collection.")}
    }}));
    paths.insert(format!("/collections/{id}/items/{{featureId}}"), json!({"get": {
        "summary": format!("One feature of {id}"), "operationId": format!("get_{id}_feature"),
        "parameters": [{"$ref": "#/components/parameters/featureId"}, {"$ref": "#/components/parameters/crs"}, {"$ref": "#/components/parameters/f"}],
        "responses": {"200": response("The feature.", "#/components/schemas/featureGeoJSON", &["application/geo+json", "text/html"]),
                      "404": problem("No such feature.")}
    }}));
    paths.insert(format!("/collections/{id}/queryables"), json!({"get": {
        "summary": format!("The properties {id} can be filtered on"), "operationId": format!("get_{id}_queryables"),
        "parameters": [{"$ref": "#/components/parameters/f"}],
        "responses": {"200": {"description": "A JSON Schema of the queryable properties, with the code lists as enums.",
                              "content": {"application/schema+json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}},
                      "404": problem("No such collection.")}
    }}));
}

fn components() -> Value {
    json!({
        "parameters": {
            "f": {"name": "f", "in": "query", "required": false, "description": "Output format.", "schema": {"type": "string", "enum": ["json", "html"]}},
            "bbox": {"name": "bbox", "in": "query", "required": false, "style": "form", "explode": false,
                     "description": "Only features whose geometry intersects this box (exactly, not by envelope): minLon,minLat,maxLon,maxLat in CRS84, or in the CRS named by bbox-crs in that CRS's axis order (minLat,minLon,… for EPSG:4326 and 4490; minNorthing,minEasting,… for EPSG:4551 and 4530).",
                     "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
            "bbox-crs": {"name": "bbox-crs", "in": "query", "required": false, "description": "The CRS of bbox (OGC API – Features Part 2), as a URI; default CRS84.",
                         "schema": {"type": "string", "format": "uri", "enum": crs_uris(), "default": Crs::Crs84.uri()}},
            "crs": {"name": "crs", "in": "query", "required": false, "description": "The CRS of the returned coordinates (OGC API – Features Part 2), written in its authority axis order (latitude first for EPSG:4326 and 4490, northing first for EPSG:4551 and 4530); the response's Content-Crs header names it. Default CRS84.",
                    "schema": {"type": "string", "format": "uri", "enum": crs_uris(), "default": Crs::Crs84.uri()}},
            "limit": {"name": "limit", "in": "query", "required": false, "style": "form", "explode": false,
                      "description": "Features per page.",
                      "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
            "offset": {"name": "offset", "in": "query", "required": false, "description": "Matches to skip (paging; follow the next link).",
                       "schema": {"type": "integer", "minimum": 0, "default": 0}},
            "datetime": {"name": "datetime", "in": "query", "required": false, "description": "RFC 3339 instant or interval. The collections have no temporal extent, so it selects every feature.",
                         "schema": {"type": "string"}},
            "featureId": {"name": "featureId", "in": "path", "required": true, "description": "Feature id (parcel code, zone code, road code).", "schema": {"type": "string"}}
        },
        "schemas": {
            "link": {"type": "object", "required": ["href"], "properties": {"href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"}, "title": {"type": "string"}}},
            "landingPage": {"type": "object", "required": ["links"], "properties": {"title": {"type": "string"}, "description": {"type": "string"}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}}},
            "confClasses": {"type": "object", "required": ["conformsTo"], "properties": {"conformsTo": {"type": "array", "items": {"type": "string"}}}},
            "collection": {"type": "object", "required": ["id", "links"], "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}, "extent": {"type": "object"}, "itemType": {"type": "string"}, "crs": {"type": "array", "items": {"type": "string"}}}},
            "collections": {"type": "object", "required": ["links", "collections"], "properties": {"links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}, "collections": {"type": "array", "items": {"$ref": "#/components/schemas/collection"}}}},
            "geometryGeoJSON": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["Polygon", "MultiPolygon", "LineString", "MultiLineString"]}, "coordinates": {"type": "array"}}},
            "featureGeoJSON": {"type": "object", "required": ["type", "geometry", "properties"], "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"}, "geometry": {"$ref": "#/components/schemas/geometryGeoJSON"}, "properties": {"type": "object", "nullable": true}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}}},
            "featureCollectionGeoJSON": {"type": "object", "required": ["type", "features"], "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {"type": "array", "items": {"$ref": "#/components/schemas/featureGeoJSON"}}, "links": {"type": "array", "items": {"$ref": "#/components/schemas/link"}}, "timeStamp": {"type": "string", "format": "date-time"}, "numberMatched": {"type": "integer", "minimum": 0}, "numberReturned": {"type": "integer", "minimum": 0}}},
            "problem": {"type": "object", "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}}}},
            "importReport": {"type": "object", "properties": {"import_id": {"type": "integer"}, "collection": {"type": "string"}, "source_crs": {"type": "string"}, "features": {"type": "integer"}, "inserted": {"type": "integer"}, "updated": {"type": "integer"}, "rejected": {"type": "integer"}, "total_area": {"type": "object", "properties": {"m2": {"type": "number"}, "ha": {"type": "number"}, "mu": {"type": "number"}}}, "rejects": {"type": "array", "items": {"type": "object"}}}}
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A token from `landreuse token create --role gis --name NAME`."}}
    })
}

fn imports_path() -> Value {
    json!({"post": {
        "summary": "Import GeoJSON survey data", "operationId": "create_import",
        "description": "A FeatureCollection (as written by ogr2ogr -f GeoJSON) or newline-delimited GeoJSON features. All-or-nothing unless skip_invalid=true. Needs the gis or admin role.",
        "security": [{"bearer": []}],
        "parameters": [
            {"name": "collection", "in": "query", "required": false, "schema": {"type": "string", "enum": ["parcels", "zones", "roads"], "default": "parcels"}},
            {"name": "crs", "in": "query", "required": false, "description": "Source CRS (CRS84, EPSG:4326, 4490, 4551, 4530, 3857, or GCJ02 for AMap/Tencent coordinates); default the file's crs member, else CRS84.", "schema": {"type": "string"}},
            {"name": "axis_order", "in": "query", "required": false, "description": "Axis order of the positions: east-north (longitude or easting first, as GeoJSON files are written) or north-east.", "schema": {"type": "string", "enum": ["east-north", "north-east"], "default": "east-north"}},
            {"name": "map", "in": "query", "required": false, "description": "Field renames target=source, comma-separated (land_use=GB_Code,owner=QLRMC).", "schema": {"type": "string"}},
            {"name": "skip_invalid", "in": "query", "required": false, "schema": {"type": "boolean", "default": false}}
        ],
        "requestBody": {"required": true, "content": {
            "application/geo+json": {"schema": {"$ref": "#/components/schemas/featureCollectionGeoJSON"}},
            "application/geo+json-seq": {"schema": {"type": "string"}}}},
        "responses": {
            "201": {"description": "Imported.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/importReport"}}}},
            "400": problem("The body is not GeoJSON features, or a parameter is wrong."),
            "401": problem("No valid bearer token."),
            "403": problem("The token's role may not import."),
            "413": problem("The body is larger than the upload limit."),
            "422": problem("Some features are invalid; nothing was imported.")
        }
    }})
}

fn op(
    summary: &str,
    id: &str,
    secured: bool,
    params: Value,
    body: bool,
    ok: (&str, &str),
) -> Value {
    let mut o = json!({"summary": summary, "operationId": id, "parameters": params,
        "responses": {ok.0: {"description": ok.1, "content": {"application/json": {"schema": {"type": "object"}}}},
                      "400": problem("The request is malformed."), "404": problem("No such case, parcel or enterprise.")}});
    if secured {
        o["security"] = json!([{"bearer": []}]);
        o["responses"]["401"] = problem("No valid bearer token.");
        o["responses"]["403"] = problem("The token's role is not planner (or admin).");
        o["responses"]["409"] = problem("A stale version, a forbidden transition, a parcel in another open case, or a taken name.");
        o["responses"]["422"] =
            problem("A rule of the programme is broken (the message says which).");
    }
    if body {
        o["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": {"type": "object"}}}});
    }
    o
}

/// The domain endpoints of the 腾笼换鸟 workflow (docs/workflow.md).
fn workflow_paths(paths: &mut Map<String, Value>) {
    let q = |name: &str, d: &str| json!({"name": name, "in": "query", "required": false, "description": d, "schema": {"type": "string"}});
    let p = |name: &str, d: &str| json!({"name": name, "in": "path", "required": true, "description": d, "schema": {"type": "string"}});
    paths.insert("/reallocations".into(), json!({
        "get": op("Reallocation cases, with the expansion-in-place totals", "list_reallocations", false,
                  json!([q("kind", "reserve, relocation, redevelopment or expansion"), q("stage", "A stage code"), q("zone", "south, north or bonded"), q("enterprise", "The firm")]), false, ("200", "The cases.")),
        "post": op("Open a case (planner)", "open_reallocation", true, json!([]), true, ("201", "The case, with ETag \"1\"."))}));
    paths.insert("/reallocations/{caseId}".into(), json!({
        "get": op("One case with its full event history; ETag is its version", "get_reallocation", false, json!([p("caseId", "Case code, RC-00012")]), false, ("200", "The case."))}));
    let mut transition = op(
        "Move a case to another stage (planner)",
        "transition_reallocation",
        true,
        json!([p("caseId", "Case code"), {"name": "If-Match", "in": "header", "required": true, "description": "The case version decided on, e.g. \"3\"", "schema": {"type": "string"}}]),
        true,
        ("200", "The case at its new stage."),
    );
    transition["responses"]["428"] = problem("If-Match is missing.");
    paths.insert(
        "/reallocations/{caseId}/transitions".into(),
        json!({"post": transition}),
    );
    paths.insert("/parcels/{parcelId}/history".into(), json!({
        "get": op("Every event of a parcel, with what changed", "parcel_history", false, json!([p("parcelId", "Parcel code")]), false, ("200", "The events, oldest first."))}));
    paths.insert("/parcels/{parcelId}/split".into(), json!({
        "post": op("Split a reserved parcel into lots (planner)", "split_parcel", true, json!([p("parcelId", "Parcel code")]), true, ("201", "The lots."))}));
    paths.insert("/parcels/merge".into(), json!({
        "post": op("Merge adjacent reserved parcels (planner)", "merge_parcels", true, json!([]), true, ("201", "The merged parcel."))}));
    paths.insert("/enterprises".into(), json!({
        "get": op("Firms with figures, land and 亩均效益 grade", "list_enterprises", false,
                  json!([q("grade", "A, B, C, D or ungraded"), q("industry_chain", "Industry chain code"), q("zone", "Zone of most of its land")]), false, ("200", "The firms.")),
        "post": op("Add a firm (planner)", "create_enterprise", true, json!([]), true, ("201", "The firm with its grade."))}));
    paths.insert("/enterprises/{enterpriseId}".into(), json!({
        "get": op("One firm with its parcels", "get_enterprise", false, json!([p("enterpriseId", "Enterprise id")]), false, ("200", "The firm.")),
        "patch": op("Correct a firm's figures (planner)", "update_enterprise", true, json!([p("enterpriseId", "Enterprise id")]), true, ("200", "The firm, regraded."))}));
    let mut report = op(
        "The land-reserve decision report (土地储备决策报告)",
        "land_reserve_report",
        false,
        json!([
            q(
                "f",
                "html (self-contained A4 page), csv (every figure with its parcel ids) or json"
            ),
            q("zone", "south, north or bonded"),
            q("subdistrict", "A sub-district code"),
            q(
                "bbox",
                "minlon,minlat,maxlon,maxlat (CRS84): parcels meeting the box"
            ),
            q(
                "area",
                "A GeoJSON Polygon or MultiPolygon (CRS84): parcels meeting it"
            ),
            q(
                "as_of",
                "YYYY-MM-DD (end of the day, UTC+8) or an RFC 3339 time: the data as it stood then"
            )
        ]),
        false,
        ("200", "The report."),
    );
    report["responses"]["200"]["content"]["text/html"] = json!({"schema": {"type": "string"}});
    report["responses"]["200"]["content"]["text/csv"] = json!({"schema": {"type": "string"}});
    paths.insert("/reports/land-reserve".into(), json!({"get": report}));
}

/// The OpenAPI 3.0 document.
pub fn definition(base: &str) -> Value {
    let mut paths = Map::new();
    paths.insert(
        "/".into(),
        simple_get(
            "Landing page",
            "get_landing_page",
            "#/components/schemas/landingPage",
        ),
    );
    paths.insert(
        "/conformance".into(),
        simple_get(
            "Conformance classes",
            "get_conformance",
            "#/components/schemas/confClasses",
        ),
    );
    paths.insert("/api".into(), json!({"get": {"summary": "This API definition", "operationId": "get_api",
        "parameters": [{"$ref": "#/components/parameters/f"}],
        "responses": {"200": {"description": "The OpenAPI 3.0 document.", "content": {"application/vnd.oai.openapi+json;version=3.0": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}}}}}}));
    paths.insert(
        "/collections".into(),
        simple_get(
            "The feature collections",
            "get_collections",
            "#/components/schemas/collections",
        ),
    );
    for c in Collection::ALL {
        collection_paths(c, &mut paths);
    }
    paths.insert("/imports".into(), imports_path());
    workflow_paths(&mut paths);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "landreuse — Changchun ETDZ land reuse",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "OGC API – Features (Part 1: core, GeoJSON, HTML, OpenAPI 3.0; Part 2: CRS by reference; Part 3: queryables) for the land parcels, zones and roads of the Changchun Economic and Technological Development Zone, and the domain endpoints of the land-reuse programme.",
            "license": {"name": "MIT OR Apache-2.0"}
        },
        "servers": [{"url": base}],
        "paths": paths,
        "components": components(),
    })
}
