//! POST /imports: what GIS staff upload, and how bad input is refused whole.

use std::io::{Read, Write};

use landreuse::api::ApiSettings;
use landreuse::auth::Role;
use landreuse::domain::Collection;
use serde_json::Value;

use crate::helpers::{fixture_text, ids, spawn, spawn_empty, spawn_sample};

#[tokio::test]
async fn ogr2ogr_output_imports_with_cadastral_fields_recognised() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "张工").await;
    let r = app
        .post_import("", fixture_text("survey_ogr2ogr.geojson"), Some(&token))
        .await;
    assert_eq!(r.status(), 201);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["inserted"], 3);
    assert_eq!(report["source_crs"], "CRS84");
    let (_, f) = app
        .get_json("/collections/parcels/items/220172001002GB00002")
        .await;
    let p = &f["properties"];
    assert_eq!(f["geometry"]["type"], "MultiPolygon");
    assert_eq!(p["land_use"], "0601");
    assert_eq!(p["owner"], "长春示例光电有限公司");
    assert_eq!(p["status"], "idle", "ZT 闲置 becomes the status code");
    assert_eq!(p["BZ"], "两处地块", "unknown fields are kept");
    assert_eq!(p["declared_area_m2"], 9000.0);
    assert_eq!(
        app.state.store.enterprise_count().await.unwrap(),
        2,
        "owners become enterprises"
    );
    let history = app
        .state
        .store
        .feature_history(Collection::Parcels, "220172001002GB00002")
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["feature.created", "parcel.graded"],
        "the import, then the owner's grade on the new land"
    );
    assert!(
        history.iter().all(|e| e.actor == "张工"),
        "the token's name is the actor"
    );
}

#[tokio::test]
async fn a_gauss_kruger_parcel_lands_where_proj_and_geographiclib_put_it() {
    let app = spawn_sample().await;
    let token = app.token(Role::Gis, "gis").await;
    for file in ["gk4551_parcel.geojson", "gk4530_parcel.geojson"] {
        let r = app.post_import("", fixture_text(file), Some(&token)).await;
        assert_eq!(r.status(), 201, "{file}");
    }
    // Expected values: Debian cs2cs and GeographicLib (tests/fixtures/README.md).
    let expected = [
        (125.3992172929, 43.8596191997),
        (125.4010829769, 43.8596289927),
        (125.4010739677, 43.8605289565),
        (125.4002033020, 43.8605243900),
        (125.4002069110, 43.8601644046),
        (125.3992118707, 43.8601591777),
    ];
    for id in ["220172001001GB00101", "220172001001GB00102"] {
        let (_, f) = app
            .get_json(&format!("/collections/parcels/items/{id}"))
            .await;
        let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
        for (got, (lon, lat)) in ring.iter().zip(expected) {
            let (x, y) = (got[0].as_f64().unwrap(), got[1].as_f64().unwrap());
            // 1e-8 degrees is about a millimetre.
            assert!(
                (x - lon).abs() < 1e-8 && (y - lat).abs() < 1e-8,
                "{id}: {got} vs {lon},{lat}"
            );
        }
        let p = &f["properties"];
        assert!(
            (p["area_m2"].as_f64().unwrap() - 11_799.33).abs() < 0.02,
            "{p}"
        );
        assert!(
            (p["perimeter_m"].as_f64().unwrap() - 499.99).abs() < 0.02,
            "{p}"
        );
        assert_eq!(
            p["zone"], "south",
            "the parcel lies in the southern built-up area"
        );
    }
}

