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
pub mod filter;
mod follow;
mod query;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::domain::Collection;
use crate::store::{Store, StoreError};
pub use collection::{CollectionIndex, IndexBuilder, IndexedFeature};
pub use follow::spawn_follower;
pub use query::{Query, QueryPage};

/// The R-trees of every collection, with the event-log position they reflect.
///
/// Each collection is an immutable [`CollectionIndex`] behind an `Arc`: a reader takes
/// a snapshot (one reference count, the lock held only for that) and keeps it for as
/// long as its request needs, so a report or a coverage analysis over a million parcels
/// never holds a lock that writers or other readers wait on. A catch-up changes the
/// collection in place when no snapshot of it is out, and otherwise changes a copy
/// (the features themselves are shared, not copied) and swaps it in.
pub struct Index {
    collections: HashMap<Collection, RwLock<Arc<CollectionIndex>>>,
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
            collections.insert(c, RwLock::new(Arc::new(load_collection(store, c).await?)));
        }
        Ok(Self {
            collections,
            last_event: AtomicI64::new(last),
            catch_up: tokio::sync::Mutex::new(()),
        })
    }

    /// A snapshot of one collection's index: the index as of the last catch-up, which
    /// later writes do not change.
    pub fn read(&self, c: Collection) -> Arc<CollectionIndex> {
        let lock = &self.collections[&c];
        Arc::clone(&lock.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The event id the index reflects.
    pub fn position(&self) -> i64 {
        self.last_event.load(Ordering::Acquire)
    }

    /// Applies a change to one collection. Only the catch-up calls this, one at a time.
    fn replace(&self, c: Collection, f: impl FnOnce(&mut CollectionIndex)) {
        let lock = &self.collections[&c];
        let write = || lock.write().unwrap_or_else(PoisonError::into_inner);
        {
            // No snapshot out: change it in place, under a short write lock.
            let mut guard = write();
            if let Some(index) = Arc::get_mut(&mut guard) {
                f(index);
                return;
            }
        }
        // Snapshots are out (a report is reading it): change a copy without any lock,
        // then swap it in. No other writer runs meanwhile (the catch-up is serial).
        let mut next = CollectionIndex::clone(&self.read(c));
        f(&mut next);
        *write() = Arc::new(next);
    }
}

/// Builds one collection's index straight from a scan of the store.
pub async fn load_collection(
    store: &dyn Store,
    c: Collection,
) -> Result<CollectionIndex, StoreError> {
    let mut builder = CollectionIndex::builder(filter::Schema::of(c));
    store.scan_features(c, &mut |r| builder.push(r)).await?;
    Ok(builder.finish())
}

/// Shared handle to the index.
pub type SharedIndex = Arc<Index>;
