//! OGC API – Features Part 4 (create, replace, update, delete; optimistic locking).
//!
//! The standard's repository (opengeospatial/ogcapi-features,
//! extensions/transactions/create-replace-update-delete) has abstract tests for the
//! create-replace-delete and features classes; the update and optimistic-locking classes
//! have requirements only ("test cases … will be added once the requirements are final").
//! Each test here is named after the abstract test it implements (`conf_…`) or, where
//! there is none, the requirement it checks (`req_…`); the domain tests follow.

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::helpers::{spawn, spawn_sample, TestApp};
use landreuse::api::ApiSettings;
use landreuse::auth::Role;
use landreuse::domain::Collection;

const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
const EPSG_4551: &str = "http://www.opengis.net/def/crs/EPSG/0/4551";
const EPSG_4530: &str = "http://www.opengis.net/def/crs/EPSG/0/4530";
const PATCH: &str = "application/merge-patch+json";
const GEOJSON: &str = "application/geo+json";

/// A sample-zone parcel nobody's case holds, with no owner (an attribute edit of it does
/// not regrade anything).
const PARCEL: &str = "ETDZ-S-000001";

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    fn etag(&self) -> String {
        self.header("etag").expect("an ETag header")
    }
}

struct Rig {
    app: TestApp,
    gis: String,
}

async fn rig() -> Rig {
    let app = spawn_sample().await;
    let gis = app.token(Role::Gis, "surveyor-li").await;
    Rig { app, gis }
}

impl Rig {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.app.client.request(
            method.parse().expect("method"),
            format!("{}{path}", self.app.base),
        );
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let r = req.send().await.expect("request is sent");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, &[], None).await
    }

    async fn post(&self, collection: &str, headers: &[(&str, &str)], feature: Value) -> Answer {
        let mut h = vec![("content-type", GEOJSON)];
        h.extend_from_slice(headers);
        self.send(
            "POST",
            &format!("/collections/{collection}/items"),
            Some(&self.gis),
            &h,
            Some(feature),
        )
        .await
    }

    async fn patch(&self, code: &str, etag: Option<&str>, patch: Value) -> Answer {
        let mut h = vec![("content-type", PATCH)];
        if let Some(e) = etag {
            h.push(("if-match", e));
        }
        self.send(
            "PATCH",
            &format!("/collections/parcels/items/{code}"),
            Some(&self.gis),
            &h,
            Some(patch),
        )
        .await
    }

    async fn etag_of(&self, collection: &str, code: &str) -> String {
        let a = self
            .get(&format!("/collections/{collection}/items/{code}"))
            .await;
        assert_eq!(a.status, 200, "{}", a.body);
        a.etag()
    }

    async fn events_of(&self, c: Collection, code: &str) -> Vec<landreuse::store::Event> {
        self.app
            .state
            .store
            .feature_history(c, code)
            .await
            .expect("history")
    }
}

/// A small square around (lon, lat), `d` degrees across, in CRS84.
fn square(lon: f64, lat: f64, d: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]})
}

fn new_parcel(id: Option<&str>) -> Value {
    let mut f = json!({"type": "Feature",
        "properties": {"land_use": "M1", "status": "active", "name": "测绘新增宗地"},
        "geometry": square(125.412, 43.861, 0.001)});
    if let Some(id) = id {
        f["id"] = json!(id);
    }
    f
}

fn line_feature() -> Value {
    json!({"type": "Feature", "properties": {"name": "新建支路", "kind": "lighting", "status": "planned"},
        "geometry": {"type": "LineString", "coordinates": [[125.401, 43.861], [125.405, 43.862]]}})
}

/// One writable feature per editable collection.
fn feature_for(collection: &str) -> Value {
    match collection {
        "parcels" => new_parcel(None),
        "zones" => {
            json!({"type": "Feature", "id": "test-zone", "properties": {"name": "测试片区", "kind": "subdistrict"},
            "geometry": square(125.40, 43.85, 0.01)})
        }
        "roads" => json!({"type": "Feature", "properties": {"name": "测试路", "class": "branch"},
            "geometry": {"type": "LineString", "coordinates": [[125.401, 43.851], [125.409, 43.852]]}}),
        "schools" => {
            json!({"type": "Feature", "properties": {"name": "测试小学", "kind": "new", "level": "primary", "status": "planned"},
            "geometry": square(125.43, 43.91, 0.001)})
        }
        "project_lines" => line_feature(),
        "project_areas" => {
            json!({"type": "Feature", "properties": {"name": "街角绿地", "kind": "greening", "status": "planned"},
            "geometry": square(125.44, 43.92, 0.001)})
        }
        other => panic!("no feature for {other}"),
    }
}

const EDITABLE: [&str; 6] = [
    "parcels",
    "zones",
    "roads",
    "schools",
    "project_lines",
    "project_areas",
];

// ---- create-replace-delete: insert ----

#[tokio::test]
async fn conf_create_replace_delete_insert_post_op() {
    let r = rig().await;
    for c in EDITABLE {
        let a = r.post(c, &[], feature_for(c)).await;
        assert_eq!(a.status, 201, "POST to {c}: {}", a.body);
    }
}

#[tokio::test]
async fn conf_create_replace_delete_insert_body() {
    // Every representation the API declares for a POST body: GeoJSON and JSON.
    let r = rig().await;
    let api = r.get("/api").await.body;
    let content = &api["paths"]["/collections/parcels/items"]["post"]["requestBody"]["content"];
    let media: Vec<&str> = content
        .as_object()
        .expect("POST body media types")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(media, vec![GEOJSON, "application/json"]);
    for (i, m) in media.iter().enumerate() {
        let mut f = new_parcel(Some(&format!("ETDZ-T-BODY-{i}")));
        f["geometry"] = square(125.412 + 0.002 * i as f64, 43.861, 0.001);
        let a = r
            .send(
                "POST",
                "/collections/parcels/items",
                Some(&r.gis),
                &[("content-type", m)],
                Some(f),
            )
            .await;
        assert_eq!(a.status, 201, "POST as {m}: {}", a.body);
    }
}

