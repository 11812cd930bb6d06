//! `/collections/{id}/items` and `/collections/{id}/items/{fid}` from the index.

use axum::extract::{Path, RawQuery, State};
use std::borrow::Cow;
use std::fmt::Write as _;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::edit;
use super::ogc::{find_layer, link};
use super::params::{self, Format, ItemsQuery, Params};
use super::{base_url, html, typed, ApiError, AppState};
use crate::crs::{Crs, Reprojector};
use crate::domain::feature::UPDATED_AT;
use crate::domain::layer::RETIRED_PROJECTS_ID;
use crate::domain::Layer;
use crate::index::{IndexedFeature, QueryPage};
use crate::workflow::features::Version;

const GEOJSON: &str = "application/geo+json";

/// `GET /collections/{collection_id}/items`
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    Params(q): Params<ItemsQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = find_layer(&id)?;
    let pairs = params::pairs(raw.as_deref())?;
    let request = q.into_request(layer)?;
    let query = &request.query;
    let f = params::format(request.f, &headers);
    let page = state.index.read(layer.collection()).query(query);
    let base = base_url(&state.settings, &headers);
    let url = format!("{base}/collections/{}/items", layer.id());
    let links = page_links(
        &url,
        &pairs,
        f,
        (query.offset, query.limit),
        &page,
        &base,
        layer.id(),
    );
    let stamp = crate::store::now_rfc3339();
    let mut response = match f {
        Format::Json => with_content_crs(
            typed(
                collection_body(&page, &links, &stamp, request.crs)?,
                GEOJSON,
            ),
            request.crs,
        ),
        Format::Html => typed(
            html::items_page(&base, layer, &page, &links, query.offset),
            html::HTML,
        ),
    };
    // Part 3: a filterable resource links its queryables in a header too.
    if let Ok(v) = HeaderValue::from_str(&format!(
        "<{base}/collections/{}/queryables>; rel=\"{}\"; type=\"application/schema+json\"",
        layer.id(),
        super::ogc::REL_QUERYABLES
    )) {
        response.headers_mut().insert(axum::http::header::LINK, v);
    }
    Ok(response)
}

fn page_links(
    url: &str,
    pairs: &[(String, String)],
    f: Format,
    (offset, limit): (usize, usize),
    page: &QueryPage,
    base: &str,
    collection: &str,
) -> Vec<Value> {
    let (this_media, other) = match f {
        Format::Json => (GEOJSON, Format::Html),
        Format::Html => ("text/html", Format::Json),
    };
    let other_media = if other == Format::Json {
        GEOJSON
    } else {
        "text/html"
    };
    let this_query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let with_q = |q: String| {
        if q.is_empty() {
            url.to_string()
        } else {
            format!("{url}?{q}")
        }
    };
    let mut links = vec![
        link(with_q(this_query), "self", this_media, "This page"),
        link(
            with_q(params::with_format(pairs, other)),
            "alternate",
            other_media,
            "This page in another format",
        ),
        link(
            format!("{base}/collections/{collection}"),
            "collection",
            "application/json",
            "The collection",
        ),
    ];
    let returned = page.features.len();
    if offset + returned < page.matched && returned > 0 {
        links.push(link(
            with_q(params::with_offset(pairs, offset + returned)),
            "next",
            this_media,
            "Next page",
        ));
    }
    if offset > 0 {
        links.push(link(
            with_q(params::with_offset(pairs, offset.saturating_sub(limit))),
            "prev",
            this_media,
            "Previous page",
        ));
    }
    links
}

/// The `Content-Crs` header of Part 2: the CRS of the coordinates in the body.
fn with_content_crs(mut response: Response, crs: Crs) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("<{}>", crs.uri())) {
        response.headers_mut().insert("content-crs", v);
    }
    response
}

/// A feature's GeoJSON text in `to` (the stored text itself for CRS84).
fn feature_text<'a>(
    f: &'a IndexedFeature,
    to: Option<&Reprojector>,
) -> Result<Cow<'a, str>, ApiError> {
    let Some(r) = to else {
        return Ok(Cow::Borrowed(&f.json));
    };
    let g = r.geometry(&f.geometry).map_err(|e| {
        ApiError::internal(
            format!("feature {} cannot be written in {}", f.code, r.target()),
            e,
        )
    })?;
    let text = serde_json::to_string(&geojson::Geometry::from(&g))
        .map_err(|e| ApiError::internal(format!("feature {} as JSON", f.code), e))?;
    Ok(Cow::Owned(f.json_with_geometry(&text)))
}

/// The reprojection to `crs`, or none for CRS84 (served as stored).
fn reprojector(crs: Crs) -> Result<Option<Reprojector>, ApiError> {
    if crs == Crs::Crs84 {
        return Ok(None);
    }
    Reprojector::new(crs)
        .map(Some)
        .map_err(|e| ApiError::internal(format!("the transformation to {crs}"), e))
}

/// The FeatureCollection text, assembled from the features' pre-rendered GeoJSON (or
/// with each geometry written in `crs`). The reprojection is built once per page and
/// its PROJ object once per thread.
fn collection_body(
    page: &QueryPage,
    links: &[Value],
    stamp: &str,
    crs: Crs,
) -> Result<String, ApiError> {
    let to = reprojector(crs)?;
    let size: usize = page.features.iter().map(|f| f.json.len() + 1).sum();
    let mut body = String::with_capacity(size + 1024);
    body.push_str(r#"{"type":"FeatureCollection","features":["#);
    for (i, f) in page.features.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&feature_text(f, to.as_ref())?);
    }
    // Writing to a String cannot fail.
    let _ = write!(
        body,
        r#"],"numberMatched":{},"numberReturned":{},"timeStamp":"{stamp}","links":{}}}"#,
        page.matched,
        page.features.len(),
        Value::from(links.to_vec())
    );
    Ok(body)
}

