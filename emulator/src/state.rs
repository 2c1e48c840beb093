//! The emulator's memory: codes, grants, tokens, STS credentials, settings and request counters.

use std::collections::{HashMap, HashSet};

use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};

/// Settings a test or a newcomer can change at start-up or through `POST /__emulator/config`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Access token lifetime, seconds.
    pub access_token_lifetime: i64,
    /// Refresh token lifetime, seconds.
    pub refresh_token_lifetime: i64,
    /// STS credential lifetime, seconds.
    pub sts_lifetime: i64,
    /// Every sign-in is denied (`error=access_denied`).
    pub deny: bool,
    /// Each refresh returns a new refresh token and retires the old one.
    pub rotate_refresh_tokens: bool,
    /// A retired refresh token presented again revokes the whole grant (theft detection, as real
    /// servers do); when false it is only refused with `invalid_grant`.
    pub revoke_on_reuse: bool,
    /// Refresh responses carry no `refresh_token` (the client must keep the old one).
    pub omit_refresh_token: bool,
    /// No token response carries a `refresh_token`, not even a sign-in's: the session lasts as
    /// long as its access token.
    pub no_refresh_token: bool,
    /// Only redirect URIs on ports 12345-12349 are accepted, as the real service may require.
    pub strict_redirect_ports: bool,
    /// The account of the signed-in user.
    pub account_id: String,
    /// The RAM user name of the signed-in user.
    pub user_name: String,
    /// Milliseconds to wait before answering a token or exchange request.
    pub delay_ms: u64,
    /// The emulator's clock runs this many seconds ahead of the machine's (negative: behind). It
    /// shows in every `Date` header, the STS timestamp check and the expiries it hands out.
    pub clock_offset_secs: i64,
    /// The longest `DurationSeconds` an `AssumeRole` may ask for (a role's MaxSessionDuration).
    pub role_max_session_duration: i64,
    /// Role ARNs that `AssumeRole` refuses with `NoPermission` (compared case-insensitively).
    pub denied_roles: Vec<String>,
    /// When set, `AssumeRole` must carry this `ExternalId` (the role's trust policy condition).
    pub required_external_id: Option<String>,
    /// The RAM role the metadata service hands out (`EcsRamRole`).
    pub ecs_role_name: String,
    /// The metadata service answers only with a session token (IMDSv2, "hardened mode").
    pub imds_token_required: bool,
    /// The federation endpoint refuses the STS credentials of a signed-in user (not of a role).
    pub console_refuses_user_sts: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            access_token_lifetime: 3600,
            refresh_token_lifetime: 30 * 86_400,
            sts_lifetime: 3600,
            deny: false,
            rotate_refresh_tokens: true,
            revoke_on_reuse: true,
            omit_refresh_token: false,
            no_refresh_token: false,
            strict_redirect_ports: false,
            account_id: "1234567890123456".into(),
            user_name: "alice".into(),
            delay_ms: 0,
            clock_offset_secs: 0,
            role_max_session_duration: 3600,
            denied_roles: Vec::new(),
            required_external_id: None,
            ecs_role_name: "EcsRamRoleDemo".into(),
            imds_token_required: true,
            console_refuses_user_sts: false,
        }
    }
}

/// Request counters, served at `GET /__emulator/stats`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counters {
    /// Authorize page visits.
    pub authorize: u64,
    /// Token and exchange requests received, counted on arrival (before `delay_ms`), so a test
    /// can tell that a request is in flight.
    pub oauth_arrived: u64,
    /// Codes redeemed (successfully or not).
    pub token_code: u64,
    /// Refresh requests (successfully or not).
    pub token_refresh: u64,
    /// Exchange requests (successfully or not).
    pub exchange: u64,
    /// STS API calls with a valid signature.
    pub sts_ok: u64,
    /// STS API calls refused.
    pub sts_refused: u64,
    /// Calls signed with v1.
    pub sts_v1: u64,
    /// Calls signed with ACS3.
    pub sts_v3: u64,
    /// Requests to `/` with no signature and no `Action` at all: reachability probes (`alicli
    /// doctor`, the sign-in's background check), answered like the real API, counted apart.
    pub unsigned: u64,
    /// Revocation requests (RFC 7009, `POST /v1/revoke`).
    pub revoke: u64,
    /// Grants ended by a revocation request.
    pub revoked_grants: u64,
    /// `AssumeRole` calls answered with credentials.
    pub assume_role: u64,
    /// `AssumeRoleWithOIDC` calls answered with credentials.
    pub assume_role_with_oidc: u64,
    /// Metadata session tokens issued (`PUT /latest/api/token`).
    pub metadata_token: u64,
    /// Credentials handed out by the metadata service.
    pub metadata_credentials: u64,
    /// Sign-in tokens issued by the federation endpoint (`GetSigninToken`).
    pub signin_token: u64,
    /// Console logins through the federation endpoint (`Login`).
    pub console_login: u64,
    /// Requests answered by an injected fault (`POST /__emulator/fail`).
    pub injected: u64,
}