#[tokio::test]
async fn conf_create_replace_delete_insert_content_type() {
    let r = rig().await;
    let before = r.app.store_snapshot().await;
    for ct in ["text/plain", "application/xml"] {
        let a = r
            .send(
                "POST",
                "/collections/parcels/items",
                Some(&r.gis),
                &[("content-type", ct)],
                Some(new_parcel(None)),
            )
            .await;
        assert_eq!(a.status, 415, "{ct}: {}", a.body);
        let detail = a.body["detail"].as_str().unwrap();
        assert!(
            detail.contains("application/geo+json") && detail.contains(ct),
            "{detail}"
        );
    }
    assert_eq!(r.app.store_snapshot().await, before, "nothing was written");
    let a = r.post("parcels", &[], new_parcel(None)).await;
    assert_eq!(a.status, 201, "{}", a.body);
}

#[tokio::test]
async fn conf_create_replace_delete_insert_response() {
    let r = rig().await;
    let a = r
        .post("parcels", &[], new_parcel(Some("ETDZ-T-0001")))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let location = a.header("location").expect("a Location header");
    assert_eq!(
        location,
        format!("{}/collections/parcels/items/ETDZ-T-0001", r.app.base)
    );
    let got = r
        .app
        .client
        .get(&location)
        .send()
        .await
        .expect("GET Location");
    assert_eq!(got.status(), 200);
    let got: Value = got.json().await.unwrap();
    assert_eq!(got["id"], "ETDZ-T-0001");
    assert_eq!(got["properties"]["name"], "测绘新增宗地");
}

#[tokio::test]
async fn conf_create_replace_delete_insert_response_rid() {
    // The server assigns a new, unique id; the resource at Location is the one added.
    let r = rig().await;
    let mut ids = Vec::new();
    for i in 0..2 {
        let mut f = new_parcel(None);
        f["geometry"] = square(125.412 + 0.002 * f64::from(i), 43.863, 0.001);
        let a = r.post("parcels", &[], f.clone()).await;
        assert_eq!(a.status, 201, "{}", a.body);
        let location = a.header("location").unwrap();
        let id = location.rsplit('/').next().unwrap().to_string();
        let got = r.get(&format!("/collections/parcels/items/{id}")).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.body["id"], json!(id));
        assert_eq!(got.body["properties"]["land_use"], "M1");
        let ring = &got.body["geometry"]["coordinates"][0][0];
        let sent = &f["geometry"]["coordinates"][0];
        for (p, q) in ring
            .as_array()
            .unwrap()
            .iter()
            .zip(sent.as_array().unwrap())
        {
            for k in 0..2 {
                let d = (p[k].as_f64().unwrap() - q[k].as_f64().unwrap()).abs();
                assert!(d < 1e-9, "stored {p} for sent {q}");
            }
        }
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1], "each create gets its own id");
}

// ---- create-replace-delete: replace ----

async fn replaced(r: &Rig, name: &str) -> Value {
    let a = r.get(&format!("/collections/parcels/items/{PARCEL}")).await;
    let mut f = a.body.clone();
    f.as_object_mut().unwrap().remove("links");
    f["properties"]["name"] = json!(name);
    f
}

#[tokio::test]
async fn conf_create_replace_delete_update_put_put_op() {
    let r = rig().await;
    for c in EDITABLE {
        let a = r.post(c, &[], feature_for(c)).await;
        assert_eq!(a.status, 201, "{c}: {}", a.body);
        let id = a.body["id"].as_str().unwrap().to_string();
        let mut f = a.body.clone();
        f["properties"]["name"] = json!("改名");
        let put = r
            .send(
                "PUT",
                &format!("/collections/{c}/items/{id}"),
                Some(&r.gis),
                &[("content-type", GEOJSON), ("if-match", &a.etag())],
                Some(f),
            )
            .await;
        assert_eq!(put.status, 200, "PUT {c}/{id}: {}", put.body);
        assert_eq!(put.body["properties"]["name"], "改名");
    }
}

#[tokio::test]
async fn conf_create_replace_delete_update_put_body() {
    // The body is the whole new state: a property left out is gone.
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let mut f = replaced(&r, "整宗替换").await;
    f["properties"].as_object_mut().unwrap().remove("land_use");
    f["properties"]["note"] = json!("外业核实");
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &etag)],
            Some(f),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let got = r
        .get(&format!("/collections/parcels/items/{PARCEL}"))
        .await
        .body;
    assert_eq!(got["properties"]["name"], "整宗替换");
    assert_eq!(got["properties"]["note"], "外业核实");
    assert_eq!(got["properties"]["land_use"], Value::Null);
    assert!(
        got["properties"].get("land_use_name").is_none(),
        "what the code meant goes with it"
    );
}

#[tokio::test]
async fn conf_create_replace_delete_update_put_content_type() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let f = replaced(&r, "x").await;
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", PATCH), ("if-match", &etag)],
            Some(f),
        )
        .await;
    assert_eq!(a.status, 415, "{}", a.body);
    assert_eq!(r.etag_of("parcels", PARCEL).await, etag, "unchanged");
}

#[tokio::test]
async fn conf_create_replace_delete_update_put_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[
                ("content-type", GEOJSON),
                ("if-match", &etag),
                ("prefer", "return=minimal"),
            ],
            Some(replaced(&r, "最小应答").await),
        )
        .await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(
        a.header("preference-applied").as_deref(),
        Some("return=minimal")
    );
    let etag = a.etag();
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &etag)],
            Some(replaced(&r, "完整应答").await),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["properties"]["name"], "完整应答");
}

#[tokio::test]
async fn conf_create_replace_delete_update_put_rid_exception() {
    let r = rig().await;
    let before = r.app.store_snapshot().await;
    let f = new_parcel(Some("ETDZ-NOWHERE"));
    let path = "/collections/parcels/items/ETDZ-NOWHERE";
    let a = r
        .send(
            "PUT",
            path,
            Some(&r.gis),
            &[("content-type", GEOJSON)],
            Some(f.clone()),
        )
        .await;
    assert_eq!(a.status, 404, "{}", a.body);
    let a = r
        .send(
            "PUT",
            path,
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", "\"abc\"")],
            Some(f),
        )
        .await;
    assert_eq!(a.status, 412, "If-Match on a missing feature: {}", a.body);
    assert_eq!(r.app.store_snapshot().await, before, "PUT created nothing");
}

