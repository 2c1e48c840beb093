//! A profile file alicli cannot use: every command says which file and what is wrong, exits 1,
//! and leaves the file exactly as it was. Symlinks are followed and kept.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{Outcome, Sandbox, write_file};

/// Every command that reads the file, including the sign-in (which must stop before the browser).
const COMMANDS: &[&[&str]] = &[
    &["configure", "list"],
    &["configure", "list", "--output", "json"],
    &["configure", "get", "--profile", "p"],
    &[
        "configure",
        "set",
        "--profile",
        "p",
        "--region",
        "cn-beijing",
    ],
    &["configure", "delete", "--profile", "p"],
    &["configure", "switch", "--profile", "p"],
    &["sts", "GetCallerIdentity", "--profile", "p"],
    &[
        "configure",
        "--profile",
        "p",
        "--mode",
        "OAuth",
        "--region",
        "cn-hangzhou",
        "--callback-port",
        "0",
    ],
];

/// What is at the config path, to compare before and after.
fn snapshot(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            format!("directory {:?}", std::fs::read_dir(path).unwrap().count())
        }
        Ok(meta) if !meta.is_file() => format!("special {:?}", meta.file_type()),
        Ok(_) => format!("file {:?}", std::fs::read(path).unwrap()),
        Err(e) => format!("missing {e}"),
    }
}

/// Runs every command; each must exit 1 naming the file and `words`, print nothing on stdout,
/// and change nothing. `prepare` adjusts each command (to drop privileges, say).
fn assert_refused(sandbox: &Sandbox, words: &[&str], prepare: &dyn Fn(&mut Command)) {
    let path = sandbox.config_path();
    let before = snapshot(&path);
    let authorized = sandbox.emulator.count("authorize");
    for args in COMMANDS {
        let mut command = sandbox.cmd();
        command.args(*args);
        prepare(&mut command);
        let outcome: Outcome = command.output().unwrap().into();
        assert_eq!(outcome.code, 1, "{args:?}\n{}", outcome.stderr);
        assert!(
            outcome.stderr.contains(&format!("`{}`", path.display())),
            "{args:?} names the file: {}",
            outcome.stderr
        );
        for words in words {
            assert!(
                outcome.stderr.contains(words),
                "{args:?} says `{words}`: {}",
                outcome.stderr
            );
        }
        assert!(outcome.stderr.contains("hint: "), "{}", outcome.stderr);
        assert_eq!(outcome.stdout, "", "{args:?}");
        assert_eq!(snapshot(&path), before, "{args:?} left the file as it was");
    }
    assert_eq!(
        sandbox.emulator.count("authorize"),
        authorized,
        "no browser opened"
    );
    let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.ends_with(".alicli-tmp")),
        "{names:?}"
    );
}

fn refused_content(bytes: &[u8], words: &str) {
    let sandbox = Sandbox::new();
    write_file(&sandbox.config_path(), bytes);
    assert_refused(&sandbox, &[words], &|_| {});
}

#[test]
fn an_empty_file_is_refused() {
    refused_content(b"", "is empty");
    refused_content(b"  \n", "is empty");
}

#[test]
fn a_truncated_file_is_refused_with_the_position() {
    let full = serde_json::to_vec_pretty(&json!({"current": "p", "profiles": [
        {"name": "p", "mode": "AK", "access_key_id": "id", "access_key_secret": "secret"}]}))
    .unwrap();
    refused_content(
        &full[..full.len() / 2],
        "is not valid JSON: EOF while parsing",
    );
}

