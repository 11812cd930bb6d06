//! The queryables of each collection: every property a filter can name, with the type a
//! filter compares it as (OGC API – Features Part 3, CQL2).
//!
//! They are the typed properties of the collection and the geodesic measures the store
//! computes for each feature; free attributes of an import are served but not queryable.

use std::borrow::Cow;

use super::collection::{Collection, GeometryKind, PropertyKind, TextForm};
use super::layer::{GeometryType, Layer};

/// The type a filter compares a queryable as (the CQL2 data types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueryableType {
    /// Text: compared in code-point order; LIKE, CASEI and ACCENTI apply.
    String,
    /// A real number.
    Number,
    /// A whole number.
    Integer,
    /// true or false.
    Boolean,
    /// A calendar date.
    Date,
    /// An instant.
    Timestamp,
    /// A list of codes (the array functions apply).
    StringArray,
}

/// One property a filter can name.
#[derive(Debug, Clone)]
pub struct Queryable {
    /// Property name.
    pub name: Cow<'static, str>,
    /// What a filter compares it as.
    pub kind: QueryableType,
    /// Human description for the queryables document.
    pub description: Cow<'static, str>,
}

impl Queryable {
    /// A queryable of a data source other than the zone's collections (an imported test
    /// data set, say).
    pub fn new(name: impl Into<String>, kind: QueryableType) -> Self {
        Self {
            name: Cow::Owned(name.into()),
            kind,
            description: Cow::Borrowed(""),
        }
    }
}

/// The geodesic measures served with areas and lines.
const AREA_MEASURES: [(&str, &str); 4] = [
    ("area_m2", "Geodesic area, m²."),
    ("area_ha", "Geodesic area, hectares."),
    ("area_mu", "Geodesic area, mu (亩, 666.67 m²)."),
    ("perimeter_m", "Geodesic perimeter, metres."),
];
const LINE_MEASURES: [(&str, &str); 2] = [
    ("length_m", "Geodesic length, metres."),
    ("length_km", "Geodesic length, kilometres."),
];

impl Collection {
    /// Every property a filter can name, typed properties first, then the measures.
    pub fn filterables(self) -> Vec<Queryable> {
        let typed = self.properties().iter().map(|p| Queryable {
            name: Cow::Borrowed(p.name),
            kind: match (p.kind, p.form) {
                (PropertyKind::Real, _) => QueryableType::Number,
                (PropertyKind::Integer, _) => QueryableType::Integer,
                (PropertyKind::Text, TextForm::Free) => QueryableType::String,
                (PropertyKind::Text, TextForm::Date) => QueryableType::Date,
                (PropertyKind::Text, TextForm::Timestamp) => QueryableType::Timestamp,
                (PropertyKind::Text, TextForm::CodeList) => QueryableType::StringArray,
            },
            description: Cow::Borrowed(p.description),
        });
        let measures: &[(&'static str, &'static str)] = match self.geometry_kind() {
            GeometryKind::Areal => &AREA_MEASURES,
            GeometryKind::Linear => &LINE_MEASURES,
            GeometryKind::Mixed => &[
                AREA_MEASURES[0],
                AREA_MEASURES[1],
                AREA_MEASURES[2],
                AREA_MEASURES[3],
                LINE_MEASURES[0],
                LINE_MEASURES[1],
            ],
        };
        typed
            .chain(measures.iter().map(|(name, description)| Queryable {
                name: Cow::Borrowed(name),
                kind: QueryableType::Number,
                description: Cow::Borrowed(description),
            }))
            .chain(std::iter::once(Queryable {
                name: Cow::Borrowed(super::feature::UPDATED_AT),
                kind: QueryableType::Timestamp,
                description: Cow::Borrowed("When the feature was last written (RFC 3339, UTC)."),
            }))
            .collect()
    }
}

impl Layer {
    /// The queryables of a served collection: its stored collection's, without the
    /// measures of the other geometry type (no area on a line).
    pub fn filterables(self) -> Vec<Queryable> {
        let other: &[(&str, &str)] = match self.part() {
            Some(GeometryType::MultiLineString) => &AREA_MEASURES,
            Some(GeometryType::MultiPolygon) => &LINE_MEASURES,
            None => &[],
        };
        self.collection()
            .filterables()
            .into_iter()
            .filter(|q| !other.iter().any(|(name, _)| *name == q.name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_collection_offers_its_typed_properties_and_measures() {
        let parcels = Collection::Parcels.filterables();
        let kind = |name: &str| parcels.iter().find(|q| q.name == name).map(|q| q.kind);
        assert_eq!(kind("status"), Some(QueryableType::String));
        assert_eq!(kind("tax_wan"), Some(QueryableType::Number));
        assert_eq!(kind("area_mu"), Some(QueryableType::Number));
        assert_eq!(kind("length_m"), None);
        assert_eq!(kind("updated_at"), Some(QueryableType::Timestamp));
        let schools = Collection::Schools.filterables();
        let kind = |name: &str| schools.iter().find(|q| q.name == name).map(|q| q.kind);
        assert_eq!(kind("start_date"), Some(QueryableType::Date));
        assert_eq!(kind("parcels"), Some(QueryableType::StringArray));
        assert_eq!(kind("seats"), Some(QueryableType::Integer));
        let names = |l: Layer| -> Vec<String> {
            l.filterables().iter().map(|q| q.name.to_string()).collect()
        };
        assert!(names(Layer::ProjectLines).contains(&"length_m".to_string()));
        assert!(!names(Layer::ProjectLines).contains(&"area_mu".to_string()));
        assert!(names(Layer::ProjectAreas).contains(&"area_mu".to_string()));
        assert!(!names(Layer::ProjectAreas).contains(&"length_km".to_string()));
    }
}
