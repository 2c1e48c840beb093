//! `alicli sts GetCallerIdentity`: a signed call with credentials renewed first when needed.

use anyhow::{Result, anyhow};

use super::output;
use super::resolve::{Target, outage_hint};
use super::settings::Settings;
use crate::cli::{CallArgs, SignatureArg};
use crate::clock;
use crate::cloud::endpoints::StsEndpointChoice;
use crate::cloud::sts::{ServiceError, SignatureVersion, get_caller_identity_retried};
use crate::error::with_hint;
use crate::http::Http;
use crate::profile::Mode;

/// Prints the caller identity as the API returned it.
pub async fn get_caller_identity(args: CallArgs, settings: &Settings, http: &Http) -> Result<()> {
    let target = Target::locate(settings, &args.profile)?;
    // Its endpoint and sign-in command; the credentials come below (a keychain is read once).
    let profile = target.settings()?;
    let endpoint = StsEndpointChoice {
        flag: args.endpoint.as_deref(),
        profile: profile.sts_endpoint.as_deref(),
        env: settings.sts_endpoint.as_deref(),
        flag_region: args.region.as_deref(),
        profile_region: profile.sts_region.as_deref(),
    }
    .resolve()?;
    let credentials = target.credentials(settings, http, 0).await?.credentials;
    let signature = match args.signature_version {
        SignatureArg::V3 => SignatureVersion::V3,
        SignatureArg::V1 => SignatureVersion::V1,
    };
    let identity =
        get_caller_identity_retried(http, &endpoint, &credentials, signature, clock::now_unix)
            .await
            .map_err(|e| {
                let expired = ServiceError::refused_credentials(&e);
                if expired && profile.mode == Mode::OAuth {
                    with_hint(
                        e,
                        format!(
                            "the credentials were refused; sign in again with `{}`",
                            target.relogin(&profile)
                        ),
                    )
                } else {
                    outage_hint(e)
                }
            })?;
    if !identity.is_object() {
        return Err(anyhow!(
            "GetCallerIdentity answered something other than a JSON object"
        ));
    }
    output::print_json(&identity)
}
