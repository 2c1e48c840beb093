//! Shell integration: completion scripts (profile names included), the man pages, and the offline
//! prompt status.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{ALICLI, Sandbox, now, optional_tool};

/// Runs `program` (a shell) with `args` in the sandbox's environment plus `env`, with this alicli
/// first on PATH: the completion scripts call `alicli` back as an installed one would be called.
fn shell(
    sandbox: &Sandbox,
    program: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    let bin = Path::new(ALICLI).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut alicli = sandbox.cmd();
    alicli.env("PATH", path).envs(env.iter().copied());
    Command::new(program)
        .env_clear()
        .envs(
            alicli
                .get_envs()
                .filter_map(|(key, value)| Some((key, value?))),
        )
        .args(args)
        .output()
        .unwrap()
}

/// Completes `words` (the last is the word being typed) the way bash does on TAB: the script of
/// `alicli completion bash` is sourced, COMP_WORDS and COMP_CWORD are filled, and the completion
/// function is called. Returns COMPREPLY, one entry per line.
#[cfg(unix)]
fn bash_complete(sandbox: &Sandbox, env: &[(&str, &str)], words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| crate::support::quote(w)).collect();
    let current = words.len() - 1;
    let script = format!(
        "source <(alicli completion bash) || exit 9\n\
         COMP_WORDS=({words}); COMP_CWORD={current}; COMP_TYPE=9\n\
         _clap_complete_alicli alicli {cur} {prev}\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = quoted.join(" "),
        cur = quoted[current],
        prev = quoted[current - 1],
    );
    let output = shell(sandbox, "bash", env, &["--norc", "-c", &script]);
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .filter(|line| !line.is_empty())
        .collect()
}

#[cfg(unix)]
#[test]
fn bash_completes_profile_names_from_the_file_without_the_network() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut config = sandbox.config();
    let profiles = config["profiles"].as_array_mut().unwrap();
    profiles
        .push(json!({"name": "ci", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}));
    profiles.push(json!({"name": "work-intl", "mode": "OAuth"}));
    // A name another tool wrote with an escape sequence is not offered to the terminal.
    profiles.push(json!({"name": "evil\u{1b}[2J", "mode": "AK"}));
    sandbox.write_config(&config);
    let before = sandbox.emulator.stats();

    let names = bash_complete(
        &sandbox,
        &[],
        &["alicli", "sts", "GetCallerIdentity", "--profile", ""],
    );
    assert_eq!(names, ["work", "ci", "work-intl"]);
    let names = bash_complete(
        &sandbox,
        &[],
        &["alicli", "session", "validate", "-p", "wo"],
    );
    assert_eq!(names, ["work", "work-intl"]);
    let names = bash_complete(&sandbox, &[], &["alicli", "logout", "--profile", "c"]);
    assert_eq!(names, ["ci"]);
    // Commands and values complete as before.
    let words = bash_complete(&sandbox, &[], &["alicli", "session", "v"]);
    assert_eq!(words, ["validate"]);
    let words = bash_complete(
        &sandbox,
        &[],
        &["alicli", "export-credentials", "--format", "fi"],
    );
    assert_eq!(words, ["fish"]);

    // The file named by ALIBABA_CLOUD_CONFIG_FILE is the one read.
    let other = sandbox.home.path().join("other.json");
    std::fs::write(
        &other,
        r#"{"profiles": [{"name": "elsewhere", "mode": "AK"}]}"#,
    )
    .unwrap();
    let env = [("ALIBABA_CLOUD_CONFIG_FILE", other.to_str().unwrap())];
    let names = bash_complete(&sandbox, &env, &["alicli", "exec", "--profile", ""]);
    assert_eq!(names, ["elsewhere"]);
    // No file, or a broken one: nothing to offer, and no error on the terminal.
    std::fs::write(&other, "{broken").unwrap();
    assert!(bash_complete(&sandbox, &env, &["alicli", "exec", "--profile", ""]).is_empty());
    // Nor from a file that never ends (issue 14's bounded, regular-file-only read): TAB returns.
    let env = [("ALIBABA_CLOUD_CONFIG_FILE", "/dev/zero")];
    assert!(bash_complete(&sandbox, &env, &["alicli", "exec", "--profile", ""]).is_empty());

    assert_eq!(
        sandbox.emulator.stats(),
        before,
        "completion made a request"
    );
}

