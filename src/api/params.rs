//! Query parameters of the OGC API: parsed strictly, so a typo gets a 400 naming it
//! instead of being silently ignored.

use axum::http::HeaderMap;

use geo::{LineString, Polygon};

use super::error::ApiError;
use crate::crs::{Crs, Reprojector};
use crate::domain::{landuse, Collection};
use crate::index::Query;

/// Default page size of `/items`.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest page size of `/items`.
pub const MAX_LIMIT: usize = 10_000;

/// Output format of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (GeoJSON for features).
    Json,
    /// A page for people.
    Html,
}

impl Format {
    /// The `f` value of this format.
    pub fn code(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Html => "html",
        }
    }
}

/// The raw query string as ordered pairs.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .map_err(|e| ApiError::BadRequest(format!("the query string cannot be read: {e}")))
}

/// Chooses the format from `f`, else from the `Accept` header (browsers get HTML).
pub fn format(pairs: &[(String, String)], headers: &HeaderMap) -> Result<Format, ApiError> {
    if let Some((_, f)) = pairs.iter().find(|(k, _)| k == "f") {
        return match f.as_str() {
            "json" | "geojson" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            other => Err(ApiError::BadRequest(format!(
                "parameter f={other} is not a format of this API; use f=json or f=html"
            ))),
        };
    }
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let html = accept.contains("text/html");
    let json = accept.contains("json");
    Ok(if html && !json {
        Format::Html
    } else {
        Format::Json
    })
}

/// Refuses parameters outside `allowed`.
pub fn reject_unknown(pairs: &[(String, String)], allowed: &[&str]) -> Result<(), ApiError> {
    match pairs.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        Some((k, _)) => Err(ApiError::BadRequest(format!(
            "unknown parameter {k:?}; this resource accepts {}",
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

pub(crate) fn single<'a>(
    pairs: &'a [(String, String)],
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    let mut found = pairs.iter().filter(|(k, _)| k == name);
    let first = found.next();
    if found.next().is_some() {
        return Err(ApiError::BadRequest(format!(
            "parameter {name} is given more than once"
        )));
    }
    Ok(first.map(|(_, v)| v.as_str()))
}

/// An items request: the index query and the CRS to write coordinates in.
#[derive(Debug)]
pub struct ItemsRequest {
    /// What to select.
    pub query: Query,
    /// Output CRS (`crs=`, default CRS84).
    pub crs: Crs,
}

/// Parses `crs=` (default CRS84).
pub fn output_crs(pairs: &[(String, String)]) -> Result<Crs, ApiError> {
    single(pairs, "crs")?
        .map(|v| Crs::parse_output(v, "crs").map_err(ApiError::BadRequest))
        .transpose()
        .map(|c| c.unwrap_or(Crs::Crs84))
}

/// Parses the items query of a collection into an index query.
pub fn items_query(c: Collection, pairs: &[(String, String)]) -> Result<ItemsRequest, ApiError> {
    let mut allowed = vec![
        "f", "bbox", "bbox-crs", "crs", "limit", "offset", "datetime",
    ];
    allowed.extend(c.queryables().map(|p| p.name));
    reject_unknown(pairs, &allowed)?;
    let limit = match single(pairs, "limit")? {
        None => DEFAULT_LIMIT,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "limit={v} is not a whole number from 1 to {MAX_LIMIT}"
                )))
            }
        },
    };
    let offset = match single(pairs, "offset")? {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| {
            ApiError::BadRequest(format!("offset={v} is not a whole number of 0 or more"))
        })?,
    };
    if let Some(dt) = single(pairs, "datetime")? {
        check_datetime(dt)?;
    }
    let bbox_crs = single(pairs, "bbox-crs")?
        .map(|v| Crs::parse_output(v, "bbox-crs").map_err(ApiError::BadRequest))
        .transpose()?;
    let (bbox, area) = match single(pairs, "bbox")? {
        Some(text) => {
            let (b, area) = parse_bbox_in(text, bbox_crs.unwrap_or(Crs::Crs84))?;
            (Some(b), area)
        }
        None if bbox_crs.is_some() => {
            return Err(ApiError::BadRequest(
                "bbox-crs is given without a bbox; it names the CRS of bbox".into(),
            ))
        }
        None => (None, None),
    };
    let mut filters = Vec::new();
    for p in c.queryables() {
        if let Some(v) = single(pairs, p.name)? {
            filters.push((p.name.to_string(), filter_values(c, p.name, v)?));
        }
    }
    Ok(ItemsRequest {
        query: Query {
            bbox,
            area,
            filters,
            offset,
            limit,
        },
        crs: output_crs(pairs)?,
    })
}

