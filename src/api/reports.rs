//! `GET /reports/land-reserve`: the land-reserve decision report as HTML, CSV or JSON,
//! for the whole zone, a zone, a sub-district, a box or a drawn polygon, now or as of a
//! date.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::params;
use super::{typed, ApiError, AppState};
use crate::report::{self, ReportError, ReportRequest};

/// `GET /reports/land-reserve?f=html|csv|json&zone=&subdistrict=&bbox=&area=&as_of=`
pub async fn land_reserve(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(
        &pairs,
        &["f", "zone", "subdistrict", "bbox", "area", "as_of"],
    )?;
    let get = |k: &str| params::single(&pairs, k);
    let format = match get("f")? {
        Some("csv") => "csv",
        Some("json") => "json",
        Some("html") => "html",
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "f={other} is not a format of the report; use f=html, f=csv or f=json \
                 (the PDF comes from `landreuse report land-reserve --format pdf`)"
            )))
        }
        None => match params::format(&[], &headers)? {
            params::Format::Html => "html",
            params::Format::Json => "json",
        },
    };
    let request = ReportRequest::parse(
        get("zone")?,
        get("subdistrict")?,
        get("bbox")?,
        get("area")?,
        get("as_of")?,
    )
    .map_err(ApiError::BadRequest)?;
    let generated = report::land_reserve(
        state.store.as_ref(),
        &request,
        &state.priority,
        &state.targets,
        &mut |_, _| {},
    )
    .await
    .map_err(|e| match e {
        ReportError::Request(m) => ApiError::BadRequest(m),
        ReportError::Store(s) => s.into(),
    })?;
    let r = &generated.report;
    let day: String = r
        .generated_at
        .chars()
        .take(10)
        .filter(|c| *c != '-')
        .collect();
    Ok(match format {
        "html" => typed(
            report::html::render(r, &generated.input),
            "text/html; charset=utf-8",
        ),
        "csv" => {
            let mut resp = typed(report::csv::render(r), "text/csv; charset=utf-8");
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"land-reserve-{day}.csv\""))
            {
                resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            resp
        }
        _ => axum::Json(r).into_response(),
    })
}
