//! Nothing a broken environment does makes alicli abort: stderr that cannot be written, absurd
//! numbers on the command line.

use std::process::Stdio;

use serde_json::json;

use crate::support::{Outcome, Sandbox};

/// A file with two profiles, so `configure switch` has something to do.
fn two_profiles(sandbox: &Sandbox) {
    sandbox.write_config(&json!({
        "current": "a",
        "profiles": [
            {"name": "a", "mode": "AK", "access_key_id": "id", "access_key_secret": "s"},
            {"name": "b", "mode": "AK", "access_key_id": "id", "access_key_secret": "s"}
        ]
    }));
}

/// Runs alicli with stderr on `/dev/full`, where every write fails with ENOSPC.
fn with_full_stderr(sandbox: &Sandbox, args: &[&str]) -> Outcome {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists on Linux");
    sandbox
        .cmd()
        .args(args)
        .stderr(full)
        .output()
        .expect("run alicli")
        .into()
}

#[test]
fn stderr_on_a_full_disk_changes_nothing_but_the_messages() {
    let sandbox = Sandbox::new();
    two_profiles(&sandbox);
    // Success with a message on stderr: the work is done and the exit code is still 0.
    with_full_stderr(&sandbox, &["configure", "switch", "--profile", "b"]).success();
    assert_eq!(sandbox.config()["current"], "b");
    // A failure whose message cannot be shown still exits with its own code.
    with_full_stderr(&sandbox, &["configure", "switch", "--profile", "missing"]).code(1);
    // Data on stdout is unaffected.
    let listed = with_full_stderr(&sandbox, &["configure", "list", "--output", "json"]).success();
    assert!(
        listed.stdout.contains("\"current\": \"b\""),
        "{}",
        listed.stdout
    );
}

#[test]
fn stderr_on_a_closed_pipe_changes_nothing_but_the_messages() {
    let sandbox = Sandbox::new();
    two_profiles(&sandbox);
    let mut child = sandbox
        .cmd()
        .args(["configure", "switch", "--profile", "missing"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start alicli");
    // Close the reading end before alicli writes its error: the write fails with EPIPE.
    drop(child.stderr.take());
    let status = child.wait().expect("wait for alicli");
    assert_eq!(status.code(), Some(1), "{status:?}");
}
