//! The `landreuse` command line: imports with progress and a summary, errors as
//! sentences, tokens.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use landreuse::store::StoreLocation;

/// A fresh store (SQLite in a temporary directory, or a PostgreSQL database).
struct TestStore {
    dir: tempfile::TempDir,
    location: StoreLocation,
}

impl TestStore {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let location = common::fresh_location_blocking(dir.path());
        Self { dir, location }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn landreuse(args: &[&str], store: &TestStore) -> Output {
    Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(args)
        .args(common::store_args(&store.location))
        .output()
        .expect("the landreuse binary runs")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

#[test]
fn import_prints_a_summary_with_the_total_area_in_three_units() {
    let dir = TestStore::new();
    let out = landreuse(&["import", &fixture("gk4551_parcel.geojson")], &dir);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("(EPSG:4551): 1 features read, 1 inserted, 0 updated, 0 rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("11799.33 m² = 1.1799 ha = 17.70 mu"),
        "{stdout}"
    );
}

#[test]
fn an_invalid_file_fails_with_every_reason_and_leaves_the_database_alone() {
    let dir = TestStore::new();
    let ok = landreuse(&["import", &fixture("bbox_l_shape.geojson")], &dir);
    assert!(ok.status.success());
    let out = landreuse(&["import", &fixture("invalid_mixed.geojson")], &dir);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("error: 9 of 10 features are invalid, so nothing was imported"),
        "{stderr}"
    );
    assert!(
        stderr.contains("feature 2 (id BAD-BOWTIE) has an invalid geometry"),
        "{stderr}"
    );
    // Importing the valid file again only updates: the failed import left no trace.
    let again = landreuse(&["import", &fixture("bbox_l_shape.geojson")], &dir);
    let (stdout, _) = text(&again);
    assert!(stdout.contains("0 inserted, 3 updated"), "{stdout}");
}

#[test]
fn skip_invalid_writes_the_rejects_file() {
    let dir = TestStore::new();
    let rejects = dir.path().join("rejects.geojson");
    let out = landreuse(
        &[
            "import",
            &fixture("invalid_mixed.geojson"),
            "--skip-invalid",
            "--rejects",
            rejects.to_str().unwrap(),
        ],
        &dir,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("1 inserted, 0 updated, 9 rejected"),
        "{stdout}"
    );
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(rejects).unwrap()).unwrap();
    let features = written["features"].as_array().unwrap();
    assert_eq!(features.len(), 9);
    assert!(features[0]["properties"]["reject_reason"]
        .as_str()
        .unwrap()
        .contains("BAD-OPEN"));
}

#[test]
fn bad_options_are_explained() {
    let dir = TestStore::new();
    for (args, words) in [
        (
            vec!["import", "no-such-file.geojson"],
            "cannot open no-such-file.geojson",
        ),
        (
            vec!["import", "x.geojson", "--crs", "EPSG:2000"],
            "unknown or unsupported CRS",
        ),
        (
            vec!["import", "x.geojson", "--collection", "buildings"],
            "unknown collection",
        ),
        (
            vec!["import", "x.geojson", "--map", "landuse=DLBM"],
            "not a parcels property",
        ),
        (
            vec!["token", "create", "--role", "boss", "--name", "x"],
            "unknown role",
        ),
        (
            vec!["import", "x.geojson", "--axis-order", "sideways"],
            "north-east",
        ),
    ] {
        let out = landreuse(&args, &dir);
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
}

/// A Gauss-Kruger file whose eastings carry the zone prefix but whose crs member says
/// EPSG:4551: the import stops, says what it saw and which --crs reads it, and stores
/// nothing; the suggested option then works.
#[test]
fn a_zone_prefix_mistake_is_explained_with_the_option_that_fixes_it() {
    let dir = TestStore::new();
    let file = dir.path().join("zd_prefixed.geojson");
    let content = std::fs::read_to_string(fixture("gk4530_parcel.geojson"))
        .unwrap()
        .replace("EPSG::4530", "EPSG::4551");
    std::fs::write(&file, content).unwrap();
    let path = file.to_str().unwrap();
    let out = landreuse(&["import", path], &dir);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("zone prefix 42"), "{stderr}");
    assert!(stderr.contains("--crs EPSG:4530"), "{stderr}");
    let out = landreuse(&["import", path, "--crs", "EPSG:4530"], &dir);
    assert!(out.status.success(), "{}", text(&out).1);
}

#[test]
fn a_field_map_renames_source_fields() {
    let dir = TestStore::new();
    let file = dir.path().join("custom.geojson");
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"BH":"CUSTOM-1","YT":"B1","DW":"长春示例商贸有限公司"},
        "geometry":{"type":"Polygon","coordinates":[[[125.401,43.861],[125.402,43.861],[125.402,43.862],[125.401,43.862],[125.401,43.861]]]}}]}"#,
    )
    .unwrap();
    let out = landreuse(
        &[
            "import",
            file.to_str().unwrap(),
            "--map",
            "code=BH,land_use=YT,owner=DW",
        ],
        &dir,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("1 inserted"), "{stdout}");
}

