//! Mapping source fields onto a collection's properties.
//!
//! Sources name their fields differently. Resolution order for each property:
//! 1. an explicit `--map land_use=GB_Code` (target=source);
//! 2. the property's own name (`land_use`);
//! 3. the usual names of Chinese cadastral and survey data (ZDDM 宗地代码, DLBM 地类编码,
//!    QLRMC 权利人名称 …), case-insensitively.
//!
//! Everything not consumed is kept as a free attribute under its source name.

use serde_json::{Map, Value};

use crate::domain::{landuse, Collection, ParcelStatus, PropertyKind};

/// The pseudo-property that carries the feature's external id.
pub const CODE: &str = "code";

/// Well-known source field names per target property (upper case).
fn aliases(c: Collection, target: &str) -> &'static [&'static str] {
    match (c, target) {
        (Collection::Parcels, CODE) => &["PARCEL_ID", "ZDDM", "DKBH", "PARCEL_CODE", "CODE"],
        (Collection::Parcels, "land_use") => &["DLBM", "YDDM", "YDXZDM", "LAND_USE_CODE"],
        (Collection::Parcels, "owner") => &["QLRMC", "QLR", "QSDWMC", "OWNER_NAME"],
        (Collection::Parcels, "subdistrict") => &["JDDM", "SUBDISTRICT_CODE"],
        (Collection::Parcels, "status") => &["ZT", "TDZT"],
        (Collection::Parcels, "output_value_wan") => &["CZ_WY"],
        (Collection::Parcels, "tax_wan") => &["SS_WY"],
        (Collection::Schools | Collection::Projects, CODE) => &["PROJECT_ID", "XMBH", "CODE"],
        (Collection::Schools | Collection::Projects, "name") => &["XMMC", "NAME", "MC"],
        (_, CODE) => &["CODE", "DM", "BSM_CODE"],
        (_, "name") => &["MC", "NAME", "DLMC", "JDMC"],
        _ => &[],
    }
}

/// Source fields that hold measures landreuse computes itself; a declared area is
/// kept for comparison under `declared_area_m2`.
const COMPUTED: &[&str] = &["area_m2", "area_ha", "area_mu", "perimeter_m", "length_m"];
const DECLARED_AREA: &[&str] = &["ZDMJ", "DECLARED_AREA_M2"];

/// Explicit renames given with `--map target=source,…`.
#[derive(Debug, Clone, Default)]
pub struct FieldMap(Vec<(String, String)>);

impl FieldMap {
    /// Parses `land_use=GB_Code,owner=QLRMC` for a collection, refusing targets the
    /// collection does not have.
    pub fn parse(spec: &str, c: Collection) -> Result<Self, String> {
        let mut pairs = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((target, source)) = part.split_once('=') else {
                return Err(format!(
                    "field map entry {part:?} is not of the form target=source (for example land_use=GB_Code)"
                ));
            };
            let (target, source) = (target.trim(), source.trim());
            if target != CODE && c.property(target).is_none() {
                let known: Vec<&str> = std::iter::once(CODE)
                    .chain(c.properties().iter().map(|p| p.name))
                    .collect();
                return Err(format!(
                    "field map target {target:?} is not a {c} property; the targets are {}",
                    known.join(", ")
                ));
            }
            pairs.push((target.to_string(), source.to_string()));
        }
        Ok(Self(pairs))
    }

    fn source_for(&self, target: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(t, _)| t == target)
            .map(|(_, s)| s.as_str())
    }
}

/// A feature's properties split into the external code, typed values and attributes.
#[derive(Debug, Default)]
pub struct MappedProperties {
    /// External id found among the properties.
    pub code: Option<String>,
    /// Typed properties, in the collection's order (missing ones are null).
    pub typed: Map<String, Value>,
    /// Everything else.
    pub attributes: Map<String, Value>,
}

fn take_field(
    props: &mut Map<String, Value>,
    c: Collection,
    map: &FieldMap,
    target: &str,
) -> Option<Value> {
    if let Some(source) = map.source_for(target) {
        return props.remove(source);
    }
    if let Some(v) = props.remove(target) {
        return Some(v);
    }
    let key = props
        .keys()
        .find(|k| aliases(c, target).contains(&k.to_ascii_uppercase().as_str()))
        .cloned()?;
    props.remove(&key)
}

