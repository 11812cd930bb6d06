//! The report as one self-contained HTML page for A4 paper: inline styles, the maps and
//! charts as inline SVG drawn by the service, no scripts, no network. Each section starts
//! a new printed page; long tables repeat their header on every page.

use std::fmt::Write;

use geo::{BoundingRect, Geometry, Polygon, Rect};
use serde_json::Value;

use super::figures::{Group, LandReserveReport, POOL_STAGES, ZONES};
use super::input::{GridCells, Input};
use super::svg::{self, LegendEntry, MapCircle, MapLine, MapShape, MapSpec, Swatch};
use crate::domain::projects::Level;
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
    let mut b = String::with_capacity(256 * 1024);
    let _ = write!(
        b,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>",
        e(&r.title)
    );
    summary(&mut b, r);
    maps(&mut b, r, input);
    candidates(&mut b, r);
    pool(&mut b, r);
    ledger(&mut b, r);
    services(&mut b, r);
    method(&mut b, r);
    b.push_str("</body></html>");
    b
}

fn e(s: &str) -> String {
    svg::escape(s)
}

fn num(v: f64, decimals: usize) -> String {
    svg::format_number(v, decimals)
}

fn opt<S: std::ops::Deref<Target = str>>(v: &Option<S>) -> String {
    v.as_deref().map(e).unwrap_or_default()
}

/// "12 parcels, 3.45 ha (51.8 亩)".
fn land_cells(g: &Group) -> String {
    format!(
        "<td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>",
        g.parcels,
        num(g.area.ha, 2),
        num(g.area.mu, 1)
    )
}

fn status_name(code: &str) -> String {
    code.parse::<ParcelStatus>()
        .map(|s| format!("{} {code}", s.label_zh()))
        .unwrap_or_else(|_| code.to_string())
}

fn summary(b: &mut String, r: &LandReserveReport) {
    let _ =
        write!(
        b,
        "<section class=first><h1>{}</h1><p class=meta>长春经济技术开发区 Changchun Economic and \
         Technological Development Zone<br>Scope 范围: {}<br>Data as of 数据截至: {}<br>\
         Generated 生成时间: {}</p><h2>概况 Summary</h2>",
        e(&r.title),
        e(&r.scope),
        e(r.as_of.as_deref().unwrap_or("the time of generation 生成时")),
        e(&r.generated_at)
    );
    b.push_str(
        "<table><thead><tr><th rowspan=2>Zone 园区</th><th colspan=3>All land 全部用地</th>\
         <th colspan=3>In reserve 已入库</th><th colspan=3>Being taken in 收储中</th>\
         <th colspan=3>Candidates 收储候选</th></tr><tr>",
    );
    for _ in 0..4 {
        b.push_str("<th class=n>parcels</th><th class=n>ha</th><th class=n>亩 mu</th>");
    }
    b.push_str("</tr></thead><tbody>");
    for z in &r.summary {
        let class = if z.zone == "total" {
            " class=total"
        } else {
            ""
        };
        let _ = write!(
            b,
            "<tr{class}><td>{}</td>{}{}{}{}</tr>",
            e(&z.name),
            land_cells(&z.land),
            land_cells(&z.in_reserve),
            land_cells(&z.being_taken_in),
            land_cells(&z.candidates)
        );
    }
    b.push_str("</tbody></table>");
    let total = r.summary.last();
    if let Some(t) = total {
        let _ = write!(
            b,
            "<p>The area holds <b>{}</b> parcels on <b>{} m²</b> ({} ha, {} 亩). <b>{}</b> parcels \
             ({} 亩) are in the land reserve and <b>{}</b> ({} 亩) are being taken in; \
             <b>{}</b> more parcels ({} 亩) of zombie, idle or D-grade land are candidates. \
             Areas are geodesic (on the ellipsoid); 1 亩 = 666.67 m².</p>",
            t.land.parcels,
            num(t.land.area.m2, 0),
            num(t.land.area.ha, 2),
            num(t.land.area.mu, 1),
            t.in_reserve.parcels,
            num(t.in_reserve.area.mu, 1),
            t.being_taken_in.parcels,
            num(t.being_taken_in.area.mu, 1),
            t.candidates.parcels,
            num(t.candidates.area.mu, 1)
        );
    }
    b.push_str("</section>");
}

