//! Behind a corporate proxy that inspects TLS: HTTPS_PROXY is used (loopback stays direct), and the
//! proxy's CA is trusted only when given with `--ca-bundle` or ALIBABA_CLOUD_CA_BUNDLE.

use crate::support::tls::CorporateNetwork;
use crate::support::{Outcome, Sandbox};

const STS: &str = "https://sts.emulator.test";
const OAUTH: &str = "https://oauth.emulator.test";

fn network(sandbox: &Sandbox) -> CorporateNetwork {
    let emulator = sandbox.emulator.url.strip_prefix("http://").unwrap();
    CorporateNetwork::start(emulator, sandbox.home.path())
}

/// alicli with the proxy set and the STS endpoint behind it.
fn behind_proxy(
    sandbox: &Sandbox,
    net: &CorporateNetwork,
    args: &[&str],
    env: &[(&str, &str)],
) -> Outcome {
    let mut command = sandbox.cmd();
    command
        .env("HTTPS_PROXY", &net.proxy_url)
        .env("HTTP_PROXY", &net.proxy_url)
        .env("ALIBABA_CLOUD_STS_ENDPOINT", STS)
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap().into()
}

#[test]
fn an_untrusted_proxy_certificate_names_ca_bundle_and_the_bundle_fixes_it() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let net = network(&sandbox);
    let bundle = net.ca_bundle.to_str().unwrap();

    let refused = behind_proxy(&sandbox, &net, &["sts", "GetCallerIdentity"], &[]).code(1);
    assert!(
        refused
            .stderr
            .contains("invalid peer certificate: UnknownIssuer"),
        "{}",
        refused.stderr
    );
    // The precise fix first, then the line every network failure ends with, naming the proxy.
    assert!(
        refused.stderr.ends_with(&format!(
            "hint: the server's certificate is not signed by a trusted CA; if a proxy inspects \
             TLS, give its CA certificate with `--ca-bundle FILE` (or ALIBABA_CLOUD_CA_BUNDLE)\n\
             hint: `alicli doctor` checks the network step by step (DNS, TCP, TLS, proxy); this \
             request went via proxy `{}/`\n",
            net.proxy_url
        )),
        "{}",
        refused.stderr
    );

    let with_flag = behind_proxy(
        &sandbox,
        &net,
        &["sts", "GetCallerIdentity", "--ca-bundle", bundle],
        &[],
    )
    .success();
    assert!(
        with_flag.stdout.contains("\"AccountId\""),
        "{}",
        with_flag.stdout
    );
    let with_env = behind_proxy(
        &sandbox,
        &net,
        &["sts", "GetCallerIdentity"],
        &[("ALIBABA_CLOUD_CA_BUNDLE", bundle)],
    )
    .success();
    assert!(with_env.stdout.contains("\"AccountId\""));

    assert_eq!(
        net.tunnels(),
        vec!["CONNECT sts.emulator.test:443"; 4],
        "every call went through the proxy, and only those (the refused one twice: with the \
         bundled roots, then with the OS store too)"
    );
    assert_eq!(sandbox.emulator.count("sts_ok"), 1 + 2);
}

#[test]
fn a_whole_sign_in_goes_through_the_proxy_and_loopback_stays_direct() {
    let sandbox = Sandbox::new();
    let net = network(&sandbox);
    let bundle = net.ca_bundle.to_str().unwrap();
    // The sign-in page stays on loopback (the browser's business); token, exchange and STS go
    // through the proxy to the TLS endpoint.
    behind_proxy(
        &sandbox,
        &net,
        &[
            "--ca-bundle",
            bundle,
            "configure",
            "--profile",
            "work",
            "--mode",
            "OAuth",
            "--region",
            "cn-hangzhou",
            "--callback-port",
            "0",
        ],
        &[("ALICLI_OAUTH_URL", OAUTH)],
    )
    .success();
    let tunnels = net.tunnels();
    assert!(
        tunnels.contains(&"CONNECT oauth.emulator.test:443".to_owned())
            && tunnels.contains(&"CONNECT sts.emulator.test:443".to_owned())
            && tunnels.iter().all(|t| t.starts_with("CONNECT ")),
        "{tunnels:?}"
    );
    let stats = sandbox.emulator.stats();
    assert_eq!(stats["token_code"], 1);
    assert_eq!(stats["exchange"], 1);
    assert_eq!(stats["sts_ok"], 1);

    // With every endpoint on loopback, the proxy sees nothing, whatever the variables say.
    let before = net.tunnels().len();
    sandbox
        .cmd()
        .env("HTTPS_PROXY", &net.proxy_url)
        .env("HTTP_PROXY", &net.proxy_url)
        .args(["sts", "GetCallerIdentity"])
        .output()
        .map(Outcome::from)
        .unwrap()
        .success();
    sandbox.edit_profile("work", serde_json::json!({"sts_expiration": 0}));
    sandbox
        .cmd()
        .env("HTTPS_PROXY", &net.proxy_url)
        .env("HTTP_PROXY", &net.proxy_url)
        .args(["sts", "GetCallerIdentity"])
        .output()
        .map(Outcome::from)
        .unwrap()
        .success();
    assert_eq!(net.tunnels().len(), before, "loopback never uses the proxy");
}

#[test]
fn a_ca_bundle_that_is_not_one_is_named() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let net = network(&sandbox);
    let not_pem = sandbox.home.path().join("not-a-bundle.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let outcome = behind_proxy(
        &sandbox,
        &net,
        &[
            "sts",
            "GetCallerIdentity",
            "--ca-bundle",
            not_pem.to_str().unwrap(),
        ],
        &[],
    )
    .code(1);
    assert!(
        outcome
            .stderr
            .contains("holds no `-----BEGIN CERTIFICATE-----`"),
        "{}",
        outcome.stderr
    );
    assert!(outcome.stderr.contains("hint: "), "{}", outcome.stderr);
    let missing = behind_proxy(
        &sandbox,
        &net,
        &[
            "sts",
            "GetCallerIdentity",
            "--ca-bundle",
            "/nonexistent/ca.pem",
        ],
        &[],
    )
    .code(1);
    assert!(
        missing
            .stderr
            .contains("cannot read the CA bundle `/nonexistent/ca.pem`"),
        "{}",
        missing.stderr
    );
}

#[test]
fn the_os_trust_store_is_used_alongside_the_bundled_roots() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let net = network(&sandbox);
    let bundle = net.ca_bundle.to_str().unwrap();
    // The OS trust store as it is read on Linux: SSL_CERT_FILE names it.
    let outcome = behind_proxy(
        &sandbox,
        &net,
        &["--debug", "sts", "GetCallerIdentity"],
        &[("SSL_CERT_FILE", bundle)],
    )
    .success();
    assert!(
        outcome.stdout.contains("\"AccountId\""),
        "{}",
        outcome.stdout
    );
    assert!(
        outcome
            .stderr
            .contains("the bundled roots did not verify the server; trying the OS trust store too"),
        "{}",
        outcome.stderr
    );
    assert_eq!(
        net.tunnels().len(),
        2,
        "one handshake refused with the bundled roots, then one with the OS store"
    );
}
