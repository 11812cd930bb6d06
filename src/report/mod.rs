//! The last step of the data flow: land-reserve decision reports (土地储备决策报告) for
//! the land reserve committee, from the store as it stands or as it stood at a date.
//!
//! [`input`] reads the land in scope (now, or replayed from the event log), [`figures`]
//! computes every total with the parcel ids behind it, and the renderers write HTML
//! (self-contained, A4, with the service's own SVG map and charts), CSV and JSON; [`pdf`]
//! prints the HTML with headless Chromium.

pub mod csv;
pub mod figures;
pub mod html;
pub mod input;
pub mod pdf;
pub mod svg;

use std::fmt;

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, Time, UtcOffset};

use crate::domain::projects::Target;
use crate::domain::reserve_priority::PriorityConfig;
use crate::store::{Store, StoreError};
pub use figures::LandReserveReport;
pub use input::{Input, Scope};

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// A self-contained HTML page (maps and charts inline).
    Html,
    /// One CSV table of every figure with its parcel ids.
    Csv,
    /// The whole report as JSON.
    Json,
    /// The HTML printed to A4 by headless Chromium.
    Pdf,
}

impl std::str::FromStr for ReportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "html" => Ok(Self::Html),
            "csv" => Ok(Self::Csv),
            "json" => Ok(Self::Json),
            "pdf" => Ok(Self::Pdf),
            other => Err(format!(
                "{other} is not a report format; use html, csv, json or pdf"
            )),
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Html => "html",
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Pdf => "pdf",
        })
    }
}

/// China Standard Time, in which planners name their dates.
const CST: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// Reads an "as of" date: `YYYY-MM-DD` is the end of that day in China Standard Time
/// (UTC+8); an RFC 3339 time is taken as given. The answer is UTC in the event log's
/// own format, so that it compares with the log's times as text.
///
/// ```
/// use landreuse::report::parse_as_of;
/// assert_eq!(parse_as_of("2026-11-01").unwrap(), "2026-11-01T15:59:59.999Z");
/// assert_eq!(parse_as_of("2026-11-02T09:30:00+08:00").unwrap(), "2026-11-02T01:30:00.000Z");
/// assert!(parse_as_of("2026-13-01").unwrap_err().contains("2026-13-01"));
/// ```
pub fn parse_as_of(text: &str) -> Result<String, String> {
    let text = text.trim();
    let moment = if text.len() == 10 {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let day = Date::parse(text, &fmt).map_err(|_| bad_date(text))?;
        let end = Time::from_hms_milli(23, 59, 59, 999).map_err(|_| bad_date(text))?;
        day.with_time(end).assume_offset(CST)
    } else {
        OffsetDateTime::parse(text, &Rfc3339).map_err(|_| bad_date(text))?
    };
    Ok(log_time(moment))
}

fn bad_date(text: &str) -> String {
    format!(
        "as-of date {text} is not a date (YYYY-MM-DD, the end of that day in China Standard \
         Time) or an RFC 3339 time such as 2026-11-02T09:30:00+08:00"
    )
}

/// A moment in the event log's format (`2026-11-28T10:49:07.123Z`).
fn log_time(t: OffsetDateTime) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.to_offset(UtcOffset::UTC)
        .format(&fmt)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// What to report on.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    /// The land covered.
    pub scope: Scope,
    /// The time the data stood at (event-log format, see [`parse_as_of`]); `None`: now.
    pub as_of: Option<String>,
}

