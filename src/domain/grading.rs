//! Land-efficiency grading (亩均效益评价): each enterprise's tax and output per mu of the
//! land it uses are scored against the benchmarks of its zone, and the firms are graded
//! A/B/C/D under quotas.
//!
//! It sits between the store and the reports: the store gathers [`FirmFigures`] (the
//! firm's figures and the land of its parcels), [`grade`] turns them into
//! [`FirmGrade`]s, and the grade is served as a parcel property and feeds the reserve
//! candidates. The method and a worked example are in `docs/grading.md`; the defaults
//! ship in `config/grading.toml`. Nothing here does I/O beyond parsing a config string.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::collection::Collection;
use super::units::round_to;

/// The shipped configuration, `config/grading.toml`.
pub const DEFAULT_CONFIG_TOML: &str = include_str!("../../config/grading.toml");

/// The benchmark table used for firms whose zone has no table of its own.
const DEFAULT_TABLE: &str = "default";

/// An indicator a firm can be scored on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKey {
    /// Tax per mu of land (亩均税收), 万元/亩.
    TaxPerMu,
    /// Output value per mu of land (亩均产值), 万元/亩.
    OutputPerMu,
    /// Output value per employee (人均产值), 万元/人.
    OutputPerEmployee,
}

impl IndicatorKey {
    /// The key used in the config file and in [`FirmGrade::indicators`].
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaxPerMu => "tax_per_mu",
            Self::OutputPerMu => "output_per_mu",
            Self::OutputPerEmployee => "output_per_employee",
        }
    }

    /// The firm's value of this indicator, or what the firm lacks to compute it.
    fn value(self, firm: &FirmFigures) -> Result<f64, String> {
        match self {
            Self::TaxPerMu => Ok(figure(firm.tax_wan, "tax figure (tax_wan)")? / firm.land_mu),
            Self::OutputPerMu => Ok(figure(
                firm.output_value_wan,
                "output figure (output_value_wan)",
            )? / firm.land_mu),
            Self::OutputPerEmployee => {
                let output = figure(firm.output_value_wan, "output figure (output_value_wan)")?;
                match firm.employees {
                    Some(n) if n > 0 => Ok(output / n as f64),
                    _ => Err("no employee count (employees)".to_owned()),
                }
            }
        }
    }
}

/// A reported figure in 万元, or what is wrong with it.
fn figure(value: Option<f64>, what: &str) -> Result<f64, String> {
    match value {
        None => Err(format!("no {what}")),
        Some(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Some(v) => Err(format!("an invalid {what} of {v}")),
    }
}

/// One scored indicator and its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Which figure is scored.
    pub key: IndicatorKey,
    /// Relative weight (> 0); weights need not sum to 1.
    pub weight: f64,
    /// Title shown in reports.
    pub title: String,
}

/// How many firms may be graded A and must be graded D, and the score thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    /// At most this share of graded firms is A (0..1).
    pub a_max_share: f64,
    /// A firm needs at least this score to be A.
    pub a_min_score: f64,
    /// At least this share of graded firms is D (0..1), even when all scores are decent.
    pub d_min_share: f64,
    /// Every firm scoring below this is D.
    pub d_max_score: f64,
    /// A firm that is neither A nor D needs at least this score to be B; below it, C.
    pub b_min_score: f64,
}

/// The file as written, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGradingConfig {
    indicators: Vec<Indicator>,
    benchmarks: BTreeMap<String, BTreeMap<IndicatorKey, f64>>,
    cap: f64,
    quotas: Quotas,
}

/// A validated grading configuration (see `config/grading.toml`).
///
/// Built only through [`GradingConfig::from_toml`], deserialisation or
/// [`Default`], all of which validate, so every indicator has a default benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGradingConfig")]
pub struct GradingConfig {
    indicators: Vec<Indicator>,
    benchmarks: BTreeMap<String, BTreeMap<IndicatorKey, f64>>,
    cap: f64,
    quotas: Quotas,
}

