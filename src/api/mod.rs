//! Step 4 of the data flow: the HTTP API.
//!
//! OGC API – Features Part 1 (core, GeoJSON, HTML, OpenAPI 3.0) over the in-memory
//! index, and the domain endpoints (imports now; the workflow and reports later).
//! Handlers follow one shape: find the collection or 404, parse the parameters
//! strictly, ask the index or the store, add the links, pick the media type.

mod analysis;
mod auth;
mod enterprises;
mod error;
mod html;
mod imports;
mod items;
mod ogc;
mod openapi;
mod params;
mod parcels;
mod projects;
mod queryables;
mod reallocations;
mod reports;

use std::sync::Arc;

use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use tower_http::cors::CorsLayer;
use tower_http::trace::TraceLayer;

use crate::domain::grading::GradingConfig;
use crate::domain::projects::Target;
use crate::domain::reserve_priority::PriorityConfig;
use crate::import::ZoneLocator;
use crate::index::Index;
use crate::store::Store;
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
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            read_open: true,
            max_upload_bytes: 256 * 1024 * 1024,
            public_url: None,
            web_dir: None,
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
}

impl AppState {
    /// Zones as they stand now, for placing imported parcels.
    pub fn zone_locator(&self) -> Arc<ZoneLocator> {
        let zones = self.index.read(crate::domain::Collection::Zones);
        let records: Vec<_> = zones.all().iter().map(|f| f.to_record()).collect();
        Arc::new(ZoneLocator::new(&records))
    }
}

/// The whole HTTP application.
pub fn build_app(state: AppState) -> Router {
    let reads = Router::new()
        .route("/", get(ogc::landing))
        .route("/conformance", get(ogc::conformance))
        .route("/api", get(openapi::document))
        .route("/collections", get(ogc::collections))
        .route("/collections/{collection_id}", get(ogc::collection))
        .route("/collections/{collection_id}/items", get(items::items))
        .route(
            "/collections/{collection_id}/queryables",
            get(queryables::queryables),
        )
        .route(
            "/collections/{collection_id}/items/{feature_id}",
            get(items::item),
        )
        .route("/reallocations", get(reallocations::list))
        .route("/reallocations/{case_id}", get(reallocations::show))
        .route("/parcels/{parcel_id}/history", get(parcels::parcel_history))
        .route("/targets", get(projects::targets))
        .route("/analysis/nearest-schools", get(analysis::nearest_schools))
        .route("/analysis/coverage-gaps", get(analysis::coverage_gaps))
        .route("/analysis/overlaps", get(analysis::overlaps))
        .route("/analysis/within", get(analysis::within))
        .route("/enterprises", get(enterprises::list))
        .route("/enterprises/{enterprise_id}", get(enterprises::show))
        .route("/reports/land-reserve", get(reports::land_reserve))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::read_guard,
        ));
    let web_dir = state.settings.web_dir.clone();
    let router = Router::new()
        .merge(reads)
        .route("/imports", post(imports::create))
        .route("/reallocations", post(reallocations::open))
        .route(
            "/reallocations/{case_id}/transitions",
            post(reallocations::transition),
        )
        .route("/parcels/{parcel_id}/split", post(parcels::split))
        .route("/parcels/merge", post(parcels::merge))
        .route("/projects", post(projects::create_project))
        .route("/projects/{project_id}", patch(projects::update_project))
        .route("/schools", post(projects::create_school))
        .route("/schools/{project_id}", patch(projects::update_school))
        .route("/enterprises", post(enterprises::create))
        .route("/enterprises/{enterprise_id}", patch(enterprises::update));
    // Paths no route takes are the web client's files, when it is built.
    let router = match web_dir {
        Some(dir) => router.fallback_service(
            tower_http::services::ServeDir::new(dir)
                .call_fallback_on_method_not_allowed(true)
                .fallback(not_found.into_service()),
        ),
        None => router.fallback(not_found),
    };
    router
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
