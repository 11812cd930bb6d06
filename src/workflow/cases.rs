//! Reallocation cases: opening one and moving it along its stages. The rules are the
//! state machine of [`crate::domain::reallocation`]; this module reads the facts it
//! needs and writes what it decides, each change with its event, in one transaction.

use std::collections::HashMap;

use geo::{Geometry, MultiPolygon, Polygon};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::grading::regrade_in;
use super::WorkflowError;
use crate::domain::feature::Measures;
use crate::domain::grading::GradingConfig;
use crate::domain::reallocation::{
    self, Acquisition, CaseKind, NewCase, ParcelChange, ParcelFacts, ParcelRole, Stage,
};
use crate::domain::{Collection, FeatureRecord, ParcelStatus};
use crate::store::{FeatureWrite, Store, WorkflowTx};

/// A parcel named in a request to open a case.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseParcel {
    /// Parcel code.
    pub code: String,
    /// Its role (`subject` when not given).
    #[serde(default)]
    #[schemars(with = "Option<crate::domain::reallocation::ParcelRole>")]
    pub role: Option<String>,
}

/// A request to open a case.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    /// `reserve`, `relocation`, `redevelopment` or `expansion`.
    #[schemars(with = "crate::domain::reallocation::CaseKind")]
    pub kind: String,
    /// The parcels and their roles.
    pub parcels: Vec<CaseParcel>,
    /// The firm relocating or expanding.
    #[serde(default)]
    pub enterprise: Option<String>,
    /// Land-use code the land is supplied for (redevelopment).
    #[serde(default)]
    pub planned_use: Option<String>,
    /// `recovery`, `purchase` or `expropriation` (reserve).
    #[serde(default)]
    #[schemars(with = "Option<crate::domain::reallocation::Acquisition>")]
    pub acquisition: Option<String>,
    /// Planned new output value, 万元 (expansion).
    #[serde(default)]
    pub planned_output_wan: Option<f64>,
    /// Why the case is opened.
    #[serde(default)]
    pub reason: Option<String>,
}

fn text<'a>(r: &'a FeatureRecord, key: &str) -> Option<&'a str> {
    r.properties.get(key).and_then(Value::as_str)
}

/// Every parcel held by an open case (not completed, rejected or cancelled), with the
/// case's code.
pub(super) async fn open_case_parcels(
    tx: &mut dyn WorkflowTx,
) -> Result<HashMap<String, String>, WorkflowError> {
    let open: Vec<String> = Stage::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.code().to_string())
        .collect();
    let mut held = HashMap::new();
    for case in tx
        .features_where(Collection::Reallocations, "stage", &open)
        .await?
    {
        for code in case_parcels(&case.properties) {
            held.insert(code.to_string(), case.code.clone());
        }
    }
    Ok(held)
}

/// Whether a case's properties put it in an open stage.
pub fn is_open_case(properties: &serde_json::Map<String, Value>) -> bool {
    properties
        .get("stage")
        .and_then(Value::as_str)
        .is_some_and(|s| Stage::ALL.iter().any(|st| st.is_open() && st.code() == s))
}

