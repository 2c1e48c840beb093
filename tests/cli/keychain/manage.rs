//! Keychain profiles through the rest of their life: logout, moving between storages, a lost
//! marker, import, doctor, `configure set`, and roles chained on them.

use serde_json::json;

use super::{assert_no_secret_in_config, json_of, keychain_sandbox};
use crate::roles::{ADMIN, chain_role};
use crate::support::keychain::{Items, account, item};
use crate::support::{Outcome, Sandbox};

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

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn configure_set_keeps_a_keychain_profile_what_it_is() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    sandbox
        .set("work", &["--region", "cn-beijing", "--language", "zh"])
        .success();
    let profile = sandbox.profile("work");
    assert_eq!(
        (&profile["mode"], &profile["alicli_storage"]),
        (&json!("External"), &json!("keychain"))
    );
    assert_eq!(profile["region_id"], "cn-beijing");
    assert!(item(&sandbox, "work").is_some());
    sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "work"])
        .success();
    assert_no_secret_in_config(&sandbox);

    // Another mode would strand the session in the keychain: refused, nothing written.
    let before = sandbox.config();
    let outcome = sandbox.set("work", &["--mode", "EcsRamRole"]).code(2);
    assert!(
        outcome
            .stderr
            .contains("keeps its OAuth session in the keychain"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("--storage file"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.config(), before);
}

#[test]
#[cfg_attr(
    alicli_test_no_keychain,
    ignore = "needs a Secret Service (gnome-keyring); ALICLI_REQUIRE_KEYCHAIN=1 requires it"
)]
fn a_role_chained_on_a_keychain_profile_assumes_with_its_session() {
    let (sandbox, _items) = keychain_sandbox(json!({}));
    chain_role(&sandbox, "prod", "work", ADMIN).success();
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "prod"])
        .success();
    assert!(
        json_of(&outcome)["Arn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/admin/me"),
        "{}",
        outcome.stdout
    );
    assert_eq!(sandbox.emulator.count("assume_role"), 1);
    // The views follow the chain down to the keychain session.
    let listed = json_of(
        &sandbox
            .run(&["configure", "list", "--output", "json"])
            .success(),
    );
    let prod = &listed["profiles"][1];
    assert_eq!(
        (&prod["name"], &prod["validity"]),
        (&json!("prod"), &json!("until"))
    );
    let prompt = sandbox.run(&["prompt", "--profile", "prod"]).success();
    let left = prompt.stdout.strip_prefix("prod ").unwrap_or_default();
    assert!(
        left.starts_with(|c: char| c.is_ascii_digit()),
        "{}",
        prompt.stdout
    );
    let status = json_of(
        &sandbox
            .run(&[
                "session",
                "validate",
                "--local",
                "--json",
                "--profile",
                "prod",
            ])
            .success(),
    );
    assert_eq!(status["status"], "valid", "{status}");
}
