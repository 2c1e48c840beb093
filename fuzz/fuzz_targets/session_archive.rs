//! An imported session archive (`alicli session import`): armored age, scrypt passphrase, then the
//! session JSON with its version, expiry and profile name.

#![no_main]

use alicli::internals::Secret;
use alicli::internals::{check_carried_name, decode_with_max_work_factor};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The seed archive uses the passphrase `fuzz` and scrypt 2^2; capping the work factor at 2^4
    // keeps each run fast (the real import caps it at 2^18).
    if let Ok(archive) = decode_with_max_work_factor(data, &Secret::new("fuzz"), 4) {
        // Whatever decodes must carry a name that messages can show safely (import then applies
        // the name rule to the profile it creates).
        assert!(
            check_carried_name(&archive.profile.name).is_ok(),
            "decoded an archive whose profile name cannot be shown"
        );
    }
});
