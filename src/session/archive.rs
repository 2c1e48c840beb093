//! The session archive of `alicli session export` / `import`: one file that carries a signed-in
//! OAuth profile to another machine.
//!
//! Format, version 1: an ASCII-armored age file (<https://age-encryption.org/v1>) encrypted to a
//! passphrase with age's scrypt recipient, whose plaintext is one JSON object:
//!
//! ```json
//! {"format": "alicli-session", "version": 1, "exported_at": 1795338000,
//!  "expires_at": 1797930000,
//!  "profile": {"name": "work", "oauth_site_type": "CN", "region_id": "cn-hangzhou", …}}
//! ```
//!
//! Everything, the version and expiry included, is inside the encryption, so nothing can be read
//! or changed without the passphrase; age authenticates the whole file, so a flipped or missing
//! byte fails to decrypt. The file names no paths: the importing side chooses where it goes. The
//! profile name travels as data (another tool may have chosen it); import applies the name rule.
//! [`encode`] and [`decode`] are pure (no files, no clock) so they can be fuzzed.

use std::io::{Read, Write};
use std::iter;

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::profile::check_region;
use crate::profile::name::{NameError, check_carried_name};
use crate::secret::Secret;
use crate::session::record::{FlatSession, OAuthSession};
use crate::session::state::{Margins, State};
use crate::site::Site;

/// The `format` value inside every archive.
pub const FORMAT: &str = "alicli-session";
/// The archive format version this alicli writes and reads.
pub const VERSION: u64 = 1;
/// scrypt work factor (N = 2^16: 64 MiB and about a quarter second). A fixed factor, unlike
/// age's default of "about one second on this machine", keeps export time predictable and keeps
/// an archive from a fast machine importable on a slow one. The archive holds tokens that expire
/// within days, so this cost on a guess is plenty; the passphrase's strength matters more.
pub const SCRYPT_LOG_N: u8 = 16;
/// The highest work factor [`decode`] accepts (2^18: 256 MiB, about a second): room for a later
/// version to raise the factor, while a crafted file cannot make import take minutes and gigabytes.
pub const MAX_SCRYPT_LOG_N: u8 = 18;
/// A session archive is a few kilobytes; anything larger is not one.
pub const MAX_ARCHIVE_LEN: usize = 64 * 1024;

const ARMOR_BEGIN: &str = "-----BEGIN AGE ENCRYPTED FILE-----";
const BINARY_BEGIN: &[u8] = b"age-encryption.org/";

/// A decoded archive.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionArchive {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u64,
    /// When it was exported, unix seconds.
    pub exported_at: i64,
    /// When its contents stop yielding credentials; `None` when it holds a refresh token whose
    /// expiry the server did not say.
    pub expires_at: Option<i64>,
    /// The session.
    pub profile: ArchivedProfile,
}

/// The profile fields an archive carries: the session and what is needed to use it, nothing else
/// (no endpoint overrides, no other profiles).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchivedProfile {
    /// The profile name on the exporting machine (the default name on import).
    pub name: String,
    /// `CN` or `INTL`.
    pub oauth_site_type: String,
    /// The default region.
    pub region_id: String,
    /// `en` or `zh`.
    pub language: String,
    /// The Alibaba Cloud account signed in, when known.
    pub account_id: Option<String>,
    /// The OAuth access token.
    pub oauth_access_token: Secret,
    /// Its expiry, unix seconds.
    pub oauth_access_token_expire: i64,
    /// The OAuth refresh token.
    pub oauth_refresh_token: Secret,
    /// Its expiry, when known.
    pub oauth_refresh_token_expire: Option<i64>,
    /// The STS AccessKeyId.
    pub access_key_id: String,
    /// The STS AccessKeySecret.
    pub access_key_secret: Secret,
    /// The STS security token.
    pub sts_token: Secret,
    /// The STS expiry, unix seconds.
    pub sts_expiration: i64,
}

/// The profile settings packed beside a session.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    /// The profile name.
    pub name: &'a str,
    /// Its site.
    pub site: Site,
    /// Its default region.
    pub region_id: &'a str,
    /// Its language.
    pub language: &'a str,
}

