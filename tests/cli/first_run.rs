//! First run and every day: `login` and `logout` as a round trip that keeps the profile's
//! settings, exit code 4 with a `login` hint whenever a sign-in is what is needed, and hints that
//! can be pasted into a shell as they are.

use std::process::Command;

use serde_json::json;

use crate::support::{ALICLI, Outcome, Sandbox, on_terminal, quote};

/// `alicli login` with `extra`, on a free port (the default ones are for tests that lock them).
fn login(sandbox: &Sandbox, extra: &[&str]) -> Outcome {
    let mut args = vec!["login", "--callback-port", "0"];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

fn hint(outcome: &Outcome) -> &str {
    outcome
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("hint: "))
        .unwrap_or_else(|| panic!("no hint in:\n{}", outcome.stderr))
}

#[test]
fn login_and_logout_are_a_round_trip_that_keeps_the_settings() {
    let sandbox = Sandbox::new();
    let first = login(&sandbox, &["--profile", "work", "--region", "cn-shanghai"]).success();
    first.says("Signed in as");
    assert_eq!(sandbox.config()["current"], "work");

    // Logging out removes the session and says what stays valid, but keeps the profile.
    let logout = sandbox.run(&["logout"]).success();
    for words in [
        "Signed out of `work`: removed its refresh token, access token and STS credentials from",
        "The profile's settings stay; sign back in with `alicli login --profile work`.",
        "STS credentials already issued stay valid until",
    ] {
        assert!(
            logout.stderr.contains(words),
            "{words:?}: {}",
            logout.stderr
        );
    }
    let profile = sandbox.profile("work");
    assert_eq!(profile["region_id"], "cn-shanghai");
    assert_eq!(profile["oauth_site_type"], "CN");
    assert_eq!(profile["oauth_refresh_token"], "");
    assert_eq!(sandbox.config()["current"], "work");
    let signed_out = sandbox.run(&["sts", "GetCallerIdentity"]).code(4);
    signed_out.says("`work` needs a new sign-in: it is not signed in");
    assert_eq!(
        hint(&signed_out),
        "sign in again with `alicli login --profile work`"
    );

    // `login` alone picks the current profile and needs nothing it already has.
    login(&sandbox, &[]).success();
    assert_eq!(sandbox.profile("work")["region_id"], "cn-shanghai");
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    // `configure` is the same sign-in, and `--mode` is no longer needed.
    sandbox
        .run(&["configure", "--profile", "work", "--callback-port", "0"])
        .success();
    assert_eq!(sandbox.emulator.count("exchange"), 3);
}

#[test]
fn login_on_a_terminal_asks_nothing_for_a_profile_that_has_its_settings() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.run(&["logout"]).success();
    let mut env = sandbox.cmd();
    env.env("PATH", std::env::var("PATH").unwrap());
    let shown = on_terminal(&env, &format!("{ALICLI} login --callback-port 0"), "").success();
    assert!(shown.stdout.contains("Signed in as"), "{}", shown.stdout);
    assert!(
        !shown.stdout.contains("OAuth Site Type") && !shown.stdout.contains("Default Region Id"),
        "asked again: {}",
        shown.stdout
    );
    // A new profile is asked for what it lacks (the answers take the defaults).
    let shown = on_terminal(
        &env,
        &format!("{ALICLI} login --profile fresh --callback-port 0"),
        "\n\n",
    )
    .success();
    assert!(
        shown.stdout.contains("OAuth Site Type") && shown.stdout.contains("Default Region Id"),
        "{}",
        shown.stdout
    );
    assert_eq!(sandbox.profile("fresh")["region_id"], "cn-hangzhou");
}

#[test]
fn logout_delete_profile_removes_it_and_current_moves_like_configure_delete() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("a");
    sandbox.sign_in("b");
    let outcome = sandbox
        .run(&["logout", "--delete-profile", "--json"])
        .success();
    let printed: serde_json::Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(printed["profile"], "b");
    assert_eq!(printed["profile_removed"], true);
    outcome.says("The current profile is now `a`.");
    assert_eq!(sandbox.config()["current"], "a");
    // Logging out of a profile that is not there is an error, not a request to sign in.
    let outcome = sandbox.run(&["logout", "--profile", "b"]).code(1);
    outcome.says("there is no session to end");
}

