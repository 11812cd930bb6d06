//! The embedded SQLite backend: one file in the data directory, WAL mode so that a CLI
//! import and a serving process can share it.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;

use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::sql::{audited, sqlx_plumbing, Backend, Conn, Dialect, Kind, SqlStore, Tx, Val};
use super::StoreError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite engine behind [`SqlStore`].
pub struct SqliteBackend {
    pool: SqlitePool,
    /// The database file (its first-start lock file lies beside it).
    path: std::path::PathBuf,
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
        {
            // Processes opening a new file together would race through the migrations.
            let _one_at_a_time = start_lock(path).await?;
            MIGRATOR.run(&pool).await?;
        }
        Ok(Self {
            pool,
            path: path.to_path_buf(),
        })
    }
}

/// Waits for an exclusive flock on the file beside the database `path` that processes of
/// one store take to migrate it and to load the sample zone into it; released when the
/// returned file is closed, and by the kernel if the process dies.
async fn start_lock(path: &Path) -> Result<std::fs::File, StoreError> {
    let lock = path.with_extension("sqlite.start-lock");
    let failed = |detail: String| StoreError::Corrupt {
        what: format!("the start lock {}", lock.display()),
        detail,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|e| failed(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor that `file`, owned by this closure, keeps open.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        if rc == 0 {
            Ok(file)
        } else {
            Err(std::io::Error::last_os_error().to_string())
        }
    })
    .await
    .map_err(|e| failed(e.to_string()))?
    .map_err(failed)
}

/// SQLite takes `?` placeholders as they are.
fn as_is(sql: &str) -> String {
    sql.to_string()
}

sqlx_plumbing!(Sqlite, SqliteArguments, SqliteRow, SqliteConnection, as_is);
type SqliteTx = DbConn<Transaction<'static, Sqlite>>;

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

    async fn first_start_lock(&self) -> Result<Box<dyn Send + Sync>, StoreError> {
        Ok(Box::new(start_lock(&self.path).await?))
    }

    async fn conn(&self) -> Result<Box<dyn Conn>, StoreError> {
        Ok(Box::new(DbConn(self.pool.acquire().await?)))
    }

    async fn begin_write(&self) -> Result<Box<dyn Tx>, StoreError> {
        // BEGIN IMMEDIATE takes SQLite's write lock at once: writers are serialised and
        // never fail to upgrade a read lock halfway through.
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(DbConn(tx)))
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
