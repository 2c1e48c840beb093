//! The variable families that `exec` and `export-credentials` hand to other tools: every variable
//! checked by name, what `--families` leaves alone, what a profile without a region or a token
//! clears, `--server`'s variables and its proxy warning, and `prompt` inside such an environment.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::json;

use crate::support::{ALICLI, Outcome, Sandbox, now, test_program};

/// Every variable these tests look at.
const WATCHED: [&str; 23] = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_REGION_ID",
    "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION",
    "ALIBABA_CLOUD_PROFILE",
    "ALIBABA_CLOUD_IGNORE_PROFILE",
    "ALIBABACLOUD_PROFILE",
    "ALIBABA_CLOUD_CREDENTIALS_URI",
    "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
    "ALICLOUD_ACCESS_KEY",
    "ALICLOUD_SECRET_KEY",
    "ALICLOUD_SECURITY_TOKEN",
    "ALICLOUD_REGION",
    "OSS_ACCESS_KEY_ID",
    "OSS_ACCESS_KEY_SECRET",
    "OSS_SESSION_TOKEN",
    "ALICLI_EXEC",
    "HTTP_PROXY",
    "http_proxy",
    "PATH",
    "HOME",
    "ALICLI_DEPTH",
];

/// The watched variables the child of `alicli exec ARGS` sees; unset ones are absent.
fn child_env(command: &mut Command) -> (BTreeMap<String, String>, Outcome) {
    command.args(["--", test_program()]);
    for name in WATCHED {
        command.args(["--print", name, "--env", name]);
    }
    let outcome: Outcome = command.output().unwrap().into();
    let outcome = outcome.success();
    let lines: Vec<&str> = outcome.stdout.lines().collect();
    let env = lines
        .chunks(2)
        .filter(|pair| pair[1] != "none")
        .map(|pair| (pair[0].to_owned(), pair[1].to_owned()))
        .collect();
    (env, outcome)
}

fn exec(sandbox: &Sandbox, args: &[&str]) -> Command {
    let mut command = sandbox.cmd();
    command.arg("exec").args(args);
    command
}

/// `work` signed in (region cn-hangzhou), and `keys`: a long-term key without a region.
fn two_profiles() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": "keys", "mode": "AK", "access_key_id": sandbox.emulator.key_id,
        "access_key_secret": sandbox.emulator.key_secret, "region_id": ""}));
    sandbox.write_config(&config);
    sandbox
}

fn text(value: &serde_json::Value) -> String {
    value.as_str().unwrap().to_owned()
}

#[test]
fn exec_sets_every_variable_of_every_family() {
    let sandbox = two_profiles();
    let work = sandbox.profile("work");
    let (key, secret, token) = (
        text(&work["access_key_id"]),
        text(&work["access_key_secret"]),
        text(&work["sts_token"]),
    );
    let expiration = alicli::timefmt::to_rfc3339(work["sts_expiration"].as_i64().unwrap());
    let (env, outcome) = child_env(
        exec(&sandbox, &["--profile", "work"])
            .env("ALIBABACLOUD_PROFILE", "keys")
            .env("ALIBABA_CLOUD_CREDENTIALS_URI", "http://127.0.0.1:9/stale"),
    );
    assert_eq!(outcome.stderr, "");
    let expected = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", key.as_str()),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret.as_str()),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", token.as_str()),
        ("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou"),
        ("ALIBABA_CLOUD_CREDENTIALS_EXPIRATION", expiration.as_str()),
        ("ALIBABA_CLOUD_PROFILE", "work"),
        ("ALIBABA_CLOUD_IGNORE_PROFILE", "TRUE"),
        ("ALICLOUD_ACCESS_KEY", key.as_str()),
        ("ALICLOUD_SECRET_KEY", secret.as_str()),
        ("ALICLOUD_SECURITY_TOKEN", token.as_str()),
        ("ALICLOUD_REGION", "cn-hangzhou"),
        ("OSS_ACCESS_KEY_ID", key.as_str()),
        ("OSS_ACCESS_KEY_SECRET", secret.as_str()),
        ("OSS_SESSION_TOKEN", token.as_str()),
        ("ALICLI_EXEC", "work"),
    ];
    for (name, value) in expected {
        assert_eq!(env.get(name).map(String::as_str), Some(value), "{name}");
    }
    for gone in ["ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_URI"] {
        assert!(!env.contains_key(gone), "{gone} is removed");
    }
}

