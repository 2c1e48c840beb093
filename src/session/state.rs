//! The one answer to "what is this session good for now?". Renewal, `session validate`,
//! `configure list`, `prompt`, `doctor`, `session terminate` and the credentials endpoint all ask
//! [`State`], so they cannot disagree. It is a pure function of the session's expiries, the time
//! and the margins: no files, no clock, no network.

use super::record::OAuthSession;
use crate::timefmt::to_rfc3339;

/// STS credentials closer to expiry than this are renewed before use (seconds); defined with the
/// credentials, whose exchange refuses new ones that arrive with less.
pub use crate::cloud::credentials::STS_RENEW_MARGIN;
/// The exchange wants an access token valid for 15 more minutes, so a session that can refresh
/// does so at 20 (docs/protocol.md §3).
pub const ACCESS_TOKEN_MARGIN: i64 = 1200;

/// How much life a credential must have left to count as usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Margins {
    /// Stored STS credentials with less left are due for renewal.
    pub sts: i64,
    /// With a refresh token, an access token with less left is refreshed before an exchange.
    /// Without one, the access token is exchanged for as long as it lives (docs/protocol.md §3).
    pub access_token: i64,
}

impl Margins {
    /// What every command uses unless asked for more.
    pub const DEFAULT: Margins = Margins {
        sts: STS_RENEW_MARGIN,
        access_token: ACCESS_TOKEN_MARGIN,
    };

    /// The default margins, with STS credentials due when fewer than `min_ttl` seconds remain.
    pub fn with_min_ttl(min_ttl: i64) -> Self {
        Self {
            sts: min_ttl.max(STS_RENEW_MARGIN),
            ..Self::DEFAULT
        }
    }
}

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

/// The expiries of a session's three credentials: what the state is computed from, and what
/// `--json` shows. No secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    /// When the stored STS credentials expire; `None` when none are stored.
    pub sts_expires_at: Option<i64>,
    /// When the access token expires (0 when unknown, read as expired); `None` when there is none.
    pub access_expires_at: Option<i64>,
    /// The refresh token.
    pub refresh_token: RefreshToken,
}

impl SessionTimes {
    /// The expiries of a session.
    pub fn of(session: &OAuthSession) -> Self {
        Self {
            sts_expires_at: session.sts.as_ref().map(|sts| sts.expiration.unwrap_or(0)),
            access_expires_at: session
                .access_token
                .as_ref()
                .map(|token| token.expires_at.unwrap_or(0)),
            refresh_token: match &session.refresh_token {
                None => RefreshToken::Absent,
                Some(token) => RefreshToken::Present {
                    expires_at: token.expires_at,
                },
            },
        }
    }

    /// When the refresh token expires, when stored and known.
    pub fn refresh_expires_at(&self) -> Option<i64> {
        match self.refresh_token {
            RefreshToken::Present { expires_at } => expires_at,
            RefreshToken::Absent => None,
        }
    }

    fn refresh_usable(&self, now: i64) -> bool {
        match self.refresh_token {
            RefreshToken::Absent => false,
            RefreshToken::Present { expires_at } => expires_at.is_none_or(|at| at > now),
        }
    }

    fn holds_nothing(&self) -> bool {
        self.sts_expires_at.is_none()
            && self.access_expires_at.is_none()
            && self.refresh_token == RefreshToken::Absent
    }

    /// How new STS credentials can be had without a browser, and until when; or why they cannot.
    pub fn renewal(&self, now: i64, margins: Margins) -> Result<(Step, Option<i64>), SignInReason> {
        let access_left = self.access_expires_at.map(|at| at.saturating_sub(now));
        if self.refresh_usable(now) {
            let step = match access_left {
                Some(left) if left > margins.access_token => Step::Exchange,
                _ => Step::Refresh,
            };
            return Ok((step, self.refresh_expires_at()));
        }
        if let Some(at) = self.access_expires_at.filter(|&at| at > now) {
            return Ok((Step::Exchange, Some(at)));
        }
        Err(match (self.refresh_token, self.access_expires_at) {
            (
                RefreshToken::Present {
                    expires_at: Some(at),
                },
                _,
            ) => SignInReason::RefreshTokenExpired { at },
            (RefreshToken::Absent, Some(at)) => SignInReason::AccessTokenExpired { at },
            _ => SignInReason::NoTokens {
                sts_expired_at: self.sts_expires_at,
            },
        })
    }