/// The map's extent: the land in scope, with a margin.
fn extent(input: &Input) -> [f64; 4] {
    let mut r: Option<Rect<f64>> = None;
    let mut grow = |x: Rect<f64>| {
        r = Some(match r {
            None => x,
            Some(a) => Rect::new(
                (a.min().x.min(x.min().x), a.min().y.min(x.min().y)),
                (a.max().x.max(x.max().x), a.max().y.max(x.max().y)),
            ),
        })
    };
    for p in &input.parcels {
        match &p.geometry {
            Some(g) => {
                if let Some(x) = g.bounding_rect() {
                    grow(x)
                }
            }
            None => grow(Rect::new(p.centroid, p.centroid)),
        }
    }
    let Some(r) = r else {
        return crate::domain::ZONE_EXTENT;
    };
    let (dx, dy) = (
        (r.width() * 0.03).max(0.002),
        (r.height() * 0.03).max(0.002),
    );
    [
        r.min().x - dx,
        r.min().y - dy,
        r.max().x + dx,
        r.max().y + dy,
    ]
}

fn road_style(class: Option<&str>) -> (&'static str, f64, bool) {
    match class {
        Some("expressway") => ("#8c6d46", 2.2, true),
        Some("arterial") => ("#8f8f8f", 1.6, true),
        Some("secondary") => ("#ababab", 1.0, false),
        _ => ("#c4c4c4", 0.6, false),
    }
}

