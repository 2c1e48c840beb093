//! Waiting for the sign-in to come back: through the loopback listener, or, when no browser can be
//! opened here (headless: SSH, no display, `--no-browser`, a failing opener), also as a pasted
//! address or code. Whichever arrives first wins.

use std::time::Duration;

use anyhow::{Result, anyhow};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::reach::Reachability;
use crate::cloud::endpoints::OAuthEndpoints;
use crate::commands::interrupt::Interrupt;
use crate::commands::prompt;
use crate::commands::settings::Settings;
use crate::error::{Interrupted, with_hint};
use crate::oauth::browser::{HeadlessReason, headless_reason, open_browser};
use crate::oauth::callback::{CallbackResult, CallbackServer};
use crate::oauth::paste::{Pasted, parse_pasted};
use crate::secret::Secret;
use crate::site::Site;

/// What came back.
pub struct Arrival {
    /// The code or the refusal.
    pub result: CallbackResult,
    /// A bare pasted code: no `state` vouched for it, so a refusal at the token endpoint means
    /// "wrong code, paste again" rather than the end of the sign-in.
    pub bare_code: bool,
}

/// The facts the instructions show.
pub struct SignInPage<'a> {
    /// The authorize URL.
    pub url: &'a str,
    /// The loopback port actually bound.
    pub port: u16,
    /// The site, for the first line.
    pub site: Site,
    /// The hosts the sign-in needs, checked in the background while it waits.
    pub endpoints: &'a OAuthEndpoints,
}

/// The wait for one sign-in.
pub struct Waiter {
    /// `None`: no limit (`--timeout 0`).
    deadline: Option<Instant>,
    timeout: Duration,
    reach: Reachability,
    state: Secret,
    reading: bool,
    opener: Option<oneshot::Receiver<String>>,
    ssh_line: String,
    port: u16,
    url: String,
    interrupt: Interrupt,
}

impl Waiter {
    /// Shows the URL, opens the browser unless the sign-in is headless, and starts the clock.
    pub async fn start(
        page: &SignInPage<'_>,
        settings: &Settings,
        no_browser: bool,
        state: Secret,
        timeout: Duration,
    ) -> Result<Self> {
        let env = settings.browser_environment(no_browser);
        let mut waiter = Self {
            deadline: (!timeout.is_zero()).then(|| Instant::now() + timeout),
            timeout,
            reach: Reachability::start(&settings.net, page.endpoints),
            state,
            reading: false,
            opener: None,
            ssh_line: ssh_line(page.port, settings),
            port: page.port,
            url: page.url.to_owned(),
            // Registered before "Waiting…" is printed: a Ctrl-C right after that line exits 130.
            interrupt: Interrupt::install()?,
        };
        let headless = headless_reason(&env).or_else(|| {
            stderrln!(
                "Opening the browser to sign in to Alibaba Cloud ({}). If it does not open, visit:",
                page.site
            );
            stderrln!("SignIn url: {}", page.url);
            match open_browser(page.url, settings.browser.as_deref()) {
                Ok(child) => {
                    waiter.opener = Some(watch_opener(child));
                    None
                }
                Err(error) => Some(HeadlessReason::OpenerFailed(format!("{error:#}"))),
            }
        });
        match headless {
            Some(reason @ HeadlessReason::OpenerFailed(_)) => {
                stderrln!("warning: {reason}; finish the sign-in from any device with a browser.");
                waiter.go_headless();
            }
            Some(reason) => {
                stderrln!(
                    "Sign in to Alibaba Cloud ({}) in a browser on any device; alicli opens none \
                     here because {reason}.",
                    page.site
                );
                stderrln!("SignIn url: {}", page.url);
                waiter.go_headless();
            }
            None => stderrln!(
                "Waiting for the sign-in on http://127.0.0.1:{}/cli/callback ({}; Ctrl-C to cancel)...",
                page.port,
                waiter.time_left()
            ),
        }
        Ok(waiter)
    }

