//! `/collections/{id}/items` and `/collections/{id}/items/{fid}` from the index.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};

use super::ogc::{find_collection, link};
use super::params::{self, Format};
use super::{base_url, html, typed, ApiError, AppState};
use crate::index::QueryPage;

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
    let query = params::items_query(c, &pairs)?;
    let f = params::format(&pairs, &headers)?;
    let page = state.index.read(c).query(&query);
    let base = base_url(&state.settings, &headers);
    let url = format!("{base}/collections/{}/items", c.id());
    let links = page_links(&url, &pairs, f, query.offset, &page, &base, c.id());
    let stamp = crate::store::now_rfc3339();
    Ok(match f {
        Format::Json => typed(collection_body(&page, &links, &stamp), GEOJSON),
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

/// The FeatureCollection text, assembled from the features' pre-rendered GeoJSON.
fn collection_body(page: &QueryPage, links: &[Value], stamp: &str) -> String {
    let size: usize = page.features.iter().map(|f| f.json.len() + 1).sum();
    let mut body = String::with_capacity(size + 1024);
    body.push_str(r#"{"type":"FeatureCollection","features":["#);
    for (i, f) in page.features.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&f.json);
    }
    body.push_str(&format!(
        r#"],"numberMatched":{},"numberReturned":{},"timeStamp":"{stamp}","links":{}}}"#,
        page.matched,
        page.features.len(),
        Value::from(links.to_vec())
    ));
    body
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
    params::reject_unknown(&pairs, &["f"])?;
    let f = params::format(&pairs, &headers)?;
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
            let mut body: Value = serde_json::from_str(&feature.json)
                .map_err(|e| ApiError::Internal(format!("feature {fid} JSON: {e}")))?;
            let mut links = links;
            links[0]["type"] = json!(GEOJSON);
            body["links"] = Value::from(links);
            typed(body.to_string(), GEOJSON)
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
