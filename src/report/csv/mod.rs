//! The report as one CSV table: a row per figure, each with the parcel ids behind it
//! (space-separated), so every total can be traced and re-added. UTF-8 with a byte-order
//! mark, so that spreadsheet programs read the Chinese text, and CRLF line ends.
//!
//! Every row is one `Row`, written by the `csv` crate: the columns are its fields, so
//! the compiler checks each one a row fills in. Free text goes through [`SafeText`], which
//! keeps a firm's name or a label from being read as a spreadsheet formula.

mod safe_text;

use serde::Serialize;

use super::figures::{Group, Land, LandReserveReport};
pub use safe_text::SafeText;

/// The columns, in order: the field names of `Row` (a test holds them together).
pub const COLUMNS: [&str; 17] = [
    "section",
    "key",
    "label",
    "zone",
    "parcels",
    "area_m2",
    "area_ha",
    "area_mu",
    "value",
    "unit",
    "owner",
    "land_use",
    "grade",
    "tax_per_mu_wan",
    "output_per_mu_wan",
    "note",
    "parcel_ids",
];

/// Writes the report as CSV.
///
/// # Errors
/// Only if the `csv` crate fails to write into memory, which the row types do not cause.
pub fn render(r: &LandReserveReport) -> Result<String, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    for row in rows(r) {
        out.serialize(row)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    // Every cell came from a `str`, so the bytes are UTF-8.
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A number of the `value` column, written as counted: whole counts and days without a
/// decimal point, scores, amounts and radii as decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
enum Value {
    /// Firms.
    Count(usize),
    /// Days in a stage.
    Days(i64),
    /// A priority score, 万元, a target's unit, metres.
    Amount(f64),
}

/// One row of the table; an empty cell is an empty text or `None`.
#[derive(Debug, Default, Serialize)]
struct Row<'a> {
    section: SafeText<'a>,
    key: SafeText<'a>,
    label: SafeText<'a>,
    zone: SafeText<'a>,
    parcels: Option<usize>,
    area_m2: Option<f64>,
    area_ha: Option<f64>,
    area_mu: Option<f64>,
    value: Option<Value>,
    unit: SafeText<'a>,
    owner: SafeText<'a>,
    land_use: SafeText<'a>,
    grade: SafeText<'a>,
    tax_per_mu_wan: Option<f64>,
    output_per_mu_wan: Option<f64>,
    note: SafeText<'a>,
    parcel_ids: SafeText<'a>,
}

impl<'a> Row<'a> {
    fn new(
        section: &'static str,
        key: impl Into<SafeText<'a>>,
        label: impl Into<SafeText<'a>>,
    ) -> Self {
        Self {
            section: section.into(),
            key: key.into(),
            label: label.into(),
            ..Self::default()
        }
    }

    /// The parcels and land of a figure, with the ids behind it.
    fn group(self, g: &Group) -> Self {
        Self {
            parcel_ids: g.parcel_ids.join(" ").into(),
            ..self.land(g.parcels, g.area)
        }
    }

    /// A number of parcels and their land.
    fn land(self, parcels: usize, area: Land) -> Self {
        Self {
            parcels: Some(parcels),
            area_m2: Some(area.m2),
            area_ha: Some(area.ha),
            area_mu: Some(area.mu),
            ..self
        }
    }
}

/// Every row, section by section.
fn rows(r: &LandReserveReport) -> Vec<Row<'_>> {
    let mut rows = vec![head_row(r)];
    rows.extend(summary_rows(r));
    rows.extend(candidate_rows(r));
    rows.extend(pool_rows(r));
    rows.extend(ledger_rows(r));
    rows.extend(service_rows(r));
    rows
}

fn head_row(r: &LandReserveReport) -> Row<'_> {
    Row {
        note: format!(
            "{}; as of {}; generated {}",
            r.scope,
            r.as_of.as_deref().unwrap_or("generation time"),
            r.generated_at
        )
        .into(),
        ..Row::new("report", "scope", r.title.as_str())
    }
}

fn summary_rows(r: &LandReserveReport) -> impl Iterator<Item = Row<'_>> {
    r.summary.iter().flat_map(|z| {
        [
            ("land", "all land 全部用地", &z.land),
            ("in_reserve", "in reserve 已入库储备", &z.in_reserve),
            ("being_taken_in", "being taken in 收储中", &z.being_taken_in),
            ("candidates", "reserve candidates 收储候选", &z.candidates),
        ]
        .map(|(key, label, g)| Row {
            zone: z.zone.as_str().into(),
            ..Row::new("summary", key, label).group(g)
        })
    })
}