#[test]
fn wrong_types_are_refused_with_the_key() {
    refused_content(br#"{"current": 5, "profiles": []}"#, "`current` in");
    refused_content(
        br#"{"profiles": {"name": "p"}}"#,
        "must be a list, not an object",
    );
    refused_content(br#"{"profiles": ["p"]}"#, "profile #1 in");
    refused_content(
        b"[1, 2]",
        "must hold a JSON object with `profiles`, but holds a list",
    );
}

#[test]
fn a_field_of_the_wrong_type_stops_only_what_needs_that_profile() {
    let sandbox = Sandbox::new();
    let bytes = br#"{"current": "p", "profiles": [{"name": "p", "mode": "OAuth", "region_id": 5}, {"name": "q", "mode": "AK", "region_id": "cn-beijing"}]}"#;
    write_file(&sandbox.config_path(), bytes);
    for args in [
        &["sts", "GetCallerIdentity"][..],
        &[
            "configure",
            "--profile",
            "p",
            "--mode",
            "OAuth",
            "--region",
            "cn-hangzhou",
            "--callback-port",
            "0",
        ][..],
    ] {
        let outcome = sandbox.run(args).code(1);
        assert!(
            outcome.stderr.contains("profile `p` in `")
                && outcome.stderr.contains("is malformed")
                && outcome.stderr.contains("expected a string"),
            "{args:?}: {}",
            outcome.stderr
        );
    }
    assert_eq!(std::fs::read(sandbox.config_path()).unwrap(), bytes);
    let outcome = sandbox.run(&["configure", "list"]).success();
    assert!(outcome.stdout.contains("p *"), "{}", outcome.stdout);
    assert!(outcome.stdout.contains("cn-beijing"), "{}", outcome.stdout);
}

#[test]
fn a_ten_megabyte_file_is_refused() {
    let mut bytes = br#"{"current": "p", "profiles": [{"name": "p", "x": ""#.to_vec();
    bytes.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    bytes.extend(br#""}]}"#);
    refused_content(&bytes, "a profile file is never that large");
}

#[test]
fn a_directory_where_the_file_should_be_is_refused() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.config_path()).unwrap();
    assert_refused(&sandbox, &["is a directory"], &|_| {});
}

/// Makes `command` start without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH.
#[cfg(target_os = "linux")]
fn drop_file_capabilities(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    unsafe {
        command.pre_exec(|| {
            for capability in [1, 2] {
                if libc::prctl(libc::PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// Elsewhere root keeps them, and the check below finds the case cannot be staged.
#[cfg(all(unix, not(target_os = "linux")))]
fn drop_file_capabilities(_: &mut Command) {}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = Sandbox::new();
    let path = sandbox.config_path();
    let bytes = br#"{"current": "p", "profiles": [{"name": "p", "mode": "AK"}]}"#;
    write_file(&path, bytes);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads any file whatever its mode (CI runs as root): on Linux, run alicli without the
    // two capabilities that let it, so mode 000 means what it says.
    let root = unsafe { libc::geteuid() } == 0;
    let prepare = move |command: &mut Command| {
        if root {
            drop_file_capabilities(command);
        }
    };
    // The same restriction must really stop a plain `cat`; where it cannot (no CAP_SETPCAP to drop
    // capabilities with), the case cannot be staged.
    let mut cat = Command::new("cat");
    cat.arg(&path);
    prepare(&mut cat);
    match cat.output() {
        Ok(output) if !output.status.success() => {}
        staged => {
            eprintln!(
                "skipping the unreadable-file case: cannot make `{}` unreadable here (root: {root}, cat: {staged:?})",
                path.display()
            );
            return;
        }
    }
    assert_refused(
        &sandbox,
        &["cannot read profile file", "Permission denied"],
        &prepare,
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_and_kept_by_every_writer() {
    let sandbox = Sandbox::new();
    let link = sandbox.config_path();
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    let target = sandbox.home.path().join("dotfiles").join("aliyun.json");
    // A relative link whose target does not exist yet: the first write creates it.
    std::os::unix::fs::symlink("../dotfiles/aliyun.json", &link).unwrap();
    sandbox
        .run(&[
            "configure",
            "set",
            "--profile",
            "p",
            "--region",
            "cn-beijing",
        ])
        .success();
    let is_link = || {
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    };
    assert!(is_link());
    assert!(target.exists(), "written through the link");
    sandbox.sign_in("work");
    sandbox.edit_profile("work", json!({"sts_expiration": 0}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    sandbox
        .run(&["configure", "delete", "--profile", "p"])
        .success();
    sandbox
        .run(&["configure", "switch", "--profile", "work"])
        .success();
    assert!(
        is_link(),
        "the link survives sign-in, renewal, set, delete and switch"
    );
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(stored["profiles"][0]["name"], "work");
    assert!(stored["profiles"][0]["sts_expiration"].as_i64().unwrap() > crate::support::now());
    assert!(
        sandbox
            .home
            .path()
            .join("dotfiles/aliyun.json.lock")
            .exists(),
        "the lock sits beside the real file"
    );

    // A link to a file alicli cannot use is reported under the name the user knows.
    std::fs::write(&target, b"").unwrap();
    assert_refused(&sandbox, &["is empty"], &|_| {});
    assert!(is_link());
}

#[cfg(unix)]
#[test]
fn a_device_or_a_fifo_as_the_profile_file_is_refused_before_any_read() {
    use crate::support::bounded;
    let sandbox = Sandbox::new();
    let path = sandbox.config_path();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    // A link to an endless device.
    std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
    assert_refused(
        &sandbox,
        &["is not a regular file", "a character device"],
        &bounded,
    );
    // A FIFO nobody writes to.
    std::fs::remove_file(&path).unwrap();
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    assert_refused(&sandbox, &["is not a regular file", "a FIFO"], &bounded);
    // The device named directly.
    let mut command = sandbox.cmd();
    command.args(["configure", "list", "--config-path", "/dev/zero"]);
    bounded(&mut command);
    let outcome: Outcome = command.output().unwrap().into();
    let outcome = outcome.code(1);
    assert!(
        outcome.stderr.contains("`/dev/zero` is not a regular file"),
        "{}",
        outcome.stderr
    );
}
