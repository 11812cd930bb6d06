//! Queries on one collection: exact `numberMatched`, exact intersection, one page in
//! serving order.
//!
//! Two plans, chosen by the window's size:
//! 1. small and medium windows walk the R-tree (`locate_in_envelope_intersecting`);
//! 2. windows covering a large part of the collection sweep the dense array of
//!    envelopes in serving order, which reads memory sequentially instead of chasing
//!    hundreds of thousands of tree nodes.
//!
//! Either way a feature whose envelope lies inside the window matches without touching
//! its geometry; one crossing the window's edge is tested exactly with `geo`.

use std::sync::Arc;

use geo::{Intersects, Polygon, Rect};
use rstar::{Envelope, RTreeObject, AABB};

use super::collection::{CollectionIndex, IndexedFeature};
use super::filter::{candidates, Evaluator, Filter};
use crate::domain::GeometryType;

/// Above this share of the collection's extent, a window is swept rather than walked.
const SWEEP_SHARE: f64 = 0.02;

/// A query on a collection.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Lon/lat box (min lon, min lat, max lon, max lat): the geometry must intersect it.
    pub bbox: Option<[f64; 4]>,
    /// An exact lon/lat area to intersect instead of the box itself (a box given in a
    /// projected CRS is not a lon/lat rectangle); `bbox` is then its envelope.
    pub area: Option<Polygon<f64>>,
    /// A filter every match satisfies (CQL2 and the equality parameters, compiled for
    /// this collection's schema).
    pub filter: Option<Arc<Filter>>,
    /// The one geometry type of the served collection, when it serves only part of the
    /// stored one (public projects: lines or areas).
    pub part: Option<GeometryType>,
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

/// What a feature must satisfy: the window and the filter.
struct Matcher<'a> {
    index: &'a CollectionIndex,
    window: Option<(AABB<[f64; 2]>, Exact<'a>)>,
    filter: Option<Evaluator<'a>>,
    part: Option<GeometryType>,
}

/// The exact shape a geometry must intersect.
enum Exact<'a> {
    /// A lon/lat rectangle: an envelope inside it decides without the geometry.
    Rect(Rect<f64>),
    /// Any polygon: every candidate is tested.
    Area(&'a Polygon<f64>),
    /// The filter's spatial window only: the filter decides.
    Filter,
}

impl Matcher<'_> {
    /// Whether the feature is in the served part and passes the filter (`decided`: the
    /// filter is known to hold, from an exact candidate set).
    fn passes_filters(&self, f: &IndexedFeature, decided: bool) -> bool {
        self.part.is_none_or(|t| t.holds(&f.geometry))
            && (decided || self.filter.as_ref().is_none_or(|e| e.matches(f)))
    }

    /// Whether only the window decides (no filter left to test, the whole stored
    /// collection).
    fn window_only(&self, decided: bool) -> bool {
        (decided || self.filter.is_none()) && self.part.is_none()
    }

    /// Whether the feature in `slot`, whose envelope meets the window, matches. The
    /// feature itself (a cache miss) is read only when a filter needs its properties or
    /// its envelope crosses the window's edge. `decided`: the filter is known to hold.
    fn matches(&self, slot: usize, envelope: &AABB<[f64; 2]>, decided: bool) -> bool {
        let Some((aabb, exact)) = &self.window else {
            return self.passes_filters(&self.index.slots[slot], decided);
        };
        let inside = match exact {
            Exact::Rect(_) => aabb.contains_envelope(envelope),
            Exact::Area(_) => false,
            Exact::Filter => true,
        };
        if inside && self.window_only(decided) {
            return true;
        }
        let f = &self.index.slots[slot];
        self.passes_filters(f, decided)
            && (inside
                || match exact {
                    Exact::Rect(rect) => f.geometry.intersects(rect),
                    Exact::Area(area) => f.geometry.intersects(*area),
                    Exact::Filter => true,
                })
    }
}

fn aabb_of(e: &[f64; 4]) -> AABB<[f64; 2]> {
    AABB::from_corners([e[0], e[1]], [e[2], e[3]])
}

fn intersection(a: &AABB<[f64; 2]>, b: &AABB<[f64; 2]>) -> AABB<[f64; 2]> {
    let (la, ua, lb, ub) = (a.lower(), a.upper(), b.lower(), b.upper());
    AABB::from_corners(
        [la[0].max(lb[0]), la[1].max(lb[1])],
        [ua[0].min(ub[0]), ua[1].min(ub[1])],
    )
}

