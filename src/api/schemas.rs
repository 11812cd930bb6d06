//! The bodies of the domain endpoints as types: each handler writes one of these, and
//! the OpenAPI document gives its schema from the same type.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::projects::Progress;
use crate::domain::reallocation::ExpansionTotals;
use crate::domain::AreaMeasure;
use crate::store::{EnterpriseRecord, Event};

/// A link (RFC 8288 in JSON, as OGC API writes it).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Link {
    /// The target.
    pub href: String,
    /// The relation.
    pub rel: String,
    /// The target's media type.
    #[serde(rename = "type")]
    pub media: String,
    /// For people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl Link {
    /// A link with a title.
    pub fn new(href: String, rel: &str, media: &str, title: Option<&str>) -> Self {
        Self {
            href,
            rel: rel.to_string(),
            media: media.to_string(),
            title: title.map(str::to_string),
        }
    }
}

/// A parcel of a case as it stands now.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseParcelState {
    /// Parcel code.
    pub id: String,
    /// Its status, or a note that it is no longer stored (split or merged).
    pub status: Option<String>,
    /// Owner enterprise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Land-use code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub land_use: Option<String>,
    /// Zone code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// Area, mu.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_mu: Option<f64>,
    /// The owner's grade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// The parcel's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

/// A reallocation case.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseBody {
    /// Case code (RC-00012).
    pub id: String,
    /// The case's recorded properties: kind, stage, version, parcels, enterprise …
    #[serde(flatten)]
    pub properties: Map<String, Value>,
    /// The stages it may move to next.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_next: Option<Vec<String>>,
    /// Its parcels as they stand.
    pub parcel_states: Vec<CaseParcelState>,
    /// Its events, oldest first (for one case).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<Event>>,
    /// Self and the GeoJSON feature.
    pub links: Vec<Link>,
}

/// The list of cases.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaseList {
    /// Cases listed.
    #[serde(rename = "numberMatched")]
    pub number_matched: usize,
    /// 存量扩能 totals of the listed expansion cases.
    pub expansion: ExpansionTotals,
    /// The cases.
    pub cases: Vec<CaseBody>,
}

/// A parcel's history.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct History {
    /// Parcel code.
    pub parcel: String,
    /// Its events, oldest first.
    pub events: Vec<Event>,
}

/// What a split made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SplitResult {
    /// The parcel split (retired).
    pub split: String,
    /// Codes of the new lots.
    pub lots: Vec<String>,
}

/// What a merge made.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MergeResult {
    /// The parcels merged (retired).
    pub merged: Vec<String>,
    /// Code of the merged parcel.
    pub parcel: String,
}

/// The programme's targets.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Targets {
    /// Each target with its progress.
    pub targets: Vec<Progress>,
}

/// A feature found by an analysis, with its distance.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Found {
    /// Feature id.
    pub id: String,
    /// Geodesic distance, metres (0 where it meets).
    pub distance_m: f64,
    /// Name (schools, roads, projects).
    pub name: Option<String>,
    /// School level.
    pub level: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Project kind.
    pub kind: Option<String>,
    /// Land-use code (parcels).
    pub land_use: Option<String>,
    /// Geodesic area, m².
    pub area_m2: Option<f64>,
}

/// `GET /analysis/nearest-schools`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct NearestSchools {
    /// What was measured from.
    pub from: String,
    /// The schools, nearest first.
    pub schools: Vec<Found>,
}

/// A residential parcel outside every school's radius.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct GapParcel {
    /// Parcel code.
    pub id: String,
    /// Zone code.
    pub zone: Option<String>,
    /// Sub-district code.
    pub subdistrict: Option<String>,
    /// Land-use code.
    pub land_use: Option<String>,
    /// Geodesic area, m².
    pub area_m2: f64,
}

/// `GET /analysis/coverage-gaps`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Gaps {
    /// primary or middle.
    pub level: String,
    /// Service radius, metres.
    pub radius_m: f64,
    /// Which schools count.
    pub schools_counted: String,
    /// Residential parcels checked.
    pub residential_parcels: usize,
    /// Parcels outside every radius.
    pub gaps: usize,
    /// Their area.
    pub gap_area: AreaMeasure,
    /// Parcels listed (at most `limit`).
    pub listed: usize,
    /// The listed parcels.
    pub parcels: Vec<GapParcel>,
}

/// `GET /analysis/overlaps`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Overlaps {
    /// The project or school.
    pub from: String,
    /// Reserved parcels it meets.
    pub reserved_parcels: Vec<Found>,
    /// Other projects it meets.
    pub projects: Vec<Found>,
    /// Schools it meets.
    pub schools: Vec<Found>,
}

/// `GET /analysis/within`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Within {
    /// What was measured from.
    pub from: String,
    /// The distance, metres.
    pub distance_m: f64,
    /// The collection searched.
    pub collection: String,
    /// Features within the distance.
    pub matched: usize,
    /// Their total area (areal collections).
    pub area: AreaMeasure,
    /// The features (at most `limit`), nearest first.
    pub features: Vec<Found>,
}

/// A parcel a firm uses.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EnterpriseParcel {
    /// Parcel code.
    pub id: String,
    /// Zone code.
    pub zone: Option<String>,
    /// Land-use code.
    pub land_use: Option<String>,
    /// Status.
    pub status: Option<String>,
    /// Area, m².
    pub area_m2: Option<f64>,
    /// Area, mu.
    pub area_mu: Option<f64>,
    /// The parcel's URL.
    pub href: String,
}

/// A firm.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EnterpriseBody {
    /// Its facts, figures and grade.
    #[serde(flatten)]
    pub record: EnterpriseRecord,
    /// Self and its parcels.
    pub links: Vec<Link>,
    /// The parcels it uses (for one firm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parcels: Option<Vec<EnterpriseParcel>>,
}

/// The firms.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EnterpriseList {
    /// Firms listed.
    #[serde(rename = "numberMatched")]
    pub number_matched: usize,
    /// The firms.
    pub enterprises: Vec<EnterpriseBody>,
}

/// A change to a project or school: a partial GeoJSON Feature (`type`, `properties`,
/// `geometry`), or a plain object of properties.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct ProjectPatch {
    /// `Feature` for a partial feature; absent for a plain object of properties.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The properties to change (with `type: Feature`).
    pub properties: Option<Map<String, Value>>,
    /// A new geometry in CRS84 (with `type: Feature`).
    pub geometry: Option<Value>,
    /// Properties to change (without `type`).
    #[serde(flatten)]
    pub plain: Map<String, Value>,
}

/// A JSON Merge Patch (RFC 7396) of a feature's GeoJSON (`PATCH /collections/{id}/items/{fid}`):
/// the members to change; `null` removes a property. The schema of the body in `/api`
/// only: the handler reads the patch as JSON, where `null` and absent differ.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct FeaturePatch {
    /// `Feature`, when given.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Properties to set (`null` removes one).
    pub properties: Option<Map<String, Value>>,
    /// A new geometry, in the CRS of `Content-Crs` (CRS84 by default).
    pub geometry: Option<Value>,
}

/// A text property of a feature's served properties.
pub fn text(p: &Map<String, Value>, key: &str) -> Option<String> {
    p.get(key).and_then(Value::as_str).map(str::to_string)
}
