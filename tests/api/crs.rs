//! OGC API – Features Part 2 (CRS by reference) against values computed independently
//! of the service: Debian's PROJ `cs2cs` and GeographicLib (tests/fixtures/README.md).

use geo::{Geometry, Intersects, Rect};
use serde_json::Value;

use crate::helpers::{fixture_text, ids, spawn_sample, TestApp};

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";

fn epsg(code: u32) -> String {
    format!("http://www.opengis.net/def/crs/EPSG/0/{code}")
}

fn points() -> Vec<Value> {
    let v: Value = serde_json::from_str(&fixture_text("crs_points.json")).unwrap();
    v["points"].as_array().unwrap().clone()
}

/// The first position of a served feature, and the response's Content-Crs.
async fn first_position(app: &TestApp, path: &str) -> ((f64, f64), String) {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let crs = r
        .headers()
        .get("content-crs")
        .expect("Content-Crs header")
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = r.json().await.unwrap();
    let feature = if body["type"] == "FeatureCollection" {
        body["features"][0].clone()
    } else {
        body
    };
    let g = &feature["geometry"];
    let mut p = &g["coordinates"];
    while p[0].is_array() {
        p = &p[0];
    }
    ((p[0].as_f64().unwrap(), p[1].as_f64().unwrap()), crs)
}

fn close(got: (f64, f64), want: (f64, f64), tolerance: f64, what: &str) {
    assert!(
        (got.0 - want.0).abs() <= tolerance && (got.1 - want.1).abs() <= tolerance,
        "{what}: got {got:?}, expected {want:?} within {tolerance}"
    );
}

