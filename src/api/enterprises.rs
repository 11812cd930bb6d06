//! `/enterprises`: the zone's firms with their figures, land and 亩均效益 grade, and the
//! parcels each uses.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::auth::require;
use super::{base_url, params, ApiError, AppState};
use crate::auth::Role;
use crate::domain::Collection;
use crate::index::Query;
use crate::store::EnterpriseRecord;
use crate::workflow::enterprises;

fn body_of(e: &EnterpriseRecord, base: &str) -> Value {
    let mut v = serde_json::to_value(e).unwrap_or_default();
    v["links"] = json!([
        {"href": format!("{base}/enterprises/{}", e.id), "rel": "self", "type": "application/json"},
        {"href": format!("{base}/collections/parcels/items?owner={}", urlencode(&e.enterprise.name)),
         "rel": "related", "type": "application/geo+json", "title": "The firm's parcels"},
    ]);
    v
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}

async fn find(state: &AppState, id: &str) -> Result<EnterpriseRecord, ApiError> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::NotFound(format!("there is no enterprise {id:?}; ids are numbers"))
    })?;
    state
        .store
        .enterprises()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no enterprise {id}")))
}

/// `GET /enterprises?grade=&industry_chain=&zone=`
pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(&pairs, &["grade", "industry_chain", "zone"])?;
    let base = base_url(&state.settings, &headers);
    let list: Vec<Value> = state
        .store
        .enterprises()
        .await?
        .iter()
        .map(|e| body_of(e, &base))
        .filter(|v| {
            pairs.iter().all(|(k, want)| match (k.as_str(), &v[k]) {
                ("grade", Value::Null) => want == "ungraded",
                (_, Value::String(s)) => s == want,
                _ => false,
            })
        })
        .collect();
    Ok(axum::Json(json!({"numberMatched": list.len(), "enterprises": list})).into_response())
}

/// `GET /enterprises/{id}` with the parcels the firm uses.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let e = find(&state, &id).await?;
    let base = base_url(&state.settings, &headers);
    let mut body = body_of(&e, &base);
    let page = state.index.read(Collection::Parcels).query(&Query {
        filters: vec![("owner".into(), vec![e.enterprise.name.clone()])],
        limit: 10_000,
        ..Query::default()
    });
    let parcels: Vec<Value> = page
        .features
        .iter()
        .map(|f| {
            let p = f.properties();
            json!({"id": f.code, "zone": p.get("zone"), "land_use": p.get("land_use"),
                   "status": p.get("status"), "area_m2": p.get("area_m2"), "area_mu": p.get("area_mu"),
                   "href": format!("{base}/collections/parcels/items/{}", f.code)})
        })
        .collect();
    body["parcels"] = Value::from(parcels);
    Ok(axum::Json(body).into_response())
}

fn object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::BadRequest(
            "the body must be a JSON object".into(),
        )),
        Err(e) => Err(ApiError::BadRequest(format!("the body is not JSON: {e}"))),
    }
}

/// `POST /enterprises` (planner)
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let e = enterprises::from_json(&object(&body)?)?;
    let record = enterprises::create(state.store.as_ref(), &holder.name, e, &state.grading).await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    Ok((StatusCode::CREATED, axum::Json(body_of(&record, &base))).into_response())
}

/// `PATCH /enterprises/{id}` (planner)
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let current = find(&state, &id).await?;
    let patch = object(&body)?;
    let record = enterprises::update(
        state.store.as_ref(),
        &holder.name,
        current.id,
        &patch,
        &state.grading,
    )
    .await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    Ok(axum::Json(body_of(&record, &base)).into_response())
}