#[test]
fn exit_4_with_a_login_hint_whenever_a_sign_in_is_needed() {
    let sandbox = Sandbox::new();
    // A fresh machine: no profile file at all.
    for args in [
        &["sts", "GetCallerIdentity"][..],
        &["export-credentials"][..],
        &["session", "validate"][..],
        &["exec", "--", "true"][..],
    ] {
        let outcome = sandbox.run(args).code(4);
        assert!(
            outcome
                .stderr
                .contains("not signed in: there is no profile file"),
            "{args:?}: {}",
            outcome.stderr
        );
        assert_eq!(hint(&outcome), "sign in with `alicli login`", "{args:?}");
    }
    // A profile made by `configure set` and never signed in.
    sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            "new",
            "--region",
            "cn-beijing",
        ])
        .success();
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(4);
    outcome.says("it is not signed in");
    assert_eq!(
        hint(&outcome),
        "sign in again with `alicli login --profile new`"
    );
    // A profile named on the command line, or by a variable, that does not exist.
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "-p", "nope"])
        .code(4);
    assert_eq!(hint(&outcome), "sign in with `alicli login --profile nope`");
    let outcome: Outcome = sandbox
        .cmd()
        .env("ALIBABA_CLOUD_PROFILE", "ghost")
        .args(["sts", "GetCallerIdentity"])
        .output()
        .unwrap()
        .into();
    let outcome = outcome.code(4);
    outcome.says("profile `ghost`, named by `ALIBABA_CLOUD_PROFILE`, is not in");
    assert_eq!(
        hint(&outcome),
        "sign in with `alicli login --profile ghost`, or unset ALIBABA_CLOUD_PROFILE to use the \
         current profile"
    );
    // A file with profiles but no current one.
    sandbox.write_config(&json!({"profiles": [{"name": "x", "mode": "AK"}]}));
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(4);
    outcome.says("no profile selected");
    assert_eq!(
        sandbox.emulator.count("exchange"),
        0,
        "nothing reached the network"
    );
}

#[test]
fn a_pasted_hint_runs_as_shown_even_with_quotes_and_blanks() {
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join("my profiles");
    let config = dir.join("it's.json");
    let name = "it's mine";
    // Another tool made the profile (alicli would not create this name) and it is signed out.
    crate::support::write_file(
        &config,
        json!({"current": name, "profiles": [{"name": name, "mode": "OAuth",
            "oauth_site_type": "CN", "region_id": "cn-hangzhou"}]})
        .to_string()
        .as_bytes(),
    );
    let config_flag = config.to_str().unwrap();
    let outcome = sandbox
        .run(&["sts", "GetCallerIdentity", "--config-path", config_flag])
        .code(4);
    let hint = hint(&outcome);
    let command = hint
        .strip_prefix("sign in again with `")
        .and_then(|rest| rest.strip_suffix('`'))
        .unwrap_or_else(|| panic!("{hint}"));
    assert_eq!(
        command,
        format!(
            "alicli login --profile 'it'\\''s mine' --config-path '{}'",
            config_flag.replace('\'', "'\\''")
        )
    );
    // Pasted into a shell, it signs that very profile in, in that very file.
    let pasted = command.replacen("alicli", &quote(ALICLI), 1) + " --callback-port 0";
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(&pasted);
    for (key, value) in sandbox.cmd().get_envs() {
        if let Some(value) = value {
            shell.env(key, value);
        }
    }
    let outcome: Outcome = shell.output().unwrap().into();
    outcome.success();
    sandbox
        .run(&["sts", "GetCallerIdentity", "--config-path", config_flag])
        .success();
    assert!(
        !sandbox.config_path().exists(),
        "the default file was not touched"
    );
}

#[test]
fn an_unknown_region_is_kept_with_a_warning_naming_the_close_ones() {
    let sandbox = Sandbox::new();
    let outcome = login(&sandbox, &["--profile", "work", "--region", "cn-hangzou"]).success();
    outcome.says(
        "warning: `cn-hangzou` is not a region alicli knows (it is kept as given, in case it \
             is new); did you mean `cn-hangzhou`?",
    );
    assert_eq!(sandbox.profile("work")["region_id"], "cn-hangzou");
    let outcome = sandbox
        .run(&["configure", "set", "--region", "ap-southeast-4"])
        .success();
    outcome.says("close ones: `ap-southeast-1`, `ap-southeast-2`, `ap-southeast-3`");
    let outcome = sandbox
        .run(&["configure", "set", "--region", "cn-beijing"])
        .success();
    assert!(!outcome.stderr.contains("warning"), "{}", outcome.stderr);
}