impl Default for GradingConfig {
    /// The shipped `config/grading.toml` (a unit test checks that it parses).
    #[allow(
        clippy::expect_used,
        reason = "parses a file compiled into the binary, checked by a unit test; no input reaches it"
    )]
    fn default() -> Self {
        Self::from_toml(DEFAULT_CONFIG_TOML).expect("config/grading.toml is a valid grading config")
    }
}

impl GradingConfig {
    /// Parses and validates a config file; the error names the offending key.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let raw: RawGradingConfig =
            toml::from_str(text).map_err(|e| format!("grading config: {e}"))?;
        Self::try_from(raw).map_err(|e| format!("grading config: {e}"))
    }

    /// The scored indicators, in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The benchmark tables by zone code, plus `default`.
    pub fn benchmarks(&self) -> &BTreeMap<String, BTreeMap<IndicatorKey, f64>> {
        &self.benchmarks
    }

    /// The cap on a normalised indicator (value / benchmark).
    pub fn cap(&self) -> f64 {
        self.cap
    }

    /// The grade quotas and thresholds.
    pub fn quotas(&self) -> &Quotas {
        &self.quotas
    }

    /// The value of `key` that scores 100 in `zone`: the zone's table, else `default`.
    pub fn benchmark(&self, zone: Option<&str>, key: IndicatorKey) -> Option<f64> {
        zone.and_then(|z| self.benchmarks.get(z))
            .and_then(|table| table.get(&key))
            .or_else(|| self.benchmarks.get(DEFAULT_TABLE)?.get(&key))
            .copied()
    }
}

impl TryFrom<RawGradingConfig> for GradingConfig {
    type Error = String;

    fn try_from(raw: RawGradingConfig) -> Result<Self, String> {
        validate_indicators(&raw.indicators)?;
        validate_benchmarks(&raw.benchmarks, &raw.indicators)?;
        if !(raw.cap.is_finite() && raw.cap >= 1.0) {
            return Err(format!(
                "cap must be a number of at least 1, got {}",
                raw.cap
            ));
        }
        validate_quotas(&raw.quotas)?;
        Ok(Self {
            indicators: raw.indicators,
            benchmarks: raw.benchmarks,
            cap: raw.cap,
            quotas: raw.quotas,
        })
    }
}

fn validate_indicators(indicators: &[Indicator]) -> Result<(), String> {
    if indicators.is_empty() {
        return Err("indicators: at least one indicator is needed".to_owned());
    }
    for (i, ind) in indicators.iter().enumerate() {
        let key = ind.key.as_str();
        if !(ind.weight.is_finite() && ind.weight > 0.0) {
            return Err(format!(
                "indicators[{i}] ({key}): weight must be a positive number, got {}",
                ind.weight
            ));
        }
        if indicators[..i].iter().any(|earlier| earlier.key == ind.key) {
            return Err(format!("indicators[{i}]: {key} is listed twice"));
        }
    }
    Ok(())
}

fn validate_benchmarks(
    benchmarks: &BTreeMap<String, BTreeMap<IndicatorKey, f64>>,
    indicators: &[Indicator],
) -> Result<(), String> {
    let zones = Collection::Parcels
        .allowed_values("zone")
        .unwrap_or_default();
    for (table, values) in benchmarks {
        if table != DEFAULT_TABLE && !zones.contains(&table.as_str()) {
            return Err(format!(
                "benchmarks.{table} is not a zone; the tables are {} and {DEFAULT_TABLE}",
                zones.join(", ")
            ));
        }
        for (key, value) in values {
            if !(value.is_finite() && *value > 0.0) {
                let key = key.as_str();
                return Err(format!(
                    "benchmarks.{table}.{key} must be a positive number, got {value}"
                ));
            }
        }
    }
    let default = benchmarks.get(DEFAULT_TABLE);
    for ind in indicators {
        if default.is_none_or(|table| !table.contains_key(&ind.key)) {
            return Err(format!(
                "benchmarks.{DEFAULT_TABLE}.{} is missing; every indicator needs a default benchmark",
                ind.key.as_str()
            ));
        }
    }
    Ok(())
}

