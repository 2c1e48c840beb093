//! Keychain storage (`--storage keychain`): the sign-in that leaves no secret in config.json, the
//! External profile the official SDK runs, renewal and single-flight renewal (here); logout,
//! moving a session between storages, import, doctor, settings and roles (`manage`); and the
//! refusals when no Secret Service answers (`refusal`).
//!
//! Tests that need a Secret Service reach it on DBUS_SESSION_BUS_ADDRESS (`.ci/run` starts
//! gnome-keyring in a `dbus-run-session`). Where build.rs finds none they are reported ignored;
//! `ALICLI_REQUIRE_KEYCHAIN=1` makes them run (and fail) instead. Each test has its own HOME, so
//! its own config.json and therefore its own keychain items: they run in parallel on one keyring.

use serde_json::{Value, json};

use crate::concurrency::newest_refresh_token;
use crate::python_sdk::{provider, python, sdk_call};
use crate::support::keychain::{Items, item, write_item};
use crate::support::{ALICLI, Outcome, Sandbox, finish_within, now};

mod manage;
mod refusal;

/// Signs `work` in with keychain storage; its item goes when the [`Items`] guard does.
fn keychain_sandbox(settings: Value) -> (Sandbox, Items) {
    let sandbox = Sandbox::with_settings(settings);
    let items = Items::of(&sandbox, &["work"]);
    sandbox
        .configure(&[
            "--profile",
            "work",
            "--region",
            "cn-hangzhou",
            "--storage",
            "keychain",
        ])
        .success();
    (sandbox, items)
}

/// config.json holds no secret the emulator ever issued.
fn assert_no_secret_in_config(sandbox: &Sandbox) {
    let text = std::fs::read_to_string(sandbox.config_path()).unwrap();
    for secret in sandbox.emulator.secrets() {
        assert!(
            !text.contains(&secret),
            "config.json holds a secret:\n{text}"
        );
    }
}

fn json_of(outcome: &Outcome) -> Value {
    serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", outcome.stdout, outcome.stderr))
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn sign_in_keeps_the_session_in_the_keychain_and_no_secret_in_config_json() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    let profile = sandbox.profile("work");
    assert_eq!(profile["mode"], "External");
    assert_eq!(profile["alicli_storage"], "keychain");
    let command = profile["process_command"].as_str().unwrap();
    let words = shlex::split(command).unwrap();
    let config = std::fs::canonicalize(sandbox.config_path()).unwrap();
    assert_eq!(
        words,
        [
            ALICLI,
            "export-credentials",
            "--profile",
            "work",
            "--config-path",
            config.to_str().unwrap(),
            "--format",
            "external"
        ],
        "alicli by its absolute path"
    );
    for key in ["oauth_refresh_token", "access_key_secret", "sts_token"] {
        assert!(profile.get(key).is_none(), "{key} in {profile}");
    }
    assert_no_secret_in_config(&sandbox);

    let stored = item(&sandbox, "work").expect("the session is in the keychain");
    assert_eq!(stored["version"], 1);
    assert_eq!(
        stored["oauth_refresh_token"],
        newest_refresh_token(&sandbox)
    );

    // alicli reads the keychain itself; what the SDKs run prints the same credentials.
    let exported = json_of(
        &sandbox
            .run(&[
                "export-credentials",
                "--profile",
                "work",
                "--format",
                "json",
            ])
            .success(),
    );
    assert_eq!(exported["access_key_id"], stored["access_key_id"]);
    assert_eq!(exported["security_token"], stored["sts_token"]);
    let printed: Outcome = sandbox
        .cmd()
        .args(&words[1..])
        .output()
        .expect("run the process_command")
        .into();
    let printed = json_of(&printed.success());
    assert_eq!(printed["mode"], "StsToken");
    assert_eq!(printed["access_key_secret"], stored["access_key_secret"]);
    assert_eq!(sandbox.emulator.count("exchange"), 1, "no renewal was due");

    let listed = json_of(
        &sandbox
            .run(&["configure", "list", "--output", "json"])
            .success(),
    );
    let row = &listed["profiles"][0];
    assert_eq!(
        (&row["mode"], &row["storage"], &row["validity"]),
        (&json!("OAuth"), &json!("keychain"), &json!("until"))
    );
    let status = json_of(
        &sandbox
            .run(&["session", "validate", "--local", "--json"])
            .success(),
    );
    assert_eq!(status["status"], "valid");
    // The time the credentials have left, e.g. `work 59m`.
    let prompt = sandbox.run(&["prompt"]).success();
    let left = prompt.stdout.strip_prefix("work ").unwrap_or_default();
    assert!(
        left.starts_with(|c: char| c.is_ascii_digit()),
        "{}",
        prompt.stdout
    );
}

