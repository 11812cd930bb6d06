//! Feature and event rows: the SQL that reads and writes them and their decoding.

use super::{Dialect, Kind, Val};
use crate::domain::feature::Measures;
use crate::domain::{Collection, FeatureRecord, PropertyKind, ValidFeature};
use serde_json::{Map, Value};

use crate::domain::feature::{served_properties, UPDATED_AT};
use crate::store::codec;
use crate::store::{Event, StoreError};

/// The table of a collection (its id; from a closed enum, never from input).
pub fn table(c: Collection) -> &'static str {
    c.id()
}

/// The column list that [`decode_feature`] reads.
pub fn feature_columns(c: Collection, d: Dialect) -> String {
    let typed: Vec<&str> = c.properties().iter().map(|p| p.name).collect();
    format!(
        "id, code, {}, area_m2, perimeter_m, length_m, {} AS attributes, {} AS geometry, updated_at",
        typed.join(", "),
        d.json_out("attributes"),
        d.geometry_out()
    )
}

/// Column kinds matching [`feature_columns`].
pub fn feature_kinds(c: Collection) -> Vec<Kind> {
    let mut kinds = vec![Kind::Int, Kind::Text];
    kinds.extend(c.properties().iter().map(|p| match p.kind {
        PropertyKind::Text => Kind::Text,
        PropertyKind::Real => Kind::Real,
        PropertyKind::Integer => Kind::Int,
    }));
    kinds.extend([
        Kind::Real,
        Kind::Real,
        Kind::Real,
        Kind::Text,
        Kind::Text,
        Kind::Text,
    ]);
    kinds
}

/// Decodes a row read with [`feature_columns`].
pub fn decode_feature(c: Collection, row: Vec<Val>) -> Result<FeatureRecord, StoreError> {
    let mut it = row.into_iter();
    let mut next = || it.next().unwrap_or(Val::Text(None));
    let id = next().as_i64().unwrap_or_default();
    let code = next().into_text().unwrap_or_default();
    let typed: Vec<(String, Value)> = c
        .properties()
        .iter()
        .map(|p| {
            let v = match next() {
                Val::Text(Some(t)) => Value::String(t),
                Val::Real(Some(r)) => Value::from(r),
                Val::Int(Some(i)) => Value::from(i),
                Val::Bool(Some(b)) => Value::from(b),
                _ => Value::Null,
            };
            (p.name.to_string(), v)
        })
        .collect();
    let measures = Measures {
        area_m2: next().as_f64(),
        perimeter_m: next().as_f64(),
        length_m: next().as_f64(),
    };
    let attributes = next().into_text().unwrap_or_else(|| "{}".into());
    let attributes: Map<String, Value> =
        serde_json::from_str(&attributes).map_err(|e| StoreError::Corrupt {
            what: format!("attributes of feature {code}"),
            detail: e.to_string(),
        })?;
    let geometry = next().into_text().unwrap_or_default();
    let mut properties = served_properties(typed, &measures, attributes);
    // When the row was last written: served and queryable, never part of an event's
    // state (the event has its own time).
    if let Some(t) = next().into_text() {
        properties.insert(UPDATED_AT.into(), Value::String(t));
    }
    Ok(FeatureRecord {
        id,
        properties,
        geometry: codec::geometry_from_text(&geometry, &code)?,
        code,
    })
}

/// The columns written for a feature, in binding order.
pub fn write_columns(c: Collection) -> Vec<&'static str> {
    let mut cols = vec!["code"];
    cols.extend(c.properties().iter().filter(|p| p.imported).map(|p| p.name));
    cols.extend([
        "area_m2",
        "perimeter_m",
        "length_m",
        "attributes",
        "geometry",
        "import_id",
        "updated_at",
    ]);
    if c == Collection::Parcels {
        cols.push("enterprise_id");
    }
    cols
}

