//! `alicli sts GetCallerIdentity`: signing, renewal before the call, and the other profile modes.

use serde_json::{Value, json};

use crate::support::tls::CorporateNetwork;
use crate::support::{Outcome, Sandbox, now};

fn identity(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {stdout}"))
}

#[test]
fn get_caller_identity_works_with_both_signature_versions() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    for (version, counter) in [("v3", "sts_v3"), ("v1", "sts_v1")] {
        let before = sandbox.emulator.count(counter);
        let outcome = sandbox
            .run(&[
                "sts",
                "GetCallerIdentity",
                "--profile",
                "work",
                "--signature-version",
                version,
            ])
            .success();
        let body = identity(&outcome.stdout);
        assert_eq!(body["Arn"], "acs:ram::1234567890123456:user/alice");
        assert_eq!(body["AccountId"], "1234567890123456");
        assert_eq!(
            sandbox.emulator.count(counter),
            before + 1,
            "{version} was used and verified"
        );
        // Keys come out in the order the API sent them.
        assert!(outcome.stdout.find("IdentityType").unwrap() < outcome.stdout.find("Arn").unwrap());
    }
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
    assert_eq!(
        sandbox.emulator.count("exchange"),
        1,
        "valid credentials are not renewed"
    );
}

#[test]
fn expired_sts_credentials_are_renewed_without_a_token_refresh() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let old_key = sandbox.profile("work")["access_key_id"].clone();
    sandbox.edit_profile("work", json!({"sts_expiration": now() - 10}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    let profile = sandbox.profile("work");
    assert_ne!(profile["access_key_id"], old_key);
    assert!(profile["sts_expiration"].as_i64().unwrap() > now() + 3000);
    assert_eq!(sandbox.emulator.count("exchange"), 2);
    assert_eq!(sandbox.emulator.count("token_refresh"), 0);
}

#[test]
fn credentials_within_five_minutes_of_expiry_are_renewed() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile("work", json!({"sts_expiration": now() + 200}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("exchange"), 2);
}

#[test]
fn an_access_token_near_expiry_is_refreshed_first_and_the_rotated_token_saved() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let before = sandbox.profile("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": now() - 10, "oauth_access_token_expire": now() + 600}),
    );
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    let after = sandbox.profile("work");
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
    assert_eq!(sandbox.emulator.count("exchange"), 2);
    assert_ne!(
        after["oauth_refresh_token"], before["oauth_refresh_token"],
        "the rotated token is kept"
    );
    assert_ne!(after["oauth_access_token"], before["oauth_access_token"]);
    assert!(after["oauth_access_token_expire"].as_i64().unwrap() > now() + 3000);
    // The old refresh token is now retired: presenting it would revoke the grant. Using the file
    // again must therefore work without any refresh.
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
}

#[test]
fn a_refresh_response_without_a_refresh_token_keeps_the_old_one() {
    let sandbox =
        Sandbox::with_settings(json!({"omit_refresh_token": true, "rotate_refresh_tokens": false}));
    sandbox.sign_in("work");
    let refresh_token = sandbox.profile("work")["oauth_refresh_token"].clone();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
    assert_eq!(
        sandbox.profile("work")["oauth_refresh_token"],
        refresh_token
    );
}

#[test]
fn a_refused_refresh_asks_for_a_new_sign_in_with_exit_code_4() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let before = sandbox.profile("work");
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(4);
    assert!(
        outcome.stderr.contains("invalid_grant"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("The grant was revoked."),
        "the server's description is kept: {}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("alicli login --profile work"),
        "{}",
        outcome.stderr
    );
    assert_eq!(outcome.stdout, "");
    // The refusal is recorded: the refused tokens are gone, so every view agrees that a sign-in
    // is needed; everything else, the STS credentials already issued included, is kept.
    let after = sandbox.profile("work");
    for key in ["oauth_refresh_token", "oauth_access_token"] {
        assert_eq!(after[key], "", "{key}");
    }
    for (key, value) in before.as_object().unwrap() {
        if !key.starts_with("oauth_") {
            assert_eq!(&after[key], value, "{key}");
        }
    }
    sandbox.run(&["session", "validate", "--local"]).code(4);
    let listed = sandbox
        .run(&["configure", "list", "--output", "json"])
        .success();
    assert!(
        listed.stdout.contains("\"validity\": \"expired\""),
        "{}",
        listed.stdout
    );
    assert_eq!(sandbox.run(&["prompt"]).success().stdout, "work expired\n");
    let doctor = sandbox.run(&["doctor"]);
    assert!(
        doctor.stdout.contains("✗ profile expiry"),
        "{}",
        doctor.stdout
    );
}

