//! An import on a SQL backend: one transaction, features written in batches with
//! multi-row statements (every statement is a round trip to the database).

use std::collections::HashMap;

use async_trait::async_trait;

use super::rows::{self, table};
use super::store::{upsert_enterprise, NewEvent};
use super::{Dialect, Kind, Tx, Val};
use crate::domain::{Collection, FeatureRecord, ValidFeature};
use crate::store::codec;
use crate::store::{
    Enterprise, ImportMeta, ImportSession, ImportTotals, StoreError, WorkflowTx, WriteOutcome,
};

/// An import transaction.
pub(super) struct SqlImport {
    tx: Box<dyn Tx>,
    dialect: Dialect,
    import_id: i64,
    meta: ImportMeta,
    now: String,
    enterprise_ids: HashMap<String, i64>,
}

/// One feature of a batch with what the store decided about it.
struct Planned<'a> {
    feature: &'a ValidFeature,
    code: String,
    geometry_text: String,
    enterprise_id: Option<i64>,
    before: Option<FeatureRecord>,
}

impl SqlImport {
    pub(super) fn new(
        tx: Box<dyn Tx>,
        dialect: Dialect,
        import_id: i64,
        meta: ImportMeta,
        now: String,
    ) -> Self {
        Self {
            tx,
            dialect,
            import_id,
            meta,
            now,
            enterprise_ids: HashMap::new(),
        }
    }

    /// The id of the owner enterprise, created by name when the survey names a firm
    /// the zone does not know yet.
    async fn enterprise_id(&mut self, owner: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.enterprise_ids.get(owner) {
            return Ok(*id);
        }
        let found = self
            .tx
            .fetch(
                "SELECT id FROM enterprises WHERE name = ?",
                vec![Val::text(owner)],
                &[Kind::Int],
            )
            .await?;
        let id = if let Some(id) = found.first().and_then(|r| r.first()).and_then(Val::as_i64) {
            id
        } else {
            let e = Enterprise::named(owner);
            upsert_enterprise(
                self.tx.as_mut(),
                self.dialect,
                &e,
                &self.meta.actor,
                &self.now,
            )
            .await?
        };
        self.enterprise_ids.insert(owner.to_string(), id);
        Ok(id)
    }

    fn code_of(&self, f: &ValidFeature) -> String {
        f.code.clone().unwrap_or_else(|| {
            format!(
                "{}{}-{}",
                self.meta.collection.code_prefix(),
                self.import_id,
                f.index + 1
            )
        })
    }

    async fn existing(
        &mut self,
        codes: &[String],
    ) -> Result<HashMap<String, FeatureRecord>, StoreError> {
        let c = self.meta.collection;
        let sql = format!(
            "SELECT {} FROM {} WHERE code IN {}",
            rows::feature_columns(c, self.dialect),
            table(c),
            rows::tuple(&vec!["?"; codes.len()])
        );
        let args = codes.iter().map(Val::text).collect();
        let found = self.tx.fetch(&sql, args, &rows::feature_kinds(c)).await?;
        found
            .into_iter()
            .map(|r| rows::decode_feature(c, r).map(|f| (f.code.clone(), f)))
            .collect()
    }