// ---- create-replace-delete: delete ----

#[tokio::test]
async fn conf_create_replace_delete_delete_delete_op() {
    let r = rig().await;
    for c in EDITABLE {
        let a = r.post(c, &[], feature_for(c)).await;
        assert_eq!(a.status, 201, "{c}: {}", a.body);
        let id = a.body["id"].as_str().unwrap().to_string();
        let d = r
            .send(
                "DELETE",
                &format!("/collections/{c}/items/{id}"),
                Some(&r.gis),
                &[("if-match", &a.etag())],
                None,
            )
            .await;
        assert_eq!(d.status, 204, "DELETE {c}/{id}: {}", d.body);
    }
}

#[tokio::test]
async fn conf_create_replace_delete_delete_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let d = r
        .send(
            "DELETE",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("if-match", &etag)],
            None,
        )
        .await;
    assert_eq!(d.status, 204, "{}", d.body);
    let gone = r.get(&format!("/collections/parcels/items/{PARCEL}")).await;
    assert_eq!(gone.status, 404);
    let detail = gone.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("feature.retired by surveyor-li") && detail.contains("/history"),
        "{detail}"
    );
}

// ---- create-replace-delete: options, methods ----

#[tokio::test]
async fn req_create_replace_delete_options_response() {
    let r = rig().await;
    let viewer = r.app.token(Role::Viewer, "viewer").await;
    let planner = r.app.token(Role::Planner, "planner").await;
    let allow = |a: &Answer| a.header("allow").unwrap_or_default();
    let item = format!("/collections/parcels/items/{PARCEL}");
    for (token, want_items, want_item) in [
        (None, "GET, HEAD, OPTIONS", "GET, HEAD, OPTIONS"),
        (
            Some(viewer.as_str()),
            "GET, HEAD, OPTIONS",
            "GET, HEAD, OPTIONS",
        ),
        (
            Some(planner.as_str()),
            "GET, HEAD, OPTIONS",
            "GET, HEAD, OPTIONS",
        ),
        (
            Some(r.gis.as_str()),
            "GET, HEAD, OPTIONS, POST",
            "GET, HEAD, OPTIONS, PUT, PATCH, DELETE",
        ),
    ] {
        let a = r
            .send("OPTIONS", "/collections/parcels/items", token, &[], None)
            .await;
        assert_eq!(a.status, 200);
        assert_eq!(allow(&a), want_items);
        assert_eq!(
            a.header("accept-post").as_deref(),
            Some("application/geo+json, application/json")
        );
        let a = r.send("OPTIONS", &item, token, &[], None).await;
        assert_eq!(a.status, 200);
        assert_eq!(allow(&a), want_item);
        assert_eq!(a.header("accept-patch").as_deref(), Some(PATCH));
    }
    // A planner edits schools and projects.
    let a = r
        .send(
            "OPTIONS",
            "/collections/schools/items/SCH-01",
            Some(&planner),
            &[],
            None,
        )
        .await;
    assert_eq!(allow(&a), "GET, HEAD, OPTIONS, PUT, PATCH, DELETE");
    // A CORS preflight is still answered by the CORS layer.
    let a = r
        .send(
            "OPTIONS",
            &item,
            None,
            &[
                ("origin", "http://example.test"),
                ("access-control-request-method", "PATCH"),
            ],
            None,
        )
        .await;
    assert_eq!(a.status, 200);
    assert!(a.header("access-control-allow-methods").is_some());
}

