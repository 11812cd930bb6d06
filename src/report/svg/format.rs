//! Numbers as the report writes them: with thousands separators for people
//! ([`format_number`], [`format_value`]), on nice axis steps ([`nice_ticks`]), and
//! rounded to 0.1 px for coordinates ([`N`]).

use std::fmt::{self, Write};

/// A value with thousands separators and a fixed number of decimals:
/// `format_number(1234567.891, 1)` is `"1,234,567.9"`.
///
/// ```
/// use landreuse::report::svg::format_number;
/// assert_eq!(format_number(1_234_567.891, 1), "1,234,567.9");
/// ```
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
pub(super) fn decimals_for(step: f64) -> usize {
    for d in 0..=9 {
        let x = step * 10f64.powi(d);
        if (x - x.round()).abs() < 1e-6 * x.abs().max(1.0) {
            return d as usize;
        }
    }
    9
}

/// Writes a coordinate rounded to 0.1 px, without a trailing ".0".
pub(super) fn push_num(out: &mut String, v: f64) {
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
pub(super) struct N(pub(super) f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(12);
        push_num(&mut s, self.0);
        f.write_str(&s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn coordinates_are_written_to_a_tenth_without_trailing_zeros() {
        let n = |v: f64| N(v).to_string();
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.34), "12.3");
        assert_eq!(n(-0.26), "-0.3");
        assert_eq!(n(-0.04), "0");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(n(1e300), "0");
    }
}
