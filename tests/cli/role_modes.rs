//! The other modes of the shared profile file, through every command that takes a profile:
//! RamRoleArn (an AccessKey the official CLI stored), OIDC (a CI token file), EcsRamRole (the
//! metadata service, pointed at the emulator), CloudSSO (signed in by the official CLI), and
//! the views (`configure list`, `prompt`, `session validate`, `doctor`) of role profiles.

use serde_json::{Value, json};

use crate::roles::{ADMIN, arn_of, signed_in_role};
use crate::support::{Outcome, Sandbox, http, now};

fn add_profile(sandbox: &Sandbox, profile: Value) {
    let mut config = if sandbox.config_path().exists() {
        sandbox.config()
    } else {
        json!({"current": "", "profiles": []})
    };
    config["profiles"].as_array_mut().unwrap().push(profile);
    sandbox.write_config(&config);
}

fn sts(sandbox: &Sandbox, profile: &str) -> Outcome {
    sandbox.run(&["sts", "GetCallerIdentity", "-p", profile])
}

#[test]
fn ram_role_arn_assumes_with_the_stored_key_on_every_use() {
    let sandbox = Sandbox::new();
    let (id, secret) = (
        sandbox.emulator.key_id.clone(),
        sandbox.emulator.key_secret.clone(),
    );
    add_profile(
        &sandbox,
        json!({"name": "keys", "mode": "RamRoleArn", "access_key_id": id,
               "access_key_secret": secret, "ram_role_arn": ADMIN, "ram_session_name": "ops"}),
    );
    let before = sandbox.config();
    for _ in 0..2 {
        let outcome = sts(&sandbox, "keys").success();
        assert_eq!(
            arn_of(&outcome),
            "acs:ram::2222222222222222:assumed-role/admin/ops"
        );
    }
    assert_eq!(
        sandbox.emulator.count("assume_role"),
        2,
        "no place to keep them"
    );
    assert_eq!(sandbox.config(), before, "the stored key is never touched");

    // A chained role on the AccessKey profile keeps its credentials.
    sandbox
        .set(
            "ak-role",
            &[
                "--mode",
                "ChainableRamRoleArn",
                "--source-profile",
                "keys",
                "--ram-role-arn",
                "acs:ram::5555555555555555:role/x",
            ],
        )
        .success();
    sts(&sandbox, "ak-role").success();
    sts(&sandbox, "ak-role").success();
    assert_eq!(
        sandbox.emulator.count("assume_role"),
        4,
        "keys twice (unchained), then x once"
    );
}

