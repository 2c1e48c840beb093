//! `alicli configure --mode OAuth`: the browser sign-in, from the prompts to the saved profile.
//! Headless sign-in (no browser here) and the wait live in `wait`; the check that a new sign-in
//! is to the same account lives in `account`.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;

mod account;
mod wait;

use super::output;
use super::prompt;
use super::resolve::{choose_file, choose_name_or_default, relogin_command};
use super::settings::Settings;
use super::storage;
use crate::cli::ConfigureArgs;
use crate::clock;
use crate::cloud::endpoints::{OAuthEndpoints, sts_endpoint};
use crate::cloud::exchange::exchange;
use crate::cloud::sts::{SignatureVersion, get_caller_identity, new_nonce};
use crate::error::{SignInNeeded, UsageError, printable, with_hint};
use crate::http::{Http, RequestError};
use crate::keychain;
use crate::oauth::authorize::{authorize_url, redirect_uri};
use crate::oauth::callback::{CallbackResult, CallbackServer, bind_listener};
use crate::oauth::pkce::AuthorizationRequest;
use crate::oauth::token::redeem_code;
use crate::profile::{self, Mode, Profile, Storage, keys};
use crate::session::record::OAuthSession;
use crate::site::Site;
use wait::{SignInPage, Waiter};

/// Runs the sign-in.
pub async fn run(args: ConfigureArgs, settings: &Settings, http: &Http) -> Result<()> {
    let (store, config_hint) = choose_file(settings, args.config_path.as_deref())?;
    // A file we cannot parse stops us before the browser opens: it will not be overwritten.
    let file = store.load()?;
    let (name, _) = choose_name_or_default(args.profile.as_deref(), settings, &file);
    check_profile_name(&name)?;
    let existing = file.profile(&name, store.path())?;
    let storage = storage::for_sign_in(args.storage, existing.as_ref());
    storage::ensure_usable(storage, store.path())?;
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
    let sts = sts_endpoint(
        None,
        existing.as_ref().and_then(|p| p.sts_endpoint.as_deref()),
        settings.sts_endpoint.as_deref(),
        None,
    )?;
    let previous =
        account::previous_account(existing.as_ref(), http, &sts, clock::now_unix()).await;

    // Bound before the URL is shown, so the redirect can never find the port taken.
    let listener = bind_listener(args.callback_port)?;
    let port = listener.local_addr()?.port();
    let request = AuthorizationRequest::new_random();
    let redirect = redirect_uri(port);
    let url = authorize_url(
        &endpoints.authorize_url(),
        site.client_id(),
        &redirect,
        request.state.expose(),
        &request.challenge,
    );
    let mut server = CallbackServer::start(listener, request.state.clone())?;
    let page = SignInPage {
        url: url.as_str(),
        port,
        site,
    };
    let mut waiter = Waiter::start(
        &page,
        settings,
        args.no_browser,
        request.state.clone(),
        Duration::from_secs(args.timeout),
    )
    .await?;
    let relogin = relogin_command(&name, site, config_hint.as_deref());
    let tokens = loop {
        let arrival = match waiter.next(&mut server).await {
            Ok(arrival) => arrival,
            Err(error) => {
                server.stop().await;
                return Err(error);
            }
        };
        let code = match arrival.result {
            CallbackResult::Code(code) => code,
            CallbackResult::Refused { error, description } => {
                server.stop().await;
                return Err(refused(&name, &error, description));
            }
        };
        let redeemed = redeem_code(
            http,
            &endpoints.token_url(),
            site.client_id(),
            &code,
            &redirect,
            &request.verifier,
            clock::now_unix(),
        )
        .await;
        match redeemed {
            Ok(tokens) => break tokens,
            // A bare pasted code had no `state` behind it: a typo or a code of another sign-in
            // (which PKCE makes useless) is refused here, and the user may paste again.
            Err(RequestError::Server(error)) if arrival.bare_code && error.is_invalid_grant() => {
                waiter.paste_again(&format!(
                    "the server did not accept that code ({error}). Still waiting: paste the whole \
                     address, or finish in the browser."
                ));
            }
            Err(error) => {
                server.stop().await;
                return Err(sign_in_failed(
                    error,
                    "redeeming the authorization code failed",
                    &relogin,
                ));
            }
        }
    };
    server.stop().await;
    let credentials = exchange(http, &endpoints.exchange_url(), &tokens.access_token)
        .await
        .map_err(|e| {
            sign_in_failed(
                e,
                "exchanging the sign-in for STS credentials failed",
                &relogin,
            )
        })?;

    let identity = get_caller_identity(
        http,
        &sts,
        &credentials,
        SignatureVersion::V3,
        clock::now_unix(),
        &new_nonce(),
    )
    .await;
    let account = identity.as_ref().ok().and_then(account::account_of);
    if let (Some(old), Some(new)) = (&previous, &account) {
        account::allow_replacement(&name, old, new, args.force)?;
    }

    let mut fields: Vec<(&'static str, Value)> = vec![
        (keys::OAUTH_SITE_TYPE, site.as_str().into()),
        (keys::REGION_ID, region.into()),
        (keys::LANGUAGE, language.into()),
    ];
    if existing.as_ref().is_none_or(|p| p.mode != Mode::OAuth) {
        fields.push((keys::OUTPUT_FORMAT, "json".into()));
    }
    let session = OAuthSession::signed_in(&tokens, credentials, account);
    let before = store.update(|file| {
        file.set_fields(&name, fields);
        let before = profile::storage::save(file, store.path(), &name, storage, &session)?;
        file.set_current(&name);
        Ok(before)
    })?;
    storage::tidy(before, storage, store.path(), &name);

    let identity = identity.with_context(|| {
        format!(
            "profile `{name}` was saved to `{}`, but checking it with GetCallerIdentity failed",
            store.path().display()
        )
    })?;
    let field = |key: &str| {
        identity
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    let kept = match storage {
        Storage::File => String::new(),
        Storage::Keychain => format!(" Its session is kept in {}.", keychain::STORE),
    };
    stderrln!(
        "Signed in as {} (account {}). Profile `{name}` saved to {}.{kept}",
        field("Arn"),
        field("AccountId"),
        store.path().display()
    );
    output::print_stdout("")
}

/// Profile names must be visible text (shared with `configure set`, which can create one).
pub(super) fn check_profile_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(UsageError(format!(
            "invalid profile name `{}`: use letters, digits, `-` or `_`",
            name.escape_debug()
        ))
        .into());
    }
    Ok(())
}

