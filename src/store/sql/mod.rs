//! The SQL store, written once over a small backend interface: a backend executes SQL
//! with neutral values ([`Val`]) and hands rows back as neutral values. SQLite and
//! PostgreSQL/PostGIS implement that interface; everything else (schemas of the
//! collections, imports, events, tokens) is shared, so both backends behave alike.
//!
//! SQL is written with `?` placeholders; the PostgreSQL backend numbers them.

mod copy;
mod import;
mod rows;
mod store;
mod workflow;

use async_trait::async_trait;

use super::StoreError;
pub use store::SqlStore;

/// A value bound to or read from SQL, typed even when null (PostgreSQL needs the type).
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// BIGINT / INTEGER.
    Int(Option<i64>),
    /// DOUBLE PRECISION / REAL.
    Real(Option<f64>),
    /// TEXT (also JSON and GeoJSON text).
    Text(Option<String>),
    /// BOOLEAN.
    Bool(Option<bool>),
}

impl Val {
    /// A text value.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(Some(s.into()))
    }

    /// The integer, if this is a non-null integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(v) => *v,
            _ => None,
        }
    }

    /// The real, if this is a non-null real.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Real(v) => *v,
            _ => None,
        }
    }

    /// Takes the text out, if this is non-null text.
    pub fn into_text(self) -> Option<String> {
        match self {
            Self::Text(v) => v,
            _ => None,
        }
    }
}

/// The type a result column is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integer.
    Int,
    /// Real.
    Real,
    /// Text.
    Text,
    /// Boolean.
    Bool,
}

/// SQL text differences between backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite: GeoJSON text and JSON text columns, bounding-box columns.
    Sqlite,
    /// PostgreSQL + PostGIS: geometry and JSONB columns.
    Postgres,
}

impl Dialect {
    /// Expression that stores a bound GeoJSON text as geometry.
    pub fn geometry_in(self) -> &'static str {
        match self {
            Self::Sqlite => "?",
            Self::Postgres => "ST_SetSRID(ST_GeomFromGeoJSON(?), 4326)",
        }
    }

    /// Expression that reads the geometry column as GeoJSON text (full precision).
    pub fn geometry_out(self) -> &'static str {
        match self {
            Self::Sqlite => "geometry",
            Self::Postgres => "ST_AsGeoJSON(geometry, 15)",
        }
    }

    /// Expression that stores a bound JSON text.
    pub fn json_in(self) -> &'static str {
        match self {
            Self::Sqlite => "?",
            Self::Postgres => "CAST(? AS jsonb)",
        }
    }

    /// Expression that reads a JSON column as text.
    pub fn json_out(self, column: &str) -> String {
        match self {
            Self::Sqlite => column.to_string(),
            Self::Postgres => format!("{column}::text"),
        }
    }
}

/// A connection or transaction that runs SQL with neutral values.
#[async_trait]
pub trait Conn: Send {
    /// Runs a statement; returns the rows affected.
    async fn execute(&mut self, sql: &str, args: Vec<Val>) -> Result<u64, StoreError>;
    /// Runs a query and reads every row as `kinds`.
    async fn fetch(
        &mut self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> Result<Vec<Vec<Val>>, StoreError>;
}

/// An open transaction; dropping it rolls back.
#[async_trait]
pub trait Tx: Conn {
    /// Commits.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// What a database engine provides to [`SqlStore`].
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Name for logs.
    fn name(&self) -> &'static str;
    /// SQL differences.
    fn dialect(&self) -> Dialect;
    /// A pooled connection for reads and single statements.
    async fn conn(&self) -> Result<Box<dyn Conn>, StoreError>;
    /// Begins a write transaction, serialised with every other writer so that event
    /// ids are assigned in commit order.
    async fn begin_write(&self) -> Result<Box<dyn Tx>, StoreError>;
    /// Waits for, and holds until the value is dropped, the store-wide lock of a first
    /// start (every process of the store, across transactions).
    async fn first_start_lock(&self) -> Result<Box<dyn Send + Sync>, StoreError>;
    /// Closes the pool (SQLite folds its write-ahead log back into the database file).
    async fn close(&self);
    /// Wake-ups for every write committed by any process, where the engine can
    /// announce them (PostgreSQL LISTEN/NOTIFY); `None` means poll.
    async fn changes(&self) -> Option<tokio::sync::mpsc::Receiver<()>>;
    /// Streams the rows of a query to `sink` without collecting them.
    async fn scan(
        &self,
        sql: &str,
        kinds: &[Kind],
        sink: &mut (dyn FnMut(Vec<Val>) -> Result<(), StoreError> + Send),
    ) -> Result<(), StoreError>;
}

/// Marks SQL assembled from this module's constants and the closed `Collection` enum
/// (table and column names), never from input; values are always bound.
pub fn audited(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

/// The sqlx plumbing every backend shares, written once for each database type: binding
/// neutral values (`query`), reading rows as neutral values (`read`), and [`Conn`] over a
/// pooled connection or an open transaction (`DbConn`, both deref to the connection).
/// `$prepare` turns the `?`-placeholder SQL into the engine's own.
macro_rules! sqlx_plumbing {
    ($db:ty, $arguments:ty, $row:ty, $connection:ty, $prepare:path) => {
        type Query<'q> = sqlx::query::Query<'q, $db, $arguments>;

        fn query(sql: &str, args: Vec<Val>) -> Query<'static> {
            args.into_iter()
                .fold(sqlx::query(audited($prepare(sql))), |q, v| match v {
                    Val::Int(x) => q.bind(x),
                    Val::Real(x) => q.bind(x),
                    Val::Text(x) => q.bind(x),
                    Val::Bool(x) => q.bind(x),
                })
        }

        fn read(row: &$row, kinds: &[Kind]) -> Result<Vec<Val>, StoreError> {
            use sqlx::Row;
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
        struct DbConn<C>(C);

        #[async_trait::async_trait]
        impl<C> Conn for DbConn<C>
        where
            C: std::ops::DerefMut<Target = $connection> + Send,
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
    };
}
pub(crate) use sqlx_plumbing;
