//! What a report reads: the parcels in scope, the cases, schools and projects, zones and
//! roads, either as they stand now (read from the store) or as they stood at a date
//! (replayed from the append-only event log). Parcels are reduced to the few facts a
//! report needs as they are read, so a million parcels are never held as features.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use geo::{BoundingRect, Centroid, Geometry, Intersects};
use serde_json::{Map, Value};

use crate::domain::landuse;
use crate::domain::projects::Level;
use crate::domain::reallocation::{CaseKind, ParcelRole, Stage};
use crate::domain::{Collection, FeatureRecord};
use crate::index::{CollectionIndex, IndexedFeature};
use crate::store::{EventState, Store, StoreError};

/// Parcels drawn one by one on the map up to this many; above it the map shows a grid
/// of cells coloured by the status holding most land in each.
pub const MAP_PARCELS_LIMIT: usize = 20_000;

/// Grid cells across the map when the parcels are too many to draw one by one.
const GRID_COLUMNS: usize = 160;

/// The land a report covers: the whole zone, one zone, a sub-district, an area, or an
/// area within a zone.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// `south`, `north` or `bonded` (the parcel's `zone`).
    pub zone: Option<String>,
    /// A sub-district code (the parcel's `subdistrict`).
    pub subdistrict: Option<String>,
    /// A drawn polygon or box in CRS84: parcels that intersect it (exactly).
    pub area: Option<Geometry<f64>>,
}

impl Scope {
    /// Whether a parcel with these facts lies in scope.
    pub fn contains(
        &self,
        zone: Option<&str>,
        subdistrict: Option<&str>,
        g: &Geometry<f64>,
    ) -> bool {
        if self.zone.as_deref().is_some_and(|z| zone != Some(z)) {
            return false;
        }
        if self
            .subdistrict
            .as_deref()
            .is_some_and(|s| subdistrict != Some(s))
        {
            return false;
        }
        self.area.as_ref().is_none_or(|a| a.intersects(g))
    }

    /// The scope in words, for the report's title page.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(z) = &self.zone {
            parts.push(format!("zone {z}"));
        }
        if let Some(s) = &self.subdistrict {
            parts.push(format!("sub-district {s}"));
        }
        if let Some(r) = self.area.as_ref().and_then(BoundingRect::bounding_rect) {
            parts.push(format!(
                "area within {:.4},{:.4} – {:.4},{:.4}",
                r.min().x,
                r.min().y,
                r.max().x,
                r.max().y
            ));
        }
        if parts.is_empty() {
            "the whole development zone".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Text shared between parcels (zones, codes, owners, statuses): one copy of each value.
pub type Text = Arc<str>;

/// Hands out one shared copy of each distinct text value.
#[derive(Default)]
struct Interner(HashSet<Text>);

impl Interner {
    fn get(&mut self, s: &str) -> Text {
        if let Some(t) = self.0.get(s) {
            return t.clone();
        }
        let t: Text = Arc::from(s);
        self.0.insert(t.clone());
        t
    }
}

/// The facts of one parcel a report uses. Small on purpose: a million of them are held
/// at once.
#[derive(Debug, Clone)]
pub struct ParcelRow {
    /// Parcel id.
    pub code: Text,
    /// `south`, `north` or `bonded`.
    pub zone: Option<Text>,
    /// Sub-district code.
    pub subdistrict: Option<Text>,
    /// Land-use code.
    pub land_use: Option<Text>,
    /// Status (`active`, `idle`, `zombie`, `reserved` …).
    pub status: Option<Text>,
    /// Owner enterprise.
    pub owner: Option<Text>,
    /// Owner's efficiency grade (`A`…`D`, `ungraded`).
    pub grade: Option<Text>,
    /// Geodesic area, m².
    pub area_m2: f64,
    /// Annual tax on the parcel, 万元.
    pub tax_wan: Option<f64>,
    /// Annual output value on the parcel, 万元.
    pub output_wan: Option<f64>,
    /// Centroid (lon, lat).
    pub centroid: (f64, f64),
    /// The geometry, kept while the map draws parcels one by one.
    pub geometry: Option<Box<Geometry<f64>>>,
    /// For residential land: whether a school serves it (tested on the whole geometry
    /// as the parcel is read); `None` for other land.
    pub school_cover: Option<SchoolCover>,
}

/// Whether schools of each level (primary, middle) lie within their service radius of a
/// residential parcel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchoolCover {
    /// Completed schools, [primary, middle].
    pub now: [bool; 2],
    /// Completed, under-construction or planned schools, [primary, middle].
    pub planned: [bool; 2],
}

