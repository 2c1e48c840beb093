//! Opening the user's browser on the sign-in URL.

use std::process::{Command, Stdio};

use anyhow::{Result, bail};

/// Opens `url` with the command in `browser` (the `BROWSER` convention: `%s` is replaced by the
/// URL, or else comes as the last argument), or else with the system opener. The browser starts detached and does not inherit `ALIBABA_CLOUD_*`
/// variables, so it never sees credentials meant for this process.
pub fn open_browser(url: &str, browser: Option<&str>) -> Result<()> {
    let commands = match browser.filter(|value| !value.trim().is_empty()) {
        Some(setting) => browser_commands(setting, url)?,
        None => open::commands(url),
    };
    let mut last_error = None;
    for mut command in commands {
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ALIBABA_CLOUD_") {
                command.env_remove(&name);
            }
        }
        command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match command.spawn() {
            Ok(_) => return Ok(()),
            Err(error) => last_error = Some(error),
        }
    }
    match last_error {
        Some(error) => Err(anyhow::Error::new(error).context("could not start a browser")),
        None => bail!("no browser opener is available on this system"),
    }
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
    fn url_replaces_percent_s_or_comes_last() {
        let commands = browser_commands("firefox --new-window", "U").unwrap();
        assert_eq!(argv(&commands[0]), ["firefox", "--new-window", "U"]);
        let commands = browser_commands("'my browser' --x=%s --y", "U").unwrap();
        assert_eq!(argv(&commands[0]), ["my browser", "--x=U", "--y"]);
    }
}
