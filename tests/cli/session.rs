//! `alicli session validate | refresh | terminate` and `alicli logout`: exit codes, the `--json`
//! shapes (insta snapshots, times and durations redacted), and what reaches the server.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{Outcome, Sandbox, now};

/// Times vary from run to run; the snapshot keeps their shape (and the sign of `expires_in`).
pub fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let is_time = key.ends_with("expires_at") || key.ends_with("_until");
                match value {
                    Value::String(_) if is_time => *value = "[time]".into(),
                    Value::Number(n) if key == "expires_in" => {
                        let sign = if n.as_i64().unwrap() >= 0 { "+" } else { "-" };
                        *value = format!("[{sign}seconds]").into();
                    }
                    _ => redact_json(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

fn is_timestamp(chars: &[char]) -> bool {
    const SHAPE: &str = "dddd-dd-ddTdd:dd:ddZ";
    chars.len() >= SHAPE.len()
        && SHAPE.chars().zip(chars).all(|(want, &got)| match want {
            'd' => got.is_ascii_digit(),
            other => other == got,
        })
}

/// Stderr with the home directory, request ids, RFC 3339 times and "(in 53 min)" replaced by
/// placeholders.
pub fn redact_text(text: &str, home: &Path) -> String {
    let mut text = text.replace(home.to_str().unwrap(), "[HOME]");
    for marker in ["(request id ", "(RequestId "] {
        let mut from = 0;
        while let Some(start) = text[from..].find(marker).map(|i| from + i + marker.len()) {
            let end = text[start..].find(')').map_or(text.len(), |i| start + i);
            text.replace_range(start..end, "[id]");
            from = start;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if is_timestamp(&chars[i..]) {
            out.push_str("[time]");
            i += 20;
            let rest: String = chars[i..].iter().take(40).collect();
            if rest.starts_with(" (")
                && let Some(end) = rest.find(')')
            {
                let inner = &rest[2..end];
                out.push_str(if inner.starts_with("in ") {
                    " (in …)"
                } else {
                    " (… ago)"
                });
                i += rest[..=end].chars().count();
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn json_of(outcome: &Outcome) -> Value {
    let mut value: Value = serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", outcome.stdout));
    redact_json(&mut value);
    value
}

fn assert_no_secret(sandbox: &Sandbox, outcome: &Outcome) {
    for secret in sandbox.emulator.secrets() {
        assert!(!outcome.stdout.contains(&secret), "stdout leaks a secret");
        assert!(!outcome.stderr.contains(&secret), "stderr leaks a secret");
    }
}

#[test]
fn validate_local_is_offline_and_exits_0_valid_0_renewable_4_expired() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let home = sandbox.home.path();
    let before = sandbox.emulator.stats();

    let valid = sandbox
        .run(&["session", "validate", "--local", "--json"])
        .success();
    insta::assert_json_snapshot!("validate_local_valid", json_of(&valid));
    insta::assert_snapshot!(
        "validate_local_valid_stderr",
        redact_text(&valid.stderr, home)
    );
    assert_no_secret(&sandbox, &valid);

    sandbox.edit_profile("work", json!({"sts_expiration": now() - 60}));
    let renewable = sandbox
        .run(&[
            "session",
            "validate",
            "--local",
            "--json",
            "--profile",
            "work",
        ])
        .success();
    insta::assert_json_snapshot!("validate_local_renewable", json_of(&renewable));
    insta::assert_snapshot!(
        "validate_local_renewable_stderr",
        redact_text(&renewable.stderr, home)
    );

    sandbox.edit_profile(
        "work",
        json!({"oauth_access_token_expire": now() - 60, "oauth_refresh_token_expire": now() - 30}),
    );
    let expired = sandbox
        .run(&["session", "validate", "--local", "--json"])
        .code(4);
    insta::assert_json_snapshot!("validate_local_expired", json_of(&expired));
    insta::assert_snapshot!(
        "validate_local_expired_stderr",
        redact_text(&expired.stderr, home)
    );
    assert_eq!(sandbox.emulator.stats(), before, "--local makes no request");
}

#[test]
fn validate_asks_the_server_and_exits_4_when_the_grant_is_gone() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let home = sandbox.home.path();
    let checked = sandbox.run(&["session", "validate", "--json"]).success();
    insta::assert_json_snapshot!("validate_server_valid", json_of(&checked));
    insta::assert_snapshot!(
        "validate_server_valid_stderr",
        redact_text(&checked.stderr, home)
    );
    assert_eq!(
        sandbox.emulator.count("sts_ok"),
        2,
        "GetCallerIdentity was called"
    );

    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": now() - 60, "oauth_access_token_expire": now() - 60}),
    );
    let refused = sandbox.run(&["session", "validate", "--json"]).code(4);
    insta::assert_json_snapshot!("validate_server_refused", json_of(&refused));
    insta::assert_snapshot!(
        "validate_server_refused_stderr",
        redact_text(&refused.stderr, home)
    );
    assert_no_secret(&sandbox, &refused);
}

#[test]
fn refresh_gets_a_new_token_and_credentials_now() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let old = sandbox.profile("work");
    let refreshed = sandbox.run(&["session", "refresh", "--json"]).success();
    insta::assert_json_snapshot!("refresh", json_of(&refreshed));
    insta::assert_snapshot!(
        "refresh_stderr",
        redact_text(&refreshed.stderr, sandbox.home.path())
    );
    let new = sandbox.profile("work");
    assert_ne!(new["access_key_id"], old["access_key_id"]);
    assert_ne!(
        new["oauth_refresh_token"], old["oauth_refresh_token"],
        "rotated"
    );
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
    assert_eq!(sandbox.emulator.count("exchange"), 2);
    assert_no_secret(&sandbox, &refreshed);

    sandbox.emulator.revoke_all();
    let refused = sandbox.run(&["session", "refresh"]).code(4);
    assert!(
        refused.stderr.contains("invalid_grant"),
        "{}",
        refused.stderr
    );
    assert!(
        refused
            .stderr
            .contains("hint: sign in again with `alicli login --profile work"),
        "{}",
        refused.stderr
    );
}

#[test]
fn terminate_delete_profile_removes_it_and_says_issued_credentials_live_on() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.sign_in("other");
    let ended = sandbox
        .run(&[
            "session",
            "terminate",
            "--profile",
            "other",
            "--delete-profile",
            "--json",
        ])
        .success();
    insta::assert_json_snapshot!("terminate", json_of(&ended));
    insta::assert_snapshot!(
        "terminate_stderr",
        redact_text(&ended.stderr, sandbox.home.path())
    );
    let config = sandbox.config();
    let names: Vec<&str> = config["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["work"]);
    assert_eq!(
        config["current"], "work",
        "current moves as with `configure delete`: to the first remaining profile"
    );
    assert_eq!(
        sandbox.emulator.count("revoke"),
        0,
        "no endpoint configured"
    );

    let gone = sandbox
        .run(&["session", "validate", "--local", "--profile", "other"])
        .code(4);
    assert!(
        gone.stderr.contains("profile `other` is not in"),
        "{}",
        gone.stderr
    );

    // `logout` is the same command; with no profile left, `current` is emptied.
    let last = sandbox
        .run(&["logout", "--profile", "work", "--delete-profile"])
        .success();
    assert!(
        last.stderr.contains("No profiles are left."),
        "{}",
        last.stderr
    );
    assert_eq!(sandbox.config()["profiles"], json!([]));
    assert_eq!(sandbox.config()["current"], "");
}

#[test]
fn terminate_keeps_the_settings_only() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let ended = sandbox.run(&["session", "terminate", "--json"]).success();
    insta::assert_json_snapshot!("terminate_keep_profile", json_of(&ended));
    // The flag of older scripts still works, and ending an ended session removes nothing.
    let again = sandbox
        .run(&["session", "terminate", "--keep-profile"])
        .success();
    assert!(
        again.stderr.contains("removed nothing: it held no session"),
        "{}",
        again.stderr
    );
    let profile = sandbox.profile("work");
    assert_eq!(profile["mode"], "OAuth");
    assert_eq!(profile["region_id"], "cn-hangzhou");
    for key in [
        "oauth_access_token",
        "oauth_refresh_token",
        "access_key_secret",
        "sts_token",
    ] {
        assert_eq!(profile[key], "", "{key} is emptied");
    }
    assert_eq!(profile["sts_expiration"], 0);
    assert!(profile.get("alicli_account_id").is_none());
    sandbox.run(&["session", "validate", "--local"]).code(4);
}

#[test]
fn terminate_revokes_the_grant_at_a_configured_endpoint() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let signed_in = sandbox.config();
    let revoke_url = format!("{}/v1/revoke", sandbox.emulator.url);
    let outcome: Outcome = sandbox
        .cmd()
        .args(["session", "terminate", "--json"])
        .env("ALICLI_REVOKE_URL", &revoke_url)
        .output()
        .unwrap()
        .into();
    let outcome = outcome.success();
    assert_eq!(json_of(&outcome)["revocation"], "revoked");
    assert!(
        outcome.stderr.contains("revoked at the server"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.emulator.count("revoke"), 1);
    assert_eq!(sandbox.emulator.count("revoked_grants"), 1);

    // A copy of the tokens taken before the logout no longer renews.
    sandbox.write_config(&signed_in);
    sandbox.run(&["session", "refresh"]).code(4);
}

#[test]
fn a_failed_revocation_removes_nothing() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1/revoke", closed.local_addr().unwrap());
    drop(closed);
    let outcome: Outcome = sandbox
        .cmd()
        .args(["logout"])
        .env("ALICLI_REVOKE_URL", &url)
        .output()
        .unwrap()
        .into();
    let outcome = outcome.code(1);
    assert!(
        outcome.stderr.contains("nothing was removed"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("--no-revoke"), "{}", outcome.stderr);
    assert_eq!(sandbox.profile("work")["mode"], "OAuth");
}

#[test]
fn session_commands_but_validate_refuse_profiles_that_are_not_oauth() {
    let sandbox = Sandbox::new();
    sandbox.write_config(&json!({
        "current": "ak",
        "profiles": [{"name": "ak", "mode": "AK", "access_key_id": "id", "access_key_secret": "s"}]
    }));
    for args in [&["session", "refresh"][..], &["logout"]] {
        let outcome = sandbox.run(args).code(1);
        assert!(
            outcome.stderr.contains("has mode `AK`"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    // validate checks any profile: keys that do not expire are valid.
    let outcome = sandbox
        .run(&["session", "validate", "--local", "--json"])
        .success();
    assert!(
        outcome.stderr.contains("do not expire"),
        "{}",
        outcome.stderr
    );
    let json: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(json["status"], "valid");
}

#[test]
fn validate_local_builds_no_http_client() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // An HTTPS_PROXY that cannot be parsed fails any command that sets up the HTTP client.
    let with_bad_proxy = |args: &[&str]| -> Outcome {
        sandbox
            .cmd()
            .args(args)
            .env("HTTPS_PROXY", "http://[not-a-host")
            .output()
            .unwrap()
            .into()
    };
    let networked = with_bad_proxy(&["session", "validate"]).code(1);
    assert!(
        networked.stderr.contains("invalid HTTPS_PROXY"),
        "{}",
        networked.stderr
    );
    with_bad_proxy(&["session", "validate", "--local"]).success();
}
