//! Real OGC API – Features clients against the real binary serving the sample zone:
//! GDAL's OAPIF driver (Debian's gdal-bin) and OWSLib (installed by scripts/test.sh).

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

struct Server {
    child: Child,
    base: String,
    /// What the server has written to its log so far.
    log: Arc<Mutex<Vec<String>>>,
    location: landreuse::store::StoreLocation,
    _data: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `landreuse serve` on a free loopback port and waits for its address line.
fn serve_sample() -> Server {
    let data = tempfile::tempdir().unwrap();
    let location = common::fresh_location_blocking(data.path());
    serve(data, location, &[])
}

/// Starts `landreuse serve` of the sample zone on `location` with `extra` arguments.
fn serve(
    data: tempfile::TempDir,
    location: landreuse::store::StoreLocation,
    extra: &[&str],
) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .args(common::store_args(&location))
        .arg("--geodata")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("landreuse starts");
    let stderr = child.stderr.take().unwrap();
    let mut base = None;
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("on http://").nth(1) {
            base = Some(format!("http://{}", rest.split('/').next().unwrap()));
            break;
        }
    }
    // Keep reading what the server writes, so that it never writes into a closed pipe,
    // and keep it for tests that read the request log.
    let log = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            kept.lock().unwrap().push(line);
        }
    });
    Server {
        child,
        log,
        base: base.expect("the server prints its address"),
        location,
        _data: data,
    }
}

#[test]
fn gdal_lists_the_collections_and_reads_every_parcel() {
    let server = serve_sample();
    let info = Command::new("ogrinfo")
        .args(["-ro", &format!("OAPIF:{}", server.base)])
        .output()
        .expect("ogrinfo from gdal-bin is installed (scripts/test.sh installs it)");
    let listing = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.status.success(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    for layer in ["1: parcels", "2: zones", "3: roads"] {
        assert!(listing.contains(layer), "{listing}");
    }
    let out = tempfile::tempdir().unwrap();
    let copy = out.path().join("parcels.geojson");
    let status = Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .arg(&copy)
        .args([&format!("OAPIF:{}", server.base), "parcels"])
        .status()
        .unwrap();
    assert!(status.success());
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(copy).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    let ids: std::collections::HashSet<&str> = features
        .iter()
        .filter_map(|f| f["properties"]["id"].as_str())
        .collect();
    let expected = count_parcels(&server.base);
    assert_eq!(features.len(), expected);
    assert_eq!(ids.len(), expected, "GDAL paged through every parcel once");
    assert!(
        features
            .iter()
            .any(|f| f["properties"]["owner"] == "丰田发动机（长春）有限公司"),
        "fields and Chinese values survive"
    );
}

/// The fixture's Gauss-Kruger (EPSG:4551) easting and northing of the first vertex of
/// ETDZ-S-000001, computed with Debian's cs2cs.
fn fixture_vertex_4551() -> (f64, f64) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crs_points.json");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let p = v["points"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["parcel_id"] == "ETDZ-S-000001")
        .unwrap();
    (
        p["epsg4551"]["easting"].as_f64().unwrap(),
        p["epsg4551"]["northing"].as_f64().unwrap(),
    )
}

/// GET a JSON document.
fn get_json(url: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(async { reqwest::get(url).await?.json().await })
        .unwrap()
}