#[test]
fn token_create_prints_the_secret_once() {
    let dir = TestStore::new();
    let out = landreuse(
        &["token", "create", "--role", "gis", "--name", "王工"],
        &dir,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.trim().starts_with("lr_") && stdout.trim().len() == 67,
        "{stdout}"
    );
    let again = landreuse(
        &["token", "create", "--role", "gis", "--name", "王工"],
        &dir,
    );
    assert!(text(&again).1.contains("already exists"));
}

/// The workflow from the CLI, for scripted batch work: open a reserve case on idle
/// land, move it (a stale version is refused), list it, show its history, grade.
#[test]
fn cases_are_opened_moved_listed_and_shown_from_the_cli() {
    let dir = TestStore::new();
    let out = landreuse(&["import", &fixture("survey_ogr2ogr.geojson")], &dir);
    assert!(out.status.success(), "{}", text(&out).1);
    let idle = "220172001002GB00002";
    let out = landreuse(
        &[
            "case",
            "open",
            "--kind",
            "reserve",
            "--parcel",
            idle,
            "--acquisition",
            "recovery",
            "--reason",
            "闲置两年",
            "--actor",
            "土地储备中心 李工",
        ],
        &dir,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("opened RC-00001 (reserve, stage proposed, version 1)"),
        "{stdout}"
    );
    let out = landreuse(
        &[
            "case",
            "move",
            "RC-00001",
            "--to",
            "approved",
            "--version",
            "1",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out)
        .0
        .contains("RC-00001 is now approved (version 2)"));
    let out = landreuse(
        &[
            "case",
            "move",
            "RC-00001",
            "--to",
            "vacating",
            "--version",
            "1",
        ],
        &dir,
    );
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("version 2, not 1"),
        "{}",
        text(&out).1
    );
    let out = landreuse(
        &[
            "case",
            "move",
            "RC-00001",
            "--to",
            "completed",
            "--version",
            "2",
        ],
        &dir,
    );
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("vacating or cancelled"),
        "{}",
        text(&out).1
    );
    let out = landreuse(&["case", "list", "--kind", "reserve"], &dir);
    let (stdout, stderr) = text(&out);
    assert!(
        stdout.starts_with("RC-00001\treserve\tapproved\t2\t"),
        "{stdout}"
    );
    assert!(stderr.contains("存量扩能"), "{stderr}");
    let out = landreuse(&["case", "show", "RC-00001"], &dir);
    let shown: serde_json::Value = serde_json::from_str(&text(&out).0).unwrap();
    assert_eq!(shown["events"].as_array().unwrap().len(), 2);
    assert_eq!(shown["events"][0]["actor"], "土地储备中心 李工");
    let out = landreuse(&["grade"], &dir);
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.contains("graded firms: "), "{}", text(&out).0);
}