#[test]
fn an_expired_access_token_without_a_refresh_token_asks_for_a_new_sign_in() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0, "oauth_refresh_token": ""}),
    );
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "work"])
        .code(4);
    assert!(
        outcome.stderr.contains("no refresh token"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("alicli login --profile work"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn ak_and_sts_token_profiles_work_too() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let oauth = sandbox.profile("work");
    let mut config = sandbox.config();
    let profiles = config["profiles"].as_array_mut().unwrap();
    profiles.push(json!({"name": "ak", "mode": "AK", "access_key_id": sandbox.emulator.key_id, "access_key_secret": sandbox.emulator.key_secret, "region_id": "cn-hangzhou"}));
    profiles.push(json!({"name": "sts", "mode": "StsToken", "access_key_id": oauth["access_key_id"], "access_key_secret": oauth["access_key_secret"], "sts_token": oauth["sts_token"], "region_id": "cn-hangzhou"}));
    sandbox.write_config(&config);
    for name in ["ak", "sts"] {
        for version in ["v3", "v1"] {
            let outcome = sandbox
                .run(&[
                    "sts",
                    "GetCallerIdentity",
                    "--profile",
                    name,
                    "--signature-version",
                    version,
                ])
                .success();
            assert_eq!(identity(&outcome.stdout)["AccountId"], "1234567890123456");
        }
    }
}

#[test]
fn service_errors_show_code_message_and_request_id() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let oauth = sandbox.profile("work");
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": "bad", "mode": "StsToken", "access_key_id": oauth["access_key_id"],
        "access_key_secret": oauth["access_key_secret"], "sts_token": "not-the-token"
    }));
    sandbox.write_config(&config);
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "bad"])
        .code(1);
    assert!(
        outcome
            .stderr
            .contains("InvalidSecurityToken.MismatchWithAccessKey"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("Specified SecurityToken mismatch"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("RequestId "), "{}", outcome.stderr);
    assert_eq!(outcome.stdout, "");
}

#[test]
fn endpoint_flag_wins_and_plain_http_is_refused_off_loopback() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome = sandbox
        .cmd()
        .args([
            "sts",
            "GetCallerIdentity",
            "--endpoint",
            &sandbox.emulator.url,
        ])
        .env("ALIBABA_CLOUD_STS_ENDPOINT", "http://192.0.2.1:1")
        .output()
        .unwrap();
    assert_eq!(
        outcome.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    let outcome = sandbox
        .run(&[
            "sts",
            "GetCallerIdentity",
            "--endpoint",
            "http://sts.example.com",
        ])
        .code(1);
    assert!(
        outcome.stderr.contains("refusing plain HTTP"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_missing_profile_says_how_to_create_it() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // Signing in is what is needed: exit 4, like an expired session.
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "nope"])
        .code(4);
    assert!(
        outcome.stderr.contains("profile `nope` is not in"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("hint: sign in with `alicli login --profile nope`"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn the_profile_comes_from_the_environment_before_current() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("one");
    sandbox.sign_in("two");
    assert_eq!(sandbox.config()["current"], "two");
    sandbox.edit_profile("one", json!({"sts_expiration": 0}));
    let outcome = sandbox
        .cmd()
        .args(["sts", "GetCallerIdentity"])
        .env("ALIBABA_CLOUD_PROFILE", "one")
        .output()
        .unwrap();
    assert_eq!(outcome.status.code(), Some(0));
    assert_eq!(
        sandbox.emulator.count("exchange"),
        3,
        "profile `one` was the one renewed"
    );
}

#[test]
fn the_profiles_sts_region_picks_the_endpoint_as_the_official_cli_does() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let emulator = sandbox.emulator.url.strip_prefix("http://").unwrap();
    let net = CorporateNetwork::start(emulator, sandbox.home.path());
    // Without ALIBABA_CLOUD_STS_ENDPOINT the call goes to Alibaba's host, through the proxy,
    // which records the tunnel asked for and refuses it: no request leaves the machine.
    let tunnel = |patch: Value| -> String {
        sandbox.edit_profile("work", patch);
        let before = net.tunnels().len();
        let outcome: Outcome = sandbox
            .cmd()
            .args(["sts", "GetCallerIdentity", "--profile", "work"])
            .env_remove("ALIBABA_CLOUD_STS_ENDPOINT")
            .env("HTTPS_PROXY", &net.proxy_url)
            .output()
            .unwrap()
            .into();
        outcome.code(1);
        // The refused tunnel is a connection failure, which alicli retries: one host throughout.
        let mut asked = net.tunnels().split_off(before);
        asked.dedup();
        asked.join(" ")
    };
    assert_eq!(
        tunnel(json!({"sts_region": "cn-shanghai"})),
        "CONNECT sts.cn-shanghai.aliyuncs.com:443"
    );
    // (Each refused tunnel costs alicli's retries, a few seconds: the order of --region,
    // sts_endpoint and sts_region is left to endpoints.rs's unit tests.)
    // A region is only ever a region: it cannot name another host.
    sandbox.edit_profile("work", json!({"sts_region": "evil.example/x#"}));
    let outcome = sandbox
        .cmd()
        .args(["sts", "GetCallerIdentity", "--profile", "work"])
        .env_remove("ALIBABA_CLOUD_STS_ENDPOINT")
        .env("HTTPS_PROXY", &net.proxy_url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    assert!(stderr.contains("is not a region id"), "{stderr}");
}
