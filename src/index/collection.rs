//! The R-tree of one collection and the queries it answers.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use geo::Geometry;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;
use serde_json::{Map, Value};

use super::filter::{cells_of, Cell, Columns, Dictionaries, Schema};
use crate::domain::{FeatureRecord, GeometryType};

pub(super) type Leaf = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A stored feature as the index keeps it: geometry for exact tests, its GeoJSON
/// rendered once when it enters the index, and the values of the filterable
/// properties. The full property map is not kept (it is in the JSON text), which keeps
/// a million parcels in little memory.
#[derive(Debug)]
pub struct IndexedFeature {
    /// Row id in the store: the serving order.
    pub id: i64,
    /// Feature id.
    pub code: Box<str>,
    /// Geometry in CRS84.
    pub geometry: Geometry<f64>,
    /// The feature as GeoJSON text in CRS84.
    pub json: Box<str>,
    /// Where the `geometry` member's value lies in `json` (byte range), so that output in
    /// another CRS replaces only it.
    pub geometry_span: (u32, u32),
    /// Envelope (min lon, min lat, max lon, max lat).
    pub envelope: [f64; 4],
    /// Values of the queryables, in the schema's order (text as dictionary symbols).
    pub(super) cells: Box<[Cell]>,
    /// Geodesic area in m² (0 for lines), for totals over many features without
    /// reading their JSON.
    pub area_m2: f64,
}

impl IndexedFeature {
    fn new(mut record: FeatureRecord, schema: &Schema, dictionaries: &mut Dictionaries) -> Self {
        // Served with its collection's one geometry type, whatever an older store holds.
        record.geometry = crate::domain::layer::as_multi(record.geometry);
        let envelope = record
            .bounds()
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .unwrap_or_default();
        let cells = cells_of(schema, dictionaries, &record.properties);
        let (json, geometry_span) = crate::domain::feature::geojson_text(
            &record.code,
            &record.geometry,
            &record.properties,
        );
        Self {
            id: record.id,
            code: record.code.into_boxed_str(),
            geometry: record.geometry,
            area_m2: record
                .properties
                .get("area_m2")
                .and_then(Value::as_f64)
                .unwrap_or(0.0),
            json: json.into_boxed_str(),
            geometry_span,
            envelope,
            cells,
        }
    }

    /// The served properties, read back from the GeoJSON text (for pages of a few
    /// features, not for scans).
    pub fn properties(&self) -> Map<String, Value> {
        serde_json::from_str::<Value>(&self.json)
            .ok()
            .and_then(|mut v| v.get_mut("properties").map(Value::take))
            .and_then(|v| match v {
                Value::Object(m) => Some(m),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The stored record again (properties read back from the JSON text).
    pub fn to_record(&self) -> FeatureRecord {
        FeatureRecord {
            id: self.id,
            code: self.code.to_string(),
            properties: self.properties(),
            geometry: self.geometry.clone(),
        }
    }

    /// The GeoJSON text with the geometry replaced by `geometry` (GeoJSON text).
    pub fn json_with_geometry(&self, geometry: &str) -> String {
        let (start, end) = (self.geometry_span.0 as usize, self.geometry_span.1 as usize);
        let mut out = String::with_capacity(self.json.len() + geometry.len());
        out.push_str(&self.json[..start]);
        out.push_str(geometry);
        out.push_str(&self.json[end..]);
        out
    }

    /// The value of a text queryable, without reading the JSON.
    pub fn filter_value<'a>(&self, index: &'a CollectionIndex, name: &str) -> Option<&'a str> {
        let i = index.schema.position(name)?;
        match self.cells.get(i)? {
            Cell::Text(symbol) => Some(index.dictionaries.get(i)?.text(*symbol)),
            _ => None,
        }
    }

    fn leaf(&self, slot: u32) -> Leaf {
        let [x0, y0, x1, y1] = self.envelope;
        GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), slot)
    }
}

/// The features of one collection in serving order, and their R-tree. Cloning it copies
/// the tree and the slot table but shares the features.
#[derive(Clone)]
pub struct CollectionIndex {
    pub(super) schema: Arc<Schema>,
    /// The distinct texts of each text queryable.
    pub(super) dictionaries: Dictionaries,
    pub(super) slots: Vec<Arc<IndexedFeature>>,
    /// Envelopes in slot order, dense, for sweeps over large windows.
    pub(super) envelopes: Vec<[f64; 4]>,
    by_code: HashMap<Box<str>, u32>,
    pub(super) tree: RTree<Leaf>,
    /// Posting lists and sorted values of the queryables, built by the first filter that
    /// needs them and dropped by any write (which makes a new snapshot).
    columns: OnceLock<Arc<Columns>>,
}

impl CollectionIndex {
    /// Builds the index with `RTree::bulk_load` from records in any order; `schema`
    /// names the queryables that filters may use.
    pub fn build(records: Vec<FeatureRecord>, schema: Schema) -> Self {
        let mut builder = Self::builder(schema);
        for r in records {
            builder.push(r);
        }
        builder.finish()
    }

