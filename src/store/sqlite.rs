//! The embedded SQLite backend: one file in the data directory, WAL mode so that a CLI
//! import and a serving process can share it.

use std::ops::DerefMut;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;

use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::sql::{audited, Backend, Conn, Dialect, Kind, SqlStore, Tx, Val};
use super::StoreError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite engine behind [`SqlStore`].
pub struct SqliteBackend {
    pool: SqlitePool,
}

/// The store on SQLite.
pub type SqliteStore = SqlStore<SqliteBackend>;

impl SqliteBackend {
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

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

fn query(sql: &str, args: Vec<Val>) -> Query<'static> {
    args.into_iter()
        .fold(sqlx::query(audited(sql.to_string())), |q, v| match v {
            Val::Int(x) => q.bind(x),
            Val::Real(x) => q.bind(x),
            Val::Text(x) => q.bind(x),
            Val::Bool(x) => q.bind(x),
        })
}

fn read(row: &SqliteRow, kinds: &[Kind]) -> Result<Vec<Val>, StoreError> {
    kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            Ok(match k {
                Kind::Int => Val::Int(row.try_get(i)?),
                Kind::Real => Val::Real(row.try_get(i)?),
                Kind::Text => Val::Text(row.try_get(i)?),
                Kind::Bool => Val::Bool(row.try_get(i)?),
            })
        })
        .collect()
}

/// A pooled connection or an open transaction: both deref to the connection.
struct SqliteConn<C>(C);
type SqliteTx = SqliteConn<Transaction<'static, Sqlite>>;

#[async_trait]
impl<C> Conn for SqliteConn<C>
where
    C: DerefMut<Target = SqliteConnection> + Send,
{
    async fn execute(&mut self, sql: &str, args: Vec<Val>) -> Result<u64, StoreError> {
        Ok(query(sql, args)
            .execute(&mut *self.0)
            .await?
            .rows_affected())
    }

    async fn fetch(
        &mut self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> Result<Vec<Vec<Val>>, StoreError> {
        let rows = query(sql, args).fetch_all(&mut *self.0).await?;
        rows.iter().map(|r| read(r, kinds)).collect()
    }
}

#[async_trait]
impl Tx for SqliteTx {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.0.commit().await?)
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn conn(&self) -> Result<Box<dyn Conn>, StoreError> {
        Ok(Box::new(SqliteConn(self.pool.acquire().await?)))
    }

    async fn begin_write(&self) -> Result<Box<dyn Tx>, StoreError> {
        // BEGIN IMMEDIATE takes SQLite's write lock at once: writers are serialised and
        // never fail to upgrade a read lock halfway through.
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(SqliteConn(tx)))
    }

    async fn close(&self) {
        // A large import leaves a write-ahead log as big as the data; fold it back so
        // the data directory holds one file of the store's real size.
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "the write-ahead log could not be checkpointed");
        }
        self.pool.close().await;
    }

    async fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>> {
        // SQLite has no notifications between processes: followers poll.
        None
    }

    async fn scan(
        &self,
        sql: &str,
        kinds: &[Kind],
        sink: &mut (dyn FnMut(Vec<Val>) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let mut rows = sqlx::query(audited(sql.to_string())).fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            sink(read(&row, kinds)?)?;
        }
        Ok(())
    }
}