/// Why an archive or a name was refused.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// Larger than any archive.
    #[error(
        "the file is {0} bytes; a session archive is a few kilobytes (at most {MAX_ARCHIVE_LEN})"
    )]
    TooLarge(usize),
    /// Not an age file at all.
    #[error("the file is not a session archive made by `alicli session export`")]
    NotAnArchive,
    /// The passphrase did not open it (or the part holding the key was altered).
    #[error("wrong passphrase, or the archive was altered")]
    WrongPassphrase,
    /// It opened, but the rest was cut short or altered.
    #[error("the archive is damaged: it was truncated or altered after export")]
    Damaged,
    /// A work factor above [`MAX_SCRYPT_LOG_N`].
    #[error(
        "the archive asks for an scrypt work factor of 2^{0}, above the 2^{MAX_SCRYPT_LOG_N} alicli accepts"
    )]
    ExcessiveWork(u8),
    /// A format version this alicli does not read.
    #[error("the archive has format version {0}, but this alicli reads version {VERSION}")]
    UnsupportedVersion(u64),
    /// A profile name that cannot even be shown (whether it can become a profile here is
    /// import's decision, by the one name rule).
    #[error(transparent)]
    InvalidName(#[from] NameError),
    /// Decrypted, but not a valid session.
    #[error("the archive's contents are invalid: {0}")]
    Invalid(String),
    /// An empty passphrase protects nothing.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
}

impl SessionArchive {
    /// Packs a session with the profile settings that go with it.
    pub fn pack(about: About<'_>, session: &OAuthSession, now: i64) -> Self {
        let no_margin = Margins {
            sts: 0,
            access_token: 0,
        };
        let expires_at = match State::of_session(session, now, no_margin) {
            State::Fresh { until, .. } | State::Renewable { until, .. } => until,
            _ => Some(now),
        };
        // The flat form config.json and the keychain use, except that an archive says "unknown"
        // for a refresh token's expiry rather than 0.
        let flat = FlatSession::of(session);
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            exported_at: now,
            expires_at,
            profile: ArchivedProfile {
                name: about.name.to_owned(),
                oauth_site_type: about.site.as_str().to_owned(),
                region_id: about.region_id.to_owned(),
                language: about.language.to_owned(),
                account_id: session.account_id.clone(),
                oauth_access_token: flat.oauth_access_token,
                oauth_access_token_expire: flat.oauth_access_token_expire,
                oauth_refresh_token: flat.oauth_refresh_token,
                oauth_refresh_token_expire: session
                    .refresh_token
                    .as_ref()
                    .and_then(|t| t.expires_at),
                access_key_id: flat.access_key_id,
                access_key_secret: flat.access_key_secret,
                sts_token: flat.sts_token,
                sts_expiration: flat.sts_expiration,
            },
        }
    }

    /// The session the archive carries.
    pub fn session(&self) -> OAuthSession {
        let p = &self.profile;
        FlatSession {
            oauth_access_token: p.oauth_access_token.clone(),
            oauth_access_token_expire: p.oauth_access_token_expire,
            oauth_refresh_token: p.oauth_refresh_token.clone(),
            oauth_refresh_token_expire: p.oauth_refresh_token_expire.unwrap_or(0),
            access_key_id: p.access_key_id.clone(),
            access_key_secret: p.access_key_secret.clone(),
            sts_token: p.sts_token.clone(),
            sts_expiration: p.sts_expiration,
        }
        .session(p.account_id.clone())
    }

    fn validate(&self) -> Result<(), ArchiveError> {
        if self.format != FORMAT {
            return Err(ArchiveError::NotAnArchive);
        }
        if self.version != VERSION {
            return Err(ArchiveError::UnsupportedVersion(self.version));
        }
        let p = &self.profile;
        check_carried_name(&p.name)?;
        let invalid = |what: &str| Err(ArchiveError::Invalid(what.to_owned()));
        if Site::parse(&p.oauth_site_type).is_err() {
            return invalid("`oauth_site_type` is neither CN nor INTL");
        }
        // An archive may carry no region; one it carries follows the one region rule.
        let region_ok = p.region_id.is_empty() || check_region(&p.region_id).is_ok();
        if p.region_id.len() > 64 || !region_ok {
            return invalid("`region_id` is not a region id");
        }
        if !matches!(p.language.as_str(), "" | "en" | "zh") {
            return invalid("`language` is neither en nor zh");
        }
        if p.account_id.as_deref().is_some_and(|id| {
            id.is_empty() || id.len() > 32 || !id.bytes().all(|b| b.is_ascii_digit())
        }) {
            return invalid("`account_id` is not an account id");
        }
        let sts = [
            !p.access_key_id.is_empty(),
            !p.access_key_secret.is_empty(),
            !p.sts_token.is_empty(),
        ];
        if sts.iter().any(|&set| set) && !sts.iter().all(|&set| set) {
            return invalid("the STS credentials are incomplete");
        }
        if !sts[0] && p.oauth_access_token.is_empty() && p.oauth_refresh_token.is_empty() {
            return invalid("it holds no credentials");
        }
        let printable = |s: &str| !s.chars().any(char::is_control);
        let texts = [
            p.oauth_access_token.expose(),
            p.oauth_refresh_token.expose(),
            p.access_key_id.as_str(),
            p.access_key_secret.expose(),
            p.sts_token.expose(),
        ];
        if !texts.iter().all(|t| printable(t)) {
            return invalid("a credential contains control characters");
        }
        Ok(())
    }
}

