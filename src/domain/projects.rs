//! Public projects (schools, street and quarter renovation, greening, lighting,
//! landscaping): the geometry each kind needs, the programme's targets as data and the
//! progress against them, and which schools serve which level.

use std::collections::BTreeMap;

use geo::Geometry;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::Collection;

/// Checks that a project's geometry suits its kind: streets and lighting run along
/// roads (lines); quarters, greening and landscaping are areas.
pub fn check_geometry(kind: Option<&str>, g: &Geometry<f64>) -> Result<(), String> {
    let line = matches!(g, Geometry::LineString(_) | Geometry::MultiLineString(_));
    match kind {
        Some(k @ ("street_renovation" | "lighting")) if !line => Err(format!(
            "is a {k} project with an area geometry; a {k} project is a LineString along the road"
        )),
        Some(k @ ("quarter_renovation" | "greening" | "landscaping")) if line => Err(format!(
            "is a {k} project with a line geometry; a {k} project is a Polygon or MultiPolygon"
        )),
        _ => Ok(()),
    }
}

/// A value a target's filter accepts: one or several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Accept {
    /// This value.
    One(String),
    /// Any of these.
    Any(Vec<String>),
}

impl Accept {
    fn accepts(&self, v: Option<&str>) -> bool {
        match (self, v) {
            (Self::One(a), Some(v)) => a == v,
            (Self::Any(list), Some(v)) => list.iter().any(|a| a == v),
            _ => false,
        }
    }
}

/// One target of the programme (`geodata/targets.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Identifier.
    pub id: String,
    /// Title for people.
    pub title: String,
    /// `schools` or `projects`.
    pub collection: String,
    /// Property filters the counted features must pass.
    #[serde(rename = "where", default)]
    pub filter: BTreeMap<String, Accept>,
    /// `count`, or a numeric property summed (`area_m2`, `length_m`, `seats` …).
    pub measure: String,
    /// The target amount.
    pub target: f64,
    /// Unit of the amount.
    pub unit: String,
}

/// Progress against one target, from the projects as they stand.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Progress {
    /// Target id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Unit.
    pub unit: String,
    /// The target amount.
    pub target: f64,
    /// Amount of the matching projects still planned.
    pub planned: f64,
    /// Amount under construction.
    pub under_way: f64,
    /// Amount completed.
    pub completed: f64,
    /// All three.
    pub total: f64,
    /// Completed as a percentage of the target.
    pub completed_percent: f64,
    /// Codes of the projects counted.
    pub projects: Vec<String>,
}

/// Reads and checks the targets file; the error names the target.
pub fn parse_targets(text: &str) -> Result<Vec<Target>, String> {
    let list: Vec<Target> =
        serde_json::from_str(text).map_err(|e| format!("the targets cannot be read: {e}"))?;
    for t in &list {
        let c: Collection = t
            .collection
            .parse()
            .map_err(|e| format!("target {}: {e}", t.id))?;
        if !matches!(c, Collection::Schools | Collection::Projects) {
            return Err(format!(
                "target {} counts {}; targets count schools or projects",
                t.id, t.collection
            ));
        }
        if !t.target.is_finite() || t.target < 0.0 {
            return Err(format!("target {} has a negative or missing amount", t.id));
        }
    }
    Ok(list)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A feature as targets count it: its code and served properties.
pub type Counted<'a> = (&'a str, &'a Map<String, Value>);

/// Progress of each target over `features` (code and served properties of each feature
/// of the target's collection).
pub fn progress<'a>(
    targets: &[Target],
    features: &dyn Fn(&str) -> Vec<Counted<'a>>,
) -> Vec<Progress> {
    targets
        .iter()
        .map(|t| {
            let mut p = Progress {
                id: t.id.clone(),
                title: t.title.clone(),
                unit: t.unit.clone(),
                target: t.target,
                planned: 0.0,
                under_way: 0.0,
                completed: 0.0,
                total: 0.0,
                completed_percent: 0.0,
                projects: Vec::new(),
            };
            for (code, props) in features(&t.collection) {
                let text = |k: &str| props.get(k).and_then(Value::as_str);
                if !t.filter.iter().all(|(k, a)| a.accepts(text(k))) {
                    continue;
                }
                let amount = if t.measure == "count" {
                    1.0
                } else {
                    props.get(&t.measure).and_then(Value::as_f64).unwrap_or(0.0)
                };
                match text("status") {
                    Some("completed") => p.completed += amount,
                    Some("under_construction") => p.under_way += amount,
                    _ => p.planned += amount,
                }
                p.projects.push(code.to_string());
            }
            p.planned = round2(p.planned);
            p.under_way = round2(p.under_way);
            p.completed = round2(p.completed);
            p.total = round2(p.planned + p.under_way + p.completed);
            p.completed_percent = if t.target > 0.0 {
                round2(100.0 * p.completed / t.target)
            } else {
                0.0
            };
            p
        })
        .collect()
}

