//! Real tools under `alicli exec`: oss2's environment provider, and Alibaba's Python SDK signing as
//! the profile given to `exec` rather than the file's current one. Needs `ALICLI_TEST_PYTHON` with
//! the SDK and oss2 (`pip install oss2`); the tests are reported ignored without them (build.rs),
//! unless `ALICLI_REQUIRE_PYTHON_SDK=1`.

use serde_json::{Value, json};

use crate::python_sdk::{SCRIPT, alicli_running_sdk, provider, python, sdk_call};
use crate::support::{Outcome, Sandbox};

const OSS2_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/oss2_env.py");

fn json_of(outcome: &Outcome) -> Value {
    serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {outcome:?}"))
}

#[test]
#[cfg_attr(alicli_test_no_oss2, ignore = "needs ALICLI_TEST_PYTHON with oss2")]
fn oss2_reads_the_credentials_of_alicli_exec() {
    let python = python();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let profile = sandbox.profile("work");
    let run = |args: &[&str]| -> Outcome {
        alicli_running_sdk(&python, &sandbox, args, OSS2_SCRIPT)
            .output()
            .unwrap()
            .into()
    };
    let outcome = run(&["exec", "--profile", "work"]).success();
    let result = json_of(&outcome);
    assert_eq!(result["access_key_id"], profile["access_key_id"]);
    assert_eq!(result["arn"], "acs:ram::1234567890123456:user/alice");
    let token = profile["sts_token"].as_str().unwrap();
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    let signed_url = result["signed_url"].as_str().unwrap();
    assert!(
        signed_url.contains(&format!("x-oss-security-token={encoded}")),
        "the session token signs the URL: {signed_url}"
    );

    // Without the OSS family oss2 finds nothing, as before this family existed.
    let outcome = run(&["exec", "--profile", "work", "--families", "alibaba"]).code(1);
    assert!(
        outcome.stderr.contains("Access key id should not be null"),
        "{}",
        outcome.stderr
    );
}

/// `work` signed in as alice and `other` as bob, which is the file's current profile.
fn alice_and_current_bob() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.emulator.set(json!({"user_name": "bob"}));
    sandbox.sign_in("other");
    assert_eq!(sandbox.config()["current"], "other");
    sandbox
}

fn arn(outcome: Outcome) -> (String, String) {
    let outcome = outcome.success();
    let body = json_of(&outcome);
    (
        body["Arn"].as_str().unwrap().to_owned(),
        provider(&outcome).to_owned(),
    )
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_signs_as_the_exec_profile_not_the_current_one() {
    let python = python();
    let sandbox = alice_and_current_bob();
    let alice = "acs:ram::1234567890123456:user/alice".to_owned();
    let run = |args: &[&str]| -> (String, String) {
        arn(alicli_running_sdk(&python, &sandbox, args, SCRIPT)
            .output()
            .unwrap()
            .into())
    };
    // The environment's keys come first in the SDK's chain.
    assert_eq!(
        run(&["exec", "--profile", "work"]),
        (alice.clone(), "default/env".to_owned())
    );
    // Without them the SDK reads the profile file, and ALIBABA_CLOUD_PROFILE names `work`.
    assert_eq!(
        run(&["exec", "--profile", "work", "--families", "oss"]),
        (alice.clone(), "default/cli_profile/oauth".to_owned())
    );
    // The control: outside exec the same SDK signs as the current profile.
    assert_eq!(
        arn(sdk_call(&python, &sandbox, false)).0,
        "acs:ram::1234567890123456:user/bob"
    );
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}
