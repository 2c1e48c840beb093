//! The decrypted contents of a session archive: the JSON with its format, version, expiry and
//! profile, read by the same function `session import` uses once age has decrypted the file. The
//! `session_archive` target reaches this only through scrypt, about 40 runs a second; this one
//! fuzzes the contents directly.

#![no_main]

use alicli::internals::{check_carried_name, parse_contents};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(archive) = parse_contents(data) {
        // Whatever is accepted carries a name messages can show safely (import then applies the
        // name rule to the profile it creates)…
        assert!(
            check_carried_name(&archive.profile.name).is_ok(),
            "accepted contents whose profile name cannot be shown"
        );
        // …and reads back the same after export writes it out again.
        let written = serde_json::to_vec(&archive).expect("archives serialize");
        let again = parse_contents(&written).expect("what export writes, import reads");
        assert_eq!(
            serde_json::to_value(&again).unwrap(),
            serde_json::to_value(&archive).unwrap()
        );
    }
});
