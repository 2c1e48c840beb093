//! `alicli export-credentials` in every shell format, evaluated by its own shell, with stored
//! values that try to break out of their quotes: each must set exactly the stored value and run
//! nothing.

use std::path::Path;

use serde_json::json;

use crate::support::{ALICLI, Outcome, Sandbox, optional_tool};

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
pub(crate) fn shell(
    sandbox: &Sandbox,
    dir: &Path,
    program: &str,
    args: &[&str],
    script: &str,
) -> Outcome {
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
pub(crate) fn posix_dump() -> String {
    VARS.iter()
        .map(|v| format!("printf '%s\\0' \"${{{v}-UNSET}}\";"))
        .collect()
}

fn fish_dump() -> String {
    VARS.iter()
        .map(|v| format!("if set -q {v}; printf '%s\\0' \"${v}\"; else; printf 'UNSET\\0'; end;"))
        .collect()
}

pub(crate) fn values(outcome: &Outcome) -> Vec<String> {
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
