//! Two landreuse processes over one store (PostgreSQL when the suite runs on it, else
//! one SQLite file): a write through one reaches the other's index, and a replica that
//! was down catches up when it comes back.

// Test code: a failed unwrap or expect is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use landreuse::store::StoreLocation;
use serde_json::Value;

struct Replica {
    child: Child,
    base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(location: &StoreLocation) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["serve", "--no-sample", "--bind", "127.0.0.1:0"])
        .args(common::store_args(location))
        .stderr(Stdio::piped())
        .spawn()
        .expect("landreuse starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("on http://")
                .nth(1)
                .map(|r| r.split('/').next().unwrap_or("").to_string())
        })
        .map(|addr| format!("http://{addr}"))
        .expect("the replica prints its address");
    // Keep draining stderr so the replica never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Replica { child, base }
}

fn gis_token(location: &StoreLocation) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["token", "create", "--role", "gis", "--name", "replica-test"])
        .args(common::store_args(location))
        .output()
        .expect("token create runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .expect("fixture")
}

async fn matched(base: &str, query: &str) -> u64 {
    let body: Value = reqwest::get(format!("{base}/collections/parcels/items?{query}"))
        .await
        .expect("replica answers")
        .json()
        .await
        .expect("JSON");
    body["numberMatched"].as_u64().expect("numberMatched")
}

async fn import_through(replica: &Replica, token: &str, file: &str) {
    let r = reqwest::Client::new()
        .post(format!("{}/imports", replica.base))
        .bearer_auth(token)
        .header("content-type", "application/geo+json")
        .body(fixture(file))
        .send()
        .await
        .expect("import request");
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
}

/// Waits until `query` matches `n` parcels on `replica`; returns how long it took.
async fn until_matched(replica: &Replica, query: &str, n: u64) -> Duration {
    let started = Instant::now();
    while matched(&replica.base, query).await != n {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{} never saw the write",
            replica.base
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

#[tokio::test]
async fn a_write_through_one_replica_reaches_the_other_and_a_restarted_one_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let location = common::fresh_location(dir.path()).await;
    let token = gis_token(&location);
    let a = start(&location);
    let mut b = start(&location);
    assert_eq!(matched(&b.base, "").await, 0);

    import_through(&a, &token, "bbox_l_shape.geojson").await;
    assert_eq!(
        matched(&a.base, "").await,
        3,
        "the writer sees its write at once"
    );
    let lag = until_matched(&b, "", 3).await;
    eprintln!("replica b saw the import after {lag:?}");

    drop(b);
    import_through(&a, &token, "bbox_l_shape_update.geojson").await;
    import_through(&a, &token, "parcels_seq.geojsonl").await;
    b = start(&location);
    assert_eq!(
        matched(&b.base, "").await,
        6,
        "the restarted replica has every write"
    );
    assert_eq!(matched(&b.base, "status=reserved").await, 1);
    import_through(&b, &token, "gk4551_parcel.geojson").await;
    until_matched(&a, "", 7).await;
}
