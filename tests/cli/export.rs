//! `alicli export-credentials`: real credentials in every format, the JSON formats, renewal by
//! `--min-ttl`, External profiles and the recursion guard. Quoting is in export_quoting.rs.

use serde_json::{Value, json};

#[cfg(unix)]
use crate::export_quoting::{posix_dump, shell, values};
use crate::support::{ALICLI, Outcome, Sandbox, now, quote};

#[test]
fn real_credentials_in_every_format() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let profile = sandbox.profile("work");
    let key = profile["access_key_id"].as_str().unwrap();
    let secret = profile["access_key_secret"].as_str().unwrap();
    let token = profile["sts_token"].as_str().unwrap();
    let expiration = alicli::timefmt::to_rfc3339(profile["sts_expiration"].as_i64().unwrap());

    let json: Value = serde_json::from_str(
        &sandbox
            .run(&["export-credentials", "--format", "json"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json,
        json!({"profile": "work", "access_key_id": key, "access_key_secret": secret,
               "security_token": token, "region_id": "cn-hangzhou", "expiration": expiration})
    );
    let external: Value = serde_json::from_str(
        &sandbox
            .run(&["export-credentials", "--format", "external"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        external,
        json!({"mode": "StsToken", "access_key_id": key, "access_key_secret": secret,
               "sts_token": token, "expiration": expiration})
    );
    let dotenv = sandbox
        .run(&["export-credentials", "--format", "dotenv"])
        .success()
        .stdout;
    assert_eq!(
        dotenv,
        format!(
            "ALIBABA_CLOUD_ACCESS_KEY_ID={key}\nALIBABA_CLOUD_ACCESS_KEY_SECRET={secret}\n\
             ALIBABA_CLOUD_SECURITY_TOKEN={token}\nALIBABA_CLOUD_REGION_ID=cn-hangzhou\n\
             ALIBABA_CLOUD_CREDENTIALS_EXPIRATION={expiration}\n\
             ALICLOUD_ACCESS_KEY={key}\nALICLOUD_SECRET_KEY={secret}\n\
             ALICLOUD_SECURITY_TOKEN={token}\nALICLOUD_REGION=cn-hangzhou\n\
             OSS_ACCESS_KEY_ID={key}\nOSS_ACCESS_KEY_SECRET={secret}\nOSS_SESSION_TOKEN={token}\n\
             ALIBABA_CLOUD_IGNORE_PROFILE=TRUE\nALIBABA_CLOUD_PROFILE=work\n"
        )
    );
    let cmd = sandbox
        .run(&["export-credentials", "--format", "windows-cmd"])
        .success()
        .stdout;
    assert!(
        cmd.starts_with(&format!("set \"ALIBABA_CLOUD_ACCESS_KEY_ID={key}\"\n")),
        "{cmd}"
    );
    assert_eq!(
        sandbox.emulator.count("exchange"),
        1,
        "fresh credentials are printed as stored"
    );
}

#[test]
fn a_long_term_key_clears_a_stale_token() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&json!({"current": "ak", "profiles": [
        {"name": "ak", "mode": "AK", "access_key_id": "LTAIkey", "access_key_secret": "sec"}]}));
    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().unwrap();
        let script = format!(
            "export ALIBABA_CLOUD_SECURITY_TOKEN=stale; eval \"$(\"$ALICLI\" export-credentials)\"; {}",
            posix_dump()
        );
        let outcome = shell(&sandbox, dir.path(), "sh", &["-c"], &script);
        assert_eq!(
            values(&outcome),
            ["LTAIkey", "sec", "UNSET", "UNSET", "UNSET"]
        );
    }
    let external: Value = serde_json::from_str(
        &sandbox
            .run(&["export-credentials", "--format", "external"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        external,
        json!({"mode": "AK", "access_key_id": "LTAIkey", "access_key_secret": "sec"})
    );
}

#[test]
fn fresh_credentials_need_no_network_and_min_ttl_renews_early() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // Nothing listens on port 9: any request would fail.
    let outcome: Outcome = sandbox
        .cmd()
        .args(["export-credentials", "--format", "json"])
        .env("ALICLI_OAUTH_URL", "http://127.0.0.1:9")
        .output()
        .unwrap()
        .into();
    outcome.success();
    sandbox
        .run(&["export-credentials", "--min-ttl", "50m"])
        .success();
    assert_eq!(sandbox.emulator.count("exchange"), 1);

    let outcome = sandbox
        .run(&["export-credentials", "--min-ttl", "2h"])
        .success();
    assert_eq!(
        sandbox.emulator.count("exchange"),
        2,
        "renewed for --min-ttl"
    );
    assert!(
        outcome.stderr.contains("less than --min-ttl 2h00m"),
        "{}",
        outcome.stderr
    );
    sandbox.edit_profile("work", json!({"sts_expiration": now() + 600}));
    sandbox
        .run(&["export-credentials", "--min-ttl", "900"])
        .success();
    assert_eq!(sandbox.emulator.count("exchange"), 3, "default-like 15 min");
    let outcome = sandbox
        .run(&["export-credentials", "--min-ttl", "5x"])
        .code(2);
    assert!(
        outcome.stderr.contains("not a duration"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn an_expired_session_asks_for_a_sign_in() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let outcome = sandbox.run(&["export-credentials"]).code(4);
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome
            .stderr
            .contains("hint: sign in again with `alicli login --profile work"),
        "{}",
        outcome.stderr
    );
}

fn external_profile(sandbox: &Sandbox, name: &str, target: &str) {
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(json!({
        "name": name, "mode": "External",
        "process_command": format!("{} export-credentials --profile {target} --format external", quote(ALICLI)),
    }));
    sandbox.write_config(&config);
}

#[test]
fn alicli_signs_with_an_external_profile() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    external_profile(&sandbox, "ext", "work");
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "ext"])
        .success();
    assert!(outcome.stdout.contains("user/alice"), "{}", outcome.stdout);
    let json: Value = serde_json::from_str(
        &sandbox
            .run(&["export-credentials", "--profile", "ext", "--format", "json"])
            .success()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json["access_key_id"],
        sandbox.profile("work")["access_key_id"]
    );
    assert_eq!(json["profile"], "ext");
}

#[test]
fn a_self_referencing_external_profile_trips_the_guard() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    external_profile(&sandbox, "loop", "loop");
    let started = std::time::Instant::now();
    let outcome = sandbox
        .run(&["export-credentials", "--profile", "loop"])
        .code(1);
    assert!(started.elapsed().as_secs() < 20);
    assert_eq!(outcome.stdout, "");
    assert!(
        outcome.stderr.contains(
            "error: refusing to run the `process_command` of profile `loop`: alicli is already nested 4 deep (ALICLI_DEPTH=4)"
        ),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("hint: make `process_command` of profile `loop`"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .trim_end()
            .ends_with("caused by: it exited with code 1"),
        "the outermost error comes last: {}",
        outcome.stderr
    );
}
