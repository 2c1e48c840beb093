//! The sign-in callback listener under hostile local traffic: junk, a huge query, invalid UTF-8, a
//! slow client, a foreign `Host` and a POST, and a flood of connections that reopen as fast as
//! they are closed. Afterwards, or meanwhile, the browser's real redirect still signs in.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::support::{Outcome, Sandbox, emulator, quote};

/// `alicli configure` running, its browser held back until `release()`.
struct PendingSignIn {
    child: Child,
    port: u16,
    signal: std::path::PathBuf,
    stderr: std::thread::JoinHandle<String>,
}

impl PendingSignIn {
    fn start(sandbox: &mut Sandbox) -> Self {
        let signal = sandbox.home.path().join("go");
        // The browser waits for the test's signal before it follows the redirect.
        sandbox.browser = format!(
            "sh -c {} sh %s",
            quote(&format!(
                "while [ ! -e {} ]; do sleep 0.05; done; exec {} browse \"$1\"",
                quote(signal.to_str().unwrap()),
                quote(emulator())
            ))
        );
        let mut child = sandbox
            .cmd()
            .args([
                "configure",
                "--profile",
                "work",
                "--mode",
                "OAuth",
                "--region",
                "cn-hangzhou",
                "--callback-port",
                "0",
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut seen = String::new();
        let port = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "alicli ended early: {seen}"
            );
            seen.push_str(&line);
            if let Some(rest) = line
                .split("Waiting for the sign-in on http://127.0.0.1:")
                .nth(1)
            {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep draining stderr so alicli never blocks on a full pipe.
        let stderr = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
            seen + &rest
        });
        Self {
            child,
            port,
            signal,
            stderr,
        }
    }

    fn release(self) -> Outcome {
        std::fs::write(&self.signal, b"").unwrap();
        let status = self.child.wait_with_output().unwrap().status;
        Outcome {
            code: status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: self.stderr.join().unwrap(),
        }
    }
}

/// Sends `bytes` on a fresh connection and returns the status of the answer, if any.
fn send_raw(port: u16, bytes: &[u8]) -> Option<u16> {
    send(port, bytes, false)
}

/// Sends junk and half-closes, so that an incomplete request ends at once instead of waiting out
/// the header timeout. (A half-closed complete request may be dropped unanswered: hyper ends a
/// connection whose client closed its side, so well-formed requests use [`send_raw`].)
fn send_junk(port: u16, bytes: &[u8]) -> Option<u16> {
    send(port, bytes, true)
}

