//! `alicli session export` / `import`: a session moved to another HOME works there, and every
//! kind of bad archive or name is refused with nothing written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;
use tempfile::TempDir;

use crate::support::{Outcome, Sandbox, now};

const PASSPHRASE: &str = "correct horse battery staple";

/// `alicli` in another HOME, against the same emulator.
fn elsewhere(sandbox: &Sandbox, home: &Path, passphrase: &str) -> Command {
    let mut command = sandbox.cmd();
    command
        .env("HOME", home)
        .env("USERPROFILE", home)
        .env("ALICLI_SESSION_PASSPHRASE", passphrase);
    command
}

fn run(mut command: Command, args: &[&str]) -> Outcome {
    command.args(args).output().unwrap().into()
}

fn export(sandbox: &Sandbox, profile: &str) -> PathBuf {
    let path = sandbox.home.path().join(format!("{profile}.session"));
    let outcome = run(
        elsewhere(sandbox, sandbox.home.path(), PASSPHRASE),
        &[
            "session",
            "export",
            "--profile",
            profile,
            "--output-file",
            path.to_str().unwrap(),
        ],
    )
    .success();
    assert!(
        outcome.stderr.contains("encrypted with your passphrase")
            && !outcome.stderr.contains("warning:"),
        "{}",
        outcome.stderr
    );
    path
}

/// Every file under `dir`, with its contents.
fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn an_exported_session_works_in_another_home() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let archive = export(&sandbox, "work");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the archive is private");
    }
    let text = std::fs::read_to_string(&archive).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{text}"
    );
    for secret in sandbox.emulator.secrets() {
        assert!(
            !text.contains(&secret),
            "the archive shows a secret in clear"
        );
    }

    let other = TempDir::new().unwrap();
    let imported = run(
        elsewhere(&sandbox, other.path(), PASSPHRASE),
        &[
            "session",
            "import",
            "--session-archive",
            archive.to_str().unwrap(),
        ],
    )
    .success();
    assert!(
        imported
            .stderr
            .contains("Imported session `work` as profile `work`"),
        "{}",
        imported.stderr
    );
    let exchanges = sandbox.emulator.count("exchange");
    let identity = run(
        elsewhere(&sandbox, other.path(), PASSPHRASE),
        &["sts", "GetCallerIdentity", "--profile", "work"],
    )
    .success();
    assert!(
        identity
            .stdout
            .contains("acs:ram::1234567890123456:user/alice"),
        "{}",
        identity.stdout
    );
    assert_eq!(
        sandbox.emulator.count("exchange"),
        exchanges,
        "no renewal was needed"
    );

    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(other.path().join(".aliyun/config.json")).unwrap())
            .unwrap();
    assert_eq!(config["current"], "work");
    let source = sandbox.profile("work");
    let copy = &config["profiles"][0];
    for key in [
        "oauth_refresh_token",
        "sts_token",
        "region_id",
        "alicli_account_id",
    ] {
        assert_eq!(copy[key], source[key], "{key}");
    }
}

#[test]
fn bad_archives_and_names_are_refused_with_nothing_written() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let archive = export(&sandbox, "work");
    let bytes = std::fs::read(&archive).unwrap();
    let other = TempDir::new().unwrap();
    let existing = json!({"current": "work", "profiles": [{"name": "work", "mode": "AK",
        "access_key_id": "mine", "access_key_secret": "keep"}], "meta_path": ""});
    crate::support::write_file(
        &other.path().join(".aliyun/config.json"),
        existing.to_string().as_bytes(),
    );
    let before = snapshot_tree(other.path());

    let write = |name: &str, content: &[u8]| {
        let path = sandbox.home.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let mut flipped = bytes.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    let flipped = write("flipped.session", &flipped);
    let truncated = write("truncated.session", &bytes[..bytes.len() * 2 / 3]);
    let good = archive.to_str().unwrap();

    let cases: [(&str, &str, Vec<&str>, &str); 5] = [
        (
            "wrong passphrase",
            "not the passphrase",
            vec![],
            "wrong passphrase",
        ),
        ("flipped byte", PASSPHRASE, vec![], "altered"),
        ("truncated", PASSPHRASE, vec![], "truncated"),
        (
            "../evil",
            PASSPHRASE,
            vec!["--profile", "../evil"],
            "invalid profile name `../evil`",
        ),
        ("collision", PASSPHRASE, vec![], "already exists"),
    ];
    for (what, passphrase, extra, message) in cases {
        let file = match what {
            "flipped byte" => flipped.as_str(),
            "truncated" => truncated.as_str(),
            _ => good,
        };
        let mut args = vec!["session", "import", "--session-archive", file];
        args.extend(extra);
        let outcome = run(elsewhere(&sandbox, other.path(), passphrase), &args);
        assert!(
            outcome.code == 1 || outcome.code == 2,
            "{what}: exit {}\n{}",
            outcome.code,
            outcome.stderr
        );
        assert!(
            outcome.stderr.contains(message),
            "{what}: {}",
            outcome.stderr
        );
        assert_eq!(
            snapshot_tree(other.path()),
            before,
            "{what}: something was written"
        );
    }
    assert!(!other.path().join("evil").exists() && !other.path().join(".aliyun/evil").exists());

    // With --force the collision is replaced (and nothing of the old profile is kept).
    run(
        elsewhere(&sandbox, other.path(), PASSPHRASE),
        &["session", "import", "--session-archive", good, "--force"],
    )
    .success();
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(other.path().join(".aliyun/config.json")).unwrap())
            .unwrap();
    assert_eq!(config["profiles"][0]["mode"], "OAuth");
    assert_ne!(config["profiles"][0]["access_key_secret"], "keep");
}

