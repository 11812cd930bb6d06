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
    start_with(location, &["--no-sample"])
}

/// A replica started with `extra` arguments (e.g. `--geodata DIR` to load the sample
/// zone into an empty store).
fn start_with(location: &StoreLocation, extra: &[&str]) -> Replica {
    let mut child = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
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

// ---------------------------------------------------------------------------------
// Concurrent single-feature writes (OGC API – Features Part 4) across replicas of one
// PostgreSQL database.
// ---------------------------------------------------------------------------------

/// Three replicas of the sample zone over one fresh PostgreSQL database (the first
/// loads the sample), and a gis token; `None` when the suite runs on SQLite.
async fn sample_replicas() -> Option<(Vec<Replica>, String)> {
    common::postgres_server()?;
    let dir = tempfile::tempdir().unwrap();
    let location = common::fresh_location(dir.path()).await;
    assert!(matches!(location, StoreLocation::Postgres(_)));
    let token = gis_token(&location);
    let geodata = Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
    let first = start_with(&location, &["--geodata", geodata.to_str().unwrap()]);
    let mut replicas = vec![first];
    for _ in 0..2 {
        replicas.push(start(&location));
    }
    Some((replicas, token))
}

/// A parcel as one replica serves it: its ETag and its GeoJSON.
async fn served(client: &reqwest::Client, base: &str, code: &str) -> (String, Value) {
    let r = client
        .get(format!("{base}/collections/parcels/items/{code}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {code} from {base}: {e}"));
    assert_eq!(r.status(), 200, "GET {code} from {base}");
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{base} sent {code} without an ETag"))
        .to_string();
    (etag, r.json().await.unwrap())
}

/// `PATCH` of `output_value_wan` of parcel `code` through `base` with `If-Match: etag`:
/// the status, the ETag of the answer and its body.
async fn patch_output(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    code: &str,
    etag: &str,
    value: f64,
) -> (u16, Option<String>, String) {
    let r = client
        .patch(format!("{base}/collections/parcels/items/{code}"))
        .bearer_auth(token)
        .header("content-type", "application/merge-patch+json")
        .header("if-match", etag)
        .body(serde_json::json!({"properties": {"output_value_wan": value}}).to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("PATCH {code} through {base}: {e}"));
    let status = r.status().as_u16();
    let etag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, etag, r.text().await.unwrap_or_default())
}

