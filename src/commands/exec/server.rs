//! `alicli exec --server`: the child gets `ALIBABA_CLOUD_CREDENTIALS_URI`, pointing at a loopback
//! endpoint that renews as needed, so a job can run for hours. alicli stays as the parent: it
//! forwards signals to the child, stops serving when the child exits, and returns its exit code.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::Mutex;

use super::child::{Handover, child_command, exit_code, server_vars};
use crate::cli::ExecArgs;
use crate::clock;
use crate::cloud::credentials::Credentials;
use crate::commands::export::families;
use crate::commands::resolve::Target;
use crate::commands::settings::Settings;
use crate::credserver::{Backoff, Fetch, fresh_enough, random_path, router};
use crate::error::{CannotRun, UsageError, with_hint};
use crate::http::Http;
use crate::loopback::server::{Limits, bind, serve};
use crate::profile::Mode;

/// The endpoint's limits: the callback listener's, but a fetch may wait for a renewal (a refresh
/// and an exchange of up to 30 s each), so a connection may last longer.
fn limits() -> Limits {
    Limits {
        connection_lifetime: Duration::from_secs(90),
        ..Limits::default()
    }
}

/// What the endpoint serves until it is no longer fresh enough.
struct Cached {
    credentials: Credentials,
    obtained_at: i64,
}

/// What the endpoint holds between fetches.
struct Served {
    cached: Cached,
    backoff: Backoff,
}

/// Renews for the endpoint, one renewal at a time.
struct Renewer {
    target: Target,
    settings: Settings,
    http: Http,
    min_ttl: i64,
    state: Mutex<Served>,
}

impl Renewer {
    /// The credentials to serve: the cached ones while fresh enough, else new ones. When renewal
    /// fails, the cached ones are served as long as they have not expired, and renewal is not
    /// tried again until the back-off allows.
    async fn current(&self) -> Result<Credentials, String> {
        let mut state = self.state.lock().await;
        let now = clock::now_unix();
        let cache = &state.cached;
        let expiration = cache.credentials.expiration.unwrap_or(0);
        if fresh_enough(expiration, cache.obtained_at, now, self.min_ttl) {
            return Ok(cache.credentials.clone());
        }
        let error = match state.backoff.waiting(now) {
            Some(error) => error.to_owned(),
            None => match self.fetch().await {
                Ok(fresh) => {
                    state.backoff.succeeded();
                    state.cached = fresh;
                    return Ok(state.cached.credentials.clone());
                }
                Err(error) => {
                    let text = crate::error::render(&error).trim_end().to_owned();
                    stderrln!(
                        "alicli exec: renewing the credentials of profile `{}` failed:\n{text}",
                        self.target.name
                    );
                    state.backoff.failed(text.clone(), now);
                    text
                }
            },
        };
        if expiration > clock::now_unix() {
            return Ok(state.cached.credentials.clone());
        }
        Err(error)
    }

    async fn fetch(&self) -> Result<Cached> {
        obtain(&self.target, &self.settings, &self.http, self.min_ttl).await
    }
}

async fn obtain(target: &Target, settings: &Settings, http: &Http, min_ttl: i64) -> Result<Cached> {
    // Twice min_ttl: credentials reused from the file then keep min_ttl even if their true
    // lifetime (which only a fresh exchange tells) were twice what is left of them.
    let resolved = target
        .current_credentials(settings, http, min_ttl.saturating_mul(2))
        .await?;
    Ok(Cached {
        credentials: resolved.credentials,
        obtained_at: clock::now_unix(),
    })
}

