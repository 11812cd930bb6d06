//! Bearer-token checks for the API: writes need a role; reads may be open.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

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
