//! Headless sign-in: no browser on this machine. The test plays the user on another device: it
//! takes the printed URL, signs in with the emulator's browser helper, and either pastes the final
//! address (or code) into alicli, or lets the redirect reach the listener as SSH forwarding would.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::live::Live;
use crate::support::{Sandbox, emulator, quote, test_program};

fn configure(sandbox: &Sandbox, extra: &[&str]) -> Command {
    let mut command = sandbox.cmd();
    command.args([
        "configure",
        "--profile",
        "remote",
        "--mode",
        "OAuth",
        "--region",
        "cn-hangzhou",
        "--callback-port",
        "0",
        "--timeout",
        "60",
    ]);
    command.args(extra);
    command
}

/// The URL and port from the instructions.
fn read_instructions(live: &mut Live) -> (String, u16) {
    let url = live.wait_for("SignIn url: ");
    let url = url.split_once("SignIn url: ").unwrap().1.trim().to_owned();
    let waiting = live.wait_for("Waiting for the sign-in on http://127.0.0.1:");
    let port = waiting
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .unwrap();
    (url, port)
}

/// Signs in on "another device" and returns the address the browser ended on, without visiting it.
fn final_address(sandbox: &Sandbox, url: &str) -> String {
    let file = sandbox.home.path().join("final-url.txt");
    let status = Command::new(emulator())
        .args(["browse", "--write-final-url", file.to_str().unwrap(), url])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for_file(&file)
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text.trim().to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Visits the authorize URL and follows the redirect to the loopback listener, as a browser on a
/// laptop with `ssh -L` forwarding would.
fn browse_through_forwarding(url: &str) {
    let status = Command::new(emulator())
        .args(["browse", url])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn pasting_the_final_address_signs_in_and_bad_pastes_keep_it_waiting() {
    let sandbox = Sandbox::new();
    let mut live = Live::spawn(configure(&sandbox, &["--no-browser"]));
    let (url, port) = read_instructions(&mut live);
    assert!(
        live.stderr
            .contains(&format!("ssh -L {port}:127.0.0.1:{port} <host>")),
        "{}",
        live.stderr
    );
    assert!(
        live.stderr.contains("--no-browser was given"),
        "{}",
        live.stderr
    );
    let address = final_address(&sandbox, &url);
    assert!(
        address.starts_with(&format!("http://127.0.0.1:{port}/cli/callback?code=")),
        "{address}"
    );

    live.write_line("this is not the address");
    let refusal = live.wait_for("error: ");
    assert!(refusal.contains("neither the address"), "{refusal}");
    assert!(refusal.contains("Still waiting"), "{refusal}");

    let mut forged = url::Url::parse(&address).unwrap();
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                "forged".into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    live.write_line(forged.as_str());
    let refusal = live.wait_for("error: ");
    assert!(refusal.contains("`state` does not match"), "{refusal}");

    live.write_line(&address);
    let outcome = live.finish().success();
    assert!(
        outcome
            .stderr
            .contains("Signed in as acs:ram::1234567890123456:user/alice"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.profile("remote")["mode"], "OAuth");
    assert_eq!(
        sandbox.emulator.count("token_code"),
        1,
        "only the right paste reached the token endpoint"
    );
}

#[test]
fn an_ssh_session_goes_headless_by_itself_and_the_forwarded_redirect_completes_it() {
    let sandbox = Sandbox::new();
    // No BROWSER and an empty PATH: if detection failed, no real browser could start anyway.
    let empty_path = sandbox.home.path().join("empty-bin");
    std::fs::create_dir_all(&empty_path).unwrap();
    let mut command = configure(&sandbox, &[]);
    command
        .env_remove("BROWSER")
        .env("PATH", &empty_path)
        .env("SSH_CONNECTION", "10.1.2.3 50022 10.9.8.7 22")
        .env("USER", "dev")
        .env("DISPLAY", ":0");
    let mut live = Live::spawn(command);
    let (url, port) = read_instructions(&mut live);
    assert!(
        live.stderr.contains("because this is an SSH session"),
        "{}",
        live.stderr
    );
    assert!(
        live.stderr
            .contains(&format!("ssh -L {port}:127.0.0.1:{port} dev@10.9.8.7")),
        "{}",
        live.stderr
    );
    assert!(
        !live.stderr.contains("Opening the browser"),
        "{}",
        live.stderr
    );
    // A script closing stdin does not end the wait, and says so: the listener can still win.
    live.close_stdin();
    let closed = live.wait_for("Standard input was closed");
    assert!(
        closed.contains(&format!(
            "still waiting for the browser's redirect to http://127.0.0.1:{port}/cli/callback (up to"
        )),
        "{closed}"
    );
    browse_through_forwarding(&url);
    live.finish().success();
    assert_eq!(sandbox.profile("remote")["mode"], "OAuth");
}

#[cfg(target_os = "linux")]
#[test]
fn no_display_goes_headless_and_a_bare_code_works_after_a_wrong_one() {
    let sandbox = Sandbox::new();
    let mut command = configure(&sandbox, &[]);
    command.env_remove("BROWSER");
    let mut live = Live::spawn(command);
    let (url, _) = read_instructions(&mut live);
    assert!(
        live.stderr.contains("there is no display"),
        "{}",
        live.stderr
    );
    let address = final_address(&sandbox, &url);
    let code = url::Url::parse(&address)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();

    live.write_line("code-not-a-real-one-123");
    let refusal = live.wait_for("error: ");
    assert!(refusal.contains("did not accept that code"), "{refusal}");
    assert!(refusal.contains("invalid_grant"), "{refusal}");
    live.write_line(&code);
    live.finish().success();
    assert_eq!(sandbox.emulator.count("token_code"), 2);
    assert_eq!(sandbox.profile("remote")["mode"], "OAuth");
}

#[test]
fn a_browser_command_that_fails_switches_to_headless() {
    let mut sandbox = Sandbox::new();
    sandbox.browser = format!("{} --exit 1", quote(test_program()));
    let mut live = Live::spawn(configure(&sandbox, &[]));
    live.wait_for("Opening the browser");
    let warning = live.wait_for("warning: ");
    assert!(
        warning.contains("the browser could not be opened"),
        "{warning}"
    );
    let (url, port) = read_instructions(&mut live);
    assert!(
        live.stderr
            .contains(&format!("ssh -L {port}:127.0.0.1:{port}")),
        "{}",
        live.stderr
    );
    let address = final_address(&sandbox, &url);
    live.write_line(&address);
    live.finish().success();
}

#[cfg(unix)]
#[test]
fn an_endless_stdin_is_cut_off_and_the_redirect_still_signs_in() {
    use crate::support::bounded;
    let sandbox = Sandbox::new();
    let mut command = configure(&sandbox, &["--no-browser"]);
    bounded(&mut command);
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let mut live = Live::spawn_with_stdin(command, zero.into());
    let (url, _) = read_instructions(&mut live);
    live.wait_for("longer than 64 KiB; alicli stopped reading it");
    browse_through_forwarding(&url);
    live.finish().success();
    assert_eq!(sandbox.profile("remote")["mode"], "OAuth");
}
