//! The test harness: the emulator as a child process on 127.0.0.1:0, an isolated HOME per test, and
//! the real `alicli` binary run with a clean environment.

#![allow(dead_code)]

#[cfg(unix)]
mod bounds;
mod emulator;
mod http;
#[cfg(target_os = "linux")]
pub mod keychain;
pub mod live;
pub mod tls;

#[cfg(unix)]
pub use bounds::bounded;
pub use emulator::Emulator;
pub use http::{http, http_typed, http_with_headers};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::LazyLock;
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

/// Path of the alicli binary under test.
pub const ALICLI: &str = env!("CARGO_BIN_EXE_alicli");
/// Path of the emulator binary. It is a crate of its own (it never ships), so Cargo gives its path
/// to no test of this crate; `cargo test` at the workspace root builds it beside `alicli`.
pub fn emulator() -> &'static str {
    static PATH: LazyLock<String> = LazyLock::new(|| beside_alicli("alicli-emulator"));
    &PATH
}

/// Path of `alicli-test-program` (emulator/src/bin/), the portable stand-in for `sh -c`, `printf`,
/// `true` and `false` as an `exec` child, a `process_command` or a `BROWSER`.
pub fn test_program() -> &'static str {
    static PATH: LazyLock<String> = LazyLock::new(|| beside_alicli("alicli-test-program"));
    &PATH
}

fn beside_alicli(name: &str) -> String {
    let name = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    let path = Path::new(ALICLI).with_file_name(name);
    assert!(
        path.is_file(),
        "{} is missing: run the tests from the workspace root with `cargo test`, which builds the \
         emulator crate's programs too (or `cargo build -p alicli-emulator` first)",
        path.display()
    );
    path.to_string_lossy().into_owned()
}

