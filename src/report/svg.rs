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
//! a scale bar and a 500 m school radius need.

use std::fmt::{self, Write};

use geo::{BoundingRect, Coord, Geometry, LineString, Polygon};

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
// Public types
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
// Colours and text helpers
// ---------------------------------------------------------------------------------

/// The report's colour for a parcel status (code such as `idle`, or the Chinese label
/// such as `闲置`); vacated, unknown and missing statuses are grey.
pub fn status_colour(status: Option<&str>) -> &'static str {
    let s = status.map(str::trim).unwrap_or("").to_ascii_lowercase();
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

/// Escapes text for XML character data and attribute values (`&`, `<`, `>`, `"`, `'`).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
}

/// A value with thousands separators and a fixed number of decimals:
/// `format_number(1234567.891, 1)` is `"1,234,567.9"`.
pub fn format_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::with_capacity(s.len() + s.len() / 3 + 1);
    let negative = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A value for a bar label: thousands separators, fewer decimals for larger values,
/// no trailing zeros (`1,235`, `12.5`, `0.75`).
pub fn format_value(v: f64) -> String {
    let a = v.abs();
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else {
        2
    };
    let mut s = format_number(v, decimals);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// About five "nice" axis ticks from 0 to at least `max`, with a step of 1, 2, 2.5 or
/// 5 × 10ⁿ: `nice_ticks(1234.0)` is 0, 250, … 1250. A non-positive or non-finite `max`
/// gives `[0, 1]`.
pub fn nice_ticks(max: f64) -> Vec<f64> {
    if !(max > 0.0 && max.is_finite()) {
        return vec![0.0, 1.0];
    }
    let step = nice_step(max / 5.0);
    let n = ((max / step) - 1e-9).ceil().max(1.0) as usize;
    (0..=n).map(|i| i as f64 * step).collect()
}

/// The smallest of 1, 2, 2.5, 5 × 10ⁿ that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw > 0.0 && raw.is_finite()) {
        return 1.0;
    }
    let base = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * base >= raw * (1.0 - 1e-9) {
            return m * base;
        }
    }
    10.0 * base
}

/// Decimals needed to write multiples of `step` exactly (0.25 → 2, 250 → 0).
fn decimals_for(step: f64) -> usize {
    for d in 0..=9 {
        let x = step * 10f64.powi(d as i32);
        if (x - x.round()).abs() < 1e-6 * x.abs().max(1.0) {
            return d;
        }
    }
    9
}

/// Whether a character is drawn about one em wide (CJK, full-width forms).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// Estimated advance of a character in em, for Noto Sans / Noto Sans CJK.
fn char_em(c: char) -> f64 {
    if is_wide(c) {
        1.0
    } else if c == ' ' {
        0.27
    } else if matches!(
        c,
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\''
    ) {
        0.3
    } else if matches!(c, 'f' | 't' | 'r' | '(' | ')' | '-') {
        0.4
    } else if c.is_ascii_uppercase() || c == 'm' || c == 'w' {
        0.7
    } else {
        0.6
    }
}

/// Estimated width of a text in px (no font metrics offline; errs on the wide side).
fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// Shortens a text to at most `max_w` px, ending it with "…" when cut.
fn truncate_to(s: &str, max_w: f64, size: f64) -> String {
    if text_width(s, size) <= max_w {
        return s.to_string();
    }
    let budget = max_w - text_width("…", size);
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        w += char_em(c) * size;
        if w > budget {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Wraps a text into lines of at most `max_w` px: between words of Latin text and
/// between any two CJK characters.
fn wrap_text(s: &str, max_w: f64, size: f64) -> Vec<String> {
    // Tokens: a CJK character alone, or a run of other characters with its trailing spaces.
    let mut tokens: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if is_wide(c) {
            if !cur.is_empty() {
                tokens.push(std::mem::take(&mut cur));
            }
            tokens.push(c.to_string());
        } else if c == ' ' {
            cur.push(c);
            tokens.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for tok in tokens {
        let candidate_w = text_width(line.trim_end(), size) + text_width(tok.trim_end(), size);
        if !line.is_empty() && candidate_w > max_w {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        if line.is_empty() && text_width(tok.trim_end(), size) > max_w {
            // A word longer than a line: break it by characters.
            for c in tok.chars() {
                if !line.is_empty() && text_width(&line, size) + char_em(c) * size > max_w {
                    lines.push(std::mem::take(&mut line));
                }
                line.push(c);
            }
            continue;
        }
        line.push_str(&tok);
    }
    let last = line.trim_end();
    if !last.is_empty() {
        lines.push(last.to_string());
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// Writes a coordinate rounded to 0.1 px, without a trailing ".0".
fn push_num(out: &mut String, v: f64) {
    let t = (v * 10.0).round();
    let t = if t.is_finite() && t.abs() < 1e15 {
        t as i64
    } else {
        0
    };
    let a = t.unsigned_abs();
    if t < 0 {
        out.push('-');
    }
    let _ = write!(out, "{}", a / 10);
    if a % 10 != 0 {
        let _ = write!(out, ".{}", a % 10);
    }
}

/// A number rounded to 0.1, for attributes (`Display` for use in `write!`).
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(12);
        push_num(&mut s, self.0);
        f.write_str(&s)
    }
}

/// Escaped text (`Display` for use in `write!`).
struct E<'a>(&'a str);

impl fmt::Display for E<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut start = 0;
        for (i, c) in self.0.char_indices() {
            let rep = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                c if (c as u32) < 0x20 && c != '\t' && c != '\n' => " ",
                _ => continue,
            };
            f.write_str(&self.0[start..i])?;
            f.write_str(rep)?;
            start = i + c.len_utf8();
        }
        f.write_str(&self.0[start..])
    }
}

/// A finite, clamped size, or the default.
fn sane(v: f64, default: f64, min: f64, max: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v.clamp(min, max)
    } else {
        default
    }
}

/// Writes the opening `<svg>` tag and a white page background.
fn svg_open(out: &mut String, w: f64, h: f64, label: &str) -> fmt::Result {
    write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}" font-family="{FONT}" fill="{INK}">"#,
        w = N(w),
        h = N(h),
        label = E(label),
    )?;
    write!(
        out,
        r##"<rect width="{}" height="{}" fill="#fff"/>"##,
        N(w),
        N(h)
    )
}

/// Writes a title line at the top left, shrunk to fit the width.
fn write_title(out: &mut String, title: &str, w: f64) -> fmt::Result {
    let avail = w - 2.0 * MARGIN;
    let mut size: f64 = 16.0;
    let tw = text_width(title, size);
    if tw > avail {
        size = (size * avail / tw).max(10.0);
    }
    let title = truncate_to(title, avail, size);
    write!(
        out,
        r#"<text x="{}" y="{}" font-size="{}" font-weight="bold">{}</text>"#,
        N(MARGIN),
        N(MARGIN + 16.0),
        N(size),
        E(&title)
    )
}

// ---------------------------------------------------------------------------------
// Map
// ---------------------------------------------------------------------------------

/// How lon/lat map to pixels on one map: equirectangular, x scaled by the cosine of
/// the mid latitude, y flipped so that north is up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    mid_lon: f64,
    mid_lat: f64,
    /// Pixel of (`mid_lon`, `mid_lat`).
    cx: f64,
    cy: f64,
    /// Px per degree of longitude (= px per degree of latitude × cos(mid latitude)).
    px_per_deg_lon: f64,
    /// Px per degree of latitude.
    px_per_deg_lat: f64,
}

impl Projection {
    /// The pixel of a lon/lat.
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.cx + (lon - self.mid_lon) * self.px_per_deg_lon,
            self.cy - (lat - self.mid_lat) * self.px_per_deg_lat,
        )
    }

    /// Px per metre on the ground (north–south, and east–west at the mid latitude).
    pub fn px_per_metre(&self) -> f64 {
        self.px_per_deg_lat / METRES_PER_DEGREE
    }

    /// Horizontal and vertical radius in px of a circle of `radius_m` metres centred at
    /// `lat`, from the geodesic scale there (1° lat ≈ 111,320 m, 1° lon ≈ 111,320 ×
    /// cos(lat) m).
    pub fn radii_px(&self, lat: f64, radius_m: f64) -> (f64, f64) {
        let cos = lat.to_radians().cos().max(0.01);
        let rx = radius_m / (METRES_PER_DEGREE * cos) * self.px_per_deg_lon;
        let ry = radius_m / METRES_PER_DEGREE * self.px_per_deg_lat;
        (rx, ry)
    }
}

/// A rectangle in px.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

impl Frame {
    fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x <= self.x + self.w && y >= self.y && y <= self.y + self.h
    }
}

/// Where the parts of a map go.
#[derive(Debug, Clone, Copy)]
pub struct MapLayout {
    /// Total width of the SVG in px.
    pub width: f64,
    /// Height of the map frame (without title and legend) in px.
    pub map_height: f64,
    /// The lon/lat → px projection.
    pub projection: Projection,
    frame: Frame,
    bbox: [f64; 4],
}

