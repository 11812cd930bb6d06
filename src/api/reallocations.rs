//! The 腾笼换鸟 workflow over HTTP: reallocation cases and their transitions (with
//! `If-Match` on the case version), and the event history of any parcel.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::auth::require;
use super::html::segment;
use super::params::Params;
use super::schemas::{text, CaseBody, CaseList, CaseParcelState, Link};
use super::{base_url, ApiError, AppState};
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
) -> Result<CaseBody, ApiError> {
    let kind = case.properties.get("kind").and_then(Value::as_str);
    let stage = case.properties.get("stage").and_then(Value::as_str);
    let allowed_next = match (
        kind.map(str::parse::<CaseKind>),
        stage.map(str::parse::<Stage>),
    ) {
        (Some(Ok(kind)), Some(Ok(stage))) => Some(
            reallocation::allowed_next(kind, stage)
                .iter()
                .map(|s| s.code().to_string())
                .collect(),
        ),
        _ => None,
    };
    let parcel_states = parcel_states(state, case, base);
    let events = if with_history {
        Some(
            state
                .store
                .feature_history(Collection::Reallocations, &case.code)
                .await?,
        )
    } else {
        None
    };
    let code = segment(&case.code);
    Ok(CaseBody {
        id: case.code.clone(),
        properties: case.properties.clone(),
        allowed_next,
        parcel_states,
        events,
        links: vec![
            Link::new(
                format!("{base}/reallocations/{code}"),
                "self",
                "application/json",
                None,
            ),
            Link::new(
                format!("{base}/collections/reallocations/items/{code}"),
                "alternate",
                "application/geo+json",
                Some("The case as a GeoJSON feature"),
            ),
        ],
    })
}

/// The case's parcels as they stand in the index.
fn parcel_states(state: &AppState, case: &FeatureRecord, base: &str) -> Vec<CaseParcelState> {
    let index = state.index.read(Collection::Parcels);
    case.properties
        .get("parcels")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| match index.get(c) {
            Some(f) => {
                let p = f.properties();
                CaseParcelState {
                    id: c.to_string(),
                    status: text(&p, "status"),
                    owner: text(&p, "owner"),
                    land_use: text(&p, "land_use"),
                    zone: text(&p, "zone"),
                    area_mu: p.get("area_mu").and_then(Value::as_f64),
                    grade: text(&p, "grade"),
                    href: Some(format!("{base}/collections/parcels/items/{}", segment(c))),
                }
            }
            None => CaseParcelState {
                id: c.to_string(),
                status: Some("no longer stored (split or merged)".into()),
                owner: None,
                land_use: None,
                zone: None,
                area_mu: None,
                grade: None,
                href: None,
            },
        })
        .collect()
}

fn version_of(case: &FeatureRecord) -> i64 {
    case.properties
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn json_with_etag(status: StatusCode, body: CaseBody, version: i64) -> Response {
    let mut r = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{version}\"")) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
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
    Params(_): Params<super::params::NoQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let req: OpenCase = super::body::json(&body, "case")?;
    let case = cases::open(state.store.as_ref(), &holder.name, &req).await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    let body = case_body(&state, &case, &base, true).await?;
    let mut r = json_with_etag(StatusCode::CREATED, body, version_of(&case));
    if let Ok(v) = HeaderValue::from_str(&format!("{base}/reallocations/{}", segment(&case.code))) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// The query of the case list: each an equality filter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// reserve, relocation, redevelopment or expansion.
    #[schemars(with = "Option<CaseKind>")]
    pub kind: Option<String>,
    /// A stage code.
    #[schemars(with = "Option<Stage>")]
    pub stage: Option<String>,
    /// south, north or bonded.
    pub zone: Option<String>,
    /// The firm.
    pub enterprise: Option<String>,
}

/// `GET /reallocations?kind=&stage=&zone=`
pub async fn list(
    State(state): State<AppState>,
    Params(q): Params<ListQuery>,
    headers: HeaderMap,
) -> Result<axum::Json<CaseList>, ApiError> {
    let wanted: Vec<(&str, &str)> = [
        ("kind", &q.kind),
        ("stage", &q.stage),
        ("zone", &q.zone),
        ("enterprise", &q.enterprise),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
    .collect();
    for (k, v) in &wanted {
        if let Some(allowed) = Collection::Reallocations.allowed_values(k) {
            if !allowed.contains(v) {
                return Err(ApiError::BadRequest(format!(
                    "parameter {k}={v} is refused: expected one of {}",
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
            wanted
                .iter()
                .all(|(k, v)| r.properties.get(*k).and_then(Value::as_str) == Some(*v))
        })
        .collect();
    let mut cases = Vec::with_capacity(records.len());
    for r in &records {
        cases.push(case_body(&state, r, &base, false).await?);
    }
    Ok(axum::Json(CaseList {
        number_matched: cases.len(),
        expansion: expansion_summary(&records),
        cases,
    }))
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
    Params(_): Params<super::params::NoQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let case = load_case(&state, &code).await?;
    let base = base_url(&state.settings, &headers);
    let body = case_body(&state, &case, &base, true).await?;
    Ok(json_with_etag(StatusCode::OK, body, version_of(&case)))
}

/// The body of a transition.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The stage to move to (one of the case's `allowed_next`).
    #[schemars(with = "Stage")]
    pub to: String,
    /// Why (recorded with the event).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /reallocations/{id}/transitions` (planner; `If-Match: "VERSION"`)
pub async fn transition(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Params(_): Params<super::params::NoQuery>,
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
    let req: TransitionRequest = super::body::json(&body, "transition")?;
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
