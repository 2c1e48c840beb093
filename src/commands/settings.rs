//! Everything the commands take from the environment, read once.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, anyhow};

use crate::cloud::endpoints::parse_endpoint;
use crate::cloud::metadata::METADATA_URL;
use crate::error::with_hint;
use crate::http::{Http, NetSettings, ProxySettings};
use crate::oauth::browser::BrowserEnvironment;
use crate::profile::Store;
use crate::renew::Network;
use crate::roles::RoleNetwork;
use crate::secret::Secret;
use url::Url;

/// The variable `alicli exec` sets for its child: the profile it runs with (nested runs warn).
pub const EXEC_VAR: &str = "ALICLI_EXEC";

/// The environment a command runs in.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The home directory.
    pub home: Option<PathBuf>,
    /// `ALIBABA_CLOUD_CONFIG_FILE`.
    pub config_file: Option<PathBuf>,
    /// The first of `ALIBABACLOUD_PROFILE`, `ALIBABA_CLOUD_PROFILE`, `ALICLOUD_PROFILE` that is
    /// set: its name and its value.
    pub profile_env: Option<(&'static str, String)>,
    /// `ALICLI_SIGNIN_URL`.
    pub signin_url: Option<String>,
    /// `ALICLI_OAUTH_URL`.
    pub oauth_url: Option<String>,
    /// `ALIBABA_CLOUD_STS_ENDPOINT`.
    pub sts_endpoint: Option<String>,
    /// `BROWSER`.
    pub browser: Option<String>,
    /// `ALICLI_DEPTH`: how many alicli processes run above this one (the recursion guard).
    pub depth: u32,
    /// `ALICLI_EXEC`: the profile of the `alicli exec` this process runs under, if any.
    pub exec_profile: Option<String>,
    /// `ALIBABA_CLOUD_CREDENTIALS_EXPIRATION`: when the keys that `exec` or an exported
    /// `export-credentials` put in this environment expire (RFC 3339).
    pub exported_expiration: Option<String>,
    /// `SSH_CONNECTION` (`client-ip client-port server-ip server-port`), or `-` when only
    /// `SSH_TTY` says this is an SSH session.
    pub ssh_connection: Option<String>,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// `USER`, for the `ssh -L` line of the headless sign-in.
    pub user: Option<String>,
    /// `ALICLI_ECS_METADATA_URL`: the instance metadata service, for tests and try-outs
    /// [default: http://100.100.100.200].
    pub ecs_metadata_url: Option<String>,
    /// `ALICLI_REVOKE_URL`: the RFC 7009 revocation endpoint, when one is configured.
    pub revoke_url: Option<String>,
    /// `ALICLI_SESSION_PASSPHRASE`: the session archive passphrase, for automation.
    pub session_passphrase: Option<Secret>,
    /// Proxy variables and `ALIBABA_CLOUD_CA_BUNDLE` (`--ca-bundle` overrides it).
    pub net: NetSettings,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The home directory as the official CLI and SDKs find it, so that all of them share one
/// ~/.aliyun/config.json: `USERPROFILE` on Windows (credentials-go, Python's `expanduser`), `HOME`
/// elsewhere, and the system's answer when that is unset.
fn home_dir() -> Option<PathBuf> {
    let name = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    var(name).map(PathBuf::from).or_else(dirs::home_dir)
}

impl Settings {
    /// Reads the environment.
    pub fn from_env() -> Self {
        Self {
            home: home_dir(),
            config_file: var("ALIBABA_CLOUD_CONFIG_FILE").map(PathBuf::from),
            profile_env: [
                "ALIBABACLOUD_PROFILE",
                "ALIBABA_CLOUD_PROFILE",
                "ALICLOUD_PROFILE",
            ]
            .into_iter()
            .find_map(|name| var(name).map(|value| (name, value))),
            signin_url: var("ALICLI_SIGNIN_URL"),
            oauth_url: var("ALICLI_OAUTH_URL"),
            sts_endpoint: var("ALIBABA_CLOUD_STS_ENDPOINT"),
            browser: var("BROWSER"),
            depth: var(crate::external::DEPTH_VAR)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            exec_profile: var(EXEC_VAR),
            exported_expiration: var(crate::export::vars::EXPIRATION),
            ssh_connection: var("SSH_CONNECTION")
                .or_else(|| var("SSH_TTY").map(|_| "-".to_owned())),
            display: var("DISPLAY").is_some() || var("WAYLAND_DISPLAY").is_some(),
            user: var("USER"),
            revoke_url: var("ALICLI_REVOKE_URL"),
            ecs_metadata_url: var("ALICLI_ECS_METADATA_URL"),
            session_passphrase: std::env::var("ALICLI_SESSION_PASSPHRASE")
                .ok()
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            net: NetSettings {
                proxies: ProxySettings::from_env(),
                ca_bundle: var("ALIBABA_CLOUD_CA_BUNDLE").map(PathBuf::from),
            },
        }
    }

    /// What renewal needs to reach the OAuth endpoints: the clients and the base overrides.
    pub fn network<'a>(&'a self, http: &'a Http) -> Network<'a> {
        Network {
            http,
            signin_override: self.signin_url.as_deref(),
            oauth_override: self.oauth_url.as_deref(),
            lock_notice: Arc::new(|name, pid| {
                let who = pid.map_or("another process".to_owned(), |pid| format!("process {pid}"));
                stderrln!(
                    "Waiting for {who}, which is renewing profile `{name}` (alicli holds a lock \
                     so that one renewal serves everyone)…"
                );
            }),
        }
    }

    /// What role renewal needs: the clients, the STS endpoint variable and the metadata service.
    pub fn role_network<'a>(&'a self, http: &'a Http) -> Result<RoleNetwork<'a>> {
        let metadata = match &self.ecs_metadata_url {
            Some(url) => parse_endpoint(url)
                .map_err(|e| e.context("ALICLI_ECS_METADATA_URL is not usable"))?,
            None => Url::parse(METADATA_URL).expect("a valid constant"),
        };
        Ok(RoleNetwork {
            http,
            sts_env: self.sts_endpoint.as_deref(),
            metadata,
            lock_notice: self.network(http).lock_notice,
        })
    }

    /// What the environment says about opening a browser (`configure`, `console`, `doctor`).
    pub fn browser_environment(&self, no_browser_flag: bool) -> BrowserEnvironment {
        BrowserEnvironment {
            no_browser_flag,
            browser_set: self.browser.is_some(),
            ssh: self.ssh_connection.is_some(),
            display: self.display,
            needs_display: cfg!(all(unix, not(target_os = "macos"))),
        }
    }

    /// The profile store: `--config-path`, else `ALIBABA_CLOUD_CONFIG_FILE`, else the default.
    pub fn store(&self, flag: Option<&Path>) -> Result<Store> {
        if let Some(path) = flag
            .map(Path::to_path_buf)
            .or_else(|| self.config_file.clone())
        {
            return Ok(Store::new(path));
        }
        let home = self.home.as_deref().ok_or_else(|| {
            with_hint(
                anyhow!("cannot find the home directory"),
                "set HOME, or name the profile file with `--config-path FILE`",
            )
        })?;
        Ok(Store::new(Store::default_path(home)))
    }
}
