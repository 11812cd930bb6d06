//! CPU-bound work (reports, coverage, imports) off the async workers: each job runs on a
//! thread of its own behind a semaphore of `--heavy-jobs` permits, so a burst of reports
//! queues instead of taking every core. The thread runs at a lower scheduling priority
//! ([`HEAVY_NICE`]), so when the cores are busy the map's bbox requests are served
//! first and a million-parcel report takes the time that is left over.

use std::panic::AssertUnwindSafe;

use super::{ApiError, AppState};

/// The nice value of a heavy-work thread (Linux; 0 is normal, 19 the lowest priority).
pub const HEAVY_NICE: i32 = 10;

/// Runs `work` on a thread of its own, at [`HEAVY_NICE`], once a permit is free.
pub async fn run<T, F>(state: &AppState, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let _permit = permit(state).await?;
    let (done, answer) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("landreuse-heavy".into())
        .spawn(move || {
            lower_priority();
            // The receiver is gone only when the request was dropped: nobody to tell.
            let _ = done.send(std::panic::catch_unwind(AssertUnwindSafe(work)));
        })
        .map_err(|e| ApiError::internal("cannot start a thread for heavy work", e))?;
    match answer.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(_)) => Err(ApiError::invariant("a job of heavy work panicked")),
        Err(e) => Err(ApiError::internal("a job of heavy work stopped", e)),
    }
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

/// Lowers the calling thread's priority to [`HEAVY_NICE`]. On Linux the nice value
/// belongs to the thread, so the async workers keep theirs. Elsewhere, or when it cannot
/// be set, the work runs at normal priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: getpriority and setpriority have no memory effects; `who = 0` names the
    // calling thread. A thread already below HEAVY_NICE is left as it is.
    unsafe {
        if libc::getpriority(libc::PRIO_PROCESS, 0) < HEAVY_NICE {
            let _ = libc::setpriority(libc::PRIO_PROCESS, 0, HEAVY_NICE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_heavy_thread_runs_at_the_lower_priority_and_others_keep_theirs() {
        // SAFETY: getpriority only reads the calling thread's nice value.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        let before = nice();
        let inside = std::thread::spawn(move || {
            lower_priority();
            nice()
        })
        .join()
        .unwrap();
        assert_eq!(inside, before.max(HEAVY_NICE));
        assert_eq!(nice(), before, "the calling thread keeps its priority");
    }
}
