//! No secret ever reaches output: not on stdout, not on stderr, not in error messages.

use serde_json::json;

use crate::support::{Outcome, Sandbox};

fn assert_no_secret(secrets: &[String], outcome: &Outcome, what: &str) {
    assert!(!secrets.is_empty());
    for secret in secrets {
        assert!(
            !outcome.stdout.contains(secret.as_str()),
            "{what}: stdout leaks a secret"
        );
        assert!(
            !outcome.stderr.contains(secret.as_str()),
            "{what}: stderr leaks a secret: {}",
            outcome.stderr
        );
    }
}

#[test]
fn sign_in_renewal_and_failures_print_no_secret() {
    let sandbox = Sandbox::new();
    let mut outcomes = vec![("sign-in", sandbox.sign_in("work"))];
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    outcomes.push((
        "renewal",
        sandbox
            .run(&["sts", "GetCallerIdentity", "--signature-version", "v1"])
            .success(),
    ));
    sandbox.emulator.revoke_all();
    sandbox.edit_profile(
        "work",
        json!({"sts_expiration": 0, "oauth_access_token_expire": 0}),
    );
    outcomes.push((
        "refused refresh",
        sandbox.run(&["sts", "GetCallerIdentity"]).code(4),
    ));
    sandbox.emulator.set(json!({"deny": true}));
    outcomes.push((
        "denied",
        sandbox
            .run(&[
                "configure",
                "--mode",
                "OAuth",
                "--region",
                "cn-hangzhou",
                "--callback-port",
                "0",
            ])
            .code(4),
    ));
    let secrets = sandbox.emulator.secrets();
    assert!(
        secrets.len() >= 8,
        "codes, verifier, tokens and STS secrets were recorded: {}",
        secrets.len()
    );
    for (what, outcome) in &outcomes {
        assert_no_secret(&secrets, outcome, what);
    }
}
