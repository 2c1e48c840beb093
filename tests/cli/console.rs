//! `alicli console`: the federation sign-in URL (printed or opened), single use, on the
//! profile's site, and the refusal of a user's own STS credentials explained.

use std::collections::HashMap;

use serde_json::json;

use crate::support::{Outcome, Sandbox, http, quote, write_file};

fn query(url: &str) -> HashMap<String, String> {
    url::Url::parse(url.trim())
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn print_to(sandbox: &Sandbox, destination: &str) -> Outcome {
    sandbox.run(&[
        "console",
        "-p",
        "work",
        "--print",
        "--destination",
        destination,
    ])
}

#[test]
fn print_gives_a_single_use_login_url_on_the_profiles_site() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome = sandbox.run(&["console", "-p", "work", "--print"]).success();
    let url = outcome.stdout.trim();
    assert!(
        url.starts_with(&format!("{}/federation?", sandbox.emulator.url)),
        "{url}"
    );
    let params = query(url);
    assert_eq!(params["Action"], "Login");
    assert_eq!(params["Destination"], "https://home.console.aliyun.com/");
    assert_eq!(sandbox.emulator.count("signin_token"), 1);
    outcome.says("30 s");

    // The emulator's Login redirects once to the destination; the token is spent then.
    let (status, _) = http("GET", url, None);
    assert_eq!(status, 302);
    let (status, _) = http("GET", url, None);
    assert_eq!(status, 403, "a sign-in token works once");

    sandbox
        .set("work", &["--oauth-site-type", "INTL"])
        .success();
    let outcome = print_to(&sandbox, "https://ecs.console.alibabacloud.com/#/server").success();
    let params = query(&outcome.stdout);
    assert_eq!(
        params["Destination"],
        "https://ecs.console.alibabacloud.com/#/server"
    );
    assert_eq!(params["LoginUrl"], "https://home.console.alibabacloud.com/");
}

#[test]
fn the_browser_gets_the_url_and_no_credentials() {
    let mut sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let seen = sandbox.home.path().join("browser-saw");
    let script = sandbox.home.path().join("browser.sh");
    write_file(
        &script,
        format!(
            "#!/bin/sh\n{{ echo \"$1\"; env; }} > {}\n",
            quote(seen.to_str().unwrap())
        )
        .as_bytes(),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    sandbox.browser = quote(script.to_str().unwrap());
    let leaks = [
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIleak"),
        ("ALICLOUD_SECRET_KEY", "leak-secret"),
        ("ALICLI_SESSION_PASSPHRASE", "leak-passphrase"),
    ];
    let outcome = sandbox
        .run_env(&["console", "-p", "work"], &leaks)
        .success();
    assert!(outcome.stdout.is_empty(), "{}", outcome.stdout);
    outcome.says("Opened");
    let saw = std::fs::read_to_string(&seen).unwrap();
    let url = saw.lines().next().unwrap();
    assert_eq!(query(url)["Action"], "Login");
    for (_, leak) in leaks {
        assert!(!saw.contains(leak), "the browser saw {leak}");
    }
}

#[test]
fn no_token_is_spent_where_no_browser_can_open_and_bad_destinations_are_refused() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome: Outcome = sandbox
        .cmd()
        .args(["console", "-p", "work"])
        .env_remove("BROWSER")
        .env("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
        .output()
        .unwrap()
        .into();
    let outcome = outcome.code(1);
    outcome.says("--print");
    let outcome = print_to(&sandbox, "https://evil.example/").code(2);
    outcome.says("aliyun.com");
    assert_eq!(sandbox.emulator.count("signin_token"), 0);
}

#[test]
fn a_refused_user_sts_is_explained_with_the_role_profile_to_make() {
    let sandbox = Sandbox::with_settings(json!({"console_refuses_user_sts": true}));
    sandbox.sign_in("work");
    let outcome = sandbox.run(&["console", "-p", "work", "--print"]).code(1);
    assert!(outcome.stdout.is_empty());
    outcome.says("role sessions");
    outcome.says("--mode ChainableRamRoleArn --source-profile work --ram-role-arn acs:ram::1234567890123456:role/");
}