/// Reserved land split into lots from a GeoJSON file, then merged back, from the CLI.
#[test]
fn reserved_land_is_split_and_merged_from_the_cli() {
    let dir = TestStore::new();
    let out = landreuse(&["import", &fixture("survey_ogr2ogr.geojson")], &dir);
    assert!(out.status.success(), "{}", text(&out).1);
    // 220172001002GB00003 is reserved land (ZT 储备) from 125.389 to 125.390 E.
    let lots = dir.path().join("lots.geojson");
    let lot = |id: &str, x0: f64, x1: f64| {
        serde_json::json!({"type": "Feature", "id": id, "properties": {}, "geometry": {"type": "Polygon",
            "coordinates": [[[x0, 43.858], [x1, 43.858], [x1, 43.8586], [x0, 43.8586], [x0, 43.858]]]}})
    };
    let fc = serde_json::json!({"type": "FeatureCollection", "features": [
        lot("GB00003-W", 125.389, 125.3895), lot("GB00003-E", 125.3895, 125.390)]});
    std::fs::write(&lots, fc.to_string()).unwrap();
    let out = landreuse(
        &[
            "parcel",
            "split",
            "220172001002GB00003",
            "--lots",
            lots.to_str().unwrap(),
            "--reason",
            "分两宗供应",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(
        text(&out).0.contains("split into GB00003-W, GB00003-E"),
        "{}",
        text(&out).0
    );
    let out = landreuse(
        &[
            "parcel",
            "merge",
            "GB00003-W",
            "GB00003-E",
            "--into",
            "GB00003-R",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.contains("merged into GB00003-R"));
    let out = landreuse(
        &["parcel", "merge", "GB00003-R", "220172001002GB00001"],
        &dir,
    );
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("only land in the reserve"),
        "{}",
        text(&out).1
    );
}

#[test]
fn the_land_reserve_report_is_written_in_every_format_with_errors_as_sentences() {
    let dir = TestStore::new();
    let out = landreuse(&["import", &fixture("survey_ogr2ogr.geojson")], &dir);
    assert!(out.status.success(), "{}", text(&out).1);
    let file = |name: &str| dir.path().join(name).display().to_string();
    for format in ["html", "csv", "json", "pdf"] {
        let target = file(&format!("report.{format}"));
        let out = landreuse(
            &[
                "report",
                "land-reserve",
                "--format",
                format,
                "--out",
                &target,
            ],
            &dir,
        );
        let (_, stderr) = text(&out);
        assert!(out.status.success(), "{format}: {stderr}");
        assert!(
            stderr.contains("land-reserve report: ") && stderr.contains(&target),
            "{format}: {stderr}"
        );
        let bytes = std::fs::read(&target).unwrap();
        match format {
            "html" => assert!(String::from_utf8_lossy(&bytes).contains("土地储备决策报告")),
            "csv" => assert!(String::from_utf8_lossy(&bytes).contains("section,key,label")),
            "json" => {
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
                let total = v["summary"].as_array().unwrap().last().unwrap().clone();
                assert_eq!(total["zone"], "total");
                assert!(total["land"]["parcels"].as_u64().unwrap() > 0);
            }
            _ => assert!(bytes.starts_with(b"%PDF"), "a PDF"),
        }
    }
    // As of a date before the import there is no land.
    let target = file("then.json");
    let out = landreuse(
        &[
            "report",
            "land-reserve",
            "--format",
            "json",
            "--out",
            &target,
            "--as-of",
            "2020-01-01",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(v["as_of"], "2020-01-01T15:59:59.999Z");
    let total = v["summary"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (total["zone"].as_str(), total["land"]["parcels"].as_u64()),
        (Some("total"), Some(0))
    );
    // Mistakes are sentences that name what is wrong.
    for (args, words) in [
        (
            vec!["--format", "docx"],
            "docx is not a report format; use html, csv, json or pdf",
        ),
        (vec!["--zone", "west"], "zone west is not a zone"),
        (
            vec!["--as-of", "2026-02-30"],
            "as-of date 2026-02-30 is not a date",
        ),
        (vec!["--bbox", "125.5,43.9,125.4,44.0"], "minlon < maxlon"),
        (
            vec!["--format", "pdf", "--out", "-"],
            "a PDF cannot go to standard output",
        ),
    ] {
        let mut all = vec!["report", "land-reserve"];
        if !args.contains(&"--out") {
            all.extend(["--out", "unused.html"]);
        }
        all.extend(args.iter().copied());
        let out = landreuse(&all, &dir);
        let (_, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
}

#[test]
fn serve_writes_one_json_object_per_log_line_with_the_request_and_its_status() {
    use std::io::{BufRead, BufReader, Read, Write};
    let store = TestStore::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--no-sample",
            "--log-format",
            "json",
        ])
        .args(common::store_args(&store.location))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("landreuse starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("on http://")
                .nth(1)
                .map(|r| r.split('/').next().unwrap_or("").to_string())
        })
        .expect("the server prints its address");
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "GET /conformance?f=json HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    let request_id = reply
        .lines()
        .find_map(|l| l.strip_prefix("x-request-id: "))
        .expect("the response names its request")
        .to_string();
    let finished = lines
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .find(|v| v.to_string().contains(&request_id) && v["fields"]["status"].is_number());
    let _ = child.kill();
    let _ = child.wait();
    let finished = finished.expect("a JSON log line of the finished request");
    assert_eq!(finished["fields"]["status"], 200, "{finished}");
    assert_eq!(finished["span"]["method"], "GET", "{finished}");
    assert_eq!(finished["span"]["path"], "/conformance", "{finished}");
    assert!(finished["fields"]["latency"].is_string(), "{finished}");
}

/// The tests that time a server or kill processes take this, so that they do not load
/// the two cores under each other's timings.
static ALONE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ALONE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `landreuse serve` on a free loopback port over a test store, stopped when dropped.
struct Serving {
    child: std::process::Child,
    base: String,
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(store: &TestStore, extra: &[&str]) -> Serving {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .args(common::store_args(&store.location))
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("landreuse starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("on http://")
                .nth(1)
                .map(|r| r.split('/').next().unwrap_or("").to_string())
        })
        .expect("the server prints its address");
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Serving {
        child,
        base: format!("http://{addr}"),
    }
}

/// One HTTP request: the status, the ETag and the body as JSON (null when empty).
fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (u16, Option<String>, serde_json::Value) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut r = reqwest::Client::new().request(method.parse().unwrap(), url);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.body(b);
        }
        let resp = r
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = resp.status().as_u16();
        let etag = resp
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let text = resp.text().await.unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        (status, etag, json)
    })
}

