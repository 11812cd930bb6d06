//! `landreuse migrate-store`: a whole zone, events included, copied from SQLite to the
//! other backend (PostgreSQL when the suite runs on it) and back without loss.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use landreuse::domain::Collection;
use landreuse::import::{self, FieldMap, ImportOptions, ZoneLocator};
use landreuse::store::{Store, StoreLocation, StoreTable, Val};
use serde_json::Value;

fn migrate(from: &StoreLocation, to: &StoreLocation) -> (bool, String, String) {
    let text = |l: &StoreLocation| match l {
        StoreLocation::Sqlite(d) => d.display().to_string(),
        StoreLocation::Postgres(u) => u.clone(),
    };
    let out = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["migrate-store", "--from", &text(from), "--to", &text(to)])
        .output()
        .expect("landreuse runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// A value made comparable across backends: JSON text parsed (PostgreSQL's jsonb
/// reorders keys), numbers to 1e-13 relative: PostGIS prints 15 decimals, a few
/// nanometres at these longitudes.
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::Text(Some(x)), Val::Text(Some(y))) if x.starts_with('{') || x.starts_with('[') => {
            match (
                serde_json::from_str::<Value>(x),
                serde_json::from_str::<Value>(y),
            ) {
                (Ok(x), Ok(y)) => same_json(&x, &y),
                _ => x == y,
            }
        }
        (Val::Real(Some(x)), Val::Real(Some(y))) => close(*x, *y),
        _ => a == b,
    }
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-13 * x.abs().max(1.0)
}

fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            close(x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

async fn all_rows(store: &dyn Store, t: StoreTable) -> Vec<Vec<Val>> {
    store.table_page(t, 0, i64::MAX).await.expect("rows")
}

async fn zone_with_history(location: &StoreLocation) -> Arc<dyn Store> {
    let store = location.open().await.expect("store opens");
    let geodata = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    landreuse::sample::load(store.as_ref(), &geodata, &Default::default(), &mut |_| {})
        .await
        .expect("sample loads");
    for file in ["bbox_l_shape.geojson", "bbox_l_shape_update.geojson"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(file);
        let opts = ImportOptions {
            collection: Collection::Parcels,
            crs: None,
            axis_order: None,
            field_map: FieldMap::default(),
            skip_invalid: false,
            actor: "张工".into(),
            source_name: file.into(),
            zones: Arc::new(ZoneLocator::default()),
            regrade: None,
        };
        import::run_import(store.as_ref(), std::fs::File::open(path).unwrap(), opts)
            .await
            .expect("fixture imports");
    }
    store
        .create_token("李工", landreuse::auth::Role::Planner, "00ff", None)
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn a_round_trip_through_the_other_backend_keeps_every_row() {
    let dirs = [
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    ];
    let a = StoreLocation::Sqlite(dirs[0].path().to_path_buf());
    let middle = common::fresh_location(dirs[1].path()).await;
    let b = StoreLocation::Sqlite(dirs[2].path().to_path_buf());
    let original = zone_with_history(&a).await;

    let (ok, stdout, stderr) = migrate(&a, &middle);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("parcels"), "{stdout}");
    let (ok, _, stderr) = migrate(&middle, &b);
    assert!(ok, "{stderr}");

    let copy = b.open().await.unwrap();
    for t in StoreTable::ALL {
        let (x, y) = (
            all_rows(original.as_ref(), t).await,
            all_rows(copy.as_ref(), t).await,
        );
        assert_eq!(x.len(), y.len(), "{} row count", t.name());
        assert!(!x.is_empty(), "{} has rows to compare", t.name());
        for (rx, ry) in x.iter().zip(&y) {
            let differs: Vec<String> = rx
                .iter()
                .zip(ry)
                .filter(|(u, v)| !same(u, v))
                .map(|(u, v)| format!("{u:?} != {v:?}"))
                .collect();
            assert!(
                differs.is_empty(),
                "{} row {:?}: {}",
                t.name(),
                rx.first(),
                differs.join("; ")
            );
        }
    }
    let history = copy
        .feature_history(Collection::Parcels, "L-SHAPE")
        .await
        .unwrap();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["feature.created", "feature.updated"]);
    assert_eq!(history[1].actor, "张工");
    assert!(
        copy.find_token("00ff").await.unwrap().is_some(),
        "tokens travel too"
    );
}

#[tokio::test]
async fn migrating_into_a_store_that_holds_data_is_refused_and_writes_nothing() {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let a = StoreLocation::Sqlite(dirs[0].path().to_path_buf());
    let target = common::fresh_location(dirs[1].path()).await;
    zone_with_history(&a).await;
    let target_store = target.open().await.unwrap();
    target_store
        .create_token("existing", landreuse::auth::Role::Gis, "abcd", None)
        .await
        .unwrap();
    let (ok, _, stderr) = migrate(&a, &target);
    assert!(!ok);
    assert!(
        stderr.contains("the target store is not empty (1 rows in tokens)"),
        "{stderr}"
    );
    assert_eq!(
        target_store
            .feature_count(Collection::Parcels)
            .await
            .unwrap(),
        0
    );
}
