//! `/collections/{id}/items` and `/collections/{id}/items/{fid}` from the index.

use axum::extract::{Path, RawQuery, State};
use std::borrow::Cow;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{json, Value};

use super::ogc::{find_collection, link};
use super::params::{self, Format};
use super::{base_url, html, typed, ApiError, AppState};
use crate::crs::{Crs, Reprojector};
use crate::index::{IndexedFeature, QueryPage};

const GEOJSON: &str = "application/geo+json";

/// `GET /collections/{collection_id}/items`
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find_collection(&id)?;
    let pairs = params::pairs(raw.as_deref())?;
    let request = params::items_query(c, &pairs)?;
    let query = &request.query;
    let f = params::format(&pairs, &headers)?;
    let page = state.index.read(c).query(query);
    let base = base_url(&state.settings, &headers);
    let url = format!("{base}/collections/{}/items", c.id());
    let links = page_links(&url, &pairs, f, query.offset, &page, &base, c.id());
    let stamp = crate::store::now_rfc3339();
    Ok(match f {
        Format::Json => with_content_crs(
            typed(
                collection_body(&page, &links, &stamp, request.crs)?,
                GEOJSON,
            ),
            request.crs,
        ),
        Format::Html => typed(
            html::items_page(c, &page, &links, query.offset),
            "text/html; charset=utf-8",
        ),
    })
}

fn page_links(
    url: &str,
    pairs: &[(String, String)],
    f: Format,
    offset: usize,
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
        let limit = pairs
            .iter()
            .find(|(k, _)| k == "limit")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(params::DEFAULT_LIMIT);
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
        ApiError::Internal(format!(
            "feature {} cannot be written in {}: {e}",
            f.code,
            r.target()
        ))
    })?;
    let text = serde_json::to_string(&geojson::Geometry::from(&g))
        .map_err(|e| ApiError::Internal(format!("feature {} JSON: {e}", f.code)))?;
    Ok(Cow::Owned(f.json_with_geometry(&text)))
}

/// The reprojection to `crs`, or none for CRS84 (served as stored).
fn reprojector(crs: Crs) -> Result<Option<Reprojector>, ApiError> {
    if crs == Crs::Crs84 {
        return Ok(None);
    }
    Reprojector::new(crs).map(Some).map_err(ApiError::Internal)
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
    body.push_str(&format!(
        r#"],"numberMatched":{},"numberReturned":{},"timeStamp":"{stamp}","links":{}}}"#,
        page.matched,
        page.features.len(),
        Value::from(links.to_vec())
    ));
    Ok(body)
}

/// `GET /collections/{collection_id}/items/{feature_id}`
pub async fn item(
    State(state): State<AppState>,
    Path((id, fid)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = find_collection(&id)?;
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(&pairs, &["f", "crs"])?;
    let f = params::format(&pairs, &headers)?;
    let crs = params::output_crs(&pairs)?;
    let feature = state.index.read(c).get(&fid).ok_or_else(|| {
        ApiError::NotFound(format!("collection {c} has no feature with id {fid:?}"))
    })?;
    let base = base_url(&state.settings, &headers);
    let url = format!(
        "{base}/collections/{}/items/{}",
        c.id(),
        encode_segment(&fid)
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
            format!("{base}/collections/{}", c.id()),
            "collection",
            "application/json",
            "The collection",
        ),
    ];
    Ok(match f {
        Format::Json => {
            let text = feature_text(&feature, reprojector(crs)?.as_ref())?;
            let mut body: Value = serde_json::from_str(&text)
                .map_err(|e| ApiError::Internal(format!("feature {fid} JSON: {e}")))?;
            let mut links = links;
            links[0]["type"] = json!(GEOJSON);
            body["links"] = Value::from(links);
            with_content_crs(typed(body.to_string(), GEOJSON), crs)
        }
        Format::Html => typed(
            html::feature_page(c, &feature, &links),
            "text/html; charset=utf-8",
        ),
    })
}

/// Percent-encodes a feature id for a path segment.
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
