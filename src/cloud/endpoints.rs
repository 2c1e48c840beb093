//! Sites, client IDs and endpoint URLs (docs/protocol.md §1), with the overrides for private
//! deployments and tests, and the rule that plain HTTP goes only to loopback.

use anyhow::{Result, bail};
use url::Url;

use crate::site::Site;

use crate::loopback::is_loopback;

/// Where the OAuth endpoints of one site live.
#[derive(Debug, Clone)]
pub struct OAuthEndpoints {
    /// Base of the browser sign-in (`…/oauth2/v1/auth`).
    pub signin: Url,
    /// Base of the token and exchange APIs (`…/v1/token`, `…/v1/exchange`).
    pub oauth: Url,
}

impl OAuthEndpoints {
    /// The site's endpoints, or the overrides (`ALICLI_SIGNIN_URL`, `ALICLI_OAUTH_URL`) when given.
    pub fn for_site(site: Site, signin: Option<&str>, oauth: Option<&str>) -> Result<Self> {
        Ok(Self {
            signin: parse_endpoint(signin.unwrap_or(site.default_signin()))?,
            oauth: parse_endpoint(oauth.unwrap_or(site.default_oauth()))?,
        })
    }

    /// `{signin}/oauth2/v1/auth`
    pub fn authorize_url(&self) -> Url {
        join(&self.signin, "oauth2/v1/auth")
    }

    /// `{oauth}/v1/token`
    pub fn token_url(&self) -> Url {
        join(&self.oauth, "v1/token")
    }

    /// `{signin}/federation`: console sign-in with STS credentials.
    pub fn federation_url(&self) -> Url {
        join(&self.signin, "federation")
    }

    /// `{oauth}/v1/exchange`
    pub fn exchange_url(&self) -> Url {
        join(&self.oauth, "v1/exchange")
    }
}

/// Appends a relative path to a base, keeping any path prefix the base has.
fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{prefix}/{path}"));
    url
}

/// Everything that can name the STS endpoint, most specific first (docs/protocol.md §4).
#[derive(Debug, Clone, Copy, Default)]
pub struct StsEndpointChoice<'a> {
    /// `--endpoint`.
    pub flag: Option<&'a str>,
    /// The profile's `sts_endpoint`.
    pub profile: Option<&'a str>,
    /// `ALIBABA_CLOUD_STS_ENDPOINT`.
    pub env: Option<&'a str>,
    /// `--region`.
    pub flag_region: Option<&'a str>,
    /// The profile's `sts_region`.
    pub profile_region: Option<&'a str>,
}

impl StsEndpointChoice<'_> {
    /// The first endpoint given, else `sts.<region>.aliyuncs.com` for the first region given,
    /// else the central `sts.aliyuncs.com`. The endpoints and the profile's region come in the
    /// official CLI's order; `--region` is alicli's own and outranks the profile.
    pub fn resolve(&self) -> Result<Url> {
        fn first<'a>(values: &[Option<&'a str>]) -> Option<&'a str> {
            values
                .iter()
                .flatten()
                .copied()
                .find(|v| !v.trim().is_empty())
        }
        if let Some(endpoint) = first(&[self.flag, self.profile, self.env]) {
            return parse_endpoint(endpoint);
        }
        match first(&[self.flag_region, self.profile_region]) {
            Some(region) => {
                // The region becomes part of a host name: nothing but a region id may get there.
                let region = region.trim();
                if !region
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
                {
                    bail!(
                        "`{region}` is not a region id: it may hold only letters, digits and `-`"
                    );
                }
                parse_endpoint(&format!("sts.{region}.aliyuncs.com"))
            }
            None => parse_endpoint("sts.aliyuncs.com"),
        }
    }
}

/// A bare host means HTTPS; a full URL is taken as it is. Plain `http://` only reaches loopback.
pub fn parse_endpoint(text: &str) -> Result<Url> {
    let text = text.trim();
    let url = if text.contains("://") {
        Url::parse(text)
    } else {
        Url::parse(&format!("https://{text}"))
    }
    .map_err(|e| anyhow::anyhow!("`{text}` is not a valid endpoint: {e}"))?;
    require_secure(&url)?;
    Ok(url)
}

/// Refuses plain HTTP to anything but loopback, and schemes other than HTTP(S).
pub fn require_secure(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => bail!(
            "refusing plain HTTP to `{url}`: only loopback addresses may use `http://`; use `https://`"
        ),
        other => bail!("unsupported scheme `{other}` in `{url}`: use `https://`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(parse_endpoint("http://127.0.0.1:8080").is_ok());
        assert!(parse_endpoint("http://localhost:1").is_ok());
        assert!(parse_endpoint("http://[::1]:1").is_ok());
        let err = parse_endpoint("http://sts.aliyuncs.com").unwrap_err();
        assert!(err.to_string().contains("refusing plain HTTP"), "{err}");
        assert_eq!(
            parse_endpoint("sts.aliyuncs.com").unwrap().as_str(),
            "https://sts.aliyuncs.com/"
        );
    }

    #[test]
    fn endpoint_precedence_and_paths() {
        let choice = StsEndpointChoice {
            profile: Some("http://127.0.0.1:9/"),
            env: Some("x.example"),
            profile_region: Some("cn-beijing"),
            ..Default::default()
        };
        assert_eq!(choice.resolve().unwrap().as_str(), "http://127.0.0.1:9/");
        let choice = StsEndpointChoice {
            flag_region: Some("cn-shanghai"),
            profile_region: Some("cn-beijing"),
            ..Default::default()
        };
        assert_eq!(
            choice.resolve().unwrap().as_str(),
            "https://sts.cn-shanghai.aliyuncs.com/"
        );
        let choice = StsEndpointChoice {
            profile_region: Some("ap-southeast-1"),
            ..Default::default()
        };
        assert_eq!(
            choice.resolve().unwrap().as_str(),
            "https://sts.ap-southeast-1.aliyuncs.com/"
        );
        let hostile = StsEndpointChoice {
            profile_region: Some("evil.example/x#"),
            ..Default::default()
        };
        assert!(
            hostile.resolve().is_err(),
            "a region cannot choose the host"
        );
        let central = StsEndpointChoice::default().resolve().unwrap();
        assert_eq!(central.as_str(), "https://sts.aliyuncs.com/");
        let oauth =
            OAuthEndpoints::for_site(Site::Cn, None, Some("http://127.0.0.1:7/base/")).unwrap();
        assert_eq!(
            oauth.token_url().as_str(),
            "http://127.0.0.1:7/base/v1/token"
        );
        assert_eq!(
            oauth.authorize_url().as_str(),
            "https://signin.aliyun.com/oauth2/v1/auth"
        );
    }
}
