//! Spatial questions planners ask on a map click, answered from the R-trees with
//! geodesic distances: nearest schools, school coverage gaps, what a project overlaps,
//! and what lies within a distance of a street.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use geo::{Geometry, Intersects, Point};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::params::values::{Flag, LonLat, Number, Whole};
use super::params::Params;
use super::schemas::{text, Found, GapParcel, Gaps, NearestSchools, Overlaps, Within};
use super::{ApiError, AppState};
use crate::domain::projects::Level;
use crate::domain::{AreaMeasure, Collection};
use crate::index::analysis::Near;
use crate::index::filter::Filter;
use crate::index::{IndexedFeature, Query};

/// Where a question is measured from: a point, or a feature by code (roads also by name).
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct Origin {
    /// A position lon,lat in CRS84, e.g. 125.403,43.862.
    pub point: Option<LonLat>,
    /// A parcel code.
    pub parcel: Option<String>,
    /// A project id.
    pub project: Option<String>,
    /// A school id.
    pub school: Option<String>,
    /// A road code or name (深圳街).
    pub road: Option<String>,
}

/// A number from 0 to `max`, or `default` when absent.
fn bounded(v: Option<Number>, name: &str, default: f64, max: f64) -> Result<f64, ApiError> {
    match v {
        None => Ok(default),
        Some(Number(x)) if (0.0..=max).contains(&x) => Ok(x),
        Some(Number(x)) => Err(ApiError::BadRequest(format!(
            "parameter {name}={x} is refused: expected a number from 0 to {max}"
        ))),
    }
}

/// A count from 1 to `max`, or `default` when absent.
fn count(v: Option<Whole>, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
    match v {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n.count()) => Ok(n.count()),
        Some(n) => Err(ApiError::BadRequest(format!(
            "parameter {name}={} is refused: expected a whole number from 1 to {max}",
            n.0
        ))),
    }
}

/// The origin's geometry and a label for it.
fn origin(state: &AppState, o: &Origin) -> Result<(Geometry<f64>, String), ApiError> {
    let named = [
        ("parcel", Collection::Parcels, &o.parcel),
        ("project", Collection::Projects, &o.project),
        ("school", Collection::Schools, &o.school),
        ("road", Collection::Roads, &o.road),
    ];
    let given =
        usize::from(o.point.is_some()) + named.iter().filter(|(_, _, v)| v.is_some()).count();
    if given > 1 {
        return Err(ApiError::BadRequest(
            "name one place to measure from: point=, parcel=, project=, school= or road=, not several".into(),
        ));
    }
    if let Some(p) = o.point {
        return Ok((
            Point::new(p.lon, p.lat).into(),
            format!("point {},{}", p.lon, p.lat),
        ));
    }
    for (key, c, code) in named {
        let Some(code) = code else {
            continue;
        };
        let idx = state.index.read(c);
        let found = idx.get(code).or_else(|| {
            (c == Collection::Roads)
                .then(|| {
                    idx.all()
                        .iter()
                        .find(|f| f.properties().get("name").and_then(Value::as_str) == Some(code))
                        .cloned()
                })
                .flatten()
        });
        return found
            .map(|f| (f.geometry.clone(), format!("{key} {}", f.code)))
            .ok_or_else(|| ApiError::NotFound(format!("there is no {key} {code}")));
    }
    Err(ApiError::BadRequest(
        "name where to measure from: point=lon,lat, parcel=, project=, school= or road= (code or name)".into(),
    ))
}

fn found(n: &Near) -> Found {
    let f = &n.feature;
    let p = f.properties();
    Found {
        id: f.code.to_string(),
        distance_m: (n.distance_m * 100.0).round() / 100.0,
        name: text(&p, "name"),
        level: text(&p, "level"),
        status: text(&p, "status"),
        kind: text(&p, "kind"),
        land_use: text(&p, "land_use"),
        area_m2: p.get("area_m2").and_then(Value::as_f64),
    }
}

fn level_of(v: Option<&str>) -> Result<Option<Level>, ApiError> {
    v.map(Level::parse)
        .transpose()
        .map_err(ApiError::BadRequest)
}

