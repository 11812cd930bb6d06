//! Names on the map: school names next to their dot, road names along the middle of
//! the road's longest part. A label that would overlap an earlier one is left out, and
//! a road label must lie wholly inside the frame.

use std::fmt::{self, Write};

use geo::{Geometry, LineString};

use super::escape::E;
use super::format::N;
use super::map::{MapLayout, Projection};
use super::text::text_width;
use super::{MapCircle, MapLine};

/// Font size of map labels, in px.
const LABEL_FONT: f64 = 9.0;

/// A circle as drawn: its centre in px.
pub(super) struct PlacedCircle<'c> {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) circle: &'c MapCircle,
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

/// Writes the labels group: circle labels first, as they are fewer and tied to a
/// point, then road labels.
pub(super) fn write_labels(
    out: &mut String,
    layout: &MapLayout,
    circles: &[PlacedCircle],
    lines: &[MapLine],
) -> fmt::Result {
    write!(out, r#"<g class="labels" font-size="{}">"#, N(LABEL_FONT))?;
    let mut placed: Vec<LabelBox> = Vec::new();
    for c in circles {
        write_circle_label(out, c, &mut placed)?;
    }
    for l in lines {
        write_road_label(out, layout, l, &mut placed)?;
    }
    out.push_str("</g>");
    Ok(())
}

/// Writes a circle's label up and to the right of its centre, unless it overlaps.
fn write_circle_label(
    out: &mut String,
    c: &PlacedCircle,
    placed: &mut Vec<LabelBox>,
) -> fmt::Result {
    let Some(label) = &c.circle.label else {
        return Ok(());
    };
    let (x, y) = (c.x, c.y);
    let w = text_width(label, LABEL_FONT);
    let b = LabelBox {
        x0: x + 5.0,
        y0: y - 14.0,
        x1: x + 5.0 + w,
        y1: y - 3.0,
    };
    if placed.iter().any(|p| p.overlaps(&b)) {
        return Ok(());
    }
    placed.push(b);
    write_halo_text(out, x + 5.0, y - 8.5, 0.0, "start", label)
}

/// Writes a road's label along its longest part: at the midpoint, else a little to
/// either side of it; not at all when the road is shorter than the label or no place
/// is free.
fn write_road_label(
    out: &mut String,
    layout: &MapLayout,
    l: &MapLine,
    placed: &mut Vec<LabelBox>,
) -> fmt::Result {
    let Some(label) = &l.label else {
        return Ok(());
    };
    if label.trim().is_empty() || !layout.shows(l.geometry) {
        return Ok(());
    }
    let Some((part, len)) = longest_part(l.geometry, &layout.projection) else {
        return Ok(());
    };
    let w = text_width(label, LABEL_FONT);
    if w > len * 1.2 {
        return Ok(());
    }
    let f = &layout.frame;
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
        return write_halo_text(out, x, y, angle, "middle", label);
    }
    Ok(())
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
    let hw = 0.5 * (w * c.abs() + h * s.abs());
    let hh = 0.5 * (w * s.abs() + h * c.abs());
    LabelBox {
        x0: x - hw,
        y0: y - hh,
        x1: x + hw,
        y1: y + hh,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn road_labels_read_left_to_right_or_bottom_to_top() {
        let angle = |a: (f64, f64), b: (f64, f64)| point_along(&[a, b], 5.0).expect("on it").2;
        // West to east and east to west: both horizontal.
        assert!(angle((0.0, 0.0), (10.0, 0.0)).abs() < 1e-9);
        assert!(angle((10.0, 0.0), (0.0, 0.0)).abs() < 1e-9);
        // North to south and south to north (y grows down): both read upwards.
        assert!((angle((0.0, 0.0), (0.0, 10.0)) + 90.0).abs() < 1e-9);
        assert!((angle((0.0, 10.0), (0.0, 0.0)) + 90.0).abs() < 1e-9);
        // Past the end of the line there is no point.
        assert!(point_along(&[(0.0, 0.0), (3.0, 4.0)], 5.5).is_none());
        let (x, y, _) = point_along(&[(0.0, 0.0), (3.0, 4.0), (3.0, 10.0)], 7.0).expect("on it");
        assert!((x - 3.0).abs() < 1e-9 && (y - 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_turned_label_takes_a_taller_box() {
        let flat = rotated_box(50.0, 50.0, 40.0, 10.0, 0.0);
        let steep = rotated_box(50.0, 50.0, 40.0, 10.0, -90.0);
        assert!((flat.x1 - flat.x0 - 40.0).abs() < 1e-9);
        assert!((steep.y1 - steep.y0 - 40.0).abs() < 1e-9);
        assert!(flat.overlaps(&steep));
        assert!(!flat.overlaps(&rotated_box(100.0, 50.0, 40.0, 10.0, 0.0)));
    }
}
