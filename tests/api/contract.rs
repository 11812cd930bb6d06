//! The HTTP contract: the route table, the router and the OpenAPI document agree, and the
//! edge behaves as the document says (strict parameters, limits, HTML, request ids).

use std::collections::BTreeSet;

use landreuse::api::{routes, ApiSettings};
use landreuse::auth::Role;
use landreuse::domain::Layer;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{link, spawn, spawn_empty, spawn_sample, TestApp};

const METHODS: [&str; 6] = ["get", "post", "put", "patch", "delete", "options"];

/// Every (method, path) the document declares.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                out.insert((m.to_string(), path.clone()));
            }
        }
    }
    out
}

/// Every (method, path) of the route table, with `{collectionId}` written out as the
/// document writes it.
fn routed() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for r in routes::table() {
        let m = r.op.method.as_str().to_ascii_lowercase();
        if r.op.path.contains("{collectionId}") {
            // Writes of features are documented for the collections they edit; the
            // read-only reallocations answer them with 405 and the case endpoints.
            for c in Layer::ALL
                .into_iter()
                .filter(|c| !r.op.edits_features || *c != Layer::Reallocations)
            {
                out.insert((m.clone(), r.op.path.replace("{collectionId}", c.id())));
            }
        } else {
            out.insert((m, r.op.path.to_string()));
        }
    }
    out
}

/// A concrete path for a documented one: path parameters filled with something that
/// exists or not (the router must take the path either way).
fn concrete(path: &str) -> String {
    path.replace("{featureId}", "ETDZ-S-000001")
        .replace("{caseId}", "RC-00001")
        .replace("{parcelId}", "ETDZ-S-000001")
        .replace("{projectId}", "NO-SUCH-PROJECT")
        .replace("{enterpriseId}", "1")
}

async fn send(app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    let m = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    app.client
        .request(m, format!("{}{path}", app.base))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_routed_operation_is_in_the_document_and_every_documented_one_is_routed() {
    let app = spawn_sample().await;
    let (status, doc) = app.get_json("/api").await;
    assert_eq!(status, 200);
    let documented = documented(&doc);
    let routed = routed();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routed but not in /api: {undocumented:?}"
    );
    assert!(unrouted.is_empty(), "in /api but not routed: {unrouted:?}");
    // The router itself: each documented operation reaches a handler (no fallback 404,
    // no 405), and each method the document does not give a path is a 405.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            let r = send(&app, m, &concrete(path)).await;
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            let fell_through = body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("there is no resource at"));
            if item.get(m).is_some() {
                assert!(
                    status != 405 && !fell_through,
                    "{m} {path} is not routed: {status} {body}"
                );
                let declared = &item[m]["responses"];
                assert!(
                    declared.get(status.to_string()).is_some(),
                    "{m} {path} answered {status}, which the document does not declare: {body}"
                );
            } else {
                assert_eq!(
                    status, 405,
                    "{m} {path} is routed but not documented: {body}"
                );
                assert_eq!(body["status"], 405, "{m} {path}: a 405 is a problem");
            }
        }
    }
}

#[tokio::test]
async fn every_operation_declares_its_bodies_with_real_schemas() {
    let app = spawn_empty().await;
    let (_, doc) = app.get_json("/api").await;
    assert_eq!(doc["openapi"], "3.0.3");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            assert!(op["operationId"].is_string(), "{m} {path}");
            for (status, reply) in op["responses"].as_object().unwrap() {
                for (media, c) in reply["content"].as_object().into_iter().flatten() {
                    let schema = &c["schema"];
                    let vague = schema == &json!({"type": "object"}) || schema == &json!({});
                    assert!(
                        !vague,
                        "{m} {path} {status} {media} has no real schema: {schema}"
                    );
                }
            }
            if let Some(body) = op.get("requestBody") {
                for (media, c) in body["content"].as_object().unwrap() {
                    assert!(
                        c["schema"] != json!({"type": "object"}),
                        "{m} {path} {media}"
                    );
                }
            }
        }
    }
    // Every reference resolves.
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/").skip(1) {
        let target = &part[..part.find('"').unwrap()];
        let (kind, name) = target.split_once('/').unwrap();
        assert!(
            doc["components"][kind][name].is_object(),
            "{target} is missing"
        );
    }
}

