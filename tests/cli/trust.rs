//! A profile file that other users can change is not trusted to run commands: its External
//! profiles' `process_command` does not run, every other command warns, and `doctor` flags it.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::json;

use crate::support::{Outcome, Sandbox, quote};

/// A file with an External profile whose command leaves `marker` behind when it runs.
fn plant(sandbox: &Sandbox, marker: &Path) {
    let script = format!(
        "touch {}; printf '%s' '{{\"mode\":\"AK\",\"access_key_id\":\"LTAI\",\"access_key_secret\":\"s\"}}'",
        quote(marker.to_str().unwrap())
    );
    sandbox.write_config(&json!({
        "current": "ext",
        "profiles": [{"name": "ext", "mode": "External", "process_command": format!("sh -c {}", quote(&script))}]
    }));
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Every command that would run the `process_command` refuses, naming the fix; nothing runs.
fn assert_nothing_runs(sandbox: &Sandbox, marker: &Path, fix: &str) {
    for args in [
        &["export-credentials"][..],
        &["sts", "GetCallerIdentity"],
        &["exec", "--", "true"],
    ] {
        let outcome = sandbox.run(args).code(1);
        assert!(
            outcome
                .stderr
                .contains("refusing to run the `process_command` of profile `ext`")
                && outcome.stderr.contains(&format!("hint: run `{fix}`")),
            "{args:?}: {}",
            outcome.stderr
        );
        assert!(!marker.exists(), "{args:?} ran the planted command");
    }
}

/// A command that runs none warns, and doctor fails the permissions check with the fix.
fn assert_warned_and_flagged(sandbox: &Sandbox, fix: &str) {
    let listed = sandbox.run(&["configure", "list"]).success();
    assert!(
        listed.stderr.starts_with("warning: ") && listed.stderr.contains(&format!("Fix: `{fix}`")),
        "{}",
        listed.stderr
    );
    let _ports = crate::support::default_ports_lock();
    let doctor: Outcome = sandbox.run(&["doctor"]).code(1);
    assert!(
        doctor.stdout.contains("✗ profile file permissions: ")
            && doctor.stdout.contains(&format!("    fix: {fix}\n")),
        "{}",
        doctor.stdout
    );
}

#[test]
fn a_world_writable_profile_file_runs_no_process_command() {
    let sandbox = Sandbox::new();
    let marker = sandbox.home.path().join("ran");
    plant(&sandbox, &marker);
    let path = sandbox.config_path();
    set_mode(&path, 0o666);
    let fix = format!("chmod 600 {}", path.display());
    assert_nothing_runs(&sandbox, &marker, &fix);
    assert_warned_and_flagged(&sandbox, &fix);

    // A private file that another user owns is refused too. Only root can stage that (CI runs
    // as root); elsewhere this part is not checked.
    set_mode(&path, 0o600);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&path, Some(65534), None).unwrap();
        assert_nothing_runs(
            &sandbox,
            &marker,
            &format!("sudo chown 0 {}", path.display()),
        );
        std::os::unix::fs::chown(&path, Some(0), None).unwrap();
    }

    // The fix works: the command runs.
    sandbox.run(&["export-credentials"]).success();
    assert!(marker.exists());
}

#[test]
fn a_group_writable_directory_runs_no_process_command() {
    let sandbox = Sandbox::new();
    let marker = sandbox.home.path().join("ran");
    plant(&sandbox, &marker);
    let dir = sandbox.config_path().parent().unwrap().to_path_buf();
    set_mode(&dir, 0o770);
    let fix = format!("chmod 700 {}", dir.display());
    assert_nothing_runs(&sandbox, &marker, &fix);
    assert_warned_and_flagged(&sandbox, &fix);
}
