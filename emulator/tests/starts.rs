//! The emulator binary starts, announces itself on 127.0.0.1 and answers its admin routes. This
//! test also makes `cargo test` build the binary that alicli's integration tests start.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

#[test]
fn announces_a_loopback_url_and_serves_stats() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_alicli-emulator"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).expect("first line is JSON");
    let url = info["url"].as_str().unwrap();
    let host = url
        .strip_prefix("http://127.0.0.1:")
        .expect("loopback only");
    let mut stream = TcpStream::connect(format!("127.0.0.1:{host}")).unwrap();
    write!(
        stream,
        "GET /__emulator/stats HTTP/1.0\r\nHost: 127.0.0.1:{host}\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "{response}"
    );
    let body = &response[response.find("\r\n\r\n").unwrap() + 4..];
    let stats: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(stats["token_code"], 0, "{stats}");
    assert_eq!(stats["exchange"], 0, "{stats}");
}
