//! The values a filter reads: each feature's queryable properties as compact cells, text
//! held once per collection in a dictionary, so a text predicate is decided once per
//! distinct value rather than once per feature.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::domain::{landuse, Collection, Queryable, QueryableType};

/// The queryables of one indexed collection, in cell order, and the name of its geometry.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The name filters give the geometry (`geometry` for the zone's collections).
    pub geometry: String,
    /// The queryables, in the order of each feature's cells.
    pub properties: Vec<Queryable>,
    /// Whether `land_use` compares by the land-use crosswalk (`land_use = '0601'` selects
    /// M, M1–M3 and 0601, as the equality parameter does).
    pub land_use_crosswalk: bool,
}

impl Schema {
    /// The schema of one of the zone's collections.
    pub fn of(c: Collection) -> Self {
        Self {
            geometry: "geometry".into(),
            properties: c.filterables(),
            land_use_crosswalk: c == Collection::Parcels,
        }
    }

    /// The schema of another data source (a test data set).
    pub fn new(geometry: &str, properties: Vec<Queryable>) -> Self {
        Self {
            geometry: geometry.into(),
            properties,
            land_use_crosswalk: false,
        }
    }

    /// The position of a queryable.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.properties.iter().position(|q| q.name == name)
    }

    /// The queryable names, for messages.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = vec![&self.geometry];
        names.extend(self.properties.iter().map(|q| &*q.name));
        names
    }

    /// The stored codes a land-use value selects, where the crosswalk applies.
    pub(super) fn land_use_codes(&self, property: &str, value: &str) -> Option<Vec<&'static str>> {
        if self.land_use_crosswalk && property == "land_use" {
            landuse::matching_codes(value)
        } else {
            None
        }
    }
}

/// One queryable value of one feature. Text is a symbol of the collection's dictionary
/// for that property; instants are milliseconds since 1970 (a date is its day's start,
/// UTC).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// No value.
    Null,
    /// A number.
    Number(f64),
    /// Text (or a list of codes), as a dictionary symbol.
    Text(u32),
    /// true or false.
    Bool(bool),
    /// A date or timestamp.
    Instant(i64),
}

/// The distinct texts of one property. It only grows while features change; a rebuild of
/// the index starts it afresh.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    texts: Vec<Arc<str>>,
    symbols: HashMap<Arc<str>, u32>,
}

impl Dictionary {
    /// The symbol of `text`, adding it when new.
    pub fn intern(&mut self, text: &str) -> u32 {
        if let Some(s) = self.symbols.get(text) {
            return *s;
        }
        let symbol = self.texts.len() as u32;
        let text: Arc<str> = text.into();
        self.texts.push(Arc::clone(&text));
        self.symbols.insert(text, symbol);
        symbol
    }

    /// The text of a symbol.
    pub fn text(&self, symbol: u32) -> &str {
        self.texts.get(symbol as usize).map_or("", |t| t)
    }

    /// Number of distinct texts.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    /// Whether no text is held.
    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }
}

/// The dictionaries of a collection, one per queryable (empty for non-text ones).
pub type Dictionaries = Vec<Dictionary>;

/// The cells of one feature from its served properties.
pub fn cells_of(
    schema: &Schema,
    dictionaries: &mut Dictionaries,
    properties: &Map<String, Value>,
) -> Box<[Cell]> {
    if dictionaries.len() < schema.properties.len() {
        dictionaries.resize_with(schema.properties.len(), Dictionary::default);
    }
    schema
        .properties
        .iter()
        .zip(dictionaries.iter_mut())
        .map(|(q, dict)| match properties.get(&*q.name) {
            None | Some(Value::Null) => Cell::Null,
            Some(v) => cell_of(q.kind, dict, v),
        })
        .collect()
}

fn cell_of(kind: QueryableType, dict: &mut Dictionary, v: &Value) -> Cell {
    match (kind, v) {
        (QueryableType::String, Value::String(s)) => Cell::Text(dict.intern(s)),
        (QueryableType::String, Value::Number(n)) => Cell::Text(dict.intern(&n.to_string())),
        (QueryableType::String, Value::Bool(b)) => Cell::Text(dict.intern(&b.to_string())),
        (QueryableType::Number | QueryableType::Integer, Value::Number(n)) => {
            n.as_f64().map_or(Cell::Null, Cell::Number)
        }
        (QueryableType::Number | QueryableType::Integer, Value::String(s)) => {
            s.trim().parse().map_or(Cell::Null, Cell::Number)
        }
        (QueryableType::Boolean, Value::Bool(b)) => Cell::Bool(*b),
        (QueryableType::Boolean, Value::Number(n)) => Cell::Bool(n.as_f64() != Some(0.0)),
        (QueryableType::Date | QueryableType::Timestamp, Value::String(s)) => {
            super::temporal::parse_instant(s).map_or(Cell::Null, Cell::Instant)
        }
        (QueryableType::StringArray, Value::String(s)) => Cell::Text(dict.intern(&list_text(
            s.split(',').map(str::trim).filter(|p| !p.is_empty()),
        ))),
        (QueryableType::StringArray, Value::Array(items)) => {
            let texts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            Cell::Text(dict.intern(&list_text(texts.iter().map(String::as_str))))
        }
        _ => Cell::Null,
    }
}

/// A list held as one dictionary text: its elements joined by the unit separator, which
/// no code contains.
pub const LIST_SEPARATOR: char = '\u{1f}';

fn list_text<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(LIST_SEPARATOR);
        }
        out.push_str(item);
    }
    out
}

/// The elements of a list text.
pub fn list_items(text: &str) -> impl Iterator<Item = &str> {
    text.split(LIST_SEPARATOR).filter(|s| !s.is_empty())
}
