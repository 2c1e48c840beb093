//! One sign-in driven by a real browser: headless Chromium follows the emulator's redirect to the
//! loopback callback, exactly as a person's browser would.

use crate::support::{Sandbox, optional_tool, quote};

#[test]
#[cfg_attr(
    alicli_test_no_chromium,
    ignore = "needs Chromium (apt-get install chromium); ALICLI_REQUIRE_BROWSER=1 requires it"
)]
fn headless_chromium_completes_a_sign_in() {
    let chromium = optional_tool(option_env!("ALICLI_TEST_CHROMIUM"), "Chromium");
    let mut sandbox = Sandbox::new();
    let profile_dir = sandbox.home.path().join("chromium-profile");
    // --dump-dom loads the page (following the redirect to our callback), prints it and exits.
    // The other flags keep Chromium from reaching for the network on its own.
    sandbox.browser = format!(
        "{} --headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
         --disable-component-update --disable-sync --disable-quic --user-data-dir={} --dump-dom %s",
        quote(chromium),
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
