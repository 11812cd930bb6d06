//! The CQL2 abstract test suite (OGC 21-065r2, Annex A) on the index: its Natural Earth
//! test data loaded as three collections, every predicate of its "expected results"
//! tables evaluated and its count asserted, in CQL2 text and again in CQL2 JSON. The
//! data and tables are in `tests/fixtures/cql2-ats/` (see its README).
//!
//! Each test is named after the conformance test it implements
//! (`/conf/{class}/{test}`); the per-class counts are printed.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use landreuse::crs::Crs;
use landreuse::domain::{FeatureRecord, Queryable, QueryableType};
use landreuse::index::filter::{Filter, FilterLang, Schema};
use landreuse::index::{CollectionIndex, Query};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cql2-ats");
const SOURCES: [&str; 3] = [
    "ne_110m_admin_0_countries",
    "ne_110m_populated_places_simple",
    "ne_110m_rivers_lake_centerlines",
];

/// The queryables of a data source, from its queryables document.
fn queryables(source: &str) -> (String, Vec<Queryable>) {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{source}.queryables.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut geometry = String::new();
    let mut list = Vec::new();
    for (name, p) in doc["properties"].as_object().unwrap() {
        if p.get("$ref").is_some() {
            geometry = name.clone();
            continue;
        }
        let kind = match (p["type"].as_str(), p["format"].as_str()) {
            (Some("string"), Some("date")) => QueryableType::Date,
            (Some("string"), Some("date-time")) => QueryableType::Timestamp,
            (Some("string"), _) => QueryableType::String,
            (Some("integer"), _) => QueryableType::Integer,
            (Some("number"), _) => QueryableType::Number,
            (Some("boolean"), _) => QueryableType::Boolean,
            other => panic!("{source}: queryable {name} has an unknown type {other:?}"),
        };
        list.push(Queryable::new(name, kind));
    }
    (geometry, list)
}

/// The three data sources, each as an indexed collection.
fn sources() -> &'static HashMap<&'static str, CollectionIndex> {
    static SOURCES_INDEX: OnceLock<HashMap<&'static str, CollectionIndex>> = OnceLock::new();
    SOURCES_INDEX.get_or_init(|| {
        SOURCES
            .iter()
            .map(|source| {
                let text = std::fs::read_to_string(format!("{FIXTURES}/{source}.geojson")).unwrap();
                let fc: geojson::FeatureCollection = text.parse().unwrap();
                let records = fc
                    .features
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| FeatureRecord {
                        id: i as i64 + 1,
                        code: format!("{source}-{}", i + 1),
                        geometry: f.geometry.unwrap().try_into().unwrap(),
                        properties: f.properties.unwrap_or_default(),
                    })
                    .collect();
                let (geometry, list) = queryables(source);
                (
                    *source,
                    CollectionIndex::build(records, Schema::new(&geometry, list)),
                )
            })
            .collect()
    })
}

/// The codes of the features matching `filter` on `source`, or why it was refused.
fn evaluate(source: &str, filter: &str, lang: FilterLang) -> Result<BTreeSet<String>, String> {
    let index = &sources()[source];
    let filter =
        Filter::parse(filter, lang, index.schema(), Crs::Crs84).map_err(|e| e.to_string())?;
    let page = index.query(&Query {
        filter: Some(Arc::new(filter)),
        limit: usize::MAX,
        ..Query::default()
    });
    let codes: BTreeSet<String> = page.features.iter().map(|f| f.code.to_string()).collect();
    assert_eq!(
        codes.len(),
        page.matched,
        "numberMatched equals the features returned"
    );
    Ok(codes)
}

fn count(source: &str, filter: &str) -> Result<usize, String> {
    evaluate(source, filter, FilterLang::Cql2Text).map(|s| s.len())
}

/// The same filter written as CQL2 JSON.
fn as_json(filter: &str) -> String {
    let expr = cql2::parse_text(filter).unwrap();
    expr.to_json().unwrap()
}