/// The events of a parcel's history (`GET /parcels/{code}/history`) as (id, action).
fn events_of(base: &str, code: &str) -> Vec<(i64, String, serde_json::Value)> {
    let (status, _, body) = http("GET", &format!("{base}/parcels/{code}/history"), &[], None);
    assert_eq!(status, 200, "history of {code}: {body}");
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_i64().unwrap(),
                e["action"].as_str().unwrap().to_string(),
                e.clone(),
            )
        })
        .collect()
}

/// What a revert restores: the imported properties, the geometry, and what is derived
/// from them anew (the measured area, the grade).
fn imported_view(feature: &serde_json::Value) -> serde_json::Value {
    let p = &feature["properties"];
    serde_json::json!({
        "owner": p["owner"], "status": p["status"], "land_use": p["land_use"],
        "declared_area_m2": p["declared_area_m2"], "area_m2": p["area_m2"],
        "grade": p["grade"], "geometry": feature["geometry"],
    })
}

/// A parcel imported from a survey file, then edited (owner, status, geometry) and
/// deleted over HTTP (OGC API – Features Part 4), is brought back from the CLI with
/// `parcel revert CODE --to EVENT`, EVENT being its creation by the import: it is served
/// again with the imported attributes and geometry, and its history ends with
/// `feature.reverted` by the named actor. Mistakes are sentences: an event of another
/// parcel names the parcel's own events; its retirement says the parcel did not exist
/// after it; an unknown parcel has no history.
#[test]
fn parcel_revert_brings_back_a_deleted_parcel_as_it_was_imported() {
    let store = TestStore::new();
    let out = landreuse(&["import", &fixture("bbox_l_shape.geojson")], &store);
    assert!(out.status.success(), "{}", text(&out).1);
    let out = landreuse(&["import", &fixture("gk4551_parcel.geojson")], &store);
    assert!(out.status.success(), "{}", text(&out).1);
    let out = landreuse(
        &["token", "create", "--role", "gis", "--name", "测绘科 王工"],
        &store,
    );
    assert!(out.status.success(), "{}", text(&out).1);
    let token = text(&out).0.lines().last().unwrap().trim().to_string();
    let bearer = format!("Bearer {token}");
    let server = serve(&store, &["--no-sample"]);
    let code = "220172001001GB00101";
    let url = format!("{}/collections/parcels/items/{code}", server.base);

    let (status, etag, imported) = http("GET", &url, &[], None);
    assert_eq!(status, 200, "{imported}");
    assert_eq!(
        imported["properties"]["owner"],
        "长春市示例精密机械有限公司"
    );
    let patch = serde_json::json!({
        "properties": {"owner": "长春示例新能源有限公司", "status": "idle"},
        "geometry": {"type": "MultiPolygon", "coordinates": [[[[125.4200, 43.8700],
            [125.4210, 43.8700], [125.4210, 43.8708], [125.4200, 43.8708], [125.4200, 43.8700]]]]}
    });
    let (status, _, edited) = http(
        "PATCH",
        &url,
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/merge-patch+json"),
            ("If-Match", etag.as_deref().unwrap()),
        ],
        Some(patch.to_string()),
    );
    assert_eq!(status, 200, "{edited}");
    assert_ne!(imported_view(&edited), imported_view(&imported));
    let (_, etag, _) = http("GET", &url, &[], None);
    let (status, _, body) = http(
        "DELETE",
        &url,
        &[
            ("Authorization", &bearer),
            ("If-Match", etag.as_deref().unwrap()),
        ],
        None,
    );
    assert_eq!(status, 204, "{body}");
    assert_eq!(http("GET", &url, &[], None).0, 404);

    let events = events_of(&server.base, code);
    let actions: Vec<&str> = events.iter().map(|e| e.1.as_str()).collect();
    let created = events
        .iter()
        .find(|e| e.1 == "feature.created")
        .unwrap_or_else(|| panic!("no creation event: {actions:?}"))
        .0;
    let retired = events
        .iter()
        .find(|e| e.1 == "feature.retired")
        .unwrap_or_else(|| panic!("no retirement event: {actions:?}"))
        .0;
    assert_eq!(actions.last(), Some(&"feature.retired"), "{actions:?}");

    // An event of another parcel: the sentence lists this parcel's events.
    let other = events_of(&server.base, "L-SHAPE");
    let foreign = other.first().expect("L-SHAPE has a history").0.to_string();
    let out = landreuse(&["parcel", "revert", code, "--to", &foreign], &store);
    let (_, stderr) = text(&out);
    assert!(
        !out.status.success(),
        "revert to {foreign} of another parcel"
    );
    assert!(
        stderr.contains(&format!(
            "event {foreign} is not in the history of parcels {code}; its events are "
        )),
        "{stderr}"
    );
    let listed = stderr
        .split("its events are ")
        .nth(1)
        .unwrap_or("")
        .lines()
        .next()
        .unwrap_or("");
    let listed: Vec<&str> = listed.split(", ").map(str::trim).collect();
    let ids: Vec<String> = events.iter().map(|e| e.0.to_string()).collect();
    assert_eq!(listed, ids, "{stderr}");
    // Its retirement: nothing existed after it.
    let out = landreuse(
        &["parcel", "revert", code, "--to", &retired.to_string()],
        &store,
    );
    let (_, stderr) = text(&out);
    assert!(!out.status.success(), "revert to the retirement {retired}");
    assert!(
        stderr.contains(&format!(
            "after event {retired} (feature.retired) parcels {code} did not exist"
        )),
        "{stderr}"
    );
    let out = landreuse(&["parcel", "revert", "NO-SUCH-PARCEL", "--to", "1"], &store);
    assert!(!out.status.success());
    assert!(
        text(&out)
            .1
            .contains("parcels has no feature NO-SUCH-PARCEL and no history of one"),
        "{}",
        text(&out).1
    );
    // The failed reverts wrote nothing.
    assert_eq!(events_of(&server.base, code).len(), events.len());

    let out = landreuse(
        &[
            "parcel",
            "revert",
            code,
            "--to",
            &created.to_string(),
            "--actor",
            "土地储备中心 李工",
        ],
        &store,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!(
            "parcels {code} reverted to its state after event {created}"
        )),
        "{stdout}"
    );
    // The running server follows the store and serves the parcel again, as imported.
    let started = std::time::Instant::now();
    let back = loop {
        let (status, _, body) = http("GET", &url, &[], None);
        if status == 200 {
            break body;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "5 s after the revert the server answers {status}: {body}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(
        imported_view(&back),
        imported_view(&imported),
        "the reverted parcel differs from the imported one"
    );
    // The history ends with the revert (and the regrading of the land it brought back).
    let after = events_of(&server.base, code);
    let last = &after
        .iter()
        .rev()
        .find(|e| e.1 != "parcel.graded")
        .unwrap()
        .2;
    assert_eq!(last["action"], "feature.reverted", "{after:?}");
    assert_eq!(last["actor"], "土地储备中心 李工", "{last}");
    assert_eq!(
        last["id"].as_i64().unwrap(),
        after[events.len()].0,
        "the revert is the first event after the retirement: {after:?}"
    );
    assert_eq!(
        after.iter().filter(|e| e.1 == "feature.reverted").count(),
        1,
        "{after:?}"
    );
}

