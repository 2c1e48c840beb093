//! Alibaba's Python SDK signing with role credentials that alicli assumed: in the environment of
//! `alicli exec`, from the endpoint of `exec --server`, and through an `External` profile whose
//! command is alicli. Reported ignored without `ALICLI_TEST_PYTHON`, unless
//! `ALICLI_REQUIRE_PYTHON_SDK=1` (see build.rs).

use serde_json::Value;

use crate::python_sdk::{SCRIPT, add_external, alicli_running_sdk, provider, python, sdk_call};
use crate::roles::signed_in_role;
use crate::support::Outcome;

const ROLE_ARN: &str = "acs:ram::2222222222222222:assumed-role/admin/me";

fn arn(outcome: &Outcome) -> String {
    let body: Value = serde_json::from_str(&outcome.stdout).unwrap();
    body["Arn"].as_str().unwrap_or_default().to_owned()
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_signs_with_the_role_from_exec_and_exec_server() {
    let python = python();
    let sandbox = signed_in_role();
    let outcome: Outcome = alicli_running_sdk(&python, &sandbox, &["exec", "-p", "prod"], SCRIPT)
        .output()
        .unwrap()
        .into();
    let outcome = outcome.success();
    assert_eq!(arn(&outcome), ROLE_ARN);
    assert_eq!(provider(&outcome), "default/env");

    let outcome: Outcome = alicli_running_sdk(
        &python,
        &sandbox,
        &["exec", "--server", "-p", "prod"],
        SCRIPT,
    )
    .output()
    .unwrap()
    .into();
    let outcome = outcome.success();
    assert_eq!(arn(&outcome), ROLE_ARN);
    assert_eq!(provider(&outcome), "default/credential_uri");
    assert_eq!(
        sandbox.emulator.count("assume_role"),
        1,
        "kept between the two"
    );
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}

#[test]
#[cfg_attr(alicli_test_no_python_sdk, ignore = "needs ALICLI_TEST_PYTHON")]
fn the_sdk_signs_with_the_role_through_an_external_profile() {
    let python = python();
    let sandbox = signed_in_role();
    // The SDK runs alicli without the test's variables: the profile names the emulator itself.
    sandbox
        .set("prod", &["--sts-endpoint", &sandbox.emulator.url])
        .success();
    add_external(&sandbox, "prod-ext", "prod");
    let outcome = sdk_call(&python, &sandbox, false).success();
    assert_eq!(arn(&outcome), ROLE_ARN);
    assert_eq!(provider(&outcome), "default/cli_profile/external");
    sdk_call(&python, &sandbox, false).success();
    assert_eq!(
        sandbox.emulator.count("assume_role"),
        1,
        "alicli kept the role's credentials"
    );
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}
