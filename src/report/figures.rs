//! The land-reserve report's figures, computed from an [`Input`]: the summary by zone,
//! the ranked reserve candidates, the reserve pool, the reallocation ledger and the
//! public services. Every total carries the parcel ids behind it.

use std::collections::{HashMap, HashSet};

use geo::{Area, BooleanOps, Contains, Geometry, MultiPolygon, Point};
use serde::Serialize;
use serde_json::Value;

use super::input::{CaseRow, Input, ParcelRow, Text};
use crate::domain::landuse;
use crate::domain::projects::{progress, Counted, Level, Progress, Target};
use crate::domain::reallocation::{expansion_totals, CaseKind, ExpansionTotals, ParcelRole, Stage};
use crate::domain::reserve_priority::{self, CandidateFacts, Priority, PriorityConfig};
use crate::domain::units::{round_to, AreaMeasure, SQUARE_METRES_PER_MU};
use crate::domain::Collection;
use crate::index::analysis::geodesic_distance;

/// The zones of the development zone, in report order, with their names.
pub const ZONES: [(&str, &str); 3] = [
    ("south", "南部建成区 southern built-up area"),
    ("north", "北区 northern zone"),
    ("bonded", "兴隆综合保税区 Xinglong bonded zone"),
];

/// A number of parcels, their land in three units, and their ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Group {
    /// How many parcels.
    pub parcels: usize,
    /// Their geodesic land.
    pub area: Land,
    /// The parcels behind the figure.
    pub parcel_ids: Vec<Text>,
}

/// Land in m², ha and mu, rounded for people (m² to 0.1, ha to 0.0001, mu to 0.01).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Land {
    /// Square metres.
    pub m2: f64,
    /// Hectares.
    pub ha: f64,
    /// Mu (亩).
    pub mu: f64,
}

impl Land {
    fn from_m2(m2: f64) -> Self {
        let a = AreaMeasure::from_m2(m2);
        Self {
            m2: round_to(a.m2, 1),
            ha: round_to(a.ha, 4),
            mu: round_to(a.mu, 2),
        }
    }
}

/// Adds parcels up into a [`Group`], keeping the unrounded sum until the end.
#[derive(Debug, Default)]
struct Tally {
    m2: f64,
    ids: Vec<Text>,
}

impl Tally {
    fn add(&mut self, p: &ParcelRow) {
        self.m2 += p.area_m2;
        self.ids.push(p.code.clone());
    }

    fn group(self) -> Group {
        Group {
            parcels: self.ids.len(),
            area: Land::from_m2(self.m2),
            parcel_ids: self.ids,
        }
    }
}

/// One zone's line of the summary.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ZoneSummary {
    /// `south`, `north`, `bonded` or `total`.
    pub zone: String,
    /// Name for people.
    pub name: String,
    /// All land in scope.
    pub land: Group,
    /// Land in the reserve now (status reserved).
    pub in_reserve: Group,
    /// Land being taken in: parcels of open reserve and relocation cases not yet reserved.
    pub being_taken_in: Group,
    /// Reserve candidates (zombie, idle, D-grade land in no open case).
    pub candidates: Group,
}

/// One reserve candidate.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Candidate {
    /// 1 = first to take in.
    pub rank: usize,
    /// Parcel id.
    pub parcel_id: Text,
    /// Zone.
    pub zone: Option<Text>,
    /// Sub-district.
    pub subdistrict: Option<Text>,
    /// Owner enterprise.
    pub owner: Option<Text>,
    /// Land-use code.
    pub land_use: Option<Text>,
    /// Its name (Chinese).
    pub land_use_name: Option<String>,
    /// Status.
    pub status: Option<Text>,
    /// Owner's grade.
    pub grade: Option<Text>,
    /// Land.
    pub area: Land,
    /// Tax per mu on the parcel, 万元.
    pub tax_per_mu: Option<f64>,
    /// Output value per mu on the parcel, 万元.
    pub output_per_mu: Option<f64>,
    /// The priority and its factors.
    pub priority: Priority,
    /// Why it is listed, in words.
    pub why: Vec<String>,
}

/// Reserve candidates: all of them ranked.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Candidates {
    /// Their total.
    pub total: Group,
    /// Ranked, highest priority first.
    pub ranked: Vec<Candidate>,
    /// Zombie, idle or D-grade land left out because an open case already holds it.
    pub in_open_cases: Group,
}

