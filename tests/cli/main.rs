//! Integration tests: the real `alicli` binary against the local emulator, on 127.0.0.1 only.

// The tests' own notes ("skipping: … not installed") may panic on a broken stderr; that is the
// test harness, not alicli, which must never (clippy.toml).
#![allow(clippy::disallowed_macros)]

mod support;

mod aborts;
mod account;
mod archive;
mod bad_input;
mod browser;
mod clock;
mod concurrency;
mod console;
mod consumers;
mod credentials_uri;
mod doctor;
mod enterprise;
mod exec;
mod export;
mod export_quoting;
mod families;
mod faults;
mod first_run;
mod headless;
mod hostile_callback;
// The Secret Service backend, on a session bus the tests start or fake.
#[cfg(target_os = "linux")]
mod keychain;
mod lock_interplay;
mod manage;
mod manage_edit;
mod modes;
mod names;
mod other_writers;
mod profile_file;
mod python_roles;
mod python_sdk;
mod reach;
mod role_modes;
mod roles;
mod secrets;
mod session;
mod shell;
mod signatures;
mod signin;
mod sts;
mod terminal;
#[cfg(unix)]
mod trust;
mod views;
mod wire;
