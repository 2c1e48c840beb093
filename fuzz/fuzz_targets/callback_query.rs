//! The sign-in callback's query string, as any local process or web page can send it.
//! Input: the expected `state`, a newline, then the query.

#![no_main]

use alicli::internals::{CallbackResult, parse_callback_query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (expected, query) = text.split_once('\n').unwrap_or(("state", &text));
    let Ok(result) = parse_callback_query(query, expected) else {
        return;
    };
    // Nothing is accepted unless the first `state` is exactly the one expected.
    let state = url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == "state")
        .map(|(_, value)| value.into_owned());
    assert_eq!(state.as_deref(), Some(expected), "accepted a foreign state");
    if let CallbackResult::Code(code) = result {
        assert!(!code.is_empty());
    }
});
