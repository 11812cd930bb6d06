//! The map's furniture: the legend box below the map with a swatch for each entry,
//! the north arrow and the scale bar.

use std::fmt::{self, Write};

use super::escape::E;
use super::format::{format_value, N};
use super::map::{Frame, Projection};
use super::text::{text_width, truncate_to};
use super::{LegendEntry, Swatch};

/// Font size of legend labels, in px.
pub(super) const LEGEND_FONT: f64 = 11.0;
/// Height of a legend row, in px.
const LEGEND_ROW: f64 = 20.0;
/// Padding inside the legend box, in px.
const LEGEND_PAD: f64 = 8.0;
/// Room for a swatch and the gap after it, in px.
const SWATCH_ROOM: f64 = 24.0;

/// The geometry of a legend: entries flow left to right and wrap.
pub(super) struct LegendLayout {
    /// Top-left of each entry's swatch.
    positions: Vec<(f64, f64)>,
    /// The box: left, top and width; height (0 without entries).
    x: f64,
    pub(super) y: f64,
    w: f64,
    pub(super) height: f64,
}

/// Lays out a legend in a box at (`x`, `y`), `w` px wide.
pub(super) fn layout_legend(entries: &[LegendEntry], x: f64, y: f64, w: f64) -> LegendLayout {
    let pad = LEGEND_PAD;
    let max_label = w - 2.0 * pad - SWATCH_ROOM;
    let mut positions = Vec::with_capacity(entries.len());
    let (mut cx, mut cy) = (x + pad, y + pad);
    for e in entries {
        let ew = SWATCH_ROOM + text_width(&e.label, LEGEND_FONT).min(max_label) + 16.0;
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
    LegendLayout {
        positions,
        x,
        y,
        w,
        height,
    }
}

/// Writes a swatch with its top-left at (x, y).
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

/// Writes the legend box as laid out by [`layout_legend`]; nothing without entries.
pub(super) fn write_legend(
    out: &mut String,
    entries: &[LegendEntry],
    lay: &LegendLayout,
) -> fmt::Result {
    if entries.is_empty() {
        return Ok(());
    }
    write!(
        out,
        r##"<g class="legend" font-size="{}"><rect x="{}" y="{}" width="{}" height="{}" fill="#fff" stroke="#bbb" stroke-width=".8"/>"##,
        N(LEGEND_FONT),
        N(lay.x),
        N(lay.y),
        N(lay.w),
        N(lay.height)
    )?;
    let max_label = lay.w - 2.0 * LEGEND_PAD - SWATCH_ROOM;
    for (e, &(ex, ey)) in entries.iter().zip(&lay.positions) {
        write_swatch(out, &e.swatch, ex, ey)?;
        let label = truncate_to(&e.label, max_label, LEGEND_FONT);
        write!(
            out,
            r#"<text x="{}" y="{}">{}</text>"#,
            N(ex + SWATCH_ROOM),
            N(ey + 10.5),
            E(&label)
        )?;
    }
    out.push_str("</g>");
    Ok(())
}

/// Writes the north arrow in the frame's top-right corner.
pub(super) fn write_north_arrow(out: &mut String, f: &Frame) -> fmt::Result {
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

/// Picks a round scale-bar length (1, 2 or 5 × 10ⁿ metres) closest to `target_m`.
///
/// ```
/// use landreuse::report::svg::scale_bar_metres;
/// assert_eq!(scale_bar_metres(1300.0), 1000.0);
/// ```
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

/// Writes the scale bar in the frame's bottom-left corner: a round length about a
/// fifth of the frame's width.
pub(super) fn write_scale_bar(out: &mut String, f: &Frame, proj: &Projection) -> fmt::Result {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::test_support::{attr, check_balanced, spec};
    use crate::report::svg::{map_svg, MapLayout};

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
    fn scale_bar_lengths_are_round() {
        assert_eq!(scale_bar_metres(480.0), 500.0);
        assert_eq!(scale_bar_metres(1300.0), 1000.0);
        assert_eq!(scale_bar_metres(1700.0), 2000.0);
        assert_eq!(scale_bar_metres(8000.0), 10_000.0);
        assert_eq!(format_length(500.0), "500 m");
        assert_eq!(format_length(2000.0), "2 km");
    }
}