struct Row {
    class: String,
    source: String,
    predicate: String,
    expected: usize,
}

fn tsv(name: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

/// The published rows, with the counts of `errata.tsv` corrected.
fn rows() -> Vec<Row> {
    let errata: HashMap<String, (usize, usize)> = tsv("errata.tsv")
        .into_iter()
        .map(|c| (c[0].clone(), (c[1].parse().unwrap(), c[2].parse().unwrap())))
        .collect();
    tsv("predicates.tsv")
        .into_iter()
        .map(|cells| {
            let mut expected: usize = cells[3].parse().unwrap();
            if let Some((published, correct)) = errata.get(&cells[2]) {
                assert_eq!(expected, *published, "errata.tsv names the published count");
                println!(
                    "erratum: {} counts {correct}, not the published {published}",
                    cells[2]
                );
                expected = *correct;
            }
            Row {
                class: cells[0].clone(),
                source: cells[1].clone(),
                predicate: cells[2].clone(),
                expected,
            }
        })
        .collect()
}

/// Runs the test-data rows of `classes` in both encodings and asserts every count.
fn assert_test_data(classes: &[&str]) {
    let mut failures = Vec::new();
    let mut passed: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows()
        .iter()
        .filter(|r| classes.contains(&r.class.as_str()))
    {
        let text = count(&row.source, &row.predicate);
        let json =
            evaluate(&row.source, &as_json(&row.predicate), FilterLang::Cql2Json).map(|s| s.len());
        if text == Ok(row.expected) && json == Ok(row.expected) {
            *passed.entry(row.class.clone()).or_default() += 1;
        } else {
            failures.push(format!(
                "[{}] {} on {}: expected {}, got {text:?} (cql2-text) and {json:?} (cql2-json)",
                row.class, row.predicate, row.source, row.expected
            ));
        }
    }
    for (class, n) in &passed {
        println!("{class}: {n} of the test-data predicates pass, in cql2-text and cql2-json");
    }
    assert!(!passed.is_empty(), "no rows for {classes:?}");
    assert!(
        failures.is_empty(),
        "{} predicates failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The queryables of `source` of one of the types in `kinds`.
fn queryables_of(source: &str, kinds: &[QueryableType]) -> Vec<String> {
    sources()[source]
        .schema()
        .properties
        .iter()
        .filter(|q| kinds.contains(&q.kind))
        .map(|q| q.name.to_string())
        .collect()
}

fn literal_for(kind: QueryableType) -> &'static str {
    match kind {
        QueryableType::String | QueryableType::StringArray => "'foo'",
        QueryableType::Boolean => "true",
        QueryableType::Number => "3.14",
        QueryableType::Integer => "1",
        QueryableType::Timestamp => "TIMESTAMP('2022-04-14T14:48:46Z')",
        QueryableType::Date => "DATE('2022-04-14')",
    }
}

fn disjoint(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    a.intersection(b).next().is_none()
}

fn ok(source: &str, filter: &str) -> BTreeSet<String> {
    evaluate(source, filter, FilterLang::Cql2Text)
        .unwrap_or_else(|e| panic!("{filter} on {source}: {e}"))
}

#[test]
fn conf_basic_cql2_basic_test() {
    for source in SOURCES {
        let (_, list) = queryables(source);
        assert!(!list.is_empty(), "{source} has queryables");
        assert!(list.iter().any(|q| matches!(
            q.kind,
            QueryableType::String | QueryableType::Number | QueryableType::Integer
        )));
    }
}

#[test]
fn conf_basic_cql2_comparison() {
    let simple = [
        QueryableType::String,
        QueryableType::Boolean,
        QueryableType::Number,
        QueryableType::Integer,
        QueryableType::Timestamp,
        QueryableType::Date,
    ];
    for source in SOURCES {
        for q in &sources()[source].schema().properties {
            if !simple.contains(&q.kind) {
                continue;
            }
            let v = literal_for(q.kind);
            let r = |op: &str| ok(source, &format!("\"{}\" {op} {v}", q.name));
            assert!(
                disjoint(&r("="), &r("<>")),
                "{source}.{}: = and <> overlap",
                q.name
            );
            assert!(
                disjoint(&r(">"), &r("<=")),
                "{source}.{}: > and <= overlap",
                q.name
            );
            assert!(
                disjoint(&r("<"), &r(">=")),
                "{source}.{}: < and >= overlap",
                q.name
            );
        }
    }
}

#[test]
fn conf_basic_cql2_is_null() {
    for source in SOURCES {
        for q in &sources()[source].schema().properties {
            let null = ok(source, &format!("\"{}\" IS NULL", q.name));
            let not_null = ok(source, &format!("\"{}\" is not null", q.name));
            assert!(disjoint(&null, &not_null));
            assert_eq!(null.len() + not_null.len(), sources()[source].len());
        }
    }
}

#[test]
fn conf_basic_cql2_boolean() {
    for source in SOURCES {
        assert_eq!(ok(source, "true").len(), sources()[source].len());
        assert!(ok(source, "false").is_empty());
    }
}

#[test]
fn conf_basic_cql2_test_data() {
    assert_test_data(&["basic-cql2"]);
}

#[test]
fn conf_basic_cql2_logical() {
    let text = std::fs::read_to_string(format!("{FIXTURES}/combinations.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut passed = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cells: Vec<&str> = line.split('\t').collect();
        let (p1, p2, p3, p4) = (cells[1], cells[2], cells[3], cells[4]);
        let expected: usize = cells[5].parse().unwrap();
        let filter = format!("(NOT ({p2}) AND {p1}) OR ({p3} and {p4}) or not ({p1} OR {p4})");
        match count("ne_110m_populated_places_simple", &filter) {
            Ok(n) if n == expected => passed += 1,
            other => failures.push(format!("{filter}: expected {expected}, got {other:?}")),
        }
    }
    println!("basic-cql2 logical: {passed} combinations pass");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The "logical" test of the other classes: seeded combinations of the class's
/// predicates agree with three-valued logic applied to the predicates' own answers.
fn assert_combinations_agree(class: &str) {
    let rows: Vec<Row> = rows().into_iter().filter(|r| r.class == class).collect();
    let mut by_source: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        by_source.entry(&r.source).or_default().push(r);
    }
    let mut seed: u64 = 20_261_203;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    for (source, preds) in by_source {
        let all: BTreeSet<String> = ok(source, "true");
        // A predicate's true set and false set (what is in neither is unknown).
        let sets = |p: &str| (ok(source, p), ok(source, &format!("NOT ({p})")));
        for _ in 0..10 {
            let p: Vec<&str> = (0..4)
                .map(|_| preds[next(preds.len())].predicate.as_str())
                .collect();
            let filter = format!(
                "((NOT {0} AND {1}) OR ({2} and NOT {3}) or not ({0} AND {3}))",
                wrap(p[0]),
                wrap(p[1]),
                wrap(p[2]),
                wrap(p[3])
            );
            let got = ok(source, &filter);
            let t: Vec<(BTreeSet<String>, BTreeSet<String>)> = p.iter().map(|x| sets(x)).collect();
            let expected: BTreeSet<String> = all
                .iter()
                .filter(|code| {
                    let v = |i: usize| -> Option<bool> {
                        if t[i].0.contains(*code) {
                            Some(true)
                        } else if t[i].1.contains(*code) {
                            Some(false)
                        } else {
                            None
                        }
                    };
                    let not = |a: Option<bool>| a.map(|b| !b);
                    let and = |a: Option<bool>, b: Option<bool>| match (a, b) {
                        (Some(false), _) | (_, Some(false)) => Some(false),
                        (Some(true), Some(true)) => Some(true),
                        _ => None,
                    };
                    let or = |a: Option<bool>, b: Option<bool>| not(and(not(a), not(b)));
                    or(
                        or(and(not(v(0)), v(1)), and(v(2), not(v(3)))),
                        not(and(v(0), v(3))),
                    ) == Some(true)
                })
                .cloned()
                .collect();
            assert_eq!(got, expected, "{class} on {source}: {filter}");
        }
    }
}

fn wrap(p: &str) -> String {
    format!("({p})")
}

#[test]
fn conf_advanced_comparison_operators_test_data() {
    assert_test_data(&["advanced-comparison-operators"]);
    assert_combinations_agree("advanced-comparison-operators");
}

#[test]
fn conf_advanced_comparison_operators_like_between_in() {
    for source in SOURCES {
        for name in queryables_of(source, &[QueryableType::String]) {
            let all = ok(source, &format!("\"{name}\" LIKE '%'"));
            let nonempty = ok(source, &format!("\"{name}\" like '_%'"));
            assert!(nonempty.is_subset(&all));
            ok(source, &format!("\"{name}\" like ''"));
            assert_eq!(ok(source, &format!("\"{name}\" like '%%'")), all);
            ok(source, &format!("\"{name}\" like '\\%\\_'"));
            assert!(ok(source, &format!("\"{name}\" IN ('foo', 'bar')")).len() <= all.len());
        }
        for name in queryables_of(source, &[QueryableType::Number, QueryableType::Integer]) {
            let inside = ok(source, &format!("\"{name}\" BETWEEN 0 AND 100"));
            let outside = ok(source, &format!("\"{name}\" NOT BETWEEN 0 AND 100"));
            assert!(disjoint(&inside, &outside));
            assert!(ok(source, &format!("\"{name}\" between 100.0 and 1.0")).is_empty());
        }
    }
}

#[test]
fn conf_case_insensitive_comparison_test_data() {
    assert_test_data(&["case-insensitive-comparison"]);
    assert_combinations_agree("case-insensitive-comparison");
}

#[test]
fn conf_case_insensitive_comparison_casei() {
    for source in SOURCES {
        for name in queryables_of(source, &[QueryableType::String]) {
            let eq = ok(source, &format!("CASEI(\"{name}\") = casei('foo')"));
            let ne = ok(source, &format!("CASEI(\"{name}\") <> casei('FOO')"));
            assert!(disjoint(&eq, &ne));
            assert_eq!(
                ok(source, &format!("CASEI(\"{name}\") LIKE casei('foo%')")),
                ok(source, &format!("CASEI(\"{name}\") LIKE casei('FOO%')"))
            );
        }
    }
}

#[test]
fn conf_accent_insensitive_comparison_test_data() {
    assert_test_data(&["accent-insensitive-comparison"]);
    assert_combinations_agree("accent-insensitive-comparison");
}

#[test]
fn conf_accent_insensitive_comparison_accenti() {
    for source in SOURCES {
        for name in queryables_of(source, &[QueryableType::String]) {
            let eq = ok(source, &format!("ACCENTI(\"{name}\") = accenti('äöüéáí')"));
            let ne = ok(source, &format!("ACCENTI(\"{name}\") <> accenti('aoueai')"));
            assert!(disjoint(&eq, &ne));
            assert_eq!(
                ok(source, &format!("ACCENTI(\"{name}\") LIKE accenti('Ä%')")),
                ok(source, &format!("ACCENTI(\"{name}\") LIKE accenti('A%')"))
            );
            assert_eq!(
                ok(
                    source,
                    &format!("ACCENTI(CASEI(\"{name}\")) = accenti(casei('ÄÉ'))")
                ),
                ok(
                    source,
                    &format!("ACCENTI(CASEI(\"{name}\")) = accenti(casei('ae'))")
                )
            );
            assert_eq!(
                ok(
                    source,
                    &format!("ACCENTI(CASEI(\"{name}\")) LIKE accenti(casei('Ä%'))")
                ),
                ok(
                    source,
                    &format!("ACCENTI(CASEI(\"{name}\")) LIKE accenti(casei('a%'))")
                )
            );
        }
    }
}

#[test]
fn conf_basic_spatial_functions_test_data() {
    assert_test_data(&["basic-spatial-functions"]);
    assert_combinations_agree("basic-spatial-functions");
}

#[test]
fn conf_basic_spatial_functions_plus_test_data() {
    assert_test_data(&["basic-spatial-functions-plus"]);
}

#[test]
fn conf_spatial_functions_test_data() {
    assert_test_data(&["spatial-functions"]);
    assert_combinations_agree("spatial-functions");
}

#[test]
fn conf_spatial_functions_every_function_on_every_geometry_type() {
    let literals = [
        "POINT(7.02 49.92)",
        "MULTIPOINT(7 50,10 51)",
        "LINESTRING(7 50,10 51)",
        "POLYGON((-180 -90,180 -90,180 90,-180 90,-180 -90))",
        "BBOX(0,40,10,50)",
    ];
    let functions = [
        "S_INTERSECTS",
        "S_DISJOINT",
        "S_EQUALS",
        "S_TOUCHES",
        "S_WITHIN",
        "S_CONTAINS",
        "S_OVERLAPS",
        "S_CROSSES",
    ];
    for source in SOURCES {
        for l in literals {
            let meets = ok(source, &format!("S_INTERSECTS(geom,{l})"));
            let apart = ok(source, &format!("S_DISJOINT(geom,{l})"));
            assert!(disjoint(&meets, &apart));
            assert_eq!(meets.len() + apart.len(), sources()[source].len());
            for f in functions {
                ok(source, &format!("{f}(geom,{l})"));
            }
        }
    }
}

#[test]
fn conf_temporal_functions_test_data() {
    assert_test_data(&["temporal-functions"]);
    assert_combinations_agree("temporal-functions");
}

#[test]
fn conf_property_property_test_data() {
    assert_test_data(&["property-property"]);
    assert_combinations_agree("property-property");
}

#[test]
fn conf_property_property_comparisons() {
    let simple = [
        QueryableType::String,
        QueryableType::Boolean,
        QueryableType::Number,
        QueryableType::Integer,
        QueryableType::Timestamp,
        QueryableType::Date,
    ];
    for source in SOURCES {
        for q in &sources()[source].schema().properties {
            if !simple.contains(&q.kind) {
                continue;
            }
            let (n, v) = (format!("\"{}\"", q.name), literal_for(q.kind));
            let r = |op: &str| ok(source, &format!("{v} {op} {n}"));
            assert!(disjoint(&r("="), &r("<>")));
            assert!(disjoint(&r(">"), &r("<=")));
            assert!(disjoint(&r("<"), &r(">=")));
            let s = |op: &str| ok(source, &format!("{n} {op} {n}"));
            for op in ["<>", "<", ">"] {
                assert!(s(op).is_empty(), "{source}: {n} {op} {n}");
            }
            assert_eq!(s("="), s(">="));
            assert_eq!(s("="), s("<="));
        }
        for (op, truth) in [
            ("=", true),
            ("<>", false),
            (">", false),
            ("<", false),
            (">=", true),
            ("<=", true),
        ] {
            assert_eq!(
                ok(source, &format!("1 {op} 1")).len(),
                if truth { sources()[source].len() } else { 0 }
            );
        }
    }
}

#[test]
fn conf_arithmetic_test_data() {
    assert_test_data(&["arithmetic"]);
    assert_combinations_agree("arithmetic");
}

#[test]
fn conf_cql2_json_every_test_data_predicate() {
    // assert_test_data evaluates each row in CQL2 JSON too; here all of them at once.
    let classes: BTreeSet<String> = rows().into_iter().map(|r| r.class).collect();
    let classes: Vec<&str> = classes.iter().map(String::as_str).collect();
    assert_test_data(&classes);
}
