//! One sign-in driven by a real browser: headless Chromium follows the emulator's redirect to the
//! loopback callback, exactly as a person's browser would.

use std::path::PathBuf;

use crate::support::{Sandbox, quote};

fn find_chromium() -> Option<PathBuf> {
    let names = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

#[test]
fn headless_chromium_completes_a_sign_in() {
    let Some(chromium) = find_chromium() else {
        assert!(
            std::env::var("ALICLI_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "ALICLI_REQUIRE_BROWSER=1 but no chromium on PATH"
        );
        eprintln!(
            "skipping headless_chromium_completes_a_sign_in: chromium is not installed (apt-get install chromium)"
        );
        return;
    };
    let mut sandbox = Sandbox::new();
    let profile_dir = sandbox.home.path().join("chromium-profile");
    // --dump-dom loads the page (following the redirect to our callback), prints it and exits.
    // The other flags keep Chromium from reaching for the network on its own.
    sandbox.browser = format!(
        "{} --headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
         --disable-component-update --disable-sync --disable-quic --user-data-dir={} --dump-dom %s",
        quote(chromium.to_str().unwrap()),
        quote(profile_dir.to_str().unwrap())
    );
    let outcome = sandbox
        .configure(&[
            "--profile",
            "browser",
            "--region",
            "cn-hangzhou",
            "--timeout",
            "60",
        ])
        .success();
    assert!(
        outcome
            .stderr
            .contains("Signed in as acs:ram::1234567890123456:user/alice"),
        "{}",
        outcome.stderr
    );
    assert_eq!(sandbox.profile("browser")["mode"], "OAuth");
    assert_eq!(sandbox.emulator.count("token_code"), 1);
}
