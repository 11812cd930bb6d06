//! OGC API – Features Part 1 behaviour over the sample zone and small fixtures.

use std::collections::HashSet;

use landreuse::auth::Role;
use serde_json::Value;

use crate::helpers::{fixture_text, ids, link, spawn_empty, spawn_sample};

#[tokio::test]
async fn landing_page_links_the_api_conformance_and_collections() {
    let app = spawn_empty().await;
    let (status, body) = app.get_json("/").await;
    assert_eq!(status, 200);
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        assert!(
            link(&body, rel).is_some(),
            "landing page lacks rel={rel}: {body}"
        );
    }
    let (_, conf) = app.get_json("/conformance").await;
    let classes: Vec<&str> = conf["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in ["core", "geojson", "html", "oas30"] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{c}");
        assert!(classes.contains(&uri.as_str()), "missing {uri}");
    }
}

#[tokio::test]
async fn collections_list_parcels_zones_roads_and_cases_with_extent_and_links() {
    let app = spawn_sample().await;
    let (status, body) = app.get_json("/collections").await;
    assert_eq!(status, 200);
    let list = body["collections"].as_array().unwrap();
    let names: Vec<&str> = list.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(
        names,
        vec![
            "parcels",
            "zones",
            "roads",
            "reallocations",
            "schools",
            "project_lines",
            "project_areas"
        ]
    );
    let parcels = &list[0];
    let bbox = &parcels["extent"]["spatial"]["bbox"][0];
    assert!(
        bbox[0].as_f64().unwrap() > 125.2 && bbox[2].as_f64().unwrap() < 125.7,
        "{bbox}"
    );
    assert!(link(parcels, "items")
        .unwrap()
        .ends_with("/collections/parcels/items"));
    let (status, one) = app.get_json("/collections/roads").await;
    assert_eq!(status, 200);
    assert_eq!(one["id"], "roads");
}

#[tokio::test]
async fn paging_through_parcels_reaches_every_feature_once() {
    let app = spawn_sample().await;
    let (_, first) = app
        .get_json("/collections/parcels/items?limit=700&status=active")
        .await;
    let matched = first["numberMatched"].as_u64().unwrap() as usize;
    assert!(
        matched > 1000,
        "the sample zone has thousands of active parcels"
    );
    let mut seen = HashSet::new();
    let mut body = first;
    let mut pages = 0;
    loop {
        assert_eq!(
            body["numberReturned"].as_u64().unwrap() as usize,
            ids(&body).len()
        );
        assert!(body["timeStamp"].as_str().is_some());
        for id in ids(&body) {
            assert!(seen.insert(id.clone()), "{id} was served twice");
        }
        for f in body["features"].as_array().unwrap() {
            assert_eq!(
                f["properties"]["status"], "active",
                "the filter holds on every page"
            );
        }
        pages += 1;
        let Some(next) = link(&body, "next") else {
            break;
        };
        assert!(
            next.contains("status=active") && next.contains("limit=700"),
            "{next}"
        );
        let r = app.client.get(&next).send().await.unwrap();
        assert_eq!(r.status(), 200);
        body = r.json().await.unwrap();
    }
    assert_eq!(seen.len(), matched);
    assert_eq!(pages, matched.div_ceil(700));
}

#[tokio::test]
async fn bbox_selects_by_geometry_not_by_envelope() {
    let app = spawn_empty().await;
    let token = app.token(Role::Gis, "surveyor").await;
    let r = app
        .post_import("", fixture_text("bbox_l_shape.geojson"), Some(&token))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // The box lies in the notch of the L: inside its envelope, outside its geometry.
    let (_, notch) = app
        .get_json("/collections/parcels/items?bbox=125.406,43.866,125.409,43.869")
        .await;
    assert_eq!(ids(&notch), vec!["IN-NOTCH"]);
    assert_eq!(notch["numberMatched"], 1);
    let (_, arm) = app
        .get_json("/collections/parcels/items?bbox=125.404,43.864,125.406,43.866")
        .await;
    assert_eq!(ids(&arm), vec!["L-SHAPE"]);
    let (_, all) = app
        .get_json("/collections/parcels/items?bbox=125.3,43.8,125.5,43.9")
        .await;
    assert_eq!(ids(&all), vec!["L-SHAPE", "IN-NOTCH", "FAR-AWAY"]);
}

