//! Blocking work (lock waits, file I/O, commands of External profiles) moved off the async
//! runtime, so its other tasks keep running meanwhile: `exec --server` goes on forwarding signals
//! to its command while a renewal waits for another process's lock.

/// Runs `work` on the runtime's blocking pool and waits for it without blocking the runtime.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(error) => panic!("blocking work was cancelled: {error}"),
    }
}