/// GDAL 3.12 (the pyogrio wheel) opens the service with the OAPIF open option
/// CRS=EPSG:4551, as QGIS and ogr2ogr >= 3.7 do: it requests crs= and bbox-crs=,
/// reads Content-Crs, and gets the Gauss-Kruger coordinates cs2cs computes, in its
/// own easting-first order; its bbox selects what the server's bbox-crs selects.
#[test]
fn gdal_reads_gauss_kruger_coordinates_with_the_crs_open_option() {
    let server = serve_sample();
    let (e0, n0, e1, n1) = (450_500.0, 4_857_000.0, 453_000.0, 4_860_000.0);
    let mut args = vec![server.base.clone(), "ETDZ-S-000001".into()];
    args.extend([e0, n0, e1, n1].map(|v| v.to_string()));
    let summary = python_check("gdal_crs_check.py", &args);
    assert_eq!(summary["crs"], "EPSG:4551", "{summary}");
    assert_eq!(
        summary["features"].as_u64().unwrap() as usize,
        count_parcels(&server.base)
    );
    let (e, n) = fixture_vertex_4551();
    let got = (
        summary["vertex"][0].as_f64().unwrap(),
        summary["vertex"][1].as_f64().unwrap(),
    );
    assert!(
        (got.0 - e).abs() < 0.01 && (got.1 - n).abs() < 0.01,
        "GDAL read {got:?}, cs2cs says ({e}, {n})"
    );
    let served = get_json(&format!(
        "{}/collections/parcels/items?limit=10000&bbox={n0},{e0},{n1},{e1}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4551",
        server.base
    ));
    let mut want: Vec<&str> = served["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    want.sort_unstable();
    assert!(want.len() > 20);
    let got: Vec<&str> = summary["in_box"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(got, want);
}

/// Debian's GDAL 3.6 has no CRS open option for OAPIF; its equivalent is to read CRS84
/// and reproject on the client (`-t_srs EPSG:4551`). Its coordinates agree with the
/// server's own `crs=` output and with cs2cs.
#[test]
fn debian_ogr2ogr_reprojection_agrees_with_the_servers_crs_output() {
    let server = serve_sample();
    let out = tempfile::tempdir().unwrap();
    let copy = out.path().join("parcel.geojson");
    let status = Command::new("ogr2ogr")
        .args([
            "-f",
            "GeoJSON",
            "-t_srs",
            "EPSG:4551",
            "-where",
            "id = 'ETDZ-S-000001'",
        ])
        .arg(&copy)
        .args([&format!("OAPIF:{}", server.base), "parcels"])
        .status()
        .unwrap();
    assert!(status.success());
    let fc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(copy).unwrap()).unwrap();
    let mut p = &fc["features"][0]["geometry"]["coordinates"];
    while p[0].is_array() {
        p = &p[0];
    }
    let gdal = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
    let served = get_json(&format!(
        "{}/collections/parcels/items/ETDZ-S-000001?crs=http://www.opengis.net/def/crs/EPSG/0/4551",
        server.base
    ));
    let mut q = &served["geometry"]["coordinates"];
    while q[0].is_array() {
        q = &q[0];
    }
    // The server writes northing first; GDAL writes easting first.
    let server_en = (q[1].as_f64().unwrap(), q[0].as_f64().unwrap());
    let (e, n) = fixture_vertex_4551();
    for (who, got) in [("ogr2ogr 3.6", gdal), ("server", server_en)] {
        assert!(
            (got.0 - e).abs() < 0.01 && (got.1 - n).abs() < 0.01,
            "{who}: {got:?} vs cs2cs ({e}, {n})"
        );
    }
}

/// Runs a client script of tests/clients with the test venv's Python (OWSLib, and GDAL
/// 3.12 through pyogrio, installed by scripts/setup.sh --test) and reads its JSON summary.
fn python_check(script: &str, args: &[String]) -> serde_json::Value {
    let python = std::env::var("LANDREUSE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(script);
    let out = Command::new(&python)
        .arg(path)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{script} failed (scripts/test.sh installs OWSLib and pyogrio into .venv and sets LANDREUSE_TEST_PYTHON): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the script prints JSON")
}

/// numberMatched of the parcels collection, asked over HTTP.
fn count_parcels(base: &str) -> usize {
    let body = get_json(&format!("{base}/collections/parcels/items?limit=1"));
    body["numberMatched"].as_u64().unwrap() as usize
}

#[test]
fn owslib_lists_the_collections_and_pages_through_every_parcel() {
    let server = serve_sample();
    let summary = python_check(
        "owslib_check.py",
        &[server.base.clone(), "parcels".into(), "500".into()],
    );
    assert_eq!(
        summary["collections"],
        serde_json::json!([
            "parcels",
            "zones",
            "roads",
            "reallocations",
            "schools",
            "project_lines",
            "project_areas"
        ])
    );
    // OWSLib reads the same conformance classes the server declares, Part 1's core and
    // Part 3's filter classes among them.
    let declared = get_json(&format!("{}/conformance", server.base));
    assert_eq!(summary["conformance"], declared["conformsTo"]);
    let read: Vec<&str> = summary["conformance"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for class in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    ] {
        assert!(read.contains(&class), "OWSLib does not read {class}");
    }
    assert_eq!(summary["read"], summary["matched"]);
    assert_eq!(summary["unique"], summary["matched"]);
    assert!(summary["matched"].as_u64().unwrap() > 3000);
}

/// On PostgreSQL the tables are ordinary PostGIS tables: GDAL (and so QGIS) reads the
/// parcels straight from the database, geometry column, SRID and all. On SQLite there is
/// no PostGIS table to read, so this test has nothing to check there.
#[test]
fn gdal_reads_the_postgis_tables_directly() {
    let Some(_) = common::postgres_server() else {
        eprintln!(
            "suite on SQLite: the PostGIS check runs in the PostgreSQL pass of scripts/test.sh"
        );
        return;
    };
    let server = serve_sample();
    let expected = count_parcels(&server.base);
    let landreuse::store::StoreLocation::Postgres(url) = &server.location else {
        panic!("the suite runs on PostgreSQL");
    };
    let out = Command::new("ogrinfo")
        .args([
            "-ro",
            "-so",
            &format!("PG:{}", pg_connection_string(url)),
            "parcels",
        ])
        .output()
        .expect("ogrinfo runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("Feature Count: {expected}")),
        "{text}"
    );
    assert!(
        text.contains("Geometry Column NOT NULL = geometry"),
        "{text}"
    );
    assert!(text.contains("FID Column = id"), "{text}");
    assert!(
        text.contains("EPSG\",4326") || text.contains("EPSG:4326") || text.contains("WGS 84"),
        "{text}"
    );
}

/// `postgres://user@host:port/db` as a libpq key=value string for GDAL.
fn pg_connection_string(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or("");
    let (auth, hostpart) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (hostport, db) = hostpart.split_once('/').unwrap_or((hostpart, ""));
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    let user = auth.split(':').next().unwrap_or("");
    format!("host={host} port={port} dbname={db} user={user}")
}

/// The ids of the parcels the server selects for a CQL2 filter.
fn server_ids(base: &str, filter: &str) -> Vec<String> {
    let q = serde_urlencoded::to_string([("filter", filter), ("limit", "10000")]).unwrap();
    let body = get_json(&format!("{base}/collections/parcels/items?{q}"));
    let mut ids: Vec<String> = body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort_unstable();
    ids
}

/// `ogr2ogr -where` with GDAL 3.12: the driver finds `cql-text` among the values of
/// filter-lang in the OpenAPI document and sends the filter to the server, which the
/// server's request log shows; the features are those the server selects.
#[test]
fn gdal_pushes_where_filters_down_to_the_server() {
    let server = serve_sample();
    let wheres = [
        ("status = 'idle'", "status = 'idle'"),
        ("area_mu > 30", "area_mu > 30"),
        (
            "status = 'zombie' AND area_mu > 10",
            "status = 'zombie' AND area_mu > 10",
        ),
    ];
    let args: Vec<String> = std::iter::once(server.base.clone())
        .chain(wheres.iter().map(|(w, _)| (*w).to_string()))
        .collect();
    let summary = python_check("gdal_filter_check.py", &args);
    for (where_clause, cql2) in wheres {
        let got: Vec<String> = summary["ids"][where_clause]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        let want = server_ids(&server.base, cql2);
        assert!(!want.is_empty(), "{cql2} selects parcels");
        assert_eq!(got, want, "{where_clause}");
    }
    let log = server.log.lock().unwrap();
    let pushed: Vec<&String> = log
        .iter()
        .filter(|l| l.contains("filter-lang=cql-text") && l.contains("filter="))
        .collect();
    for needle in ["status%20%3D%20'idle'", "area_mu%20%3E%2030", "AND"] {
        assert!(
            pushed.iter().any(|l| l.contains(needle)),
            "GDAL {} sent a filter with {needle}; the log has:\n{}",
            summary["gdal"],
            pushed
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// Each collection holds one geometry type, so GDAL types the layer once and every
/// feature fits it: GDAL 3.12 declares parcels, zones, cases, schools and the area
/// projects MultiPolygon and roads and the street projects MultiLineString, and reads
/// nothing else from them.
#[test]
fn gdal_types_each_collection_with_its_one_geometry_type() {
    let server = serve_sample();
    let summary = python_check(
        "gdal_geometry_types_check.py",
        std::slice::from_ref(&server.base),
    );
    let collections = get_json(&format!("{}/collections", server.base));
    let layers = &summary["layers"];
    for c in collections["collections"].as_array().unwrap() {
        let (id, declared) = (c["id"].as_str().unwrap(), &c["geometryType"]);
        let layer = &layers[id];
        assert_eq!(
            &layer["declared"], declared,
            "GDAL {}: {id}: {layer}",
            summary["gdal"]
        );
        assert_eq!(&layer["info"], declared, "{id}: {layer}");
        assert_eq!(
            layer["read"],
            serde_json::json!([declared]),
            "{id}: {layer}"
        );
    }
    assert_eq!(layers["parcels"]["declared"], "MultiPolygon");
    assert_eq!(layers["project_lines"]["declared"], "MultiLineString");
    assert_eq!(layers["project_areas"]["declared"], "MultiPolygon");
    let projects = layers["project_lines"]["features"].as_u64().unwrap()
        + layers["project_areas"]["features"].as_u64().unwrap();
    assert_eq!(projects, 35, "every sample project is in one of the two");
}

/// `ogr2ogr -f GPKG` (Debian's GDAL 3.6) of the served collections writes each into a
/// GeoPackage layer of the collection's type, and every geometry fits it (before, a
/// Polygon layer received MultiPolygons).
#[test]
fn debian_ogr2ogr_exports_each_collection_to_a_geopackage_layer_of_its_type() {
    let server = serve_sample();
    let out = tempfile::tempdir().unwrap();
    let gpkg = out.path().join("zone.gpkg");
    let layers = [
        "parcels",
        "zones",
        "roads",
        "schools",
        "project_lines",
        "project_areas",
    ];
    let run = Command::new("ogr2ogr")
        .args(["-f", "GPKG"])
        .arg(&gpkg)
        .arg(format!("OAPIF:{}", server.base))
        .args(layers)
        .output()
        .expect("ogr2ogr from gdal-bin is installed");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("is inserted into layer"), "{stderr}");
    for layer in layers {
        let expected = if matches!(layer, "roads" | "project_lines") {
            "MULTILINESTRING"
        } else {
            "MULTIPOLYGON"
        };
        let sql = format!(
            "SELECT g.geometry_type_name, ST_GeometryType(t.geom) AS read, count(*) AS n FROM \"{layer}\" t, gpkg_geometry_columns g WHERE g.table_name = '{layer}' GROUP BY 1, 2"
        );
        let info = Command::new("ogrinfo")
            .args(["-q", "-ro"])
            .arg(&gpkg)
            .args(["-sql", &sql])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.status.success(),
            "{}",
            String::from_utf8_lossy(&info.stderr)
        );
        let declared = format!("geometry_type_name (String) = {expected}");
        let read = format!("read (String) = {expected}");
        assert_eq!(text.matches(&declared).count(), 1, "{layer}: {text}");
        assert_eq!(
            text.matches("read (String) = ").count(),
            1,
            "{layer}: one type only: {text}"
        );
        assert!(text.contains(&read), "{layer}: {text}");
    }
}

// ---------------------------------------------------------------------------------
// Editing as QGIS does it.
//
// What QGIS's OAPIF provider (3.32 and later, where Part 4 editing arrived; read in
// src/providers/wfs/oapif/ of qgis/QGIS: qgsoapifprovider.cpp (init, computeCapabilities,
// addFeatures, changeAttributeValues, changeGeometryValues, deleteFeatures),
// qgsoapif{create,patch,put}featurerequest.cpp and src/providers/wfs/
// qgsbasenetworkrequest.cpp (sendPOST/PUT/PATCH/OPTIONS/DELETE)) sends when it edits:
//
// - The layer CRS: when the server declares Part 2, the `srsname` of the layer URI (the
//   CRS the user picked from the collection's `crs` list), else the collection's storage
//   CRS; else CRS84. Its first page is `items?limit=10&crs=<OGC URI>` for a CRS other than
//   CRS84.
// - Then `computeCapabilities` sends `OPTIONS …/items` and, when the `Allow` header
//   (split on commas, trimmed) lists POST, `OPTIONS …/items/{id}` for the first feature
//   of that page; PUT in that `Allow` enables attribute and geometry changes, DELETE
//   deletions, PATCH makes it patch instead of put. Nothing else of the answer is read
//   (no `Accept-Patch`, no ETag).
// - For any CRS but CRS84 every POST, PUT and geometry PATCH carries `Content-Crs`
//   with the CRS's OGC URI written without angle brackets
//   (`Content-Crs: http://www.opengis.net/def/crs/EPSG/0/4551`), and when the CRS
//   `hasAxisInverted()` (EPSG:4551 does: northing, easting) the geometry is `swapXy()`ed
//   before it is written, so coordinates go out northing first (QGIS holds x = easting).
// - `addFeatures`: one `POST …/items` per feature, `Content-Type: application/geo+json`,
//   the body from `QgsJsonExporter` (every field of the layer, null when unset, in the
//   field order; `id` and `bbox` removed; `properties.id` removed unless the server's
//   features carried one). The new id is what follows the last `/items/` of the
//   `Location` header; then `GET …/items/{id}` refreshes the attributes.
// - `changeAttributeValues` with PATCH: `PATCH …/items/{id}`, `Content-Type:
//   application/merge-patch+json`, body `{"properties": {<changed fields only>}}`, no
//   Content-Crs. `changeGeometryValues` with PATCH: body `{"geometry": …}` with
//   Content-Crs. Without PATCH in `Allow`: the feature as QGIS holds it (all fields,
//   `"id": <feature id>`, no bbox) with the change applied, `PUT …/items/{id}`,
//   `Content-Type: application/geo+json`, Content-Crs.
// - `deleteFeatures`: `DELETE …/items/{id}`, no body.
// - No request carries `If-Match` or `If-Unmodified-Since`; any 2xx is success (an
//   empty body too). Every request is authorised by the layer's QgsAuthorizationSettings
//   (user name and password, or an authentication configuration; the connection's HTTP
//   headers are not passed to these requests), so the bearer token reaches the server
//   through an authentication configuration that sets `Authorization: Bearer …`.
// ---------------------------------------------------------------------------------

const EPSG_4551: &str = "http://www.opengis.net/def/crs/EPSG/0/4551";

/// One HTTP exchange, as a client sees it.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The methods of the `Allow` header, parsed as QGIS's `sendOPTIONS` does.
    fn allowed(&self) -> Vec<String> {
        self.header("allow")
            .split(',')
            .map(|m| m.trim().to_string())
            .collect()
    }
}

/// Sends one request and waits for the whole answer.
fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<String>) -> Answer {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
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
        let headers = resp.headers().clone();
        let body = resp.text().await.unwrap();
        Answer {
            status,
            headers,
            body,
        }
    })
}

