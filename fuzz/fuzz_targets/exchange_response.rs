//! The STS exchange's 2xx answer: credentials with an RFC 3339 expiry, camelCase or PascalCase.

#![no_main]

use alicli::internals::parse_exchange_response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse_exchange_response(data) {
        Ok(credentials) => {
            assert!(!credentials.access_key_id.is_empty());
            assert!(!credentials.access_key_secret.is_empty());
            assert!(credentials.security_token.is_some());
            assert!(credentials.expiration.is_some());
        }
        Err(error) => {
            let shown = format!("{error:#}");
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
    }
});