#[test]
fn tokens_expire_when_asked_are_listed_and_revoked_by_name_or_id() {
    let store = TestStore::new();
    let out = landreuse(
        &[
            "token",
            "create",
            "--role",
            "gis",
            "--name",
            "外业组",
            "--expires",
            "90d",
        ],
        &store,
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.trim().starts_with("lr_"));
    assert!(stderr.contains("accepted until 20"), "{stderr}");
    let out = landreuse(
        &["token", "create", "--role", "planner", "--name", "规划科"],
        &store,
    );
    assert!(out.status.success());
    for (bad, says) in [
        ("90", "no unit"),
        ("ninety days", "not a duration"),
        ("0d", "not a duration"),
    ] {
        let out = landreuse(
            &[
                "token",
                "create",
                "--role",
                "gis",
                "--name",
                "x",
                "--expires",
                bad,
            ],
            &store,
        );
        assert!(!out.status.success(), "--expires {bad}");
        assert!(
            text(&out).1.contains(says),
            "--expires {bad}: {}",
            text(&out).1
        );
    }
    let (list, _) = text(&landreuse(&["token", "list"], &store));
    let row = |name: &str| {
        list.lines()
            .find(|l| l.contains(name))
            .unwrap_or("")
            .to_string()
    };
    // 90 days from now, to the day.
    let in_90 = (time::OffsetDateTime::now_utc() + time::Duration::days(90)).date();
    assert!(
        row("外业组").contains(&format!("expires at {in_90}")),
        "{list}"
    );
    assert!(row("规划科").contains("until revoked"), "{list}");
    assert!(!list.contains("lr_"), "secrets are never listed: {list}");
    let id = row("规划科").split_whitespace().next().unwrap().to_string();
    let out = landreuse(&["token", "revoke", &id], &store);
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.contains("规划科"));
    let out = landreuse(&["token", "revoke", "规划科"], &store);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("already revoked"), "{}", text(&out).1);
    let (list, _) = text(&landreuse(&["token", "list"], &store));
    assert!(
        list.lines()
            .any(|l| l.contains("规划科") && l.contains("revoked at")),
        "{list}"
    );
}

