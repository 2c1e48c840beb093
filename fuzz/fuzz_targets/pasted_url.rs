//! What a user pastes at the headless sign-in prompt: the address the browser ended on, its query,
//! or a bare code. Input: the expected `state`, a newline, then the pasted text.

#![no_main]

use alicli::internals::{Pasted, parse_pasted};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (expected, pasted) = text.split_once('\n').unwrap_or(("state", &text));
    if expected.is_empty() {
        return;
    }
    match parse_pasted(pasted, expected) {
        // A bare code goes to the token endpoint as it is: it must be one plain token.
        Ok(Pasted::BareCode(code)) => {
            let code = code.expose();
            assert!(
                !code.is_empty() && code.len() <= 2048,
                "odd bare code length"
            );
            assert!(
                !code.chars().any(char::is_whitespace),
                "bare code with whitespace"
            );
        }
        // A callback is only accepted with the expected state somewhere in what was pasted.
        // (The URL standard drops ASCII tabs and line breaks, so a URL a terminal wrapped over
        // lines still parses; compare without them.)
        Ok(Pasted::Callback(_)) => {
            let pasted: String = pasted
                .chars()
                .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
                .collect();
            let decoded: String = url::form_urlencoded::parse(pasted.as_bytes())
                .map(|(k, v)| format!("{k}={v}&"))
                .collect();
            assert!(
                pasted.contains(expected) || decoded.contains(expected),
                "accepted a callback without the expected state"
            );
        }
        Err(_) => {}
    }
});
