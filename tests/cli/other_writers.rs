//! What the other writers of config.json do to it (docs/protocol.md §4), and that alicli keeps
//! working: `null` for absent fields (the Python SDK), numbers as strings, and in-place rewrites
//! that readers can catch empty or half-written (the Node and Java SDKs).

use std::io::Write;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::json;

use crate::support::{Sandbox, finish_within, now};

#[test]
fn null_fields_are_absent_and_numbers_may_be_strings() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    // As the Python SDK writes a profile without a refresh token, plus a hand edit's strings.
    sandbox.edit_profile(
        "work",
        json!({"oauth_refresh_token": null, "oauth_refresh_token_expire": null,
               "sts_endpoint": null, "language": null,
               "sts_expiration": (now() + 3000).to_string(),
               "oauth_access_token_expire": format!("{}", now() + 3000)}),
    );
    sandbox.run(&["export-credentials"]).success();
    sandbox.run(&["session", "validate", "--local"]).success();
    let listed = sandbox
        .run(&["configure", "list", "--output", "json"])
        .success();
    assert!(
        listed.stdout.contains("\"validity\": \"until\""),
        "{}",
        listed.stdout
    );
    // Due for renewal: without a refresh token, the access token is exchanged.
    sandbox.edit_profile("work", json!({"sts_expiration": null}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("token_refresh"), 0);
    let profile = sandbox.profile("work");
    assert!(profile["sts_expiration"].as_i64().unwrap() > now());
    assert_eq!(
        profile["language"],
        json!(null),
        "keys alicli does not own are kept"
    );
}

#[test]
fn an_in_place_writer_beside_forty_readers_fails_none() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let path = sandbox.config_path();
    let content = std::fs::read(&path).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let rewrites = Arc::new(AtomicU64::new(0));
    // Truncate, write half, pause, write the rest: what Node's writeFile and the Java SDK do.
    let writer = std::thread::spawn({
        let (stop, rewrites, path) = (stop.clone(), rewrites.clone(), path.clone());
        move || {
            while !stop.load(Ordering::Relaxed) {
                let mut file = std::fs::File::create(&path).unwrap();
                let (head, tail) = content.split_at(content.len() / 2);
                file.write_all(head).unwrap();
                file.flush().unwrap();
                std::thread::sleep(Duration::from_millis(2));
                file.write_all(tail).unwrap();
                drop(file);
                rewrites.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(3));
            }
        }
    });
    let readers: Vec<Child> = (0..40)
        .map(|_| sandbox.spawn(&["export-credentials", "--format", "json"]))
        .collect();
    let outcomes: Vec<_> = readers
        .into_iter()
        .map(|child| finish_within(child, 30))
        .collect();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(
        rewrites.load(Ordering::Relaxed) > 10,
        "the writer kept writing"
    );
    for outcome in outcomes {
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        assert!(
            outcome.stdout.contains("\"access_key_id\""),
            "{}",
            outcome.stdout
        );
    }
    assert_eq!(sandbox.emulator.count("exchange"), 1, "only the sign-in's");
}

#[test]
fn a_file_that_stays_empty_is_reported_as_possibly_being_rewritten() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    std::fs::write(sandbox.config_path(), b"").unwrap();
    let outcome = sandbox.run(&["export-credentials"]).code(1);
    assert!(
        outcome
            .stderr
            .contains("another program may be rewriting it"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("run the command again in a moment"),
        "{}",
        outcome.stderr
    );
}
