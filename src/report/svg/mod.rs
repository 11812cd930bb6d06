//! Self-contained SVG for the land-reserve decision report: a map of parcels, roads,
//! reserve outlines and school service radii ([`map_svg`]), and bar charts
//! ([`bar_chart_svg`]).
//!
//! The report is printed on A4 and opened offline, so the output uses no scripts, no
//! external resources and only installed fonts ("Noto Sans CJK SC" first, so that
//! Chinese labels render). Each function returns one `<svg>` element without an XML
//! declaration, to inline into the report's HTML. The only element id (the map's clip
//! path) is derived from the map's title, bbox and width, so several maps on one page
//! do not clash.
//!
//! The map uses an equirectangular projection with x scaled by the cosine of the mid
//! latitude: at the scale of a development zone (~20 km) shapes keep their proportions,
//! and lengths agree with the geodesic ones to a fraction of a percent, which is what
//! a scale bar and a 500 m school radius need.//!
//! Where it sits: the last step of *workflow → store → reports*. [`super::html`] turns
//! the report's figures into [`MapSpec`]s and [`BarChart`]s and inlines what this module
//! draws; nothing here knows about parcels or the store.
//!
//! The modules, in the order a drawing uses them:
//! 1. `text` estimates how wide a text is drawn (from `unicode-width` columns), and
//!    shortens or wraps it to fit;
//! 2. `escape` is the one XML escaper (also [`escape`] for the HTML), `format` writes
//!    numbers (axis ticks, bar values, coordinates);
//! 3. `page` opens the `<svg>` element and writes the title;
//! 4. `map` lays out and draws a map ([`map_svg`]), with `path` for the geometries,
//!    `labels` for road and school names, and `legend` for the legend, north arrow and
//!    scale bar;
//! 5. `chart` draws the bar charts ([`bar_chart_svg`]).

mod chart;
mod escape;
mod format;
mod labels;
mod legend;
mod map;
mod page;
mod path;
mod text;

#[cfg(test)]
mod test_support;

pub use chart::bar_chart_svg;
pub use escape::escape;
pub use format::{format_number, format_value, nice_ticks};
pub use legend::scale_bar_metres;
pub use map::{map_svg, MapLayout, Projection};

use geo::Geometry;

/// The font stack of every text element; the CJK font comes first.
const FONT: &str = "'Noto Sans CJK SC', 'Noto Sans', sans-serif";
/// Metres per degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_320.0;
/// Outer margin of both maps and charts, in px.
const MARGIN: f64 = 12.0;
/// Colour of ordinary text.
const INK: &str = "#222";
/// Colours for series that come without one.
const PALETTE: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f",
];

// ---------------------------------------------------------------------------------
// What the report asks to draw
// ---------------------------------------------------------------------------------

/// A filled or outlined shape on the map; geometry in lon/lat (CRS84, degrees).
///
/// Polygons are filled with `fill` (none when `None`); line geometries are never
/// filled; points are drawn as small dots.
#[derive(Clone)]
pub struct MapShape<'a> {
    /// The shape, in CRS84 degrees.
    pub geometry: &'a Geometry<f64>,
    /// Fill colour (any SVG colour), or no fill.
    pub fill: Option<&'a str>,
    /// Stroke colour, or no stroke.
    pub stroke: Option<&'a str>,
    /// Stroke width in px.
    pub stroke_width: f64,
    /// Whether the stroke is dashed.
    pub dash: bool,
    /// Tooltip (`<title>`), e.g. the parcel code and owner.
    pub title: Option<String>,
}

/// A line (road) with an optional label drawn along/near it.
#[derive(Clone)]
pub struct MapLine<'a> {
    /// The line, in CRS84 degrees.
    pub geometry: &'a Geometry<f64>,
    /// Stroke colour.
    pub colour: &'a str,
    /// Stroke width in px.
    pub width: f64,
    /// Label drawn along the middle of the longest part (e.g. the road name).
    pub label: Option<String>,
}

/// A point with a circle of a radius in metres (a school and its service radius).
pub struct MapCircle {
    /// Longitude of the centre, degrees.
    pub lon: f64,
    /// Latitude of the centre, degrees.
    pub lat: f64,
    /// Radius on the ground, metres.
    pub radius_m: f64,
    /// Colour of the centre dot and of the circle.
    pub colour: String,
    /// Label drawn next to the centre (and used as tooltip).
    pub label: Option<String>,
}

