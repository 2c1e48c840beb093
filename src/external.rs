//! `External` profiles: credentials printed by a `process_command` (docs/protocol.md §7), run the
//! way the SDKs run it (split with shell rules, no shell, 60 s), with a guard against a profile
//! whose command ends up asking alicli for the same profile again.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;

use crate::cloud::credentials::Credentials;
use crate::secret::Secret;
use crate::timefmt::parse_rfc3339;

/// The environment variable that counts how many alicli processes are running above this one
/// (each alicli that starts a `process_command` or an `exec` child passes its own depth plus one).
pub const DEPTH_VAR: &str = "ALICLI_DEPTH";

/// An alicli this deep refuses to run another `process_command`: no honest chain of External
/// profiles is this long, and a profile that calls itself reaches it in a few milliseconds.
pub const MAX_DEPTH: u32 = 4;

/// The SDKs give a `process_command` 60 seconds (docs/protocol.md §7).
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// What a `process_command` prints.
#[derive(Deserialize)]
struct Wire {
    mode: Option<String>,
    access_key_id: Option<String>,
    access_key_secret: Option<Secret>,
    sts_token: Option<Secret>,
    expiration: Option<String>,
}

/// Reads the JSON a `process_command` printed into credentials, with the SDKs' rules: both keys
/// are required, `StsToken` needs a token, `expiration` is RFC 3339. `now` refuses expired ones.
pub fn parse_output(stdout: &[u8], now: i64) -> Result<Credentials> {
    let wire: Wire = serde_json::from_slice(stdout).map_err(|e| {
        // Position only: the output holds secrets.
        anyhow!(
            "its output is not the expected JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let access_key_id = wire.access_key_id.filter(|v| !v.is_empty());
    let access_key_secret = wire.access_key_secret.filter(|v| !v.is_empty());
    let (Some(access_key_id), Some(access_key_secret)) = (access_key_id, access_key_secret) else {
        bail!("its output lacks `access_key_id` or `access_key_secret`");
    };
    let security_token = wire.sts_token.filter(|v| !v.is_empty());
    if wire.mode.as_deref() == Some("StsToken") && security_token.is_none() {
        bail!("its output has mode `StsToken` but no `sts_token`");
    }
    let expiration = match wire.expiration.as_deref().filter(|v| !v.is_empty()) {
        Some(text) => Some(parse_rfc3339(text).context("its `expiration` is unreadable")?),
        None => None,
    };
    if let Some(at) = expiration
        && at <= now
    {
        bail!("it returned credentials that have already expired");
    }
    Ok(Credentials {
        access_key_id,
        access_key_secret,
        security_token,
        expiration,
    })
}

/// Runs `command` as the SDKs do (shell-style splitting, no shell) with `ALICLI_DEPTH` set to
/// `child_depth`, and returns what it printed. Its stderr goes to ours, so its own prompts and
/// errors reach the user.
pub fn run(command: &str, child_depth: u32, timeout: Duration) -> Result<Vec<u8>> {
    let words = shlex::split(command)
        .filter(|w| !w.is_empty())
        .ok_or_else(|| anyhow!("it cannot be split into words (check its quotes)"))?;
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .env(DEPTH_VAR, child_depth.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start `{}`", words[0]))?;
    let mut stdout = child.stdout.take().expect("stdout was piped");
    // Read on a thread so a chatty command cannot block on a full pipe while we wait.
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() >= timeout {
            let _ = child.kill();
            let _ = child.wait();
            bail!("it did not finish within {} s", timeout.as_secs());
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let bytes = reader
        .join()
        .map_err(|_| anyhow!("reading its output failed"))?
        .context("reading its output failed")?;
    if !status.success() {
        match status.code() {
            Some(code) => bail!("it exited with code {code}"),
            None => bail!("it was killed ({status})"),
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sts_and_ak_outputs() {
        let sts = br#"{"mode":"StsToken","access_key_id":"STS.a","access_key_secret":"s","sts_token":"t","expiration":"2026-11-22T10:00:00Z"}"#;
        let credentials = parse_output(sts, 0).unwrap();
        assert_eq!(credentials.expiration, Some(1_795_341_600));
        assert_eq!(credentials.security_token.unwrap().expose(), "t");
        let ak = br#"{"mode":"AK","access_key_id":"LTAI","access_key_secret":"s"}"#;
        assert!(parse_output(ak, 0).unwrap().security_token.is_none());
    }

    #[test]
    fn refuses_incomplete_or_expired_outputs_without_echoing_them() {
        let error = parse_output(
            br#"{"mode":"StsToken","access_key_id":"a","access_key_secret":"SECRET"}"#,
            0,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("sts_token") && !error.contains("SECRET"),
            "{error}"
        );
        let error = parse_output(b"{\"access_key_secret\": \"SECRET\" oops", 0)
            .unwrap_err()
            .to_string();
        assert!(!error.contains("SECRET"), "{error}");
        let expired = br#"{"access_key_id":"a","access_key_secret":"s","sts_token":"t","expiration":"2020-01-01T00:00:00Z"}"#;
        assert!(parse_output(expired, 1_795_341_600).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn runs_without_a_shell_and_reports_failures() {
        let out = run("printf '%s' '$HOME'", 1, TIMEOUT).unwrap();
        assert_eq!(out, b"$HOME", "no shell expanded the quoted word");
        let error = run("sh -c 'exit 3'", 1, TIMEOUT).unwrap_err().to_string();
        assert!(error.contains("code 3"), "{error}");
        let error = run("sleep 5", 1, Duration::from_millis(50))
            .unwrap_err()
            .to_string();
        assert!(error.contains("did not finish"), "{error}");
        assert!(run("'unclosed", 1, TIMEOUT).is_err());
    }
}
