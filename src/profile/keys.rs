//! The names of the profile keys alicli reads or writes (docs/protocol.md §4). Every write names
//! its keys through these constants, so a typo cannot create a key nobody reads.

/// The profile name.
pub const NAME: &str = "name";
/// The credential mode (see [`super::Mode`]).
pub const MODE: &str = "mode";
/// `CN` or `INTL`.
pub const OAUTH_SITE_TYPE: &str = "oauth_site_type";
/// The default region.
pub const REGION_ID: &str = "region_id";
/// `en` or `zh`.
pub const LANGUAGE: &str = "language";
/// `json` for profiles alicli creates.
pub const OUTPUT_FORMAT: &str = "output_format";
/// An STS endpoint override.
pub const STS_ENDPOINT: &str = "sts_endpoint";
/// The profile a chained role profile takes its credentials from.
pub const SOURCE_PROFILE: &str = "source_profile";
/// The command an `External` profile runs for its credentials (docs/protocol.md §7).
pub const PROCESS_COMMAND: &str = "process_command";
/// The role a role profile assumes.
pub const RAM_ROLE_ARN: &str = "ram_role_arn";
/// The role session's name (role and OIDC profiles).
pub const RAM_SESSION_NAME: &str = "ram_session_name";
/// The ExternalId a role's trust policy asks for.
pub const EXTERNAL_ID: &str = "external_id";
/// The role session's length, seconds.
pub const EXPIRED_SECONDS: &str = "expired_seconds";
/// The region of the STS endpoint for role sessions.
pub const STS_REGION: &str = "sts_region";
/// The ECS instance's RAM role (`EcsRamRole`).
pub const RAM_ROLE_NAME: &str = "ram_role_name";
/// The OIDC identity provider (`OIDC`).
pub const OIDC_PROVIDER_ARN: &str = "oidc_provider_arn";
/// The file holding the OIDC token (`OIDC`).
pub const OIDC_TOKEN_FILE: &str = "oidc_token_file";

/// The OAuth access token.
pub const OAUTH_ACCESS_TOKEN: &str = "oauth_access_token";
/// Its expiry, unix seconds.
pub const OAUTH_ACCESS_TOKEN_EXPIRE: &str = "oauth_access_token_expire";
/// The OAuth refresh token.
pub const OAUTH_REFRESH_TOKEN: &str = "oauth_refresh_token";
/// Its expiry, unix seconds (declared by the official CLI, never written by it).
pub const OAUTH_REFRESH_TOKEN_EXPIRE: &str = "oauth_refresh_token_expire";
/// The AccessKeyId (STS for OAuth profiles).
pub const ACCESS_KEY_ID: &str = "access_key_id";
/// The AccessKeySecret.
pub const ACCESS_KEY_SECRET: &str = "access_key_secret";
/// The STS security token.
pub const STS_TOKEN: &str = "sts_token";
/// When the STS credentials expire, unix seconds.
pub const STS_EXPIRATION: &str = "sts_expiration";

/// The keys of an OAuth session (its account aside) as a profile holds it in the file.
pub const SESSION_KEYS: [&str; 8] = [
    OAUTH_ACCESS_TOKEN,
    OAUTH_ACCESS_TOKEN_EXPIRE,
    OAUTH_REFRESH_TOKEN,
    OAUTH_REFRESH_TOKEN_EXPIRE,
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    STS_TOKEN,
    STS_EXPIRATION,
];
/// The account signed in, recorded by alicli so that a sign-in to another account is noticed.
/// Other tools ignore the key; the Go and Java SDKs drop it when they rewrite a profile.
pub const ALICLI_ACCOUNT_ID: &str = "alicli_account_id";
/// alicli's marker on a profile whose OAuth session is kept in the OS keychain (`"keychain"`);
/// see [`super::Storage`]. Other tools ignore it; the Go and Java SDKs drop it when they rewrite.
pub const ALICLI_STORAGE: &str = "alicli_storage";
