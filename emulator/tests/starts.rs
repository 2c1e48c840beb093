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

/// The try-out instructions on stderr name the binaries beside the running emulator (a release
/// build's, when that is what runs), and explain the JSON line.
#[test]
fn the_try_out_instructions_name_the_binaries_beside_it() {
    let emulator = env!("CARGO_BIN_EXE_alicli-emulator");
    let mut child = Command::new(emulator)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the emulator");
    let mut text = String::new();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    while !text.contains("Counters:") {
        if stderr.read_line(&mut text).unwrap() == 0 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let alicli = std::path::Path::new(emulator).with_file_name("alicli");
    assert!(
        text.contains(&format!("'{}' configure", alicli.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("BROWSER=\"'{emulator}' browse\"")),
        "{text}"
    );
    assert!(text.contains("the JSON line on stdout"), "{text}");
}
