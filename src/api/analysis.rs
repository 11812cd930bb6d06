//! Spatial questions planners ask on a map click, answered from the R-trees with
//! geodesic distances: nearest schools, school coverage gaps, what a project overlaps,
//! and what lies within a distance of a street.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use geo::{Geometry, Intersects, Point};
use serde_json::{json, Value};

use super::{params, ApiError, AppState};
use crate::domain::projects::Level;
use crate::domain::{landuse, AreaMeasure, Collection};
use crate::index::analysis::Near;
use crate::index::{IndexedFeature, Query};

type Pairs = Vec<(String, String)>;

fn get<'a>(pairs: &'a Pairs, k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

fn number(pairs: &Pairs, k: &str, default: f64, max: f64) -> Result<f64, ApiError> {
    match get(pairs, k) {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0 && *x <= max)
            .ok_or_else(|| {
                ApiError::BadRequest(format!("{k}={v} is not a number from 0 to {max}"))
            }),
    }
}

/// The origin of a question: `point=lon,lat`, or a feature (`parcel=`, `project=`,
/// `school=`, `road=` by code or, for roads, by name).
fn origin(state: &AppState, pairs: &Pairs) -> Result<(Geometry<f64>, String), ApiError> {
    if let Some(p) = get(pairs, "point") {
        let nums: Vec<f64> = p.split(',').filter_map(|s| s.trim().parse().ok()).collect();
        return match nums.as_slice() {
            [lon, lat] if (-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat) => {
                Ok((Point::new(*lon, *lat).into(), format!("point {lon},{lat}")))
            }
            _ => Err(ApiError::BadRequest(format!(
                "point={p} is not lon,lat in CRS84, e.g. point=125.403,43.862"
            ))),
        };
    }
    for (key, c) in [
        ("parcel", Collection::Parcels),
        ("project", Collection::Projects),
        ("school", Collection::Schools),
        ("road", Collection::Roads),
    ] {
        let Some(code) = get(pairs, key) else {
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

fn summary(n: &Near) -> Value {
    let f = &n.feature;
    let p = f.properties();
    json!({"id": f.code, "distance_m": (n.distance_m * 100.0).round() / 100.0,
           "name": p.get("name"), "level": p.get("level"), "status": p.get("status"),
           "kind": p.get("kind"), "land_use": p.get("land_use"), "area_m2": p.get("area_m2")})
}

/// `GET /analysis/nearest-schools?point=lon,lat|parcel=ID&k=3&level=primary`
pub async fn nearest_schools(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(
        &pairs,
        &[
            "point", "parcel", "project", "school", "road", "k", "level", "max_m",
        ],
    )?;
    let (geometry, from) = origin(&state, &pairs)?;
    let k = number(&pairs, "k", 3.0, 100.0)? as usize;
    let level = get(&pairs, "level")
        .map(Level::parse)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let max = get(&pairs, "max_m")
        .map(|_| number(&pairs, "max_m", 0.0, 100_000.0))
        .transpose()?;
    let keep = |f: &IndexedFeature| {
        level.is_none_or(|l| l.served_by(f.properties().get("level").and_then(Value::as_str)))
    };
    let found = state
        .index
        .read(Collection::Schools)
        .nearest(&geometry, k.max(1), max, &keep);
    Ok(
        axum::Json(json!({"from": from, "schools": found.iter().map(summary).collect::<Vec<_>>()}))
            .into_response(),
    )
}

/// `GET /analysis/coverage-gaps?level=primary|middle&radius=500&planned=true`: residential
/// parcels farther than the radius from every school serving the level.
pub async fn coverage_gaps(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(&pairs, &["level", "radius", "planned", "zone", "limit"])?;
    let limit = number(&pairs, "limit", 1000.0, 1_000_000.0)? as usize;
    let level =
        Level::parse(get(&pairs, "level").unwrap_or("primary")).map_err(ApiError::BadRequest)?;
    let radius = number(&pairs, "radius", level.radius_m(), 20_000.0)?;
    let with_planned = match get(&pairs, "planned") {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => {
            return Err(ApiError::BadRequest(format!(
                "planned={v} is not true or false"
            )))
        }
    };
    // Residential land of either code system (R, R1 … and 0701), from the index's
    // filter values rather than each parcel's JSON.
    let residential: Vec<String> = landuse::matching_codes("R")
        .unwrap_or_default()
        .into_iter()
        .map(str::to_string)
        .collect();
    let mut filters = vec![("land_use".to_string(), residential)];
    if let Some(z) = get(&pairs, "zone") {
        filters.push(("zone".to_string(), vec![z.to_string()]));
    }
    let parcels: Vec<Arc<IndexedFeature>> = state
        .index
        .read(Collection::Parcels)
        .query(&Query {
            filters,
            limit: usize::MAX,
            ..Query::default()
        })
        .features;
    let schools = state.index.read(Collection::Schools);
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
    let index = state.index.read(Collection::Parcels);
    let (checked, mut gaps, mut listed, mut area) = (parcels.len(), 0usize, Vec::new(), 0.0);
    for f in &parcels {
        if schools.within(&f.geometry, radius, &keep).is_empty() {
            gaps += 1;
            area += f.area_m2;
            if listed.len() < limit {
                listed.push(json!({"id": f.code, "zone": f.filter_value(&index, "zone"),
                    "subdistrict": f.filter_value(&index, "subdistrict"),
                    "land_use": f.filter_value(&index, "land_use"), "area_m2": f.area_m2}));
            }
        }
    }
    Ok(axum::Json(json!({
        "level": match level { Level::Primary => "primary", Level::Middle => "middle" },
        "radius_m": radius,
        "schools_counted": if with_planned { "completed and planned" } else { "completed" },
        "residential_parcels": checked,
        "gaps": gaps,
        "gap_area": AreaMeasure::from_m2(area),
        "listed": listed.len(),
        "parcels": listed,
    }))
    .into_response())
}

/// `GET /analysis/overlaps?project=ID|school=ID`: reserved parcels and other projects the
/// project's geometry meets.
pub async fn overlaps(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(&pairs, &["project", "school"])?;
    if get(&pairs, "project").is_none() && get(&pairs, "school").is_none() {
        return Err(ApiError::BadRequest(
            "name the project (project=) or school (school=)".into(),
        ));
    }
    let (geometry, from) = origin(&state, &pairs)?;
    let own = from
        .split_once(' ')
        .map(|(_, c)| c.to_string())
        .unwrap_or_default();
    let meets = |c: Collection, keep: &dyn Fn(&IndexedFeature) -> bool| -> Vec<Value> {
        state
            .index
            .read(c)
            .within(&geometry, 0.0, keep)
            .iter()
            .filter(|n| *n.feature.code != *own && n.feature.geometry.intersects(&geometry))
            .map(summary)
            .collect()
    };
    let reserved = |f: &IndexedFeature| {
        f.properties().get("status").and_then(Value::as_str) == Some("reserved")
    };
    Ok(axum::Json(json!({
        "from": from,
        "reserved_parcels": meets(Collection::Parcels, &reserved),
        "projects": meets(Collection::Projects, &|_| true),
        "schools": meets(Collection::Schools, &|_| true),
    }))
    .into_response())
}

/// `GET /analysis/within?road=NAME|project=ID|parcel=ID|point=lon,lat&distance=100&collection=parcels`
pub async fn within(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = params::pairs(raw.as_deref())?;
    params::reject_unknown(
        &pairs,
        &[
            "point",
            "parcel",
            "project",
            "school",
            "road",
            "distance",
            "collection",
            "limit",
        ],
    )?;
    let (geometry, from) = origin(&state, &pairs)?;
    let distance = number(&pairs, "distance", 100.0, 20_000.0)?;
    let c: Collection = get(&pairs, "collection")
        .unwrap_or("parcels")
        .parse()
        .map_err(ApiError::BadRequest)?;
    let limit = number(&pairs, "limit", 1000.0, 10_000.0)? as usize;
    let found = state.index.read(c).within(&geometry, distance, &|_| true);
    let area: f64 = found
        .iter()
        .filter_map(|n| {
            n.feature
                .properties()
                .get("area_m2")
                .and_then(Value::as_f64)
        })
        .sum();
    Ok(axum::Json(json!({
        "from": from, "distance_m": distance, "collection": c.id(), "matched": found.len(),
        "area": AreaMeasure::from_m2(area),
        "features": found.iter().take(limit).map(summary).collect::<Vec<_>>(),
    }))
    .into_response())
}