fn validate_quotas(q: &Quotas) -> Result<(), String> {
    for (name, share) in [
        ("a_max_share", q.a_max_share),
        ("d_min_share", q.d_min_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            return Err(format!(
                "quotas.{name} must be between 0 and 1, got {share}"
            ));
        }
    }
    for (name, score) in [
        ("a_min_score", q.a_min_score),
        ("b_min_score", q.b_min_score),
        ("d_max_score", q.d_max_score),
    ] {
        if !score.is_finite() {
            return Err(format!("quotas.{name} must be a number, got {score}"));
        }
    }
    if q.d_max_score >= q.b_min_score {
        return Err(format!(
            "quotas.d_max_score ({}) must be below quotas.b_min_score ({})",
            q.d_max_score, q.b_min_score
        ));
    }
    if q.b_min_score > q.a_min_score {
        return Err(format!(
            "quotas.b_min_score ({}) must not exceed quotas.a_min_score ({})",
            q.b_min_score, q.a_min_score
        ));
    }
    Ok(())
}

/// A land-efficiency grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// 优先发展: priority in land, energy and funding.
    A,
    /// 鼓励提升: supported to improve.
    B,
    /// 整治提升: must upgrade; candidates for rectification.
    C,
    /// 限制发展: restricted; its land feeds the reserve candidates.
    D,
}

impl Grade {
    /// The letter, as served (`"A"` … `"D"`).
    pub fn code(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
        }
    }

    /// The Chinese class name used in 亩均效益 evaluations.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::A => "优先发展",
            Self::B => "鼓励提升",
            Self::C => "整治提升",
            Self::D => "限制发展",
        }
    }

    /// The English class name.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::A => "priority",
            Self::B => "support",
            Self::C => "upgrade",
            Self::D => "restrict",
        }
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Grade {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_uppercase().as_str() {
            "A" => Ok(Self::A),
            "B" => Ok(Self::B),
            "C" => Ok(Self::C),
            "D" => Ok(Self::D),
            _ => Err(format!("unknown grade {s:?}; the grades are A, B, C and D")),
        }
    }
}

/// What grading needs to know about one enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmFigures {
    pub enterprise_id: i64,
    pub name: String,
    /// Zone code (`south`, `north`, `bonded`) of most of its land.
    pub zone: Option<String>,
    /// Land it uses, mu (geodesic area of its parcels).
    pub land_mu: f64,
    /// Annual output value, 万元.
    pub output_value_wan: Option<f64>,
    /// Annual tax paid, 万元.
    pub tax_wan: Option<f64>,
    pub employees: Option<i64>,
}

/// One firm's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FirmGrade {
    pub enterprise_id: i64,
    /// `None` when ungraded.
    pub grade: Option<Grade>,
    /// Why the firm is ungraded, as a sentence naming the missing figure.
    pub ungraded_reason: Option<String>,
    /// Score, 100 = at every benchmark of its zone; rounded to 0.01.
    pub score: Option<f64>,
    /// The configured indicators that could be computed (per-mu values, 万元/亩).
    pub indicators: BTreeMap<String, f64>,
    /// 1 = best among graded firms.
    pub rank: Option<usize>,
}

/// Grades firms; the result is in the order of `firms`.
///
/// 1. A firm with no land on record or without a figure an indicator needs is ungraded
///    with the reason, and never counts towards the quotas.
/// 2. score = 100 × Σ wᵢ·min(vᵢ / benchmarkᵢ(zone), cap) / Σ wᵢ, rounded to 0.01.
/// 3. Graded firms are ranked by score, best first, ties by enterprise id; then D, A, B
///    and C are assigned as [`Quotas`] describes.
pub fn grade(config: &GradingConfig, firms: &[FirmFigures]) -> Vec<FirmGrade> {
    let mut results: Vec<FirmGrade> = firms.iter().map(|f| score_firm(config, f)).collect();
    let mut ranked: Vec<(usize, f64, i64)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.score?, r.enterprise_id)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.2.cmp(&b.2)));
    let scores: Vec<f64> = ranked.iter().map(|r| r.1).collect();
    let grades = assign_grades(&config.quotas, &scores);
    for (rank, ((i, _, _), grade)) in ranked.into_iter().zip(grades).enumerate() {
        results[i].rank = Some(rank + 1);
        results[i].grade = Some(grade);
    }
    results
}