/// The ranked candidates, then the land left out because open cases hold it.
fn candidate_rows(r: &LandReserveReport) -> impl Iterator<Item = Row<'_>> {
    let ranked = r.candidates.ranked.iter().map(|c| Row {
        zone: c.zone.as_deref().into(),
        value: Some(Value::Amount(c.priority.score)),
        unit: "priority".into(),
        owner: c.owner.as_deref().into(),
        land_use: c.land_use.as_deref().into(),
        grade: c.grade.as_deref().into(),
        tax_per_mu_wan: c.tax_per_mu,
        output_per_mu_wan: c.output_per_mu,
        note: c.why.join("; ").into(),
        parcel_ids: SafeText::from(&*c.parcel_id),
        ..Row::new("candidate", c.rank.to_string(), &*c.parcel_id).land(1, c.area)
    });
    let held = Row::new(
        "candidates",
        "in_open_cases",
        "zombie, idle or D-grade land already in an open case",
    )
    .group(&r.candidates.in_open_cases);
    ranked.chain([held])
}

/// Land by stage and zone, then every parcel of the pool.
fn pool_rows(r: &LandReserveReport) -> impl Iterator<Item = Row<'_>> {
    let cells = r.reserve_pool.cells.iter().map(|cell| Row {
        zone: cell.zone.as_str().into(),
        ..Row::new(
            "reserve_pool",
            cell.stage.as_str(),
            "land by stage and zone",
        )
        .group(&cell.land)
    });
    let parcels = r.reserve_pool.parcels.iter().map(|p| Row {
        zone: p.zone.as_deref().into(),
        value: p.days_in_stage.map(Value::Days),
        unit: "days in stage".into(),
        note: format!(
            "{}{}; since {}",
            p.planned_for,
            p.case
                .as_ref()
                .map(|c| format!("; case {c}"))
                .unwrap_or_default(),
            p.since.as_deref().unwrap_or("unknown")
        )
        .into(),
        parcel_ids: SafeText::from(&*p.parcel_id),
        ..Row::new("reserve_pool_parcel", p.stage.as_str(), &*p.parcel_id).land(1, p.area)
    });
    cells.chain(parcels)
}

/// The ledger's lines, then expansion in place.
fn ledger_rows(r: &LandReserveReport) -> impl Iterator<Item = Row<'_>> {
    let lines = r.ledger.lines.iter().map(|line| Row {
        note: format!("cases {}", line.cases.join(" ")).into(),
        ..Row::new("ledger", line.key.as_str(), line.label.as_str()).group(&line.land)
    });
    let e = &r.ledger.expansion;
    let cases = format!("cases {}", r.ledger.expansion_cases.join(" "));
    let expansion = [
        (
            "intention",
            "firms intending to expand 意向",
            Value::Count(e.intention),
            "firms",
        ),
        (
            "started",
            "firms whose expansion started 已开工",
            Value::Count(e.started),
            "firms",
        ),
        (
            "completed",
            "expansions completed 已完成",
            Value::Count(e.completed),
            "firms",
        ),
        (
            "planned_output_started",
            "planned new output of started expansions",
            Value::Amount(e.planned_output_wan_started),
            "万元",
        ),
        (
            "planned_output_open",
            "planned new output of open expansions",
            Value::Amount(e.planned_output_wan_all_open),
            "万元",
        ),
    ]
    .map(move |(key, label, value, unit)| Row {
        value: Some(value),
        unit: unit.into(),
        note: cases.clone().into(),
        ..Row::new("expansion", key, label)
    });
    lines.chain(expansion)
}

