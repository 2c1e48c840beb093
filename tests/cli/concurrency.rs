//! Many processes, one profile file: single-flight renewal, concurrent writers, SIGKILL at any
//! moment.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Sandbox, finish_within, now};

/// The refresh token the emulator issued last: the only one it still accepts.
pub fn newest_refresh_token(sandbox: &Sandbox) -> String {
    sandbox
        .emulator
        .secrets()
        .into_iter()
        .rev()
        .find(|s| s.starts_with("rt-"))
        .unwrap()
}

/// A small deterministic generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".alicli-tmp"))
        .collect()
}

/// `count` OAuth profiles `p00`… cloned from a signed-in `seed` (the emulator must not rotate
/// refresh tokens, since they share one), each with data only another tool knows.
fn many_profiles(sandbox: &Sandbox, count: usize, blob: usize) -> Vec<Value> {
    sandbox.sign_in("seed");
    let seed = sandbox.profile("seed");
    (0..count)
        .map(|i| {
            let mut profile = seed.clone();
            profile["name"] = json!(format!("p{i:02}"));
            profile["sts_expiration"] = json!(0);
            if i % 2 == 1 {
                profile["oauth_access_token_expire"] = json!(0);
            }
            profile["x_keep"] =
                json!({"index": i, "list": [i, "x", null], "blob": "b".repeat(blob)});
            profile
        })
        .collect()
}

#[test]
fn thirty_two_processes_renew_once_and_keep_the_newest_refresh_token() {
    // The emulator rotates refresh tokens and revokes the grant when a retired one comes back.
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    // Slow answers keep the first renewal on the network while the others start and queue.
    sandbox.emulator.set(json!({"delay_ms": 150}));
    let children: Vec<Child> = (0..32)
        .map(|_| sandbox.spawn(&["sts", "GetCallerIdentity"]))
        .collect();
    for child in children {
        let outcome = finish_within(child, 60).success();
        assert!(outcome.stdout.contains("\"Arn\""), "{}", outcome.stdout);
    }
    assert_eq!(sandbox.emulator.count("token_refresh"), 1, "one refresh");
    assert_eq!(
        sandbox.emulator.count("exchange"),
        2,
        "the sign-in's exchange, then one more"
    );
    assert_eq!(
        sandbox.emulator.count("sts_ok"),
        1 + 32,
        "the sign-in's check, then ours"
    );
    assert_eq!(
        sandbox.profile("work")["oauth_refresh_token"],
        newest_refresh_token(&sandbox)
    );
    // And the stored token works: the next renewal trips no reuse detection.
    sandbox.emulator.set(json!({"delay_ms": 0}));
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("token_refresh"), 2);
}

