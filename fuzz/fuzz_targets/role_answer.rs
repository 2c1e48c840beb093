//! Role credentials from STS (`AssumeRole`, `AssumeRoleWithOIDC`) and from the ECS metadata
//! service. Input: one byte choosing the reader (< 128: STS, else metadata), then the body.
//! Errors never carry control characters (a hostile answer must not drive the terminal).

#![no_main]

use alicli::internals::{parse_api_response, parse_metadata_answer, role_credentials};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((first, body)) = data.split_first() else {
        return;
    };
    let result = if *first < 128 {
        parse_api_response(200, body, "AssumeRole").and_then(role_credentials)
    } else {
        parse_metadata_answer(body)
    };
    match result {
        Ok(credentials) => assert!(credentials.expiration.is_some()),
        Err(error) => {
            let shown = format!("{error:#}");
            assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }
    }
});