fn send(port: u16, bytes: &[u8], half_close: bool) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // The server may answer and close before reading everything (e.g. 431): that is fine.
    let _ = stream.write_all(bytes);
    if half_close {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// A thousand requests of junk: random bytes, broken request lines, stray paths, forged states,
/// odd methods, too many headers.
fn junk(index: usize) -> Vec<u8> {
    let random = |len: usize| -> Vec<u8> { (0..len).map(|_| rand::random::<u8>()).collect() };
    match index % 10 {
        0 => random(1 + index % 2048),
        1 => b"\r\n\r\n\r\n".to_vec(),
        2 => format!("GET /cli/callback?code=c{index}&state=forged HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .into_bytes(),
        3 => b"GET /../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
        4 => b"GET / HTTP/9.9\r\n\r\n".to_vec(),
        5 => b"GET /cli/callback HTTP/1.1\r\nno colon here\r\n\r\n".to_vec(),
        6 => {
            let mut request = b"GET /cli/callback HTTP/1.1\r\n".to_vec();
            for n in 0..200 {
                request.extend_from_slice(format!("X-{n}: y\r\n").as_bytes());
            }
            request.extend_from_slice(b"\r\n");
            request
        }
        7 => b"CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n".to_vec(),
        8 => b"GET /cli/callback?state=&code= HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        _ => {
            let mut request = b"GET /cli/callback?".to_vec();
            request.extend(random(64));
            request.extend_from_slice(b" HTTP/1.1\r\n\r\n");
            request
        }
    }
}

#[test]
fn the_callback_survives_hostile_traffic_and_still_signs_in() {
    let mut sandbox = Sandbox::new();
    let started = Instant::now();
    let pending = PendingSignIn::start(&mut sandbox);
    let port = pending.port;

    // A slow client holds a connection open, sending its headers a byte at a time.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET /cli/callback?code=slow").unwrap();

    // 1,000 junk requests from four clients at once.
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            std::thread::spawn(move || {
                for index in (worker..1000).step_by(4) {
                    let status = send_junk(port, &junk(index));
                    assert_ne!(status, Some(200), "junk #{index} was accepted");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let _ = slow.write_all(b"&st");

    // A 1 MB query: refused for its size (or the connection cut), never processed.
    let huge = format!(
        "GET /cli/callback?state=x&code={} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
        "A".repeat(1 << 20)
    );
    let status = send_junk(port, huge.as_bytes());
    assert!(matches!(status, None | Some(414 | 431)), "{status:?}");

    // Invalid UTF-8 in the query (raw and percent-encoded) and in the Host header.
    let mut raw =
        b"GET /cli/callback?code=\xff\xfe&state=\xc3\x28 HTTP/1.1\r\nHost: 127.0.0.1:".to_vec();
    raw.extend_from_slice(format!("{port}\r\n\r\n").as_bytes());
    assert_ne!(send_junk(port, &raw), Some(200));
    let encoded = format!(
        "GET /cli/callback?code=%FF%FE&state=%C3%28 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    );
    assert_eq!(send_raw(port, encoded.as_bytes()), Some(400));
    assert_eq!(
        send_raw(
            port,
            b"GET /cli/callback?code=c&state=s HTTP/1.1\r\nHost: \xff\xfe\r\n\r\n"
        ),
        Some(403)
    );

    // DNS rebinding: a foreign Host is refused.
    let rebound =
        format!("GET /cli/callback?code=c&state=s HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n");
    assert_eq!(send_raw(port, rebound.as_bytes()), Some(403));

    // POST to the callback path.
    let post = format!(
        "POST /cli/callback?code=c&state=s HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 3\r\n\r\nabc"
    );
    assert_eq!(send_raw(port, post.as_bytes()), Some(405));

    // The slow client is still connected; the real redirect gets through all the same.
    let _ = slow.write_all(b"a");
    let outcome = pending.release().success();
    assert!(
        outcome.stderr.contains("Signed in as"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.profile("work")["mode"], "OAuth");
    assert_eq!(
        sandbox.emulator.count("token_code"),
        1,
        "only the real code was redeemed"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// Holds `port` busy from 300 connections that reopen as soon as they are closed, half of them
/// idle and half sending headers a byte too slowly, until `stop` is set.
fn reopening_flood(port: u16, stop: &Arc<AtomicBool>) -> Vec<std::thread::JoinHandle<()>> {
    (0..300)
        .map(|index| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    };
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                    if index % 2 == 1 {
                        let _ = stream.write_all(b"GET /cli/callback?co");
                    }
                    // Until the server closes it (or the flood is called off).
                    let mut byte = [0u8; 1];
                    while !stop.load(Ordering::Relaxed) {
                        match stream.read(&mut byte) {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                            Err(_) => break,
                        }
                    }
                }
            })
        })
        .collect()
}

#[test]
fn a_reopening_flood_does_not_keep_the_browser_out() {
    let mut sandbox = Sandbox::new();
    let pending = PendingSignIn::start(&mut sandbox);
    let stop = Arc::new(AtomicBool::new(false));
    let flood = reopening_flood(pending.port, &stop);
    // Let the flood fill every slot and the queue behind them.
    std::thread::sleep(Duration::from_secs(1));
    let started = Instant::now();
    let outcome = pending.release();
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    for thread in flood {
        thread.join().unwrap();
    }
    outcome.success();
    // Before, the 32 slots went to junk for 5 s each and the browser queued behind 300 of it.
    assert!(took < Duration::from_secs(5), "the sign-in took {took:?}");
    assert_eq!(sandbox.profile("work")["mode"], "OAuth");
}
