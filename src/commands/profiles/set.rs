//! `alicli configure set`: write profile fields without signing in, like the official CLI.

use anyhow::Result;
use serde_json::Value;

use super::modes::{Change, change_mode, check_complete, check_fits, mode_changes};
use crate::cli::SetArgs;
use crate::cloud::endpoints::parse_endpoint;
use crate::commands::configure::check_profile_name;
use crate::commands::settings::Settings;
use crate::error::{UsageError, with_hint};
use crate::profile::{ConfigFile, check_region};
use crate::site::Site;

/// What `set` did, for the message on stderr.
struct Outcome {
    name: String,
    mode: String,
    created: bool,
    made_current: bool,
    signed_out: bool,
}

fn usage(e: anyhow::Error) -> anyhow::Error {
    UsageError(e.to_string()).into()
}

/// The flags every mode shares, as changes.
fn common_changes(args: &SetArgs) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    let mut push = |key, flag, modes, value| {
        changes.push(Change {
            key,
            value,
            flag,
            modes,
        })
    };
    if let Some(region) = &args.region {
        check_region(region).map_err(usage)?;
        push("region_id", "region", &[][..], Some(region.as_str().into()));
    }
    if let Some(language) = args.language {
        push("language", "language", &[], Some(language.as_str().into()));
    }
    if let Some(text) = args.oauth_site_type.as_deref() {
        let site = Site::parse(text).map_err(usage)?;
        push(
            "oauth_site_type",
            "oauth-site-type",
            &["OAuth"],
            Some(site.as_str().into()),
        );
    }
    match args.sts_endpoint.as_deref().map(str::trim) {
        None => {}
        Some("") => push("sts_endpoint", "sts-endpoint", &[], None),
        Some(text) => {
            parse_endpoint(text).map_err(usage)?;
            push("sts_endpoint", "sts-endpoint", &[], Some(text.into()));
        }
    }
    Ok(changes)
}

/// Validates every flag before the file is touched, then writes them under the lock. The profile
/// is the flag's, else the environment's, else `current`, else `default`; a missing profile is
/// created (an OAuth profile unless `--mode` says otherwise; site CN, language en, output json
/// unless given). The result must be complete for its mode, or nothing is written.
pub fn run(args: SetArgs, settings: &Settings) -> Result<()> {
    let mut changes = common_changes(&args)?;
    changes.extend(mode_changes(&args)?);
    if changes.is_empty() && args.mode.is_none() {
        return Err(with_hint(
            UsageError("nothing to set".into()),
            "pass at least one field, e.g. `--region`, `--mode`, `--ram-role-arn`; see `alicli configure set --help`",
        ));
    }
    let flag = args
        .profile
        .profile
        .clone()
        .or_else(|| settings.profile.clone());
    if let Some(name) = &flag {
        check_profile_name(name)?;
    }
    let new_mode = args.mode.map(|m| m.as_str().to_owned());
    let store = settings.store(args.profile.config_path.as_deref())?;
    let outcome = store.update(|file| {
        // Chosen under the lock, from the file as it is now.
        let name = flag
            .clone()
            .or_else(|| file.current().map(str::to_owned))
            .unwrap_or_else(|| "default".to_owned());
        apply(file, &name, new_mode.as_deref(), &changes)
    })?;
    report(&outcome, &store.path().display().to_string());
    Ok(())
}

/// The whole change to one profile, checked before anything is kept.
fn apply(
    file: &mut ConfigFile,
    name: &str,
    new_mode: Option<&str>,
    changes: &[Change],
) -> Result<Outcome> {
    let old_mode = file.raw_profile(name).map(|p| {
        p.get("mode")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    });
    let mode = new_mode
        .map(str::to_owned)
        .or_else(|| old_mode.clone())
        .unwrap_or_else(|| "OAuth".to_owned());
    check_fits(changes, &mode, name)?;
    let created = old_mode.is_none();
    let mut signed_out = false;
    match &old_mode {
        None => file.set_fields(name, defaults(&mode, changes)),
        Some(old) if *old != mode => signed_out = change_mode(file, name, old, &mode)?,
        Some(_) => {}
    }
    file.set_fields(name, [("mode", Value::from(mode.as_str()))]);
    for change in changes {
        match &change.value {
            Some(value) => file.set_fields(name, [(change.key, value.clone())]),
            None => {
                file.remove_field(name, change.key);
            }
        }
    }
    check_complete(file, name, &mode)?;
    let made_current = file.current().is_none();
    if made_current {
        file.set_current(name);
    }
    Ok(Outcome {
        name: name.to_owned(),
        mode,
        created,
        made_current,
        signed_out,
    })
}

/// A new profile's defaults, as the official CLI writes them, for what the flags leave out.
fn defaults(mode: &str, changes: &[Change]) -> Vec<(&'static str, Value)> {
    let given = |key: &str| changes.iter().any(|c| c.key == key);
    let mut fields: Vec<(&'static str, Value)> = Vec::new();
    if mode == "OAuth" && !given("oauth_site_type") {
        fields.push(("oauth_site_type", Site::Cn.as_str().into()));
    }
    if !given("language") {
        fields.push(("language", "en".into()));
    }
    fields.push(("output_format", "json".into()));
    fields
}

fn report(outcome: &Outcome, path: &str) {
    let Outcome { name, mode, .. } = outcome;
    let next = if mode == "OAuth" {
        format!("sign it in with `alicli configure --profile {name} --mode OAuth`")
    } else {
        format!("try it with `alicli sts GetCallerIdentity --profile {name}`")
    };
    if outcome.created {
        stderrln!("Created {mode} profile `{name}` in {path}; {next}.");
    } else {
        stderrln!("Updated profile `{name}` in {path}.");
    }
    if outcome.signed_out {
        stderrln!("Profile `{name}` is no longer an OAuth profile: its sign-in was removed.");
    }
    if outcome.made_current {
        stderrln!("The current profile is now `{name}`.");
    }
}