/// A token of `role` for `name` in the store at `location`, made with the CLI.
fn cli_token(location: &landreuse::store::StoreLocation, role: &str, name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["token", "create", "--role", role, "--name", name])
        .args(common::store_args(location))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout.lines().last().unwrap_or("").trim().to_string()
}

/// A square ring of `side` metres from (`e`, `n`) in EPSG:4551, easting first (QGIS's
/// own x, y order).
fn square(e: f64, n: f64, side: f64) -> Vec<(f64, f64)> {
    vec![
        (e, n),
        (e + side, n),
        (e + side, n + side),
        (e, n + side),
        (e, n),
    ]
}

/// A MultiPolygon of one ring as QGIS writes it for an axis-inverted CRS: `swapXy()`,
/// so northing first.
fn swapped_multipolygon(ring: &[(f64, f64)]) -> serde_json::Value {
    let coords: Vec<[f64; 2]> = ring.iter().map(|&(e, n)| [n, e]).collect();
    serde_json::json!({"type": "MultiPolygon", "coordinates": [[coords]]})
}

/// The first ring of a served MultiPolygon.
fn served_ring(geometry: &serde_json::Value) -> Vec<(f64, f64)> {
    geometry["coordinates"][0][0]
        .as_array()
        .unwrap_or_else(|| panic!("not a MultiPolygon: {geometry}"))
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect()
}

