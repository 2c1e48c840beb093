//! `alicli console`: the web console in the browser, signed in as the profile through Alibaba's
//! federation endpoint (docs/protocol.md §10). The one-time sign-in token lasts 30 s, so it is
//! asked for only once the browser is known to be openable, right before it opens.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use url::Url;

use super::output;
use super::resolve::Target;
use super::settings::Settings;
use crate::cli::ConsoleArgs;
use crate::cloud::federation::{get_signin_token, login_url};
use crate::cloud::sts::ServiceError;
use crate::error::{UsageError, with_hint};
use crate::http::Http;
use crate::oauth::browser::{headless_reason, open_browser};
use crate::profile::{Mode, Profile};
use crate::site::Site;

/// How long an opener that is still running may take to report a failure.
const OPENER_GRACE: Duration = Duration::from_secs(1);

/// Opens (or prints) the console sign-in URL.
pub async fn run(args: ConsoleArgs, settings: &Settings, http: &Http) -> Result<()> {
    let target = Target::locate(settings, &args.profile)?;
    let profile = target.settings()?;
    // A role's site is its own `oauth_site_type`, else that of the sign-in at the end of its chain.
    let site = match &profile.oauth_site_type {
        Some(site) if !site.is_empty() => profile.site(),
        _ => target.signs_in()?.site(),
    }
    .unwrap_or(Site::Cn);
    let destination = destination(args.destination.as_deref(), site)?;
    if !args.print
        && let Some(reason) = headless_reason(&settings.browser_environment(false))
    {
        return Err(with_hint(
            anyhow!("no browser can be opened here: {reason}"),
            format!(
                "print the URL instead and open it within 30 s: `alicli console --profile {} --print`",
                target.name
            ),
        ));
    }
    let credentials = target.credentials(settings, http, 0).await?.credentials;
    let endpoints = settings.network(http).endpoints(site)?;
    let federation = endpoints.federation_url();
    let token = get_signin_token(http, &federation, &credentials)
        .await
        .map_err(|e| refused_hint(e, &profile))?;
    let home = Url::parse(site.console_home()).expect("a valid constant");
    let url = login_url(&federation, &token, &destination, &home);
    if args.print {
        stderrln!("This URL signs in once, within 30 s:");
        return output::print_stdout(&format!("{url}\n"));
    }
    let child = open_browser(url.as_str(), settings.browser.as_deref())?;
    wait_for_opener(child)?;
    stderrln!(
        "Opened the Alibaba Cloud console ({site}) as profile `{}` in the browser.",
        target.name
    );
    Ok(())
}

/// `--destination`, or the site's console home; only Alibaba Cloud pages are accepted, as the
/// federation endpoint redirects nowhere else.
fn destination(flag: Option<&str>, site: Site) -> Result<Url> {
    let text = flag.unwrap_or(site.console_home());
    match Url::parse(text) {
        Ok(url) if Site::is_console_url(&url) => Ok(url),
        _ => Err(UsageError(format!(
            "`--destination {}` is not an https page of the Alibaba Cloud console (aliyun.com or \
             alibabacloud.com), e.g. https://ecs.console.aliyun.com/",
            text.escape_debug()
        ))
        .into()),
    }
}

/// An opener that exits with a failure within a moment (xdg-open without a browser) is reported.
fn wait_for_opener(mut child: std::process::Child) -> Result<()> {
    let started = Instant::now();
    while started.elapsed() < OPENER_GRACE {
        if let Some(status) = child.try_wait().context("waiting for the browser")? {
            if status.success() {
                return Ok(());
            }
            return Err(with_hint(
                anyhow!("the browser command failed ({status})"),
                "print the URL instead with `alicli console --print`, or fix BROWSER",
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// A refusal of an OAuth profile's own STS credentials gets the likely reason and the way out:
/// Alibaba documents console federation for role sessions only (docs/protocol.md §10, unconfirmed
/// for a user's STS).
fn refused_hint(error: anyhow::Error, profile: &Profile) -> anyhow::Error {
    let refused = error
        .downcast_ref::<ServiceError>()
        .is_some_and(|e| e.status < 500);
    if !refused || profile.mode != Mode::OAuth {
        return error;
    }
    let name = &profile.name;
    let account = profile.alicli_account_id.as_deref().unwrap_or("ACCOUNT");
    with_hint(
        error.context(format!(
            "the console federation refused the signed-in user's own STS credentials of profile \
             `{name}`; Alibaba documents console sign-in for role sessions"
        )),
        format!(
            "open it as a role instead: `alicli configure set --profile {name}-role --mode \
             ChainableRamRoleArn --source-profile {name} --ram-role-arn acs:ram::{account}:role/ROLE`, \
             then `alicli console --profile {name}-role`"
        ),
    )
}
