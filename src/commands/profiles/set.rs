//! `alicli configure set`: write profile fields without signing in, like the official CLI.

use anyhow::Result;
use serde_json::Value;

use super::moving;
use crate::cli::SetArgs;
use crate::cloud::endpoints::parse_endpoint;
use crate::commands::configure::check_profile_name;
use crate::commands::resolve::{choose_name, choose_name_or_default};
use crate::commands::settings::Settings;
use crate::error::{UsageError, with_hint};
use crate::profile::{ConfigFile, Mode, check_region, keys};
use crate::site::Site;

/// What `set` did, for the message on stderr.
struct Outcome {
    name: String,
    created: bool,
    made_current: bool,
}

/// Validates every flag before the file is touched, then writes them under the lock. The profile
/// is the flag's, else the environment's, else `current`, else `default`; a missing profile is
/// created as an OAuth profile (site CN, language en, output json unless given).
pub fn run(args: SetArgs, settings: &Settings) -> Result<()> {
    let usage = |e: anyhow::Error| anyhow::Error::new(UsageError(e.to_string()));
    let mut fields: Vec<(&'static str, Value)> = Vec::new();
    if let Some(region) = &args.region {
        check_region(region).map_err(usage)?;
        fields.push((keys::REGION_ID, region.as_str().into()));
    }
    if let Some(language) = args.language {
        fields.push((keys::LANGUAGE, language.as_str().into()));
    }
    let site = args
        .oauth_site_type
        .as_deref()
        .map(Site::parse)
        .transpose()
        .map_err(usage)?;
    if let Some(site) = site {
        fields.push((keys::OAUTH_SITE_TYPE, site.as_str().into()));
    }
    // `Some(None)`: remove the key.
    let endpoint = match args.sts_endpoint.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(text) => {
            parse_endpoint(text).map_err(usage)?;
            Some(Some(text.to_owned()))
        }
    };
    if fields.is_empty() && endpoint.is_none() {
        if let Some(to) = args.storage {
            return moving::move_session(&args.profile, to.into(), settings);
        }
        return Err(with_hint(
            UsageError("nothing to set".into()),
            "pass at least one of `--region`, `--language`, `--oauth-site-type`, `--sts-endpoint`, `--storage`",
        ));
    }
    if let Some(to) = args.storage {
        moving::move_session(&args.profile, to.into(), settings)?;
    }
    let flag = args.profile.profile.as_deref();
    // A name given by the flag or the environment is checked before the file is touched.
    if let Some((name, _)) = choose_name(flag, settings, &ConfigFile::empty()) {
        check_profile_name(&name)?;
    }
    let store = settings.store(args.profile.config_path.as_deref())?;
    let outcome = store.update(|file| {
        // Chosen under the lock, from the file as it is now.
        let (name, _) = choose_name_or_default(flag, settings, file);
        let mode = file
            .raw_profile(&name)
            .map(|p| Mode::parse(p.get(keys::MODE).and_then(Value::as_str).unwrap_or_default()));
        if let (Some(mode), Some(_)) = (&mode, site)
            && *mode != Mode::OAuth
        {
            return Err(UsageError(format!(
                "profile `{name}` has mode `{mode}`; `--oauth-site-type` applies to OAuth profiles only"
            ))
            .into());
        }
        let created = mode.is_none();
        if created {
            let mut defaults: Vec<(&'static str, Value)> =
                vec![(keys::MODE, Mode::OAuth.as_str().into())];
            if site.is_none() {
                defaults.push((keys::OAUTH_SITE_TYPE, Site::Cn.as_str().into()));
            }
            if args.language.is_none() {
                defaults.push((keys::LANGUAGE, "en".into()));
            }
            defaults.push((keys::OUTPUT_FORMAT, "json".into()));
            file.set_fields(&name, defaults);
        }
        file.set_fields(&name, fields.clone());
        match &endpoint {
            Some(Some(url)) => file.set_fields(&name, [(keys::STS_ENDPOINT, url.as_str().into())]),
            Some(None) => {
                file.remove_field(&name, keys::STS_ENDPOINT);
            }
            None => {}
        }
        let made_current = file.current().is_none();
        if made_current {
            file.set_current(&name);
        }
        Ok(Outcome {
            name,
            created,
            made_current,
        })
    })?;
    let name = &outcome.name;
    if outcome.created {
        stderrln!(
            "Created OAuth profile `{name}` in {}; sign it in with `alicli configure --profile {name} --mode OAuth`.",
            store.path().display()
        );
    } else {
        stderrln!("Updated profile `{name}` in {}.", store.path().display());
    }
    if outcome.made_current {
        stderrln!("The current profile is now `{name}`.");
    }
    Ok(())
}