fn maps(b: &mut String, r: &LandReserveReport, input: &Input) {
    b.push_str("<section><h2>地图 Maps</h2>");
    let bbox = extent(input);
    let grid_cells: Vec<(Geometry<f64>, String)> =
        input.grid.as_ref().map(grid_shapes).unwrap_or_default();
    let background: Vec<MapShape> = input
        .zones
        .iter()
        .filter(|z| z.properties.get("kind").and_then(Value::as_str) == Some("zone"))
        .map(|z| MapShape {
            geometry: &z.geometry,
            fill: Some("#f7f7f2"),
            stroke: Some("#6b7b7a"),
            stroke_width: 1.2,
            dash: false,
            title: z
                .properties
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .collect();
    let lines: Vec<MapLine> = input
        .roads
        .iter()
        .map(|road| {
            let (colour, width, labelled) =
                road_style(road.properties.get("class").and_then(Value::as_str));
            MapLine {
                geometry: &road.geometry,
                colour,
                width,
                label: labelled
                    .then(|| road.properties.get("name").and_then(Value::as_str))
                    .flatten()
                    .map(str::to_string),
            }
        })
        .collect();
    let candidate_ids: std::collections::HashSet<&str> =
        r.candidates.ranked.iter().map(|c| &*c.parcel_id).collect();
    let pool_ids: std::collections::HashSet<&str> = r
        .reserve_pool
        .parcels
        .iter()
        .map(|p| &*p.parcel_id)
        .collect();
    let outlines = || -> Vec<MapShape> {
        input
            .parcels
            .iter()
            .filter_map(|p| {
                let g = p.geometry.as_ref()?;
                let (colour, dash) = if candidate_ids.contains(&*p.code) {
                    ("#b2182b", true)
                } else if pool_ids.contains(&*p.code) {
                    ("#3f007d", false)
                } else {
                    return None;
                };
                Some(MapShape {
                    geometry: g,
                    fill: None,
                    stroke: Some(colour),
                    stroke_width: 1.3,
                    dash,
                    title: Some(p.code.to_string()),
                })
            })
            .collect()
    };
    let circles = || -> Vec<MapCircle> {
        input
            .schools
            .iter()
            .filter_map(|s| {
                let level = s.properties.get("level").and_then(Value::as_str);
                let status = s.properties.get("status").and_then(Value::as_str);
                let radius = if Level::Middle.served_by(level) {
                    Level::Middle.radius_m()
                } else {
                    Level::Primary.radius_m()
                };
                let c = geo::Centroid::centroid(&s.geometry)?;
                let (x0, y0, x1, y1) = (bbox[0], bbox[1], bbox[2], bbox[3]);
                if c.x() < x0 || c.x() > x1 || c.y() < y0 || c.y() > y1 {
                    return None;
                }
                Some(MapCircle {
                    lon: c.x(),
                    lat: c.y(),
                    radius_m: radius,
                    colour: if status == Some("completed") {
                        "#08519c".into()
                    } else {
                        "#6baed6".into()
                    },
                    label: s
                        .properties
                        .get("name")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            })
            .collect()
    };
    let common_legend = || {
        vec![
            LegendEntry {
                swatch: Swatch::Outline("#3f007d".into()),
                label: "储备池 reserve pool".into(),
            },
            LegendEntry {
                swatch: Swatch::Dashed("#b2182b".into()),
                label: "收储候选 candidate".into(),
            },
            LegendEntry {
                swatch: Swatch::Circle("#08519c".into()),
                label: "学校及服务半径 school, radius (500 m / 1 km)".into(),
            },
            LegendEntry {
                swatch: Swatch::Circle("#6baed6".into()),
                label: "规划学校 planned school".into(),
            },
        ]
    };
    // By status.
    let mut areas: Vec<MapShape> = Vec::new();
    let mut statuses: Vec<String> = Vec::new();
    if input.grid.is_some() {
        for (g, status) in &grid_cells {
            areas.push(MapShape {
                geometry: g,
                fill: Some(svg::status_colour(Some(status))),
                stroke: None,
                stroke_width: 0.0,
                dash: false,
                title: None,
            });
            if !statuses.contains(status) {
                statuses.push(status.clone());
            }
        }
    } else {
        for p in &input.parcels {
            let Some(g) = &p.geometry else { continue };
            let status = p.status.as_deref().unwrap_or_default().to_string();
            areas.push(MapShape {
                geometry: g,
                fill: Some(svg::status_colour(p.status.as_deref())),
                stroke: Some("#ffffff"),
                stroke_width: 0.3,
                dash: false,
                title: Some(format!("{} {}", p.code, status)),
            });
            if !statuses.contains(&status) {
                statuses.push(status);
            }
        }
    }
    let order: Vec<&str> = ParcelStatus::ALL.iter().map(|s| s.code()).collect();
    statuses.sort_by_key(|s| order.iter().position(|o| o == s).unwrap_or(99));
    let mut legend: Vec<LegendEntry> = statuses
        .iter()
        .map(|s| LegendEntry {
            swatch: Swatch::Fill(svg::status_colour(Some(s)).into()),
            label: status_name(s),
        })
        .collect();
    legend.extend(common_legend());
    let title = if input.grid.is_some() {
        "用地状态 Land by status (too many parcels to draw: each cell shows the status holding most land)"
    } else {
        "用地状态 Land by status"
    };
    let status_map = svg::map_svg(&MapSpec {
        title: title.into(),
        bbox,
        width: 700.0,
        background: background.clone(),
        areas,
        lines: lines.clone(),
        outlines: outlines(),
        circles: circles(),
        legend,
    });
    let _ = write!(b, "<div class=figure>{status_map}</div>");
    // By grade (parcel by parcel only).
    if input.grid.is_none() {
        let mut grades: Vec<Option<String>> = Vec::new();
        let areas: Vec<MapShape> = input
            .parcels
            .iter()
            .filter_map(|p| {
                let g = p.geometry.as_ref()?;
                let grade = p.grade.as_deref().map(str::to_string);
                if !grades.contains(&grade) {
                    grades.push(grade);
                }
                Some(MapShape {
                    geometry: g,
                    fill: Some(svg::grade_colour(p.grade.as_deref())),
                    stroke: Some("#ffffff"),
                    stroke_width: 0.3,
                    dash: false,
                    title: Some(format!(
                        "{} grade {}",
                        p.code,
                        p.grade.as_deref().unwrap_or("none")
                    )),
                })
            })
            .collect();
        let mut legend: Vec<LegendEntry> = ["A", "B", "C", "D", "ungraded"]
            .iter()
            .filter(|g| grades.contains(&Some(g.to_string())))
            .map(|g| LegendEntry {
                swatch: Swatch::Fill(svg::grade_colour(Some(g)).into()),
                label: grade_name(g),
            })
            .collect();
        if grades.contains(&None) {
            legend.push(LegendEntry {
                swatch: Swatch::Fill(svg::grade_colour(None).into()),
                label: "无企业 no graded firm".into(),
            });
        }
        legend.extend(common_legend());
        let grade_map = svg::map_svg(&MapSpec {
            title: "亩均效益评价 Land by efficiency grade of the owner".into(),
            bbox,
            width: 700.0,
            background: background.clone(),
            areas,
            lines: lines.clone(),
            outlines: outlines(),
            circles: Vec::new(),
            legend,
        });
        let _ = write!(
            b,
            "<div class=figure style=\"break-before:page\">{grade_map}</div>"
        );
    }
    // Charts.
    let zones_series = |value: &dyn Fn(&str) -> Vec<f64>| -> Vec<svg::Series> {
        ZONES
            .iter()
            .zip(["#1b7837", "#2166ac", "#b35806"])
            .map(|((zone, name), colour)| svg::Series {
                name: name.to_string(),
                colour: colour.into(),
                values: value(zone),
            })
            .collect()
    };
    let pool_chart = svg::bar_chart_svg(&svg::BarChart {
        title: "储备用地 Land in the reserve pool by stage and zone".into(),
        categories: POOL_STAGES.iter().map(|(_, l)| l.to_string()).collect(),
        series: zones_series(&|zone| {
            POOL_STAGES
                .iter()
                .map(|(stage, _)| {
                    r.reserve_pool
                        .cells
                        .iter()
                        .find(|c| c.stage == *stage && c.zone == zone)
                        .map(|c| c.land.area.mu)
                        .unwrap_or(0.0)
                })
                .collect()
        }),
        unit: "亩 mu".into(),
        stacked: true,
        width: 680.0,
        height: 300.0,
    });
    let grade_keys = ["A", "B", "C", "D", "ungraded"];
    let grade_chart = svg::bar_chart_svg(&svg::BarChart {
        title: "亩均效益等级 Land by owner's efficiency grade and zone".into(),
        categories: grade_keys.iter().map(|g| grade_name(g)).collect(),
        series: zones_series(&|zone| {
            grade_keys
                .iter()
                .map(|g| {
                    input
                        .parcels
                        .iter()
                        .filter(|p| {
                            p.zone.as_deref() == Some(zone) && p.grade.as_deref() == Some(g)
                        })
                        .map(|p| p.area_m2)
                        .sum::<f64>()
                        / crate::domain::SQUARE_METRES_PER_MU
                })
                .collect()
        }),
        unit: "亩 mu".into(),
        stacked: true,
        width: 680.0,
        height: 300.0,
    });
    let _ = write!(
        b,
        "<div class=figure style=\"break-before:page\">{pool_chart}</div><div class=figure>{grade_chart}</div></section>"
    );
}

fn grade_name(g: &str) -> String {
    match g {
        "A" => "A 优先发展".into(),
        "B" => "B 鼓励提升".into(),
        "C" => "C 整治提升".into(),
        "D" => "D 限制发展".into(),
        "ungraded" => "未评价 ungraded".into(),
        other => other.into(),
    }
}

/// The grid's cells as rectangles with the status holding most land in each.
fn grid_shapes(grid: &GridCells) -> Vec<(Geometry<f64>, String)> {
    let [x0, y0, x1, y1] = grid.extent;
    let (cols, rows) = grid.size;
    let (w, h) = ((x1 - x0) / cols as f64, (y1 - y0) / rows as f64);
    let mut cells: Vec<(&usize, &std::collections::HashMap<String, f64>)> =
        grid.cells.iter().collect();
    cells.sort_by_key(|(i, _)| **i);
    cells
        .into_iter()
        .filter_map(|(i, by_status)| {
            let (c, r) = (i % cols, i / cols);
            let status = by_status
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))?
                .0
                .clone();
            let (ax, ay) = (x0 + c as f64 * w, y0 + r as f64 * h);
            let rect = Rect::new((ax, ay), (ax + w, ay + h));
            Some((Geometry::Polygon(Polygon::from(rect)), status))
        })
        .collect()
}

fn candidates(b: &mut String, r: &LandReserveReport) {
    let c = &r.candidates;
    let _ = write!(
        b,
        "<section><h2>收储候选地块 Reserve candidates</h2><p>Zombie, idle and D-grade land that no \
         open case holds: <b>{}</b> parcels, {} ha ({} 亩), ranked by priority (method on the \
         last page). {} more such parcels ({} 亩) are already in open cases.{}</p>",
        c.total.parcels,
        num(c.total.area.ha, 2),
        num(c.total.area.mu, 1),
        c.in_open_cases.parcels,
        num(c.in_open_cases.area.mu, 1),
        if c.ranked.len() > HTML_CANDIDATES {
            format!(
                " The first {HTML_CANDIDATES} are listed here; the CSV and JSON list all {}.",
                c.ranked.len()
            )
        } else {
            String::new()
        }
    );
    b.push_str(
        "<table><thead><tr><th class=n>#</th><th>Parcel 宗地</th><th>Owner 权利人</th>\
         <th>Land use 用途</th><th class=n>亩 mu</th><th class=n>ha</th>\
         <th class=n>Tax/亩 万元</th><th class=n>Output/亩 万元</th><th>Grade</th>\
         <th class=n>Priority</th><th>Why listed 列入理由</th></tr></thead><tbody>",
    );
    for x in c.ranked.iter().take(HTML_CANDIDATES) {
        let per = |v: Option<f64>| v.map(|v| num(v, 2)).unwrap_or_else(|| "–".into());
        let _ = write!(
            b,
            "<tr><td class=n>{}</td><td class=id>{}<br><span class=note>{} {}</span></td><td>{}</td>\
             <td>{} {}</td><td class=n>{}</td><td class=n>{}</td><td class=n>{}</td>\
             <td class=n>{}</td><td>{}</td><td class=n>{}</td><td>{}</td></tr>",
            x.rank,
            e(&x.parcel_id),
            opt(&x.zone),
            x.status
                .as_deref()
                .map(status_name)
                .map(|s| e(&s))
                .unwrap_or_default(),
            opt(&x.owner),
            opt(&x.land_use),
            opt(&x.land_use_name),
            num(x.area.mu, 1),
            num(x.area.ha, 2),
            per(x.tax_per_mu),
            per(x.output_per_mu),
            opt(&x.grade),
            num(x.priority.score, 1),
            e(&x.why.join("; "))
        );
    }
    b.push_str("</tbody></table></section>");
}

fn pool(b: &mut String, r: &LandReserveReport) {
    let p = &r.reserve_pool;
    let _ = write!(
        b,
        "<section><h2>储备池 Reserve pool</h2><p>Land being taken in, in the reserve, and planned \
         for supply: <b>{}</b> parcels, {} ha ({} 亩).</p>\
         <table><thead><tr><th>Stage 阶段</th>",
        p.total.parcels,
        num(p.total.area.ha, 2),
        num(p.total.area.mu, 1)
    );
    for (_, name) in ZONES {
        let _ = write!(b, "<th class=n>{}<br>parcels / 亩</th>", e(name));
    }
    b.push_str("<th class=n>Total 合计</th></tr></thead><tbody>");
    for (stage, label) in POOL_STAGES {
        let _ = write!(b, "<tr><td>{}</td>", e(label));
        let (mut n, mut mu) = (0, 0.0);
        for (zone, _) in ZONES {
            if let Some(c) = p.cells.iter().find(|c| c.stage == stage && c.zone == zone) {
                n += c.land.parcels;
                mu += c.land.area.mu;
                let _ = write!(
                    b,
                    "<td class=n>{} / {}</td>",
                    c.land.parcels,
                    num(c.land.area.mu, 1)
                );
            }
        }
        let _ = write!(b, "<td class=n>{n} / {}</td></tr>", num(mu, 1));
    }
    b.push_str("</tbody></table><h3>地块 Parcels</h3>");
    if p.parcels.len() > HTML_POOL_PARCELS {
        let _ = write!(
            b,
            "<p class=note>The first {HTML_POOL_PARCELS} of {} are listed; the CSV and JSON list all.</p>",
            p.parcels.len()
        );
    }
    b.push_str(
        "<table><thead><tr><th>Parcel</th><th>Zone</th><th>Stage</th><th>Case</th>\
         <th class=n>亩 mu</th><th>Since 起始</th><th class=n>Days 天数</th>\
         <th>Planned for 规划用途</th></tr></thead><tbody>",
    );
    for x in p.parcels.iter().take(HTML_POOL_PARCELS) {
        let stage = POOL_STAGES
            .iter()
            .find(|(k, _)| *k == x.stage)
            .map(|(_, l)| *l)
            .unwrap_or(&x.stage);
        let _ = write!(
            b,
            "<tr><td class=id>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=n>{}</td><td>{}</td>\
             <td class=n>{}</td><td>{}</td></tr>",
            e(&x.parcel_id),
            opt(&x.zone),
            e(stage),
            opt(&x.case),
            num(x.area.mu, 1),
            e(x.since
                .as_deref()
                .map(|s| s.get(..10).unwrap_or(s))
                .unwrap_or("–")),
            x.days_in_stage
                .map(|d| d.to_string())
                .unwrap_or_else(|| "–".into()),
            e(&x.planned_for)
        );
    }
    b.push_str("</tbody></table></section>");
}

fn ledger(b: &mut String, r: &LandReserveReport) {
    b.push_str(
        "<section><h2>腾笼换鸟台账 Reallocation ledger</h2><table><thead><tr><th>What 项目</th>\
         <th class=n>parcels</th><th class=n>ha</th><th class=n>亩 mu</th><th>Cases 案件</th>\
         </tr></thead><tbody>",
    );
    for l in &r.ledger.lines {
        let _ = write!(
            b,
            "<tr><td>{}<div class=ids>{}</div></td>{}<td class=ids>{}</td></tr>",
            e(&l.label),
            e(&l.land.parcel_ids.join(" ")),
            land_cells(&l.land),
            e(&l.cases.join(" "))
        );
    }
    let x = &r.ledger.expansion;
    let _ = write!(
        b,
        "</tbody></table><h3>存量扩能 Expansion in place</h3><table><tbody>\
         <tr><td>Firms intending to expand 有扩能意向</td><td class=n>{}</td></tr>\
         <tr><td>Expansions started 已开工</td><td class=n>{}</td></tr>\
         <tr><td>Expansions completed 已完成</td><td class=n>{}</td></tr>\
         <tr><td>Planned new output of started expansions 已开工项目新增产值</td><td class=n>{} 万元 ({} 亿元)</td></tr>\
         <tr><td>Planned new output of all open expansions 全部在办新增产值</td><td class=n>{} 万元</td></tr>\
         </tbody></table></section>",
        x.intention,
        x.started,
        x.completed,
        num(x.planned_output_wan_started, 0),
        num(x.planned_output_wan_started / 10_000.0, 1),
        num(x.planned_output_wan_all_open, 0)
    );
}

fn services(b: &mut String, r: &LandReserveReport) {
    b.push_str(
        "<section><h2>公共服务 Public services</h2><h3>目标进度 Progress against the targets \
         (whole zone)</h3><table><thead><tr><th>Target 目标</th><th class=n>Target</th>\
         <th class=n>Completed 已完成</th><th class=n>Under way 在建</th><th class=n>Planned 规划</th>\
         <th>Progress</th></tr></thead><tbody>",
    );
    for t in &r.public_services.targets {
        let pct = t.completed_percent.clamp(0.0, 100.0);
        let _ = write!(
            b,
            "<tr><td>{}</td><td class=n>{} {}</td><td class=n>{}</td><td class=n>{}</td>\
             <td class=n>{}</td><td><span class=progress><span style=\"width:{pct:.0}%\"></span></span> {} %</td></tr>",
            e(&t.title),
            num(t.target, 0),
            e(&t.unit),
            num(t.completed, 0),
            num(t.under_way, 0),
            num(t.planned, 0),
            num(t.completed_percent, 1)
        );
    }
    b.push_str(
        "</tbody></table><h3>学校覆盖 School coverage of residential land (GB 50180-2018 life \
         circles)</h3><table><thead><tr><th>Level</th><th class=n>Radius</th>\
         <th class=n>Residential parcels / 亩</th><th class=n>Beyond completed schools</th>\
         <th class=n>Still beyond after planned schools</th></tr></thead><tbody>",
    );
    for c in &r.public_services.coverage {
        let name = if c.level == "primary" {
            "小学 primary"
        } else {
            "中学 middle"
        };
        let _ = write!(
            b,
            "<tr><td>{name}</td><td class=n>{} m</td><td class=n>{} / {}</td>\
             <td class=n>{} / {}</td><td class=n>{} / {}</td></tr>",
            num(c.radius_m, 0),
            c.residential.parcels,
            num(c.residential.area.mu, 1),
            c.gaps.parcels,
            num(c.gaps.area.mu, 1),
            c.gaps_after_planned.parcels,
            num(c.gaps_after_planned.area.mu, 1)
        );
    }
    b.push_str("</tbody></table>");
    for c in &r.public_services.coverage {
        if !c.gaps.parcel_ids.is_empty() {
            let _ = write!(
                b,
                "<p class=note>{} gaps: <span class=ids>{}</span></p>",
                e(&c.level),
                e(&c.gaps.parcel_ids.join(" "))
            );
        }
    }
    b.push_str("</section>");
}

fn method(b: &mut String, r: &LandReserveReport) {
    let c = &r.priority_config;
    let w = &c.weights;
    let _ = write!(
        b,
        "<section><h2>方法 Method</h2><p>Candidates are zombie (僵尸), idle (闲置) and D-grade \
         (亩均效益D类) land that no open reallocation case holds. Each gets four factors between \
         0 and 1 and a priority <b>100 × Σ weight × factor / Σ weight</b>:</p><table><thead><tr>\
         <th>Factor</th><th class=n>Weight</th><th>Rule</th></tr></thead><tbody>\
         <tr><td>Efficiency 效率</td><td class=n>{}</td><td>zombie {}, idle {}, owner graded D {} (the highest that applies)</td></tr>\
         <tr><td>Area 面积</td><td class=n>{}</td><td>area in 亩 / {} (at most 1)</td></tr>\
         <tr><td>Location 区位</td><td class=n>{}</td><td>1 within {} m of a corridor ({}) or {} m of a node ({}); 0.5 within twice that; else 0</td></tr>\
         <tr><td>Conflict 项目用地</td><td class=n>{}</td><td>1 when a planned or under-construction school or project names the parcel or covers more than {} % of it</td></tr>\
         </tbody></table><p class=note>Settings: config/reserve_priority.toml (see docs/reports.md). \
         Figures are computed from the store{}; tax and output per 亩 are the parcel's own figures \
         over its geodesic area. The CSV and JSON versions carry the parcel ids behind every total.</p></section>",
        w.efficiency,
        c.efficiency.zombie,
        c.efficiency.idle,
        c.efficiency.grade_d,
        w.area,
        c.area.full_mu,
        w.location,
        c.location.corridor_m,
        e(&c.location.corridors.join(", ")),
        c.location.node_m,
        e(&c.location.nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")),
        w.conflict,
        c.conflict.min_share * 100.0,
        match &r.as_of {
            Some(t) => format!(" as it stood at {} (replayed from the event log)", e(t)),
            None => String::new(),
        }
    );
}
