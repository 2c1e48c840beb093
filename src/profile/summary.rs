//! What `configure list` shows of a profile. A profile that does not parse (another tool's, or a
//! hand edit) still gets a row, so one odd profile never hides the others.

use serde_json::{Map, Value};

use super::keys;
use super::mode::Mode;
use super::storage::Storage;
use super::typed::Profile;
use crate::session::state::{State, keeps};
use crate::site::Site;

/// How long a profile can produce credentials without a new sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// Usable until this time (unix seconds): the refresh token's expiry for OAuth, the STS
    /// expiry for temporary keys.
    Until(i64),
    /// A new sign-in (or new keys) is needed.
    Expired,
    /// An OAuth profile with a refresh token whose expiry the server did not say: alicli renews it
    /// until the server refuses.
    Renewable,
    /// Long-term keys (`AK`): they do not expire.
    Never,
    /// An OAuth profile with no session at all.
    SignedOut,
    /// Nothing in the profile says (modes alicli does not sign with, or a malformed profile).
    Unknown,
}

impl Validity {
    /// The word used in `--output json` (`"validity"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Until(_) => "until",
            Validity::Expired => "expired",
            Validity::Renewable => "renewable",
            Validity::Never => "never",
            Validity::SignedOut => "signed_out",
            Validity::Unknown => "unknown",
        }
    }

    /// The listing's word for a state.
    pub fn of(state: State, now: i64) -> Self {
        match state {
            State::Fresh { until, .. } | State::Renewable { until, .. } => {
                until.map_or(Validity::Renewable, Validity::Until)
            }
            State::SignInNeeded(_) => Validity::Expired,
            State::SignedOut => Validity::SignedOut,
            State::StaticKeys { expires_at: None } => Validity::Never,
            State::StaticKeys {
                expires_at: Some(at),
            } if keeps(at, now, 0) => Validity::Until(at),
            State::StaticKeys { .. } => Validity::Expired,
            State::Elsewhere => Validity::Unknown,
        }
    }
}

/// One row of `configure list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The profile name.
    pub name: String,
    /// The mode as alicli sees it (empty when missing): `OAuth` for a keychain profile too.
    pub mode: String,
    /// Where an OAuth profile keeps its session.
    pub storage: Option<Storage>,
    /// `CN`/`INTL` for OAuth profiles.
    pub site: Option<String>,
    /// `region_id`, when set.
    pub region: Option<String>,
    /// How long it stays valid.
    pub validity: Validity,
    /// The account: recorded at sign-in (`alicli_account_id`), or read from a role ARN.
    pub account: Option<String>,
}

/// Summarizes one raw profile at time `now`, with its typed view (`None` when it is malformed; a
/// keychain profile's session already read into it) and its `state`, its role chain included
/// ([`super::chain::state`]).
pub fn summarize(
    raw: &Map<String, Value>,
    profile: Option<&Profile>,
    state: State,
    now: i64,
) -> Summary {
    let text = |key: &str| {
        raw.get(key)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    let mode = profile.map_or_else(
        || text(keys::MODE).unwrap_or_default().to_owned(),
        |p| p.mode.to_string(),
    );
    let site = (mode == "OAuth").then(|| match text(keys::OAUTH_SITE_TYPE) {
        None => Site::Cn.as_str().to_owned(),
        Some(stored) => Site::parse(stored)
            .map(|site| site.as_str().to_owned())
            .unwrap_or_else(|_| stored.to_owned()),
    });
    let account = text(keys::ALICLI_ACCOUNT_ID)
        .map(str::to_owned)
        .or_else(|| {
            // acs:ram::<account>:role/<name>
            text(keys::RAM_ROLE_ARN)
                .and_then(|arn| arn.split(':').nth(3))
                .filter(|account| !account.is_empty())
                .map(str::to_owned)
        });
    let validity = Validity::of(state, now);
    Summary {
        name: text(keys::NAME).unwrap_or_default().to_owned(),
        storage: profile.filter(|p| p.mode == Mode::OAuth).map(|p| p.storage),
        site,
        region: text(keys::REGION_ID).map(str::to_owned),
        validity,
        account,
        mode,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::profile::{ConfigFile, chain};
    use crate::session::state::Margins;
    use serde_json::json;

    fn summary(value: Value) -> Summary {
        let text = json!({"profiles": [value]}).to_string();
        let path = Path::new("config.json");
        let file = ConfigFile::parse(text.as_bytes(), path).unwrap();
        let name = value["name"].as_str().unwrap_or_default();
        let profile = file.profile(name, path).ok().flatten();
        let state = chain::state(&file, name, 1000, Margins::DEFAULT, &mut |n| {
            file.profile(n, path).ok().flatten()
        });
        summarize(value.as_object().unwrap(), profile.as_ref(), state, 1000)
    }

    #[test]
    fn oauth_validity_follows_the_refresh_token_then_the_credentials() {
        let base = json!({"name": "w", "mode": "OAuth", "oauth_refresh_token": "rt"});
        let mut p = base.clone();
        p["oauth_refresh_token_expire"] = json!(5000);
        assert_eq!(summary(p.clone()).validity, Validity::Until(5000));
        p["oauth_refresh_token_expire"] = json!("999");
        assert_eq!(summary(p).validity, Validity::Expired);
        assert_eq!(summary(base).validity, Validity::Renewable);
        let no_refresh = json!({"name": "w", "mode": "OAuth", "oauth_access_token": "at",
            "oauth_access_token_expire": 1500, "access_key_id": "STS.x", "access_key_secret": "s",
            "sts_token": "t", "sts_expiration": 2500.0});
        assert_eq!(summary(no_refresh).validity, Validity::Until(2500));
        let signed_out = json!({"name": "w", "mode": "OAuth", "oauth_refresh_token": ""});
        assert_eq!(summary(signed_out.clone()).validity, Validity::SignedOut);
        assert_eq!(summary(signed_out).site.as_deref(), Some("CN"));
    }

    #[test]
    fn other_modes_and_odd_values_never_fail() {
        let ak = summary(json!({"name": "a", "mode": "AK", "region_id": "cn-beijing"}));
        assert_eq!(ak.validity, Validity::Never);
        assert_eq!(ak.site, None);
        assert_eq!(ak.region.as_deref(), Some("cn-beijing"));
        let chain = summary(json!({"name": "c", "mode": "ChainableRamRoleArn",
            "ram_role_arn": "acs:ram::1234:role/admin", "region_id": 5}));
        assert_eq!(chain.account.as_deref(), Some("1234"));
        assert_eq!(chain.region, None);
        assert_eq!(chain.validity, Validity::Unknown);
        let site = summary(json!({"name": "i", "mode": "OAuth", "oauth_site_type": "1"}));
        assert_eq!(site.site.as_deref(), Some("INTL"));
    }
}