impl CollectionIndex {
    /// Answers a query: exact `numberMatched` and one page in serving order.
    pub fn query(&self, q: &Query) -> QueryPage {
        let filter = q.filter.as_deref();
        if filter.is_some_and(Filter::matches_nothing) {
            return QueryPage {
                matched: 0,
                features: Vec::new(),
            };
        }
        let mut m = Matcher {
            index: self,
            window: None,
            filter: filter.map(|f| Evaluator::new(f, self)),
            part: q.part,
        };
        let filter_window = filter.and_then(Filter::window);
        let (aabb, exact) = match (q.bbox, filter_window) {
            (None, None) => return self.sweep(q, &m),
            (None, Some(w)) => (w, Exact::Filter),
            (Some(b), w) => {
                let exact = match &q.area {
                    Some(area) => Exact::Area(area),
                    None => Exact::Rect(Rect::new((b[0], b[1]), (b[2], b[3]))),
                };
                let boxed = aabb_of(&b);
                let aabb = match w {
                    Some(w) if !w.intersects(&boxed) => {
                        return QueryPage {
                            matched: 0,
                            features: Vec::new(),
                        }
                    }
                    Some(w) => intersection(&boxed, &w),
                    None => boxed,
                };
                (aabb, exact)
            }
        };
        m.window = Some((aabb, exact));
        let extent = self.tree.root().envelope();
        if q.area.is_none() && filter_window.is_none() && aabb.contains_envelope(&extent) {
            // Every feature lies in the window: only the filter decides.
            m.window = None;
            return self.sweep(q, &m);
        }
        let share = aabb.intersection_area(&extent) / extent.area().max(f64::MIN_POSITIVE);
        if share > SWEEP_SHARE {
            self.sweep(q, &m)
        } else {
            self.walk(q, &m, &aabb)
        }
    }

    /// Plan 1: the R-tree's candidates, then a partial sort for the page.
    fn walk(&self, q: &Query, m: &Matcher<'_>, aabb: &AABB<[f64; 2]>) -> QueryPage {
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(aabb)
            .filter(|leaf| m.matches(leaf.data as usize, &leaf.geom().envelope(), false))
            .map(|leaf| leaf.data)
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

    /// Plan 2: every envelope in serving order; the page falls out in order.
    fn sweep(&self, q: &Query, m: &Matcher<'_>) -> QueryPage {
        if m.window.is_none() && m.window_only(false) {
            let end = q.offset.saturating_add(q.limit).min(self.slots.len());
            let start = q.offset.min(end);
            return QueryPage {
                matched: self.slots.len(),
                features: self.slots[start..end].to_vec(),
            };
        }
        // A filter whose attribute predicates narrow it: only its candidates are read.
        let candidates = m.filter.as_ref().and_then(candidates);
        if let Some(c) = candidates {
            if c.exact && m.window.is_none() && m.part.is_none() {
                return QueryPage {
                    matched: c.bits.count(),
                    features: c
                        .bits
                        .slots()
                        .skip(q.offset)
                        .take(q.limit)
                        .map(|slot| self.slots[slot].clone())
                        .collect(),
                };
            }
            return self.sweep_slots(q, m, c.bits.slots(), c.exact);
        }
        self.sweep_slots(q, m, 0..self.slots.len(), false)
    }

    /// Plan 2 over some slots, in order; `decided`: the filter holds for all of them.
    fn sweep_slots(
        &self,
        q: &Query,
        m: &Matcher<'_>,
        slots: impl Iterator<Item = usize>,
        decided: bool,
    ) -> QueryPage {
        let mut matched = 0;
        let mut features: Vec<Arc<IndexedFeature>> = Vec::new();
        for slot in slots {
            let envelope = aabb_of(&self.envelopes[slot]);
            if let Some((window, _)) = &m.window {
                if !window.intersects(&envelope) {
                    continue;
                }
            }
            if m.matches(slot, &envelope, decided) {
                if matched >= q.offset && features.len() < q.limit {
                    features.push(self.slots[slot].clone());
                }
                matched += 1;
            }
        }
        QueryPage { matched, features }
    }
}

/// The slots ranked `offset .. offset + limit` among `hits`, sorted, without sorting
/// every hit.
fn page_of(hits: &mut [u32], offset: usize, limit: usize) -> Vec<u32> {
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
