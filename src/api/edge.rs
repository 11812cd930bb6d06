//! The layers every response passes: a request id (`x-request-id`, given back to the
//! client and in every log line of the request), the trace log (method, path, status,
//! time), the Content-Security-Policy of HTML, and problem+json for the errors the
//! router answers itself (405).

use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::CorsLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeader;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::ApiError;

tokio::task_local! {
    /// The id of the request being answered (for error bodies).
    pub static REQUEST_ID: String;
}

/// The request id header.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The policy of the service's own pages (OGC `f=html`, the report): styles and inline
/// SVG, nothing else — no scripts, no frames, no outside resources.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

/// The policy of the web map: its own scripts and the API, nothing from elsewhere.
pub const WEB_MAP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// Request ids: a per-process random prefix and a counter, short enough to quote.
#[derive(Clone)]
struct RequestIds {
    prefix: u32,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

fn request_id_of<B>(r: &axum::http::Request<B>) -> String {
    r.headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string()
}

/// Runs the request with its id in [`REQUEST_ID`], so error bodies can name it.
async fn scope_request_id(request: Request, next: Next) -> Response {
    let id = request_id_of(&request);
    REQUEST_ID.scope(id, next.run(request)).await
}

/// The CSP of HTML responses that have none of their own, and `nosniff` on everything.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_html && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Refuses an address holding a NUL character (`%00`): no store keeps one in text, and
/// no id or parameter of the API has one.
async fn refuse_nul_in_address(request: Request, next: Next) -> Response {
    let raw = request.uri().path_and_query().map_or("", |p| p.as_str());
    if raw.to_ascii_lowercase().contains("%00") {
        let part = if request.uri().path().to_ascii_lowercase().contains("%00") {
            "path"
        } else {
            "query"
        };
        return ApiError::BadRequest(format!(
            "the {part} of the address holds a NUL character (%00); remove it"
        ))
        .into_response();
    }
    next.run(request).await
}

/// A 405 from the router (empty body) as problem+json, keeping its `Allow`.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        // The whole-request timeout stopped the handler.
        return ApiError::Unavailable(format!(
            "{method} {path} took longer than the server's request timeout (--request-timeout) and was stopped; a write it made either committed whole or not at all, so read the resource before sending it again"
        ))
        .into_response();
    }
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let allowed = allow
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut problem = ApiError::MethodNotAllowed(format!(
        "{method} is not an operation of {path}; it allows {allowed}"
    ))
    .into_response();
    if let Some(allow) = allow {
        problem.headers_mut().insert(header::ALLOW, allow);
    }
    problem
}

/// The web client's files, with the web map's policy.
pub fn web_client_files<S>(files: S) -> SetResponseHeader<S, HeaderValue> {
    SetResponseHeader::if_not_present(
        files,
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(WEB_MAP_CSP),
    )
}

/// Wraps the application in the edge layers (outermost last).
pub fn layers(app: Router) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|r: &axum::http::Request<Body>| {
            // The query too: which filters and boxes clients push to the server is what an
            // operator reads the log for.
            tracing::info_span!("request", id = %request_id_of(r), method = %r.method(), path = %r.uri().path(), query = %r.uri().query().unwrap_or(""))
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    let inner = app
        .layer(axum::middleware::from_fn(problem_for_bare_errors))
        .layer(axum::middleware::from_fn(refuse_nul_in_address))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(scope_request_id));
    // CORS answers every OPTIONS itself; an OPTIONS that is no CORS preflight (no
    // Access-Control-Request-Method: QGIS asking which methods a collection allows,
    // Part 4) goes to the routes instead.
    let with_cors = inner.clone().layer(CorsLayer::permissive().expose_headers([
        X_REQUEST_ID,
        header::ETAG,
        header::LAST_MODIFIED,
        header::LOCATION,
        header::ALLOW,
        HeaderName::from_static("content-crs"),
        HeaderName::from_static("accept-patch"),
        HeaderName::from_static("accept-post"),
        HeaderName::from_static("preference-applied"),
    ]));
    let steer = tower::service_fn(move |request: Request| {
        let (plain, with_cors) = (inner.clone(), with_cors.clone());
        async move {
            let options = request.method() == axum::http::Method::OPTIONS;
            let preflight = options
                && request
                    .headers()
                    .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
            if options && !preflight {
                tower::ServiceExt::oneshot(plain, request).await
            } else {
                tower::ServiceExt::oneshot(with_cors, request).await
            }
        }
    });
    Router::new()
        .fallback_service(steer)
        .layer(trace)
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(SetRequestIdLayer::new(
            X_REQUEST_ID,
            RequestIds {
                prefix: rand::random(),
            },
        ))
}