/// The query of `/analysis/nearest-schools`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NearestQuery {
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub origin: Origin,
    /// How many schools, 1 to 100 (default 3).
    pub k: Option<Whole>,
    /// primary or middle: only schools serving that level.
    pub level: Option<String>,
    /// Only schools within this many metres (0 to 100,000).
    pub max_m: Option<Number>,
}

/// `GET /analysis/nearest-schools?point=lon,lat|parcel=ID&k=3&level=primary`
pub async fn nearest_schools(
    State(state): State<AppState>,
    Params(q): Params<NearestQuery>,
) -> Result<Json<NearestSchools>, ApiError> {
    let (geometry, from) = origin(&state, &q.origin)?;
    let k = count(q.k, "k", 3, 100)?;
    let level = level_of(q.level.as_deref())?;
    let max = q
        .max_m
        .map(|m| bounded(Some(m), "max_m", 0.0, 100_000.0))
        .transpose()?;
    let keep = |f: &IndexedFeature| {
        level.is_none_or(|l| l.served_by(f.properties().get("level").and_then(Value::as_str)))
    };
    let near = state
        .index
        .read(Collection::Schools)
        .nearest(&geometry, k, max, &keep);
    Ok(Json(NearestSchools {
        from,
        schools: near.iter().map(found).collect(),
    }))
}

/// The query of `/analysis/coverage-gaps`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuery {
    /// primary (default) or middle.
    pub level: Option<String>,
    /// Service radius, metres (default 500 for primary, 1,000 for middle; at most 20,000).
    pub radius: Option<Number>,
    /// Whether planned schools count as serving (default false).
    pub planned: Option<Flag>,
    /// Only parcels of this zone (south, north, bonded).
    pub zone: Option<String>,
    /// Parcels to list, 1 to 1,000,000 (default 1,000).
    pub limit: Option<Whole>,
}

/// `GET /analysis/coverage-gaps?level=primary|middle&radius=500&planned=true`: residential
/// parcels farther than the radius from every school serving the level.
pub async fn coverage_gaps(
    State(state): State<AppState>,
    Params(q): Params<CoverageQuery>,
) -> Result<Json<Gaps>, ApiError> {
    let limit = count(q.limit, "limit", 1000, 1_000_000)?;
    let level = level_of(q.level.as_deref())?.unwrap_or(Level::Primary);
    let radius = bounded(q.radius, "radius", level.radius_m(), 20_000.0)?;
    let with_planned = q.planned.unwrap_or_default().0;
    let zone = q.zone;
    let index = Arc::clone(&state.index);
    super::heavy::run(&state, move || {
        coverage(&index, level, radius, with_planned, zone.as_deref(), limit)
    })
    .await
    .map(Json)
}

/// The coverage question on the index (CPU-bound: run off the async workers).
fn coverage(
    index: &crate::index::Index,
    level: Level,
    radius: f64,
    with_planned: bool,
    zone: Option<&str>,
    limit: usize,
) -> Gaps {
    // Residential land of either code system (R, R1 … and 0701, by the crosswalk), from
    // the index's cells rather than each parcel's JSON.
    let parcel_index = index.read(Collection::Parcels);
    let schema = parcel_index.schema();
    let mut filters: Vec<Filter> = Filter::any_of(schema, "land_use", &["R"])
        .into_iter()
        .collect();
    if let Some(z) = zone {
        filters.extend(Filter::any_of(schema, "zone", &[z]));
    }
    let parcels = parcel_index
        .query(&Query {
            filter: Some(Arc::new(Filter::all(filters))),
            limit: usize::MAX,
            ..Query::default()
        })
        .features;
    let schools = index.read(Collection::Schools);
    let serving: HashSet<Box<str>> = schools
        .all()
        .iter()
        .filter(|f| {
            let p = f.properties();
            level.served_by(p.get("level").and_then(Value::as_str))
                && (with_planned || p.get("status").and_then(Value::as_str) == Some("completed"))
        })
        .map(|f| f.code.clone())
        .collect();
    let keep = |f: &IndexedFeature| serving.contains(&f.code);
    let (mut gaps, mut listed, mut area) = (0usize, Vec::new(), 0.0);
    for f in &parcels {
        if schools.within(&f.geometry, radius, &keep).is_empty() {
            gaps += 1;
            area += f.area_m2;
            if listed.len() < limit {
                let value = |name| f.filter_value(&parcel_index, name).map(str::to_string);
                listed.push(GapParcel {
                    id: f.code.to_string(),
                    zone: value("zone"),
                    subdistrict: value("subdistrict"),
                    land_use: value("land_use"),
                    area_m2: f.area_m2,
                });
            }
        }
    }
    Gaps {
        level: match level {
            Level::Primary => "primary",
            Level::Middle => "middle",
        }
        .into(),
        radius_m: radius,
        schools_counted: if with_planned {
            "completed and planned"
        } else {
            "completed"
        }
        .into(),
        residential_parcels: parcels.len(),
        gaps,
        gap_area: AreaMeasure::from_m2(area),
        listed: listed.len(),
        parcels: listed,
    }
}