#[tokio::test]
async fn equality_filters_match_a_scan_of_every_parcel() {
    let app = spawn_sample().await;
    let (_, everything) = app.get_json("/collections/parcels/items?limit=10000").await;
    let features = everything["features"].as_array().unwrap();
    assert_eq!(
        everything["numberMatched"].as_u64().unwrap() as usize,
        features.len()
    );
    let expected = features
        .iter()
        .filter(|f| f["properties"]["status"] == "zombie" && f["properties"]["zone"] == "south")
        .count();
    assert!(expected > 0, "the sample zone has zombie land in the south");
    let (_, filtered) = app
        .get_json("/collections/parcels/items?status=zombie&zone=south&limit=10000")
        .await;
    assert_eq!(
        filtered["numberMatched"].as_u64().unwrap() as usize,
        expected
    );
    let (_, roads) = app
        .get_json("/collections/roads/items?name=%E4%B8%96%E7%BA%AA%E5%A4%A7%E8%A1%97")
        .await;
    assert_eq!(roads["numberMatched"], 1, "世纪大街 is one road");
    assert!(
        roads["features"][0]["properties"]["length_m"]
            .as_f64()
            .unwrap()
            > 3000.0
    );
}

#[tokio::test]
async fn unknown_parameters_and_bad_values_get_400_problems() {
    let app = spawn_empty().await;
    for (query, words) in [
        ("colour=red", "colour"),
        ("limit=0", "limit"),
        ("limit=10x", "limit"),
        ("offset=-1", "offset"),
        ("bbox=125.4,43.8,125.3", "bbox"),
        ("bbox=125.4,43.9,125.5,43.8", "minimum latitude"),
        ("status=idle&status=zombie", "more than once"),
        ("f=xml", "f=xml"),
        ("datetime=last-week", "datetime"),
    ] {
        let r = app
            .get(&format!("/collections/parcels/items?{query}"))
            .await;
        assert_eq!(r.status(), 400, "{query}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["detail"].as_str().unwrap().contains(words),
            "{query}: {body}"
        );
    }
}

