//! Splitting reserved land into lots (for supply in lots) and merging adjacent reserved
//! parcels, with the geometry checks of [`crate::domain::parcel_ops`]. The original
//! parcels leave the store with an event naming what replaced them; the new ones carry
//! `split_from` / `merged_from`, so the history links old and new parcel ids.

use geo::Geometry;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::WorkflowError;
use crate::crs::ToCrs84;
use crate::domain::feature::Measures;
use crate::domain::GeometryKind;
use crate::domain::{parcel_ops, Collection, FeatureRecord, ParcelStatus};
use crate::import::geometry::prepare_geometry;
use crate::store::{FeatureWrite, Store, WorkflowTx};

/// One lot of a split: its code (default `ORIGINAL-1`, `-2` …) and GeoJSON geometry
/// in CRS84.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lot {
    /// Code of the new parcel.
    #[serde(default)]
    pub code: Option<String>,
    /// GeoJSON Polygon or MultiPolygon, CRS84.
    pub geometry: Value,
}

/// The properties a lot or a merged parcel inherits.
const INHERITED: &[&str] = &["zone", "subdistrict", "land_use", "status"];

fn text<'a>(r: &'a FeatureRecord, key: &str) -> Option<&'a str> {
    r.properties.get(key).and_then(Value::as_str)
}

/// Only reserved land is split or merged, and not while a case holds it.
async fn check_reserved(
    tx: &mut dyn WorkflowTx,
    parcels: &[FeatureRecord],
) -> Result<(), WorkflowError> {
    for p in parcels {
        if text(p, "status") != Some(ParcelStatus::Reserved.code()) {
            return Err(WorkflowError::Invalid(format!(
                "parcel {} is {}; only land in the reserve (status reserved) is split or merged",
                p.code,
                text(p, "status").unwrap_or("without a status")
            )));
        }
    }
    let held = super::cases::open_case_parcels(tx).await?;
    if let Some((p, case)) = parcels
        .iter()
        .find_map(|p| held.get(&p.code).map(|case| (p, case)))
    {
        return Err(WorkflowError::Conflict(format!(
            "parcel {} is in open case {case}; close that case before splitting or merging it",
            p.code
        )));
    }
    Ok(())
}

