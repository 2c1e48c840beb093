//! Keychain storage (`--storage keychain`): the sign-in that leaves no secret in config.json, the
//! External profile the official SDK runs, renewal and single-flight renewal, logout, moving a
//! session between storages, and the refusals when no Secret Service answers.
//!
//! Tests that need a Secret Service reach it on DBUS_SESSION_BUS_ADDRESS (`.ci/run` starts
//! gnome-keyring in a `dbus-run-session`). Where build.rs finds none they are reported ignored;
//! `ALICLI_REQUIRE_KEYCHAIN=1` makes them run (and fail) instead. Each test has its own HOME, so
//! its own config.json and therefore its own keychain items: they run in parallel on one keyring.

use serde_json::{Value, json};

use crate::concurrency::newest_refresh_token;
use crate::python_sdk::{provider, python, sdk_call};
use crate::support::keychain::{Items, SilentBus, account, item, write_item};
use crate::support::{ALICLI, Outcome, Sandbox, finish_within, now};

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

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn logout_removes_the_keychain_item() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    let outcome = sandbox.run(&["logout", "--profile", "work"]).success();
    assert!(
        outcome.stderr.contains("from the Secret Service"),
        "{}",
        outcome.stderr
    );
    assert_eq!(item(&sandbox, "work"), None);
    assert_eq!(sandbox.profile("work")["alicli_storage"], "keychain");
    let outcome = sandbox.run(&["export-credentials"]).code(4);
    assert!(
        outcome.stderr.contains("it is not signed in"),
        "{}",
        outcome.stderr
    );

    sandbox.configure(&["--profile", "work"]).success();
    assert!(
        item(&sandbox, "work").is_some(),
        "the profile keeps its storage"
    );
    sandbox
        .run(&["logout", "--profile", "work", "--delete-profile"])
        .success();
    assert_eq!(item(&sandbox, "work"), None);
    assert_eq!(sandbox.config()["profiles"], json!([]));
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn logout_with_storage_file_leaves_a_plain_oauth_profile_for_the_next_sign_in() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    let outcome = sandbox
        .run(&["logout", "--profile", "work", "--storage", "file"])
        .success();
    assert!(
        outcome
            .stderr
            .contains("next session will be kept in config.json"),
        "{}",
        outcome.stderr
    );
    assert_eq!(item(&sandbox, "work"), None);
    let profile = sandbox.profile("work");
    assert_eq!(profile["mode"], "OAuth");
    assert!(profile.get("alicli_storage").is_none(), "{profile}");
    assert!(profile.get("process_command").is_none(), "{profile}");

    sandbox
        .run(&["login", "--profile", "work", "--callback-port", "0"])
        .success();
    assert_eq!(item(&sandbox, "work"), None, "signed in to the file");
    let profile = sandbox.profile("work");
    assert_eq!(profile["mode"], "OAuth");
    assert!(!profile["oauth_refresh_token"].as_str().unwrap().is_empty());
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn a_session_moves_between_config_json_and_the_keychain() {
    let sandbox = Sandbox::new();
    let _items = Items::of(&sandbox, &["work"]);
    sandbox.sign_in("work");
    let before = sandbox.profile("work");

    sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            "work",
            "--storage",
            "keychain",
        ])
        .success();
    assert_no_secret_in_config(&sandbox);
    let stored = item(&sandbox, "work").unwrap();
    assert_eq!(stored["oauth_refresh_token"], before["oauth_refresh_token"]);
    assert_eq!(stored["sts_token"], before["sts_token"]);
    let exported = json_of(
        &sandbox
            .run(&["export-credentials", "--format", "json"])
            .success(),
    );
    assert_eq!(exported["access_key_id"], before["access_key_id"]);

    sandbox
        .run(&["configure", "set", "--profile", "work", "--storage", "file"])
        .success();
    let after = sandbox.profile("work");
    assert_eq!(after["mode"], "OAuth");
    assert!(after.get("alicli_storage").is_none() && after.get("process_command").is_none());
    for key in [
        "oauth_refresh_token",
        "access_key_id",
        "sts_token",
        "sts_expiration",
    ] {
        assert_eq!(after[key], before[key], "{key}");
    }
    assert_eq!(item(&sandbox, "work"), None, "the item is removed");
    assert_eq!(
        sandbox.emulator.count("exchange"),
        1,
        "moving makes no request"
    );
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn a_profile_that_lost_its_marker_is_still_read_from_the_keychain() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    // The Go and Java SDKs drop keys they do not know when they write a profile back.
    let mut config = sandbox.config();
    config["profiles"][0]
        .as_object_mut()
        .unwrap()
        .remove("alicli_storage");
    sandbox.write_config(&config);
    let exported = json_of(
        &sandbox
            .run(&["export-credentials", "--format", "json"])
            .success(),
    );
    assert_eq!(
        exported["access_key_id"],
        item(&sandbox, "work").unwrap()["access_key_id"]
    );
    sandbox.run(&["session", "refresh"]).success();
    assert_eq!(sandbox.profile("work")["alicli_storage"], "keychain");
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn a_session_archive_imports_into_the_keychain() {
    let (source, _source_items) = keychain_sandbox(json!({}));
    let archive = source.home.path().join("work.age");
    source
        .cmd()
        .env("ALICLI_SESSION_PASSPHRASE", "pass phrase")
        .args(["session", "export", "--output-file"])
        .arg(&archive)
        .output()
        .map(Outcome::from)
        .unwrap()
        .success();
    let target = Sandbox::new();
    let _target_items = Items::of(&target, &["work"]);
    let outcome: Outcome = target
        .cmd()
        .env("ALICLI_SESSION_PASSPHRASE", "pass phrase")
        .args([
            "session",
            "import",
            "--storage",
            "keychain",
            "--session-archive",
        ])
        .arg(&archive)
        .output()
        .unwrap()
        .into();
    outcome.success();
    let imported = item(&target, "work").expect("imported into the keychain");
    assert_eq!(
        imported["oauth_refresh_token"],
        item(&source, "work").unwrap()["oauth_refresh_token"]
    );
    assert_eq!(target.profile("work")["mode"], "External");
    let text = std::fs::read_to_string(target.config_path()).unwrap();
    assert!(!text.contains(imported["oauth_refresh_token"].as_str().unwrap()));

    target
        .run(&["configure", "delete", "--profile", "work"])
        .success();
    assert_eq!(
        item(&target, "work"),
        None,
        "deleting the profile removes its item"
    );
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn doctor_checks_the_keychain_of_a_keychain_profile() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    let check = |sandbox: &Sandbox| {
        let outcome: Outcome = sandbox
            .cmd()
            .args(["doctor", "--json"])
            .output()
            .unwrap()
            .into();
        json_of(&outcome)["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "keychain")
            .cloned()
            .expect("a keychain check")
    };
    let passed = check(&sandbox);
    assert_eq!(passed["status"], "pass", "{passed}");
    let config = sandbox.config_path();
    assert!(
        passed["detail"]
            .as_str()
            .unwrap()
            .contains(&account(&config, "work"))
    );
    sandbox.run(&["logout"]).success();
    let failed = check(&sandbox);
    assert_eq!(failed["status"], "fail", "{failed}");
    assert!(
        failed["fix"]
            .as_str()
            .unwrap()
            .contains("alicli login --profile work"),
        "{failed}"
    );
}

/// A keyring of its own, locked: a private session bus (so the shared keyring stays unlocked for
/// the other tests) where gnome-keyring creates its login keyring and then locks it; no prompt
/// can unlock it (no display).
#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn a_locked_keyring_is_refused_and_nothing_is_written() {
    const LOCKED: &str = r#"
        printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
        until dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q true
        do sleep 0.1; done
        until dbus-send --session --print-reply --dest=org.freedesktop.secrets \
            /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock \
            array:objpath:/org/freedesktop/secrets/collection/login | grep -q collection/login
        do sleep 0.1; done
        exec "$@"
    "#;
    let sandbox = Sandbox::new();
    let keyring = tempfile::tempdir().unwrap();
    let alicli = sandbox.cmd();
    let mut command = std::process::Command::new("dbus-run-session");
    command
        .env_clear()
        .envs(alicli.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("XDG_DATA_HOME", keyring.path())
        .args(["--", "sh", "-c", LOCKED, "sh", ALICLI])
        .args(["login", "--profile", "work", "--callback-port", "0"])
        .args(["--region", "cn-hangzhou", "--storage", "keychain"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let outcome = finish_within(command.spawn().unwrap(), 30).code(1);
    assert!(
        outcome
            .stderr
            .contains("the Secret Service (the desktop keyring) is locked or refused access"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("hint: unlock the keyring"));
    assert_eq!(
        sandbox.emulator.count("authorize"),
        0,
        "no browser was opened"
    );
    assert!(!sandbox.config_path().exists(), "nothing was written");
}

/// A session bus address where nothing listens.
fn no_bus(sandbox: &Sandbox) -> String {
    format!(
        "unix:path={}",
        sandbox.home.path().join("no-bus-here").display()
    )
}

#[test]
fn keychain_storage_is_refused_at_once_without_a_secret_service() {
    let sandbox = Sandbox::new();
    let outcome: Outcome = sandbox
        .cmd()
        .env("DBUS_SESSION_BUS_ADDRESS", no_bus(&sandbox))
        .args(["login", "--profile", "work", "--callback-port", "0"])
        .args(["--region", "cn-hangzhou", "--storage", "keychain"])
        .output()
        .unwrap()
        .into();
    let outcome = outcome.code(1);
    assert!(
        outcome
            .stderr
            .starts_with("error: cannot keep the session in the keychain; nothing was written"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("cannot reach the Secret Service"));
    assert!(outcome.stderr.contains("gnome-keyring-daemon --start"));
    assert!(outcome.stderr.contains("`--storage file`"));
    assert_eq!(
        sandbox.emulator.count("authorize"),
        0,
        "no browser was opened"
    );
    assert!(!sandbox.config_path().exists(), "nothing was written");
}

#[test]
fn a_keychain_that_never_answers_is_given_up_after_3_seconds() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let before = std::fs::read(sandbox.config_path()).unwrap();
    let bus = SilentBus::start();
    let child = sandbox
        .cmd()
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .args(["configure", "set", "--storage", "keychain"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let outcome = finish_within(child, 20).code(1);
    assert!(
        outcome.stderr.contains("did not answer within 3 s"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("`--storage file`"),
        "{}",
        outcome.stderr
    );
    assert!(bus.connections() >= 1);
    assert_eq!(std::fs::read(sandbox.config_path()).unwrap(), before);
}

#[test]
fn file_profiles_never_connect_to_the_keychain() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let bus = SilentBus::start();
    let run = |args: &[&str]| -> Outcome {
        let mut command = sandbox.cmd();
        command
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .args(args);
        command.output().unwrap().into()
    };
    run(&["export-credentials"]).success();
    run(&["prompt"]).success();
    run(&["configure", "list"]).success();
    run(&["session", "validate", "--local"]).success();
    run(&["sts", "GetCallerIdentity"]).success();
    run(&["session", "refresh"]).success();
    assert_eq!(bus.connections(), 0, "no D-Bus connection was opened");
}

/// An `External` profile someone else wrote that runs alicli for another profile stays an
/// External profile: only alicli's own command for the profile itself marks keychain storage.
#[test]
fn a_hand_written_external_profile_is_not_taken_for_a_keychain_one() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": "lent", "mode": "External",
        "process_command": format!("{ALICLI} export-credentials --profile work --format external"),
    }));
    sandbox.write_config(&config);
    let listed = json_of(
        &sandbox
            .run(&["configure", "list", "--output", "json"])
            .success(),
    );
    assert_eq!(listed["profiles"][1]["mode"], "External");
    assert_eq!(listed["profiles"][1]["storage"], Value::Null);
    let exported = json_of(
        &sandbox
            .run(&[
                "export-credentials",
                "--profile",
                "lent",
                "--format",
                "json",
            ])
            .success(),
    );
    assert_eq!(
        exported["access_key_id"],
        sandbox.profile("work")["access_key_id"]
    );
}