/// The stored values a filter value selects: a land-use code selects the codes of
/// either system it covers (see [`landuse::matching_codes`]); a property with a fixed
/// list of values refuses anything else.
fn filter_values(c: Collection, property: &str, value: &str) -> Result<Vec<String>, ApiError> {
    if property == "land_use" {
        return landuse::matching_codes(value)
            .map(|codes| codes.into_iter().map(String::from).collect())
            .ok_or_else(|| ApiError::BadRequest(landuse::unknown_code_message(value)));
    }
    match c.allowed_values(property) {
        Some(allowed) if !allowed.contains(&value) => Err(ApiError::BadRequest(format!(
            "{property}={value} is not a value of {property}; use one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(vec![value.to_string()]),
    }
}

fn bbox_numbers(text: &str, crs: Crs) -> Result<[f64; 4], ApiError> {
    let nums = text
        .split(',')
        .map(|s| s.trim().parse::<f64>())
        .collect::<Result<Vec<f64>, _>>()
        .map_err(|_| bbox_error(text, crs, "holds something that is not a number"))?;
    let b = match nums.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, _, d, e, _] => [*a, *b, *d, *e],
        _ => return Err(bbox_error(text, crs, "does not have 4 (or 6) numbers")),
    };
    if b.iter().any(|x| !x.is_finite()) {
        return Err(bbox_error(text, crs, "holds a number that is not finite"));
    }
    Ok(b)
}

fn bbox_error(text: &str, crs: Crs, why: &str) -> ApiError {
    let expected = match crs {
        Crs::Crs84 => "minLon,minLat,maxLon,maxLat in CRS84, e.g. bbox=125.39,43.85,125.41,43.87".to_string(),
        Crs::Epsg(4326 | 4490) => format!("minLat,minLon,maxLat,maxLon (the axis order of {crs}), e.g. bbox=43.85,125.39,43.87,125.41"),
        Crs::Epsg(3857) => "minX,minY,maxX,maxY in metres".to_string(),
        _ => format!("minNorthing,minEasting,maxNorthing,maxEasting in metres (the axis order of {crs})"),
    };
    ApiError::BadRequest(format!("bbox={text} {why}; expected {expected}"))
}

/// Parses a bbox given in `crs` (in its authority axis order; a 6-number 3D box keeps its
/// horizontal part) into a CRS84 box and,
/// for a projected CRS, the exact lon/lat area of the box.
pub fn parse_bbox_in(text: &str, crs: Crs) -> Result<([f64; 4], Option<Polygon<f64>>), ApiError> {
    let n = bbox_numbers(text, crs)?;
    let bad = |why: &str| bbox_error(text, crs, why);
    if crs.is_crs84_datum() {
        let b = if crs == Crs::Crs84 {
            n
        } else {
            [n[1], n[0], n[3], n[2]]
        };
        if !(-90.0..=90.0).contains(&b[1]) || !(-90.0..=90.0).contains(&b[3]) {
            return Err(bad("has a latitude outside -90..90"));
        }
        if b[1] > b[3] {
            return Err(bad("has its minimum latitude above its maximum"));
        }
        if b[0] > b[2] {
            return Err(bad(
                "has its minimum longitude above its maximum (boxes across the antimeridian are not supported)",
            ));
        }
        return Ok((b, None));
    }
    if n[0] > n[2] || n[1] > n[3] {
        return Err(bad("has a minimum above its maximum"));
    }
    let area =
        projected_box_area(n, crs).map_err(|e| bad(&format!("cannot be transformed: {e}")))?;
    let b = geo::BoundingRect::bounding_rect(&area)
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .ok_or_else(|| bad("is empty"))?;
    Ok((b, Some(area)))
}

/// Points per edge when a projected box is carried to lon/lat: its edges are straight
/// in the projection, slightly curved in lon/lat.
const BOX_EDGE_POINTS: usize = 32;

fn projected_box_area(n: [f64; 4], crs: Crs) -> Result<Polygon<f64>, String> {
    let r = Reprojector::new(crs)?;
    let corners = [
        (n[0], n[1]),
        (n[2], n[1]),
        (n[2], n[3]),
        (n[0], n[3]),
        (n[0], n[1]),
    ];
    let mut ring = Vec::with_capacity(4 * BOX_EDGE_POINTS + 1);
    for w in corners.windows(2) {
        for i in 0..BOX_EDGE_POINTS {
            let t = i as f64 / BOX_EDGE_POINTS as f64;
            let a = w[0].0 + (w[1].0 - w[0].0) * t;
            let b = w[0].1 + (w[1].1 - w[0].1) * t;
            ring.push(r.to_crs84(a, b)?);
        }
    }
    ring.push(ring[0]);
    Ok(Polygon::new(LineString::from(ring), vec![]))
}

fn check_datetime(text: &str) -> Result<(), ApiError> {
    let rfc3339 = &time::format_description::well_known::Rfc3339;
    let ok = |part: &str| {
        part.is_empty()
            || part == ".."
            || time::OffsetDateTime::parse(part, rfc3339).is_ok()
            || time::Date::parse(
                part,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .is_ok()
    };
    let valid = match text.split_once('/') {
        Some((a, b)) => ok(a) && ok(b) && !(a.is_empty() && b.is_empty()),
        None => !text.is_empty() && text != ".." && ok(text),
    };
    if valid {
        Ok(())
    } else {
        Err(ApiError::BadRequest(format!(
            "datetime={text} is not an RFC 3339 instant or interval (e.g. 2026-01-01T00:00:00Z/..)"
        )))
    }
}

/// The query string with `offset` replaced, keeping every other parameter as given.
pub fn with_offset(pairs: &[(String, String)], offset: usize) -> String {
    let mut kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "offset")
        .cloned()
        .collect();
    kept.push(("offset".into(), offset.to_string()));
    serde_urlencoded::to_string(&kept).unwrap_or_default()
}

/// The query string with `f` replaced.
pub fn with_format(pairs: &[(String, String)], f: Format) -> String {
    let mut kept: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "f").cloned().collect();
    kept.push(("f".into(), f.code().into()));
    serde_urlencoded::to_string(&kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<(String, String)> {
        pairs(Some(s)).unwrap()
    }

    #[test]
    fn items_query_reads_filters_and_refuses_unknown_parameters() {
        let q = items_query(
            Collection::Parcels,
            &p("bbox=125.3,43.8,125.5,43.9&status=idle&limit=5"),
        )
        .unwrap();
        assert_eq!(q.query.limit, 5);
        assert_eq!(
            q.query.filters,
            vec![("status".to_string(), vec!["idle".to_string()])]
        );
        let err = items_query(Collection::Parcels, &p("colour=red")).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        assert!(items_query(Collection::Parcels, &p("limit=10001")).is_err());
        assert!(items_query(Collection::Parcels, &p("limit=0")).is_err());
        assert!(items_query(Collection::Parcels, &p("bbox=1,2,3")).is_err());
        assert!(items_query(Collection::Parcels, &p("datetime=2026-01-01T00:00:00Z/..")).is_ok());
        assert!(items_query(Collection::Parcels, &p("datetime=yesterday")).is_err());
    }

    #[test]
    fn next_offset_keeps_every_other_parameter() {
        let q = with_offset(&p("status=idle&offset=10&limit=10&bbox=1,2,3,4"), 20);
        assert_eq!(q, "status=idle&limit=10&bbox=1%2C2%2C3%2C4&offset=20");
    }
}
