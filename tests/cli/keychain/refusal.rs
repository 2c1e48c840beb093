//! No keychain, no fallback: a locked keyring, no Secret Service, one that never answers; and
//! the profiles that must never open the keychain at all.

use serde_json::{Value, json};

use super::json_of;
use crate::support::keychain::SilentBus;
use crate::support::{ALICLI, Outcome, Sandbox, finish_within};

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