/// The events of parcel `code`'s history, from the store (through any replica).
async fn history(client: &reqwest::Client, base: &str, code: &str) -> Vec<Value> {
    let body: Value = client
        .get(format!("{base}/parcels/{code}/history"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["events"]
        .as_array()
        .unwrap_or_else(|| panic!("history of {code}: {body}"))
        .clone()
}

fn updates(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["action"] == "feature.updated")
        .collect()
}

/// `n` parcels of the sample that the token may PATCH now (none held by an open case).
async fn editable_parcels(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: usize,
) -> Vec<String> {
    let page: Value = client
        .get(format!("{base}/collections/parcels/items?limit={}", n * 2))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut codes = Vec::new();
    for f in page["features"].as_array().unwrap() {
        let code = f["id"].as_str().unwrap();
        let r = client
            .request(
                reqwest::Method::OPTIONS,
                format!("{base}/collections/parcels/items/{code}"),
            )
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let allow = r
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if allow.split(',').any(|m| m.trim() == "PATCH") {
            codes.push(code.to_string());
        }
        if codes.len() == n {
            break;
        }
    }
    assert_eq!(codes.len(), n, "the sample has {n} editable parcels");
    codes
}

/// 200 PATCHes at once, spread over three replicas of one PostgreSQL database, four on
/// each of 50 parcels: each reads the parcel's ETag from the replica it writes to and
/// sends it as If-Match, and on a 412 (another write came first, or that replica had not
/// seen it yet) reads again and retries. Then: one `feature.updated` event per 2xx
/// answer, per parcel; within 1 s every replica serves every parcel's last written
/// state, with one ETag on all of them, and that ETag is the one the last write
/// answered with.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_patches_across_replicas_agree_on_every_state_and_event() {
    let Some((replicas, token)) = sample_replicas().await else {
        eprintln!("suite on SQLite: the concurrent replica writes run in the PostgreSQL pass of scripts/test.sh");
        return;
    };
    let client = reqwest::Client::new();
    let bases: Vec<String> = replicas.iter().map(|r| r.base.clone()).collect();
    let codes = editable_parcels(&client, &bases[0], &token, 50).await;
    let mut before = std::collections::HashMap::new();
    for code in &codes {
        before.insert(
            code.clone(),
            updates(&history(&client, &bases[0], code).await).len(),
        );
    }

    const WRITES: usize = 200;
    const ATTEMPTS: usize = 40;
    let start_line = std::sync::Arc::new(tokio::sync::Barrier::new(WRITES));
    let mut tasks = Vec::new();
    for i in 0..WRITES {
        let (client, token, start_line) = (client.clone(), token.clone(), start_line.clone());
        let base = bases[i % bases.len()].clone();
        let code = codes[i % codes.len()].clone();
        let value = 10_000.0 + i as f64;
        tasks.push(tokio::spawn(async move {
            start_line.wait().await;
            let mut stale = 0;
            for _ in 0..ATTEMPTS {
                let (etag, _) = served(&client, &base, &code).await;
                let (status, answered, body) =
                    patch_output(&client, &base, &token, &code, &etag, value).await;
                match status {
                    200..=299 => return (code, value, answered, stale),
                    412 => stale += 1,
                    _ => panic!("PATCH {code} through {base}: {status} {body}"),
                }
            }
            panic!("PATCH {code} through {base} was refused with 412 {ATTEMPTS} times");
        }));
    }
    let mut done = Vec::new();
    for t in tasks {
        done.push(t.await.unwrap());
    }
    let finished = Instant::now();
    let stale: usize = done.iter().map(|d| d.3).sum();
    eprintln!("{WRITES} writes succeeded after {stale} answers of 412");

    // One event per 2xx answer, parcel by parcel; the last event names the final state.
    let mut last = std::collections::HashMap::new();
    let reads: Vec<_> = codes
        .iter()
        .map(|code| {
            let (client, base, code) = (client.clone(), bases[1].clone(), code.clone());
            tokio::spawn(async move { history(&client, &base, &code).await })
        })
        .collect();
    for (code, read) in codes.iter().zip(reads) {
        let events = read.await.unwrap();
        let new: Vec<&Value> = updates(&events).into_iter().skip(before[code]).collect();
        let answered = done.iter().filter(|d| &d.0 == code).count();
        assert_eq!(
            new.len(),
            answered,
            "parcel {code}: {answered} PATCHes were answered 2xx, the log has {} new feature.updated events: {new:?}",
            new.len()
        );
        let final_event = new.last().unwrap();
        let value = final_event["changes"]["output_value_wan"]["after"]
            .as_f64()
            .unwrap_or_else(|| panic!("parcel {code}: last update {final_event}"));
        let at = final_event["occurred_at"].as_str().unwrap().to_string();
        last.insert(code.clone(), (value, at));
    }
    let events: usize = codes
        .iter()
        .map(|c| done.iter().filter(|d| &d.0 == c).count())
        .sum();
    assert_eq!(events, WRITES);

    // Every replica serves each parcel's final state within 1 s of the last answer.
    loop {
        let mut reads = Vec::new();
        for code in &codes {
            for base in &bases {
                let (client, base, code) = (client.clone(), base.clone(), code.clone());
                reads.push(tokio::spawn(async move {
                    let (etag, f) = served(&client, &base, &code).await;
                    (base, code, etag, f)
                }));
            }
        }
        let mut lagging = Vec::new();
        let mut etags: std::collections::HashMap<String, Vec<(String, String)>> =
            std::collections::HashMap::new();
        for r in reads {
            let (base, code, etag, f) = r.await.unwrap();
            let (value, at) = &last[&code];
            let p = &f["properties"];
            if p["output_value_wan"].as_f64() != Some(*value) || p["updated_at"] != at.as_str() {
                lagging.push(format!(
                    "{base} serves {code} with output_value_wan {} at {}, the log's last write set {value} at {at}",
                    p["output_value_wan"], p["updated_at"]
                ));
            }
            etags.entry(code).or_default().push((base, etag));
        }
        if lagging.is_empty() {
            eprintln!(
                "every replica served every final state {:?} after the last answer",
                finished.elapsed()
            );
            for code in &codes {
                let tags = &etags[code];
                assert!(
                    tags.iter().all(|(_, t)| *t == tags[0].1),
                    "parcel {code} has different ETags on the replicas: {tags:?}"
                );
                let (value, _) = last[code];
                let answered: Vec<&Option<String>> = done
                    .iter()
                    .filter(|d| &d.0 == code && d.1 == value)
                    .map(|d| &d.2)
                    .collect();
                assert_eq!(
                    answered,
                    vec![&Some(tags[0].1.clone())],
                    "parcel {code}: the last write's answer carried another ETag than the one every replica serves"
                );
            }
            break;
        }
        assert!(
            finished.elapsed() < Duration::from_secs(1),
            "1 s after the last write, {} reads are not of the final state:\n{}",
            lagging.len(),
            lagging.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two clients send a PATCH of one parcel with the same ETag at the same moment,
/// through two replicas: one is applied (200), the other refused (412), and the log
/// has one new event. Five rounds, on five parcels.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_patches_with_one_etag_through_two_replicas_apply_once() {
    let Some((replicas, token)) = sample_replicas().await else {
        eprintln!("suite on SQLite: the concurrent replica writes run in the PostgreSQL pass of scripts/test.sh");
        return;
    };
    let client = reqwest::Client::new();
    let (a, b) = (replicas[0].base.clone(), replicas[1].base.clone());
    for (round, code) in editable_parcels(&client, &a, &token, 5)
        .await
        .into_iter()
        .enumerate()
    {
        let (etag, _) = served(&client, &a, &code).await;
        // Both replicas serve the same state before the race.
        let started = Instant::now();
        while served(&client, &b, &code).await.0 != etag {
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{b} does not serve {code} with ETag {etag}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let events_before = updates(&history(&client, &a, &code).await).len();
        let start_line = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let race: Vec<_> = [(a.clone(), 1.0), (b.clone(), 2.0)]
            .into_iter()
            .map(|(base, v)| {
                let (client, token, code, etag, start_line) = (
                    client.clone(),
                    token.clone(),
                    code.clone(),
                    etag.clone(),
                    start_line.clone(),
                );
                tokio::spawn(async move {
                    start_line.wait().await;
                    let value = 20_000.0 + round as f64 * 10.0 + v;
                    let (status, _, body) =
                        patch_output(&client, &base, &token, &code, &etag, value).await;
                    (base, status, body)
                })
            })
            .collect();
        let mut answers = Vec::new();
        for r in race {
            answers.push(r.await.unwrap());
        }
        let mut statuses: Vec<u16> = answers.iter().map(|a| a.1).collect();
        statuses.sort_unstable();
        assert_eq!(
            statuses,
            vec![200, 412],
            "round {round}, parcel {code}: {answers:?}"
        );
        let refused = answers.iter().find(|a| a.1 == 412).unwrap();
        let problem: Value = serde_json::from_str(&refused.2).unwrap();
        assert_eq!(
            problem["changed_by"], "replica-test",
            "the 412 names who changed {code}: {problem}"
        );
        let events_after = updates(&history(&client, &b, &code).await).len();
        assert_eq!(
            events_after,
            events_before + 1,
            "round {round}, parcel {code}: one write was applied, the log has {} new events",
            events_after - events_before
        );
    }
}

/// Runs the CLI on the store; its stdout, or the test fails with its stderr.
fn cli(location: &StoreLocation, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_landreuse"))
        .args(args)
        .args(common::store_args(location))
        .output()
        .expect("landreuse runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[tokio::test]
async fn a_token_revoked_with_the_cli_is_refused_by_every_replica_at_its_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let location = common::fresh_location(dir.path()).await;
    let token = cli(
        &location,
        &["token", "create", "--role", "gis", "--name", "外业组-王工"],
    )
    .trim()
    .to_string();
    let replicas = [start(&location), start(&location)];
    let client = reqwest::Client::new();
    let options = |base: &str| {
        client
            .request(
                reqwest::Method::OPTIONS,
                format!("{base}/collections/parcels/items"),
            )
            .bearer_auth(&token)
            .send()
    };
    for r in &replicas {
        let a = options(&r.base).await.unwrap();
        assert_eq!(a.status(), 200);
        assert!(a.headers()["allow"].to_str().unwrap().contains("POST"));
    }
    let said = cli(&location, &["token", "revoke", "外业组-王工"]);
    assert!(said.contains("revoked at"), "{said}");
    let revoked_at = std::time::Instant::now();
    for r in &replicas {
        let a = options(&r.base).await.unwrap();
        assert_eq!(a.status(), 401, "replica {} still takes the token", r.base);
        let body: Value = a.json().await.unwrap();
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains("外业组-王工") && detail.contains("was revoked at"),
            "{detail}"
        );
    }
    assert!(revoked_at.elapsed() < Duration::from_secs(1));
    let list = cli(&location, &["token", "list"]);
    assert!(
        list.contains("外业组-王工") && list.contains("revoked at"),
        "{list}"
    );
}

/// The sample zone's directory.
fn geodata() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("geodata")
        .display()
        .to_string()
}

/// The event log of a store: (events, imports, parcels).
async fn log_of(location: &StoreLocation) -> (i64, i64, i64) {
    use landreuse::store::StoreTable;
    let s = location.open().await.unwrap();
    let counts = (
        s.row_count(StoreTable::Events).await.unwrap(),
        s.row_count(StoreTable::Imports).await.unwrap(),
        s.feature_count(landreuse::domain::Collection::Parcels)
            .await
            .unwrap(),
    );
    s.close().await;
    counts
}

#[tokio::test]
async fn replicas_started_together_on_an_empty_store_load_the_sample_once() {
    let geodata = geodata();
    // One replica alone: the log of one sample load.
    let alone_dir = tempfile::tempdir().unwrap();
    let alone = common::fresh_location(alone_dir.path()).await;
    {
        let r = start_with(&alone, &["--geodata", &geodata]);
        assert!(matched(&r.base, "").await > 0);
    }
    let once = log_of(&alone).await;
    // Three at once on another empty store.
    let dir = tempfile::tempdir().unwrap();
    let location = common::fresh_location(dir.path()).await;
    let replicas: Vec<Replica> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| s.spawn(|| start_with(&location, &["--geodata", &geodata])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &replicas {
        assert_eq!(
            matched(&r.base, "").await,
            u64::try_from(once.2).unwrap(),
            "{} serves the whole sample",
            r.base
        );
    }
    assert_eq!(
        log_of(&location).await,
        once,
        "(events, imports, parcels) of three replicas starting together equal one load"
    );
}
