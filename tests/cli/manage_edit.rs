//! `configure set|delete|switch`, and a `current` naming a missing profile.

use serde_json::json;

use crate::manage::{others, signed_in};
use crate::support::Sandbox;

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
    sandbox.configure(&["--profile", "intl"]).success();
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
    // `get` follows the switch, after the flag and the environment (docs/protocol.md §4).
    let outcome = sandbox.run(&["configure", "get", "mode"]).success();
    assert_eq!(outcome.stdout, "mode=AK\n");
    let get_with = |variable: &str| {
        let output = sandbox
            .cmd()
            .args(["configure", "get", "profile", "mode"])
            .env(variable, "work")
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    for variable in [
        "ALIBABACLOUD_PROFILE",
        "ALIBABA_CLOUD_PROFILE",
        "ALICLOUD_PROFILE",
    ] {
        assert_eq!(
            get_with(variable),
            "profile=work\nmode=OAuth\n",
            "{variable}"
        );
    }
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
    // A command that needs credentials needs a sign-in (exit 4); `get` just reports.
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(4);
    assert!(
        outcome
            .stderr
            .contains("error: the current profile `gone` is not in")
            && outcome.stderr.contains(
                "hint: sign in with `alicli login --profile gone`, or make another profile \
                 current with `alicli configure switch --profile NAME`"
            ),
        "{}",
        outcome.stderr
    );
    let outcome = sandbox.run(&["configure", "get"]).code(1);
    assert!(
        outcome.stderr.contains("profile `gone` not found"),
        "{}",
        outcome.stderr
    );
    sandbox
        .run(&["configure", "switch", "--profile", "ak"])
        .success();
    assert_eq!(sandbox.config()["current"], "ak");
    assert_eq!(sandbox.config()["profiles"].as_array().unwrap().len(), 3);
}
