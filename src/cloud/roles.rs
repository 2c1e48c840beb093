//! Role sessions from STS (docs/protocol.md §10): `AssumeRole`, signed with the source's
//! credentials, and `AssumeRoleWithOIDC`, unsigned. Both are sent as the official CLI's credentials
//! library sends them: `POST`, the common parameters in the query, the action's own in a form body.

use anyhow::{Context, Result, bail};
use url::Url;

use super::credentials::{Credentials, credentials_from};
use super::sts::{RpcCall, STS_VERSION, call_transience, new_nonce, send_rpc, v1_form};
use crate::http::Http;
use crate::http::retry::{Retry, with_retries};
use crate::secret::Secret;
use crate::timefmt::to_rfc3339;

/// The session the SDKs ask for when a profile names no duration (seconds).
pub const DEFAULT_DURATION: i64 = 3600;
/// STS refuses shorter sessions.
pub const MIN_DURATION: i64 = 900;

/// Which role to assume, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// `acs:ram::<account>:role/<name>`.
    pub role_arn: String,
    /// The session name, shown in the role's ARN and in audit logs.
    pub session_name: String,
    /// The session length in seconds.
    pub duration_seconds: i64,
    /// The `ExternalId` the role's trust policy may require.
    pub external_id: Option<String>,
    /// A policy that narrows the session's permissions.
    pub policy: Option<String>,
}

impl RoleSpec {
    /// Checks what STS would refuse anyway, so the message can name the profile field.
    pub fn check(&self) -> Result<()> {
        check_arn(&self.role_arn, "role")?;
        check_session_name(&self.session_name)?;
        if self.duration_seconds < MIN_DURATION {
            bail!(
                "`expired_seconds` is {}, but STS sessions last at least {MIN_DURATION} seconds",
                self.duration_seconds
            );
        }
        Ok(())
    }

    fn params(&self) -> Vec<(&str, String)> {
        let mut params = vec![
            ("RoleArn", self.role_arn.clone()),
            ("RoleSessionName", self.session_name.clone()),
            ("DurationSeconds", self.duration_seconds.to_string()),
        ];
        if let Some(id) = &self.external_id {
            params.push(("ExternalId", id.clone()));
        }
        if let Some(policy) = &self.policy {
            params.push(("Policy", policy.clone()));
        }
        params
    }
}

/// Checks the shape `acs:ram::<account>:<kind>/<name>`, e.g. a `role` or an `oidc-provider`.
pub fn check_arn(arn: &str, kind: &str) -> Result<()> {
    let shape_ok = arn
        .strip_prefix("acs:ram::")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(account, resource)| {
            !account.is_empty()
                && account.chars().all(|c| c.is_ascii_digit())
                && resource.split_once('/').is_some_and(|(found, name)| {
                    found.eq_ignore_ascii_case(kind) && !name.is_empty()
                })
        });
    if !shape_ok {
        bail!(
            "`{}` is not {} ARN like `acs:ram::123456789012:{kind}/NAME`",
            arn.escape_debug(),
            if kind == "role" {
                "a role"
            } else {
                "an OIDC provider"
            }
        );
    }
    Ok(())
}

/// Session names are 2 to 64 of `A-Za-z0-9.@_-`, as STS requires.
pub fn check_session_name(name: &str) -> Result<()> {
    let ok = (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '_' | '-'));
    if !ok {
        bail!(
            "invalid role session name `{}`: use 2 to 64 letters, digits and `.@_-`",
            name.escape_debug()
        );
    }
    Ok(())
}

/// A request split as the official clients send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitRequest {
    /// The URL's query: version, action, signing parameters.
    pub query: Vec<(String, String)>,
    /// The form body: the action's own parameters.
    pub body: Vec<(String, String)>,
}

/// The `AssumeRole` request: one RPC v1 signature over query and body together.
pub fn assume_role_request(
    spec: &RoleSpec,
    source: &Credentials,
    now: i64,
    nonce: &str,
) -> SplitRequest {
    let own = spec.params();
    let call = RpcCall {
        action: "AssumeRole",
        version: STS_VERSION,
        params: own.iter().map(|(k, v)| (*k, v.as_str())).collect(),
    };
    let (body, query) = v1_form(&call, source, now, nonce)
        .into_iter()
        .partition(|(name, _)| own.iter().any(|(k, _)| k == name));
    SplitRequest { query, body }
}

/// The `AssumeRoleWithOIDC` request: no signature, the OIDC token is the proof.
pub fn oidc_request(spec: &RoleSpec, provider_arn: &str, token: &Secret, now: i64) -> SplitRequest {
    let pairs = |list: Vec<(&str, String)>| -> Vec<(String, String)> {
        list.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    };
    let mut body = spec.params();
    body.push(("OIDCProviderArn", provider_arn.to_owned()));
    body.push(("OIDCToken", token.expose().to_owned()));
    SplitRequest {
        query: pairs(vec![
            ("Action", "AssumeRoleWithOIDC".to_owned()),
            ("Format", "JSON".to_owned()),
            ("Version", STS_VERSION.to_owned()),
            ("Timestamp", to_rfc3339(now)),
        ]),
        body: pairs(body),
    }
}