/// Padding between the bbox and the map frame, in px.
const MAP_PADDING: f64 = 8.0;
/// Height of the title band above the map, in px.
const TITLE_BAND: f64 = 30.0;

impl MapLayout {
    /// Lays out a map of `bbox` ([min lon, min lat, max lon, max lat]) `width` px wide:
    /// the frame's height follows the projected aspect of the bbox, clamped to 0.4–1.6
    /// of its width; the bbox is centred in the frame with a small padding.
    pub fn new(bbox: [f64; 4], width: f64) -> Self {
        let width = sane(width, 700.0, 200.0, 10_000.0);
        let bbox = sane_bbox(bbox);
        let [min_lon, min_lat, max_lon, max_lat] = bbox;
        let mid_lon = (min_lon + max_lon) / 2.0;
        let mid_lat = (min_lat + max_lat) / 2.0;
        let cos = mid_lat.to_radians().cos().max(0.01);
        let dx = (max_lon - min_lon) * cos; // projected degrees
        let dy = max_lat - min_lat;
        let fw = width - 2.0 * MARGIN;
        let fh = (fw * dy / dx).clamp(0.4 * fw, 1.6 * fw);
        let frame = Frame {
            x: MARGIN,
            y: MARGIN + TITLE_BAND,
            w: fw,
            h: fh,
        };
        let scale = ((fw - 2.0 * MAP_PADDING) / dx).min((fh - 2.0 * MAP_PADDING) / dy);
        let projection = Projection {
            mid_lon,
            mid_lat,
            cx: frame.x + fw / 2.0,
            cy: frame.y + fh / 2.0,
            px_per_deg_lon: scale * cos,
            px_per_deg_lat: scale,
        };
        MapLayout {
            width,
            map_height: fh,
            projection,
            frame,
            bbox,
        }
    }

    /// Whether a lon/lat rectangle meets the bbox.
    fn meets_bbox(&self, min: Coord<f64>, max: Coord<f64>) -> bool {
        let [x0, y0, x1, y1] = self.bbox;
        min.x <= x1 && max.x >= x0 && min.y <= y1 && max.y >= y0
    }

    /// Whether a geometry meets the bbox (by its bounding rectangle).
    fn shows(&self, g: &Geometry<f64>) -> bool {
        match g.bounding_rect() {
            Some(r) => self.meets_bbox(r.min(), r.max()),
            None => false,
        }
    }
}

/// A usable bbox: ordered, finite, not empty (expanded by ~100 m when it is).
fn sane_bbox(b: [f64; 4]) -> [f64; 4] {
    if !b.iter().all(|v| v.is_finite()) {
        return [-180.0, -85.0, 180.0, 85.0];
    }
    let (mut x0, mut x1) = (b[0].min(b[2]), b[0].max(b[2]));
    let (mut y0, mut y1) = (b[1].min(b[3]).max(-89.0), b[1].max(b[3]).min(89.0));
    if x1 - x0 < 1e-7 {
        x0 -= 0.001;
        x1 += 0.001;
    }
    if y1 - y0 < 1e-7 {
        y0 -= 0.001;
        y1 += 0.001;
    }
    [x0, y0, x1, y1]
}

/// Picks a round scale-bar length (1, 2 or 5 × 10ⁿ metres) closest to `target_m`.
pub fn scale_bar_metres(target_m: f64) -> f64 {
    if !(target_m > 0.0 && target_m.is_finite()) {
        return 1.0;
    }
    let base = 10f64.powf(target_m.log10().floor());
    let mut best = base;
    for m in [1.0, 2.0, 5.0, 10.0] {
        let c = m * base;
        if (c / target_m).ln().abs() < (best / target_m).ln().abs() {
            best = c;
        }
    }
    best
}

/// A length for a scale bar: "500 m", "1 km", "2.5 km".
fn format_length(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        format!("{} km", format_value(km))
    } else {
        format!("{} m", format_value(m))
    }
}

/// A stable id for a map's clip path (FNV-1a over the title, bbox and width).
fn map_id(spec: &MapSpec) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(spec.title.as_bytes());
    for v in spec.bbox {
        feed(&v.to_bits().to_le_bytes());
    }
    feed(&spec.width.to_bits().to_le_bytes());
    format!("lrmap-{:016x}", h)
}

/// Writes the `d` data of one ring or line part. Consecutive points that round to the
/// same 0.1 px are written once; a part with fewer than `min_points` distinct points
/// is not written. Returns whether it was written.
fn push_part(
    out: &mut String,
    proj: &Projection,
    coords: &mut dyn Iterator<Item = Coord<f64>>,
    close: bool,
    min_points: usize,
) -> bool {
    let start = out.len();
    let mut last: Option<(i64, i64)> = None;
    let mut count = 0usize;
    for c in coords {
        let (x, y) = proj.project(c.x, c.y);
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let key = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
        if last == Some(key) {
            continue;
        }
        match count {
            0 => out.push('M'),
            1 => out.push('L'),
            _ => out.push(' '),
        }
        push_num(out, x);
        out.push(',');
        push_num(out, y);
        last = Some(key);
        count += 1;
    }
    // A closed ring repeats its first point; it does not count as distinct.
    let distinct = if close && count > 1 { count - 1 } else { count };
    if distinct < min_points {
        out.truncate(start);
        return false;
    }
    if close {
        out.push('Z');
    }
    true
}

fn push_polygon(out: &mut String, proj: &Projection, p: &Polygon<f64>) -> usize {
    let mut n = 0;
    if push_part(out, proj, &mut p.exterior().coords().copied(), true, 3) {
        n += 1;
        for ring in p.interiors() {
            if push_part(out, proj, &mut ring.coords().copied(), true, 3) {
                n += 1;
            }
        }
    }
    n
}

fn push_line(out: &mut String, proj: &Projection, l: &LineString<f64>) -> usize {
    usize::from(push_part(out, proj, &mut l.coords().copied(), false, 2))
}

/// Writes a dot as two arcs (so that points live in the same path as the rest).
fn push_dot(out: &mut String, proj: &Projection, c: Coord<f64>, r: f64) -> usize {
    let (x, y) = proj.project(c.x, c.y);
    if !(x.is_finite() && y.is_finite()) {
        return 0;
    }
    out.push('M');
    push_num(out, x - r);
    out.push(',');
    push_num(out, y);
    let _ = write!(
        out,
        "a{r},{r} 0 1,0 {d},0a{r},{r} 0 1,0 -{d},0",
        r = N(r),
        d = N(2.0 * r)
    );
    1
}

/// What a geometry's path data contains.
#[derive(Default)]
struct PathInfo {
    parts: usize,
    areas: bool,
}

/// Writes the `d` data of a whole geometry.
fn push_geometry(
    out: &mut String,
    proj: &Projection,
    g: &Geometry<f64>,
    dot_r: f64,
    info: &mut PathInfo,
) {
    match g {
        Geometry::Polygon(p) => {
            info.parts += push_polygon(out, proj, p);
            info.areas = true;
        }
        Geometry::MultiPolygon(mp) => {
            for p in mp {
                info.parts += push_polygon(out, proj, p);
            }
            info.areas = true;
        }
        Geometry::Rect(r) => {
            info.parts += push_polygon(out, proj, &r.to_polygon());
            info.areas = true;
        }
        Geometry::Triangle(t) => {
            info.parts += push_polygon(out, proj, &t.to_polygon());
            info.areas = true;
        }
        Geometry::LineString(l) => info.parts += push_line(out, proj, l),
        Geometry::MultiLineString(ml) => {
            for l in ml {
                info.parts += push_line(out, proj, l);
            }
        }
        Geometry::Line(l) => {
            info.parts += usize::from(push_part(
                out,
                proj,
                &mut [l.start, l.end].into_iter(),
                false,
                2,
            ));
        }
        Geometry::Point(p) => {
            info.parts += push_dot(out, proj, p.0, dot_r);
            info.areas = true;
        }
        Geometry::MultiPoint(mp) => {
            for p in mp {
                info.parts += push_dot(out, proj, p.0, dot_r);
            }
            info.areas = true;
        }
        Geometry::GeometryCollection(gc) => {
            for g in gc {
                push_geometry(out, proj, g, dot_r, info);
            }
        }
    }
}