#[test]
fn slow_clients_are_closed_and_connections_past_the_limit_refused_while_others_are_answered() {
    let _alone = alone();
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::time::{Duration, Instant};
    let store = TestStore::new();
    let s = serve(
        &store,
        &[
            "--no-sample",
            "--header-read-timeout",
            "2",
            "--max-connections",
            "40",
        ],
    );
    let addr = s.base.trim_start_matches("http://").to_string();
    // 30 clients trickle a request head, a byte every 300 ms; each notes when the
    // server closed it.
    let slow: Vec<_> = (0..30)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let started = Instant::now();
                let mut c = TcpStream::connect(&addr).unwrap();
                c.set_read_timeout(Some(Duration::from_millis(300)))
                    .unwrap();
                let head = b"GET /conformance HTTP/1.1\r\nHost: x\r\nX-Slow: ";
                let mut buf = [0u8; 64];
                for i in 0..100 {
                    let byte = head.get(i).copied().unwrap_or(b'a');
                    if c.write_all(&[byte]).is_err() {
                        return started.elapsed();
                    }
                    // Closed (0 bytes) or answered: the server has let go of it.
                    if c.read(&mut buf).is_ok() {
                        return started.elapsed();
                    }
                }
                started.elapsed()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // A normal client is answered within a second each time meanwhile.
    for i in 0..10 {
        let t = Instant::now();
        let (status, _, _) = http("GET", &format!("{}/conformance", s.base), &[], None);
        assert_eq!(status, 200, "request {i}");
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "request {i} took {:?} while 30 clients trickled",
            t.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    for h in slow {
        let held = h.join().unwrap();
        assert!(
            held < Duration::from_secs(6),
            "a slow client held its connection for {held:?} (header read timeout 2 s)"
        );
    }
    // Past the limit: of 45 connections that send nothing, those over 40 are answered
    // 503 at once and closed.
    let mut refused = 0;
    let mut held: Vec<TcpStream> = (0..45)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    for c in &mut held {
        c.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut text = String::new();
        let _ = c.read_to_string(&mut text);
        if text.starts_with("HTTP/1.1 503") {
            assert!(
                text.contains("application/problem+json") && text.contains("most connections (40)"),
                "{text}"
            );
            refused += 1;
        }
    }
    assert!(
        (5..=10).contains(&refused),
        "{refused} of 45 connections were refused with a limit of 40"
    );
}

#[test]
fn sigterm_during_writes_keeps_every_answered_write_and_no_other() {
    let _alone = alone();
    use std::time::{Duration, Instant};
    let store = TestStore::new();
    let out = landreuse(
        &["token", "create", "--role", "gis", "--name", "夜班"],
        &store,
    );
    let token = text(&out).0.trim().to_string();
    let s = serve(
        &store,
        &[
            "--require-precondition",
            "false",
            "--geodata",
            &Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("geodata")
                .display()
                .to_string(),
        ],
    );
    let (_, _, page) = http(
        "GET",
        &format!("{}/collections/parcels/items?limit=400", s.base),
        &[],
        None,
    );
    let codes: Vec<String> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .filter(|c| c.starts_with("ETDZ-S"))
        .collect();
    let pid = s.child.id();
    let base = s.base.clone();
    let writer = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let client = reqwest::Client::new();
            let mut answered = Vec::new();
            let started = Instant::now();
            // Round and round the parcels until the server stops accepting.
            for i in 0.. {
                let code = &codes[i % codes.len()];
                let r = client
                    .patch(format!("{base}/collections/parcels/items/{code}"))
                    .bearer_auth(&token)
                    .header("content-type", "application/merge-patch+json")
                    .body(format!(r#"{{"properties": {{"name": "夜间修正 {i}"}}}}"#))
                    .timeout(Duration::from_secs(20))
                    .send()
                    .await;
                let ok = matches!(&r, Ok(r) if r.status().is_success());
                answered.push((code.clone(), i, ok));
                if r.is_err() && started.elapsed() > Duration::from_secs(1) {
                    break;
                }
            }
            answered
        })
    });
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: signalling the child process this test started.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
    let answered = writer.join().unwrap();
    let mut s = s;
    let status = s.child.wait().unwrap();
    assert!(
        status.success(),
        "landreuse serve exits 0 on SIGTERM: {status:?}"
    );
    let ok = answered.iter().filter(|a| a.2).count();
    assert!(ok > 0, "some writes were answered before the signal");
    assert!(ok < answered.len(), "the signal stopped the writes");
    // Each parcel holds the name of its last write answered 2xx, not of a later one.
    let mut last_ok: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    for (code, i, ok) in &answered {
        if *ok {
            last_ok.insert(code, format!("夜间修正 {i}"));
        }
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let st = store.location.open().await.unwrap();
        let codes: Vec<String> = answered.iter().map(|a| a.0.clone()).collect();
        let rows = st
            .features_by_codes(landreuse::domain::Collection::Parcels, &codes)
            .await
            .unwrap();
        for row in &rows {
            let name = row
                .properties
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            match last_ok.get(row.code.as_str()) {
                Some(want) => assert_eq!(name, want, "{}: its last answered write", row.code),
                None => assert!(
                    !name.starts_with("夜间修正"),
                    "{}: {name:?} was never answered",
                    row.code
                ),
            }
        }
        st.close().await;
    });
}