fn assert_ring(who: &str, got: &[(f64, f64)], want: &[(f64, f64)]) {
    assert_eq!(got.len(), want.len(), "{who}: ring {got:?}, want {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g.0 - w.0).abs() < 0.01 && (g.1 - w.1).abs() < 0.01,
            "{who}: ring {got:?}, want {want:?} (within 1 cm)"
        );
    }
}

/// The ids of the parcels the server selects in an EPSG:4551 box (easting, northing).
fn parcels_in_box(base: &str, (e0, n0, e1, n1): (f64, f64, f64, f64)) -> Vec<String> {
    let body = get_json(&format!(
        "{base}/collections/parcels/items?limit=100&bbox={n0},{e0},{n1},{e1}&bbox-crs={EPSG_4551}"
    ));
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// What GDAL 3.12 and OWSLib read of parcel `fid` (qgis_edit_sequence_check.py).
fn clients_read(
    base: &str,
    fid: &str,
    (e0, n0, e1, n1): (f64, f64, f64, f64),
) -> serde_json::Value {
    let mut args = vec![base.to_string(), "parcels".into(), fid.to_string()];
    args.extend([e0, n0, e1, n1].map(|v| v.to_string()));
    python_check("qgis_edit_sequence_check.py", &args)
}

/// What Debian's `ogrinfo` (GDAL 3.6) lists of the parcels in a CRS84 box.
fn ogrinfo_in(base: &str, (x0, y0, x1, y1): (f64, f64, f64, f64)) -> String {
    let out = Command::new("ogrinfo")
        .args(["-ro", "-q", &format!("OAPIF:{base}"), "parcels", "-spat"])
        .args([x0, y0, x1, y1].map(|v| v.to_string()))
        .output()
        .expect("ogrinfo from gdal-bin is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The properties GDAL and OWSLib read must carry `want`.
fn assert_read_properties(summary: &serde_json::Value, want: &[(&str, serde_json::Value)]) {
    let gdal = &summary["gdal_4551"]["feature"]["properties"];
    let owslib = &summary["owslib"]["feature"]["properties"];
    for (k, v) in want {
        assert_eq!(
            &gdal[*k], v,
            "GDAL {} read {k} = {} (want {v}): {summary}",
            summary["gdal"], gdal[*k]
        );
        assert_eq!(
            &owslib[*k], v,
            "OWSLib read {k} = {} (want {v}): {summary}",
            owslib[*k]
        );
    }
}

/// The request sequence QGIS sends when a GIS engineer adds a parcel in EPSG:4551,
/// edits its attributes, then its geometry, edits it once more as QGIS does against a
/// server without PATCH, and deletes it, against a server started with
/// `--require-precondition false` (QGIS never sends If-Match). After each step GDAL
/// (3.12 through pyogrio, with CRS=EPSG:4551 as QGIS reads; and Debian's ogrinfo 3.6)
/// and OWSLib read what QGIS wrote: the new attributes, the geometry in the place the
/// northing-first coordinates name; after the DELETE the parcel is gone from all of
/// them and its history, every edit by the token's holder, stays.
#[test]
fn the_qgis_edit_sequence_is_read_back_by_gdal_and_owslib() {
    let data = tempfile::tempdir().unwrap();
    let location = common::fresh_location_blocking(data.path());
    let editor = "测绘科 QGIS 张工";
    let token = cli_token(&location, "gis", editor);
    assert!(token.starts_with("lr_"), "token create printed {token:?}");
    let server = serve(data, location, &["--require-precondition", "false"]);
    let base = server.base.clone();
    let items = format!("{base}/collections/parcels/items");
    let bearer = format!("Bearer {token}");
    let auth = ("Authorization", bearer.as_str());

    // An empty spot of the southern built-up area (no parcel, no road) in EPSG:4551,
    // for the new parcel (40 m square) and where its geometry edit moves it.
    let first = square(453_200.0, 4_857_700.0, 40.0);
    let moved = square(453_210.0, 4_857_710.0, 50.0);
    let area = (453_190.0, 4_857_690.0, 453_270.0, 4_857_770.0);
    assert_eq!(
        parcels_in_box(&base, area),
        Vec::<String>::new(),
        "the test's spot of the sample zone is taken; pick another empty one"
    );

    // QGIS opens the layer in EPSG:4551: its first page, then the capabilities.
    let page = send(
        "GET",
        &format!("{items}?limit=10&crs={EPSG_4551}"),
        &[auth],
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let page = page.json();
    let sample_id = page["features"][0]["id"].as_str().unwrap().to_string();
    // The layer's fields are the properties of what it read; no properties.id.
    let fields: Vec<String> = page["features"][0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(!fields.iter().any(|f| f == "id"), "{fields:?}");
    let options = send("OPTIONS", &items, &[auth], None);
    assert_eq!(options.status, 200, "{}", options.body);
    assert!(
        options.allowed().iter().any(|m| m == "POST"),
        "QGIS would not add features: Allow: {}",
        options.header("allow")
    );
    let options = send("OPTIONS", &format!("{items}/{sample_id}"), &[auth], None);
    assert_eq!(options.status, 200, "{}", options.body);
    for m in ["PUT", "PATCH", "DELETE"] {
        assert!(
            options.allowed().iter().any(|a| a == m),
            "QGIS would not enable {m}: Allow: {}",
            options.header("allow")
        );
    }
    // Without the token the layer opens read-only.
    let anonymous = send("OPTIONS", &items, &[], None);
    assert_eq!(anonymous.status, 200, "{}", anonymous.body);
    assert!(
        !anonymous.allowed().iter().any(|m| m == "POST"),
        "Allow: {}",
        anonymous.header("allow")
    );

    // addFeatures: every field, null unless the engineer typed it, northing first.
    let owner = "长春示例机械有限公司";
    let mut properties = serde_json::Map::new();
    for f in &fields {
        properties.insert(f.clone(), serde_json::Value::Null);
    }
    properties.insert("land_use".into(), "M1".into());
    properties.insert("status".into(), "idle".into());
    properties.insert("owner".into(), owner.into());
    let body = serde_json::json!({"type": "Feature", "geometry": swapped_multipolygon(&first),
        "properties": properties});
    let created = send(
        "POST",
        &items,
        &[
            auth,
            ("Content-Type", "application/geo+json"),
            ("Content-Crs", EPSG_4551),
        ],
        Some(body.to_string()),
    );
    assert_eq!(created.status, 201, "POST: {}", created.body);
    let location = created.header("location").to_string();
    assert!(
        location.starts_with(&format!("{items}/")),
        "Location: {location:?}"
    );
    let fid = location.rsplit_once("/items/").unwrap().1.to_string();
    assert!(!fid.is_empty(), "Location: {location:?}");
    // QGIS's refresh of the new feature; the coordinates are where QGIS put them.
    let refreshed = send(
        "GET",
        &format!("{items}/{fid}?crs={EPSG_4551}"),
        &[auth],
        None,
    );
    assert_eq!(refreshed.status, 200, "GET {location}: {}", refreshed.body);
    let refreshed = refreshed.json();
    let ring = served_ring(&refreshed["geometry"]);
    let want: Vec<(f64, f64)> = first.iter().map(|&(e, n)| (n, e)).collect();
    assert_ring("the server's EPSG:4551 answer after the POST", &ring, &want);
    assert_eq!(refreshed["properties"]["zone"], "south", "{refreshed}");
    assert_eq!(refreshed["properties"]["owner"], owner, "{refreshed}");
    let area_m2 = refreshed["properties"]["area_m2"].as_f64().unwrap();
    assert!((area_m2 - 1600.0).abs() < 2.0, "40 m × 40 m: {area_m2} m²");

    // changeAttributeValues by PATCH: the changed fields only, no Content-Crs.
    let new_owner = "长春示例新材料有限公司";
    let patched = send(
        "PATCH",
        &format!("{items}/{fid}"),
        &[auth, ("Content-Type", "application/merge-patch+json")],
        Some(
            serde_json::json!({"properties": {"output_value_wan": 1234.5, "owner": new_owner,
                "status": "vacated"}})
            .to_string(),
        ),
    );
    assert!(
        (200..300).contains(&patched.status),
        "PATCH of the attributes: {} {}",
        patched.status,
        patched.body
    );
    // changeGeometryValues by PATCH: the geometry only, with Content-Crs.
    let patched = send(
        "PATCH",
        &format!("{items}/{fid}"),
        &[
            auth,
            ("Content-Type", "application/merge-patch+json"),
            ("Content-Crs", EPSG_4551),
        ],
        Some(serde_json::json!({"geometry": swapped_multipolygon(&moved)}).to_string()),
    );
    assert!(
        (200..300).contains(&patched.status),
        "PATCH of the geometry: {} {}",
        patched.status,
        patched.body
    );
    let summary = clients_read(&base, &fid, area);
    assert_eq!(summary["gdal_4551"]["crs"], "EPSG:4551", "{summary}");
    assert_eq!(
        summary["gdal_4551"]["ids_in_box"],
        serde_json::json!([fid]),
        "{summary}"
    );
    assert_eq!(
        summary["owslib"]["ids_in_box"],
        serde_json::json!([fid]),
        "{summary}"
    );
    assert_read_properties(
        &summary,
        &[
            ("owner", new_owner.into()),
            ("status", "vacated".into()),
            ("output_value_wan", 1234.5.into()),
            ("land_use", "M1".into()),
            ("zone", "south".into()),
        ],
    );
    let gdal_ring: Vec<(f64, f64)> = summary["gdal_4551"]["feature"]["ring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    assert_ring(
        "GDAL with CRS=EPSG:4551 (easting first)",
        &gdal_ring,
        &moved,
    );
    let crs84 = get_json(&format!("{items}/{fid}"));
    assert_eq!(
        summary["owslib"]["feature"]["geometry"], crs84["geometry"],
        "OWSLib reads the CRS84 geometry the server serves"
    );
    let area_m2 = crs84["properties"]["area_m2"].as_f64().unwrap();
    assert!((area_m2 - 2500.0).abs() < 3.0, "50 m × 50 m: {area_m2} m²");
    // Debian's GDAL 3.6, in CRS84 with a box around the parcel.
    let lonlat = served_ring(&crs84["geometry"]);
    let (x0, x1) = lonlat
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = lonlat
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let spat = (x0 - 0.0002, y0 - 0.0002, x1 + 0.0002, y1 + 0.0002);
    let listing = ogrinfo_in(&base, spat);
    for line in [
        format!("id (String) = {fid}"),
        format!("owner (String) = {new_owner}"),
        "status (String) = vacated".to_string(),
    ] {
        assert!(
            listing.contains(&line),
            "ogrinfo lacks {line:?}:\n{listing}"
        );
    }

    // As QGIS edits against a server without PATCH: the feature as it holds it (read in
    // EPSG:4551 and swapped back: northing first), the change applied, PUT whole.
    let held = send(
        "GET",
        &format!("{items}/{fid}?crs={EPSG_4551}"),
        &[auth],
        None,
    );
    assert_eq!(held.status, 200, "{}", held.body);
    let held = held.json();
    let mut properties = held["properties"].as_object().unwrap().clone();
    let newest_owner = "长春示例精密模具有限公司";
    properties.insert("owner".into(), newest_owner.into());
    properties.insert("land_use".into(), "M2".into());
    let body = serde_json::json!({"type": "Feature", "id": fid, "geometry": held["geometry"],
        "properties": properties});
    let put = send(
        "PUT",
        &format!("{items}/{fid}"),
        &[
            auth,
            ("Content-Type", "application/geo+json"),
            ("Content-Crs", EPSG_4551),
        ],
        Some(body.to_string()),
    );
    assert!(
        (200..300).contains(&put.status),
        "PUT of what QGIS holds, with two fields changed: {} {}",
        put.status,
        put.body
    );
    let summary = clients_read(&base, &fid, area);
    assert_read_properties(
        &summary,
        &[
            ("owner", newest_owner.into()),
            ("land_use", "M2".into()),
            ("land_use_name", "二类工业用地".into()),
            ("status", "vacated".into()),
        ],
    );
    let gdal_ring: Vec<(f64, f64)> = summary["gdal_4551"]["feature"]["ring"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
        .collect();
    assert_ring("GDAL after the PUT", &gdal_ring, &moved);

    // deleteFeatures.
    let deleted = send("DELETE", &format!("{items}/{fid}"), &[auth], None);
    assert!(
        (200..300).contains(&deleted.status),
        "DELETE: {} {}",
        deleted.status,
        deleted.body
    );
    let gone = send("GET", &format!("{items}/{fid}"), &[], None);
    assert_eq!(gone.status, 404, "{}", gone.body);
    let summary = clients_read(&base, &fid, area);
    assert_eq!(
        summary["gdal_4551"]["ids_in_box"],
        serde_json::json!([]),
        "GDAL still reads the deleted parcel: {summary}"
    );
    assert_eq!(
        summary["owslib"]["ids_in_box"],
        serde_json::json!([]),
        "{summary}"
    );
    assert!(summary["owslib"]["feature"].is_null(), "{summary}");
    assert!(
        summary["owslib"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("feature.retired")),
        "OWSLib's error says the parcel was retired: {summary}"
    );
    let listing = ogrinfo_in(&base, spat);
    assert!(
        !listing.contains(&fid),
        "ogrinfo still lists {fid}:\n{listing}"
    );

    // Every write of QGIS is in the parcel's history, by the token's holder.
    let history = get_json(&format!("{base}/parcels/{fid}/history"));
    let edits: Vec<(&str, &str)> = history["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["action"]
                .as_str()
                .is_some_and(|a| a.starts_with("feature."))
        })
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        edits,
        vec![
            ("feature.created", editor),
            ("feature.updated", editor),
            ("feature.updated", editor),
            ("feature.updated", editor),
            ("feature.retired", editor),
        ],
        "{history}"
    );
}
