//! `alicli export-credentials`: every shell format evaluated by its own shell, values that try to
//! break out of their quotes, the JSON formats, renewal by `--min-ttl`, External profiles and the
//! recursion guard.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::{ALICLI, Outcome, Sandbox, now, optional_tool, quote};

const VARS: [&str; 5] = [
    "ALIBABA_CLOUD_ACCESS_KEY_ID",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    "ALIBABA_CLOUD_SECURITY_TOKEN",
    "ALIBABA_CLOUD_REGION_ID",
    "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION",
];

/// Values that would run `touch pwned-*` if any shell evaluated them as code.
const EVIL_ID: &str = "AK'\"; touch pwned-id; echo '";
const EVIL_SECRET: &str = "$(touch pwned-secret) ${HOME} $HOME `touch pwned-backtick` \\";
// No CR: a value that would act on a terminal is refused (terminal.rs), not quoted.
const EVIL_TOKEN: &str = "line1\nline2'\n; touch pwned-token #\\ \\n \\' end\n(touch pwned-fish)";
const EVIL_REGION: &str = "cn hang'zhou \u{2019}‘ \"x\" %PATH% !x! ; touch pwned-region ";

/// Runs `script` with `program` in a scratch directory, with the sandbox's HOME and `ALICLI` set.
fn shell(sandbox: &Sandbox, dir: &Path, program: &str, args: &[&str], script: &str) -> Outcome {
    sandbox
        .clean(program)
        .args(args)
        .arg(script)
        .current_dir(dir)
        .env("ALICLI", ALICLI)
        .env("ALICLI_OAUTH_URL", &sandbox.emulator.url)
        // A stale value from an earlier eval, which the new credentials must clear.
        .env("ALIBABA_CLOUD_CREDENTIALS_EXPIRATION", "stale")
        .output()
        .expect("run the shell")
        .into()
}

/// Prints the five variables NUL-separated, `UNSET` for an unset one (POSIX shells).
#[cfg(unix)]
fn posix_dump() -> String {
    VARS.iter()
        .map(|v| format!("printf '%s\\0' \"${{{v}-UNSET}}\";"))
        .collect()
}

fn fish_dump() -> String {
    VARS.iter()
        .map(|v| format!("if set -q {v}; printf '%s\\0' \"${v}\"; else; printf 'UNSET\\0'; end;"))
        .collect()
}

fn values(outcome: &Outcome) -> Vec<String> {
    let mut values: Vec<String> = outcome.stdout.split('\0').map(str::to_owned).collect();
    assert_eq!(values.pop().as_deref(), Some(""), "{outcome:?}");
    values
}

fn no_pwned_files(dir: &Path) {
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pwned"))
        .collect();
    assert!(left.is_empty(), "a value was executed: {left:?}");
}

fn evil_sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(&json!({
        "current": "evil",
        "profiles": [{
            "name": "evil", "mode": "StsToken", "access_key_id": EVIL_ID,
            "access_key_secret": EVIL_SECRET, "sts_token": EVIL_TOKEN, "region_id": EVIL_REGION,
        }],
    }));
    sandbox
}

/// Each (program, args, script) must print exactly the stored evil values and run none of them.
fn assert_evaluates_to_the_stored_values(cases: &[(&str, Vec<&str>, String)]) {
    let sandbox = evil_sandbox();
    let dir = tempfile::tempdir().unwrap();
    let expected = [EVIL_ID, EVIL_SECRET, EVIL_TOKEN, EVIL_REGION, "UNSET"];
    for (program, args, script) in cases {
        let outcome = shell(&sandbox, dir.path(), program, args, script);
        assert_eq!(outcome.code, 0, "{program} {script}\n{outcome:?}");
        assert_eq!(values(&outcome), expected, "{program}: {script}");
        no_pwned_files(dir.path());
    }
}

#[cfg(unix)]
#[test]
fn posix_shell_formats_set_exactly_the_stored_values_and_run_nothing() {
    let dump = posix_dump();
    let mut cases = Vec::new();
    for sh in ["bash", "sh"] {
        for format in ["env", "env-no-export"] {
            cases.push((
                sh,
                vec!["-c"],
                format!("eval \"$(\"$ALICLI\" export-credentials --format {format})\"; {dump}"),
            ));
            cases.push((
                sh,
                vec!["-c"],
                format!(
                    "\"$ALICLI\" export-credentials --format {format} > creds && . ./creds; {dump}"
                ),
            ));
        }
    }
    assert_evaluates_to_the_stored_values(&cases);
}

#[test]
#[cfg_attr(alicli_test_no_fish, ignore = "needs fish (apt-get install fish)")]
fn the_fish_format_sets_exactly_the_stored_values_and_runs_nothing() {
    let fish = optional_tool(option_env!("ALICLI_TEST_FISH"), "fish");
    let dump = fish_dump();
    let args = vec!["--no-config", "-c"];
    assert_evaluates_to_the_stored_values(&[
        (
            fish,
            args.clone(),
            format!("$ALICLI export-credentials --format fish | source; {dump}"),
        ),
        (
            fish,
            args,
            format!(
                "$ALICLI export-credentials --format fish > creds.fish; source creds.fish; {dump}"
            ),
        ),
    ]);
}

#[test]
#[cfg_attr(alicli_test_no_pwsh, ignore = "needs PowerShell (pwsh)")]
fn the_powershell_format_sets_exactly_the_stored_values_and_runs_nothing() {
    let pwsh = optional_tool(option_env!("ALICLI_TEST_PWSH"), "PowerShell (pwsh)");
    let dump = VARS
        .iter()
        .map(|v| {
            format!(
                "$v = [Environment]::GetEnvironmentVariable('{v}'); if ($null -eq $v) {{ $v = 'UNSET' }}; [Console]::Out.Write($v + [char]0);"
            )
        })
        .collect::<String>();
    assert_evaluates_to_the_stored_values(&[(
        pwsh,
        vec!["-NoProfile", "-NonInteractive", "-Command"],
        format!("& $env:ALICLI export-credentials --format powershell | Invoke-Expression; {dump}"),
    )]);
}

#[test]
fn formats_without_reliable_quoting_refuse_odd_values() {
    let sandbox = evil_sandbox();
    for format in ["dotenv", "windows-cmd"] {
        let outcome = sandbox
            .run(&["export-credentials", "--format", format])
            .code(1);
        assert_eq!(outcome.stdout, "", "nothing half-written");
        assert!(
            outcome.stderr.contains("cannot carry safely"),
            "{}",
            outcome.stderr
        );
    }
}

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
