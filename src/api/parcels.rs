//! Parcel operations of the land reserve: the event history of a parcel, splitting
//! reserved land into lots and merging adjacent reserved parcels.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::auth::require;
use super::{ApiError, AppState};
use crate::auth::Role;
use crate::domain::Collection;
use crate::workflow::parcels::{self, Lot};

/// `GET /parcels/{id}/history`: every event of a parcel, oldest first, with what changed.
pub async fn parcel_history(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let events = state
        .store
        .feature_history(Collection::Parcels, &code)
        .await?;
    if events.is_empty() {
        return Err(ApiError::NotFound(format!(
            "parcel {code} has no history: there is no such parcel"
        )));
    }
    Ok(axum::Json(json!({"parcel": code, "events": events})).into_response())
}

/// The body of a split.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitRequest {
    lots: Vec<Lot>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /parcels/{id}/split` (planner): the lots must lie inside the parcel, not overlap
/// and keep its area within 0.1 %.
pub async fn split(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let req: SplitRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the split cannot be read: {e}")))?;
    let lots = parcels::split(
        state.store.as_ref(),
        &holder.name,
        &code,
        &req.lots,
        req.reason.as_deref(),
    )
    .await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let ids: Vec<&str> = lots.iter().map(|l| l.code.as_str()).collect();
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"split": code, "lots": ids})),
    )
        .into_response())
}

/// The body of a merge.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeRequest {
    parcels: Vec<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /parcels/merge` (planner): adjacent reserved parcels become one.
pub async fn merge(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let req: MergeRequest = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("the merge cannot be read: {e}")))?;
    let merged = parcels::merge(
        state.store.as_ref(),
        &holder.name,
        &req.parcels,
        req.code.as_deref(),
        req.reason.as_deref(),
    )
    .await?;
    state.index.catch_up(state.store.as_ref()).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({"merged": req.parcels, "parcel": merged.code})),
    )
        .into_response())
}
