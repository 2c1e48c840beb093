//! The checks that need no network: the profile file, the profile's expiry, the browser, and the
//! callback ports.

use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;

use super::Check;
use super::keychain::keychain_check;
use super::modes;
use crate::cli::ProfileArgs;
use crate::commands::resolve::{NameSource, choose_file, choose_name, login_command, relogin_for};
use crate::commands::settings::Settings;
use crate::commands::storage::Sessions;
use crate::error::Hint;
use crate::oauth::browser::{BrowserEnvironment, headless_reason};
use crate::oauth::callback::DEFAULT_PORTS;
use crate::profile::{ConfigFile, Mode, Profile, Storage, Store};
use crate::session::state::{Margins, RefreshToken, SessionTimes, State};
use crate::site::Site;
use crate::timefmt::{is_sane, relative, shown, to_rfc3339};

/// What the network checks need to know about the profile.
pub struct ProfileContext {
    /// The profile, when it was found.
    pub profile: Option<Profile>,
}

/// The profile file (exists, private, parses), the selected profile, and its expiry.
pub fn profile_checks(
    flags: &ProfileArgs,
    settings: &Settings,
    checks: &mut Vec<Check>,
    now: i64,
) -> Option<ProfileContext> {
    let (store, config_hint) = match choose_file(settings, flags.config_path.as_deref()) {
        Ok(chosen) => chosen,
        Err(error) => {
            checks.push(failure(
                "profile file",
                &error,
                "set HOME or pass `--config-path FILE`",
            ));
            return None;
        }
    };
    let path = store.path();
    let shown = path.display();
    let signin = login_command(None, Site::Cn, config_hint.as_deref());
    if !path.exists() {
        checks.push(Check::fail(
            "profile file",
            format!("`{shown}` does not exist yet"),
            format!("sign in with `{signin}`"),
        ));
        return Some(ProfileContext { profile: None });
    }
    let file = match store.load() {
        Ok(file) => file,
        Err(error) => {
            checks.push(failure(
                "profile file",
                &error,
                "fix or move the file aside",
            ));
            checks.extend(permissions_check(&store));
            return Some(ProfileContext { profile: None });
        }
    };
    let count = file.names().len();
    checks.push(Check::pass(
        "profile file",
        format!(
            "`{shown}` parses ({count} profile{})",
            if count == 1 { "" } else { "s" }
        ),
    ));
    if let Some(check) = permissions_check(&store) {
        checks.push(check);
    }
    checks.extend(shared_file_check(flags, settings, path));
    let login = |name: Option<&str>| login_command(name, Site::Cn, config_hint.as_deref());
    let mut profile = selected_profile(flags, settings, &file, &store, &login, checks);
    if let Some(profile) = &mut profile {
        let check = match profile.mode {
            Mode::OAuth => {
                let relogin = relogin_for(profile, config_hint.as_deref());
                if profile.storage == Storage::Keychain {
                    checks.push(keychain_check(profile, path, &relogin));
                }
                expiry_check(profile, &relogin, now)
            }
            _ => {
                let mut sessions = Sessions::new(&file, path);
                modes::expiry_check(&mut sessions, profile, config_hint.as_deref(), now)
            }
        };
        checks.push(check);
    } else {
        checks.push(Check::skip("profile expiry", "no profile to check"));
    }
    Some(ProfileContext { profile })
}

/// A file other than `~/.aliyun/config.json` works for alicli, but the official CLI (without its
/// own `--config-path`) and the Python, Java and Node SDKs read only that one; of the SDKs only Go
/// honours `ALIBABA_CLOUD_CONFIG_FILE` (docs/protocol.md §9). Said only when the path differs.
fn shared_file_check(flags: &ProfileArgs, settings: &Settings, path: &Path) -> Option<Check> {
    let source = if flags.config_path.is_some() {
        "`--config-path`"
    } else if settings.config_file.is_some() {
        "ALIBABA_CLOUD_CONFIG_FILE"
    } else {
        return None;
    };
    let default = Store::default_path(settings.home.as_deref()?);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if same(path, &default) {
        return None;
    }
    Some(Check::warn(
        "shared profile file",
        format!(
            "{source} points alicli at `{}`; the aliyun CLI and Alibaba's Python, Java and Node \
             SDKs read `{}` (only the Go SDK follows ALIBABA_CLOUD_CONFIG_FILE), so they do not \
             see these profiles",
            path.display(),
            default.display()
        ),
        "use the default file to share profiles, or hand credentials over with `alicli exec` or \
         `alicli export-credentials`",
    ))
}