/// Every event of a store (id, action, collection, code), oldest first.
async fn log_lines(
    st: &dyn landreuse::store::Store,
) -> Vec<(i64, String, Option<String>, Option<String>)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = st.events_after(after, 10_000).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.id;
        out.extend(
            page.into_iter()
                .map(|e| (e.id, e.action, e.collection, e.feature_code)),
        );
    }
    out
}

/// The parcels the log says exist, with the name their last recorded state gives.
async fn replayed_parcels(
    st: &dyn landreuse::store::Store,
) -> std::collections::BTreeMap<String, Option<String>> {
    let mut states: std::collections::BTreeMap<String, Option<String>> = Default::default();
    st.scan_event_states("9999-12-31T23:59:59.999Z", &mut |e| {
        if e.collection.as_deref() != Some("parcels") {
            return;
        }
        let Some(code) = e.feature_code else { return };
        if landreuse::domain::feature::removes_feature(&e.action) {
            states.remove(&code);
            return;
        }
        let Some(after) = e
            .after
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            return;
        };
        let name = after["properties"]
            .get("name")
            .map(|v| v.as_str().map(str::to_string));
        if after.get("geometry").is_some() {
            states.insert(code, name.flatten());
        } else if let (Some(slot), Some(name)) = (states.get_mut(&code), name) {
            *slot = name;
        }
    })
    .await
    .unwrap();
    states
}

#[test]
fn a_backup_taken_during_writes_restores_to_a_prefix_of_the_log_with_tables_that_match_it() {
    let _alone = alone();
    use std::time::Duration;
    let live = TestStore::new();
    let out = landreuse(
        &["token", "create", "--role", "gis", "--name", "备份测试"],
        &live,
    );
    let token = text(&out).0.trim().to_string();
    let geodata = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("geodata")
        .display()
        .to_string();
    let s = serve(
        &live,
        &["--require-precondition", "false", "--geodata", &geodata],
    );
    let (_, _, page) = http(
        "GET",
        &format!("{}/collections/parcels/items?limit=200", s.base),
        &[],
        None,
    );
    let codes: Vec<String> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (base, stop) = (s.base.clone(), stop.clone());
        std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(async {
                let client = reqwest::Client::new();
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let code = &codes[n % codes.len()];
                    let r = client
                        .patch(format!("{base}/collections/parcels/items/{code}"))
                        .bearer_auth(&token)
                        .header("content-type", "application/merge-patch+json")
                        .body(format!(r#"{{"properties": {{"name": "备份中 {n}"}}}}"#))
                        .send()
                        .await
                        .unwrap();
                    // A parcel an open case holds answers 409; the others change.
                    assert!(
                        r.status().is_success() || r.status() == 409,
                        "write {n}: {}",
                        r.status()
                    );
                    n += 1;
                }
                n
            })
        })
    };
    std::thread::sleep(Duration::from_millis(800));
    let file = live.path().join(if common::postgres_server().is_some() {
        "backup.dump"
    } else {
        "backup.sqlite"
    });
    let out = landreuse(&["backup", "--to", &file.display().to_string()], &live);
    let (said, err) = text(&out);
    assert!(out.status.success(), "{err}");
    let again = landreuse(&["backup", "--to", &file.display().to_string()], &live);
    assert!(
        text(&again).1.contains("never overwrites"),
        "{}",
        text(&again).1
    );
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert!(writes > 10, "the writes went on: {writes}");
    drop(s);
    let last: i64 = said
        .rsplit("up to event ")
        .next()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or_else(|| panic!("{said}"));

    let restored = TestStore::new();
    let out = landreuse(
        &["restore", "--from", &file.display().to_string()],
        &restored,
    );
    let (said, err) = text(&out);
    assert!(out.status.success(), "{err}");
    assert!(said.contains(&format!("up to event {last}")), "{said}");
    let out = landreuse(
        &["restore", "--from", &file.display().to_string()],
        &restored,
    );
    assert!(
        !out.status.success(),
        "a restore goes into an empty store only"
    );

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let a = live.location.open().await.unwrap();
        let b = restored.location.open().await.unwrap();
        let (live_log, restored_log) = (log_lines(a.as_ref()).await, log_lines(b.as_ref()).await);
        assert_eq!(restored_log.last().map(|e| e.0), Some(last));
        assert!(
            restored_log.len() < live_log.len(),
            "writes went on after the backup"
        );
        assert_eq!(
            &live_log[..restored_log.len()],
            &restored_log[..],
            "the restored log is a prefix of the live one"
        );
        // Every parcel row is what the restored log says, and no other.
        let replay = replayed_parcels(b.as_ref()).await;
        let rows = b
            .load_features(landreuse::domain::Collection::Parcels)
            .await
            .unwrap();
        assert_eq!(rows.len(), replay.len());
        for r in &rows {
            let name = r
                .properties
                .get("name")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            assert_eq!(replay.get(&r.code), Some(&name), "{}", r.code);
        }
        a.close().await;
        b.close().await;
    });
}

