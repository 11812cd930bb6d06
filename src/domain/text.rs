//! Text that every store can keep: PostgreSQL refuses the NUL character in text, so a
//! NUL anywhere in what a client sends is refused at the edge, with where it is.

use serde_json::Value;

/// Where in `v` a string holds a NUL character, as a JSON pointer (`/parcels/3/code`;
/// `""` for `v` itself), or `None` when it holds none. Keys are checked too.
///
/// ```
/// use landreuse::domain::text::nul_at;
/// let v = serde_json::json!({"parcels": [{"code": "P-1"}, {"code": "P\u{0}2"}]});
/// assert_eq!(nul_at(&v).as_deref(), Some("/parcels/1/code"));
/// assert_eq!(nul_at(&serde_json::json!({"name": "经开区"})), None);
/// ```
pub fn nul_at(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => s.contains('\0').then(String::new),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_at(item).map(|rest| format!("/{i}{rest}"))),
        Value::Object(map) => nul_in(map),
        _ => None,
    }
}

/// [`nul_at`] over the members of an object.
pub fn nul_in(map: &serde_json::Map<String, Value>) -> Option<String> {
    map.iter().find_map(|(k, item)| {
        if k.contains('\0') {
            return Some(format!("/{}", k.replace('\0', "\\u0000")));
        }
        nul_at(item).map(|rest| format!("/{k}{rest}"))
    })
}
