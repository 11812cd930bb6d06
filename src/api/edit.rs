//! OGC API – Features Part 4 over the feature collections: `POST /collections/{id}/items`,
//! `PUT`, `PATCH` (JSON Merge Patch) and `DELETE` on `/items/{featureId}`, and `OPTIONS`
//! on both, with optimistic locking by entity tags (`ETag`, `If-Match`) and by
//! timestamps (`Last-Modified`, `If-Unmodified-Since`).
//!
//! The HTTP side only: the headers and the body are read here, the edit itself is
//! [`crate::workflow::features`]. Who may edit: gis and admin tokens edit every collection
//! of land records; planner tokens edit schools and projects; reallocation cases change
//! only through the case endpoints.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::auth::require;
use super::ogc::find_layer;
use super::{base_url, html, ApiError, AppState};
use crate::auth::Role;
use crate::crs::Crs;
use crate::domain::feature::served_text;
use crate::domain::{Collection, FeatureRecord, Layer};
use crate::store::TokenRecord;
use crate::workflow::cases;
use crate::workflow::features::{self, Change, EditContext, Precondition, Version};

/// The largest feature body a single-feature write reads (bulk data goes to
/// `POST /imports`).
pub const MAX_FEATURE_BYTES: usize = 8 * 1024 * 1024;

/// Media types of a feature in a `POST` or `PUT` body.
pub const ACCEPT_POST: &str = "application/geo+json, application/json";
/// The media type of a `PATCH` body.
pub const ACCEPT_PATCH: &str = "application/merge-patch+json";

const READ_METHODS: &str = "GET, HEAD, OPTIONS";

/// The roles whose tokens edit features of `layer` (none for the reallocation cases).
fn editors(layer: Layer) -> &'static [Role] {
    match layer {
        Layer::Reallocations => &[],
        Layer::Parcels | Layer::Zones | Layer::Roads => &[Role::Gis, Role::Admin],
        Layer::Schools | Layer::ProjectLines | Layer::ProjectAreas => {
            &[Role::Planner, Role::Gis, Role::Admin]
        }
    }
}

/// Whether a token with `role` edits features of `layer`.
pub fn may_edit(role: Role, layer: Layer) -> bool {
    editors(layer).contains(&role)
}

/// The roles that edit `layer`, for messages and the API document ("gis or admin").
pub fn editing_roles(layer: Layer) -> String {
    match editors(layer) {
        [] => "none (cases change through /reallocations)".into(),
        [only] => only.code().into(),
        [first @ .., last] => format!(
            "{} or {}",
            first
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>()
                .join(", "),
            last.code()
        ),
    }
}

/// The holder of the request's token, asked to be one who edits `layer`.
async fn editor(
    state: &AppState,
    headers: &HeaderMap,
    layer: Layer,
) -> Result<TokenRecord, ApiError> {
    if layer == Layer::Reallocations {
        return Err(read_only_cases());
    }
    // Any valid token first (401 names how to get one), then its role against the layer.
    let holder = require(state, headers, Role::Viewer).await?;
    if !may_edit(holder.role, layer) {
        return Err(ApiError::Forbidden(format!(
            "token {:?} has the {} role; editing {layer} needs the {} role",
            holder.name,
            holder.role,
            editing_roles(layer)
        )));
    }
    Ok(holder)
}