/// Encrypts an archive with the standard work factor.
pub fn encode(archive: &SessionArchive, passphrase: &Secret) -> Result<Vec<u8>, ArchiveError> {
    encode_with_work_factor(archive, passphrase, SCRYPT_LOG_N)
}

/// Encrypts an archive with scrypt work factor 2^`log_n` (1 to 63; tests and fuzz seeds use
/// small ones).
pub fn encode_with_work_factor(
    archive: &SessionArchive,
    passphrase: &Secret,
    log_n: u8,
) -> Result<Vec<u8>, ArchiveError> {
    if passphrase.is_empty() {
        return Err(ArchiveError::EmptyPassphrase);
    }
    archive.validate()?;
    let mut plaintext = serde_json::to_vec(archive).expect("archives serialize");
    let mut recipient = age::scrypt::Recipient::new(secret_string(passphrase));
    recipient.set_work_factor(log_n.clamp(1, 63));
    let encrypted = (|| -> std::io::Result<Vec<u8>> {
        let encryptor = age::Encryptor::with_recipients(iter::once(&recipient as _))
            .map_err(std::io::Error::other)?;
        let mut out = Vec::new();
        let armor =
            age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)?;
        let mut writer = encryptor.wrap_output(armor)?;
        writer.write_all(&plaintext)?;
        writer.finish()?.finish()?;
        Ok(out)
    })();
    plaintext.zeroize();
    Ok(encrypted.expect("encrypting to memory cannot fail"))
}

/// Decrypts and checks an archive with the standard work-factor limit.
pub fn decode(bytes: &[u8], passphrase: &Secret) -> Result<SessionArchive, ArchiveError> {
    decode_with_max_work_factor(bytes, passphrase, MAX_SCRYPT_LOG_N)
}

/// Decrypts and checks an archive, refusing scrypt work factors above 2^`max_log_n`.
pub fn decode_with_max_work_factor(
    bytes: &[u8],
    passphrase: &Secret,
    max_log_n: u8,
) -> Result<SessionArchive, ArchiveError> {
    if bytes.len() > MAX_ARCHIVE_LEN {
        return Err(ArchiveError::TooLarge(bytes.len()));
    }
    let start = trim_start(bytes);
    if !start.starts_with(ARMOR_BEGIN.as_bytes()) && !start.starts_with(BINARY_BEGIN) {
        return Err(ArchiveError::NotAnArchive);
    }
    if passphrase.is_empty() {
        return Err(ArchiveError::WrongPassphrase);
    }
    let mut identity = age::scrypt::Identity::new(secret_string(passphrase));
    identity.set_max_work_factor(max_log_n);
    let decryptor =
        age::Decryptor::new_buffered(age::armor::ArmoredReader::new(start)).map_err(from_age)?;
    if !decryptor.is_scrypt() {
        return Err(ArchiveError::WrongPassphrase);
    }
    let mut reader = decryptor
        .decrypt(iter::once(&identity as &dyn age::Identity))
        .map_err(from_age)?;
    let mut plaintext = Vec::new();
    let read = reader
        .by_ref()
        .take(MAX_ARCHIVE_LEN as u64 + 1)
        .read_to_end(&mut plaintext);
    let result = match read {
        Err(_) => Err(ArchiveError::Damaged),
        Ok(_) if plaintext.len() > MAX_ARCHIVE_LEN => Err(ArchiveError::TooLarge(plaintext.len())),
        Ok(_) => parse_contents(&plaintext),
    };
    plaintext.zeroize();
    result
}

/// Reads and checks the decrypted contents of an archive. It is the part of [`decode`] below the
/// key derivation, so the fuzz target `session_contents` can reach it without paying for scrypt.
pub fn parse_contents(plaintext: &[u8]) -> Result<SessionArchive, ArchiveError> {
    serde_json::from_slice::<SessionArchive>(plaintext)
        .map_err(|e| ArchiveError::Invalid(format!("not the expected JSON ({e})")))
        .and_then(|archive| archive.validate().map(|()| archive))
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

fn secret_string(passphrase: &Secret) -> SecretString {
    SecretString::from(passphrase.expose().to_owned())
}

fn from_age(error: age::DecryptError) -> ArchiveError {
    use age::DecryptError as E;
    match error {
        E::DecryptionFailed | E::KeyDecryptionFailed | E::NoMatchingKeys => {
            ArchiveError::WrongPassphrase
        }
        E::ExcessiveWork { required, .. } => ArchiveError::ExcessiveWork(required),
        E::UnknownFormat => ArchiveError::NotAnArchive,
        E::InvalidHeader | E::InvalidMac | E::Io(_) => ArchiveError::Damaged,
        #[allow(unreachable_patterns)]
        _ => ArchiveError::Damaged,
    }
}

#[cfg(test)]
mod tests;
