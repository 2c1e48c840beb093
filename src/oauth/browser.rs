//! Opening the user's browser on the sign-in URL, and deciding when not to try.

use std::process::{Child, Command, Stdio};

use anyhow::{Result, bail};

/// What the environment says about opening a browser, read by the command layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowserEnvironment {
    /// `--no-browser` was given.
    pub no_browser_flag: bool,
    /// `BROWSER` is set (to something non-blank).
    pub browser_set: bool,
    /// `SSH_CONNECTION` or `SSH_TTY` is set: this is a remote shell.
    pub ssh: bool,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// The system needs a display server to show a browser (Linux and the other X11 Unixes;
    /// macOS and Windows open browsers without one).
    pub needs_display: bool,
}

/// Why the sign-in goes headless: the URL is printed and the code can be pasted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadlessReason {
    /// `--no-browser`.
    Flag,
    /// A remote shell without `BROWSER`.
    Ssh,
    /// No display server without `BROWSER`.
    NoDisplay,
    /// The opener could not start or reported a failure.
    OpenerFailed(String),
}

impl std::fmt::Display for HeadlessReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeadlessReason::Flag => f.write_str("--no-browser was given"),
            HeadlessReason::Ssh => f.write_str("this is an SSH session"),
            HeadlessReason::NoDisplay => {
                f.write_str("there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
            }
            HeadlessReason::OpenerFailed(why) => {
                write!(f, "the browser could not be opened: {why}")
            }
        }
    }
}

/// Decides, before trying, whether a browser can be opened here. An explicit `BROWSER` wins over
/// the guesses: the user said how to open one (a text browser over SSH, a script that forwards
/// the URL), so only `--no-browser` or a failure of that command makes the sign-in headless.
pub fn headless_reason(env: &BrowserEnvironment) -> Option<HeadlessReason> {
    if env.no_browser_flag {
        Some(HeadlessReason::Flag)
    } else if env.browser_set {
        None
    } else if env.ssh {
        Some(HeadlessReason::Ssh)
    } else if env.needs_display && !env.display {
        Some(HeadlessReason::NoDisplay)
    } else {
        None
    }
}

/// Opens `url` with the command in `browser` (the `BROWSER` convention: `%s` is replaced by the
/// URL, or else comes as the last argument), or else with the system opener. The browser starts
/// detached and inherits none of the variables that carry credentials or alicli's own secrets
/// ([`is_credential_variable`]), so it never sees what was meant for this process. The started process is returned so the caller can notice an opener that
/// exits with a failure (`xdg-open` on a server without a browser does).
pub fn open_browser(url: &str, browser: Option<&str>) -> Result<Child> {
    let commands = match browser.filter(|value| !value.trim().is_empty()) {
        Some(setting) => browser_commands(setting, url)?,
        None => open::commands(url),
    };
    let mut last_error = None;
    for mut command in commands {
        for (name, _) in std::env::vars_os() {
            if is_credential_variable(&name.to_string_lossy()) {
                command.env_remove(&name);
            }
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match command.spawn() {
            Ok(child) => return Ok(child),
            Err(error) => last_error = Some(error),
        }
    }
    match last_error {
        Some(error) => Err(anyhow::Error::new(error).context("could not start a browser")),
        None => bail!("no browser opener is available on this system"),
    }
}

/// Variables a browser must not inherit: the families the official tools and Terraform read
/// credentials from, OSS's, and alicli's own (the session passphrase among them).
pub fn is_credential_variable(name: &str) -> bool {
    [
        "ALIBABA_CLOUD_",
        "ALIBABACLOUD_",
        "ALICLOUD_",
        "ALICLI_",
        "OSS_",
    ]
    .iter()
    .any(|prefix| name.starts_with(prefix))
}

/// Turns a `BROWSER` value into the command to run. The value is one command line, split like a
/// shell would (without running one), so paths with spaces can be quoted.
fn browser_commands(setting: &str, url: &str) -> Result<Vec<Command>> {
    let Some(mut words) = shlex::split(setting).filter(|words| !words.is_empty()) else {
        bail!("cannot parse the BROWSER setting `{setting}`");
    };
    if words.iter().any(|word| word.contains("%s")) {
        for word in &mut words {
            *word = word.replace("%s", url);
        }
    } else {
        words.push(url.to_owned());
    }
    let mut command = Command::new(&words[0]);
    command.args(&words[1..]);
    Ok(vec![command])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(command: &Command) -> Vec<String> {
        std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(|s| s.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn browser_setting_wins_and_ssh_or_no_display_go_headless() {
        let linux = BrowserEnvironment {
            needs_display: true,
            ..Default::default()
        };
        assert_eq!(headless_reason(&linux), Some(HeadlessReason::NoDisplay));
        let with_display = BrowserEnvironment {
            display: true,
            ..linux.clone()
        };
        assert_eq!(headless_reason(&with_display), None);
        let ssh = BrowserEnvironment {
            ssh: true,
            ..with_display.clone()
        };
        assert_eq!(headless_reason(&ssh), Some(HeadlessReason::Ssh));
        let browser = BrowserEnvironment {
            browser_set: true,
            ..linux.clone()
        };
        assert_eq!(headless_reason(&browser), None, "BROWSER set, no DISPLAY");
        let browser_ssh = BrowserEnvironment {
            ssh: true,
            ..browser
        };
        assert_eq!(headless_reason(&browser_ssh), None, "BROWSER set over SSH");
        let flag = BrowserEnvironment {
            no_browser_flag: true,
            ..browser_ssh
        };
        assert_eq!(headless_reason(&flag), Some(HeadlessReason::Flag));
        let mac = BrowserEnvironment::default();
        assert_eq!(headless_reason(&mac), None);
    }

    #[test]
    fn url_replaces_percent_s_or_comes_last() {
        let commands = browser_commands("firefox --new-window", "U").unwrap();
        assert_eq!(argv(&commands[0]), ["firefox", "--new-window", "U"]);
        let commands = browser_commands("'my browser' --x=%s --y", "U").unwrap();
        assert_eq!(argv(&commands[0]), ["my browser", "--x=U", "--y"]);
    }
}
