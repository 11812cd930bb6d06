//! `GET /reports/land-reserve`: the land-reserve decision report as HTML, CSV or JSON,
//! for the whole zone, a zone, a sub-district, a box or a drawn polygon, now or as of a
//! date.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;

use super::params::{self, Params};
use super::{typed, ApiError, AppState};
use crate::report::{self, ReportError, ReportRequest};

/// The formats of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    /// A self-contained A4 page with maps and charts.
    Html,
    /// Every figure with its parcel ids.
    Csv,
    /// The figures as JSON.
    Json,
}

/// The query of the land-reserve report.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// html (self-contained A4 page), csv (every figure with its parcel ids) or json.
    /// The PDF comes from `landreuse report land-reserve --format pdf`.
    pub f: Option<ReportFormat>,
    /// south, north or bonded.
    pub zone: Option<String>,
    /// A sub-district code.
    pub subdistrict: Option<String>,
    /// minlon,minlat,maxlon,maxlat (CRS84): parcels meeting the box.
    pub bbox: Option<String>,
    /// A GeoJSON Polygon or MultiPolygon (CRS84): parcels meeting it.
    pub area: Option<String>,
    /// YYYY-MM-DD (end of the day, UTC+8) or an RFC 3339 time: the data as it stood then.
    pub as_of: Option<String>,
}

/// `GET /reports/land-reserve?f=html|csv|json&zone=&subdistrict=&bbox=&area=&as_of=`
pub async fn land_reserve(
    State(state): State<AppState>,
    Params(q): Params<ReportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let format = q.f.unwrap_or(match params::format(None, &headers) {
        params::Format::Html => ReportFormat::Html,
        params::Format::Json => ReportFormat::Json,
    });
    let request = ReportRequest::parse(
        q.zone.as_deref(),
        q.subdistrict.as_deref(),
        q.bbox.as_deref(),
        q.area.as_deref(),
        q.as_of.as_deref(),
    )
    .map_err(ApiError::BadRequest)?;
    // The report reads the store and computes on a blocking thread (the read drives
    // its queries through the runtime's handle), so the async workers stay free.
    let (store, priority, targets) = (
        state.store.clone(),
        state.priority.clone(),
        state.targets.clone(),
    );
    let runtime = tokio::runtime::Handle::current();
    let rendered = super::heavy::run(&state, move || {
        let generated = runtime
            .block_on(report::land_reserve(
                store.as_ref(),
                &request,
                &priority,
                &targets,
                &mut |_, _| {},
            ))
            .map_err(|e| match e {
                ReportError::Request(m) => ApiError::BadRequest(m),
                ReportError::Store(s) => s.into(),
            })?;
        render(format, &generated)
    })
    .await??;
    Ok(rendered)
}

/// The report in `format`, as a response.
fn render(format: ReportFormat, generated: &report::Generated) -> Result<Response, ApiError> {
    let r = &generated.report;
    let day: String = r
        .generated_at
        .chars()
        .take(10)
        .filter(|c| *c != '-')
        .collect();
    Ok(match format {
        ReportFormat::Html => typed(
            report::html::render(r, &generated.input),
            "text/html; charset=utf-8",
        ),
        ReportFormat::Csv => {
            let csv = report::csv::render(r)
                .map_err(|e| ApiError::internal("writing the land-reserve report as CSV", e))?;
            let mut resp = typed(csv, "text/csv; charset=utf-8");
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"land-reserve-{day}.csv\""))
            {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        ReportFormat::Json => axum::Json(r).into_response(),
    })
}
