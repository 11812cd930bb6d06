//! Public projects: the project API with its checks, targets against the sample data,
//! and the school coverage analysis on a small hand-drawn zone whose answer is known.

use landreuse::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_empty, spawn_sample, TestApp};

/// A square of about `side` metres centred at (lon, lat).
fn square(lon: f64, lat: f64, side: f64) -> Value {
    let (dx, dy) = (side / 2.0 / 80_300.0, side / 2.0 / 111_100.0);
    json!({"type": "Polygon", "coordinates": [[[lon - dx, lat - dy], [lon + dx, lat - dy], [lon + dx, lat + dy], [lon - dx, lat + dy], [lon - dx, lat - dy]]]})
}

/// Metres north of `lat` in degrees.
fn north(metres: f64) -> f64 {
    metres / 111_100.0
}

async fn send(app: &TestApp, method: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
    let url = format!("{}{path}", app.base);
    let req = match method {
        "POST" => app.client.post(url),
        _ => app.client.patch(url),
    };
    let r = req.bearer_auth(token).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn school(id: &str, level: &str, status: &str, geometry: &Value) -> Value {
    json!({"type": "Feature", "id": id, "geometry": geometry, "properties": {
        "name": id, "kind": "existing", "level": level, "classes": 24, "seats": 1080, "status": status}})
}

#[tokio::test]
async fn the_project_api_checks_what_it_stores() {
    let app = spawn_empty().await;
    let planner = app.token(Role::Planner, "规划科 王工").await;
    let (status, body) = send(&app, "POST", "/schools", &planner, &json!({"type": "Feature", "id": "SCH-T1",
        "geometry": square(125.40, 43.86, 150.0),
        "properties": {"name": "经开区试验小学", "kind": "new", "level": "primary", "classes": 24, "seats": 1080,
                       "investment_wan": 18000, "status": "planned", "percent_complete": 0}})).await;
    assert_eq!(status, 201, "{body}");
    assert!((body["properties"]["area_m2"].as_f64().unwrap() - 22_500.0).abs() < 300.0);
    let before = app.store_snapshot().await;
    let events = app.state.store.last_event_id().await.unwrap();
    for (path, feature, words) in [
        (
            "/schools",
            json!({"type": "Feature", "id": "SCH-T2", "geometry": square(125.41, 43.86, 100.0),
            "properties": {"name": "x", "kind": "new", "level": "primary", "seats": -40, "status": "planned"}}),
            "seats = -40",
        ),
        (
            "/projects",
            json!({"type": "Feature", "id": "PRJ-T1", "geometry": square(125.41, 43.86, 100.0),
            "properties": {"name": "深圳街改造", "kind": "street_renovation", "status": "planned"}}),
            "LineString",
        ),
        (
            "/projects",
            json!({"type": "Feature", "id": "PRJ-T2",
            "geometry": {"type": "LineString", "coordinates": [[116.40, 39.90], [116.41, 39.90]]},
            "properties": {"name": "elsewhere", "kind": "lighting", "status": "planned"}}),
            "km from the development zone",
        ),
        (
            "/projects",
            json!({"type": "Feature", "id": "PRJ-T3", "geometry": square(125.41, 43.86, 100.0),
            "properties": {"name": "x", "kind": "greening", "status": "finished"}}),
            "status",
        ),
        (
            "/projects",
            json!({"type": "Feature", "id": "PRJ-T4", "geometry": square(125.41, 43.86, 100.0),
            "properties": {"name": "x", "kind": "greening", "status": "planned", "percent_complete": 140}}),
            "from 0 to 100",
        ),
    ] {
        let (status, body) = send(&app, "POST", path, &planner, &feature).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body.to_string().contains(words),
            "{words:?} missing from {body}"
        );
    }
    assert_eq!(app.store_snapshot().await, before, "nothing stored");
    assert_eq!(
        app.state.store.last_event_id().await.unwrap(),
        events,
        "no event"
    );
    let (status, _) = send(&app, "POST", "/schools", &planner, &json!({"type": "Feature", "id": "SCH-T1",
        "geometry": square(125.40, 43.86, 150.0), "properties": {"name": "dup", "kind": "new", "level": "primary", "status": "planned"}})).await;
    assert_eq!(status, 409);
    let (status, body) = send(
        &app,
        "PATCH",
        "/schools/SCH-T1",
        &planner,
        &json!({"status": "under_construction", "percent_complete": 35}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["properties"]["status"], "under_construction");
    assert_eq!(
        body["properties"]["seats"], 1080,
        "other properties are kept"
    );
    let history = app
        .state
        .store
        .feature_history(landreuse::domain::Collection::Schools, "SCH-T1")
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].actor, "规划科 王工");
    let gis = app.token(Role::Gis, "gis").await;
    let (status, _) = send(&app, "PATCH", "/schools/SCH-T1", &gis, &json!({"seats": 1})).await;
    assert_eq!(status, 403, "planners run projects");
    // What the planned school overlaps: a reserved parcel under its corner, not an
    // active one beside it, and a greening project across it.
    let parcels = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(125.4008, 43.8606, 60.0), "properties": {"parcel_id": "R-UNDER", "zone": "south", "land_use": "M1", "status": "reserved"}},
        {"type": "Feature", "geometry": square(125.4030, 43.8600, 60.0), "properties": {"parcel_id": "A-BESIDE", "zone": "south", "land_use": "M1", "status": "reserved"}},
    ]});
    assert_eq!(
        app.post_import("", parcels.to_string(), Some(&gis))
            .await
            .status(),
        201
    );
    let (status, body) = send(&app, "POST", "/projects", &planner, &json!({"type": "Feature", "id": "PRJ-G1",
        "geometry": square(125.4000, 43.8600, 40.0), "properties": {"name": "校园绿化", "kind": "greening", "status": "planned"}})).await;
    assert_eq!(status, 201, "{body}");
    let (_, o) = app.get_json("/analysis/overlaps?school=SCH-T1").await;
    let ids = |k: &str| -> Vec<String> {
        o[k].as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("reserved_parcels"), ["R-UNDER"]);
    assert_eq!(ids("projects"), ["PRJ-G1"]);
    assert!(
        ids("schools").is_empty(),
        "a school does not overlap itself"
    );
}