fn oidc_token(sandbox: &Sandbox) -> String {
    let (_, body) = http(
        "POST",
        &format!("{}/__emulator/oidc-token", sandbox.emulator.url),
        Some("{}"),
    );
    serde_json::from_str::<Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Profile `ci` of mode OIDC, with a token the emulator accepts in `~/token.jwt`.
fn oidc_profile(sandbox: &Sandbox) -> std::path::PathBuf {
    let token_file = sandbox.home.path().join("token.jwt");
    std::fs::write(&token_file, format!("{}\n", oidc_token(sandbox))).unwrap();
    let file = token_file.to_str().unwrap();
    sandbox
        .set(
            "ci",
            &[
                "--mode",
                "OIDC",
                "--ram-role-arn",
                "acs:ram::1234567890123456:role/deploy",
                "--oidc-provider-arn",
                "acs:ram::1234567890123456:oidc-provider/gh",
                "--oidc-token-file",
                file,
                "--role-session-name",
                "run-7",
            ],
        )
        .success();
    token_file
}

#[test]
fn oidc_reads_its_token_file_at_each_renewal() {
    let sandbox = Sandbox::new();
    let token_file = oidc_profile(&sandbox);
    let outcome = sts(&sandbox, "ci").success();
    assert_eq!(
        arn_of(&outcome),
        "acs:ram::1234567890123456:assumed-role/deploy/run-7"
    );
    sts(&sandbox, "ci").success();
    assert_eq!(
        sandbox.emulator.count("assume_role_with_oidc"),
        1,
        "kept until due"
    );

    // A rotated file is read at the next renewal; a stale token is refused with the file named.
    std::fs::write(&token_file, "eyJ.stale.token").unwrap();
    sandbox.edit_profile("ci", json!({"sts_expiration": 0}));
    let outcome = sts(&sandbox, "ci").code(1);
    outcome.says("OIDCToken.Invalid");
    std::fs::remove_file(&token_file).unwrap();
    let outcome = sts(&sandbox, "ci").code(1);
    outcome.says("token.jwt");
    std::fs::write(&token_file, oidc_token(&sandbox)).unwrap();
    sts(&sandbox, "ci").success();
    assert_eq!(sandbox.emulator.count("assume_role_with_oidc"), 2);
}

#[test]
fn ecs_ram_role_uses_the_metadata_service_with_a_session_token() {
    let sandbox = Sandbox::new();
    sandbox.set("ecs", &["--mode", "EcsRamRole"]).success();
    let metadata = [("ALICLI_ECS_METADATA_URL", sandbox.emulator.url.as_str())];
    let outcome = sandbox
        .run_env(&["sts", "GetCallerIdentity", "-p", "ecs"], &metadata)
        .success();
    assert_eq!(
        arn_of(&outcome),
        "acs:ram::1234567890123456:assumed-role/EcsRamRoleDemo/ecs-instance"
    );
    sandbox
        .run_env(&["sts", "GetCallerIdentity", "-p", "ecs"], &metadata)
        .success();
    assert_eq!(
        sandbox.emulator.count("metadata_credentials"),
        1,
        "kept until due"
    );
    assert!(sandbox.emulator.count("metadata_token") >= 1);

    sandbox
        .set("ecs", &["--ram-role-name", "NotThisOne"])
        .success();
    let outcome = sandbox
        .run_env(&["sts", "GetCallerIdentity", "-p", "ecs"], &metadata)
        .code(1);
    outcome.says("NotThisOne");
}

#[test]
fn cloud_sso_uses_what_the_official_cli_cached_and_points_to_it_after() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let work = sandbox.profile("work");
    add_profile(
        &sandbox,
        json!({"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://signin-xx.alibabacloudsso.com/device/login",
               "access_key_id": work["access_key_id"], "access_key_secret": work["access_key_secret"],
               "sts_token": work["sts_token"], "sts_expiration": work["sts_expiration"]}),
    );
    sts(&sandbox, "sso").success();
    sandbox.edit_profile("sso", json!({"sts_expiration": now() - 5}));
    let outcome = sts(&sandbox, "sso").code(4);
    outcome.says("aliyun configure --profile sso --mode CloudSSO");
}