/// The holder of a token sent with a request that does not need one (OPTIONS): none when
/// no token is sent; an unknown token is still an error.
async fn optional_holder(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<TokenRecord>, ApiError> {
    if headers.get(header::AUTHORIZATION).is_none() {
        return Ok(None);
    }
    require(state, headers, Role::Viewer).await.map(Some)
}

fn read_only_cases() -> ApiError {
    ApiError::MethodNotAllowed(
        "the reallocations collection is read-only here: cases are opened with POST /reallocations and moved with POST /reallocations/{caseId}/transitions, so every change follows the case rules".into(),
    )
}

fn with_allow(mut r: Response, allow: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(allow) {
        r.headers_mut().insert(header::ALLOW, v);
    }
    r
}

/// The parcels held by open reallocation cases, from the index.
fn held_parcels(state: &AppState) -> HashSet<String> {
    let cases = state.index.read(Collection::Reallocations);
    let mut held = HashSet::new();
    for f in cases.all() {
        let p = f.properties();
        if cases::is_open_case(&p) {
            held.extend(cases::case_parcels(&p).map(str::to_string));
        }
    }
    held
}

/// `OPTIONS /collections/{collectionId}/items`: what this token may do to the
/// collection now.
pub async fn options_items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = find_layer(&id)?;
    let holder = optional_holder(&state, &headers).await?;
    let edits = holder.is_some_and(|h| may_edit(h.role, layer));
    let allow = if edits {
        "GET, HEAD, OPTIONS, POST"
    } else {
        READ_METHODS
    };
    let mut r = with_allow(StatusCode::OK.into_response(), allow);
    if layer != Layer::Reallocations {
        r.headers_mut()
            .insert("accept-post", HeaderValue::from_static(ACCEPT_POST));
    }
    Ok(r)
}

/// `OPTIONS /collections/{collectionId}/items/{featureId}`: what this token may do to
/// the feature now (nothing while an open case holds a parcel).
pub async fn options_item(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = find_layer(&id)?;
    let c = layer.collection();
    let feature = state.index.read(c).get(&fid).ok_or_else(|| {
        ApiError::NotFound(format!("collection {layer} has no feature with id {fid:?}"))
    })?;
    if Layer::serving(c, &feature.geometry) != layer {
        return Err(ApiError::NotFound(format!(
            "collection {layer} has no feature with id {fid:?}"
        )));
    }
    let holder = optional_holder(&state, &headers).await?;
    let held = c == Collection::Parcels && held_parcels(&state).contains(&fid);
    let edits = holder.is_some_and(|h| may_edit(h.role, layer)) && !held;
    let allow = if edits {
        "GET, HEAD, OPTIONS, PUT, PATCH, DELETE"
    } else {
        READ_METHODS
    };
    let mut r = with_allow(StatusCode::OK.into_response(), allow);
    if layer != Layer::Reallocations {
        r.headers_mut()
            .insert("accept-patch", HeaderValue::from_static(ACCEPT_PATCH));
    }
    Ok(r)
}

/// The media type of the body, without its parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
}

fn require_media(headers: &HeaderMap, accepted: &str, verb: &str) -> Result<(), ApiError> {
    let got = media_type(headers);
    if got
        .as_deref()
        .is_some_and(|m| accepted.split(", ").any(|a| a == m))
    {
        return Ok(());
    }
    Err(ApiError::UnsupportedMediaType(format!(
        "a {verb} body must be {} (Content-Type), not {}",
        accepted.replace(", ", " or "),
        got.as_deref().unwrap_or("without a Content-Type")
    )))
}

/// `Content-Crs` (Part 2 in a write, as `<URI>`): CRS84 when absent.
fn content_crs(headers: &HeaderMap) -> Result<Crs, ApiError> {
    let Some(v) = headers.get("content-crs") else {
        return Ok(Crs::Crs84);
    };
    let text = v
        .to_str()
        .map_err(|_| ApiError::BadRequest("the Content-Crs header is not ASCII text".into()))?;
    let uri = text.trim().trim_start_matches('<').trim_end_matches('>');
    Crs::parse_output(uri, "Content-Crs").map_err(|e| {
        ApiError::BadRequest(format!(
            "{e} (the header is written as <URI>, e.g. Content-Crs: <http://www.opengis.net/def/crs/EPSG/0/4551>)"
        ))
    })
}