#[test]
fn a_profile_without_a_region_or_token_clears_what_an_earlier_export_left() {
    let sandbox = two_profiles();
    // An environment that an export of `work` made: every family, with token and region.
    let mut command = exec(&sandbox, &["--profile", "keys"]);
    for name in [
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_REGION_ID",
        "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION",
        "ALICLOUD_SECURITY_TOKEN",
        "ALICLOUD_REGION",
        "OSS_SESSION_TOKEN",
    ] {
        command.env(name, "stale");
    }
    let (env, _) = child_env(&mut command);
    let stale: Vec<&String> = env
        .iter()
        .filter(|(_, v)| *v == "stale")
        .map(|(k, _)| k)
        .collect();
    assert!(
        stale.is_empty(),
        "left over from the other profile: {stale:?}"
    );
    assert_eq!(env["OSS_ACCESS_KEY_ID"], sandbox.emulator.key_id);
    assert_eq!(env["ALIBABA_CLOUD_PROFILE"], "keys");
}

#[test]
#[cfg(unix)]
fn exporting_another_profile_in_a_shell_clears_what_the_first_export_set() {
    let sandbox = two_profiles();
    // Export one profile, then the other, in one sh session.
    let script = r#"eval "$("$ALICLI" export-credentials --profile work)" &&
        eval "$("$ALICLI" export-credentials --profile keys)" &&
        for v in ALIBABA_CLOUD_REGION_ID ALICLOUD_REGION ALIBABA_CLOUD_SECURITY_TOKEN \
                 ALICLOUD_SECURITY_TOKEN OSS_SESSION_TOKEN ALIBABA_CLOUD_CREDENTIALS_EXPIRATION \
                 ALIBABA_CLOUD_PROFILE ALIBABA_CLOUD_IGNORE_PROFILE; do
            eval "printf '%s=%s\n' $v \"\${$v-UNSET}\""
        done"#;
    let outcome: Outcome = sandbox
        .clean("sh")
        .args(["-c", script])
        .env("ALICLI", ALICLI)
        .output()
        .unwrap()
        .into();
    let outcome = outcome.success();
    assert_eq!(
        outcome.stdout,
        "ALIBABA_CLOUD_REGION_ID=UNSET\nALICLOUD_REGION=UNSET\nALIBABA_CLOUD_SECURITY_TOKEN=UNSET\n\
         ALICLOUD_SECURITY_TOKEN=UNSET\nOSS_SESSION_TOKEN=UNSET\n\
         ALIBABA_CLOUD_CREDENTIALS_EXPIRATION=UNSET\nALIBABA_CLOUD_PROFILE=keys\n\
         ALIBABA_CLOUD_IGNORE_PROFILE=TRUE\n"
    );
}

#[test]
fn families_picks_fewer_and_leaves_the_others_as_they_are() {
    let sandbox = two_profiles();
    let (env, _) = child_env(
        exec(
            &sandbox,
            &["--profile", "work", "--families", "oss,alicloud"],
        )
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAImine")
        .env("ALIBABA_CLOUD_IGNORE_PROFILE", "FALSE"),
    );
    let work = sandbox.profile("work");
    assert_eq!(env["OSS_ACCESS_KEY_ID"], text(&work["access_key_id"]));
    assert_eq!(env["ALICLOUD_ACCESS_KEY"], text(&work["access_key_id"]));
    assert_eq!(
        env["ALIBABA_CLOUD_ACCESS_KEY_ID"], "LTAImine",
        "not asked for"
    );
    assert_eq!(env["ALIBABA_CLOUD_IGNORE_PROFILE"], "FALSE");
    assert_eq!(env["ALIBABA_CLOUD_PROFILE"], "work", "always named");

    let outcome = sandbox
        .run(&["export-credentials", "--families", "alibaba"])
        .success();
    assert!(!outcome.stdout.contains("OSS_"), "{}", outcome.stdout);
    assert!(!outcome.stdout.contains("ALICLOUD_"), "{}", outcome.stdout);
    let outcome = sandbox
        .run(&["export-credentials", "--families", "aws"])
        .code(2);
    assert!(outcome.stderr.contains("alicloud"), "{}", outcome.stderr);
}

