//! Backups of a live store and their restoration.
//!
//! - **SQLite**: `VACUUM INTO` writes a consistent copy of the database while writers go
//!   on (SQLite reads it in one snapshot); the copy is itself a store, with a
//!   `backup_info` row that records when it was taken and the last event id it holds.
//! - **PostgreSQL**: `pg_dump` in the custom format, reading the snapshot of a
//!   repeatable-read transaction that also reads the last event id; the id is written
//!   beside the dump (`FILE.json`).
//!
//! A restore goes into an empty store: an SQLite backup is copied into either backend
//! by `migrate`, events included; a PostgreSQL dump is given to `pg_restore` on an empty
//! database.

use std::path::{Path, PathBuf};

use sqlx::{Connection, SqliteConnection};

use super::{Store, StoreError, StoreLocation};

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// The file written.
    pub file: PathBuf,
    /// The newest event id in it: the backup holds the log up to this event.
    pub last_event_id: i64,
    /// `sqlite` or `postgres`.
    pub format: &'static str,
}

fn failed(what: impl Into<String>, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        detail: detail.to_string(),
    }
}

/// Writes a consistent copy of the store at `from` to the new file `to`.
pub async fn backup(from: &StoreLocation, to: &Path) -> Result<BackupSummary, StoreError> {
    if to.exists() {
        return Err(StoreError::Conflict(format!(
            "{} exists; a backup never overwrites a file: name a new one",
            to.display()
        )));
    }
    match from {
        StoreLocation::Sqlite(dir) => backup_sqlite(&dir.join("landreuse.sqlite"), to).await,
        StoreLocation::Postgres(url) => backup_postgres(url, to).await,
    }
}

async fn backup_sqlite(db: &Path, to: &Path) -> Result<BackupSummary, StoreError> {
    if !db.exists() {
        return Err(StoreError::Conflict(format!(
            "there is no store at {}: nothing to back up",
            db.display()
        )));
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(db)
        .busy_timeout(std::time::Duration::from_secs(30));
    let mut conn = SqliteConnection::connect_with(&options).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(to.to_string_lossy().to_string())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    // The copy records what it holds.
    let mut copy =
        SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(to))
            .await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events")
        .fetch_one(&mut copy)
        .await?;
    let last = last.unwrap_or(0);
    sqlx::query(
        "CREATE TABLE backup_info (taken_at TEXT NOT NULL, last_event_id INTEGER NOT NULL)",
    )
    .execute(&mut copy)
    .await?;
    sqlx::query("INSERT INTO backup_info (taken_at, last_event_id) VALUES (?, ?)")
        .bind(super::now_rfc3339())
        .bind(last)
        .execute(&mut copy)
        .await?;
    copy.close().await?;
    Ok(BackupSummary {
        file: to.to_path_buf(),
        last_event_id: last,
        format: "sqlite",
    })
}

async fn backup_postgres(url: &str, to: &Path) -> Result<BackupSummary, StoreError> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let mut tx = conn.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let snapshot: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?;
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM events")
        .fetch_one(&mut *tx)
        .await?;
    let last = last.unwrap_or(0);
    let (url_arg, file) = (url.to_string(), to.to_path_buf());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("pg_dump")
            .arg("--format=custom")
            .arg("--no-owner")
            .arg(format!("--snapshot={snapshot}"))
            .arg("--file")
            .arg(&file)
            .arg("--dbname")
            .arg(&url_arg)
            .output()
    })
    .await
    .map_err(|e| failed("pg_dump", e))?
    .map_err(|e| {
        failed(
            "pg_dump",
            format!(
                "{e}; a PostgreSQL store is backed up with pg_dump (Debian: postgresql-client)"
            ),
        )
    })?;
    tx.rollback().await?;
    conn.close().await?;
    if !out.status.success() {
        let _ = std::fs::remove_file(to);
        return Err(failed(
            "pg_dump",
            String::from_utf8_lossy(&out.stderr).trim(),
        ));
    }
    let info = serde_json::json!({"taken_at": super::now_rfc3339(), "last_event_id": last, "format": "pg_dump custom"});
    let sidecar = sidecar(to);
    std::fs::write(&sidecar, info.to_string())
        .map_err(|e| failed(format!("the backup's record {}", sidecar.display()), e))?;
    Ok(BackupSummary {
        file: to.to_path_buf(),
        last_event_id: last,
        format: "postgres",
    })
}

fn sidecar(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".json");
    PathBuf::from(name)
}

/// Restores the backup `from` into the empty store `to`; returns the last event id the
/// restored store holds. `progress` hears each copied table and its row count.
pub async fn restore(
    from: &Path,
    to: &StoreLocation,
    progress: &mut (dyn FnMut(&str, u64) + Send),
) -> Result<i64, StoreError> {
    let mut magic = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(from)
            .map_err(|e| failed(format!("the backup {}", from.display()), e))?;
        let n = f
            .read(&mut magic)
            .map_err(|e| failed(format!("the backup {}", from.display()), e))?;
        if n < 5 {
            return Err(StoreError::Conflict(format!(
                "{} is not a landreuse backup (it is {n} bytes long)",
                from.display()
            )));
        }
    }
    if magic.starts_with(b"SQLite format 3\0") {
        // The backup is a store: copy it, events and all, into the target.
        let source = super::SqliteStore::new(super::SqliteBackend::open(from).await?);
        let target = to.open().await?;
        let copied = super::migrate(&source, target.as_ref(), progress).await;
        source.close().await;
        let last = match copied {
            Ok(_) => target.last_event_id().await,
            Err(e) => Err(e),
        };
        target.close().await;
        return last;
    }
    if magic.starts_with(b"PGDMP") {
        let StoreLocation::Postgres(url) = to else {
            return Err(StoreError::Conflict(format!(
                "{} is a pg_dump of a PostgreSQL store; restore it into an empty PostgreSQL database (--database-url), or copy that database into SQLite with migrate-store afterwards",
                from.display()
            )));
        };
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let taken: bool = sqlx::query_scalar("SELECT to_regclass('public.events') IS NOT NULL")
            .fetch_one(&mut conn)
            .await?;
        conn.close().await?;
        if taken {
            return Err(StoreError::Conflict(
                "the target database already holds a store; restore into an empty database".into(),
            ));
        }
        let (url_arg, file) = (url.clone(), from.to_path_buf());
        let out = tokio::task::spawn_blocking(move || {
            std::process::Command::new("pg_restore")
                .args([
                    "--no-owner",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                ])
                .arg(&url_arg)
                .arg(&file)
                .output()
        })
        .await
        .map_err(|e| failed("pg_restore", e))?
        .map_err(|e| failed("pg_restore", e))?;
        if !out.status.success() {
            return Err(failed(
                "pg_restore",
                String::from_utf8_lossy(&out.stderr).trim(),
            ));
        }
        let target = to.open().await?;
        let last = target.last_event_id().await;
        target.close().await;
        let last = last?;
        progress("events", u64::try_from(last).unwrap_or(0));
        return Ok(last);
    }
    Err(StoreError::Conflict(format!(
        "{} is neither an SQLite backup nor a pg_dump of a landreuse store",
        from.display()
    )))
}
