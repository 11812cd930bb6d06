//! The priority of reserve candidates (收储候选地块优先级): which zombie, idle and
//! D-grade land the land reserve should take in first. Plain rules over numbers; the
//! weights and thresholds come from `config/reserve_priority.toml` (documented there and
//! in docs/reports.md).

use serde::{Deserialize, Serialize};

use super::units::SQUARE_METRES_PER_MU as MU_M2;

/// The shipped configuration.
pub const DEFAULT_TOML: &str = include_str!("../../config/reserve_priority.toml");

/// Relative weights of the four factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// How badly the land is used.
    pub efficiency: f64,
    /// How much land the reserve gains.
    pub area: f64,
    /// On the service-industry corridors and nodes.
    pub location: f64,
    /// A planned school or project needs the land.
    pub conflict: f64,
}

/// Efficiency factor of each reason a parcel is listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Efficiency {
    /// 僵尸企业用地.
    pub zombie: f64,
    /// 闲置土地.
    pub idle: f64,
    /// Owner graded D.
    pub grade_d: f64,
}

/// Area factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Land (mu) at which the factor reaches 1.
    pub full_mu: f64,
}

/// A node of the service-industry layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Name for people.
    pub name: String,
    /// Longitude (CRS84).
    pub lon: f64,
    /// Latitude (CRS84).
    pub lat: f64,
}

/// Location factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Distance from a corridor road that scores 1, metres.
    pub corridor_m: f64,
    /// Distance from a node that scores 1, metres.
    pub node_m: f64,
    /// Corridor roads by name.
    pub corridors: Vec<String>,
    /// The nodes.
    pub nodes: Vec<Node>,
}

/// Conflict factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// Share of the parcel a project must cover to count.
    pub min_share: f64,
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityConfig {
    /// Weights.
    pub weights: Weights,
    /// Efficiency factors.
    pub efficiency: Efficiency,
    /// Area factor.
    pub area: Area,
    /// Location factor.
    pub location: Location,
    /// Conflict factor.
    pub conflict: Conflict,
}

impl Default for PriorityConfig {
    /// The shipped `config/reserve_priority.toml`.
    #[allow(
        clippy::expect_used,
        reason = "parses a file compiled into the binary, checked by a unit test; no input reaches it"
    )]
    fn default() -> Self {
        Self::from_toml(DEFAULT_TOML).expect("the shipped reserve_priority.toml is valid")
    }
}

impl PriorityConfig {
    /// Reads and checks a configuration; the error names the setting.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let c: Self = toml::from_str(text)
            .map_err(|e| format!("the reserve priority configuration cannot be read: {e}"))?;
        let w = &c.weights;
        for (name, v) in [
            ("weights.efficiency", w.efficiency),
            ("weights.area", w.area),
            ("weights.location", w.location),
            ("weights.conflict", w.conflict),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{name} is {v}; weights are zero or more"));
            }
        }
        if w.efficiency + w.area + w.location + w.conflict <= 0.0 {
            return Err("every weight is zero; give at least one factor a weight".into());
        }
        for (name, v) in [
            ("efficiency.zombie", c.efficiency.zombie),
            ("efficiency.idle", c.efficiency.idle),
            ("efficiency.grade_d", c.efficiency.grade_d),
            ("conflict.min_share", c.conflict.min_share),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} is {v}; it must lie between 0 and 1"));
            }
        }
        for (name, v) in [
            ("area.full_mu", c.area.full_mu),
            ("location.corridor_m", c.location.corridor_m),
            ("location.node_m", c.location.node_m),
        ] {
            if !v.is_finite() || v <= 0.0 {
                return Err(format!("{name} is {v}; it must be more than 0"));
            }
        }
        Ok(c)
    }
}

/// Why a parcel is a reserve candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The firm has stopped operating (僵尸企业).
    Zombie,
    /// The land is idle (闲置).
    Idle,
    /// The owner is graded D (亩均效益 D 类).
    GradeD,
}

impl Reason {
    /// The reason in the report's words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Zombie => "zombie firm's land 僵尸企业用地",
            Self::Idle => "idle land 闲置土地",
            Self::GradeD => "owner graded D 亩均效益D类",
        }
    }
}

/// The reasons a parcel with this status and grade is a candidate (empty: it is not).
/// Land already reserved, being vacated, supplied or redeveloped is never a candidate.
pub fn reasons(status: Option<&str>, grade: Option<&str>) -> Vec<Reason> {
    let mut out = Vec::new();
    match status {
        Some("zombie") => out.push(Reason::Zombie),
        Some("idle") => out.push(Reason::Idle),
        Some("active" | "expanding") => {}
        _ => return out,
    }
    if grade == Some("D") {
        out.push(Reason::GradeD);
    }
    out
}

/// What the priority of a candidate is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateFacts {
    /// Why it is listed (not empty).
    pub reasons: Vec<Reason>,
    /// Geodesic area, m².
    pub area_m2: f64,
    /// Distance from the nearest corridor road, metres (`None`: no corridor road known).
    pub corridor_m: Option<f64>,
    /// Distance from the nearest node, metres.
    pub node_m: Option<f64>,
    /// Whether a planned school or project needs the land.
    pub conflict: bool,
}

