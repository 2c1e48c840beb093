//! The profile file: corrupt files left alone, other tools' profiles and keys kept, paths honoured.

use serde_json::json;

use crate::support::{Sandbox, write_file};

#[test]
fn a_corrupt_config_is_left_byte_for_byte_untouched() {
    let sandbox = Sandbox::new();
    let broken = b"{\n  \"current\": \"work\",\n  \"profiles\": [ {\"name\": \"work\", }\n";
    write_file(&sandbox.config_path(), broken);
    let path = sandbox.config_path().display().to_string();
    for args in [
        &[
            "configure",
            "--mode",
            "OAuth",
            "--region",
            "cn-hangzhou",
            "--callback-port",
            "0",
        ][..],
        &["sts", "GetCallerIdentity"][..],
    ] {
        let outcome = sandbox.run(args).code(1);
        assert!(
            outcome.stderr.contains(&path),
            "names the file: {}",
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains("line 3"),
            "names the position: {}",
            outcome.stderr
        );
        assert!(outcome.stderr.contains("hint: "), "{}", outcome.stderr);
    }
    assert_eq!(std::fs::read(sandbox.config_path()).unwrap(), broken);
    assert_eq!(
        sandbox.emulator.count("authorize"),
        0,
        "no browser for a file we cannot save to"
    );
}

#[test]
fn other_profiles_and_unknown_keys_are_preserved() {
    let sandbox = Sandbox::new();
    let others = json!([
        {"name": "ak", "mode": "AK", "access_key_id": "LTAIx", "access_key_secret": "s", "region_id": "cn-beijing",
         "output_format": "json", "language": "zh", "retry_count": 3, "x_vendor": {"nested": [1, "two", null]}},
        {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "ak", "ram_role_arn": "acs:ram::1:role/r",
         "ram_session_name": "s", "expired_seconds": 900},
        {"name": "ext", "mode": "External", "process_command": "my-tool creds --json"}
    ]);
    sandbox.write_config(
        &json!({"current": "ak", "profiles": others, "meta_path": "", "future_setting": {"a": 1}}),
    );
    sandbox.sign_in("work");
    let config = sandbox.config();
    assert_eq!(config["future_setting"], json!({"a": 1}));
    assert_eq!(config["current"], "work");
    let profiles = config["profiles"].as_array().unwrap();
    assert_eq!(
        &profiles[..3],
        others.as_array().unwrap().as_slice(),
        "untouched, in order"
    );
    assert_eq!(profiles[3]["name"], "work");

    // A renewal rewrites only its own fields of its own profile.
    sandbox.edit_profile("work", json!({"sts_expiration": 0, "x_other_tool": "kept"}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    let config = sandbox.config();
    assert_eq!(
        &config["profiles"].as_array().unwrap()[..3],
        others.as_array().unwrap().as_slice()
    );
    assert_eq!(sandbox.profile("work")["x_other_tool"], "kept");
}

#[test]
fn config_path_flag_and_environment_variable_are_honoured() {
    let sandbox = Sandbox::new();
    let custom = sandbox.home.path().join("elsewhere").join("cfg.json");
    sandbox
        .configure(&[
            "--region",
            "cn-hangzhou",
            "--config-path",
            custom.to_str().unwrap(),
        ])
        .success();
    assert!(custom.exists());
    assert!(!sandbox.config_path().exists());
    let outcome = sandbox
        .cmd()
        .args(["sts", "GetCallerIdentity"])
        .env("ALIBABA_CLOUD_CONFIG_FILE", &custom)
        .output()
        .unwrap();
    assert_eq!(
        outcome.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&outcome.stderr)
    );
    let outcome = sandbox
        .run(&[
            "sts",
            "GetCallerIdentity",
            "--config-path",
            custom.to_str().unwrap(),
        ])
        .success();
    assert!(outcome.stdout.contains("\"Arn\""));
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_is_followed_and_the_link_kept() {
    let sandbox = Sandbox::new();
    let real = sandbox.home.path().join("dotfiles").join("aliyun.json");
    write_file(&real, br#"{"current":"","profiles":[]}"#);
    std::fs::create_dir_all(sandbox.config_path().parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, sandbox.config_path()).unwrap();
    sandbox.sign_in("work");
    assert!(
        std::fs::symlink_metadata(sandbox.config_path())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let stored: serde_json::Value = serde_json::from_slice(&std::fs::read(&real).unwrap()).unwrap();
    assert_eq!(stored["current"], "work");
}
