//! Requests as the official clients make them: the emulator refuses what the strictest reading of
//! the official clients would (an exchange without a JSON content type, an ACS3 call with STS
//! credentials but no `x-acs-accesskey-id`), and alicli's own requests pass.

use alicli::internals::{
    CanonicalRequest, Credentials, RpcCall, STS_VERSION, Secret, v3_headers, v3_sign,
};
use serde_json::Value;

use crate::support::{Sandbox, http_with_headers, now};

#[test]
fn an_exchange_without_a_json_content_type_is_refused_and_alicli_sends_one() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let token = sandbox.profile("work")["oauth_access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let bearer = format!("Bearer {token}");
    let url = format!("{}/v1/exchange", sandbox.emulator.url);
    let exchange = |content_type: Option<&str>| {
        let mut headers = vec![("Authorization", bearer.as_str())];
        headers.extend(content_type.map(|value| ("Content-Type", value)));
        http_with_headers("POST", &url, &headers, None)
    };
    let (status, body) = exchange(None);
    assert_eq!(status, 415, "{body}");
    assert!(body.contains("application/json"), "{body}");
    let (status, _) = exchange(Some("application/x-www-form-urlencoded"));
    assert_eq!(status, 415);
    let (status, body) = exchange(Some("application/json; charset=utf-8"));
    assert_eq!(status, 200, "{body}");

    // alicli's own exchanges (the sign-in's, and a renewal's) are accepted.
    sandbox.edit_profile("work", serde_json::json!({"sts_expiration": now() - 1}));
    sandbox.run(&["sts", "GetCallerIdentity"]).success();
    assert_eq!(sandbox.emulator.count("exchange"), 5);
    assert_eq!(sandbox.emulator.count("sts_refused"), 0);
}

/// The STS credentials of profile `work`.
fn stored_credentials(sandbox: &Sandbox) -> Credentials {
    let profile = sandbox.profile("work");
    let text = |key: &str| profile[key].as_str().unwrap().to_owned();
    Credentials {
        access_key_id: text("access_key_id"),
        access_key_secret: Secret::new(text("access_key_secret")),
        security_token: Some(Secret::new(text("sts_token"))),
        expiration: None,
    }
}

/// Sends GetCallerIdentity signed with `headers` (re-signed over exactly those).
fn call_with(
    sandbox: &Sandbox,
    credentials: &Credentials,
    headers: &[(&'static str, String)],
) -> (u16, Value) {
    let url = url::Url::parse(&format!("{}/", sandbox.emulator.url)).unwrap();
    let payload_hash = alicli::internals::sha256_hex(b"");
    let canonical = CanonicalRequest {
        method: "POST",
        path: "/",
        query: Vec::new(),
        headers: headers.iter().map(|(k, v)| (*k, v.as_str())).collect(),
        payload_hash: &payload_hash,
    };
    let authorization = v3_sign(&canonical, credentials);
    let mut sent: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    sent.push(("authorization", &authorization));
    let (status, body) = http_with_headers("POST", url.as_str(), &sent, None);
    (status, serde_json::from_str(&body).unwrap())
}

#[test]
fn an_acs3_call_with_sts_credentials_needs_the_signed_accesskey_id_header() {
    let sandbox = Sandbox::new();
    sandbox.sign_in("work");
    let credentials = stored_credentials(&sandbox);
    let call = RpcCall {
        action: "GetCallerIdentity",
        version: STS_VERSION,
        params: Vec::new(),
    };
    let url = url::Url::parse(&sandbox.emulator.url).unwrap();
    let signed = |nonce: &str| {
        let mut headers = v3_headers(&call, &url, &credentials, now(), nonce);
        headers.retain(|(name, _)| *name != "authorization");
        headers
    };

    let (status, body) = call_with(&sandbox, &credentials, &signed("n1"));
    assert_eq!(status, 200, "alicli's header set passes: {body}");

    let mut without = signed("n2");
    without.retain(|(name, _)| *name != "x-acs-accesskey-id");
    let (status, body) = call_with(&sandbox, &credentials, &without);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["Code"], "InvalidAuthorization");
    assert!(
        body["Message"]
            .as_str()
            .unwrap()
            .contains("x-acs-accesskey-id"),
        "{body}"
    );

    let mut other = signed("n3");
    for (name, value) in &mut other {
        if *name == "x-acs-accesskey-id" {
            *value = "STS.someone-else".into();
        }
    }
    let (status, body) = call_with(&sandbox, &credentials, &other);
    assert_eq!(
        status, 400,
        "a header naming another key is refused: {body}"
    );

    // A long-term AccessKey needs no such header, as the SDK sends none.
    let ak = Credentials {
        access_key_id: sandbox.emulator.key_id.clone(),
        access_key_secret: Secret::new(sandbox.emulator.key_secret.clone()),
        security_token: None,
        expiration: None,
    };
    let headers = v3_headers(&call, &url, &ak, now(), "n4");
    assert!(
        headers
            .iter()
            .all(|(name, _)| *name != "x-acs-accesskey-id")
    );
    let (status, body) = call_with(&sandbox, &ak, &headers[..headers.len() - 1]);
    assert_eq!(status, 200, "{body}");
}
