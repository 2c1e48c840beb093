//! `CredentialsURI` profiles: a GET of `credentials_uri`, read as strictly as the official tools
//! read it. The endpoint of `alicli exec --server` serves the same document, so it stands in for
//! any such endpoint; a canned server on 127.0.0.1 gives the broken answers.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Child, Stdio};

use serde_json::{Value, json};

use crate::exec::wait_for_file;
use crate::support::{Outcome, Sandbox, test_program};

fn add_uri_profile(sandbox: &Sandbox, name: &str, uri: &str) {
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": name, "mode": "CredentialsURI", "credentials_uri": uri, "region_id": "cn-shanghai"}));
    sandbox.write_config(&config);
}

/// `alicli exec --server --profile work` running until `stop` appears in `dir`; its URI.
fn serving(sandbox: &Sandbox, dir: &std::path::Path) -> (Child, String) {
    let mut child = sandbox
        .cmd()
        .args([
            "exec",
            "--server",
            "--profile",
            "work",
            "--",
            test_program(),
        ])
        .args(["--to", "uri", "--env", "ALIBABA_CLOUD_CREDENTIALS_URI"])
        .args(["--wait-for", "stop"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let uri = wait_for_file(&dir.join("uri"), &mut child);
    (child, uri)
}

#[test]
fn a_credentials_uri_profile_signs_with_what_the_endpoint_serves() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let dir = tempfile::tempdir().unwrap();
    let (mut server, uri) = serving(&sandbox, dir.path());
    add_uri_profile(&sandbox, "via-uri", &uri);
    let secret_path = &uri[uri.rfind('/').unwrap() + 1..];

    let outcome = sandbox
        .run(&[
            "--debug",
            "sts",
            "GetCallerIdentity",
            "--profile",
            "via-uri",
        ])
        .success();
    let identity: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(identity["Arn"], "acs:ram::1234567890123456:user/alice");
    assert!(
        !outcome.stderr.contains(secret_path),
        "the URI's secret path stays out of the log: {}",
        outcome.stderr
    );

    let work = sandbox.profile("work");
    let outcome = sandbox
        .run(&[
            "export-credentials",
            "--profile",
            "via-uri",
            "--format",
            "json",
        ])
        .success();
    let exported: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(exported["profile"], "via-uri");
    assert_eq!(exported["access_key_id"], work["access_key_id"]);
    assert_eq!(exported["security_token"], work["sts_token"]);
    assert_eq!(exported["region_id"], "cn-shanghai");

    let outcome = sandbox
        .run(&[
            "exec",
            "--profile",
            "via-uri",
            "--",
            test_program(),
            "--env",
            "OSS_ACCESS_KEY_ID",
            "--env",
            "ALIBABA_CLOUD_PROFILE",
        ])
        .success();
    assert_eq!(
        outcome.stdout,
        format!("{}\nvia-uri\n", work["access_key_id"].as_str().unwrap())
    );
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
    let untouched = sandbox.profile("via-uri");
    assert!(
        untouched.get("access_key_id").is_none(),
        "nothing is cached in the profile"
    );

    std::fs::write(dir.path().join("stop"), "").unwrap();
    server.wait().unwrap();
}

/// A server on 127.0.0.1 that reads each request and lets `answer` write the response; its URI.
fn serve(answer: impl Fn(&mut std::net::TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            answer(&mut stream);
        }
    });
    format!("http://{address}/private-path-123")
}

/// A server that answers every request with `status` and `body`.
fn canned(status: u16, body: &'static str) -> String {
    serve(move |stream| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    })
}

/// A server whose answer never ends: no length, then spaces until the client leaves.
fn endless() -> String {
    serve(|stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{");
        let chunk = [b' '; 64 * 1024];
        while stream.write_all(&chunk).is_ok() {}
    })
}

#[test]
fn broken_answers_and_unsafe_uris_are_refused_with_the_reason() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&json!({"current": "", "profiles": []}));
    let cases = [
        (
            canned(
                200,
                r#"{"Code":"Failed","AccessKeyId":"a","AccessKeySecret":"leak-me","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}"#,
            ),
            "`Code` `Failed`",
        ),
        (
            canned(
                200,
                r#"{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"leak-me","SecurityToken":"t"}"#,
            ),
            "no `Expiration`",
        ),
        (
            canned(
                503,
                r#"{"Code":"CredentialsUnavailable","Message":"renewal failed"}"#,
            ),
            "CredentialsUnavailable",
        ),
        // Keys already expired are refused, not handed on to fail at their first call.
        (
            canned(
                200,
                r#"{"Code":"Success","AccessKeyId":"a","AccessKeySecret":"leak-me","SecurityToken":"t","Expiration":"2001-01-01T00:00:00Z"}"#,
            ),
            "expired",
        ),
        // Read up to a cap, like every server answer (issue 14), not until memory runs out.
        (endless(), "longer than 1 MiB"),
        (
            "http://creds.example/private-path-123".to_owned(),
            "must be an `https://` URL",
        ),
    ];
    for (index, (uri, reason)) in cases.iter().enumerate() {
        let name = format!("uri{index}");
        add_uri_profile(&sandbox, &name, uri);
        let outcome: Outcome = sandbox.run(&["export-credentials", "--profile", &name]);
        let outcome = outcome.code(1);
        assert!(
            outcome.stderr.starts_with(&format!(
                "error: profile `{name}` gets no credentials from its `credentials_uri`"
            )),
            "{}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains(reason),
            "{reason}: {}",
            outcome.stderr
        );
        for secret in ["private-path-123", "leak-me"] {
            assert!(!outcome.stderr.contains(secret), "{}", outcome.stderr);
        }
        assert_eq!(outcome.stdout, "");
    }
}
