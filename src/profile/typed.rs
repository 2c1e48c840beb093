//! The typed view of one profile: what alicli reads out of the raw JSON, the OAuth session it
//! holds, and its state. Fields other tools own stay in the file, not here.
//!
//! A profile whose session is kept in the keychain ([`Storage::Keychain`]) is an External
//! profile in the file, for the other tools; alicli sees it as the OAuth profile it is, and its
//! session comes from the keychain ([`super::storage::load`]), never from the file.

use std::path::Path;

use anyhow::Result;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::mode::Mode;
use super::storage::Storage;
use crate::cloud::credentials::Credentials;
use crate::oauth::token::lenient_seconds;
use crate::secret::Secret;
use crate::session::record::{FlatSession, OAuthSession, stored_sts};
use crate::session::state::{Margins, SignInReason, State, Step, keeps};
use crate::site::Site;

/// A typed view of one profile.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// The profile name.
    pub name: String,
    /// How the profile gets its credentials.
    pub mode: Mode,
    /// `CN` or `INTL` for OAuth profiles.
    pub oauth_site_type: Option<String>,
    /// The default region.
    pub region_id: String,
    /// `en` or `zh`.
    pub language: String,
    /// The OAuth access token.
    pub oauth_access_token: Secret,
    /// The OAuth refresh token.
    pub oauth_refresh_token: Secret,
    /// When the access token expires, unix seconds (0 when unknown).
    #[serde(deserialize_with = "lenient_or_zero")]
    pub oauth_access_token_expire: i64,
    /// When the refresh token expires, unix seconds (0 when unknown; the CLI never writes it).
    #[serde(deserialize_with = "lenient_or_zero")]
    pub oauth_refresh_token_expire: i64,
    /// The AccessKeyId (STS for OAuth profiles).
    pub access_key_id: String,
    /// The AccessKeySecret.
    pub access_key_secret: Secret,
    /// The STS security token.
    pub sts_token: Secret,
    /// When the STS credentials expire, unix seconds (0 when unknown).
    #[serde(deserialize_with = "lenient_or_zero")]
    pub sts_expiration: i64,
    /// An STS endpoint override.
    pub sts_endpoint: Option<String>,
    /// The command an `External` profile runs for credentials (docs/protocol.md §7).
    pub process_command: Option<String>,
    /// Where a `CredentialsURI` profile fetches its credentials (docs/protocol.md §7).
    pub credentials_uri: Option<String>,
    /// The account signed in ([`keys::ALICLI_ACCOUNT_ID`]).
    pub alicli_account_id: Option<String>,
    /// The profile whose credentials assume the role (`ChainableRamRoleArn`).
    pub source_profile: Option<String>,
    /// The role to assume (role and OIDC profiles).
    pub ram_role_arn: Option<String>,
    /// The role session's name.
    pub ram_session_name: Option<String>,
    /// The ExternalId the role's trust policy asks for.
    pub external_id: Option<String>,
    /// The role session's length, seconds (0 when unset).
    #[serde(deserialize_with = "lenient_or_zero")]
    pub expired_seconds: i64,
    /// A policy that narrows the role session.
    pub policy: Option<String>,
    /// The region of the STS endpoint (role sessions, and every STS call when there is no
    /// `sts_endpoint`; docs/protocol.md §4).
    pub sts_region: Option<String>,
    /// The ECS instance's RAM role (`EcsRamRole`; the metadata service names it when unset).
    pub ram_role_name: Option<String>,
    /// The OIDC identity provider (`OIDC`).
    pub oidc_provider_arn: Option<String>,
    /// The file holding the OIDC token (`OIDC`).
    pub oidc_token_file: Option<String>,
    /// Where the OAuth session is kept.
    #[serde(skip)]
    pub storage: Storage,
    /// A keychain profile's session, once [`super::storage::load`] has read it.
    #[serde(skip)]
    pub keychain_session: Option<OAuthSession>,
}

