//! The one place that reads the wall clock. Everything else takes the time as an argument, so that
//! expiry and refresh decisions are plain functions (clippy.toml bans `SystemTime::now` elsewhere).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
#[allow(clippy::disallowed_methods)]
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