#[tokio::test]
async fn req_core_methods() {
    // The methods of every resource, declared by OPTIONS, are the ones that work; the
    // reallocations collection is read-only, with a pointer to the case endpoints.
    let r = rig().await;
    let a = r
        .send(
            "OPTIONS",
            "/collections/reallocations/items",
            Some(&r.gis),
            &[],
            None,
        )
        .await;
    assert_eq!(a.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
    let a = r.post("reallocations", &[], new_parcel(None)).await;
    assert_eq!(a.status, 405, "{}", a.body);
    assert_eq!(a.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("/reallocations/{caseId}/transitions"));
    let api = r.get("/api").await.body;
    assert!(api["paths"]["/collections/reallocations/items"]
        .get("post")
        .is_none());
    for c in EDITABLE {
        let p = &api["paths"][format!("/collections/{c}/items/{{featureId}}")];
        for m in ["get", "put", "patch", "delete", "options"] {
            assert!(p.get(m).is_some(), "{c} declares {m}");
        }
    }
}

// ---- features ----

#[tokio::test]
async fn conf_features_collection_items_end_point() {
    let r = rig().await;
    let collections = r.get("/collections").await.body;
    for c in collections["collections"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let a = r
            .send(
                "OPTIONS",
                &format!("/collections/{id}/items"),
                Some(&r.gis),
                &[],
                None,
            )
            .await;
        assert_eq!(a.status, 200, "{id}");
        let allow = a.header("allow").unwrap();
        assert_eq!(
            allow.contains("POST"),
            id != "reallocations",
            "{id}: {allow}"
        );
    }
}

#[tokio::test]
async fn conf_features_feature_end_point() {
    // The feature ids come from /items; each resource endpoint answers OPTIONS with the
    // methods of Part 4.
    let r = rig().await;
    for c in EDITABLE {
        let page = r.get(&format!("/collections/{c}/items?limit=3")).await.body;
        for f in page["features"].as_array().unwrap() {
            let id = f["id"].as_str().unwrap();
            let a = r
                .send(
                    "OPTIONS",
                    &format!("/collections/{c}/items/{id}"),
                    Some(&r.gis),
                    &[],
                    None,
                )
                .await;
            assert_eq!(a.status, 200, "{c}/{id}");
            assert!(a.header("allow").unwrap().contains("PATCH"), "{c}/{id}");
        }
    }
}

/// The sample parcel's ring as GK coordinates in the CRS's axis order.
async fn ring_in(r: &Rig, crs: &str) -> Value {
    let a = r
        .get(&format!("/collections/parcels/items/{PARCEL}?crs={crs}"))
        .await;
    a.body["geometry"]["coordinates"][0][0].clone()
}

fn shifted(ring: &Value, da: f64, db: f64) -> Value {
    Value::from(
        ring.as_array()
            .unwrap()
            .iter()
            .map(|p| json!([p[0].as_f64().unwrap() + da, p[1].as_f64().unwrap() + db]))
            .collect::<Vec<_>>(),
    )
}

#[tokio::test]
async fn req_features_content_crs_header() {
    // Coordinates in the CRS of Content-Crs, in its axis order (northing first for the
    // Gauss-Kruger CRSs): stored where the same feature in CRS84 lies.
    let r = rig().await;
    let crs84 = ring_in(&r, CRS84).await;
    for (crs, id) in [(EPSG_4551, "ETDZ-T-4551"), (EPSG_4530, "ETDZ-T-4530")] {
        // 200 m north of the sample parcel.
        let ring = shifted(&ring_in(&r, crs).await, 200.0, 0.0);
        let f = json!({"type": "Feature", "id": id, "properties": {"land_use": "M1"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}});
        let header = format!("<{crs}>");
        let a = r.post("parcels", &[("content-crs", &header)], f).await;
        assert_eq!(a.status, 201, "{crs}: {}", a.body);
        let stored = &a.body["geometry"]["coordinates"][0][0];
        for (p, q) in stored
            .as_array()
            .unwrap()
            .iter()
            .zip(crs84.as_array().unwrap())
        {
            let dlon = p[0].as_f64().unwrap() - q[0].as_f64().unwrap();
            let dlat = p[1].as_f64().unwrap() - q[1].as_f64().unwrap();
            assert!(dlon.abs() < 2e-5, "{crs}: lon moved by {dlon}");
            assert!(
                (dlat - 0.0018).abs() < 2e-5,
                "{crs}: 200 m north is {dlat}° of latitude"
            );
        }
    }
}

#[tokio::test]
async fn req_features_crs_other_crs() {
    let r = rig().await;
    let before = r.app.store_snapshot().await;
    // An unsupported CRS is refused.
    let a = r
        .post(
            "parcels",
            &[(
                "content-crs",
                "<http://www.opengis.net/def/crs/EPSG/0/32651>",
            )],
            new_parcel(None),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("Content-Crs"));
    // Degrees sent as Gauss-Kruger metres: the check names the header that reads them.
    let a = r
        .post(
            "parcels",
            &[("content-crs", &format!("<{EPSG_4551}>"))],
            new_parcel(None),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let detail = a.body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Content-Crs") && detail.contains(CRS84),
        "{detail}"
    );
    assert_eq!(r.app.store_snapshot().await, before);
}

#[tokio::test]
async fn req_features_default_crs() {
    let r = rig().await;
    let a = r
        .post("parcels", &[], new_parcel(Some("ETDZ-T-CRS84")))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(
        a.body["geometry"]["coordinates"][0][0][0],
        json!([125.412, 43.861])
    );
}

#[tokio::test]
async fn req_features_geojson_create_replace() {
    // A: an id in a replacement that differs from the URL's is refused; B: the geometry
    // member is the primary geometry.
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let before = r.app.store_snapshot().await;
    let mut f = replaced(&r, "x").await;
    f["id"] = json!("ETDZ-S-999999");
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &etag)],
            Some(f),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("differs from the feature id"));
    assert_eq!(r.app.store_snapshot().await, before);
    let mut f = replaced(&r, "新边界").await;
    f["geometry"] = square(125.3705, 43.8365, 0.001);
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &etag)],
            Some(f),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["geometry"]["coordinates"][0][0][0],
        json!([125.3705, 43.8365])
    );
    // The measures follow the new geometry (an old area_m2 in the body was the same as
    // the stored one, so it was left out, not refused).
    let area = a.body["properties"]["area_m2"].as_f64().unwrap();
    assert!(
        (area - 8_990.0).abs() < 200.0,
        "0.001° square at 43.8°N is about 9,000 m², got {area}"
    );
}

#[tokio::test]
async fn req_features_update_json_merge_patch() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    // A and D: merge patch semantics, null unsets.
    let a = r
        .patch(
            PARCEL,
            Some(&etag),
            json!({"properties": {"name": "修正名称", "land_use": null, "note": {"by": "外业"}}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let p = &a.body["properties"];
    assert_eq!(p["name"], "修正名称");
    assert_eq!(p["land_use"], Value::Null);
    assert_eq!(p["note"], json!({"by": "外业"}));
    assert_eq!(p["zone"], "south", "untouched properties stay");
    let etag = a.etag();
    let a = r
        .patch(PARCEL, Some(&etag), json!({"properties": {"note": null}}))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        a.body["properties"].get("note").is_none(),
        "a free attribute is removed"
    );
    let etag = a.etag();
    // B: the id is not updated.
    let before = r.app.store_snapshot().await;
    let a = r
        .patch(PARCEL, Some(&etag), json!({"id": "ETDZ-S-777777"}))
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(r.app.store_snapshot().await, before);
    // C: a geometry in the patch is a GeoJSON geometry.
    let a = r
        .patch(
            PARCEL,
            Some(&etag),
            json!({"geometry": square(125.3705, 43.8365, 0.0012)}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["geometry"]["type"], "MultiPolygon");
    assert_eq!(
        a.body["geometry"]["coordinates"][0][0][2],
        json!([125.3717, 43.8377])
    );
}

#[tokio::test]
async fn req_features_schema() {
    // B: properties that meet the schema are accepted; C: the schema does not say
    // additionalProperties: false, so other properties are kept.
    let r = rig().await;
    let schema = r.get("/collections/parcels/schema").await.body;
    assert_ne!(schema["additionalProperties"], json!(false));
    let mut f = new_parcel(Some("ETDZ-T-SCHEMA"));
    f["properties"]["output_value_wan"] = json!(1200.5);
    f["properties"]["survey_batch"] = json!("2026-外业-07");
    let a = r.post("parcels", &[], f).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["properties"]["output_value_wan"], json!(1200.5));
    assert_eq!(a.body["properties"]["survey_batch"], "2026-外业-07");
}

// ---- update ----

#[tokio::test]
async fn req_update_methods() {
    let r = rig().await;
    let a = r
        .send(
            "OPTIONS",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[],
            None,
        )
        .await;
    assert!(a.header("allow").unwrap().contains("PATCH"));
}

#[tokio::test]
async fn req_update_update_patch_op() {
    let r = rig().await;
    for c in EDITABLE {
        let a = r.post(c, &[], feature_for(c)).await;
        assert_eq!(a.status, 201, "{c}: {}", a.body);
        let id = a.body["id"].as_str().unwrap().to_string();
        let p = r
            .send(
                "PATCH",
                &format!("/collections/{c}/items/{id}"),
                Some(&r.gis),
                &[("content-type", PATCH), ("if-match", &a.etag())],
                Some(json!({"properties": {"name": "补丁"}})),
            )
            .await;
        assert_eq!(p.status, 200, "PATCH {c}/{id}: {}", p.body);
        assert_eq!(p.body["properties"]["name"], "补丁");
    }
}

#[tokio::test]
async fn req_update_update_patch_body() {
    // Only the parts named change; a body that is not a merge patch is refused.
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let before = r
        .get(&format!("/collections/parcels/items/{PARCEL}"))
        .await
        .body;
    let a = r
        .patch(
            PARCEL,
            Some(&etag),
            json!({"properties": {"name": "只改名称"}}),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["geometry"], before["geometry"]);
    for (k, v) in before["properties"].as_object().unwrap() {
        if k != "name" && k != "updated_at" {
            assert_eq!(&a.body["properties"][k], v, "{k}");
        }
    }
    let a = r
        .send(
            "PATCH",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &a.etag())],
            Some(json!({"properties": {}})),
        )
        .await;
    assert_eq!(
        a.status, 415,
        "a PATCH body is application/merge-patch+json: {}",
        a.body
    );
}

