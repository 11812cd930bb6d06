//! Step 2 of the data flow: the store, source of truth for land records.
//!
//! Every write of land records happens in one transaction together with its event row
//! (the append-only event log); the in-memory index is updated from the log after the
//! commit. All SQL lives under this module, behind the [`Store`] trait that each
//! backend implements (SQLite is the embedded default).

pub mod backup;
mod codec;
mod postgres;
pub mod sql;
mod sqlite;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::domain::{Collection, FeatureRecord, ValidFeature};
pub use sql::Val;

pub use codec::now_rfc3339;
pub use postgres::{PgBackend, PgStore};
pub use sqlite::{SqliteBackend, SqliteStore};

/// Failures of the store. Constraint violations carry what a person needs to act.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique name is already taken (token name …).
    #[error("{0}")]
    Conflict(String),
    /// The database could not be opened, migrated or queried.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (corrupt row).
    #[error("stored {what} could not be read: {detail}")]
    Corrupt {
        /// What was being read.
        what: String,
        /// Why it failed.
        detail: String,
    },
}

/// What an import is, recorded before its first feature is written.
#[derive(Debug, Clone)]
pub struct ImportMeta {
    /// Token name or CLI user.
    pub actor: String,
    /// File name or "upload".
    pub source: String,
    /// Target collection.
    pub collection: Collection,
    /// The CRS the coordinates arrived in.
    pub source_crs: String,
}

/// What a single feature write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// A new feature was stored under this code.
    Inserted(String),
    /// An existing feature with this code was updated.
    Updated(String),
}

/// Totals of a finished import, stored with its record.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ImportTotals {
    /// New features.
    pub inserted: u64,
    /// Features updated by external id.
    pub updated: u64,
    /// Features rejected (with `--skip-invalid`).
    pub rejected: u64,
    /// Geodesic area of the written features, m².
    pub total_area_m2: f64,
}

/// An import in progress: one open transaction. Dropping it without `commit` rolls
/// everything back, so a failed import leaves the store as it was.
#[async_trait]
pub trait ImportSession: Send {
    /// The id of this import (used in generated feature codes).
    fn import_id(&self) -> i64;
    /// Writes a batch of features (distinct codes) and an event row for each; the
    /// outcomes come back in batch order.
    async fn write_batch(
        &mut self,
        features: &[ValidFeature],
    ) -> Result<Vec<WriteOutcome>, StoreError>;
    /// Records the totals and hands the still open transaction on, so that the import's
    /// follow-up (the regrade of the firms whose land changed) commits with it.
    async fn finish(
        self: Box<Self>,
        totals: &ImportTotals,
    ) -> Result<Box<dyn WorkflowTx>, StoreError>;
    /// Records the totals and commits the transaction.
    async fn commit(self: Box<Self>, totals: &ImportTotals) -> Result<(), StoreError> {
        self.finish(totals).await?.commit().await
    }
}

/// One row of the event log, as followers and histories read it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Event {
    /// Monotonic id.
    pub id: i64,
    /// RFC 3339 UTC time.
    pub occurred_at: String,
    /// Who did it.
    pub actor: String,
    /// What happened (`feature.created` …).
    pub action: String,
    /// Collection of the feature, if any.
    pub collection: Option<String>,
    /// Code of the feature, if any.
    pub feature_code: Option<String>,
    /// Import that caused it, if any.
    pub import_id: Option<i64>,
    /// Why, in the actor's words.
    pub reason: Option<String>,
    /// In a feature's history: each property that changed, `{"before": …, "after": …}`
    /// (the geometry as `"geometry": "changed"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changes: Option<serde_json::Map<String, serde_json::Value>>,
    /// In a history: what the event recorded when it is not a feature state (a split
    /// names the parcels that replaced the original).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// An event with the state it recorded, for replaying the log (reports as of a date).