/// `n` small parcels on a grid near 世纪大街, as one GeoJSON FeatureCollection.
fn grid_of_parcels(n: usize, prefix: &str) -> String {
    let side = (n as f64).sqrt().ceil() as usize;
    let features: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let (x, y) = ((i % side) as f64, (i / side) as f64);
            let (lon, lat) = (125.40 + x * 0.0002, 43.86 + y * 0.0002);
            serde_json::json!({"type": "Feature", "id": format!("{prefix}-{i:05}"),
                "properties": {"land_use": "M1", "status": "active"},
                "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.00015, lat],
                    [lon + 0.00015, lat + 0.00015], [lon, lat + 0.00015], [lon, lat]]]}})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[test]
fn kill_9_during_imports_leaves_the_store_as_it_was_or_fully_imported() {
    let _alone = alone();
    use std::time::Duration;
    let store = TestStore::new();
    let n = 2_500;
    let file = store.path().join("grid.geojson");
    std::fs::write(&file, grid_of_parcels(n, "KILL")).unwrap();
    let counts = || {
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let s = store.location.open().await.unwrap();
            let c = (
                s.feature_count(landreuse::domain::Collection::Parcels)
                    .await
                    .unwrap(),
                s.last_event_id().await.unwrap(),
            );
            s.close().await;
            c
        })
    };
    let mut before = counts();
    let mut outcomes = (0, 0);
    // How long one import of the file takes here, into a scratch store; the kills fall
    // at points spread over that run and a little past it.
    let scratch = TestStore::new();
    let timed = std::time::Instant::now();
    let out = landreuse(&["import", &file.display().to_string()], &scratch);
    assert!(out.status.success(), "{}", text(&out).1);
    let run = timed.elapsed().as_millis() as u64;
    let delays: Vec<u64> = (0..10).map(|k| run * (5 + 13 * k) / 100).collect();
    for (round, delay) in delays.iter().enumerate() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
            .args(["import", &file.display().to_string()])
            .args(common::store_args(&store.location))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(*delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let after = counts();
        if after == before {
            outcomes.0 += 1;
        } else {
            assert_eq!(
                after.0,
                before.0.max(n as i64),
                "round {round}: a partial import ({after:?} after {before:?})"
            );
            outcomes.1 += 1;
        }
        before = after;
    }
    // The same over HTTP: the server killed during POST /imports, then started again.
    let token = text(&landreuse(
        &["token", "create", "--role", "gis", "--name", "kill"],
        &store,
    ))
    .0
    .trim()
    .to_string();
    let body = grid_of_parcels(n, "HTTPKILL");
    let before_http = counts();
    for (round, delay) in delays.iter().enumerate() {
        let s = serve(&store, &["--no-sample"]);
        let url = format!("{}/imports", s.base);
        let (token, body) = (token.clone(), body.clone());
        let sender = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let _ = reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/geo+json")
                    .body(body)
                    .send()
                    .await;
            });
        });
        std::thread::sleep(Duration::from_millis(*delay));
        drop(s); // SIGKILL
        sender.join().unwrap();
        let after = counts();
        assert!(
            after.0 == before_http.0 || after.0 == before_http.0 + n as i64,
            "HTTP round {round}: a partial import ({after:?} after {before_http:?})"
        );
    }
    // After the kills the store opens and serves what it holds.
    let s = serve(&store, &["--no-sample"]);
    let (status, _, page) = http(
        "GET",
        &format!("{}/collections/parcels/items?limit=1", s.base),
        &[],
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(page["numberMatched"].as_i64(), Some(counts().0));
    eprintln!(
        "CLI kills over a {run} ms import: {} left the store unchanged, {} came after the commit",
        outcomes.0, outcomes.1
    );
}