/// Progress against the targets, then school coverage.
fn service_rows(r: &LandReserveReport) -> impl Iterator<Item = Row<'_>> {
    let targets = r.public_services.targets.iter().map(|t| Row {
        value: Some(Value::Amount(t.completed)),
        unit: t.unit.as_str().into(),
        note: format!(
            "target {}; completed {} ({} %); under way {}; planned {}; projects {}",
            t.target,
            t.completed,
            t.completed_percent,
            t.under_way,
            t.planned,
            t.projects.join(" ")
        )
        .into(),
        ..Row::new("target", t.id.as_str(), t.title.as_str())
    });
    let coverage = r.public_services.coverage.iter().flat_map(|c| {
        [
            ("residential", "residential land in scope", &c.residential),
            ("gaps", "beyond every completed school", &c.gaps),
            (
                "gaps_after_planned",
                "still beyond once planned schools open",
                &c.gaps_after_planned,
            ),
        ]
        .map(|(key, label, g)| Row {
            value: Some(Value::Amount(c.radius_m)),
            unit: "radius m".into(),
            ..Row::new("coverage", format!("{}_{key}", c.level), label).group(g)
        })
    });
    targets.chain(coverage)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::report::figures;
    use crate::report::input::{Input, ParcelRow};

    #[test]
    fn numbers_are_numbers_even_when_negative() {
        let row = Row {
            area_m2: Some(-1.5),
            value: Some(Value::Days(-3)),
            tax_per_mu_wan: Some(-0.25),
            owner: "=1+1".into(),
            ..Row::new("test", "-x", "@y")
        };
        let mut out = csv::Writer::from_writer(Vec::new());
        out.serialize(row).unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(line, "test,'-x,'@y,,,-1.5,,,-3,,'=1+1,,,-0.25,,,");
    }

    fn parcel(code: &str, zone: &str, status: &str, owner: &str) -> ParcelRow {
        let text = |s: &str| Some(Arc::from(s));
        ParcelRow {
            code: Arc::from(code),
            zone: text(zone),
            subdistrict: None,
            land_use: text("M1"),
            status: text(status),
            owner: text(owner),
            grade: text("D"),
            area_m2: 66_666.7,
            tax_wan: Some(-10.0),
            output_wan: Some(500.0),
            centroid: (125.40, 43.87),
            geometry: None,
            school_cover: None,
        }
    }

    fn report() -> LandReserveReport {
        let input = Input {
            parcels: vec![
                parcel("Z-1", "south", "zombie", "=HYPERLINK(\"http://x\",\"y\")"),
                parcel("I-1", "north", "idle", "长春示例光电有限公司"),
                parcel("A-1", "south", "active", "@SUM(1+1)"),
            ],
            ..Input::default()
        };
        figures::compute(
            &input,
            "the whole zone".to_string(),
            "2026-11-28T10:49:07.123Z".to_string(),
            &Default::default(),
            &[],
        )
    }

    fn parse(text: &str) -> (csv::StringRecord, Vec<csv::StringRecord>) {
        let body = text
            .strip_prefix('\u{feff}')
            .expect("a byte-order mark first");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header = reader.headers().unwrap().clone();
        let records = reader.records().collect::<Result<_, _>>().unwrap();
        (header, records)
    }

    #[test]
    fn the_header_is_the_columns() {
        let text = render(&report()).unwrap();
        let (header, _) = parse(&text);
        assert_eq!(header.iter().collect::<Vec<_>>(), COLUMNS);
        assert!(text.starts_with(&format!("\u{feff}{}\r\n", COLUMNS.join(","))));
    }

    #[test]
    fn every_figure_is_one_row_that_parses_back() {
        let r = report();
        let text = render(&r).unwrap();
        let (_, records) = parse(&text);
        let figures = 1
            + 4 * r.summary.len()
            + r.candidates.ranked.len()
            + 1
            + r.reserve_pool.cells.len()
            + r.reserve_pool.parcels.len()
            + r.ledger.lines.len()
            + 5
            + r.public_services.targets.len()
            + 3 * r.public_services.coverage.len();
        assert_eq!(records.len(), figures);
        assert!(records.iter().all(|row| row.len() == COLUMNS.len()));
        assert_eq!(text.matches("\r\n").count(), figures + 1, "CRLF line ends");
        let owners: Vec<&str> = records.iter().filter_map(|row| row.get(10)).collect();
        assert!(
            owners.contains(&"'=HYPERLINK(\"http://x\",\"y\")"),
            "{owners:?}"
        );
        assert!(owners.contains(&"长春示例光电有限公司"), "{owners:?}");
        let expansion: Vec<&str> = records
            .iter()
            .filter(|row| &row[0] == "expansion")
            .map(|row| &row[8])
            .collect();
        assert_eq!(expansion, ["0", "0", "0", "0.0", "0.0"]);
    }
}
