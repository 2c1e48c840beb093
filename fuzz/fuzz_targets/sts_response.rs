//! An STS API answer (JSON or an error body) and the `Date` header used for clock-skew checks.
//! Input: one byte choosing the status (< 128: 200, else 403), then the body.

#![no_main]

use alicli::internals::parse_api_response;
use alicli::timefmt::parse_http_date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let status = if *first < 128 { 200 } else { 403 };
    match parse_api_response(status, body, "GetCallerIdentity") {
        Ok(_) => assert_eq!(status, 200),
        Err(error) => {
            let shown = format!("{error:#}");
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = parse_http_date(text);
    }
});