/// The value expression of each written column (geometry and JSON need conversion).
pub fn write_expressions(c: Collection, d: Dialect) -> Vec<&'static str> {
    write_columns(c)
        .into_iter()
        .map(|col| match col {
            "geometry" => d.geometry_in(),
            "attributes" => d.json_in(),
            _ => "?",
        })
        .collect()
}

/// What is written for one feature besides the feature itself.
pub struct RowContext<'a> {
    /// Feature code.
    pub code: &'a str,
    /// The geometry as GeoJSON text, rendered once for the row and its event.
    pub geometry_text: &'a str,
    /// The import writing it.
    pub import_id: i64,
    /// The write time.
    pub now: &'a str,
    /// Owner enterprise (parcels).
    pub enterprise_id: Option<i64>,
}

/// The value of a typed property as its column stores it.
fn typed_value(kind: PropertyKind, v: Option<&Value>) -> Val {
    match kind {
        PropertyKind::Text => Val::Text(v.and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        })),
        PropertyKind::Real => Val::Real(v.and_then(Value::as_f64)),
        PropertyKind::Integer => Val::Int(v.and_then(Value::as_i64)),
    }
}

/// The values written for a feature, matching [`write_columns`].
pub fn write_values(c: Collection, f: &ValidFeature, row: &RowContext<'_>) -> Vec<Val> {
    let mut vals = vec![Val::text(row.code)];
    vals.extend(
        c.properties()
            .iter()
            .filter(|p| p.imported)
            .map(|p| typed_value(p.kind, f.typed.get(p.name))),
    );
    vals.extend([
        Val::Real(f.measures.area_m2),
        Val::Real(f.measures.perimeter_m),
        Val::Real(f.measures.length_m),
        Val::text(Value::Object(f.attributes.clone()).to_string()),
        Val::text(row.geometry_text),
        Val::Int(Some(row.import_id)),
        Val::text(row.now),
    ]);
    if c == Collection::Parcels {
        vals.push(Val::Int(row.enterprise_id));
    }
    vals
}

/// Columns of an event row as [`decode_event`] reads them.
pub const EVENT_COLUMNS: &str =
    "id, occurred_at, actor, action, collection, feature_code, import_id, reason";

/// Kinds of [`EVENT_COLUMNS`].
pub const EVENT_KINDS: [Kind; 8] = [
    Kind::Int,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Text,
    Kind::Int,
    Kind::Text,
];

/// Decodes a row read with [`EVENT_COLUMNS`].
pub fn decode_event(row: Vec<Val>) -> Event {
    let mut it = row.into_iter();
    let mut next = || it.next().unwrap_or(Val::Text(None));
    Event {
        id: next().as_i64().unwrap_or_default(),
        occurred_at: next().into_text().unwrap_or_default(),
        actor: next().into_text().unwrap_or_default(),
        action: next().into_text().unwrap_or_default(),
        collection: next().into_text(),
        feature_code: next().into_text(),
        import_id: next().as_i64(),
        reason: next().into_text(),
        changes: None,
        details: None,
    }
}

/// What changed between two recorded feature states (`{"properties": …, "geometry": …}`).
pub fn state_changes(before: Option<&Value>, after: &Value) -> Map<String, Value> {
    let empty = Map::new();
    let props = |v: Option<&Value>| {
        v.and_then(|v| v.get("properties"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (b, a) = (props(before), props(Some(after)));
    let mut out = Map::new();
    for key in b.keys().chain(a.keys()) {
        let (x, y) = (
            b.get(key).cloned().unwrap_or(Value::Null),
            a.get(key).cloned().unwrap_or(Value::Null),
        );
        if x != y && !out.contains_key(key) {
            out.insert(key.clone(), serde_json::json!({"before": x, "after": y}));
        }
    }
    if before.and_then(|v| v.get("geometry")) != after.get("geometry") && before.is_some() {
        out.insert("geometry".into(), Value::from("changed"));
    }
    out
}

/// `(?, ?, …)` with `n` placeholders, or with the given expressions.
pub fn tuple(exprs: &[&str]) -> String {
    format!("({})", exprs.join(", "))
}
