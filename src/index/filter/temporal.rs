//! Instants and intervals for the CQL2 temporal functions (Allen's interval relations).
//!
//! An instant is milliseconds since 1970-01-01T00:00Z; a date is the instant its day
//! starts (UTC), so `DATE('2022-04-16')` equals a date property holding `2022-04-16`. An
//! instant is the interval from itself to itself; `..` is an open end.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Parses a date (`YYYY-MM-DD`) or an RFC 3339 timestamp; a timestamp without an offset
/// is read as UTC.
pub fn parse_instant(text: &str) -> Option<i64> {
    let text = text.trim();
    // GDAL's OAPIF driver writes a date compared with a string as `2024-01-01T`.
    let text = text.strip_suffix('T').unwrap_or(text);
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(millis(t));
    }
    if let Ok(d) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Some(millis(d.midnight().assume_utc()));
    }
    let local = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let local_fraction =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond]");
    PrimitiveDateTime::parse(text, local)
        .or_else(|_| PrimitiveDateTime::parse(text, local_fraction))
        .ok()
        .map(|t| millis(t.assume_utc()))
}

fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A closed interval of instants; `i64::MIN` and `i64::MAX` are open ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    /// First instant.
    pub start: i64,
    /// Last instant.
    pub end: i64,
}

/// The temporal functions of CQL2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

impl Relation {
    /// The relation of an operator name in lower case (`t_after`, `t_metby` …).
    pub fn of(op: &str) -> Option<Self> {
        Some(match op {
            "t_after" => Self::After,
            "t_before" => Self::Before,
            "t_contains" => Self::Contains,
            "t_disjoint" => Self::Disjoint,
            "t_during" => Self::During,
            "t_equals" => Self::Equals,
            "t_finishedby" => Self::FinishedBy,
            "t_finishes" => Self::Finishes,
            "t_intersects" => Self::Intersects,
            "t_meets" => Self::Meets,
            "t_metby" => Self::MetBy,
            "t_overlappedby" => Self::OverlappedBy,
            "t_overlaps" => Self::Overlaps,
            "t_startedby" => Self::StartedBy,
            "t_starts" => Self::Starts,
            _ => return None,
        })
    }

    /// Whether `a` stands in this relation to `b`.
    pub fn holds(self, a: Interval, b: Interval) -> bool {
        let (a1, a2, b1, b2) = (a.start, a.end, b.start, b.end);
        match self {
            Self::After => a1 > b2,
            Self::Before => a2 < b1,
            Self::Contains => a1 < b1 && a2 > b2,
            Self::Disjoint => a2 < b1 || a1 > b2,
            Self::During => a1 > b1 && a2 < b2,
            Self::Equals => a1 == b1 && a2 == b2,
            Self::FinishedBy => a1 < b1 && a2 == b2,
            Self::Finishes => a1 > b1 && a2 == b2,
            Self::Intersects => a1 <= b2 && b1 <= a2,
            Self::Meets => a2 == b1,
            Self::MetBy => a1 == b2,
            Self::OverlappedBy => b1 < a1 && a1 < b2 && b2 < a2,
            Self::Overlaps => a1 < b1 && b1 < a2 && a2 < b2,
            Self::StartedBy => a1 == b1 && a2 > b2,
            Self::Starts => a1 == b1 && a2 < b2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_read_as_instants() {
        assert_eq!(parse_instant("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_instant("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_instant("1970-01-01T08:00:01+08:00"), Some(1000));
        assert_eq!(parse_instant("1970-01-01T00:00:01"), Some(1000));
        assert_eq!(parse_instant("1970-01-02T"), Some(86_400_000));
        assert_eq!(parse_instant("yesterday"), None);
    }

    #[test]
    fn allen_relations_hold_as_drawn() {
        let i = |start, end| Interval { start, end };
        assert!(Relation::Before.holds(i(1, 2), i(3, 4)));
        assert!(Relation::Meets.holds(i(1, 3), i(3, 4)));
        assert!(Relation::Overlaps.holds(i(1, 3), i(2, 4)));
        assert!(Relation::During.holds(i(2, 3), i(1, 4)));
        assert!(Relation::Intersects.holds(i(1, 2), i(2, 3)));
        assert!(!Relation::Disjoint.holds(i(1, 2), i(2, 3)));
        assert!(Relation::After.holds(i(5, 6), i(i64::MIN, 4)));
    }
}
