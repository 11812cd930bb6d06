//! The report's maps and charts: the layers and legends handed to [`super::svg`], which
//! draws (and escapes) them. The page places the SVG it returns.

use std::collections::{HashMap, HashSet};

use geo::{BoundingRect, Centroid, Geometry, Polygon, Rect};
use serde_json::Value;

use super::super::figures::{LandReserveReport, POOL_STAGES, ZONES};
use super::super::input::{GridCells, Input, ParcelRow};
use super::super::svg::{
    self, BarChart, LegendEntry, MapCircle, MapLine, MapShape, MapSpec, Series, Swatch,
};
use super::status_name;
use crate::domain::projects::Level;
use crate::domain::{ParcelStatus, SQUARE_METRES_PER_MU, ZONE_EXTENT};

/// Grades in legend and chart order.
const GRADES: [&str; 5] = ["A", "B", "C", "D", "ungraded"];

/// What every map of the report shares: its extent and the layers under and over the
/// land it colours.
pub(super) struct Maps<'a> {
    report: &'a LandReserveReport,
    input: &'a Input,
    bbox: [f64; 4],
    background: Vec<MapShape<'a>>,
    lines: Vec<MapLine<'a>>,
}

impl<'a> Maps<'a> {
    pub(super) fn new(report: &'a LandReserveReport, input: &'a Input) -> Self {
        Self {
            report,
            input,
            bbox: extent(input),
            background: zone_shapes(input),
            lines: road_lines(input),
        }
    }

    /// The land by status: parcel by parcel, or the grid's cells when they were too many.
    pub(super) fn status_map(&self) -> String {
        let grid_cells = self
            .input
            .grid
            .as_ref()
            .map(grid_shapes)
            .unwrap_or_default();
        let (areas, statuses) = if self.input.grid.is_some() {
            grid_areas(&grid_cells)
        } else {
            parcel_areas(&self.input.parcels)
        };
        let mut legend: Vec<LegendEntry> = statuses
            .iter()
            .map(|s| LegendEntry {
                swatch: Swatch::Fill(svg::status_colour(Some(s)).into()),
                label: status_name(s),
            })
            .collect();
        legend.extend(common_legend());
        let title = if self.input.grid.is_some() {
            "用地状态 Land by status (too many parcels to draw: each cell shows the status holding most land)"
        } else {
            "用地状态 Land by status"
        };
        svg::map_svg(&MapSpec {
            title: title.into(),
            bbox: self.bbox,
            width: 700.0,
            background: self.background.clone(),
            areas,
            lines: self.lines.clone(),
            outlines: self.outlines(),
            circles: self.school_circles(),
            legend,
        })
    }

    /// The land by its owner's efficiency grade; only when parcels are drawn one by one.
    pub(super) fn grade_map(&self) -> Option<String> {
        if self.input.grid.is_some() {
            return None;
        }
        let mut grades: Vec<Option<&str>> = Vec::new();
        let areas: Vec<MapShape> = self
            .input
            .parcels
            .iter()
            .filter_map(|p| {
                let g = p.geometry.as_deref()?;
                let grade = p.grade.as_deref();
                if !grades.contains(&grade) {
                    grades.push(grade);
                }
                Some(MapShape {
                    geometry: g,
                    fill: Some(svg::grade_colour(grade)),
                    stroke: Some("#ffffff"),
                    stroke_width: 0.3,
                    dash: false,
                    title: Some(format!("{} grade {}", p.code, grade.unwrap_or("none"))),
                })
            })
            .collect();
        Some(svg::map_svg(&MapSpec {
            title: "亩均效益评价 Land by efficiency grade of the owner".into(),
            bbox: self.bbox,
            width: 700.0,
            background: self.background.clone(),
            areas,
            lines: self.lines.clone(),
            outlines: self.outlines(),
            circles: Vec::new(),
            legend: grade_legend(&grades),
        }))
    }

