//! `alicli exec`: the child's environment, exit codes, signals, nesting, and the `--server`
//! credentials endpoint.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Outcome, Sandbox, http, now, quote, test_program};

pub(super) fn wait_for_file(path: &Path, child: &mut Child) -> String {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text.trim_end().to_owned();
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("alicli exited early with {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(child: Child) -> Outcome {
    child.wait_with_output().unwrap().into()
}

#[test]
fn the_child_gets_the_credentials_and_its_exit_code_is_returned() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let profile = sandbox.profile("work");
    let mut args = vec!["exec", "--profile", "work", "--", test_program()];
    for name in [
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_REGION_ID",
        "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION",
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "ALICLI_EXEC",
    ] {
        args.extend(["--env", name]);
    }
    args.extend(["--exit", "7"]);
    let outcome: Outcome = sandbox
        .cmd()
        .args(&args)
        .env("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/stale")
        .output()
        .unwrap()
        .into();
    let outcome = outcome.code(7);
    let expiration = alicli::timefmt::to_rfc3339(profile["sts_expiration"].as_i64().unwrap());
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            profile["access_key_id"].as_str().unwrap(),
            profile["access_key_secret"].as_str().unwrap(),
            profile["sts_token"].as_str().unwrap(),
            "cn-hangzhou",
            expiration.as_str(),
            "none",
            "work"
        ]
    );
    assert_eq!(outcome.stderr, "");
}

#[test]
fn a_missing_command_exits_127_and_a_nested_exec_warns() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome = sandbox
        .run(&["exec", "--", "no-such-command-here"])
        .code(127);
    assert!(
        outcome
            .stderr
            .starts_with("error: cannot run `no-such-command-here`"),
        "{}",
        outcome.stderr
    );
    let outcome = sandbox
        .run(&[
            "exec",
            "--",
            crate::support::ALICLI,
            "exec",
            "--",
            test_program(),
        ])
        .success();
    assert!(
        outcome.stderr.contains(
            "warning: `alicli exec` is running inside another `alicli exec` (profile `work`)"
        ),
        "{}",
        outcome.stderr
    );
    sandbox.run(&["exec"]).code(2);
}

#[test]
fn a_session_that_needs_a_sign_in_never_starts_the_command() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    for server in [false, true] {
        let mut args = vec!["exec"];
        if server {
            args.push("--server");
        }
        args.extend(["--", test_program(), "--print", "started"]);
        let outcome = sandbox.run(&args).code(4);
        assert_eq!(outcome.stdout, "", "server={server}");
        assert!(
            outcome.stderr.contains("hint: sign in again"),
            "{}",
            outcome.stderr
        );
    }
}

/// Starts `alicli exec [--server] -- sh -c SCRIPT` in `dir`, not waiting.
#[cfg(unix)]
fn spawn_exec(sandbox: &Sandbox, dir: &Path, server: bool, script: &str) -> Child {
    let mut command = sandbox.cmd();
    command.arg("exec");
    if server {
        command.arg("--server");
    }
    command
        .args(["--", "sh", "-c", script])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[cfg(unix)]
#[test]
fn signals_reach_the_command_and_its_status_comes_back() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let script = "trap 'echo got-term > got; exit 7' TERM; trap 'echo got-int > got; exit 5' INT; \
                  echo ready > ready; while :; do sleep 0.05; done";
    for server in [false, true] {
        for (signal, code, word) in [("TERM", 7, "got-term"), ("INT", 5, "got-int")] {
            let dir = tempfile::tempdir().unwrap();
            let mut child = spawn_exec(&sandbox, dir.path(), server, script);
            wait_for_file(&dir.path().join("ready"), &mut child);
            let pid = child.id().to_string();
            std::process::Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .unwrap();
            let outcome = finish(child).code(code);
            assert_eq!(
                std::fs::read_to_string(dir.path().join("got")).unwrap(),
                format!("{word}\n"),
                "server={server} {signal}: {outcome:?}"
            );
        }
    }
    // A command killed by a signal: the shell convention 128 + signal.
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_exec(&sandbox, dir.path(), true, "kill -TERM $$");
    finish(child).code(128 + 15);
}

