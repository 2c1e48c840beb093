//! The errors a caller branches on, the hint line, and the exit code table of README.

use std::fmt;

/// Exit codes, documented in README.
pub mod exit {
    /// Something failed.
    pub const FAILURE: u8 = 1;
    /// The command line was wrong (clap uses the same code).
    pub const USAGE: u8 = 2;
    /// Sign-in needed: not signed in (no file, no profile), never signed in, signed out, the
    /// session expired, or the grant was refused.
    pub const SIGN_IN_NEEDED: u8 = 4;
    /// `exec`: the command could not be run (not executable), as shells report it.
    pub const CANNOT_EXECUTE: u8 = 126;
    /// `exec`: the command was not found, as shells report it.
    pub const NOT_FOUND: u8 = 127;
    /// Interrupted by Ctrl-C.
    pub const INTERRUPTED: u8 = 130;
}

/// The one line that tells the user what to run next. Attach it with `.context(Hint::new(..))` or
/// [`with_hint`]; `main` prints it last, after the causes.
#[derive(Debug, Clone)]
pub struct Hint(pub String);

impl Hint {
    /// A hint; by habit it names the exact command to run.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Wraps an error with a hint line.
pub fn with_hint(error: impl Into<anyhow::Error>, hint: impl Into<String>) -> anyhow::Error {
    error.into().context(Hint::new(hint))
}

/// The session cannot be renewed without a new browser sign-in (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("profile `{profile}` needs a new sign-in: {reason}")]
pub struct SignInNeeded {
    /// The profile that needs it.
    pub profile: String,
    /// What happened, with the server's words where there were any.
    pub reason: String,
}

/// Nothing is signed in where the command looked: no profile file, no profile selected, or no
/// profile of that name. Like an expired session, the fix is a sign-in (exit code 4).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct NotSignedIn(pub String);

/// The user pressed Ctrl-C while we waited.
#[derive(Debug, thiserror::Error)]
#[error("interrupted; nothing was written")]
pub struct Interrupted;

/// `alicli exec` could not start its command (exit code 127 when it does not exist, else 126).
#[derive(Debug, thiserror::Error)]
#[error("cannot run `{program}`")]
pub struct CannotRun {
    /// The program as given.
    pub program: String,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// The exit code for an error, per README's table.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if let Some(cannot) = error.downcast_ref::<CannotRun>() {
        return match cannot.source.kind() {
            std::io::ErrorKind::NotFound => exit::NOT_FOUND,
            _ => exit::CANNOT_EXECUTE,
        };
    }
    if error.downcast_ref::<SignInNeeded>().is_some()
        || error.downcast_ref::<NotSignedIn>().is_some()
    {
        exit::SIGN_IN_NEEDED
    } else if error.downcast_ref::<Interrupted>().is_some() {
        exit::INTERRUPTED
    } else if error.downcast_ref::<UsageError>().is_some() {
        exit::USAGE
    } else {
        exit::FAILURE
    }
}

/// A request that got no answer: name resolution, connection, TLS, a timeout, or a cut-off body.
/// Rendering adds a hint naming `alicli doctor` and the route the request took.
#[derive(Debug, thiserror::Error)]
#[error("{what} failed")]
pub struct NetworkFailure {
    /// The request, e.g. "the token request to `https://…`".
    pub what: String,
    /// `direct`, or `via proxy `…`` with credentials masked.
    pub route: String,
    /// What the connection reported.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl NetworkFailure {
    /// The hint line that ends every network failure: `alicli doctor` and the route, or just the
    /// route when the hint before it already named `alicli doctor`.
    pub fn hint(&self, doctor_named: bool) -> String {
        let route = if self.route == "direct" {
            "direct (no proxy)".to_owned()
        } else {
            self.route.clone()
        };
        if doctor_named {
            return format!("the request went {route}");
        }
        format!(
            "`alicli doctor` checks the network step by step (DNS, TCP, TLS, proxy); this request \
             went {route}"
        )
    }
}

/// A command line that clap accepted but that cannot work (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Text from the network made safe to print: control characters escaped, at most `max` characters.
pub fn printable(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (index, c) in text.chars().enumerate() {
        if index == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Renders an error for stderr: `error: what failed`, the causes, then `hint: the fix`; a network
/// failure ends with the hint naming `alicli doctor` and the route.
pub fn render(error: &anyhow::Error) -> String {
    let hint = error.downcast_ref::<Hint>().map(|h| h.0.clone());
    let mut lines = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if Some(&text) == hint.as_ref() || lines.last() == Some(&text) {
            continue;
        }
        lines.push(text);
    }
    let mut out = String::new();
    for (index, line) in lines.iter().enumerate() {
        if index == 0 {
            out.push_str(&format!("error: {line}\n"));
        } else {
            out.push_str(&format!("  caused by: {line}\n"));
        }
    }
    let doctor_named = hint.as_ref().is_some_and(|h| h.contains("alicli doctor"));
    if let Some(hint) = hint {
        out.push_str(&format!("hint: {hint}\n"));
    }
    if let Some(failure) = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<NetworkFailure>())
    {
        out.push_str(&format!("hint: {}\n", failure.hint(doctor_named)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn render_puts_the_hint_last_and_skips_it_in_the_chain() {
        let error = Err::<(), _>(anyhow::anyhow!("connection refused"))
            .context("failed to reach `https://oauth.aliyun.com`")
            .context(Hint::new("check your network, then run `alicli configure`"))
            .unwrap_err();
        assert_eq!(
            render(&error),
            "error: failed to reach `https://oauth.aliyun.com`\n  caused by: connection refused\nhint: check your network, then run `alicli configure`\n"
        );
    }

    #[test]
    fn a_network_failure_ends_with_doctor_and_the_route() {
        let failure = || {
            anyhow::Error::new(NetworkFailure {
                what: "the token request".into(),
                route: "via proxy `http://proxy:3128/`".into(),
                source: "connection refused".into(),
            })
        };
        assert_eq!(
            render(&failure()),
            "error: the token request failed\n  caused by: connection refused\nhint: `alicli \
             doctor` checks the network step by step (DNS, TCP, TLS, proxy); this request went \
             via proxy `http://proxy:3128/`\n"
        );
        // A hint that already names doctor is not repeated; the route still is.
        let error = with_hint(failure(), "check the service with `alicli doctor`");
        assert!(
            render(&error).ends_with(
                "hint: check the service with `alicli doctor`\nhint: the request went via proxy \
                 `http://proxy:3128/`\n"
            ),
            "{}",
            render(&error)
        );
        assert_eq!(exit_code(&failure()), exit::FAILURE);
    }

    #[test]
    fn sign_in_needed_maps_to_4_through_context() {
        let error = anyhow::Error::new(SignInNeeded {
            profile: "work".into(),
            reason: "refused".into(),
        })
        .context("renewal failed");
        assert_eq!(exit_code(&error), 4);
        assert_eq!(exit_code(&anyhow::anyhow!("x")), 1);
    }
}
