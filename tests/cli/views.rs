//! One table of profile states and what every view says about each: `session validate --local`,
//! `configure list`, `prompt` and `doctor` read the same state, so they must agree.

use serde_json::{Value, json};

use crate::support::{Sandbox, default_ports_lock, now};

/// What the views must answer for one state.
struct Row {
    what: &'static str,
    /// Fields written over a freshly signed-in profile (`null` removes nothing: it is absent).
    patch: Value,
    /// `session validate --local`: exit code and `status`.
    validate: (i32, &'static str),
    /// `configure list --output json`: `validity`.
    list: &'static str,
    /// `prompt`, after the profile name; `"53m"`-like time left when `None`.
    prompt: Option<&'static str>,
    /// `doctor --json`: the status of `profile expiry`.
    doctor: &'static str,
}

fn rows() -> Vec<Row> {
    let (past, hour, long_past) = (now() - 60, now() + 3600, now() - 7200);
    let signed_out = json!({"oauth_access_token": "", "oauth_refresh_token": "",
        "access_key_id": "", "access_key_secret": "", "sts_token": "",
        "oauth_access_token_expire": 0, "sts_expiration": 0});
    vec![
        Row {
            what: "fresh",
            patch: json!({}),
            validate: (0, "valid"),
            list: "until",
            prompt: None,
            doctor: "pass",
        },
        Row {
            what: "STS expired, refresh token usable",
            patch: json!({"sts_expiration": past, "oauth_access_token_expire": past}),
            validate: (0, "renewable"),
            list: "until",
            prompt: Some("renewable"),
            doctor: "pass",
        },
        Row {
            what: "refresh token expired, access token alive for an hour",
            patch: json!({"sts_expiration": past, "oauth_refresh_token_expire": long_past}),
            validate: (0, "renewable"),
            list: "until",
            prompt: Some("renewable"),
            doctor: "pass",
        },
        Row {
            what: "no refresh token (Python SDK's null), access token alive",
            patch: json!({"sts_expiration": past, "oauth_refresh_token": null,
                          "oauth_refresh_token_expire": null, "oauth_access_token_expire": hour}),
            validate: (0, "renewable"),
            list: "until",
            prompt: Some("renewable"),
            doctor: "pass",
        },
        Row {
            what: "every credential expired",
            patch: json!({"sts_expiration": past, "oauth_access_token_expire": past,
                          "oauth_refresh_token_expire": long_past}),
            validate: (4, "expired"),
            list: "expired",
            prompt: Some("expired"),
            doctor: "fail",
        },
        Row {
            what: "tokens removed after a refused refresh, STS expired",
            patch: json!({"sts_expiration": past, "oauth_access_token": "",
                          "oauth_refresh_token": ""}),
            validate: (4, "expired"),
            list: "expired",
            prompt: Some("expired"),
            doctor: "fail",
        },
        Row {
            what: "tokens removed, STS still fresh",
            patch: json!({"oauth_access_token": "", "oauth_refresh_token": ""}),
            validate: (0, "valid"),
            list: "until",
            prompt: None,
            doctor: "pass",
        },
        Row {
            what: "STS within the 5-minute renewal margin, no tokens",
            patch: json!({"sts_expiration": now() + 120, "oauth_access_token": "",
                          "oauth_refresh_token": ""}),
            validate: (4, "expired"),
            list: "expired",
            prompt: Some("expired"),
            doctor: "fail",
        },
        Row {
            what: "signed out",
            patch: signed_out,
            validate: (4, "expired"),
            list: "signed_out",
            prompt: Some("signed out"),
            doctor: "fail",
        },
    ]
}

#[test]
fn every_view_agrees_on_every_state() {
    // `doctor` probes the default callback ports.
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let signed_in = sandbox.profile("work");
    for row in rows() {
        let mut profile = signed_in.clone();
        for (key, value) in row.patch.as_object().unwrap() {
            profile[key] = value.clone();
        }
        let mut config = sandbox.config();
        config["profiles"] = json!([profile]);
        sandbox.write_config(&config);
        check(&sandbox, "work", &row);
    }
}

/// Asks every view about profile `name` and compares with `row`. A sign-in, when needed, is always
/// that of `work` (the end of every chain here).
fn check(sandbox: &Sandbox, name: &str, row: &Row) {
    let what = format!("{name}: {}", row.what);

    let validate = sandbox.run(&["session", "validate", "--local", "--json", "-p", name]);
    assert_eq!(validate.code, row.validate.0, "{what}: {}", validate.stderr);
    let status: Value = serde_json::from_str(&validate.stdout).unwrap();
    assert_eq!(status["status"], row.validate.1, "{what}");

    let list = sandbox
        .run(&["configure", "list", "--output", "json"])
        .success();
    let list: Value = serde_json::from_str(&list.stdout).unwrap();
    let listed = list["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap();
    assert_eq!(listed["validity"], row.list, "{what}");

    let prompt = sandbox.run(&["prompt", "-p", name]).success().stdout;
    let shown = prompt
        .trim_end()
        .strip_prefix(&format!("{name} "))
        .unwrap_or("");
    match row.prompt {
        Some(word) => assert_eq!(shown, word, "{what}"),
        None => assert!(
            shown.ends_with('m') && shown.chars().next().unwrap().is_ascii_digit(),
            "{what}: {prompt}"
        ),
    }

    let doctor = sandbox.run(&["doctor", "--json", "-p", name]);
    let report: Value = serde_json::from_str(&doctor.stdout).unwrap();
    let expiry = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "profile expiry")
        .unwrap();
    assert_eq!(expiry["status"], row.doctor, "{what}: {expiry}");
    if row.doctor == "fail" {
        assert!(
            expiry["fix"]
                .as_str()
                .unwrap()
                .contains("alicli login --profile work"),
            "{what}: {expiry}"
        );
    }
}

/// A role chained on `work`: its own credentials, then what its source can still do.
#[test]
fn every_view_agrees_on_a_role_and_its_source() {
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    crate::roles::chain_role(&sandbox, "prod", "work", crate::roles::ADMIN).success();
    sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "prod"])
        .success();
    let signed_in = sandbox.config();
    let (past, long_past) = (now() - 60, now() - 7200);
    let due = json!({"sts_expiration": past});
    let expired = json!({"sts_expiration": past, "oauth_access_token_expire": past,
                         "oauth_refresh_token_expire": long_past});
    let signed_out = json!({"oauth_access_token": "", "oauth_refresh_token": "",
        "access_key_id": "", "access_key_secret": "", "sts_token": "", "sts_expiration": 0});
    let cases = [
        (
            json!({}),
            json!({}),
            (0, "valid"),
            "until",
            None,
            "pass",
            "both fresh",
        ),
        (
            json!({}),
            due.clone(),
            (0, "renewable"),
            "until",
            Some("renewable"),
            "pass",
            "role due, source fresh",
        ),
        (
            signed_out.clone(),
            json!({}),
            (0, "valid"),
            "until",
            None,
            "pass",
            "role fresh, source signed out",
        ),
        (
            expired,
            due.clone(),
            (4, "expired"),
            "expired",
            Some("expired"),
            "fail",
            "role due, source expired",
        ),
        (
            signed_out,
            due,
            (4, "expired"),
            "signed_out",
            Some("signed out"),
            "fail",
            "role due, source signed out",
        ),
    ];
    for (work, prod, validate, list, prompt, doctor, what) in cases {
        sandbox.write_config(&signed_in);
        sandbox.edit_profile("work", work);
        sandbox.edit_profile("prod", prod);
        let row = Row {
            what,
            patch: json!({}),
            validate,
            list,
            prompt,
            doctor,
        };
        check(&sandbox, "prod", &row);
    }
}
