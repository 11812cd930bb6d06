//! The filter evaluator against a brute-force oracle on seeded random parcels and
//! random filters, and the limits on pathological filters.

use std::sync::Arc;

use geo::{Intersects, Rect};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::*;
use crate::domain::{Collection, FeatureRecord};
use crate::index::{CollectionIndex, Query};

const STATUSES: [&str; 4] = ["idle", "zombie", "active", "reserved"];
const OWNERS: [&str; 4] = [
    "丰田发动机（长春）有限公司",
    "一汽解放",
    "Acme Ltd",
    "acme holdings",
];

/// One random parcel: a small square, a status, an owner (or none), an area (or none).
fn parcel() -> impl Strategy<Value = (f64, f64, usize, Option<usize>, Option<f64>)> {
    (
        125.35..125.45f64,
        43.83..43.89f64,
        0..STATUSES.len(),
        proptest::option::of(0..OWNERS.len()),
        proptest::option::of(0.0..100.0f64),
    )
}

fn record(i: usize, p: &(f64, f64, usize, Option<usize>, Option<f64>)) -> FeatureRecord {
    let (x, y, status, owner, area) = *p;
    let mut properties = Map::new();
    properties.insert("status".into(), json!(STATUSES[status]));
    properties.insert(
        "owner".into(),
        owner.map_or(Value::Null, |o| json!(OWNERS[o])),
    );
    properties.insert("area_mu".into(), area.map_or(Value::Null, |a| json!(a)));
    FeatureRecord {
        id: i as i64 + 1,
        code: format!("P{i}"),
        properties,
        geometry: Rect::new((x, y), (x + 0.002, y + 0.002))
            .to_polygon()
            .into(),
    }
}

/// A random filter as CQL2 text, with its meaning for the oracle.
#[derive(Debug, Clone)]
enum F {
    Status(Vec<usize>),
    AreaCmp(&'static str, f64),
    AreaBetween(f64, f64),
    OwnerLike(&'static str),
    OwnerCaseiLike(&'static str),
    OwnerNull,
    InBox(f64, f64, f64, f64),
    Not(Box<F>),
    And(Box<F>, Box<F>),
    Or(Box<F>, Box<F>),
}

fn leaf() -> impl Strategy<Value = F> {
    prop_oneof![
        prop::collection::vec(0..STATUSES.len(), 1..3).prop_map(F::Status),
        (
            prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]),
            0.0..100.0f64
        )
            .prop_map(|(op, v)| F::AreaCmp(op, v)),
        (0.0..100.0f64, 0.0..100.0f64).prop_map(|(a, b)| F::AreaBetween(a, b)),
        prop::sample::select(vec!["%丰田%", "Acme%", "a_me%", "%"]).prop_map(F::OwnerLike),
        prop::sample::select(vec!["acme%", "%HOLDINGS"]).prop_map(F::OwnerCaseiLike),
        Just(F::OwnerNull),
        (
            125.35..125.45f64,
            43.83..43.89f64,
            0.001..0.05f64,
            0.001..0.05f64
        )
            .prop_map(|(x, y, w, h)| F::InBox(x, y, x + w, y + h)),
    ]
}

fn filter() -> impl Strategy<Value = F> {
    leaf().prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|f| F::Not(Box::new(f))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| F::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| F::Or(Box::new(a), Box::new(b))),
        ]
    })
}