#[tokio::test]
async fn req_update_update_patch_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .send(
            "PATCH",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[
                ("content-type", PATCH),
                ("if-match", &etag),
                ("prefer", "return=minimal"),
            ],
            Some(json!({"properties": {"name": "204"}})),
        )
        .await;
    assert_eq!(a.status, 204);
    assert!(a.body.is_null());
    let a = r
        .patch(
            PARCEL,
            Some(&a.etag()),
            json!({"properties": {"name": "200"}}),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(
        a.header("preference-applied").as_deref(),
        Some("return=representation")
    );
}

#[tokio::test]
async fn req_update_rid() {
    // An id in the patch that is the feature's own is accepted and changes nothing.
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .patch(
            PARCEL,
            Some(&etag),
            json!({"type": "Feature", "id": PARCEL, "properties": {"name": "同一编号"}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["id"], PARCEL);
}

// ---- optimistic locking: entity tags ----

#[tokio::test]
async fn req_optimistic_locking_etags_get_etag_response() {
    let r = rig().await;
    let a = r.get(&format!("/collections/parcels/items/{PARCEL}")).await;
    let e = a.etag();
    assert!(
        e.starts_with('"') && e.ends_with('"') && !e.starts_with("W/"),
        "strong: {e}"
    );
    assert_eq!(
        r.etag_of("parcels", PARCEL).await,
        e,
        "the same state, the same tag"
    );
    // Another representation of the state has its own tag.
    let html = r
        .get(&format!("/collections/parcels/items/{PARCEL}?f=html"))
        .await;
    assert_ne!(html.etag(), e);
    let gk = r
        .get(&format!(
            "/collections/parcels/items/{PARCEL}?crs={EPSG_4551}"
        ))
        .await;
    assert_ne!(gk.etag(), e);
    assert_ne!(gk.etag(), html.etag());
}

#[tokio::test]
async fn req_optimistic_locking_etags_put_etag_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &etag)],
            Some(replaced(&r, "新标签").await),
        )
        .await;
    assert_eq!(a.status, 200);
    assert_ne!(a.etag(), etag);
    assert_eq!(
        a.etag(),
        r.etag_of("parcels", PARCEL).await,
        "the tag of the new state"
    );
}

#[tokio::test]
async fn req_optimistic_locking_etags_patch_etag_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .patch(PARCEL, Some(&etag), json!({"properties": {"name": "标签"}}))
        .await;
    assert_eq!(a.status, 200);
    assert_ne!(a.etag(), etag);
    assert_eq!(a.etag(), r.etag_of("parcels", PARCEL).await);
}

async fn check_if_match(r: &Rig, method: &str) {
    let path = format!("/collections/parcels/items/{PARCEL}");
    let body = |name: &str| match method {
        "PUT" => json!(null),
        _ => json!({"properties": {"name": name}}),
    };
    let ct = if method == "PUT" { GEOJSON } else { PATCH };
    let etag = r.etag_of("parcels", PARCEL).await;
    let events = r.events_of(Collection::Parcels, PARCEL).await.len();
    for stale in ["\"0000\"", &format!("W/{etag}")] {
        let b = if method == "PUT" {
            replaced(r, "stale").await
        } else {
            body("stale")
        };
        let a = r
            .send(
                method,
                &path,
                Some(&r.gis),
                &[("content-type", ct), ("if-match", stale)],
                Some(b),
            )
            .await;
        assert_eq!(a.status, 412, "{method} If-Match {stale}: {}", a.body);
    }
    assert_eq!(r.events_of(Collection::Parcels, PARCEL).await.len(), events);
    // The current tag, `*`, and a list holding the current tag among others.
    for i in 0..3 {
        let tag = match i {
            0 => etag.clone(),
            1 => "*".to_string(),
            _ => format!("\"0000\", {}", r.etag_of("parcels", PARCEL).await),
        };
        let b = if method == "PUT" {
            replaced(r, &format!("ok{i}")).await
        } else {
            body(&format!("ok{i}"))
        };
        let a = r
            .send(
                method,
                &path,
                Some(&r.gis),
                &[("content-type", ct), ("if-match", &tag)],
                Some(b),
            )
            .await;
        assert_eq!(a.status, 200, "{method} If-Match {tag}: {}", a.body);
    }
}

#[tokio::test]
async fn req_optimistic_locking_etags_ifmatch_put_eval() {
    check_if_match(&rig().await, "PUT").await;
}

#[tokio::test]
async fn req_optimistic_locking_etags_ifmatch_patch_eval() {
    check_if_match(&rig().await, "PATCH").await;
}

