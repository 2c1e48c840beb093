//! Alibaba's own Python SDK and alicli share one profile file: each reads what the other wrote.
//! Needs `ALICLI_TEST_PYTHON` (a Python with alibabacloud-credentials and alibabacloud-sts20150401);
//! skips without it unless `ALICLI_REQUIRE_PYTHON_SDK=1`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{Outcome, Sandbox, now};

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/sdk_caller_identity.py"
);

fn python() -> Option<PathBuf> {
    match std::env::var_os("ALICLI_TEST_PYTHON") {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            assert!(
                std::env::var("ALICLI_REQUIRE_PYTHON_SDK").as_deref() != Ok("1"),
                "ALICLI_REQUIRE_PYTHON_SDK=1 but ALICLI_TEST_PYTHON is not set"
            );
            eprintln!(
                "skipping: set ALICLI_TEST_PYTHON to a Python with Alibaba's SDK to run the SDK tests"
            );
            None
        }
    }
}

/// Runs the SDK's GetCallerIdentity with the sandbox's HOME; `renew` lets it renew OAuth itself.
fn sdk_call(python: &PathBuf, sandbox: &Sandbox, renew: bool) -> Outcome {
    let mut command = Command::new(python);
    command
        .arg(SCRIPT)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home.path())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env(
            "STS_ENDPOINT",
            sandbox.emulator.url.trim_start_matches("http://"),
        );
    if renew {
        command.env("OAUTH_BASE", &sandbox.emulator.url);
    }
    command.output().expect("run python").into()
}

#[test]
fn the_sdk_reads_a_profile_alicli_wrote_and_calls_sts() {
    let Some(python) = python() else { return };
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome = sdk_call(&python, &sandbox, false).success();
    let body: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(body["Arn"], "acs:ram::1234567890123456:user/alice");
    assert_eq!(
        sandbox.emulator.count("sts_ok"),
        2,
        "alicli's check, then the SDK's call"
    );
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}

#[test]
fn alicli_keeps_working_after_the_sdk_renews_and_writes_back() {
    let Some(python) = python() else { return };
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut config = sandbox.config();
    config["profiles"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "other", "mode": "AK", "x_keep": [1, 2]}));
    sandbox.write_config(&config);
    let signed_in = sandbox.profile("work");
    // Expired STS and an access token inside the SDK's 20-minute window: it refreshes and exchanges.
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": now() - 10, "oauth_access_token_expire": now() + 600}),
    );
    sdk_call(&python, &sandbox, true).success();
    assert_eq!(
        sandbox.emulator.count("token_refresh"),
        1,
        "the SDK refreshed"
    );
    let renewed = sandbox.profile("work");
    assert_ne!(
        renewed["oauth_refresh_token"], signed_in["oauth_refresh_token"],
        "the SDK saved the rotated token"
    );
    assert_eq!(sandbox.profile("other")["x_keep"], json!([1, 2]));

    // alicli uses what the SDK wrote, and can renew from it (the old refresh token would now be
    // reuse, which the emulator punishes by revoking the grant).
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(
        sandbox.emulator.count("exchange"),
        2,
        "the SDK's credentials are used as they are"
    );
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("token_refresh"), 2);
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}