/// Writes one shape as a single `<path>` (holes by the even-odd rule), or nothing when
/// it lies outside the bbox or is too small to draw.
fn write_shape(out: &mut String, layout: &MapLayout, shape: &MapShape) -> fmt::Result {
    if !layout.shows(shape.geometry) {
        return Ok(());
    }
    let start = out.len();
    out.push_str("<path d=\"");
    let sw = sane(shape.stroke_width, 1.0, 0.0, 50.0);
    let mut info = PathInfo::default();
    push_geometry(
        out,
        &layout.projection,
        shape.geometry,
        (sw * 1.5).max(2.5),
        &mut info,
    );
    if info.parts == 0 {
        out.truncate(start);
        return Ok(());
    }
    out.push('"');
    match shape.fill {
        Some(f) if info.areas => write!(out, r#" fill="{}" fill-rule="evenodd""#, E(f))?,
        _ => out.push_str(r#" fill="none""#),
    }
    if let Some(s) = shape.stroke {
        write!(out, r#" stroke="{}" stroke-width="{}""#, E(s), N(sw))?;
        if shape.dash {
            let unit = sw.max(1.0);
            write!(
                out,
                r#" stroke-dasharray="{} {}""#,
                N(4.0 * unit),
                N(2.5 * unit)
            )?;
        }
    }
    match &shape.title {
        Some(t) => write!(out, "><title>{}</title></path>", E(t)),
        None => {
            out.push_str("/>");
            Ok(())
        }
    }
}

/// A label placed on the map, kept to avoid overlaps.
#[derive(Clone, Copy)]
struct LabelBox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl LabelBox {
    fn overlaps(&self, o: &LabelBox) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// The projected parts of a line geometry (polygons contribute their rings).
fn line_parts(g: &Geometry<f64>, proj: &Projection, parts: &mut Vec<Vec<(f64, f64)>>) {
    let mut add = |l: &LineString<f64>| {
        parts.push(l.coords().map(|c| proj.project(c.x, c.y)).collect());
    };
    match g {
        Geometry::LineString(l) => add(l),
        Geometry::MultiLineString(ml) => ml.iter().for_each(add),
        Geometry::Line(l) => parts.push(vec![
            proj.project(l.start.x, l.start.y),
            proj.project(l.end.x, l.end.y),
        ]),
        Geometry::Polygon(p) => add(p.exterior()),
        Geometry::MultiPolygon(mp) => mp.iter().for_each(|p| add(p.exterior())),
        Geometry::GeometryCollection(gc) => gc.iter().for_each(|g| line_parts(g, proj, parts)),
        _ => {}
    }
}

/// The longest part of a line, projected, with its length in px.
fn longest_part(g: &Geometry<f64>, proj: &Projection) -> Option<(Vec<(f64, f64)>, f64)> {
    let mut parts = Vec::new();
    line_parts(g, proj, &mut parts);
    parts
        .into_iter()
        .map(|p| {
            let len = p.windows(2).map(|w| seg_len(w[0], w[1])).sum::<f64>();
            (p, len)
        })
        .filter(|(_, l)| l.is_finite() && *l > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

fn seg_len(a: (f64, f64), b: (f64, f64)) -> f64 {
    ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt()
}

/// The point at `at` px along a projected line, with the line's direction there in
/// degrees, turned so that text along it is not upside down (near-vertical text reads
/// bottom to top).
fn point_along(part: &[(f64, f64)], at: f64) -> Option<(f64, f64, f64)> {
    let mut remaining = at;
    for w in part.windows(2) {
        let l = seg_len(w[0], w[1]);
        if l > 0.0 && remaining <= l {
            let t = remaining / l;
            let x = w[0].0 + (w[1].0 - w[0].0) * t;
            let y = w[0].1 + (w[1].1 - w[0].1) * t;
            let mut angle = (w[1].1 - w[0].1).atan2(w[1].0 - w[0].0).to_degrees();
            if angle > 90.0 {
                angle -= 180.0;
            } else if angle <= -90.0 {
                angle += 180.0;
            }
            if angle > 80.0 {
                angle -= 180.0;
            }
            return Some((x, y, angle));
        }
        remaining -= l;
    }
    None
}

/// The bounding box of a text of `w` × `h` px centred at (x, y) and rotated by `angle`.
fn rotated_box(x: f64, y: f64, w: f64, h: f64, angle: f64) -> LabelBox {
    let (s, c) = angle.to_radians().sin_cos();
    let hw = (w * c.abs() + h * s.abs()) / 2.0;
    let hh = (w * s.abs() + h * c.abs()) / 2.0;
    LabelBox {
        x0: x - hw,
        y0: y - hh,
        x1: x + hw,
        y1: y + hh,
    }
}

/// The geometry of a legend: entries flow left to right and wrap.
struct LegendLayout {
    /// Top-left of each entry's swatch.
    positions: Vec<(f64, f64)>,
    height: f64,
}

const LEGEND_FONT: f64 = 11.0;
const LEGEND_ROW: f64 = 20.0;

fn layout_legend(entries: &[LegendEntry], x: f64, y: f64, w: f64) -> LegendLayout {
    let pad = 8.0;
    let max_label = w - 2.0 * pad - 24.0;
    let mut positions = Vec::with_capacity(entries.len());
    let (mut cx, mut cy) = (x + pad, y + pad);
    for e in entries {
        let ew = 24.0 + text_width(&e.label, LEGEND_FONT).min(max_label) + 16.0;
        if cx > x + pad && cx + ew > x + w - pad {
            cx = x + pad;
            cy += LEGEND_ROW;
        }
        positions.push((cx, cy));
        cx += ew;
    }
    let height = if entries.is_empty() {
        0.0
    } else {
        cy - y + LEGEND_ROW + pad - 4.0
    };
    LegendLayout { positions, height }
}

fn write_swatch(out: &mut String, s: &Swatch, x: f64, y: f64) -> fmt::Result {
    let (w, h) = (18.0, 12.0);
    match s {
        Swatch::Fill(c) => write!(
            out,
            r##"<rect x="{}" y="{}" width="{w}" height="{h}" fill="{}" stroke="#666" stroke-width=".5"/>"##,
            N(x),
            N(y),
            E(c)
        ),
        Swatch::Outline(c) => write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            N(x + 1.0),
            N(y + 1.0),
            N(w - 2.0),
            N(h - 2.0),
            E(c)
        ),
        Swatch::Dashed(c) => write!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}" stroke-width="1.5" stroke-dasharray="4 2.5"/>"#,
            N(x + 1.0),
            N(y + 1.0),
            N(w - 2.0),
            N(h - 2.0),
            E(c)
        ),
        Swatch::Circle(c) => write!(
            out,
            r#"<circle cx="{cx}" cy="{cy}" r="6" fill="{c}" fill-opacity=".1" stroke="{c}" stroke-width="1.2" stroke-dasharray="3 2"/><circle cx="{cx}" cy="{cy}" r="2.2" fill="{c}"/>"#,
            cx = N(x + w / 2.0),
            cy = N(y + h / 2.0),
            c = E(c)
        ),
        Swatch::Line(c) => write!(
            out,
            r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="3" stroke-linecap="round"/>"#,
            N(x + 1.0),
            N(x + w - 1.0),
            E(c),
            y = N(y + h / 2.0)
        ),
    }
}

fn write_legend(
    out: &mut String,
    entries: &[LegendEntry],
    lay: &LegendLayout,
    x: f64,
    y: f64,
    w: f64,
) -> fmt::Result {
    if entries.is_empty() {
        return Ok(());
    }
    write!(
        out,
        r##"<g class="legend" font-size="{}"><rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#bbb" stroke-width=".8"/>"##,
        N(LEGEND_FONT),
        N(x),
        N(y),
        N(w),
        N(lay.height)
    )?;
    let max_label = w - 16.0 - 24.0;
    for (e, &(ex, ey)) in entries.iter().zip(&lay.positions) {
        write_swatch(out, &e.swatch, ex, ey)?;
        let label = truncate_to(&e.label, max_label, LEGEND_FONT);
        write!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            N(ex + 24.0),
            N(ey + 10.5),
            E(&label)
        )?;
    }
    out.push_str("</g>");
    Ok(())
}

/// Writes the north arrow in the frame's top-right corner.
fn write_north_arrow(out: &mut String, f: &Frame) -> fmt::Result {
    let cx = f.x + f.w - 20.0;
    let ty = f.y + 8.0;
    write!(
        out,
        r##"<g class="north"><rect x="{}" y="{}" width="24" height="40" rx="3" fill="#fff" fill-opacity=".8"/><path d="M{cx},{ty}L{r},{b} {cx},{m} {l},{b}Z" fill="#333"/><text x="{cx}" y="{t}" font-size="11" font-weight="bold" text-anchor="middle">N</text></g>"##,
        N(cx - 12.0),
        N(ty - 3.0),
        cx = N(cx),
        ty = N(ty),
        r = N(cx + 7.0),
        l = N(cx - 7.0),
        b = N(ty + 20.0),
        m = N(ty + 15.0),
        t = N(ty + 33.0),
    )
}

/// Writes the scale bar in the frame's bottom-left corner: a round length about a
/// fifth of the frame's width.
fn write_scale_bar(out: &mut String, f: &Frame, proj: &Projection) -> fmt::Result {
    let ppm = proj.px_per_metre();
    if !(ppm > 0.0 && ppm.is_finite()) {
        return Ok(());
    }
    let metres = scale_bar_metres(f.w / 5.0 / ppm);
    let len = metres * ppm;
    let label = format_length(metres);
    let x = f.x + 14.0;
    let y = f.y + f.h - 12.0;
    let label_w = text_width(&label, 10.0);
    write!(
        out,
        r##"<g class="scalebar" data-metres="{metres}" data-px="{px}" font-size="10"><rect x="{bx}" y="{by}" width="{bw}" height="26" rx="2" fill="#fff" fill-opacity=".85"/>"##,
        metres = metres,
        px = len,
        bx = N(x - 8.0),
        by = N(y - 19.0),
        bw = N(len + label_w / 2.0 + 16.0),
    )?;
    write!(
        out,
        r##"<rect x="{x}" y="{y}" width="{h}" height="4" fill="#333"/><rect x="{xm}" y="{y}" width="{h}" height="4" fill="#fff" stroke="#333" stroke-width=".8"/><text x="{x}" y="{ty}" text-anchor="middle">0</text><text x="{xe}" y="{ty}" text-anchor="middle">{label}</text></g>"##,
        x = N(x),
        y = N(y),
        h = N(len / 2.0),
        xm = N(x + len / 2.0),
        xe = N(x + len),
        ty = N(y - 4.0),
        label = E(&label),
    )
}

/// Writes a text with a white halo (for labels on the map), vertically centred on
/// (x, y) and turned by `angle` degrees about it.
fn write_halo_text(
    out: &mut String,
    x: f64,
    y: f64,
    angle: f64,
    anchor: &str,
    text: &str,
) -> fmt::Result {
    write!(out, r#"<text x="{}" y="{}""#, N(x), N(y))?;
    if angle.abs() >= 0.5 {
        write!(
            out,
            r#" transform="rotate({} {} {})""#,
            N(angle),
            N(x),
            N(y)
        )?;
    }
    write!(
        out,
        r##" dy=".35em" text-anchor="{anchor}" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">{}</text>"##,
        E(text)
    )
}

/// Renders a map: title, the layers of `spec` clipped to the map frame, a scale bar, a
/// north arrow and a legend box below the map.
///
/// Shapes whose bounding box misses `spec.bbox` are skipped. Road labels go at the
/// midpoint of each road's longest part, along it, and are dropped where they would
/// overlap an earlier label.
pub fn map_svg(spec: &MapSpec) -> String {
    let shapes = spec.background.len() + spec.areas.len() + spec.outlines.len();
    let mut out = String::with_capacity(4096 + shapes * 160);
    // Writing to a String cannot fail.
    let _ = render_map(spec, &mut out);
    out
}

fn render_map(spec: &MapSpec, out: &mut String) -> fmt::Result {
    let layout = MapLayout::new(spec.bbox, spec.width);
    let f = layout.frame;
    let proj = layout.projection;
    let legend_y = f.y + f.h + 10.0;
    let legend = layout_legend(&spec.legend, f.x, legend_y, f.w);
    let height = if spec.legend.is_empty() {
        f.y + f.h + MARGIN
    } else {
        legend_y + legend.height + MARGIN
    };
    let id = map_id(spec);

    svg_open(out, layout.width, height, &spec.title)?;
    write_title(out, &spec.title, layout.width)?;
    write!(
        out,
        r##"<defs><clipPath id="{id}"><rect x="{x}" y="{y}" width="{w}" height="{h}"/></clipPath></defs><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#fafaf7"/><g clip-path="url(#{id})" stroke-linejoin="round">"##,
        x = N(f.x),
        y = N(f.y),
        w = N(f.w),
        h = N(f.h),
    )?;

    out.push_str(r#"<g class="background">"#);
    for s in &spec.background {
        write_shape(out, &layout, s)?;
    }
    out.push_str(r#"</g><g class="areas">"#);
    for s in &spec.areas {
        write_shape(out, &layout, s)?;
    }
    out.push_str(r#"</g><g class="lines" fill="none" stroke-linecap="round">"#);
    for l in &spec.lines {
        if !layout.shows(l.geometry) {
            continue;
        }
        let start = out.len();
        out.push_str("<path d=\"");
        let mut info = PathInfo::default();
        push_geometry(out, &proj, l.geometry, 2.0, &mut info);
        if info.parts == 0 {
            out.truncate(start);
            continue;
        }
        write!(
            out,
            r#"" stroke="{}" stroke-width="{}">"#,
            E(l.colour),
            N(sane(l.width, 1.5, 0.1, 50.0))
        )?;
        match &l.label {
            Some(t) => write!(out, "<title>{}</title></path>", E(t))?,
            None => {
                out.truncate(out.len() - 1);
                out.push_str("/>");
            }
        }
    }
    out.push_str(r#"</g><g class="outlines">"#);
    for s in &spec.outlines {
        write_shape(out, &layout, s)?;
    }
    out.push_str(r#"</g><g class="circles">"#);
    let mut visible_circles = Vec::with_capacity(spec.circles.len());
    for c in &spec.circles {
        if !(c.lon.is_finite() && c.lat.is_finite()) {
            continue;
        }
        let r = if c.radius_m.is_finite() {
            c.radius_m.max(0.0)
        } else {
            0.0
        };
        let cos = c.lat.to_radians().cos().max(0.01);
        let dlat = r / METRES_PER_DEGREE;
        let dlon = dlat / cos;
        let min = Coord {
            x: c.lon - dlon,
            y: c.lat - dlat,
        };
        let max = Coord {
            x: c.lon + dlon,
            y: c.lat + dlat,
        };
        if !layout.meets_bbox(min, max) {
            continue;
        }
        let (x, y) = proj.project(c.lon, c.lat);
        let (rx, ry) = proj.radii_px(c.lat, r);
        out.push_str(r#"<g class="circle">"#);
        if r > 0.0 {
            write!(
                out,
                r#"<ellipse cx="{x}" cy="{y}" rx="{rx}" ry="{ry}" fill="{c}" fill-opacity=".08" stroke="{c}" stroke-width="1.2" stroke-dasharray="5 3"/>"#,
                x = N(x),
                y = N(y),
                rx = N(rx),
                ry = N(ry),
                c = E(&c.colour)
            )?;
        }
        write!(
            out,
            r##"<circle cx="{}" cy="{}" r="3.5" fill="{}" stroke="#fff" stroke-width="1">"##,
            N(x),
            N(y),
            E(&c.colour)
        )?;
        if let Some(l) = &c.label {
            write!(out, "<title>{}</title>", E(l))?;
        }
        out.push_str("</circle></g>");
        visible_circles.push((x, y, c));
    }
    out.push_str("</g>");

    // Labels last, above every layer; circle labels first, as they are fewer and tied to
    // a point.
    out.push_str(r#"<g class="labels" font-size="9">"#);
    let mut placed: Vec<LabelBox> = Vec::new();
    for (x, y, c) in &visible_circles {
        let Some(label) = &c.label else { continue };
        let w = text_width(label, 9.0);
        let b = LabelBox {
            x0: x + 5.0,
            y0: y - 14.0,
            x1: x + 5.0 + w,
            y1: y - 3.0,
        };
        if placed.iter().any(|p| p.overlaps(&b)) {
            continue;
        }
        placed.push(b);
        write_halo_text(out, x + 5.0, y - 8.5, 0.0, "start", label)?;
    }
    for l in &spec.lines {
        let Some(label) = &l.label else { continue };
        if label.trim().is_empty() || !layout.shows(l.geometry) {
            continue;
        }
        let Some((part, len)) = longest_part(l.geometry, &proj) else {
            continue;
        };
        let w = text_width(label, 9.0);
        if w > len * 1.2 {
            continue;
        }
        // The midpoint of the longest part, else a little to either side of it.
        for frac in [0.5, 0.35, 0.65, 0.2, 0.8] {
            let Some((x, y, angle)) = point_along(&part, len * frac) else {
                continue;
            };
            let b = rotated_box(x, y, w, 11.0, angle);
            if !(f.contains(b.x0, b.y0) && f.contains(b.x1, b.y1))
                || placed.iter().any(|p| p.overlaps(&b))
            {
                continue;
            }
            placed.push(b);
            write_halo_text(out, x, y, angle, "middle", label)?;
            break;
        }
    }
    out.push_str("</g></g>");

    write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#777" stroke-width=".8"/>"##,
        N(f.x),
        N(f.y),
        N(f.w),
        N(f.h)
    )?;
    write_north_arrow(out, &f)?;
    write_scale_bar(out, &f, &proj)?;
    write_legend(out, &spec.legend, &legend, f.x, legend_y, f.w)?;
    out.push_str("</svg>");
    Ok(())
}

// ---------------------------------------------------------------------------------
// Bar chart
// ---------------------------------------------------------------------------------

/// Black or white text, whichever reads better on a colour (`#rgb` or `#rrggbb`;
/// black for anything else).
fn text_on(colour: &str) -> &'static str {
    let hex = colour.trim().trim_start_matches('#');
    let digits: Vec<u32> = hex.chars().filter_map(|c| c.to_digit(16)).collect();
    let (r, g, b) = match (colour.trim().starts_with('#'), digits.len(), hex.len()) {
        (true, 3, 3) => (digits[0] * 17, digits[1] * 17, digits[2] * 17),
        (true, 6, 6) => (
            digits[0] * 16 + digits[1],
            digits[2] * 16 + digits[3],
            digits[4] * 16 + digits[5],
        ),
        _ => return INK,
    };
    let lum = (0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64) / 255.0;
    if lum < 0.5 {
        "#fff"
    } else {
        INK
    }
}

/// A value as drawn: missing, negative and non-finite values are 0.
fn clean(v: Option<&f64>) -> f64 {
    match v {
        Some(&v) if v.is_finite() && v > 0.0 => v,
        _ => 0.0,
    }
}

/// How the category labels are drawn.
enum CategoryLabels {
    /// Horizontal, wrapped into lines.
    Wrapped(Vec<Vec<String>>),
    /// Rotated by −45°, shortened to fit.
    Rotated(Vec<String>),
}

const CHART_FONT: f64 = 11.0;
const CHART_LINE: f64 = 13.0;

/// Renders a grouped (or stacked) vertical bar chart with a y axis of about five nice
/// ticks, category labels under the bars (wrapped, or rotated when long), value labels
/// where they fit, a legend of the series and the title on top. A chart without
/// categories, series or any positive value reads "无数据 / no data".
pub fn bar_chart_svg(chart: &BarChart) -> String {
    let mut out = String::with_capacity(4096);
    // Writing to a String cannot fail.
    let _ = render_chart(chart, &mut out);
    out
}

fn render_chart(c: &BarChart, out: &mut String) -> fmt::Result {
    let w = sane(c.width, 640.0, 240.0, 10_000.0);
    let h = sane(c.height, 360.0, 160.0, 10_000.0);
    let n = c.categories.len();
    let ns = c.series.len();
    let values: Vec<Vec<f64>> = c
        .series
        .iter()
        .map(|s| (0..n).map(|i| clean(s.values.get(i))).collect())
        .collect();
    let colours: Vec<&str> = c
        .series
        .iter()
        .enumerate()
        .map(|(j, s)| {
            if s.colour.trim().is_empty() {
                PALETTE[j % PALETTE.len()]
            } else {
                s.colour.as_str()
            }
        })
        .collect();
    let totals: Vec<f64> = (0..n).map(|i| values.iter().map(|v| v[i]).sum()).collect();
    let max = if c.stacked {
        totals.iter().copied().fold(0.0, f64::max)
    } else {
        values.iter().flatten().copied().fold(0.0, f64::max)
    };

    svg_open(out, w, h, &c.title)?;
    write_title(out, &c.title, w)?;

    // Series legend under the title.
    let mut legend_bottom = MARGIN + 24.0;
    if ns > 0 && c.series.iter().any(|s| !s.name.trim().is_empty()) {
        out.push_str(&format!(
            r#"<g class="legend" font-size="{}">"#,
            N(CHART_FONT)
        ));
        let (mut x, mut y) = (MARGIN, MARGIN + 30.0);
        for (s, colour) in c.series.iter().zip(&colours) {
            let name = truncate_to(&s.name, w - 2.0 * MARGIN - 18.0, CHART_FONT);
            let ew = 17.0 + text_width(&name, CHART_FONT) + 14.0;
            if x > MARGIN && x + ew > w - MARGIN {
                x = MARGIN;
                y += 17.0;
            }
            write!(
                out,
                r#"<rect x="{}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>"#,
                N(x),
                N(y),
                E(colour),
                N(x + 17.0),
                N(y + 10.5),
                E(&name)
            )?;
            x += ew;
        }
        out.push_str("</g>");
        legend_bottom = y + 14.0;
    }

    let no_data = n == 0 || ns == 0 || max <= 0.0;
    if no_data {
        let top = legend_bottom + 10.0;
        let bottom = (h - MARGIN).max(top + 20.0);
        write!(
            out,
            r##"<rect x="{x}" y="{y}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc" stroke-width=".8"/><text class="no-data" x="{cx}" y="{cy}" font-size="14" fill="#888" text-anchor="middle">无数据 / no data</text></svg>"##,
            x = N(MARGIN),
            y = N(top),
            pw = N(w - 2.0 * MARGIN),
            ph = N(bottom - top),
            cx = N(w / 2.0),
            cy = N((top + bottom) / 2.0 + 5.0),
        )?;
        return Ok(());
    }

    let ticks = nice_ticks(max);
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let top_value = ticks.last().copied().unwrap_or(1.0);
    let decimals = decimals_for(step);
    let tick_labels: Vec<String> = ticks.iter().map(|t| format_number(*t, decimals)).collect();
    let tick_w = tick_labels
        .iter()
        .map(|t| text_width(t, CHART_FONT))
        .fold(0.0, f64::max);
    let unit_w = if c.unit.trim().is_empty() { 0.0 } else { 18.0 };
    let mut left = MARGIN + unit_w + tick_w + 8.0;
    let right = w - MARGIN;
    let top = legend_bottom + 18.0; // headroom for value labels above the highest bar
    let mut gw = (right - left).max(20.0) / n as f64;

    // Category labels: wrapped when every label fits in three lines, else rotated.
    let wrapped: Vec<Vec<String>> = c
        .categories
        .iter()
        .map(|s| wrap_text(s, (gw - 6.0).max(1.0), CHART_FONT))
        .collect();
    let max_lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let fits = gw >= 16.0
        && max_lines <= 3
        && wrapped
            .iter()
            .flatten()
            .all(|l| text_width(l, CHART_FONT) <= gw - 6.0);
    let (labels, label_h) = if fits {
        (
            CategoryLabels::Wrapped(wrapped),
            max_lines as f64 * CHART_LINE + 8.0,
        )
    } else {
        // Rotated labels take at most about a third of the height, and the plot moves
        // right (by at most 40 % of the width) so that the first one starts inside.
        let diag = std::f64::consts::FRAC_1_SQRT_2;
        let room = ((h - MARGIN - top - 60.0).min(0.35 * h) / diag).max(20.0);
        let longest = c
            .categories
            .iter()
            .map(|s| text_width(s, CHART_FONT).min(room))
            .fold(0.0, f64::max);
        left = left.max((MARGIN + longest * diag - gw / 2.0).min(0.4 * w));
        gw = (right - left).max(20.0) / n as f64;
        let cut: Vec<String> = c
            .categories
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let cx = left + (i as f64 + 0.5) * gw;
                truncate_to(s, room.min((cx - MARGIN / 2.0) / diag), CHART_FONT)
            })
            .collect();
        let longest = cut
            .iter()
            .map(|s| text_width(s, CHART_FONT))
            .fold(0.0, f64::max);
        (CategoryLabels::Rotated(cut), longest * diag + 16.0)
    };
    let bottom = (h - MARGIN - label_h).max(top + 40.0);
    let plot_h = bottom - top;
    let y_of = |v: f64| bottom - v / top_value * plot_h;

    // Axis, grid and unit.
    write!(out, r#"<g class="axis" font-size="{}">"#, N(CHART_FONT))?;
    for (t, label) in ticks.iter().zip(&tick_labels) {
        let y = y_of(*t);
        write!(
            out,
            r##"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{s}" stroke-width="{sw}"/><text x="{tx}" y="{ty}" text-anchor="end">{label}</text>"##,
            l = N(left),
            r = N(right),
            y = N(y),
            s = if *t == 0.0 { "#555" } else { "#e3e3e3" },
            sw = if *t == 0.0 { "1" } else { ".8" },
            tx = N(left - 6.0),
            ty = N(y + 4.0),
            label = E(label),
        )?;
    }
    write!(
        out,
        r##"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#555"/>"##,
        x = N(left),
        t = N(top),
        b = N(bottom)
    )?;
    if unit_w > 0.0 {
        let unit = truncate_to(&c.unit, plot_h, CHART_FONT);
        let (ux, uy) = (
            (left - tick_w - 18.0).max(MARGIN + 10.0),
            (top + bottom) / 2.0,
        );
        write!(
            out,
            r#"<text x="{x}" y="{y}" transform="rotate(-90 {x} {y})" text-anchor="middle">{u}</text>"#,
            x = N(ux),
            y = N(uy),
            u = E(&unit)
        )?;
    }
    out.push_str("</g>");

    // Bars.
    out.push_str(r#"<g class="bars" font-size="10">"#);
    let mut value_labels = String::new();
    for i in 0..n {
        let gx = left + i as f64 * gw;
        let category = &c.categories[i];
        if c.stacked {
            let bw = (gw * 0.6).min(60.0);
            let x = gx + (gw - bw) / 2.0;
            let mut cum = 0.0;
            for j in 0..ns {
                let v = values[j][i];
                if v <= 0.0 {
                    continue;
                }
                // Round both edges so that the segments tile exactly.
                let y0 = round1(y_of(cum));
                cum += v;
                let y1 = round1(y_of(cum));
                write_bar(
                    out,
                    i,
                    j,
                    x,
                    y1,
                    bw,
                    y0 - y1,
                    colours[j],
                    category,
                    &c.series[j].name,
                    v,
                    &c.unit,
                )?;
                let text = format_value(v);
                if y0 - y1 >= 13.0 && text_width(&text, 10.0) <= bw - 4.0 {
                    write!(
                        value_labels,
                        r#"<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>"#,
                        N(x + bw / 2.0),
                        N((y0 + y1) / 2.0 + 3.5),
                        text_on(colours[j]),
                        E(&text)
                    )?;
                }
            }
            let text = format_value(totals[i]);
            if ns > 1 && totals[i] > 0.0 && text_width(&text, 10.0) <= gw - 4.0 {
                write!(
                    value_labels,
                    r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
                    N(x + bw / 2.0),
                    N(y_of(totals[i]) - 4.0),
                    E(&text)
                )?;
            }
        } else {
            let bw = (gw * 0.8 / ns as f64).min(48.0);
            let x0 = gx + (gw - bw * ns as f64) / 2.0;
            let gap = if bw > 6.0 { 1.0 } else { 0.0 };
            for j in 0..ns {
                let v = values[j][i];
                if v <= 0.0 {
                    continue;
                }
                let x = x0 + j as f64 * bw;
                let y1 = round1(y_of(v));
                let y0 = round1(bottom);
                write_bar(
                    out,
                    i,
                    j,
                    x,
                    y1,
                    bw - gap,
                    y0 - y1,
                    colours[j],
                    category,
                    &c.series[j].name,
                    v,
                    &c.unit,
                )?;
                let text = format_value(v);
                if text_width(&text, 10.0) <= bw + 2.0 {
                    write!(
                        value_labels,
                        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                        N(x + (bw - gap) / 2.0),
                        N(y1 - 3.0),
                        E(&text)
                    )?;
                }
            }
        }
    }
    out.push_str(&value_labels);
    out.push_str("</g>");

    // Category labels.
    write!(
        out,
        r#"<g class="categories" font-size="{}">"#,
        N(CHART_FONT)
    )?;
    match &labels {
        CategoryLabels::Wrapped(lines) => {
            for (i, ls) in lines.iter().enumerate() {
                let cx = left + (i as f64 + 0.5) * gw;
                write!(
                    out,
                    r#"<text x="{}" y="{}" text-anchor="middle">"#,
                    N(cx),
                    N(bottom + 14.0)
                )?;
                for (k, l) in ls.iter().enumerate() {
                    let dy = if k == 0 { 0.0 } else { CHART_LINE };
                    write!(
                        out,
                        r#"<tspan x="{}" dy="{}">{}</tspan>"#,
                        N(cx),
                        N(dy),
                        E(l)
                    )?;
                }
                out.push_str("</text>");
            }
        }
        CategoryLabels::Rotated(ls) => {
            for (i, l) in ls.iter().enumerate() {
                let cx = left + (i as f64 + 0.5) * gw + 3.0;
                let y = bottom + 12.0;
                write!(
                    out,
                    r#"<text x="{x}" y="{y}" transform="rotate(-45 {x} {y})" text-anchor="end">{l}</text>"#,
                    x = N(cx),
                    y = N(y),
                    l = E(l)
                )?;
            }
        }
    }
    out.push_str("</g></svg>");
    Ok(())
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Writes one bar (or stack segment) with its tooltip.
#[allow(clippy::too_many_arguments)]
fn write_bar(
    out: &mut String,
    i: usize,
    j: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    colour: &str,
    category: &str,
    series: &str,
    v: f64,
    unit: &str,
) -> fmt::Result {
    write!(
        out,
        r#"<rect class="bar" data-cat="{i}" data-series="{j}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} — {}: {} {}</title></rect>"#,
        N(x),
        N(y),
        N(w.max(0.5)),
        N(h),
        E(colour),
        E(category),
        E(series),
        E(&format_value(v)),
        E(unit)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Geometry, LineString, MultiPolygon};

    /// Checks that tags balance (a tiny well-formedness check) and returns the number
    /// of elements.
    fn check_balanced(svg: &str) -> usize {
        let mut stack: Vec<&str> = Vec::new();
        let mut count = 0;
        let mut rest = svg;
        assert!(svg.starts_with("<svg "), "starts with <svg");
        while let Some(open) = rest.find('<') {
            let text = &rest[..open];
            assert!(!text.contains('>'), "stray > in text: {text}");
            check_entities(text);
            let close = rest[open..].find('>').expect("unterminated tag") + open;
            let tag = &rest[open + 1..close];
            assert!(!tag.contains('<'), "< inside tag {tag}");
            check_attribute_quotes(tag);
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name.trim()), "closing {name}");
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().expect("tag name");
                stack.push(name);
                count += 1;
            } else {
                count += 1;
            }
            rest = &rest[close + 1..];
        }
        assert!(rest.trim().is_empty(), "text after the root: {rest}");
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        count
    }

    fn check_entities(text: &str) {
        for (i, _) in text.match_indices('&') {
            let ent = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bad entity at {ent}"
            );
        }
    }

    fn check_attribute_quotes(tag: &str) {
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in {tag}"
        );
        check_entities(tag);
    }

    /// The value of attribute `name` in the first element starting with `prefix`.
    fn attr(svg: &str, prefix: &str, name: &str) -> f64 {
        let start = svg.find(prefix).unwrap_or_else(|| panic!("no {prefix}"));
        let tag = &svg[start..start + svg[start..].find('>').expect("tag end")];
        attr_in(tag, name)
    }

    fn attr_in(tag: &str, name: &str) -> f64 {
        let key = format!(" {name}=\"");
        let i = tag
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {tag}"))
            + key.len();
        let j = tag[i..].find('"').expect("closing quote") + i;
        tag[i..j]
            .parse()
            .unwrap_or_else(|_| panic!("{name} not a number in {tag}"))
    }

    fn spec<'a>(bbox: [f64; 4]) -> MapSpec<'a> {
        MapSpec {
            title: "测试 map".into(),
            bbox,
            width: 700.0,
            background: vec![],
            areas: vec![],
            lines: vec![],
            outlines: vec![],
            circles: vec![],
            legend: vec![],
        }
    }

    fn shape(g: &Geometry<f64>) -> MapShape<'_> {
        MapShape {
            geometry: g,
            fill: Some("#fdae61"),
            stroke: Some("#333"),
            stroke_width: 0.5,
            dash: false,
            title: None,
        }
    }

    #[test]
    fn projection_puts_known_points_at_expected_pixels() {
        // 0.04° of longitude × 0.02° of latitude at 43.86°N: projected aspect
        // 0.02 / (0.04 × cos 43.86°) = 0.693, so the frame is 676 × 468.6 px.
        let bbox = [125.38, 43.85, 125.42, 43.87];
        let l = MapLayout::new(bbox, 700.0);
        let p = l.projection;
        let cos = 43.86f64.to_radians().cos();
        let fw = 700.0 - 2.0 * MARGIN;
        assert!((l.map_height - fw * 0.02 / (0.04 * cos)).abs() < 1e-6);
        // The centre of the bbox is the centre of the frame.
        let (x, y) = p.project(125.40, 43.86);
        assert!((x - 350.0).abs() < 1e-9, "{x}");
        assert!(
            (y - (MARGIN + TITLE_BAND + l.map_height / 2.0)).abs() < 1e-9,
            "{y}"
        );
        // The frame has the bbox's aspect, so the (equal) padding makes the height the
        // limit: the north edge lies on the top padding, the west edge a little inside.
        let (x0, y0) = p.project(125.38, 43.87);
        assert!(
            (y0 - (MARGIN + TITLE_BAND + MAP_PADDING)).abs() < 1e-6,
            "{y0}"
        );
        let scale = (l.map_height - 2.0 * MAP_PADDING) / 0.02;
        assert!((x0 - (350.0 - 0.02 * cos * scale)).abs() < 1e-6, "{x0}");
        assert!(x0 > MARGIN + MAP_PADDING, "{x0}");
        // North is up and east is right.
        let (x1, y1) = p.project(125.42, 43.85);
        assert!(x1 > x0 && y1 > y0);
        // x is scaled by cos(mid latitude): 1 km east and 1 km north are equally long.
        let (ex, _) = p.project(125.40 + 1000.0 / (METRES_PER_DEGREE * cos), 43.86);
        let (_, ny) = p.project(125.40, 43.86 + 1000.0 / METRES_PER_DEGREE);
        assert!(((ex - x) - (y - ny)).abs() < 1e-9);
        assert!(((ex - x) - 1000.0 * p.px_per_metre()).abs() < 1e-9);
    }

    #[test]
    fn aspect_is_clamped_and_bad_bboxes_do_not_panic() {
        let tall = MapLayout::new([125.0, 43.0, 125.001, 44.0], 700.0);
        assert!((tall.map_height - 1.6 * 676.0).abs() < 1e-6);
        let flat = MapLayout::new([125.0, 43.0, 126.0, 43.001], 700.0);
        assert!((flat.map_height - 0.4 * 676.0).abs() < 1e-6);
        for b in [
            [f64::NAN, 0.0, 1.0, 1.0],
            [125.4, 43.86, 125.4, 43.86],
            [126.0, 44.0, 125.0, 43.0],
        ] {
            let mut s = spec(b);
            s.width = f64::NAN;
            check_balanced(&map_svg(&s));
        }
    }

    #[test]
    fn a_500_m_circle_matches_the_scale_bar() {
        let mut s = spec([125.36, 43.84, 125.44, 43.90]);
        s.circles.push(MapCircle {
            lon: 125.40,
            lat: 43.87,
            radius_m: 500.0,
            colour: "#2c7bb6".into(),
            label: Some("第一小学".into()),
        });
        let svg = map_svg(&s);
        check_balanced(&svg);
        let metres = attr(&svg, "<g class=\"scalebar\"", "data-metres");
        let px = attr(&svg, "<g class=\"scalebar\"", "data-px");
        let ppm = px / metres;
        // The scale bar is a round length of about a fifth of the frame.
        assert!([500.0, 1000.0, 2000.0].contains(&metres), "{metres}");
        assert!(px > 676.0 / 5.0 / 1.7 && px < 676.0 / 5.0 * 1.7, "{px}");
        let ry = attr(&svg, "<ellipse", "ry");
        let rx = attr(&svg, "<ellipse", "rx");
        assert!(
            (ry - 500.0 * ppm).abs() <= 0.06,
            "ry {ry} vs {}",
            500.0 * ppm
        );
        // East–west at 43.87° against the mid latitude 43.87°: the same.
        assert!((rx - 500.0 * ppm).abs() <= 0.06, "rx {rx}");
        // And in absolute terms: 500 m is 500 / 111,320 degrees of latitude.
        let l = MapLayout::new(s.bbox, 700.0);
        let (_, y0) = l.projection.project(125.40, 43.87);
        let (_, y1) = l.projection.project(125.40, 43.87 + 500.0 / 111_320.0);
        assert!((ry - (y0 - y1)).abs() <= 0.06);
        assert!(svg.contains("第一小学"));
    }

    #[test]
    fn circle_radius_follows_the_latitude_east_west() {
        let l = MapLayout::new([125.0, 43.0, 126.0, 45.0], 700.0);
        let (rx_n, ry_n) = l.projection.radii_px(44.9, 500.0);
        let (rx_s, ry_s) = l.projection.radii_px(43.1, 500.0);
        assert!((ry_n - ry_s).abs() < 1e-12);
        assert!(rx_n > rx_s, "a metre spans more longitude further north");
    }

    #[test]
    fn a_polygon_with_a_hole_is_one_path_with_two_subpaths() {
        let p = Geometry::Polygon(polygon!(
            exterior: [
                (x: 125.39, y: 43.85), (x: 125.41, y: 43.85), (x: 125.41, y: 43.87),
                (x: 125.39, y: 43.87), (x: 125.39, y: 43.85),
            ],
            interiors: [[
                (x: 125.395, y: 43.855), (x: 125.405, y: 43.855), (x: 125.405, y: 43.865),
                (x: 125.395, y: 43.855),
            ]],
        ));
        let mut s = spec([125.38, 43.84, 125.42, 43.88]);
        s.areas.push(MapShape {
            title: Some("P-001 <闲置>".into()),
            ..shape(&p)
        });
        let svg = map_svg(&s);
        check_balanced(&svg);
        let areas = &svg[svg.find("<g class=\"areas\">").expect("areas")..];
        let areas = &areas[..areas.find("</g>").expect("end of areas")];
        let path = &areas[..areas.find("</path>").expect("path")];
        assert_eq!(areas.matches("<path ").count(), 1);
        let d_start = path.find(" d=\"").expect("d") + 4;
        let d = &path[d_start..d_start + path[d_start..].find('"').expect("end of d")];
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('Z').count(), 2, "{d}");
        assert!(path.contains("fill-rule=\"evenodd\""));
        assert!(path.contains("<title>P-001 &lt;闲置&gt;</title>"));
        // Coordinates are rounded to 0.1 px.
        for n in d.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')) {
            if let Some((_, frac)) = n.split_once('.') {
                assert_eq!(frac.len(), 1, "{n}");
            }
        }
    }

    #[test]
    fn multipolygons_lines_and_points_are_drawn() {
        let a = polygon![(x: 125.39, y: 43.85), (x: 125.40, y: 43.85), (x: 125.40, y: 43.86)];
        let b = polygon![(x: 125.41, y: 43.86), (x: 125.42, y: 43.86), (x: 125.42, y: 43.87)];
        let mp = Geometry::MultiPolygon(MultiPolygon(vec![a, b]));
        let road =
            Geometry::LineString(LineString::from(vec![(125.385, 43.86), (125.415, 43.861)]));
        let pt = Geometry::Point(geo::Point::new(125.40, 43.86));
        let mut s = spec([125.38, 43.84, 125.42, 43.88]);
        s.areas.push(shape(&mp));
        s.outlines.push(MapShape {
            fill: Some("#f00"),
            dash: true,
            ..shape(&road)
        });
        s.background.push(shape(&pt));
        s.lines.push(MapLine {
            geometry: &road,
            colour: "#999",
            width: 3.0,
            label: Some("深圳街".into()),
        });
        let svg = map_svg(&s);
        check_balanced(&svg);
        let areas = &svg[svg.find("<g class=\"areas\">").expect("areas")..];
        let d = &areas[areas.find(" d=\"").expect("d")..];
        assert_eq!(d[..d.find("\" ").expect("end")].matches('M').count(), 2);
        let outlines = &svg[svg.find("<g class=\"outlines\">").expect("outlines")..];
        let first = &outlines[..outlines.find("/>").expect("path end")];
        assert!(
            first.contains("fill=\"none\""),
            "lines are never filled: {first}"
        );
        assert!(first.contains("stroke-dasharray"));
        assert!(svg.contains("paint-order=\"stroke\">深圳街</text>"));
        assert!(
            svg.contains("<g class=\"background\"><path d=\"M"),
            "the point is a dot"
        );
    }

    #[test]
    fn shapes_outside_the_bbox_are_skipped() {
        let inside = Geometry::Polygon(polygon![
            (x: 125.39, y: 43.85), (x: 125.40, y: 43.85), (x: 125.40, y: 43.86)
        ]);
        let outside = Geometry::Polygon(polygon![
            (x: 125.50, y: 43.85), (x: 125.51, y: 43.85), (x: 125.51, y: 43.86)
        ]);
        let far_road = Geometry::LineString(LineString::from(vec![(125.0, 43.0), (125.1, 43.1)]));
        let mut s = spec([125.38, 43.84, 125.42, 43.88]);
        s.areas.push(shape(&inside));
        s.areas.push(MapShape {
            title: Some("outside".into()),
            ..shape(&outside)
        });
        s.lines.push(MapLine {
            geometry: &far_road,
            colour: "#999",
            width: 2.0,
            label: Some("far road".into()),
        });
        s.circles.push(MapCircle {
            lon: 126.0,
            lat: 44.0,
            radius_m: 500.0,
            colour: "#00f".into(),
            label: Some("far school".into()),
        });
        let svg = map_svg(&s);
        check_balanced(&svg);
        assert_eq!(
            svg.matches("<path d=").count(),
            1 + 1,
            "one parcel and the north arrow"
        );
        assert!(
            !svg.contains("outside") && !svg.contains("far road") && !svg.contains("far school")
        );
        assert!(svg.contains("clip-path=\"url(#lrmap-"));
    }

    #[test]
    fn map_is_well_formed_with_title_legend_and_escaping() {
        let mut s = spec([125.38, 43.84, 125.42, 43.88]);
        s.title = "储备用地 <A&B> \"test\"".into();
        s.legend = vec![
            LegendEntry {
                swatch: Swatch::Fill("#fdae61".into()),
                label: "闲置 idle".into(),
            },
            LegendEntry {
                swatch: Swatch::Outline("#7b3294".into()),
                label: "储备 reserve".into(),
            },
            LegendEntry {
                swatch: Swatch::Dashed("#d7191c".into()),
                label: "候选 candidate".into(),
            },
            LegendEntry {
                swatch: Swatch::Circle("#2c7bb6".into()),
                label: "小学 500 m".into(),
            },
            LegendEntry {
                swatch: Swatch::Line("#999".into()),
                label: "道路 road & <rail>".into(),
            },
        ];
        let svg = map_svg(&s);
        check_balanced(&svg);
        assert!(svg.contains("aria-label=\"储备用地 &lt;A&amp;B&gt; &quot;test&quot;\""));
        assert!(svg.contains("道路 road &amp; &lt;rail&gt;"));
        assert!(svg.contains("role=\"img\""));
        assert!(!svg.contains("<?xml") && !svg.contains("<script"));
        // The legend lies below the map frame.
        let legend_y = attr(&svg, "<g class=\"legend\"", "font-size");
        assert_eq!(legend_y, LEGEND_FONT);
        let frame = MapLayout::new(s.bbox, 700.0).frame;
        let box_y = attr(
            &svg[svg.find("<g class=\"legend\"").expect("legend")..],
            "<rect",
            "y",
        );
        assert!(box_y >= frame.y + frame.h);
        let height = attr(&svg, "<svg", "height");
        assert!(height > box_y + 20.0);
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b & \"c\" 'd' >"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39; &gt;"
        );
        assert_eq!(escape("经开\u{1}区"), "经开 区");
        assert_eq!(format!("{}", E("<&\">")), "&lt;&amp;&quot;&gt;");
        assert_eq!(format!("{}", E("无")), "无");
    }

    #[test]
    fn nice_ticks_for_several_maxima() {
        let approx = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
        };
        assert!(approx(&nice_ticks(0.7), &[0.0, 0.2, 0.4, 0.6, 0.8]));
        assert!(approx(
            &nice_ticks(1234.0),
            &[0.0, 250.0, 500.0, 750.0, 1000.0, 1250.0]
        ));
        assert!(approx(
            &nice_ticks(100.0),
            &[0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        ));
        assert!(approx(&nice_ticks(12.0), &[0.0, 2.5, 5.0, 7.5, 10.0, 12.5]));
        assert!(approx(&nice_ticks(1.0), &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]));
        assert!(approx(
            &nice_ticks(45_000.0),
            &[0.0, 10_000.0, 20_000.0, 30_000.0, 40_000.0, 50_000.0]
        ));
        assert!(approx(&nice_ticks(0.0), &[0.0, 1.0]));
        assert!(approx(&nice_ticks(f64::NAN), &[0.0, 1.0]));
        for m in [0.003, 0.7, 3.3, 47.0, 999.0, 1001.0, 123_456.0] {
            let t = nice_ticks(m);
            assert!((4..=7).contains(&t.len()), "{m}: {t:?}");
            assert!(*t.last().expect("ticks") >= m);
        }
        assert_eq!(decimals_for(0.25), 2);
        assert_eq!(decimals_for(250.0), 0);
        assert_eq!(format_number(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(format_number(-1234.0, 0), "-1,234");
        assert_eq!(format_number(-0.0001, 1), "0.0");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_value(1234.56), "1,235");
        assert_eq!(format_value(12.0), "12");
        assert_eq!(format_value(0.75), "0.75");
    }

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(scale_bar_metres(480.0), 500.0);
        assert_eq!(scale_bar_metres(1300.0), 1000.0);
        assert_eq!(scale_bar_metres(1700.0), 2000.0);
        assert_eq!(scale_bar_metres(8000.0), 10_000.0);
        assert_eq!(format_length(500.0), "500 m");
        assert_eq!(format_length(2000.0), "2 km");
    }

    fn chart(stacked: bool, series: Vec<Series>, categories: &[&str]) -> BarChart {
        BarChart {
            title: "按状态统计 by status".into(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            series,
            unit: "公顷 ha".into(),
            stacked,
            width: 640.0,
            height: 360.0,
        }
    }

    fn bars(svg: &str, cat: usize) -> Vec<(f64, f64)> {
        let key = format!("<rect class=\"bar\" data-cat=\"{cat}\"");
        svg.match_indices(&key)
            .map(|(i, _)| {
                let tag = &svg[i..i + svg[i..].find('>').expect("tag end")];
                (attr_in(tag, "y"), attr_in(tag, "height"))
            })
            .collect()
    }

    #[test]
    fn stacked_bar_heights_add_up() {
        let series = vec![
            Series {
                name: "南部建成区".into(),
                colour: "#d7191c".into(),
                values: vec![30.0, 10.0, 7.0],
            },
            Series {
                name: "北区".into(),
                colour: "".into(),
                values: vec![70.0, 40.0, -5.0],
            },
        ];
        let svg = bar_chart_svg(&chart(true, series, &["闲置", "僵尸", "储备"]));
        check_balanced(&svg);
        let sum = |b: &[(f64, f64)]| b.iter().map(|(_, h)| h).sum::<f64>();
        let (c0, c1, c2) = (bars(&svg, 0), bars(&svg, 1), bars(&svg, 2));
        assert_eq!(c0.len(), 2);
        assert_eq!(c2.len(), 1, "the negative value is drawn as 0");
        // Totals 100 and 50: the stacks' heights are in that ratio.
        assert!((sum(&c0) - 2.0 * sum(&c1)).abs() <= 0.2, "{c0:?} {c1:?}");
        assert!((sum(&c0) * 7.0 - 100.0 * sum(&c2)).abs() <= 0.2 * 100.0 / 7.0);
        // Segments tile: the second starts where the first ends.
        assert!((c0[1].0 + c0[1].1 - c0[0].0).abs() < 1e-9, "{c0:?}");
        // 30 of 100: the first segment is 30 % of the stack.
        assert!((c0[0].1 / sum(&c0) - 0.3).abs() < 0.005);
        assert!(svg.contains(">100</text>"), "the total is labelled");
    }

    #[test]
    fn grouped_bars_are_side_by_side_and_proportional() {
        let series = vec![
            Series {
                name: "2024".into(),
                colour: "#4e79a7".into(),
                values: vec![1234.0, 617.0],
            },
            Series {
                name: "2025".into(),
                colour: "#f28e2b".into(),
                values: vec![617.0],
            },
        ];
        let svg = bar_chart_svg(&chart(
            false,
            series,
            &["经开一小区 Jingkai No. 1 residential quarter", "深圳街"],
        ));
        check_balanced(&svg);
        let c0 = bars(&svg, 0);
        assert_eq!(c0.len(), 2);
        assert!((c0[0].1 - 2.0 * c0[1].1).abs() <= 0.2);
        assert_eq!(bars(&svg, 1).len(), 1, "a missing value is 0");
        assert!(
            svg.contains(">1,250</text>"),
            "ticks with thousands separators"
        );
        assert!(svg.contains(">1,234</text>"), "value label");
        assert!(svg.contains("公顷 ha"));
    }

    #[test]
    fn long_category_labels_wrap_or_rotate() {
        let series = vec![Series {
            name: "".into(),
            colour: "".into(),
            values: vec![1.0; 12],
        }];
        let cats: Vec<String> = (0..12)
            .map(|i| format!("兴隆综合保税区第{i}号地块 block"))
            .collect();
        let refs: Vec<&str> = cats.iter().map(String::as_str).collect();
        let svg = bar_chart_svg(&chart(false, series, &refs));
        check_balanced(&svg);
        assert!(svg.contains("rotate(-45"));
        let series = vec![Series {
            name: "a".into(),
            colour: "".into(),
            values: vec![1.0, 2.0],
        }];
        let svg = bar_chart_svg(&chart(false, series, &["大众卓越总部基地周边", "B"]));
        check_balanced(&svg);
        assert!(svg.contains("<tspan"));
        assert!(!svg.contains("rotate(-45"));
        assert_eq!(
            wrap_text("经开一小区", 24.0, 11.0),
            vec!["经开", "一小", "区"]
        );
        assert_eq!(
            wrap_text("Jingkai road", 50.0, 11.0),
            vec!["Jingkai", "road"]
        );
    }

    #[test]
    fn empty_charts_say_no_data() {
        let zeros = vec![Series {
            name: "x".into(),
            colour: "#000".into(),
            values: vec![0.0, -1.0, f64::NAN],
        }];
        for c in [
            chart(false, vec![], &[]),
            chart(true, zeros, &["a", "b", "c"]),
            chart(false, vec![], &["a"]),
            BarChart {
                width: f64::NAN,
                height: -1.0,
                ..chart(false, vec![], &[])
            },
        ] {
            let svg = bar_chart_svg(&c);
            check_balanced(&svg);
            assert!(svg.contains("无数据 / no data"), "{svg}");
            assert!(!svg.contains("class=\"bar\""));
        }
    }

    #[test]
    fn colours() {
        assert_eq!(status_colour(Some("idle")), status_colour(Some("闲置")));
        assert_ne!(status_colour(Some("zombie")), status_colour(Some("active")));
        assert_eq!(status_colour(Some("vacated")), status_colour(None));
        assert_eq!(status_colour(Some("whatever")), status_colour(None));
        assert_eq!(grade_colour(Some("a")), grade_colour(Some("A")));
        assert_ne!(grade_colour(Some("ungraded")), grade_colour(None));
        assert_eq!(text_on("#000"), "#fff");
        assert_eq!(text_on("#fee08b"), INK);
        assert_eq!(text_on("red"), INK);
    }
}
