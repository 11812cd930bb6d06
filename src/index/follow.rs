//! Keeping the index in step with the store by following the event log.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::Index;
use crate::domain::Collection;
use crate::store::{Store, StoreError};

/// Above this many changed features in one collection, reloading it whole is faster
/// than fetching them one by one.
const RELOAD_THRESHOLD: usize = 5_000;
const PAGE: i64 = 50_000;

impl Index {
    /// Applies every event committed since the last catch-up. Returns how many events
    /// were read.
    pub async fn catch_up(&self, store: &dyn Store) -> Result<usize, StoreError> {
        let _one_at_a_time = self.catch_up.lock().await;
        let mut after = self.position();
        let mut read = 0;
        let mut changed: BTreeMap<Collection, BTreeSet<String>> = BTreeMap::new();
        loop {
            let events = store.events_after(after, PAGE).await?;
            let Some(last) = events.last() else { break };
            after = last.id;
            read += events.len();
            for e in events {
                let collection = e.collection.as_deref().and_then(|c| c.parse().ok());
                if let (Some(c), Some(code)) = (collection, e.feature_code) {
                    changed.entry(c).or_default().insert(code);
                }
            }
        }
        for (c, codes) in changed {
            if codes.len() > RELOAD_THRESHOLD {
                let rebuilt = super::load_collection(store, c).await?;
                self.replace(c, |idx| *idx = rebuilt);
            } else {
                let codes: Vec<String> = codes.into_iter().collect();
                let records = store.features_by_codes(c, &codes).await?;
                // A code the store no longer has was deleted (a parcel split or merged).
                let found: BTreeSet<&str> = records.iter().map(|r| r.code.as_str()).collect();
                let gone: Vec<String> = codes
                    .iter()
                    .filter(|c| !found.contains(c.as_str()))
                    .cloned()
                    .collect();
                self.replace(c, |idx| {
                    idx.upsert(records);
                    idx.remove(&gone);
                });
            }
        }
        self.last_event.store(after, Ordering::Release);
        Ok(read)
    }
}

/// Follows the event log in the background, so that writes by other processes (a CLI
/// import into the same database, another replica) reach this process's index without a
/// restart: at once when the store announces writes (PostgreSQL NOTIFY), and every
/// `every` in any case (SQLite, or a lost notification connection).
pub fn spawn_follower(
    index: Arc<Index>,
    store: Arc<dyn Store>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut wakes = store.changes().await;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                Some(()) = next_wake(&mut wakes) => {}
            }
            match index.catch_up(store.as_ref()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(events = n, "index caught up with the event log"),
                Err(e) => tracing::warn!(error = %e, "following the event log failed; will retry"),
            }
        }
    })
}

/// The next announced write; never resolves when there are no announcements.
async fn next_wake(wakes: &mut Option<tokio::sync::mpsc::Receiver<()>>) -> Option<()> {
    if let Some(rx) = wakes {
        if rx.recv().await.is_some() {
            return Some(());
        }
        *wakes = None;
    }
    std::future::pending().await
}
