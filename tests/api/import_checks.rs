//! Imports that carry the common coordinate and code mistakes of survey data: each is
//! refused with an explanation of what was detected and which option reads it right,
//! and nothing is stored.

use std::sync::atomic::{AtomicUsize, Ordering};

use landreuse::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{fixture_text, spawn_sample, TestApp};

/// A one-parcel FeatureCollection with the given ring and optional crs member.
fn parcel(id: &str, ring: &[(f64, f64)], crs: Option<&str>, land_use: &str) -> String {
    let mut fc = json!({
        "type": "FeatureCollection",
        "features": [{
            "type": "Feature",
            "id": id,
            "properties": {"parcel_id": id, "land_use": land_use, "status": "active"},
            "geometry": {"type": "Polygon", "coordinates": [ring.iter().map(|(a, b)| json!([a, b])).collect::<Vec<_>>()]}
        }]
    });
    if let Some(name) = crs {
        fc["crs"] = json!({"type": "name", "properties": {"name": name}});
    }
    fc.to_string()
}

/// A 100 m square (about) in lon/lat near 世纪大街.
fn lonlat_square() -> Vec<(f64, f64)> {
    vec![
        (125.4050, 43.8640),
        (125.4062, 43.8640),
        (125.4062, 43.8649),
        (125.4050, 43.8649),
        (125.4050, 43.8640),
    ]
}

/// A fresh token of the gis role (token names are unique).
async fn gis_token(app: &TestApp) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    app.token(Role::Gis, &format!("gis-{n}")).await
}

/// Imports `body` with `query`; asserts the refusal's status, that its detail holds
/// every `needle`, and that the store is unchanged.
async fn refused(app: &TestApp, query: &str, body: String, status: u16, needles: &[&str]) {
    let token = gis_token(app).await;
    let before = app.store_snapshot().await;
    let r = app.post_import(query, body, Some(&token)).await;
    assert_eq!(r.status().as_u16(), status, "{query}");
    let problem: Value = r.json().await.unwrap();
    let text = problem.to_string();
    for n in needles {
        assert!(text.contains(n), "{n:?} missing from {text}");
    }
    assert_eq!(app.store_snapshot().await, before, "nothing is stored");
}

