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
        .create_token("李工", Role::Admin, "0000", None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[tokio::test]
async fn an_expired_a_revoked_and_an_unknown_token_are_told_apart() {
    let app = spawn(None, ApiSettings::default()).await;
    let store = &app.state.store;
    let secret = |s: &str| landreuse::auth::hash_secret(s);
    store
        .create_token(
            "过期的",
            Role::Gis,
            &secret("lr_old"),
            Some("2026-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    store
        .create_token(
            "将来的",
            Role::Gis,
            &secret("lr_new"),
            Some("2099-01-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let revoked = app.token(Role::Gis, "撤销的").await;
    let info = store.revoke_token("撤销的").await.unwrap();
    assert!(info.revoked_at.is_some());
    let again = store.revoke_token("撤销的").await.unwrap_err().to_string();
    assert!(again.contains("already revoked"), "{again}");
    let unknown = store.revoke_token("nobody").await.unwrap_err().to_string();
    assert!(unknown.contains("token list"), "{unknown}");
    let body = fixture_text("bbox_l_shape.geojson");
    for (token, status, says) in [
        ("lr_old", 401, "expired at 2026-01-01T00:00:00Z"),
        (revoked.as_str(), 401, "was revoked at"),
        ("lr_never-issued", 401, "not one this service issued"),
        ("lr_new", 201, ""),
    ] {
        let r = app.post_import("", body.clone(), Some(token)).await;
        assert_eq!(r.status(), status, "{token}");
        let v: Value = r.json().await.unwrap();
        if status == 401 {
            assert!(v["detail"].as_str().unwrap().contains(says), "{v}");
        }
    }
    let listed: Vec<String> = store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(listed, ["过期的", "将来的", "撤销的"]);
}

#[tokio::test]
async fn refused_tokens_from_one_address_are_slowed_down_by_the_setting() {
    let app = spawn(
        None,
        ApiSettings {
            auth_failures_per_minute: 3,
            ..ApiSettings::default()
        },
    )
    .await;
    let good = app.token(Role::Admin, "管理员").await;
    let post = |token: String| {
        let app = &app;
        async move {
            app.post_import("", fixture_text("bbox_l_shape.geojson"), Some(&token))
                .await
        }
    };
    for i in 0..3 {
        assert_eq!(
            post(format!("lr_guess-{i}")).await.status(),
            401,
            "guess {i}"
        );
    }
    let r = post("lr_guess-4".into()).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let v: Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("127.0.0.1"), "{v}");
    // Even a good token waits out the minute from that address; reads without a token
    // go on.
    assert_eq!(post(good).await.status(), 429);
    assert_eq!(
        app.get("/collections/parcels/items?limit=1").await.status(),
        200
    );
}
