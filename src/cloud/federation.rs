//! Console federation (docs/protocol.md §10): STS credentials buy a sign-in token at
//! `{signin}/federation` (`GetSigninToken`, form-encoded, unsigned), and the browser spends it at
//! the `Login` URL, which redirects to the console page. The token lasts 30 s and works once.

use anyhow::{Context, Result, anyhow};
use url::Url;

use super::credentials::Credentials;
use super::sts::send_rpc;
use crate::http::Http;
use crate::secret::Secret;

/// Trades STS credentials for a console sign-in token.
pub async fn get_signin_token(
    http: &Http,
    federation: &Url,
    credentials: &Credentials,
) -> Result<Secret> {
    let token = credentials.security_token.as_ref().ok_or_else(|| {
        anyhow!("the console sign-in needs STS credentials; long-term AccessKeys cannot open it")
    })?;
    let form = [
        ("Action", "GetSigninToken"),
        ("AccessKeyId", credentials.access_key_id.as_str()),
        ("AccessKeySecret", credentials.access_key_secret.expose()),
        ("SecurityToken", token.expose()),
        ("TicketType", "mini"),
    ];
    let request = http.post(federation)?.form(&form);
    let answer = send_rpc(http, request, federation, "GetSigninToken").await?;
    answer["SigninToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(Secret::new)
        .with_context(|| {
            format!("the GetSigninToken answer from `{federation}` has no SigninToken")
        })
}

/// The URL that signs the browser in and lands on `destination`; `login_url` is where the console
/// sends the user once the federated session ends.
pub fn login_url(federation: &Url, token: &Secret, destination: &Url, login_url: &Url) -> Url {
    let mut url = federation.clone();
    url.set_query(None);
    url.query_pairs_mut()
        .append_pair("Action", "Login")
        .append_pair("LoginUrl", login_url.as_str())
        .append_pair("Destination", destination.as_str())
        .append_pair("SigninToken", token.expose());
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_url_encodes_every_value() {
        let federation = Url::parse("https://signin.aliyun.com/federation").unwrap();
        let destination = Url::parse("https://ecs.console.aliyun.com/?a=1&b=2#/x").unwrap();
        let home = Url::parse("https://home.console.aliyun.com/").unwrap();
        let url = login_url(&federation, &Secret::new("ab+/c="), &destination, &home);
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("Action".into(), "Login".into()));
        assert_eq!(pairs[2].1, destination.as_str());
        assert_eq!(pairs[3].1, "ab+/c=");
        assert!(url.as_str().contains("SigninToken=ab%2B%2Fc%3D"), "{url}");
    }
}
