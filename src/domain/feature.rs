//! Features as they travel from import to store and from store to index.

use geo::{BoundingRect, Geometry, Rect};
use serde_json::{Map, Value};

use super::landuse;
use super::units::{round_to, AreaMeasure};

/// Geodesic measures of a feature, on the CGCS2000/WGS84 ellipsoid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measures {
    /// Area in m² (polygons).
    pub area_m2: Option<f64>,
    /// Perimeter in metres (polygons).
    pub perimeter_m: Option<f64>,
    /// Length in metres (lines).
    pub length_m: Option<f64>,
}

impl Measures {
    /// Writes the measures as served properties (`area_m2`, `area_ha`, `area_mu`,
    /// `perimeter_m`, `length_m`), rounded to what a survey can support.
    pub fn write_properties(&self, props: &mut Map<String, Value>) {
        if let Some(m2) = self.area_m2 {
            let a = AreaMeasure::from_m2(m2);
            props.insert("area_m2".into(), Value::from(round_to(a.m2, 2)));
            props.insert("area_ha".into(), Value::from(round_to(a.ha, 4)));
            props.insert("area_mu".into(), Value::from(round_to(a.mu, 3)));
        }
        if let Some(p) = self.perimeter_m {
            props.insert("perimeter_m".into(), Value::from(round_to(p, 2)));
        }
        if let Some(l) = self.length_m {
            props.insert("length_m".into(), Value::from(round_to(l, 2)));
            props.insert("length_km".into(), Value::from(round_to(l / 1000.0, 5)));
        }
    }
}

/// The served property that says when a feature was last written (RFC 3339, UTC). The
/// store serves it; an event's state leaves it out (the event has its own time).
pub const UPDATED_AT: &str = "updated_at";

/// The properties a feature is served with: every typed property (null when unknown,
/// so clients such as GDAL that read the schema from the first page see every field),
/// then the geodesic measures, then the free attributes (never overriding the others).
pub fn served_properties(
    typed: impl IntoIterator<Item = (String, Value)>,
    measures: &Measures,
    attributes: impl IntoIterator<Item = (String, Value)>,
) -> Map<String, Value> {
    let mut props: Map<String, Value> = typed.into_iter().collect();
    write_land_use(&mut props);
    measures.write_properties(&mut props);
    for (k, v) in attributes {
        props.entry(k).or_insert(v);
    }
    props
}

/// Writes what a land-use code means next to it: its names and its equivalents in the
/// other classification systems (see [`landuse`]).
fn write_land_use(props: &mut Map<String, Value>) {
    let Some(class) = props
        .get("land_use")
        .and_then(Value::as_str)
        .and_then(landuse::lookup)
    else {
        return;
    };
    let code = class.code;
    let entries = [
        ("land_use_name", Some(class.name_zh)),
        ("land_use_name_en", Some(class.name_en)),
        ("land_use_gb50137", landuse::to_gb50137(code)),
        ("land_use_gbt21010", landuse::to_gbt21010(code)),
        ("land_use_tk2020", landuse::to_tk2020(code)),
    ];
    for (k, v) in entries {
        props.insert(k.into(), v.map_or(Value::Null, Value::from));
    }
}

/// A stored feature as the API serves it: GeoJSON text in CRS84 with its members in the
/// served order, and the byte range of the `geometry` member's value (so output in another
/// CRS replaces only it). The geometry is served with its collection's one type.
pub fn geojson_text(
    code: &str,
    geometry: &Geometry<f64>,
    properties: &Map<String, Value>,
) -> (String, (u32, u32)) {
    // Written straight to text, without building a JSON value tree first: this runs for
    // every feature at start-up.
    let mut json = String::with_capacity(256);
    json.push_str(r#"{"type":"Feature","id":"#);
    json.push_str(&Value::from(code).to_string());
    json.push_str(r#","geometry":"#);
    let start = json.len();
    json.push_str(
        &serde_json::to_string(&geojson::Geometry::from(geometry))
            .unwrap_or_else(|_| "null".into()),
    );
    let span = (start as u32, json.len() as u32);
    json.push_str(r#","properties":"#);
    json.push_str(&serde_json::to_string(properties).unwrap_or_else(|_| "{}".into()));
    json.push('}');
    (json, span)
}

/// The strong entity tag of a feature's state (OGC API – Features Part 4, optimistic
/// locking): a hash of its served GeoJSON text in CRS84, quoted. Every replica computes
/// the same tag for the same state, and every write changes it (the text holds the
/// feature's `updated_at`).
pub fn entity_tag(served: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(served.as_bytes());
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// The served text of a record, as the index holds it.
pub fn served_text(record: &FeatureRecord) -> String {
    let geometry = super::layer::as_multi(record.geometry.clone());
    geojson_text(&record.code, &geometry, &record.properties).0
}

/// The event of a feature retired by a `DELETE` (its state before stays in the log).
pub const RETIRED: &str = "feature.retired";

/// Whether an event's action removes its feature from the store (a split or merge of
/// parcels, a retirement); the feature's last state is the one before it.
pub fn removes_feature(action: &str) -> bool {
    matches!(action, "parcel.split" | "parcel.merged" | RETIRED)
}

/// A feature that passed import validation, in CRS84, ready to be stored.
#[derive(Debug, Clone)]
pub struct ValidFeature {
    /// Position in the source (0-based), for messages.
    pub index: usize,
    /// External id (parcel code …); generated by the store when absent.
    pub code: Option<String>,
    /// Values of the collection's typed properties (absent ones are null).
    pub typed: Map<String, Value>,
    /// Every other property of the source, kept as it came.
    pub attributes: Map<String, Value>,
    /// Geometry in CRS84 (lon/lat).
    pub geometry: Geometry<f64>,
    /// Geodesic measures of the geometry.
    pub measures: Measures,
}

impl ValidFeature {
    /// The properties this feature will be served with once stored.
    pub fn served_properties(&self) -> Map<String, Value> {
        served_properties(self.typed.clone(), &self.measures, self.attributes.clone())
    }
}

/// A stored feature, as the index holds it and the API serves it.
#[derive(Debug, Clone)]
pub struct FeatureRecord {
    /// Row id in the store; also the serving order.
    pub id: i64,
    /// Feature id in the API (parcel code, zone code, road code).
    pub code: String,
    /// Served properties: typed, measures and attributes.
    pub properties: Map<String, Value>,
    /// Geometry in CRS84.
    pub geometry: Geometry<f64>,
}

impl FeatureRecord {
    /// The lon/lat bounding box, if the geometry is not empty.
    pub fn bounds(&self) -> Option<Rect<f64>> {
        self.geometry.bounding_rect()
    }
}
