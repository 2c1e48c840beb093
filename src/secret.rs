//! Tokens, keys and codes as a type that cannot be printed by accident.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A secret string: an OAuth token, an authorization code, a PKCE verifier, an AccessKeySecret or a
/// security token. `Debug` and `Display` print `****`; the value comes out only through
/// [`Secret::expose`]. Serde stays transparent so the profile file keeps its plain JSON strings.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the one place that must send or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret holds nothing (a profile field that was never filled).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `****` plus the last four characters, for `configure get` and similar listings. Short
    /// secrets show nothing of themselves.
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 12 {
            return "****".to_owned();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("****{tail}")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Overwrite the bytes before the allocation is freed, so a secret does not linger in memory.
        self.0.zeroize();
    }
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("sk-very-secret-value");
        assert_eq!(format!("{secret:?}"), "Secret(****)");
        assert_eq!(format!("{secret}"), "****");
        assert_eq!(secret.expose(), "sk-very-secret-value");
    }

    #[test]
    fn masked_shows_only_the_last_four_of_long_secrets() {
        assert_eq!(Secret::new("abcdefghijklmnop").masked(), "****mnop");
        assert_eq!(Secret::new("short").masked(), "****");
    }

    #[test]
    fn serde_is_transparent() {
        let secret: Secret = serde_json::from_str("\"tok\"").unwrap();
        assert_eq!(serde_json::to_string(&secret).unwrap(), "\"tok\"");
    }

    #[test]
    fn constant_time_eq_compares_fully() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
