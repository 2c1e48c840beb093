//! The hardened HTTP/1 server under alicli's listeners on 127.0.0.1: the sign-in callback and the
//! `exec --server` credentials endpoint. Anything on this machine, and any web page the user has
//! open, can send requests to a loopback port. So the server answers only requests whose `Host`
//! is its own address (DNS rebinding), caps header size, the time to send the headers
//! (slowloris), each connection's lifetime and the number of connections served at once.
//!
//! At the cap, a new connection does not queue behind the others: the oldest connection that has
//! not sent a complete request is closed to make room. Junk connections that keep reopening then
//! only displace each other, and a real client, which sends its request at once, gets through.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::oneshot;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

/// What the server tolerates. The defaults fit a browser with room to spare: its redirect is a
/// few kilobytes, sent at once, on one or two connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once; at the cap, a newcomer displaces the oldest idle one.
    pub max_connections: usize,
    /// The request line and headers must arrive within this time.
    pub header_read_timeout: Duration,
    /// The request line and headers together, in bytes (at least 8192); larger gets 431.
    pub max_header_bytes: usize,
    /// No connection lives longer than this, whatever it does.
    pub connection_lifetime: Duration,
    /// A connection this new is not displaced yet: its request may be on the way.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 32,
            header_read_timeout: Duration::from_secs(5),
            // Room for many localhost cookies, which browsers send to every 127.0.0.1 port.
            max_header_bytes: 64 * 1024,
            connection_lifetime: Duration::from_secs(30),
            grace: Duration::from_millis(20),
        }
    }
}

/// Pending connections the OS keeps for the server. Its default of 128 fills up under a local
/// flood, and then it drops new connections, whose clients (the browser too) retry only after one
/// second, then three, then seven. Junk that waits here costs alicli nothing.
const BACKLOG: u32 = 1024;

/// Binds 127.0.0.1:`port` (0 for any free port) for [`serve`]. Needs the tokio runtime.
pub fn bind(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    // As std does: a port whose last connections linger in TIME_WAIT can be bound again.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    socket.listen(BACKLOG)
}

/// A connection being served.
struct Live {
    abort: AbortHandle,
    accepted: Instant,
    /// Set when its request (line and headers) is complete.
    requested: Arc<AtomicBool>,
}

