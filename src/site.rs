//! The two Alibaba Cloud sites an OAuth profile can sign in to, with the client ID of the
//! `official-cli` app and the default endpoints of each (docs/protocol.md §1).

use std::fmt;

use anyhow::{Result, bail};

/// The Alibaba Cloud site an OAuth profile signs in to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// Alibaba Cloud China (aliyun.com).
    Cn,
    /// Alibaba Cloud International (alibabacloud.com).
    Intl,
}

impl Site {
    /// Parses `CN`/`0` or `INTL`/`1`, case-insensitively, as the official CLI does.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "CN" | "0" => Ok(Site::Cn),
            "INTL" | "1" => Ok(Site::Intl),
            _ => bail!("unknown OAuth site `{text}`: expected `CN` (or 0) or `INTL` (or 1)"),
        }
    }

    /// The value stored in `oauth_site_type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Site::Cn => "CN",
            Site::Intl => "INTL",
        }
    }

    /// The client ID of the `official-cli` OAuth app on this site.
    pub fn client_id(self) -> &'static str {
        match self {
            Site::Cn => "4038181954557748008",
            Site::Intl => "4103531455503354461",
        }
    }

    pub(crate) fn default_signin(self) -> &'static str {
        match self {
            Site::Cn => "https://signin.aliyun.com",
            Site::Intl => "https://signin.alibabacloud.com",
        }
    }

    /// The console home page, where `alicli console` lands by default.
    pub fn console_home(self) -> &'static str {
        match self {
            Site::Cn => "https://home.console.aliyun.com/",
            Site::Intl => "https://home.console.alibabacloud.com/",
        }
    }

    /// True for an https URL on this site's own domain or any Alibaba Cloud domain: the only
    /// destinations the console federation accepts.
    pub fn is_console_url(url: &url::Url) -> bool {
        url.scheme() == "https"
            && url.host_str().is_some_and(|host| {
                ["aliyun.com", "alibabacloud.com"]
                    .iter()
                    .any(|domain| host == *domain || host.ends_with(&format!(".{domain}")))
            })
    }

    pub(crate) fn default_oauth(self) -> &'static str {
        match self {
            Site::Cn => "https://oauth.aliyun.com",
            Site::Intl => "https://oauth.alibabacloud.com",
        }
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_parse_like_the_official_cli() {
        assert_eq!(Site::parse("cn").unwrap(), Site::Cn);
        assert_eq!(Site::parse("1").unwrap(), Site::Intl);
        assert!(Site::parse("eu").is_err());
    }
}
