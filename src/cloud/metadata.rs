//! RAM role credentials from the ECS instance metadata service (`EcsRamRole` profiles,
//! docs/protocol.md §10), with a session token first (IMDSv2): a `PUT` for the token, then `GET`s
//! that carry it. alicli never falls back to token-less requests.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use reqwest::RequestBuilder;
use url::Url;

use super::credentials::{Credentials, credentials_from};
use crate::http::{Http, parse_json, send_for_body};
use crate::secret::Secret;

/// The metadata service of every ECS instance. It is reachable from the instance only, over plain
/// HTTP; requests to it never go through a proxy (see `loopback::never_proxied`).
pub const METADATA_URL: &str = "http://100.100.100.200";

/// How long the session token asked for lives (the SDKs ask for the 6-hour maximum).
const TOKEN_TTL_SECONDS: &str = "21600";

/// The service answers within milliseconds on an instance; off one, nothing answers at all.
const TIMEOUT: Duration = Duration::from_secs(3);

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{prefix}/{path}"));
    url
}

async fn send(http: &Http, request: RequestBuilder, url: &Url) -> Result<Vec<u8>> {
    let what = format!("the metadata request to `{url}`");
    send_for_body(http, request.timeout(TIMEOUT), &what)
        .await
        .map_err(anyhow::Error::from)
}

/// The credentials of the instance's RAM role: `role_name`, or the one the service names.
pub async fn ecs_role_credentials(
    http: &Http,
    base: &Url,
    role_name: Option<&str>,
) -> Result<Credentials> {
    let token_url = join(base, "latest/api/token");
    let token = send(
        http,
        http.put(&token_url)?
            .header("X-aliyun-ecs-metadata-token-ttl-seconds", TOKEN_TTL_SECONDS),
        &token_url,
    )
    .await
    .context("no session token from the ECS metadata service; is this an ECS instance?")?;
    let token = Secret::new(String::from_utf8_lossy(&token).trim());
    let get = |url: &Url| -> Result<RequestBuilder> {
        Ok(http
            .get(url)?
            .header("X-aliyun-ecs-metadata-token", token.expose()))
    };
    let roles_url = join(base, "latest/meta-data/ram/security-credentials/");
    let role = match role_name.filter(|r| !r.is_empty()) {
        Some(role) => role.to_owned(),
        None => {
            let body = send(http, get(&roles_url)?, &roles_url)
                .await
                .context("the instance's RAM role could not be read")?;
            String::from_utf8_lossy(&body).trim().to_owned()
        }
    };
    if role.is_empty()
        || !role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        bail!(
            "the ECS instance has no usable RAM role (got `{}`); attach one to the instance",
            role.escape_debug()
        );
    }
    let url = join(&roles_url, &role);
    let body = send(http, get(&url)?, &url)
        .await
        .with_context(|| format!("no credentials for the RAM role `{role}` of this instance"))?;
    parse_metadata_answer(&body).with_context(|| format!("the metadata answer for `{role}`"))
}

/// Reads the metadata service's answer: `Code` must be `Success`.
pub fn parse_metadata_answer(body: &[u8]) -> Result<Credentials> {
    let mut answer: serde_json::Value = parse_json(body, "the ECS metadata service")?;
    match answer["Code"].as_str() {
        Some("Success") => credentials_from(answer.take()),
        other => bail!(
            "it says `{}` instead of `Success`",
            crate::error::printable(other.unwrap_or("nothing"), 100)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_strictly_and_never_echoed() {
        let ok = br#"{"AccessKeyId":"STS.a","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2026-11-22T10:00:00Z","Code":"Success"}"#;
        assert_eq!(
            parse_metadata_answer(ok).unwrap().expiration,
            Some(1_795_341_600)
        );
        let failed = br#"{"Code":"Failed","AccessKeySecret":"SECRET"}"#;
        let error = parse_metadata_answer(failed).unwrap_err().to_string();
        assert!(
            error.contains("Failed") && !error.contains("SECRET"),
            "{error}"
        );
        let partial =
            br#"{"Code":"Success","AccessKeyId":"STS.a","Expiration":"2026-11-22T10:00:00Z"}"#;
        let error = format!("{:#}", parse_metadata_answer(partial).unwrap_err());
        assert!(error.contains("AccessKeySecret"), "{error}");
    }
}
