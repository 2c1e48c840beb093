//! `configure list|get|set|delete|switch`: what a user sees and what lands in the file.

use serde_json::{Value, json};

use crate::support::Sandbox;

fn others() -> Value {
    json!([
        {"name": "ak", "mode": "AK", "access_key_id": "LTAIexample", "access_key_secret": "ak-secret-value-1234",
         "region_id": "cn-beijing", "x_vendor": {"nested": [1, "two"]}},
        {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "ak",
         "ram_role_arn": "acs:ram::5555:role/admin", "ram_session_name": "s"}
    ])
}

/// A file with `ak` and `chain`, then `work` signed in (and current).
fn signed_in() -> Sandbox {
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
        "Profile | Mode                | Site | Region      | Valid until          | Account"
    );
    assert!(lines[1].starts_with("------- | ---"), "{}", outcome.stdout);
    assert!(
        lines[2].starts_with("ak      | AK                  | -    | cn-beijing  | never"),
        "{}",
        outcome.stdout
    );
    assert!(lines[3].starts_with("chain   | ChainableRamRoleArn | -    | -"));
    assert!(lines[3].ends_with("| 5555"), "account from the role ARN");
    assert!(
        lines[4].starts_with("work *  | OAuth               | CN   | cn-hangzhou | 20"),
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
        json!({"name": "ak", "current": false, "mode": "AK", "site": null, "region": "cn-beijing",
               "validity": "never", "valid_until": null, "account_id": null})
    );
    let work = &listed["profiles"][2];
    assert_eq!(work["current"], true);
    assert_eq!(work["site"], "CN");
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
        outcome
            .stderr
            .contains("alicli configure --profile NAME --mode OAuth"),
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
fn set_writes_fields_without_signing_in_and_the_sign_in_uses_them() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            "intl",
            "--oauth-site-type",
            "1",
            "--region",
            "ap-southeast-1",
            "--language",
            "ZH",
        ])
        .success();
    assert_eq!(sandbox.emulator.count("authorize"), 0, "no sign-in");
    let profile = sandbox.profile("intl");
    assert_eq!(
        profile,
        json!({"name": "intl", "mode": "OAuth", "output_format": "json", "region_id": "ap-southeast-1",
               "language": "zh", "oauth_site_type": "INTL"})
    );
    assert_eq!(
        sandbox.config()["current"],
        "intl",
        "the first profile becomes current"
    );

    // The sign-in takes site and region from the profile: no flags, no terminal, no questions.
    sandbox
        .run(&[
            "configure",
            "--profile",
            "intl",
            "--mode",
            "OAuth",
            "--callback-port",
            "0",
        ])
        .success();
    let profile = sandbox.profile("intl");
    assert_eq!(profile["oauth_site_type"], "INTL");
    assert_eq!(profile["region_id"], "ap-southeast-1");
    assert_eq!(profile["language"], "zh");

    // On a signed-in profile, set changes only its fields.
    sandbox.edit_profile("intl", json!({"x_other_tool": [1, 2]}));
    let before = sandbox.profile("intl");
    sandbox
        .run(&[
            "configure",
            "set",
            "--region",
            "cn-shanghai",
            "--sts-endpoint",
            &sandbox.emulator.url,
        ])
        .success();
    let mut expected = before.clone();
    expected["region_id"] = json!("cn-shanghai");
    expected["sts_endpoint"] = json!(sandbox.emulator.url);
    assert_eq!(sandbox.profile("intl"), expected);
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    sandbox
        .run(&["configure", "set", "--sts-endpoint", ""])
        .success();
    assert!(
        sandbox.profile("intl").get("sts_endpoint").is_none(),
        "removed"
    );

    // Bad values are usage errors (exit 2) and change nothing.
    let file = std::fs::read(sandbox.config_path()).unwrap();
    for (args, words) in [
        (
            &["--region", "cn_hangzhou"][..],
            "invalid region id `cn_hangzhou`",
        ),
        (&["--region", ""][..], "invalid region id"),
        (&["--oauth-site-type", "EU"][..], "unknown OAuth site `EU`"),
        (
            &["--sts-endpoint", "http://sts.example.com"][..],
            "refusing plain HTTP",
        ),
        (
            &["--sts-endpoint", "https://a b"][..],
            "not a valid endpoint",
        ),
        (&["--language", "fr"][..], "invalid value 'fr'"),
        (
            &["--profile", " ", "--region", "cn-beijing"][..],
            "invalid profile name",
        ),
        (&[][..], "nothing to set"),
    ] {
        let outcome = sandbox
            .run(&[&["configure", "set"][..], args].concat())
            .code(2);
        assert!(
            outcome.stderr.contains(words),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    assert_eq!(std::fs::read(sandbox.config_path()).unwrap(), file);

    // The site belongs to OAuth profiles only.
    sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            "ak",
            "--region",
            "cn-beijing",
        ])
        .success();
    sandbox.edit_profile("ak", json!({"mode": "AK"}));
    let outcome = sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            "ak",
            "--oauth-site-type",
            "CN",
        ])
        .code(2);
    assert!(
        outcome.stderr.contains("OAuth profiles only"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.profile("ak")["mode"], "AK");
}

