//! Credentials of role profiles, one hop at a time (docs/protocol.md §10): `ChainableRamRoleArn`
//! assumes its role with credentials its caller resolved from the source profile, `RamRoleArn`
//! with the profile's own AccessKey, `OIDC` with its token file, and `EcsRamRole` asks the
//! instance metadata service. Role credentials are kept in the profile's own STS fields and reused
//! while they keep the margin. A renewal reads the file again under the store lock first, so that
//! many processes renewing one profile make a single request. Chains are walked by the caller
//! (`profile::chain`), which hands each hop the credentials of its source.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use url::Url;

use crate::cloud::credentials::{Credentials, STS_RENEW_MARGIN};
use crate::cloud::endpoints::StsEndpointChoice;
use crate::cloud::metadata::ecs_role_credentials;
use crate::cloud::roles::{DEFAULT_DURATION, RoleSpec, assume_role, assume_role_with_oidc};
use crate::http::Http;
use crate::offload::blocking;
use crate::profile::lock::SharedLock;
use crate::profile::{ConfigFile, Mode, Profile, Store};
use crate::renew::{LockNotice, RenewalReport, lock_wait, require_profile};
use crate::secret::Secret;
use crate::session::state::keeps;
use crate::skew::check_arrival;

/// An OIDC token is a JWT of a few kilobytes; a file this large is not one.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// What role renewal needs from the outside world.
pub struct RoleNetwork<'a> {
    /// The HTTP clients.
    pub http: &'a Http,
    /// `ALIBABA_CLOUD_STS_ENDPOINT`, which comes after the profile's `sts_endpoint` and before
    /// its `sts_region`, as in the official CLI.
    pub sts_env: Option<&'a str>,
    /// The instance metadata service.
    pub metadata: Url,
    /// Tells the user that a renewal waits for another process's lock.
    pub lock_notice: LockNotice,
}

/// The role a profile assumes, from its fields; the session name defaults to `alicli-<time>`
/// and the duration to an hour, as the SDKs default them.
pub fn role_spec(profile: &Profile, now: i64) -> Result<RoleSpec> {
    let name = &profile.name;
    let role_arn = profile
        .ram_role_arn
        .clone()
        .filter(|arn| !arn.trim().is_empty())
        .ok_or_else(|| {
            anyhow!(
                "profile `{name}` has mode `{}` but no `ram_role_arn`",
                profile.mode
            )
        })?;
    let spec = RoleSpec {
        role_arn,
        session_name: profile
            .ram_session_name
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("alicli-{now}")),
        duration_seconds: if profile.expired_seconds > 0 {
            profile.expired_seconds
        } else {
            DEFAULT_DURATION
        },
        external_id: profile.external_id.clone().filter(|s| !s.is_empty()),
        policy: profile.policy.clone().filter(|s| !s.is_empty()),
    };
    spec.check()
        .with_context(|| format!("profile `{name}` cannot assume its role"))?;
    Ok(spec)
}

/// The keys a `RamRoleArn` profile assumes its role with (an STS token too, when it has one).
fn own_keys(profile: &Profile) -> Result<Credentials> {
    if profile.access_key_id.is_empty() || profile.access_key_secret.is_empty() {
        bail!(
            "profile `{}` of mode RamRoleArn has no `access_key_id`/`access_key_secret` to assume its role with",
            profile.name
        );
    }
    Ok(Credentials {
        access_key_id: profile.access_key_id.clone(),
        access_key_secret: profile.access_key_secret.clone(),
        security_token: (!profile.sts_token.is_empty()).then(|| profile.sts_token.clone()),
        expiration: None,
    })
}

/// Reads the OIDC token, again at each renewal (CI systems rotate the file).
fn read_token(profile: &Profile) -> Result<Secret> {
    let path = profile
        .oidc_token_file
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            anyhow!(
                "profile `{}` of mode OIDC has no `oidc_token_file`",
                profile.name
            )
        })?;
    let what = || {
        format!(
            "cannot read the OIDC token file `{path}` of profile `{}`",
            profile.name
        )
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .with_context(what)?
        .take(MAX_TOKEN_FILE)
        .read_to_string(&mut text)
        .with_context(what)?;
    let token = text.trim();
    if token.is_empty() {
        return Err(anyhow!("the file is empty").context(what()));
    }
    Ok(Secret::new(token))
}