impl Profile {
    /// The typed view of a raw profile of the file at `config`; a field of the wrong type is an
    /// error naming it. `null` is read as absent, for every field: Alibaba's Python SDK writes
    /// `"oauth_refresh_token": null` for a profile without one (docs/protocol.md §4).
    pub fn from_raw(raw: &Map<String, Value>, config: &Path) -> Result<Self, serde_json::Error> {
        let present: Map<String, Value> = raw
            .iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        let mut profile = Profile::deserialize(Value::Object(present))?;
        profile.storage = Storage::of_raw(raw, config);
        if profile.storage == Storage::Keychain {
            profile.mode = Mode::OAuth;
        }
        Ok(profile)
    }

    /// The OAuth session the profile holds; empty fields are absent parts, and an expiry of 0
    /// is an unknown one. A keychain profile's is the one read from the keychain (none until
    /// read); its account is recorded in the file either way.
    pub fn oauth_session(&self) -> OAuthSession {
        if self.storage == Storage::Keychain {
            return OAuthSession {
                account_id: self.account_id(),
                ..self.keychain_session.clone().unwrap_or_default()
            };
        }
        FlatSession {
            oauth_access_token: self.oauth_access_token.clone(),
            oauth_access_token_expire: self.oauth_access_token_expire,
            oauth_refresh_token: self.oauth_refresh_token.clone(),
            oauth_refresh_token_expire: self.oauth_refresh_token_expire,
            access_key_id: self.access_key_id.clone(),
            access_key_secret: self.access_key_secret.clone(),
            sts_token: self.sts_token.clone(),
            sts_expiration: self.sts_expiration,
        }
        .session(self.account_id())
    }

    fn account_id(&self) -> Option<String> {
        self.alicli_account_id.clone().filter(|id| !id.is_empty())
    }

    /// What the profile's credentials are good for at `now` (see [`State`]).
    pub fn state(&self, now: i64, margins: Margins) -> State {
        match self.mode {
            // A keychain session that could not be read: the profile alone does not say.
            Mode::OAuth if self.storage == Storage::Keychain && self.keychain_session.is_none() => {
                State::Elsewhere
            }
            Mode::OAuth => State::of_session(&self.oauth_session(), now, margins),
            Mode::Ak => State::StaticKeys { expires_at: None },
            Mode::StsToken => State::StaticKeys {
                expires_at: (self.sts_expiration > 0).then_some(self.sts_expiration),
            },
            // Role credentials cached in the profile; new ones can be had at any time (a chained
            // role's source decides how long: see `chain::state`).
            Mode::ChainableRamRoleArn | Mode::Oidc | Mode::EcsRamRole => {
                match self.cached_sts(now, margins.sts) {
                    Some(at) => State::Fresh {
                        sts_expires_at: at,
                        until: None,
                    },
                    None => State::Renewable {
                        step: Step::Role,
                        until: None,
                    },
                }
            }
            Mode::RamRoleArn => State::Renewable {
                step: Step::Role,
                until: None,
            },
            // Signed in by the official CLI: alicli uses what it cached, and cannot renew it.
            Mode::CloudSso => match self.cached_sts(now, margins.sts) {
                Some(at) => State::Fresh {
                    sts_expires_at: at,
                    until: Some(at),
                },
                None => State::SignInNeeded(SignInReason::NoTokens {
                    sts_expired_at: (self.sts_expiration > 0).then_some(self.sts_expiration),
                }),
            },
            _ => State::Elsewhere,
        }
    }

    /// The STS credentials stored in the profile, when complete.
    pub fn stored_sts(&self) -> Option<Credentials> {
        stored_sts(
            &self.access_key_id,
            &self.access_key_secret,
            &self.sts_token,
            self.sts_expiration,
        )
    }

    /// When the stored STS credentials expire, if they keep at least `margin` seconds at `now`.
    fn cached_sts(&self, now: i64, margin: i64) -> Option<i64> {
        self.stored_sts()
            .filter(|_| keeps(self.sts_expiration, now, margin))
            .map(|_| self.sts_expiration)
    }

    /// The site of an OAuth profile (CN when unset, as the official CLI assumes).
    pub fn site(&self) -> Result<Site> {
        match self.oauth_site_type.as_deref() {
            None | Some("") => Ok(Site::Cn),
            Some(text) => Site::parse(text),
        }
    }
}

fn lenient_or_zero<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    Ok(lenient_seconds(deserializer)?.unwrap_or(0))
}
