//! The 腾笼换鸟 workflow over HTTP: reallocation cases and their transitions (with
//! `If-Match` on the case version), and the event history of any parcel.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::auth::require;
use super::{base_url, params, ApiError, AppState};
use crate::auth::Role;
use crate::domain::reallocation::{self, CaseKind, Stage};
use crate::domain::{Collection, FeatureRecord};
use crate::workflow::cases::{self, OpenCase};

/// A case as the API shows it: its properties, what it may do next, its parcels as
/// they stand, and (for one case) its history.
async fn case_body(
    state: &AppState,
    case: &FeatureRecord,
    base: &str,
    with_history: bool,
) -> Result<Value, ApiError> {
    let mut body = Map::new();
    body.insert("id".into(), json!(case.code));
    for (k, v) in &case.properties {
        body.insert(k.clone(), v.clone());
    }
    let kind = case.properties.get("kind").and_then(Value::as_str);
    let stage = case.properties.get("stage").and_then(Value::as_str);
    if let (Some(Ok(kind)), Some(Ok(stage))) = (
        kind.map(str::parse::<CaseKind>),
        stage.map(str::parse::<Stage>),
    ) {
        body.insert(
            "allowed_next".into(),
            json!(reallocation::allowed_next(kind, stage)
                .iter()
                .map(|s| s.code())
                .collect::<Vec<_>>()),
        );
    }
    let codes: Vec<String> = case
        .properties
        .get("parcels")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    let parcels: Vec<Value> = {
        let index = state.index.read(Collection::Parcels);
        codes
            .iter()
            .map(|c| match index.get(c) {
                Some(f) => {
                    let p = f.properties();
                    json!({"id": c, "status": p.get("status"), "owner": p.get("owner"),
                       "land_use": p.get("land_use"), "zone": p.get("zone"),
                       "area_mu": p.get("area_mu"), "grade": p.get("grade"),
                       "href": format!("{base}/collections/parcels/items/{c}")})
                }
                None => json!({"id": c, "status": "no longer stored (split or merged)"}),
            })
            .collect()
    };
    body.insert("parcel_states".into(), Value::from(parcels));
    if with_history {
        let events = state
            .store
            .feature_history(Collection::Reallocations, &case.code)
            .await?;
        body.insert(
            "events".into(),
            serde_json::to_value(events).unwrap_or_default(),
        );
    }
    body.insert(
        "links".into(),
        json!([
            {"href": format!("{base}/reallocations/{}", case.code), "rel": "self", "type": "application/json"},
            {"href": format!("{base}/collections/reallocations/items/{}", case.code), "rel": "alternate", "type": "application/geo+json", "title": "The case as a GeoJSON feature"},
        ]),
    );
    Ok(Value::Object(body))
}

fn version_of(case: &FeatureRecord) -> i64 {
    case.properties
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn json_with_etag(status: StatusCode, body: Value, version: i64) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

fn read_json<T: for<'de> Deserialize<'de>>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the {what} cannot be read: {e}")))
}

async fn load_case(state: &AppState, code: &str) -> Result<FeatureRecord, ApiError> {
    state
        .store
        .features_by_codes(Collection::Reallocations, &[code.to_string()])
        .await?
        .pop()
        .ok_or_else(|| ApiError::NotFound(format!("there is no reallocation case {code}")))
}

/// `POST /reallocations` (planner)
pub async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let req: OpenCase = read_json(&body, "case")?;
    let case = cases::open(state.store.as_ref(), &holder.name, &req).await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    let body = case_body(&state, &case, &base, true).await?;
    let mut r = json_with_etag(StatusCode::CREATED, body, version_of(&case));
    if let Ok(v) = HeaderValue::from_str(&format!("{base}/reallocations/{}", case.code)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// `GET /reallocations?kind=&stage=&zone=`
pub async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(&pairs, &["kind", "stage", "zone", "enterprise"])?;
    for (k, v) in &pairs {
        if let Some(allowed) = Collection::Reallocations.allowed_values(k) {
            if !allowed.contains(&v.as_str()) {
                return Err(ApiError::BadRequest(format!(
                    "{k}={v} is not a value of {k}; use one of {}",
                    allowed.join(", ")
                )));
            }
        }
    }
    let base = base_url(&state.settings, &headers);
    let records: Vec<FeatureRecord> = state
        .index
        .read(Collection::Reallocations)
        .all()
        .iter()
        .map(|f| f.to_record())
        .filter(|r| {
            pairs
                .iter()
                .all(|(k, v)| r.properties.get(k).and_then(Value::as_str) == Some(v))
        })
        .collect();
    let mut cases = Vec::with_capacity(records.len());
    for r in &records {
        cases.push(case_body(&state, r, &base, false).await?);
    }
    let expansion = expansion_summary(&records);
    Ok(
        axum::Json(json!({"numberMatched": cases.len(), "expansion": expansion, "cases": cases}))
            .into_response(),
    )
}

/// 存量扩能 totals of the listed expansion cases: firms at intention, started and
/// completed, and the planned new output value.
fn expansion_summary(records: &[FeatureRecord]) -> reallocation::ExpansionTotals {
    reallocation::expansion_totals(records.iter().filter_map(|r| {
        let p = &r.properties;
        if p.get("kind").and_then(Value::as_str) != Some(CaseKind::Expansion.code()) {
            return None;
        }
        let stage = p
            .get("stage")
            .and_then(Value::as_str)?
            .parse::<Stage>()
            .ok()?;
        let planned = p
            .get("planned_output_wan")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
        Some((stage, planned))
    }))
}

/// `GET /reallocations/{id}` with its full history.
pub async fn show(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let case = load_case(&state, &code).await?;
    let base = base_url(&state.settings, &headers);
    let body = case_body(&state, &case, &base, true).await?;
    Ok(json_with_etag(StatusCode::OK, body, version_of(&case)))
}

/// The body of a transition.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionRequest {
    to: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /reallocations/{id}/transitions` (planner; `If-Match: "VERSION"`)
pub async fn transition(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::PreconditionRequired(format!(
                "a transition needs If-Match with the case version you decided on (the ETag of GET /reallocations/{code}, e.g. If-Match: \"3\")"
            ))
        })?;
    let version: i64 = if_match
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "If-Match {if_match} is not a case version; send the ETag of the case, e.g. \"3\""
            ))
        })?;
    let req: TransitionRequest = read_json(&body, "transition")?;
    let case = cases::transition(
        state.store.as_ref(),
        &holder.name,
        &code,
        version,
        &req.to,
        req.reason.as_deref(),
        Some(&state.grading),
    )
    .await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    let body = case_body(&state, &case, &base, true).await?;
    Ok(json_with_etag(StatusCode::OK, body, version_of(&case)))
}
