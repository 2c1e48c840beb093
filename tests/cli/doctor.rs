//! `alicli doctor` and clock skew: each check with its fix, exit 0 only when all pass.

use std::net::TcpListener;

use serde_json::{Value, json};

use crate::support::tls::CorporateNetwork;
use crate::support::{Outcome, Sandbox, default_ports_lock};

fn doctor(sandbox: &Sandbox, args: &[&str]) -> Outcome {
    let mut all = vec!["doctor"];
    all.extend_from_slice(args);
    sandbox.run(&all)
}

fn doctor_json(sandbox: &Sandbox) -> (i32, Value) {
    let outcome = doctor(sandbox, &["--json"]);
    (outcome.code, serde_json::from_str(&outcome.stdout).unwrap())
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no `{name}` check in {report:#}"))
}

#[test]
fn a_healthy_setup_passes_every_check_and_exits_0() {
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let outcome = doctor(&sandbox, &[]).success();
    assert_eq!(outcome.stderr, "");
    let url = &sandbox.emulator.url;
    for line in [
        format!(
            "✓ profile file: `{}` parses (1 profile)",
            sandbox.config_path().display()
        ),
        "✓ profile file permissions: mode 0600, private to you".to_owned(),
        "✓ current profile: `work` (mode OAuth)".to_owned(),
        "✓ proxy: none set (HTTPS_PROXY, HTTP_PROXY): connections are direct".to_owned(),
        "✓ TLS trust: the bundled roots and the OS trust store".to_owned(),
        format!(
            "✓ STS endpoint: `{url}/` (direct): DNS 127.0.0.1, TCP, plain HTTP (loopback), HTTP 400"
        ),
        "✓ browser: BROWSER=".to_owned(),
    ] {
        assert!(
            outcome.stdout.contains(&line),
            "missing `{line}` in:\n{}",
            outcome.stdout
        );
    }
    for prefix in [
        "✓ profile expiry: STS credentials expire in ",
        "✓ clock: within ",
        "✓ callback ports: ",
    ] {
        assert!(
            outcome.stdout.contains(prefix),
            "missing `{prefix}` in:\n{}",
            outcome.stdout
        );
    }
    assert!(!outcome.stdout.contains('✗'), "{}", outcome.stdout);

    let (code, report) = doctor_json(&sandbox);
    assert_eq!(code, 0);
    assert_eq!(report["ok"], true);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "pass"),
        "{report:#}"
    );
    assert_eq!(
        sandbox.emulator.count("exchange"),
        1,
        "doctor renews nothing"
    );
}

