//! CPU-bound work (reports, coverage, imports) off the async workers: each job runs in
//! `spawn_blocking` behind a semaphore of `--heavy-jobs` permits, so a burst of reports
//! queues instead of taking every thread, and bbox requests keep their latency.

use super::{ApiError, AppState};

/// Runs `work` on the blocking pool once a permit is free.
pub async fn run<T, F>(state: &AppState, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let _permit = state
        .heavy
        .acquire()
        .await
        .map_err(|e| ApiError::internal("the queue of heavy work is closed", e))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal("a job of heavy work stopped", e))
}

/// Waits for a permit for heavy work that is async itself (an import parses on its own
/// thread and writes through the store): holding it bounds how many run at once.
pub async fn permit(state: &AppState) -> Result<tokio::sync::SemaphorePermit<'_>, ApiError> {
    state
        .heavy
        .acquire()
        .await
        .map_err(|e| ApiError::internal("the queue of heavy work is closed", e))
}
