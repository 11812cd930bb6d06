//! Recomputing the land-efficiency (亩均效益) grades: every firm's land from its
//! parcels, its figures, the configured benchmarks; then the grade written on the firm
//! and on each of its parcels (with an event where a parcel's grade changes), in one
//! transaction.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::WorkflowError;
use crate::domain::grading::{self, FirmFigures, GradingConfig};
use crate::domain::{Collection, SQUARE_METRES_PER_MU};
use crate::store::{EnterpriseGrade, Store, WorkflowTx};

/// The parcel grade of land whose owner is not a graded firm.
pub const UNGRADED: &str = "ungraded";

/// What a grading run did.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct GradingSummary {
    /// Firms per grade (A, B, C, D, ungraded).
    pub firms: BTreeMap<String, usize>,
    /// Parcels whose grade changed.
    pub parcels_changed: usize,
}

/// The subject of the event a grading run logs: names the configuration by a digest,
/// so a start-up can tell that nothing changed since the last run.
pub fn run_subject(config: &GradingConfig) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(config).unwrap_or_default();
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    format!("grading:{}", &digest[..16])
}

/// Whether the newest event of the store is a grading run with this configuration:
/// then neither the data nor the configuration changed since, and the grades stand.
pub async fn is_current(store: &dyn Store, config: &GradingConfig) -> Result<bool, WorkflowError> {
    let last = store.last_event_id().await?;
    if last == 0 {
        return Ok(false);
    }
    let subject = run_subject(config);
    Ok(store
        .events_after(last - 1, 1)
        .await?
        .first()
        .is_some_and(|e| {
            e.action == "grading.completed" && e.feature_code.as_deref() == Some(subject.as_str())
        }))
}

/// Recomputes every grade in its own transaction.
pub async fn regrade(
    store: &dyn Store,
    actor: &str,
    config: &GradingConfig,
    reason: &str,
) -> Result<GradingSummary, WorkflowError> {
    let mut tx = store.begin_workflow(actor).await?;
    let summary = regrade_in(tx.as_mut(), config, reason).await?;
    tx.commit().await?;
    Ok(summary)
}

/// Recomputes every grade inside an open workflow transaction (so a command that
/// changes land or figures regrades before it commits).
pub async fn regrade_in(
    tx: &mut dyn WorkflowTx,
    config: &GradingConfig,
    reason: &str,
) -> Result<GradingSummary, WorkflowError> {
    let firms = tx.enterprises().await?;
    let holdings = tx.land_holdings().await?;
    // Land and zone of each firm, from its parcels' geodesic areas.
    let mut land: BTreeMap<&str, (f64, BTreeMap<String, f64>)> = BTreeMap::new();
    for h in &holdings {
        let Some(owner) = h.owner.as_deref() else {
            continue;
        };
        let entry = land.entry(owner).or_default();
        entry.0 += h.area_m2;
        if let Some(zone) = &h.zone {
            *entry.1.entry(zone.clone()).or_default() += h.area_m2;
        }
    }
    let figures: Vec<FirmFigures> = firms
        .iter()
        .map(|f| {
            let (m2, zones) = land
                .get(f.enterprise.name.as_str())
                .cloned()
                .unwrap_or_default();
            let zone = zones
                .into_iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(z, _)| z);
            FirmFigures {
                enterprise_id: f.id,
                name: f.enterprise.name.clone(),
                zone,
                land_mu: m2 / SQUARE_METRES_PER_MU,
                output_value_wan: f.enterprise.output_value_wan,
                tax_wan: f.enterprise.tax_wan,
                employees: f.enterprise.employees,
            }
        })
        .collect();
    let results = grading::grade(config, &figures);
    let mut summary = GradingSummary::default();
    let mut by_name: BTreeMap<&str, String> = BTreeMap::new();
    let mut stored = Vec::with_capacity(results.len());
    for ((f, fig), r) in firms.iter().zip(&figures).zip(&results) {
        let code = r
            .grade
            .map_or_else(|| UNGRADED.to_string(), |g| g.code().to_string());
        *summary.firms.entry(code.clone()).or_default() += 1;
        by_name.insert(f.enterprise.name.as_str(), code);
        let new = EnterpriseGrade {
            enterprise_id: f.id,
            zone: fig.zone.clone(),
            land_mu: (fig.land_mu * 1000.0).round() / 1000.0,
            tax_per_mu: r.indicators.get("tax_per_mu").copied(),
            output_per_mu: r.indicators.get("output_per_mu").copied(),
            score: r.score,
            grade: r.grade.map(|g| g.code().to_string()),
            ungraded_reason: r.ungraded_reason.clone(),
        };
        if new != f.grade {
            stored.push(new);
        }
    }
    tx.write_grades(&stored).await?;
    // Parcels carry their owner's grade; land without a known firm is ungraded, land
    // without an owner has none.
    let mut changes = Vec::new();
    for h in &holdings {
        let want = h.owner.as_deref().map(|o| {
            by_name
                .get(o)
                .cloned()
                .unwrap_or_else(|| UNGRADED.to_string())
        });
        if h.grade != want {
            changes.push((h.code.clone(), want.map_or(Value::Null, Value::from)));
        }
    }
    summary.parcels_changed = changes.len();
    tx.write_property(
        Collection::Parcels,
        "grade",
        &changes,
        "parcel.graded",
        Some(reason),
    )
    .await?;
    tx.log(
        "grading.completed",
        &run_subject(config),
        Some(reason),
        json!({"firms": summary.firms, "parcels_changed": summary.parcels_changed}),
    )
    .await?;
    Ok(summary)
}
