//! Alibaba's own Python SDK and alicli share one profile file: each reads what the other wrote.
//! Needs `ALICLI_TEST_PYTHON` (a Python with alibabacloud-credentials and alibabacloud-sts20150401);
//! the tests are reported ignored without it, unless `ALICLI_REQUIRE_PYTHON_SDK=1`.

use std::path::PathBuf;
use std::process::Command;

use serde_json::{Value, json};

use crate::support::{ALICLI, Outcome, Sandbox, now, quote};

pub const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/sdk_caller_identity.py"
);

/// The Python with the SDK. Without `ALICLI_TEST_PYTHON` these tests are ignored (see build.rs),
/// unless `ALICLI_REQUIRE_PYTHON_SDK=1` makes them run and fail here.
pub fn python() -> PathBuf {
    let path = std::env::var_os("ALICLI_TEST_PYTHON")
        .filter(|v| !v.is_empty())
        .expect("set ALICLI_TEST_PYTHON to a Python with Alibaba's SDK to run the SDK tests");
    PathBuf::from(path)
}

/// Runs the SDK's GetCallerIdentity with the sandbox's HOME; `renew` lets it renew OAuth itself.
/// An alicli that the SDK starts (an External profile's command) finds the emulator.
pub fn sdk_call(python: &PathBuf, sandbox: &Sandbox, renew: bool) -> Outcome {
    let mut command = sandbox.clean(python);
    command
        .arg(SCRIPT)
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env("ALICLI_SIGNIN_URL", &sandbox.emulator.url)
        .env("ALICLI_OAUTH_URL", &sandbox.emulator.url)
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
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_reads_a_profile_alicli_wrote_and_calls_sts() {
    let python = python();
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
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn alicli_keeps_working_after_the_sdk_renews_and_writes_back() {
    let python = python();
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

const LONG_JOB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/sdk_long_job.py");

/// An alicli command whose child is the SDK script: the environment the SDK needs passes through.
pub fn alicli_running_sdk(
    python: &PathBuf,
    sandbox: &Sandbox,
    args: &[&str],
    script: &str,
) -> Command {
    let mut command = sandbox.cmd();
    command
        .args(args)
        .arg("--")
        .arg(python)
        .arg(script)
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env(
            "STS_ENDPOINT",
            sandbox.emulator.url.trim_start_matches("http://"),
        );
    command
}

pub fn provider(outcome: &Outcome) -> &str {
    outcome
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("provider: "))
        .unwrap_or_else(|| panic!("no provider line: {}", outcome.stderr))
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_uses_the_environment_of_alicli_exec() {
    let python = python();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome: Outcome =
        alicli_running_sdk(&python, &sandbox, &["exec", "--profile", "work"], SCRIPT)
            .output()
            .unwrap()
            .into();
    let outcome = outcome.success();
    let body: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(body["Arn"], "acs:ram::1234567890123456:user/alice");
    assert_eq!(provider(&outcome), "default/env");
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}

pub fn add_external(sandbox: &Sandbox, name: &str, target: &str) {
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": name, "mode": "External",
        "process_command": format!("{} export-credentials --profile {target} --format external", quote(ALICLI)),
    }));
    config["current"] = json!(name);
    sandbox.write_config(&config);
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_runs_an_external_profile_that_calls_alicli() {
    let python = python();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    add_external(&sandbox, "ext", "work");
    let outcome = sdk_call(&python, &sandbox, false).success();
    let body: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(body["Arn"], "acs:ram::1234567890123456:user/alice");
    assert_eq!(provider(&outcome), "default/cli_profile/external");
    // The SDK caches what the command printed in the External profile; alicli keeps it intact.
    let ext = sandbox.profile("ext");
    assert_eq!(
        ext["access_key_id"],
        sandbox.profile("work")["access_key_id"]
    );
    assert_eq!(
        sandbox.emulator.count("exchange"),
        1,
        "alicli used its stored credentials"
    );
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_reports_the_recursion_guard_of_a_self_referencing_external_profile() {
    let python = python();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    add_external(&sandbox, "loop", "loop");
    let outcome = sdk_call(&python, &sandbox, false).code(1);
    assert!(
        outcome.stderr.contains("alicli is already nested 4 deep"),
        "{}",
        outcome.stderr
    );
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_fetches_from_the_endpoint_of_alicli_exec_server() {
    let python = python();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome: Outcome = alicli_running_sdk(&python, &sandbox, &["exec", "--server"], SCRIPT)
        .output()
        .unwrap()
        .into();
    let outcome = outcome.success();
    let body: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(body["Arn"], "acs:ram::1234567890123456:user/alice");
    assert_eq!(provider(&outcome), "default/credential_uri");
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn a_job_longer_than_the_sts_lifetime_keeps_working_under_exec_server() {
    let python = python();
    let sandbox = Sandbox::with_settings(json!({"sts_lifetime": 5}));
    sandbox.sign_in("work");
    let outcome: Outcome = alicli_running_sdk(&python, &sandbox, &["exec", "--server"], LONG_JOB)
        .env("DURATION", "20")
        .env("INTERVAL", "1")
        .output()
        .unwrap()
        .into();
    let outcome = outcome.success();
    let result: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert!(result["calls"].as_u64().unwrap() >= 15, "{result}");
    assert!(
        result["keys"].as_u64().unwrap() >= 4,
        "the credentials were renewed along the way: {result}"
    );
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
    assert!(sandbox.emulator.count("exchange") >= 5);
}