#[derive(Debug, Clone)]
pub struct EventState {
    /// Monotonic id.
    pub id: i64,
    /// RFC 3339 UTC time (`2026-11-28T10:49:07.123Z`).
    pub occurred_at: String,
    /// What happened (`feature.created`, `case.moved`, `feature.deleted` …).
    pub action: String,
    /// Collection of the feature, if any.
    pub collection: Option<String>,
    /// Code of the feature (or the enterprise's name), if any.
    pub feature_code: Option<String>,
    /// The recorded state after the event, JSON text: a whole feature
    /// (`{"properties", "geometry"}`), one changed property (`{"properties": {…}}`), an
    /// enterprise's figures, or details of a deletion.
    pub after: Option<String>,
}

/// An enterprise as the sample data and the store know it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Enterprise {
    /// Registered Chinese name.
    pub name: String,
    /// English name.
    #[serde(default)]
    pub name_en: Option<String>,
    /// Industry chain code.
    #[serde(default)]
    pub industry_chain: Option<String>,
    /// 规上 (above designated size).
    #[serde(default)]
    pub above_scale: Option<bool>,
    /// Annual output value, 万元.
    #[serde(default)]
    pub output_value_wan: Option<f64>,
    /// Annual tax, 万元.
    #[serde(default)]
    pub tax_wan: Option<f64>,
    /// Employees.
    #[serde(default)]
    pub employees: Option<i64>,
    /// Year founded.
    #[serde(default)]
    pub founded_year: Option<i64>,
    /// Everything else the source says.
    #[serde(flatten)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

impl Enterprise {
    /// An enterprise known only by its name (an owner named by a survey).
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_string(),
            name_en: None,
            industry_chain: None,
            above_scale: None,
            output_value_wan: None,
            tax_wan: None,
            employees: None,
            founded_year: None,
            attributes: serde_json::Map::new(),
        }
    }
}

/// A firm's land-efficiency (亩均效益) figures and grade as stored.
#[derive(Debug, Clone, Default, Serialize, PartialEq, schemars::JsonSchema)]
pub struct EnterpriseGrade {
    /// The enterprise.
    #[serde(skip)]
    pub enterprise_id: i64,
    /// Zone holding most of its land.
    pub zone: Option<String>,
    /// Geodesic area of its parcels, mu.
    pub land_mu: f64,
    /// Tax per mu, 万元.
    pub tax_per_mu: Option<f64>,
    /// Output value per mu, 万元.
    pub output_per_mu: Option<f64>,
    /// Score, 100 = the zone's benchmark.
    pub score: Option<f64>,
    /// A, B, C or D; none when ungraded.
    pub grade: Option<String>,
    /// Why the firm has no grade.
    pub ungraded_reason: Option<String>,
}

/// A stored enterprise with its id and grade.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct EnterpriseRecord {
    /// Store id (the id in `/enterprises/{id}`).
    pub id: i64,
    /// The firm's facts.
    #[serde(flatten)]
    pub enterprise: Enterprise,
    /// Last change (RFC 3339).
    pub updated_at: String,
    /// Land efficiency.
    #[serde(flatten)]
    pub grade: EnterpriseGrade,
}

/// What grading needs of a parcel: who holds it, where, how large, its grade now.
#[derive(Debug, Clone, PartialEq)]
pub struct LandHolding {
    /// Parcel code.
    pub code: String,
    /// Owner enterprise name.
    pub owner: Option<String>,
    /// Zone code.
    pub zone: Option<String>,
    /// Geodesic area, m².
    pub area_m2: f64,
    /// Grade written on the parcel.
    pub grade: Option<String>,
}

