//! Totals of expansion-in-place cases (存量扩能), for reports.

use serde::Serialize;

use super::Stage;

/// How many expansion cases are at each stage and their planned new output, in 万元.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ExpansionTotals {
    /// Firms that intend to expand (意向).
    pub intention: usize,
    /// Firms whose expansion has started (已开工).
    pub started: usize,
    /// Firms whose expansion is completed.
    pub completed: usize,
    /// Planned new output of the started cases, in 万元.
    pub planned_output_wan_started: f64,
    /// Planned new output of all open cases (intention and started), in 万元.
    pub planned_output_wan_all_open: f64,
}

/// Adds up expansion cases given as (stage, planned new output in 万元); cancelled cases
/// and stages an expansion does not have are left out.
///
/// ```
/// use landreuse::domain::reallocation::{expansion_totals, Stage};
///
/// // 18 firms started, planned new output 15 bn yuan (1,500,000 万元).
/// let totals = expansion_totals(std::iter::repeat((Stage::Started, 1_500_000.0 / 18.0)).take(18));
/// assert_eq!(totals.started, 18);
/// assert!((totals.planned_output_wan_started - 1_500_000.0).abs() < 1e-6);
/// ```
pub fn expansion_totals(cases: impl IntoIterator<Item = (Stage, f64)>) -> ExpansionTotals {
    let mut totals = ExpansionTotals::default();
    for (stage, wan) in cases {
        match stage {
            Stage::Intention => totals.intention += 1,
            Stage::Started => {
                totals.started += 1;
                totals.planned_output_wan_started += wan;
            }
            Stage::Completed => totals.completed += 1,
            _ => continue,
        }
        if stage.is_open() {
            totals.planned_output_wan_all_open += wan;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_count_each_stage_and_add_the_planned_output_of_open_cases() {
        let cases = [
            (Stage::Intention, 20_000.0),
            (Stage::Intention, 5_000.5),
            (Stage::Started, 100_000.0),
            (Stage::Started, 50_000.0),
            (Stage::Started, 0.25),
            (Stage::Completed, 70_000.0),
            (Stage::Cancelled, 999_999.0),
        ];
        assert_eq!(
            expansion_totals(cases),
            ExpansionTotals {
                intention: 2,
                started: 3,
                completed: 1,
                planned_output_wan_started: 150_000.25,
                planned_output_wan_all_open: 175_000.75,
            }
        );
    }

    #[test]
    fn eighteen_started_firms_planning_15_bn_yuan_add_up_to_1_5_million_wan() {
        let per_firm = [120_000.0, 80_000.0, 50_000.0];
        let cases = (0..18).map(|i| (Stage::Started, per_firm[i % 3]));
        let totals = expansion_totals(cases);
        assert_eq!(totals.started, 18);
        assert!((totals.planned_output_wan_started - 1_500_000.0).abs() < 1e-6);
        assert_eq!(
            totals.planned_output_wan_all_open,
            totals.planned_output_wan_started
        );
    }

    #[test]
    fn no_cases_give_zero_totals() {
        assert_eq!(expansion_totals([]), ExpansionTotals::default());
    }
}
