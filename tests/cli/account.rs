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
