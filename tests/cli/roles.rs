//! Role profiles chained on an OAuth sign-in (`ChainableRamRoleArn`): one `AssumeRole` for many
//! calls, renewal when the role's credentials are due and when the source must renew first,
//! single-flight across processes, chains of chains, cycles, and refusals.

use std::process::Stdio;

use serde_json::{Value, json};

use crate::support::{Outcome, Sandbox, finish_within, now};

pub const ADMIN: &str = "acs:ram::2222222222222222:role/admin";

/// Makes `name` a role assumed with `source`'s credentials.
pub fn chain_role(sandbox: &Sandbox, name: &str, source: &str, arn: &str) -> Outcome {
    sandbox.run(&[
        "configure",
        "set",
        "--profile",
        name,
        "--mode",
        "ChainableRamRoleArn",
        "--source-profile",
        source,
        "--ram-role-arn",
        arn,
        "--role-session-name",
        "me",
    ])
}

/// A signed-in `work` and a role `prod` on it.
pub fn signed_in_role() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    chain_role(&sandbox, "prod", "work", ADMIN).success();
    sandbox
}

pub fn arn_of(outcome: &Outcome) -> String {
    let body: Value = serde_json::from_str(&outcome.stdout).unwrap();
    body["Arn"].as_str().unwrap().to_owned()
}

fn identity(sandbox: &Sandbox, profile: &str) -> String {
    arn_of(
        &sandbox
            .run(&["sts", "GetCallerIdentity", "-p", profile])
            .success(),
    )
}

#[test]
fn one_assume_role_serves_many_calls_until_the_role_is_due() {
    let sandbox = signed_in_role();
    for _ in 0..4 {
        assert_eq!(
            identity(&sandbox, "prod"),
            "acs:ram::2222222222222222:assumed-role/admin/me"
        );
    }
    assert_eq!(sandbox.emulator.count("assume_role"), 1);
    assert_eq!(sandbox.emulator.count("exchange"), 1, "the sign-in's only");
    let prod = sandbox.profile("prod");
    let key = prod["access_key_id"].as_str().unwrap().to_owned();
    assert!(key.starts_with("STS."), "{prod}");
    let left = prod["sts_expiration"].as_i64().unwrap() - now();
    assert!((3500..=3600).contains(&left), "an hour, as asked: {left}");
    assert_ne!(key, sandbox.profile("work")["access_key_id"]);

    // Within the renewal margin: a new AssumeRole, with new keys, written into the profile.
    sandbox.edit_profile("prod", json!({"sts_expiration": now() + 100}));
    identity(&sandbox, "prod");
    assert_eq!(sandbox.emulator.count("assume_role"), 2);
    assert_ne!(sandbox.profile("prod")["access_key_id"], key);
    identity(&sandbox, "prod");
    assert_eq!(sandbox.emulator.count("assume_role"), 2);
}

#[test]
fn a_source_that_is_due_renews_first_and_a_fresh_role_does_not_need_it() {
    let sandbox = signed_in_role();
    identity(&sandbox, "prod");
    // The source's STS credentials are due, the role's are not: the role's are used as they are.
    sandbox.edit_profile("work", json!({"sts_expiration": now() - 10}));
    identity(&sandbox, "prod");
    assert_eq!(sandbox.emulator.count("exchange"), 1);
    assert_eq!(sandbox.emulator.count("assume_role"), 1);

    // Both due, and the source's access token too: refresh, exchange, then AssumeRole with the
    // source's new credentials; each is written into its own profile.
    sandbox.edit_profile("prod", json!({"sts_expiration": now() - 10}));
    sandbox.edit_profile("work", json!({"oauth_access_token_expire": now() + 60}));
    identity(&sandbox, "prod");
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
    assert_eq!(sandbox.emulator.count("exchange"), 2);
    assert_eq!(sandbox.emulator.count("assume_role"), 2);
    assert!(sandbox.profile("work")["sts_expiration"].as_i64().unwrap() > now() + 3000);
    assert!(sandbox.profile("prod")["sts_expiration"].as_i64().unwrap() > now() + 3000);
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}

#[test]
fn a_source_that_needs_a_sign_in_names_the_source_in_the_hint() {
    let sandbox = signed_in_role();
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "prod"])
        .code(4);
    outcome.says("alicli login --profile work");
    assert!(!outcome.stderr.contains("login --profile prod"));
    assert_eq!(sandbox.emulator.count("assume_role"), 0);
}

