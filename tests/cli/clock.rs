//! Credentials that arrive unusable by the local clock: already expired, or inside the renewal
//! margin. They are refused with the clock at fault named, never exported with exit 0, and the
//! `exec --server` endpoint backs off instead of exchanging again on every fetch.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Sandbox, http};

/// A signed-in `work` whose stored STS credentials are due, so the next use exchanges.
fn due() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile("work", json!({"sts_expiration": 0}));
    sandbox
}

#[test]
fn an_expiration_already_past_is_refused_and_the_server_clock_is_compared() {
    let sandbox = due();
    // The service hands out credentials that expired a minute ago, by its own clock too.
    sandbox.emulator.set(json!({"sts_lifetime": -60}));
    let before = sandbox.emulator.count("exchange");
    let uses: [&[&str]; 3] = [
        &["export-credentials"],
        &["sts", "GetCallerIdentity"],
        &["exec", "--", "true"],
    ];
    for args in uses {
        let outcome = sandbox.run(args).code(1);
        assert_eq!(outcome.stdout, "", "{args:?}: nothing is exported");
        assert!(
            outcome
                .stderr
                .contains("the new STS credentials expired 1 min ago by the local clock")
                && outcome.stderr.contains("and the server's clock agrees"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    assert_eq!(
        sandbox.emulator.count("exchange"),
        before + 3,
        "one exchange per use"
    );
    assert_eq!(
        sandbox.profile("work")["sts_expiration"],
        0,
        "nothing expired was stored"
    );
}

#[test]
fn a_clock_two_hours_ahead_is_named_as_the_cause() {
    let sandbox = due();
    // The service's clock is 2 h behind ours: its one-hour credentials look an hour past.
    sandbox.emulator.set(json!({"clock_offset_secs": -7200}));
    let outcome = sandbox.run(&["export-credentials"]).code(1);
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome
            .stderr
            .contains("expired 59 min ago by the local clock")
            || outcome
                .stderr
                .contains("expired 1 h 0 min ago by the local clock"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("the local clock is 120 min ahead of the server's")
            && outcome.stderr.contains("hint: set the system clock right"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn the_endpoint_backs_off_instead_of_exchanging_on_every_fetch() {
    // Four-second credentials: the endpoint renews them after two.
    let sandbox = Sandbox::with_settings(json!({"sts_lifetime": 4}));
    sandbox.sign_in("work");
    let dir = tempfile::tempdir().unwrap();
    let script = "printf '%s\\n' \"$ALIBABA_CLOUD_CREDENTIALS_URI\" > uri; \
                  while [ ! -e stop ]; do sleep 0.05; done";
    let child = sandbox
        .cmd()
        .args(["exec", "--server", "--", "sh", "-c", script])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let uri_file = dir.path().join("uri");
    let started = Instant::now();
    let uri = loop {
        if let Ok(text) = std::fs::read_to_string(&uri_file)
            && text.ends_with('\n')
        {
            break text.trim().to_owned();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no URI");
        std::thread::sleep(Duration::from_millis(20));
    };
    // From now on every exchange gives expired credentials.
    sandbox.emulator.set(json!({"sts_lifetime": -60}));
    let before = sandbox.emulator.count("exchange");
    let (mut served, mut refused, mut fetches) = (0, 0, 0);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(6) {
        let (status, body) = http("GET", &uri, None);
        match status {
            200 => served += 1,
            503 => {
                assert!(body.contains("the server's clock agrees"), "{body}");
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
        fetches += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::write(dir.path().join("stop"), "").unwrap();
    let outcome: crate::support::Outcome = child.wait_with_output().unwrap().into();
    let exchanges = sandbox.emulator.count("exchange") - before;
    assert!(
        served > 0 && refused > 0,
        "{served} served, {refused} refused"
    );
    // Renewal is due from the second second on: without a back-off, nearly every fetch
    // exchanged. With it (1 s, 2 s, 4 s) a handful did.
    assert!(
        exchanges <= 5,
        "{exchanges} exchanges for {fetches} fetches\n{}",
        outcome.stderr
    );
}

#[test]
fn a_refused_exchange_keeps_the_rotated_refresh_token() {
    let sandbox = due();
    sandbox.edit_profile("work", json!({"oauth_access_token_expire": 0}));
    let old_refresh = sandbox.profile("work")["oauth_refresh_token"].clone();
    sandbox.emulator.set(json!({"sts_lifetime": -60}));
    // The refresh rotates the refresh token; the exchange after it is refused.
    sandbox.run(&["export-credentials"]).code(1);
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
    let profile = sandbox.profile("work");
    assert_ne!(
        profile["oauth_refresh_token"], old_refresh,
        "the new token was saved"
    );
    // Once the service is right again, the session goes on without a new sign-in.
    sandbox.emulator.set(json!({"sts_lifetime": 3600}));
    sandbox.run(&["export-credentials"]).success();
    assert_eq!(
        sandbox.emulator.count("token_refresh"),
        1,
        "no second refresh needed"
    );
}

#[test]
fn role_credentials_that_arrive_expired_are_refused_and_the_clock_named() {
    // The metadata service signs nothing, so a skewed clock shows only in what it hands out (a
    // signed AssumeRole fails first, with its own clock hint): 2 h behind ours, its one-hour
    // credentials look an hour past.
    let sandbox = Sandbox::with_settings(json!({"clock_offset_secs": -7200}));
    sandbox.set("ecs", &["--mode", "EcsRamRole"]).success();
    let metadata = [("ALICLI_ECS_METADATA_URL", sandbox.emulator.url.as_str())];
    for _ in 0..2 {
        let outcome = sandbox
            .run_env(&["export-credentials", "-p", "ecs"], &metadata)
            .code(1);
        assert_eq!(outcome.stdout, "");
        assert!(
            outcome.stderr.contains("by the local clock")
                && outcome
                    .stderr
                    .contains("the local clock is 120 min ahead of the server's"),
            "{}",
            outcome.stderr
        );
    }
    assert_eq!(
        sandbox.emulator.count("metadata_credentials"),
        2,
        "asked once per use, and refused each time"
    );
    let stored = sandbox.profile("ecs");
    assert_eq!(
        stored["sts_expiration"].as_i64().unwrap_or(0),
        0,
        "nothing expired was stored: {stored}"
    );
}