#[test]
fn an_expired_session_is_not_imported_and_says_so() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let soon = now() + 2;
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": soon, "oauth_access_token_expire": soon,
               "oauth_refresh_token_expire": soon}),
    );
    let archive = export(&sandbox, "work");
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let other = TempDir::new().unwrap();
    let outcome = run(
        elsewhere(&sandbox, other.path(), PASSPHRASE),
        &[
            "session",
            "import",
            "--session-archive",
            archive.to_str().unwrap(),
        ],
    )
    .code(4);
    assert!(
        outcome.stderr.contains("its refresh token expired at"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("nothing was imported"),
        "{}",
        outcome.stderr
    );
    assert!(!other.path().join(".aliyun").exists());
}

#[test]
fn export_and_import_through_a_pipe_and_the_refusals_of_export() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let exported = run(
        elsewhere(&sandbox, sandbox.home.path(), PASSPHRASE),
        &["session", "export", "--output-file", "-"],
    )
    .success();
    assert!(
        exported
            .stdout
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
    );

    let other = TempDir::new().unwrap();
    let mut import = elsewhere(&sandbox, other.path(), PASSPHRASE);
    let mut child = import
        .args([
            "session",
            "import",
            "--session-archive",
            "-",
            "--profile",
            "moved",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(exported.stdout.as_bytes())
        .unwrap();
    let outcome: Outcome = child.wait_with_output().unwrap().into();
    outcome.success();
    run(
        elsewhere(&sandbox, other.path(), PASSPHRASE),
        &["session", "validate", "--local", "--profile", "moved"],
    )
    .success();

    // No passphrase and no terminal: refused, not hung.
    let target = sandbox.home.path().join("x.session");
    let outcome = sandbox
        .run(&[
            "session",
            "export",
            "--output-file",
            target.to_str().unwrap(),
        ])
        .code(1);
    assert!(
        outcome.stderr.contains("ALICLI_SESSION_PASSPHRASE"),
        "{}",
        outcome.stderr
    );
    assert!(!target.exists());
    // An existing file is not overwritten without --force.
    std::fs::write(&target, b"keep me").unwrap();
    let outcome = run(
        elsewhere(&sandbox, sandbox.home.path(), PASSPHRASE),
        &[
            "session",
            "export",
            "--output-file",
            target.to_str().unwrap(),
        ],
    )
    .code(1);
    assert!(outcome.stderr.contains("--force"), "{}", outcome.stderr);
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
}

#[test]
fn a_short_passphrase_gets_a_warning_and_still_works() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let path = sandbox.home.path().join("short.session");
    let outcome = run(
        elsewhere(&sandbox, sandbox.home.path(), "pw"),
        &["session", "export", "--output-file", path.to_str().unwrap()],
    )
    .success();
    assert!(
        outcome.stderr.contains(
            "warning: the passphrase is only 2 characters long; anyone who gets the archive can \
             try passphrases offline"
        ),
        "{}",
        outcome.stderr
    );
    let other = TempDir::new().unwrap();
    run(
        elsewhere(&sandbox, other.path(), "pw"),
        &[
            "session",
            "import",
            "--session-archive",
            path.to_str().unwrap(),
        ],
    )
    .success();
}
