//! The credential mode of a profile (`mode` in config.json, docs/protocol.md §4).

use std::fmt;

use serde::{Deserialize, Deserializer};

/// How a profile gets its credentials. Modes alicli does not know are kept as written, so a
/// profile of a newer tool still lists, and its rewrite keeps the key unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// The browser sign-in, renewed with tokens.
    OAuth,
    /// A long-term AccessKey.
    Ak,
    /// Fixed STS credentials.
    StsToken,
    /// A role assumed with an AccessKey.
    RamRoleArn,
    /// A role assumed with another profile's credentials.
    ChainableRamRoleArn,
    /// The ECS instance's RAM role.
    EcsRamRole,
    /// A role assumed with an OIDC token.
    Oidc,
    /// Credentials printed by a command.
    External,
    /// Credentials served at a URL.
    CredentialsUri,
    /// CloudSSO sign-in.
    CloudSso,
    /// No mode: the key is missing or empty.
    #[default]
    Unset,
    /// A mode alicli does not know, as written.
    Other(String),
}

impl Mode {
    /// The mode a `mode` value names; the official tools compare it exactly.
    pub fn parse(text: &str) -> Self {
        match text {
            "OAuth" => Mode::OAuth,
            "AK" => Mode::Ak,
            "StsToken" => Mode::StsToken,
            "RamRoleArn" => Mode::RamRoleArn,
            "ChainableRamRoleArn" => Mode::ChainableRamRoleArn,
            "EcsRamRole" => Mode::EcsRamRole,
            "OIDC" => Mode::Oidc,
            "External" => Mode::External,
            "CredentialsURI" => Mode::CredentialsUri,
            "CloudSSO" => Mode::CloudSso,
            "" => Mode::Unset,
            other => Mode::Other(other.to_owned()),
        }
    }

    /// The value stored in `mode`.
    pub fn as_str(&self) -> &str {
        match self {
            Mode::OAuth => "OAuth",
            Mode::Ak => "AK",
            Mode::StsToken => "StsToken",
            Mode::RamRoleArn => "RamRoleArn",
            Mode::ChainableRamRoleArn => "ChainableRamRoleArn",
            Mode::EcsRamRole => "EcsRamRole",
            Mode::Oidc => "OIDC",
            Mode::External => "External",
            Mode::CredentialsUri => "CredentialsURI",
            Mode::CloudSso => "CloudSSO",
            Mode::Unset => "",
            Mode::Other(text) => text,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Mode::parse(&String::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mode_round_trips_and_unknown_ones_are_kept() {
        for text in [
            "OAuth",
            "AK",
            "StsToken",
            "RamRoleArn",
            "ChainableRamRoleArn",
            "EcsRamRole",
            "OIDC",
            "External",
            "CredentialsURI",
            "CloudSSO",
            "",
            "RsaKeyPair",
            "oauth",
        ] {
            assert_eq!(Mode::parse(text).as_str(), text);
        }
        assert_eq!(Mode::parse("oauth"), Mode::Other("oauth".into()));
    }
}
