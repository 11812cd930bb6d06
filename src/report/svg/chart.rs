//! The report's bar charts ([`bar_chart_svg`]): grouped or stacked vertical bars on a
//! y axis of nice ticks, with category labels under the bars, value labels where they
//! fit, and a legend of the series under the title.

use std::fmt::{self, Write};

use super::escape::E;
use super::format::{decimals_for, format_number, format_value, nice_ticks, N};
use super::page::{sane, svg_open, write_title};
use super::text::{text_width, truncate_to, wrap_text};
use super::{BarChart, INK, MARGIN, PALETTE};

/// Font size of axis, legend and category labels, in px.
const CHART_FONT: f64 = 11.0;
/// Line height of wrapped category labels, in px.
const CHART_LINE: f64 = 13.0;
/// Font size of value labels, in px.
const VALUE_FONT: f64 = 10.0;

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
    let lum = (0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b)) / 255.0;
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

/// Rounded to 0.1, as coordinates are written.
fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// A chart's values as drawn, and its page size.
struct ChartData<'c> {
    chart: &'c BarChart,
    w: f64,
    h: f64,
    /// Per series, per category; missing, negative and non-finite values are 0.
    values: Vec<Vec<f64>>,
    /// Per series, its own colour or a palette colour.
    colours: Vec<&'c str>,
    /// Per category, the sum over the series.
    totals: Vec<f64>,
    /// The highest bar: of the totals when stacked, else of the values.
    max: f64,
}

impl<'c> ChartData<'c> {
    fn new(c: &'c BarChart) -> Self {
        let n = c.categories.len();
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
        ChartData {
            chart: c,
            w: sane(c.width, 640.0, 240.0, 10_000.0),
            h: sane(c.height, 360.0, 160.0, 10_000.0),
            values,
            colours,
            totals,
            max,
        }
    }

    fn categories(&self) -> usize {
        self.chart.categories.len()
    }

    fn series(&self) -> usize {
        self.chart.series.len()
    }
}

/// How the category labels are drawn.
enum CategoryLabels {
    /// Horizontal, wrapped into lines.
    Wrapped(Vec<Vec<String>>),
    /// Rotated by −45°, shortened to fit.
    Rotated(Vec<String>),
}

/// Where the plot goes, and the y axis.
struct Plot {
    /// Left and right ends of the plot (the y axis is at `left`), in px.
    left: f64,
    right: f64,
    /// Top and bottom (the zero line) of the plot, in px.
    top: f64,
    bottom: f64,
    /// Width of one category's group (or stack), in px.
    gw: f64,
    /// The value at the top of the plot: the last tick.
    top_value: f64,
    ticks: Vec<f64>,
    tick_labels: Vec<String>,
    /// Width of the widest tick label, in px.
    tick_w: f64,
    labels: CategoryLabels,
}

impl Plot {
    fn y_of(&self, v: f64) -> f64 {
        self.bottom - v / self.top_value * (self.bottom - self.top)
    }

    /// The centre of category `i`, in px.
    fn centre(&self, i: usize) -> f64 {
        self.left + (i as f64 + 0.5) * self.gw
    }
}

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

/// The steps of a chart:
/// 1. clean the values and pick the colours;
/// 2. open the page with the title and the series legend;
/// 3. without data, say so and stop;
/// 4. lay out the plot: y ticks, then the category labels, which set the plot's
///    bottom and may move it right;
/// 5. draw the axis, the bars with their value labels, and the category labels.
fn render_chart(c: &BarChart, out: &mut String) -> fmt::Result {
    let d = ChartData::new(c);
    svg_open(out, d.w, d.h, &c.title)?;
    write_title(out, &c.title, d.w)?;
    let legend_bottom = write_series_legend(out, &d)?;
    if d.categories() == 0 || d.series() == 0 || d.max <= 0.0 {
        return write_no_data(out, &d, legend_bottom);
    }
    let plot = layout_plot(&d, legend_bottom);
    write_axis(out, &d, &plot)?;
    write_bars(out, &d, &plot)?;
    write_categories(out, &plot)?;
    out.push_str("</svg>");
    Ok(())
}