/// The schools as an R-tree, for testing residential parcels as they are read.
pub struct Schools {
    index: CollectionIndex,
    residential: HashSet<&'static str>,
}

impl Schools {
    /// Indexes the schools.
    pub fn new(schools: &[FeatureRecord]) -> Self {
        Self {
            index: CollectionIndex::build(
                schools.to_vec(),
                crate::index::filter::Schema::of(Collection::Schools),
            ),
            residential: landuse::matching_codes("R")
                .unwrap_or_default()
                .into_iter()
                .collect(),
        }
    }

    /// Coverage of a parcel with this land use and geometry (`None`: not residential).
    fn cover(&self, land_use: Option<&str>, g: &Geometry<f64>) -> Option<SchoolCover> {
        if !land_use.is_some_and(|u| self.residential.contains(u)) {
            return None;
        }
        let mut cover = SchoolCover {
            now: [false; 2],
            planned: [false; 2],
        };
        for (i, level) in [Level::Primary, Level::Middle].into_iter().enumerate() {
            let serves = |f: &IndexedFeature, planned_too: bool| {
                level.served_by(f.filter_value(&self.index, "level"))
                    && match f.filter_value(&self.index, "status") {
                        Some("completed") => true,
                        Some("planned" | "under_construction") => planned_too,
                        _ => false,
                    }
            };
            cover.now[i] = !self
                .index
                .within(g, level.radius_m(), &|f| serves(f, false))
                .is_empty();
            cover.planned[i] = cover.now[i]
                || !self
                    .index
                    .within(g, level.radius_m(), &|f| serves(f, true))
                    .is_empty();
        }
        Some(cover)
    }
}

impl ParcelRow {
    fn from_record(
        r: &FeatureRecord,
        keep_geometry: bool,
        texts: &mut Interner,
        schools: &Schools,
    ) -> Self {
        let mut text = |k: &str| {
            r.properties
                .get(k)
                .and_then(Value::as_str)
                .map(|s| texts.get(s))
        };
        let (zone, subdistrict, land_use, status, owner, grade) = (
            text("zone"),
            text("subdistrict"),
            text("land_use"),
            text("status"),
            text("owner"),
            text("grade"),
        );
        let real = |k: &str| r.properties.get(k).and_then(Value::as_f64);
        let centroid = r
            .geometry
            .centroid()
            .map(|p| (p.x(), p.y()))
            .unwrap_or_default();
        Self {
            code: Arc::from(r.code.as_str()),
            zone,
            subdistrict,
            land_use,
            status,
            owner,
            grade,
            area_m2: real("area_m2").unwrap_or(0.0),
            tax_wan: real("tax_wan"),
            output_wan: real("output_value_wan"),
            centroid,
            geometry: keep_geometry.then(|| Box::new(r.geometry.clone())),
            school_cover: schools.cover(
                r.properties.get("land_use").and_then(Value::as_str),
                &r.geometry,
            ),
        }
    }
}

/// A reallocation case as a report reads it.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// Case id (`RC-00001`).
    pub code: String,
    /// Reserve, relocation, redevelopment or expansion.
    pub kind: CaseKind,
    /// Its stage.
    pub stage: Stage,
    /// The enterprise relocating or expanding.
    pub enterprise: Option<String>,
    /// Land-use code the land is supplied for (redevelopment).
    pub planned_use: Option<String>,
    /// Planned new output value (expansion), 万元.
    pub planned_output_wan: Option<f64>,
    /// The parcels and their roles.
    pub parcels: Vec<(ParcelRole, String)>,
    /// When the case reached its stage (RFC 3339).
    pub stage_since: Option<String>,
}

