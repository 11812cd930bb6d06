//! Bearer-token checks for the API: writes need a role; reads may be open.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};
use crate::auth::{hash_secret, Role};
use crate::store::TokenRecord;

/// The holder of the request's bearer token, who must have `needed`.
pub async fn require(
    state: &AppState,
    headers: &HeaderMap,
    needed: Role,
) -> Result<TokenRecord, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized(format!(
                "this needs a bearer token with the {needed} role (Authorization: Bearer …); create one with `landreuse token create --role {needed} --name NAME`"
            ))
        })?;
    let secret = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the Authorization header is not of the form `Bearer TOKEN`".into(),
            )
        })?;
    let token = state
        .store
        .find_token(&hash_secret(secret.trim()))
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the bearer token is not one this service issued; create one with `landreuse token create`".into(),
            )
        })?;
    if let Some(at) = &token.revoked_at {
        return Err(ApiError::Unauthorized(format!(
            "the bearer token of {:?} was revoked at {at}; ask an administrator for a new one",
            token.name
        )));
    }
    if let Some(at) = token.expires_at.as_deref().filter(|at| expired(at)) {
        return Err(ApiError::Unauthorized(format!(
            "the bearer token of {:?} expired at {at}; ask an administrator for a new one",
            token.name
        )));
    }
    let holder = token.holder();
    if !holder.role.permits(needed) {
        return Err(ApiError::Forbidden(format!(
            "token {:?} has the {} role; this needs the {needed} role",
            holder.name, holder.role
        )));
    }
    Ok(holder)
}

/// Whether an expiry time (RFC 3339 UTC, as stored) has passed. An unreadable one
/// counts as passed: a token is never accepted longer than it was meant to be.
fn expired(at: &str) -> bool {
    time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_or(true, |t| t <= time::OffsetDateTime::now_utc())
}

/// Lets reads through when reading is open, else asks for any valid token. Writes pass
/// on to their handlers, which ask for the role they need.
pub async fn read_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let is_read = matches!(*request.method(), Method::GET | Method::HEAD);
    if is_read && !state.settings.read_open {
        require(&state, request.headers(), Role::Viewer).await?;
    }
    Ok(next.run(request).await)
}

/// Failed authentications per client address in the current minute, so that guessing
/// tokens is slow: past the setting, requests with a token from that address are
/// answered 429 until the minute is over.
#[derive(Debug, Default)]
pub struct AuthFailures {
    by_address:
        std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, (std::time::Instant, u32)>>,
}

const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

impl AuthFailures {
    /// The seconds left of `ip`'s window, when it has used up `limit` failures in it.
    fn blocked(&self, ip: std::net::IpAddr, limit: u32) -> Option<u64> {
        let map = self
            .by_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (since, n) = map.get(&ip)?;
        let left = WINDOW.checked_sub(since.elapsed())?;
        (*n >= limit).then(|| left.as_secs().max(1))
    }

    fn record(&self, ip: std::net::IpAddr) {
        let mut map = self
            .by_address
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget addresses whose minute is over, so the map stays small.
        map.retain(|_, (since, _)| since.elapsed() < WINDOW);
        let entry = map.entry(ip).or_insert((std::time::Instant::now(), 0));
        entry.1 += 1;
    }
}

/// Counts the 401s of requests that carried a token, per client address, and answers
/// 429 to an address over `ApiSettings::auth_failures_per_minute` (0: no limit).
pub async fn limit_failed_authentication(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let limit = state.settings.auth_failures_per_minute;
    let ip = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let with_token = request
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION);
    let (Some(ip), true, true) = (ip, with_token, limit > 0) else {
        return next.run(request).await;
    };
    if let Some(wait) = state.auth_failures.blocked(ip, limit) {
        let mut r = ApiError::TooManyRequests(format!(
            "{limit} requests from {ip} in the last minute had a token that was refused; wait {wait} s before trying again"
        ))
        .into_response();
        if let Ok(v) = axum::http::HeaderValue::from_str(&wait.to_string()) {
            r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        return r;
    }
    let response = next.run(request).await;
    if response.status() == axum::http::StatusCode::UNAUTHORIZED {
        state.auth_failures.record(ip);
    }
    response
}
