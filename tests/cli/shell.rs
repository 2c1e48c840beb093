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
    let outcome = sandbox.run(&["man", "session", "nope"]).code(2);
    assert!(
        outcome.stderr.contains("`alicli man session` lists them"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn every_page_a_page_names_is_written_for_packaging() {
    let sandbox = Sandbox::new();
    let dir = sandbox.home.path().join("man1");
    sandbox
        .run(&["man", "--out-dir", dir.to_str().unwrap()])
        .success();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    for expected in [
        "alicli.1",
        "alicli-session-validate.1",
        "alicli-configure-set.1",
    ] {
        assert!(files.iter().any(|f| f == expected), "{expected}: {files:?}");
    }
    let mut named = 0;
    for file in &files {
        let page = std::fs::read_to_string(dir.join(file)).unwrap();
        let title = format!(".TH {} 1 ", file.trim_end_matches(".1"));
        assert!(page.contains(&title), "{file}: {page}");
        // SUBCOMMANDS lists `alicli\-x(1)`, SEE ALSO `.BR alicli\-x (1)`: each is a file here.
        for line in page.lines() {
            let reference = line
                .strip_prefix(".BR ")
                .map(|rest| rest.split(' ').next().unwrap().to_owned())
                .or_else(|| line.strip_suffix("(1)").map(str::to_owned));
            let Some(reference) = reference.filter(|r| r.starts_with("alicli")) else {
                continue;
            };
            let target = format!("{}.1", reference.replace("\\-", "-"));
            assert!(
                files.contains(&target),
                "{file} names {target}, not written"
            );
            named += 1;
        }
    }
    assert!(named > 40, "only {named} references checked");
    let page = std::fs::read_to_string(dir.join("alicli-session.1")).unwrap();
    assert!(
        !page.contains("help(1)"),
        "clap's help command has no page: {page}"
    );
}

#[test]
fn prompt_shows_the_time_left_offline() {
    let sandbox = Sandbox::new();
    let outcome = sandbox.run(&["prompt"]).success();
    assert_eq!(outcome.stdout, "", "no profile, no segment");
    sandbox.sign_in("work");
    sandbox.edit_profile("work", json!({"sts_expiration": now() + 53 * 60 + 30}));
    assert_eq!(sandbox.run(&["prompt"]).success().stdout, "work 53m\n");
    // Expired credentials are reported, not renewed: the prompt never makes a request.
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": now() - 5, "oauth_access_token_expire": 0}),
    );
    assert_eq!(sandbox.run(&["prompt"]).success().stdout, "work expired\n");
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
