//! API errors as `application/problem+json` (RFC 9457), with a detail a person can act
//! on. Server errors are logged with their cause and shown without internals.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::import::{FeatureError, ImportError};
use crate::store::StoreError;
use crate::workflow::WorkflowError;

/// Everything a handler can answer with instead of a result.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A parameter or body is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// No such collection or feature.
    #[error("{0}")]
    NotFound(String),
    /// No valid bearer token.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token without the needed role.
    #[error("{0}")]
    Forbidden(String),
    /// The body is bigger than the upload limit.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body is not a format the endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A name is taken, a version is stale, a transition is forbidden.
    #[error("{0}")]
    Conflict(String),
    /// The request breaks a rule of the programme.
    #[error("{0}")]
    Unprocessable(String),
    /// A write that needs `If-Match` came without it.
    #[error("{0}")]
    PreconditionRequired(String),
    /// Some features of an upload are invalid; nothing was stored.
    #[error("{detail}")]
    InvalidFeatures {
        /// Summary sentence.
        detail: String,
        /// Every invalid feature.
        errors: Vec<FeatureError>,
    },
    /// The method is not an operation of the path.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 429: too many refused tokens from one address.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503: the request ran past the request timeout.
    #[error("{0}")]
    Unavailable(String),
    /// 412: the write was based on a state that is no longer the current one; the body
    /// names who changed it last, and when.
    #[error("{}", .0.detail)]
    PreconditionFailed(Box<crate::workflow::features::Stale>),
    /// A failure on our side: what was being done, and the cause with its chain, which
    /// is logged with the request id and never shown.
    #[error("{context}")]
    Internal {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: Option<BoxError>,
    },
}

/// Any error, as the cause of an [`ApiError::Internal`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl ApiError {
    /// A failure on our side caused by `source`.
    pub fn internal(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// A failure on our side with no error value behind it (a broken invariant).
    pub fn invariant(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }
}

/// `e` and every cause under it, joined by ": ".
pub fn cause_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        // Many errors repeat their source in their own text; say each cause once.
        let text = cause.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

impl ApiError {
    /// The HTTP status of each kind.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Unprocessable(_) | Self::InvalidFeatures { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let request_id = super::REQUEST_ID
            .try_with(Clone::clone)
            .unwrap_or_else(|_| "-".to_string());
        let detail = match &self {
            Self::Internal { .. } => {
                tracing::error!(request_id = %request_id, cause = %cause_chain(&self), "request failed");
                format!("the server failed to answer; its log names the cause under request id {request_id}")
            }
            other => other.to_string(),
        };
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": detail,
            "request_id": request_id,
        });
        if let Self::InvalidFeatures { errors, .. } = &self {
            body["errors"] = json!(errors);
        }
        if let Self::PreconditionFailed(stale) = &self {
            body["etag"] = json!(stale.etag);
            body["changed_by"] = json!(stale.changed_by);
            body["changed_at"] = json!(stale.changed_at);
        }
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"landreuse\""),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => Self::Conflict(m),
            other => Self::internal("the store failed", other),
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::NotFound(m) => Self::NotFound(m),
            WorkflowError::BadRequest(m) => Self::BadRequest(m),
            WorkflowError::Conflict(m) => Self::Conflict(m),
            WorkflowError::Invalid(m) => Self::Unprocessable(m),
            WorkflowError::Stale(s) => Self::PreconditionFailed(s),
            WorkflowError::PreconditionRequired(m) => Self::PreconditionRequired(m),
            WorkflowError::Store(s) => s.into(),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        match e {
            ImportError::Invalid { ref errors, .. } => Self::InvalidFeatures {
                detail: e.to_string(),
                errors: errors.clone(),
            },
            ImportError::Store(s) => s.into(),
            ImportError::Grading(w) => match *w {
                WorkflowError::Store(s) => Self::internal(
                    "the firms' grades could not follow the import, so nothing was imported",
                    s,
                ),
                other => other.into(),
            },
            other => Self::BadRequest(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("the disk is full")]
    struct DiskFull;

    #[derive(Debug, thiserror::Error)]
    #[error("writing parcel P-1 failed")]
    struct WriteFailed(#[source] DiskFull);

    #[test]
    fn a_server_error_keeps_its_whole_cause_chain() {
        let e = ApiError::internal("the import could not be stored", WriteFailed(DiskFull));
        assert_eq!(
            cause_chain(&e),
            "the import could not be stored: writing parcel P-1 failed: the disk is full"
        );
    }

    #[tokio::test]
    async fn a_server_error_shows_the_request_id_and_not_the_cause() {
        let response = crate::api::REQUEST_ID
            .scope("abc-7".to_string(), async {
                ApiError::internal("the store failed", WriteFailed(DiskFull)).into_response()
            })
            .await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        assert_eq!(body["request_id"], "abc-7");
        let detail = body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("abc-7"), "{detail}");
        assert!(
            !detail.contains("disk"),
            "the cause stays in the log: {detail}"
        );
    }
}
