//! The embedded SQLite backend: one file in the data directory, WAL mode so that a CLI
//! import and a serving process can share it.

mod import;

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
use super::{Enterprise, Event, ImportMeta, ImportSession, Store, StoreError, TokenRecord};
use crate::auth::Role;
use crate::domain::feature::Measures;
use crate::domain::{Collection, FeatureRecord, PropertyKind};
use import::SqliteImport;

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
            // Large imports are one transaction: a 16 MB page cache (not 2 MB) keeps them off disk.
            .pragma("cache_size", "-16384")
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
pub(super) fn audited(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.to_string())
}

pub(super) fn table(c: Collection) -> &'static str {
    // Collection ids are the table names; they come from a closed enum, never from input.
    c.id()
}

pub(super) fn select_columns(c: Collection) -> String {
    let typed: Vec<&str> = c.properties().iter().map(|p| p.name).collect();
    format!(
        "id, code, {}, area_m2, perimeter_m, length_m, attributes, geometry",
        typed.join(", ")
    )
}

pub(super) fn decode_row(c: Collection, row: &SqliteRow) -> Result<FeatureRecord, StoreError> {
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

    async fn scan_features(
        &self,
        c: Collection,
        sink: &mut (dyn FnMut(FeatureRecord) + Send),
    ) -> Result<(), StoreError> {
        let sql = format!("SELECT {} FROM {} ORDER BY id", select_columns(c), table(c));
        let mut rows = sqlx::query(audited(&sql)).fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            sink(decode_row(c, &row)?);
        }
        Ok(())
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
        Ok(Box::new(SqliteImport::new(tx, import_id, meta, now)))
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

pub(super) async fn upsert_enterprise(
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
