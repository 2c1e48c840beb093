//! `alicli-emulator`: a local emulator of Alibaba Cloud's OAuth sign-in, token, exchange and STS
//! endpoints (with role sessions), the console federation endpoint and the ECS metadata service,
//! for tests and for trying alicli offline. Loopback only.
//!
//!     cargo run --bin alicli-emulator            # prints the URL and the variables to export
//!     alicli-emulator browse URL                 # plays the browser (use as BROWSER)

mod browse;
mod faults;
mod federation;
mod metadata;
mod oauth;
mod roles;
mod state;
mod sts;
mod verify;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{any, get, post, put};
use axum::{Json, Router};
use clap::{Parser, Subcommand};
use serde_json::{Value, json};

/// The state every handler shares.
pub type Shared = Arc<Mutex<state::State>>;

/// A local emulator of Alibaba Cloud's sign-in, OAuth and STS endpoints.
#[derive(Parser)]
#[command(name = "alicli-emulator", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the endpoints (the default).
    Serve(ServeArgs),
    /// Play the user's browser on an authorize URL (use `BROWSER="alicli-emulator browse"`).
    Browse {
        /// First try the callback with a forged state.
        #[arg(long)]
        wrong_state_first: bool,
        /// Write the final callback URL to FILE instead of visiting it.
        #[arg(long, value_name = "FILE")]
        write_final_url: Option<PathBuf>,
        /// The authorize URL.
        url: String,
    },
}

#[derive(clap::Args, Clone)]
struct ServeArgs {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Settings as JSON, e.g. '{"sts_lifetime": 60, "deny": true}' (see GET /__emulator/config).
    #[arg(long, value_name = "JSON")]
    settings: Option<String>,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Some(Command::Browse {
            wrong_state_first,
            write_final_url,
            url,
        }) => runtime.block_on(browse::browse(
            &url,
            browse::BrowseOptions {
                wrong_state_first,
                write_final_url,
            },
        )),
        Some(Command::Serve(args)) => runtime.block_on(serve(args)),
        None => runtime.block_on(serve(cli.serve)),
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let settings: state::Settings = match &args.settings {
        Some(text) => {
            serde_json::from_str(text).context("--settings is not valid settings JSON")?
        }
        None => state::Settings::default(),
    };
    let shared: Shared = Arc::new(Mutex::new(state::State::new(settings)));
    let listener =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
            .await
            .context("cannot bind 127.0.0.1")?;
    let url = format!("http://{}", listener.local_addr()?);
    let (key_id, key_secret) = shared.lock().unwrap().static_key.clone();
    // First line on stdout: machine-readable, for tests.
    println!(
        "{}",
        json!({"url": url, "access_key_id": key_id, "access_key_secret": key_secret})
    );
    // A test tool started by hand: a panic on a broken stderr is acceptable here (clippy.toml
    // disallows `eprintln!` for alicli itself).
    #[allow(clippy::disallowed_macros)]
    {
        eprintln!("{}", try_out_instructions(&url));
    }
    let app = Router::new()
        .route("/oauth2/v1/auth", get(oauth::authorize))
        .route("/v1/token", post(oauth::token))
        .route("/v1/exchange", post(oauth::exchange))
        .route("/v1/revoke", post(oauth::revoke))
        .route("/", any(sts::api))
        .route(
            "/federation",
            get(federation::login).post(federation::get_signin_token),
        )
        .route("/latest/api/token", put(metadata::token))
        .route(
            "/latest/meta-data/ram/security-credentials/",
            get(metadata::role_name),
        )
        .route(
            "/latest/meta-data/ram/security-credentials/{role}",
            get(metadata::credentials),
        )
        .route("/__emulator/oidc-token", post(oidc_token))
        .route("/__emulator/stats", get(stats))
        .route("/__emulator/config", get(get_config).post(set_config))
        .route("/__emulator/revoke", post(faults::revoke))
        .route("/__emulator/fail", post(faults::add))
        .route("/__emulator/secrets", get(secrets))
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            faults::inject,
        ))
        .layer(axum::middleware::map_response_with_state(
            shared.clone(),
            date_header,
        ))
        .with_state(shared);
    axum::serve(listener, app).await?;
    Ok(())
}

/// Every answer carries the emulator's clock in `Date`, as real servers do (RFC 9110 §6.6.1).
async fn date_header(State(shared): State<Shared>, mut response: Response) -> Response {
    let now = shared.lock().unwrap().now();
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(now.max(0) as u64);
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(at)) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

async fn stats(State(shared): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(&shared.lock().unwrap().counters).unwrap_or_default())
}

async fn get_config(State(shared): State<Shared>) -> Json<Value> {
    Json(serde_json::to_value(&shared.lock().unwrap().settings).unwrap_or_default())
}

/// Merges the posted keys into the settings.
async fn set_config(State(shared): State<Shared>, Json(patch): Json<Value>) -> Json<Value> {
    let mut state = shared.lock().unwrap();
    let mut current = serde_json::to_value(&state.settings).unwrap_or_default();
    if let (Some(current), Some(patch)) = (current.as_object_mut(), patch.as_object()) {
        for (key, value) in patch {
            current.insert(key.clone(), value.clone());
        }
    }
    if let Ok(settings) = serde_json::from_value(current) {
        state.settings = settings;
    }
    Json(serde_json::to_value(&state.settings).unwrap_or_default())
}

/// Every secret issued or received so far.
async fn secrets(State(shared): State<Shared>) -> Json<Value> {
    Json(json!(shared.lock().unwrap().secrets_seen))
}

/// Issues an OIDC token that `AssumeRoleWithOIDC` accepts, as a CI system would.
async fn oidc_token(State(shared): State<Shared>) -> Json<Value> {
    let mut state = shared.lock().unwrap();
    let token = format!(
        "eyJ{}.eyJ{}.{}",
        state::random_text(20),
        state::random_text(60),
        state::random_text(43)
    );
    state.oidc_tokens.insert(token.clone());
    state.secrets_seen.push(token.clone());
    Json(json!({"token": token}))
}

/// What a newcomer types in another shell to try the whole flow against this emulator, with the
/// paths of the binaries that sit beside this one (debug or release, whichever is running).
fn try_out_instructions(url: &str) -> String {
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("alicli-emulator"));
    let alicli = me.with_file_name(format!("alicli{}", std::env::consts::EXE_SUFFIX));
    let alicli = if alicli.is_file() {
        alicli.display().to_string()
    } else {
        "alicli".to_owned()
    };
    format!(
        "alicli-emulator listening on {url}\n\
         (the JSON line on stdout repeats this URL and the emulator's AccessKey for scripts)\n\n\
         Try the whole flow offline, in another shell:\n  \
         export ALICLI_SIGNIN_URL={url} ALICLI_OAUTH_URL={url} ALIBABA_CLOUD_STS_ENDPOINT={url}\n  \
         export BROWSER=\"'{me}' browse\" HOME=\"$(mktemp -d)\"\n  \
         '{alicli}' configure --profile demo --mode OAuth --region cn-hangzhou --callback-port 0\n  \
         '{alicli}' sts GetCallerIdentity --profile demo\n\n\
         Counters: GET {url}/__emulator/stats",
        me = me.display()
    )
}
