//! Land-use codes in the OGC API: queryables with the code lists, and filters that
//! accept either classification system.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::helpers::{ids, spawn_sample, TestApp};

async fn all_ids(app: &TestApp, query: &str) -> BTreeSet<String> {
    let (status, body) = app
        .get_json(&format!("/collections/parcels/items?limit=10000&{query}"))
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    assert_eq!(
        body["numberMatched"].as_u64().unwrap() as usize,
        ids(&body).len()
    );
    ids(&body).into_iter().collect()
}

#[tokio::test]
async fn queryables_list_the_properties_with_code_enums() {
    let app = spawn_sample().await;
    let r = app.get("/collections/parcels/queryables").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "application/schema+json"
    );
    let schema: Value = r.json().await.unwrap();
    assert!(schema["$id"]
        .as_str()
        .unwrap()
        .ends_with("/collections/parcels/queryables"));
    let props = &schema["properties"];
    assert_eq!(props["geometry"]["x-ogc-role"], "primary-geometry");
    let land_use: Vec<&str> = props["land_use"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for code in [
        "M1", "M2", "B1", "A33", "0601", "0701", "0803", "1004", "1201",
    ] {
        assert!(land_use.contains(&code), "{code} in the land_use enum");
    }
    assert!(props["status"]["enum"]
        .as_array()
        .unwrap()
        .contains(&"idle".into()));
    assert_eq!(
        props["zone"]["enum"],
        serde_json::json!(["south", "north", "bonded"])
    );
    let (_, c) = app.get_json("/collections/parcels").await;
    assert!(c["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rel"] == "http://www.opengis.net/def/rel/ogc/1.0/queryables"));
    let (status, _) = app.get_json("/collections/nowhere/queryables").await;
    assert_eq!(status, 404);
}

/// `land_use=0601` (GB/T 21010 industrial) selects the GB 50137 industrial parcels
/// M1, M2 and M3; `land_use=M` the same; `land_use=M1` only M1.
#[tokio::test]
async fn filters_accept_either_land_use_system() {
    let app = spawn_sample().await;
    let m1 = all_ids(&app, "land_use=M1").await;
    let m2 = all_ids(&app, "land_use=M2").await;
    let m3 = all_ids(&app, "land_use=M3").await;
    assert!(!m1.is_empty() && !m2.is_empty() && !m3.is_empty());
    let industrial: BTreeSet<String> = m1.iter().chain(&m2).chain(&m3).cloned().collect();
    assert_eq!(all_ids(&app, "land_use=0601").await, industrial);
    assert_eq!(all_ids(&app, "land_use=M").await, industrial);
    assert_eq!(
        all_ids(&app, "land_use=m1").await,
        m1,
        "letters in any case"
    );
    // Residential: R2 parcels are 0701 城镇住宅用地.
    let r2 = all_ids(&app, "land_use=R2").await;
    assert!(!r2.is_empty());
    assert_eq!(all_ids(&app, "land_use=0701").await, r2);
    // Filters combine with the others.
    let idle_industrial = all_ids(&app, "land_use=0601&status=idle").await;
    assert!(idle_industrial.is_subset(&industrial));
    let (status, body) = app.get_json("/collections/parcels/items?land_use=M4").await;
    assert_eq!(status, 400);
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("M3"), "{detail}");
    let (status, body) = app
        .get_json("/collections/parcels/items?status=closed")
        .await;
    assert_eq!(status, 400);
    assert!(body["detail"].as_str().unwrap().contains("idle"));
}