async fn check_precondition_required(r: &Rig, method: &str) {
    let path = format!("/collections/parcels/items/{PARCEL}");
    let before = r.app.store_snapshot().await;
    let (ct, body) = match method {
        "PUT" => (Some(GEOJSON), Some(replaced(r, "x").await)),
        "PATCH" => (Some(PATCH), Some(json!({"properties": {"name": "x"}}))),
        _ => (None, None),
    };
    let headers: Vec<(&str, &str)> = ct.map(|c| vec![("content-type", c)]).unwrap_or_default();
    let a = r.send(method, &path, Some(&r.gis), &headers, body).await;
    assert_eq!(a.status, 428, "{method} without a precondition: {}", a.body);
    assert!(a.body["detail"].as_str().unwrap().contains("If-Match"));
    assert_eq!(r.app.store_snapshot().await, before);
}

#[tokio::test]
async fn req_optimistic_locking_etags_ifmatch_put_op() {
    check_precondition_required(&rig().await, "PUT").await;
}

#[tokio::test]
async fn req_optimistic_locking_etags_ifmatch_patch_op() {
    let r = rig().await;
    check_precondition_required(&r, "PATCH").await;
    check_precondition_required(&r, "DELETE").await;
}

// ---- optimistic locking: timestamps ----

fn http_date_secs(text: &str) -> i64 {
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text, f)
        .unwrap_or_else(|e| panic!("{text:?} is not an HTTP date: {e}"))
        .assume_utc()
        .unix_timestamp()
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_get_last_modified_response() {
    let r = rig().await;
    let a = r.get(&format!("/collections/parcels/items/{PARCEL}")).await;
    let lm = http_date_secs(&a.header("last-modified").expect("Last-Modified"));
    let updated = a.body["properties"]["updated_at"].as_str().unwrap();
    let t = time::OffsetDateTime::parse(updated, &time::format_description::well_known::Rfc3339)
        .unwrap();
    assert_eq!(
        lm,
        t.unix_timestamp(),
        "Last-Modified is updated_at in whole seconds"
    );
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_put_last_modified_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-match", &etag)],
            Some(replaced(&r, "时间").await),
        )
        .await;
    let lm = http_date_secs(&a.header("last-modified").unwrap());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((now - lm).abs() <= 2, "written now: {lm} vs {now}");
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_patch_last_modified_response() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .patch(PARCEL, Some(&etag), json!({"properties": {"name": "t"}}))
        .await;
    let lm = http_date_secs(&a.header("last-modified").unwrap());
    let got = r.get(&format!("/collections/parcels/items/{PARCEL}")).await;
    assert_eq!(http_date_secs(&got.header("last-modified").unwrap()), lm);
}

