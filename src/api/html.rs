//! HTML pages for people (`f=html`), from maud templates: the template engine escapes
//! every value, only `http`/`https` addresses become links, and every link is built on
//! the service's base URL (`--public-url`), with ids percent-encoded.

use axum::response::Response;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::typed;
use crate::domain::{GeometryType, Layer};
use crate::index::{IndexedFeature, QueryPage};

/// The media type of the pages.
pub const HTML: &str = "text/html; charset=utf-8";

/// Characters kept as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a feature id (or any text) for one path segment.
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f2f4f3}a{color:#0b5d5b}nav a{margin-right:1em}code{background:#f4f4f4;padding:0 .2em}";

fn layout(base: &str, title: &str, body: &Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) " — landreuse" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                nav {
                    a href={ (base) "/" } { "landreuse" }
                    a href={ (base) "/collections?f=html" } { "Collections" }
                    a href={ (base) "/api?f=html" } { "API" }
                }
                h1 { (title) }
                (body)
            }
        }
    }
    .into_string()
}

/// Whether `href` may become a link: only absolute `http` and `https` addresses.
pub fn is_web_address(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")) && !href.contains(['\n', '\r'])
}

fn text_or_link(s: &str) -> Markup {
    html! {
        @if is_web_address(s) { a href=(s) { (s) } } @else { (s) }
    }
}

fn value_html(v: &Value) -> Markup {
    match v {
        Value::String(s) => text_or_link(s),
        Value::Array(items) => html! {
            @for (i, item) in items.iter().enumerate() {
                @if i > 0 { br; }
                (value_html(item))
            }
        },
        Value::Object(map) => match (map.get("href"), map.get("rel")) {
            (Some(Value::String(href)), rel) => html! {
                (text_or_link(href))
                @if let Some(rel) = rel.and_then(Value::as_str) { " (" (rel) ")" }
            },
            _ => object_table(map),
        },
        Value::Null => html! {},
        other => html! { (other.to_string()) },
    }
}

fn object_table(map: &Map<String, Value>) -> Markup {
    html! {
        table {
            @for (k, v) in map {
                tr { th { (k) } td { (value_html(v)) } }
            }
        }
    }
}

/// A JSON resource (landing page, conformance, collections, the API) as a page.
pub fn document_page(base: &str, title: &str, body: &Value) -> Response {
    let inner = match body {
        Value::Object(map) => object_table(map),
        other => value_html(other),
    };
    typed(layout(base, title, &inner), HTML)
}

fn links_html(links: &[Value]) -> Markup {
    html! {
        p {
            @for (i, l) in links.iter().enumerate() {
                @if i > 0 { " · " }
                (value_html(l))
            }
        }
    }
}

/// A page of features as a table.
pub fn items_page(
    base: &str,
    c: Layer,
    page: &QueryPage,
    links: &[Value],
    offset: usize,
) -> String {
    let measure = match c.geometry_type() {
        GeometryType::MultiPolygon => "area_mu",
        GeometryType::MultiLineString => "length_m",
    };
    let columns: Vec<&str> = c
        .collection()
        .properties()
        .iter()
        .map(|p| p.name)
        .chain([measure])
        .collect();
    let body = html! {
        p { (page.matched) " features match; showing " (page.features.len()) " from number " (offset + 1) "." }
        (links_html(links))
        table {
            tr { th { "id" } @for h in &columns { th { (h) } } }
            @for f in &page.features {
                @let props = f.properties();
                tr {
                    td { a href={ (base) "/collections/" (c.id()) "/items/" (segment(&f.code)) "?f=html" } { (f.code) } }
                    @for k in &columns {
                        td { @if let Some(v) = props.get(*k) { (value_html(v)) } }
                    }
                }
            }
        }
    };
    layout(base, c.title(), &body)
}

/// One feature with its properties.
pub fn feature_page(base: &str, c: Layer, f: &IndexedFeature, links: &[Value]) -> String {
    let url = format!("{base}/collections/{}/items/{}", c.id(), segment(&f.code));
    let body = html! {
        (links_html(links))
        (object_table(&f.properties()))
        p {
            "Geometry: " (geometry_name(&f.geometry)) " (CRS84). Get it as "
            a href={ (url) "?f=json" } { "GeoJSON" } "."
        }
    };
    layout(base, &format!("{} {}", c.title(), f.code), &body)
}

fn geometry_name(g: &geo::Geometry<f64>) -> &'static str {
    match g {
        geo::Geometry::Polygon(_) => "Polygon",
        geo::Geometry::MultiPolygon(_) => "MultiPolygon",
        geo::Geometry::LineString(_) => "LineString",
        geo::Geometry::MultiLineString(_) => "MultiLineString",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_web_addresses_become_links() {
        let page = value_html(&json!({"href": "javascript:alert(1)", "rel": "x"})).into_string();
        assert!(!page.contains("<a"), "{page}");
        let page = value_html(&json!("https://example.org/a?b=<c>")).into_string();
        assert!(
            page.contains("<a href=\"https://example.org/a?b=&lt;c&gt;\""),
            "{page}"
        );
        let page = value_html(&json!("httpfoo <b>")).into_string();
        assert_eq!(page, "httpfoo &lt;b&gt;");
    }

    #[test]
    fn ids_are_percent_encoded_for_a_path_segment() {
        assert_eq!(segment("P-001"), "P-001");
        assert_eq!(segment("a/b c?#\"<"), "a%2Fb%20c%3F%23%22%3C");
        assert_eq!(segment("地块1"), "%E5%9C%B0%E5%9D%971");
    }
}
