//! The embedded SQLite backend: one file in the data directory, WAL mode so that a CLI
//! import and a serving process can share it.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};

use super::codec::{self, Bound};
use super::{
    Enterprise, Event, ImportMeta, ImportSession, ImportTotals, Store, StoreError, TokenRecord,
    WriteOutcome,
};
use crate::auth::Role;
use crate::domain::feature::Measures;
use crate::domain::{Collection, FeatureRecord, PropertyKind, ValidFeature};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (or creates) the database file and runs the embedded migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

/// Marks SQL assembled from this module's constants and the closed [`Collection`]
/// enum (table and column names), never from input; values are always bound.
fn audited(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.to_string())
}

fn table(c: Collection) -> &'static str {
    // Collection ids are the table names; they come from a closed enum, never from input.
    c.id()
}

fn select_columns(c: Collection) -> String {
    let typed: Vec<&str> = c.properties().iter().map(|p| p.name).collect();
    format!(
        "id, code, {}, area_m2, perimeter_m, length_m, attributes, geometry",
        typed.join(", ")
    )
}

fn decode_row(c: Collection, row: &SqliteRow) -> Result<FeatureRecord, StoreError> {
    let id: i64 = row.try_get(0)?;
    let code: String = row.try_get(1)?;
    let mut typed = Vec::with_capacity(c.properties().len());
    for (i, p) in c.properties().iter().enumerate() {
        let v = match p.kind {
            PropertyKind::Text => Bound::Text(row.try_get(2 + i)?),
            PropertyKind::Real => Bound::Real(row.try_get(2 + i)?),
        };
        typed.push((p.name, v));
    }
    let n = 2 + c.properties().len();
    let measures = Measures {
        area_m2: row.try_get(n)?,
        perimeter_m: row.try_get(n + 1)?,
        length_m: row.try_get(n + 2)?,
    };
    let attributes: String = row.try_get(n + 3)?;
    let geometry: String = row.try_get(n + 4)?;
    Ok(FeatureRecord {
        id,
        properties: codec::assemble_properties(typed, measures, &attributes, &code)?,
        geometry: codec::geometry_from_text(&geometry, &code)?,
        code,
    })
}

