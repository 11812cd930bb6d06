//! JSON request bodies, read strictly into their types. A NUL character anywhere is
//! refused with where it is (PostgreSQL keeps no NUL in text, SQLite would), so both
//! backends answer the same.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ApiError;
use crate::domain::text::nul_at;

/// The body as JSON, refusing a NUL character; `what` names it in errors ("case").
pub fn json_value(bytes: &[u8], what: &str) -> Result<Value, ApiError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the {what} is not JSON: {e}")))?;
    if let Some(at) = nul_at(&v) {
        let at = if at.is_empty() { "/".to_string() } else { at };
        return Err(ApiError::BadRequest(format!(
            "the {what} has a NUL character (\\u0000) at {at}; remove it"
        )));
    }
    Ok(v)
}

/// The body read into `T`; `what` names it in errors.
pub fn json<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_value(json_value(bytes, what)?)
        .map_err(|e| ApiError::BadRequest(format!("the {what} cannot be read: {e}")))
}