/// Runs the command under the endpoint; returns its exit code.
pub fn run(args: ExecArgs, settings: &Settings, target: Target) -> Result<u8> {
    let profile = target.settings()?;
    if matches!(profile.mode, Mode::Ak | Mode::StsToken) {
        return Err(with_hint(
            UsageError(format!(
                "profile `{}` holds fixed keys (mode `{}`), which an endpoint cannot renew",
                target.name, profile.mode
            )),
            "run the command with `alicli exec` without `--server`",
        ));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the async runtime")?;
    let code = runtime.block_on(serve_and_wait(args, settings, target, profile.region_id));
    // A renewal may still wait for the lock on the blocking pool; the command has ended, so
    // alicli ends too instead of waiting for it.
    runtime.shutdown_background();
    code
}

async fn serve_and_wait(
    args: ExecArgs,
    settings: &Settings,
    target: Target,
    region: String,
) -> Result<u8> {
    // Its own clients: the endpoint outlives this call and serves from a spawned task.
    let http = Http::new(settings.net.clone());
    let name = target.name.clone();
    // The first credentials before the child starts: a sign-in problem stops here, with its hint.
    let first = obtain(&target, settings, &http, args.min_ttl).await?;
    if first.credentials.expiration.is_none() {
        // The SDKs require an `Expiration` from the endpoint (docs/protocol.md §7).
        return Err(with_hint(
            UsageError(format!(
                "profile `{name}` gives credentials without an expiry, which the endpoint cannot serve"
            )),
            "run the command with `alicli exec` without `--server`",
        ));
    }
    warn_about_http_proxy(settings);
    let first_credentials = first.credentials.clone();
    let renewer = Arc::new(Renewer {
        target,
        settings: settings.clone(),
        http,
        min_ttl: args.min_ttl,
        state: Mutex::new(Served {
            cached: first,
            backoff: Backoff::default(),
        }),
    });

    let listener = bind(0).context("cannot listen on 127.0.0.1 for the credentials endpoint")?;
    let path = random_path();
    let uri = format!("http://{}{path}", listener.local_addr()?);
    let fetch: Fetch = Arc::new(move || {
        let renewer = renewer.clone();
        Box::pin(async move { renewer.current().await })
    });
    // Served like the sign-in callback: own `Host` only, header and lifetime limits, a
    // connection cap at which idle connections make room (a local flood cannot lock the child
    // out, nor exhaust alicli's file descriptors).
    let (stop, stopped) = tokio::sync::oneshot::channel();
    let server = tokio::spawn(serve(listener, router(path, fetch), limits(), stopped));

    let signals = Signals::listen()?;
    let vars = server_vars(
        &uri,
        &Handover {
            credentials: &first_credentials,
            region: &region,
            profile: &name,
            families: &families(&args.families),
        },
    );
    let command = child_command(&args.command, &vars, settings, &name);
    let mut child = tokio::process::Command::from(command)
        .spawn()
        .map_err(|source| CannotRun {
            program: args.command[0].to_string_lossy().into_owned(),
            source,
        })?;
    let status = signals.forward_until_exit(&mut child).await;
    drop(stop);
    server.abort();
    Ok(exit_code(status?))
}

/// Alibaba's Python SDK sends plain-HTTP requests, the one for the credentials URI included,
/// through `HTTP_PROXY` and ignores `NO_PROXY`: the proxy would learn the endpoint's secret path.
/// (The Go SDK never proxies loopback.) alicli cannot take the variable from the child, which may
/// need it, so it says so.
fn warn_about_http_proxy(settings: &Settings) {
    if settings.net.proxies.http.is_some() {
        stderrln!(
            "warning: HTTP_PROXY is set; Alibaba's Python SDK sends its request for the \
             credentials endpoint (secret path included) through that proxy, ignoring NO_PROXY\n  \
             to keep it on this machine: `env -u HTTP_PROXY -u http_proxy alicli exec --server …`"
        );
    }
}

/// The signals alicli passes on to the child while it waits.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    /// Installed before the child starts, so no signal can kill alicli and orphan the child.
    fn listen() -> Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    async fn forward_until_exit(
        mut self,
        child: &mut tokio::process::Child,
    ) -> Result<std::process::ExitStatus> {
        let pid = child.id().map(|id| id as libc::pid_t);
        loop {
            let signal = tokio::select! {
                status = child.wait() => return Ok(status?),
                _ = self.interrupt.recv() => {
                    // Ctrl-C at the terminal reaches the whole foreground group, the child too;
                    // passing it on would deliver it twice.
                    if in_terminal_foreground() { continue; }
                    libc::SIGINT
                }
                _ = self.terminate.recv() => libc::SIGTERM,
                _ = self.hangup.recv() => libc::SIGHUP,
            };
            if let Some(pid) = pid {
                // SAFETY: kill(2) has no memory-safety preconditions; the child is not reaped
                // until `wait` returns above, so its pid cannot have been reused.
                unsafe {
                    libc::kill(pid, signal);
                }
            }
        }
    }
}

/// True when alicli is in the terminal's foreground process group (where Ctrl-C lands).
#[cfg(unix)]
fn in_terminal_foreground() -> bool {
    // SAFETY: isatty, tcgetpgrp and getpgrp only read process state; the fds are the std ones.
    (0..3).any(|fd| unsafe { libc::isatty(fd) == 1 && libc::tcgetpgrp(fd) == libc::getpgrp() })
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn listen() -> Result<Self> {
        Ok(Self)
    }

    /// On Windows the console delivers Ctrl-C to the child itself; alicli only must not die of it.
    async fn forward_until_exit(
        self,
        child: &mut tokio::process::Child,
    ) -> Result<std::process::ExitStatus> {
        loop {
            tokio::select! {
                status = child.wait() => return Ok(status?),
                _ = tokio::signal::ctrl_c() => continue,
            }
        }
    }
}
