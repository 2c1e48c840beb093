//! No secret ever reaches output: not on stdout, not on stderr, not in error messages.

use serde_json::json;

use crate::support::{Outcome, Sandbox};

fn assert_no_secret(secrets: &[String], outcome: &Outcome, what: &str) {
    assert!(!secrets.is_empty());
    for secret in secrets {
        assert!(
            !outcome.stdout.contains(secret.as_str()),
            "{what}: stdout leaks a secret"
        );
        assert!(
            !outcome.stderr.contains(secret.as_str()),
            "{what}: stderr leaks a secret: {}",
            outcome.stderr
        );
    }
}

#[test]
fn sign_in_renewal_and_failures_print_no_secret() {
    let sandbox = Sandbox::new();
    let mut outcomes = vec![("sign-in", sandbox.sign_in("work"))];
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    outcomes.push((
        "renewal",
        sandbox
            .run(&["sts", "GetCallerIdentity", "--signature-version", "v1"])
            .success(),
    ));
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    outcomes.push((
        "refused refresh",
        sandbox.run(&["sts", "GetCallerIdentity"]).code(4),
    ));
    sandbox.emulator.set(json!({"deny": true}));
    outcomes.push((
        "denied",
        sandbox.configure(&["--region", "cn-hangzhou"]).code(4),
    ));
    let secrets = sandbox.emulator.secrets();
    assert!(
        secrets.len() >= 8,
        "codes, verifier, tokens and STS secrets were recorded: {}",
        secrets.len()
    );
    for (what, outcome) in &outcomes {
        assert_no_secret(&secrets, outcome, what);
    }
}

#[test]
fn full_debug_logging_shows_every_request_but_no_secret() {
    let sandbox = Sandbox::new();
    let logged = |args: &[&str]| -> Outcome {
        sandbox
            .cmd()
            .arg("--debug")
            .args(args)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap()
            .into()
    };
    let sign_in = logged(&[
        "configure",
        "--profile",
        "work",
        "--mode",
        "OAuth",
        "--region",
        "cn-hangzhou",
        "--callback-port",
        "0",
    ])
    .success();
    let url = &sandbox.emulator.url;
    for expected in [
        format!("method=POST url={url}/v1/token status=200 elapsed_ms="),
        format!("method=POST url={url}/v1/exchange status=200"),
        format!("method=POST url={url}/ status=200"),
        "callback request method=GET path=\"/cli/callback\" status=200".to_owned(),
        "route=direct".to_owned(),
    ] {
        assert!(
            sign_in.stderr.contains(&expected),
            "missing `{expected}` in:\n{}",
            sign_in.stderr
        );
    }
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let renewal = logged(&["sts", "GetCallerIdentity", "--signature-version", "v1"]).success();
    assert!(
        renewal.stderr.contains("refreshing the access token")
            && renewal.stderr.contains("renewed the STS credentials"),
        "{}",
        renewal.stderr
    );
    let cached = logged(&["sts", "GetCallerIdentity"]).success();
    assert!(
        cached.stderr.contains("using the stored STS credentials"),
        "{}",
        cached.stderr
    );
    let doctor = logged(&["doctor"]);
    // Commands whose job is to hand out secrets print them on stdout only, never in the log.
    let exported = logged(&["export-credentials", "--format", "json", "--min-ttl", "2h"]).success();
    assert!(
        exported.stderr.contains("/v1/exchange"),
        "{}",
        exported.stderr
    );
    let refreshed = logged(&["session", "refresh"]).success();
    let archive = sandbox.home.path().join("work.age");
    let archived = sandbox
        .cmd()
        .args(["--debug", "session", "export", "--output-file"])
        .arg(&archive)
        .env("RUST_LOG", "trace")
        .env("ALICLI_SESSION_PASSPHRASE", "correct horse battery")
        .output()
        .map(Outcome::from)
        .unwrap()
        .success();
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let refused = logged(&["sts", "GetCallerIdentity"]).code(4);
    assert!(refused.stderr.contains("status=400"), "{}", refused.stderr);

    let secrets = sandbox.emulator.secrets();
    assert!(secrets.len() >= 8, "{}", secrets.len());
    for (what, outcome) in [
        ("sign-in", &sign_in),
        ("renewal", &renewal),
        ("cached call", &cached),
        ("doctor", &doctor),
        ("refused refresh", &refused),
        ("session refresh", &refreshed),
        ("session export", &archived),
    ] {
        assert_no_secret(&secrets, outcome, what);
    }
    for secret in &secrets {
        assert!(
            !exported.stderr.contains(secret.as_str()),
            "export-credentials logged a secret: {}",
            exported.stderr
        );
    }
    assert!(
        secrets.iter().any(|s| exported.stdout.contains(s.as_str())),
        "export-credentials printed the credentials on stdout"
    );
}

#[test]
fn without_debug_or_rust_log_nothing_is_logged() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.sign_in("work");
    assert!(!outcome.stderr.contains("DEBUG"), "{}", outcome.stderr);
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(outcome.stderr, "");
}

#[test]
fn role_modes_log_their_requests_but_no_secret() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    crate::roles::chain_role(&sandbox, "prod", "work", crate::roles::ADMIN).success();
    sandbox
        .run(&["configure", "set", "-p", "ecs", "--mode", "EcsRamRole"])
        .success();
    let logged = |args: &[&str]| -> Outcome {
        let metadata = ("ALICLI_ECS_METADATA_URL", sandbox.emulator.url.as_str());
        let mut all = vec!["--debug"];
        all.extend_from_slice(args);
        sandbox.run_env(&all, &[("RUST_LOG", "trace"), metadata])
    };
    let assumed = logged(&["sts", "GetCallerIdentity", "-p", "prod"]).success();
    assumed.says(&format!(
        "method=POST url={}/?Action=****",
        sandbox.emulator.url
    ));
    let ecs = logged(&["sts", "GetCallerIdentity", "-p", "ecs"]).success();
    ecs.says("latest/api/token");
    let console = logged(&["console", "-p", "prod", "--print"]).success();
    console.says("/federation");
    let secrets = sandbox.emulator.secrets();
    for (what, outcome) in [("AssumeRole", &assumed), ("metadata", &ecs)] {
        assert_no_secret(&secrets, outcome, what);
    }
    for secret in &secrets {
        assert!(
            !console.stderr.contains(secret.as_str()),
            "console logged a secret: {}",
            console.stderr
        );
    }
}