    /// 亩 in the reserve pool by stage, stacked by zone.
    pub(super) fn pool_chart(&self) -> String {
        let cells = &self.report.reserve_pool.cells;
        svg::bar_chart_svg(&BarChart {
            title: "储备用地 Land in the reserve pool by stage and zone".into(),
            categories: POOL_STAGES.iter().map(|(_, l)| (*l).to_string()).collect(),
            series: zone_series(|zone| {
                POOL_STAGES
                    .iter()
                    .map(|(stage, _)| {
                        cells
                            .iter()
                            .find(|c| c.stage == *stage && c.zone == zone)
                            .map_or(0.0, |c| c.land.area.mu)
                    })
                    .collect()
            }),
            unit: "亩 mu".into(),
            stacked: true,
            width: 680.0,
            height: 300.0,
        })
    }

    /// 亩 by the owner's efficiency grade, stacked by zone.
    pub(super) fn grade_chart(&self) -> String {
        let parcels = &self.input.parcels;
        svg::bar_chart_svg(&BarChart {
            title: "亩均效益等级 Land by owner's efficiency grade and zone".into(),
            categories: GRADES.iter().map(|g| grade_name(g)).collect(),
            series: zone_series(|zone| {
                GRADES
                    .iter()
                    .map(|g| {
                        parcels
                            .iter()
                            .filter(|p| {
                                p.zone.as_deref() == Some(zone) && p.grade.as_deref() == Some(g)
                            })
                            .map(|p| p.area_m2)
                            .sum::<f64>()
                            / SQUARE_METRES_PER_MU
                    })
                    .collect()
            }),
            unit: "亩 mu".into(),
            stacked: true,
            width: 680.0,
            height: 300.0,
        })
    }

