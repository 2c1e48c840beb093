//! Only for the tests: the keychain tests need a Secret Service, which they reach through the
//! session bus named by DBUS_SESSION_BUS_ADDRESS. Without one they are compiled as ignored
//! (reported as such, never as passed); `.ci/run` starts one and requires them.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(keychain_tests)");
    println!("cargo::rerun-if-env-changed=DBUS_SESSION_BUS_ADDRESS");
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").filter(|v| !v.is_empty());
    let linux = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    if linux && bus.is_some() {
        println!("cargo::rustc-cfg=keychain_tests");
    }
}