async fn send(
    http: &Http,
    endpoint: &Url,
    request: &SplitRequest,
    action: &str,
) -> Result<Credentials> {
    let mut url = endpoint.clone();
    url.set_query(None);
    url.query_pairs_mut().extend_pairs(&request.query);
    let builder = http.post(&url)?.form(&request.body);
    let answer = send_rpc(http, builder, endpoint, action).await?;
    role_credentials(answer)
        .with_context(|| format!("the {action} answer from `{endpoint}` is incomplete"))
}

/// The `Credentials` of an `AssumeRole` or `AssumeRoleWithOIDC` answer. The one reader of role
/// answers: the requests use it, and so does the fuzzer.
pub fn role_credentials(mut answer: serde_json::Value) -> Result<Credentials> {
    // `get_mut`, not `answer["Credentials"]`: indexing mutably panics when a hostile server
    // answers with something other than an object (found by the role_answer fuzz target).
    let credentials = answer
        .get_mut("Credentials")
        .map(serde_json::Value::take)
        .unwrap_or_default();
    credentials_from(credentials)
}

/// Assumes a role with the source's credentials (their `SecurityToken` too, when they have one).
/// Transient failures are retried (a role session more or less harms nothing), each attempt
/// signed anew with a fresh nonce.
pub async fn assume_role(
    http: &Http,
    endpoint: &Url,
    spec: &RoleSpec,
    source: &Credentials,
    now: i64,
) -> Result<Credentials> {
    tracing::debug!(role = spec.role_arn, "AssumeRole");
    with_retries(
        "the AssumeRole call",
        Retry::Transient,
        call_transience,
        || {
            let request = assume_role_request(spec, source, now, &new_nonce());
            async move { send(http, endpoint, &request, "AssumeRole").await }
        },
    )
    .await
}

/// Assumes a role with an OIDC token.
pub async fn assume_role_with_oidc(
    http: &Http,
    endpoint: &Url,
    spec: &RoleSpec,
    provider_arn: &str,
    token: &Secret,
    now: i64,
) -> Result<Credentials> {
    tracing::debug!(role = spec.role_arn, "AssumeRoleWithOIDC");
    let request = oidc_request(spec, provider_arn, token, now);
    let what = "the AssumeRoleWithOIDC call";
    with_retries(what, Retry::Transient, call_transience, || {
        send(http, endpoint, &request, "AssumeRoleWithOIDC")
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_is_not_an_object_is_an_error_not_a_panic() {
        for answer in [
            serde_json::json!(44444444444444_i64),
            serde_json::json!([1]),
            serde_json::json!("x"),
        ] {
            assert!(role_credentials(answer).is_err());
        }
    }

    fn spec() -> RoleSpec {
        RoleSpec {
            role_arn: "acs:ram::123:role/admin".into(),
            session_name: "me".into(),
            duration_seconds: 3600,
            external_id: Some("x".into()),
            policy: None,
        }
    }

    #[test]
    fn assume_role_puts_the_action_parameters_in_the_body_and_the_signature_in_the_query() {
        let source = Credentials {
            access_key_id: "STS.a".into(),
            access_key_secret: Secret::new("s"),
            security_token: Some(Secret::new("t")),
            expiration: None,
        };
        let request = assume_role_request(&spec(), &source, 0, "n");
        let names = |list: &[(String, String)]| -> Vec<String> {
            let mut names: Vec<String> = list.iter().map(|(k, _)| k.clone()).collect();
            names.sort();
            names
        };
        assert_eq!(
            names(&request.body),
            [
                "DurationSeconds",
                "ExternalId",
                "RoleArn",
                "RoleSessionName"
            ]
        );
        let query = names(&request.query);
        for expected in ["Action", "SecurityToken", "Signature", "SignatureNonce"] {
            assert!(query.iter().any(|k| k == expected), "{query:?}");
        }
    }

    #[test]
    fn specs_are_checked_before_any_request() {
        assert!(spec().check().is_ok());
        let short = RoleSpec {
            duration_seconds: 60,
            ..spec()
        };
        assert!(short.check().unwrap_err().to_string().contains("900"));
        let arn = RoleSpec {
            role_arn: "admin".into(),
            ..spec()
        };
        assert!(arn.check().unwrap_err().to_string().contains("acs:ram::"));
        assert!(check_arn("acs:ram::123:oidc-provider/ci", "oidc-provider").is_ok());
        assert!(check_arn("acs:ram::123:role/", "role").is_err());
        assert!(check_arn("acs:ram::abc:role/x", "role").is_err());
        assert!(check_session_name("a b").is_err());
        assert!(check_session_name("x").is_err());
        assert!(check_session_name("ci@example.com").is_ok());
    }
}