impl Live {
    /// When it may be displaced, if it has not sent its request.
    fn displaceable_at(&self, grace: Duration) -> Option<Instant> {
        (!self.requested.load(Ordering::Relaxed)).then(|| self.accepted + grace)
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` fires, then closes connections
/// that sent no request, lets answers under way finish for a second, and cuts the rest.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    mut shutdown: oneshot::Receiver<()>,
) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let router = router.layer(middleware::from_fn(move |request, next| {
        only_our_host(port, request, next)
    }));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut live: Vec<Live> = Vec::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192))
        .max_header_size(limits.max_header_bytes)
        .keep_alive(false);
    loop {
        while let Some(done) = connections.try_join_next_with_id() {
            forget(&mut live, done);
        }
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::debug!(%error, "loopback listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        if !make_room(&mut live, &mut connections, &limits, &mut shutdown).await {
            break;
        }
        let requested = Arc::new(AtomicBool::new(false));
        let service = marking_service(router.clone(), requested.clone());
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        let lifetime = limits.connection_lifetime;
        let abort = connections.spawn(async move {
            let _ = tokio::time::timeout(lifetime, connection).await;
        });
        live.push(Live {
            abort,
            accepted: Instant::now(),
            requested,
        });
    }
    drop(listener);
    // Connections still waiting for a request end now; answers under way get a second.
    for connection in live.iter().filter(|c| !c.requested.load(Ordering::Relaxed)) {
        connection.abort.abort();
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), graceful.shutdown()).await;
    connections.abort_all();
}

/// Frees a slot for a new connection: closes the oldest one that has not sent its request (and is
/// past its grace), or waits for a connection to end. False when `shutdown` fired meanwhile.
async fn make_room(
    live: &mut Vec<Live>,
    connections: &mut JoinSet<()>,
    limits: &Limits,
    shutdown: &mut oneshot::Receiver<()>,
) -> bool {
    while live.len() >= limits.max_connections.max(1) {
        let now = Instant::now();
        let oldest_idle = live
            .iter()
            .position(|c| c.displaceable_at(limits.grace).is_some_and(|at| at <= now));
        if let Some(index) = oldest_idle {
            live.remove(index).abort.abort();
            continue;
        }
        // Nothing to displace yet: wait for a connection to end or for the grace of one to pass.
        let next = live
            .iter()
            .filter_map(|c| c.displaceable_at(limits.grace))
            .min()
            .unwrap_or(now + limits.connection_lifetime);
        tokio::select! {
            _ = &mut *shutdown => return false,
            Some(done) = connections.join_next_with_id() => forget(live, done),
            () = tokio::time::sleep_until(next) => {}
        }
    }
    true
}

/// Drops a finished connection from `live`.
fn forget(live: &mut Vec<Live>, done: Result<(tokio::task::Id, ()), tokio::task::JoinError>) {
    let id = match done {
        Ok((id, ())) => id,
        Err(error) => error.id(),
    };
    live.retain(|c| c.abort.id() != id);
}

/// The router as a connection's service, noting when its request is complete.
fn marking_service(
    router: Router,
    requested: Arc<AtomicBool>,
) -> impl hyper::service::Service<
    hyper::Request<hyper::body::Incoming>,
    Response = Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<Response, std::convert::Infallible>> + Send,
> + Clone {
    let service = TowerToHyperService::new(router);
    hyper::service::service_fn(move |request| {
        requested.store(true, Ordering::Relaxed);
        hyper::service::Service::call(&service, request)
    })
}

/// A page on another origin can point a rebinding DNS name at 127.0.0.1; its requests carry that
/// name in `Host`, so only our own address is answered: `127.0.0.1` or `localhost`, with our
/// port or none (Alibaba's Python SDK sends `Host: 127.0.0.1` to the credentials endpoint).
async fn only_our_host(port: u16, request: Request, next: Next) -> Response {
    let ours = match request.headers().get(header::HOST) {
        // HTTP/1.0 without `Host` cannot come from a browser page on another origin.
        None => true,
        Some(host) => host.to_str().is_ok_and(|host| {
            let (name, given_port) = match host.rsplit_once(':') {
                Some((name, given)) => (name, Some(given)),
                None => (host, None),
            };
            matches!(name, "127.0.0.1" | "localhost")
                && given_port.is_none_or(|given| given == port.to_string())
        }),
    };
    if ours {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            [(header::CONNECTION, "close")],
            "This address only answers 127.0.0.1.\n",
        )
            .into_response()
    }
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
        let router = Router::new().route("/", get(|| async { "ok" })).route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                "slow"
            }),
        );
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

    const GET: &[u8] = b"GET / HTTP/1.1\r\n\r\n";

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
    async fn at_the_cap_a_newcomer_displaces_the_oldest_idle_connection() {
        let limits = Limits {
            max_connections: 2,
            ..Limits::default()
        };
        let (port, _stop) = start(limits).await;
        let mut oldest = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        // Past their grace before the third arrives.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut third = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        third.write_all(GET).await.unwrap();
        let status = tokio::time::timeout(Duration::from_secs(2), read_status(&mut third))
            .await
            .expect("served at once, not queued");
        assert_eq!(status, Some(200));
        let closed = tokio::time::timeout(Duration::from_secs(2), read_status(&mut oldest))
            .await
            .expect("the oldest idle connection was closed");
        assert_eq!(closed, None);
    }

    #[tokio::test]
    async fn a_connection_with_a_request_in_progress_is_never_displaced() {
        let limits = Limits {
            max_connections: 1,
            ..Limits::default()
        };
        let (port, _stop) = start(limits).await;
        let mut busy = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        busy.write_all(b"GET /slow HTTP/1.1\r\n\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut next = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        next.write_all(GET).await.unwrap();
        assert_eq!(
            read_status(&mut busy).await,
            Some(200),
            "the busy one finished"
        );
        assert_eq!(
            read_status(&mut next).await,
            Some(200),
            "then the next was served"
        );
    }

    #[tokio::test]
    async fn only_our_own_host_is_answered() {
        let (port, _stop) = start(Limits::default()).await;
        for (host, expected) in [
            (format!("127.0.0.1:{port}"), 200),
            (format!("localhost:{port}"), 200),
            ("127.0.0.1".to_owned(), 200),
            (format!("rebound.example:{port}"), 403),
            ("rebound.example".to_owned(), 403),
            (format!("127.0.0.1:{}", port.wrapping_add(1)), 403),
        ] {
            let mut client = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
            client.write_all(request.as_bytes()).await.unwrap();
            assert_eq!(read_status(&mut client).await, Some(expected), "{host}");
        }
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