/// The query of `/analysis/overlaps`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlapsQuery {
    /// A project id.
    pub project: Option<String>,
    /// A school id.
    pub school: Option<String>,
}

/// `GET /analysis/overlaps?project=ID|school=ID`: reserved parcels and other projects the
/// project's geometry meets.
pub async fn overlaps(
    State(state): State<AppState>,
    Params(q): Params<OverlapsQuery>,
) -> Result<Json<Overlaps>, ApiError> {
    if q.project.is_none() && q.school.is_none() {
        return Err(ApiError::BadRequest(
            "name the project (project=) or school (school=)".into(),
        ));
    }
    let o = Origin {
        project: q.project,
        school: q.school,
        ..Origin::default()
    };
    let (geometry, from) = origin(&state, &o)?;
    let own = from
        .split_once(' ')
        .map(|(_, c)| c.to_string())
        .unwrap_or_default();
    let meets = |c: Collection, keep: &dyn Fn(&IndexedFeature) -> bool| -> Vec<Found> {
        state
            .index
            .read(c)
            .within(&geometry, 0.0, keep)
            .iter()
            .filter(|n| *n.feature.code != *own && n.feature.geometry.intersects(&geometry))
            .map(found)
            .collect()
    };
    let reserved = |f: &IndexedFeature| {
        f.properties().get("status").and_then(Value::as_str) == Some("reserved")
    };
    Ok(Json(Overlaps {
        from,
        reserved_parcels: meets(Collection::Parcels, &reserved),
        projects: meets(Collection::Projects, &|_| true),
        schools: meets(Collection::Schools, &|_| true),
    }))
}

/// The query of `/analysis/within`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct WithinQuery {
    #[serde(flatten)]
    #[allow(missing_docs)]
    pub origin: Origin,
    /// Geodesic distance, metres (default 100, at most 20,000).
    pub distance: Option<Number>,
    /// The collection to search (default parcels).
    pub collection: Option<String>,
    /// Features to list, 1 to 10,000 (default 1,000).
    pub limit: Option<Whole>,
}

/// `GET /analysis/within?road=NAME|project=ID|parcel=ID|point=lon,lat&distance=100&collection=parcels`
pub async fn within(
    State(state): State<AppState>,
    Params(q): Params<WithinQuery>,
) -> Result<Json<Within>, ApiError> {
    let (geometry, from) = origin(&state, &q.origin)?;
    let distance = bounded(q.distance, "distance", 100.0, 20_000.0)?;
    let c: Collection = q
        .collection
        .as_deref()
        .unwrap_or("parcels")
        .parse()
        .map_err(ApiError::BadRequest)?;
    let limit = count(q.limit, "limit", 1000, 10_000)?;
    let near = state.index.read(c).within(&geometry, distance, &|_| true);
    let area: f64 = near
        .iter()
        .filter_map(|n| {
            n.feature
                .properties()
                .get("area_m2")
                .and_then(Value::as_f64)
        })
        .sum();
    Ok(Json(Within {
        from,
        distance_m: distance,
        collection: c.id().to_string(),
        matched: near.len(),
        area: AreaMeasure::from_m2(area),
        features: near.iter().take(limit).map(found).collect(),
    }))
}