impl CaseRow {
    fn from_record(r: &FeatureRecord) -> Option<Self> {
        let text = |k: &str| r.properties.get(k).and_then(Value::as_str);
        let kind: CaseKind = text("kind")?.parse().ok()?;
        let stage: Stage = text("stage")?.parse().ok()?;
        let roles = r.properties.get("roles").and_then(Value::as_object);
        let parcels = text("parcels")
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                let role = roles
                    .and_then(|m| m.get(c))
                    .and_then(Value::as_str)
                    .and_then(|x| x.parse().ok())
                    .unwrap_or(ParcelRole::Subject);
                (role, c.to_string())
            })
            .collect();
        Some(Self {
            code: r.code.clone(),
            kind,
            stage,
            enterprise: text("enterprise").map(str::to_string),
            planned_use: text("planned_use").map(str::to_string),
            planned_output_wan: r
                .properties
                .get("planned_output_wan")
                .and_then(Value::as_f64),
            parcels,
            stage_since: text("stage_since").map(str::to_string),
        })
    }
}

/// The map's parcels: one by one, or a grid of cells when there are too many.
#[derive(Debug, Clone, Default)]
pub struct GridCells {
    /// The grid's extent (min lon, min lat, max lon, max lat).
    pub extent: [f64; 4],
    /// Columns and rows.
    pub size: (usize, usize),
    /// Land per cell and status, m² (cell index → status → area).
    pub cells: HashMap<usize, HashMap<String, f64>>,
}

impl GridCells {
    fn new(extent: [f64; 4]) -> Self {
        let cos = f64::midpoint(extent[1], extent[3]).to_radians().cos();
        let aspect = (extent[3] - extent[1]) / ((extent[2] - extent[0]) * cos).max(1e-9);
        let rows = ((GRID_COLUMNS as f64 * aspect).ceil() as usize).clamp(1, 400);
        Self {
            extent,
            size: (GRID_COLUMNS, rows),
            cells: HashMap::new(),
        }
    }

    fn add(&mut self, row: &ParcelRow) {
        let [x0, y0, x1, y1] = self.extent;
        let (cols, rows) = self.size;
        let fx = (row.centroid.0 - x0) / (x1 - x0).max(1e-12);
        let fy = (row.centroid.1 - y0) / (y1 - y0).max(1e-12);
        if !(0.0..=1.0).contains(&fx) || !(0.0..=1.0).contains(&fy) {
            return;
        }
        let c = ((fx * cols as f64) as usize).min(cols - 1);
        let r = ((fy * rows as f64) as usize).min(rows - 1);
        let status = row.status.as_deref().unwrap_or("unknown");
        let cell = self.cells.entry(r * cols + c).or_default();
        match cell.get_mut(status) {
            Some(area) => *area += row.area_m2,
            None => {
                cell.insert(status.to_string(), row.area_m2);
            }
        }
    }
}

/// Everything a report is computed from.
#[derive(Debug, Default)]
pub struct Input {
    /// The time the data stood at (RFC 3339); `None`: now.
    pub as_of: Option<String>,
    /// The parcels in scope, in serving order.
    pub parcels: Vec<ParcelRow>,
    /// Every reallocation case.
    pub cases: Vec<CaseRow>,
    /// Schools.
    pub schools: Vec<FeatureRecord>,
    /// Public projects.
    pub projects: Vec<FeatureRecord>,
    /// Zones and sub-districts.
    pub zones: Vec<FeatureRecord>,
    /// Roads.
    pub roads: Vec<FeatureRecord>,
    /// When each parcel in scope reached its current status (RFC 3339), from the log;
    /// filled for the land in reserve only when reading the present.
    pub status_since: HashMap<String, String>,
    /// The map's grid when the parcels in scope are too many to draw.
    pub grid: Option<GridCells>,
}

/// Reads what a report needs. `progress` hears (parcels read, parcels in the store).
pub async fn gather(
    store: &dyn Store,
    scope: &Scope,
    as_of: Option<&str>,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Input, StoreError> {
    match as_of {
        None => gather_now(store, scope, progress).await,
        Some(t) => gather_as_of(store, scope, t, progress).await,
    }
}

/// Collects parcels in scope, switching to the grid past [`MAP_PARCELS_LIMIT`].
struct ParcelSink<'a> {
    scope: &'a Scope,
    schools: Schools,
    texts: Interner,
    rows: Vec<ParcelRow>,
    grid: Option<GridCells>,
    grid_extent: [f64; 4],
}

