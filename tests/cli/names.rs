//! Profile names: one rule on every path that creates a profile, while profiles that other tools
//! named differently stay usable everywhere.

use std::path::Path;
use std::process::Command;

use serde_json::json;
use tempfile::TempDir;

use crate::support::{Outcome, Sandbox};

const PASSPHRASE: &str = "correct horse battery staple";

/// Names the rule refuses, each with the words of its reason.
const REFUSED: [(&str, &str); 6] = [
    ("../x", "it starts with `.`"),
    ("team/prod", "`/`, a path separator"),
    ("-p", "it starts with `-`"),
    ("a b", "a space"),
    ("x;rm -rf ~", "`;`"),
    ("bell\u{7}", "`\\u{7}`"),
];

fn assert_refused(outcome: Outcome, name: &str, reason: &str) {
    let outcome = outcome.code(2);
    assert!(
        outcome.stderr.contains("invalid profile name") && outcome.stderr.contains(reason),
        "{name:?}: {}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("hint: pick another name; profile names are 1 to 64 letters"),
        "{name:?}: {}",
        outcome.stderr
    );
    assert!(!outcome.stderr.contains('\u{7}'), "raw control character");
}

fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

#[test]
fn every_creating_path_follows_the_one_name_rule() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let archive = export(&sandbox, "work");
    let before = read(&sandbox.config_path());
    let exchanges = sandbox.emulator.count("exchange");
    for (name, reason) in REFUSED {
        let flag = format!("--profile={name}");
        assert_refused(
            sandbox.configure(&[&flag, "--region", "cn-hangzhou"]),
            name,
            reason,
        );
        assert_refused(
            sandbox.run(&[
                "login",
                &flag,
                "--region",
                "cn-hangzhou",
                "--callback-port",
                "0",
            ]),
            name,
            reason,
        );
        assert_refused(
            sandbox.run(&["configure", "set", &flag, "--region", "cn-beijing"]),
            name,
            reason,
        );
        let outcome: Outcome = sandbox
            .cmd()
            .env("ALICLI_SESSION_PASSPHRASE", PASSPHRASE)
            .args(["session", "import", &flag, "--session-archive"])
            .arg(&archive)
            .output()
            .unwrap()
            .into();
        assert_refused(outcome, name, reason);
    }
    assert_eq!(read(&sandbox.config_path()), before, "nothing was written");
    assert_eq!(
        sandbox.emulator.count("exchange"),
        exchanges,
        "no sign-in was started for a refused name"
    );

    // Letters of any script, digits and the few separators are fine.
    sandbox
        .configure(&["--profile", "alice@corp.cn", "--region", "cn-hangzhou"])
        .success();
    set_region(&sandbox, "名前_2");
}

/// `configure set --region` on profile `name`, which must work.
fn set_region(sandbox: &Sandbox, name: &str) {
    sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            name,
            "--region",
            "cn-beijing",
        ])
        .success();
    assert_eq!(sandbox.profile(name)["region_id"], "cn-beijing");
}

/// Exports profile `name` to an archive in the sandbox's HOME; asserts success.
fn export(sandbox: &Sandbox, name: &str) -> std::path::PathBuf {
    let archive = sandbox.home.path().join("exported.session");
    let path = archive.to_str().unwrap();
    let args = [
        "session",
        "export",
        "--profile",
        name,
        "--output-file",
        path,
    ];
    sandbox
        .run_env(&args, &[("ALICLI_SESSION_PASSPHRASE", PASSPHRASE)])
        .success();
    archive
}

/// `alicli` in another HOME, against the same emulator.
fn elsewhere(sandbox: &Sandbox, home: &Path) -> Command {
    let mut command = sandbox.cmd();
    command
        .env("HOME", home)
        .env("ALICLI_SESSION_PASSPHRASE", PASSPHRASE);
    command
}

#[test]
fn profiles_that_other_tools_named_stay_usable() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // Another tool named the profile with a path separator and a space.
    let name = "team/prod east";
    let mut config = sandbox.config();
    config["profiles"][0]["name"] = json!(name);
    config["current"] = json!(name);
    sandbox.write_config(&config);

    sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", name])
        .success();
    set_region(&sandbox, name);
    // Signing it in again is not creating it.
    sandbox.configure(&["--profile", name]).success();

    // Its session can be exported; importing it under that name elsewhere is creating a profile,
    // so the rule applies there, and the hint says how to pick another name.
    let archive = export(&sandbox, name);
    let other = TempDir::new().unwrap();
    let outcome: Outcome = elsewhere(&sandbox, other.path())
        .args(["session", "import", "--session-archive"])
        .arg(&archive)
        .output()
        .unwrap()
        .into();
    let outcome = outcome.code(1);
    assert!(
        outcome
            .stderr
            .contains("invalid profile name `team/prod east`")
            && outcome
                .stderr
                .contains("hint: import under another name with `--profile NAME`"),
        "{}",
        outcome.stderr
    );
    assert!(
        !other.path().join(".aliyun").exists(),
        "nothing was written"
    );
    let outcome: Outcome = elsewhere(&sandbox, other.path())
        .args([
            "session",
            "import",
            "--profile",
            "prod",
            "--session-archive",
        ])
        .arg(&archive)
        .output()
        .unwrap()
        .into();
    outcome.success();
    let outcome: Outcome = elsewhere(&sandbox, other.path())
        .args(["sts", "GetCallerIdentity", "--profile", "prod"])
        .output()
        .unwrap()
        .into();
    outcome.success();
}

#[test]
fn the_import_question_names_the_name_just_refused() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let archive = export(&sandbox, "work");
    let other = TempDir::new().unwrap();
    let taken = json!({"current": "work", "profiles": [{"name": "work", "mode": "AK",
        "access_key_id": "mine", "access_key_secret": "keep"}]});
    crate::support::write_file(
        &other.path().join(".aliyun/config.json"),
        taken.to_string().as_bytes(),
    );
    // A terminal answers: a name the rule refuses, the taken name again, then a free one (and
    // the file to keep the session in).
    let command = format!(
        "{} session import --session-archive {}",
        crate::support::ALICLI,
        crate::support::quote(archive.to_str().unwrap())
    );
    let outcome: Outcome = crate::support::on_terminal(
        &elsewhere(&sandbox, other.path()),
        &command,
        "bad/name\nwork\nfresh\nfile\n",
    );
    let text = outcome.success().stdout;
    // The typed lines were echoed ahead of the questions, which then share one line.
    let question = " Import as (another name; empty to cancel): ";
    let asked: Vec<&str> = text
        .split(question)
        .map(|part| part.rsplit('\n').next().unwrap())
        .collect();
    assert_eq!(
        asked[..3],
        [
            "Profile `work` already exists.",
            "Cannot import: invalid profile name `bad/name`: it contains `/`, a path separator.",
            "Profile `work` already exists.",
        ],
        "{text}"
    );
    assert!(
        text.contains("Keep the session in config.json (file) or in the OS keychain (keychain)?"),
        "{text}"
    );
    assert!(text.contains("as profile `fresh`"), "{text}");
}
