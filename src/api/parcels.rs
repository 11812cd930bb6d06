//! Parcel operations of the land reserve: the event history of a parcel, splitting
//! reserved land into lots and merging adjacent reserved parcels.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use schemars::JsonSchema;
use serde::Deserialize;

use super::auth::require;
use super::params::{NoQuery, Params};
use super::schemas::{History, MergeResult, SplitResult};
use super::{ApiError, AppState};
use crate::auth::Role;
use crate::domain::Collection;
use crate::workflow::parcels::{self, Lot};

/// `GET /parcels/{id}/history`: every event of a parcel, oldest first, with what changed.
pub async fn parcel_history(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Params(_): Params<NoQuery>,
) -> Result<Json<History>, ApiError> {
    let events = state
        .store
        .feature_history(Collection::Parcels, &code)
        .await?;
    if events.is_empty() {
        return Err(ApiError::NotFound(format!(
            "parcel {code} has no history: there is no such parcel"
        )));
    }
    Ok(Json(History {
        parcel: code,
        events,
    }))
}

/// The body of a split.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// The lots, each a geometry in CRS84 with an optional code.
    pub lots: Vec<Lot>,
    /// Why (recorded with the event).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /parcels/{id}/split` (planner): the lots must lie inside the parcel, not overlap
/// and keep its area within 0.1 %.
pub async fn split(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Params(_): Params<NoQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<SplitResult>), ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let req: SplitRequest = super::body::json(&body, "split")?;
    let lots = parcels::split(
        state.store.as_ref(),
        &holder.name,
        &code,
        &req.lots,
        req.reason.as_deref(),
    )
    .await?;
    state.index.catch_up(state.store.as_ref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(SplitResult {
            split: code,
            lots: lots.into_iter().map(|l| l.code).collect(),
        }),
    ))
}

/// The body of a merge.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// Codes of the adjacent reserved parcels to merge.
    pub parcels: Vec<String>,
    /// Code of the merged parcel (default: a new code).
    #[serde(default)]
    pub code: Option<String>,
    /// Why (recorded with the event).
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /parcels/merge` (planner): adjacent reserved parcels become one.
pub async fn merge(
    State(state): State<AppState>,
    Params(_): Params<NoQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<MergeResult>), ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let req: MergeRequest = super::body::json(&body, "merge")?;
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
        Json(MergeResult {
            merged: req.parcels,
            parcel: merged.code,
        }),
    ))
}
