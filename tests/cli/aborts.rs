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

#[test]
fn a_huge_timeout_is_a_usage_error_not_a_crash() {
    let sandbox = Sandbox::new();
    let outcome = sandbox
        .configure(&[
            "--region",
            "cn-hangzhou",
            "--timeout",
            "18446744073709551615",
        ])
        .code(2);
    assert!(
        outcome.stderr.contains("--timeout") && outcome.stderr.contains("0..=86400"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.emulator.count("authorize"), 0, "no sign-in started");
    assert!(!sandbox.config_path().exists());
}

/// The uid that owns `/proc/PID/environ`: the process's own, or root's while it is not dumpable
/// (Linux hands a non-dumpable process's files to root: no core file, no ptrace, no reading its
/// environment or memory).
#[cfg(target_os = "linux")]
fn proc_owner(pid: u32) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(format!("/proc/{pid}/environ"))
        .unwrap()
        .uid()
}

/// Makes `command` run as an unprivileged user, so that root's ownership of its `/proc` files
/// means something; returns that user's uid.
#[cfg(target_os = "linux")]
fn unprivileged(command: &mut std::process::Command) -> u32 {
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if me != 0 {
        return me;
    }
    command.uid(65534).gid(65534);
    65534
}

/// Waits until `pid` runs the program `name` (what `/proc/PID/comm` says).
#[cfg(target_os = "linux")]
fn wait_for_program(pid: u32, name: &str) {
    let started = std::time::Instant::now();
    while std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .unwrap_or_default()
        .trim()
        != name
    {
        assert!(
            started.elapsed().as_secs() < 20,
            "process {pid} never ran {name}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn alicli_is_not_dumpable_but_the_command_of_exec_is() {
    use std::io::{BufRead, BufReader};
    let sandbox = Sandbox::new();
    // A directory and an AccessKey profile the unprivileged user owns.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.json");
    let ak = json!({"current": "ak", "profiles": [
        {"name": "ak", "mode": "AK", "access_key_id": "LTAI", "access_key_secret": "s"}]});
    std::fs::write(&config, ak.to_string()).unwrap();
    let config = config.to_str().unwrap().to_owned();

    // alicli itself, waiting for a sign-in: its `/proc` files belong to root.
    let mut waiting = sandbox.cmd();
    let uid = unprivileged(&mut waiting);
    for path in [dir.path(), std::path::Path::new(&config)] {
        std::os::unix::fs::chown(path, Some(uid), Some(uid)).unwrap();
    }
    waiting.args([
        "configure",
        "--profile",
        "p",
        "--mode",
        "OAuth",
        "--no-browser",
    ]);
    waiting.args([
        "--region",
        "cn-hangzhou",
        "--callback-port",
        "0",
        "--timeout",
        "30",
    ]);
    let mut waiting = waiting
        .args(["--config-path", &config])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(waiting.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("SignIn url") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "alicli ended early"
        );
    }
    assert_eq!(proc_owner(waiting.id()), 0, "alicli is not dumpable");
    waiting.kill().unwrap();
    waiting.wait().unwrap();

    // The command alicli becomes with `exec` is dumpable again: its files are the user's.
    let mut exec = sandbox.cmd();
    unprivileged(&mut exec);
    let mut exec = exec
        .args(["exec", "--config-path", &config, "--", "sleep", "30"])
        .spawn()
        .unwrap();
    wait_for_program(exec.id(), "sleep");
    assert_eq!(
        proc_owner(exec.id()),
        uid,
        "the command has the defaults back"
    );
    exec.kill().unwrap();
    exec.wait().unwrap();
}