#[test]
fn each_problem_is_named_with_its_fix_and_exits_1() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0, "oauth_refresh_token": ""}),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = sandbox.config_path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    // The server's clock is 15 minutes ahead of ours.
    sandbox.emulator.set(json!({"clock_offset_secs": 900}));

    let outcome = doctor(&sandbox, &[]).code(1);
    for line in [
        "✗ clock: the local clock is 15 min behind the server's; signatures and expiry checks will fail\n    fix: set the system clock right".to_owned(),
        "✗ profile expiry: no STS credentials".to_owned(),
        "    fix: sign in again with `alicli login --profile work`".to_owned(),
    ] {
        assert!(outcome.stdout.contains(&line), "missing `{line}` in:\n{}", outcome.stdout);
    }
    #[cfg(unix)]
    assert!(
        outcome.stdout.contains(&format!(
            "✗ profile file permissions: mode 0644 lets other users read your tokens and keys\n    fix: chmod 600 {}\n",
            sandbox.config_path().display()
        )),
        "{}",
        outcome.stdout
    );
    assert!(outcome.stderr.starts_with("error: "), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("checks failed"),
        "{}",
        outcome.stderr
    );

    let (code, report) = doctor_json(&sandbox);
    assert_eq!(code, 1);
    assert_eq!(report["ok"], false);
    assert_eq!(check(&report, "clock")["status"], "fail");
    assert_eq!(check(&report, "STS endpoint")["status"], "pass");

    // A current profile that is not in the file, asked for by name.
    let outcome = doctor(&sandbox, &["--profile", "ghost"]).code(1);
    assert!(
        outcome.stdout.contains("✗ profile: `ghost` is not in the file (it has `work`)\n    fix: sign in with `alicli login --profile ghost`"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn a_broken_or_missing_file_and_an_unreachable_endpoint_are_named() {
    let sandbox = Sandbox::new();
    let outcome = doctor(&sandbox, &[]).code(1);
    assert!(
        outcome
            .stdout
            .contains("does not exist yet\n    fix: sign in with `alicli login`"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("– profile expiry") || !outcome.stdout.contains("profile expiry")
    );

    crate::support::write_file(&sandbox.config_path(), b"{ not json");
    // Nothing listens on the port of a listener just closed.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let outcome: Outcome = sandbox
        .cmd()
        .args(["doctor"])
        .env("ALIBABA_CLOUD_STS_ENDPOINT", format!("http://{closed}"))
        .output()
        .unwrap()
        .into();
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
    assert!(
        outcome.stdout.contains("✗ profile file: "),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("is not valid JSON"),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains(&format!(
            "✗ STS endpoint: `http://{closed}/` (direct): TCP: cannot connect to 127.0.0.1:{}",
            closed.port()
        )),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("✓ OAuth endpoint"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn all_callback_ports_busy_is_a_failure_with_the_flag_as_fix() {
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let _held: Vec<TcpListener> = (12345..=12349)
        .filter_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
        .collect();
    let outcome = doctor(&sandbox, &[]).code(1);
    assert!(
        outcome.stdout.contains(
            "✗ callback ports: 127.0.0.1 ports 12345, 12346, 12347, 12348, 12349 are all in use"
        ),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome.stdout.contains("--callback-port PORT"),
        "{}",
        outcome.stdout
    );
}

#[test]
fn doctor_names_the_proxy_and_the_missing_ca_bundle() {
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let emulator = sandbox.emulator.url.strip_prefix("http://").unwrap();
    let net = CorporateNetwork::start(emulator, sandbox.home.path());
    let run = |extra: &[&str]| -> Outcome {
        sandbox
            .cmd()
            .env("HTTPS_PROXY", &net.proxy_url)
            .env("NO_PROXY", "internal.example")
            .env("ALIBABA_CLOUD_STS_ENDPOINT", "https://sts.emulator.test")
            .arg("doctor")
            .args(extra)
            .output()
            .unwrap()
            .into()
    };
    let proxy = format!("{}/", net.proxy_url);
    let untrusted = run(&[]).code(1);
    assert!(
        untrusted.stdout.contains(&format!(
            "✗ STS endpoint: `https://sts.emulator.test/` (via proxy `{proxy}`): TLS: the server's certificate is not trusted"
        )),
        "{}",
        untrusted.stdout
    );
    assert!(untrusted.stdout.contains("    fix: the server's certificate is not signed by a trusted CA; if a proxy inspects TLS, give its CA certificate with `--ca-bundle FILE`"), "{}", untrusted.stdout);
    assert!(
        untrusted.stdout.contains(&format!(
            "✓ proxy: HTTPS_PROXY=`{}`, NO_PROXY=`internal.example`; loopback is always direct",
            net.proxy_url
        )),
        "{}",
        untrusted.stdout
    );

    let trusted = run(&["--ca-bundle", net.ca_bundle.to_str().unwrap()]).success();
    assert!(
        trusted.stdout.contains(&format!(
            "✓ STS endpoint: `https://sts.emulator.test/` (via proxy `{proxy}`): DNS 127.0.0.1, TCP, TLS, HTTP 400"
        )),
        "{}",
        trusted.stdout
    );
    assert!(
        trusted.stdout.contains(
            "✓ TLS trust: the bundled roots and the OS trust store, and 1 certificate(s) from"
        ),
        "{}",
        trusted.stdout
    );
}

#[test]
fn a_refused_call_on_a_skewed_clock_names_the_clock() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.emulator.set(json!({"clock_offset_secs": 1200}));
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(1);
    assert!(
        outcome.stderr.starts_with(
            "error: the local clock is 20 min behind the server's: signatures and expiry checks fail on a skewed clock\n"
        ),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("InvalidTimeStamp.Expired"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.ends_with("hint: set the system clock right (e.g. enable time sync with `sudo timedatectl set-ntp true`), then run the command again\n"),
        "{}",
        outcome.stderr
    );
    // A small difference is nobody's business.
    sandbox.emulator.set(json!({"clock_offset_secs": 60}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
}

#[test]
fn an_expired_refresh_token_is_a_failure_and_a_renewable_session_is_not() {
    // Expects exit 0, so no other test may hold the default callback ports meanwhile.
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let now = crate::support::now();
    // STS expired but the refresh token works: alicli renews without a browser.
    sandbox.edit_profile("work", json!({"sts_expiration": now - 60}));
    let (code, report) = doctor_json(&sandbox);
    assert_eq!(code, 0, "{report:#}");
    let expiry = check(&report, "profile expiry");
    assert_eq!(expiry["status"], "pass");
    assert!(
        expiry["detail"]
            .as_str()
            .unwrap()
            .starts_with("STS credentials expired 1 min ago"),
        "{expiry}"
    );
    // The refresh token expired too, and the access token: only a sign-in helps.
    sandbox.edit_profile(
        "work",
        json!({"oauth_refresh_token_expire": now - 3600, "oauth_access_token_expire": now - 60}),
    );
    let (code, report) = doctor_json(&sandbox);
    assert_eq!(code, 1);
    let expiry = check(&report, "profile expiry");
    assert_eq!(expiry["status"], "fail");
    assert!(
        expiry["detail"]
            .as_str()
            .unwrap()
            .contains("the refresh token expired 1 h 0 min ago"),
        "{expiry}"
    );
    assert_eq!(
        expiry["fix"],
        "sign in again with `alicli login --profile work`"
    );
}

#[test]
fn a_profile_file_other_tools_do_not_read_is_pointed_out_without_failing() {
    let _ports = default_ports_lock();
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let elsewhere = sandbox.home.path().join("elsewhere.json");
    std::fs::copy(sandbox.config_path(), &elsewhere).unwrap();
    let run = |file: &std::path::Path| -> (i32, Value) {
        let outcome: Outcome = sandbox
            .cmd()
            .args(["doctor", "--json"])
            .env("ALIBABA_CLOUD_CONFIG_FILE", file)
            .output()
            .unwrap()
            .into();
        (outcome.code, serde_json::from_str(&outcome.stdout).unwrap())
    };
    let (code, report) = run(&elsewhere);
    assert_eq!(code, 0, "a warning is not a failure: {report:#}");
    let shared = check(&report, "shared profile file");
    assert_eq!(shared["status"], "warn");
    let detail = shared["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("ALIBABA_CLOUD_CONFIG_FILE points alicli at ")
            && detail.contains(&sandbox.config_path().display().to_string()),
        "{detail}"
    );
    assert!(shared["fix"].as_str().unwrap().contains("alicli exec"));

    // Pointing the variable at the default file itself is fine.
    let (_, report) = run(&sandbox.config_path());
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"shared profile file"), "{names:?}");
}
