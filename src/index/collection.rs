//! The R-tree of one collection and the queries it answers.

use std::collections::HashMap;
use std::sync::Arc;

use geo::{Intersects, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, RTreeObject, AABB};
use serde_json::Value;

use crate::domain::FeatureRecord;

type Leaf = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// A stored feature with its GeoJSON rendered once, when it enters the index.
#[derive(Debug)]
pub struct IndexedFeature {
    /// The stored record.
    pub record: FeatureRecord,
    /// The feature as GeoJSON text in CRS84.
    pub json: String,
    /// Envelope (min lon, min lat, max lon, max lat).
    pub envelope: [f64; 4],
}

impl IndexedFeature {
    fn new(record: FeatureRecord) -> Self {
        let envelope = record
            .bounds()
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .unwrap_or_default();
        let json = serde_json::json!({
            "type": "Feature",
            "id": record.code,
            "geometry": geojson::Geometry::from(&record.geometry),
            "properties": record.properties,
        })
        .to_string();
        Self {
            record,
            json,
            envelope,
        }
    }

    fn leaf(&self, slot: u32) -> Leaf {
        let [x0, y0, x1, y1] = self.envelope;
        GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), slot)
    }

    /// Whether a property equals the filter value (numbers compare by their text).
    fn property_equals(&self, name: &str, wanted: &str) -> bool {
        match self.record.properties.get(name) {
            Some(Value::String(s)) => s == wanted,
            Some(Value::Number(n)) => n.to_string() == wanted,
            Some(Value::Bool(b)) => b.to_string() == wanted,
            _ => false,
        }
    }
}

/// A query on a collection.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Lon/lat box (min lon, min lat, max lon, max lat): the geometry must intersect it.
    pub bbox: Option<[f64; 4]>,
    /// Property equality filters, all of which must hold.
    pub filters: Vec<(String, String)>,
    /// Matches to skip (in serving order).
    pub offset: usize,
    /// Matches to return.
    pub limit: usize,
}

/// One page of answers.
#[derive(Debug)]
pub struct QueryPage {
    /// Every match, not only this page.
    pub matched: usize,
    /// This page, in serving order (store id).
    pub features: Vec<Arc<IndexedFeature>>,
}

/// The features of one collection in serving order, and their R-tree.
#[derive(Default)]
pub struct CollectionIndex {
    slots: Vec<Arc<IndexedFeature>>,
    by_code: HashMap<String, u32>,
    tree: RTree<Leaf>,
}

impl CollectionIndex {
    /// Builds the index with `RTree::bulk_load` from records in any order.
    pub fn build(mut records: Vec<FeatureRecord>) -> Self {
        records.sort_by_key(|r| r.id);
        let slots: Vec<Arc<IndexedFeature>> = records
            .into_iter()
            .map(|r| Arc::new(IndexedFeature::new(r)))
            .collect();
        Self::from_slots(slots)
    }

    fn from_slots(slots: Vec<Arc<IndexedFeature>>) -> Self {
        let leaves = slots
            .iter()
            .enumerate()
            .map(|(i, f)| f.leaf(i as u32))
            .collect();
        let by_code = slots
            .iter()
            .enumerate()
            .map(|(i, f)| (f.record.code.clone(), i as u32))
            .collect();
        Self {
            slots,
            by_code,
            tree: RTree::bulk_load(leaves),
        }
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

    /// The feature with this code.
    pub fn get(&self, code: &str) -> Option<Arc<IndexedFeature>> {
        self.by_code
            .get(code)
            .map(|slot| self.slots[*slot as usize].clone())
    }

    /// Inserts or replaces features (matched by code), keeping serving order.
    pub fn upsert(&mut self, records: Vec<FeatureRecord>) {
        let mut reorder = false;
        for record in records {
            let feature = Arc::new(IndexedFeature::new(record));
            if let Some(&slot) = self.by_code.get(&feature.record.code) {
                let old = self.slots[slot as usize].leaf(slot);
                self.tree.remove(&old);
                self.tree.insert(feature.leaf(slot));
                self.slots[slot as usize] = feature;
                continue;
            }
            let slot = self.slots.len() as u32;
            if self
                .slots
                .last()
                .is_some_and(|last| last.record.id > feature.record.id)
            {
                reorder = true;
            }
            self.by_code.insert(feature.record.code.clone(), slot);
            self.tree.insert(feature.leaf(slot));
            self.slots.push(feature);
        }
        if reorder {
            let mut slots = std::mem::take(&mut self.slots);
            slots.sort_by_key(|f| f.record.id);
            *self = Self::from_slots(slots);
        }
    }

    /// Answers a query: exact `numberMatched` and one page in serving order.
    pub fn query(&self, q: &Query) -> QueryPage {
        let passes = |f: &IndexedFeature| q.filters.iter().all(|(k, v)| f.property_equals(k, v));
        let Some(bbox) = q.bbox else {
            return self.scan(q, passes);
        };
        let window = Rect::new((bbox[0], bbox[1]), (bbox[2], bbox[3]));
        let aabb = AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(&aabb)
            .filter_map(|leaf| {
                let f = &self.slots[leaf.data as usize];
                let inside = rstar::Envelope::contains_envelope(&aabb, &leaf.geom().envelope());
                (passes(f) && (inside || f.record.geometry.intersects(&window)))
                    .then_some(leaf.data)
            })
            .collect();
        let matched = hits.len();
        let page = page_of(&mut hits, q.offset, q.limit);
        QueryPage {
            matched,
            features: page
                .iter()
                .map(|s| self.slots[*s as usize].clone())
                .collect(),
        }
    }

    fn scan(&self, q: &Query, passes: impl Fn(&IndexedFeature) -> bool) -> QueryPage {
        if q.filters.is_empty() {
            let end = (q.offset.saturating_add(q.limit)).min(self.slots.len());
            let start = q.offset.min(end);
            return QueryPage {
                matched: self.slots.len(),
                features: self.slots[start..end].to_vec(),
            };
        }
        let mut matched = 0;
        let mut features = Vec::new();
        for f in &self.slots {
            if passes(f) {
                if matched >= q.offset && features.len() < q.limit {
                    features.push(f.clone());
                }
                matched += 1;
            }
        }
        QueryPage { matched, features }
    }

    /// Every feature whose envelope meets the box, for brute-force comparisons.
    pub fn all(&self) -> &[Arc<IndexedFeature>] {
        &self.slots
    }
}

/// The slots ranked `offset .. offset + limit` among `hits`, sorted, without sorting
/// every hit.
fn page_of(hits: &mut Vec<u32>, offset: usize, limit: usize) -> Vec<u32> {
    if offset >= hits.len() || limit == 0 {
        return Vec::new();
    }
    if offset > 0 {
        hits.select_nth_unstable(offset);
    }
    let rest = &mut hits[offset..];
    if rest.len() > limit {
        rest.select_nth_unstable(limit - 1);
    }
    let mut page = rest[..rest.len().min(limit)].to_vec();
    page.sort_unstable();
    page
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn page_of_returns_the_ranked_window_in_order() {
        let mut hits: Vec<u32> = vec![9, 3, 7, 1, 5, 8, 2, 6, 4, 0];
        assert_eq!(page_of(&mut hits.clone(), 0, 3), vec![0, 1, 2]);
        assert_eq!(page_of(&mut hits.clone(), 4, 3), vec![4, 5, 6]);
        assert_eq!(page_of(&mut hits.clone(), 8, 5), vec![8, 9]);
        assert!(page_of(&mut hits, 10, 5).is_empty());
    }
}
