//! A sign-in whose hosts cannot be reached says so within seconds, names the host, the route and
//! `alicli doctor`, keeps waiting, and ends with a hint that matches what was seen. The "unreachable"
//! hosts are on loopback: a port that refuses, and a listener that accepts and never answers.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::support::Sandbox;
use crate::support::live::Live;

/// Starts a sign-in against `site` (both the sign-in and the OAuth URL) with a browser that does
/// nothing, so that only the background check can speak before the timeout.
fn sign_in_against(sandbox: &Sandbox, site: &str, timeout: &str) -> Live {
    let mut command = sandbox.cmd();
    command
        .env("ALICLI_SIGNIN_URL", site)
        .env("ALICLI_OAUTH_URL", site)
        .env("BROWSER", "true")
        .args(["configure", "--mode", "OAuth", "--region", "cn-hangzhou"])
        .args(["--callback-port", "0", "--timeout", timeout]);
    Live::spawn(command)
}

fn assert_named(warning: &str, host: &str, step: &str) {
    for words in [
        &format!("the sign-in host `{host}/` (direct) cannot be reached from here: {step}"),
        "`alicli doctor`",
        "Still waiting",
    ] {
        assert!(warning.contains(words), "{words:?} missing: {warning}");
    }
}

#[test]
fn a_refusing_sign_in_host_is_named_at_once_and_the_timeout_hint_matches() {
    let sandbox = Sandbox::new();
    // A port nothing listens on: bound, then closed again.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let host = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let mut live = sign_in_against(&sandbox, &host, "6");
    let warning = live.wait_for("warning: ");
    let seen = started.elapsed();
    assert!(seen < Duration::from_secs(10), "took {seen:?}");
    assert_named(&warning, &host, "TCP: cannot connect to");

    // It keeps waiting until the timeout, whose hint repeats the cause instead of "more time".
    let outcome = live.finish().code(1);
    assert!(
        started.elapsed() >= Duration::from_secs(6),
        "{}",
        outcome.stderr
    );
    let hint = outcome
        .stderr
        .lines()
        .find(|line| line.starts_with("hint: "))
        .unwrap();
    assert!(
        hint.contains(&format!(
            "the sign-in host `{host}/` (direct) cannot be reached"
        )) && hint.contains("`alicli doctor`")
            && !hint.contains("--timeout"),
        "{hint}"
    );
    assert!(!sandbox.config_path().exists(), "nothing was written");
}

#[test]
fn a_sign_in_host_that_never_answers_is_named_within_seconds() {
    let sandbox = Sandbox::new();
    // Accepts connections (the kernel completes them) but never reads or answers.
    let blackhole = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("http://{}", blackhole.local_addr().unwrap());
    let started = Instant::now();
    let mut live = sign_in_against(&sandbox, &host, "30");
    let warning = live.wait_for("warning: ");
    let seen = started.elapsed();
    assert!(seen < Duration::from_secs(10), "took {seen:?}");
    assert_named(&warning, &host, "HTTP: no answer within");
    drop(blackhole);
}

#[test]
fn a_reachable_site_stays_quiet_and_the_timeout_hint_says_the_browser_never_came_back() {
    let sandbox = Sandbox::new();
    let mut live = sign_in_against(&sandbox, &sandbox.emulator.url.clone(), "3");
    live.wait_for("Waiting for the sign-in");
    let outcome = live.finish().code(1);
    assert!(!outcome.stderr.contains("warning:"), "{}", outcome.stderr);
    assert_eq!(
        sandbox.emulator.count("unsigned"),
        1,
        "the host was probed once"
    );
    outcome
        .says("hint: the sign-in and OAuth hosts were reachable, but the browser never came back");
}

#[test]
fn a_timeout_of_0_waits_without_a_limit() {
    let sandbox = Sandbox::new();
    let mut command = sandbox.cmd();
    command
        .env("BROWSER", "true")
        .args(["configure", "--mode", "OAuth", "--region", "cn-hangzhou"])
        .args(["--callback-port", "0", "--timeout", "0"]);
    let mut live = Live::spawn(command);
    let waiting = live.wait_for("Waiting for the sign-in");
    assert!(
        waiting.contains("(no time limit; Ctrl-C to cancel)"),
        "{waiting}"
    );
    // Still waiting a moment later (a 0-second limit used to fail at once); Live kills it on drop.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(live.running(), "{}", live.stderr);
}
