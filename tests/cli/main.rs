//! Integration tests: the real `alicli` binary against the local emulator, on 127.0.0.1 only.

mod support;

mod browser;
mod doctor;
mod enterprise;
mod hostile_callback;
mod profile_file;
mod python_sdk;
mod secrets;
mod signatures;
mod signin;
mod sts;