/// A change to one feature written by the workflow: the properties to set (columns of
/// the collection), and a new geometry with its measures or attributes where they
/// change. A feature that does not exist yet is inserted (it needs a geometry).
#[derive(Debug, Clone)]
pub struct FeatureWrite {
    /// Collection.
    pub collection: Collection,
    /// Feature code.
    pub code: String,
    /// Columns to set; the others keep their value (or are null on insert).
    pub set: serde_json::Map<String, serde_json::Value>,
    /// New geometry (CRS84) and its geodesic measures.
    pub geometry: Option<(geo::Geometry<f64>, crate::domain::feature::Measures)>,
    /// New free attributes.
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// One workflow command's transaction: reads see the committed state, and every write
/// appends its event; nothing is visible until `commit` (dropping it rolls back).
#[async_trait]
pub trait WorkflowTx: Send {
    /// The time every event of the transaction carries.
    fn now(&self) -> &str;
    /// The features with these codes (missing ones are skipped).
    async fn features(
        &mut self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError>;
    /// The features whose typed property is one of `values`.
    async fn features_where(
        &mut self,
        c: Collection,
        property: &str,
        values: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError>;
    /// Every parcel with an owner or a grade, in one pass (no geometry).
    async fn land_holdings(&mut self) -> Result<Vec<LandHolding>, StoreError>;
    /// The code a new feature of `c` gets (`RC-00012`).
    async fn next_code(&mut self, c: Collection) -> Result<String, StoreError>;
    /// Updates (or inserts) a feature and appends its event with the state before and
    /// after; returns the feature as stored.
    async fn write_feature(
        &mut self,
        w: &FeatureWrite,
        action: &str,
        reason: Option<&str>,
    ) -> Result<FeatureRecord, StoreError>;
    /// Sets one property of many features (a regrading), with an event each, in few
    /// statements: `changes` holds (code, new value).
    async fn write_property(
        &mut self,
        c: Collection,
        property: &str,
        changes: &[(String, serde_json::Value)],
        action: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Deletes a feature (a parcel split or merged away), appending its event with the
    /// state before and `after` (what replaced it).
    async fn delete_feature(
        &mut self,
        c: Collection,
        code: &str,
        action: &str,
        reason: Option<&str>,
        after: serde_json::Value,
    ) -> Result<(), StoreError>;
    /// Every enterprise with its grade.
    async fn enterprises(&mut self) -> Result<Vec<EnterpriseRecord>, StoreError>;
    /// Inserts or updates an enterprise by name, with its event; returns its id.
    async fn upsert_enterprise(&mut self, e: &Enterprise) -> Result<i64, StoreError>;
    /// Stores recomputed grades (the parcels' grades are written with `write_feature`).
    async fn write_grades(&mut self, grades: &[EnterpriseGrade]) -> Result<(), StoreError>;
    /// Appends an event about no single feature (a grading run).
    async fn log(
        &mut self,
        action: &str,
        subject: &str,
        reason: Option<&str>,
        after: serde_json::Value,
    ) -> Result<(), StoreError>;
    /// Commits every change at once.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A stored bearer token (its hash) and who holds it.
#[derive(Debug, Clone)]
pub struct TokenRecord {
    /// Holder's name: the actor in the event log.
    pub name: String,
    /// What the holder may do.
    pub role: Role,
}

/// A stored token as an administrator sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Store id (`token revoke ID`).
    pub id: i64,
    /// Holder's name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// When it was made (RFC 3339 UTC).
    pub created_at: String,
    /// When it stops being accepted, if ever.
    pub expires_at: Option<String>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl TokenInfo {
    /// Who holds it, as requests are answered for.
    pub fn holder(&self) -> TokenRecord {
        TokenRecord {
            name: self.name.clone(),
            role: self.role,
        }
    }
}

/// The store-wide lock of a first start, held until dropped: of replicas that start
/// together on an empty store, one loads the sample zone while the others wait, and then
/// find the store loaded.
pub struct StartLock {
    _held: Box<dyn Send + Sync>,
}

/// The boundary every storage backend implements; the same test suite runs on each.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Backend name for logs (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;
    /// Closes the store's connections at the end of a command or of serving.
    async fn close(&self);
    /// Waits for the store-wide lock of a first start (a PostgreSQL session advisory
    /// lock; a lock file beside the SQLite database) and holds it until dropped.
    async fn first_start_lock(&self) -> Result<StartLock, StoreError>;
    /// Wake-ups for writes committed by any process (PostgreSQL LISTEN/NOTIFY);
    /// `None` where the backend cannot announce them and followers poll.
    async fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>>;
    /// Hands every feature of a collection to `sink` in serving order, one row at a
    /// time, so a large collection is never held in memory twice.
    async fn scan_features(
        &self,
        c: Collection,
        sink: &mut (dyn FnMut(FeatureRecord) + Send),
    ) -> Result<(), StoreError>;
    /// Every feature of a collection, in serving order.
    async fn load_features(&self, c: Collection) -> Result<Vec<FeatureRecord>, StoreError> {
        let mut out = Vec::new();
        self.scan_features(c, &mut |r| out.push(r)).await?;
        Ok(out)
    }
    /// The features with these codes (missing codes are skipped).
    async fn features_by_codes(
        &self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<FeatureRecord>, StoreError>;
    /// Number of stored features of a collection.
    async fn feature_count(&self, c: Collection) -> Result<i64, StoreError>;
    /// Opens an import transaction.
    async fn begin_import(&self, meta: ImportMeta) -> Result<Box<dyn ImportSession>, StoreError>;
    /// Id of the newest event, 0 when the log is empty.
    async fn last_event_id(&self) -> Result<i64, StoreError>;
    /// Events after `after`, oldest first, at most `limit`.
    async fn events_after(&self, after: i64, limit: i64) -> Result<Vec<Event>, StoreError>;
    /// Hands every event that occurred at or before `until` (RFC 3339 UTC in the log's
    /// own format) to `sink` with its recorded state, oldest first, one at a time.
    async fn scan_event_states(
        &self,
        until: &str,
        sink: &mut (dyn FnMut(EventState) + Send),
    ) -> Result<(), StoreError>;
    /// The events of these features of `c` with their recorded states, oldest first.
    async fn feature_event_states(
        &self,
        c: Collection,
        codes: &[String],
    ) -> Result<Vec<EventState>, StoreError>;
    /// The history of one feature, oldest first.
    async fn feature_history(&self, c: Collection, code: &str) -> Result<Vec<Event>, StoreError>;
    /// Inserts or updates enterprises by name, with one event each, in one transaction.
    async fn upsert_enterprises(
        &self,
        list: &[Enterprise],
        actor: &str,
    ) -> Result<usize, StoreError>;
    /// Number of enterprises.
    async fn enterprise_count(&self) -> Result<i64, StoreError>;
    /// Every enterprise with its grade, in id order.
    async fn enterprises(&self) -> Result<Vec<EnterpriseRecord>, StoreError>;
    /// Opens a workflow transaction whose events name `actor`.
    async fn begin_workflow(&self, actor: &str) -> Result<Box<dyn WorkflowTx>, StoreError>;
    /// Stores a new token hash, accepted until `expires_at` (RFC 3339) when given; a taken
    /// name is a conflict.
    async fn create_token(
        &self,
        name: &str,
        role: Role,
        hash: &str,
        expires_at: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The token with this hash, revoked or expired ones included (the caller says which
    /// it is).
    async fn find_token(&self, hash: &str) -> Result<Option<TokenInfo>, StoreError>;
    /// Every token, in id order.
    async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError>;
    /// Revokes the token named `name_or_id` (its name, or its id) now; an unknown or
    /// already revoked token is a conflict that says so.
    async fn revoke_token(&self, name_or_id: &str) -> Result<TokenInfo, StoreError>;
    /// Rows of a table with id above `after_id`, in id order, in the portable column
    /// order shared by every backend (for copying whole stores).
    async fn table_page(
        &self,
        t: StoreTable,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<Vec<Val>>, StoreError>;
    /// Opens a transaction that writes copied rows (ids kept) into this store.
    async fn begin_restore(&self) -> Result<Box<dyn RestoreSession>, StoreError>;
    /// Number of rows in a table.
    async fn row_count(&self, t: StoreTable) -> Result<i64, StoreError>;
}

/// The tables of a store, in the order a copy must write them (references first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreTable {
    /// Import runs.
    Imports,
    /// Enterprises.
    Enterprises,
    /// A feature collection.
    Features(Collection),
    /// The event log.
    Events,
    /// Bearer tokens (hashes).
    Tokens,
}

impl StoreTable {
    /// Every table, in copy order.
    pub const ALL: [StoreTable; 10] = [
        Self::Imports,
        Self::Enterprises,
        Self::Features(Collection::Zones),
        Self::Features(Collection::Roads),
        Self::Features(Collection::Parcels),
        Self::Features(Collection::Reallocations),
        Self::Features(Collection::Schools),
        Self::Features(Collection::Projects),
        Self::Events,
        Self::Tokens,
    ];

    /// The table name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Imports => "imports",
            Self::Enterprises => "enterprises",
            Self::Features(c) => c.id(),
            Self::Events => "events",
            Self::Tokens => "tokens",
        }
    }
}

/// A copy into a store in progress: one transaction; dropping it rolls back.
#[async_trait]
pub trait RestoreSession: Send {
    /// Writes rows of one table (portable column order, ids kept).
    async fn write_rows(&mut self, t: StoreTable, rows: Vec<Vec<Val>>) -> Result<(), StoreError>;
    /// Commits the copy.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Copies every table of `from` into the empty store `to`, events included, in one
/// transaction on `to`. `progress` hears each table's name and row count.
pub async fn migrate(
    from: &dyn Store,
    to: &dyn Store,
    progress: &mut (dyn FnMut(&str, u64) + Send),
) -> Result<Vec<(&'static str, u64)>, StoreError> {
    for t in StoreTable::ALL {
        let n = to.row_count(t).await?;
        if n > 0 {
            return Err(StoreError::Conflict(format!(
                "the target store is not empty ({n} rows in {}); migrate-store copies into an empty store",
                t.name()
            )));
        }
    }
    let mut session = to.begin_restore().await?;
    let mut copied = Vec::new();
    for t in StoreTable::ALL {
        let mut after = 0;
        let mut count = 0u64;
        loop {
            let page = from.table_page(t, after, 5_000).await?;
            let Some(last) = page.last().and_then(|r| r.first()).and_then(Val::as_i64) else {
                break;
            };
            after = last;
            count += page.len() as u64;
            session.write_rows(t, page).await?;
            progress(t.name(), count);
        }
        copied.push((t.name(), count));
    }
    session.commit().await?;
    Ok(copied)
}

/// Opens the embedded SQLite store in `data_dir` (creating the directory and the file),
/// runs the migrations and returns it behind the [`Store`] boundary.
pub async fn open_sqlite(data_dir: &Path) -> Result<Arc<dyn Store>, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Corrupt {
        what: format!("data directory {}", data_dir.display()),
        detail: e.to_string(),
    })?;
    let backend = SqliteBackend::open(&data_dir.join("landreuse.sqlite")).await?;
    Ok(Arc::new(SqliteStore::new(backend)))
}

/// Opens a PostgreSQL + PostGIS store at `url` and runs its migrations.
pub async fn open_postgres(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    let backend = PgBackend::open(url).await?;
    Ok(Arc::new(PgStore::new(backend)))
}

/// Where the store is: a PostgreSQL URL, or else the SQLite file in the data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// SQLite in this directory.
    Sqlite(std::path::PathBuf),
    /// PostgreSQL + PostGIS at this URL.
    Postgres(String),
}

impl StoreLocation {
    /// PostgreSQL when `database_url` is given, else SQLite in `data_dir`.
    pub fn choose(database_url: Option<&str>, data_dir: &Path) -> Self {
        match database_url.filter(|u| !u.trim().is_empty()) {
            Some(url) => Self::Postgres(url.to_string()),
            None => Self::Sqlite(data_dir.to_path_buf()),
        }
    }

    /// Reads `postgres://…` (or `postgresql://…`) as PostgreSQL, anything else as the
    /// SQLite data directory.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Self::Postgres(text.to_string())
        } else {
            Self::Sqlite(text.into())
        }
    }

    /// Opens the store.
    pub async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        match self {
            Self::Sqlite(dir) => open_sqlite(dir).await,
            Self::Postgres(url) => open_postgres(url).await,
        }
    }
}

impl std::fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(dir) => write!(f, "SQLite in {}", dir.display()),
            Self::Postgres(url) => {
                // Never print a password.
                let shown = match (url.find("://"), url.rfind('@')) {
                    (Some(s), Some(at)) if at > s => {
                        format!("{}://…@{}", &url[..s], &url[at + 1..])
                    }
                    _ => url.clone(),
                };
                write!(f, "PostgreSQL at {shown}")
            }
        }
    }
}