impl<'a> ParcelSink<'a> {
    fn new(scope: &'a Scope, schools: &[FeatureRecord]) -> Self {
        let grid_extent = scope
            .area
            .as_ref()
            .and_then(BoundingRect::bounding_rect)
            .map_or_else(
                || {
                    let [x0, y0, x1, y1] = crate::domain::ZONE_EXTENT;
                    [x0 - 0.1, y0 - 0.1, x1 + 0.1, y1 + 0.1]
                },
                |r| [r.min().x, r.min().y, r.max().x, r.max().y],
            );
        Self {
            scope,
            schools: Schools::new(schools),
            texts: Interner::default(),
            rows: Vec::new(),
            grid: None,
            grid_extent,
        }
    }

    fn push(&mut self, r: &FeatureRecord) {
        let text = |k: &str| r.properties.get(k).and_then(Value::as_str);
        if !self
            .scope
            .contains(text("zone"), text("subdistrict"), &r.geometry)
        {
            return;
        }
        if self.grid.is_none() && self.rows.len() >= MAP_PARCELS_LIMIT {
            // Too many to draw: drop the geometries kept so far and count into cells.
            let mut grid = GridCells::new(self.grid_extent);
            for kept in &mut self.rows {
                grid.add(kept);
                kept.geometry = None;
            }
            self.grid = Some(grid);
        }
        let row = ParcelRow::from_record(r, self.grid.is_none(), &mut self.texts, &self.schools);
        if let Some(grid) = &mut self.grid {
            grid.add(&row);
        }
        self.rows.push(row);
    }
}

