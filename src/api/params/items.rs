//! The items query of a collection (OGC API – Features Part 1 and 2, and the
//! queryables of Part 3 as equality parameters), read into an index query.

use std::collections::BTreeMap;

use geo::{LineString, Polygon};
use schemars::JsonSchema;
use serde::Deserialize;

use super::values::{FilterLanguage, Format, Whole};
use crate::api::error::ApiError;
use crate::crs::{Crs, Reprojector};
use crate::domain::{landuse, Collection, Layer};
use crate::index::filter::{Filter, FilterLang, Schema};
use crate::index::Query;

/// Default page size of `/items`.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest page size of `/items`: a larger `limit` is served at this size, with a
/// `next` link (OGC API – Features, 7.15.3).
pub const MAX_LIMIT: usize = 10_000;

fn bbox_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"},
        "description": "Only features whose geometry intersects this box (exactly, not by envelope): minLon,minLat,maxLon,maxLat in CRS84, or in the CRS named by bbox-crs in that CRS's axis order (minLat,minLon,… for EPSG:4326 and 4490; minNorthing,minEasting,… for EPSG:4551 and 4530)."
    })
}

/// The CRS URIs this server writes and reads, as a schema.
pub(crate) fn crs_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let uris: Vec<String> = Crs::OUTPUT.iter().map(|c| c.uri()).collect();
    schemars::json_schema!({"type": "string", "format": "uri", "enum": uris, "default": Crs::Crs84.uri()})
}

fn limit_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT})
}

/// The query of `/collections/{collectionId}/items`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct ItemsQuery {
    /// Output format: json (GeoJSON) or html.
    pub f: Option<Format>,
    /// Only features whose geometry intersects this box.
    #[schemars(schema_with = "bbox_schema")]
    pub bbox: Option<String>,
    /// The CRS of bbox (OGC API – Features Part 2), as a URI; default CRS84.
    #[serde(rename = "bbox-crs")]
    #[schemars(schema_with = "crs_schema")]
    pub bbox_crs: Option<String>,
    /// The CRS of the returned coordinates (Part 2), written in its authority axis order
    /// (latitude first for EPSG:4326 and 4490, northing first for EPSG:4551 and 4530);
    /// the response's Content-Crs header names it. Default CRS84.
    #[schemars(schema_with = "crs_schema")]
    pub crs: Option<String>,
    /// Features per page. A limit above the maximum is served at the maximum, with a
    /// next link.
    #[schemars(schema_with = "limit_schema")]
    pub limit: Option<Whole>,
    /// Matches to skip (paging; follow the next link).
    pub offset: Option<Whole>,
    /// RFC 3339 instant or interval. The collections have no temporal extent, so it
    /// selects every feature.
    pub datetime: Option<String>,
    /// A CQL2 filter (OGC API – Features Part 3) on the collection's queryables, e.g.
    /// `status IN ('idle','zombie') AND area_mu > 30`. Combined with bbox and the
    /// equality parameters: a feature matches all of them.
    #[schemars(length(max = 100_000))]
    pub filter: Option<String>,
    /// The encoding of filter: cql2-text (default) or cql2-json.
    #[serde(rename = "filter-lang")]
    pub filter_lang: Option<FilterLanguage>,
    /// The CRS of the geometry literals in filter, as a URI; default CRS84. In the CRS's
    /// axis order, as bbox-crs.
    #[serde(rename = "filter-crs")]
    #[schemars(schema_with = "crs_schema")]
    pub filter_crs: Option<String>,
    /// The collection's queryables, each an equality filter (see its queryables).
    #[serde(flatten)]
    pub queryables: BTreeMap<String, String>,
}

/// An items request: the index query and the CRS to write coordinates in.
#[derive(Debug)]
pub struct ItemsRequest {
    /// What to select.
    pub query: Query,
    /// Output CRS (`crs=`, default CRS84).
    pub crs: Crs,
    /// Requested format, if `f` was given.
    pub f: Option<Format>,
}

/// Parses a CRS parameter (`crs`, `bbox-crs`).
pub fn crs_parameter(value: Option<&str>, name: &str) -> Result<Option<Crs>, ApiError> {
    value
        .map(|v| Crs::parse_output(v, name).map_err(ApiError::BadRequest))
        .transpose()
}

