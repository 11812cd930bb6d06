//! Spawning the service on port 0 with a fresh database for each test.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use landreuse::api::{ApiSettings, AppState};
use landreuse::auth::{hash_secret, new_secret, Role};
use landreuse::domain::Collection;
use landreuse::service::{self, ServiceConfig};
use landreuse::store::StoreLocation;
use serde_json::Value;

/// A running service and what a test needs to talk to it.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    /// Kept so the SQLite directory lives as long as the test.
    pub _data_dir: tempfile::TempDir,
    pub store: StoreLocation,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).expect("fixture exists")
}

/// The sample zone's targets (`geodata/targets.json`), when the sample has them.
pub fn sample_targets() -> Vec<landreuse::domain::projects::Target> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata/targets.json");
    std::fs::read_to_string(path)
        .ok()
        .map(|t| {
            landreuse::domain::projects::parse_targets(&t).expect("geodata/targets.json is valid")
        })
        .unwrap_or_default()
}

/// The service over an empty store.
pub async fn spawn_empty() -> TestApp {
    spawn(None, ApiSettings::default()).await
}

/// The service over the sample zone of `geodata/`.
pub async fn spawn_sample() -> TestApp {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    spawn(Some(dir), ApiSettings::default()).await
}

pub async fn spawn(sample_dir: Option<PathBuf>, api: ApiSettings) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    spawn_in(data_dir, sample_dir, api).await
}

pub async fn spawn_in(
    data_dir: tempfile::TempDir,
    sample_dir: Option<PathBuf>,
    api: ApiSettings,
) -> TestApp {
    let store = crate::common::fresh_location(data_dir.path()).await;
    let config = ServiceConfig {
        store: store.clone(),
        sample_dir,
        api,
        follow_every: Duration::from_millis(100),
        grading: Default::default(),
        targets: sample_targets(),
        priority: Default::default(),
    };
    let state = service::open(&config).await.expect("service opens");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port 0 binds");
    let addr: SocketAddr = listener.local_addr().expect("address");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let serving = state.clone();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        service::serve(serving, listener, config.follow_every, shutdown)
            .await
            .expect("serves");
    });
    TestApp {
        base: format!("http://{addr}"),
        state,
        client: reqwest::Client::new(),
        _data_dir: data_dir,
        store,
        _shutdown: tx,
    }
}

impl TestApp {
    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path_and_query}", self.base))
            .send()
            .await
            .expect("request is sent")
    }

    pub async fn get_json(&self, path_and_query: &str) -> (u16, Value) {
        let r = self.get(path_and_query).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }

    /// A token of `role` stored for `name`.
    pub async fn token(&self, role: Role, name: &str) -> String {
        let secret = new_secret();
        self.state
            .store
            .create_token(name, role, &hash_secret(&secret), None)
            .await
            .expect("token stored");
        secret
    }

    pub async fn post_import(
        &self,
        query: &str,
        body: String,
        token: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/imports{query}", self.base))
            .header("content-type", "application/geo+json")
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("request is sent")
    }

    /// Count of stored features and the newest event id: "nothing changed" checks.
    pub async fn store_snapshot(&self) -> (i64, i64, i64) {
        let s = &self.state.store;
        (
            s.feature_count(Collection::Parcels).await.expect("count"),
            s.last_event_id().await.expect("events"),
            s.enterprise_count().await.expect("enterprises"),
        )
    }
}

/// Feature ids of a FeatureCollection body.
pub fn ids(body: &Value) -> Vec<String> {
    body["features"]
        .as_array()
        .expect("features array")
        .iter()
        .map(|f| f["id"].as_str().expect("string id").to_string())
        .collect()
}

/// The href of the first link with `rel`.
pub fn link(body: &Value, rel: &str) -> Option<String> {
    body["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
        .map(str::to_string)
}
