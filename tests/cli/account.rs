//! Signing a profile in again: a different account is never swapped in silently.

use serde_json::json;

use crate::support::Sandbox;

fn sign_in_again(sandbox: &Sandbox, extra: &[&str]) -> crate::support::Outcome {
    let mut args = vec![
        "configure",
        "--profile",
        "work",
        "--mode",
        "OAuth",
        "--callback-port",
        "0",
    ];
    args.extend(extra);
    sandbox.run(&args)
}

#[test]
fn the_same_account_signs_in_again_without_a_question() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    assert_eq!(
        sandbox.profile("work")["alicli_account_id"],
        "1234567890123456"
    );
    sign_in_again(&sandbox, &[]).success();
}

#[test]
fn another_account_without_a_terminal_is_refused_unless_forced() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let before = sandbox.profile("work");
    sandbox
        .emulator
        .set(json!({"account_id": "9999999999999999"}));

    let refused = sign_in_again(&sandbox, &[]).code(1);
    assert!(
        refused.stderr.contains(
            "profile `work` was signed in to account 1234567890123456, but this sign-in is to \
             account 9999999999999999; nothing was written"
        ),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(sandbox.profile("work"), before, "the profile is untouched");

    sign_in_again(&sandbox, &["--force"]).success();
    let after = sandbox.profile("work");
    assert_eq!(after["alicli_account_id"], "9999999999999999");
    assert_ne!(after["oauth_refresh_token"], before["oauth_refresh_token"]);
}

#[test]
fn without_the_recorded_key_the_old_credentials_tell_the_account() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // An SDK that rewrote the profile dropped alicli's key; the STS credentials are still valid.
    let mut config = sandbox.config();
    config["profiles"][0]
        .as_object_mut()
        .unwrap()
        .remove("alicli_account_id");
    sandbox.write_config(&config);
    sandbox
        .emulator
        .set(json!({"account_id": "9999999999999999"}));
    let refused = sign_in_again(&sandbox, &[]).code(1);
    assert!(
        refused.stderr.contains("account 1234567890123456"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_sign_in_without_a_refresh_token_replaces_the_whole_session() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let before = sandbox.profile("work");
    sandbox.emulator.set(
        json!({"account_id": "9999999999999999", "no_refresh_token": true, "access_token_lifetime": 1800}),
    );
    sign_in_again(&sandbox, &["--force"]).success();
    let after = sandbox.profile("work");
    assert_eq!(
        after["oauth_refresh_token"], "",
        "nothing of the old session is left"
    );
    assert_eq!(after["oauth_refresh_token_expire"], 0);
    assert_ne!(after["oauth_access_token"], before["oauth_access_token"]);
    assert_ne!(after["access_key_id"], before["access_key_id"]);
    assert_eq!(after["alicli_account_id"], "9999999999999999");

    // Within 20 minutes of its expiry the access token is still exchanged: no early sign-in.
    let soon = crate::support::now() + 600;
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": soon}),
    );
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("token_refresh"), 0);
    // Once it has expired, only a sign-in helps.
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 1}),
    );
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(4);
    assert!(
        outcome.stderr.contains("there is no refresh token")
            && outcome.stderr.contains("alicli login --profile work"),
        "{}",
        outcome.stderr
    );
}