/// Stages of the reserve pool, in order.
pub const POOL_STAGES: [(&str, &str); 5] = [
    ("proposed", "拟收储 proposed"),
    ("approved", "已批准 approved"),
    ("vacating", "腾退中 vacating"),
    ("in_reserve", "已入库 in reserve"),
    ("supply_planned", "拟供应 supply planned"),
];

/// One cell of the reserve pool table.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PoolCell {
    /// Stage key of [`POOL_STAGES`].
    pub stage: String,
    /// Zone.
    pub zone: String,
    /// The land.
    pub land: Group,
}

/// One parcel of the reserve pool.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PoolParcel {
    /// Parcel id.
    pub parcel_id: Text,
    /// Zone.
    pub zone: Option<Text>,
    /// Stage key of [`POOL_STAGES`].
    pub stage: String,
    /// The case that holds it, if any.
    pub case: Option<String>,
    /// Land.
    pub area: Land,
    /// When it reached the stage (RFC 3339).
    pub since: Option<String>,
    /// Whole days in the stage at the report's date.
    pub days_in_stage: Option<i64>,
    /// What the land is planned for.
    pub planned_for: String,
}

/// The reserve pool.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Pool {
    /// Land by stage and zone.
    pub cells: Vec<PoolCell>,
    /// Every parcel, by stage then id.
    pub parcels: Vec<PoolParcel>,
    /// All of it.
    pub total: Group,
}

/// Land one kind of reallocation moved.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LedgerLine {
    /// What the line counts.
    pub key: String,
    /// For people.
    pub label: String,
    /// The cases behind it.
    pub cases: Vec<String>,
    /// The land.
    pub land: Group,
}

/// The reallocation ledger.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Ledger {
    /// Southern land vacated, northern land supplied to relocated firms, land
    /// redeveloped for services (one line per planned use).
    pub lines: Vec<LedgerLine>,
    /// Expansion in place.
    pub expansion: ExpansionTotals,
    /// The expansion cases counted.
    pub expansion_cases: Vec<String>,
}

/// School coverage of residential land at one level.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Coverage {
    /// `primary` or `middle`.
    pub level: String,
    /// Service radius, metres.
    pub radius_m: f64,
    /// Residential land in scope.
    pub residential: Group,
    /// Residential land beyond the radius of every completed school of the level.
    pub gaps: Group,
    /// Of those, land still beyond it once the planned schools are built.
    pub gaps_after_planned: Group,
}

/// Public services.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PublicServices {
    /// Progress against the programme's targets (zone-wide).
    pub targets: Vec<Progress>,
    /// School coverage gaps in scope.
    pub coverage: Vec<Coverage>,
}

/// The whole land-reserve report.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LandReserveReport {
    /// Title.
    pub title: String,
    /// The land covered, in words.
    pub scope: String,
    /// The date the data stood at (RFC 3339 UTC); `None`: when generated.
    pub as_of: Option<String>,
    /// When the report was generated (RFC 3339 UTC).
    pub generated_at: String,
    /// By zone, then the total.
    pub summary: Vec<ZoneSummary>,
    /// Reserve candidates.
    pub candidates: Candidates,
    /// The reserve pool.
    pub reserve_pool: Pool,
    /// The reallocation ledger.
    pub ledger: Ledger,
    /// Public services.
    pub public_services: PublicServices,
    /// The priority settings used.
    pub priority_config: PriorityConfig,
}

