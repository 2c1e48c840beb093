//! How long a signed-in OAuth session lasts, read from the profile alone: no network, and `now`
//! as a parameter, so `session validate --local` is a pure function of the file and the clock.

use crate::profile::Profile;

/// The refresh token of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshToken {
    /// None stored: the session ends when its access token does.
    Absent,
    /// Stored; `expires_at` only when the server said (the official CLI never records it).
    Present {
        /// When it expires, unix seconds.
        expires_at: Option<i64>,
    },
}

/// The expiries of a session's three credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    /// When the stored STS credentials expire; `None` when none are stored.
    pub sts_expires_at: Option<i64>,
    /// When the access token expires; `None` when there is none.
    pub access_expires_at: Option<i64>,
    /// The refresh token.
    pub refresh_token: RefreshToken,
}

/// What a session is good for at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The STS credentials work now.
    Valid,
    /// The STS credentials have expired, but the access or refresh token can buy new ones
    /// without a browser: alicli renews them on the next use.
    Renewable,
    /// Nothing works any more: sign in again.
    Expired,
}

impl Verdict {
    /// The stable name used in `--json` output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Renewable => "renewable",
            Verdict::Expired => "expired",
        }
    }
}

impl SessionTimes {
    /// Reads the expiries of an OAuth profile. A stored expiry of 0 means "unknown", which for STS
    /// credentials and access tokens is treated as expired (renewal decides the same way).
    pub fn of(profile: &Profile) -> Self {
        let sts_present = !profile.access_key_id.is_empty()
            && !profile.access_key_secret.is_empty()
            && !profile.sts_token.is_empty();
        Self {
            sts_expires_at: sts_present.then_some(profile.sts_expiration),
            access_expires_at: (!profile.oauth_access_token.is_empty())
                .then_some(profile.oauth_access_token_expire),
            refresh_token: if profile.oauth_refresh_token.is_empty() {
                RefreshToken::Absent
            } else {
                RefreshToken::Present {
                    expires_at: (profile.oauth_refresh_token_expire > 0)
                        .then_some(profile.oauth_refresh_token_expire),
                }
            },
        }
    }

    /// The verdict at `now`.
    pub fn verdict(&self, now: i64) -> Verdict {
        if self.sts_expires_at.is_some_and(|at| at > now) {
            Verdict::Valid
        } else if self.access_expires_at.is_some_and(|at| at > now) || self.refresh_usable(now) {
            Verdict::Renewable
        } else {
            Verdict::Expired
        }
    }

    /// True when the refresh token is stored and not known to have expired.
    pub fn refresh_usable(&self, now: i64) -> bool {
        match self.refresh_token {
            RefreshToken::Absent => false,
            RefreshToken::Present { expires_at } => expires_at.is_none_or(|at| at > now),
        }
    }

    /// When the refresh token expires, when stored and known.
    pub fn renewable_until(&self) -> Option<i64> {
        match self.refresh_token {
            RefreshToken::Present { expires_at } => expires_at,
            RefreshToken::Absent => None,
        }
    }

    /// The last moment the session yields credentials without a browser: the latest known expiry.
    /// `None` when it holds a refresh token of unknown expiry (the server decides then).
    pub fn usable_until(&self) -> Option<i64> {
        let known = [self.sts_expires_at, self.access_expires_at]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        match self.refresh_token {
            RefreshToken::Absent => Some(known),
            RefreshToken::Present { expires_at: None } => None,
            RefreshToken::Present {
                expires_at: Some(at),
            } => Some(known.max(at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    fn profile(sts: i64, access: i64, refresh: Option<i64>) -> Profile {
        Profile {
            mode: "OAuth".into(),
            access_key_id: "STS.id".into(),
            access_key_secret: Secret::new("s"),
            sts_token: Secret::new("t"),
            sts_expiration: sts,
            oauth_access_token: Secret::new("at"),
            oauth_access_token_expire: access,
            oauth_refresh_token: Secret::new(if refresh.is_some() { "rt" } else { "" }),
            oauth_refresh_token_expire: refresh.unwrap_or(0),
            ..Profile::default()
        }
    }

    #[test]
    fn verdicts_follow_the_three_expiries() {
        let now = 1000;
        let times = SessionTimes::of(&profile(2000, 2000, Some(9000)));
        assert_eq!(times.verdict(now), Verdict::Valid);
        assert_eq!(times.renewable_until(), Some(9000));
        assert_eq!(times.usable_until(), Some(9000));
        let times = SessionTimes::of(&profile(500, 500, Some(9000)));
        assert_eq!(times.verdict(now), Verdict::Renewable);
        assert_eq!(times.verdict(9000), Verdict::Expired);
        let times = SessionTimes::of(&profile(500, 1500, None));
        assert_eq!(
            times.verdict(now),
            Verdict::Renewable,
            "the access token still buys STS"
        );
        assert_eq!(times.usable_until(), Some(1500));
        assert_eq!(times.verdict(1500), Verdict::Expired);
    }

    #[test]
    fn a_refresh_token_of_unknown_expiry_keeps_the_session_renewable() {
        let times = SessionTimes::of(&profile(0, 0, Some(0)));
        assert_eq!(
            times.refresh_token,
            RefreshToken::Present { expires_at: None }
        );
        assert_eq!(times.verdict(i64::MAX - 1), Verdict::Renewable);
        assert_eq!(times.usable_until(), None);
    }

    #[test]
    fn an_empty_profile_is_expired() {
        let times = SessionTimes::of(&Profile::default());
        assert_eq!(times.sts_expires_at, None);
        assert_eq!(times.verdict(0), Verdict::Expired);
        assert_eq!(times.usable_until(), Some(0));
    }
}