/// A code waiting to be redeemed.
pub struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub expires_at: i64,
}

/// One sign-in and the tokens descended from it.
pub struct Grant {
    pub account_id: String,
    pub user_name: String,
    pub current_refresh: String,
    pub refresh_expires_at: i64,
    pub revoked: bool,
}

/// Who a set of credentials belongs to.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A RAM user: the long-term AccessKey, or the STS credentials of an OAuth sign-in.
    User {
        account_id: String,
        user_name: String,
    },
    /// A role session, from `AssumeRole`, `AssumeRoleWithOIDC` or the metadata service.
    Role {
        account_id: String,
        role_name: String,
        session_name: String,
    },
}

impl Principal {
    /// The account the principal lives in.
    pub fn account_id(&self) -> &str {
        match self {
            Principal::User { account_id, .. } | Principal::Role { account_id, .. } => account_id,
        }
    }
}

/// Issued STS credentials.
pub struct StsCredentials {
    pub secret: String,
    pub token: String,
    pub expires_at: i64,
    pub principal: Principal,
}

/// STS credentials as handed out: id, secret, token, expiry (unix seconds).
pub struct Issued {
    pub id: String,
    pub secret: String,
    pub token: String,
    pub expires_at: i64,
}

/// A console sign-in token from `GetSigninToken`: single use, short-lived.
pub struct SigninToken {
    pub expires_at: i64,
    pub used: bool,
}

/// Everything, behind one mutex.
#[derive(Default)]
pub struct State {
    pub settings: Settings,
    pub counters: Counters,
    pub codes: HashMap<String, PendingCode>,
    pub grants: Vec<Grant>,
    /// Refresh token to grant index, current and retired ones alike (reuse detection).
    pub refresh_tokens: HashMap<String, usize>,
    /// Access token to (grant index, expiry).
    pub access_tokens: HashMap<String, (usize, i64)>,
    pub sts: HashMap<String, StsCredentials>,
    /// Statuses to answer instead of the handler (`POST /__emulator/fail`).
    pub faults: Vec<crate::faults::Fault>,
    pub nonces: HashSet<String>,
    /// A long-term AccessKey for `AK` profiles: (id, secret).
    pub static_key: (String, String),
    /// Every secret issued or received (codes, tokens, verifiers, STS secrets), so tests can check
    /// that none leaks into alicli's output.
    pub secrets_seen: Vec<String>,
    /// OIDC tokens this emulator issued (`POST /__emulator/oidc-token`); `AssumeRoleWithOIDC`
    /// accepts these only.
    pub oidc_tokens: HashSet<String>,
    /// Metadata session tokens and their expiry.
    pub metadata_tokens: HashMap<String, i64>,
    /// Console sign-in tokens.
    pub signin_tokens: HashMap<String, SigninToken>,
}

/// Random text of `len` characters from `[A-Za-z0-9]`.
pub fn random_text(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

impl State {
    /// A fresh state with a random static AccessKey.
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            static_key: (format!("LTAI{}", random_text(20)), random_text(30)),
            ..Self::default()
        }
    }

    /// The emulator's own clock, unix seconds (the machine's plus `clock_offset_secs`).
    pub fn now(&self) -> i64 {
        alicli::clock::now_unix() + self.settings.clock_offset_secs
    }

    /// Issues an access token for a grant.
    pub fn issue_access_token(&mut self, grant: usize, now: i64) -> String {
        let token = format!("at-{}", random_text(40));
        self.secrets_seen.push(token.clone());
        let expires = now + self.settings.access_token_lifetime;
        self.access_tokens.insert(token.clone(), (grant, expires));
        token
    }

    /// Issues STS credentials for `principal`, valid `lifetime` seconds from `now`.
    pub fn issue_sts(&mut self, principal: Principal, now: i64, lifetime: i64) -> Issued {
        let id = format!("STS.{}", random_text(24));
        let secret = random_text(40);
        // Real security tokens are long base64 text, with `+`, `/` and `=` that signing must escape.
        let token = format!("CAIS+{}/{}==", random_text(120), random_text(20));
        let expires_at = now + lifetime;
        self.secrets_seen.extend([secret.clone(), token.clone()]);
        self.sts.insert(
            id.clone(),
            StsCredentials {
                secret: secret.clone(),
                token: token.clone(),
                expires_at,
                principal,
            },
        );
        Issued {
            id,
            secret,
            token,
            expires_at,
        }
    }

    /// Issues a new refresh token for a grant and makes it the only valid one.
    pub fn issue_refresh_token(&mut self, grant: usize) -> String {
        let token = format!("rt-{}", random_text(40));
        self.secrets_seen.push(token.clone());
        self.refresh_tokens.insert(token.clone(), grant);
        self.grants[grant].current_refresh = token.clone();
        token
    }
}
