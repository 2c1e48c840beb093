//! Finds the optional tools that some integration tests need (headless Chromium, Alibaba's Python
//! SDK and oss2, fish, PowerShell, a Secret Service on the session bus), so that `cargo test`
//! reports those tests *ignored* where a tool is missing instead of passing them without running.
//! alicli itself uses none of this.
//!
//! For each tool it sets `ALICLI_TEST_<TOOL>` (the program's path, read by the tests with
//! `option_env!`) when found, and the cfg `alicli_test_no_<tool>` when missing, which the tests
//! turn into `#[ignore]`. With `ALICLI_REQUIRE_<…>=1` (CI) a missing tool sets no cfg: its tests
//! run and fail, naming the tool.

use std::path::{Path, PathBuf};

/// (cfg suffix and env suffix, the variable that makes the tool required, program names)
const TOOLS: [(&str, &str, &[&str]); 3] = [
    (
        "chromium",
        "ALICLI_REQUIRE_BROWSER",
        &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ],
    ),
    ("fish", "ALICLI_REQUIRE_FISH", &["fish"]),
    ("pwsh", "ALICLI_REQUIRE_PWSH", &["pwsh"]),
];

fn main() {
    let path_dirs = path_dirs();
    println!("cargo::rerun-if-env-changed=PATH");
    // A tool installed later changes its directory, which makes this script run again. Cargo
    // scans such directories recursively on every build: cheap for Unix's flat bin directories,
    // slow for Windows's System32, so there `touch build.rs` after installing a tool.
    if !cfg!(windows) {
        for dir in &path_dirs {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
    }
    for (tool, require, names) in TOOLS {
        let found = names.iter().find_map(|name| find(&path_dirs, name));
        match found {
            Some(program) => println!(
                "cargo::rustc-env=ALICLI_TEST_{}={}",
                tool.to_uppercase(),
                program.display()
            ),
            None => ignore_unless_required(tool, require),
        }
    }
    // The SDK lives in a Python the developer names; it is not looked for on PATH.
    println!("cargo::rerun-if-env-changed=ALICLI_TEST_PYTHON");
    let python = std::env::var_os("ALICLI_TEST_PYTHON").filter(|v| !v.is_empty());
    if python.is_none() {
        ignore_unless_required("python_sdk", "ALICLI_REQUIRE_PYTHON_SDK");
    }
    // oss2 (Alibaba's OSS SDK) in that Python, for the test of its environment provider. Asked
    // once per build of the tests; after `pip install oss2`, `touch build.rs`.
    let has_oss2 = python.is_some_and(|python| {
        std::process::Command::new(python)
            .args(["-c", "import oss2"])
            .status()
            .is_ok_and(|status| status.success())
    });
    if !has_oss2 {
        ignore_unless_required("oss2", "ALICLI_REQUIRE_PYTHON_SDK");
    }
    // The keychain tests talk to the Secret Service on the session bus (Linux only; macOS and
    // Windows keychains are not driven by the tests).
    println!("cargo::rerun-if-env-changed=DBUS_SESSION_BUS_ADDRESS");
    if !secret_service_reachable(&path_dirs) {
        ignore_unless_required("keychain", "ALICLI_REQUIRE_KEYCHAIN");
    }
    for (tool, _, _) in TOOLS {
        println!("cargo::rustc-check-cfg=cfg(alicli_test_no_{tool})");
    }
    println!("cargo::rustc-check-cfg=cfg(alicli_test_no_python_sdk)");
    println!("cargo::rustc-check-cfg=cfg(alicli_test_no_keychain)");
    println!("cargo::rustc-check-cfg=cfg(alicli_test_no_oss2)");
}

fn ignore_unless_required(tool: &str, require: &str) {
    println!("cargo::rerun-if-env-changed={require}");
    if std::env::var(require).as_deref() != Ok("1") {
        println!("cargo::rustc-cfg=alicli_test_no_{tool}");
    }
}

/// Whether a Secret Service answers on the session bus: the bus is named, and (where dbus-send is
/// installed to ask) `org.freedesktop.secrets` is owned or can be started on it.
fn secret_service_reachable(path_dirs: &[PathBuf]) -> bool {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
    if !linux || !bus {
        return false;
    }
    let Some(dbus_send) = find(path_dirs, "dbus-send") else {
        return true;
    };
    let ask = |method: &str| {
        std::process::Command::new(&dbus_send)
            .args(["--session", "--print-reply", "--reply-timeout=2000"])
            .args(["--dest=org.freedesktop.DBus", "/org/freedesktop/DBus"])
            .arg(format!("org.freedesktop.DBus.{method}"))
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default()
    };
    ask("ListNames").contains("\"org.freedesktop.secrets\"")
        || ask("ListActivatableNames").contains("\"org.freedesktop.secrets\"")
}

/// The absolute directories of PATH that exist (a relative or missing one would make Cargo run
/// this script on every build).
fn path_dirs() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute() && dir.is_dir())
        .collect()
}

fn find(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
    dirs.iter()
        .map(|dir| Path::new(dir).join(&file))
        .find(|candidate| candidate.is_file())
}
