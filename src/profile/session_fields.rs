//! The session keys of a profile in config.json, written and cleared as a whole: an OAuth
//! session, the account it belongs to, and the STS credentials a role profile obtained. The
//! field names are the official CLI's (docs/protocol.md §4), so its tools read what alicli wrote.

use super::keys;
use super::model::ConfigFile;
use crate::cloud::credentials::Credentials;
use crate::secret::Secret;
use crate::session::record::{FlatSession, OAuthSession};

impl ConfigFile {
    /// Writes a whole OAuth session into a profile: every session key is set, or cleared (to ""
    /// or 0, as the official CLI leaves unset fields) when the session lacks that part, so two
    /// sessions never mix. The account key is removed when the account is unknown.
    pub fn apply_session(&mut self, name: &str, session: &OAuthSession) {
        let flat = FlatSession::of(session);
        self.set_fields(
            name,
            [
                (
                    keys::OAUTH_ACCESS_TOKEN,
                    flat.oauth_access_token.expose().into(),
                ),
                (
                    keys::OAUTH_ACCESS_TOKEN_EXPIRE,
                    flat.oauth_access_token_expire.into(),
                ),
                (
                    keys::OAUTH_REFRESH_TOKEN,
                    flat.oauth_refresh_token.expose().into(),
                ),
                (
                    keys::OAUTH_REFRESH_TOKEN_EXPIRE,
                    flat.oauth_refresh_token_expire.into(),
                ),
                (keys::ACCESS_KEY_ID, flat.access_key_id.as_str().into()),
                (
                    keys::ACCESS_KEY_SECRET,
                    flat.access_key_secret.expose().into(),
                ),
                (keys::STS_TOKEN, flat.sts_token.expose().into()),
                (keys::STS_EXPIRATION, flat.sts_expiration.into()),
            ],
        );
        self.set_account(name, session.account_id.as_deref());
    }

    /// Records the account signed in to profile `name`, or removes the record when unknown.
    pub fn set_account(&mut self, name: &str, account: Option<&str>) {
        match account {
            Some(account) => self.set_fields(name, [(keys::ALICLI_ACCOUNT_ID, account.into())]),
            None => {
                self.remove_field(name, keys::ALICLI_ACCOUNT_ID);
            }
        }
    }

    /// Writes the STS credentials a role profile obtained into its own STS fields, where they are
    /// reused until due (the official tools ignore these fields in role profiles).
    pub fn apply_role_credentials(&mut self, name: &str, credentials: &Credentials) {
        let token = credentials.security_token.as_ref().map(Secret::expose);
        self.set_fields(
            name,
            [
                (
                    keys::ACCESS_KEY_ID,
                    credentials.access_key_id.as_str().into(),
                ),
                (
                    keys::ACCESS_KEY_SECRET,
                    credentials.access_key_secret.expose().into(),
                ),
                (keys::STS_TOKEN, token.unwrap_or_default().into()),
                (
                    keys::STS_EXPIRATION,
                    credentials.expiration.unwrap_or(0).into(),
                ),
            ],
        );
    }

    /// Removes every session key, for a profile that stops being an OAuth profile: the session
    /// has no meaning in another mode, and its secrets must not linger.
    pub fn remove_session(&mut self, name: &str) {
        for key in keys::SESSION_KEYS.iter().chain([&keys::ALICLI_ACCOUNT_ID]) {
            self.remove_field(name, key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::session::record::Token;

    #[test]
    fn a_session_is_applied_and_cleared_whole() {
        let path = Path::new("config.json");
        let mut file =
            ConfigFile::parse(br#"{"profiles":[{"name":"work","mode":"OAuth"}]}"#, path).unwrap();
        file.set_fields(
            "work",
            [
                (keys::OAUTH_REFRESH_TOKEN, "rt-of-another-session".into()),
                (keys::ALICLI_ACCOUNT_ID, "999".into()),
            ],
        );
        let session = OAuthSession {
            access_token: Some(Token {
                secret: Secret::new("at"),
                expires_at: Some(5000),
            }),
            refresh_token: None,
            sts: Some(Credentials {
                access_key_id: "STS.x".into(),
                access_key_secret: Secret::new("s"),
                security_token: Some(Secret::new("t")),
                expiration: Some(4000),
            }),
            account_id: Some("123".into()),
        };
        file.apply_session("work", &session);
        let work = file.profile("work", path).unwrap().unwrap();
        assert_eq!(
            work.oauth_session(),
            session,
            "nothing of the other session is left"
        );
        file.apply_session("work", &OAuthSession::default());
        let raw = file.raw_profile("work").unwrap();
        for key in [
            keys::OAUTH_ACCESS_TOKEN,
            keys::OAUTH_REFRESH_TOKEN,
            keys::ACCESS_KEY_ID,
            keys::ACCESS_KEY_SECRET,
            keys::STS_TOKEN,
        ] {
            assert_eq!(raw[key], "", "{key}");
        }
        for key in [
            keys::OAUTH_ACCESS_TOKEN_EXPIRE,
            keys::OAUTH_REFRESH_TOKEN_EXPIRE,
            keys::STS_EXPIRATION,
        ] {
            assert_eq!(raw[key], 0, "{key}");
        }
        assert!(!raw.contains_key(keys::ALICLI_ACCOUNT_ID));
        assert_eq!(raw["mode"], "OAuth", "settings are not part of the session");
        let work = file.profile("work", path).unwrap().unwrap();
        assert_eq!(work.oauth_session(), OAuthSession::default());
    }
}
