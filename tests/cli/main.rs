//! Integration tests: the real `alicli` binary against the local emulator, on 127.0.0.1 only.

mod support;

mod account;
mod archive;
mod browser;
mod headless;
mod profile_file;
mod python_sdk;
mod secrets;
mod session;
mod signatures;
mod signin;
mod sts;