#[test]
fn views_of_a_role_follow_its_source() {
    let sandbox = signed_in_role();
    let list = sandbox
        .run(&["configure", "list", "--output", "json"])
        .success();
    let list: Value = serde_json::from_str(&list.stdout).unwrap();
    let row = |name: &str| {
        list["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("prod")["validity"], row("work")["validity"], "{list}");
    assert_eq!(row("prod")["valid_until"], row("work")["valid_until"]);
    assert_eq!(row("prod")["account_id"], "2222222222222222");
    assert_eq!(
        sandbox.run(&["prompt", "-p", "prod"]).success().stdout,
        "prod renewable\n"
    );

    let outcome = sandbox
        .run(&["session", "validate", "-p", "prod", "--json"])
        .success();
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(report["status"], "valid");
    assert_eq!(report["identity"]["identity_type"], "AssumedRoleUser");
    let prompt = sandbox.run(&["prompt", "-p", "prod"]).success().stdout;
    assert!(
        prompt.starts_with("prod ") && prompt.ends_with("m\n"),
        "time left, now that validate assumed the role: {prompt}"
    );
    let local = sandbox
        .run(&["session", "validate", "--local", "-p", "prod"])
        .success();
    assert!(
        local.stderr.contains("ChainableRamRoleArn"),
        "{}",
        local.stderr
    );
    let doctor = sandbox.run(&["doctor", "-p", "prod", "--json"]);
    let doctor: Value = serde_json::from_str(&doctor.stdout).unwrap();
    let expiry = doctor["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "profile expiry")
        .cloned()
        .unwrap();
    assert_eq!(expiry["status"], "pass", "{expiry}");
    assert!(
        expiry["detail"]
            .as_str()
            .unwrap()
            .contains("`work` (OAuth)"),
        "{expiry}"
    );

    // The source signed out: the role's own credentials still work until they expire, then
    // every view says a sign-in of `work` is needed.
    sandbox
        .run(&["logout", "-p", "work", "--keep-profile", "--no-revoke"])
        .success();
    sandbox.edit_profile("prod", json!({"sts_expiration": now() - 5}));
    let outcome = sandbox
        .run(&["session", "validate", "--local", "-p", "prod"])
        .code(4);
    outcome.says("alicli login --profile work");
    assert_eq!(
        sandbox.run(&["prompt", "-p", "prod"]).success().stdout,
        "prod signed out\n"
    );
}

#[test]
fn every_mode_through_exec() {
    let sandbox = signed_in_role();
    oidc_profile(&sandbox);
    sandbox.set("ecs", &["--mode", "EcsRamRole"]).success();
    let metadata = [("ALICLI_ECS_METADATA_URL", sandbox.emulator.url.as_str())];
    for profile in ["prod", "ci", "ecs"] {
        let outcome = sandbox
            .run_env(
                &[
                    "exec",
                    "-p",
                    profile,
                    "--",
                    "sh",
                    "-c",
                    "printf %s \"$ALIBABA_CLOUD_ACCESS_KEY_ID\"",
                ],
                &metadata,
            )
            .success();
        assert_eq!(
            outcome.stdout,
            sandbox.profile(profile)["access_key_id"].as_str().unwrap(),
            "{profile}: the child got the role's credentials, as kept in the profile"
        );
        let exported = sandbox
            .run_env(
                &["export-credentials", "-p", profile, "--format", "json"],
                &metadata,
            )
            .success();
        let exported: Value = serde_json::from_str(&exported.stdout).unwrap();
        assert_eq!(
            exported["access_key_id"],
            sandbox.profile(profile)["access_key_id"]
        );
        assert!(exported["expiration"].is_string());
    }
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}

#[test]
fn console_opens_as_the_role() {
    let sandbox = signed_in_role();
    let outcome = sandbox
        .run(&[
            "console",
            "-p",
            "prod",
            "--print",
            "--destination",
            "https://ecs.console.aliyun.com/",
        ])
        .success();
    assert_eq!(sandbox.emulator.count("assume_role"), 1);
    assert_eq!(sandbox.emulator.count("signin_token"), 1);
    let (status, _) = http("GET", outcome.stdout.trim(), None);
    assert_eq!(status, 302);
    assert_eq!(sandbox.emulator.count("console_login"), 1);
    // The emulator's refusal of a user's own STS does not touch roles.
    sandbox
        .emulator
        .set(json!({"console_refuses_user_sts": true}));
    sandbox.run(&["console", "-p", "prod", "--print"]).success();
    sandbox.run(&["console", "-p", "work", "--print"]).code(1);
    // The role's site is that of the sign-in it rests on.
    sandbox
        .set("work", &["--oauth-site-type", "INTL"])
        .success();
    let outcome = sandbox.run(&["console", "-p", "prod", "--print"]).success();
    assert!(
        outcome
            .stdout
            .contains("Destination=https%3A%2F%2Fhome.console.alibabacloud.com%2F"),
        "{}",
        outcome.stdout
    );
}
