//! Structured logs on stderr for `--debug` and `RUST_LOG`. Set up only when asked for, so the
//! common path pays nothing. What is logged never holds a secret: requests show the method, the
//! URL with query values and credentials cut (`http::redact_url`), the status and the time.

use tracing_subscriber::EnvFilter;

/// Where log lines go: stderr, through the terminal filter (a logged path or server message may
/// hold escapes), never panicking on a failed write (see `stderr`).
struct FilteredStderr;

impl std::io::Write for FilteredStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The formatter writes each event whole, so a buffer never splits a character.
        stderr!("{}", String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts logging when `--debug` is given or `RUST_LOG` is set; `RUST_LOG` chooses what.
pub fn init(debug: bool, rust_log: Option<&str>) {
    let filter = match rust_log {
        Some(directives) => EnvFilter::new(directives),
        None if debug => EnvFilter::new("alicli=debug"),
        None => return,
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| FilteredStderr)
        // Time since start: request timing without reading the wall clock.
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .try_init();
}