#[derive(Debug, Clone)]
enum Job {
    Renew(usize),
    Region(usize, String),
    Language(usize, &'static str),
    Delete(usize),
}

impl Job {
    fn args(&self) -> Vec<String> {
        let args: Vec<String> = match self {
            Job::Renew(k) => vec![
                "sts".into(),
                "GetCallerIdentity".into(),
                "-p".into(),
                format!("p{k:02}"),
            ],
            Job::Region(k, region) => {
                vec![
                    "configure".into(),
                    "set".into(),
                    "-p".into(),
                    format!("p{k:02}"),
                    "--region".into(),
                    region.clone(),
                ]
            }
            Job::Language(k, language) => {
                vec![
                    "configure".into(),
                    "set".into(),
                    "-p".into(),
                    format!("p{k:02}"),
                    "--language".into(),
                    (*language).into(),
                ]
            }
            Job::Delete(k) => vec![
                "configure".into(),
                "delete".into(),
                "-p".into(),
                format!("p{k:02}"),
            ],
        };
        args
    }
}

#[test]
fn two_hundred_mixed_writers_lose_no_profile_and_no_field() {
    let sandbox = Sandbox::with_settings(json!({"rotate_refresh_tokens": false}));
    let profiles = many_profiles(&sandbox, 20, 0);
    let seed = sandbox.profile("seed");
    sandbox.write_config(
        &json!({"current": "p19", "profiles": profiles, "meta_path": "", "x_top": {"kept": true}}),
    );

    // 5 deletes (p15-p19), then renewals and sets spread over p00-p14, shuffled.
    let mut jobs: Vec<Job> = (15..20).map(Job::Delete).collect();
    for i in 0..195 {
        let k = (i / 3) % 15;
        jobs.push(match i % 3 {
            0 => Job::Renew(k),
            1 => Job::Region(k, format!("r-{i}")),
            _ => Job::Language(k, if i % 2 == 0 { "zh" } else { "en" }),
        });
    }
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for i in (1..jobs.len()).rev() {
        jobs.swap(i, rng.below(i as u64 + 1) as usize);
    }

    // A reader parses the file over and over while the writers run.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let stop = stop.clone();
        let path = sandbox.config_path();
        std::thread::spawn(move || {
            let (mut reads, mut bad) = (0u32, Vec::new());
            while !stop.load(Ordering::Relaxed) {
                match std::fs::read(&path) {
                    Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                        Ok(value) if value["profiles"].is_array() => reads += 1,
                        _ => bad.push(String::from_utf8_lossy(&bytes).into_owned()),
                    },
                    Err(error) => bad.push(format!("cannot read: {error}")),
                }
                std::thread::sleep(Duration::from_micros(300));
            }
            (reads, bad)
        })
    };
    let children: Vec<(Job, Child)> = jobs
        .iter()
        .map(|job| {
            let args = job.args();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            (job.clone(), sandbox.spawn(&args))
        })
        .collect();
    for (job, child) in children {
        let outcome = finish_within(child, 120);
        assert_eq!(outcome.code, 0, "{job:?}: {}", outcome.stderr);
    }
    stop.store(true, Ordering::Relaxed);
    let (reads, bad) = reader.join().unwrap();
    assert!(bad.is_empty(), "unparsable file seen: {:?}", bad.first());
    assert!(reads > 0);

    let config = sandbox.config();
    assert_eq!(config["x_top"], json!({"kept": true}));
    assert_eq!(config["current"], "p00", "moved off the deleted p19");
    let names: Vec<String> = config["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..15).map(|k| format!("p{k:02}")).collect();
    assert_eq!(names, expected, "the deleted ones gone, the rest in order");
    let mut regions: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    let mut languages: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
    for job in &jobs {
        match job {
            Job::Region(k, region) => {
                regions.entry(*k).or_default().insert(region.clone());
            }
            Job::Language(k, language) => {
                languages.entry(*k).or_default().insert(language);
            }
            _ => {}
        }
    }
    let account = seed["alicli_account_id"]
        .as_str()
        .expect("the signed-in seed records its account");
    for k in 0..15 {
        let profile = sandbox.profile(&format!("p{k:02}"));
        assert_eq!(profile["x_keep"]["index"], k, "p{k:02}");
        assert_eq!(profile["x_keep"]["list"], json!([k, "x", null]));
        assert_eq!(profile["mode"], "OAuth");
        assert_eq!(profile["oauth_refresh_token"], seed["oauth_refresh_token"]);
        assert_eq!(
            profile["alicli_account_id"], account,
            "p{k:02}: alicli's own key kept"
        );
        let region = profile["region_id"].as_str().unwrap();
        assert!(
            regions[&k].contains(region),
            "p{k:02}: region {region} was never written"
        );
        let language = profile["language"].as_str().unwrap();
        assert!(
            languages[&k].contains(language),
            "p{k:02}: language {language}"
        );
        assert!(
            profile["sts_expiration"].as_i64().unwrap() > now() + 600,
            "p{k:02}: the renewal was kept"
        );
        assert!(profile["oauth_access_token_expire"].as_i64().unwrap() > now() + 600);
    }
    assert!(temp_files(sandbox.config_path().parent().unwrap()).is_empty());
}