/// The parcel codes a case's properties name (`parcels`, comma-separated).
pub fn case_parcels(properties: &serde_json::Map<String, Value>) -> impl Iterator<Item = &str> {
    properties
        .get("parcels")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// The number of a case code (`RC-00012` → 12), as the rules name cases.
fn case_number(code: &str) -> Option<i64> {
    code.rsplit('-').next()?.parse().ok()
}

/// The facts the rules need about a stored parcel.
fn facts(p: &FeatureRecord, open: &HashMap<String, String>) -> Result<ParcelFacts, WorkflowError> {
    let status = text(p, "status")
        .unwrap_or("active")
        .parse::<ParcelStatus>()
        .map_err(WorkflowError::Invalid)?;
    Ok(ParcelFacts {
        code: p.code.clone(),
        zone: text(p, "zone").map(str::to_string),
        status,
        owner: text(p, "owner").map(str::to_string),
        owner_grade: text(p, "grade")
            .and_then(|g| g.chars().next())
            .filter(|c| ('A'..='D').contains(c)),
        land_use: text(p, "land_use").map(str::to_string),
        open_case: open.get(&p.code).and_then(|c| case_number(c)),
    })
}

/// The parcels of `codes` in the order given; a missing one is an error naming it.
async fn load_parcels(
    tx: &mut dyn WorkflowTx,
    codes: &[String],
) -> Result<Vec<FeatureRecord>, WorkflowError> {
    let found = tx.features(Collection::Parcels, codes).await?;
    codes
        .iter()
        .map(|c| {
            found
                .iter()
                .find(|f| &f.code == c)
                .cloned()
                .ok_or_else(|| WorkflowError::Invalid(format!("there is no parcel {c}")))
        })
        .collect()
}

/// The case geometry: the polygons of its parcels.
fn case_geometry(parcels: &[FeatureRecord]) -> (Geometry<f64>, Measures) {
    let mut polys: Vec<Polygon<f64>> = Vec::new();
    let mut area = 0.0;
    for p in parcels {
        match &p.geometry {
            Geometry::Polygon(poly) => polys.push(poly.clone()),
            Geometry::MultiPolygon(mp) => polys.extend(mp.0.iter().cloned()),
            _ => {}
        }
        area += p
            .properties
            .get("area_m2")
            .and_then(Value::as_f64)
            .unwrap_or(0.0);
    }
    (
        Geometry::MultiPolygon(MultiPolygon(polys)),
        Measures {
            area_m2: Some(area),
            perimeter_m: None,
            length_m: None,
        },
    )
}

fn parse_request(req: &OpenCase) -> Result<(CaseKind, Vec<(ParcelRole, String)>), WorkflowError> {
    let kind: CaseKind = req.kind.parse().map_err(WorkflowError::BadRequest)?;
    let roles = req
        .parcels
        .iter()
        .map(|p| {
            let role = match &p.role {
                Some(r) => r.parse::<ParcelRole>().map_err(WorkflowError::BadRequest)?,
                None => ParcelRole::Subject,
            };
            Ok((role, p.code.clone()))
        })
        .collect::<Result<Vec<_>, WorkflowError>>()?;
    Ok((kind, roles))
}

/// Opens a case: checks every rule of its kind and stores it in its first stage.
pub async fn open(
    store: &dyn Store,
    actor: &str,
    req: &OpenCase,
) -> Result<FeatureRecord, WorkflowError> {
    let (kind, roles) = parse_request(req)?;
    let acquisition = req
        .acquisition
        .as_deref()
        .map(|a| a.parse::<Acquisition>().map_err(WorkflowError::BadRequest))
        .transpose()?;
    let mut tx = store.begin_workflow(actor).await?;
    let held = open_case_parcels(tx.as_mut()).await?;
    let codes: Vec<String> = roles.iter().map(|(_, c)| c.clone()).collect();
    let parcels = load_parcels(tx.as_mut(), &codes).await?;
    let with_facts = roles
        .iter()
        .zip(&parcels)
        .map(|((role, _), p)| Ok((*role, facts(p, &held)?)))
        .collect::<Result<Vec<_>, WorkflowError>>()?;
    let new = NewCase {
        kind,
        parcels: with_facts.clone(),
        enterprise: req.enterprise.clone(),
        planned_use: req.planned_use.clone(),
        planned_output_wan: req.planned_output_wan,
        acquisition,
    };
    reallocation::validate_new(&new)?;
    let code = tx.next_code(Collection::Reallocations).await?;
    let zone = with_facts
        .iter()
        .find(|(r, _)| *r != ParcelRole::Target)
        .and_then(|(_, f)| f.zone.clone());
    let stage = reallocation::first_stage(kind);
    let now = tx.now().to_string();
    let mut set = Map::new();
    set.insert("kind".into(), json!(kind.code()));
    set.insert("stage".into(), json!(stage.code()));
    set.insert("version".into(), json!(1));
    set.insert("zone".into(), json!(zone));
    set.insert("enterprise".into(), json!(req.enterprise));
    set.insert(
        "planned_use".into(),
        json!(req
            .planned_use
            .as_deref()
            .map(|u| crate::domain::landuse::canonical(u).unwrap_or(u))),
    );
    set.insert(
        "acquisition".into(),
        json!(acquisition.map(Acquisition::code)),
    );
    set.insert("planned_output_wan".into(), json!(req.planned_output_wan));
    set.insert("parcels".into(), json!(codes.join(",")));
    set.insert("opened_at".into(), json!(now));
    set.insert("stage_since".into(), json!(now));
    let mut attributes = Map::new();
    attributes.insert(
        "roles".into(),
        Value::Object(
            roles
                .iter()
                .map(|(r, c)| (c.clone(), json!(r.code())))
                .collect(),
        ),
    );
    attributes.insert(
        "original".into(),
        Value::Array(
            with_facts
                .iter()
                .map(|(_, f)| json!({"code": f.code, "status": f.status.code(), "owner": f.owner}))
                .collect(),
        ),
    );
    let written = tx
        .write_feature(
            &FeatureWrite {
                collection: Collection::Reallocations,
                code,
                set,
                geometry: Some(case_geometry(&parcels)),
                attributes: Some(attributes),
            },
            "case.opened",
            req.reason.as_deref(),
        )
        .await?;
    tx.commit().await?;
    Ok(written)
}

/// Parses the stored parcel roles and original statuses of a case.
fn stored_roles(case: &FeatureRecord) -> Vec<(ParcelRole, String)> {
    let roles = case.properties.get("roles").and_then(Value::as_object);
    text(case, "parcels")
        .unwrap_or("")
        .split(',')
        .filter(|c| !c.trim().is_empty())
        .map(|c| {
            let role = roles
                .and_then(|r| r.get(c))
                .and_then(Value::as_str)
                .and_then(|r| r.parse().ok())
                .unwrap_or(ParcelRole::Subject);
            (role, c.trim().to_string())
        })
        .collect()
}

fn stored_original(case: &FeatureRecord) -> Vec<(String, ParcelStatus, Option<String>)> {
    case.properties
        .get("original")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|o| {
                    Some((
                        o.get("code")?.as_str()?.to_string(),
                        o.get("status")?.as_str()?.parse().ok()?,
                        o.get("owner").and_then(Value::as_str).map(str::to_string),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The parcel columns a change sets.
fn change_set(change: &ParcelChange) -> Map<String, Value> {
    let mut set = Map::new();
    if let Some(s) = change.status {
        set.insert("status".into(), json!(s.code()));
    }
    if let Some(owner) = change.owner.new_owner() {
        set.insert("owner".into(), json!(owner));
    }
    if let Some(use_code) = &change.land_use {
        set.insert("land_use".into(), json!(use_code));
    }
    set
}

/// Moves a case to `to` if it is still at `expected_version`; the parcels follow, each
/// change with its event, and grades are recomputed where land changed hands (unless
/// `grading` is `None`: a batch that regrades once at its end).
pub async fn transition(
    store: &dyn Store,
    actor: &str,
    code: &str,
    expected_version: i64,
    to: &str,
    reason: Option<&str>,
    grading: Option<&GradingConfig>,
) -> Result<FeatureRecord, WorkflowError> {
    let to: Stage = to.parse().map_err(WorkflowError::BadRequest)?;
    let mut tx = store.begin_workflow(actor).await?;
    let case = tx
        .features(Collection::Reallocations, &[code.to_string()])
        .await?
        .pop()
        .ok_or_else(|| WorkflowError::NotFound(format!("there is no reallocation case {code}")))?;
    let version = case
        .properties
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    if version != expected_version {
        return Err(WorkflowError::Conflict(format!(
            "case {code} is at version {version}, not {expected_version}: it changed since it was read; reload it and decide again"
        )));
    }
    let kind: CaseKind = text(&case, "kind")
        .unwrap_or("")
        .parse()
        .map_err(WorkflowError::Invalid)?;
    let from: Stage = text(&case, "stage")
        .unwrap_or("")
        .parse()
        .map_err(WorkflowError::Invalid)?;
    reallocation::check_transition(kind, from, to)
        .map_err(|e| WorkflowError::Conflict(format!("case {code}: {e}")))?;
    let roles = stored_roles(&case);
    let codes: Vec<String> = roles.iter().map(|(_, c)| c.clone()).collect();
    let parcels = load_parcels(tx.as_mut(), &codes).await?;
    let held = HashMap::new();
    let with_facts = roles
        .iter()
        .zip(&parcels)
        .map(|((role, _), p)| Ok((*role, facts(p, &held)?)))
        .collect::<Result<Vec<_>, WorkflowError>>()?;
    let changes = reallocation::effects(
        kind,
        to,
        &with_facts,
        text(&case, "enterprise"),
        text(&case, "planned_use"),
        &stored_original(&case),
    );
    let why = match reason {
        Some(r) => format!("case {code} {} → {}: {r}", from.code(), to.code()),
        None => format!("case {code} {} → {}", from.code(), to.code()),
    };
    let mut owners_changed = false;
    for change in &changes {
        let set = change_set(change);
        if set.is_empty() {
            continue;
        }
        owners_changed |= !change.owner.keeps();
        tx.write_feature(
            &FeatureWrite {
                collection: Collection::Parcels,
                code: change.code.clone(),
                set,
                geometry: None,
                attributes: None,
            },
            "parcel.status_changed",
            Some(&why),
        )
        .await?;
    }
    let mut set = Map::new();
    set.insert("stage".into(), json!(to.code()));
    set.insert("version".into(), json!(version + 1));
    set.insert("stage_since".into(), json!(tx.now().to_string()));
    let written = tx
        .write_feature(
            &FeatureWrite {
                collection: Collection::Reallocations,
                code: code.to_string(),
                set,
                geometry: None,
                attributes: None,
            },
            "case.transition",
            Some(reason.unwrap_or(&why)),
        )
        .await?;
    if let (true, Some(config)) = (owners_changed, grading) {
        regrade_in(tx.as_mut(), config, &why).await?;
    }
    tx.commit().await?;
    Ok(written)
}