/// Splits and coerces the properties of one feature. Errors name the property.
pub fn map_properties(
    c: Collection,
    mut props: Map<String, Value>,
    map: &FieldMap,
) -> Result<MappedProperties, String> {
    if let Some(at) = crate::domain::text::nul_in(&props) {
        return Err(format!(
            "has a NUL character (\\u0000) in its properties at {at}; no store keeps it, remove it"
        ));
    }
    if let Some((name, bytes)) = props
        .iter()
        .map(|(k, v)| (k, value_bytes(v)))
        .find(|(_, n)| *n > MAX_PROPERTY_BYTES)
    {
        return Err(format!(
            "has property {name} of {bytes} bytes; a property holds at most {MAX_PROPERTY_BYTES} bytes (64 KiB), so nothing was written: keep documents elsewhere and store their reference"
        ));
    }
    let mut out = MappedProperties {
        code: take_field(&mut props, c, map, CODE).and_then(|v| text_value(&v)),
        ..MappedProperties::default()
    };
    for p in c.properties().iter().filter(|p| p.imported) {
        let raw = take_field(&mut props, c, map, p.name).unwrap_or(Value::Null);
        let v = match p.kind {
            PropertyKind::Text => text_value(&raw).map_or(Value::Null, Value::String),
            PropertyKind::Real => real_value(&raw)
                .map_err(|got| format!("has property {} = {got}, expected a number", p.name))?
                .map_or(Value::Null, Value::from),
            PropertyKind::Integer => match real_value(&raw).map_err(|got| {
                format!("has property {} = {got}, expected a whole number", p.name)
            })? {
                Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Value::from(x as i64),
                Some(x) => {
                    return Err(format!(
                        "has property {} = {x}, expected a whole number",
                        p.name
                    ))
                }
                None => Value::Null,
            },
        };
        check_range(c, p.name, &v)?;
        let v = check_allowed(c, p.name, v)?;
        out.typed.insert(p.name.to_string(), v);
    }
    for key in COMPUTED {
        props.remove(*key);
    }
    if let Some(key) = props
        .keys()
        .find(|k| DECLARED_AREA.contains(&k.to_ascii_uppercase().as_str()))
        .cloned()
    {
        if let Some(v) = props.remove(&key) {
            out.attributes.insert("declared_area_m2".into(), v);
        }
    }
    out.attributes.extend(props);
    Ok(out)
}

/// The most bytes one property's value may take (a string's UTF-8, or an object's or
/// list's JSON text).
pub const MAX_PROPERTY_BYTES: usize = 64 * 1024;

/// The size of a value as it is stored.
fn value_bytes(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len(),
        Value::Array(_) | Value::Object(_) => serde_json::to_string(v).map_or(0, |t| t.len()),
        _ => 0,
    }
}

/// Text of a scalar; empty strings count as absent.
fn text_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number, or a string holding one (`"1,234.5"`); `Err` carries what was found.
fn real_value(v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => Ok(n.as_f64()),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => s
            .trim()
            .replace(',', "")
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| format!("{s:?}")),
        other => Err(other.to_string()),
    }
}

/// Counts and money of schools and projects are never negative; progress is 0–100.
fn check_range(c: Collection, name: &str, v: &Value) -> Result<(), String> {
    if !matches!(c, Collection::Schools | Collection::Projects) {
        return Ok(());
    }
    let Some(x) = v.as_f64() else { return Ok(()) };
    let (lo, hi) = if name == "percent_complete" {
        (0.0, 100.0)
    } else {
        (0.0, f64::INFINITY)
    };
    if x < lo || x > hi {
        let range = if hi.is_finite() {
            format!("from {lo} to {hi}")
        } else {
            "of 0 or more".to_string()
        };
        return Err(format!(
            "has property {name} = {x}, expected a number {range}"
        ));
    }
    Ok(())
}

fn check_allowed(c: Collection, name: &str, v: Value) -> Result<Value, String> {
    let Value::String(s) = &v else { return Ok(v) };
    if c == Collection::Parcels && name == "status" {
        return s
            .parse::<ParcelStatus>()
            .map(|st| Value::from(st.code()))
            .map_err(|e| format!("has property status: {e}"));
    }
    if c == Collection::Parcels && name == "land_use" {
        return landuse::canonical(s).map(Value::from).ok_or_else(|| {
            format!(
                "has property land_use: {}",
                landuse::unknown_code_message(s)
            )
        });
    }
    match c.allowed_values(name) {
        Some(allowed) if !allowed.contains(&s.as_str()) => Err(format!(
            "has property {name} = {s:?}; expected one of {}",
            allowed.join(", ")
        )),
        _ => Ok(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn cadastral_field_names_are_recognised_without_a_map() {
        let m = map_properties(
            Collection::Parcels,
            props(json!({"ZDDM": "220172001001GB00012", "DLBM": "0601", "QLRMC": "长春某某有限公司", "ZDMJ": 1234.5, "Shape_Leng": 10.0})),
            &FieldMap::default(),
        )
        .unwrap();
        assert_eq!(m.code.as_deref(), Some("220172001001GB00012"));
        assert_eq!(m.typed["land_use"], json!("0601"));
        assert_eq!(m.typed["owner"], json!("长春某某有限公司"));
        assert_eq!(m.attributes["declared_area_m2"], json!(1234.5));
        assert_eq!(m.attributes["Shape_Leng"], json!(10.0));
    }

    #[test]
    fn an_explicit_map_renames_source_fields() {
        let map = FieldMap::parse("land_use=GB_Code,owner=UNIT", Collection::Parcels).unwrap();
        let m = map_properties(
            Collection::Parcels,
            props(json!({"GB_Code": "M2", "UNIT": "某厂", "tax_wan": "1,200.5"})),
            &map,
        )
        .unwrap();
        assert_eq!(m.typed["land_use"], json!("M2"));
        assert_eq!(m.typed["owner"], json!("某厂"));
        assert_eq!(m.typed["tax_wan"], json!(1200.5));
    }

    #[test]
    fn bad_values_name_the_property() {
        let err = map_properties(
            Collection::Parcels,
            props(json!({"status": "closed"})),
            &FieldMap::default(),
        )
        .unwrap_err();
        assert!(err.contains("status"), "{err}");
        let err = map_properties(
            Collection::Parcels,
            props(json!({"tax_wan": "lots"})),
            &FieldMap::default(),
        )
        .unwrap_err();
        assert!(err.contains("tax_wan"), "{err}");
        let err = FieldMap::parse("landuse=X", Collection::Parcels).unwrap_err();
        assert!(err.contains("land_use"), "{err}");
    }
}
