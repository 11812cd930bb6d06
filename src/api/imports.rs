//! `POST /imports`: GeoJSON survey data uploaded by GIS staff.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::auth::require;
use super::params;
use super::{ApiError, AppState};
use crate::auth::Role;
use crate::domain::Collection;
use crate::import::{self, AxisOrder, Crs, FieldMap, ImportOptions};

const MEDIA_TYPES: &[&str] = &[
    "application/geo+json",
    "application/json",
    "application/geo+json-seq",
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
];

/// `POST /imports?collection=parcels&crs=EPSG:4551&axis_order=north-east&map=…&skip_invalid=true`
pub async fn create(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Gis).await?;
    let holder_name = holder.name.clone();
    let opts = options(&state, raw.as_deref(), holder.name)?;
    check_media_type(&headers)?;
    let limit = state.settings.max_upload_bytes;
    let too_large = |size: String| {
        ApiError::PayloadTooLarge(format!(
            "the upload is {size}; imports over HTTP are limited to {} MB — import bigger files with `landreuse import FILE` on the server",
            limit / (1024 * 1024)
        ))
    };
    if let Some(length) = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if length > limit {
            return Err(too_large(format!("{length} bytes")));
        }
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large("larger than that".into()))?;
    let report =
        import::run_import(state.store.as_ref(), std::io::Cursor::new(bytes), opts).await?;
    if report.collection == Collection::Parcels.id() {
        // Land changed: the firms' grades follow.
        crate::workflow::grading::regrade(
            state.store.as_ref(),
            &holder_name,
            &state.grading,
            &format!("import {}", report.import_id),
        )
        .await?;
    }
    state.index.catch_up(state.store.as_ref()).await?;
    Ok((StatusCode::CREATED, axum::Json(report)).into_response())
}

fn options(state: &AppState, raw: Option<&str>, actor: String) -> Result<ImportOptions, ApiError> {
    let pairs = params::pairs(raw)?;
    params::reject_unknown(
        &pairs,
        &["collection", "crs", "axis_order", "map", "skip_invalid"],
    )?;
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let collection: Collection = get("collection")
        .unwrap_or("parcels")
        .parse()
        .map_err(ApiError::BadRequest)?;
    let crs = get("crs")
        .map(Crs::parse)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let axis_order = get("axis_order")
        .map(AxisOrder::parse)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let field_map =
        FieldMap::parse(get("map").unwrap_or(""), collection).map_err(ApiError::BadRequest)?;
    let skip_invalid = match get("skip_invalid") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "skip_invalid={other} is not true or false"
            )))
        }
    };
    Ok(ImportOptions {
        collection,
        crs,
        axis_order,
        field_map,
        skip_invalid,
        actor,
        source_name: "upload".into(),
        zones: state.zone_locator(),
    })
}

fn check_media_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if MEDIA_TYPES.contains(&essence.as_str()) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "the body is {essence}; send GeoJSON as one of {}",
            MEDIA_TYPES.join(", ")
        )))
    }
}
