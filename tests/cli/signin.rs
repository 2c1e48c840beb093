//! `alicli login` (and `alicli configure`): the browser sign-in, end to end against the emulator.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Outcome, Sandbox, emulator, now, quote, test_program};

#[test]
fn sign_in_saves_an_oauth_profile_and_reports_who_signed_in() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.sign_in("work");
    assert_eq!(outcome.stdout, "", "sign-in prints nothing on stdout");
    let path = sandbox.config_path();
    assert!(
        outcome.stderr.contains(&format!(
            "Signed in as acs:ram::1234567890123456:user/alice (account 1234567890123456). Profile `work` saved to {}.",
            path.display()
        )),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("SignIn url: "),
        "the URL is always shown: {}",
        outcome.stderr
    );

    let config = sandbox.config();
    assert_eq!(config["current"], "work");
    let profile = sandbox.profile("work");
    assert_eq!(profile["mode"], "OAuth");
    assert_eq!(profile["oauth_site_type"], "CN");
    assert_eq!(profile["region_id"], "cn-hangzhou");
    assert_eq!(profile["output_format"], "json");
    assert_eq!(profile["language"], "en");
    assert!(
        profile["access_key_id"]
            .as_str()
            .unwrap()
            .starts_with("STS.")
    );
    for key in [
        "oauth_access_token",
        "oauth_refresh_token",
        "access_key_secret",
        "sts_token",
    ] {
        assert!(
            !profile[key].as_str().unwrap().is_empty(),
            "{key} is filled"
        );
    }
    // The SDKs read these as integers; a string or a float breaks the Python SDK.
    for key in ["oauth_access_token_expire", "sts_expiration"] {
        let at = profile[key]
            .as_i64()
            .unwrap_or_else(|| panic!("{key} is an integer"));
        assert!(at > now() + 3000, "{key} is about an hour ahead");
    }

    let stats = sandbox.emulator.stats();
    assert_eq!(stats["authorize"], 1);
    assert_eq!(stats["token_code"], 1);
    assert_eq!(stats["exchange"], 1);
    assert_eq!(
        stats["sts_ok"], 1,
        "the profile is checked with GetCallerIdentity"
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "config.json is private");
        let dir_mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir_mode, 0o700, "~/.aliyun is private");
    }
}

#[test]
fn a_wrong_state_is_refused_and_the_right_one_still_accepted() {
    let mut sandbox = Sandbox::new();
    sandbox.browser = format!("{} browse --wrong-state-first", quote(emulator()));
    sandbox.sign_in("work");
    assert_eq!(sandbox.emulator.count("token_code"), 1);
}

#[test]
fn denied_consent_ends_the_sign_in_with_the_servers_words_and_writes_nothing() {
    let sandbox = Sandbox::with_settings(json!({"deny": true}));
    let outcome = sandbox
        .configure(&["--profile", "work", "--region", "cn-hangzhou"])
        .code(4);
    assert!(
        outcome.stderr.contains("access_denied"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("The user denied the authorization request."),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("hint: "), "{}", outcome.stderr);
    assert!(!sandbox.config_path().exists());
    assert_eq!(sandbox.emulator.count("token_code"), 0);
}

#[test]
fn no_callback_within_the_timeout_fails_and_writes_nothing() {
    let mut sandbox = Sandbox::new();
    sandbox.browser = quote(test_program()); // a browser that never signs in
    let started = Instant::now();
    let outcome = sandbox
        .configure(&["--region", "cn-hangzhou", "--timeout", "1"])
        .code(1);
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        outcome.stderr.contains("no sign-in arrived within 1 s"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("--timeout"), "{}", outcome.stderr);
    assert!(!sandbox.config_path().exists());
}

#[test]
fn all_five_default_ports_busy_names_them_and_the_flag() {
    let _ports = crate::support::default_ports_lock();
    let sandbox = Sandbox::new();
    // Hold every default port; one held by someone else is just as busy.
    let _held: Vec<TcpListener> = (12345..=12349)
        .filter_map(|port| TcpListener::bind(("127.0.0.1", port)).ok())
        .collect();
    let outcome = sandbox
        .run(&["configure", "--mode", "OAuth", "--region", "cn-hangzhou"])
        .code(1);
    for port in 12345..=12349 {
        assert!(
            outcome.stderr.contains(&port.to_string()),
            "names {port}: {}",
            outcome.stderr
        );
    }
    assert!(
        outcome.stderr.contains("--callback-port"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.emulator.count("authorize"), 0);
}

#[test]
fn a_missing_region_without_a_terminal_names_the_flag() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.configure(&[]).code(2);
    assert!(outcome.stderr.contains("--region"), "{}", outcome.stderr);
    assert_eq!(
        sandbox.emulator.count("authorize"),
        0,
        "nothing happens before the region is known"
    );
}

#[test]
fn site_and_region_default_to_the_stored_profile_on_a_second_sign_in() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&[
            "configure",
            "--profile",
            "intl",
            "--mode",
            "oauth",
            "--oauth-site-type",
            "1",
            "--region",
            "ap-southeast-1",
            "--callback-port",
            "0",
        ])
        .success();
    assert_eq!(sandbox.profile("intl")["oauth_site_type"], "INTL");
    sandbox.configure(&["--profile", "intl"]).success();
    let profile = sandbox.profile("intl");
    assert_eq!(profile["oauth_site_type"], "INTL");
    assert_eq!(profile["region_id"], "ap-southeast-1");
}