/// Waits for `child` until `deadline`: when it was seen ended, or `None` if it still runs.
fn run_until(child: &mut Child, deadline: Instant) -> Option<Instant> {
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(Instant::now());
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_micros(100));
    }
}

/// Whether a run was ended by [`Child::kill`] rather than by itself: a signal on Unix; on Windows
/// an exit code of 1, the one `kill` terminates with and these commands never return here.
fn ended_by_kill(status: std::process::ExitStatus) -> bool {
    #[cfg(unix)]
    return std::os::unix::process::ExitStatusExt::signal(&status).is_some();
    #[cfg(not(unix))]
    return status.code() == Some(1);
}

#[test]
fn sigkill_at_random_moments_leaves_the_old_file_or_the_new_one() {
    let sandbox = Sandbox::with_settings(json!({"rotate_refresh_tokens": false}));
    // Big enough (about 200 KB) that a write takes a while, so kills land during it too.
    let profiles = many_profiles(&sandbox, 20, 10_000);
    sandbox.write_config(&json!({"current": "p00", "profiles": profiles, "meta_path": ""}));
    let dir = sandbox.config_path().parent().unwrap().to_path_buf();

    // How long a whole run takes here: the fastest of three to start with, then the latest run
    // that finished before its kill. The machine's load changes while the test runs (other tests
    // start and stop), so a fixed estimate made too many kills land after the end.
    let mut typical = (0..3)
        .map(|_| {
            let started = Instant::now();
            sandbox
                .run(&["configure", "set", "-p", "p00", "--region", "r-first"])
                .success();
            started.elapsed().as_micros() as u64
        })
        .min()
        .unwrap();

    let mut rng = Rng(0x0dd_c0ffee);
    let (mut killed, mut temp_seen, mut runs) = (0, 0, 0);
    let mut config = sandbox.config();
    // At least 100 runs, and on until 30 kills have landed mid-run (400 runs at most).
    while (runs < 100 || killed < 30) && runs < 400 {
        let i = runs;
        runs += 1;
        let k = i % 20;
        let name = format!("p{k:02}");
        let before = config["profiles"][k]["region_id"].clone();
        let region = format!("r-{i}");
        let args: Vec<&str> = if i % 4 == 3 {
            vec!["sts", "GetCallerIdentity", "-p", &name]
        } else {
            vec!["configure", "set", "-p", &name, "--region", &region]
        };
        let started = Instant::now();
        let mut child = sandbox.spawn(&args);
        let kill_at = started + Duration::from_micros(rng.below(typical * 5 / 4));
        match run_until(&mut child, kill_at) {
            Some(ended) => typical = (ended - started).as_micros() as u64,
            None => {
                let _ = child.kill();
                if ended_by_kill(child.wait().unwrap()) {
                    killed += 1;
                }
            }
        }
        let bytes = std::fs::read(sandbox.config_path()).unwrap();
        config = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("kill #{i} left invalid JSON: {e}"));
        let profiles = config["profiles"].as_array().unwrap();
        assert_eq!(profiles.len(), 20, "kill #{i}");
        for (k, profile) in profiles.iter().enumerate() {
            assert_eq!(profile["name"], format!("p{k:02}"));
            assert_eq!(profile["x_keep"]["blob"].as_str().unwrap().len(), 10_000);
        }
        let after = &profiles[k]["region_id"];
        assert!(
            *after == before || *after == json!(region),
            "kill #{i}: region {after}, neither old {before} nor new {region}"
        );
        temp_seen += temp_files(&dir).len();
    }
    eprintln!(
        "kill test: {killed} of {runs} writers killed mid-run (last typical run {typical} us); {temp_seen} stale temp files seen along the way"
    );
    assert!(killed >= 30, "only {killed} of {runs} kills landed mid-run");
    // The next writer is blocked by no dead holder and removes what the dead left behind.
    let outcome = finish_within(
        sandbox.spawn(&["configure", "set", "-p", "p00", "--region", "r-last"]),
        10,
    );
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    assert_eq!(temp_files(&dir), Vec::<String>::new());
}