/// Two primary schools (one completed, one planned) and a middle school; residential
/// parcels at known distances from them; a commercial parcel far away. The gaps are
/// known by construction.
#[tokio::test]
async fn coverage_gaps_on_a_hand_drawn_zone() {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let (lon, lat) = (125.40, 43.86);
    let schools = json!({"type": "FeatureCollection", "features": [
        school("P-OLD", "primary", "completed", &square(lon, lat, 100.0)),
        school("P-NEW", "primary", "planned", &square(lon, lat + north(3000.0), 100.0)),
        school("M-ONE", "middle", "completed", &square(lon, lat + north(1500.0), 100.0)),
    ]});
    assert_eq!(
        app.post_import("?collection=schools", schools.to_string(), Some(&gis))
            .await
            .status(),
        201
    );
    // Parcels 60 m squares; distance from the school's edge (50 m from its centre) to the
    // parcel's edge (30 m from its centre) = offset − 80 m.
    let parcel = |id: &str, offset: f64, land_use: &str| {
        json!({"type": "Feature", "geometry": square(lon, lat + north(offset), 60.0),
        "properties": {"parcel_id": id, "zone": "south", "land_use": land_use, "status": "active"}})
    };
    let parcels = json!({"type": "FeatureCollection", "features": [
        parcel("R-NEAR", 400.0, "R2"),    // 320 m from P-OLD, 1,020 m from M-ONE
        parcel("R-EDGE", 575.0, "0701"),  // 495 m from P-OLD, 845 m from M-ONE
        parcel("R-FAR", 1000.0, "R2"),    // 920 m from P-OLD, 420 m from M-ONE
        parcel("R-NORTH", 2900.0, "R2"),  // 20 m from the planned P-NEW, 1,320 m from M-ONE
        parcel("B-FAR", 2000.0, "B1"),    // commercial: never a gap
    ]});
    assert_eq!(
        app.post_import("", parcels.to_string(), Some(&gis))
            .await
            .status(),
        201
    );
    let ids = |v: &Value| -> Vec<String> {
        let mut ids: Vec<String> = v["parcels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let (status, primary) = app.get_json("/analysis/coverage-gaps?level=primary").await;
    assert_eq!(status, 200, "{primary}");
    assert_eq!(primary["residential_parcels"], 4);
    assert_eq!(ids(&primary), ["R-FAR", "R-NORTH"]);
    let (_, planned) = app
        .get_json("/analysis/coverage-gaps?level=primary&planned=true")
        .await;
    assert_eq!(
        ids(&planned),
        ["R-FAR"],
        "the planned school closes the northern gap"
    );
    let (_, middle) = app.get_json("/analysis/coverage-gaps?level=middle").await;
    assert_eq!(ids(&middle), ["R-NEAR", "R-NORTH"]);
    assert!((middle["gap_area"]["m2"].as_f64().unwrap() - 7200.0).abs() < 100.0);
    // Nearest schools from a parcel, by geodesic distance.
    let (_, near) = app
        .get_json("/analysis/nearest-schools?parcel=R-FAR&k=2")
        .await;
    let got: Vec<(&str, f64)> = near["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["distance_m"].as_f64().unwrap()))
        .collect();
    assert_eq!(got[0].0, "M-ONE");
    assert!((got[0].1 - 420.0).abs() < 2.0, "{got:?}");
    assert_eq!(got[1].0, "P-OLD");
    assert!((got[1].1 - 920.0).abs() < 3.0, "{got:?}");
    let (_, near) = app
        .get_json(&format!(
            "/analysis/nearest-schools?point={lon},{}&level=primary&k=1",
            lat + north(2000.0)
        ))
        .await;
    assert_eq!(near["schools"][0]["id"], "P-NEW");
    let (status, _) = app.get_json("/analysis/coverage-gaps?level=high").await;
    assert_eq!(status, 400);
    let (status, _) = app.get_json("/analysis/nearest-schools?point=abc").await;
    assert_eq!(status, 400);
    let (status, _) = app.get_json("/analysis/nearest-schools?parcel=NOPE").await;
    assert_eq!(status, 404);
    // Within a distance: parcels within 500 m of the middle school (both 420 m away,
    // ties in serving order).
    let (_, w) = app
        .get_json("/analysis/within?school=M-ONE&distance=500")
        .await;
    let ids: Vec<&str> = w["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["R-FAR", "B-FAR"]);
    let (_, w) = app
        .get_json("/analysis/within?school=M-ONE&distance=400")
        .await;
    assert_eq!(w["matched"], 0);
}

/// The sample zone's projects meet the programme's targets: 4 new schools and 1
/// expansion with 147 classes and 6,960 seats for 1.1 bn yuan on 145,000 m², 8 roads,
/// 11 quarters, 270,000 m² of greening and 12 km of lighting.
#[tokio::test]
async fn the_sample_targets_add_up() {
    let app = spawn_sample().await;
    let (status, body) = app.get_json("/targets").await;
    assert_eq!(status, 200);
    let targets = body["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 10, "{body}");
    let total = |id: &str| -> f64 {
        targets
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("target {id}"))["total"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(total("schools_new"), 4.0);
    assert_eq!(total("schools_expanded"), 1.0);
    assert_eq!(total("school_classes"), 147.0);
    assert_eq!(total("school_seats"), 6960.0);
    assert_eq!(total("school_investment"), 110_000.0);
    assert_eq!(total("roads_renovated"), 8.0);
    assert_eq!(total("quarters_renovated"), 11.0);
    for (id, want) in [
        ("school_land", 145_000.0),
        ("greening", 270_000.0),
        ("lighting", 12_000.0),
    ] {
        let got = total(id);
        assert!((got - want).abs() / want < 0.005, "{id}: {got} vs {want}");
    }
    for t in targets {
        let parts = t["planned"].as_f64().unwrap()
            + t["under_way"].as_f64().unwrap()
            + t["completed"].as_f64().unwrap();
        assert!((parts - t["total"].as_f64().unwrap()).abs() < 0.02, "{t}");
    }
    let (_, gaps) = app.get_json("/analysis/coverage-gaps?level=primary").await;
    assert!(
        gaps["gaps"].as_u64().unwrap() > 0,
        "the sample has primary-school gaps"
    );
    let (_, all) = app
        .get_json("/analysis/coverage-gaps?level=primary&planned=true")
        .await;
    assert!(
        all["gaps"].as_u64() < gaps["gaps"].as_u64(),
        "planned schools close gaps"
    );
    // Parcels along 深圳街, by the road's name, nearest first.
    let (status, w) = app
        .get_json("/analysis/within?road=深圳街&distance=100")
        .await;
    assert_eq!(status, 200, "{w}");
    let d: Vec<f64> = w["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["distance_m"].as_f64().unwrap())
        .collect();
    assert!(!d.is_empty() && d.iter().all(|x| *x <= 100.0) && d.windows(2).all(|p| p[0] <= p[1]));
}