/// The small sample drawn in front of a legend label.
pub enum Swatch {
    /// A filled box (parcels by status or grade).
    Fill(String),
    /// An outlined box (reserve land).
    Outline(String),
    /// A box with a dashed outline (candidates).
    Dashed(String),
    /// A dot in a circle (schools and their radius).
    Circle(String),
    /// A short thick line (roads).
    Line(String),
}

/// One entry of a map legend.
pub struct LegendEntry {
    /// The sample.
    pub swatch: Swatch,
    /// The text, e.g. "闲置 idle".
    pub label: String,
}

/// Everything drawn on one map.
pub struct MapSpec<'a> {
    /// Title above the map.
    pub title: String,
    /// Min lon, min lat, max lon, max lat of the area drawn.
    pub bbox: [f64; 4],
    /// Drawing width in px (e.g. 700); the height follows the bbox aspect.
    pub width: f64,
    /// Zone boundaries, drawn first.
    pub background: Vec<MapShape<'a>>,
    /// Parcels, filled.
    pub areas: Vec<MapShape<'a>>,
    /// Roads.
    pub lines: Vec<MapLine<'a>>,
    /// Reserve land and candidates, outlined on top.
    pub outlines: Vec<MapShape<'a>>,
    /// Schools and their service radii, on top.
    pub circles: Vec<MapCircle>,
    /// Legend, drawn in a box below the map.
    pub legend: Vec<LegendEntry>,
}

/// One series of a bar chart: one value per category.
pub struct Series {
    /// Name shown in the legend.
    pub name: String,
    /// Bar colour; a palette colour when empty.
    pub colour: String,
    /// Values in category order; missing values count as 0, negative ones as 0.
    pub values: Vec<f64>,
}

/// A vertical bar chart, grouped or stacked.
pub struct BarChart {
    /// Title on top.
    pub title: String,
    /// One group (or stack) of bars per category; labels may be Chinese.
    pub categories: Vec<String>,
    /// The series.
    pub series: Vec<Series>,
    /// Unit written along the y axis, e.g. "公顷 ha".
    pub unit: String,
    /// Stack the series instead of grouping them side by side.
    pub stacked: bool,
    /// Width in px.
    pub width: f64,
    /// Height in px.
    pub height: f64,
}
// ---------------------------------------------------------------------------------
// Colours
// ---------------------------------------------------------------------------------

/// The report's colour for a parcel status (code such as `idle`, or the Chinese label
/// such as `闲置`); vacated, unknown and missing statuses are grey.
pub fn status_colour(status: Option<&str>) -> &'static str {
    let s = status.map_or("", str::trim).to_ascii_lowercase();
    match s.as_str() {
        "active" | "在用" => "#a6d96a",
        "expanding" | "扩能" => "#1a9641",
        "idle" | "闲置" => "#fdae61",
        "zombie" | "僵尸" => "#d7191c",
        "reserved" | "储备" => "#7b3294",
        "relocating" | "搬迁中" => "#fee08b",
        "supplied" | "已供应" => "#2c7bb6",
        "redeveloped" | "已再开发" => "#80cdc1",
        _ => "#c8c8c8",
    }
}

/// The report's colour for a land-efficiency grade (`A` … `D`, `ungraded`); parcels
/// without a graded firm (`None`) are a lighter grey than ungraded ones.
pub fn grade_colour(grade: Option<&str>) -> &'static str {
    let Some(g) = grade else {
        return "#ececec";
    };
    match g.trim().to_ascii_uppercase().as_str() {
        "A" => "#1a9641",
        "B" => "#a6d96a",
        "C" => "#fdae61",
        "D" => "#d7191c",
        _ => "#bdbdbd",
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours() {
        assert_eq!(status_colour(Some("idle")), status_colour(Some("闲置")));
        assert_ne!(status_colour(Some("zombie")), status_colour(Some("active")));
        assert_eq!(status_colour(Some("vacated")), status_colour(None));
        assert_eq!(status_colour(Some("whatever")), status_colour(None));
        assert_eq!(grade_colour(Some("a")), grade_colour(Some("A")));
        assert_ne!(grade_colour(Some("ungraded")), grade_colour(None));
    }
}