impl F {
    fn text(&self) -> String {
        match self {
            F::Status(s) => format!(
                "status IN ({})",
                s.iter()
                    .map(|i| format!("'{}'", STATUSES[*i]))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            F::AreaCmp(op, v) => format!("area_mu {op} {v}"),
            F::AreaBetween(a, b) => format!("area_mu BETWEEN {a} AND {b}"),
            F::OwnerLike(p) => format!("owner LIKE '{p}'"),
            F::OwnerCaseiLike(p) => format!("CASEI(owner) LIKE CASEI('{p}')"),
            F::OwnerNull => "owner IS NULL".into(),
            F::InBox(a, b, c, d) => format!("S_INTERSECTS(geometry,BBOX({a},{b},{c},{d}))"),
            F::Not(f) => format!("NOT ({})", f.text()),
            F::And(a, b) => format!("({}) AND ({})", a.text(), b.text()),
            F::Or(a, b) => format!("({}) OR ({})", a.text(), b.text()),
        }
    }

    /// Three-valued truth on one record, written independently of the evaluator.
    fn truth(&self, r: &FeatureRecord) -> Option<bool> {
        let area = r.properties["area_mu"].as_f64();
        let owner = r.properties["owner"].as_str();
        let like = |s: &str, p: &str| {
            let re = regex_of(p);
            re(s)
        };
        match self {
            F::Status(s) => Some(s.iter().any(|i| r.properties["status"] == STATUSES[*i])),
            F::AreaCmp(op, v) => area.map(|a| match *op {
                "=" => a == *v,
                "<>" => a != *v,
                "<" => a < *v,
                "<=" => a <= *v,
                ">" => a > *v,
                _ => a >= *v,
            }),
            F::AreaBetween(lo, hi) => area.map(|a| *lo <= a && a <= *hi),
            F::OwnerLike(p) => owner.map(|o| like(o, p)),
            F::OwnerCaseiLike(p) => owner.map(|o| like(&o.to_lowercase(), &p.to_lowercase())),
            F::OwnerNull => Some(owner.is_none()),
            F::InBox(a, b, c, d) => Some(r.geometry.intersects(&Rect::new((*a, *b), (*c, *d)))),
            F::Not(f) => f.truth(r).map(|t| !t),
            F::And(a, b) => match (a.truth(r), b.truth(r)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            F::Or(a, b) => match (a.truth(r), b.truth(r)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        }
    }
}

/// A LIKE pattern as a matcher: `%` any run, `_` one character (no escapes here).
fn regex_of(pattern: &str) -> impl Fn(&str) -> bool + '_ {
    fn matches(s: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some(('%', rest)) => (0..=s.len()).any(|i| matches(&s[i..], rest)),
            Some(('_', rest)) => !s.is_empty() && matches(&s[1..], rest),
            Some((c, rest)) => s.first() == Some(c) && matches(&s[1..], rest),
        }
    }
    move |s: &str| {
        let s: Vec<char> = s.chars().collect();
        let p: Vec<char> = pattern.chars().collect();
        matches(&s, &p)
    }
}

fn answer(
    index: &CollectionIndex,
    text: &str,
    bbox: Option<[f64; 4]>,
    offset: usize,
    limit: usize,
) -> (usize, Vec<String>) {
    let f = Filter::parse(
        text,
        FilterLang::Cql2Text,
        index.schema(),
        crate::crs::Crs::Crs84,
    )
    .unwrap();
    let page = index.query(&Query {
        bbox,
        filter: Some(Arc::new(f)),
        offset,
        limit,
        ..Query::default()
    });
    (
        page.matched,
        page.features.iter().map(|f| f.code.to_string()).collect(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, rng_seed: proptest::test_runner::RngSeed::Fixed(20261203), ..ProptestConfig::default() })]

    #[test]
    fn random_filters_select_what_a_brute_force_scan_selects(
        parcels in prop::collection::vec(parcel(), 1..300),
        filters in prop::collection::vec(filter(), 1..6),
    ) {
        let records: Vec<FeatureRecord> = parcels.iter().enumerate().map(|(i, p)| record(i, p)).collect();
        let index = CollectionIndex::build(records.clone(), Schema::of(Collection::Parcels));
        for f in &filters {
            let expected: Vec<String> = records.iter().filter(|r| f.truth(r) == Some(true)).map(|r| r.code.clone()).collect();
            let (matched, got) = answer(&index, &f.text(), None, 0, usize::MAX);
            prop_assert_eq!(matched, expected.len(), "{}", f.text());
            prop_assert_eq!(&got, &expected, "{}", f.text());
            // With a bbox too, and one page of it: the page is the matches in order.
            let b = [125.37, 43.84, 125.42, 43.87];
            let boxed: Vec<String> = records.iter()
                .filter(|r| f.truth(r) == Some(true) && r.geometry.intersects(&Rect::new((b[0], b[1]), (b[2], b[3]))))
                .map(|r| r.code.clone()).collect();
            let (matched, page) = answer(&index, &f.text(), Some(b), 2, 5);
            prop_assert_eq!(matched, boxed.len(), "{} with bbox", f.text());
            let want: Vec<String> = boxed.iter().skip(2).take(5).cloned().collect();
            prop_assert_eq!(page, want);
        }
    }
}

