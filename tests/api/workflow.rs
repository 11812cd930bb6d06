//! The 腾笼换鸟 workflow told as whole stories over HTTP, on a small hand-made zone:
//! zombie land into reserve, split into lots and supplied for headquarters; a firm
//! relocating south → north; two planners deciding at once; grades following figures.

use std::sync::atomic::{AtomicUsize, Ordering};

use landreuse::auth::Role;
use serde_json::{json, Value};

use crate::helpers::{spawn_empty, TestApp};

/// A square parcel of about `size_m` metres with its south-west corner at (lon, lat).
fn square(code: &str, lon: f64, lat: f64, size_m: f64, props: Value) -> Value {
    let (dx, dy) = (size_m / 80_300.0, size_m / 111_100.0);
    let mut properties = props;
    properties["parcel_id"] = json!(code);
    json!({"type": "Feature", "properties": properties, "geometry": {"type": "Polygon", "coordinates": [[
        [lon, lat], [lon + dx, lat], [lon + dx, lat + dy], [lon, lat + dy], [lon, lat]]]}})
}

const ZOMBIE: &str = "僵尸示例机械厂";
const MOVER: &str = "吉林示例汽车零部件有限公司";
const GOOD: &str = "长春示例光电有限公司";

/// The zone of the stories: zombie land and two firms in the south, free land in the
/// north; the firms' figures come in through the enterprises API.
async fn zone() -> (TestApp, String) {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let planner = app.token(Role::Planner, "规划科 王工").await;
    let fc = json!({"type": "FeatureCollection", "features": [
        square("S-ZOMBIE", 125.4000, 43.8550, 90.0, json!({"zone": "south", "land_use": "M2", "status": "zombie", "owner": ZOMBIE})),
        square("S-MOVER", 125.4100, 43.8550, 120.0, json!({"zone": "south", "land_use": "M1", "status": "active", "owner": MOVER})),
        square("S-GOOD", 125.4200, 43.8550, 100.0, json!({"zone": "south", "land_use": "M1", "status": "active", "owner": GOOD})),
        square("N-FREE", 125.4600, 43.9500, 150.0, json!({"zone": "north", "land_use": "M1", "status": "idle"})),
        square("S-IDLE", 125.4300, 43.8550, 80.0, json!({"zone": "south", "land_use": "M1", "status": "idle"})),
        square("S-RESERVED", 125.4400, 43.8550, 80.0, json!({"zone": "south", "land_use": "M1", "status": "reserved"})),
    ]});
    let r = app.post_import("", fc.to_string(), Some(&gis)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    for (name, output, tax) in [
        (ZOMBIE, 10.0, 0.5),
        (MOVER, 9000.0, 400.0),
        (GOOD, 20000.0, 900.0),
    ] {
        let (status, e) = send(
            &app,
            "PATCH",
            &format!("/enterprises/{}", enterprise_id(&app, name).await),
            &planner,
            None,
            json!({"output_value_wan": output, "tax_wan": tax}),
        )
        .await;
        assert_eq!(status, 200, "{e}");
    }
    (app, planner)
}

async fn enterprise_id(app: &TestApp, name: &str) -> i64 {
    let (_, list) = app.get_json("/enterprises").await;
    list["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == name)
        .and_then(|e| e["id"].as_i64())
        .unwrap_or_else(|| panic!("enterprise {name} is listed"))
}

/// Sends a JSON request with a bearer token (and If-Match); returns status and body.
async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let url = format!("{}{path}", app.base);
    let mut req = match method {
        "POST" => app.client.post(url),
        "PATCH" => app.client.patch(url),
        other => panic!("{other}"),
    }
    .bearer_auth(token)
    .json(&body);
    if let Some(v) = if_match {
        req = req.header("If-Match", v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Moves a case one stage on, at the version it is at; asserts success.
async fn advance(app: &TestApp, token: &str, case: &str, to: &str) -> Value {
    let (_, now) = app.get_json(&format!("/reallocations/{case}")).await;
    let version = now["version"].as_i64().unwrap();
    let (status, body) = send(
        app,
        "POST",
        &format!("/reallocations/{case}/transitions"),
        token,
        Some(&format!("\"{version}\"")),
        json!({"to": to, "reason": format!("to {to}")}),
    )
    .await;
    assert_eq!(status, 200, "{case} → {to}: {body}");
    assert_eq!(body["stage"], to);
    assert_eq!(body["version"], version + 1);
    body
}

async fn parcel(app: &TestApp, code: &str) -> Value {
    let (status, f) = app
        .get_json(&format!("/collections/parcels/items/{code}"))
        .await;
    assert_eq!(status, 200, "{code}");
    f["properties"].clone()
}

async fn open(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    send(app, "POST", "/reallocations", token, None, body).await
}

#[tokio::test]
async fn zombie_land_goes_into_reserve_is_split_and_two_lots_are_supplied_for_headquarters() {
    let (app, planner) = zone().await;
    let (status, case) = open(
        &app,
        &planner,
        json!({"kind": "reserve", "acquisition": "recovery",
        "parcels": [{"code": "S-ZOMBIE"}], "reason": "停产三年的僵尸企业用地"}),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let code = case["id"].as_str().unwrap().to_string();
    assert_eq!(case["stage"], "proposed");
    assert_eq!(
        case["allowed_next"],
        json!(["approved", "rejected", "cancelled"])
    );
    advance(&app, &planner, &code, "approved").await;
    advance(&app, &planner, &code, "vacating").await;
    assert_eq!(parcel(&app, "S-ZOMBIE").await["status"], "relocating");
    advance(&app, &planner, &code, "in_reserve").await;
    let p = parcel(&app, "S-ZOMBIE").await;
    assert_eq!(p["status"], "reserved");
    assert_eq!(p["owner"], Value::Null, "the land is taken back");
    advance(&app, &planner, &code, "completed").await;
    // Three lots of a third each (west to east).
    let (_, f) = app.get_json("/collections/parcels/items/S-ZOMBIE").await;
    // Served as a MultiPolygon of one part: its first polygon's shell.
    let ring = f["geometry"]["coordinates"][0][0]
        .as_array()
        .unwrap()
        .clone();
    let (x0, y0) = (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap());
    let (x1, y1) = (ring[2][0].as_f64().unwrap(), ring[2][1].as_f64().unwrap());
    let lots: Vec<Value> = (0..3)
        .map(|i| {
            let (a, b) = (
                x0 + (x1 - x0) * f64::from(i) / 3.0,
                x0 + (x1 - x0) * f64::from(i + 1) / 3.0,
            );
            json!({"geometry": {"type": "Polygon", "coordinates": [[[a, y0], [b, y0], [b, y1], [a, y1], [a, y0]]]}})
        })
        .collect();
    let (status, split) = send(
        &app,
        "POST",
        "/parcels/S-ZOMBIE/split",
        &planner,
        None,
        json!({"lots": lots, "reason": "分三宗供应"}),
    )
    .await;
    assert_eq!(status, 201, "{split}");
    assert_eq!(
        split["lots"],
        json!(["S-ZOMBIE-1", "S-ZOMBIE-2", "S-ZOMBIE-3"])
    );
    let (status, _) = app.get_json("/collections/parcels/items/S-ZOMBIE").await;
    assert_eq!(status, 404, "the original parcel is replaced by its lots");
    for lot in ["S-ZOMBIE-1", "S-ZOMBIE-2"] {
        let (status, case) = open(
            &app,
            &planner,
            json!({"kind": "redevelopment", "planned_use": "B2",
            "parcels": [{"code": lot}], "reason": "总部基地"}),
        )
        .await;
        assert_eq!(status, 201, "{case}");
        let c = case["id"].as_str().unwrap().to_string();
        advance(&app, &planner, &c, "approved").await;
        advance(&app, &planner, &c, "supplied").await;
        let p = parcel(&app, lot).await;
        assert_eq!(p["status"], "supplied");
        assert_eq!(p["land_use"], "B2");
        assert_eq!(p["split_from"], "S-ZOMBIE");
    }
    assert_eq!(parcel(&app, "S-ZOMBIE-3").await["status"], "reserved");
    // The history links old and new ids.
    let (_, h) = app.get_json("/parcels/S-ZOMBIE/history").await;
    let last = h["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "parcel.split");
    assert_eq!(
        last["details"]["split_into"],
        json!(["S-ZOMBIE-1", "S-ZOMBIE-2", "S-ZOMBIE-3"])
    );
    let (_, h) = app.get_json("/parcels/S-ZOMBIE-1/history").await;
    assert!(h["events"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("split from S-ZOMBIE"));
    // The case history tells the whole story with actor and reasons.
    let (_, case) = app.get_json(&format!("/reallocations/{code}")).await;
    let actions: Vec<&str> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "case.opened",
            "case.transition",
            "case.transition",
            "case.transition",
            "case.transition"
        ]
    );
    assert!(case["events"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "规划科 王工"));
    assert_eq!(
        case["events"][1]["changes"]["stage"],
        json!({"before": "proposed", "after": "approved"})
    );
}

#[tokio::test]
async fn a_firm_relocates_south_to_north_and_both_parcels_show_it() {
    let (app, planner) = zone().await;
    let (status, case) = open(
        &app,
        &planner,
        json!({"kind": "relocation", "enterprise": MOVER,
        "parcels": [{"code": "S-MOVER", "role": "source"}, {"code": "N-FREE", "role": "target"}]}),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let code = case["id"].as_str().unwrap().to_string();
    for stage in [
        "approved",
        "vacating",
        "in_reserve",
        "supplied",
        "completed",
    ] {
        advance(&app, &planner, &code, stage).await;
    }
    let south = parcel(&app, "S-MOVER").await;
    assert_eq!(
        (south["status"].as_str(), south["owner"].as_str()),
        (Some("reserved"), None)
    );
    let north = parcel(&app, "N-FREE").await;
    assert_eq!(
        (north["status"].as_str(), north["owner"].as_str()),
        (Some("active"), Some(MOVER))
    );
    assert!(
        north["grade"].is_string(),
        "the firm's grade follows it north"
    );
    let (_, h) = app.get_json("/parcels/S-MOVER/history").await;
    let statuses: Vec<Value> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["changes"]["status"].get("after").cloned())
        .collect();
    assert_eq!(statuses, [json!("relocating"), json!("reserved")]);
    let (_, h) = app.get_json("/parcels/N-FREE/history").await;
    let change = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["changes"]["status"]["after"] == "supplied")
        .expect("supplied event")
        .clone();
    assert_eq!(change["changes"]["status"]["before"], "idle");
    assert_eq!(
        change["changes"]["owner"],
        json!({"before": null, "after": MOVER})
    );
    assert!(change["reason"].as_str().unwrap().contains(&code));
    // The OGC collection serves the case with the parcels' geometry.
    let (_, f) = app
        .get_json(&format!("/collections/reallocations/items/{code}"))
        .await;
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    assert_eq!(f["geometry"]["coordinates"].as_array().unwrap().len(), 2);
    let (_, list) = app
        .get_json("/reallocations?kind=relocation&stage=completed")
        .await;
    assert_eq!(list["numberMatched"], 1);
}

#[tokio::test]
async fn two_planners_decide_at_once_and_exactly_one_wins() {
    static N: AtomicUsize = AtomicUsize::new(0);
    let (app, planner) = zone().await;
    let other = app
        .token(
            Role::Planner,
            &format!("招商局 张工 {}", N.fetch_add(1, Ordering::Relaxed)),
        )
        .await;
    let (_, case) = open(
        &app,
        &planner,
        json!({"kind": "reserve", "acquisition": "purchase",
        "parcels": [{"code": "S-IDLE"}]}),
    )
    .await;
    let code = case["id"].as_str().unwrap().to_string();
    let path = format!("/reallocations/{code}/transitions");
    let (a, b) = tokio::join!(
        send(
            &app,
            "POST",
            &path,
            &planner,
            Some("\"1\""),
            json!({"to": "approved"})
        ),
        send(
            &app,
            "POST",
            &path,
            &other,
            Some("\"1\""),
            json!({"to": "rejected"})
        ),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{a:?} {b:?}");
    let loser = if a.0 == 409 { &a.1 } else { &b.1 };
    assert!(
        loser["detail"].as_str().unwrap().contains("version"),
        "{loser}"
    );
    let (_, now) = app.get_json(&format!("/reallocations/{code}")).await;
    assert_eq!(now["version"], 2);
    assert_eq!(
        now["events"].as_array().unwrap().len(),
        2,
        "one transition recorded"
    );
}

#[tokio::test]
async fn the_rules_answer_with_what_is_allowed() {
    let (app, planner) = zone().await;
    let (_, case) = open(
        &app,
        &planner,
        json!({"kind": "reserve", "acquisition": "expropriation",
        "parcels": [{"code": "S-ZOMBIE"}]}),
    )
    .await;
    let code = case["id"].as_str().unwrap().to_string();
    let path = format!("/reallocations/{code}/transitions");
    let (status, body) = send(
        &app,
        "POST",
        &path,
        &planner,
        Some("\"1\""),
        json!({"to": "supplied"}),
    )
    .await;
    assert_eq!(status, 409);
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("approved, rejected or cancelled"),
        "{detail}"
    );
    let (status, body) = send(
        &app,
        "POST",
        &path,
        &planner,
        None,
        json!({"to": "approved"}),
    )
    .await;
    assert_eq!(status, 428, "{body}");
    // One parcel, one open case.
    let (status, body) = open(
        &app,
        &planner,
        json!({"kind": "reserve", "acquisition": "recovery",
        "parcels": [{"code": "S-ZOMBIE"}]}),
    )
    .await;
    assert_eq!(status, 409);
    assert!(body["detail"].as_str().unwrap().contains("S-ZOMBIE"));
    // A relocation target must be free land in the northern zone.
    let (status, body) = open(
        &app,
        &planner,
        json!({"kind": "relocation", "enterprise": MOVER,
        "parcels": [{"code": "S-MOVER", "role": "source"}, {"code": "S-IDLE", "role": "target"}]}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(
        body["detail"].as_str().unwrap().contains("S-IDLE"),
        "{body}"
    );
    // Redevelopment gives a service use.
    let (status, body) = open(
        &app,
        &planner,
        json!({"kind": "redevelopment", "planned_use": "M1",
        "parcels": [{"code": "S-RESERVED"}]}),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["detail"].as_str().unwrap().contains("B1"), "{body}");
    // Planners run the workflow; GIS staff do not.
    let gis = app.token(Role::Gis, "gis-2").await;
    let (status, _) = open(
        &app,
        &gis,
        json!({"kind": "reserve", "parcels": [{"code": "S-IDLE"}]}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = app.get_json("/reallocations/RC-99999").await;
    assert_eq!(status, 404);
}

/// No event is ever changed: every history read before a change is a prefix of the
/// history read after it.
#[tokio::test]
async fn the_event_log_only_grows() {
    let (app, planner) = zone().await;
    let (_, before) = app.get_json("/parcels/S-MOVER/history").await;
    let (_, case) = open(
        &app,
        &planner,
        json!({"kind": "relocation", "enterprise": MOVER,
        "parcels": [{"code": "S-MOVER", "role": "source"}, {"code": "N-FREE", "role": "target"}]}),
    )
    .await;
    let code = case["id"].as_str().unwrap().to_string();
    let mut seen = before["events"].as_array().unwrap().clone();
    for stage in ["approved", "vacating", "cancelled"] {
        advance(&app, &planner, &code, stage).await;
        let (_, now) = app.get_json("/parcels/S-MOVER/history").await;
        let now = now["events"].as_array().unwrap().clone();
        assert!(now.len() >= seen.len());
        assert_eq!(
            &now[..seen.len()],
            &seen[..],
            "earlier events are unchanged"
        );
        seen = now;
    }
    // Cancelling put the parcel back as it was, as a new event.
    let p = parcel(&app, "S-MOVER").await;
    assert_eq!(
        (p["status"].as_str(), p["owner"].as_str()),
        (Some("active"), Some(MOVER))
    );
    assert_eq!(
        seen.last().unwrap()["changes"]["status"],
        json!({"before": "relocating", "after": "active"})
    );
}

#[tokio::test]
async fn grades_follow_the_figures_and_mark_the_parcels() {
    let (app, planner) = zone().await;
    let (_, list) = app.get_json("/enterprises").await;
    let grade_of = |name: &str| {
        list["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["grade"]
            .clone()
    };
    assert_eq!(grade_of(ZOMBIE), "D", "a zombie firm's figures grade D");
    assert_eq!(parcel(&app, "S-GOOD").await["grade"], grade_of(GOOD));
    // Correcting a firm's figures regrades it and its parcels at once.
    let id = enterprise_id(&app, ZOMBIE).await;
    let (status, e) = send(
        &app,
        "PATCH",
        &format!("/enterprises/{id}"),
        &planner,
        None,
        json!({"tax_wan": null, "output_value_wan": null}),
    )
    .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["grade"], Value::Null);
    assert!(
        e["ungraded_reason"]
            .as_str()
            .unwrap()
            .contains("no tax figure"),
        "{e}"
    );
    assert_eq!(
        parcel(&app, "S-ZOMBIE").await["grade"],
        "ungraded",
        "never silently D"
    );
    let (status, body) = send(
        &app,
        "PATCH",
        &format!("/enterprises/{id}"),
        &planner,
        None,
        json!({"tax_wan": -5}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = send(
        &app,
        "PATCH",
        &format!("/enterprises/{id}"),
        &planner,
        None,
        json!({"name": "别的名字"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, created) = send(
        &app,
        "POST",
        "/enterprises",
        &planner,
        None,
        json!({"name": "新入驻孵化器", "industry_chain": "big_data", "above_scale": false}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["grade"],
        Value::Null,
        "a firm without land is ungraded"
    );
    let (status, _) = send(
        &app,
        "POST",
        "/enterprises",
        &planner,
        None,
        json!({"name": "新入驻孵化器"}),
    )
    .await;
    assert_eq!(status, 409);
    let (_, shown) = app
        .get_json(&format!("/enterprises/{}", enterprise_id(&app, GOOD).await))
        .await;
    assert_eq!(shown["parcels"][0]["id"], "S-GOOD");
    let (_, d) = app
        .get_json("/collections/parcels/items?grade=ungraded")
        .await;
    assert!(d["features"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "S-ZOMBIE"));
}

/// The sample zone's cases, run through the workflow at first start: every stage is
/// present and the expansion totals are the programme's (18 firms started, planned new
/// output 15 bn yuan).
#[tokio::test]
async fn the_sample_zone_has_cases_in_every_stage() {
    let app = crate::helpers::spawn_sample().await;
    let (status, list) = app.get_json("/reallocations").await;
    assert_eq!(status, 200);
    let stages: std::collections::BTreeSet<&str> = list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stage"].as_str().unwrap())
        .collect();
    for s in [
        "proposed",
        "approved",
        "vacating",
        "in_reserve",
        "supplied",
        "completed",
        "rejected",
        "cancelled",
        "intention",
        "started",
    ] {
        assert!(stages.contains(s), "a sample case is {s}");
    }
    assert_eq!(list["expansion"]["started"], 18);
    assert_eq!(list["expansion"]["planned_output_wan_started"], 1_500_000.0);
    let (_, items) = app
        .get_json("/collections/reallocations/items?kind=relocation&limit=100")
        .await;
    assert!(items["numberMatched"].as_u64().unwrap() >= 5);
    for f in items["features"].as_array().unwrap() {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
    }
    // Relocations move firms from the southern built-up area north.
    let (_, done) = app
        .get_json("/reallocations?kind=relocation&stage=completed")
        .await;
    for c in done["cases"].as_array().unwrap() {
        let states = c["parcel_states"].as_array().unwrap();
        assert!(
            states
                .iter()
                .any(|p| p["zone"] == "south" && p["status"] == "reserved"),
            "{c}"
        );
        assert!(
            states
                .iter()
                .any(|p| p["zone"] != "south" && p["status"] == "active"),
            "{c}"
        );
    }
}

/// Cases are made by the workflow, never imported; an import of parcels regrades the
/// firms whose land it changes.
#[tokio::test]
async fn imports_regrade_and_never_write_cases() {
    let (app, _) = zone().await;
    let gis = app.token(Role::Gis, "gis-3").await;
    let r = app
        .post_import(
            "?collection=reallocations",
            json!({"type": "FeatureCollection", "features": [
        square("X", 125.40, 43.86, 50.0, json!({}))]})
            .to_string(),
            Some(&gis),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("made by the workflow"));
    assert_eq!(parcel(&app, "S-MOVER").await["grade"], "B");
    // The firm's land grows a hundredfold (a 1.2 km square): its tax and output per mu
    // fall to a seventh of the benchmark, and it is graded D.
    let r = app.post_import("", json!({"type": "FeatureCollection", "features": [
        square("S-MOVER-2", 125.4100, 43.8650, 1200.0, json!({"zone": "south", "land_use": "M1", "status": "active", "owner": MOVER}))]}).to_string(), Some(&gis)).await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        parcel(&app, "S-MOVER").await["grade"],
        "D",
        "the grade follows the land"
    );
    assert_eq!(parcel(&app, "S-MOVER-2").await["grade"], "D");
}

/// Adjacent reserved parcels merge into one that remembers them; parcels apart do not.
#[tokio::test]
async fn adjacent_reserved_parcels_merge_into_one() {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let planner = app.token(Role::Planner, "规划科 王工").await;
    let reserved = json!({"zone": "south", "land_use": "M1", "status": "reserved"});
    let side = 100.0;
    let fc = json!({"type": "FeatureCollection", "features": [
        square("R-A", 125.4000, 43.8500, side, reserved.clone()),
        square("R-B", 125.4000 + side / 80_300.0, 43.8500, side, reserved.clone()),
        square("R-C", 125.4100, 43.8500, side, reserved.clone()),
        square("R-D", 125.4000, 43.8500 + side / 111_100.0, side, json!({"zone": "south", "land_use": "M1", "status": "active", "owner": GOOD})),
    ]});
    assert_eq!(
        app.post_import("", fc.to_string(), Some(&gis))
            .await
            .status(),
        201
    );
    let area = |p: &Value| p["area_m2"].as_f64().unwrap();
    let sum = area(&parcel(&app, "R-A").await) + area(&parcel(&app, "R-B").await);
    let (status, body) = send(
        &app,
        "POST",
        "/parcels/merge",
        &planner,
        None,
        json!({"parcels": ["R-A", "R-B"], "code": "R-AB", "reason": "合并供应"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let merged = parcel(&app, "R-AB").await;
    assert!(
        (area(&merged) - sum).abs() / sum < 1e-3,
        "{} vs {sum}",
        area(&merged)
    );
    assert_eq!(merged["merged_from"], json!(["R-A", "R-B"]));
    assert_eq!(merged["status"], "reserved");
    let (status, _) = app.get_json("/collections/parcels/items/R-A").await;
    assert_eq!(status, 404);
    let (_, h) = app.get_json("/parcels/R-B/history").await;
    assert_eq!(
        h["events"].as_array().unwrap().last().unwrap()["details"]["merged_into"],
        "R-AB"
    );
    let (status, body) = send(
        &app,
        "POST",
        "/parcels/merge",
        &planner,
        None,
        json!({"parcels": ["R-AB", "R-C"]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("not adjacent"),
        "{body}"
    );
    let (status, body) = send(
        &app,
        "POST",
        "/parcels/merge",
        &planner,
        None,
        json!({"parcels": ["R-AB", "R-D"]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("R-D is active"),
        "{body}"
    );
    // A split must keep the area: one lot short of the parcel is refused, nothing changes.
    let (_, f) = app.get_json("/collections/parcels/items/R-C").await;
    let ring = f["geometry"]["coordinates"][0][0].clone();
    let (x0, y0, x1, y1) = (
        ring[0][0].as_f64().unwrap(),
        ring[0][1].as_f64().unwrap(),
        ring[2][0].as_f64().unwrap(),
        ring[2][1].as_f64().unwrap(),
    );
    let (xm, ym) = (f64::midpoint(x0, x1), f64::midpoint(y0, y1));
    let half = json!({"geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [xm, y0], [xm, y1], [x0, y1], [x0, y0]]]}});
    let quarter = json!({"geometry": {"type": "Polygon", "coordinates": [[[xm, y0], [x1, y0], [x1, ym], [xm, ym], [xm, y0]]]}});
    let (status, body) = send(
        &app,
        "POST",
        "/parcels/R-C/split",
        &planner,
        None,
        json!({"lots": [half, quarter]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("0.1 %"), "{body}");
    assert_eq!(
        parcel(&app, "R-C").await["status"],
        "reserved",
        "the parcel is unchanged"
    );
}

/// A start with the same data and configuration leaves the grades (and the event log)
/// alone; a changed configuration regrades at the next start.
#[tokio::test]
async fn grades_follow_the_configuration_across_restarts() {
    use landreuse::domain::grading::GradingConfig;
    use landreuse::service::{self, ServiceConfig};
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::fresh_location(dir.path()).await;
    let config = |grading: GradingConfig| ServiceConfig {
        store: store.clone(),
        sample_dir: Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata")),
        api: Default::default(),
        follow_every: std::time::Duration::from_millis(100),
        grading,
        targets: Vec::new(),
        priority: Default::default(),
    };
    let first = service::open(&config(GradingConfig::default()))
        .await
        .unwrap();
    let events = first.store.last_event_id().await.unwrap();
    first.store.close().await;
    let again = service::open(&config(GradingConfig::default()))
        .await
        .unwrap();
    assert_eq!(
        again.store.last_event_id().await.unwrap(),
        events,
        "nothing changed, nothing written"
    );
    again.store.close().await;
    let stricter = GradingConfig::from_toml(
        &landreuse::domain::grading::DEFAULT_CONFIG_TOML
            .replace("d_max_score = 20.0", "d_max_score = 60.0"),
    )
    .unwrap();
    let changed = service::open(&config(stricter)).await.unwrap();
    let history = changed.store.events_after(events, 100_000).await.unwrap();
    assert!(
        history.iter().any(|e| e.action == "parcel.graded"),
        "a stricter D line regrades"
    );
    assert_eq!(history.last().unwrap().action, "grading.completed");
    changed.store.close().await;
}