#[tokio::test]
async fn an_invalid_upload_lists_every_bad_feature_and_stores_nothing() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "gis").await;
    let before = app.store_snapshot().await;
    let r = app
        .post_import("", fixture_text("invalid_mixed.geojson"), Some(&token))
        .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("9 of 10 features are invalid, so nothing was imported"),
        "{detail}"
    );
    for (index, id, words) in [
        (1, "BAD-OPEN", "not closed"),
        (2, "BAD-BOWTIE", "self-intersection"),
        (3, "BAD-SHORT", "at least 4"),
        (4, "BAD-RANGE", "not a longitude/latitude pair"),
        (5, "BAD-HOLE", "not contained within the polygon's exterior"),
        (6, "BAD-POINT", "Point geometry"),
        (7, "BAD-STATUS", "unknown parcel status \"closed\""),
        (8, "BAD-NULL", "has no geometry"),
    ] {
        let line = format!("feature {index} (id {id}) ");
        let found = detail
            .lines()
            .find(|l| l.contains(&line))
            .unwrap_or_else(|| panic!("{line} missing from {detail}"));
        assert!(found.contains(words), "{found}");
        assert!(body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["index"] == index && e["id"] == id));
    }
    assert!(
        detail.contains("feature 9 has property output_value_wan = \"lots\", expected a number"),
        "{detail}"
    );
    assert_eq!(app.store_snapshot().await, before, "nothing was written");
    let (_, items) = app.get_json("/collections/parcels/items").await;
    assert_eq!(items["numberMatched"], 0);
}

#[tokio::test]
async fn skip_invalid_imports_the_good_features_and_reports_the_rest() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "gis").await;
    let r = app
        .post_import(
            "?skip_invalid=true",
            fixture_text("invalid_mixed.geojson"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 201);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["inserted"], 1);
    assert_eq!(report["rejected"], 9);
    assert_eq!(report["rejects"].as_array().unwrap().len(), 9);
    let (_, items) = app.get_json("/collections/parcels/items").await;
    assert_eq!(ids(&items), vec!["GOOD-1"]);
}

#[tokio::test]
async fn inputs_that_are_not_features_are_refused_with_a_sentence() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "gis").await;
    let before = app.store_snapshot().await;
    for (file, words) in [
        ("malformed.geojson", "not valid JSON"),
        ("empty.geojson", "the input is empty"),
        ("topology.json", "Topology"),
        ("no_features.geojson", "no features"),
        ("unknown_crs.geojson", "EPSG::2385"),
        ("duplicate_ids.geojson", "repeats the id of feature 0"),
    ] {
        let r = app.post_import("", fixture_text(file), Some(&token)).await;
        let status = r.status().as_u16();
        assert!(status == 400 || status == 422, "{file}: {status}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains(words),
            "{file}: {body}"
        );
    }
    let r = app
        .post_import(
            "?crs=EPSG:9999",
            fixture_text("bbox_l_shape.geojson"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status(), 400);
    assert!(
        r.text().await.unwrap().contains("EPSG:4551"),
        "the error lists what is supported"
    );
    assert_eq!(app.store_snapshot().await, before);
}

#[tokio::test]
async fn reimporting_the_same_ids_updates_and_keeps_the_history() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "gis").await;
    app.post_import("", fixture_text("bbox_l_shape.geojson"), Some(&token))
        .await;
    let r = app
        .post_import(
            "",
            fixture_text("bbox_l_shape_update.geojson"),
            Some(&token),
        )
        .await;
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (report["inserted"].as_u64(), report["updated"].as_u64()),
        (Some(0), Some(1))
    );
    let (_, items) = app.get_json("/collections/parcels/items").await;
    assert_eq!(items["numberMatched"], 3, "no duplicate");
    let (_, f) = app.get_json("/collections/parcels/items/L-SHAPE").await;
    assert_eq!(f["properties"]["status"], "reserved");
    assert!(f["properties"]["owner"].is_null());
    let history = app
        .state
        .store
        .feature_history(Collection::Parcels, "L-SHAPE")
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    // The update takes the owner off the parcel, so its grade goes too.
    assert_eq!(
        actions,
        vec![
            "feature.created",
            "parcel.graded",
            "feature.updated",
            "parcel.graded"
        ]
    );
    let grade = history[3].changes.as_ref().unwrap()["grade"].clone();
    assert_eq!(grade["after"], Value::Null);
}

#[tokio::test]
async fn newline_delimited_geojson_imports() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "gis").await;
    let r = app
        .client
        .post(format!("{}/imports", app.base))
        .header("content-type", "application/geo+json-seq")
        .bearer_auth(&token)
        .body(fixture_text("parcels_seq.geojsonl"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, items) = app.get_json("/collections/parcels/items?status=idle").await;
    assert_eq!(ids(&items), vec!["SEQ-2"]);
}