impl ItemsQuery {
    /// The index query of a served collection.
    pub fn into_request(self, layer: Layer) -> Result<ItemsRequest, ApiError> {
        let c = layer.collection();
        let filterables = c.filterables();
        let names: Vec<&str> = filterables.iter().map(|q| &*q.name).collect();
        if let Some(k) = self
            .queryables
            .keys()
            .find(|k| !names.contains(&k.as_str()))
        {
            let mut accepted: Vec<String> = [
                "f",
                "bbox",
                "bbox-crs",
                "crs",
                "limit",
                "offset",
                "datetime",
                "filter",
                "filter-lang",
                "filter-crs",
            ]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
            accepted.extend(names.iter().map(|s| (*s).to_string()));
            return Err(super::unknown_parameter(k, &accepted));
        }
        let limit = match self.limit {
            None => DEFAULT_LIMIT,
            Some(Whole(0)) => {
                return Err(ApiError::BadRequest(
                    "parameter limit=0 is refused: expected a whole number of 1 or more".into(),
                ))
            }
            Some(n) => n.count().min(MAX_LIMIT),
        };
        let offset = self.offset.map_or(0, Whole::count);
        if let Some(dt) = &self.datetime {
            check_datetime(dt)?;
        }
        let bbox_crs = crs_parameter(self.bbox_crs.as_deref(), "bbox-crs")?;
        let (bbox, area) = match &self.bbox {
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
        let filter = self.filter(c)?;
        Ok(ItemsRequest {
            query: Query {
                bbox,
                area,
                filter,
                part: layer.part(),
                offset,
                limit,
            },
            crs: crs_parameter(self.crs.as_deref(), "crs")?.unwrap_or(Crs::Crs84),
            f: self.f,
        })
    }
}

impl ItemsQuery {
    /// The filter of `filter` and the equality parameters together, compiled for `c`.
    fn filter(&self, c: Collection) -> Result<Option<std::sync::Arc<Filter>>, ApiError> {
        let schema = Schema::of(c);
        let mut parts = Vec::new();
        for (name, value) in &self.queryables {
            check_equality_value(c, name, value)?;
            let expr = equality(&schema, name, value);
            parts.push(Filter::compile(&expr, &schema, Crs::Crs84).map_err(|e| {
                ApiError::BadRequest(format!("parameter {name}={value} is refused: {e}"))
            })?);
        }
        let filter_crs = crs_parameter(self.filter_crs.as_deref(), "filter-crs")?;
        match &self.filter {
            Some(text) => {
                let lang = self.filter_lang.map_or(FilterLang::Cql2Text, |l| l.0);
                let f = Filter::parse(text, lang, &schema, filter_crs.unwrap_or(Crs::Crs84))
                    .map_err(|e| ApiError::BadRequest(format!("parameter filter is refused: {e}")))?;
                parts.push(f);
            }
            None if self.filter_lang.is_some() || filter_crs.is_some() => {
                return Err(ApiError::BadRequest(
                    "filter-lang or filter-crs is given without a filter; they describe the filter parameter".into(),
                ))
            }
            None => {}
        }
        Ok(match parts.len() {
            0 => None,
            1 => parts.pop().map(std::sync::Arc::new),
            _ => Some(std::sync::Arc::new(Filter::all(parts))),
        })
    }
}

/// The equality parameter `name=value` as a CQL2 expression: `name = 'value'`, or for a
/// list property, that the list holds the value.
fn equality(schema: &Schema, name: &str, value: &str) -> cql2::Expr {
    use cql2::Expr;
    let property = Box::new(Expr::Property {
        property: name.to_string(),
    });
    let literal = Box::new(Expr::Literal(value.to_string()));
    let is_list = schema
        .properties
        .iter()
        .any(|q| q.name == name && q.kind == crate::domain::QueryableType::StringArray);
    if is_list {
        Expr::Operation {
            op: "a_contains".into(),
            args: vec![property, Box::new(Expr::Array(vec![literal]))],
        }
    } else {
        Expr::Operation {
            op: "=".into(),
            args: vec![property, literal],
        }
    }
}

/// Refuses an equality value that cannot be stored: an unknown land-use code, or a value
/// outside a property's fixed list.
fn check_equality_value(c: Collection, property: &str, value: &str) -> Result<(), ApiError> {
    if property == "land_use" {
        return landuse::matching_codes(value)
            .map(|_| ())
            .ok_or_else(|| ApiError::BadRequest(landuse::unknown_code_message(value)));
    }
    match c.allowed_values(property) {
        Some(allowed) if !allowed.contains(&value) => Err(ApiError::BadRequest(format!(
            "{property}={value} is not a value of {property}; use one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::params::read;

    fn request(s: &str) -> Result<ItemsRequest, ApiError> {
        read::<ItemsQuery>(Some(s))?.into_request(Layer::Parcels)
    }

    #[test]
    fn items_query_reads_filters_and_refuses_unknown_parameters() {
        let q = request("bbox=125.3,43.8,125.5,43.9&status=idle&limit=5").unwrap();
        assert_eq!(q.query.limit, 5);
        assert!(q.query.filter.is_some());
        let err = request("colour=red").unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
        assert!(request("limit=0").is_err());
        assert!(request("limit=5x").is_err());
        assert!(request("bbox=1,2,3").is_err());
        assert!(request("datetime=2026-01-01T00:00:00Z/..").is_ok());
        assert!(request("datetime=yesterday").is_err());
        assert!(request("status=idle&status=zombie").is_err());
    }

    #[test]
    fn a_limit_above_the_maximum_is_served_at_the_maximum() {
        assert_eq!(request("limit=50000").unwrap().query.limit, MAX_LIMIT);
    }
}
