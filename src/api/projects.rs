//! Public projects over the domain API: `POST/PATCH /projects` and `/schools` (planner),
//! written through the import pipeline (so every check of an import applies and every
//! change is an event), and `GET /targets` computed from the projects as they stand.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::auth::require;
use super::params::{NoQuery, Params};
use super::schemas::{ProjectPatch, Targets};
use super::{ApiError, AppState};
use crate::auth::Role;
use crate::domain::projects;
use crate::domain::Collection;
use crate::import::{self, FieldMap, ImportOptions};

fn feature_of(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match super::body::json_value(body, "feature")? {
        Value::Object(m) if m.get("type").and_then(Value::as_str) == Some("Feature") => Ok(m),
        _ => Err(ApiError::BadRequest(
            "the body must be a GeoJSON Feature (type \"Feature\", geometry, properties)".into(),
        )),
    }
}

/// Writes one feature of `c` through the import pipeline as `actor`; returns its code.
async fn write(
    state: &AppState,
    c: Collection,
    feature: Value,
    actor: String,
) -> Result<String, ApiError> {
    let fc = json!({"type": "FeatureCollection", "features": [feature]});
    let opts = ImportOptions {
        collection: c,
        crs: None,
        axis_order: None,
        field_map: FieldMap::default(),
        skip_invalid: false,
        actor,
        source_name: format!("{c} API"),
        zones: state.zone_locator(),
        regrade: None,
    };
    let bytes =
        serde_json::to_vec(&fc).map_err(|e| ApiError::internal("the feature as JSON", e))?;
    let report =
        import::run_import(state.store.as_ref(), std::io::Cursor::new(bytes), opts).await?;
    state.index.catch_up(state.store.as_ref()).await?;
    report
        .codes
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::invariant("the project was written without a code"))
}

fn served(state: &AppState, c: Collection, code: &str) -> Result<Value, ApiError> {
    let f = state
        .index
        .read(c)
        .get(code)
        .ok_or_else(|| ApiError::NotFound(format!("{c} has no feature {code}")))?;
    serde_json::from_str(&f.json)
        .map_err(|e| ApiError::internal(format!("the stored JSON of {c} {code}"), e))
}

/// `POST /projects` or `POST /schools`: a new project as a GeoJSON Feature (CRS84).
async fn create(
    state: AppState,
    c: Collection,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let mut f = feature_of(body)?;
    let code = f
        .get("id")
        .and_then(Value::as_str)
        .or_else(|| {
            f.get("properties")
                .and_then(|p| p.get("project_id"))
                .and_then(Value::as_str)
        })
        .map(str::to_string);
    if let Some(code) = &code {
        if state.index.read(c).get(code).is_some() {
            return Err(ApiError::Conflict(format!(
                "{c} already has {code}; change it with PATCH /{c}/{code}"
            )));
        }
        f.insert("id".into(), json!(code));
    }
    let code = write(&state, c, Value::Object(f), holder.name).await?;
    Ok((StatusCode::CREATED, axum::Json(served(&state, c, &code)?)).into_response())
}

/// `PATCH /projects/{id}` or `/schools/{id}`: properties to change (and optionally a new
/// geometry), as a partial GeoJSON Feature or a plain object of properties.
async fn update(
    state: AppState,
    c: Collection,
    code: String,
    headers: HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let patch: ProjectPatch = super::body::json(
        body,
        "change (a JSON object of properties or a partial GeoJSON Feature)",
    )?;
    let (patch_props, patch_geometry) = match patch.kind.as_deref() {
        Some("Feature") => (patch.properties.unwrap_or_default(), patch.geometry),
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "the body has type {other:?}; send a partial Feature (type \"Feature\") or a plain object of properties"
            )))
        }
        None => {
            let mut plain = patch.plain;
            if let Some(p) = patch.properties {
                plain.insert("properties".into(), Value::Object(p));
            }
            if let Some(g) = patch.geometry {
                plain.insert("geometry".into(), g);
            }
            (plain, None)
        }
    };
    let current = served(&state, c, &code)?;
    let mut props = current["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    // Served properties a client does not write: measures, and what the service derives.
    let derived = crate::workflow::features::derived_names(c);
    props.retain(|k, _| !derived.contains(&k.as_str()));
    for (k, v) in patch_props {
        if derived.contains(&k.as_str()) {
            return Err(ApiError::BadRequest(format!(
                "{k} is measured from the geometry on the ellipsoid; send a new geometry instead"
            )));
        }
        props.insert(k, v);
    }
    let feature = json!({
        "type": "Feature",
        "id": code,
        "properties": props,
        "geometry": patch_geometry.unwrap_or_else(|| current["geometry"].clone()),
    });
    let code = write(&state, c, feature, holder.name).await?;
    Ok(axum::Json(served(&state, c, &code)?).into_response())
}

/// `POST /projects`
pub async fn create_project(
    State(s): State<AppState>,
    Params(_): Params<NoQuery>,
    h: HeaderMap,
    b: axum::body::Bytes,
) -> Result<Response, ApiError> {
    create(s, Collection::Projects, h, &b).await
}

/// `POST /schools`
pub async fn create_school(
    State(s): State<AppState>,
    Params(_): Params<NoQuery>,
    h: HeaderMap,
    b: axum::body::Bytes,
) -> Result<Response, ApiError> {
    create(s, Collection::Schools, h, &b).await
}

/// `PATCH /projects/{id}`
pub async fn update_project(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Params(_): Params<NoQuery>,
    h: HeaderMap,
    b: axum::body::Bytes,
) -> Result<Response, ApiError> {
    update(s, Collection::Projects, code, h, &b).await
}

/// `PATCH /schools/{id}`
pub async fn update_school(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Params(_): Params<NoQuery>,
    h: HeaderMap,
    b: axum::body::Bytes,
) -> Result<Response, ApiError> {
    update(s, Collection::Schools, code, h, &b).await
}

/// `GET /targets`: each target of the programme with the planned, under-way and
/// completed amounts of the projects it counts.
pub async fn targets(
    State(state): State<AppState>,
    Params(_): Params<NoQuery>,
) -> Result<axum::Json<Targets>, ApiError> {
    type Listed = Vec<(String, Map<String, Value>)>;
    let mut by_collection: Vec<(Collection, Listed)> = Vec::new();
    for c in [Collection::Schools, Collection::Projects] {
        let list = state
            .index
            .read(c)
            .all()
            .iter()
            .map(|f| (f.code.to_string(), f.properties()))
            .collect();
        by_collection.push((c, list));
    }
    let features = |name: &str| -> Vec<(&str, &Map<String, Value>)> {
        by_collection
            .iter()
            .filter(|(c, _)| c.id() == name)
            .flat_map(|(_, list)| list.iter().map(|(code, p)| (code.as_str(), p)))
            .collect()
    };
    let progress = projects::progress(&state.targets, &features);
    Ok(axum::Json(Targets { targets: progress }))
}