#[test]
fn the_browser_does_not_inherit_alibaba_cloud_variables() {
    let mut sandbox = Sandbox::new();
    let env_dump = sandbox.home.path().join("browser-env.txt");
    sandbox.browser = format!(
        "sh -c {} sh %s",
        quote(&format!(
            "env > {}; exec {} browse \"$1\"",
            quote(env_dump.to_str().unwrap()),
            quote(emulator())
        ))
    );
    sandbox
        .cmd()
        .args([
            "configure",
            "--mode",
            "OAuth",
            "--region",
            "cn-hangzhou",
            "--callback-port",
            "0",
        ])
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "leaked-secret")
        .output()
        .map(crate::support::Outcome::from)
        .unwrap()
        .success();
    let env = std::fs::read_to_string(env_dump).unwrap();
    assert!(
        env.contains("HOME="),
        "the browser got an environment: {env}"
    );
    assert!(!env.contains("ALIBABA_CLOUD_"), "{env}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_waiting_exits_130_and_writes_nothing() {
    let mut sandbox = Sandbox::new();
    sandbox.browser = quote(test_program());
    let mut child = sandbox
        .cmd()
        .args([
            "configure",
            "--mode",
            "OAuth",
            "--region",
            "cn-hangzhou",
            "--callback-port",
            "0",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the waiting line, so the signal lands while the listener is up.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("Waiting for the sign-in") {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).unwrap() > 0,
            "alicli ended early"
        );
    }
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!sandbox.config_path().exists());
}

#[test]
fn without_profile_the_sign_in_goes_to_the_profile_other_commands_use() {
    let sandbox = Sandbox::new();
    let names = |sandbox: &Sandbox| -> Vec<String> {
        sandbox.config()["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Nothing selected: `default`.
    let outcome = sandbox.configure(&["--region", "cn-hangzhou"]).success();
    assert!(
        outcome
            .stderr
            .starts_with("Signing in profile `default` (no profile is selected).\n"),
        "{}",
        outcome.stderr
    );
    sandbox.sign_in("work");
    let before = sandbox.profile("work")["oauth_refresh_token"].clone();

    // The current profile, not a new `default`.
    let outcome = sandbox.configure(&[]).success();
    assert!(
        outcome
            .stderr
            .starts_with("Signing in profile `work` (the current profile).\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(names(&sandbox), ["default", "work"]);
    assert_ne!(sandbox.profile("work")["oauth_refresh_token"], before);

    // The environment's profile comes before `current`, as for every other command.
    let outcome: Outcome = sandbox
        .cmd()
        .args(["configure", "--mode", "OAuth", "--callback-port", "0"])
        .args(["--region", "cn-beijing"])
        .env("ALIBABA_CLOUD_PROFILE", "from-env")
        .output()
        .unwrap()
        .into();
    let outcome = outcome.success();
    assert!(
        outcome
            .stderr
            .starts_with("Signing in profile `from-env` (named by ALIBABA_CLOUD_PROFILE).\n"),
        "{}",
        outcome.stderr
    );
    assert_eq!(names(&sandbox), ["default", "work", "from-env"]);
    assert_eq!(sandbox.config()["current"], "from-env");
}

#[test]
fn without_profile_a_current_profile_of_another_mode_is_not_converted() {
    let sandbox = Sandbox::new();
    let file = json!({"current": "ci", "profiles": [
        {"name": "ci", "mode": "AK", "access_key_id": "LTAIkey", "access_key_secret": "keep-me"}]});
    sandbox.write_config(&file);
    let outcome = sandbox.configure(&["--region", "cn-hangzhou"]).code(2);
    assert_eq!(
        outcome.stderr,
        "error: profile `ci` (the current profile) has mode `AK`; signing it in with OAuth would \
         replace its credentials\nhint: sign in to a profile of its own: `alicli configure \
         --profile NAME --mode OAuth`\n"
    );
    assert_eq!(sandbox.config(), file, "nothing written");
    assert_eq!(sandbox.emulator.count("authorize"), 0, "no browser opened");
}