/// Computes the report.
pub fn compute(
    input: &Input,
    scope: String,
    generated_at: String,
    config: &PriorityConfig,
    targets: &[Target],
) -> LandReserveReport {
    let by_code: HashMap<&str, &ParcelRow> = input.parcels.iter().map(|p| (&*p.code, p)).collect();
    // Cases that touch land in scope.
    let cases: Vec<&CaseRow> = input
        .cases
        .iter()
        .filter(|c| {
            c.parcels
                .iter()
                .any(|(_, code)| by_code.contains_key(code.as_str()))
        })
        .collect();
    let in_open_case: HashMap<&str, &CaseRow> = cases
        .iter()
        .filter(|c| c.stage.is_open())
        .flat_map(|c| c.parcels.iter().map(move |(_, code)| (code.as_str(), *c)))
        .collect();
    let now = input.as_of.clone().unwrap_or_else(|| generated_at.clone());

    let candidates = candidates(input, &in_open_case, config);
    let pool = pool(input, &cases, &by_code, &now);
    let candidate_ids: HashSet<&str> = candidates.ranked.iter().map(|c| &*c.parcel_id).collect();
    let taken_in: HashSet<&str> = pool
        .parcels
        .iter()
        .filter(|p| matches!(p.stage.as_str(), "proposed" | "approved" | "vacating"))
        .map(|p| &*p.parcel_id)
        .collect();

    let mut summary = Vec::new();
    let mut totals: [Tally; 4] = Default::default();
    let known: Vec<&str> = ZONES.iter().map(|(z, _)| *z).collect();
    let unzoned = input
        .parcels
        .iter()
        .any(|p| !p.zone.as_deref().is_some_and(|z| known.contains(&z)));
    let lines = ZONES
        .iter()
        .copied()
        .chain(unzoned.then_some(("unzoned", "园区外 outside the three zones")));
    for (zone, name) in lines {
        let mut t: [Tally; 4] = Default::default();
        let in_line = |p: &&ParcelRow| match zone {
            "unzoned" => !p.zone.as_deref().is_some_and(|z| known.contains(&z)),
            z => p.zone.as_deref() == Some(z),
        };
        for p in input.parcels.iter().filter(in_line) {
            let flags = [
                true,
                p.status.as_deref() == Some("reserved"),
                taken_in.contains(&*p.code),
                candidate_ids.contains(&*p.code),
            ];
            for (i, on) in flags.into_iter().enumerate() {
                if on {
                    t[i].add(p);
                    totals[i].add(p);
                }
            }
        }
        summary.push(zone_line(zone, name, t));
    }
    summary.push(zone_line("total", "合计 total", totals));

    LandReserveReport {
        title: "土地储备决策报告 Land-reserve decision report".into(),
        scope,
        as_of: input.as_of.clone(),
        generated_at,
        summary,
        candidates,
        reserve_pool: pool,
        ledger: ledger(&cases, &by_code),
        public_services: PublicServices {
            targets: target_progress(input, targets),
            coverage: coverage(input),
        },
        priority_config: config.clone(),
    }
}

fn zone_line(zone: &str, name: &str, t: [Tally; 4]) -> ZoneSummary {
    let [land, in_reserve, being_taken_in, candidates] = t.map(Tally::group);
    ZoneSummary {
        zone: zone.into(),
        name: name.into(),
        land,
        in_reserve,
        being_taken_in,
        candidates,
    }
}

