//! The second step of a sign-in: bind the listener, open the browser, wait for the code, redeem
//! it. The listener stops when this step ends, however it ends (the server stops on drop).

use std::time::Duration;

use anyhow::Result;

use super::plan::Plan;
use super::wait::{SignInPage, Waiter};
use super::{refused, sign_in_failed};
use crate::clock;
use crate::commands::settings::Settings;
use crate::http::retry::{Retry, request_transience, with_retries};
use crate::http::{Http, RequestError};
use crate::oauth::authorize::{authorize_url, redirect_uri};
use crate::oauth::callback::{CallbackResult, CallbackServer, bind_listener};
use crate::oauth::pkce::AuthorizationRequest;
use crate::oauth::token::{TokenSet, redeem_code};

/// How the user is asked to sign in.
pub struct Asking {
    /// `--callback-port` (the first free default port when absent).
    pub callback_port: Option<u16>,
    /// `--no-browser`.
    pub no_browser: bool,
    /// `--timeout`.
    pub timeout: Duration,
}

/// Runs the browser part of the sign-in and returns the redeemed tokens.
pub async fn authorize(
    plan: &Plan,
    asking: &Asking,
    settings: &Settings,
    http: &Http,
) -> Result<TokenSet> {
    // Bound before the URL is shown, so the redirect can never find the port taken.
    let listener = bind_listener(asking.callback_port)?;
    let port = listener.local_addr()?.port();
    let request = AuthorizationRequest::new_random();
    let redirect = redirect_uri(port);
    let url = authorize_url(
        &plan.endpoints.authorize_url(),
        plan.site.client_id(),
        &redirect,
        request.state.expose(),
        &request.challenge,
    );
    let mut server = CallbackServer::start(listener, request.state.clone())?;
    let page = SignInPage {
        url: url.as_str(),
        port,
        site: plan.site,
        endpoints: &plan.endpoints,
    };
    let mut waiter = Waiter::start(
        &page,
        settings,
        asking.no_browser,
        request.state.clone(),
        asking.timeout,
    )
    .await?;
    let tokens = loop {
        let arrival = waiter.next(&mut server).await?;
        let code = match arrival.result {
            CallbackResult::Code(code) => code,
            CallbackResult::Refused { error, description } => {
                return Err(refused(&plan.name, &error, description));
            }
        };
        let token_url = plan.endpoints.token_url();
        let client_id = plan.site.client_id();
        let redeemed = with_retries(
            "redeeming the authorization code",
            Retry::Unsent,
            request_transience,
            || {
                let now = clock::now_unix();
                redeem_code(
                    http,
                    &token_url,
                    client_id,
                    &code,
                    &redirect,
                    &request.verifier,
                    now,
                )
            },
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
                return Err(sign_in_failed(
                    error,
                    "redeeming the authorization code failed",
                    &plan.relogin,
                ));
            }
        }
    };
    // A graceful stop, so the browser gets its "signed in" page; an early return drops it.
    server.stop().await;
    Ok(tokens)
}
