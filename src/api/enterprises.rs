//! `/enterprises`: the zone's firms with their figures, land and 亩均效益 grade, and the
//! parcels each uses.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::auth::require;
use super::html::segment;
use super::params::{NoQuery, Params};
use super::schemas::{text, EnterpriseBody, EnterpriseList, EnterpriseParcel, Link};
use super::{base_url, ApiError, AppState};
use crate::auth::Role;
use crate::domain::Collection;
use std::sync::Arc;

use crate::index::filter::Filter;
use crate::index::Query;
use crate::store::EnterpriseRecord;
use crate::workflow::enterprises;

fn body_of(e: &EnterpriseRecord, base: &str) -> EnterpriseBody {
    EnterpriseBody {
        record: e.clone(),
        links: vec![
            Link::new(
                format!("{base}/enterprises/{}", e.id),
                "self",
                "application/json",
                None,
            ),
            Link::new(
                format!(
                    "{base}/collections/parcels/items?owner={}",
                    urlencode(&e.enterprise.name)
                ),
                "related",
                "application/geo+json",
                Some("The firm's parcels"),
            ),
        ],
        parcels: None,
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .map(|q| q.trim_start_matches("v=").to_string())
        .unwrap_or_default()
}

async fn find(state: &AppState, id: &str) -> Result<EnterpriseRecord, ApiError> {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::NotFound(format!("there is no enterprise {id:?}; ids are numbers"))
    })?;
    state
        .store
        .enterprises()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no enterprise {id}")))
}

/// The query of the firm list: each an equality filter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// A, B, C, D or ungraded.
    pub grade: Option<String>,
    /// Industry chain code.
    pub industry_chain: Option<String>,
    /// Zone of most of its land (south, north, bonded).
    pub zone: Option<String>,
}

fn matches(e: &EnterpriseRecord, q: &ListQuery) -> bool {
    let grade = match q.grade.as_deref() {
        None => true,
        Some("ungraded") => e.grade.grade.is_none(),
        Some(g) => e.grade.grade.as_deref() == Some(g),
    };
    let chain = q.industry_chain.is_none() || e.enterprise.industry_chain == q.industry_chain;
    let zone = q.zone.is_none() || e.grade.zone == q.zone;
    grade && chain && zone
}

/// `GET /enterprises?grade=&industry_chain=&zone=`
pub async fn list(
    State(state): State<AppState>,
    Params(q): Params<ListQuery>,
    headers: HeaderMap,
) -> Result<Json<EnterpriseList>, ApiError> {
    let base = base_url(&state.settings, &headers);
    let list: Vec<EnterpriseBody> = state
        .store
        .enterprises()
        .await?
        .iter()
        .filter(|e| matches(e, &q))
        .map(|e| body_of(e, &base))
        .collect();
    Ok(Json(EnterpriseList {
        number_matched: list.len(),
        enterprises: list,
    }))
}

/// `GET /enterprises/{id}` with the parcels the firm uses.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(_): Params<NoQuery>,
    headers: HeaderMap,
) -> Result<Json<EnterpriseBody>, ApiError> {
    let e = find(&state, &id).await?;
    let base = base_url(&state.settings, &headers);
    let mut body = body_of(&e, &base);
    let parcels = state.index.read(Collection::Parcels);
    let owned = Filter::any_of(parcels.schema(), "owner", &[&e.enterprise.name])
        .map_err(|e| ApiError::internal("the owner filter", e))?;
    let page = parcels.query(&Query {
        filter: Some(Arc::new(owned)),
        limit: usize::MAX,
        ..Query::default()
    });
    let parcels = page
        .features
        .iter()
        .map(|f| {
            let p = f.properties();
            EnterpriseParcel {
                id: f.code.to_string(),
                zone: text(&p, "zone"),
                land_use: text(&p, "land_use"),
                status: text(&p, "status"),
                area_m2: p.get("area_m2").and_then(Value::as_f64),
                area_mu: p.get("area_mu").and_then(Value::as_f64),
                href: format!("{base}/collections/parcels/items/{}", segment(&f.code)),
            }
        })
        .collect();
    body.parcels = Some(parcels);
    Ok(Json(body))
}

/// A new firm.
#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterpriseNew {
    /// Registered Chinese name (unique).
    pub name: String,
    /// English name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Industry chain code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry_chain: Option<String>,
    /// 规上 (above designated size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above_scale: Option<bool>,
    /// Annual output value, 万元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_value_wan: Option<f64>,
    /// Annual tax, 万元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_wan: Option<f64>,
    /// Employees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<i64>,
    /// Year founded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub founded_year: Option<i64>,
}

/// A correction of a firm: the fields to change (others stay as they are).
#[derive(Debug, Deserialize, serde::Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnterprisePatch {
    /// Registered Chinese name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// English name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_en: Option<String>,
    /// Industry chain code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub industry_chain: Option<String>,
    /// 规上 (above designated size).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub above_scale: Option<bool>,
    /// Annual output value, 万元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_value_wan: Option<f64>,
    /// Annual tax, 万元.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_wan: Option<f64>,
    /// Employees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employees: Option<i64>,
    /// Year founded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub founded_year: Option<i64>,
}

/// Reads a body strictly as `T` (the documented shape: known fields, right types), then
/// as the object of fields it gives (a `null` clears a figure), for the workflow's checks.
fn object<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    what: &str,
) -> Result<Map<String, Value>, ApiError> {
    let v = super::body::json_value(bytes, what)?;
    serde_json::from_value::<T>(v.clone())
        .map_err(|e| ApiError::BadRequest(format!("the {what} cannot be read: {e}")))?;
    match v {
        Value::Object(m) => Ok(m),
        _ => Err(ApiError::BadRequest(format!(
            "the {what} must be a JSON object"
        ))),
    }
}

/// `POST /enterprises` (planner)
pub async fn create(
    State(state): State<AppState>,
    Params(_): Params<NoQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<EnterpriseBody>), ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let e = enterprises::from_json(&object::<EnterpriseNew>(&body, "enterprise")?)?;
    let record = enterprises::create(state.store.as_ref(), &holder.name, e, &state.grading).await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    Ok((StatusCode::CREATED, Json(body_of(&record, &base))))
}

/// `PATCH /enterprises/{id}` (planner)
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Params(_): Params<NoQuery>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<EnterpriseBody>, ApiError> {
    let holder = require(&state, &headers, Role::Planner).await?;
    let current = find(&state, &id).await?;
    let patch = object::<EnterprisePatch>(&body, "correction")?;
    let record = enterprises::update(
        state.store.as_ref(),
        &holder.name,
        current.id,
        &patch,
        &state.grading,
    )
    .await?;
    state.index.catch_up(state.store.as_ref()).await?;
    let base = base_url(&state.settings, &headers);
    Ok(Json(body_of(&record, &base)))
}
