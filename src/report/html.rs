//! The report as one self-contained HTML page for A4 paper: inline styles, the maps and
//! charts as inline SVG drawn by the service, no scripts, no network. Each section starts
//! a new printed page; long tables repeat their header on every page.
//!
//! The page comes from maud templates, so the template engine escapes every text and
//! attribute value. The one markup inserted as it is is the SVG of the report's own
//! writer ([`super::svg`], which escapes its XML text itself), through [`drawn`]; the
//! figures behind it are assembled in [`maps`].

mod maps;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::figures::{
    Candidate, Candidates, Group, LandReserveReport, Pool, PoolParcel, ZoneSummary, POOL_STAGES,
    ZONES,
};
use super::input::Input;
use super::svg;
use crate::domain::projects::Progress;
use crate::domain::reallocation::ExpansionTotals;
use crate::domain::reserve_priority::PriorityConfig;
use crate::domain::ParcelStatus;

/// Candidates listed in the HTML (all of them are in the CSV and JSON).
pub const HTML_CANDIDATES: usize = 100;
/// Reserve-pool parcels listed in the HTML.
pub const HTML_POOL_PARCELS: usize = 300;

const STYLE: &str = r#"
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans", "Microsoft YaHei", sans-serif;
  color: #1d2424; font-size: 10pt; line-height: 1.4; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 19pt; margin: 0 0 2mm; color: #0b4f4d; }