/// Writes the series legend under the title (when any series has a name); returns
/// the bottom of what is written so far.
fn write_series_legend(out: &mut String, d: &ChartData) -> Result<f64, fmt::Error> {
    let c = d.chart;
    if d.series() == 0 || c.series.iter().all(|s| s.name.trim().is_empty()) {
        return Ok(MARGIN + 24.0);
    }
    write!(out, r#"<g class="legend" font-size="{}">"#, N(CHART_FONT))?;
    let (mut x, mut y) = (MARGIN, MARGIN + 30.0);
    for (s, colour) in c.series.iter().zip(&d.colours) {
        let name = truncate_to(&s.name, d.w - 2.0 * MARGIN - 18.0, CHART_FONT);
        let ew = 17.0 + text_width(&name, CHART_FONT) + 14.0;
        if x > MARGIN && x + ew > d.w - MARGIN {
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
    Ok(y + 14.0)
}

/// Writes the "no data" box and closes the chart.
fn write_no_data(out: &mut String, d: &ChartData, legend_bottom: f64) -> fmt::Result {
    let top = legend_bottom + 10.0;
    let bottom = (d.h - MARGIN).max(top + 20.0);
    write!(
        out,
        r##"<rect x="{x}" y="{y}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc" stroke-width=".8"/><text class="no-data" x="{cx}" y="{cy}" font-size="14" fill="#888" text-anchor="middle">无数据 / no data</text></svg>"##,
        x = N(MARGIN),
        y = N(top),
        pw = N(d.w - 2.0 * MARGIN),
        ph = N(bottom - top),
        cx = N(d.w / 2.0),
        cy = N(f64::midpoint(top, bottom) + 5.0),
    )
}

/// Lays out the plot under the legend: the y ticks set its left edge, the category
/// labels its bottom (and, rotated, may move its left edge right).
fn layout_plot(d: &ChartData, legend_bottom: f64) -> Plot {
    let ticks = nice_ticks(d.max);
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
    let unit_w = if has_unit(d) { 18.0 } else { 0.0 };
    let mut plot = Plot {
        left: MARGIN + unit_w + tick_w + 8.0,
        right: d.w - MARGIN,
        top: legend_bottom + 18.0, // headroom for value labels above the highest bar
        bottom: 0.0,
        gw: 0.0,
        top_value,
        ticks,
        tick_labels,
        tick_w,
        labels: CategoryLabels::Rotated(Vec::new()),
    };
    plot.gw = (plot.right - plot.left).max(20.0) / d.categories() as f64;
    let label_h = layout_categories(d, &mut plot);
    plot.bottom = (d.h - MARGIN - label_h).max(plot.top + 40.0);
    plot
}

fn has_unit(d: &ChartData) -> bool {
    !d.chart.unit.trim().is_empty()
}

/// Sets the category labels of the plot: wrapped when every label fits in three
/// lines, else rotated. Returns the height they take under the plot.
fn layout_categories(d: &ChartData, plot: &mut Plot) -> f64 {
    let gw = plot.gw;
    let wrapped: Vec<Vec<String>> = d
        .chart
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
    if fits {
        plot.labels = CategoryLabels::Wrapped(wrapped);
        max_lines as f64 * CHART_LINE + 8.0
    } else {
        rotate_categories(d, plot)
    }
}

/// Sets rotated category labels: they take at most about a third of the height, and
/// the plot moves right (by at most 40 % of the width) so that the first one starts
/// inside. Returns the height they take under the plot.
fn rotate_categories(d: &ChartData, plot: &mut Plot) -> f64 {
    let c = d.chart;
    let diag = std::f64::consts::FRAC_1_SQRT_2;
    let room = ((d.h - MARGIN - plot.top - 60.0).min(0.35 * d.h) / diag).max(20.0);
    let longest = c
        .categories
        .iter()
        .map(|s| text_width(s, CHART_FONT).min(room))
        .fold(0.0, f64::max);
    plot.left = plot
        .left
        .max((MARGIN + longest * diag - plot.gw / 2.0).min(0.4 * d.w));
    plot.gw = (plot.right - plot.left).max(20.0) / d.categories() as f64;
    let cut: Vec<String> = c
        .categories
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let cx = plot.centre(i);
            truncate_to(s, room.min((cx - MARGIN / 2.0) / diag), CHART_FONT)
        })
        .collect();
    let longest = cut
        .iter()
        .map(|s| text_width(s, CHART_FONT))
        .fold(0.0, f64::max);
    plot.labels = CategoryLabels::Rotated(cut);
    longest * diag + 16.0
}

/// Writes the y axis: grid lines with tick labels, the axis line and the unit.
fn write_axis(out: &mut String, d: &ChartData, p: &Plot) -> fmt::Result {
    write!(out, r#"<g class="axis" font-size="{}">"#, N(CHART_FONT))?;
    for (t, label) in p.ticks.iter().zip(&p.tick_labels) {
        let y = p.y_of(*t);
        write!(
            out,
            r##"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="{s}" stroke-width="{sw}"/><text x="{tx}" y="{ty}" text-anchor="end">{label}</text>"##,
            l = N(p.left),
            r = N(p.right),
            y = N(y),
            s = if *t == 0.0 { "#555" } else { "#e3e3e3" },
            sw = if *t == 0.0 { "1" } else { ".8" },
            tx = N(p.left - 6.0),
            ty = N(y + 4.0),
            label = E(label),
        )?;
    }
    write!(
        out,
        r##"<line x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#555"/>"##,
        x = N(p.left),
        t = N(p.top),
        b = N(p.bottom)
    )?;
    if has_unit(d) {
        let unit = truncate_to(&d.chart.unit, p.bottom - p.top, CHART_FONT);
        let (ux, uy) = (
            (p.left - p.tick_w - 18.0).max(MARGIN + 10.0),
            f64::midpoint(p.top, p.bottom),
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
    Ok(())
}

/// One bar (or stack segment) as drawn, in px.
struct Bar {
    /// Category and series index.
    cat: usize,
    series: usize,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Writes the bars, and the value labels above them (after all bars, so that no bar
/// covers a label).
fn write_bars(out: &mut String, d: &ChartData, p: &Plot) -> fmt::Result {
    write!(out, r#"<g class="bars" font-size="{}">"#, N(VALUE_FONT))?;
    let mut value_labels = String::new();
    for i in 0..d.categories() {
        if d.chart.stacked {
            write_stack(out, &mut value_labels, d, p, i)?;
        } else {
            write_group(out, &mut value_labels, d, p, i)?;
        }
    }
    out.push_str(&value_labels);
    out.push_str("</g>");
    Ok(())
}

/// Writes category `i` as a stack, with a label in each segment that has room and the
/// total on top.
fn write_stack(
    out: &mut String,
    labels: &mut String,
    d: &ChartData,
    p: &Plot,
    i: usize,
) -> fmt::Result {
    let gx = p.left + i as f64 * p.gw;
    let bw = (p.gw * 0.6).min(60.0);
    let x = gx + (p.gw - bw) / 2.0;
    let mut cum = 0.0;
    for j in 0..d.series() {
        let v = d.values[j][i];
        if v <= 0.0 {
            continue;
        }
        // Round both edges so that the segments tile exactly.
        let y0 = round1(p.y_of(cum));
        cum += v;
        let y1 = round1(p.y_of(cum));
        let bar = Bar {
            cat: i,
            series: j,
            x,
            y: y1,
            w: bw,
            h: y0 - y1,
        };
        write_bar(out, d, &bar)?;
        let text = format_value(v);
        if y0 - y1 >= 13.0 && text_width(&text, VALUE_FONT) <= bw - 4.0 {
            write!(
                labels,
                r#"<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>"#,
                N(x + bw / 2.0),
                N(f64::midpoint(y0, y1) + 3.5),
                text_on(d.colours[j]),
                E(&text)
            )?;
        }
    }
    let total = d.totals[i];
    let text = format_value(total);
    if d.series() > 1 && total > 0.0 && text_width(&text, VALUE_FONT) <= p.gw - 4.0 {
        write!(
            labels,
            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            N(x + bw / 2.0),
            N(p.y_of(total) - 4.0),
            E(&text)
        )?;
    }
    Ok(())
}

/// Writes category `i` as bars side by side, each with its value above when it fits.
fn write_group(
    out: &mut String,
    labels: &mut String,
    d: &ChartData,
    p: &Plot,
    i: usize,
) -> fmt::Result {
    let ns = d.series() as f64;
    let gx = p.left + i as f64 * p.gw;
    let bw = (p.gw * 0.8 / ns).min(48.0);
    let x0 = gx + (p.gw - bw * ns) / 2.0;
    let gap = if bw > 6.0 { 1.0 } else { 0.0 };
    for j in 0..d.series() {
        let v = d.values[j][i];
        if v <= 0.0 {
            continue;
        }
        let x = x0 + j as f64 * bw;
        let y1 = round1(p.y_of(v));
        let y0 = round1(p.bottom);
        let bar = Bar {
            cat: i,
            series: j,
            x,
            y: y1,
            w: bw - gap,
            h: y0 - y1,
        };
        write_bar(out, d, &bar)?;
        let text = format_value(v);
        if text_width(&text, VALUE_FONT) <= bw + 2.0 {
            write!(
                labels,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                N(x + (bw - gap) / 2.0),
                N(y1 - 3.0),
                E(&text)
            )?;
        }
    }
    Ok(())
}

/// Writes one bar (or stack segment) with its tooltip: category, series, value, unit.
fn write_bar(out: &mut String, d: &ChartData, b: &Bar) -> fmt::Result {
    let c = d.chart;
    write!(
        out,
        r#"<rect class="bar" data-cat="{i}" data-series="{j}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} — {}: {} {}</title></rect>"#,
        N(b.x),
        N(b.y),
        N(b.w.max(0.5)),
        N(b.h),
        E(d.colours[b.series]),
        E(&c.categories[b.cat]),
        E(&c.series[b.series].name),
        E(&format_value(d.values[b.series][b.cat])),
        E(&c.unit),
        i = b.cat,
        j = b.series,
    )
}

/// Writes the category labels under the plot, wrapped or rotated.
fn write_categories(out: &mut String, p: &Plot) -> fmt::Result {
    write!(
        out,
        r#"<g class="categories" font-size="{}">"#,
        N(CHART_FONT)
    )?;
    match &p.labels {
        CategoryLabels::Wrapped(lines) => {
            for (i, ls) in lines.iter().enumerate() {
                let cx = p.centre(i);
                write!(
                    out,
                    r#"<text x="{}" y="{}" text-anchor="middle">"#,
                    N(cx),
                    N(p.bottom + 14.0)
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
                let cx = p.centre(i) + 3.0;
                let y = p.bottom + 12.0;
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
    out.push_str("</g>");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::test_support::{attr_in, check_balanced};
    use crate::report::svg::Series;

    fn chart(stacked: bool, series: Vec<Series>, categories: &[&str]) -> BarChart {
        BarChart {
            title: "按状态统计 by status".into(),
            categories: categories.iter().map(ToString::to_string).collect(),
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
    fn value_labels_are_white_on_dark_bars() {
        assert_eq!(text_on("#000"), "#fff");
        assert_eq!(text_on("#fee08b"), INK);
        assert_eq!(text_on("red"), INK);
    }
}