#[tokio::test]
async fn missing_collections_and_features_are_404_problems() {
    let app = spawn_sample().await;
    for path in [
        "/collections/buildings",
        "/collections/buildings/items",
        "/collections/parcels/items/NO-SUCH-PARCEL",
        "/nowhere",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn a_single_parcel_has_its_measures_and_links() {
    let app = spawn_sample().await;
    let (_, page) = app.get_json("/collections/parcels/items?limit=1").await;
    let id = ids(&page)[0].clone();
    let r = app.get(&format!("/collections/parcels/items/{id}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let f: Value = r.json().await.unwrap();
    assert_eq!(f["id"], id.as_str());
    let p = &f["properties"];
    let (m2, mu) = (
        p["area_m2"].as_f64().unwrap(),
        p["area_mu"].as_f64().unwrap(),
    );
    assert!((m2 / mu - 10_000.0 / 15.0).abs() < 0.1, "mu = m² / 666.67");
    for rel in ["self", "alternate", "collection"] {
        assert!(link(&f, rel).is_some(), "missing rel={rel}");
    }
}

#[tokio::test]
async fn html_pages_are_served_for_people() {
    let app = spawn_sample().await;
    for path in [
        "/?f=html",
        "/collections?f=html",
        "/collections/parcels/items?f=html&limit=5",
        "/api?f=html",
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(r.text().await.unwrap().contains("<table>"), "{path}");
    }
    let browser = app
        .client
        .get(format!("{}/collections", app.base))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert!(browser.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test]
async fn the_openapi_document_declares_limit_and_the_queryables() {
    let app = spawn_empty().await;
    let r = app.get("/api").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/vnd.oai.openapi+json"));
    let doc: Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
    let limit = &doc["components"]["parameters"]["limit"]["schema"];
    assert_eq!(limit["minimum"], 1);
    assert_eq!(limit["maximum"], 10000);
    assert_eq!(limit["default"], 10);
    let params: Vec<&str> = doc["paths"]["/collections/parcels/items"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for q in ["zone", "status", "land_use", "owner"] {
        assert!(params.contains(&q), "{q} is not a declared parameter");
    }
    for q in ["zone", "status", "land_use", "owner", "grade"] {
        assert!(params.contains(&q), "{q} is not a declared parameter");
    }
    // Part 2 parameters and the domain endpoints are declared.
    for q in ["bbox-crs", "crs"] {
        assert!(doc["components"]["parameters"][q].is_object(), "{q}");
    }
    for path in [
        "/reallocations",
        "/reallocations/{caseId}/transitions",
        "/enterprises/{enterpriseId}",
        "/parcels/{parcelId}/history",
        "/collections/parcels/queryables",
        "/reports/land-reserve",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is declared");
    }
    let text = doc.to_string();
    assert!(!text.contains("\"$ref\":\"http"), "no remote references");
}

#[tokio::test]
async fn browsers_get_the_web_map_at_the_root_and_clients_the_landing_page() {
    let web = tempfile::tempdir().unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!DOCTYPE html><title>地图 web map</title>",
    )
    .unwrap();
    std::fs::create_dir(web.path().join("assets")).unwrap();
    std::fs::write(web.path().join("assets/app.js"), "console.log('map')").unwrap();
    let app = crate::helpers::spawn(
        None,
        landreuse::api::ApiSettings {
            web_dir: Some(web.path().to_path_buf()),
            ..Default::default()
        },
    )
    .await;
    let get = |path: &'static str, accept: &'static str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("accept", accept)
            .send()
    };
    let page = get("/", "text/html,application/xhtml+xml").await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("地图 web map"));
    let landing = get("/?f=html", "text/html")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(landing.contains("/conformance") && !landing.contains("地图 web map"));
    let json = get("/", "application/json").await.unwrap();
    let body: serde_json::Value = json.json().await.unwrap();
    assert!(body["links"].is_array(), "{body}");
    let script = get("/assets/app.js", "*/*").await.unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    let missing = get("/assets/nothing.js", "*/*").await.unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("there is no resource at /assets/nothing.js"));
    let post = app
        .client
        .post(format!("{}/nowhere", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 404);
}

/// Issue 14, item 5: every collection declares one geometry type (metadata, feature
/// schema, queryables) and serves nothing else; the public projects are split into
/// lines and areas.
#[tokio::test]
async fn each_collection_declares_one_geometry_type_and_serves_only_it() {
    let app = spawn_sample().await;
    let (_, body) = app.get_json("/collections").await;
    let mut served = 0;
    for c in body["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let declared = c["geometryType"].as_str().unwrap();
        let format = format!("geometry-{}", declared.to_ascii_lowercase());
        let schema_url = link(c, "describedby").expect("a describedby link to the schema");
        let path = schema_url.split_once("/collections/").unwrap().1;
        let (status, schema) = app.get_json(&format!("/collections/{path}")).await;
        assert_eq!(status, 200, "{schema_url}");
        let (_, queryables) = app.get_json(&format!("/collections/{id}/queryables")).await;
        for doc in [&schema, &queryables] {
            let g = &doc["properties"]["geometry"];
            assert_eq!(g["format"], format.as_str(), "{id}: {g}");
            assert_eq!(g["x-ogc-role"], "primary-geometry", "{id}: {g}");
            assert_eq!(
                g["$ref"],
                format!("https://geojson.org/schema/{declared}.json"),
                "{id}: {g}"
            );
        }
        let (_, items) = app
            .get_json(&format!("/collections/{id}/items?limit=10000"))
            .await;
        let features = items["features"].as_array().unwrap();
        assert_eq!(items["numberMatched"], features.len(), "{id}");
        let types: HashSet<&str> = features
            .iter()
            .filter_map(|f| f["geometry"]["type"].as_str())
            .collect();
        if !features.is_empty() {
            assert_eq!(types, HashSet::from([declared]), "{id}");
        }
        if id.starts_with("project_") {
            served += features.len();
        }
    }
    let (_, lines) = app
        .get_json("/collections/project_lines/items?limit=1000")
        .await;
    let kinds: HashSet<&str> = lines["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, HashSet::from(["street_renovation", "lighting"]));
    let (_, areas) = app
        .get_json("/collections/project_areas/items?limit=1000&kind=lighting")
        .await;
    assert_eq!(areas["numberMatched"], 0, "no line among the areas");
    assert_eq!(served, 35, "every sample project is served once");
}

/// The old `projects` collection: its feature URLs lead to the collection serving each
/// project now; the collection itself is a 404 that names the two.
#[tokio::test]
async fn retired_projects_collection_leads_to_its_lines_and_areas() {
    let app = spawn_sample().await;
    let (_, lines) = app
        .get_json("/collections/project_lines/items?limit=1")
        .await;
    let id = lines["features"][0]["id"].as_str().unwrap().to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(format!(
            "{}/collections/projects/items/{id}?f=json",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 308);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.ends_with(&format!("/collections/project_lines/items/{id}?f=json")),
        "{to}"
    );
    let followed = app.get(&format!("/collections/projects/items/{id}")).await;
    assert_eq!(followed.status(), 200);
    let r = app
        .get(&format!("/collections/project_areas/items/{id}"))
        .await;
    assert_eq!(r.status(), 404);
    let detail = r.text().await.unwrap();
    assert!(detail.contains("collection project_lines"), "{detail}");
    for path in ["/collections/projects", "/collections/projects/items"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 404, "{path}");
        let detail = r.text().await.unwrap();
        assert!(
            detail.contains("project_lines") && detail.contains("project_areas"),
            "{detail}"
        );
    }
    let r = app.get("/collections/projects/items/PRJ-NONE").await;
    assert_eq!(r.status(), 404);
}