#[tokio::test]
async fn collections_list_every_supported_crs_and_the_storage_crs() {
    let app = spawn_sample().await;
    let (_, conf) = app.get_json("/conformance").await;
    assert!(conf["conformsTo"]
        .as_array()
        .unwrap()
        .contains(&"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs".into()));
    let (_, c) = app.get_json("/collections/parcels").await;
    let listed: Vec<&str> = c["crs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut wanted = vec![CRS84.to_string()];
    wanted.extend([4326, 4490, 4530, 4551, 3857].map(epsg));
    assert_eq!(listed, wanted);
    assert_eq!(c["storageCrs"], CRS84);
}

/// Each supported CRS writes the parcel vertices where cs2cs puts them, in the CRS's
/// authority axis order: latitude first for 4326 and 4490, northing first for the
/// Gauss-Kruger CRSs, x first for Web Mercator. Transforms agree to 1 cm.
#[tokio::test]
async fn every_crs_writes_cs2cs_coordinates_in_authority_axis_order() {
    let app = spawn_sample().await;
    let vertices: Vec<Value> = points()
        .into_iter()
        .filter(|p| p["parcel_id"].is_string())
        .collect();
    assert_eq!(vertices.len(), 3);
    for p in vertices {
        let id = p["parcel_id"].as_str().unwrap();
        let (lon, lat) = (p["lon"].as_f64().unwrap(), p["lat"].as_f64().unwrap());
        let item = format!("/collections/parcels/items/{id}");
        let (got, crs) = first_position(&app, &item).await;
        close(got, (lon, lat), 1e-9, "CRS84 by default");
        assert_eq!(crs, format!("<{CRS84}>"));
        for code in [4326, 4490] {
            let (got, crs) = first_position(&app, &format!("{item}?crs={}", epsg(code))).await;
            close(
                got,
                (lat, lon),
                1e-9,
                &format!("EPSG:{code} is latitude first"),
            );
            assert_eq!(crs, format!("<{}>", epsg(code)));
        }
        for code in [4551, 4530] {
            let key = format!("epsg{code}");
            let want = (
                p[&key]["northing"].as_f64().unwrap(),
                p[&key]["easting"].as_f64().unwrap(),
            );
            let (got, crs) = first_position(&app, &format!("{item}?crs={}", epsg(code))).await;
            close(got, want, 0.01, &format!("EPSG:{code} is northing first"));
            assert_eq!(crs, format!("<{}>", epsg(code)));
        }
        let want = (
            p["epsg3857"]["x"].as_f64().unwrap(),
            p["epsg3857"]["y"].as_f64().unwrap(),
        );
        let (got, _) = first_position(&app, &format!("{item}?crs={}", epsg(3857))).await;
        close(got, want, 0.01, "EPSG:3857 is x first");
        // Pages carry the header and the same coordinates as single items.
        let page = format!(
            "/collections/parcels/items?crs={}&bbox={},{},{},{}",
            epsg(4551),
            lon - 1e-7,
            lat - 1e-7,
            lon + 1e-7,
            lat + 1e-7
        );
        let (_, crs) = first_position(&app, &page).await;
        assert_eq!(crs, format!("<{}>", epsg(4551)));
    }
}

#[tokio::test]
async fn a_latitude_first_bbox_selects_what_the_crs84_box_selects() {
    let app = spawn_sample().await;
    let (_, a) = app
        .get_json("/collections/parcels/items?bbox=125.39,43.85,125.41,43.87&limit=10000")
        .await;
    for code in [4326, 4490] {
        let (status, b) = app
            .get_json(&format!(
                "/collections/parcels/items?bbox=43.85,125.39,43.87,125.41&bbox-crs={}&limit=10000",
                epsg(code)
            ))
            .await;
        assert_eq!(status, 200);
        assert!(!ids(&a).is_empty());
        assert_eq!(ids(&a), ids(&b), "EPSG:{code}");
        assert_eq!(a["numberMatched"], b["numberMatched"]);
    }
}

/// A Gauss-Kruger box selects exactly the parcels whose Gauss-Kruger geometry (as the
/// server writes it) intersects the box: a box straight in the projection, slightly
/// curved in lon/lat.
#[tokio::test]
async fn a_gauss_kruger_bbox_selects_the_parcels_it_meets_in_the_projection() {
    let app = spawn_sample().await;
    let (_, all) = app
        .get_json(&format!(
            "/collections/parcels/items?crs={}&limit=10000",
            epsg(4551)
        ))
        .await;
    // Northing first: (min N, min E, max N, max E) around 世纪大街 / 自由大路.
    let (n0, e0, n1, e1) = (4_857_000.0, 450_500.0, 4_860_000.0, 453_000.0);
    let window = Rect::new((n0, e0), (n1, e1));
    let mut expected = Vec::new();
    for f in all["features"].as_array().unwrap() {
        let g: geojson::Geometry = serde_json::from_value(f["geometry"].clone()).unwrap();
        let g: Geometry<f64> = g.try_into().unwrap();
        if g.intersects(&window) {
            expected.push(f["id"].as_str().unwrap().to_string());
        }
    }
    assert!(expected.len() > 20, "the box holds parcels");
    for zone_prefix in [0.0, 42_000_000.0] {
        let code = if zone_prefix == 0.0 { 4551 } else { 4530 };
        let (status, b) = app
            .get_json(&format!(
                "/collections/parcels/items?bbox={n0},{},{n1},{}&bbox-crs={}&limit=10000",
                e0 + zone_prefix,
                e1 + zone_prefix,
                epsg(code)
            ))
            .await;
        assert_eq!(status, 200, "{b}");
        assert_eq!(ids(&b), expected, "EPSG:{code}");
    }
}

#[tokio::test]
async fn an_unsupported_crs_is_refused_naming_the_supported_list() {
    let app = spawn_sample().await;
    for query in [
        format!("crs={}", epsg(2385)),
        "crs=GCJ02".to_string(),
        format!("bbox=1,2,3,4&bbox-crs={}", epsg(32651)),
    ] {
        let (status, body) = app
            .get_json(&format!("/collections/parcels/items?{query}"))
            .await;
        assert_eq!(status, 400, "{query}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(&epsg(4551)), "{detail}");
        assert!(detail.contains(CRS84), "{detail}");
    }
    let (status, body) = app
        .get_json(&format!(
            "/collections/parcels/items/ETDZ-S-000001?crs={}",
            epsg(2385)
        ))
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = app
        .get_json(&format!(
            "/collections/parcels/items?bbox-crs={}",
            epsg(4326)
        ))
        .await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("without a bbox"));
}

/// Areas are geodesic on the ellipsoid, agreeing with GeographicLib to 0.01 %.
#[tokio::test]
async fn parcel_measures_agree_with_geographiclib() {
    let app = spawn_sample().await;
    let v: Value = serde_json::from_str(&fixture_text("crs_points.json")).unwrap();
    let m = &v["parcel_measures"];
    let (_, f) = app
        .get_json(&format!(
            "/collections/parcels/items/{}",
            m["parcel_id"].as_str().unwrap()
        ))
        .await;
    let p = &f["properties"];
    let area = p["area_m2"].as_f64().unwrap();
    let want = m["area_m2"].as_f64().unwrap();
    assert!((area - want).abs() / want < 1e-4, "area {area} vs {want}");
    let per = p["perimeter_m"].as_f64().unwrap();
    let want_per = m["perimeter_m"].as_f64().unwrap();
    assert!(
        (per - want_per).abs() / want_per < 1e-4,
        "{per} vs {want_per}"
    );
    assert!((p["area_ha"].as_f64().unwrap() - area / 10_000.0).abs() < 1e-4);
    assert!((p["area_mu"].as_f64().unwrap() - area * 15.0 / 10_000.0).abs() < 1e-3);
}
