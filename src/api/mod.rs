//! Step 4 of the data flow: the HTTP API.
//!
//! OGC API – Features Part 1 (core, GeoJSON, HTML, OpenAPI 3.0) over the in-memory
//! index, and the domain endpoints (imports now; the workflow and reports later).
//! Handlers follow one shape: find the collection or 404, parse the parameters
//! strictly, ask the index or the store, add the links, pick the media type.

mod analysis;
mod auth;
mod body;
mod edge;
mod edit;
mod enterprises;
mod error;
mod heavy;
mod html;
mod imports;
mod items;
pub mod listen;
mod ogc;
pub mod openapi;
mod params;
mod parcels;
mod projects;
mod queryables;
mod reallocations;
mod reports;
pub mod routes;
mod schemas;

use std::sync::Arc;

use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::domain::grading::GradingConfig;
use crate::domain::projects::Target;
use crate::domain::reserve_priority::PriorityConfig;
use crate::import::ZoneLocator;
use crate::index::Index;
use crate::store::Store;
pub use edge::REQUEST_ID;
pub use error::ApiError;
pub use params::{DEFAULT_LIMIT, MAX_LIMIT};

/// Settings of the HTTP API.
#[derive(Debug, Clone)]
pub struct ApiSettings {
    /// Whether reading needs no token.
    pub read_open: bool,
    /// Largest upload accepted by `POST /imports`, bytes.
    pub max_upload_bytes: usize,
    /// Public base URL for links (e.g. behind a proxy); else taken from `Host`.
    pub public_url: Option<String>,
    /// The built web client (`web/dist`): `/` for browsers and its files; `None` serves
    /// the API alone.
    pub web_dir: Option<std::path::PathBuf>,
    /// Reports, coverage analyses and imports that may run at once, each on a blocking
    /// thread; more wait their turn.
    pub heavy_jobs: usize,
    /// Whether a PUT, PATCH or DELETE of a feature must carry `If-Match` or
    /// `If-Unmodified-Since` (else 428). Off for clients that never send one (QGIS); the
    /// event log keeps every state before, and `landreuse parcel revert` restores one.
    pub require_precondition: bool,
    /// Refused tokens one client address may send in a minute before its requests with a
    /// token are answered 429 for the rest of the minute; 0 for no limit.
    pub auth_failures_per_minute: u32,
    /// The HTTP server's connection limit and timeouts.
    pub limits: listen::HttpLimits,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            read_open: true,
            max_upload_bytes: 256 * 1024 * 1024,
            public_url: None,
            web_dir: None,
            heavy_jobs: 2,
            require_precondition: true,
            auth_failures_per_minute: 30,
            limits: listen::HttpLimits::default(),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The source of truth.
    pub store: Arc<dyn Store>,
    /// The in-memory R-trees.
    pub index: Arc<Index>,
    /// API settings.
    pub settings: Arc<ApiSettings>,
    /// The land-efficiency grading configuration.
    pub grading: Arc<GradingConfig>,
    /// The programme's targets for public projects.
    pub targets: Arc<Vec<Target>>,
    /// Priority of reserve candidates in reports.
    pub priority: Arc<PriorityConfig>,
    /// Permits for heavy work (see [`ApiSettings::heavy_jobs`]).
    pub heavy: Arc<tokio::sync::Semaphore>,
    /// Refused tokens per client address (see [`ApiSettings::auth_failures_per_minute`]).
    pub auth_failures: Arc<auth::AuthFailures>,
}

impl AppState {
    /// Zones as they stand now, for placing imported parcels.
    pub fn zone_locator(&self) -> Arc<ZoneLocator> {
        let zones = self.index.read(crate::domain::Collection::Zones);
        let records: Vec<_> = zones.all().iter().map(|f| f.to_record()).collect();
        Arc::new(ZoneLocator::new(&records))
    }
}

/// The whole HTTP application: the route table's router (reads behind the read guard),
/// the web client's files for paths no route takes, and the edge layers (request ids,
/// trace log, Content-Security-Policy, problem+json for bare errors).
pub fn build_app(state: AppState) -> Router {
    let router = routes::router()
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::read_guard,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::limit_failed_authentication,
        ));
    // Paths no route takes are the web client's files, when it is built.
    let router = match state.settings.web_dir.clone() {
        Some(dir) => router.fallback_service(edge::web_client_files(
            tower_http::services::ServeDir::new(dir)
                .call_fallback_on_method_not_allowed(true)
                .fallback(not_found.into_service()),
        )),
        None => router.fallback(not_found),
    };
    let limits = state.settings.limits.clone();
    let app = router
        .with_state(state)
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            limits.body_timeout,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            limits.request_timeout,
        ));
    edge::layers(app)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "there is no resource at {}; start at / for the list of resources",
        uri.path()
    ))
}

/// The base URL for links in a response.
pub(crate) fn base_url(settings: &ApiSettings, headers: &HeaderMap) -> String {
    if let Some(url) = &settings.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A response with a body and a media type.
pub(crate) fn typed(body: String, media_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    r
}