    async fn plan<'a>(
        &mut self,
        batch: &'a [ValidFeature],
    ) -> Result<Vec<Planned<'a>>, StoreError> {
        let codes: Vec<String> = batch.iter().map(|f| self.code_of(f)).collect();
        let mut existing = self.existing(&codes).await?;
        let mut planned = Vec::with_capacity(batch.len());
        for (feature, code) in batch.iter().zip(codes) {
            let owner = feature.typed.get("owner").and_then(|v| v.as_str());
            let enterprise_id = match (self.meta.collection, owner) {
                (Collection::Parcels, Some(owner)) => Some(self.enterprise_id(owner).await?),
                _ => None,
            };
            planned.push(Planned {
                feature,
                geometry_text: codec::geometry_to_text(&feature.geometry),
                before: existing.remove(&code),
                code,
                enterprise_id,
            });
        }
        Ok(planned)
    }

    fn values(&self, p: &Planned<'_>) -> Vec<Val> {
        let row = rows::RowContext {
            code: &p.code,
            geometry_text: &p.geometry_text,
            import_id: self.import_id,
            now: &self.now,
            enterprise_id: p.enterprise_id,
        };
        rows::write_values(self.meta.collection, p.feature, &row)
    }

    async fn insert_rows(&mut self, new: &[&Planned<'_>]) -> Result<(), StoreError> {
        if new.is_empty() {
            return Ok(());
        }
        let (c, d) = (self.meta.collection, self.dialect);
        let row = rows::tuple(&rows::write_expressions(c, d));
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table(c),
            rows::write_columns(c).join(", "),
            vec![row; new.len()].join(", ")
        );
        let args = new.iter().flat_map(|p| self.values(p)).collect();
        self.tx.execute(&sql, args).await?;
        Ok(())
    }

    async fn update_row(&mut self, p: &Planned<'_>, id: i64) -> Result<(), StoreError> {
        let (c, d) = (self.meta.collection, self.dialect);
        let sets: Vec<String> = rows::write_columns(c)
            .iter()
            .zip(rows::write_expressions(c, d))
            .map(|(col, expr)| format!("{col} = {expr}"))
            .collect();
        let sql = format!("UPDATE {} SET {} WHERE id = ?", table(c), sets.join(", "));
        let mut args = self.values(p);
        args.push(Val::Int(Some(id)));
        self.tx.execute(&sql, args).await?;
        Ok(())
    }

    async fn append_events(&mut self, planned: &[Planned<'_>]) -> Result<(), StoreError> {
        let row = rows::tuple(&NewEvent::expressions(self.dialect));
        let sql = format!(
            "INSERT INTO events ({}) VALUES {}",
            NewEvent::COLUMNS,
            vec![row; planned.len()].join(", ")
        );
        let mut args = Vec::with_capacity(planned.len() * 8);
        for p in planned {
            let after = codec::state_json_parts(&p.feature.served_properties(), &p.geometry_text);
            let event = NewEvent {
                actor: &self.meta.actor,
                action: if p.before.is_none() {
                    "feature.created"
                } else {
                    "feature.updated"
                },
                collection: Some(self.meta.collection.id()),
                feature_code: Some(&p.code),
                import_id: Some(self.import_id),
                before: p.before.as_ref().map(codec::state_json),
                after: Some(after),
            };
            args.extend(event.values(&self.now));
        }
        self.tx.execute(&sql, args).await?;
        Ok(())
    }
}

#[async_trait]
impl ImportSession for SqlImport {
    fn import_id(&self) -> i64 {
        self.import_id
    }

    async fn write_batch(
        &mut self,
        batch: &[ValidFeature],
    ) -> Result<Vec<WriteOutcome>, StoreError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let planned = self.plan(batch).await?;
        let new: Vec<&Planned> = planned.iter().filter(|p| p.before.is_none()).collect();
        self.insert_rows(&new).await?;
        for p in &planned {
            if let Some(before) = &p.before {
                self.update_row(p, before.id).await?;
            }
        }
        self.append_events(&planned).await?;
        Ok(planned
            .into_iter()
            .map(|p| match p.before {
                None => WriteOutcome::Inserted(p.code),
                Some(_) => WriteOutcome::Updated(p.code),
            })
            .collect())
    }

    async fn finish(
        mut self: Box<Self>,
        totals: &ImportTotals,
    ) -> Result<Box<dyn WorkflowTx>, StoreError> {
        let now = codec::now_rfc3339();
        self.tx
            .execute(
                "UPDATE imports SET finished_at = ?, inserted = ?, updated = ?, rejected = ?, \
                 total_area_m2 = ? WHERE id = ?",
                vec![
                    Val::text(&now),
                    Val::Int(Some(totals.inserted as i64)),
                    Val::Int(Some(totals.updated as i64)),
                    Val::Int(Some(totals.rejected as i64)),
                    Val::Real(Some(totals.total_area_m2)),
                    Val::Int(Some(self.import_id)),
                ],
            )
            .await?;
        NewEvent {
            actor: &self.meta.actor,
            action: "import.completed",
            collection: Some(self.meta.collection.id()),
            feature_code: None,
            import_id: Some(self.import_id),
            before: None,
            after: serde_json::to_string(totals).ok(),
        }
        .append(self.tx.as_mut(), self.dialect, &now)
        .await?;
        let SqlImport {
            tx, dialect, meta, ..
        } = *self;
        Ok(Box::new(super::workflow::SqlWorkflow {
            tx,
            dialect,
            actor: meta.actor,
            now,
        }))
    }
}
