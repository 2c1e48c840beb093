//! A corporate network in miniature: a CA made at test time (rcgen), a TLS-terminating forwarder
//! that serves `*.emulator.test` with a certificate of that CA in front of the plain emulator, and
//! an HTTP CONNECT proxy that maps those names to the forwarder and records each tunnel it opens.
//! Loopback always goes direct in alicli, so only a non-loopback name can reach the proxy.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The names the forwarder's certificate holds and the proxy maps to it.
pub const TLS_HOSTS: [&str; 2] = ["sts.emulator.test", "oauth.emulator.test"];

/// The running forwarder and proxy; stopped when dropped.
pub struct CorporateNetwork {
    /// The test CA's certificate, PEM.
    pub ca_bundle: PathBuf,
    /// `http://127.0.0.1:PORT` of the CONNECT proxy.
    pub proxy_url: String,
    /// The `host:port` of every tunnel the proxy was asked for, in order.
    pub tunnels: Arc<Mutex<Vec<String>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl CorporateNetwork {
    /// Starts both in front of the emulator at `emulator` (`127.0.0.1:PORT`), writing the CA
    /// certificate into `dir`.
    pub fn start(emulator: &str, dir: &Path) -> Self {
        let (ca_pem, server_config) = certificates();
        let ca_bundle = dir.join("corporate-ca.pem");
        std::fs::write(&ca_bundle, ca_pem).unwrap();
        let emulator = emulator.to_owned();
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, proxy_port) = std::sync::mpsc::channel();
        let log = tunnels.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let forwarder = TcpListener::bind("127.0.0.1:0").await.unwrap();
                let forwarder_addr = forwarder.local_addr().unwrap().to_string();
                let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
                ready.send(proxy.local_addr().unwrap().port()).unwrap();
                let acceptor = TlsAcceptor::from(Arc::new(server_config));
                tokio::spawn(forward_tls(forwarder, acceptor, emulator));
                tokio::spawn(connect_proxy(proxy, forwarder_addr, log));
                let _ = stopped.await;
            });
        });
        let port = proxy_port.recv().unwrap();
        Self {
            ca_bundle,
            proxy_url: format!("http://127.0.0.1:{port}"),
            tunnels,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The tunnels opened so far.
    pub fn tunnels(&self) -> Vec<String> {
        self.tunnels.lock().unwrap().clone()
    }
}

impl Drop for CorporateNetwork {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A CA, and a server configuration whose certificate that CA signed for [`TLS_HOSTS`].
fn certificates() -> (String, rustls::ServerConfig) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "alicli test TLS-inspecting proxy CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();

    let names: Vec<String> = TLS_HOSTS.iter().map(|h| h.to_string()).collect();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )
        .unwrap();
    (ca.pem(), config)
}

/// TLS in, plain HTTP out to the emulator.
async fn forward_tls(listener: TcpListener, acceptor: TlsAcceptor, emulator: String) {
    while let Ok((stream, _)) = listener.accept().await {
        let acceptor = acceptor.clone();
        let emulator = emulator.clone();
        tokio::spawn(async move {
            // A client that refuses our certificate ends the handshake: nothing to forward.
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let Ok(mut plain) = TcpStream::connect(&emulator).await else {
                return;
            };
            let _ = copy_bidirectional(&mut tls, &mut plain).await;
        });
    }
}

/// `CONNECT host:443` for a name of [`TLS_HOSTS`] opens a tunnel to the forwarder; anything else
/// gets 403. Every request is recorded.
async fn connect_proxy(listener: TcpListener, forwarder: String, log: Arc<Mutex<Vec<String>>>) {
    while let Ok((mut client, _)) = listener.accept().await {
        let forwarder = forwarder.clone();
        let log = log.clone();
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
                match client.read(&mut byte).await {
                    Ok(1) => head.push(byte[0]),
                    _ => return,
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let mut words = head.split_whitespace();
            let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            log.lock().unwrap().push(format!("{method} {target}"));
            let host = target.split(':').next().unwrap_or("");
            if method != "CONNECT" || !TLS_HOSTS.contains(&host) {
                let _ = client
                    .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    .await;
                return;
            }
            let Ok(mut upstream) = TcpStream::connect(&forwarder).await else {
                let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                return;
            };
            if client
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .await
                .is_err()
            {
                return;
            }
            let _ = copy_bidirectional(&mut client, &mut upstream).await;
        });
    }
}