#[test]
fn concurrent_processes_assume_the_role_once() {
    let sandbox = signed_in_role();
    let children: Vec<_> = (0..8)
        .map(|_| {
            sandbox
                .cmd()
                .args(["export-credentials", "-p", "prod", "--format", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys: Vec<Value> = children
        .into_iter()
        .map(|child| {
            let outcome = finish_within(child, 30).success();
            serde_json::from_str::<Value>(&outcome.stdout).unwrap()["access_key_id"].clone()
        })
        .collect();
    assert_eq!(sandbox.emulator.count("assume_role"), 1, "single flight");
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
}

#[test]
fn chains_of_chains_work_and_cycles_are_named() {
    let sandbox = signed_in_role();
    chain_role(
        &sandbox,
        "audit",
        "prod",
        "acs:ram::3333333333333333:role/ReadOnly",
    )
    .success();
    assert_eq!(
        identity(&sandbox, "audit"),
        "acs:ram::3333333333333333:assumed-role/ReadOnly/me"
    );
    assert_eq!(sandbox.emulator.count("assume_role"), 2, "prod, then audit");
    identity(&sandbox, "prod");
    assert_eq!(sandbox.emulator.count("assume_role"), 2, "prod's were kept");

    // Another tool edits the file into a loop.
    sandbox.edit_profile(
        "prod",
        json!({"source_profile": "audit", "sts_expiration": 0}),
    );
    sandbox.edit_profile("audit", json!({"sts_expiration": 0}));
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "audit"])
        .code(1);
    outcome.says("cycle: audit -> prod -> audit");
    outcome.says("--source-profile NAME");
}

#[test]
fn a_chain_longer_than_the_limit_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut source = "work".to_owned();
    for hop in 0..6 {
        let name = format!("r{hop}");
        let arn = format!("acs:ram::1234567890123456:role/r{hop}");
        let outcome = chain_role(&sandbox, &name, &source, &arn);
        if hop < 5 {
            outcome.success();
        } else {
            let outcome = outcome.code(2);
            outcome.says("more than 5 roles");
        }
        source = name;
    }
    identity(&sandbox, "r4");
    assert_eq!(sandbox.emulator.count("assume_role"), 5);
}

#[test]
fn a_refused_role_changes_nothing_and_a_new_role_drops_the_old_credentials() {
    let sandbox = Sandbox::with_settings(json!({"denied_roles": [ADMIN]}));
    sandbox.sign_in("work");
    chain_role(&sandbox, "prod", "work", ADMIN).success();
    let before = sandbox.config();
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "prod"])
        .code(1);
    assert!(
        outcome.stderr.contains("NoPermission") && outcome.stderr.contains("`prod`"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.config(), before);

    sandbox.emulator.set(json!({"denied_roles": []}));
    identity(&sandbox, "prod");
    assert!(sandbox.profile("prod").get("access_key_id").is_some());
    sandbox
        .set(
            "prod",
            &["--ram-role-arn", "acs:ram::4444444444444444:role/ops"],
        )
        .success();
    assert!(
        sandbox.profile("prod").get("access_key_id").is_none(),
        "the old role's credentials are gone"
    );
    assert_eq!(
        identity(&sandbox, "prod"),
        "acs:ram::4444444444444444:assumed-role/ops/me"
    );
}

#[test]
fn an_external_id_and_a_duration_are_sent() {
    let sandbox = Sandbox::with_settings(json!({"required_external_id": "ext-1"}));
    sandbox.sign_in("work");
    chain_role(&sandbox, "prod", "work", ADMIN).success();
    sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "prod"])
        .code(1);
    sandbox
        .set(
            "prod",
            &["--external-id", "ext-1", "--expired-seconds", "900"],
        )
        .success();
    identity(&sandbox, "prod");
    let left = sandbox.profile("prod")["sts_expiration"].as_i64().unwrap() - now();
    assert!((800..=900).contains(&left), "{left}");
}

#[test]
fn a_role_on_an_external_profile_that_runs_alicli() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    crate::python_sdk::add_external(&sandbox, "ext", "work");
    chain_role(&sandbox, "prod", "ext", ADMIN).success();
    // The command runs before any lock is taken, so its own alicli never waits for this one.
    sandbox.edit_profile("work", json!({"sts_expiration": 0}));
    assert_eq!(
        identity(&sandbox, "prod"),
        "acs:ram::2222222222222222:assumed-role/admin/me"
    );
    assert_eq!(
        sandbox.emulator.count("exchange"),
        2,
        "work renewed inside the command"
    );
    assert_eq!(sandbox.emulator.count("assume_role"), 1);
}