/// Indicators and score of one firm, or why it cannot be graded.
fn score_firm(config: &GradingConfig, firm: &FirmFigures) -> FirmGrade {
    let has_land = firm.land_mu.is_finite() && firm.land_mu > 0.0;
    let mut indicators = BTreeMap::new();
    let mut lacking: Vec<String> = Vec::new();
    let (mut weighted, mut weights) = (0.0, 0.0);
    for ind in &config.indicators {
        let per_mu = ind.key != IndicatorKey::OutputPerEmployee;
        match ind.key.value(firm) {
            Ok(_) if per_mu && !has_land => {}
            Ok(v) => {
                indicators.insert(ind.key.as_str().to_owned(), v);
                let zone = firm.zone.as_deref();
                match config.benchmark(zone, ind.key) {
                    Some(b) => weighted += ind.weight * (v / b).min(config.cap),
                    None => lacking.push(format!("no benchmark for {}", ind.key.as_str())),
                }
                weights += ind.weight;
            }
            Err(what) if !lacking.contains(&what) => lacking.push(what),
            Err(_) => {}
        }
    }
    let mut problems = Vec::new();
    if !has_land {
        problems.push("uses no land on record".to_owned());
    }
    if !lacking.is_empty() {
        problems.push(format!("has {}", lacking.join(" and ")));
    }
    let (score, ungraded_reason) = if problems.is_empty() {
        (Some(round_to(100.0 * weighted / weights, 2)), None)
    } else {
        let who = if firm.name.trim().is_empty() {
            format!("enterprise {}", firm.enterprise_id)
        } else {
            firm.name.clone()
        };
        (None, Some(format!("{who} {}", problems.join(" and "))))
    };
    FirmGrade {
        enterprise_id: firm.enterprise_id,
        grade: None,
        ungraded_reason,
        score,
        indicators,
        rank: None,
    }
}