fn inherited(from: &FeatureRecord) -> Map<String, Value> {
    INHERITED
        .iter()
        .map(|k| {
            (
                k.to_string(),
                from.properties.get(*k).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

/// Validates and measures a lot's geometry (the import's checks).
fn lot_geometry(v: &Value, what: &str) -> Result<(Geometry<f64>, Measures), WorkflowError> {
    prepare_geometry(v, GeometryKind::Areal, &ToCrs84::identity())
        .map_err(|e| WorkflowError::Invalid(format!("{what} {e}")))
}

async fn load(
    tx: &mut dyn WorkflowTx,
    codes: &[String],
) -> Result<Vec<FeatureRecord>, WorkflowError> {
    let found = tx.features(Collection::Parcels, codes).await?;
    for c in codes {
        if !found.iter().any(|f| &f.code == c) {
            return Err(WorkflowError::NotFound(format!("there is no parcel {c}")));
        }
    }
    Ok(found)
}

/// Splits a reserved parcel into lots; returns the new parcels.
pub async fn split(
    store: &dyn Store,
    actor: &str,
    code: &str,
    lots: &[Lot],
    reason: Option<&str>,
) -> Result<Vec<FeatureRecord>, WorkflowError> {
    let mut tx = store.begin_workflow(actor).await?;
    let original = load(tx.as_mut(), &[code.to_string()]).await?.remove(0);
    check_reserved(tx.as_mut(), std::slice::from_ref(&original)).await?;
    let mut measured = Vec::with_capacity(lots.len());
    for (i, lot) in lots.iter().enumerate() {
        measured.push(lot_geometry(&lot.geometry, &format!("lot {i}"))?);
    }
    let pieces: Vec<Geometry<f64>> = measured.iter().map(|(g, _)| g.clone()).collect();
    parcel_ops::check_split(&original.geometry, &pieces)
        .map_err(|e| WorkflowError::Invalid(format!("parcel {code} cannot be split so: {e}")))?;
    let codes: Vec<String> = lots
        .iter()
        .enumerate()
        .map(|(i, l)| {
            l.code
                .clone()
                .unwrap_or_else(|| format!("{code}-{}", i + 1))
        })
        .collect();
    let existing = tx.features(Collection::Parcels, &codes).await?;
    if let Some(taken) = existing.first() {
        return Err(WorkflowError::Conflict(format!(
            "parcel code {} is taken; give the lot another code",
            taken.code
        )));
    }
    let why = reason.map_or_else(
        || format!("split from {code}"),
        |r| format!("split from {code}: {r}"),
    );
    tx.delete_feature(
        Collection::Parcels,
        code,
        "parcel.split",
        reason,
        json!({"split_into": codes}),
    )
    .await?;
    let mut out = Vec::new();
    for (lot_code, (geometry, measures)) in codes.iter().zip(measured) {
        let mut attributes = Map::new();
        attributes.insert("split_from".into(), json!(code));
        out.push(
            tx.write_feature(
                &FeatureWrite {
                    collection: Collection::Parcels,
                    code: lot_code.clone(),
                    set: inherited(&original),
                    geometry: Some((geometry, measures)),
                    attributes: Some(attributes),
                },
                "parcel.created",
                Some(&why),
            )
            .await?,
        );
    }
    tx.commit().await?;
    Ok(out)
}

/// Merges adjacent reserved parcels into one; returns it.
pub async fn merge(
    store: &dyn Store,
    actor: &str,
    codes: &[String],
    new_code: Option<&str>,
    reason: Option<&str>,
) -> Result<FeatureRecord, WorkflowError> {
    let mut tx = store.begin_workflow(actor).await?;
    let parcels = load(tx.as_mut(), codes).await?;
    check_reserved(tx.as_mut(), &parcels).await?;
    let zones: std::collections::BTreeSet<Option<&str>> =
        parcels.iter().map(|p| text(p, "zone")).collect();
    if zones.len() > 1 {
        return Err(WorkflowError::Invalid(format!(
            "parcels {} lie in different zones; only parcels of one zone are merged",
            codes.join(", ")
        )));
    }
    let geometries: Vec<Geometry<f64>> = codes
        .iter()
        .filter_map(|c| parcels.iter().find(|p| &p.code == c))
        .map(|p| p.geometry.clone())
        .collect();
    let merged = parcel_ops::merge(&geometries).map_err(|e| {
        WorkflowError::Invalid(format!(
            "parcels {} cannot be merged: {e}",
            codes.join(", ")
        ))
    })?;
    let geojson = serde_json::to_value(geojson::Geometry::from(&merged))
        .map_err(|e| WorkflowError::Invalid(e.to_string()))?;
    let (geometry, measures) = lot_geometry(&geojson, "the merged parcel")?;
    let code = new_code.map_or_else(|| format!("{}-M", codes[0]), str::to_string);
    if !codes.contains(&code)
        && !tx
            .features(Collection::Parcels, std::slice::from_ref(&code))
            .await?
            .is_empty()
    {
        return Err(WorkflowError::Conflict(format!(
            "parcel code {code} is taken; choose another"
        )));
    }
    let first = parcels
        .iter()
        .find(|p| p.code == codes[0])
        .cloned()
        .unwrap_or_else(|| parcels[0].clone());
    for c in codes {
        tx.delete_feature(
            Collection::Parcels,
            c,
            "parcel.merged",
            reason,
            json!({"merged_into": code}),
        )
        .await?;
    }
    let why = reason.map_or_else(
        || format!("merged from {}", codes.join(", ")),
        |r| format!("merged from {}: {r}", codes.join(", ")),
    );
    let mut attributes = Map::new();
    attributes.insert("merged_from".into(), json!(codes));
    let written = tx
        .write_feature(
            &FeatureWrite {
                collection: Collection::Parcels,
                code,
                set: inherited(&first),
                geometry: Some((geometry, measures)),
                attributes: Some(attributes),
            },
            "parcel.created",
            Some(&why),
        )
        .await?;
    tx.commit().await?;
    Ok(written)
}
