//! Landing page, conformance and collection metadata (OGC API – Features Part 1).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Uri};
use axum::response::Response;
use serde_json::{json, Value};

use super::params::{self, Format, FormatQuery, Params};
use super::{base_url, html, typed, ApiError, ApiSettings, AppState};
use crate::crs::Crs;
use crate::domain::Layer;

/// Conformance classes this server implements.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    // CQL2 filtering (Part 3 and CQL2), each class passing its abstract tests
    // (tests/cql2_ats.rs on the standard's test data, tests/api/filter.rs over HTTP).
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    // The name of basic-spatial-functions before CQL2 1.0; QGIS before 3.44 looks for it.
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/property-property",
    "http://www.opengis.net/spec/cql2/1.0/conf/arithmetic",
    "http://www.opengis.net/spec/cql2/1.0/conf/array-functions",
    // Part 4 (create, replace, update, delete): tests/api/edit.rs runs each abstract test
    // and requirement of these classes, named after it.
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-etags",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/optimistic-locking-timestamps",
    "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/features",
];

/// The link relation of a collection's queryables (OGC API – Features Part 3).
pub const REL_QUERYABLES: &str = "http://www.opengis.net/def/rel/ogc/1.0/queryables";

/// The link relation of a collection's feature schema (OGC API – Features Part 5).
pub const REL_SCHEMA: &str = "http://www.opengis.net/def/rel/ogc/1.0/schema";

pub(crate) fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    // Built by hand so the href is moved in (`json!` would copy it).
    Value::Object(serde_json::Map::from_iter([
        ("href".to_owned(), Value::String(href)),
        ("rel".to_owned(), rel.into()),
        ("type".to_owned(), media.into()),
        ("title".to_owned(), title.into()),
    ]))
}

fn self_and_alternate(url: &str, f: Format) -> Vec<Value> {
    let (json_link, html_link) = (
        link(
            format!("{url}?f=json"),
            "",
            "application/json",
            "This document as JSON",
        ),
        link(
            format!("{url}?f=html"),
            "",
            "text/html",
            "This document as HTML",
        ),
    );
    let mut out = vec![json_link, html_link];
    let self_index = usize::from(f == Format::Html);
    out[self_index]["rel"] = json!("self");
    out[1 - self_index]["rel"] = json!("alternate");
    out
}

pub(crate) fn respond(base: &str, f: Format, body: &Value, title: &str) -> Response {
    match f {
        Format::Json => typed(body.to_string(), "application/json"),
        Format::Html => html::document_page(base, title, body),
    }
}

/// The web client's `index.html`, for a request from a browser (`Accept: text/html`).
async fn web_client_page(settings: &ApiSettings, headers: &HeaderMap) -> Option<Response> {
    let dir = settings.web_dir.as_ref()?;
    let accept = headers.get(axum::http::header::ACCEPT)?.to_str().ok()?;
    if !accept.contains("text/html") {
        return None;
    }
    let page = tokio::fs::read_to_string(dir.join("index.html"))
        .await
        .ok()?;
    let mut page = typed(page, html::HTML);
    page.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(super::edge::WEB_MAP_CSP),
    );
    Some(page)
}

/// `GET /`
pub async fn landing(
    State(state): State<AppState>,
    uri: Uri,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // A browser asking for `/` without `f=` gets the planners' web map, when it is built;
    // `f=html` is the OGC landing page for people, `f=json` (or JSON Accept) for clients.
    if uri.query().is_none() {
        if let Some(page) = web_client_page(&state.settings, &headers).await {
            return Ok(page);
        }
    }
    let f = params::format(q.f, &headers);
    let base = base_url(&state.settings, &headers);
    let mut links = self_and_alternate(&format!("{base}/"), f);
    links.extend([
        link(
            format!("{base}/api"),
            "service-desc",
            "application/vnd.oai.openapi+json;version=3.0",
            "The API definition (OpenAPI 3.0)",
        ),
        link(
            format!("{base}/api?f=html"),
            "service-doc",
            "text/html",
            "The API documentation",
        ),
        link(
            format!("{base}/conformance"),
            "conformance",
            "application/json",
            "Conformance classes",
        ),
        link(
            format!("{base}/collections"),
            "data",
            "application/json",
            "The feature collections",
        ),
    ]);
    let body = json!({
        "title": "landreuse — 长春经开区土地再利用 (Changchun ETDZ land reuse)",
        "description": "Land parcels, zones and roads of the Changchun Economic and Technological Development Zone, for the 腾笼换鸟 land-reuse programme. OGC API – Features.",
        "links": links,
    });
    Ok(respond(&base, f, &body, "landreuse"))
}

/// `GET /conformance`
pub async fn conformance(
    State(state): State<AppState>,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let f = params::format(q.f, &headers);
    let base = base_url(&state.settings, &headers);
    let body = json!({
        "conformsTo": CONFORMANCE,
        "links": self_and_alternate(&format!("{base}/conformance"), f),
    });
    Ok(respond(&base, f, &body, "Conformance"))
}

/// The metadata of one served collection.
pub(crate) fn collection_json(state: &AppState, layer: Layer, base: &str) -> Value {
    let url = format!("{base}/collections/{}", layer.id());
    let extent = state.index.read(layer.collection()).extent_of(layer.part());
    let geometry = layer.geometry_type();
    let mut body = json!({
        "id": layer.id(),
        "title": layer.title(),
        "description": layer.description(),
        "itemType": "feature",
        // Its one geometry type, as QGIS and GDAL type the layer; the schema and the
        // queryables declare it too.
        "geometryType": geometry.name(),
        "crs": Crs::OUTPUT.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": Crs::Crs84.uri(),
        "links": [
            link(url.clone(), "self", "application/json", "This collection"),
            link(format!("{url}?f=html"), "alternate", "text/html", "This collection as HTML"),
            link(format!("{url}/items"), "items", "application/geo+json", "The features as GeoJSON"),
            link(format!("{url}/items?f=html"), "items", "text/html", "The features as HTML"),
            link(format!("{url}/queryables"), REL_QUERYABLES, "application/schema+json", "The properties items can be filtered on"),
            link(format!("{url}/schema"), REL_SCHEMA, "application/schema+json", "The schema of the features"),
            link(format!("{url}/schema"), "describedby", "application/schema+json", "The schema of the features"),
        ],
    });
    if let Some(e) = extent {
        body["extent"] = json!({"spatial": {"bbox": [e], "crs": Crs::Crs84.uri()}});
    }
    body
}

/// `GET /collections`
pub async fn collections(
    State(state): State<AppState>,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let f = params::format(q.f, &headers);
    let base = base_url(&state.settings, &headers);
    let list: Vec<Value> = Layer::ALL
        .iter()
        .map(|l| collection_json(&state, *l, &base))
        .collect();
    let body = json!({
        "links": self_and_alternate(&format!("{base}/collections"), f),
        "collections": list,
    });
    Ok(respond(&base, f, &body, "Collections"))
}

/// The served collection named in a path, or a 404 naming the ones that exist.
pub(crate) fn find_layer(id: &str) -> Result<Layer, ApiError> {
    id.parse::<Layer>().map_err(ApiError::NotFound)
}

/// `GET /collections/{collection_id}`
pub async fn collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(q): Params<FormatQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let layer = find_layer(&id)?;
    let f = params::format(q.f, &headers);
    let base = base_url(&state.settings, &headers);
    let mut body = collection_json(&state, layer, &base);
    if f == Format::Html {
        body["links"][0]["rel"] = json!("alternate");
        body["links"][1]["rel"] = json!("self");
    }
    Ok(respond(&base, f, &body, layer.title()))
}
