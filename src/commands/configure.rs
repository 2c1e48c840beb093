//! `alicli login` (and `alicli configure`): the browser sign-in, from the prompts to the saved
//! profile, in three named steps: [`plan::decide`] (profile, site, region),
//! [`authorize::authorize`] (listener, browser, wait, redeem) and [`persist`] (exchange, identity,
//! account check, save). The questions live in `choose`, headless sign-in and the wait in `wait`,
//! the background check of the hosts in `reach`, and the check that a new sign-in is to the same
//! account in `account`.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;

mod account;
mod authorize;
mod choose;
mod plan;
mod reach;
mod wait;

pub(super) use choose::warn_if_unknown;

use super::output;
use super::settings::Settings;
use super::storage;
use crate::cli::SignInArgs;
use crate::clock;
use crate::cloud::exchange::exchange;
use crate::cloud::sts::{SignatureVersion, get_caller_identity_retried};
use crate::error::{SignInNeeded, with_hint};
use crate::http::retry::{Retry, request_transience, with_retries};
use crate::http::{Http, RequestError};
use crate::keychain;
use crate::oauth::token::TokenSet;
use crate::profile::{self, Mode, Storage, keys};
use crate::session::record::OAuthSession;
use crate::term::printable;
use authorize::{Asking, authorize};
use plan::Plan;

/// Runs the sign-in.
pub async fn run(args: SignInArgs, settings: &Settings, http: &Http) -> Result<()> {
    let plan = plan::decide(&args, settings)?;
    let previous =
        account::previous_account(plan.existing.as_ref(), http, &plan.sts, clock::now_unix()).await;
    let asking = Asking {
        callback_port: args.callback_port,
        no_browser: args.no_browser,
        timeout: Duration::from_secs(args.timeout),
    };
    let tokens = authorize(&plan, &asking, settings, http).await?;
    persist(&plan, tokens, previous, args.force, http).await
}

/// The last step: exchange the tokens, check who signed in, and save the whole session.
async fn persist(
    plan: &Plan,
    tokens: TokenSet,
    previous: Option<String>,
    force: bool,
    http: &Http,
) -> Result<()> {
    let exchange_url = plan.endpoints.exchange_url();
    let credentials = with_retries(
        "the STS exchange",
        Retry::Transient,
        request_transience,
        || exchange(http, &exchange_url, &tokens.access_token, clock::now_unix()),
    )
    .await
    .map_err(|e| {
        sign_in_failed(
            e,
            "exchanging the sign-in for STS credentials failed",
            &plan.relogin,
        )
    })?;
    let identity = get_caller_identity_retried(
        http,
        &plan.sts,
        &credentials,
        SignatureVersion::V3,
        clock::now_unix,
    )
    .await;
    let account = identity.as_ref().ok().and_then(account::account_of);
    let name = &plan.name;
    if let (Some(old), Some(new)) = (&previous, &account) {
        account::allow_replacement(name, old, new, force)?;
    }
    // The mode goes with where the session is kept: `profile::storage::save` sets it.
    let mut fields: Vec<(&'static str, Value)> = vec![
        (keys::OAUTH_SITE_TYPE, plan.site.as_str().into()),
        (keys::REGION_ID, plan.region.as_str().into()),
        (keys::LANGUAGE, plan.language.as_str().into()),
    ];
    if plan.existing.as_ref().is_none_or(|p| p.mode != Mode::OAuth) {
        fields.push((keys::OUTPUT_FORMAT, "json".into()));
    }
    let session = OAuthSession::signed_in(&tokens, credentials, account);
    let before = plan.store.update(|file| {
        file.set_fields(name, fields);
        let before = profile::storage::save(file, plan.store.path(), name, plan.storage, &session)?;
        file.set_current(name);
        Ok(before)
    })?;
    storage::tidy(before, plan.storage, plan.store.path(), name);
    let shown = plan.store.path().display();
    let identity = identity.with_context(|| {
        format!(
            "profile `{name}` was saved to `{shown}`, but checking it with GetCallerIdentity failed"
        )
    })?;
    let field = |key: &str| identity.get(key).and_then(Value::as_str).unwrap_or("?");
    let kept = match plan.storage {
        Storage::File => String::new(),
        Storage::Keychain => format!(" Its session is kept in {}.", keychain::STORE),
    };
    stderrln!(
        "Signed in as {} (account {}). Profile `{name}` saved to {shown}.{kept}",
        field("Arn"),
        field("AccountId"),
    );
    output::print_stdout("")
}

fn refused(name: &str, error: &str, description: Option<String>) -> anyhow::Error {
    // Both come from the redirect, which anything can send: printable and short.
    let mut reason = format!("the sign-in was refused: `{}`", printable(error, 100));
    if let Some(description) = description.filter(|d| !d.is_empty()) {
        reason.push_str(&format!(": {}", printable(&description, 500)));
    }
    with_hint(
        SignInNeeded {
            profile: name.to_owned(),
            reason,
        },
        "if you did not cancel it yourself, a RAM administrator may need to assign your user to the \
         `official-cli` application (RAM console, OAuth applications), then run this command again",
    )
}

fn sign_in_failed(error: RequestError, what: &str, relogin: &str) -> anyhow::Error {
    let error = match error {
        RequestError::Server(server) => anyhow::Error::new(server),
        RequestError::Other(other) => other,
    };
    // A hint already there (e.g. `--ca-bundle` for an untrusted certificate) is the better one.
    if error.downcast_ref::<crate::error::Hint>().is_some() {
        return error.context(format!("{what}; nothing was saved"));
    }
    with_hint(
        error.context(what.to_owned()),
        format!("nothing was saved; try again with `{relogin}`"),
    )
}
