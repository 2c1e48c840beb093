//! `configure list|get`: what a user sees, secrets masked, no network set-up.

use serde_json::{Value, json};

use crate::support::Sandbox;

pub fn others() -> Value {
    json!([
        {"name": "ak", "mode": "AK", "access_key_id": "LTAIexample", "access_key_secret": "ak-secret-value-1234",
         "region_id": "cn-beijing", "x_vendor": {"nested": [1, "two"]}},
        {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "ak",
         "ram_role_arn": "acs:ram::5555:role/admin", "ram_session_name": "s"}
    ])
}

/// A file with `ak` and `chain`, then `work` signed in (and current).
pub fn signed_in() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(&json!({"current": "ak", "profiles": others(), "meta_path": ""}));
    sandbox.sign_in("work");
    sandbox
}

#[test]
fn list_shows_every_profile_and_marks_the_current_one() {
    let sandbox = signed_in();
    let outcome = sandbox.run(&["configure", "list"]).success();
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Profile | Mode                | Storage | Site | Region      | Valid until          | Account"
    );
    assert!(lines[1].starts_with("------- | ---"), "{}", outcome.stdout);
    assert!(
        lines[2]
            .starts_with("ak      | AK                  | -       | -    | cn-beijing  | never"),
        "{}",
        outcome.stdout
    );
    assert!(lines[3].starts_with("chain   | ChainableRamRoleArn | -       | -    | -"));
    assert!(lines[3].ends_with("| 5555"), "account from the role ARN");
    assert!(
        lines[4].starts_with("work *  | OAuth               | file    | CN   | cn-hangzhou | 20"),
        "{}",
        outcome.stdout
    );
    assert!(lines[4].ends_with("| 1234567890123456"), "{}", lines[4]);
    assert_eq!(lines.len(), 5);
    for secret in sandbox.emulator.secrets() {
        assert!(!outcome.stdout.contains(&secret), "list prints no secret");
    }

    let outcome = sandbox
        .run(&["configure", "list", "--output", "json"])
        .success();
    let listed: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(listed["current"], "work");
    assert_eq!(
        listed["profiles"][0],
        json!({"name": "ak", "current": false, "mode": "AK", "storage": null, "site": null,
               "region": "cn-beijing", "validity": "never", "valid_until": null, "account_id": null})
    );
    let work = &listed["profiles"][2];
    assert_eq!(work["current"], true);
    assert_eq!(work["site"], "CN");
    assert_eq!(work["storage"], "file");
    assert_eq!(work["validity"], "until");
    assert_eq!(work["account_id"], "1234567890123456");
    let until = alicli::timefmt::parse_rfc3339(work["valid_until"].as_str().unwrap()).unwrap();
    assert_eq!(
        until,
        sandbox.profile("work")["oauth_refresh_token_expire"]
            .as_i64()
            .unwrap(),
        "valid until the refresh token expires"
    );
}

#[test]
fn list_on_an_empty_home_says_how_to_sign_in() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.run(&["configure", "list"]).success();
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome.stderr.contains("sign in with `alicli login`"),
        "{}",
        outcome.stderr
    );
    let outcome = sandbox.run(&["configure", "list", "-o", "json"]).success();
    let listed: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(listed, json!({"current": null, "profiles": []}));
    assert!(!sandbox.config_path().exists(), "listing writes nothing");
}

#[test]
fn list_and_get_build_no_http_client() {
    // An unusable proxy setting breaks every command that sets up HTTP; these must not notice.
    let sandbox = signed_in();
    let run = |args: &[&str]| {
        sandbox
            .cmd()
            .args(args)
            .env("HTTPS_PROXY", "http://[not a proxy")
            .output()
            .unwrap()
    };
    assert_eq!(run(&["configure", "list"]).status.code(), Some(0));
    assert_eq!(run(&["configure", "get", "region"]).status.code(), Some(0));
    assert_eq!(
        run(&["sts", "GetCallerIdentity"]).status.code(),
        Some(1),
        "the check itself can fail"
    );
}

#[test]
fn get_masks_secrets_unless_asked() {
    let sandbox = signed_in();
    let stored = sandbox.profile("work");
    let outcome = sandbox
        .run(&["configure", "get", "--profile", "work"])
        .success();
    let shown: Value = serde_json::from_str(&outcome.stdout).unwrap();
    for key in [
        "oauth_access_token",
        "oauth_refresh_token",
        "access_key_secret",
        "sts_token",
    ] {
        let value = stored[key].as_str().unwrap();
        assert_eq!(
            shown[key],
            format!("****{}", &value[value.len() - 4..]),
            "{key}"
        );
    }
    assert_eq!(shown["access_key_id"], stored["access_key_id"]);
    assert_eq!(shown["sts_expiration"], stored["sts_expiration"]);
    for secret in sandbox.emulator.secrets() {
        assert!(!outcome.stdout.contains(&secret), "masked output leaks");
    }
    let outcome = sandbox
        .run(&["configure", "get", "--profile", "work", "--show-secrets"])
        .success();
    let full: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(full, stored);

    // Named keys: KEY=VALUE lines, `-` for `_`, short aliases; the current profile by default.
    let outcome = sandbox
        .run(&[
            "configure",
            "get",
            "region",
            "mode",
            "oauth-site-type",
            "sts_token",
        ])
        .success();
    let token = stored["sts_token"].as_str().unwrap();
    assert_eq!(
        outcome.stdout,
        format!(
            "region=cn-hangzhou\nmode=OAuth\noauth-site-type=CN\nsts_token=****{}\n",
            &token[token.len() - 4..]
        )
    );
    let outcome = sandbox
        .run(&[
            "configure",
            "get",
            "--profile",
            "ak",
            "access_key_secret",
            "x_vendor",
        ])
        .success();
    assert_eq!(
        outcome.stdout,
        "access_key_secret=****1234\nx_vendor={\"nested\":[1,\"two\"]}\n"
    );
    let outcome = sandbox
        .run(&["configure", "get", "region", "no_such_key"])
        .code(1);
    assert_eq!(outcome.stdout, "", "all or nothing");
    assert!(
        outcome.stderr.contains("`no_such_key`"),
        "{}",
        outcome.stderr
    );
    let outcome = sandbox
        .run(&["configure", "get", "--profile", "nope"])
        .code(1);
    assert!(
        outcome.stderr.contains("profile `nope` not found")
            && outcome
                .stderr
                .contains("hint: see the profiles with `alicli configure list`"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn absurd_expiries_show_as_invalid_not_as_1970() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": i64::MAX, "oauth_refresh_token_expire": i64::MAX}),
    );
    let listed = sandbox.run(&["configure", "list"]).success();
    let row = listed.stdout.lines().nth(2).unwrap();
    assert!(row.contains("| invalid ("), "{}", listed.stdout);
    let validated = sandbox.run(&["session", "validate", "--local"]).success();
    for outcome in [&listed, &validated] {
        assert!(
            !outcome.stdout.contains("1970") && !outcome.stderr.contains("1970"),
            "{outcome:?}"
        );
    }
    assert!(
        validated.stderr.contains("invalid ("),
        "{}",
        validated.stderr
    );
}
