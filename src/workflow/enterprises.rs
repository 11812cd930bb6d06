//! Creating firms and correcting their figures; every change regrades in the same
//! transaction, so a firm's grade never lags its figures.

use serde_json::{Map, Value};

use super::grading::regrade_in;
use super::WorkflowError;
use crate::domain::grading::GradingConfig;
use crate::store::{Enterprise, EnterpriseRecord, Store, WorkflowTx};

/// The industry chains of the zone: automotive and parts, the seven emerging chains,
/// and other.
pub const INDUSTRY_CHAINS: &[(&str, &str)] = &[
    ("automotive", "汽车及零部件 automotive and parts"),
    ("new_materials", "新材料 new materials (graphene …)"),
    (
        "robotics_equipment",
        "机器人及高端装备 robotics and high-end equipment",
    ),
    ("bio_based_materials", "生物基材料 bio-based materials"),
    ("big_data", "大数据 big data"),
    ("new_energy_vehicles", "新能源汽车 new-energy vehicles"),
    ("biomedicine", "生物医药 biomedicine"),
    (
        "cross_border_trade",
        "跨境电商及贸易 cross-border e-commerce and trade",
    ),
    ("other", "其他 other"),
];

/// The fields a client may set, with what each must be.
const FIELDS: &[&str] = &[
    "name",
    "name_en",
    "industry_chain",
    "above_scale",
    "output_value_wan",
    "tax_wan",
    "employees",
    "founded_year",
];

/// Checks a firm's figures; the error names the field.
pub fn validate(e: &Enterprise) -> Result<(), WorkflowError> {
    let bad = |m: String| Err(WorkflowError::Invalid(m));
    if e.name.trim().is_empty() {
        return bad("an enterprise needs a name".into());
    }
    if let Some(chain) = &e.industry_chain {
        if !INDUSTRY_CHAINS.iter().any(|(c, _)| c == chain) {
            return bad(format!(
                "industry_chain {chain:?} is not a chain of the zone; use one of {}",
                INDUSTRY_CHAINS
                    .iter()
                    .map(|(c, _)| *c)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for (field, v) in [
        ("output_value_wan", e.output_value_wan),
        ("tax_wan", e.tax_wan),
    ] {
        if v.is_some_and(|v| !v.is_finite() || v < 0.0) {
            return bad(format!("{field} must be a number of 0 or more (万元)"));
        }
    }
    if e.employees.is_some_and(|n| n < 0) {
        return bad("employees must be 0 or more".into());
    }
    if e.founded_year.is_some_and(|y| !(1900..=2100).contains(&y)) {
        return bad("founded_year must be a year such as 2008".into());
    }
    Ok(())
}

/// Reads a firm from a JSON object, refusing unknown fields and wrong types.
pub fn from_json(body: &Map<String, Value>) -> Result<Enterprise, WorkflowError> {
    if let Some(k) = body.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(WorkflowError::BadRequest(format!(
            "unknown field {k:?}; an enterprise has {}",
            FIELDS.join(", ")
        )));
    }
    serde_json::from_value::<Enterprise>(Value::Object(body.clone()))
        .map_err(|e| WorkflowError::BadRequest(format!("the enterprise cannot be read: {e}")))
}

async fn find(tx: &mut dyn WorkflowTx, id: i64) -> Result<EnterpriseRecord, WorkflowError> {
    tx.enterprises()
        .await?
        .into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| WorkflowError::NotFound(format!("there is no enterprise {id}")))
}

/// Adds a firm (its name must be new) and regrades.
pub async fn create(
    store: &dyn Store,
    actor: &str,
    e: Enterprise,
    config: &GradingConfig,
) -> Result<EnterpriseRecord, WorkflowError> {
    validate(&e)?;
    let mut tx = store.begin_workflow(actor).await?;
    if tx
        .enterprises()
        .await?
        .iter()
        .any(|x| x.enterprise.name == e.name)
    {
        return Err(WorkflowError::Conflict(format!(
            "an enterprise named {} exists already; change it with PATCH",
            e.name
        )));
    }
    let id = tx.upsert_enterprise(&e).await?;
    regrade_in(tx.as_mut(), config, &format!("enterprise {} added", e.name)).await?;
    let record = find(tx.as_mut(), id).await?;
    tx.commit().await?;
    Ok(record)
}

/// Changes some fields of a firm (not its name, which links it to its parcels) and
/// regrades.
pub async fn update(
    store: &dyn Store,
    actor: &str,
    id: i64,
    patch: &Map<String, Value>,
    config: &GradingConfig,
) -> Result<EnterpriseRecord, WorkflowError> {
    let mut tx = store.begin_workflow(actor).await?;
    let current = find(tx.as_mut(), id).await?;
    if let Some(name) = patch.get("name") {
        if name.as_str() != Some(current.enterprise.name.as_str()) {
            return Err(WorkflowError::BadRequest(format!(
                "the name of enterprise {id} cannot change: it links the firm to its parcels (owner); add the firm under its new name instead"
            )));
        }
    }
    let mut merged = match serde_json::to_value(&current.enterprise) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    merged.retain(|k, _| FIELDS.contains(&k.as_str()));
    for (k, v) in patch {
        merged.insert(k.clone(), v.clone());
    }
    let mut e = from_json(&merged)?;
    e.attributes = current.enterprise.attributes.clone();
    validate(&e)?;
    tx.upsert_enterprise(&e).await?;
    regrade_in(
        tx.as_mut(),
        config,
        &format!("enterprise {} changed", e.name),
    )
    .await?;
    let record = find(tx.as_mut(), id).await?;
    tx.commit().await?;
    Ok(record)
}
