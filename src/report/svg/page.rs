//! What every map and chart starts with: the `<svg>` element on a white page, and the
//! title line; and the clamping of the sizes that a caller asks for.

use std::fmt::{self, Write};

use super::escape::E;
use super::format::N;
use super::text::{text_width, truncate_to};
use super::{FONT, INK, MARGIN};

/// A finite, clamped size, or the default.
pub(super) fn sane(v: f64, default: f64, min: f64, max: f64) -> f64 {
    if v.is_finite() && v > 0.0 {
        v.clamp(min, max)
    } else {
        default
    }
}

/// Writes the opening `<svg>` tag and a white page background.
pub(super) fn svg_open(out: &mut String, w: f64, h: f64, label: &str) -> fmt::Result {
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
pub(super) fn write_title(out: &mut String, title: &str, w: f64) -> fmt::Result {
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
