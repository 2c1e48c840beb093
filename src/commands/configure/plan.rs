//! The first step of a sign-in: decide the profile, site, region, language and storage, and the
//! endpoints they imply, before any listener is bound or browser opened.

use anyhow::Result;
use url::Url;

use super::choose::{choose_region, choose_site};
use crate::cli::SignInArgs;
use crate::cloud::endpoints::{OAuthEndpoints, StsEndpointChoice};
use crate::commands::prompt;
use crate::commands::resolve::{NameSource, choose_file, choose_name_or_default, relogin_command};
use crate::commands::settings::Settings;
use crate::commands::storage::{ensure_usable, for_sign_in};
use crate::error::{UsageError, with_hint};
use crate::profile::name::check_new_name;
use crate::profile::{Mode, Profile, Storage, Store};
use crate::site::Site;

/// Everything a sign-in decided before it starts.
pub struct Plan {
    /// The profile file.
    pub store: Store,
    /// The profile name.
    pub name: String,
    /// The profile as it is now, if it exists.
    pub existing: Option<Profile>,
    /// The site to sign in to.
    pub site: Site,
    /// The default region.
    pub region: String,
    /// `en` or `zh`.
    pub language: String,
    /// The site's OAuth endpoints.
    pub endpoints: OAuthEndpoints,
    /// The STS endpoint that checks the result.
    pub sts: Url,
    /// The command that runs this sign-in again.
    pub relogin: String,
    /// Where the session is kept.
    pub storage: Storage,
}

/// Decides the plan from the flags, the environment, the file, and (on a terminal) the user.
pub fn decide(args: &SignInArgs, settings: &Settings) -> Result<Plan> {
    let (store, config_hint) = choose_file(settings, args.config_path.as_deref())?;
    // A file we cannot parse stops us before the browser opens: it will not be overwritten.
    let file = store.load()?;
    let (name, source) = choose_name_or_default(args.profile.as_deref(), settings, &file);
    let existing = file.profile(&name, store.path())?;
    // Only a profile about to be created must follow the name rule: other tools' names stay usable.
    if existing.is_none() {
        check_new_name(&name).map_err(crate::commands::invalid_name)?;
    }
    if source != NameSource::Flag {
        check_unnamed_target(&name, source, existing.as_ref())?;
        stderrln!("Signing in profile `{name}` ({}).", source.describe());
    }
    let storage = for_sign_in(args.storage, existing.as_ref());
    ensure_usable(storage, store.path())?;
    let interactive = prompt::interactive();
    let site = choose_site(
        args.oauth_site_type.as_deref(),
        existing.as_ref(),
        interactive,
    )?;
    let region = choose_region(args.region.as_deref(), existing.as_ref(), site, interactive)?;
    let language = args
        .language
        .map(|l| l.as_str().to_owned())
        .or_else(|| {
            existing
                .as_ref()
                .map(|p| p.language.clone())
                .filter(|l| !l.is_empty())
        })
        .unwrap_or_else(|| "en".to_owned());
    let endpoints = OAuthEndpoints::for_site(
        site,
        settings.signin_url.as_deref(),
        settings.oauth_url.as_deref(),
    )?;
    let sts = StsEndpointChoice {
        profile: existing.as_ref().and_then(|p| p.sts_endpoint.as_deref()),
        env: settings.sts_endpoint.as_deref(),
        profile_region: existing.as_ref().and_then(|p| p.sts_region.as_deref()),
        ..Default::default()
    }
    .resolve()?;
    let relogin = relogin_command(&name, site, config_hint.as_deref());
    Ok(Plan {
        store,
        name,
        existing,
        site,
        region,
        language,
        endpoints,
        sts,
        relogin,
        storage,
    })
}

/// Without `--profile`, the sign-in goes to the profile every other command would use; one that
/// gets its credentials some other way is not turned into an OAuth profile behind the user's back
/// (its AccessKey or role settings would be lost). Naming it with `--profile` still does that.
fn check_unnamed_target(name: &str, source: NameSource, existing: Option<&Profile>) -> Result<()> {
    let Some(mode) = existing
        .map(|p| &p.mode)
        .filter(|mode| !matches!(mode, Mode::OAuth | Mode::Unset))
    else {
        return Ok(());
    };
    Err(with_hint(
        UsageError(format!(
            "profile `{name}` ({}) has mode `{mode}`; signing it in with OAuth would replace its \
             credentials",
            source.describe()
        )),
        "sign in to a profile of its own: `alicli configure --profile NAME --mode OAuth`",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    #[test]
    fn without_a_terminal_the_flags_then_the_stored_values_decide() {
        let stored = Profile {
            oauth_site_type: Some("INTL".into()),
            region_id: "ap-southeast-1".into(),
            ..Profile::default()
        };
        assert_eq!(choose_site(None, Some(&stored), false).unwrap(), Site::Intl);
        assert_eq!(
            choose_site(Some("0"), Some(&stored), false).unwrap(),
            Site::Cn
        );
        assert_eq!(choose_site(None, None, false).unwrap(), Site::Cn);
        let region = choose_region(None, Some(&stored), Site::Cn, false).unwrap();
        assert_eq!(region, "ap-southeast-1");
        let flagged = choose_region(Some("cn-beijing"), Some(&stored), Site::Cn, false).unwrap();
        assert_eq!(flagged, "cn-beijing");
        let error = choose_region(None, None, Site::Cn, false).unwrap_err();
        assert!(error.downcast_ref::<UsageError>().is_some(), "{error:#}");
        assert!(choose_region(Some("cn hangzhou"), None, Site::Cn, false).is_err());
    }
}