#[test]
fn delete_moves_current_and_never_leaves_it_dangling() {
    let sandbox = signed_in();
    assert_eq!(sandbox.config()["current"], "work");
    let outcome = sandbox
        .run(&["configure", "delete", "--profile", "chain"])
        .success();
    assert!(
        outcome.stderr.contains("Deleted profile `chain`"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.config()["current"], "work", "unchanged");

    sandbox.edit_profile("work", json!({"source_profile": "ak"}));
    let outcome = sandbox.run(&["configure", "delete", "-p", "ak"]).success();
    assert!(
        outcome
            .stderr
            .contains("profile `work` names `ak` as its `source_profile`"),
        "{}",
        outcome.stderr
    );
    let outcome = sandbox
        .run(&["configure", "delete", "--profile", "work"])
        .success();
    assert!(
        outcome.stderr.contains("No profiles are left."),
        "{}",
        outcome.stderr
    );
    let config = sandbox.config();
    assert_eq!(config["current"], "");
    assert_eq!(config["profiles"], json!([]));
    assert_eq!(config["meta_path"], "", "other top-level keys stay");

    let outcome = sandbox
        .run(&["configure", "delete", "--profile", "work"])
        .code(1);
    assert!(
        outcome.stderr.contains("profile `work` not found"),
        "{}",
        outcome.stderr
    );
    let outcome = sandbox.run(&["configure", "delete"]).code(2);
    assert!(outcome.stderr.contains("--profile"), "{}", outcome.stderr);

    // The current profile deleted: the first remaining one takes over.
    sandbox.write_config(&json!({"current": "chain", "profiles": others()}));
    let outcome = sandbox
        .run(&["configure", "delete", "--profile", "chain"])
        .success();
    assert!(
        outcome.stderr.contains("The current profile is now `ak`."),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.config()["current"], "ak");
    assert_eq!(
        sandbox.config()["profiles"][0],
        others()[0],
        "kept as it was"
    );
}

#[test]
fn switch_changes_current_to_an_existing_profile_only() {
    let sandbox = signed_in();
    sandbox
        .run(&["configure", "switch", "--profile", "ak"])
        .success();
    assert_eq!(sandbox.config()["current"], "ak");
    let outcome = sandbox
        .run(&["configure", "switch", "--profile", "nope"])
        .code(1);
    assert!(
        outcome.stderr.contains("profile `nope` not found"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.config()["current"], "ak");
    // `get` and `sts` follow the switch.
    let outcome = sandbox.run(&["configure", "get", "mode"]).success();
    assert_eq!(outcome.stdout, "mode=AK\n");
}

#[test]
fn a_dangling_current_breaks_only_what_needs_that_profile() {
    // aliyun-cli#1242: a `current` naming a missing profile broke every command.
    let sandbox = Sandbox::new();
    sandbox.write_config(&json!({"current": "gone", "profiles": others()}));
    let outcome = sandbox.run(&["configure", "list"]).success();
    assert!(
        outcome
            .stderr
            .contains("the current profile `gone` is not in")
            && outcome
                .stderr
                .contains("alicli configure switch --profile NAME"),
        "{}",
        outcome.stderr
    );
    assert!(!outcome.stdout.contains('*'), "nothing is marked");
    sandbox.run(&["configure", "list", "-o", "json"]).success();
    sandbox
        .run(&["configure", "get", "--profile", "ak", "region"])
        .success();
    sandbox
        .run(&["configure", "set", "--profile", "ak", "--language", "en"])
        .success();
    assert_eq!(sandbox.config()["current"], "gone", "set does not move it");
    sandbox.sign_in("work");
    assert_eq!(sandbox.config()["current"], "work");

    let mut config = sandbox.config();
    config["current"] = json!("gone");
    sandbox.write_config(&config);
    sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "work"])
        .success();
    sandbox
        .run(&["configure", "delete", "--profile", "chain"])
        .success();
    assert_eq!(
        sandbox.config()["current"],
        "ak",
        "delete repairs a dangling current"
    );

    config["current"] = json!("gone");
    sandbox.write_config(&config);
    for args in [&["sts", "GetCallerIdentity"][..], &["configure", "get"][..]] {
        let outcome = sandbox.run(args).code(1);
        assert!(
            outcome.stderr.contains("profile `gone` not found"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    sandbox
        .run(&["configure", "switch", "--profile", "ak"])
        .success();
    assert_eq!(sandbox.config()["current"], "ak");
    assert_eq!(sandbox.config()["profiles"].as_array().unwrap().len(), 3);
}