/// The four factors and the priority (0–100).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Priority {
    /// Efficiency factor.
    pub efficiency: f64,
    /// Area factor.
    pub area: f64,
    /// Location factor.
    pub location: f64,
    /// Conflict factor.
    pub conflict: f64,
    /// 100 × Σ weight × factor / Σ weight, rounded to 0.1.
    pub score: f64,
}

/// The priority of one candidate.
pub fn priority(c: &PriorityConfig, f: &CandidateFacts) -> Priority {
    let efficiency = f
        .reasons
        .iter()
        .map(|r| match r {
            Reason::Zombie => c.efficiency.zombie,
            Reason::Idle => c.efficiency.idle,
            Reason::GradeD => c.efficiency.grade_d,
        })
        .fold(0.0, f64::max);
    // Rounded to 1e-6 so that figures typed by people (25 mu of 50) give round factors.
    let area = ((f.area_m2 / MU_M2 / c.area.full_mu).clamp(0.0, 1.0) * 1e6).round() / 1e6;
    let near = |d: Option<f64>, full: f64| match d {
        Some(d) if d <= full => 1.0,
        Some(d) if d <= 2.0 * full => 0.5,
        _ => 0.0,
    };
    let location = f64::max(
        near(f.corridor_m, c.location.corridor_m),
        near(f.node_m, c.location.node_m),
    );
    let conflict = if f.conflict { 1.0 } else { 0.0 };
    let w = &c.weights;
    let total = w.efficiency + w.area + w.location + w.conflict;
    let score = 100.0
        * (w.efficiency * efficiency
            + w.area * area
            + w.location * location
            + w.conflict * conflict)
        / total;
    Priority {
        efficiency,
        area,
        location,
        conflict,
        score: (score * 10.0).round() / 10.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(
        reasons: Vec<Reason>,
        mu: f64,
        corridor: Option<f64>,
        node: Option<f64>,
    ) -> CandidateFacts {
        CandidateFacts {
            reasons,
            area_m2: mu * MU_M2,
            corridor_m: corridor,
            node_m: node,
            conflict: false,
        }
    }

    #[test]
    fn shipped_file_reads() {
        let c = PriorityConfig::default();
        assert_eq!(c.weights.efficiency, 0.4);
        assert_eq!(c.location.corridors.len(), 4);
        assert_eq!(c.location.nodes.len(), 3);
    }

    #[test]
    fn reasons_follow_status_and_grade() {
        assert_eq!(
            reasons(Some("zombie"), Some("D")),
            vec![Reason::Zombie, Reason::GradeD]
        );
        assert_eq!(reasons(Some("idle"), None), vec![Reason::Idle]);
        assert_eq!(reasons(Some("active"), Some("D")), vec![Reason::GradeD]);
        assert!(reasons(Some("active"), Some("C")).is_empty());
        assert!(reasons(Some("reserved"), Some("D")).is_empty());
        assert!(reasons(Some("relocating"), None).is_empty());
        assert!(reasons(None, Some("D")).is_empty());
    }

    #[test]
    fn priority_by_hand() {
        let c = PriorityConfig::default();
        // Zombie, 25 mu, 120 m from a corridor: 100 × (0.4×1 + 0.2×0.5 + 0.3×1 + 0) / 1.0 = 80.
        let p = priority(
            &c,
            &facts(vec![Reason::Zombie], 25.0, Some(120.0), Some(2_000.0)),
        );
        assert_eq!(
            (p.efficiency, p.area, p.location, p.score),
            (1.0, 0.5, 1.0, 80.0)
        );
        // Idle, 100 mu (capped at 1), 450 m from a corridor (0.5), 1,700 m from a node (0):
        // 100 × (0.4×0.8 + 0.2×1 + 0.3×0.5) = 67.
        let p = priority(
            &c,
            &facts(vec![Reason::Idle], 100.0, Some(450.0), Some(1_700.0)),
        );
        assert_eq!(p.score, 67.0);
        // D-grade, 10 mu, far from everything, but a planned school needs it:
        // 100 × (0.4×0.6 + 0.2×0.2 + 0 + 0.1×1) = 38.
        let mut f = facts(vec![Reason::GradeD], 10.0, Some(5_000.0), None);
        f.conflict = true;
        assert_eq!(priority(&c, &f).score, 38.0);
        // Zombie and D: the higher factor counts.
        let p = priority(
            &c,
            &facts(vec![Reason::GradeD, Reason::Zombie], 0.0, None, Some(700.0)),
        );
        assert_eq!((p.efficiency, p.location, p.score), (1.0, 1.0, 70.0));
    }

    #[test]
    fn bad_settings_are_named() {
        let bad = DEFAULT_TOML.replace("efficiency = 0.4", "efficiency = -1");
        let e = PriorityConfig::from_toml(&bad).unwrap_err();
        assert!(e.contains("weights.efficiency is -1"), "{e}");
        let bad = DEFAULT_TOML.replace("full_mu = 50.0", "full_mu = 0.0");
        assert!(PriorityConfig::from_toml(&bad)
            .unwrap_err()
            .contains("area.full_mu is 0"));
        let bad = DEFAULT_TOML.replace("idle = 0.8", "idle = 1.5");
        assert!(PriorityConfig::from_toml(&bad)
            .unwrap_err()
            .contains("efficiency.idle is 1.5"));
        let bad = DEFAULT_TOML.replace("[area]", "[area]\nmax_mu = 3");
        assert!(PriorityConfig::from_toml(&bad)
            .unwrap_err()
            .contains("max_mu"));
    }
}