    /// Starts a build that takes records one at a time, so that a whole collection is
    /// never held twice in memory.
    pub fn builder(schema: Schema) -> IndexBuilder {
        IndexBuilder {
            schema: Arc::new(schema),
            dictionaries: Dictionaries::new(),
            slots: Vec::new(),
        }
    }

    fn from_slots(
        schema: Arc<Schema>,
        dictionaries: Dictionaries,
        slots: Vec<Arc<IndexedFeature>>,
    ) -> Self {
        let leaves = slots
            .iter()
            .enumerate()
            .map(|(i, f)| f.leaf(i as u32))
            .collect();
        let by_code = slots
            .iter()
            .enumerate()
            .map(|(i, f)| (f.code.clone(), i as u32))
            .collect();
        Self {
            schema,
            dictionaries,
            envelopes: slots.iter().map(|f| f.envelope).collect(),
            slots,
            by_code,
            tree: RTree::bulk_load(leaves),
            columns: OnceLock::new(),
        }
    }

    /// The column indexes of this snapshot, built on first use.
    pub(super) fn columns(&self) -> &Columns {
        self.columns
            .get_or_init(|| Arc::new(Columns::build(&self.schema, &self.slots)))
    }

    /// The queryables filters on this collection may name.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether the collection is empty.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The lon/lat extent of the collection.
    pub fn extent(&self) -> Option<[f64; 4]> {
        if self.slots.is_empty() {
            return None;
        }
        let e = self.tree.root().envelope();
        Some([e.lower()[0], e.lower()[1], e.upper()[0], e.upper()[1]])
    }

    /// The lon/lat extent of the features of one geometry type (of all, for `None`).
    pub fn extent_of(&self, part: Option<GeometryType>) -> Option<[f64; 4]> {
        let Some(t) = part else {
            return self.extent();
        };
        self.slots
            .iter()
            .filter(|f| t.holds(&f.geometry))
            .map(|f| f.envelope)
            .reduce(|a, b| {
                [
                    a[0].min(b[0]),
                    a[1].min(b[1]),
                    a[2].max(b[2]),
                    a[3].max(b[3]),
                ]
            })
    }

    /// The feature with this code.
    pub fn get(&self, code: &str) -> Option<Arc<IndexedFeature>> {
        self.by_code
            .get(code)
            .map(|slot| self.slots[*slot as usize].clone())
    }

    /// Inserts or replaces features (matched by code), keeping serving order.
    pub fn upsert(&mut self, records: Vec<FeatureRecord>) {
        self.columns = OnceLock::new();
        let mut reorder = false;
        for record in records {
            let feature = Arc::new(IndexedFeature::new(
                record,
                &self.schema,
                &mut self.dictionaries,
            ));
            if let Some(&slot) = self.by_code.get(&feature.code) {
                let old = self.slots[slot as usize].leaf(slot);
                self.tree.remove(&old);
                self.tree.insert(feature.leaf(slot));
                self.envelopes[slot as usize] = feature.envelope;
                self.slots[slot as usize] = feature;
                continue;
            }
            let slot = self.slots.len() as u32;
            if self.slots.last().is_some_and(|last| last.id > feature.id) {
                reorder = true;
            }
            self.by_code.insert(feature.code.clone(), slot);
            self.tree.insert(feature.leaf(slot));
            self.envelopes.push(feature.envelope);
            self.slots.push(feature);
        }
        if reorder {
            let mut slots = std::mem::take(&mut self.slots);
            slots.sort_by_key(|f| f.id);
            *self = Self::from_slots(
                Arc::clone(&self.schema),
                std::mem::take(&mut self.dictionaries),
                slots,
            );
        }
    }

    /// Removes the features with these codes (unknown codes are ignored).
    pub fn remove(&mut self, codes: &[String]) {
        if !codes.iter().any(|c| self.by_code.contains_key(c.as_str())) {
            return;
        }
        let gone: std::collections::HashSet<&str> = codes.iter().map(String::as_str).collect();
        let slots: Vec<Arc<IndexedFeature>> = std::mem::take(&mut self.slots)
            .into_iter()
            .filter(|f| !gone.contains(&*f.code))
            .collect();
        *self = Self::from_slots(
            Arc::clone(&self.schema),
            std::mem::take(&mut self.dictionaries),
            slots,
        );
    }

    /// Every feature in serving order.
    pub fn all(&self) -> &[Arc<IndexedFeature>] {
        &self.slots
    }
}

/// Builds a [`CollectionIndex`] from records handed over one at a time.
pub struct IndexBuilder {
    schema: Arc<Schema>,
    dictionaries: Dictionaries,
    slots: Vec<Arc<IndexedFeature>>,
}

impl IndexBuilder {
    /// Adds one record (in any order).
    pub fn push(&mut self, record: FeatureRecord) {
        self.slots.push(Arc::new(IndexedFeature::new(
            record,
            &self.schema,
            &mut self.dictionaries,
        )));
    }

    /// Sorts into serving order and bulk-loads the R-tree.
    pub fn finish(mut self) -> CollectionIndex {
        self.slots.sort_by_key(|f| f.id);
        CollectionIndex::from_slots(self.schema, self.dictionaries, self.slots)
    }
}
