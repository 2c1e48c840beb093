//! `alicli configure set`: write profile fields without signing in, like the official CLI.

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::modes::{
    Change, change_mode, check_complete, check_fits, chosen_mode, drop_cached_credentials,
    mode_changes,
};
use super::moving;
use crate::cli::SetArgs;
use crate::cloud::endpoints::parse_endpoint;
use crate::commands::configure::warn_if_unknown;
use crate::commands::invalid_name;
use crate::commands::resolve::{choose_file, choose_name_or_default, login_command};
use crate::commands::settings::Settings;
use crate::error::{UsageError, with_hint};
use crate::profile::name::check_new_name;
use crate::profile::{ConfigFile, Mode, Storage, check_region, keys};
use crate::shellword::shell_word;
use crate::site::Site;

/// What `set` did, for the message on stderr.
struct Outcome {
    name: String,
    mode: Mode,
    created: bool,
    made_current: bool,
    signed_out: bool,
}

fn usage(e: anyhow::Error) -> anyhow::Error {
    UsageError(e.to_string()).into()
}

fn change(key: &'static str, flag: &'static str, value: Option<Value>) -> Change {
    Change {
        key,
        value,
        flag,
        modes: &[],
    }
}

/// The flags every mode shares, as changes.
fn common_changes(args: &SetArgs) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    if let Some(region) = &args.region {
        check_region(region).map_err(usage)?;
        changes.push(change(
            keys::REGION_ID,
            "region",
            Some(region.as_str().into()),
        ));
    }
    if let Some(language) = args.language {
        changes.push(change(
            keys::LANGUAGE,
            "language",
            Some(language.as_str().into()),
        ));
    }
    if let Some(text) = args.oauth_site_type.as_deref() {
        let site = Site::parse(text).map_err(usage)?;
        changes.push(Change {
            modes: &[Mode::OAuth],
            ..change(
                keys::OAUTH_SITE_TYPE,
                "oauth-site-type",
                Some(site.as_str().into()),
            )
        });
    }
    match args.sts_endpoint.as_deref().map(str::trim) {
        None => {}
        Some("") => changes.push(change(keys::STS_ENDPOINT, "sts-endpoint", None)),
        Some(text) => {
            parse_endpoint(text).map_err(usage)?;
            changes.push(change(
                keys::STS_ENDPOINT,
                "sts-endpoint",
                Some(text.into()),
            ));
        }
    }
    Ok(changes)
}

/// Validates every flag before the file is touched, then writes them under the lock. The profile
/// is the flag's, else the environment's, else `current`, else `default`; a missing profile is
/// created (an OAuth profile unless `--mode` says otherwise; site CN, language en, output json
/// unless given). The result must be complete for its mode, or nothing is written.
pub fn run(args: SetArgs, settings: &Settings) -> Result<()> {
    let new_mode = args.mode.map(chosen_mode).transpose()?;
    let mut changes = common_changes(&args)?;
    changes.extend(mode_changes(&args)?);
    if changes.is_empty() && new_mode.is_none() {
        if let Some(to) = args.storage {
            return moving::move_session(&args.profile, to.into(), settings);
        }
        return Err(with_hint(
            UsageError("nothing to set".into()),
            "pass at least one field, e.g. `--region`, `--mode`, `--ram-role-arn`, `--storage`; see `alicli configure set --help`",
        ));
    }
    if let Some(to) = args.storage {
        moving::move_session(&args.profile, to.into(), settings)?;
    }
    let flag = args.profile.profile.as_deref();
    let (store, config_hint) = choose_file(settings, args.profile.config_path.as_deref())?;
    let outcome = store.update(|file| {
        // Chosen under the lock, from the file as it is now.
        let (name, _) = choose_name_or_default(flag, settings, file);
        // Only a new profile must follow the name rule; other tools' names stay usable.
        if file.raw_profile(&name).is_none() {
            check_new_name(&name).map_err(invalid_name)?;
        }
        apply(file, store.path(), &name, new_mode.as_ref(), &changes)
    })?;
    let login = login_command(Some(&outcome.name), Site::Cn, config_hint.as_deref());
    report(&outcome, &store.path().display().to_string(), &login);
    if let Some(region) = &args.region {
        warn_if_unknown(region);
    }
    Ok(())
}