async fn check_if_unmodified_since(r: &Rig, method: &str) {
    let path = format!("/collections/parcels/items/{PARCEL}");
    let ct = if method == "PUT" { GEOJSON } else { PATCH };
    let body = |name: &str| json!({"properties": {"name": name}});
    let got = r.get(&path).await;
    let lm = got.header("last-modified").unwrap();
    let earlier = landreuse_http_date(http_date_secs(&lm) - 1);
    let b = if method == "PUT" {
        replaced(r, "early").await
    } else {
        body("early")
    };
    let a = r
        .send(
            method,
            &path,
            Some(&r.gis),
            &[("content-type", ct), ("if-unmodified-since", &earlier)],
            Some(b),
        )
        .await;
    assert_eq!(a.status, 412, "modified after {earlier}: {}", a.body);
    let b = if method == "PUT" {
        replaced(r, "on time").await
    } else {
        body("on time")
    };
    let a = r
        .send(
            method,
            &path,
            Some(&r.gis),
            &[("content-type", ct), ("if-unmodified-since", &lm)],
            Some(b),
        )
        .await;
    assert_eq!(a.status, 200, "not modified after {lm}: {}", a.body);
    let a = r
        .send(
            method,
            &path,
            Some(&r.gis),
            &[("content-type", ct), ("if-unmodified-since", "yesterday")],
            Some(body("bad")),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
}

fn landreuse_http_date(secs: i64) -> String {
    let f = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::OffsetDateTime::from_unix_timestamp(secs)
        .unwrap()
        .format(f)
        .unwrap()
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_ifunmodifiedsince_put_eval() {
    check_if_unmodified_since(&rig().await, "PUT").await;
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_ifunmodifiedsince_patch_eval() {
    check_if_unmodified_since(&rig().await, "PATCH").await;
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_ifunmodifiedsince_put_op() {
    // Either precondition satisfies the requirement to name a state; none is a 428.
    let r = rig().await;
    check_precondition_required(&r, "PUT").await;
    let lm = r
        .get(&format!("/collections/parcels/items/{PARCEL}"))
        .await
        .header("last-modified")
        .unwrap();
    let a = r
        .send(
            "PUT",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", GEOJSON), ("if-unmodified-since", &lm)],
            Some(replaced(&r, "ius").await),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

#[tokio::test]
async fn req_optimistic_locking_timestamps_ifunmodifiedsince_patch_op() {
    let r = rig().await;
    check_precondition_required(&r, "PATCH").await;
    let lm = r
        .get(&format!("/collections/parcels/items/{PARCEL}"))
        .await
        .header("last-modified")
        .unwrap();
    let a = r
        .send(
            "PATCH",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", PATCH), ("if-unmodified-since", &lm)],
            Some(json!({"properties": {"name": "ius"}})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

#[tokio::test]
async fn the_conformance_document_declares_the_part_4_classes() {
    let r = rig().await;
    let conf = r.get("/conformance").await.body;
    let classes: Vec<&str> = conf["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in [
        "create-replace-delete",
        "update",
        "optimistic-locking-etags",
        "optimistic-locking-timestamps",
        "features",
    ] {
        let uri = format!("http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/{c}");
        assert!(classes.contains(&uri.as_str()), "{uri}");
    }
}

// ---- the land records: events, cases, retirement, roles, bad input ----

#[tokio::test]
async fn each_write_is_one_event_with_its_actor_and_the_states_before_and_after() {
    let r = rig().await;
    let before = r.events_of(Collection::Parcels, PARCEL).await.len();
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .patch(
            PARCEL,
            Some(&etag),
            json!({"properties": {"land_use": "M1"}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let history = r.get(&format!("/parcels/{PARCEL}/history")).await.body;
    let events = history["events"].as_array().expect("events");
    assert_eq!(events.len(), before + 1);
    let last = events.last().unwrap();
    assert_eq!(last["actor"], "surveyor-li");
    assert_eq!(last["action"], "feature.updated");
    assert_eq!(
        last["changes"]["land_use"],
        json!({"before": "G1", "after": "M1"})
    );
    // The land-use names follow the code.
    assert_eq!(a.body["properties"]["land_use_name"], "一类工业用地");
}

#[tokio::test]
async fn a_parcel_in_an_open_reallocation_case_changes_only_through_the_case() {
    let r = rig().await;
    let planner = r.app.token(Role::Planner, "planner-zhang").await;
    let zombie = "ETDZ-S-000057";
    let open = r
        .send(
            "POST",
            "/reallocations",
            Some(&planner),
            &[("content-type", "application/json")],
            Some(json!({"kind": "reserve", "acquisition": "recovery",
                "parcels": [{"code": zombie}], "reason": "停产三年"})),
        )
        .await;
    assert_eq!(open.status, 201, "{}", open.body);
    let case = open.body["id"].as_str().unwrap().to_string();
    let etag = r.etag_of("parcels", zombie).await;
    let before = r.app.store_snapshot().await;
    let a = r
        .patch(
            zombie,
            Some(&etag),
            json!({"properties": {"owner": "别的企业"}}),
        )
        .await;
    assert_eq!(a.status, 409, "{}", a.body);
    assert!(
        a.body["detail"].as_str().unwrap().contains(&case),
        "{}",
        a.body
    );
    let d = r
        .send(
            "DELETE",
            &format!("/collections/parcels/items/{zombie}"),
            Some(&r.gis),
            &[("if-match", &etag)],
            None,
        )
        .await;
    assert_eq!(d.status, 409);
    assert_eq!(r.app.store_snapshot().await, before);
    let o = r
        .send(
            "OPTIONS",
            &format!("/collections/parcels/items/{zombie}"),
            Some(&r.gis),
            &[],
            None,
        )
        .await;
    assert_eq!(o.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
}

#[tokio::test]
async fn a_retired_parcel_keeps_its_history_and_its_id_is_not_reused() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let d = r
        .send(
            "DELETE",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("if-match", &etag)],
            None,
        )
        .await;
    assert_eq!(d.status, 204);
    let history = r.get(&format!("/parcels/{PARCEL}/history")).await;
    assert_eq!(history.status, 200, "{}", history.body);
    let last = history.body["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "feature.retired");
    assert_eq!(last["actor"], "surveyor-li");
    let again = r.post("parcels", &[], new_parcel(Some(PARCEL))).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body["detail"]
        .as_str()
        .unwrap()
        .contains("parcel revert"));
    let items = r.get("/collections/parcels/items?limit=10000").await.body;
    assert!(!super::helpers::ids(&items).contains(&PARCEL.to_string()));
}

#[tokio::test]
async fn roles_name_who_may_edit() {
    let r = rig().await;
    let viewer = r.app.token(Role::Viewer, "viewer").await;
    let planner = r.app.token(Role::Planner, "planner").await;
    let admin = r.app.token(Role::Admin, "admin").await;
    let post = |token: Option<String>, c: &'static str| {
        let r = &r;
        async move {
            r.send(
                "POST",
                &format!("/collections/{c}/items"),
                token.as_deref(),
                &[("content-type", GEOJSON)],
                Some(feature_for(c)),
            )
            .await
        }
    };
    let a = post(None, "parcels").await;
    assert_eq!(a.status, 401);
    let a = post(Some(viewer.clone()), "parcels").await;
    assert_eq!(a.status, 403);
    assert!(
        a.body["detail"].as_str().unwrap().contains("gis or admin"),
        "{}",
        a.body
    );
    let a = post(Some(planner.clone()), "parcels").await;
    assert_eq!(a.status, 403);
    let a = post(Some(viewer), "schools").await;
    assert_eq!(a.status, 403);
    assert!(a.body["detail"]
        .as_str()
        .unwrap()
        .contains("planner, gis or admin"));
    assert_eq!(post(Some(planner), "schools").await.status, 201);
    assert_eq!(post(Some(admin), "roads").await.status, 201);
}

#[tokio::test]
async fn bad_edits_are_refused_with_the_reason_and_the_store_unchanged() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let before = r.app.store_snapshot().await;
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "a patch that removes the geometry",
            json!({"geometry": null}),
            422,
            "removes the geometry",
        ),
        (
            "an invalid ring (a bow-tie)",
            json!({"geometry": {"type": "Polygon", "coordinates": [[[125.37, 43.83], [125.371, 43.831], [125.371, 43.83], [125.37, 43.831], [125.37, 43.83]]]}}),
            422,
            "self-intersect",
        ),
        (
            "a number property given text",
            json!({"properties": {"output_value_wan": "很多"}}),
            422,
            "output_value_wan",
        ),
        (
            "an unknown land-use code",
            json!({"properties": {"land_use": "Z9"}}),
            422,
            "land_use",
        ),
        (
            "a measure set by hand",
            json!({"properties": {"area_m2": 1.0}}),
            422,
            "area_m2",
        ),
        (
            "a line for a parcel",
            json!({"geometry": {"type": "LineString", "coordinates": [[125.37, 43.83], [125.38, 43.84]]}}),
            422,
            "geometr",
        ),
    ];
    for (what, patch, status, needle) in cases {
        let a = r.patch(PARCEL, Some(&etag), patch).await;
        assert_eq!(a.status, status, "{what}: {}", a.body);
        let detail = a.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(needle), "{what}: {detail}");
    }
    let a = r
        .send(
            "PATCH",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[
                ("content-type", PATCH),
                ("if-match", &etag),
                ("content-crs", "<urn:ogc:def:crs:EPSG::2385>"),
            ],
            Some(json!({"properties": {"name": "x"}})),
        )
        .await;
    assert_eq!(a.status, 400, "a wrong Content-Crs: {}", a.body);
    let big = "地".repeat(9 * 1024 * 1024 / 3);
    let a = r
        .patch(PARCEL, Some(&etag), json!({"properties": {"name": big}}))
        .await;
    assert_eq!(a.status, 413, "a body over the limit");
    assert!(
        a.body["detail"].as_str().unwrap().contains("8 MiB"),
        "{}",
        a.body
    );
    let a = r
        .send(
            "PATCH",
            &format!("/collections/parcels/items/{PARCEL}"),
            Some(&r.gis),
            &[("content-type", PATCH), ("if-match", &etag)],
            Some(json!("not an object")),
        )
        .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(r.app.store_snapshot().await, before, "nothing was written");
    assert_eq!(r.etag_of("parcels", PARCEL).await, etag);
}

#[tokio::test]
async fn two_patches_with_the_same_etag_one_wins_and_one_event_is_written() {
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let events = r.events_of(Collection::Parcels, PARCEL).await.len();
    let (a, b) = tokio::join!(
        r.patch(PARCEL, Some(&etag), json!({"properties": {"name": "甲"}})),
        r.patch(PARCEL, Some(&etag), json!({"properties": {"name": "乙"}})),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{} / {}", a.body, b.body);
    let loser = if a.status == 412 { &a } else { &b };
    assert_eq!(loser.body["changed_by"], "surveyor-li");
    assert!(loser.body["changed_at"].is_string());
    assert_eq!(
        r.events_of(Collection::Parcels, PARCEL).await.len(),
        events + 1
    );
}

#[tokio::test]
async fn without_the_precondition_setting_qgis_writes_are_accepted_and_the_log_keeps_the_state_before(
) {
    let app = spawn(
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata")),
        ApiSettings {
            require_precondition: false,
            ..ApiSettings::default()
        },
    )
    .await;
    let gis = app.token(Role::Gis, "qgis-user").await;
    let r = Rig { app, gis };
    let a = r
        .patch(PARCEL, None, json!({"properties": {"name": "QGIS 改"}}))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let events = r.events_of(Collection::Parcels, PARCEL).await;
    let last = events.last().unwrap();
    let name = &last.changes.as_ref().unwrap()["name"];
    assert_eq!(name["after"], "QGIS 改");
    // A stale If-Match is still refused when one is sent.
    let a = r
        .patch(
            PARCEL,
            Some("\"0000\""),
            json!({"properties": {"name": "x"}}),
        )
        .await;
    assert_eq!(a.status, 412);
}

#[tokio::test]
async fn a_clockwise_ring_is_measured_as_the_land_it_encloses() {
    // Shapefiles wind exteriors clockwise, and so may a digitiser: the same land either
    // way, stored wound as RFC 7946 says.
    let r = rig().await;
    let ring = |clockwise: bool| {
        let mut pts = vec![
            [125.4180, 43.8535],
            [125.4186, 43.8535],
            [125.4186, 43.8539],
            [125.4180, 43.8539],
            [125.4180, 43.8535],
        ];
        if clockwise {
            pts.reverse();
        }
        json!({"type": "Polygon", "coordinates": [pts]})
    };
    let mut areas = Vec::new();
    for (i, clockwise) in [false, true].into_iter().enumerate() {
        let mut f = new_parcel(Some(&format!("ETDZ-T-RING-{i}")));
        f["geometry"] = ring(clockwise);
        let a = r.post("parcels", &[], f).await;
        assert_eq!(a.status, 201, "{}", a.body);
        areas.push(a.body["properties"]["area_m2"].as_f64().unwrap());
        let stored = &a.body["geometry"]["coordinates"][0][0];
        assert_eq!(
            stored[1],
            json!([125.4186, 43.8535]),
            "exterior counter-clockwise"
        );
    }
    assert!((areas[0] - 2144.05).abs() < 1.0, "{areas:?}");
    assert_eq!(areas[0], areas[1]);
}

#[tokio::test]
async fn the_answer_of_a_write_is_the_state_that_committed_with_its_regrade() {
    // A new owner regrades the firms in the same transaction: the answer and its ETag
    // are the state after the regrade, so the next write can use them.
    let r = rig().await;
    let etag = r.etag_of("parcels", PARCEL).await;
    let a = r
        .patch(
            PARCEL,
            Some(&etag),
            json!({"properties": {"owner": "丰田发动机（长春）有限公司", "tax_wan": 800.0}}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let got = r.get(&format!("/collections/parcels/items/{PARCEL}")).await;
    assert_eq!(a.etag(), got.etag());
    assert_eq!(
        a.body["properties"]["grade"],
        got.body["properties"]["grade"]
    );
    assert_ne!(got.body["properties"]["grade"], Value::Null, "graded");
    let created = r
        .post("parcels", &[], new_parcel(Some("ETDZ-T-GRADED")))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.etag(), r.etag_of("parcels", "ETDZ-T-GRADED").await);
    let next = r
        .patch(
            "ETDZ-T-GRADED",
            Some(&created.etag()),
            json!({"properties": {"name": "再改"}}),
        )
        .await;
    assert_eq!(next.status, 200, "{}", next.body);
}

#[tokio::test]
async fn a_kept_copy_is_checked_again_and_answered_304_while_current() {
    let r = rig().await;
    let path = format!("/collections/parcels/items/{PARCEL}");
    let a = r.get(&path).await;
    assert_eq!(a.header("cache-control").as_deref(), Some("no-cache"));
    let etag = a.etag();
    let same = r
        .send("GET", &path, None, &[("if-none-match", &etag)], None)
        .await;
    assert_eq!(same.status, 304);
    assert_eq!(same.etag(), etag);
    let p = r
        .patch(PARCEL, Some(&etag), json!({"properties": {"name": "变了"}}))
        .await;
    assert_eq!(p.status, 200);
    let changed = r
        .send("GET", &path, None, &[("if-none-match", &etag)], None)
        .await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body["properties"]["name"], "变了");
    let schema = r.get("/collections/parcels/schema").await.body;
    assert_eq!(schema["properties"]["area_m2"]["readOnly"], json!(true));
    assert_eq!(schema["properties"]["grade"]["readOnly"], json!(true));
    assert!(schema["properties"]["owner"].get("readOnly").is_none());
}