#[test]
fn the_server_keeps_sdks_on_the_endpoint_and_the_cli_on_the_profile() {
    let sandbox = two_profiles();
    let (env, outcome) = child_env(
        exec(&sandbox, &["--server", "--profile", "work"])
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIstale")
            .env("ALIBABA_CLOUD_IGNORE_PROFILE", "TRUE"),
    );
    assert_eq!(outcome.stderr, "", "no proxy, no warning");
    assert!(env["ALIBABA_CLOUD_CREDENTIALS_URI"].starts_with("http://127.0.0.1:"));
    for gone in [
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        "ALIBABA_CLOUD_SECURITY_TOKEN",
        "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION",
        // The official CLI reads no credentials URI: it must find the profile in the file.
        "ALIBABA_CLOUD_IGNORE_PROFILE",
    ] {
        assert!(!env.contains_key(gone), "{gone} is removed");
    }
    assert_eq!(env["ALIBABA_CLOUD_PROFILE"], "work");
    assert_eq!(env["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"], "true");
    assert_eq!(env["ALIBABA_CLOUD_REGION_ID"], "cn-hangzhou");
    // Tools of the other families cannot fetch from an endpoint: they get the keys.
    let work = sandbox.profile("work");
    assert_eq!(env["OSS_SESSION_TOKEN"], text(&work["sts_token"]));
    assert_eq!(env["ALICLOUD_ACCESS_KEY"], text(&work["access_key_id"]));
}

#[test]
fn the_server_warns_when_http_proxy_could_carry_the_endpoint_away() {
    let sandbox = two_profiles();
    for variable in ["HTTP_PROXY", "http_proxy"] {
        let (env, outcome) = child_env(
            exec(&sandbox, &["--server", "--profile", "work"])
                .env(variable, "http://proxy.invalid:3128"),
        );
        assert!(
            outcome.stderr.starts_with("warning: HTTP_PROXY is set"),
            "{}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("env -u HTTP_PROXY"),
            "{}",
            outcome.stderr
        );
        assert_eq!(
            env[variable], "http://proxy.invalid:3128",
            "the child keeps it"
        );
    }
    // Without --server there is no loopback URL to leak.
    let (_, outcome) =
        child_env(exec(&sandbox, &["--profile", "work"]).env("HTTP_PROXY", "http://p.invalid:1"));
    assert_eq!(outcome.stderr, "");
}

/// `alicli prompt` run in an environment.
fn prompt(sandbox: &Sandbox, env: &[(&str, &str)]) -> String {
    let mut command = sandbox.cmd();
    command.arg("prompt").envs(env.iter().copied());
    let outcome: Outcome = command.output().unwrap().into();
    outcome.success().stdout
}

#[test]
fn prompt_shows_the_profile_in_force_in_this_shell() {
    let sandbox = two_profiles();
    sandbox.edit_profile("work", json!({"sts_expiration": now() + 50 * 60 + 30}));
    let mut config = sandbox.config();
    config["current"] = json!("keys");
    sandbox.write_config(&config);
    assert_eq!(
        prompt(&sandbox, &[]),
        "keys\n",
        "the file's current profile"
    );

    // Inside exec: the exec'd profile, not the file's current one.
    let outcome: Outcome = sandbox
        .cmd()
        .args(["exec", "--profile", "work", "--", ALICLI, "prompt"])
        .output()
        .unwrap()
        .into();
    assert_eq!(outcome.success().stdout, "work 50m\n");

    // After an export: the exported keys' own expiry, even when the file has newer ones.
    let exported = alicli::timefmt::to_rfc3339(now() + 20 * 60 + 30);
    let env = [
        ("ALIBABA_CLOUD_PROFILE", "work"),
        ("ALIBABA_CLOUD_CREDENTIALS_EXPIRATION", exported.as_str()),
    ];
    assert_eq!(prompt(&sandbox, &env), "work 20m\n");
    let past = alicli::timefmt::to_rfc3339(now() - 5);
    let env = [
        ("ALIBABA_CLOUD_PROFILE", "work"),
        ("ALIBABA_CLOUD_CREDENTIALS_EXPIRATION", past.as_str()),
    ];
    assert_eq!(prompt(&sandbox, &env), "work expired\n");
    // `--profile` asks about the file's copy of that profile.
    let outcome = sandbox
        .cmd()
        .args(["prompt", "--profile", "work"])
        .envs(env)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&outcome.stdout), "work 50m\n");
}
