//! PKCE (RFC 7636) and `state`, drawn from the `oauth2` crate's CSPRNG-backed generators.

use oauth2::{CsrfToken, PkceCodeChallenge};

use crate::secret::Secret;

/// The secrets of one authorization attempt.
pub struct AuthorizationRequest {
    /// The PKCE verifier, sent only with the token request.
    pub verifier: Secret,
    /// `BASE64URL-NOPAD(SHA256(verifier))`, sent in the authorize URL.
    pub challenge: String,
    /// The anti-CSRF `state`, checked on every callback before the code goes anywhere.
    pub state: Secret,
}

impl AuthorizationRequest {
    /// A fresh verifier (96 random bytes: 128 characters, the length the official CLI uses) and state.
    pub fn new_random() -> Self {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(96);
        Self {
            verifier: Secret::new(verifier.secret().as_str()),
            challenge: challenge.as_str().to_owned(),
            state: Secret::new(CsrfToken::new_random().secret().as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use sha2::{Digest, Sha256};

    #[test]
    fn challenge_is_the_s256_of_the_verifier() {
        let request = AuthorizationRequest::new_random();
        let verifier = request.verifier.expose();
        assert_eq!(verifier.len(), 128);
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        assert_eq!(request.challenge, expected);
        assert_ne!(
            request.state.expose(),
            AuthorizationRequest::new_random().state.expose()
        );
    }
}