fn decode_event(row: &SqliteRow) -> Result<Event, StoreError> {
    Ok(Event {
        id: row.try_get("id")?,
        occurred_at: row.try_get("occurred_at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        collection: row.try_get("collection")?,
        feature_code: row.try_get("feature_code")?,
        import_id: row.try_get("import_id")?,
        reason: row.try_get("reason")?,
    })
}

const EVENT_COLUMNS: &str =
    "id, occurred_at, actor, action, collection, feature_code, import_id, reason";

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn load_features(&self, c: Collection) -> Result<Vec<FeatureRecord>, StoreError> {
        let sql = format!("SELECT {} FROM {} ORDER BY id", select_columns(c), table(c));
        let mut rows = sqlx::query(audited(&sql)).fetch(&self.pool);
        let mut out = Vec::new();
        while let Some(row) = rows.try_next().await? {
            out.push(decode_row(c, &row)?);
        }
        Ok(out)
    }

    async fn features_by_codes(
        &self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError> {
        let sql = format!(
            "SELECT {} FROM {} WHERE code = ?",
            select_columns(c),
            table(c)
        );
        let mut out = Vec::with_capacity(codes.len());
        let mut conn = self.pool.acquire().await?;
        for code in codes {
            if let Some(row) = sqlx::query(audited(&sql))
                .bind(code)
                .fetch_optional(&mut *conn)
                .await?
            {
                out.push(decode_row(c, &row)?);
            }
        }
        out.sort_by_key(|f| f.id);
        Ok(out)
    }

    async fn feature_count(&self, c: Collection) -> Result<i64, StoreError> {
        let sql = format!("SELECT COUNT(*) FROM {}", table(c));
        Ok(sqlx::query_scalar(audited(&sql))
            .fetch_one(&self.pool)
            .await?)
    }

    async fn begin_import(&self, meta: ImportMeta) -> Result<Box<dyn ImportSession>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = codec::now_rfc3339();
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO imports (started_at, actor, source, collection, source_crs) \
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&now)
        .bind(&meta.actor)
        .bind(&meta.source)
        .bind(meta.collection.id())
        .bind(&meta.source_crs)
        .fetch_one(&mut *tx)
        .await?;
        Ok(Box::new(SqliteImport {
            tx,
            import_id,
            meta,
            now,
            enterprise_ids: HashMap::new(),
        }))
    }

    async fn last_event_id(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<Event>, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id > ? ORDER BY id LIMIT ?");
        let rows = sqlx::query(audited(&sql))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_event).collect()
    }

    async fn feature_history(&self, c: Collection, code: &str) -> Result<Vec<Event>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE collection = ? AND feature_code = ? ORDER BY id"
        );
        let rows = sqlx::query(audited(&sql))
            .bind(c.id())
            .bind(code)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_event).collect()
    }

    async fn upsert_enterprises(
        &self,
        list: &[Enterprise],
        actor: &str,
    ) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = codec::now_rfc3339();
        for e in list {
            upsert_enterprise(&mut tx, e, actor, &now).await?;
        }
        tx.commit().await?;
        Ok(list.len())
    }

    async fn enterprise_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn create_token(&self, name: &str, role: Role, hash: &str) -> Result<(), StoreError> {
        let result = sqlx::query(
            "INSERT INTO tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(name)
        .bind(role.code())
        .bind(hash)
        .bind(codec::now_rfc3339())
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(
                StoreError::Conflict(format!("a token named {name:?} already exists")),
            ),
            Err(e) => Err(e.into()),
        }
    }

    async fn find_token(&self, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT name, role FROM tokens WHERE token_hash = ? AND revoked_at IS NULL",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let role: String = row.try_get("role")?;
        let role = Role::from_str(&role).map_err(|detail| StoreError::Corrupt {
            what: "token role".into(),
            detail,
        })?;
        Ok(Some(TokenRecord {
            name: row.try_get("name")?,
            role,
        }))
    }
}

