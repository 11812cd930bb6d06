//! CQL2 filters over HTTP (OGC API – Features Part 3): the abstract tests of the
//! Filter, Features Filter and Queryables classes, the domain questions of the
//! planners, the request shapes QGIS sends, and every kind of bad filter.
//!
//! Tests named `conf_…` implement the abstract test of that name.

use std::collections::BTreeSet;

use geo::Geometry;
use landreuse::index::analysis::geodesic_distance;
use serde_json::Value;

use crate::helpers::{ids, link, spawn_sample, TestApp};

fn encode(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// The ids and numberMatched of `/collections/{c}/items` with these parameters.
async fn select(app: &TestApp, c: &str, pairs: &[(&str, &str)]) -> BTreeSet<String> {
    let mut all = vec![("limit", "10000")];
    all.extend_from_slice(pairs);
    let (status, body) = app
        .get_json(&format!("/collections/{c}/items?{}", encode(&all)))
        .await;
    assert_eq!(status, 200, "{pairs:?}: {body}");
    let got = ids(&body);
    assert_eq!(
        body["numberMatched"].as_u64().unwrap() as usize,
        got.len(),
        "{pairs:?}"
    );
    got.into_iter().collect()
}

async fn filtered(app: &TestApp, c: &str, filter: &str) -> BTreeSet<String> {
    select(app, c, &[("filter", filter)]).await
}

/// Every feature of a collection, as served.
async fn features(app: &TestApp, c: &str) -> Vec<Value> {
    let (_, body) = app
        .get_json(&format!("/collections/{c}/items?limit=10000"))
        .await;
    body["features"].as_array().unwrap().clone()
}

/// The ids of the features for which `keep` holds (the brute-force answer).
fn scan(features: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<String> {
    features
        .iter()
        .filter(|f| keep(&f["properties"]))
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// The 400 answer to a filter, and its detail.
async fn refused(app: &TestApp, c: &str, pairs: &[(&str, &str)]) -> String {
    let r = app
        .get(&format!("/collections/{c}/items?{}", encode(pairs)))
        .await;
    assert_eq!(r.status(), 400, "{pairs:?}");
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = r.json().await.unwrap();
    body["detail"].as_str().unwrap().to_string()
}

const COLLECTIONS: [&str; 7] = [
    "parcels",
    "zones",
    "roads",
    "reallocations",
    "schools",
    "project_lines",
    "project_areas",
];

#[tokio::test]
async fn conf_filter_get_conformance_declares_every_cql2_class() {
    let app = spawn_sample().await;
    let (_, body) = app.get_json("/conformance").await;
    let classes: Vec<&str> = body["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for c in [
        "ogcapi-features-3/1.0/conf/filter",
        "ogcapi-features-3/1.0/conf/features-filter",
        "cql2/1.0/conf/cql2-text",
        "cql2/1.0/conf/cql2-json",
        "cql2/1.0/conf/basic-cql2",
        "cql2/1.0/conf/advanced-comparison-operators",
        "cql2/1.0/conf/case-insensitive-comparison",
        "cql2/1.0/conf/accent-insensitive-comparison",
        "cql2/1.0/conf/basic-spatial-functions",
        "cql2/1.0/conf/basic-spatial-operators",
        "cql2/1.0/conf/spatial-functions",
        "cql2/1.0/conf/temporal-functions",
        "cql2/1.0/conf/property-property",
        "cql2/1.0/conf/arithmetic",
        "cql2/1.0/conf/array-functions",
    ] {
        let uri = format!("http://www.opengis.net/spec/{c}");
        assert!(classes.contains(&uri.as_str()), "{uri} is declared");
    }
}

#[tokio::test]
async fn conf_queryables_get_queryables_is_a_typed_json_schema_for_every_collection() {
    let app = spawn_sample().await;
    for c in COLLECTIONS {
        let r = app.get(&format!("/collections/{c}/items?limit=1")).await;
        let header = r.headers()["link"].to_str().unwrap().to_string();
        assert!(
            header.contains(&format!("/collections/{c}/queryables>"))
                && header.contains("rel=\"http://www.opengis.net/def/rel/ogc/1.0/queryables\""),
            "{c}: {header}"
        );
        let (_, collection) = app.get_json(&format!("/collections/{c}")).await;
        let href = link(
            &collection,
            "http://www.opengis.net/def/rel/ogc/1.0/queryables",
        )
        .unwrap();
        assert!(href.ends_with(&format!("/collections/{c}/queryables")));
        let r = app
            .client
            .get(&href)
            .header("accept", "application/schema+json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "application/schema+json");
        let schema: Value = r.json().await.unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert_eq!(schema["$id"], href.as_str());
        assert_eq!(schema["type"], "object");
        let props = schema["properties"].as_object().unwrap();
        assert!(props.len() > 2, "{c}");
        for (name, p) in props {
            let typed = p.get("type").is_some();
            let geometry = p["format"]
                .as_str()
                .is_some_and(|f| f.starts_with("geometry-"));
            assert!(typed || geometry, "{c}.{name}: {p}");
        }
        assert_eq!(props["geometry"]["x-ogc-role"], "primary-geometry");
    }
    let (_, parcels) = app.get_json("/collections/parcels/queryables").await;
    let p = &parcels["properties"];
    assert_eq!(p["area_mu"]["type"], "number");
    assert!(p["grade"]["enum"]
        .as_array()
        .unwrap()
        .contains(&Value::from("D")));
    assert!(p["status"]["enum"]
        .as_array()
        .unwrap()
        .contains(&Value::from("zombie")));
    let (_, schools) = app.get_json("/collections/schools/queryables").await;
    assert_eq!(schools["properties"]["start_date"]["format"], "date");
    assert_eq!(schools["properties"]["parcels"]["type"], "array");
    let (_, cases) = app.get_json("/collections/reallocations/queryables").await;
    assert_eq!(cases["properties"]["opened_at"]["format"], "date-time");
    assert!(
        cases["properties"]["stage"]["enum"]
            .as_array()
            .unwrap()
            .len()
            >= 8
    );
}

#[tokio::test]
async fn queryables_answer_gdal_with_plain_json() {
    // GDAL's OAPIF driver asks for these types and refuses application/schema+json.
    let app = spawn_sample().await;
    let r = app
        .client
        .get(format!("{}/collections/parcels/queryables", app.base))
        .header("accept", "application/geo+json, application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn conf_filter_filter_param_and_filter_lang_default_on_every_collection() {
    let app = spawn_sample().await;
    for c in COLLECTIONS {
        let all = features(&app, c).await;
        let unfiltered: BTreeSet<String> = scan(&all, |_| true);
        assert_eq!(filtered(&app, c, "true").await, unfiltered, "{c}");
        assert!(filtered(&app, c, "false").await.is_empty());
        // The sample queryable of each collection: its first text queryable.
        let (_, q) = app.get_json(&format!("/collections/{c}/queryables")).await;
        let name = q["properties"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(_, p)| p["type"] == "string" && p.get("format").is_none())
            .map(|(n, _)| n.clone())
            .unwrap();
        let null = filtered(&app, c, &format!("{name} IS NULL")).await;
        assert_eq!(null, scan(&all, |p| p[&name].is_null()), "{c}.{name}");
        let not_null = select(
            &app,
            c,
            &[
                ("filter", &format!("{name} IS NOT NULL")),
                ("filter-lang", "cql2-text"),
            ],
        )
        .await;
        assert_eq!(null.len() + not_null.len(), unfiltered.len());
        refused(&app, c, &[("filter", "THIS IS NOT A FILTER")]).await;
    }
}

#[tokio::test]
async fn conf_cql2_json_filters_select_as_their_text_twins() {
    let app = spawn_sample().await;
    let text = filtered(
        &app,
        "parcels",
        "status IN ('idle','zombie') AND area_mu > 30",
    )
    .await;
    let json = r#"{"op":"and","args":[{"op":"in","args":[{"property":"status"},["idle","zombie"]]},{"op":">","args":[{"property":"area_mu"},30]}]}"#;
    let got = select(
        &app,
        "parcels",
        &[("filter", json), ("filter-lang", "cql2-json")],
    )
    .await;
    assert!(!text.is_empty());
    assert_eq!(got, text);
    // GDAL names CQL2 text cql-text.
    let gdal = select(
        &app,
        "parcels",
        &[
            ("filter", "(status = 'idle') AND (area_mu > 30)"),
            ("filter-lang", "cql-text"),
        ],
    )
    .await;
    let all = features(&app, "parcels").await;
    assert_eq!(
        gdal,
        scan(&all, |p| p["status"] == "idle"
            && p["area_mu"].as_f64().unwrap() > 30.0)
    );
}

#[tokio::test]
async fn conf_filter_expression_construction_refuses_an_unknown_queryable() {
    let app = spawn_sample().await;
    let detail = refused(&app, "parcels", &[("filter", "colour = 'red'")]).await;
    assert!(detail.contains("\"colour\" is not a queryable"), "{detail}");
    assert!(
        detail.contains("status") && detail.contains("area_mu"),
        "lists the queryables: {detail}"
    );
}

#[tokio::test]
async fn conf_filter_filter_crs_wgs84_and_filter_crs_param() {
    let app = spawn_sample().await;
    let (_, collection) = app.get_json("/collections/parcels").await;
    let b: Vec<f64> = collection["extent"]["spatial"]["bbox"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let all = scan(&features(&app, "parcels").await, |_| true);
    let whole = format!(
        "S_INTERSECTS(geometry,BBOX({},{},{},{}))",
        b[0], b[1], b[2], b[3]
    );
    assert_eq!(filtered(&app, "parcels", &whole).await, all);
    // Outside the CRS: latitude 95.
    let detail = refused(
        &app,
        "parcels",
        &[("filter", "S_INTERSECTS(geometry,POINT(125.4 95))")],
    )
    .await;
    assert!(detail.contains("outside"), "{detail}");
    // The same window in CRS84, in EPSG:4326 (latitude first) and in CGCS2000
    // Gauss-Kruger (northing first) selects the same parcels.
    let small = filtered(&app, "parcels", "S_INTERSECTS(geometry,POLYGON((125.40 43.86,125.41 43.86,125.41 43.87,125.40 43.87,125.40 43.86)))").await;
    assert!(!small.is_empty() && small.len() < all.len());
    let lat_lon = select(
        &app,
        "parcels",
        &[
            ("filter", "S_INTERSECTS(geometry,POLYGON((43.86 125.40,43.86 125.41,43.87 125.41,43.87 125.40,43.86 125.40)))"),
            ("filter-crs", "http://www.opengis.net/def/crs/EPSG/0/4326"),
        ],
    )
    .await;
    assert_eq!(lat_lon, small);
    let gk = landreuse::crs::Reprojector::new(landreuse::crs::Crs::Epsg(4551)).unwrap();
    let corner = |lon: f64, lat: f64| {
        let (n, e) = gk.position(lon, lat).unwrap();
        format!("{n} {e}")
    };
    let point = format!("POINT({})", corner(125.405, 43.865));
    let in_gk = select(
        &app,
        "parcels",
        &[
            ("filter", &format!("S_INTERSECTS(geometry,{point})")),
            ("filter-crs", "EPSG:4551"),
        ],
    )
    .await;
    let in_lonlat = filtered(
        &app,
        "parcels",
        "S_INTERSECTS(geometry,POINT(125.405 43.865))",
    )
    .await;
    assert_eq!(in_gk, in_lonlat);
    let detail = refused(
        &app,
        "parcels",
        &[
            ("filter", "S_INTERSECTS(geometry,POINT(1 2))"),
            ("filter-crs", "EPSG:4551"),
        ],
    )
    .await;
    assert!(detail.contains("outside the area of EPSG:4551"), "{detail}");
}

#[tokio::test]
async fn conf_features_filter_mixing_expression_ands_filter_with_bbox_and_equality() {
    let app = spawn_sample().await;
    let bbox = "125.39,43.85,125.42,43.87";
    let in_box = select(&app, "parcels", &[("bbox", bbox)]).await;
    let idle = filtered(&app, "parcels", "status = 'idle'").await;
    let both = select(
        &app,
        "parcels",
        &[("bbox", bbox), ("filter", "status = 'idle'")],
    )
    .await;
    assert_eq!(both, in_box.intersection(&idle).cloned().collect());
    let zone = select(
        &app,
        "parcels",
        &[("zone", "south"), ("filter", "status = 'idle'")],
    )
    .await;
    let south = select(&app, "parcels", &[("zone", "south")]).await;
    assert_eq!(zone, south.intersection(&idle).cloned().collect());
    // The filter's whole-zone window and the box together.
    let whole = select(
        &app,
        "parcels",
        &[
            ("bbox", bbox),
            (
                "filter",
                "S_INTERSECTS(geometry,BBOX(125.2,43.7,125.7,44.1))",
            ),
        ],
    )
    .await;
    assert_eq!(whole, in_box);
}

#[tokio::test]
async fn paging_keeps_the_filter_and_numbers_stay_exact() {
    let app = spawn_sample().await;
    let filter = "status IN ('idle','zombie','vacated')";
    let everything = filtered(&app, "parcels", filter).await;
    let mut url = format!(
        "/collections/parcels/items?{}",
        encode(&[("filter", filter), ("limit", "25")])
    );
    let mut seen = BTreeSet::new();
    loop {
        let (status, body) = app.get_json(&url).await;
        assert_eq!(status, 200);
        assert_eq!(
            body["numberMatched"].as_u64().unwrap() as usize,
            everything.len()
        );
        seen.extend(ids(&body));
        match link(&body, "next") {
            Some(next) => url = next.trim_start_matches(&app.base).to_string(),
            None => break,
        }
    }
    assert_eq!(seen, everything);
}

/// Parcels as served, with their geometry.
fn geometry(f: &Value) -> Geometry<f64> {
    let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
    Geometry::try_from(g).unwrap()
}

#[tokio::test]
async fn the_planners_questions_in_cql2_answer_as_a_scan_of_the_parcels() {
    let app = spawn_sample().await;
    let all = features(&app, "parcels").await;
    // Within 1 km (geodesic) of 世纪大街.
    let (_, road) = app.get_json("/collections/roads/items/road-shiji").await;
    let line = geometry(&road);
    let wkt = match &line {
        Geometry::MultiLineString(ml) if ml.0.len() == 1 => ml.0[0]
            .0
            .iter()
            .map(|c| format!("{} {}", c.x, c.y))
            .collect::<Vec<_>>()
            .join(","),
        other => panic!("{other:?}"),
    };
    let near = filtered(
        &app,
        "parcels",
        &format!("S_DWITHIN(geometry,LINESTRING({wkt}),1000,meters)"),
    )
    .await;
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|f| geodesic_distance(&geometry(f), &line) <= 1000.0)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!near.is_empty() && near.len() < all.len());
    assert_eq!(near, expected);
    // Over 30 mu and graded D.
    let big_d = filtered(&app, "parcels", "area_mu > 30 AND grade = 'D'").await;
    assert_eq!(
        big_d,
        scan(&all, |p| p["area_mu"].as_f64().unwrap() > 30.0
            && p["grade"] == "D")
    );
    // Industrial land in either code system: the crosswalk applies as for land_use=.
    let industrial = filtered(&app, "parcels", "land_use IN ('M1','M2','0601')").await;
    let by_parameter = select(&app, "parcels", &[("land_use", "0601")]).await;
    assert_eq!(industrial, by_parameter);
    assert!(!industrial.is_empty());
    // Owned by a Toyota company, whatever the case.
    let toyota = filtered(&app, "parcels", "CASEI(owner) LIKE '%丰田%'").await;
    assert_eq!(
        toyota,
        scan(&all, |p| p["owner"]
            .as_str()
            .is_some_and(|o| o.contains("丰田")))
    );
    assert!(!toyota.is_empty());
    // All of it at once: idle or zombie industrial land over 30 mu near 世纪大街.
    let question = format!(
        "status IN ('idle','zombie') AND land_use IN ('M1','M2','0601') AND area_mu > 30 AND S_DWITHIN(geometry,LINESTRING({wkt}),1000,meters)"
    );
    let answer = filtered(&app, "parcels", &question).await;
    let idle_or_zombie = scan(&all, |p| p["status"] == "idle" || p["status"] == "zombie");
    let big = scan(&all, |p| p["area_mu"].as_f64().unwrap() > 30.0);
    let expected: BTreeSet<String> = near
        .iter()
        .filter(|id| idle_or_zombie.contains(*id) && big.contains(*id) && industrial.contains(*id))
        .cloned()
        .collect();
    assert_eq!(answer, expected);
}

#[tokio::test]
async fn temporal_array_and_arithmetic_functions_work_on_the_collections_that_have_them() {
    let app = spawn_sample().await;
    let schools = features(&app, "schools").await;
    let after = filtered(&app, "schools", "T_AFTER(start_date, DATE('2024-01-01'))").await;
    assert_eq!(
        after,
        scan(&schools, |p| p["start_date"]
            .as_str()
            .is_some_and(|d| d > "2024-01-01"))
    );
    let during = filtered(
        &app,
        "schools",
        "T_DURING(INTERVAL(start_date, completion_date), INTERVAL('2000-01-01', '..'))",
    )
    .await;
    assert_eq!(
        during,
        scan(&schools, |p| p["start_date"]
            .as_str()
            .is_some_and(|d| d > "2000-01-01")
            && !p["completion_date"].is_null())
    );
    let with_parcels: Vec<&Value> = schools
        .iter()
        .filter(|f| f["properties"]["parcels"].is_string())
        .collect();
    let sample = with_parcels[0]["properties"]["parcels"].as_str().unwrap();
    let first = sample.split(',').next().unwrap().trim().to_string();
    let holding = filtered(
        &app,
        "schools",
        &format!("A_CONTAINS(parcels, ('{first}'))"),
    )
    .await;
    assert_eq!(
        holding,
        scan(&schools, |p| p["parcels"]
            .as_str()
            .is_some_and(|l| l.split(',').any(|c| c.trim() == first)))
    );
    assert_eq!(
        select(&app, "schools", &[("parcels", &first)]).await,
        holding
    );
    // Property against property, with arithmetic: parcels paying more than 1 万元 of tax
    // per 10 万元 of output.
    let parcels = features(&app, "parcels").await;
    let taxing = filtered(&app, "parcels", "tax_wan * 10 > output_value_wan").await;
    assert_eq!(
        taxing,
        scan(&parcels, |p| {
            match (p["tax_wan"].as_f64(), p["output_value_wan"].as_f64()) {
                (Some(t), Some(o)) => t * 10.0 > o,
                _ => false,
            }
        })
    );
}

#[tokio::test]
async fn the_filters_qgis_sends_are_answered() {
    let app = spawn_sample().await;
    let parcels = features(&app, "parcels").await;
    // QGIS 3.32+: parenthesised, quoted names, filter-lang given (sometimes twice).
    let r = app
        .get("/collections/parcels/items?limit=10000&filter=(%22status%22%20%3D%20'idle')&filter-lang=cql2-text&filter-lang=cql2-text")
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        ids(&body).into_iter().collect::<BTreeSet<_>>(),
        scan(&parcels, |p| p["status"] == "idle")
    );
    assert_eq!(
        filtered(&app, "parcels", "(owner IS NULL)").await,
        scan(&parcels, |p| p["owner"].is_null())
    );
    let extent = filtered(
        &app,
        "parcels",
        "S_INTERSECTS(geometry,BBOX(-180,-90,180,90))",
    )
    .await;
    assert_eq!(extent.len(), parcels.len());
    let cases = features(&app, "reallocations").await;
    let opened = filtered(
        &app,
        "reallocations",
        "(opened_at >= TIMESTAMP('2020-01-01T00:00:00.000Z'))",
    )
    .await;
    assert_eq!(
        opened,
        scan(&cases, |p| p["opened_at"]
            .as_str()
            .is_some_and(|t| t >= "2020-01-01"))
    );
    let schools = features(&app, "schools").await;
    let dated = filtered(
        &app,
        "schools",
        "(start_date = DATE('2023-09-01')) OR (start_date IS NULL)",
    )
    .await;
    assert_eq!(
        dated,
        scan(&schools, |p| p["start_date"].is_null()
            || p["start_date"] == "2023-09-01")
    );
}

#[tokio::test]
async fn bad_filters_are_400_problems_that_say_where_and_what() {
    let app = spawn_sample().await;
    let p = "parcels";
    let syntax = refused(
        &app,
        p,
        &[("filter", "status = 'idle' AND AND area_mu > 3")],
    )
    .await;
    assert!(
        syntax.contains("line 1, column 25 (\"area_mu\")") && syntax.contains("expected"),
        "{syntax}"
    );
    let mismatch = refused(&app, p, &[("filter", "area_mu > 'big'")]).await;
    assert!(
        mismatch.contains("area_mu") && mismatch.contains("number"),
        "{mismatch}"
    );
    let like_number = refused(&app, p, &[("filter", "area_mu LIKE '3%'")]).await;
    assert!(like_number.contains("LIKE compares text"), "{like_number}");
    let function = refused(&app, p, &[("filter", "SOUNDEX(owner) = 'x'")]).await;
    assert!(function.contains("SOUNDEX"), "{function}");
    let wkt = refused(
        &app,
        p,
        &[(
            "filter",
            "S_INTERSECTS(geometry,POLYGON((125.4 43.8, 125.5 43.8)))",
        )],
    )
    .await;
    assert!(wkt.contains("geometry literal"), "{wkt}");
    let units = refused(
        &app,
        p,
        &[("filter", "S_DWITHIN(geometry,POINT(125.4 43.86),1,parsecs)")],
    )
    .await;
    assert!(units.contains("parsecs"), "{units}");
    let json = refused(
        &app,
        p,
        &[
            ("filter", "{\"op\":\"=\",\"args\":["),
            ("filter-lang", "cql2-json"),
        ],
    )
    .await;
    assert!(json.contains("CQL2 JSON"), "{json}");
    let lang = refused(&app, p, &[("filter", "true"), ("filter-lang", "ecql")]).await;
    assert!(lang.contains("filter-lang"), "{lang}");
    let lonely = refused(&app, p, &[("filter-crs", "EPSG:4551")]).await;
    assert!(lonely.contains("without a filter"), "{lonely}");
}

#[tokio::test]
async fn pathological_filters_are_refused_quickly_under_the_documented_limits() {
    let app = spawn_sample().await;
    let p = "parcels";
    // A filter over the length limit that still fits in a URL is a 400 naming the limit;
    // one that does not fit in a request line (65,534 bytes) is a 414 from the HTTP
    // server, and so is a 1 MB one.
    // (10,000 ORs or 1 MB given to the parser directly: see the unit tests of
    // index::filter.)
    let long = format!("owner = '{}'", "a".repeat(61_000));
    let detail = refused(&app, p, &[("filter", &long)]).await;
    assert!(detail.contains("60000 bytes"), "{detail}");
    // No HTTP client library writes such a URL; it is written by hand.
    let huge = format!("owner%20%3D%20%27{}%27", "a".repeat(70_000));
    let status = raw_status(&app, &format!("/collections/{p}/items?filter={huge}")).await;
    assert_eq!(status, "HTTP/1.1 414 URI Too Long");
    let ors = vec!["status = 'idle'"; 600].join(" OR ");
    let detail = refused(&app, p, &[("filter", &ors)]).await;
    assert!(detail.contains("at most 500"), "{detail}");
    let deep = format!("{}true{}", "(".repeat(1_000), ")".repeat(1_000));
    let detail = refused(&app, p, &[("filter", &deep)]).await;
    assert!(detail.contains("deepest accepted is 64"), "{detail}");
    let nots = format!("{}true", "NOT ".repeat(1_000));
    refused(&app, p, &[("filter", &nots)]).await;
    // Nested JSON is bounded by the JSON reader.
    let nested = format!(
        "{}true{}",
        "{\"op\":\"not\",\"args\":[".repeat(500),
        "]}".repeat(500)
    );
    refused(
        &app,
        p,
        &[("filter", &nested), ("filter-lang", "cql2-json")],
    )
    .await;
    // The service still answers.
    assert!(!filtered(&app, p, "status = 'idle'").await.is_empty());
}

#[tokio::test]
async fn updated_at_selects_what_an_import_wrote() {
    let app = spawn_sample().await;
    let all = filtered(
        &app,
        "parcels",
        "T_BEFORE(updated_at, TIMESTAMP('2100-01-01T00:00:00Z'))",
    )
    .await;
    assert_eq!(
        all.len(),
        features(&app, "parcels").await.len(),
        "every parcel has a write time"
    );
    // Timestamps have a resolution of a second or better; wait for the next second.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, before) = app.get_json("/collections/parcels/items?limit=1").await;
    let since = before["timeStamp"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let gis = app.token(landreuse::auth::Role::Gis, "gis").await;
    let import = app
        .post_import(
            "",
            crate::helpers::fixture_text("bbox_l_shape.geojson"),
            Some(&gis),
        )
        .await;
    assert_eq!(import.status(), 201);
    let fresh = filtered(
        &app,
        "parcels",
        &format!("updated_at > TIMESTAMP('{since}')"),
    )
    .await;
    assert_eq!(fresh.len(), 3, "the three imported parcels: {fresh:?}");
    let after = filtered(
        &app,
        "parcels",
        &format!("T_AFTER(updated_at, TIMESTAMP('{since}'))"),
    )
    .await;
    assert_eq!(after, fresh);
}

/// The status line the service answers a GET of `target` with, written straight to the
/// socket.
async fn raw_status(app: &crate::helpers::TestApp, target: &str) -> String {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // The server may answer and close before it has read the whole line.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).await.unwrap();
    line.trim_end().to_string()
}