/// Ranks the zombie, idle and D-grade land that no open case holds.
fn candidates(
    input: &Input,
    in_open_case: &HashMap<&str, &CaseRow>,
    config: &PriorityConfig,
) -> Candidates {
    let corridors: Vec<(&str, &Geometry<f64>)> = input
        .roads
        .iter()
        .filter_map(|r| {
            let name = r.properties.get("name").and_then(Value::as_str)?;
            config
                .location
                .corridors
                .iter()
                .any(|c| c == name)
                .then_some((name, &r.geometry))
        })
        .collect();
    let node_points: Vec<Geometry<f64>> = config
        .location
        .nodes
        .iter()
        .map(|n| Point::new(n.lon, n.lat).into())
        .collect();
    let nodes: Vec<(&str, &Geometry<f64>)> = config
        .location
        .nodes
        .iter()
        .zip(&node_points)
        .map(|(n, g)| (n.name.as_str(), g))
        .collect();
    let needs = ProjectNeeds::new(input, config.conflict.min_share);
    let mut held = Tally::default();
    let mut listed: Vec<Candidate> = Vec::new();
    let mut total = Tally::default();
    for p in &input.parcels {
        let reasons = reserve_priority::reasons(p.status.as_deref(), p.grade.as_deref());
        if reasons.is_empty() {
            continue;
        }
        if in_open_case.contains_key(&*p.code) {
            held.add(p);
            continue;
        }
        total.add(p);
        let centre: Geometry<f64> = Point::new(p.centroid.0, p.centroid.1).into();
        let nearest = |list: &[(&str, &Geometry<f64>)]| -> Option<(String, f64)> {
            list.iter()
                .map(|(name, g)| (name.to_string(), geodesic_distance(&centre, g)))
                .min_by(|a, b| a.1.total_cmp(&b.1))
        };
        let corridor = nearest(&corridors);
        let node = nearest(&nodes);
        let conflicts = needs.on(p);
        let facts = CandidateFacts {
            reasons: reasons.clone(),
            area_m2: p.area_m2,
            corridor_m: corridor.as_ref().map(|c| c.1),
            node_m: node.as_ref().map(|n| n.1),
            conflict: !conflicts.is_empty(),
        };
        let priority = reserve_priority::priority(config, &facts);
        let mut why: Vec<String> = reasons.iter().map(|r| r.describe().to_string()).collect();
        for (what, near, full) in [
            ("corridor", &corridor, config.location.corridor_m),
            ("node", &node, config.location.node_m),
        ] {
            if let Some((name, d)) = near {
                if *d <= 2.0 * full {
                    why.push(format!("{d:.0} m from {what} {name}"));
                }
            }
        }
        for c in conflicts {
            why.push(format!("needed by {c}"));
        }
        let mu = p.area_m2 / SQUARE_METRES_PER_MU;
        let per_mu = |v: Option<f64>| v.filter(|_| mu > 0.0).map(|v| round_to(v / mu, 2));
        listed.push(Candidate {
            rank: 0,
            parcel_id: p.code.clone(),
            zone: p.zone.clone(),
            subdistrict: p.subdistrict.clone(),
            owner: p.owner.clone(),
            land_use: p.land_use.clone(),
            land_use_name: p
                .land_use
                .as_deref()
                .and_then(landuse::lookup)
                .map(|c| c.name_zh.to_string()),
            status: p.status.clone(),
            grade: p.grade.clone(),
            area: Land::from_m2(p.area_m2),
            tax_per_mu: per_mu(p.tax_wan),
            output_per_mu: per_mu(p.output_wan),
            priority,
            why,
        });
    }
    listed.sort_by(|a, b| {
        b.priority
            .score
            .total_cmp(&a.priority.score)
            .then(b.area.m2.total_cmp(&a.area.m2))
            .then(a.parcel_id.cmp(&b.parcel_id))
    });
    for (i, c) in listed.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    Candidates {
        total: total.group(),
        ranked: listed,
        in_open_cases: held.group(),
    }
}

/// Schools and projects not yet completed, and the land they need.
struct ProjectNeeds<'a> {
    list: Vec<(String, &'a Geometry<f64>, HashSet<&'a str>)>,
    min_share: f64,
}

impl<'a> ProjectNeeds<'a> {
    fn new(input: &'a Input, min_share: f64) -> Self {
        let mut list = Vec::new();
        for (c, records) in [
            (Collection::Schools, &input.schools),
            (Collection::Projects, &input.projects),
        ] {
            for r in records {
                let status = r.properties.get("status").and_then(Value::as_str);
                if !matches!(status, Some("planned" | "under_construction")) {
                    continue;
                }
                let name = r
                    .properties
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let listed: HashSet<&str> = r
                    .properties
                    .get("parcels")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                let what = match c {
                    Collection::Schools => "school",
                    _ => "project",
                };
                list.push((
                    format!(
                        "{status} {what} {} {name}",
                        r.code,
                        status = status.unwrap_or("")
                    ),
                    &r.geometry,
                    listed,
                ));
            }
        }
        Self { list, min_share }
    }

    /// The projects that need this parcel's land.
    fn on(&self, p: &ParcelRow) -> Vec<String> {
        self.list
            .iter()
            .filter(|(_, g, listed)| listed.contains(&*p.code) || self.covers(g, p))
            .map(|(name, _, _)| name.clone())
            .collect()
    }

    fn covers(&self, project: &Geometry<f64>, p: &ParcelRow) -> bool {
        let Some(project) = polygons(project) else {
            return false;
        };
        match p.geometry.as_deref().and_then(polygons) {
            Some(parcel) => {
                let whole = parcel.unsigned_area();
                whole > 0.0
                    && parcel.intersection(&project).unsigned_area() / whole > self.min_share
            }
            None => project.contains(&Point::new(p.centroid.0, p.centroid.1)),
        }
    }
}