fn failure(check: &str, error: &anyhow::Error, default_fix: &str) -> Check {
    let fix = error
        .downcast_ref::<Hint>()
        .map(|hint| hint.0.clone())
        .unwrap_or_else(|| default_fix.to_owned());
    let detail = error
        .chain()
        .map(|cause| cause.to_string())
        .filter(|text| *text != fix)
        .collect::<Vec<_>>()
        .join(": ");
    Check::fail(check, detail, fix)
}

#[cfg(unix)]
fn permissions_check(store: &Store) -> Option<Check> {
    use std::os::unix::fs::PermissionsExt;

    use crate::shellword::shell_word;
    let path = store.path();
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    if let Some(exposure) = store.exposure() {
        return Some(Check::fail(
            "profile file permissions",
            format!(
                "{}: they can change your profiles and plant a `process_command`",
                exposure.problem
            ),
            exposure.fix,
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    Some(if mode & 0o077 == 0 {
        Check::pass(
            "profile file permissions",
            format!("mode {mode:04o}, private to you"),
        )
    } else {
        Check::fail(
            "profile file permissions",
            format!("mode {mode:04o} lets other users read your tokens and keys"),
            format!("chmod 600 {}", shell_word(&path.to_string_lossy())),
        )
    })
}

#[cfg(not(unix))]
fn permissions_check(_store: &Store) -> Option<Check> {
    None
}

fn selected_profile(
    flags: &ProfileArgs,
    settings: &Settings,
    file: &ConfigFile,
    store: &Store,
    login: &dyn Fn(Option<&str>) -> String,
    checks: &mut Vec<Check>,
) -> Option<Profile> {
    let (check, name) = match choose_name(flags.profile.as_deref(), settings, file) {
        Some((name, NameSource::Current)) => ("current profile", name),
        Some((name, _)) => ("profile", name),
        None => {
            checks.push(Check::fail(
                "current profile",
                "the file names no current profile",
                format!("sign in with `{}`, or pass `--profile NAME`", login(None)),
            ));
            return None;
        }
    };
    match file.profile(&name, store.path()) {
        Ok(Some(profile)) => {
            checks.push(Check::pass(
                check,
                format!(
                    "`{name}` (mode {})",
                    if profile.mode == Mode::Unset {
                        "?"
                    } else {
                        profile.mode.as_str()
                    }
                ),
            ));
            Some(profile)
        }
        Ok(None) => {
            let known = file.names().join("`, `");
            checks.push(Check::fail(
                check,
                format!("`{name}` is not in the file (it has `{known}`)"),
                format!("sign in with `{}`", login(Some(&name))),
            ));
            None
        }
        Err(error) => {
            checks.push(failure(
                check,
                &error,
                "fix the profile in the file, or sign in again",
            ));
            None
        }
    }
}

/// Whether the profile can give credentials without a new browser sign-in.
fn expiry_check(profile: &Profile, relogin: &str, now: i64) -> Check {
    let check = "profile expiry";
    let state = profile.state(now, Margins::DEFAULT);
    match state {
        State::StaticKeys { expires_at: None } => {
            return Check::pass(check, "a long-term AccessKey; it does not expire");
        }
        State::StaticKeys { .. } | State::Elsewhere => {
            return Check::skip(
                check,
                format!(
                    "alicli does not check the expiry of mode `{}`",
                    profile.mode
                ),
            );
        }
        _ => {}
    }
    let at = |unix: i64| {
        if is_sane(unix) {
            format!("{} ({})", relative(unix, now), to_rfc3339(unix))
        } else {
            shown(unix)
        }
    };
    let times = SessionTimes::of(&profile.oauth_session());
    let sts = match times.sts_expires_at {
        Some(expiry) if expiry > now => format!("STS credentials expire {}", at(expiry)),
        Some(expiry) if expiry > 0 => format!("STS credentials expired {}", at(expiry)),
        _ => "no STS credentials".to_owned(),
    };
    let refresh = match times.refresh_token {
        RefreshToken::Absent => "no refresh token".to_owned(),
        RefreshToken::Present {
            expires_at: Some(expiry),
        } => format!(
            "the refresh token {} {}",
            if expiry <= now { "expired" } else { "expires" },
            at(expiry)
        ),
        RefreshToken::Present { expires_at: None } => {
            "a refresh token (its expiry is not recorded)".to_owned()
        }
    };
    let detail = format!("{sts}; {refresh}");
    if state.needs_sign_in() {
        Check::fail(check, detail, format!("sign in again with `{relogin}`"))
    } else {
        Check::pass(check, detail)
    }
}

/// Whether `configure` can open a browser here, or would have to show the URL for elsewhere.
pub fn browser_check(settings: &Settings) -> Check {
    let check = "browser";
    if let Some(browser) = &settings.browser {
        let program = shlex::split(browser).and_then(|words| words.into_iter().next());
        return match program {
            Some(program) if find_program(&program) => {
                Check::pass(check, format!("BROWSER=`{browser}` opens the sign-in page"))
            }
            _ => Check::fail(
                check,
                format!("BROWSER=`{browser}` names a program that is not found"),
                "fix BROWSER, or unset it to use the system's browser",
            ),
        };
    }
    // The same decision `alicli configure` makes (oauth::browser::headless_reason).
    let env = BrowserEnvironment {
        // Only reached without BROWSER (checked above).
        browser_set: false,
        ..settings.browser_environment(false)
    };
    let headless = |why: String| {
        Check::pass(
            check,
            format!(
                "{why}: the headless path would be used; `alicli configure` prints the sign-in \
                 URL to open in a browser elsewhere"
            ),
        )
    };
    if let Some(reason) = headless_reason(&env) {
        return headless(reason.to_string());
    }
    if cfg!(any(target_os = "macos", windows)) {
        return Check::pass(check, "the system's default browser opens the sign-in page");
    }
    match ["xdg-open", "gio", "gnome-open", "kde-open", "wslview"]
        .into_iter()
        .find(|program| find_program(program))
    {
        Some(opener) => Check::pass(check, format!("`{opener}` opens the default browser")),
        None => headless("no browser opener (xdg-open) is installed".to_owned()),
    }
}

/// True when `program` is a path to a file, or a name found on PATH.
fn find_program(program: &str) -> bool {
    if program.contains('/') {
        return Path::new(program).is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// Whether one of the callback ports Alibaba accepts is free on 127.0.0.1.
pub fn callback_ports_check() -> Check {
    let check = "callback ports";
    let (free, busy): (Vec<u16>, Vec<u16>) = DEFAULT_PORTS
        .clone()
        .partition(|port| TcpListener::bind((Ipv4Addr::LOCALHOST, *port)).is_ok());
    let list = |ports: &[u16]| {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match free.first() {
        Some(first) if busy.is_empty() => Check::pass(
            check,
            format!(
                "127.0.0.1 ports {} are free; sign-in uses {first}",
                list(&free)
            ),
        ),
        Some(first) => Check::pass(
            check,
            format!("sign-in uses 127.0.0.1:{first}; in use: {}", list(&busy)),
        ),
        None => Check::fail(
            check,
            format!("127.0.0.1 ports {} are all in use", list(&busy)),
            "stop what holds them (e.g. `ss -ltnp 'sport >= 12345 and sport <= 12349'`), or sign in \
             with `--callback-port PORT` (Alibaba may accept only 12345-12349)",
        ),
    }
}
