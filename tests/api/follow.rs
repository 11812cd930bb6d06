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
