//! A map of the report ([`map_svg`]): the projection and layout ([`Projection`],
//! [`MapLayout`]), and the order in which the layers are drawn.
//!
//! The map uses an equirectangular projection with x scaled by the cosine of the mid
//! latitude: at the scale of a development zone (~20 km) shapes keep their proportions,
//! and lengths agree with the geodesic ones to a fraction of a percent, which is what
//! a scale bar and a 500 m school radius need.

use std::fmt::{self, Write};

use geo::{BoundingRect, Coord, Geometry};

use super::escape::E;
use super::format::N;
use super::labels::{write_labels, PlacedCircle};
use super::legend::{layout_legend, write_legend, write_north_arrow, write_scale_bar};
use super::page::{sane, svg_open, write_title};
use super::path::{write_road, write_shape};
use super::{MapCircle, MapShape, MapSpec, MARGIN, METRES_PER_DEGREE};

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
pub(super) struct Frame {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
}

impl Frame {
    pub(super) fn contains(&self, x: f64, y: f64) -> bool {
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
    pub(super) frame: Frame,
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
        let mid_lon = f64::midpoint(min_lon, max_lon);
        let mid_lat = f64::midpoint(min_lat, max_lat);
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
    pub(super) fn shows(&self, g: &Geometry<f64>) -> bool {
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
    format!("lrmap-{h:016x}")
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

/// The steps of a map:
/// 1. lay out the frame and the legend below it, which sets the page height;
/// 2. open the page with the title and the clipped frame;
/// 3. draw the layers bottom to top: background, areas, roads, outlines, circles;
/// 4. draw the labels above every layer, still clipped;
/// 5. draw the frame's border, the north arrow, the scale bar and the legend.
fn render_map(spec: &MapSpec, out: &mut String) -> fmt::Result {
    let layout = MapLayout::new(spec.bbox, spec.width);
    let f = layout.frame;
    let legend = layout_legend(&spec.legend, f.x, f.y + f.h + 10.0, f.w);
    let height = if spec.legend.is_empty() {
        f.y + f.h + MARGIN
    } else {
        legend.y + legend.height + MARGIN
    };

    svg_open(out, layout.width, height, &spec.title)?;
    write_title(out, &spec.title, layout.width)?;
    write_clipped_frame(out, &f, &map_id(spec))?;
    write_layers(out, spec, &layout)?;
    let circles = write_circles(out, &spec.circles, &layout)?;
    write_labels(out, &layout, &circles, &spec.lines)?;
    out.push_str("</g>");

    write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#777" stroke-width=".8"/>"##,
        N(f.x),
        N(f.y),
        N(f.w),
        N(f.h)
    )?;
    write_north_arrow(out, &f)?;
    write_scale_bar(out, &f, &layout.projection)?;
    write_legend(out, &spec.legend, &legend)?;
    out.push_str("</svg>");
    Ok(())
}

/// Writes the frame's clip path and background, and opens the clipped group that the
/// layers and labels go in.
fn write_clipped_frame(out: &mut String, f: &Frame, id: &str) -> fmt::Result {
    write!(
        out,
        r##"<defs><clipPath id="{id}"><rect x="{x}" y="{y}" width="{w}" height="{h}"/></clipPath></defs><rect x="{x}" y="{y}" width="{w}" height="{h}" fill="#fafaf7"/><g clip-path="url(#{id})" stroke-linejoin="round">"##,
        x = N(f.x),
        y = N(f.y),
        w = N(f.w),
        h = N(f.h),
    )
}

/// Writes the layers of shapes and roads, each in its group.
fn write_layers(out: &mut String, spec: &MapSpec, layout: &MapLayout) -> fmt::Result {
    let write_shapes = |out: &mut String, shapes: &[MapShape]| -> fmt::Result {
        for s in shapes {
            write_shape(out, layout, s)?;
        }
        Ok(())
    };
    out.push_str(r#"<g class="background">"#);
    write_shapes(out, &spec.background)?;
    out.push_str(r#"</g><g class="areas">"#);
    write_shapes(out, &spec.areas)?;
    out.push_str(r#"</g><g class="lines" fill="none" stroke-linecap="round">"#);
    for l in &spec.lines {
        write_road(out, layout, l)?;
    }
    out.push_str(r#"</g><g class="outlines">"#);
    write_shapes(out, &spec.outlines)?;
    out.push_str("</g>");
    Ok(())
}

/// Writes the schools and their service radii; returns those drawn, with their pixel,
/// for their labels.
fn write_circles<'c>(
    out: &mut String,
    circles: &'c [MapCircle],
    layout: &MapLayout,
) -> Result<Vec<PlacedCircle<'c>>, fmt::Error> {
    out.push_str(r#"<g class="circles">"#);
    let mut visible = Vec::with_capacity(circles.len());
    for c in circles {
        let Some(r) = visible_radius(c, layout) else {
            continue;
        };
        let proj = &layout.projection;
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
        visible.push(PlacedCircle { x, y, circle: c });
    }
    out.push_str("</g>");
    Ok(visible)
}

/// The radius in metres (negative and non-finite ones are 0) of a circle that meets the
/// bbox, or `None` for a circle not drawn.
fn visible_radius(c: &MapCircle, layout: &MapLayout) -> Option<f64> {
    if !(c.lon.is_finite() && c.lat.is_finite()) {
        return None;
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
    layout.meets_bbox(min, max).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::test_support::{attr, check_balanced, shape, spec};
    use crate::report::svg::MapLine;
    use geo::{polygon, LineString};

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
}
