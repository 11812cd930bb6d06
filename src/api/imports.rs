//! `POST /imports`: GeoJSON survey data uploaded by GIS staff.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;

use super::auth::require;
use super::params::values::Flag;
use super::params::Params;
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

/// The query of `POST /imports`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The collection to import into: parcels (default), zones, roads, schools or projects.
    pub collection: Option<String>,
    /// Source CRS (CRS84, EPSG:4326, 4490, 4551, 4530, 3857, or GCJ02 for AMap/Tencent
    /// coordinates); default the file's crs member, else CRS84.
    pub crs: Option<String>,
    /// Axis order of the positions: east-north (longitude or easting first, as GeoJSON
    /// files are written) or north-east.
    #[schemars(extend("enum" = ["east-north", "north-east"]))]
    pub axis_order: Option<String>,
    /// Field renames target=source, comma-separated (land_use=GB_Code,owner=QLRMC).
    pub map: Option<String>,
    /// Import the valid features and list the invalid ones (default false: all or nothing).
    pub skip_invalid: Option<Flag>,
}

/// `POST /imports?collection=parcels&crs=EPSG:4551&axis_order=north-east&map=…&skip_invalid=true`
pub async fn create(
    State(state): State<AppState>,
    Params(q): Params<ImportQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let holder = require(&state, &headers, Role::Gis).await?;
    let opts = options(&state, &q, holder.name)?;
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
    let _permit = super::heavy::permit(&state).await?;
    let report =
        import::run_import(state.store.as_ref(), std::io::Cursor::new(bytes), opts).await?;
    state.index.catch_up(state.store.as_ref()).await?;
    Ok((StatusCode::CREATED, axum::Json(report)).into_response())
}

fn options(state: &AppState, q: &ImportQuery, actor: String) -> Result<ImportOptions, ApiError> {
    let collection: Collection = q
        .collection
        .as_deref()
        .unwrap_or("parcels")
        .parse()
        .map_err(ApiError::BadRequest)?;
    let crs = q
        .crs
        .as_deref()
        .map(Crs::parse)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let axis_order = q
        .axis_order
        .as_deref()
        .map(AxisOrder::parse)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let field_map = FieldMap::parse(q.map.as_deref().unwrap_or(""), collection)
        .map_err(ApiError::BadRequest)?;
    let skip_invalid = q.skip_invalid.unwrap_or_default().0;
    Ok(ImportOptions {
        collection,
        crs,
        axis_order,
        field_map,
        skip_invalid,
        actor,
        source_name: "upload".into(),
        zones: state.zone_locator(),
        regrade: Some(state.grading.clone()),
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