#[tokio::test]
async fn an_unknown_format_is_a_declared_400_on_every_ogc_resource() {
    let app = spawn_empty().await;
    let (_, doc) = app.get_json("/api").await;
    for path in [
        "/api",
        "/collections/parcels/queryables",
        "/conformance",
        "/collections",
    ] {
        let (status, body) = app.get_json(&format!("{path}?f=AAA")).await;
        assert_eq!(status, 400, "{path}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains("f=AAA") && detail.contains("json or html"),
            "{detail}"
        );
        assert!(
            doc["paths"][path]["get"]["responses"]["400"].is_object(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_limit_above_the_maximum_is_served_at_the_maximum_with_a_next_link() {
    let app = spawn_sample().await;
    let (status, body) = app.get_json("/collections/parcels/items?limit=20000").await;
    assert_eq!(status, 200, "{body}");
    let matched = body["numberMatched"].as_u64().unwrap();
    let returned = body["numberReturned"].as_u64().unwrap();
    assert_eq!(returned, matched.min(10_000));
    if matched > 10_000 {
        let next = link(&body, "next").expect("a next link");
        assert!(next.contains("offset=10000"), "{next}");
    }
    let (_, doc) = app.get_json("/api").await;
    assert_eq!(
        doc["components"]["parameters"]["limit"]["schema"]["maximum"],
        10_000
    );
}

#[tokio::test]
async fn analysis_refuses_a_repeated_parameter_and_a_point_with_junk() {
    let app = spawn_sample().await;
    for (query, words) in [
        (
            "/analysis/within?point=125.40,43.86&point=125.41,43.86",
            "more than once",
        ),
        (
            "/analysis/nearest-schools?point=125.4,abc,43.8",
            "point=125.4,abc,43.8",
        ),
        ("/analysis/nearest-schools?point=125.4,43.8&k=3x", "k=3x"),
        ("/analysis/coverage-gaps?radius=500m", "radius=500m"),
        ("/analysis/coverage-gaps?planned=yes", "true or false"),
        ("/analysis/within?road=深圳街&distance=abc", "distance"),
    ] {
        let (status, body) = app.get_json(query).await;
        assert_eq!(status, 400, "{query}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains(words), "{query}: {detail}");
    }
    let (status, body) = app
        .get_json("/analysis/nearest-schools?point=125.403,43.862&k=2")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["schools"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn imports_refuse_a_repeated_parameter() {
    let app = spawn_empty().await;
    let gis = app.token(Role::Gis, "gis").await;
    let r = app
        .post_import(
            "?collection=parcels&collection=roads",
            "{}".into(),
            Some(&gis),
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("more than once"),
        "{body}"
    );
}

async fn import_one(app: &TestApp, id: &str, owner: &str) {
    let gis = app.token(Role::Gis, "gis").await;
    let body = json!({"type": "FeatureCollection", "features": [{"type": "Feature", "id": id,
        "properties": {"zone": "south", "land_use": "M2", "status": "active", "owner": owner},
        "geometry": {"type": "Polygon", "coordinates": [[[125.40, 43.86], [125.401, 43.86],
            [125.401, 43.861], [125.40, 43.861], [125.40, 43.86]]]}}]});
    let r = app.post_import("", body.to_string(), Some(&gis)).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn html_pages_escape_data_encode_ids_and_link_on_the_public_url() {
    let app = spawn(
        None,
        ApiSettings {
            public_url: Some("https://gis.example.org/landreuse/".into()),
            ..ApiSettings::default()
        },
    )
    .await;
    import_one(&app, "P 1/2", "<script>alert(1)</script>").await;
    let r = app.get("/collections/parcels/items?f=html").await;
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let page = r.text().await.unwrap();
    assert!(!page.contains("<script>"), "data is escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        page.contains(
            "href=\"https://gis.example.org/landreuse/collections/parcels/items/P%201%2F2?f=html\""
        ),
        "links are on the public URL with the id encoded"
    );
    assert!(!page.contains("href=\"/"), "no root-relative links");
    let r = app.get("/collections/parcels/items/P%201%2F2?f=html").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("content-security-policy"));
}

#[tokio::test]
async fn only_web_addresses_become_links_on_html_pages() {
    let app = spawn_empty().await;
    let planner = app.token(Role::Planner, "planner").await;
    let r = app
        .client
        .post(format!("{}/projects", app.base))
        .bearer_auth(&planner)
        .json(&json!({"type": "Feature", "id": "PRJ-X",
            "properties": {"kind": "greening", "name": "javascript:alert(1)", "status": "planned"},
            "geometry": {"type": "Polygon", "coordinates": [[[125.40, 43.86], [125.401, 43.86],
                [125.401, 43.861], [125.40, 43.861], [125.40, 43.86]]]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let page = app
        .get("/collections/project_areas/items/PRJ-X?f=html")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("javascript:alert(1)"), "shown as text");
    assert!(!page.contains("href=\"javascript:"), "never a link");
}

#[tokio::test]
async fn every_response_names_its_request_and_errors_carry_the_id() {
    let app = spawn_empty().await;
    let r = app.get("/collections/buildings").await;
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(!id.is_empty());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());
    let other = app.get("/conformance").await;
    assert_ne!(other.headers()["x-request-id"].to_str().unwrap(), id);
}

#[tokio::test]
async fn a_method_a_path_does_not_take_is_a_405_problem_with_allow() {
    let app = spawn_empty().await;
    let r = app
        .client
        .delete(format!("{}/collections", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert!(r.headers()["allow"].to_str().unwrap().contains("GET"));
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("DELETE"),
        "{body}"
    );
}

#[tokio::test]
async fn a_nul_character_is_refused_where_it_is_on_both_backends() {
    let app = spawn_sample().await;
    let planner = app.token(Role::Planner, "planner").await;
    let r = app
        .client
        .post(format!("{}/reallocations", app.base))
        .bearer_auth(&planner)
        .json(&json!({"kind": "reserve", "parcels": [{"code": "ETDZ-S-000001"}, {"code": "P\u{0}2"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"].as_str().unwrap().contains("/parcels/1/code"),
        "{body}"
    );
    for path in [
        "/parcels/P%002/history",
        "/reallocations/RC%0001",
        "/collections/parcels/items?owner=a%00b",
    ] {
        let (status, body) = app.get_json(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["detail"].as_str().unwrap().contains("NUL"), "{body}");
    }
    let gis = app.token(Role::Gis, "gis").await;
    let feature = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"zone": "south", "land_use": "M2", "owner": "A\u{0}B"},
        "geometry": {"type": "Polygon", "coordinates": [[[125.40, 43.86], [125.401, 43.86],
            [125.401, 43.861], [125.40, 43.861], [125.40, 43.86]]]}}]});
    let before = app.store_snapshot().await;
    let r = app.post_import("", feature.to_string(), Some(&gis)).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(body.to_string().contains("NUL"), "{body}");
    assert_eq!(app.store_snapshot().await, before, "nothing was stored");
}
