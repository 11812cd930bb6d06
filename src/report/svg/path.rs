//! Geometries as SVG path data: each shape is one `<path>` (holes by the even-odd
//! rule, points as dots), with coordinates rounded to 0.1 px and repeated points left
//! out.

use std::fmt::{self, Write};

use geo::{Coord, Geometry, LineString, Polygon};

use super::escape::E;
use super::format::{push_num, N};
use super::map::{MapLayout, Projection};
use super::page::sane;
use super::{MapLine, MapShape};

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

/// Writes a polygon's rings (its holes only when the exterior is drawn); returns how
/// many were written.
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
            let mut ends = [l.start, l.end].into_iter();
            info.parts += usize::from(push_part(out, proj, &mut ends, false, 2));
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

/// Opens a `<path d="…` with a geometry's data; or writes nothing and returns `None`
/// when nothing of it can be drawn.
fn open_path(
    out: &mut String,
    proj: &Projection,
    g: &Geometry<f64>,
    dot_r: f64,
) -> Option<PathInfo> {
    let start = out.len();
    out.push_str("<path d=\"");
    let mut info = PathInfo::default();
    push_geometry(out, proj, g, dot_r, &mut info);
    if info.parts == 0 {
        out.truncate(start);
        return None;
    }
    Some(info)
}

/// Writes one shape as a single `<path>` (holes by the even-odd rule), or nothing when
/// it lies outside the bbox or is too small to draw.
pub(super) fn write_shape(out: &mut String, layout: &MapLayout, shape: &MapShape) -> fmt::Result {
    if !layout.shows(shape.geometry) {
        return Ok(());
    }
    let sw = sane(shape.stroke_width, 1.0, 0.0, 50.0);
    let dot_r = (sw * 1.5).max(2.5);
    let Some(info) = open_path(out, &layout.projection, shape.geometry, dot_r) else {
        return Ok(());
    };
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
    close_path(out, shape.title.as_deref())
}

/// Writes a road as a `<path>` with its name as tooltip, or nothing when it lies
/// outside the bbox or is too short to draw.
pub(super) fn write_road(out: &mut String, layout: &MapLayout, l: &MapLine) -> fmt::Result {
    if !layout.shows(l.geometry) {
        return Ok(());
    }
    if open_path(out, &layout.projection, l.geometry, 2.0).is_none() {
        return Ok(());
    }
    write!(
        out,
        r#"" stroke="{}" stroke-width="{}""#,
        E(l.colour),
        N(sane(l.width, 1.5, 0.1, 50.0))
    )?;
    close_path(out, l.label.as_deref())
}

/// Closes a `<path>` whose attributes are written, with a tooltip when there is one.
fn close_path(out: &mut String, title: Option<&str>) -> fmt::Result {
    if let Some(t) = title {
        write!(out, "><title>{}</title></path>", E(t))
    } else {
        out.push_str("/>");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use geo::{polygon, Geometry, LineString, MultiPolygon};

    use crate::report::svg::test_support::{check_balanced, shape, spec};
    use crate::report::svg::{map_svg, MapLine, MapShape};

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
}