/// What a finished command did.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Outcome {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Outcome {
    /// Asserts exit code 0, showing stderr otherwise.
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// Asserts that stderr says `text`, showing it otherwise.
    pub fn says(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "expected stderr to say {text:?}\nstderr: {}",
            self.stderr
        );
        self
    }

    /// Asserts an exit code.
    pub fn code(self, code: i32) -> Self {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Quotes a path for a `BROWSER` command line.
pub fn quote(path: &str) -> String {
    format!("'{}'", path.replace('\'', "'\\''"))
}

/// One test's world: its own HOME and its own emulator.
pub struct Sandbox {
    /// The isolated home directory.
    pub home: TempDir,
    /// The emulator.
    pub emulator: Emulator,
    /// The `BROWSER` value used by [`Sandbox::cmd`].
    pub browser: String,
}

impl Sandbox {
    /// A sandbox with default emulator settings.
    pub fn new() -> Self {
        Self::with_settings(json!({}))
    }

    /// A sandbox whose emulator starts with `settings`.
    pub fn with_settings(settings: Value) -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
            emulator: Emulator::start(settings),
            browser: format!("{} browse", quote(emulator())),
        }
    }

    /// `~/.aliyun/config.json` of this sandbox.
    pub fn config_path(&self) -> PathBuf {
        self.home.path().join(".aliyun").join("config.json")
    }

    /// `program` with a clean environment: PATH, and this sandbox as the home directory (`HOME`,
    /// and `USERPROFILE`, which Windows programs read instead).
    pub fn clean(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("USERPROFILE", self.home.path());
        // The keychain tests' Secret Service, for alicli and for the alicli an SDK starts; other
        // tests never reach it (file profiles open no keychain).
        if let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            command.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        // Windows programs cannot open sockets without SystemRoot, nor find temp space without TEMP.
        #[cfg(windows)]
        for name in [
            "SystemRoot",
            "SystemDrive",
            "TEMP",
            "TMP",
            "PATHEXT",
            "ComSpec",
        ] {
            if let Some(value) = std::env::var_os(name) {
                command.env(name, value);
            }
        }
        command
    }

    /// An `alicli` command with a clean environment pointed at the emulator.
    pub fn cmd(&self) -> Command {
        let mut command = self.clean(ALICLI);
        command
            .env("ALICLI_SIGNIN_URL", &self.emulator.url)
            .env("ALICLI_OAUTH_URL", &self.emulator.url)
            .env("ALIBABA_CLOUD_STS_ENDPOINT", &self.emulator.url)
            .env("BROWSER", &self.browser)
            .stdin(Stdio::null());
        command
    }

    /// Starts alicli with `args`, output captured.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.cmd()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start alicli")
    }

    /// `alicli configure set -p PROFILE ARGS…`, to completion.
    pub fn set(&self, profile: &str, args: &[&str]) -> Outcome {
        let mut all = vec!["configure", "set", "-p", profile];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Runs alicli with `args` and extra environment variables to completion.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Outcome {
        let mut command = self.cmd();
        command.args(args).envs(env.iter().copied());
        command.output().expect("run alicli").into()
    }

    /// Runs alicli with `args` to completion.
    pub fn run(&self, args: &[&str]) -> Outcome {
        self.cmd().args(args).output().expect("run alicli").into()
    }

    /// Signs `profile` in through the emulator; asserts success.
    pub fn sign_in(&self, profile: &str) -> Outcome {
        self.configure(&["--profile", profile, "--region", "cn-hangzhou"])
            .success()
    }

    /// Runs the OAuth sign-in (`configure --mode OAuth --callback-port 0`) with `extra` arguments.
    pub fn configure(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["configure", "--mode", "OAuth", "--callback-port", "0"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The profile file as JSON.
    pub fn config(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.config_path()).expect("config.json exists"))
            .unwrap()
    }

    /// One profile of the file.
    pub fn profile(&self, name: &str) -> Value {
        self.config()["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("profile {name} missing"))
    }

    /// Replaces the profile file.
    pub fn write_config(&self, config: &Value) {
        write_file(
            &self.config_path(),
            serde_json::to_string_pretty(config).unwrap().as_bytes(),
        );
    }

    /// Changes fields of one profile in the file.
    pub fn edit_profile(&self, name: &str, patch: Value) {
        let mut config = self.config();
        let profile = config["profiles"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|p| p["name"] == name)
            .unwrap();
        for (key, value) in patch.as_object().unwrap() {
            profile[key] = value.clone();
        }
        self.write_config(&config);
    }
}

/// Writes a file, creating its directory.
pub fn write_file(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The path of an optional tool that build.rs found. Tests that need one are `#[ignore]`d where it
/// is missing (cfg `alicli_test_no_…`), so such a test runs without it only when CI requires the
/// tool (`ALICLI_REQUIRE_…=1`) or under `--include-ignored`; then it fails here, naming the tool.
pub fn optional_tool(found: Option<&'static str>, what: &str) -> &'static str {
    found.unwrap_or_else(|| {
        panic!("{what} is required but was not on PATH when the tests were built (see build.rs)")
    })
}

/// Seconds since the epoch.
pub fn now() -> i64 {
    alicli::clock::now_unix()
}

/// Waits for a child, killing it and failing after `secs` seconds.
pub fn finish_within(mut child: Child, secs: u64) -> Outcome {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if child.try_wait().expect("wait for alicli").is_some() {
            return child.wait_with_output().expect("collect output").into();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let outcome: Outcome = child.wait_with_output().unwrap().into();
            panic!("alicli did not finish within {secs} s: {outcome:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Tests that hold or probe the default callback ports 12345-12349 take this lock, so that one
/// holding all five never makes another see them busy. It is a file lock as well as a mutex, so
/// test runs of other checkouts on the same machine wait for each other too.
pub fn default_ports_lock() -> DefaultPortsGuard {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let path = std::env::temp_dir().join("alicli-tests-default-ports.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .expect("open the default-ports lock file");
    file.lock().expect("lock the default-ports lock file");
    DefaultPortsGuard {
        _file: file,
        _guard: guard,
    }
}

/// Held while a test uses the default callback ports; dropping it releases both locks.
pub struct DefaultPortsGuard {
    _file: std::fs::File,
    _guard: std::sync::MutexGuard<'static, ()>,
}

/// Runs `command_line` (a shell command) on a pseudo-terminal made by util-linux `script`, in the
/// environment of `env` (a command from [`Sandbox::cmd`]), with `input` typed on the terminal.
/// What the terminal showed (stdout and stderr, and the echo of what was typed) is the stdout.
pub fn on_terminal(env: &Command, command_line: &str, input: &str) -> Outcome {
    let mut script = Command::new("script");
    script.env_clear();
    for (key, value) in env.get_envs() {
        if let Some(value) = value {
            script.env(key, value);
        }
    }
    let mut child = script
        .args(["-qec", command_line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run util-linux `script`");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    finish_within(child, 60)
}