    /// Candidates (dashed) and reserve-pool land outlined over the colours.
    fn outlines(&self) -> Vec<MapShape<'a>> {
        let candidates: HashSet<&str> = self
            .report
            .candidates
            .ranked
            .iter()
            .map(|c| &*c.parcel_id)
            .collect();
        let pool: HashSet<&str> = self
            .report
            .reserve_pool
            .parcels
            .iter()
            .map(|p| &*p.parcel_id)
            .collect();
        self.input
            .parcels
            .iter()
            .filter_map(|p| {
                let g = p.geometry.as_deref()?;
                let (colour, dash) = if candidates.contains(&*p.code) {
                    ("#b2182b", true)
                } else if pool.contains(&*p.code) {
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
    }

    /// Schools on the map with their service radius (1 km for middle schools, else 500 m).
    fn school_circles(&self) -> Vec<MapCircle> {
        let [x0, y0, x1, y1] = self.bbox;
        self.input
            .schools
            .iter()
            .filter_map(|s| {
                let text = |k: &str| s.properties.get(k).and_then(Value::as_str);
                let level = if Level::Middle.served_by(text("level")) {
                    Level::Middle
                } else {
                    Level::Primary
                };
                let c = s.geometry.centroid()?;
                if c.x() < x0 || c.x() > x1 || c.y() < y0 || c.y() > y1 {
                    return None;
                }
                let colour = if text("status") == Some("completed") {
                    "#08519c"
                } else {
                    "#6baed6"
                };
                Some(MapCircle {
                    lon: c.x(),
                    lat: c.y(),
                    radius_m: level.radius_m(),
                    colour: colour.into(),
                    label: text("name").map(str::to_string),
                })
            })
            .collect()
    }
}

/// The map's extent: the land in scope, with a margin.
fn extent(input: &Input) -> [f64; 4] {
    let r = input
        .parcels
        .iter()
        .filter_map(|p| match p.geometry.as_deref() {
            Some(g) => g.bounding_rect(),
            None => Some(Rect::new(p.centroid, p.centroid)),
        })
        .reduce(|a, x| {
            Rect::new(
                (a.min().x.min(x.min().x), a.min().y.min(x.min().y)),
                (a.max().x.max(x.max().x), a.max().y.max(x.max().y)),
            )
        });
    let Some(r) = r else {
        return ZONE_EXTENT;
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

/// The three zones' outlines under everything else.
fn zone_shapes(input: &Input) -> Vec<MapShape<'_>> {
    input
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
        .collect()
}

/// Roads by class; expressways and arterials carry their names.
fn road_lines(input: &Input) -> Vec<MapLine<'_>> {
    input
        .roads
        .iter()
        .map(|road| {
            let text = |k: &str| road.properties.get(k).and_then(Value::as_str);
            let (colour, width, labelled) = road_style(text("class"));
            MapLine {
                geometry: &road.geometry,
                colour,
                width,
                label: text("name").filter(|_| labelled).map(str::to_string),
            }
        })
        .collect()
}

/// Colour, width in pixels, and whether the road is named on the map.
fn road_style(class: Option<&str>) -> (&'static str, f64, bool) {
    match class {
        Some("expressway") => ("#8c6d46", 2.2, true),
        Some("arterial") => ("#8f8f8f", 1.6, true),
        Some("secondary") => ("#ababab", 1.0, false),
        _ => ("#c4c4c4", 0.6, false),
    }
}

/// The grid's cells coloured by status, and the statuses met in legend order.
fn grid_areas(cells: &[(Geometry<f64>, String)]) -> (Vec<MapShape<'_>>, Vec<String>) {
    let areas = cells
        .iter()
        .map(|(g, status)| MapShape {
            geometry: g,
            fill: Some(svg::status_colour(Some(status))),
            stroke: None,
            stroke_width: 0.0,
            dash: false,
            title: None,
        })
        .collect();
    (areas, legend_order(cells.iter().map(|(_, s)| s.as_str())))
}

/// The parcels coloured by status, and the statuses met in legend order.
fn parcel_areas(parcels: &[ParcelRow]) -> (Vec<MapShape<'_>>, Vec<String>) {
    let drawn = parcels
        .iter()
        .filter_map(|p| Some((p, p.geometry.as_deref()?)));
    let areas = drawn
        .clone()
        .map(|(p, g)| MapShape {
            geometry: g,
            fill: Some(svg::status_colour(p.status.as_deref())),
            stroke: Some("#ffffff"),
            stroke_width: 0.3,
            dash: false,
            title: Some(format!(
                "{} {}",
                p.code,
                p.status.as_deref().unwrap_or_default()
            )),
        })
        .collect();
    let statuses = drawn.map(|(p, _)| p.status.as_deref().unwrap_or_default());
    (areas, legend_order(statuses))
}

/// Each status once, in the order of [`ParcelStatus::ALL`], unknown ones last.
fn legend_order<'s>(statuses: impl Iterator<Item = &'s str>) -> Vec<String> {
    let mut met: Vec<String> = Vec::new();
    for s in statuses {
        if !met.iter().any(|m| m == s) {
            met.push(s.to_string());
        }
    }
    let order: Vec<&str> = ParcelStatus::ALL.iter().map(|s| s.code()).collect();
    met.sort_by_key(|s| order.iter().position(|o| o == s).unwrap_or(99));
    met
}

/// The grades met, in grade order, then "no graded firm" when some land has none.
fn grade_legend(grades: &[Option<&str>]) -> Vec<LegendEntry> {
    let mut legend: Vec<LegendEntry> = GRADES
        .iter()
        .filter(|g| grades.contains(&Some(**g)))
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
    legend
}

/// The outlines' and schools' entries every map ends its legend with.
fn common_legend() -> Vec<LegendEntry> {
    let entry = |swatch, label: &str| LegendEntry {
        swatch,
        label: label.into(),
    };
    vec![
        entry(Swatch::Outline("#3f007d".into()), "储备池 reserve pool"),
        entry(Swatch::Dashed("#b2182b".into()), "收储候选 candidate"),
        entry(
            Swatch::Circle("#08519c".into()),
            "学校及服务半径 school, radius (500 m / 1 km)",
        ),
        entry(Swatch::Circle("#6baed6".into()), "规划学校 planned school"),
    ]
}

/// One series per zone, in zone order, with the zone's colour.
fn zone_series(value: impl Fn(&str) -> Vec<f64>) -> Vec<Series> {
    ZONES
        .iter()
        .zip(["#1b7837", "#2166ac", "#b35806"])
        .map(|((zone, name), colour)| Series {
            name: (*name).to_string(),
            colour: colour.into(),
            values: value(zone),
        })
        .collect()
}

/// A grade with its Chinese name ("A 优先发展").
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
    let mut cells: Vec<(&usize, &HashMap<String, f64>)> = grid.cells.iter().collect();
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
