//! The index follows the event log: writes by another process reach a running service.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::helpers::{fixture, ids, spawn_empty};

#[tokio::test]
async fn a_cli_import_into_the_served_database_shows_up_without_a_restart() {
    let app = spawn_empty().await;
    let (_, before) = app.get_json("/collections/parcels/items").await;
    assert_eq!(before["numberMatched"], 0);
    let store_args = crate::common::store_args(&app.store);
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_landreuse"))
            .arg("import")
            .arg(fixture("bbox_l_shape.geojson"))
            .args(store_args)
            .output()
            .expect("the landreuse binary runs")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let started = Instant::now();
    loop {
        let (_, now) = app
            .get_json("/collections/parcels/items?bbox=125.3,43.8,125.5,43.9")
            .await;
        if now["numberMatched"] == 3 {
            assert_eq!(ids(&now), vec!["L-SHAPE", "IN-NOTCH", "FAR-AWAY"]);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the import never reached the index"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Heavy work (a report, a coverage analysis) reads a snapshot of the index for as long as
/// it runs. Meanwhile an import commits, the index catches up and other requests see the
/// new parcels; the snapshot keeps the index as it was when it was taken.
#[tokio::test]
async fn an_import_reaches_the_map_while_heavy_work_still_reads_its_snapshot() {
    use landreuse::domain::Collection;
    let app = spawn_empty().await;
    let gis = app.token(landreuse::auth::Role::Gis, "gis").await;
    let held = app.state.index.read(Collection::Parcels);
    assert_eq!(held.len(), 0);
    // With the snapshot held, the import's catch-up finishes (it would wait forever on a
    // lock the snapshot held) and the map's bbox request sees the new parcels.
    let import = tokio::time::timeout(
        Duration::from_secs(60),
        app.post_import(
            "",
            crate::helpers::fixture_text("bbox_l_shape.geojson"),
            Some(&gis),
        ),
    )
    .await
    .expect("the import does not wait for the snapshot to be dropped");
    assert_eq!(import.status(), 201);
    let (_, now) = app
        .get_json("/collections/parcels/items?bbox=125.3,43.8,125.5,43.9")
        .await;
    assert_eq!(now["numberMatched"], 3, "{now}");
    assert_eq!(held.len(), 0, "the snapshot is the index as it was");
    assert!(held.get("L-SHAPE").is_none());
    drop(held);
    // With no snapshot out, the next change is made in place, and is seen at once.
    let fresh = app.state.index.read(Collection::Parcels);
    assert_eq!(fresh.len(), 3);
    assert!(fresh.get("L-SHAPE").is_some());
}