/// The whole change to one profile of the file at `path`, checked before anything is kept. A
/// keychain profile is the OAuth profile it is for alicli, and keeps the mode the other tools
/// see (`External`).
fn apply(
    file: &mut ConfigFile,
    path: &Path,
    name: &str,
    new_mode: Option<&Mode>,
    changes: &[Change],
) -> Result<Outcome> {
    let raw = file.raw_profile(name);
    let keychain = raw.is_some_and(|raw| Storage::of_raw(raw, path) == Storage::Keychain);
    let old_mode = raw.map(|p| match keychain {
        true => Mode::OAuth,
        false => Mode::parse(
            p.get(keys::MODE)
                .and_then(Value::as_str)
                .unwrap_or_default(),
        ),
    });
    let mode = new_mode
        .cloned()
        .or_else(|| old_mode.clone())
        .unwrap_or(Mode::OAuth);
    if keychain && mode != Mode::OAuth {
        return Err(with_hint(
            usage(anyhow::anyhow!(
                "profile `{name}` keeps its OAuth session in the keychain; its mode stays OAuth"
            )),
            format!(
                "move the session to config.json first: `alicli configure set --profile {} \
                 --storage file`",
                shell_word(name)
            ),
        ));
    }
    check_fits(changes, &mode, name)?;
    let mut signed_out = false;
    match &old_mode {
        None => {
            let region = inherited_region(file, &mode, changes);
            file.set_fields(name, defaults(&mode, changes).into_iter().chain(region));
        }
        Some(old) if *old != mode => signed_out = change_mode(file, name, old, &mode)?,
        // The role, its source or its token changed: the cached session is another one's.
        Some(_) if changes.iter().any(|c| !c.modes.is_empty()) && caches_role(&mode) => {
            drop_cached_credentials(file, name)
        }
        Some(_) => {}
    }
    if !keychain {
        file.set_fields(name, [(keys::MODE, Value::from(mode.as_str()))]);
    }
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
        created: old_mode.is_none(),
        made_current,
        signed_out,
    })
}

/// A new chained role takes its source's region unless given one: the official CLI refuses a
/// profile without a region.
fn inherited_region(
    file: &ConfigFile,
    mode: &Mode,
    changes: &[Change],
) -> Option<(&'static str, Value)> {
    if *mode != Mode::ChainableRamRoleArn || changes.iter().any(|c| c.key == keys::REGION_ID) {
        return None;
    }
    let source = changes
        .iter()
        .find(|c| c.key == keys::SOURCE_PROFILE)?
        .value
        .as_ref()?
        .as_str()?;
    let region = file.raw_profile(source)?.get(keys::REGION_ID)?.as_str()?;
    (!region.is_empty()).then(|| (keys::REGION_ID, Value::from(region)))
}

/// Modes whose profiles cache the credentials they obtain in their own STS fields.
fn caches_role(mode: &Mode) -> bool {
    matches!(
        mode,
        Mode::ChainableRamRoleArn | Mode::Oidc | Mode::EcsRamRole
    )
}

/// A new profile's defaults, as the official CLI writes them, for what the flags leave out.
fn defaults(mode: &Mode, changes: &[Change]) -> Vec<(&'static str, Value)> {
    let given = |key: &str| changes.iter().any(|c| c.key == key);
    let mut fields: Vec<(&'static str, Value)> = Vec::new();
    if *mode == Mode::OAuth && !given(keys::OAUTH_SITE_TYPE) {
        fields.push((keys::OAUTH_SITE_TYPE, Site::Cn.as_str().into()));
    }
    if !given(keys::LANGUAGE) {
        fields.push((keys::LANGUAGE, "en".into()));
    }
    fields.push((keys::OUTPUT_FORMAT, "json".into()));
    fields
}

fn report(outcome: &Outcome, path: &str, login: &str) {
    let Outcome { name, mode, .. } = outcome;
    let next = if *mode == Mode::OAuth {
        format!("sign it in with `{login}`")
    } else {
        format!(
            "try it with `alicli sts GetCallerIdentity --profile {}`",
            shell_word(name)
        )
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