    /// The state at `now`.
    pub fn state(&self, now: i64, margins: Margins) -> State {
        if self.holds_nothing() {
            return State::SignedOut;
        }
        let fresh = self
            .sts_expires_at
            .filter(|at| at.saturating_sub(now) >= margins.sts);
        match (fresh, self.renewal(now, margins)) {
            (Some(at), Ok((_, until))) => State::Fresh {
                sts_expires_at: at,
                until: until.map(|until| until.max(at)),
            },
            (Some(at), Err(_)) => State::Fresh {
                sts_expires_at: at,
                until: Some(at),
            },
            (None, Ok((step, until))) => State::Renewable { step, until },
            (None, Err(reason)) => State::SignInNeeded(reason),
        }
    }
}

/// What a renewal does first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Exchange the stored access token for STS credentials.
    Exchange,
    /// Refresh the access token, then exchange the new one.
    Refresh,
    /// Obtain role credentials: `AssumeRole` with the source's credentials, `AssumeRoleWithOIDC`,
    /// or the instance metadata service.
    Role,
}

/// Why only a new browser sign-in can renew a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInReason {
    /// The refresh token has expired, and so has the access token.
    RefreshTokenExpired {
        /// When the refresh token expired.
        at: i64,
    },
    /// The access token has expired and there is no refresh token.
    AccessTokenExpired {
        /// When the access token expired.
        at: i64,
    },
    /// No token is left to renew with (a refresh the server refused removes them), and the STS
    /// credentials are due.
    NoTokens {
        /// When the stored STS credentials expire(d), if there are any.
        sts_expired_at: Option<i64>,
    },
}

impl SignInReason {
    /// The reason as the end of "needs a new sign-in: …".
    pub fn describe(self) -> String {
        match self {
            SignInReason::RefreshTokenExpired { at } => format!(
                "its refresh token expired at {} and its access token has expired",
                to_rfc3339(at)
            ),
            SignInReason::AccessTokenExpired { at } => format!(
                "its access token expired at {} and there is no refresh token",
                to_rfc3339(at)
            ),
            SignInReason::NoTokens {
                sts_expired_at: Some(at),
            } if at > 0 => format!(
                "it holds no token to renew its STS credentials, which expire at {}",
                to_rfc3339(at)
            ),
            SignInReason::NoTokens { .. } => {
                "it holds no token to renew its STS credentials".to_owned()
            }
        }
    }
}

/// What a profile's credentials are good for at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Stored STS credentials with at least the margin left; usable as they are.
    Fresh {
        /// When they expire.
        sts_expires_at: i64,
        /// The last moment the session yields credentials without a browser; `None` when it
        /// rests on a refresh token of unknown expiry (the server decides).
        until: Option<i64>,
    },
    /// The STS credentials are due, and the tokens can renew them without a browser.
    Renewable {
        /// What the renewal does first.
        step: Step,
        /// As for [`State::Fresh`].
        until: Option<i64>,
    },
    /// Only a new browser sign-in helps.
    SignInNeeded(SignInReason),
    /// An OAuth profile that holds no session at all.
    SignedOut,
    /// Keys stored in the profile (`AK`, `StsToken`): nothing to renew. `expires_at` for
    /// temporary keys.
    StaticKeys {
        /// When they stop working, when they do.
        expires_at: Option<i64>,
    },
    /// Credentials that come from elsewhere (an External command, a role, another mode): the
    /// profile alone does not say how long they last.
    Elsewhere,
}

impl State {
    /// The state of an OAuth session.
    pub fn of_session(session: &OAuthSession, now: i64, margins: Margins) -> Self {
        SessionTimes::of(session).state(now, margins)
    }

    /// True when a new browser sign-in is the only way on.
    pub fn needs_sign_in(self) -> bool {
        matches!(self, State::SignInNeeded(_) | State::SignedOut)
    }

    /// The sign-in reason, as the end of "needs a new sign-in: …".
    pub fn sign_in_reason(self) -> Option<String> {
        match self {
            State::SignInNeeded(reason) => Some(reason.describe()),
            State::SignedOut => Some("it is not signed in".to_owned()),
            _ => None,
        }
    }
}

/// True when credentials that expire at `expires_at` keep at least `margin` seconds at `now`.
/// The one freshness rule, for stored and served credentials alike.
pub fn keeps(expires_at: i64, now: i64, margin: i64) -> bool {
    expires_at > now && expires_at.saturating_sub(now) >= margin
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