h2 { font-size: 14pt; margin: 0 0 3mm; color: #0b4f4d; border-bottom: 1.5pt solid #0b4f4d; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 4mm 0 2mm; }
section { break-before: page; page-break-before: always; }
section.first { break-before: auto; page-break-before: auto; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 8.5pt; }
th, td { border: 0.5pt solid #b9c4c3; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e6efee; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: bold; background: #f3f6f6; }
.meta { color: #4a5757; margin: 0 0 4mm; }
.note { color: #4a5757; font-size: 8.5pt; }
.figure { break-inside: avoid; page-break-inside: avoid; margin: 2mm 0 4mm; }
.figure svg { max-width: 100%; height: auto; }
.progress { background: #e6efee; height: 3mm; width: 30mm; display: inline-block; vertical-align: middle; }
.progress span { background: #1a9641; height: 100%; display: block; }
.id { white-space: nowrap; }
.ids { font-size: 7pt; color: #5b6868; word-break: break-all; }
"#;

/// Writes the report as HTML.
pub fn render(r: &LandReserveReport, input: &Input) -> String {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (r.title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (summary(r))
                (figures(r, input))
                (candidates(&r.candidates))
                (pool(&r.reserve_pool))
                (ledger(r))
                (services(r))
                (method(r))
            }
        }
    }
    .into_string()
}

/// SVG from the report's own writer ([`super::svg`]), which escapes every text and
/// attribute value it writes: the only generated markup the page takes as it is.
fn drawn(svg: String) -> PreEscaped<String> {
    PreEscaped(svg)
}

fn num(v: f64, decimals: usize) -> String {
    svg::format_number(v, decimals)
}

/// A figure that may be missing, as "–".
fn num_or_dash(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "–".into(), |v| num(v, decimals))
}

/// A group's parcels, hectares and 亩 as three number cells.
fn land_cells(g: &Group) -> Markup {
    html! {
        td.n { (g.parcels) }
        td.n { (num(g.area.ha, 2)) }
        td.n { (num(g.area.mu, 1)) }
    }
}

/// A status code with its Chinese name in front ("闲置 idle"), or the code alone.
fn status_name(code: &str) -> String {
    code.parse::<ParcelStatus>()
        .map_or_else(|_| code.to_string(), |s| format!("{} {code}", s.label_zh()))
}

/// The first section: title, scope and dates, the summary by zone.
fn summary(r: &LandReserveReport) -> Markup {
    html! {
        section.first {
            (header(r))
            h2 { "概况 Summary" }
            (summary_table(&r.summary))
            @if let Some(total) = r.summary.last() {
                (summary_figures(total))
            }
        }
    }
}

fn header(r: &LandReserveReport) -> Markup {
    let as_of = r
        .as_of
        .as_deref()
        .unwrap_or("the time of generation 生成时");
    html! {
        h1 { (r.title) }
        p.meta {
            "长春经济技术开发区 Changchun Economic and Technological Development Zone"
            br;
            "Scope 范围: " (r.scope)
            br;
            "Data as of 数据截至: " (as_of)
            br;
            "Generated 生成时间: " (r.generated_at)
        }
    }
}

fn summary_table(zones: &[ZoneSummary]) -> Markup {
    html! {
        table {
            thead {
                tr {
                    th rowspan="2" { "Zone 园区" }
                    th colspan="3" { "All land 全部用地" }
                    th colspan="3" { "In reserve 已入库" }
                    th colspan="3" { "Being taken in 收储中" }
                    th colspan="3" { "Candidates 收储候选" }
                }
                tr {
                    @for _ in 0..4 {
                        th.n { "parcels" }
                        th.n { "ha" }
                        th.n { "亩 mu" }
                    }
                }
            }
            tbody {
                @for z in zones {
                    tr class=[(z.zone == "total").then_some("total")] {
                        td { (z.name) }
                        (land_cells(&z.land))
                        (land_cells(&z.in_reserve))
                        (land_cells(&z.being_taken_in))
                        (land_cells(&z.candidates))
                    }
                }
            }
        }
    }
}

/// The totals in a sentence: "The area holds 12 parcels on …".
fn summary_figures(t: &ZoneSummary) -> Markup {
    html! {
        p {
            "The area holds " b { (t.land.parcels) } " parcels on "
            b { (num(t.land.area.m2, 0)) " m²" }
            " (" (num(t.land.area.ha, 2)) " ha, " (num(t.land.area.mu, 1)) " 亩). "
            b { (t.in_reserve.parcels) } " parcels (" (num(t.in_reserve.area.mu, 1))
            " 亩) are in the land reserve and " b { (t.being_taken_in.parcels) } " ("
            (num(t.being_taken_in.area.mu, 1)) " 亩) are being taken in; "
            b { (t.candidates.parcels) } " more parcels (" (num(t.candidates.area.mu, 1))
            " 亩) of zombie, idle or D-grade land are candidates. Areas are geodesic (on the \
             ellipsoid); 1 亩 = 666.67 m²."
        }
    }
}

/// The section of maps and charts.
fn figures(r: &LandReserveReport, input: &Input) -> Markup {
    let maps = maps::Maps::new(r, input);
    html! {
        section {
            h2 { "地图 Maps" }
            (map_figures(&maps))
            (chart_figures(&maps))
        }
    }
}

fn map_figures(maps: &maps::Maps) -> Markup {
    html! {
        div.figure { (drawn(maps.status_map())) }
        @if let Some(grade_map) = maps.grade_map() {
            div.figure style="break-before:page" { (drawn(grade_map)) }
        }
    }
}

fn chart_figures(maps: &maps::Maps) -> Markup {
    html! {
        div.figure style="break-before:page" { (drawn(maps.pool_chart())) }
        div.figure { (drawn(maps.grade_chart())) }
    }
}

fn candidates(c: &Candidates) -> Markup {
    html! {
        section {
            h2 { "收储候选地块 Reserve candidates" }
            p {
                "Zombie, idle and D-grade land that no open case holds: " b { (c.total.parcels) }
                " parcels, " (num(c.total.area.ha, 2)) " ha (" (num(c.total.area.mu, 1))
                " 亩), ranked by priority (method on the last page). " (c.in_open_cases.parcels)
                " more such parcels (" (num(c.in_open_cases.area.mu, 1))
                " 亩) are already in open cases."
                @if c.ranked.len() > HTML_CANDIDATES {
                    " The first " (HTML_CANDIDATES) " are listed here; the CSV and JSON list all "
                    (c.ranked.len()) "."
                }
            }
            table {
                thead {
                    tr {
                        th.n { "#" }
                        th { "Parcel 宗地" }
                        th { "Owner 权利人" }
                        th { "Land use 用途" }
                        th.n { "亩 mu" }
                        th.n { "ha" }
                        th.n { "Tax/亩 万元" }
                        th.n { "Output/亩 万元" }
                        th { "Grade" }
                        th.n { "Priority" }
                        th { "Why listed 列入理由" }
                    }
                }
                tbody {
                    @for x in c.ranked.iter().take(HTML_CANDIDATES) {
                        (candidate_row(x))
                    }
                }
            }
        }
    }
}

fn candidate_row(x: &Candidate) -> Markup {
    let status = x.status.as_deref().map(status_name).unwrap_or_default();
    html! {
        tr {
            td.n { (x.rank) }
            td.id {
                (x.parcel_id)
                br;
                span.note { (x.zone.as_deref().unwrap_or_default()) " " (status) }
            }
            td { (x.owner.as_deref().unwrap_or_default()) }
            td {
                (x.land_use.as_deref().unwrap_or_default()) " "
                (x.land_use_name.as_deref().unwrap_or_default())
            }
            td.n { (num(x.area.mu, 1)) }
            td.n { (num(x.area.ha, 2)) }
            td.n { (num_or_dash(x.tax_per_mu, 2)) }
            td.n { (num_or_dash(x.output_per_mu, 2)) }
            td { (x.grade.as_deref().unwrap_or_default()) }
            td.n { (num(x.priority.score, 1)) }
            td { (x.why.join("; ")) }
        }
    }
}

fn pool(p: &Pool) -> Markup {
    html! {
        section {
            h2 { "储备池 Reserve pool" }
            p {
                "Land being taken in, in the reserve, and planned for supply: "
                b { (p.total.parcels) } " parcels, " (num(p.total.area.ha, 2)) " ha ("
                (num(p.total.area.mu, 1)) " 亩)."
            }
            (pool_stages(p))
            h3 { "地块 Parcels" }
            @if p.parcels.len() > HTML_POOL_PARCELS {
                p.note {
                    "The first " (HTML_POOL_PARCELS) " of " (p.parcels.len())
                    " are listed; the CSV and JSON list all."
                }
            }
            (pool_parcels(&p.parcels))
        }
    }
}

/// Parcels and 亩 by stage and zone, with the stage's total.
fn pool_stages(p: &Pool) -> Markup {
    html! {
        table {
            thead {
                tr {
                    th { "Stage 阶段" }
                    @for (_, name) in ZONES {
                        th.n { (name) br; "parcels / 亩" }
                    }
                    th.n { "Total 合计" }
                }
            }
            tbody {
                @for (stage, label) in POOL_STAGES {
                    (pool_stage_row(p, stage, label))
                }
            }
        }
    }
}

fn pool_stage_row(p: &Pool, stage: &str, label: &str) -> Markup {
    let cells: Vec<&Group> = ZONES
        .iter()
        .filter_map(|(zone, _)| p.cells.iter().find(|c| c.stage == stage && c.zone == *zone))
        .map(|c| &c.land)
        .collect();
    let parcels: usize = cells.iter().map(|g| g.parcels).sum();
    // Folded from +0.0: an empty stage reads "0.0", not "-0.0".
    let mu = cells.iter().fold(0.0, |mu, g| mu + g.area.mu);
    html! {
        tr {
            td { (label) }
            @for g in &cells {
                td.n { (g.parcels) " / " (num(g.area.mu, 1)) }
            }
            td.n { (parcels) " / " (num(mu, 1)) }
        }
    }
}

fn pool_parcels(parcels: &[PoolParcel]) -> Markup {
    html! {
        table {
            thead {
                tr {
                    th { "Parcel" }
                    th { "Zone" }
                    th { "Stage" }
                    th { "Case" }
                    th.n { "亩 mu" }
                    th { "Since 起始" }
                    th.n { "Days 天数" }
                    th { "Planned for 规划用途" }
                }
            }
            tbody {
                @for x in parcels.iter().take(HTML_POOL_PARCELS) {
                    (pool_parcel_row(x))
                }
            }
        }
    }
}

fn pool_parcel_row(x: &PoolParcel) -> Markup {
    let stage = POOL_STAGES
        .iter()
        .find(|(k, _)| *k == x.stage)
        .map_or(x.stage.as_str(), |(_, l)| *l);
    // The date of an RFC 3339 time.
    let since = x.since.as_deref().map_or("–", |s| s.get(..10).unwrap_or(s));
    let days = x
        .days_in_stage
        .map_or_else(|| "–".into(), |d| d.to_string());
    html! {
        tr {
            td.id { (x.parcel_id) }
            td { (x.zone.as_deref().unwrap_or_default()) }
            td { (stage) }
            td { (x.case.as_deref().unwrap_or_default()) }
            td.n { (num(x.area.mu, 1)) }
            td { (since) }
            td.n { (days) }
            td { (x.planned_for) }
        }
    }
}

fn ledger(r: &LandReserveReport) -> Markup {
    html! {
        section {
            h2 { "腾笼换鸟台账 Reallocation ledger" }
            table {
                thead {
                    tr {
                        th { "What 项目" }
                        th.n { "parcels" }
                        th.n { "ha" }
                        th.n { "亩 mu" }
                        th { "Cases 案件" }
                    }
                }
                tbody {
                    @for l in &r.ledger.lines {
                        tr {
                            td { (l.label) div.ids { (l.land.parcel_ids.join(" ")) } }
                            (land_cells(&l.land))
                            td.ids { (l.cases.join(" ")) }
                        }
                    }
                }
            }
            h3 { "存量扩能 Expansion in place" }
            (expansion(&r.ledger.expansion))
        }
    }
}

fn expansion(x: &ExpansionTotals) -> Markup {
    let started = num(x.planned_output_wan_started, 0);
    let started_yi = num(x.planned_output_wan_started / 10_000.0, 1);
    html! {
        table {
            tbody {
                tr { td { "Firms intending to expand 有扩能意向" } td.n { (x.intention) } }
                tr { td { "Expansions started 已开工" } td.n { (x.started) } }
                tr { td { "Expansions completed 已完成" } td.n { (x.completed) } }
                tr {
                    td { "Planned new output of started expansions 已开工项目新增产值" }
                    td.n { (started) " 万元 (" (started_yi) " 亿元)" }
                }
                tr {
                    td { "Planned new output of all open expansions 全部在办新增产值" }
                    td.n { (num(x.planned_output_wan_all_open, 0)) " 万元" }
                }
            }
        }
    }
}

fn services(r: &LandReserveReport) -> Markup {
    let coverage = &r.public_services.coverage;
    html! {
        section {
            h2 { "公共服务 Public services" }
            h3 { "目标进度 Progress against the targets (whole zone)" }
            (targets(&r.public_services.targets))
            h3 { "学校覆盖 School coverage of residential land (GB 50180-2018 life circles)" }
            (coverage_table(coverage))
            @for c in coverage.iter().filter(|c| !c.gaps.parcel_ids.is_empty()) {
                p.note {
                    (c.level) " gaps: " span.ids { (c.gaps.parcel_ids.join(" ")) }
                }
            }
        }
    }
}

fn targets(targets: &[Progress]) -> Markup {
    html! {
        table {
            thead {
                tr {
                    th { "Target 目标" }
                    th.n { "Target" }
                    th.n { "Completed 已完成" }
                    th.n { "Under way 在建" }
                    th.n { "Planned 规划" }
                    th { "Progress" }
                }
            }
            tbody {
                @for t in targets {
                    tr {
                        td { (t.title) }
                        td.n { (num(t.target, 0)) " " (t.unit) }
                        td.n { (num(t.completed, 0)) }
                        td.n { (num(t.under_way, 0)) }
                        td.n { (num(t.planned, 0)) }
                        td { (progress_bar(t.completed_percent)) " " (num(t.completed_percent, 1)) " %" }
                    }
                }
            }
        }
    }
}

/// A bar filled to `percent` (a style attribute, which the page's policy allows).
fn progress_bar(percent: f64) -> Markup {
    let width = format!("width:{:.0}%", percent.clamp(0.0, 100.0));
    html! {
        span.progress { span style=(width) {} }
    }
}

fn coverage_table(coverage: &[super::figures::Coverage]) -> Markup {
    html! {
        table {
            thead {
                tr {
                    th { "Level" }
                    th.n { "Radius" }
                    th.n { "Residential parcels / 亩" }
                    th.n { "Beyond completed schools" }
                    th.n { "Still beyond after planned schools" }
                }
            }
            tbody {
                @for c in coverage {
                    tr {
                        td { @if c.level == "primary" { "小学 primary" } @else { "中学 middle" } }
                        td.n { (num(c.radius_m, 0)) " m" }
                        td.n { (parcels_and_mu(&c.residential)) }
                        td.n { (parcels_and_mu(&c.gaps)) }
                        td.n { (parcels_and_mu(&c.gaps_after_planned)) }
                    }
                }
            }
        }
    }
}

/// "12 / 34.5": parcels and 亩.
fn parcels_and_mu(g: &Group) -> String {
    format!("{} / {}", g.parcels, num(g.area.mu, 1))
}

/// The last section: how candidates are ranked, with the settings used.
fn method(r: &LandReserveReport) -> Markup {
    html! {
        section {
            h2 { "方法 Method" }
            p {
                "Candidates are zombie (僵尸), idle (闲置) and D-grade (亩均效益D类) land that no \
                 open reallocation case holds. Each gets four factors between 0 and 1 and a \
                 priority " b { "100 × Σ weight × factor / Σ weight" } ":"
            }
            (factors(&r.priority_config))
            p.note {
                "Settings: config/reserve_priority.toml (see docs/reports.md). Figures are \
                 computed from the store"
                @if let Some(t) = &r.as_of {
                    " as it stood at " (t) " (replayed from the event log)"
                }
                "; tax and output per 亩 are the parcel's own figures over its geodesic area. \
                 The CSV and JSON versions carry the parcel ids behind every total."
            }
        }
    }
}

fn factors(c: &PriorityConfig) -> Markup {
    let (w, e, l) = (&c.weights, &c.efficiency, &c.location);
    let nodes: Vec<&str> = l.nodes.iter().map(|n| n.name.as_str()).collect();
    html! {
        table {
            thead { tr { th { "Factor" } th.n { "Weight" } th { "Rule" } } }
            tbody {
                tr {
                    td { "Efficiency 效率" }
                    td.n { (w.efficiency) }
                    td {
                        "zombie " (e.zombie) ", idle " (e.idle) ", owner graded D " (e.grade_d)
                        " (the highest that applies)"
                    }
                }
                tr {
                    td { "Area 面积" }
                    td.n { (w.area) }
                    td { "area in 亩 / " (c.area.full_mu) " (at most 1)" }
                }
                tr {
                    td { "Location 区位" }
                    td.n { (w.location) }
                    td {
                        "1 within " (l.corridor_m) " m of a corridor (" (l.corridors.join(", "))
                        ") or " (l.node_m) " m of a node (" (nodes.join(", "))
                        "); 0.5 within twice that; else 0"
                    }
                }
                tr {
                    td { "Conflict 项目用地" }
                    td.n { (w.conflict) }
                    td {
                        "1 when a planned or under-construction school or project names the \
                         parcel or covers more than " (c.conflict.min_share * 100.0) " % of it"
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use geo::{Geometry, LineString, Polygon, Rect};
    use serde_json::{json, Map, Value};

    use super::render;
    use crate::domain::reserve_priority::PriorityConfig;
    use crate::domain::FeatureRecord;
    use crate::report::figures::compute;
    use crate::report::input::{Input, ParcelRow};

    /// Owner and label text a hostile import could carry.
    const HOSTILE: &str = r#"Q&A "Co" <script>alert('x')</script>"#;
    /// The same, as the template engine writes it in text.
    const HOSTILE_HTML: &str = "Q&amp;A &quot;Co&quot; &lt;script&gt;alert('x')&lt;/script&gt;";
    /// The same, as the SVG writer writes it.
    const HOSTILE_SVG: &str =
        "Q&amp;A &quot;Co&quot; &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;";

    fn square(lon: f64, lat: f64) -> Geometry<f64> {
        Geometry::Polygon(Polygon::from(Rect::new(
            (lon, lat),
            (lon + 0.002, lat + 0.002),
        )))
    }

    fn feature(code: &str, properties: &Value, geometry: Geometry<f64>) -> FeatureRecord {
        FeatureRecord {
            id: 1,
            code: code.into(),
            properties: properties.as_object().cloned().unwrap_or_else(Map::new),
            geometry,
        }
    }

    /// A zombie parcel with a hostile owner and id, in a zone and beside a road whose
    /// names are hostile too.
    fn hostile_input() -> Input {
        let parcel = ParcelRow {
            code: Arc::from(format!("Z-1 {HOSTILE}")),
            zone: Some("south".into()),
            subdistrict: None,
            land_use: Some("M1".into()),
            status: Some("zombie".into()),
            owner: Some(HOSTILE.into()),
            grade: Some("D".into()),
            area_m2: 40_000.0,
            tax_wan: Some(10.0),
            output_wan: None,
            centroid: (125.401, 43.861),
            geometry: Some(Box::new(square(125.4, 43.86))),
            school_cover: None,
        };
        let road = LineString::from(vec![(125.399, 43.859), (125.403, 43.863)]);
        Input {
            parcels: vec![parcel],
            zones: vec![feature(
                "south",
                &json!({ "kind": "zone", "name": HOSTILE }),
                square(125.39, 43.85),
            )],
            roads: vec![feature(
                "road",
                &json!({ "class": "expressway", "name": HOSTILE }),
                Geometry::LineString(road),
            )],
            ..Input::default()
        }
    }

    /// The names of every attribute of every tag, quoted values left out.
    fn attribute_names(html: &str) -> Vec<String> {
        let mut names = Vec::new();
        for tag in html.split('<').skip(1) {
            let mut inside = String::new();
            let mut in_quotes = false;
            for c in tag.chars() {
                match c {
                    '"' => in_quotes = !in_quotes,
                    '>' if !in_quotes => break,
                    c if !in_quotes => inside.push(c),
                    _ => {}
                }
            }
            let attributes = inside.split_whitespace().skip(1);
            names.extend(attributes.map(|a| a.split('=').next().unwrap_or(a).to_string()));
        }
        names
    }

    #[test]
    fn hostile_owner_and_label_text_comes_out_escaped_in_text_and_attributes() {
        let input = hostile_input();
        let report = compute(
            &input,
            format!("zone south {HOSTILE}"),
            "2024-05-01T08:00:00Z".into(),
            &PriorityConfig::default(),
            &[],
        );
        assert_eq!(
            report.candidates.ranked.len(),
            1,
            "the zombie parcel is a candidate"
        );

        let html = render(&report, &input);

        assert!(
            !html.contains(HOSTILE),
            "no hostile text comes out as it is"
        );
        assert!(!html.contains("<script"), "no script element gets in");
        // Text of the page, escaped by the template engine.
        assert!(
            html.contains(&format!("<td>{HOSTILE_HTML}</td>")),
            "owner cell"
        );
        assert!(html.contains(&format!("Scope 范围: zone south {HOSTILE_HTML}<br>")));
        assert!(html.contains(&format!("<td class=\"id\">Z-1 {HOSTILE_HTML}<br>")));
        // Zone, road and parcel labels on the maps, escaped by the SVG writer.
        assert!(
            html.contains(&format!("<title>{HOSTILE_SVG}</title>")),
            "zone title"
        );
        assert!(
            html.contains(&format!(">{HOSTILE_SVG}</text>")),
            "road label"
        );
        // Attributes: every quote in the data was escaped, so no value ends early and no
        // attribute (an event handler, say) is made from the data.
        let names = attribute_names(&html);
        assert!(names.iter().any(|n| n == "class"), "{names:?}");
        let made_up: Vec<&String> = names
            .iter()
            .filter(|n| n.starts_with("on") || n.contains(['&', '\'', '(', ')', '<']))
            .collect();
        assert!(made_up.is_empty(), "{made_up:?}");
    }
}