    /// "up to 300 s", or "no time limit".
    fn time_left(&self) -> String {
        match self.deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                format!("up to {} s", left.as_millis().div_ceil(1000).max(1))
            }
            None => "no time limit".to_owned(),
        }
    }

    /// Prints how to finish without a local browser, and starts reading pasted lines.
    fn go_headless(&mut self) {
        let port = self.port;
        stderrln!("Then finish in either of two ways:");
        stderrln!(
            "  - before signing in, forward the callback port from the machine with the browser, \
             and the sign-in completes by itself:"
        );
        stderrln!("      {}", self.ssh_line);
        stderrln!(
            "  - or, after signing in, copy the address the browser ended on \
             (http://127.0.0.1:{port}/cli/callback?code=...; the page itself will not load) and \
             paste it here; the code alone works too."
        );
        stderrln!(
            "Waiting for the sign-in on http://127.0.0.1:{port}/cli/callback ({}; Ctrl-C to cancel)...",
            self.time_left()
        );
        self.reading = true;
        if prompt::interactive() {
            prompt::show_prompt("Paste the address or code: ");
        } else {
            stderrln!("Reading the address or code from standard input.");
        }
    }

    /// Asks for another paste after a bare code was refused by the server.
    pub fn paste_again(&self, why: &str) {
        stderrln!("error: {why}");
        self.reprompt();
    }

    fn reprompt(&self) {
        if self.reading && prompt::interactive() {
            prompt::show_prompt("Paste the address or code: ");
        }
    }

    /// The next thing that arrives: the listener's result or a valid paste. Wrong pastes are
    /// answered on stderr and the wait goes on; a closed stdin leaves the listener waiting.
    pub async fn next(&mut self, server: &mut CallbackServer) -> Result<Arrival> {
        loop {
            let reading = self.reading;
            let opener = &mut self.opener;
            let opener = async {
                match opener.as_mut() {
                    Some(receiver) => receiver.await.ok(),
                    None => std::future::pending().await,
                }
            };
            let interrupt = self.interrupt.recv();
            let deadline = self.deadline;
            let timeout = async {
                match deadline {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            };
            let probing = self.reach.pending();
            let reach = self.reach.finish();
            let event = tokio::select! {
                result = server.next_result() => Event::Callback(result),
                line = prompt::next_line(), if reading => Event::Line(line),
                failure = opener => Event::OpenerEnded(failure),
                warning = reach, if probing => Event::Reached(warning),
                () = timeout => Event::Timeout,
                () = interrupt => Event::Interrupted,
            };
            match event {
                Event::Callback(Some(result)) => {
                    if self.reading && prompt::interactive() {
                        stderrln!();
                    }
                    return Ok(Arrival {
                        result,
                        bare_code: false,
                    });
                }
                Event::Callback(None) => {
                    return Err(anyhow!(
                        "the sign-in callback listener stopped unexpectedly"
                    ));
                }
                Event::Line(None) => {
                    // EOF: a script closed stdin, or none was given; the listener may still win.
                    self.reading = false;
                    stderrln!(
                        "Standard input was closed, so nothing more can be pasted; still waiting \
                         for the browser's redirect to http://127.0.0.1:{}/cli/callback ({}).",
                        self.port,
                        self.time_left()
                    );
                }
                Event::Reached(Some(warning)) => {
                    if self.reading && prompt::interactive() {
                        stderrln!();
                    }
                    stderrln!("{warning}");
                    self.reprompt();
                }
                Event::Reached(None) => {}
                Event::Line(Some(line)) if line.trim().is_empty() => self.reprompt(),
                Event::Line(Some(line)) => match parse_pasted(&line, self.state.expose()) {
                    Ok(Pasted::Callback(result)) => {
                        return Ok(Arrival {
                            result,
                            bare_code: false,
                        });
                    }
                    Ok(Pasted::BareCode(code)) => {
                        return Ok(Arrival {
                            result: CallbackResult::Code(code),
                            bare_code: true,
                        });
                    }
                    Err(refusal) => {
                        stderrln!(
                            "error: {refusal}. Still waiting: paste again, or finish in the browser."
                        );
                        self.reprompt();
                    }
                },
                // A receiver must not be polled again once it has answered.
                Event::OpenerEnded(None) => self.opener = None,
                Event::OpenerEnded(Some(failure)) => {
                    self.opener = None;
                    if !self.reading {
                        let reason = HeadlessReason::OpenerFailed(failure);
                        stderrln!(
                            "warning: {reason}; finish the sign-in from any device with a browser:"
                        );
                        stderrln!("SignIn url: {}", self.url);
                        self.go_headless();
                    }
                }
                Event::Timeout => {
                    return Err(with_hint(
                        anyhow!(
                            "no sign-in arrived within {} s; nothing was written",
                            self.timeout.as_secs()
                        ),
                        self.reach.timeout_hint(),
                    ));
                }
                Event::Interrupted => return Err(Interrupted.into()),
            }
        }
    }
}

enum Event {
    Callback(Option<CallbackResult>),
    Line(Option<String>),
    /// The browser command ended: with the failure, or `None` when it succeeded.
    OpenerEnded(Option<String>),
    /// The background reachability check finished: a warning when a host cannot be reached.
    Reached(Option<String>),
    Timeout,
    Interrupted,
}

/// Waits for the opener in a thread; reports a failure exit (an opener that keeps running, like a
/// browser started directly, simply never reports).
fn watch_opener(mut child: std::process::Child) -> oneshot::Receiver<String> {
    let (sender, receiver) = oneshot::channel();
    std::thread::spawn(move || {
        if let Ok(status) = child.wait()
            && !status.success()
        {
            let _ = sender.send(format!("the browser command exited with {status}"));
        }
    });
    receiver
}

/// `ssh -L P:127.0.0.1:P <host>`, with the host this SSH session came in on when known.
fn ssh_line(port: u16, settings: &Settings) -> String {
    let server = settings
        .ssh_connection
        .as_deref()
        .map(|text| text.split_whitespace().collect::<Vec<_>>())
        .filter(|parts| parts.len() == 4);
    let host = match server {
        Some(parts) => {
            let user = settings
                .user
                .as_deref()
                .map(|user| format!("{user}@"))
                .unwrap_or_default();
            let port_flag = match parts[3] {
                "22" => String::new(),
                other => format!("-p {other} "),
            };
            format!("{port_flag}{user}{}", parts[2])
        }
        None => "<host>".to_owned(),
    };
    format!("ssh -L {port}:127.0.0.1:{port} {host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ssh_line_names_the_port_and_the_host_this_session_came_in_on() {
        let mut settings = Settings::default();
        assert_eq!(
            ssh_line(12345, &settings),
            "ssh -L 12345:127.0.0.1:12345 <host>"
        );
        settings.ssh_connection = Some("10.0.0.9 50000 10.0.0.5 22".into());
        settings.user = Some("dev".into());
        assert_eq!(
            ssh_line(12346, &settings),
            "ssh -L 12346:127.0.0.1:12346 dev@10.0.0.5"
        );
        settings.ssh_connection = Some("10.0.0.9 50000 10.0.0.5 2222".into());
        settings.user = None;
        assert_eq!(
            ssh_line(1, &settings),
            "ssh -L 1:127.0.0.1:1 -p 2222 10.0.0.5"
        );
    }
}