fn choose_site(flag: Option<&str>, existing: Option<&Profile>, interactive: bool) -> Result<Site> {
    if let Some(text) = flag {
        return Site::parse(text).map_err(|e| UsageError(e.to_string()).into());
    }
    let stored = existing
        .and_then(|p| p.oauth_site_type.as_deref())
        .and_then(|text| Site::parse(text).ok())
        .unwrap_or(Site::Cn);
    if !interactive {
        return Ok(stored);
    }
    loop {
        let answer = prompt::ask(
            &format!("OAuth Site Type (CN: 0 or INTL: 1, default: {stored}): "),
            stored.as_str(),
        )?;
        match Site::parse(&answer) {
            Ok(site) => return Ok(site),
            Err(error) => stderrln!("{error}"),
        }
    }
}

fn choose_region(
    flag: Option<&str>,
    existing: Option<&Profile>,
    site: Site,
    interactive: bool,
) -> Result<String> {
    if let Some(region) = flag {
        return check_region(region).map_err(|e| UsageError(e.to_string()).into());
    }
    if let Some(stored) = existing
        .map(|p| p.region_id.clone())
        .filter(|r| !r.is_empty())
    {
        return Ok(stored);
    }
    if !interactive {
        return Err(with_hint(
            UsageError(
                "no default region: standard input is not a terminal, so alicli cannot ask".into(),
            ),
            "pass the region with `--region ID`, e.g. `--region cn-hangzhou`",
        ));
    }
    let default = match site {
        Site::Cn => "cn-hangzhou",
        Site::Intl => "ap-southeast-1",
    };
    loop {
        let answer = prompt::ask(
            &format!("Default Region Id (default: {default}): "),
            default,
        )?;
        match check_region(&answer) {
            Ok(region) => return Ok(region),
            Err(error) => stderrln!("{error}"),
        }
    }
}

/// Region ids match `^[a-zA-Z0-9-]*$`, as the official CLI checks (PROTOCOL.md §4).
fn check_region(region: &str) -> Result<String> {
    crate::profile::check_region(region)?;
    Ok(region.to_owned())
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
