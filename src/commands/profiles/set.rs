//! `alicli configure set`: write profile fields without signing in, like the official CLI.

use anyhow::Result;
use serde_json::Value;

use crate::cli::SetArgs;
use crate::cloud::endpoints::parse_endpoint;
use crate::commands::invalid_name;
use crate::commands::settings::Settings;
use crate::error::{UsageError, with_hint};
use crate::profile::check_region;
use crate::profile::name::check_new_name;
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
        fields.push(("region_id", region.as_str().into()));
    }
    if let Some(language) = args.language {
        fields.push(("language", language.as_str().into()));
    }
    let site = args
        .oauth_site_type
        .as_deref()
        .map(Site::parse)
        .transpose()
        .map_err(usage)?;
    if let Some(site) = site {
        fields.push(("oauth_site_type", site.as_str().into()));
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
        return Err(with_hint(
            UsageError("nothing to set".into()),
            "pass at least one of `--region`, `--language`, `--oauth-site-type`, `--sts-endpoint`",
        ));
    }
    let flag = args
        .profile
        .profile
        .clone()
        .or_else(|| settings.profile.clone());
    let store = settings.store(args.profile.config_path.as_deref())?;
    let outcome = store.update(|file| {
        // Chosen under the lock, from the file as it is now.
        let name = flag
            .clone()
            .or_else(|| file.current().map(str::to_owned))
            .unwrap_or_else(|| "default".to_owned());
        let mode = file
            .raw_profile(&name)
            .map(|p| p.get("mode").and_then(Value::as_str).unwrap_or_default().to_owned());
        if let (Some(mode), Some(_)) = (&mode, site)
            && mode != "OAuth"
        {
            return Err(UsageError(format!(
                "profile `{name}` has mode `{mode}`; `--oauth-site-type` applies to OAuth profiles only"
            ))
            .into());
        }
        let created = mode.is_none();
        if created {
            check_new_name(&name).map_err(invalid_name)?;
            let mut defaults: Vec<(&'static str, Value)> = vec![("mode", "OAuth".into())];
            if site.is_none() {
                defaults.push(("oauth_site_type", Site::Cn.as_str().into()));
            }
            if args.language.is_none() {
                defaults.push(("language", "en".into()));
            }
            defaults.push(("output_format", "json".into()));
            file.set_fields(&name, defaults);
        }
        file.set_fields(&name, fields.clone());
        match &endpoint {
            Some(Some(url)) => file.set_fields(&name, [("sts_endpoint", url.as_str().into())]),
            Some(None) => {
                file.remove_field(&name, "sts_endpoint");
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
