//! HTML pages for people (`f=html`): readable, self-contained, no scripts.

use serde_json::Value;

use crate::domain::Collection;
use crate::index::{IndexedFeature, QueryPage};

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\
th{background:#f2f4f3}a{color:#0b5d5b}nav a{margin-right:1em}code{background:#f4f4f4;padding:0 .2em}";

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t} — landreuse</title>\
         <style>{STYLE}</style></head><body><nav><a href=\"/\">landreuse</a><a href=\"/collections\">Collections</a>\
         <a href=\"/api\">API</a></nav><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    )
}

fn value_html(v: &Value) -> String {
    match v {
        Value::String(s) if s.starts_with("http") => {
            format!("<a href=\"{0}\">{0}</a>", escape(s))
        }
        Value::String(s) => escape(s),
        Value::Array(items) => items
            .iter()
            .map(value_html)
            .collect::<Vec<_>>()
            .join("<br>"),
        Value::Object(map) => {
            if let (Some(Value::String(href)), rel) = (map.get("href"), map.get("rel")) {
                let rel = rel.and_then(Value::as_str).unwrap_or("");
                return format!(
                    "<a href=\"{}\">{}</a> ({})",
                    escape(href),
                    escape(href),
                    escape(rel)
                );
            }
            object_table(map)
        }
        other => escape(&other.to_string()),
    }
}

fn object_table(map: &serde_json::Map<String, Value>) -> String {
    let rows: String = map
        .iter()
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", escape(k), value_html(v)))
        .collect();
    format!("<table>{rows}</table>")
}

/// A JSON resource (landing page, conformance, collections) as a page.
pub fn document(title: &str, body: &Value) -> String {
    let inner = match body {
        Value::Object(map) => object_table(map),
        other => value_html(other),
    };
    layout(title, &inner)
}

fn links_html(links: &[Value]) -> String {
    links.iter().map(value_html).collect::<Vec<_>>().join(" · ")
}

/// A page of features as a table.
pub fn items_page(c: Collection, page: &QueryPage, links: &[Value], offset: usize) -> String {
    let columns: Vec<&str> = c.properties().iter().map(|p| p.name).collect();
    let head: String = std::iter::once("id")
        .chain(columns.iter().copied())
        .chain(["area_mu", "length_m"])
        .map(|h| format!("<th>{}</th>", escape(h)))
        .collect();
    let rows: String = page
        .features
        .iter()
        .map(|f| {
            let props = f.properties();
            let cells: String = columns
                .iter()
                .chain(["area_mu", "length_m"].iter())
                .map(|k| {
                    format!(
                        "<td>{}</td>",
                        props.get(*k).map(value_html).unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "<tr><td><a href=\"/collections/{}/items/{}?f=html\">{}</a></td>{cells}</tr>",
                c.id(),
                escape(&f.code),
                escape(&f.code)
            )
        })
        .collect();
    let body = format!(
        "<p>{} features match; showing {} from number {}.</p><p>{}</p><table><tr>{head}</tr>{rows}</table>",
        page.matched,
        page.features.len(),
        offset + 1,
        links_html(links)
    );
    layout(c.title(), &body)
}

/// One feature with its properties.
pub fn feature_page(c: Collection, f: &IndexedFeature, links: &[Value]) -> String {
    let body = format!(
        "<p>{}</p>{}<p>Geometry: {} (CRS84). Get it as <a href=\"?f=json\">GeoJSON</a>.</p>",
        links_html(links),
        object_table(&f.properties()),
        escape(geometry_name(&f.geometry))
    );
    layout(&format!("{} {}", c.title(), f.code), &body)
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
