//! The lock against the outside world: a holder killed mid-renewal, a refresh token rotated by
//! another tool, and the SDKs' own flock on config.json.

use std::time::Duration;

use serde_json::json;

use crate::concurrency::newest_refresh_token;
use crate::support::{Sandbox, finish_within, now};

#[test]
fn a_lock_held_by_a_killed_process_blocks_nobody() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // Only the exchange is needed, so the request left in flight rotates no token.
    sandbox.edit_profile("work", json!({"sts_expiration": 0}));
    sandbox.emulator.set(json!({"delay_ms": 5000}));
    let arrived = sandbox.emulator.count("oauth_arrived");
    let mut holder = sandbox.spawn(&["sts", "GetCallerIdentity"]);
    // It now holds the lock, waiting on the network.
    sandbox.emulator.wait_for("oauth_arrived", arrived + 1);
    let mut writer = sandbox.spawn(&["configure", "set", "--region", "cn-beijing"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        writer.try_wait().unwrap().is_none(),
        "a writer waits while the holder lives"
    );
    holder.kill().unwrap();
    holder.wait().unwrap();
    finish_within(writer, 5).success();
    assert_eq!(sandbox.profile("work")["region_id"], "cn-beijing");
    sandbox.emulator.set(json!({"delay_ms": 0}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
}

/// Another tool refreshed with the token alicli is about to use and writes its result while
/// alicli's refresh is in flight. `renewed_too`: that tool also stored fresh STS credentials.
fn rotated_by_another_tool(renewed_too: bool) -> Sandbox {
    let sandbox = Sandbox::with_settings(json!({"revoke_on_reuse": false}));
    sandbox.sign_in("work");
    let signed_in = sandbox.profile("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    let other = sandbox
        .emulator
        .refresh(signed_in["oauth_refresh_token"].as_str().unwrap());
    sandbox.emulator.set(json!({"delay_ms": 500}));
    let arrived = sandbox.emulator.count("oauth_arrived");
    let child = sandbox.spawn(&["sts", "GetCallerIdentity"]);
    sandbox.emulator.wait_for("oauth_arrived", arrived + 1);
    sandbox.emulator.set(json!({"delay_ms": 0}));
    // The other tool's write-back lands (without our lock, as the SDKs do).
    let mut patch = json!({
        "oauth_refresh_token": other["refresh_token"],
        "oauth_access_token": other["access_token"],
        "oauth_access_token_expire": now() + 3600,
    });
    if renewed_too {
        for key in [
            "access_key_id",
            "access_key_secret",
            "sts_token",
            "sts_expiration",
        ] {
            patch[key] = signed_in[key].clone();
        }
    }
    sandbox.edit_profile("work", patch);
    let outcome = finish_within(child, 20).success();
    assert!(outcome.stdout.contains("\"Arn\""));
    sandbox
}

#[test]
fn a_refresh_token_rotated_by_another_tool_is_taken_from_the_file() {
    let sandbox = rotated_by_another_tool(false);
    // The other tool's refresh, ours refused, ours again with the newest token.
    assert_eq!(sandbox.emulator.count("token_refresh"), 3);
    assert_eq!(sandbox.emulator.count("exchange"), 2);
    assert_eq!(
        sandbox.profile("work")["oauth_refresh_token"],
        newest_refresh_token(&sandbox)
    );
}

#[test]
fn credentials_another_tool_renewed_meanwhile_are_used_without_more_requests() {
    let sandbox = rotated_by_another_tool(true);
    assert_eq!(sandbox.emulator.count("token_refresh"), 2);
    assert_eq!(sandbox.emulator.count("exchange"), 1, "only the sign-in's");
}

#[cfg(unix)]
#[test]
fn writers_wait_for_the_sdks_flock_on_the_file_and_keep_what_the_sdk_wrote() {
    use std::os::fd::AsRawFd;

    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile("work", json!({"sts_expiration": 0}));
    let path = sandbox.config_path();
    // The SDKs' write-back: flock on config.json itself, a new file renamed over it, unlock.
    let sdk = std::fs::File::open(&path).unwrap();
    assert_eq!(unsafe { libc::flock(sdk.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut set = sandbox.spawn(&["configure", "set", "--region", "cn-beijing"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        set.try_wait().unwrap().is_none(),
        "alicli waits for the SDK's lock"
    );
    let mut config = sandbox.config();
    config["profiles"][0]["x_sdk_wrote"] = json!(true);
    let temp = path.with_extension("json.tmp-sdk");
    std::fs::write(&temp, serde_json::to_vec_pretty(&config).unwrap()).unwrap();
    std::fs::rename(&temp, &path).unwrap();
    drop(sdk);
    finish_within(set, 10).success();
    let profile = sandbox.profile("work");
    assert_eq!(profile["region_id"], "cn-beijing");
    assert_eq!(
        profile["x_sdk_wrote"], true,
        "read after the SDK's write, not before"
    );

    // A renewal's write-back waits the same way.
    let sdk = std::fs::File::open(&path).unwrap();
    assert_eq!(unsafe { libc::flock(sdk.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut renewal = sandbox.spawn(&["sts", "GetCallerIdentity"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(renewal.try_wait().unwrap().is_none());
    drop(sdk);
    finish_within(renewal, 10).success();
    assert!(sandbox.profile("work")["sts_expiration"].as_i64().unwrap() > now());
    assert_eq!(sandbox.profile("work")["x_sdk_wrote"], true);
}