/// `If-Match` (strong comparison; `*`), else `If-Unmodified-Since` (an HTTP-date).
fn precondition(headers: &HeaderMap) -> Result<Precondition, ApiError> {
    if let Some(v) = headers.get(header::IF_MATCH) {
        let text = v
            .to_str()
            .map_err(|_| ApiError::BadRequest("the If-Match header is not ASCII text".into()))?;
        let tags: Vec<String> = text
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        if tags.is_empty()
            || tags
                .iter()
                .any(|t| t != "*" && !(t.starts_with('"') || t.starts_with("W/\"")))
        {
            return Err(ApiError::BadRequest(format!(
                "If-Match: {text} is not a list of entity tags; send the ETag of the feature's last GET as it came, quotes included (e.g. If-Match: \"3f2a…\")"
            )));
        }
        return Ok(Precondition::IfMatch(tags));
    }
    if let Some(v) = headers.get(header::IF_UNMODIFIED_SINCE) {
        let text = v.to_str().unwrap_or("");
        let at = parse_http_date(text).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "If-Unmodified-Since: {text} is not an HTTP date; send the Last-Modified of the feature's last GET as it came (e.g. Fri, 04 Dec 2026 18:30:00 GMT)"
            ))
        })?;
        return Ok(Precondition::IfUnmodifiedSince(at));
    }
    Ok(Precondition::None)
}

const HTTP_DATE: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// An IMF-fixdate (RFC 9110, section 5.6.7) in seconds since 1970.
fn parse_http_date(text: &str) -> Option<i64> {
    time::PrimitiveDateTime::parse(text.trim(), HTTP_DATE)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// Seconds since 1970 as an IMF-fixdate.
pub fn http_date(seconds: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(HTTP_DATE).ok())
}

/// `ETag` and `Last-Modified` of a stored state.
pub fn version_headers(r: &mut Response, version: &Version) {
    if let Ok(v) = HeaderValue::from_str(&version.etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    if let Some(date) = version.modified_seconds().and_then(http_date) {
        if let Ok(v) = HeaderValue::from_str(&date) {
            r.headers_mut().insert(header::LAST_MODIFIED, v);
        }
    }
}

/// `Prefer: return=minimal` (RFC 7240) asks for no body; the default is the feature.
fn wants_minimal(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("return=minimal"))
}

fn body_of(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "the feature body passes {} MiB, the most a single-feature write reads; import large data with POST /imports",
                MAX_FEATURE_BYTES / (1024 * 1024)
            ))
        } else {
            ApiError::BadRequest(format!("the body could not be read: {e}"))
        }
    })
}

fn context(state: &AppState) -> EditContext {
    EditContext {
        zones: state.zone_locator(),
        grading: Some(state.grading.clone()),
        require_precondition: state.settings.require_precondition,
    }
}

/// The answer to a write: the status, `Location` for a create, the version headers and
/// the feature unless `Prefer: return=minimal`.
fn written(
    state: &AppState,
    headers: &HeaderMap,
    layer: Layer,
    record: &FeatureRecord,
    created: bool,
) -> Response {
    let minimal = wants_minimal(headers);
    let status = match (created, minimal) {
        (true, _) => StatusCode::CREATED,
        (false, true) => StatusCode::NO_CONTENT,
        (false, false) => StatusCode::OK,
    };
    let mut r = if minimal {
        status.into_response()
    } else {
        (
            status,
            [(header::CONTENT_TYPE, "application/geo+json")],
            served_text(record),
        )
            .into_response()
    };
    let h = r.headers_mut();
    h.insert(
        HeaderName::from_static("preference-applied"),
        HeaderValue::from_static(if minimal {
            "return=minimal"
        } else {
            "return=representation"
        }),
    );
    if created {
        let url = format!(
            "{}/collections/{}/items/{}",
            base_url(&state.settings, headers),
            layer.id(),
            html::segment(&record.code)
        );
        if let Ok(v) = HeaderValue::from_str(&url) {
            h.insert(header::LOCATION, v);
        }
    }
    version_headers(&mut r, &Version::of(record));
    r
}