/// The query of one feature.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemQuery {
    /// Output format: json (GeoJSON) or html.
    pub f: Option<Format>,
    /// The CRS of the returned coordinates (Part 2); default CRS84.
    #[schemars(schema_with = "params::crs_schema")]
    pub crs: Option<String>,
}

/// `GET /collections/{collection_id}/items/{feature_id}`
pub async fn item(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    Params(q): Params<ItemQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = base_url(&state.settings, &headers);
    if id == RETIRED_PROJECTS_ID {
        return retired_project(&state, &base, &fid, raw.as_deref());
    }
    let layer = find_layer(&id)?;
    let f = params::format(q.f, &headers);
    let crs = params::crs_parameter(q.crs.as_deref(), "crs")?.unwrap_or(Crs::Crs84);
    let c = layer.collection();
    let Some(feature) = state.index.read(c).get(&fid) else {
        return Err(missing_feature(&state, layer, &fid).await);
    };
    let serving = Layer::serving(c, &feature.geometry);
    if serving != layer {
        return Err(ApiError::NotFound(format!(
            "collection {layer} has no feature with id {fid:?}: it is a {} in collection {serving}, at {base}/collections/{serving}/items/{}",
            serving.geometry_type().name(),
            html::segment(&fid)
        )));
    }
    let url = format!(
        "{base}/collections/{}/items/{}",
        layer.id(),
        html::segment(&fid)
    );
    let (self_f, alt_f, alt_media) = match f {
        Format::Json => ("json", "html", "text/html"),
        Format::Html => ("html", "json", GEOJSON),
    };
    let links = vec![
        link(format!("{url}?f={self_f}"), "self", "", "This feature"),
        link(
            format!("{url}?f={alt_f}"),
            "alternate",
            alt_media,
            "This feature in another format",
        ),
        link(
            format!("{base}/collections/{}", layer.id()),
            "collection",
            "application/json",
            "The collection",
        ),
    ];
    let mut response = match f {
        Format::Json => {
            let text = feature_text(&feature, reprojector(crs)?.as_ref())?;
            let mut body: Value = serde_json::from_str(&text)
                .map_err(|e| ApiError::internal(format!("feature {fid} as JSON"), e))?;
            let mut links = links;
            links[0]["type"] = json!(GEOJSON);
            body["links"] = Value::from(links);
            with_content_crs(typed(body.to_string(), GEOJSON), crs)
        }
        Format::Html => typed(
            html::feature_page(&base, layer, &feature, &links),
            html::HTML,
        ),
    };
    // The version of the state (Part 4): one tag per state; another representation of
    // it (HTML, another CRS) carries the tag with a suffix, so that a write sent with it
    // is refused rather than taken for the GeoJSON's.
    let properties = feature.properties();
    let mut version = Version::of_served(
        &feature.json,
        properties.get(UPDATED_AT).and_then(Value::as_str),
    );
    let variant = match (f, crs) {
        (Format::Html, _) => Some("html".to_string()),
        (Format::Json, Crs::Crs84) => None,
        (Format::Json, Crs::Epsg(code)) => Some(format!("epsg{code}")),
        (Format::Json, _) => Some("crs".to_string()),
    };
    if let Some(v) = variant {
        version.etag = format!("{}-{v}\"", version.etag.trim_end_matches('"'));
    }
    // A client may keep it, but asks again before it uses it (an edit may have changed
    // it); the same tag in If-None-Match is answered 304 without the body.
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == version.etag || t.trim() == "*")
        });
    if unchanged {
        response = StatusCode::NOT_MODIFIED.into_response();
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    edit::version_headers(&mut response, &version);
    Ok(response)
}

/// The 404 of a feature the collection does not have; one that was retired or split
/// away says so, with where its history is.
async fn missing_feature(state: &AppState, layer: Layer, fid: &str) -> ApiError {
    let c = layer.collection();
    let gone = state
        .store
        .feature_history(c, fid)
        .await
        .ok()
        .and_then(|h| h.into_iter().last())
        .filter(|e| crate::domain::feature::removes_feature(&e.action));
    match gone {
        Some(e) if c == crate::domain::Collection::Parcels => ApiError::NotFound(format!(
            "collection {layer} has no feature with id {fid:?}: it left at {} ({} by {}); its history is at /parcels/{}/history",
            e.occurred_at, e.action, e.actor, html::segment(fid)
        )),
        Some(e) => ApiError::NotFound(format!(
            "collection {layer} has no feature with id {fid:?}: it left at {} ({} by {})",
            e.occurred_at, e.action, e.actor
        )),
        None => ApiError::NotFound(format!("collection {layer} has no feature with id {fid:?}")),
    }
}

/// A project's URL from when lines and areas were served together in `projects`: a
/// permanent redirect to the collection serving it now, with the same query.
fn retired_project(
    state: &AppState,
    base: &str,
    fid: &str,
    query: Option<&str>,
) -> Result<Response, ApiError> {
    let c = crate::domain::Collection::Projects;
    let feature = state.index.read(c).get(fid).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no public project has id {fid:?} (collection projects is served as project_lines and project_areas)"
        ))
    })?;
    let layer = Layer::serving(c, &feature.geometry);
    let mut to = format!("{base}/collections/{layer}/items/{}", html::segment(fid));
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        to.push('?');
        to.push_str(q);
    }
    Ok(axum::response::Redirect::permanent(&to).into_response())
}
