//! The report as one CSV table: a row per figure, each with the parcel ids behind it
//! (space-separated), so every total can be traced and re-added. UTF-8 with a byte-order
//! mark, so that spreadsheet programs read the Chinese text.

use super::figures::{Group, LandReserveReport};

/// The columns, in order.
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

/// One row being written: the named columns, the others empty.
#[derive(Default)]
struct Row {
    cells: [String; 17],
}

impl Row {
    fn new(section: &str, key: &str, label: &str) -> Self {
        let mut r = Self::default();
        r.set("section", section)
            .set("key", key)
            .set("label", label);
        r
    }

    fn set(&mut self, column: &str, value: impl ToString) -> &mut Self {
        if let Some(i) = COLUMNS.iter().position(|c| *c == column) {
            self.cells[i] = value.to_string();
        }
        self
    }

    fn group(&mut self, g: &Group) -> &mut Self {
        self.set("parcels", g.parcels)
            .set("area_m2", g.area.m2)
            .set("area_ha", g.area.ha)
            .set("area_mu", g.area.mu)
            .set("parcel_ids", g.parcel_ids.join(" "))
    }

    fn write(&self, out: &mut String) {
        let line: Vec<String> = self.cells.iter().map(|c| quote(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
}

/// RFC 4180 quoting.
fn quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// Writes the report as CSV.
pub fn render(r: &LandReserveReport) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&COLUMNS.join(","));
    out.push_str("\r\n");
    let mut head = Row::new("report", "scope", &r.title);
    head.set(
        "note",
        format!(
            "{}; as of {}; generated {}",
            r.scope,
            r.as_of.as_deref().unwrap_or("generation time"),
            r.generated_at
        ),
    );
    head.write(&mut out);
    for z in &r.summary {
        for (key, label, g) in [
            ("land", "all land 全部用地", &z.land),
            ("in_reserve", "in reserve 已入库储备", &z.in_reserve),
            ("being_taken_in", "being taken in 收储中", &z.being_taken_in),
            ("candidates", "reserve candidates 收储候选", &z.candidates),
        ] {
            let mut row = Row::new("summary", key, label);
            row.set("zone", &z.zone).group(g);
            row.write(&mut out);
        }
    }
    for c in &r.candidates.ranked {
        let mut row = Row::new("candidate", &c.rank.to_string(), &c.parcel_id);
        row.set("zone", opt(&c.zone))
            .set("parcels", 1)
            .set("area_m2", c.area.m2)
            .set("area_ha", c.area.ha)
            .set("area_mu", c.area.mu)
            .set("value", c.priority.score)
            .set("unit", "priority")
            .set("owner", opt(&c.owner))
            .set("land_use", opt(&c.land_use))
            .set("grade", opt(&c.grade))
            .set("tax_per_mu_wan", opt(&c.tax_per_mu))
            .set("output_per_mu_wan", opt(&c.output_per_mu))
            .set("note", c.why.join("; "))
            .set("parcel_ids", &c.parcel_id);
        row.write(&mut out);
    }
    let mut row = Row::new(
        "candidates",
        "in_open_cases",
        "zombie, idle or D-grade land already in an open case",
    );
    row.group(&r.candidates.in_open_cases).write(&mut out);
    for cell in &r.reserve_pool.cells {
        let mut row = Row::new("reserve_pool", &cell.stage, "land by stage and zone");
        row.set("zone", &cell.zone).group(&cell.land);
        row.write(&mut out);
    }
    for p in &r.reserve_pool.parcels {
        let mut row = Row::new("reserve_pool_parcel", &p.stage, &p.parcel_id);
        row.set("zone", opt(&p.zone))
            .set("parcels", 1)
            .set("area_m2", p.area.m2)
            .set("area_ha", p.area.ha)
            .set("area_mu", p.area.mu)
            .set("value", opt(&p.days_in_stage))
            .set("unit", "days in stage")
            .set(
                "note",
                format!(
                    "{}{}; since {}",
                    p.planned_for,
                    p.case
                        .as_ref()
                        .map(|c| format!("; case {c}"))
                        .unwrap_or_default(),
                    p.since.as_deref().unwrap_or("unknown")
                ),
            )
            .set("parcel_ids", &p.parcel_id);
        row.write(&mut out);
    }
    for line in &r.ledger.lines {
        let mut row = Row::new("ledger", &line.key, &line.label);
        row.group(&line.land)
            .set("note", format!("cases {}", line.cases.join(" ")));
        row.write(&mut out);
    }
    let e = &r.ledger.expansion;
    for (key, label, value, unit) in [
        (
            "intention",
            "firms intending to expand 意向",
            e.intention as f64,
            "firms",
        ),
        (
            "started",
            "firms whose expansion started 已开工",
            e.started as f64,
            "firms",
        ),
        (
            "completed",
            "expansions completed 已完成",
            e.completed as f64,
            "firms",
        ),
        (
            "planned_output_started",
            "planned new output of started expansions",
            e.planned_output_wan_started,
            "万元",
        ),
        (
            "planned_output_open",
            "planned new output of open expansions",
            e.planned_output_wan_all_open,
            "万元",
        ),
    ] {
        let mut row = Row::new("expansion", key, label);
        row.set("value", value).set("unit", unit).set(
            "note",
            format!("cases {}", r.ledger.expansion_cases.join(" ")),
        );
        row.write(&mut out);
    }
    for t in &r.public_services.targets {
        let mut row = Row::new("target", &t.id, &t.title);
        row.set("value", t.completed).set("unit", &t.unit).set(
            "note",
            format!(
                "target {}; completed {} ({} %); under way {}; planned {}; projects {}",
                t.target,
                t.completed,
                t.completed_percent,
                t.under_way,
                t.planned,
                t.projects.join(" ")
            ),
        );
        row.write(&mut out);
    }
    for c in &r.public_services.coverage {
        for (key, label, g) in [
            ("residential", "residential land in scope", &c.residential),
            ("gaps", "beyond every completed school", &c.gaps),
            (
                "gaps_after_planned",
                "still beyond once planned schools open",
                &c.gaps_after_planned,
            ),
        ] {
            let mut row = Row::new("coverage", &format!("{}_{key}", c.level), label);
            row.set("value", c.radius_m)
                .set("unit", "radius m")
                .group(g);
            row.write(&mut out);
        }
    }
    out
}