#[test]
fn a_text_predicate_is_decided_once_per_distinct_value() {
    let records: Vec<FeatureRecord> = (0..1000)
        .map(|i| record(i, &(125.4, 43.86, i % 4, Some(i % 2), Some(1.0))))
        .collect();
    let index = CollectionIndex::build(records, Schema::of(Collection::Parcels));
    let owner = index.schema().position("owner").unwrap();
    assert_eq!(
        index.dictionaries[owner].len(),
        2,
        "two owners, held once each"
    );
    let (matched, _) = answer(&index, "owner LIKE '%丰田%'", None, 0, 0);
    assert_eq!(matched, 500);
}

#[test]
fn the_land_use_crosswalk_applies_to_cql2_comparisons() {
    let schema = Schema::of(Collection::Parcels);
    let f = Filter::parse(
        "land_use = '0601'",
        FilterLang::Cql2Text,
        &schema,
        crate::crs::Crs::Crs84,
    )
    .unwrap();
    let text = format!("{:?}", f.root);
    for code in ["M1", "M2", "M3", "0601"] {
        assert!(text.contains(&format!("\"{code}\"")), "{code} in {text}");
    }
}

#[test]
fn pathological_filters_are_refused_before_parsing() {
    let ors = vec!["status = 'idle'"; 10_000].join(" OR ");
    let e = parse(&ors, FilterLang::Cql2Text).unwrap_err();
    assert!(
        e.0.contains("length") || e.0.contains("bytes") || e.0.contains("at most 500"),
        "{e}"
    );
    let ors = vec!["status = 'idle'"; 600].join(" OR ");
    assert!(parse(&ors, FilterLang::Cql2Text)
        .unwrap_err()
        .0
        .contains("at most 500"));
    let megabyte = format!("owner = '{}'", "x".repeat(1 << 20));
    assert!(parse(&megabyte, FilterLang::Cql2Text)
        .unwrap_err()
        .0
        .contains("60000 bytes"));
    let deep = format!("{}true{}", "(".repeat(1000), ")".repeat(1000));
    assert!(parse(&deep, FilterLang::Cql2Text)
        .unwrap_err()
        .0
        .contains("deepest"));
    let nots = format!("{}true", "NOT ".repeat(1000));
    assert!(parse(&nots, FilterLang::Cql2Text)
        .unwrap_err()
        .0
        .contains("deepest"));
    // A quoted parenthesis is text, not nesting.
    assert!(parse(
        &format!("owner = '{}'", "(".repeat(100)),
        FilterLang::Cql2Text
    )
    .is_ok());
    let in_list = format!("owner IN ({})", vec!["'x'"; 14_000].join(","));
    assert!(parse(&in_list, FilterLang::Cql2Text)
        .unwrap_err()
        .0
        .contains("terms"));
}

#[test]
fn a_filter_with_no_possible_match_answers_without_a_scan() {
    let records: Vec<FeatureRecord> = (0..10)
        .map(|i| record(i, &(125.4, 43.86, 0, None, None)))
        .collect();
    let index = CollectionIndex::build(records, Schema::of(Collection::Parcels));
    let (matched, _) = answer(
        &index,
        "S_INTERSECTS(geometry,BBOX(0,0,1,1)) AND status = 'idle'",
        None,
        0,
        10,
    );
    assert_eq!(matched, 0);
    let (matched, _) = answer(&index, "false", None, 0, 10);
    assert_eq!(matched, 0);
}
