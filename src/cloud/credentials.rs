//! STS or AccessKey credentials, ready to sign a request.

use crate::secret::Secret;

/// STS credentials closer to expiry than this are renewed before use (seconds); new ones that
/// arrive with less left are refused (`skew::check_arrival`), or every use would renew again.
pub const STS_RENEW_MARGIN: i64 = 300;

/// Credentials that sign API requests. `expiration` is absent for long-term AccessKeys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKeyId (`STS.…` for STS credentials). Not a secret on its own.
    pub access_key_id: String,
    /// The AccessKeySecret.
    pub access_key_secret: Secret,
    /// The SecurityToken of STS credentials.
    pub security_token: Option<Secret>,
    /// When they stop working, in unix seconds.
    pub expiration: Option<i64>,
}

impl Credentials {
    /// Seconds left at `now`, or `None` for credentials that do not expire.
    pub fn seconds_left(&self, now: i64) -> Option<i64> {
        self.expiration.map(|at| at - now)
    }
}
