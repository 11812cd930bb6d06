//! Feature and event rows: the SQL that reads and writes them and their decoding.

use super::{Dialect, Kind, Val};
use crate::domain::feature::Measures;
use crate::domain::{Collection, FeatureRecord, PropertyKind, ValidFeature};
use crate::store::codec::{self, Bound};
use crate::store::{Event, StoreError};

/// The table of a collection (its id; from a closed enum, never from input).
pub fn table(c: Collection) -> &'static str {
    c.id()
}

/// The column list that [`decode_feature`] reads.
pub fn feature_columns(c: Collection, d: Dialect) -> String {
    let typed: Vec<&str> = c.properties().iter().map(|p| p.name).collect();
    format!(
        "id, code, {}, area_m2, perimeter_m, length_m, {} AS attributes, {} AS geometry",
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
    }));
    kinds.extend([Kind::Real, Kind::Real, Kind::Real, Kind::Text, Kind::Text]);
    kinds
}

/// Decodes a row read with [`feature_columns`].
pub fn decode_feature(c: Collection, row: Vec<Val>) -> Result<FeatureRecord, StoreError> {
    let mut it = row.into_iter();
    let mut next = || it.next().unwrap_or(Val::Text(None));
    let id = next().as_i64().unwrap_or_default();
    let code = next().into_text().unwrap_or_default();
    let typed = c
        .properties()
        .iter()
        .map(|p| {
            let v = match next() {
                Val::Text(t) => Bound::Text(t),
                Val::Real(r) => Bound::Real(r),
                Val::Int(i) => Bound::Real(i.map(|i| i as f64)),
                Val::Bool(b) => Bound::Text(b.map(|b| b.to_string())),
            };
            (p.name, v)
        })
        .collect();
    let measures = Measures {
        area_m2: next().as_f64(),
        perimeter_m: next().as_f64(),
        length_m: next().as_f64(),
    };
    let attributes = next().into_text().unwrap_or_else(|| "{}".into());
    let geometry = next().into_text().unwrap_or_default();
    Ok(FeatureRecord {
        id,
        properties: codec::assemble_properties(typed, measures, &attributes, &code)?,
        geometry: codec::geometry_from_text(&geometry, &code)?,
        code,
    })
}

/// The columns written for a feature, in binding order.
pub fn write_columns(c: Collection, d: Dialect) -> Vec<&'static str> {
    let mut cols = vec!["code"];
    cols.extend(c.properties().iter().map(|p| p.name));
    cols.extend([
        "area_m2",
        "perimeter_m",
        "length_m",
        "attributes",
        "geometry",
    ]);
    if d.has_bbox_columns() {
        cols.extend(["min_lon", "min_lat", "max_lon", "max_lat"]);
    }
    cols.extend(["import_id", "updated_at"]);
    if c == Collection::Parcels {
        cols.push("enterprise_id");
    }
    cols
}

/// The value expression of each written column (geometry and JSON need conversion).
pub fn write_expressions(c: Collection, d: Dialect) -> Vec<&'static str> {
    write_columns(c, d)
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

/// The values written for a feature, matching [`write_columns`].
pub fn write_values(c: Collection, d: Dialect, f: &ValidFeature, row: &RowContext<'_>) -> Vec<Val> {
    let (code, import_id, now, enterprise_id) =
        (row.code, row.import_id, row.now, row.enterprise_id);
    let mut vals = vec![Val::text(code)];
    vals.extend(codec::typed_values(c, f).into_iter().map(|b| match b {
        Bound::Text(t) => Val::Text(t),
        Bound::Real(r) => Val::Real(r),
    }));
    vals.extend([
        Val::Real(f.measures.area_m2),
        Val::Real(f.measures.perimeter_m),
        Val::Real(f.measures.length_m),
        Val::text(serde_json::Value::Object(f.attributes.clone()).to_string()),
        Val::text(row.geometry_text),
    ]);
    if d.has_bbox_columns() {
        let (x0, y0, x1, y1) = codec::bounds(&f.geometry);
        vals.extend([x0, y0, x1, y1].map(|v| Val::Real(Some(v))));
    }
    vals.extend([Val::Int(Some(import_id)), Val::text(now)]);
    if c == Collection::Parcels {
        vals.push(Val::Int(enterprise_id));
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
    }
}

/// `(?, ?, …)` with `n` placeholders, or with the given expressions.
pub fn tuple(exprs: &[&str]) -> String {
    format!("({})", exprs.join(", "))
}