/// Obtains new credentials for a role profile: one request (two or three for the metadata
/// service's token and role name). `source` is what a chained role assumes its role with.
async fn obtain(
    profile: &Profile,
    net: &RoleNetwork<'_>,
    now: i64,
    source: Option<&Credentials>,
) -> Result<Credentials> {
    let endpoint = || {
        StsEndpointChoice {
            profile: profile.sts_endpoint.as_deref(),
            env: net.sts_env,
            profile_region: profile.sts_region.as_deref(),
            ..Default::default()
        }
        .resolve()
    };
    let name = &profile.name;
    let credentials = match &profile.mode {
        Mode::ChainableRamRoleArn | Mode::RamRoleArn => {
            let spec = role_spec(profile, now)?;
            let keys = match source {
                Some(source) => source.clone(),
                None => own_keys(profile)?,
            };
            assume_role(net.http, &endpoint()?, &spec, &keys, now)
                .await
                .with_context(|| format!("profile `{name}` could not assume `{}`", spec.role_arn))
        }
        Mode::Oidc => {
            let spec = role_spec(profile, now)?;
            let provider = profile
                .oidc_provider_arn
                .as_deref()
                .filter(|p| !p.is_empty())
                .ok_or_else(|| {
                    anyhow!("profile `{name}` of mode OIDC has no `oidc_provider_arn`")
                })?;
            let token = read_token(profile)?;
            assume_role_with_oidc(net.http, &endpoint()?, &spec, provider, &token, now)
                .await
                .with_context(|| format!("profile `{name}` could not assume `{}`", spec.role_arn))
        }
        Mode::EcsRamRole => {
            ecs_role_credentials(net.http, &net.metadata, profile.ram_role_name.as_deref())
                .await
                .with_context(|| {
                    format!("profile `{name}` could not get the instance's role credentials")
                })
        }
        other => bail!("profile `{name}` of mode `{other}` does not assume a role"),
    }?;
    // Every role mode's credentials arrive here: ones already expired by the local clock would be
    // obtained again on every use, as with the exchange (the same check, the same clock hint).
    if let Some(expires_at) = credentials.expiration {
        check_arrival(expires_at, net.http.server_date(), now, STS_RENEW_MARGIN)
            .with_context(|| format!("profile `{name}` cannot use its role credentials"))?;
    }
    Ok(credentials)
}

/// The fields that decide which role a profile's cached credentials belong to.
fn identity(profile: &Profile) -> [Option<&str>; 4] {
    [
        Some(profile.mode.as_str()),
        profile.ram_role_arn.as_deref(),
        profile.source_profile.as_deref(),
        profile.ram_role_name.as_deref(),
    ]
}

/// Credentials for role profile `name` with at least `margin` seconds left: its cached ones when
/// they keep the margin after the file is read again under the lock, else new ones, written into
/// the profile at once. `source` is the source's credentials for a chained role.
pub async fn renew_role(
    store: &Store,
    name: &str,
    net: &RoleNetwork<'_>,
    now: i64,
    margin: i64,
    source: Option<&Credentials>,
) -> Result<(Credentials, RenewalReport)> {
    let renewed = RenewalReport {
        refreshed_token: false,
        exchanged: true,
    };
    let (read, owned) = (store.clone(), name.to_owned());
    let file = blocking(move || read.load()).await?;
    let profile = require_profile(&file, store, &owned)?;
    if profile.mode == Mode::RamRoleArn {
        // Its own fields hold the AccessKey, so there is no place to keep the role's: every use
        // assumes the role, as in the official CLI. A ChainableRamRoleArn on an AK profile caches.
        return Ok((obtain(&profile, net, now, None).await?, renewed));
    }
    let lock = SharedLock::acquire(store, lock_wait(&net.lock_notice, name)).await?;
    let profile = require_profile(&lock.load().await?, store, name)?;
    if let Some(cached) = profile
        .stored_sts()
        .filter(|c| keeps(c.expiration.unwrap_or(0), now, margin))
    {
        tracing::debug!(
            profile = name,
            "another process renewed the role credentials"
        );
        return Ok((cached, RenewalReport::default()));
    }
    let credentials = obtain(&profile, net, now, source).await?;
    tracing::debug!(profile = name, mode = %profile.mode, "obtained role credentials");
    let (name, kept, path) = (
        name.to_owned(),
        credentials.clone(),
        store.path().to_owned(),
    );
    lock.update_into(None, move |file| {
        keep(file, &path, &name, &profile, &kept);
        Ok(())
    })
    .await?;
    Ok((credentials, renewed))
}

/// Writes role credentials into the profile, unless another tool deleted it or pointed it at
/// another role meanwhile.
fn keep(file: &mut ConfigFile, path: &Path, name: &str, used: &Profile, credentials: &Credentials) {
    let Some(current) = file.profile(name, path).ok().flatten() else {
        return;
    };
    if identity(&current) != identity(used) {
        return;
    }
    file.apply_role_credentials(name, credentials);
}