/// A computed report with what it was computed from (the renderers draw the map from
/// the input).
pub struct Generated {
    /// The figures.
    pub report: LandReserveReport,
    /// The land, cases and projects read.
    pub input: Input,
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The request names something that does not exist or is malformed.
    #[error("{0}")]
    Request(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ReportRequest {
    /// Builds a request from its parts as people type them: `zone` (south, north,
    /// bonded), `subdistrict` (a sub-district code), `bbox` (`minlon,minlat,maxlon,maxlat`
    /// in CRS84), `area` (a GeoJSON Polygon or MultiPolygon, or a Feature of one, in
    /// CRS84) and `as_of` (see [`parse_as_of`]).
    pub fn parse(
        zone: Option<&str>,
        subdistrict: Option<&str>,
        bbox: Option<&str>,
        area: Option<&str>,
        as_of: Option<&str>,
    ) -> Result<Self, String> {
        if let Some(z) = zone {
            if !figures::ZONES.iter().any(|(k, _)| *k == z) {
                return Err(format!(
                    "zone {z} is not a zone of the development zone; use south, north or bonded"
                ));
            }
        }
        let area = match (bbox, area) {
            (Some(_), Some(_)) => {
                return Err("give the area as a bbox or as a polygon, not both".into())
            }
            (Some(b), None) => Some(parse_bbox(b)?),
            (None, Some(a)) => Some(parse_area(a)?),
            (None, None) => None,
        };
        Ok(Self {
            scope: Scope {
                zone: zone.map(str::to_string),
                subdistrict: subdistrict.map(str::to_string),
                area,
            },
            as_of: as_of.map(parse_as_of).transpose()?,
        })
    }
}

fn parse_bbox(text: &str) -> Result<geo::Geometry<f64>, String> {
    let n: Vec<f64> = text
        .split(',')
        .map(|v| v.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("bbox {text} is not four numbers minlon,minlat,maxlon,maxlat"))?;
    let [x0, y0, x1, y1] = n[..] else {
        return Err(format!(
            "bbox {text} has {} numbers; give four: minlon,minlat,maxlon,maxlat",
            n.len()
        ));
    };
    let in_range = (-180.0..=180.0).contains(&x0) && (-90.0..=90.0).contains(&y0);
    if !(x0 < x1 && y0 < y1 && in_range) {
        return Err(format!(
            "bbox {text} is not a box in lon/lat: it needs minlon < maxlon and minlat < maxlat, in degrees"
        ));
    }
    Ok(geo::Geometry::Polygon(
        geo::Rect::new((x0, y0), (x1, y1)).to_polygon(),
    ))
}

fn parse_area(text: &str) -> Result<geo::Geometry<f64>, String> {
    let gj: geojson::GeoJson = text
        .parse()
        .map_err(|e| format!("the area is not GeoJSON: {e}"))?;
    let geometry = match gj {
        geojson::GeoJson::Geometry(g) => g,
        geojson::GeoJson::Feature(f) => f
            .geometry
            .ok_or("the area is a Feature without a geometry")?,
        geojson::GeoJson::FeatureCollection(fc) if fc.features.len() == 1 => fc.features[0]
            .geometry
            .clone()
            .ok_or("the area's feature has no geometry")?,
        geojson::GeoJson::FeatureCollection(fc) => {
            return Err(format!(
                "the area is a FeatureCollection of {} features; give one polygon",
                fc.features.len()
            ))
        }
    };
    let g: geo::Geometry<f64> = geometry
        .try_into()
        .map_err(|e| format!("the area's geometry cannot be read: {e}"))?;
    match g {
        geo::Geometry::Polygon(_) | geo::Geometry::MultiPolygon(_) => Ok(g),
        _ => Err("the area must be a Polygon or MultiPolygon in lon/lat (CRS84)".into()),
    }
}

/// Reads the store and computes the land-reserve report. `progress` hears (parcels
/// read, parcels in the store; 0 when unknown).
pub async fn land_reserve(
    store: &dyn Store,
    request: &ReportRequest,
    config: &PriorityConfig,
    targets: &[Target],
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Generated, ReportError> {
    let input = input::gather(store, &request.scope, request.as_of.as_deref(), progress).await?;
    if let Some(s) = &request.scope.subdistrict {
        let known: Vec<&str> = input
            .zones
            .iter()
            .filter(|z| {
                z.properties.get("kind").and_then(serde_json::Value::as_str) == Some("subdistrict")
            })
            .map(|z| z.code.as_str())
            .collect();
        if !known.contains(&s.as_str()) {
            return Err(ReportError::Request(format!(
                "sub-district {s} is not known; the sub-districts are {}",
                known.join(", ")
            )));
        }
    }
    let report = figures::compute(
        &input,
        request.scope.describe(),
        log_time(OffsetDateTime::now_utc()),
        config,
        targets,
    );
    Ok(Generated { report, input })
}