#[test]
fn the_server_serves_renewing_credentials_and_stops_with_the_command() {
    let sandbox = Sandbox::with_settings(json!({"sts_lifetime": 4}));
    sandbox.sign_in("work");
    let dir = tempfile::tempdir().unwrap();
    let mut command = sandbox.cmd();
    let mut child = command
        .args(["exec", "--server", "--", test_program(), "--to", "uri"])
        .args(["--env", "ALIBABA_CLOUD_CREDENTIALS_URI"])
        .args(["--env", "ALIBABA_CLOUD_ACCESS_KEY_ID"])
        .args(["--env", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED"])
        .args(["--wait-for", "stop", "--exit", "3"])
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIstale")
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let text = wait_for_file(&dir.path().join("uri"), &mut child);
    let lines: Vec<&str> = text.lines().collect();
    let uri = lines[0];
    assert_eq!(lines[1..], ["none", "true"], "no static keys compete");
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    let path = &uri[uri.find('/').unwrap() + 2..];
    let secret = &path[path.find('/').unwrap() + 1..];
    assert!(secret.len() >= 40, "unguessable path: {secret}");

    let fetch = || {
        let (status, body) = http("GET", uri, None);
        assert_eq!(status, 200, "{body}");
        let doc: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["Code"], "Success");
        let expiration =
            alicli::timefmt::parse_rfc3339(doc["Expiration"].as_str().unwrap()).unwrap();
        assert!(expiration - now() >= 2, "at least half of 4 s left: {doc}");
        doc["AccessKeyId"].as_str().unwrap().to_owned()
    };
    let first = fetch();
    let base = uri.rsplit_once('/').unwrap().0;
    assert_eq!(http("GET", &format!("{base}/wrong"), None).0, 404);
    let mut seen = vec![first];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        let key = fetch();
        if seen.last() != Some(&key) {
            seen.push(key);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(seen.len() >= 2, "renewed while the command ran: {seen:?}");

    std::fs::write(dir.path().join("stop"), "").unwrap();
    finish(child).code(3);
    let address = base.trim_start_matches("http://");
    let address = &address[..address.find('/').unwrap_or(address.len())];
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "the endpoint stopped with the command"
    );
}

#[test]
fn the_server_refuses_keys_that_do_not_expire() {
    let sandbox = Sandbox::new();
    let keys = format!(
        r#"{} --print '{{"mode":"AK","access_key_id":"LTAIkey","access_key_secret":"sec"}}'"#,
        quote(test_program())
    );
    sandbox.write_config(&json!({"current": "ak", "profiles": [
        {"name": "ak", "mode": "AK", "access_key_id": "LTAIkey", "access_key_secret": "sec"},
        {"name": "ext", "mode": "External", "process_command": keys}]}));
    for profile in ["ak", "ext"] {
        let outcome = sandbox
            .run(&[
                "exec",
                "--server",
                "--profile",
                profile,
                "--",
                test_program(),
                "--print",
                "ran",
            ])
            .code(2);
        assert_eq!(outcome.stdout, "");
        assert!(
            outcome
                .stderr
                .contains("hint: run the command with `alicli exec` without `--server`"),
            "{}",
            outcome.stderr
        );
    }
    // Without --server the External keys are handed over as they are.
    let outcome = sandbox
        .run(&[
            "exec",
            "--profile",
            "ext",
            "--",
            test_program(),
            "--env",
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ])
        .success();
    assert_eq!(outcome.stdout, "LTAIkey\n");
}

/// Sends one request for `path` with this `Host`; the status and body.
#[cfg(unix)]
fn get_with_host(address: &str, path: &str, host: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

#[cfg(unix)]
#[test]
fn the_endpoint_survives_a_flood_and_answers_only_its_own_host() {
    use std::os::unix::process::CommandExt;
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let dir = tempfile::tempdir().unwrap();
    let script = "printf '%s\\n' \"$ALIBABA_CLOUD_CREDENTIALS_URI\" > uri; \
                  while [ ! -e stop ]; do sleep 0.05; done";
    let mut command = sandbox.cmd();
    command
        .args(["exec", "--server", "--", "sh", "-c", script])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // alicli at `ulimit -n 256`: more idle connections than it has file descriptors.
    // SAFETY: setrlimit only changes the child, between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 256,
                rlim_max: 256,
            };
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let uri = wait_for_file(&dir.path().join("uri"), &mut child);
    let rest = uri.strip_prefix("http://").unwrap();
    let (address, path) = rest.split_at(rest.find('/').unwrap());

    // Another local user opens 400 connections and sends nothing.
    let flood: Vec<std::net::TcpStream> = (0..400)
        .map(|_| std::net::TcpStream::connect(address).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // The child's fetch still gets through, and promptly: well before the 5 s header timeout
    // would close the flood's connections (without the cap, that is when it got through).
    let started = Instant::now();
    let (status, body) = http("GET", &uri, None);
    assert_eq!(status, 200, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // DNS rebinding: the secret path with a foreign `Host` gets no credentials.
    let port = address.rsplit(':').next().unwrap();
    let (status, answer) = get_with_host(address, path, &format!("rebound.example:{port}"));
    assert_eq!(status, 403, "{answer}");
    assert!(!answer.contains("AccessKeyId"), "{answer}");
    assert_eq!(
        get_with_host(address, path, &format!("localhost:{port}")).0,
        200
    );

    drop(flood);
    std::fs::write(dir.path().join("stop"), "").unwrap();
    finish(child).success();
}
