//! The emulator as a child process of a test, on 127.0.0.1:0, and what tests ask of it: its
//! counters, its settings, the secrets it issued, a refresh as another tool would make it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use super::{emulator, http, http_typed};

/// A running emulator; killed when dropped.
pub struct Emulator {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The emulator's long-term AccessKey, for `AK` profiles.
    pub key_id: String,
    /// Its secret.
    pub key_secret: String,
}

impl Emulator {
    /// Starts an emulator with settings (see emulator/state.rs).
    pub fn start(settings: Value) -> Self {
        let mut child = Command::new(emulator())
            .args(["--settings", &settings.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start alicli-emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read the emulator's first line");
        let info: Value = serde_json::from_str(&line).expect("emulator prints JSON first");
        Self {
            child,
            url: info["url"].as_str().unwrap().to_owned(),
            key_id: info["access_key_id"].as_str().unwrap().to_owned(),
            key_secret: info["access_key_secret"].as_str().unwrap().to_owned(),
        }
    }

    /// The request counters.
    pub fn stats(&self) -> Value {
        let (_, body) = http("GET", &format!("{}/__emulator/stats", self.url), None);
        serde_json::from_str(&body).unwrap()
    }

    /// One counter.
    pub fn count(&self, name: &str) -> u64 {
        self.stats()[name].as_u64().unwrap()
    }

    /// Changes settings while running.
    pub fn set(&self, patch: Value) {
        http(
            "POST",
            &format!("{}/__emulator/config", self.url),
            Some(&patch.to_string()),
        );
    }

    /// Revokes every grant.
    pub fn revoke_all(&self) {
        http(
            "POST",
            &format!("{}/__emulator/revoke", self.url),
            Some("{}"),
        );
    }

    /// Revokes the one grant `token` (a refresh or access token) belongs to.
    pub fn revoke(&self, token: &str) {
        let body = json!({ "token": token }).to_string();
        http(
            "POST",
            &format!("{}/__emulator/revoke", self.url),
            Some(&body),
        );
    }

    /// Answers the next `times` requests to `path` with HTTP `status`.
    pub fn fail(&self, path: &str, status: u16, times: u32) {
        let body = json!({"path": path, "status": status, "times": times}).to_string();
        http(
            "POST",
            &format!("{}/__emulator/fail", self.url),
            Some(&body),
        );
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emulator {
    /// Every secret the emulator issued or received: codes, verifiers, tokens, STS secrets.
    pub fn secrets(&self) -> Vec<String> {
        let (_, body) = http("GET", &format!("{}/__emulator/secrets", self.url), None);
        serde_json::from_str(&body).unwrap()
    }
}

impl Emulator {
    /// Refreshes a token directly, as another tool sharing the profile would; the token response.
    pub fn refresh(&self, refresh_token: &str) -> Value {
        let (status, body) = http_typed(
            "POST",
            &format!("{}/v1/token", self.url),
            Some(&format!(
                "grant_type=refresh_token&refresh_token={refresh_token}&client_id=4038181954557748008"
            )),
            "application/x-www-form-urlencoded",
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Waits until counter `name` reaches `at_least`; panics after 10 s.
    pub fn wait_for(&self, name: &str, at_least: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while self.count(name) < at_least {
            assert!(
                std::time::Instant::now() < deadline,
                "emulator counter {name} never reached {at_least}"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
