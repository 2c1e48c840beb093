//! Which environment variables carry a profile's credentials to which tools (docs/protocol.md §7,
//! §9). Tools read different families of names; alicli sets every family asked for, and clears a
//! variable of those families that this profile has no value for, so that a token or a region
//! left by an earlier export never pairs with another profile's keys.

use crate::cloud::credentials::Credentials;
use crate::timefmt::to_rfc3339;

/// `ALIBABA_CLOUD_ACCESS_KEY_ID`
pub const ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
pub const ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// `ALIBABA_CLOUD_SECURITY_TOKEN`
pub const SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// `ALIBABA_CLOUD_REGION_ID`
pub const REGION_ID: &str = "ALIBABA_CLOUD_REGION_ID";
/// `ALIBABA_CLOUD_CREDENTIALS_EXPIRATION` (RFC 3339): when the exported keys stop working.
pub const EXPIRATION: &str = "ALIBABA_CLOUD_CREDENTIALS_EXPIRATION";
/// `ALIBABA_CLOUD_CREDENTIALS_URI`: where the SDKs fetch renewing credentials.
pub const CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
/// `ALIBABA_CLOUD_PROFILE`: the profile the credentials came from. The official CLI, the SDKs and
/// alicli select their profile with it, so tools started from this environment agree on it.
pub const PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// `ALIBABACLOUD_PROFILE` outranks [`PROFILE`] in the official CLI and in alicli: it is cleared.
pub const OUTRANKING_PROFILE: &str = "ALIBABACLOUD_PROFILE";
/// `ALIBABA_CLOUD_IGNORE_PROFILE=TRUE`: the official CLI then signs with the environment's keys
/// instead of config.json's profile, which it reads first otherwise.
pub const IGNORE_PROFILE: &str = "ALIBABA_CLOUD_IGNORE_PROFILE";

/// One variable to set (`Some`) or to clear (`None`).
pub type Var = (&'static str, Option<String>);

/// A family of variable names, read by one group of tools.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `ALIBABA_CLOUD_*`: the official CLI and SDKs.
    Alibaba,
    /// `ALICLOUD_*`: Terraform's alicloud provider, Ansible, Pulumi.
    Alicloud,
    /// `OSS_*`: oss2, the OSS SDK v2, ossutil 2.
    Oss,
}

/// Which value of the credentials a variable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    KeyId,
    Secret,
    Token,
    Region,
    Expiration,
}

/// Every credential variable of every family, in the order they are written.
const VARIABLES: [(Family, Field, &str); 12] = [
    (Family::Alibaba, Field::KeyId, ACCESS_KEY_ID),
    (Family::Alibaba, Field::Secret, ACCESS_KEY_SECRET),
    (Family::Alibaba, Field::Token, SECURITY_TOKEN),
    (Family::Alibaba, Field::Region, REGION_ID),
    (Family::Alibaba, Field::Expiration, EXPIRATION),
    (Family::Alicloud, Field::KeyId, "ALICLOUD_ACCESS_KEY"),
    (Family::Alicloud, Field::Secret, "ALICLOUD_SECRET_KEY"),
    (Family::Alicloud, Field::Token, "ALICLOUD_SECURITY_TOKEN"),
    (Family::Alicloud, Field::Region, "ALICLOUD_REGION"),
    (Family::Oss, Field::KeyId, "OSS_ACCESS_KEY_ID"),
    (Family::Oss, Field::Secret, "OSS_ACCESS_KEY_SECRET"),
    (Family::Oss, Field::Token, "OSS_SESSION_TOKEN"),
];

/// The variables that hand `credentials` of profile `profile` to the tools of `families`.
///
/// Always: [`PROFILE`] names the profile (and [`OUTRANKING_PROFILE`] is cleared), so that a tool
/// or an alicli started here picks the same profile. For each family: every credential variable,
/// cleared when the credentials have no such value (no token, no expiry, no region); with the
/// `ALIBABA_CLOUD_*` family also [`IGNORE_PROFILE`]. Families not asked for are left as they are.
pub fn credential_vars(
    credentials: &Credentials,
    region: Option<&str>,
    profile: &str,
    families: &[Family],
) -> Vec<Var> {
    let region = region.filter(|r| !r.is_empty());
    let mut vars: Vec<Var> = VARIABLES
        .iter()
        .filter(|(family, _, _)| families.contains(family))
        .map(|&(_, field, name)| (name, value(credentials, region, field)))
        .collect();
    if families.contains(&Family::Alibaba) {
        vars.push((IGNORE_PROFILE, Some("TRUE".into())));
    }
    vars.push((PROFILE, Some(profile.to_owned())));
    vars.push((OUTRANKING_PROFILE, None));
    vars
}

/// The credential variables of `family` other than its region: the keys, token and expiry that
/// `exec --server` clears so that the SDKs ask its endpoint instead.
pub fn names_of(family: Family) -> impl Iterator<Item = &'static str> {
    VARIABLES
        .iter()
        .filter(move |(f, field, _)| *f == family && *field != Field::Region)
        .map(|&(_, _, name)| name)
}

fn value(credentials: &Credentials, region: Option<&str>, field: Field) -> Option<String> {
    match field {
        Field::KeyId => Some(credentials.access_key_id.clone()),
        Field::Secret => Some(credentials.access_key_secret.expose().to_owned()),
        Field::Token => credentials
            .security_token
            .as_ref()
            .map(|t| t.expose().to_owned()),
        Field::Region => region.map(str::to_owned),
        Field::Expiration => credentials.expiration.map(to_rfc3339),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    const ALL: [Family; 3] = [Family::Alibaba, Family::Alicloud, Family::Oss];

    fn long_term_key() -> Credentials {
        Credentials {
            access_key_id: "LTAIkey".into(),
            access_key_secret: Secret::new("secret"),
            security_token: None,
            expiration: None,
        }
    }

    fn lookup<'a>(vars: &'a [Var], name: &str) -> Option<&'a Option<String>> {
        vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    #[test]
    fn what_the_profile_lacks_is_cleared_in_every_family_asked_for() {
        let vars = credential_vars(&long_term_key(), Some(""), "ci", &ALL);
        for name in [
            SECURITY_TOKEN,
            REGION_ID,
            EXPIRATION,
            "ALICLOUD_SECURITY_TOKEN",
            "ALICLOUD_REGION",
            "OSS_SESSION_TOKEN",
            OUTRANKING_PROFILE,
        ] {
            assert_eq!(lookup(&vars, name), Some(&None), "{name} is cleared");
        }
        assert_eq!(
            lookup(&vars, "OSS_ACCESS_KEY_ID"),
            Some(&Some("LTAIkey".into()))
        );
        assert_eq!(lookup(&vars, PROFILE), Some(&Some("ci".into())));
        assert_eq!(lookup(&vars, IGNORE_PROFILE), Some(&Some("TRUE".into())));
    }

    #[test]
    fn families_left_out_are_not_touched_but_the_profile_is_always_named() {
        let vars = credential_vars(&long_term_key(), Some("cn-beijing"), "ci", &[Family::Oss]);
        let names: Vec<&str> = vars.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "OSS_ACCESS_KEY_ID",
                "OSS_ACCESS_KEY_SECRET",
                "OSS_SESSION_TOKEN",
                PROFILE,
                OUTRANKING_PROFILE
            ]
        );
        assert_eq!(
            names_of(Family::Alibaba).collect::<Vec<_>>(),
            [ACCESS_KEY_ID, ACCESS_KEY_SECRET, SECURITY_TOKEN, EXPIRATION]
        );
    }
}
