//! An import on SQLite: one transaction, features written in batches (multi-row
//! statements, because every statement is a round trip to sqlx's SQLite thread).

use std::collections::HashMap;

use async_trait::async_trait;
use sqlx::sqlite::SqliteArguments;
use sqlx::{Sqlite, Transaction};

use super::{audited, decode_row, select_columns, table, upsert_enterprise};
use crate::domain::{Collection, FeatureRecord, ValidFeature};
use crate::store::codec::{self, Bound};
use crate::store::{Enterprise, ImportMeta, ImportSession, ImportTotals, StoreError, WriteOutcome};

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

/// Columns written for every feature after `code` and the typed properties.
const TAIL_COLUMNS: [&str; 11] = [
    "area_m2",
    "perimeter_m",
    "length_m",
    "attributes",
    "geometry",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "import_id",
    "updated_at",
];

fn columns(c: Collection) -> Vec<&'static str> {
    let mut cols = vec!["code"];
    cols.extend(c.properties().iter().map(|p| p.name));
    cols.extend(TAIL_COLUMNS);
    if c == Collection::Parcels {
        cols.push("enterprise_id");
    }
    cols
}

fn placeholders(n: usize) -> String {
    format!("({})", vec!["?"; n].join(", "))
}

/// An import transaction on SQLite.
pub(super) struct SqliteImport {
    tx: Transaction<'static, Sqlite>,
    import_id: i64,
    meta: ImportMeta,
    now: String,
    enterprise_ids: HashMap<String, i64>,
}

/// One feature of a batch with what the store decided about it.
struct Planned<'a> {
    feature: &'a ValidFeature,
    code: String,
    enterprise_id: Option<i64>,
    before: Option<FeatureRecord>,
}

impl SqliteImport {
    pub(super) fn new(
        tx: Transaction<'static, Sqlite>,
        import_id: i64,
        meta: ImportMeta,
        now: String,
    ) -> Self {
        Self {
            tx,
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
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM enterprises WHERE name = ?")
            .bind(owner)
            .fetch_optional(&mut *self.tx)
            .await?;
        let id = match found {
            Some(id) => id,
            None => {
                let e = Enterprise::named(owner);
                upsert_enterprise(&mut self.tx, &e, &self.meta.actor, &self.now).await?
            }
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
            "SELECT {} FROM {} WHERE code IN ({})",
            select_columns(c),
            table(c),
            vec!["?"; codes.len()].join(", ")
        );
        let mut q = sqlx::query(audited(&sql));
        for code in codes {
            q = q.bind(code.clone());
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        rows.iter()
            .map(|r| decode_row(c, r).map(|f| (f.code.clone(), f)))
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
                before: existing.remove(&code),
                code,
                enterprise_id,
            });
        }
        Ok(planned)
    }

    fn bind_row<'q>(&self, mut q: Query<'q>, p: &Planned<'_>) -> Query<'q> {
        let c = self.meta.collection;
        let f = p.feature;
        let (x0, y0, x1, y1) = codec::bounds(&f.geometry);
        q = q.bind(p.code.clone());
        for v in codec::typed_values(c, f) {
            q = match v {
                Bound::Text(t) => q.bind(t),
                Bound::Real(r) => q.bind(r),
            };
        }
        q = q
            .bind(f.measures.area_m2)
            .bind(f.measures.perimeter_m)
            .bind(f.measures.length_m)
            .bind(serde_json::Value::Object(f.attributes.clone()).to_string())
            .bind(codec::geometry_to_text(&f.geometry))
            .bind(x0)
            .bind(y0)
            .bind(x1)
            .bind(y1)
            .bind(self.import_id)
            .bind(self.now.clone());
        if c == Collection::Parcels {
            q = q.bind(p.enterprise_id);
        }
        q
    }

    async fn insert_rows(&mut self, rows: &[&Planned<'_>]) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        let cols = columns(self.meta.collection);
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table(self.meta.collection),
            cols.join(", "),
            vec![placeholders(cols.len()); rows.len()].join(", ")
        );
        let mut q = sqlx::query(audited(&sql));
        for p in rows {
            q = self.bind_row(q, p);
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn update_row(&mut self, p: &Planned<'_>, id: i64) -> Result<(), StoreError> {
        let cols = columns(self.meta.collection);
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ?",
            table(self.meta.collection),
            cols.iter()
                .map(|n| format!("{n} = ?"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let q = self.bind_row(sqlx::query(audited(&sql)), p).bind(id);
        q.execute(&mut *self.tx).await?;
        Ok(())
    }

    async fn append_events(&mut self, planned: &[Planned<'_>]) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO events (occurred_at, actor, action, collection, feature_code, import_id, \
             before, after) VALUES {}",
            vec![placeholders(8); planned.len()].join(", ")
        );
        let mut q = sqlx::query(audited(&sql));
        for p in planned {
            let after = FeatureRecord {
                id: 0,
                code: p.code.clone(),
                properties: served_properties(p.feature),
                geometry: p.feature.geometry.clone(),
            };
            let (action, before) = match &p.before {
                None => ("feature.created", None),
                Some(b) => ("feature.updated", Some(codec::state_json(b))),
            };
            q = q
                .bind(self.now.clone())
                .bind(self.meta.actor.clone())
                .bind(action)
                .bind(self.meta.collection.id())
                .bind(p.code.clone())
                .bind(self.import_id)
                .bind(before)
                .bind(codec::state_json(&after));
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }
}

#[async_trait]
impl ImportSession for SqliteImport {
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

    async fn commit(mut self: Box<Self>, totals: &ImportTotals) -> Result<(), StoreError> {
        let now = codec::now_rfc3339();
        sqlx::query(
            "UPDATE imports SET finished_at = ?, inserted = ?, updated = ?, rejected = ?, \
             total_area_m2 = ? WHERE id = ?",
        )
        .bind(&now)
        .bind(totals.inserted as i64)
        .bind(totals.updated as i64)
        .bind(totals.rejected as i64)
        .bind(totals.total_area_m2)
        .bind(self.import_id)
        .execute(&mut *self.tx)
        .await?;
        let summary = serde_json::to_string(totals).unwrap_or_default();
        sqlx::query(
            "INSERT INTO events (occurred_at, actor, action, collection, import_id, after) \
             VALUES (?, ?, 'import.completed', ?, ?, ?)",
        )
        .bind(&now)
        .bind(&self.meta.actor)
        .bind(self.meta.collection.id())
        .bind(self.import_id)
        .bind(summary)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// The properties a stored feature will be served with, built from what was imported.
fn served_properties(f: &ValidFeature) -> serde_json::Map<String, serde_json::Value> {
    let mut props = serde_json::Map::new();
    for (k, v) in &f.typed {
        props.insert(k.clone(), v.clone());
    }
    f.measures.write_properties(&mut props);
    for (k, v) in &f.attributes {
        props.entry(k.clone()).or_insert_with(|| v.clone());
    }
    props
}
