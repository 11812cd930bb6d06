//! Step 3 of the data flow: one in-memory R-tree per collection.
//!
//! The index is bulk-loaded from the store at start and kept in step with the store by
//! following the event log ([`follow`]): after every committed write in this process,
//! and every half second for writes by other processes (a CLI import into the same
//! database). Queries take the R-tree candidates and test exact intersection with
//! `geo`, so a `bbox` selects features whose geometry meets the box, not merely its
//! envelope.

pub mod analysis;
mod collection;
mod follow;
mod query;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use crate::domain::Collection;
use crate::store::{Store, StoreError};
pub use collection::{CollectionIndex, IndexBuilder, IndexedFeature};
pub use follow::spawn_follower;
pub use query::{Query, QueryPage};

/// The R-trees of every collection, with the event-log position they reflect.
pub struct Index {
    collections: HashMap<Collection, RwLock<CollectionIndex>>,
    last_event: AtomicI64,
    catch_up: tokio::sync::Mutex<()>,
}

impl Index {
    /// Bulk-loads every collection from the store.
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        // Read the log position first: events committed while loading are applied again
        // by the next catch-up, which is harmless (applying an event is idempotent).
        let last = store.last_event_id().await?;
        let mut collections = HashMap::new();
        for c in Collection::ALL {
            collections.insert(c, RwLock::new(load_collection(store, c).await?));
        }
        Ok(Self {
            collections,
            last_event: AtomicI64::new(last),
            catch_up: tokio::sync::Mutex::new(()),
        })
    }

    /// Read access to one collection's index.
    pub fn read(&self, c: Collection) -> RwLockReadGuard<'_, CollectionIndex> {
        let lock = &self.collections[&c];
        lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The event id the index reflects.
    pub fn position(&self) -> i64 {
        self.last_event.load(Ordering::Acquire)
    }

    fn replace(&self, c: Collection, f: impl FnOnce(&mut CollectionIndex)) {
        let lock = &self.collections[&c];
        let mut guard = lock
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard);
    }
}

/// Builds one collection's index straight from a scan of the store.
pub async fn load_collection(
    store: &dyn Store,
    c: Collection,
) -> Result<CollectionIndex, StoreError> {
    let filterable: Vec<&'static str> = c.queryables().map(|p| p.name).collect();
    let mut builder = CollectionIndex::builder(&filterable);
    store.scan_features(c, &mut |r| builder.push(r)).await?;
    Ok(builder.finish())
}

/// Shared handle to the index.
pub type SharedIndex = Arc<Index>;