#[tokio::test]
async fn an_upload_declared_as_one_gigabyte_gets_413_before_it_is_read() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "gis").await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let answer = tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "POST /imports HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nContent-Type: application/geo+json\r\nContent-Length: 1073741824\r\n\r\n{{\"type\":"
        )
        .unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).to_string()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("landreuse import FILE"), "{answer}");
}

#[tokio::test]
async fn a_body_over_the_limit_without_a_length_is_cut_off_with_413() {
    let app = spawn(
        None,
        ApiSettings {
            max_upload_bytes: 64 * 1024,
            ..ApiSettings::default()
        },
    )
    .await;
    let token = app.token(Role::Gis, "gis").await;
    let big = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[]{}}}",
        " ".repeat(200_000)
    );
    let stream = futures::stream::iter(
        big.into_bytes()
            .chunks(8192)
            .map(|c| Ok::<_, std::io::Error>(c.to_vec()))
            .collect::<Vec<_>>(),
    );
    let r = app
        .client
        .post(format!("{}/imports", app.base))
        .bearer_auth(&token)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

/// Makes the store refuse the regrade's closing event, as a full disk or a lost
/// connection would: a real failure of the database inside the import's transaction.
async fn refuse_grading(app: &crate::helpers::TestApp) {
    use landreuse::store::StoreLocation;
    match &app.store {
        StoreLocation::Sqlite(dir) => {
            let url = format!("sqlite://{}", dir.join("landreuse.sqlite").display());
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_grading BEFORE INSERT ON events \
                 WHEN NEW.action = 'grading.completed' \
                 BEGIN SELECT RAISE(ABORT, 'grading refused by the test'); END",
            )
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        }
        StoreLocation::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            for sql in [
                "CREATE FUNCTION refuse_grading() RETURNS trigger AS $$ BEGIN \
                 IF NEW.action = 'grading.completed' THEN RAISE EXCEPTION 'grading refused by the test'; END IF; \
                 RETURN NEW; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_grading BEFORE INSERT ON events \
                 FOR EACH ROW EXECUTE FUNCTION refuse_grading()",
            ] {
                sqlx::query(sql).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn an_import_whose_regrade_fails_stores_nothing_and_says_so() {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    refuse_grading(&app).await;
    let before = app.store_snapshot().await;
    let r = app
        .post_import("", fixture_text("bbox_l_shape.geojson"), Some(&gis))
        .await;
    assert_eq!(r.status(), 500);
    let body: Value = r.json().await.unwrap();
    assert!(body["request_id"].is_string(), "{body}");
    assert_eq!(
        app.store_snapshot().await,
        before,
        "neither the parcels nor any event"
    );
    let (_, items) = app.get_json("/collections/parcels/items").await;
    assert_eq!(items["numberMatched"], 0);
}

#[tokio::test]
async fn an_import_and_its_regrade_are_one_commit() {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let r = app
        .post_import("", fixture_text("bbox_l_shape.geojson"), Some(&gis))
        .await;
    assert_eq!(r.status(), 201);
    let report: Value = r.json().await.unwrap();
    let code = report["codes"][0].as_str().unwrap().to_string();
    let (_, history) = app.get_json(&format!("/parcels/{code}/history")).await;
    let events = history["events"].as_array().unwrap();
    let import_events: Vec<i64> = events
        .iter()
        .filter(|e| e["import_id"] == report["import_id"])
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(!import_events.is_empty(), "{history}");
    // The regrade follows in the same write, naming the import; that both commit or
    // neither does is the test above.
    let graded = events
        .iter()
        .find(|e| e["action"] == "parcel.graded")
        .expect("the parcel is graded with its import");
    let import_id = report["import_id"].as_i64().unwrap();
    assert_eq!(graded["reason"], format!("import {import_id} (upload)"));
    assert!(graded["id"].as_i64().unwrap() > import_events[0]);
}
