//! Shell integration: completion scripts, the man page, and the offline prompt status.

use std::process::Command;

use serde_json::json;

use crate::support::{ALICLI, Sandbox, now};

#[test]
fn completion_scripts_for_each_shell_load() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let outcome = sandbox.run(&["completion", shell]).success();
        assert!(
            outcome.stdout.contains("export-credentials"),
            "{shell}: {}",
            outcome.stdout
        );
    }
    sandbox.run(&["completion", "tcsh"]).code(2);
    let script = format!("source <({} completion bash) && complete -p alicli", ALICLI);
    let output = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("alicli"),
        "{output:?}"
    );
    // fish evaluates the value descriptions inside double quotes: the script must load cleanly.
    let script = format!(
        "{ALICLI} completion fish | source; complete -C'alicli export-credentials --format '"
    );
    match Command::new("fish")
        .args(["--no-config", "-c", &script])
        .output()
    {
        Ok(output) => {
            assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{output:?}");
            assert!(String::from_utf8_lossy(&output.stdout).contains("dotenv\t"));
        }
        Err(_) => eprintln!("skipping the fish part: fish is not installed"),
    }
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
    sandbox.run(&["man", "nope"]).code(2);
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