async fn gather_now(
    store: &dyn Store,
    scope: &Scope,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Input, StoreError> {
    let total = store.feature_count(Collection::Parcels).await?.max(0) as u64;
    let schools = store.load_features(Collection::Schools).await?;
    let mut sink = ParcelSink::new(scope, &schools);
    let mut read = 0u64;
    store
        .scan_features(Collection::Parcels, &mut |r| {
            read += 1;
            sink.push(&r);
            if read.is_multiple_of(10_000) {
                progress(read, total);
            }
        })
        .await?;
    progress(read, total);
    let cases = store
        .load_features(Collection::Reallocations)
        .await?
        .iter()
        .filter_map(CaseRow::from_record)
        .collect();
    let mut input = Input {
        as_of: None,
        parcels: sink.rows,
        grid: sink.grid,
        cases,
        schools,
        projects: store.load_features(Collection::Projects).await?,
        zones: store.load_features(Collection::Zones).await?,
        roads: store.load_features(Collection::Roads).await?,
        status_since: HashMap::new(),
    };
    // When the land in reserve got there: from the log of those parcels only.
    let reserved: Vec<String> = input
        .parcels
        .iter()
        .filter(|p| p.status.as_deref() == Some("reserved"))
        .map(|p| p.code.to_string())
        .collect();
    let mut since = StatusSince::default();
    for e in store
        .feature_event_states(Collection::Parcels, &reserved)
        .await?
    {
        since.apply(&e);
    }
    input.status_since = since.into_map();
    Ok(input)
}

/// Tracks when each parcel's status last changed, over events in log order.
#[derive(Default)]
struct StatusSince {
    current: HashMap<String, (Option<String>, String)>,
}

impl StatusSince {
    fn apply(&mut self, e: &EventState) {
        let (Some(code), Some(after)) = (&e.feature_code, &e.after) else {
            return;
        };
        let Ok(v) = serde_json::from_str::<Value>(after) else {
            return;
        };
        self.note(code, &v, &e.occurred_at);
    }

    fn note(&mut self, code: &str, after: &Value, at: &str) {
        let Some(props) = after.get("properties") else {
            return;
        };
        let Some(status) = props.get("status") else {
            return;
        };
        let status = status.as_str().map(str::to_string);
        match self.current.get_mut(code) {
            Some((s, _)) if *s == status => {}
            Some(entry) => *entry = (status, at.to_string()),
            None => {
                self.current
                    .insert(code.to_string(), (status, at.to_string()));
            }
        }
    }

    fn into_map(self) -> HashMap<String, String> {
        self.current.into_iter().map(|(k, (_, t))| (k, t)).collect()
    }
}

/// A feature's replayed state: the order it first appeared in, its last whole state
/// as the log recorded it (JSON text, parsed only at the end), and the single-property
/// changes recorded after that state.
struct Replayed {
    first: u64,
    state: String,
    changes: Map<String, Value>,
}

async fn gather_as_of(
    store: &dyn Store,
    scope: &Scope,
    until: &str,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<Input, StoreError> {
    // Replay: each feature's last recorded state at `until`.
    let mut states: HashMap<(Collection, String), Replayed> = HashMap::new();
    let mut since = StatusSince::default();
    let mut order = 0u64;
    let mut read = 0u64;
    store
        .scan_event_states(until, &mut |e| {
            read += 1;
            if read.is_multiple_of(50_000) {
                progress(read, 0);
            }
            let (Some(c), Some(code)) = (&e.collection, e.feature_code) else {
                return;
            };
            let Ok(c) = c.parse::<Collection>() else {
                return;
            };
            let key = (c, code);
            if crate::domain::feature::removes_feature(&e.action) {
                states.remove(&key);
                return;
            }
            let Some(text) = e.after else {
                return;
            };
            // Whole states are kept as text; only single-property changes are parsed.
            let whole = text.contains("\"geometry\"");
            if c == Collection::Parcels || !whole {
                let Ok(after) = serde_json::from_str::<Value>(&text) else {
                    return;
                };
                if c == Collection::Parcels {
                    since.note(&key.1, &after, &e.occurred_at);
                }
                if !whole {
                    if let (Some(entry), Some(p)) = (
                        states.get_mut(&key),
                        after.get("properties").and_then(Value::as_object),
                    ) {
                        for (k, v) in p {
                            entry.changes.insert(k.clone(), v.clone());
                        }
                    }
                    return;
                }
            }
            order += 1;
            let first = states.get(&key).map_or(order, |s| s.first);
            states.insert(
                key,
                Replayed {
                    first,
                    state: text,
                    changes: Map::new(),
                },
            );
        })
        .await?;
    progress(read, read);
    let mut by_collection: HashMap<Collection, Vec<(u64, String, Replayed)>> = HashMap::new();
    for ((c, code), r) in states {
        by_collection.entry(c).or_default().push((r.first, code, r));
    }
    let records =
        |c: Collection, by_collection: &mut HashMap<Collection, Vec<(u64, String, Replayed)>>| {
            let mut list = by_collection.remove(&c).unwrap_or_default();
            list.sort_by_key(|(first, _, _)| *first);
            list.into_iter().filter_map(|(first, code, r)| {
                let v: Value = serde_json::from_str(&r.state).ok()?;
                let mut properties = v.get("properties")?.as_object()?.clone();
                properties.extend(r.changes);
                let g: geojson::Geometry =
                    serde_json::from_value(v.get("geometry")?.clone()).ok()?;
                let geometry = Geometry::<f64>::try_from(g).ok()?;
                Some(FeatureRecord {
                    id: first as i64,
                    code,
                    properties,
                    geometry,
                })
            })
        };
    let schools: Vec<FeatureRecord> = records(Collection::Schools, &mut by_collection).collect();
    let mut sink = ParcelSink::new(scope, &schools);
    for r in records(Collection::Parcels, &mut by_collection) {
        sink.push(&r);
    }
    let cases = records(Collection::Reallocations, &mut by_collection)
        .filter_map(|r| CaseRow::from_record(&r))
        .collect();
    let projects = records(Collection::Projects, &mut by_collection).collect();
    let zones = records(Collection::Zones, &mut by_collection).collect();
    let roads = records(Collection::Roads, &mut by_collection).collect();
    let in_scope: HashSet<&str> = sink.rows.iter().map(|p| &*p.code).collect();
    let status_since = since
        .into_map()
        .into_iter()
        .filter(|(code, _)| in_scope.contains(code.as_str()))
        .collect();
    Ok(Input {
        as_of: Some(until.to_string()),
        parcels: sink.rows,
        grid: sink.grid,
        cases,
        schools,
        projects,
        zones,
        roads,
        status_since,
    })
}
