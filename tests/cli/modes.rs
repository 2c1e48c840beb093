//! `configure set` for the other credential modes: role, OIDC, ECS and External profiles are made
//! with the official CLI's flags, saved only when complete, and a change of mode never leaves the
//! old mode's credentials behind (nor removes a stored AccessKey).

use serde_json::{Value, json};

use crate::roles::chain_role;
use crate::support::Sandbox;

fn set(sandbox: &Sandbox, args: &[&str]) -> crate::support::Outcome {
    let mut all = vec!["configure", "set"];
    all.extend_from_slice(args);
    sandbox.run(&all)
}

/// Every flag of a chained role, as `configure set --help` lists them.
const PROD: [&str; 18] = [
    "--profile",
    "prod",
    "--mode",
    "ChainableRamRoleArn",
    "--source-profile",
    "work",
    "--ram-role-arn",
    "acs:ram::123:role/admin",
    "--role-session-name",
    "me",
    "--external-id",
    "abc",
    "--expired-seconds",
    "1800",
    "--sts-region",
    "cn-shanghai",
    "--language",
    "en",
];

#[test]
fn a_chained_role_is_made_with_the_official_flags() {
    let sandbox = Sandbox::new();
    // The source must exist first: nothing is written.
    set(&sandbox, &PROD).code(2).says("`work`");
    assert!(!sandbox.config_path().exists());

    sandbox.sign_in("work");
    let outcome = set(&sandbox, &PROD).success();
    outcome.says("Created ChainableRamRoleArn profile `prod`");
    assert_eq!(
        sandbox.profile("prod"),
        json!({"name": "prod", "language": "en", "output_format": "json",
               "mode": "ChainableRamRoleArn", "source_profile": "work",
               "ram_role_arn": "acs:ram::123:role/admin", "ram_session_name": "me",
               "external_id": "abc", "expired_seconds": 1800, "sts_region": "cn-shanghai",
               "region_id": "cn-hangzhou"}),
        "a new role takes its source's region"
    );
    // An empty value removes a field.
    set(&sandbox, &["--profile", "prod", "--external-id", ""]).success();
    assert!(sandbox.profile("prod").get("external_id").is_none());
}

#[test]
fn cycles_and_incomplete_profiles_are_refused_with_nothing_written() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let role =
        |name: &str, source: &str| chain_role(&sandbox, name, source, "acs:ram::123:role/admin");
    role("a", "work").success();
    role("b", "a").success();
    let before = sandbox.config();
    let outcome = set(&sandbox, &["--profile", "a", "--source-profile", "b"]).code(2);
    outcome.says("cycle: a -> b -> a");
    let outcome = role("self", "self").code(2);
    outcome.says("self -> self");
    let outcome = set(
        &sandbox,
        &[
            "--profile",
            "c",
            "--mode",
            "ChainableRamRoleArn",
            "--source-profile",
            "work",
        ],
    )
    .code(2);
    outcome.says("--ram-role-arn");
    let outcome = set(
        &sandbox,
        &[
            "--profile",
            "d",
            "--mode",
            "OIDC",
            "--ram-role-arn",
            "acs:ram::1:role/x",
        ],
    )
    .code(2);
    outcome.says("--oidc-provider-arn");
    let outcome = set(&sandbox, &["--profile", "a", "--ram-role-arn", "admin"]).code(2);
    outcome.says("acs:ram::");
    let outcome = set(&sandbox, &["--profile", "a", "--expired-seconds", "60"]).code(2);
    outcome.says("900");
    let outcome = set(
        &sandbox,
        &["--profile", "a", "--role-session-name", "has space"],
    )
    .code(2);
    outcome.says("session name");
    let outcome = set(&sandbox, &["--profile", "work", "--source-profile", "a"]).code(2);
    outcome.says("ChainableRamRoleArn profiles only");
    assert_eq!(sandbox.config(), before, "no refusal wrote anything");
}

#[test]
fn modes_alicli_does_not_store_say_where_to_go() {
    let sandbox = Sandbox::new();
    let outcome = set(&sandbox, &["--profile", "sso", "--mode", "CloudSSO"]).code(2);
    outcome.says("aliyun configure --profile NAME --mode CloudSSO");
    let outcome = set(&sandbox, &["--profile", "k", "--mode", "AK"]).code(2);
    outcome.says("never stores an AccessKey");
    let outcome = set(
        &sandbox,
        &[
            "--profile",
            "r",
            "--mode",
            "RamRoleArn",
            "--ram-role-arn",
            "acs:ram::1:role/x",
        ],
    )
    .code(2);
    outcome.says("ChainableRamRoleArn");
    assert!(!sandbox.config_path().exists());
}

#[test]
fn a_mode_change_drops_the_old_credentials_but_never_a_stored_key() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.sign_in("other");
    let outcome = set(
        &sandbox,
        &[
            "--profile",
            "work",
            "--mode",
            "ChainableRamRoleArn",
            "--source-profile",
            "other",
            "--ram-role-arn",
            "acs:ram::1:role/x",
        ],
    )
    .success();
    outcome.says("sign-in was removed");
    let work = sandbox.profile("work");
    for key in [
        "oauth_access_token",
        "oauth_refresh_token",
        "access_key_id",
        "access_key_secret",
        "sts_token",
        "sts_expiration",
    ] {
        assert!(work.get(key).is_none(), "{key} left in {work}");
    }
    assert_eq!(work["region_id"], "cn-hangzhou", "other fields stay");

    // An AccessKey profile written by the official CLI keeps its key: the change is refused.
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": "ak", "mode": "AK", "access_key_id": "LTAIkey", "access_key_secret": "secret"}));
    sandbox.write_config(&config);
    let outcome = set(&sandbox, &["--profile", "ak", "--mode", "EcsRamRole"]).code(2);
    outcome.says("holds an AccessKey");
    // To RamRoleArn the key stays, as the role's source.
    set(
        &sandbox,
        &[
            "--profile",
            "ak",
            "--mode",
            "RamRoleArn",
            "--ram-role-arn",
            "acs:ram::1:role/x",
        ],
    )
    .success();
    let ak = sandbox.profile("ak");
    assert_eq!(ak["access_key_secret"], "secret");
    assert_eq!(ak["mode"], "RamRoleArn");
}

#[test]
fn oidc_ecs_and_external_profiles() {
    let sandbox = Sandbox::new();
    set(
        &sandbox,
        &[
            "--profile",
            "ci",
            "--mode",
            "OIDC",
            "--ram-role-arn",
            "acs:ram::1:role/deploy",
            "--oidc-provider-arn",
            "acs:ram::1:oidc-provider/gh",
            "--oidc-token-file",
            "token.jwt",
        ],
    )
    .success();
    let ci = sandbox.profile("ci");
    let file = ci["oidc_token_file"].as_str().unwrap();
    assert!(
        std::path::Path::new(file).is_absolute() && file.ends_with("token.jwt"),
        "stored absolute: {file}"
    );
    set(
        &sandbox,
        &[
            "--profile",
            "ecs",
            "--mode",
            "EcsRamRole",
            "--ram-role-name",
            "web",
        ],
    )
    .success();
    assert_eq!(sandbox.profile("ecs")["ram_role_name"], "web");
    set(
        &sandbox,
        &[
            "--profile",
            "ext",
            "--mode",
            "External",
            "--process-command",
            "/bin/echo {}",
        ],
    )
    .success();
    assert_eq!(sandbox.profile("ext")["process_command"], "/bin/echo {}");
    assert!(sandbox.profile("ext").get("oauth_site_type").is_none());
    assert_eq!(sandbox.config()["current"], Value::from("ci"));
}
