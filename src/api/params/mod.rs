//! Query parameters, read by one strict extractor into a typed struct per operation.
//!
//! [`Params<T>`] refuses unknown and repeated parameters and values that do not parse
//! whole (see [`values`]); every refusal is a 400 naming the parameter, the value and
//! what was expected. The same struct's JSON Schema becomes the operation's parameters in
//! the OpenAPI document, so the document and the reader cannot drift apart.

mod items;
pub mod values;

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::ApiError;
pub(crate) use items::crs_schema;
pub use items::{crs_parameter, ItemsQuery, DEFAULT_LIMIT, MAX_LIMIT};
pub use values::Format;

/// What a query struct accepts, read once from its JSON Schema.
struct Accepted {
    /// The parameter names.
    names: Vec<String>,
    /// Whether it takes further names (a flattened map: the items queryables).
    open: bool,
}

/// The parameter names of `T`, from its schema (cached per type).
fn accepted<T: JsonSchema + 'static>() -> Arc<Accepted> {
    static CACHE: OnceLock<Mutex<HashMap<TypeId, Arc<Accepted>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    map.entry(TypeId::of::<T>())
        .or_insert_with(|| {
            let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
            let names = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default();
            let open = schema
                .get("additionalProperties")
                .is_some_and(|a| a != &Value::Bool(false));
            Arc::new(Accepted { names, open })
        })
        .clone()
}

/// The raw query string as ordered pairs.
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .map_err(|e| ApiError::BadRequest(format!("the query string cannot be read: {e}")))
}

/// The 400 for a parameter the resource does not take.
pub fn unknown_parameter(name: &str, accepted: &[String]) -> ApiError {
    let list = if accepted.is_empty() {
        "no parameters".to_string()
    } else {
        accepted.join(", ")
    };
    ApiError::BadRequest(format!(
        "unknown parameter {name:?}; this resource accepts {list}"
    ))
}

/// Reads a query string into `T`, strictly (see the module doc).
pub fn read<T: DeserializeOwned + JsonSchema + 'static>(raw: Option<&str>) -> Result<T, ApiError> {
    let pairs = pairs(raw)?;
    let accepted = accepted::<T>();
    for (i, (k, _)) in pairs.iter().enumerate() {
        // The same pair twice is harmless (QGIS repeats filter-lang when it joins two
        // filters); two different values are ambiguous.
        if pairs[..i]
            .iter()
            .any(|(seen, value)| seen == k && *value != pairs[i].1)
        {
            return Err(ApiError::BadRequest(format!(
                "parameter {k} is given more than once with different values; give it once (lists are comma-separated)"
            )));
        }
        if !accepted.open && !accepted.names.contains(k) {
            return Err(unknown_parameter(k, &accepted.names));
        }
    }
    let object = |pairs: &[(String, String)]| -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect::<Map<String, Value>>(),
        )
    };
    serde_path_to_error::deserialize(object(&pairs)).map_err(|e| {
        let inner = e.inner().to_string();
        // The path names the parameter, except inside a flattened struct: there the
        // parameter that fails alone is the one.
        let path = e.path().to_string();
        let culprit = pairs.iter().find(|(k, _)| *k == path).or_else(|| {
            pairs.iter().find(|pair| {
                serde_json::from_value::<T>(object(std::slice::from_ref(*pair)))
                    .is_err_and(|alone| alone.to_string() == inner)
            })
        });
        match culprit {
            Some((name, value)) => {
                ApiError::BadRequest(format!("parameter {name}={value} is refused: {inner}"))
            }
            None => ApiError::BadRequest(format!("the query is refused: {inner}")),
        }
    })
}

/// Query parameters read strictly into `T` (see [`read`]).
#[derive(Debug, Clone)]
pub struct Params<T>(pub T);

impl<T, S> FromRequestParts<S> for Params<T>
where
    T: DeserializeOwned + JsonSchema + Send + 'static,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        read::<T>(parts.uri.query()).map(Params)
    }
}

/// Only `f`: the query of the OGC resources that have no other parameters.
#[derive(Debug, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormatQuery {
    /// Output format: json, or html for people. Without it, browsers get HTML and
    /// everyone else JSON.
    pub f: Option<Format>,
}

/// No parameters at all.
#[derive(Debug, Default, serde::Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoQuery {}

/// The format asked for with `f`, else by the `Accept` header (browsers get HTML).
pub fn format(f: Option<Format>, headers: &HeaderMap) -> Format {
    if let Some(f) = f {
        return f;
    }
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let html = accept.contains("text/html");
    let json = accept.contains("json");
    if html && !json {
        Format::Html
    } else {
        Format::Json
    }
}

/// The query string with `offset` replaced, keeping every other parameter as given.
pub fn with_offset(pairs: &[(String, String)], offset: usize) -> String {
    let mut kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "offset")
        .cloned()
        .collect();
    kept.push(("offset".into(), offset.to_string()));
    serde_urlencoded::to_string(&kept).unwrap_or_default()
}

/// The query string with `f` replaced.
pub fn with_format(pairs: &[(String, String)], f: Format) -> String {
    let mut kept: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "f").cloned().collect();
    kept.push(("f".into(), f.code().into()));
    serde_urlencoded::to_string(&kept).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use values::{LonLat, Whole};

    #[derive(Debug, serde::Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        k: Option<Whole>,
        point: Option<LonLat>,
    }

    #[test]
    fn the_reader_names_the_parameter_the_value_and_what_was_expected() {
        let err = read::<Sample>(Some("k=3x")).unwrap_err().to_string();
        assert!(
            err.contains("k=3x") && err.contains("whole number"),
            "{err}"
        );
        let err = read::<Sample>(Some("point=125.4,abc,43.8"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("point=") && err.contains("lon,lat"), "{err}");
    }

    #[test]
    fn unknown_and_repeated_parameters_are_refused() {
        let err = read::<Sample>(Some("colour=red")).unwrap_err().to_string();
        assert!(err.contains("colour") && err.contains("k, point"), "{err}");
        let err = read::<Sample>(Some("k=1&k=2")).unwrap_err().to_string();
        assert!(err.contains("more than once"), "{err}");
        let ok = read::<Sample>(Some("k=2&point=125.4,43.8")).unwrap();
        assert_eq!(ok.k, Some(Whole(2)));
        assert_eq!(ok.point.map(|p| p.lat), Some(43.8));
    }

    #[test]
    fn next_offset_keeps_every_other_parameter() {
        let q = with_offset(
            &pairs(Some("status=idle&offset=10&limit=10&bbox=1,2,3,4")).unwrap(),
            20,
        );
        assert_eq!(q, "status=idle&limit=10&bbox=1%2C2%2C3%2C4&offset=20");
    }
}
