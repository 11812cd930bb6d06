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
    let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
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
