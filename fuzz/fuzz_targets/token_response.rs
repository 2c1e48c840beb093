//! The token endpoint's answers: a 2xx body (tokens and lifetimes) and an error body.

#![no_main]

use alicli::internals::parse_server_error;
use alicli::internals::parse_token_response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for now in [0, 1_800_000_000, i64::MAX] {
        if let Ok(tokens) = parse_token_response(data, now) {
            assert!(!tokens.access_token.is_empty());
            assert!(tokens.access_expires_at >= now, "an expiry before now");
            assert!(tokens.refresh_expires_at.is_none_or(|at| at >= now));
        }
    }
    // Whatever the server says is shown to the user: it must not carry terminal controls.
    let shown = parse_server_error(400, data).to_string();
    assert!(!shown.chars().any(char::is_control), "{shown:?}");
});