fn gk_ring(false_easting: f64) -> Vec<(f64, f64)> {
    let v: Value = serde_json::from_str(&fixture_text("gk4551_parcel.geojson")).unwrap();
    v["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_f64().unwrap() - 500_000.0 + false_easting,
                p[1].as_f64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn zone_prefixed_eastings_declared_as_4551_point_to_4530() {
    let app = spawn_sample().await;
    let body = parcel("GK-1", &gk_ring(42_500_000.0), Some("EPSG:4551"), "M1");
    refused(&app, "", body, 400, &["zone prefix 42", "--crs EPSG:4530"]).await;
    let body = parcel("GK-1", &gk_ring(42_500_000.0), None, "M1");
    let token = gis_token(&app).await;
    let r = app.post_import("?crs=EPSG:4530", body, Some(&token)).await;
    assert_eq!(r.status(), 201, "the remedy works");
}

#[tokio::test]
async fn eastings_without_prefix_declared_as_4530_point_to_4551() {
    let app = spawn_sample().await;
    let body = parcel("GK-2", &gk_ring(500_000.0), None, "M1");
    refused(
        &app,
        "?crs=EPSG:4530",
        body,
        400,
        &["no zone prefix", "--crs EPSG:4551"],
    )
    .await;
}

#[tokio::test]
async fn latitude_first_positions_are_recognised_and_read_with_the_axis_option() {
    let app = spawn_sample().await;
    let swapped: Vec<(f64, f64)> = lonlat_square().iter().map(|(x, y)| (*y, *x)).collect();
    refused(
        &app,
        "",
        parcel("LL-1", &swapped, None, "B1"),
        400,
        &["latitude/longitude order", "--axis-order north-east"],
    )
    .await;
    let token = gis_token(&app).await;
    let r = app
        .post_import(
            "?crs=EPSG:4490&axis_order=north-east",
            parcel("LL-1", &swapped, None, "B1"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 201);
    let (_, f) = app.get_json("/collections/parcels/items/LL-1").await;
    assert_eq!(
        f["geometry"]["coordinates"][0][0][0],
        json!([125.4050, 43.8640])
    );
    // Gauss-Kruger northing first is caught the same way.
    let ne: Vec<(f64, f64)> = gk_ring(500_000.0).iter().map(|(e, n)| (*n, *e)).collect();
    refused(
        &app,
        "?crs=EPSG:4551",
        parcel("GK-3", &ne, None, "M1"),
        400,
        &[
            "northing comes before its easting",
            "--crs EPSG:4551 --axis-order north-east",
        ],
    )
    .await;
}

#[tokio::test]
async fn projected_numbers_declared_as_degrees_name_the_projection() {
    let app = spawn_sample().await;
    refused(
        &app,
        "",
        parcel("PD-1", &gk_ring(500_000.0), None, "M1"),
        400,
        &["projected metres", "declared in degrees", "--crs EPSG:4551"],
    )
    .await;
    refused(
        &app,
        "",
        parcel("PD-2", &gk_ring(42_500_000.0), Some("EPSG:4326"), "M1"),
        400,
        &["--crs EPSG:4530"],
    )
    .await;
    refused(
        &app,
        "?crs=EPSG:4551",
        parcel("PD-3", &lonlat_square(), None, "M1"),
        400,
        &["holds degrees", "--crs EPSG:4490"],
    )
    .await;
}

#[tokio::test]
async fn a_parcel_far_from_the_zone_is_refused_with_its_distance() {
    let app = spawn_sample().await;
    // Right shape, wrong place: a square in Shanghai.
    let shanghai: Vec<(f64, f64)> = lonlat_square()
        .iter()
        .map(|(x, y)| (x - 3.93, y - 12.63))
        .collect();
    refused(
        &app,
        "",
        parcel("FAR-1", &shanghai, None, "M1"),
        422,
        &["FAR-1", "km from the development zone", "lon 121.4"],
    )
    .await;
}

/// GCJ-02 coordinates (as digitised on AMap) are shifted back to WGS84: the first
/// vertex lands where the independent `coord-convert` package puts it.
#[tokio::test]
async fn gcj02_coordinates_are_shifted_back_to_wgs84() {
    let app = spawn_sample().await;
    let v: Value = serde_json::from_str(&fixture_text("gcj02_points.json")).unwrap();
    let p = &v["points"][0];
    let (gx, gy) = (
        p["gcj02_lon"].as_f64().unwrap(),
        p["gcj02_lat"].as_f64().unwrap(),
    );
    let ring = vec![
        (gx, gy),
        (gx + 0.001, gy),
        (gx + 0.001, gy + 0.001),
        (gx, gy + 0.001),
        (gx, gy),
    ];
    let token = gis_token(&app).await;
    let r = app
        .post_import(
            "?crs=GCJ02",
            parcel("GCJ-1", &ring, None, "B2"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 201);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["source_crs"], "GCJ02");
    let (_, f) = app.get_json("/collections/parcels/items/GCJ-1").await;
    let first = &f["geometry"]["coordinates"][0][0][0];
    let (lon, lat) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
    assert!(
        (lon - p["wgs84_lon"].as_f64().unwrap()).abs() < 1e-8,
        "{lon}"
    );
    assert!(
        (lat - p["wgs84_lat"].as_f64().unwrap()).abs() < 1e-8,
        "{lat}"
    );
}

#[tokio::test]
async fn an_unknown_land_use_code_names_the_nearest_known_codes() {
    let app = spawn_sample().await;
    refused(
        &app,
        "",
        parcel("LU-1", &lonlat_square(), None, "M4"),
        422,
        &["LU-1", "\\\"M4\\\"", "M3"],
    )
    .await;
    let token = gis_token(&app).await;
    let r = app
        .post_import(
            "",
            parcel("LU-2", &lonlat_square(), None, "b2"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 201);
    let (_, f) = app.get_json("/collections/parcels/items/LU-2").await;
    let p = &f["properties"];
    assert_eq!(
        p["land_use"], "B2",
        "codes are stored in their canonical spelling"
    );
    assert_eq!(p["land_use_gbt21010"], "0505");
    assert_eq!(p["land_use_tk2020"], "0902");
    assert!(p["land_use_name"].as_str().unwrap().contains("商务"));
}

#[tokio::test]
async fn heights_oversized_properties_and_huge_geometries_are_refused_naming_what() {
    let app = spawn_sample().await;
    // 3D: refused, not silently flattened.
    let mut fc: Value = serde_json::from_str(&parcel("Z-1", &lonlat_square(), None, "M1")).unwrap();
    fc["features"][0]["geometry"]["coordinates"][0][2] = json!([125.4062, 43.8649, 212.5]);
    refused(
        &app,
        "",
        fc.to_string(),
        422,
        &[
            "3 numbers (125.4062, 43.8649, 212.5)",
            "two dimensions",
            "-dim XY",
        ],
    )
    .await;
    // A 100 kB property.
    let mut fc: Value =
        serde_json::from_str(&parcel("BIG-1", &lonlat_square(), None, "M1")).unwrap();
    fc["features"][0]["properties"]["scan"] = json!("地".repeat(40_000));
    refused(
        &app,
        "",
        fc.to_string(),
        422,
        &["property scan of 120000 bytes", "65536"],
    )
    .await;
    // A geometry of 300,000 positions.
    let mut ring: Vec<(f64, f64)> = (0..300_000)
        .map(|i| {
            let t = f64::from(i) / 300_000.0 * std::f64::consts::TAU;
            (125.405 + 0.001 * t.cos(), 43.864 + 0.001 * t.sin())
        })
        .collect();
    ring.push(ring[0]);
    refused(
        &app,
        "",
        parcel("HUGE-1", &ring, None, "M1"),
        422,
        &["300001 positions", "at most 250000"],
    )
    .await;
    // A crs member after the features: the advice names both ways to give it.
    let mut fc: Value =
        serde_json::from_str(&parcel("LATE-1", &lonlat_square(), None, "M1")).unwrap();
    let features = fc["features"].take();
    let text = format!(
        r#"{{"type":"FeatureCollection","features":{features},"crs":{{"type":"name","properties":{{"name":"EPSG:4490"}}}}}}"#
    );
    refused(
        &app,
        "",
        text,
        400,
        &[
            "comes after the first feature",
            "the crs parameter of POST /imports",
        ],
    )
    .await;
    // The same checks hold for a single-feature write.
    let token = gis_token(&app).await;
    let r = app
        .client
        .post(format!("{}/collections/parcels/items", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/geo+json")
        .body(
            json!({"type": "Feature", "properties": {"land_use": "M1"},
            "geometry": {"type": "Polygon", "coordinates": [[[125.405, 43.864, 210.0], [125.406, 43.864, 210.0],
                [125.406, 43.865, 210.0], [125.405, 43.864, 210.0]]]}})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("two dimensions"),
        "{problem}"
    );
}