#[test]
#[cfg_attr(
    any(alicli_test_no_keychain, alicli_test_no_python_sdk),
    ignore = "needs a Secret Service (gnome-keyring) and ALICLI_TEST_PYTHON"
)]
fn the_python_sdk_gets_fresh_credentials_through_the_external_profile() {
    let python = python();
    let (sandbox, _items) = keychain_sandbox(json!({}));
    let outcome = sdk_call(&python, &sandbox, false).success();
    assert_eq!(
        json_of(&outcome)["Arn"],
        "acs:ram::1234567890123456:user/alice"
    );
    assert_eq!(provider(&outcome), "default/cli_profile/external");
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);

    // Credentials due: the alicli the SDK starts renews them in the keychain.
    let mut stored = item(&sandbox, "work").unwrap();
    stored["sts_expiration"] = json!(now() - 10);
    write_item(&sandbox, "work", &stored);
    sdk_call(&python, &sandbox, false).success();
    assert_eq!(sandbox.emulator.count("exchange"), 2, "renewed once");
    let renewed = item(&sandbox, "work").unwrap();
    assert!(renewed["sts_expiration"].as_i64().unwrap() > now());

    // The SDK caches what the command printed in the profile (its own write-back); alicli's
    // next write of the profile removes that copy again.
    sandbox.run(&["session", "refresh"]).success();
    assert_no_secret_in_config(&sandbox);
    assert_eq!(sandbox.profile("work")["mode"], "External");
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn renewal_keeps_the_rotated_session_in_the_keychain() {
    // STS credentials always due and an access token inside its refresh window: every use
    // refreshes (rotating the refresh token) and exchanges.
    let (sandbox, _items) =
        keychain_sandbox(json!({"sts_lifetime": 60, "access_token_lifetime": 600}));
    for round in 1..=3 {
        let outcome = sandbox
            .run(&["--debug", "sts", "GetCallerIdentity", "--profile", "work"])
            .success();
        assert!(
            outcome
                .stderr
                .contains("read the session from the keychain")
        );
        for secret in sandbox.emulator.secrets() {
            assert!(!outcome.stderr.contains(&secret), "{}", outcome.stderr);
        }
        assert_eq!(sandbox.emulator.count("token_refresh"), round);
        // The emulator revokes the grant when an old refresh token comes back: each round
        // works only if the rotated one was kept.
        let stored = item(&sandbox, "work").unwrap();
        assert_eq!(
            stored["oauth_refresh_token"],
            newest_refresh_token(&sandbox)
        );
    }
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
    assert_no_secret_in_config(&sandbox);
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn concurrent_renewals_of_a_keychain_profile_make_one_refresh() {
    let (sandbox, _items) = keychain_sandbox(json!({"delay_ms": 200}));
    let mut stored = item(&sandbox, "work").unwrap();
    stored["sts_expiration"] = json!(now() - 10);
    stored["oauth_access_token_expire"] = json!(now() - 10);
    write_item(&sandbox, "work", &stored);
    let children: Vec<_> = (0..8)
        .map(|_| sandbox.spawn(&["export-credentials", "--format", "json"]))
        .collect();
    let keys: Vec<Value> = children
        .into_iter()
        .map(|child| json_of(&finish_within(child, 60).success())["access_key_id"].clone())
        .collect();
    assert_eq!(sandbox.emulator.count("token_refresh"), 1, "single flight");
    assert_eq!(
        sandbox.emulator.count("exchange"),
        2,
        "sign-in, then one renewal"
    );
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    assert_eq!(item(&sandbox, "work").unwrap()["access_key_id"], keys[0]);
}
