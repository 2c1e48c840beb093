//! Text from a server or from config.json never drives the terminal: escape sequences and bidi
//! controls are shown as text in messages, tables and reports, while JSON stays exact JSON.

use serde_json::{Value, json};

use crate::support::Sandbox;

/// Retitles the window, clears the screen, and reverses what follows.
const HOSTILE: &str = "x\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}gnp.exe";

/// True when `text` holds a character a terminal would act on (other than a line feed).
fn drives_the_terminal(text: &str) -> bool {
    text.chars()
        .any(|c| (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}'))
}

#[test]
fn a_hostile_arn_and_account_are_shown_as_text_and_json_stays_exact() {
    let sandbox = Sandbox::with_settings(json!({"user_name": HOSTILE, "account_id": HOSTILE}));
    let outcome = sandbox.sign_in("work");
    assert!(
        !drives_the_terminal(&outcome.stderr),
        "{:?}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("\\u{1b}]0;pwned\\u{7}") && outcome.stderr.contains("\\u{202e}"),
        "{}",
        outcome.stderr
    );
    // What is stored for people to see later is filtered too.
    let stored = sandbox.profile("work")["alicli_account_id"].clone();
    assert!(!drives_the_terminal(stored.as_str().unwrap()), "{stored}");
    let listed = sandbox.run(&["configure", "list"]).success();
    assert!(!drives_the_terminal(&listed.stdout), "{:?}", listed.stdout);

    // The API's answer on stdout: the same value, with no raw escape in the bytes.
    let identity = sandbox
        .run(&["sts", "GetCallerIdentity", "--profile", "work"])
        .success();
    assert!(
        !drives_the_terminal(&identity.stdout),
        "{:?}",
        identity.stdout
    );
    let parsed: Value = serde_json::from_str(&identity.stdout).unwrap();
    assert!(
        parsed["Arn"].as_str().unwrap().ends_with(HOSTILE),
        "{parsed}"
    );
    assert_eq!(parsed["AccountId"], HOSTILE);
}

#[test]
fn hostile_profile_names_and_fields_are_shown_as_text() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut config = sandbox.config();
    let mut evil = sandbox.profile("work");
    evil["name"] = HOSTILE.into();
    evil["region_id"] = format!("cn-{HOSTILE}").into();
    config["profiles"].as_array_mut().unwrap().push(evil);
    config["current"] = HOSTILE.into();
    sandbox.write_config(&config);

    let runs = [
        sandbox.run(&["configure", "list"]).success(),
        sandbox.run(&["configure", "get", "region"]).success(),
        sandbox.run(&["session", "validate", "--local"]).success(),
        {
            // doctor probes the default callback ports.
            let _ports = crate::support::default_ports_lock();
            sandbox.run(&["doctor"])
        },
        // Issue 13's commands: `logout` names the profile it signed out of, and `login` refuses
        // a new name that breaks the name rule, quoting it.
        sandbox.run(&["logout"]).success(),
        sandbox
            .run(&["login", "--profile", &format!("new{HOSTILE}")])
            .code(2),
        // An error that names the profile: the current one is deleted by another tool (exit 4,
        // a sign-in is needed).
        {
            let mut gone = config.clone();
            gone["profiles"].as_array_mut().unwrap().pop();
            sandbox.write_config(&gone);
            sandbox.run(&["sts", "GetCallerIdentity"]).code(4)
        },
    ];
    for outcome in runs {
        assert!(
            !drives_the_terminal(&outcome.stdout) && !drives_the_terminal(&outcome.stderr),
            "{outcome:?}"
        );
        assert!(
            outcome.stdout.contains("\\u{1b}") || outcome.stderr.contains("\\u{1b}"),
            "the name is shown, as text: {outcome:?}"
        );
    }
    // JSON keeps the exact name.
    sandbox.write_config(&config);
    let json = sandbox
        .run(&["configure", "list", "--output", "json"])
        .success();
    assert!(!drives_the_terminal(&json.stdout), "{:?}", json.stdout);
    let parsed: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(parsed["current"], HOSTILE);
}

#[test]
fn a_hostile_profile_name_is_not_written_into_shell_text() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let mut config = sandbox.config();
    let mut evil = sandbox.profile("work");
    evil["name"] = HOSTILE.into();
    config["profiles"].as_array_mut().unwrap().push(evil);
    sandbox.write_config(&config);

    // Shell text is read on terminals too: the name would land there raw inside its quotes.
    for format in ["env", "fish", "powershell"] {
        let refused = sandbox
            .run(&[
                "export-credentials",
                "--profile",
                HOSTILE,
                "--format",
                format,
            ])
            .code(1);
        assert!(refused.stdout.is_empty(), "{refused:?}");
        assert!(!drives_the_terminal(&refused.stderr), "{refused:?}");
        assert!(
            refused.stderr.contains("ALIBABA_CLOUD_PROFILE")
                && refused.stderr.contains("--format json"),
            "{refused:?}"
        );
    }
    // JSON carries it exactly, escaped for the terminal.
    let json = sandbox
        .run(&[
            "export-credentials",
            "--profile",
            HOSTILE,
            "--format",
            "json",
        ])
        .success();
    assert!(!drives_the_terminal(&json.stdout), "{:?}", json.stdout);
    let _: Value = serde_json::from_str(&json.stdout).unwrap();
}
