//! Who may write: bearer tokens and roles.

use landreuse::api::ApiSettings;
use landreuse::auth::Role;
use serde_json::Value;

use crate::helpers::{fixture_text, spawn};

#[tokio::test]
async fn writes_need_a_token_with_the_gis_role() {
    let app = spawn(None, ApiSettings::default()).await;
    let body = fixture_text("bbox_l_shape.geojson");
    let r = app.post_import("", body.clone(), None).await;
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    let detail: Value = r.json().await.unwrap();
    assert!(detail["detail"]
        .as_str()
        .unwrap()
        .contains("landreuse token create"));
    let r = app
        .post_import("", body.clone(), Some("lr_not-a-real-token"))
        .await;
    assert_eq!(r.status(), 401);
    let viewer = app.token(Role::Viewer, "viewer").await;
    let r = app.post_import("", body.clone(), Some(&viewer)).await;
    assert_eq!(r.status(), 403);
    let planner = app.token(Role::Planner, "planner").await;
    assert_eq!(
        app.post_import("", body.clone(), Some(&planner))
            .await
            .status(),
        403
    );
    let admin = app.token(Role::Admin, "admin").await;
    assert_eq!(app.post_import("", body, Some(&admin)).await.status(), 201);
}

#[tokio::test]
async fn closed_reading_needs_any_valid_token() {
    let app = spawn(
        None,
        ApiSettings {
            read_open: false,
            ..ApiSettings::default()
        },
    )
    .await;
    assert_eq!(app.get("/collections").await.status(), 401);
    let viewer = app.token(Role::Viewer, "viewer").await;
    let r = app
        .client
        .get(format!("{}/collections", app.base))
        .bearer_auth(viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_token_name_is_taken_once() {
    let app = spawn(None, ApiSettings::default()).await;
    app.token(Role::Gis, "李工").await;
    let err = app
        .state
        .store
        .create_token("李工", Role::Admin, "0000")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}