fn polygons(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

/// Days between two RFC 3339 times.
fn days_between(from: &str, to: &str) -> Option<i64> {
    use time::format_description::well_known::Rfc3339;
    let a = time::OffsetDateTime::parse(from, &Rfc3339).ok()?;
    let b = time::OffsetDateTime::parse(to, &Rfc3339).ok()?;
    Some((b - a).whole_days())
}

/// Land being taken in, in the reserve, and planned for supply.
fn pool(input: &Input, cases: &[&CaseRow], by_code: &HashMap<&str, &ParcelRow>, now: &str) -> Pool {
    let mut entries: Vec<PoolParcel> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let entry = |p: &ParcelRow,
                 stage: &str,
                 case: Option<&CaseRow>,
                 since: Option<String>,
                 planned_for: String| {
        PoolParcel {
            parcel_id: p.code.clone(),
            zone: p.zone.clone(),
            stage: stage.into(),
            case: case.map(|c| c.code.clone()),
            area: Land::from_m2(p.area_m2),
            days_in_stage: since.as_deref().and_then(|s| days_between(s, now)),
            since,
            planned_for,
        }
    };
    // Planned supply: reserved land in an open redevelopment case before supply.
    let mut planned: HashMap<&str, &CaseRow> = HashMap::new();
    for c in cases {
        if c.kind == CaseKind::Redevelopment && matches!(c.stage, Stage::Proposed | Stage::Approved)
        {
            for (_, code) in &c.parcels {
                planned.insert(code.as_str(), c);
            }
        }
    }
    // Being taken in: the land of open reserve and relocation cases not yet in reserve.
    for c in cases {
        let stage = match (c.kind, c.stage) {
            (CaseKind::Reserve | CaseKind::Relocation, Stage::Proposed) => "proposed",
            (CaseKind::Reserve | CaseKind::Relocation, Stage::Approved) => "approved",
            (CaseKind::Reserve | CaseKind::Relocation, Stage::Vacating) => "vacating",
            _ => continue,
        };
        for (role, code) in &c.parcels {
            if *role == ParcelRole::Target {
                continue;
            }
            if let Some(p) = by_code.get(code.as_str()) {
                if p.status.as_deref() != Some("reserved") && seen.insert(&*p.code) {
                    let after = match c.kind {
                        CaseKind::Relocation => format!(
                            "vacated as {} moves north; to be supplied",
                            c.enterprise.as_deref().unwrap_or("the firm")
                        ),
                        _ => "taken into reserve; not yet planned 待规划".into(),
                    };
                    entries.push(entry(p, stage, Some(c), c.stage_since.clone(), after));
                }
            }
        }
    }
    for p in &input.parcels {
        if p.status.as_deref() != Some("reserved") || !seen.insert(&*p.code) {
            continue;
        }
        match planned.get(&*p.code) {
            Some(c) => {
                let use_name = c
                    .planned_use
                    .as_deref()
                    .and_then(landuse::lookup)
                    .map_or("", |l| l.name_zh);
                entries.push(entry(
                    p,
                    "supply_planned",
                    Some(c),
                    c.stage_since.clone(),
                    format!(
                        "{} {use_name} ({} {})",
                        c.planned_use.as_deref().unwrap_or("?"),
                        c.code,
                        c.stage
                    ),
                ));
            }
            None => entries.push(entry(
                p,
                "in_reserve",
                None,
                input.status_since.get(&*p.code).cloned(),
                "not yet planned 待规划".into(),
            )),
        }
    }
    let order = |s: &str| POOL_STAGES.iter().position(|(k, _)| *k == s).unwrap_or(9);
    entries.sort_by(|a, b| {
        order(&a.stage)
            .cmp(&order(&b.stage))
            .then(a.parcel_id.cmp(&b.parcel_id))
    });
    let mut cells = Vec::new();
    let mut total = Tally::default();
    for (stage, _) in POOL_STAGES {
        for (zone, _) in ZONES {
            let mut t = Tally::default();
            for e in entries
                .iter()
                .filter(|e| e.stage == stage && e.zone.as_deref() == Some(zone))
            {
                let p = by_code[&*e.parcel_id];
                t.add(p);
                total.add(p);
            }
            cells.push(PoolCell {
                stage: stage.into(),
                zone: zone.into(),
                land: t.group(),
            });
        }
    }
    Pool {
        cells,
        parcels: entries,
        total: total.group(),
    }
}

/// What the reallocations moved.
fn ledger(cases: &[&CaseRow], by_code: &HashMap<&str, &ParcelRow>) -> Ledger {
    let reached_reserve =
        |s: Stage| matches!(s, Stage::InReserve | Stage::Supplied | Stage::Completed);
    let supplied = |s: Stage| matches!(s, Stage::Supplied | Stage::Completed);
    let south = |code: &str| by_code.get(code).and_then(|p| p.zone.as_deref()) == Some("south");
    // Each line: which cases count, and which of their parcels.
    type Pick<'a> = Box<dyn Fn(&CaseRow, ParcelRole, &str) -> bool + 'a>;
    let mut specs: Vec<(String, String, Pick)> = vec![
        (
            "vacated_south_reserve".into(),
            "南部腾退收储 southern land vacated into the reserve (收储)".into(),
            Box::new(|c, r, code| {
                c.kind == CaseKind::Reserve
                    && reached_reserve(c.stage)
                    && r == ParcelRole::Subject
                    && south(code)
            }),
        ),
        (
            "vacated_south_relocation".into(),
            "南部搬迁腾退 southern land vacated by relocating firms (搬迁)".into(),
            Box::new(|c, r, code| {
                c.kind == CaseKind::Relocation
                    && reached_reserve(c.stage)
                    && r == ParcelRole::Source
                    && south(code)
            }),
        ),
        (
            "supplied_north_relocation".into(),
            "北区供应搬迁企业 northern land supplied to relocated firms".into(),
            Box::new(|c, r, _| {
                c.kind == CaseKind::Relocation && supplied(c.stage) && r == ParcelRole::Target
            }),
        ),
    ];
    // Land redeveloped for services, one line per planned use.
    let uses: std::collections::BTreeSet<String> = cases
        .iter()
        .filter(|c| c.kind == CaseKind::Redevelopment && supplied(c.stage))
        .map(|c| c.planned_use.clone().unwrap_or_default())
        .collect();
    for use_code in uses {
        let name = landuse::lookup(&use_code).map_or("", |l| l.name_zh);
        specs.push((
            format!("redeveloped_{use_code}"),
            format!("再开发供应 land redeveloped for services: {use_code} {name}"),
            Box::new(move |c, r, _| {
                c.kind == CaseKind::Redevelopment
                    && supplied(c.stage)
                    && r == ParcelRole::Subject
                    && c.planned_use.as_deref().unwrap_or("") == use_code
            }),
        ));
    }
    let lines = specs
        .into_iter()
        .map(|(key, label, pick)| {
            let mut t = Tally::default();
            let mut case_ids = Vec::new();
            for c in cases {
                let mut any = false;
                for (role, code) in &c.parcels {
                    if let Some(p) = by_code.get(code.as_str()).filter(|_| pick(c, *role, code)) {
                        t.add(p);
                        any = true;
                    }
                }
                if any {
                    case_ids.push(c.code.clone());
                }
            }
            LedgerLine {
                key,
                label,
                cases: case_ids,
                land: t.group(),
            }
        })
        .collect();
    let expansions: Vec<&&CaseRow> = cases
        .iter()
        .filter(|c| c.kind == CaseKind::Expansion && c.stage != Stage::Cancelled)
        .collect();
    Ledger {
        lines,
        expansion: expansion_totals(
            expansions
                .iter()
                .map(|c| (c.stage, c.planned_output_wan.unwrap_or(0.0))),
        ),
        expansion_cases: expansions.iter().map(|c| c.code.clone()).collect(),
    }
}

fn target_progress(input: &Input, targets: &[Target]) -> Vec<Progress> {
    let features = |collection: &str| -> Vec<Counted<'_>> {
        let list = match collection {
            "schools" => &input.schools,
            "projects" => &input.projects,
            _ => return Vec::new(),
        };
        list.iter()
            .map(|r| (r.code.as_str(), &r.properties))
            .collect()
    };
    progress(targets, &features)
}

/// Residential land in scope beyond each school level's radius.
fn coverage(input: &Input) -> Vec<Coverage> {
    let mut out = Vec::new();
    for (i, (level, name)) in [(Level::Primary, "primary"), (Level::Middle, "middle")]
        .into_iter()
        .enumerate()
    {
        let (mut all, mut gaps, mut after) = (Tally::default(), Tally::default(), Tally::default());
        for p in &input.parcels {
            // Tested while the parcel was read, on its whole geometry.
            let Some(cover) = p.school_cover else {
                continue;
            };
            all.add(p);
            if !cover.now[i] {
                gaps.add(p);
                if !cover.planned[i] {
                    after.add(p);
                }
            }
        }
        out.push(Coverage {
            level: name.into(),
            radius_m: level.radius_m(),
            residential: all.group(),
            gaps: gaps.group(),
            gaps_after_planned: after.group(),
        });
    }
    out
}
