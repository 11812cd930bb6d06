//! Units of land area used in Chinese planning: square metres, hectares and mu (亩).

use serde::Serialize;

/// One mu (亩) is 10,000/15 m² ≈ 666.67 m².
pub const SQUARE_METRES_PER_MU: f64 = 10_000.0 / 15.0;

/// An area given in the three units planners read side by side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AreaMeasure {
    /// Square metres.
    pub m2: f64,
    /// Hectares (10,000 m²).
    pub ha: f64,
    /// Mu (亩, 666.67 m²).
    pub mu: f64,
}

impl AreaMeasure {
    /// Builds the measure from square metres.
    ///
    /// ```
    /// let a = landreuse::domain::AreaMeasure::from_m2(10_000.0);
    /// assert_eq!(a.ha, 1.0);
    /// assert!((a.mu - 15.0).abs() < 1e-9);
    /// ```
    pub fn from_m2(m2: f64) -> Self {
        Self {
            m2,
            ha: m2 / 10_000.0,
            mu: m2 / SQUARE_METRES_PER_MU,
        }
    }
}

/// Rounds to a number of decimals, for figures shown to people.
pub fn round_to(value: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (value * f).round() / f
}