#[test]
fn completion_scripts_for_each_shell_call_this_alicli_back() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let outcome = sandbox.run(&["completion", shell]).success();
        assert!(
            outcome.stdout.contains("_ALICLI_COMPLETE") && outcome.stdout.contains(ALICLI),
            "{shell}: {}",
            outcome.stdout
        );
    }
    sandbox.run(&["completion", "tcsh"]).code(2);
}

#[test]
#[cfg_attr(alicli_test_no_fish, ignore = "needs fish (apt-get install fish)")]
fn the_fish_completion_script_loads_and_completes_values_and_profile_names() {
    let fish = optional_tool(option_env!("ALICLI_TEST_FISH"), "fish");
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // fish evaluates the value descriptions inside double quotes: the script must load cleanly.
    let script = "alicli completion fish | source; complete -C'alicli export-credentials --format '; \
                  complete -C'alicli exec --profile '";
    let output = shell(&sandbox, fish, &[], &["--no-config", "-c", script]);
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("dotenv\t"), "{stdout}");
    assert!(stdout.contains("work\tOAuth cn-hangzhou"), "{stdout}");
}

#[test]
fn man_prints_roff_pages() {
    let sandbox = Sandbox::new();
    let page = sandbox.run(&["man"]).success().stdout;
    assert!(page.contains(".TH alicli 1"), "{page}");
    assert!(page.contains("export\\-credentials"), "{page}");
    let page = sandbox.run(&["man", "exec"]).success().stdout;
    assert!(page.contains(".TH alicli-exec 1"), "{page}");
    assert!(page.contains("\\-\\-server"), "{page}");
    let page = sandbox
        .run(&["man", "session", "validate"])
        .success()
        .stdout;
    assert!(page.contains(".TH alicli-session-validate 1"), "{page}");
    // The synopsis is the command as typed; SEE ALSO leads back up.
    assert!(page.contains("\\fBalicli session validate\\fR"), "{page}");
    assert!(
        page.contains(".SH \"SEE ALSO\"\n.BR alicli\\-session (1),\n.BR alicli (1)\n"),
        "{page}"
    );
    sandbox.run(&["man", "nope"]).code(2);
    sandbox
        .run(&["man", "session", "nope"])
        .code(2)
        .says("`alicli man session` lists them");
}

#[test]
fn prompt_shows_the_time_left_offline() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.run(&["prompt"]).success();
    assert_eq!(outcome.stdout, "", "no profile, no segment");
    sandbox.sign_in("work");
    sandbox.edit_profile("work", json!({"sts_expiration": now() + 53 * 60 + 30}));
    assert_eq!(sandbox.run(&["prompt"]).success().stdout, "work 53m\n");
    // Expired credentials are reported, not renewed: the prompt never makes a request. With a
    // refresh token the next command renews them; without one, a sign-in is needed.
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": now() - 5, "oauth_access_token_expire": 0}),
    );
    let exchanges = sandbox.emulator.count("exchange");
    assert_eq!(
        sandbox.run(&["prompt"]).success().stdout,
        "work renewable\n"
    );
    sandbox.edit_profile("work", json!({"oauth_refresh_token": ""}));
    assert_eq!(sandbox.run(&["prompt"]).success().stdout, "work expired\n");
    assert_eq!(sandbox.emulator.count("exchange"), exchanges, "no request");
    assert_eq!(
        sandbox
            .run(&["prompt", "--profile", "nope"])
            .success()
            .stdout,
        ""
    );
    let mut config = sandbox.config();
    config["profiles"].as_array_mut().unwrap().push(
        json!({"name": "keys", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}),
    );
    sandbox.write_config(&config);
    let outcome = sandbox
        .cmd()
        .arg("prompt")
        .env("ALIBABA_CLOUD_PROFILE", "keys")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&outcome.stdout), "keys\n");
    assert_eq!(sandbox.emulator.count("exchange"), 1);
    assert_eq!(sandbox.emulator.count("token_refresh"), 0);
}