/// School levels of a coverage question and their service radii (GB 50180-2018 life
/// circles: primary school 500 m, middle school 1,000 m).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// 小学.
    Primary,
    /// 初中.
    Middle,
}

impl Level {
    /// Parses `primary` or `middle`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "primary" => Ok(Self::Primary),
            "middle" => Ok(Self::Middle),
            other => Err(format!(
                "level {other:?} is not a school level of the coverage analysis; use primary (500 m) or middle (1,000 m)"
            )),
        }
    }

    /// The service radius, metres.
    pub fn radius_m(self) -> f64 {
        match self {
            Self::Primary => 500.0,
            Self::Middle => 1000.0,
        }
    }

    /// Whether a school of `level` (its property) serves this level: a nine-year school
    /// serves both.
    pub fn served_by(self, level: Option<&str>) -> bool {
        matches!(
            (self, level),
            (_, Some("nine_year"))
                | (Self::Primary, Some("primary"))
                | (Self::Middle, Some("middle"))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        let Value::Object(map) = v else {
            panic!("not an object: {v}")
        };
        map
    }

    #[test]
    fn progress_sums_by_status_against_hand_computed_figures() {
        let targets = parse_targets(
            r#"[{"id": "seats", "title": "Seats", "collection": "schools", "where": {"kind": ["new", "expansion"]}, "measure": "seats", "target": 1000, "unit": "seats"},
                {"id": "new", "title": "New", "collection": "schools", "where": {"kind": "new"}, "measure": "count", "target": 2, "unit": "schools"},
                {"id": "green", "title": "Green", "collection": "projects", "where": {"kind": "greening"}, "measure": "area_m2", "target": 500, "unit": "m²"}]"#,
        )
        .unwrap();
        let schools = [
            (
                "S1",
                obj(json!({"kind": "new", "status": "completed", "seats": 400})),
            ),
            (
                "S2",
                obj(json!({"kind": "new", "status": "under_construction", "seats": 300})),
            ),
            (
                "S3",
                obj(json!({"kind": "expansion", "status": "planned", "seats": 150})),
            ),
            (
                "S4",
                obj(json!({"kind": "existing", "status": "completed", "seats": 900})),
            ),
        ];
        let projects = [
            (
                "G1",
                obj(json!({"kind": "greening", "status": "completed", "area_m2": 120.25})),
            ),
            (
                "G2",
                obj(json!({"kind": "greening", "status": "planned", "area_m2": 80.5})),
            ),
            (
                "L1",
                obj(json!({"kind": "lighting", "status": "completed", "length_m": 999.0})),
            ),
        ];
        let features = |c: &str| -> Vec<(&str, &Map<String, Value>)> {
            let list: &[(&str, Map<String, Value>)] =
                if c == "schools" { &schools } else { &projects };
            list.iter().map(|(c, p)| (*c, p)).collect()
        };
        let p = progress(&targets, &features);
        assert_eq!(
            (p[0].completed, p[0].under_way, p[0].planned, p[0].total),
            (400.0, 300.0, 150.0, 850.0)
        );
        assert_eq!(p[0].completed_percent, 40.0);
        assert_eq!(
            p[0].projects,
            ["S1", "S2", "S3"],
            "existing schools do not count"
        );
        assert_eq!(
            (p[1].completed, p[1].under_way, p[1].total),
            (1.0, 1.0, 2.0)
        );
        assert_eq!(
            (p[2].completed, p[2].planned, p[2].total),
            (120.25, 80.5, 200.75)
        );
        assert_eq!(p[2].completed_percent, 24.05);
    }

    #[test]
    fn bad_targets_are_named() {
        let e = parse_targets(r#"[{"id": "x", "title": "X", "collection": "parcels", "measure": "count", "target": 1, "unit": "u"}]"#).unwrap_err();
        assert!(e.contains("target x"), "{e}");
        assert!(parse_targets("[{}]").is_err());
    }

    #[test]
    fn kinds_need_their_geometry_and_nine_year_schools_serve_both_levels() {
        let line: Geometry<f64> =
            geo::LineString::from(vec![(125.4, 43.86), (125.41, 43.86)]).into();
        let area: Geometry<f64> = geo::Rect::new((125.4, 43.86), (125.41, 43.87))
            .to_polygon()
            .into();
        assert!(check_geometry(Some("street_renovation"), &line).is_ok());
        assert!(check_geometry(Some("street_renovation"), &area)
            .unwrap_err()
            .contains("LineString"));
        assert!(check_geometry(Some("greening"), &line)
            .unwrap_err()
            .contains("Polygon"));
        assert!(check_geometry(Some("greening"), &area).is_ok());
        assert!(Level::Primary.served_by(Some("nine_year")));
        assert!(Level::Middle.served_by(Some("middle")));
        assert!(!Level::Middle.served_by(Some("primary")));
        assert_eq!(Level::parse("middle").unwrap().radius_m(), 1000.0);
        assert!(Level::parse("high").is_err());
    }
}
