//! The store each test runs on. By default SQLite in a temporary directory; when
//! `LANDREUSE_TEST_DATABASE_URL` names a PostgreSQL server (scripts/test.sh starts a
//! throwaway cluster and runs the suite a second time with it), a fresh database there.

#![allow(dead_code)]

use std::path::Path;

use landreuse::store::StoreLocation;
use rand::RngCore;

/// The URL of the PostgreSQL server under test, if the suite runs on PostgreSQL.
pub fn postgres_server() -> Option<String> {
    std::env::var("LANDREUSE_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh, empty store for one test.
pub async fn fresh_location(dir: &Path) -> StoreLocation {
    match postgres_server() {
        Some(server) => StoreLocation::Postgres(fresh_database(&server).await),
        None => StoreLocation::Sqlite(dir.to_path_buf()),
    }
}

/// [`fresh_location`] for tests without a runtime.
pub fn fresh_location_blocking(dir: &Path) -> StoreLocation {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(fresh_location(dir))
}

/// Creates a database with a random name on the server; returns its URL.
pub async fn fresh_database(server: &str) -> String {
    let mut bytes = [0u8; 6];
    rand::rng().fill_bytes(&mut bytes);
    let name = format!("lr_test_{}", hex::encode(bytes));
    let pool = sqlx::PgPool::connect(server)
        .await
        .expect("the PostgreSQL test server answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .expect("CREATE DATABASE");
    pool.close().await;
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    format!("{base}/{name}")
}

/// The command-line arguments that select `location`.
pub fn store_args(location: &StoreLocation) -> Vec<String> {
    match location {
        StoreLocation::Sqlite(dir) => vec!["--data-dir".into(), dir.display().to_string()],
        StoreLocation::Postgres(url) => vec!["--database-url".into(), url.clone()],
    }
}
