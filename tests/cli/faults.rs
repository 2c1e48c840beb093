//! What the user keeps when a renewal meets a fault: a failed or slow exchange, an outage, a
//! write that fails, a disk with no room, a killed process, a lock held by another process.
//! The emulator rotates refresh tokens and revokes the whole grant when a retired one comes back,
//! so a lost rotation shows as exit 4 on the next call.

use std::fs::File;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{Sandbox, finish_within};

/// A signed-in profile whose next use must refresh (access token and STS credentials expired).
fn due_for_refresh() -> (Sandbox, String) {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let refresh_token = refresh_token(&sandbox);
    (sandbox, refresh_token)
}

fn refresh_token(sandbox: &Sandbox) -> String {
    sandbox.profile("work")["oauth_refresh_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The session works without a new sign-in: a call succeeds and no grant was revoked.
fn still_signed_in(sandbox: &Sandbox) {
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    sandbox.run(&["session", "validate", "--local"]).success();
}

#[test]
fn a_rotation_is_kept_across_an_exchange_outage_and_the_outage_exits_1() {
    let (sandbox, before) = due_for_refresh();
    // Four 503s: the first attempt and all three retries.
    sandbox.emulator.fail("/v1/exchange", 503, 4);
    let started = Instant::now();
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).code(1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "retries stay within about 10 s"
    );
    assert!(
        outcome
            .stderr
            .contains("the STS exchange failed 4 times; the session was kept"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("HTTP 503"), "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("`alicli doctor`"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.emulator.count("injected"), 4);
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
    let after = refresh_token(&sandbox);
    assert_ne!(
        after, before,
        "the rotated refresh token was stored before the exchange"
    );
    // The outage is over: the first call works, with the stored access token, no refresh.
    still_signed_in(&sandbox);
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
}

#[test]
fn one_transient_failure_of_the_exchange_and_of_sts_is_absorbed() {
    let (sandbox, _) = due_for_refresh();
    sandbox.emulator.fail("/v1/exchange", 502, 1);
    sandbox.emulator.fail("/", 503, 1);
    let outcome = sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert!(outcome.stdout.contains("AccountId"), "{}", outcome.stdout);
    assert_eq!(sandbox.emulator.count("injected"), 2);
    assert_eq!(
        sandbox.emulator.count("exchange"),
        2,
        "the sign-in's and this one"
    );
}

#[test]
fn a_refresh_that_reached_the_server_is_not_retried_and_the_session_survives() {
    let (sandbox, before) = due_for_refresh();
    sandbox.emulator.fail("/v1/token", 503, 1);
    let outcome = sandbox.run(&["export-credentials"]).code(1);
    assert!(
        outcome
            .stderr
            .contains("the token refresh failed; the session was kept"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("`alicli doctor`"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        sandbox.emulator.count("injected"),
        1,
        "sent once, not again"
    );
    assert_eq!(refresh_token(&sandbox), before);
    still_signed_in(&sandbox);
}

#[test]
fn a_rotation_is_kept_when_the_final_write_fails() {
    let (sandbox, before) = due_for_refresh();
    let arrived = sandbox.emulator.count("oauth_arrived");
    sandbox.emulator.set(json!({"delay_ms": 1500}));
    let child = sandbox.spawn(&["sts", "GetCallerIdentity"]);
    // The refresh has answered and the exchange is on its way: then the file cannot be written.
    sandbox.emulator.wait_for("oauth_arrived", arrived + 2);
    let path = sandbox.config_path();
    let kept = path.with_extension("kept");
    std::fs::rename(&path, &kept).unwrap();
    std::fs::create_dir(&path).unwrap();
    let outcome = finish_within(child, 20).code(1);
    assert!(
        outcome.stderr.contains("could not be stored"),
        "{}",
        outcome.stderr
    );
    std::fs::remove_dir(&path).unwrap();
    std::fs::rename(&kept, &path).unwrap();
    sandbox.emulator.set(json!({"delay_ms": 0}));
    assert_ne!(
        refresh_token(&sandbox),
        before,
        "the rotation was on disk already"
    );
    still_signed_in(&sandbox);
}

#[test]
fn a_process_killed_during_the_exchange_leaves_the_rotation_on_disk() {
    let (sandbox, before) = due_for_refresh();
    let arrived = sandbox.emulator.count("oauth_arrived");
    sandbox.emulator.set(json!({"delay_ms": 5000}));
    let mut child = sandbox.spawn(&["export-credentials"]);
    sandbox.emulator.wait_for("oauth_arrived", arrived + 2);
    child.kill().unwrap();
    child.wait().unwrap();
    sandbox.emulator.set(json!({"delay_ms": 0}));
    assert_ne!(refresh_token(&sandbox), before);
    still_signed_in(&sandbox);
}

#[cfg(unix)]
#[test]
fn no_refresh_is_spent_when_its_answer_could_not_be_stored() {
    use std::os::unix::process::CommandExt;
    let (sandbox, before) = due_for_refresh();
    let mut command = sandbox.cmd();
    command.args(["sts", "GetCallerIdentity"]);
    // Files of at most 4 KiB: the room for the answer cannot be made, as on a full disk.
    // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            Ok(())
        });
    }
    let outcome: crate::support::Outcome = command.output().unwrap().into();
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("the token refresh was not sent, so the session is as it was"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        sandbox.emulator.count("token_refresh"),
        0,
        "nothing was spent"
    );
    assert_eq!(refresh_token(&sandbox), before);
    let dir = sandbox.config_path().parent().unwrap().to_owned();
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".alicli-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    still_signed_in(&sandbox);
}

/// Takes alicli's lock on the profile file, as a renewing alicli would, and writes its pid.
fn hold_lock(sandbox: &Sandbox) -> File {
    let path = sandbox.config_path().with_extension("json.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)
        .unwrap();
    file.lock().unwrap();
    std::fs::write(&path, format!("{}\n", std::process::id())).unwrap();
    file
}

#[test]
fn a_long_wait_for_the_lock_says_who_holds_it() {
    let (sandbox, _) = due_for_refresh();
    let lock = hold_lock(&sandbox);
    let child = sandbox.spawn(&["sts", "GetCallerIdentity"]);
    std::thread::sleep(Duration::from_millis(1800));
    assert_eq!(sandbox.emulator.count("token_refresh"), 0, "it waits");
    drop(lock);
    let outcome = finish_within(child, 20).success();
    let expected = format!(
        "Waiting for process {}, which is renewing profile `work`",
        std::process::id()
    );
    assert!(outcome.stderr.contains(&expected), "{}", outcome.stderr);
    assert_eq!(sandbox.emulator.count("token_refresh"), 1);
}

#[cfg(unix)]
#[test]
fn exec_server_forwards_signals_while_a_renewal_waits_for_the_lock() {
    // Credentials of 2 s: the endpoint serves them for 1 s, then renews on every request.
    let sandbox = Sandbox::with_settings(json!({"sts_lifetime": 2}));
    sandbox.sign_in("work");
    let dir = tempfile::tempdir().unwrap();
    let (uri_file, got_term) = (dir.path().join("uri"), dir.path().join("term"));
    let script = format!(
        "trap 'echo term > {term}; kill $pid; exit 7' TERM; \
         echo \"$ALIBABA_CLOUD_CREDENTIALS_URI\" > {uri}; sleep 60 >/dev/null 2>&1 & pid=$!; wait $pid",
        term = got_term.display(),
        uri = uri_file.display()
    );
    let child = sandbox.spawn(&["exec", "--server", "--", "sh", "-c", &script]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&uri_file).map_or(true, |uri| !uri.ends_with('\n')) {
        assert!(Instant::now() < deadline, "the command never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    let uri = std::fs::read_to_string(&uri_file)
        .unwrap()
        .trim()
        .to_owned();
    let lock = hold_lock(&sandbox);
    std::thread::sleep(Duration::from_millis(2500));
    let exchanges = sandbox.emulator.count("exchange");
    let request = std::thread::spawn(move || crate::support::http("GET", &uri, None));
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: kill(2) on the pid of a child this test started and has not reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(3);
    while !got_term.exists() {
        assert!(
            Instant::now() < deadline,
            "SIGTERM did not reach the command while the renewal waited for the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        sandbox.emulator.count("exchange"),
        exchanges,
        "the renewal was still waiting for the lock"
    );
    drop(lock);
    let outcome = finish_within(child, 20);
    assert_eq!(outcome.code, 7, "{}", outcome.stderr);
    let _ = request.join();
}