async fn run(
    state: &AppState,
    layer: Layer,
    code: Option<&str>,
    change: Change,
    precondition: &Precondition,
    holder: &TokenRecord,
) -> Result<features::Edited, ApiError> {
    let edited = features::edit(
        state.store.as_ref(),
        &context(state),
        layer,
        code,
        change,
        precondition,
        &holder.name,
    )
    .await?;
    // Read your own write: this replica's index follows before the answer.
    state.index.catch_up(state.store.as_ref()).await?;
    Ok(edited)
}

/// `POST /collections/{collectionId}/items`: a new feature (GeoJSON Feature in the CRS
/// of `Content-Crs`, CRS84 by default).
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let layer = find_layer(&id)?;
    if layer == Layer::Reallocations {
        return Ok(with_allow(read_only_cases().into_response(), READ_METHODS));
    }
    let holder = editor(&state, &headers, layer).await?;
    require_media(&headers, ACCEPT_POST, "POST")?;
    let crs = content_crs(&headers)?;
    let feature = super::body::json_value(&body_of(body)?, "feature")?;
    let change = Change::Create { feature, crs };
    let edited = run(&state, layer, None, change, &Precondition::None, &holder).await?;
    let record = edited
        .record
        .ok_or_else(|| ApiError::invariant("a created feature came back without its state"))?;
    Ok(written(&state, &headers, layer, &record, true))
}

/// A `PUT` or `PATCH` of an existing feature: the token, the body's media type, the
/// `Content-Crs`, the precondition, then the change `make` builds from the body.
async fn change_existing(
    state: &AppState,
    id: &str,
    fid: &str,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    verb: &str,
    make: fn(serde_json::Value, Crs) -> Change,
) -> Result<Response, ApiError> {
    let layer = find_layer(id)?;
    if layer == Layer::Reallocations {
        return Ok(with_allow(read_only_cases().into_response(), READ_METHODS));
    }
    let holder = editor(state, headers, layer).await?;
    let (accepted, what) = match verb {
        "PATCH" => (ACCEPT_PATCH, "patch"),
        _ => (ACCEPT_POST, "feature"),
    };
    require_media(headers, accepted, verb).map_err(|e| match (e, verb) {
        (ApiError::UnsupportedMediaType(m), "PATCH") => ApiError::UnsupportedMediaType(format!(
            "{m}; the patch is a JSON Merge Patch of the feature (RFC 7396)"
        )),
        (other, _) => other,
    })?;
    let crs = content_crs(headers)?;
    let pre = precondition(headers)?;
    let value = super::body::json_value(&body_of(body)?, what)?;
    let edited = run(state, layer, Some(fid), make(value, crs), &pre, &holder).await?;
    let record = edited
        .record
        .ok_or_else(|| ApiError::invariant("a changed feature came back without its state"))?;
    Ok(written(state, headers, layer, &record, false))
}

/// `PUT /collections/{collectionId}/items/{featureId}`: the feature's whole new state.
pub async fn replace(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    change_existing(&state, &id, &fid, &headers, body, "PUT", |feature, crs| {
        Change::Replace { feature, crs }
    })
    .await
}

/// `PATCH /collections/{collectionId}/items/{featureId}`: a JSON Merge Patch (RFC 7396)
/// of the feature; `null` removes a property.
pub async fn update(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    change_existing(&state, &id, &fid, &headers, body, "PATCH", |patch, crs| {
        Change::Update { patch, crs }
    })
    .await
}

/// `DELETE /collections/{collectionId}/items/{featureId}`: the feature is retired; its
/// history stays readable.
pub async fn delete(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = find_layer(&id)?;
    if layer == Layer::Reallocations {
        return Ok(with_allow(read_only_cases().into_response(), READ_METHODS));
    }
    let holder = editor(&state, &headers, layer).await?;
    let pre = precondition(&headers)?;
    run(&state, layer, Some(&fid), Change::Retire, &pre, &holder).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
