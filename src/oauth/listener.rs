//! The hardened HTTP/1 server under the sign-in callback. Anything on this machine, and any web
//! page the user has open, can send requests to a loopback port. So the listener caps header size,
//! the time to send the headers (slowloris), each connection's lifetime and the number of
//! connections served at once. Connections over the cap wait in the accept queue rather than being
//! refused, so the browser's real redirect still gets through once a slot frees.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

/// What the listener tolerates. The defaults fit a browser with room to spare: its redirect is a
/// few kilobytes, sent at once, on one or two connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once; more wait in the accept queue.
    pub max_connections: usize,
    /// The request line and headers must arrive within this time.
    pub header_read_timeout: Duration,
    /// The request line and headers together, in bytes (at least 8192); larger gets 431.
    pub max_header_bytes: usize,
    /// No connection lives longer than this, whatever it does.
    pub connection_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 32,
            header_read_timeout: Duration::from_secs(5),
            // Room for many localhost cookies, which browsers send to every 127.0.0.1 port.
            max_header_bytes: 64 * 1024,
            connection_lifetime: Duration::from_secs(30),
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` fires, then lets open
/// connections finish for a second and cuts the rest.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    mut shutdown: oneshot::Receiver<()>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192))
        .max_header_size(limits.max_header_bytes)
        .keep_alive(false);
    loop {
        // A permit first: over the cap, connections wait in the kernel's accept queue.
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::debug!(%error, "callback listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = TowerToHyperService::new(router.clone());
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let lifetime = limits.connection_lifetime;
        connections.spawn(async move {
            let _ = tokio::time::timeout(lifetime, connection).await;
            drop(permit);
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(1), graceful.shutdown()).await;
    connections.abort_all();
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use std::time::Instant;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    async fn start(limits: Limits) -> (u16, oneshot::Sender<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let router = Router::new().route("/", get(|| async { "ok" }));
        let (stop, signal) = oneshot::channel();
        tokio::spawn(serve(listener, router, limits, signal));
        (port, stop)
    }

    /// Reads until the server closes; the status code of what it sent, if anything.
    async fn read_status(stream: &mut TcpStream) -> Option<u16> {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        let text = String::from_utf8_lossy(&answer);
        text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
    }

    const GET: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    #[tokio::test]
    async fn a_client_too_slow_with_its_headers_is_cut_off() {
        let limits = Limits {
            header_read_timeout: Duration::from_millis(300),
            ..Limits::default()
        };
        let (port, _stop) = start(limits).await;
        let mut slow = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: 127")
            .await
            .unwrap();
        let started = Instant::now();
        let status = tokio::time::timeout(Duration::from_secs(5), read_status(&mut slow))
            .await
            .expect("the server closes a slow client");
        assert!(matches!(status, None | Some(408)), "{status:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn a_client_that_sends_nothing_is_cut_off_too() {
        let limits = Limits {
            header_read_timeout: Duration::from_millis(300),
            ..Limits::default()
        };
        let (port, _stop) = start(limits).await;
        let mut idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let status = tokio::time::timeout(Duration::from_secs(3), read_status(&mut idle))
            .await
            .expect("the server closes an idle connection");
        assert!(matches!(status, None | Some(408)), "{status:?}");
    }

    #[tokio::test]
    async fn oversized_headers_get_431() {
        let (port, _stop) = start(Limits::default()).await;
        let mut client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let big = format!(
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: {}\r\n\r\n",
            "a".repeat(70_000)
        );
        let _ = client.write_all(big.as_bytes()).await;
        let status = read_status(&mut client).await;
        assert!(matches!(status, None | Some(431)), "{status:?}");
    }

    #[tokio::test]
    async fn connections_over_the_cap_wait_for_a_free_slot() {
        let limits = Limits {
            max_connections: 2,
            ..Limits::default()
        };
        let (port, _stop) = start(limits).await;
        let idle_a = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let _idle_b = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        // Let the server take both before the third arrives.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut third = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        third.write_all(GET).await.unwrap();
        let waited =
            tokio::time::timeout(Duration::from_millis(300), read_status(&mut third)).await;
        assert!(
            waited.is_err(),
            "a third connection is not served while two are held"
        );
        drop(idle_a);
        let status = tokio::time::timeout(Duration::from_secs(3), read_status(&mut third))
            .await
            .expect("served once a slot frees");
        assert_eq!(status, Some(200));
    }

    #[tokio::test]
    async fn shutdown_stops_accepting() {
        let (port, stop) = start(Limits::default()).await;
        let mut client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        client.write_all(GET).await.unwrap();
        assert_eq!(read_status(&mut client).await, Some(200));
        stop.send(()).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err());
    }
}