/// Grades for scores sorted best first.
fn assign_grades(q: &Quotas, scores: &[f64]) -> Vec<Grade> {
    let n = scores.len();
    // A hair of slack so that e.g. 0.07 × 100 is 7 firms, not 8 (float products).
    let share_of_n = |share: f64| share * n as f64;
    let d_by_share = (share_of_n(q.d_min_share) - 1e-9).ceil().max(0.0) as usize;
    let d_by_score = scores.iter().filter(|&&s| s < q.d_max_score).count();
    let d_from = n - d_by_share.max(d_by_score).min(n);
    let a_limit = (share_of_n(q.a_max_share) + 1e-9).floor() as usize;
    scores
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            if i >= d_from {
                Grade::D
            } else if i < a_limit && s >= q.a_min_score {
                Grade::A
            } else if s >= q.b_min_score {
                Grade::B
            } else {
                Grade::C
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Round benchmarks so that the table below can be checked by hand. Weights 3 : 2
    /// are the shipped 0.6 : 0.4 written unnormalised.
    const TEST_CONFIG: &str = r#"
cap = 2.0

[[indicators]]
key = "tax_per_mu"
weight = 3.0
title = "Tax per mu"

[[indicators]]
key = "output_per_mu"
weight = 2.0
title = "Output per mu"

[benchmarks.default]
tax_per_mu = 1.0
output_per_mu = 20.0

[benchmarks.south]
tax_per_mu = 2.0
output_per_mu = 40.0

[benchmarks.north]
tax_per_mu = 0.5

[quotas]
a_max_share = 0.20
a_min_score = 120.0
d_min_share = 0.05
d_max_score = 60.0
b_min_score = 90.0
"#;

    fn config() -> GradingConfig {
        GradingConfig::from_toml(TEST_CONFIG).unwrap()
    }

    fn firm(
        id: i64,
        zone: Option<&str>,
        mu: f64,
        tax: Option<f64>,
        out: Option<f64>,
    ) -> FirmFigures {
        FirmFigures {
            enterprise_id: id,
            name: format!("firm {id}"),
            zone: zone.map(str::to_owned),
            land_mu: mu,
            output_value_wan: out,
            tax_wan: tax,
            employees: None,
        }
    }

    fn summary(g: &FirmGrade) -> (i64, Option<f64>, Option<Grade>, Option<usize>) {
        (g.enterprise_id, g.score, g.grade, g.rank)
    }

    #[test]
    fn firms_are_scored_and_graded_as_computed_by_hand() {
        use Grade::*;
        let s = Some("south");
        let n = Some("north");
        let firms = [
            // south: tax 4/mu ÷ 2 = 2; output 80/mu ÷ 40 = 2 → (3·2 + 2·2)/5 → 200
            firm(1, s, 10.0, Some(40.0), Some(800.0)),
            // south: 3 ÷ 2 = 1.5; 30 ÷ 40 = 0.75 → (4.5 + 1.5)/5 → 120, A-worthy, but A is full
            firm(2, s, 10.0, Some(30.0), Some(300.0)),
            // north: 0.75 ÷ 0.5 = 1.5; output falls back to default: 25 ÷ 20 = 1.25 → 140
            firm(3, n, 20.0, Some(15.0), Some(500.0)),
            // no zone: 20 ÷ 1 = 20, capped at 2; 10 ÷ 20 = 0.5 → (6 + 1)/5 → 140; tie with
            // firm 3 broken by id, so A (2 of 10 firms) is full and firm 4 is B
            firm(4, None, 5.0, Some(100.0), Some(50.0)),
            // north: 0.5 ÷ 0.5 = 1; 20 ÷ 20 = 1 → 100
            firm(5, n, 20.0, Some(10.0), Some(400.0)),
            // south: 1.6 ÷ 2 = 0.8; 40 ÷ 40 = 1 → (2.4 + 2)/5 → 88, below b_min_score 90
            firm(6, s, 10.0, Some(16.0), Some(400.0)),
            // bonded has no table, so default: 0.7 ÷ 1; 13 ÷ 20 = 0.65 → (2.1 + 1.3)/5 → 68
            firm(7, Some("bonded"), 10.0, Some(7.0), Some(130.0)),
            // south: 1.2 ÷ 2 = 0.6; 10 ÷ 40 = 0.25 → (1.8 + 0.5)/5 → 46, below 60
            firm(8, s, 10.0, Some(12.0), Some(100.0)),
            // north: no tax paid: 0; 10 ÷ 20 = 0.5 → 1/5 → 20
            firm(9, n, 10.0, Some(0.0), Some(100.0)),
            // firm 5's figures in the south: 0.5 ÷ 2 = 0.25; 20 ÷ 40 = 0.5 → 1.75/5 → 35
            firm(10, s, 20.0, Some(10.0), Some(400.0)),
            // Ungraded: they do not count in n (15 firms would allow 3 A).
            firm(11, s, 0.0, Some(10.0), Some(100.0)),
            firm(12, s, 10.0, None, Some(100.0)),
            firm(13, n, 10.0, None, None),
            firm(14, None, 0.0, None, Some(100.0)),
            firm(15, s, 10.0, Some(-5.0), Some(100.0)),
        ];
        let graded = grade(&config(), &firms);
        let expected = [
            (1, Some(200.0), Some(A), Some(1)),
            (2, Some(120.0), Some(B), Some(4)),
            (3, Some(140.0), Some(A), Some(2)),
            (4, Some(140.0), Some(B), Some(3)),
            (5, Some(100.0), Some(B), Some(5)),
            (6, Some(88.0), Some(C), Some(6)),
            (7, Some(68.0), Some(C), Some(7)),
            (8, Some(46.0), Some(D), Some(8)),
            (9, Some(20.0), Some(D), Some(10)),
            (10, Some(35.0), Some(D), Some(9)),
            (11, None, None, None),
            (12, None, None, None),
            (13, None, None, None),
            (14, None, None, None),
            (15, None, None, None),
        ];
        assert_eq!(graded.iter().map(summary).collect::<Vec<_>>(), expected);
        let reasons: Vec<_> = graded[10..]
            .iter()
            .map(|g| g.ungraded_reason.as_deref())
            .collect();
        assert_eq!(
            reasons,
            [
                Some("firm 11 uses no land on record"),
                Some("firm 12 has no tax figure (tax_wan)"),
                Some("firm 13 has no tax figure (tax_wan) and no output figure (output_value_wan)"),
                Some("firm 14 uses no land on record and has no tax figure (tax_wan)"),
                Some("firm 15 has an invalid tax figure (tax_wan) of -5"),
            ]
        );
        assert!(graded[..10].iter().all(|g| g.ungraded_reason.is_none()));
        let per_mu = BTreeMap::from([
            ("output_per_mu".to_owned(), 25.0),
            ("tax_per_mu".to_owned(), 0.75),
        ]);
        assert_eq!(graded[2].indicators, per_mu);
        // What can be computed is still shown for an ungraded firm.
        assert_eq!(
            graded[11].indicators,
            BTreeMap::from([("output_per_mu".to_owned(), 10.0)])
        );
    }

    #[test]
    fn quotas_cap_a_at_a_fifth_and_fill_d_to_a_twentieth_even_when_scores_are_decent() {
        // 20 firms on 10 mu with output 200 (20/mu = the benchmark: 2/5 of the score) and
        // tax 10 + id, i.e. (10 + id)/10 per mu: score = 60·min(tax ratio, 2) + 40.
        // id 1 → 106, 2 → 112, 3 → 118, 4 → 124 … 10 and above → 160 (capped).
        let firms: Vec<_> = (1..=20)
            .map(|id| firm(id, None, 10.0, Some(10.0 + id as f64), Some(200.0)))
            .collect();
        let graded = grade(&config(), &firms);
        let score = |id: usize| graded[id - 1].score;
        assert_eq!(
            [score(1), score(2), score(3), score(4)],
            [Some(106.0), Some(112.0), Some(118.0), Some(124.0)]
        );
        assert!((10..=20).all(|id| score(id) == Some(160.0)));
        let with = |g: Grade| -> Vec<i64> {
            graded
                .iter()
                .filter(|r| r.grade == Some(g))
                .map(|r| r.enterprise_id)
                .collect()
        };
        // 17 firms reach a_min_score 120, but floor(0.2 × 20) = 4 are A: the best, ties by id.
        assert_eq!(with(Grade::A), [10, 11, 12, 13]);
        // No score is below 60, yet ceil(0.05 × 20) = 1 firm, the lowest, is D.
        assert_eq!(with(Grade::D), [1]);
        assert_eq!(with(Grade::B).len(), 15);
        assert!(with(Grade::C).is_empty());
    }

    #[test]
    fn quota_counts_are_not_thrown_off_by_float_products() {
        let q = Quotas {
            a_max_share: 0.29,
            a_min_score: 120.0,
            d_min_share: 0.07,
            d_max_score: 60.0,
            b_min_score: 90.0,
        };
        let grades = assign_grades(&q, &[150.0; 100]);
        let count = |g: Grade| grades.iter().filter(|&&x| x == g).count();
        // 0.29 × 100 = 28.999…96 and 0.07 × 100 = 7.000…01 in floating point.
        assert_eq!(
            (count(Grade::A), count(Grade::B), count(Grade::D)),
            (29, 64, 7)
        );
    }

    #[test]
    fn a_lone_firm_takes_the_d_quota_and_an_empty_list_grades_nothing() {
        let graded = grade(&config(), &[firm(1, None, 10.0, Some(10.0), Some(200.0))]);
        assert_eq!(
            summary(&graded[0]),
            (1, Some(100.0), Some(Grade::D), Some(1))
        );
        assert!(grade(&config(), &[]).is_empty());
    }

    #[test]
    fn employees_matter_only_when_output_per_employee_is_scored() {
        let mut f = firm(7, None, 10.0, Some(10.0), Some(200.0));
        assert!(grade(&config(), &[f.clone()])[0].score.is_some());

        let with_labour = TEST_CONFIG.replace(
            "[benchmarks.default]\n",
            "[[indicators]]\nkey = \"output_per_employee\"\nweight = 5.0\ntitle = \"Output per employee\"\n\n\
             [benchmarks.default]\noutput_per_employee = 50.0\n",
        );
        let config = GradingConfig::from_toml(&with_labour).unwrap();
        let ungraded = &grade(&config, &[f.clone()])[0];
        assert_eq!(
            ungraded.ungraded_reason.as_deref(),
            Some("firm 7 has no employee count (employees)")
        );

        // 200 / 8 = 25 per employee ÷ 50 = 0.5; tax 1 ÷ 1; output 20 ÷ 20 → (3 + 2 + 2.5)/10 → 75
        f.employees = Some(8);
        let graded = &grade(&config, &[f])[0];
        assert_eq!(graded.score, Some(75.0));
        assert_eq!(graded.indicators.get("output_per_employee"), Some(&25.0));
    }

    #[test]
    fn a_firm_with_no_name_is_named_by_its_id() {
        let mut f = firm(42, None, 0.0, Some(1.0), Some(1.0));
        f.name = String::new();
        let reason = grade(&config(), &[f]).remove(0).ungraded_reason;
        assert_eq!(
            reason.as_deref(),
            Some("enterprise 42 uses no land on record")
        );
    }

    #[test]
    fn the_shipped_config_parses_to_the_documented_defaults() {
        let shipped = GradingConfig::from_toml(DEFAULT_CONFIG_TOML).unwrap();
        assert_eq!(shipped, GradingConfig::default());
        let weights: Vec<_> = shipped
            .indicators()
            .iter()
            .map(|i| (i.key, i.weight))
            .collect();
        assert_eq!(
            weights,
            [
                (IndicatorKey::TaxPerMu, 0.6),
                (IndicatorKey::OutputPerMu, 0.4)
            ]
        );
        assert_eq!(shipped.cap(), 2.0);
        let q = shipped.quotas();
        assert_eq!(
            (
                q.a_max_share,
                q.a_min_score,
                q.d_min_share,
                q.d_max_score,
                q.b_min_score
            ),
            (0.20, 120.0, 0.05, 20.0, 90.0)
        );
        let bench = |zone, key| shipped.benchmark(zone, key);
        assert_eq!(bench(Some("south"), IndicatorKey::TaxPerMu), Some(1.25));
        assert_eq!(bench(Some("north"), IndicatorKey::OutputPerMu), Some(20.0));
        assert_eq!(bench(Some("bonded"), IndicatorKey::TaxPerMu), Some(0.9));
        assert_eq!(bench(None, IndicatorKey::OutputPerMu), Some(25.0));
        assert_eq!(bench(Some("south"), IndicatorKey::OutputPerEmployee), None);
    }

    #[test]
    fn the_worked_example_in_the_docs_scores_as_written() {
        // docs/grading.md: 50 mu, tax 80, output 1,200 → 108.8 in the south, 168 in the north.
        let south = firm(1, Some("south"), 50.0, Some(80.0), Some(1200.0));
        let north = FirmFigures {
            enterprise_id: 2,
            zone: Some("north".to_owned()),
            ..south.clone()
        };
        let graded = grade(&GradingConfig::default(), &[south, north]);
        assert_eq!(
            (graded[0].score, graded[1].score),
            (Some(108.8), Some(168.0))
        );
    }

    fn config_error(from: &str, to: &str) -> String {
        assert!(TEST_CONFIG.contains(from), "{from}");
        GradingConfig::from_toml(&TEST_CONFIG.replacen(from, to, 1)).unwrap_err()
    }

    #[test]
    fn config_errors_name_the_key() {
        let cases = [
            ("weight = 3.0", "weight = 0.0", "indicators[0] (tax_per_mu): weight must be a positive number, got 0"),
            ("weight = 2.0", "weight = -2.0", "indicators[1] (output_per_mu): weight must be a positive number, got -2"),
            ("key = \"output_per_mu\"", "key = \"tax_per_mu\"", "indicators[1]: tax_per_mu is listed twice"),
            ("output_per_mu = 20.0\n", "", "benchmarks.default.output_per_mu is missing; every indicator needs a default benchmark"),
            ("[benchmarks.north]\ntax_per_mu = 0.5", "[benchmarks.north]\ntax_per_mu = 0.0", "benchmarks.north.tax_per_mu must be a positive number, got 0"),
            ("[benchmarks.north]", "[benchmarks.nrth]", "benchmarks.nrth is not a zone; the tables are south, north, bonded and default"),
            ("cap = 2.0", "cap = 0.5", "cap must be a number of at least 1, got 0.5"),
            ("a_max_share = 0.20", "a_max_share = 1.2", "quotas.a_max_share must be between 0 and 1, got 1.2"),
            ("d_min_share = 0.05", "d_min_share = -0.05", "quotas.d_min_share must be between 0 and 1, got -0.05"),
            ("d_max_score = 60.0", "d_max_score = 95.0", "quotas.d_max_score (95) must be below quotas.b_min_score (90)"),
            ("b_min_score = 90.0", "b_min_score = 130.0", "quotas.b_min_score (130) must not exceed quotas.a_min_score (120)"),
        ];
        for (from, to, expected) in cases {
            assert_eq!(
                config_error(from, to),
                format!("grading config: {expected}")
            );
        }
    }

    #[test]
    fn config_syntax_errors_name_the_key_and_line() {
        let unknown_indicator =
            config_error("key = \"output_per_mu\"", "key = \"output_per_acre\"");
        assert!(
            unknown_indicator.contains("output_per_acre"),
            "{unknown_indicator}"
        );
        assert!(unknown_indicator.contains("line 10"), "{unknown_indicator}");
        let typo = config_error("a_max_share", "a_max_shar");
        assert!(typo.contains("unknown field `a_max_shar`"), "{typo}");
        let missing = config_error("cap = 2.0\n", "");
        assert!(missing.contains("missing field `cap`"), "{missing}");
        let tables = TEST_CONFIG.find("[benchmarks.default]").unwrap_or_default();
        let no_indicators = format!("cap = 2.0\nindicators = []\n{}", &TEST_CONFIG[tables..]);
        let err = GradingConfig::from_toml(&no_indicators).unwrap_err();
        assert_eq!(
            err,
            "grading config: indicators: at least one indicator is needed"
        );
    }

    #[test]
    fn grades_serialise_as_letters_with_chinese_and_english_labels() {
        assert_eq!(serde_json::to_string(&Grade::A).unwrap(), "\"A\"");
        assert_eq!("d".parse::<Grade>(), Ok(Grade::D));
        assert!("E".parse::<Grade>().is_err());
        let labels: Vec<_> = [Grade::A, Grade::B, Grade::C, Grade::D]
            .iter()
            .map(|g| (g.label_zh(), g.label_en()))
            .collect();
        assert_eq!(
            labels,
            [
                ("优先发展", "priority"),
                ("鼓励提升", "support"),
                ("整治提升", "upgrade"),
                ("限制发展", "restrict")
            ]
        );
    }
}
