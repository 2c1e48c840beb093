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
        outcome.stderr.contains("--timeout") && outcome.stderr.contains("1..=86400"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.emulator.count("authorize"), 0, "no sign-in started");
    assert!(!sandbox.config_path().exists());
}

/// Runs `command` with an unlimited core size, then makes it dump core with SIGQUIT once it has
/// written `ready` to stderr; true when the kernel wrote a core for it.
#[cfg(target_os = "linux")]
fn dumps_core_on_sigquit(mut command: std::process::Command, ready: &str) -> bool {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    // SAFETY: setrlimit only changes the limits of the child between fork and exec.
    unsafe {
        command.pre_exec(|| {
            let unlimited = libc::rlimit {
                rlim_cur: libc::RLIM_INFINITY,
                rlim_max: libc::RLIM_INFINITY,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &unlimited);
            Ok(())
        });
    }
    let mut child = command.stderr(Stdio::piped()).spawn().expect("start it");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains(ready) {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "it exited before `{ready}`"
        );
    }
    // SAFETY: kill(2) on our own child, which is not reaped yet.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGQUIT) };
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGQUIT), "{status:?}");
    status.core_dumped()
}

#[cfg(target_os = "linux")]
#[test]
fn alicli_never_dumps_core_but_the_command_of_exec_may() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let cwd = tempfile::tempdir().unwrap();
    // The control: the command `exec` runs has the system's defaults back, so it dumps core. When
    // it does not, this system makes no core files at all and the test cannot tell anything.
    let mut exec = sandbox.cmd();
    exec.current_dir(cwd.path()).args([
        "exec",
        "--profile",
        "work",
        "--",
        "sh",
        "-c",
        "echo started >&2; sleep 30",
    ]);
    if !dumps_core_on_sigquit(exec, "started") {
        eprintln!("skipping: this system writes no core files (see /proc/sys/kernel/core_pattern)");
        return;
    }
    // alicli itself, waiting for a sign-in with the session's secrets in memory: no core.
    let mut waiting = sandbox.cmd();
    waiting.current_dir(cwd.path()).args([
        "configure",
        "--profile",
        "work",
        "--mode",
        "OAuth",
        "--no-browser",
        "--callback-port",
        "0",
        "--timeout",
        "30",
    ]);
    assert!(
        !dumps_core_on_sigquit(waiting, "SignIn url"),
        "alicli dumped core"
    );
}
