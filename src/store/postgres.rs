//! The PostgreSQL + PostGIS backend, for deployments that outgrow one machine: several
//! stateless landreuse replicas over one database, whose tables QGIS and ogr2ogr read
//! directly (geometry columns with SRID 4326 under GiST indexes).

use async_trait::async_trait;
use futures::TryStreamExt;

use sqlx::postgres::{PgArguments, PgPoolOptions, PgRow};
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use super::sql::{audited, sqlx_plumbing, Backend, Conn, Dialect, Kind, SqlStore, Tx, Val};
use super::StoreError;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Key of the transaction-level advisory lock every writer holds from its first
/// statement to its commit, so that event ids are assigned in commit order and a
/// follower reading `id > last` never skips an event committed late.
const EVENT_LOG_LOCK: i64 = 0x6c61_6e64_7275_7365; // "landruse"

/// Key of the session advisory lock a starting replica holds while it looks whether the
/// store is empty and loads the sample zone into it.
const FIRST_START_LOCK: i64 = 0x6c61_6e64_7374_6172; // "landstar"

/// The channel on which every committed write is announced to the replicas.
const CHANNEL: &str = "landreuse_events";

/// The PostgreSQL engine behind [`SqlStore`].
pub struct PgBackend {
    pool: PgPool,
}

/// The store on PostgreSQL + PostGIS.
pub type PgStore = SqlStore<PgBackend>;

impl PgBackend {
    /// Connects and runs the embedded migrations (which create the PostGIS extension).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }
}

/// Numbers the `?` placeholders as `$1, $2, …`.
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

sqlx_plumbing!(Postgres, PgArguments, PgRow, PgConnection, numbered);
type PgTx = DbConn<Transaction<'static, Postgres>>;

#[async_trait]
impl Tx for PgTx {
    async fn commit(mut self: Box<Self>) -> Result<(), StoreError> {
        // Delivered to listening replicas when (and only if) the transaction commits.
        sqlx::query(audited(format!("NOTIFY {CHANNEL}")))
            .execute(&mut *self.0)
            .await?;
        Ok(self.0.commit().await?)
    }
}

#[async_trait]
impl Backend for PgBackend {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn conn(&self) -> Result<Box<dyn Conn>, StoreError> {
        Ok(Box::new(DbConn(self.pool.acquire().await?)))
    }

    async fn begin_write(&self) -> Result<Box<dyn Tx>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENT_LOG_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(Box::new(DbConn(tx)))
    }

    async fn first_start_lock(&self) -> Result<Box<dyn Send + Sync>, StoreError> {
        // A session lock on a connection of its own, taken out of the pool: dropping it
        // closes the session, and PostgreSQL releases the lock with it.
        let mut conn = self.pool.acquire().await?.detach();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(FIRST_START_LOCK)
            .execute(&mut conn)
            .await?;
        Ok(Box::new(conn))
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>> {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&self.pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN for writes; following by polling only");
                return None;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "cannot LISTEN for writes; following by polling only");
            return None;
        }
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        tokio::spawn(async move {
            loop {
                // Ends when the follower stops listening (at shutdown), so that the
                // connection goes back and the pool can close.
                let received = tokio::select! {
                    r = listener.recv() => r,
                    () = tx.closed() => break,
                };
                match received {
                    // A full channel already holds a wake-up: writes coalesce.
                    Ok(_) => {
                        if let Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) =
                            tx.try_send(())
                        {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Some(rx)
    }

    async fn scan(
        &self,
        sql: &str,
        kinds: &[Kind],
        sink: &mut (dyn FnMut(Vec<Val>) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError> {
        let mut rows = sqlx::query(audited(numbered(sql))).fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            sink(read(&row, kinds)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            super::numbered("INSERT INTO t (a, b) VALUES (?, CAST(? AS jsonb))"),
            "INSERT INTO t (a, b) VALUES ($1, CAST($2 AS jsonb))"
        );
    }
}
