//! `~/.aliyun/config.json`, which other tools and people also write: parse it, read every profile
//! the way renewal does, and check that what alicli would write back reads the same.

#![no_main]

use std::path::Path;

use alicli::internals::ConfigFile;
use alicli::internals::Margins;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("config.json");
    let Ok(file) = ConfigFile::parse(data, path) else {
        return;
    };
    let _ = file.current();
    for name in file.names() {
        if let Ok(Some(profile)) = file.profile(name, path) {
            let _ = profile.site();
            for now in [0, 1_800_000_000, i64::MAX, i64::MIN] {
                let _ = profile.state(now, Margins::DEFAULT);
            }
        }
    }
    let written = file.to_bytes();
    let reread = ConfigFile::parse(&written, path).expect("alicli reads what it writes");
    assert_eq!(reread, file, "a rewrite changed the file's meaning");
});
