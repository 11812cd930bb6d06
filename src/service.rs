//! Putting the steps together into a running service: open the store, load the sample
//! zone into an empty one, build the index, follow the event log, serve HTTP.

use std::path::PathBuf;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::api::{build_app, ApiSettings, AppState};
use crate::domain::grading::GradingConfig;
use crate::domain::projects::Target;
use crate::domain::reserve_priority::PriorityConfig;
use crate::index::{spawn_follower, Index};
use crate::sample;
use crate::store::{self, Store, StoreLocation};
use crate::workflow::grading::{is_current, regrade};

/// What a service needs to start.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Where the store is (SQLite directory or PostgreSQL URL).
    pub store: StoreLocation,
    /// Sample data to load into an empty store; `None` starts empty.
    pub sample_dir: Option<PathBuf>,
    /// HTTP settings.
    pub api: ApiSettings,
    /// How often to look for writes by other processes.
    pub follow_every: Duration,
    /// Land-efficiency grading configuration (`config/grading.toml`).
    pub grading: GradingConfig,
    /// The programme's targets for public projects (`geodata/targets.json`).
    pub targets: Vec<Target>,
    /// Priority of reserve candidates in reports (`config/reserve_priority.toml`).
    pub priority: PriorityConfig,
}

/// Failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The sample zone failed to load.
    #[error(transparent)]
    Sample(#[from] sample::SampleError),
    /// Grading or the sample cases failed.
    #[error(transparent)]
    Workflow(#[from] crate::workflow::WorkflowError),
    /// The address cannot be bound or served.
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the store and builds the shared state of a service.
pub async fn open(config: &ServiceConfig) -> Result<AppState, StartError> {
    let store: Arc<dyn Store> = config.store.open().await?;
    // Replicas starting together on an empty store: one loads the sample zone, the others
    // wait here and then find it loaded (and follow its events like any others).
    let first_start = match config.sample_dir {
        Some(_) => Some(store.first_start_lock().await?),
        None => None,
    };
    if let Some(dir) = &config.sample_dir {
        if sample::store_is_empty(store.as_ref()).await? {
            tracing::info!(dir = %dir.display(), "empty store: loading the sample zone");
            sample::load(store.as_ref(), dir, &config.grading, &mut |line| {
                tracing::info!("loaded {line}");
            })
            .await?;
        }
    }
    // Grades follow the configuration: a changed file regrades at start (only the
    // grades that change are written).
    if !is_current(store.as_ref(), &config.grading).await? {
        let summary = regrade(store.as_ref(), "system", &config.grading, "service start").await?;
        tracing::info!(parcels = summary.parcels_changed, firms = ?summary.firms, "grades recomputed");
    }
    drop(first_start);
    let index = Arc::new(Index::load(store.as_ref()).await?);
    Ok(AppState {
        store,
        index,
        settings: Arc::new(config.api.clone()),
        grading: Arc::new(config.grading.clone()),
        targets: Arc::new(config.targets.clone()),
        priority: Arc::new(config.priority.clone()),
        heavy: Arc::new(tokio::sync::Semaphore::new(config.api.heavy_jobs.max(1))),
        auth_failures: Arc::default(),
    })
}

/// Serves `state` on `listener` until `shutdown` resolves, following the event log.
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    follow_every: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let follower = spawn_follower(state.index.clone(), state.store.clone(), follow_every);
    let store = state.store.clone();
    let limits = state.settings.limits.clone();
    let app = build_app(state);
    let result = crate::api::listen::serve(listener, app, &limits, shutdown).await;
    follower.abort();
    // A connection still held (a request the shutdown timeout cut off) must not keep the
    // process from exiting: its transaction rolls back when the process ends.
    if tokio::time::timeout(Duration::from_secs(5), store.close())
        .await
        .is_err()
    {
        tracing::warn!("the store's connections did not close within 5 s; exiting anyway");
    }
    Ok(result?)
}