async fn upsert_enterprise(
    tx: &mut Transaction<'static, Sqlite>,
    e: &Enterprise,
    actor: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let existed: Option<i64> = sqlx::query_scalar("SELECT id FROM enterprises WHERE name = ?")
        .bind(&e.name)
        .fetch_optional(&mut **tx)
        .await?;
    let attributes = serde_json::Value::Object(e.attributes.clone()).to_string();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO enterprises (name, name_en, industry_chain, above_scale, output_value_wan, \
         tax_wan, employees, founded_year, attributes, updated_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (name) DO UPDATE SET name_en = excluded.name_en, \
         industry_chain = excluded.industry_chain, above_scale = excluded.above_scale, \
         output_value_wan = excluded.output_value_wan, tax_wan = excluded.tax_wan, \
         employees = excluded.employees, founded_year = excluded.founded_year, \
         attributes = excluded.attributes, updated_at = excluded.updated_at RETURNING id",
    )
    .bind(&e.name)
    .bind(&e.name_en)
    .bind(&e.industry_chain)
    .bind(e.above_scale)
    .bind(e.output_value_wan)
    .bind(e.tax_wan)
    .bind(e.employees)
    .bind(e.founded_year)
    .bind(attributes)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let action = if existed.is_some() {
        "enterprise.updated"
    } else {
        "enterprise.created"
    };
    let after = serde_json::to_string(e).unwrap_or_default();
    sqlx::query(
        "INSERT INTO events (occurred_at, actor, action, collection, feature_code, after) \
         VALUES (?, ?, ?, 'enterprises', ?, ?)",
    )
    .bind(now)
    .bind(actor)
    .bind(action)
    .bind(&e.name)
    .bind(after)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// An import transaction on SQLite.
struct SqliteImport {
    tx: Transaction<'static, Sqlite>,
    import_id: i64,
    meta: ImportMeta,
    now: String,
    enterprise_ids: HashMap<String, i64>,
}

impl SqliteImport {
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
                let e = Enterprise {
                    name: owner.to_string(),
                    name_en: None,
                    industry_chain: None,
                    above_scale: None,
                    output_value_wan: None,
                    tax_wan: None,
                    employees: None,
                    founded_year: None,
                    attributes: serde_json::Map::new(),
                };
                let actor = self.meta.actor.clone();
                let now = self.now.clone();
                upsert_enterprise(&mut self.tx, &e, &actor, &now).await?
            }
        };
        self.enterprise_ids.insert(owner.to_string(), id);
        Ok(id)
    }

    async fn existing(&mut self, code: &str) -> Result<Option<FeatureRecord>, StoreError> {
        let c = self.meta.collection;
        let sql = format!(
            "SELECT {} FROM {} WHERE code = ?",
            select_columns(c),
            table(c)
        );
        let row = sqlx::query(audited(&sql))
            .bind(code)
            .fetch_optional(&mut *self.tx)
            .await?;
        row.map(|r| decode_row(c, &r)).transpose()
    }

    async fn store_row(
        &mut self,
        f: &ValidFeature,
        code: &str,
        existing_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let c = self.meta.collection;
        let enterprise_id = match (c, f.typed.get("owner").and_then(|v| v.as_str())) {
            (Collection::Parcels, Some(owner)) => Some(self.enterprise_id(owner).await?),
            _ => None,
        };
        let names: Vec<&str> = c.properties().iter().map(|p| p.name).collect();
        let mut cols = vec!["code"];
        cols.extend(&names);
        cols.extend([
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
        ]);
        if c == Collection::Parcels {
            cols.push("enterprise_id");
        }
        let sql = match existing_id {
            Some(_) => format!(
                "UPDATE {} SET {} WHERE id = ? RETURNING id",
                table(c),
                cols.iter()
                    .map(|n| format!("{n} = ?"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!(
                "INSERT INTO {} ({}) VALUES ({}) RETURNING id",
                table(c),
                cols.join(", "),
                vec!["?"; cols.len()].join(", ")
            ),
        };
        let (x0, y0, x1, y1) = codec::bounds(&f.geometry);
        let mut q = sqlx::query_scalar::<_, i64>(audited(&sql)).bind(code.to_string());
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
            q = q.bind(enterprise_id);
        }
        if let Some(id) = existing_id {
            q = q.bind(id);
        }
        Ok(q.fetch_one(&mut *self.tx).await?)
    }

    async fn append_event(
        &mut self,
        action: &str,
        code: &str,
        before: Option<String>,
        after: String,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO events (occurred_at, actor, action, collection, feature_code, import_id, \
             before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&self.now)
        .bind(&self.meta.actor)
        .bind(action)
        .bind(self.meta.collection.id())
        .bind(code)
        .bind(self.import_id)
        .bind(before)
        .bind(after)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl ImportSession for SqliteImport {
    fn import_id(&self) -> i64 {
        self.import_id
    }

    async fn write(&mut self, f: &ValidFeature) -> Result<WriteOutcome, StoreError> {
        let code = f.code.clone().unwrap_or_else(|| {
            format!(
                "{}{}-{}",
                self.meta.collection.code_prefix(),
                self.import_id,
                f.index + 1
            )
        });
        let existing = self.existing(&code).await?;
        let id = self
            .store_row(f, &code, existing.as_ref().map(|e| e.id))
            .await?;
        let after = FeatureRecord {
            id,
            code: code.clone(),
            properties: served_properties(f),
            geometry: f.geometry.clone(),
        };
        let after_json = codec::state_json(&after);
        match existing {
            None => {
                self.append_event("feature.created", &code, None, after_json)
                    .await?;
                Ok(WriteOutcome::Inserted(code))
            }
            Some(before) => {
                let before_json = codec::state_json(&before);
                self.append_event("feature.updated", &code, Some(before_json), after_json)
                    .await?;
                Ok(WriteOutcome::Updated(code))
            }
        }
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
