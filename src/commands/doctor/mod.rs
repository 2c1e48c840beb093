//! `alicli doctor`: checks what a sign-in and a call depend on, and prints each with its fix. It
//! only reads: it renews nothing and writes nothing, so it is safe to run at any time.

mod keychain;
mod local;
mod modes;
mod network;
mod shared;

use anyhow::{Result, anyhow};
use serde::Serialize;

use super::output;
use super::settings::Settings;
use crate::cli::DoctorArgs;
use crate::clock;
use crate::http::Http;

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Broken: the fix says what to do. Any failure makes the exit code 1.
    Fail,
    /// Could not be checked (e.g. no profile to look at); never a failure on its own.
    Skip,
    /// Works, with a risk worth knowing (other users logged in) or a setting other tools may not
    /// follow; the advice says what to do. Never a failure.
    Warn,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked, e.g. "profile file".
    pub check: String,
    /// The outcome.
    pub status: Status,
    /// What was found.
    pub detail: String,
    /// What to do about a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn pass(check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            status: Status::Pass,
            detail: detail.into(),
            fix: None,
        }
    }

    fn fail(check: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::with_fix(Status::Fail, check.into(), detail.into(), fix.into())
    }

    fn warn(check: impl Into<String>, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::with_fix(Status::Warn, check.into(), detail.into(), fix.into())
    }

    fn with_fix(status: Status, check: String, detail: String, fix: String) -> Self {
        Self {
            check,
            status,
            detail,
            fix: Some(fix),
        }
    }

    fn skip(check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            status: Status::Skip,
            detail: detail.into(),
            fix: None,
        }
    }
}

/// Runs every check, prints the report on stdout, and fails (exit 1) if any check failed.
pub async fn run(args: DoctorArgs, settings: &Settings, http: &Http) -> Result<()> {
    let mut checks = Vec::new();
    let context = local::profile_checks(&args.profile, settings, &mut checks, clock::now_unix());
    checks.extend(network::proxy_and_bundle_checks(http));
    let probes = network::endpoint_checks(http, settings, context.as_ref()).await;
    checks.extend(probes.checks);
    checks.push(network::clock_check(probes.server_date, clock::now_unix()));
    checks.push(local::browser_check(settings));
    checks.push(local::callback_ports_check());
    checks.push(shared::shared_machine_check());

    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    if args.json {
        output::print_json(&serde_json::json!({"ok": failed == 0, "checks": checks}))?;
    } else {
        output::print_for_people(&render(&checks))?;
    }
    if failed > 0 {
        let see = if args.json {
            "each failed check has its `fix`"
        } else {
            "see the fixes above"
        };
        return Err(anyhow!("{failed} of {} checks failed; {see}", checks.len()));
    }
    Ok(())
}

/// The report for people: one line per check, the fix indented under a failure.
pub fn render(checks: &[Check]) -> String {
    let mut out = String::new();
    for check in checks {
        let mark = match check.status {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Skip => "–",
            Status::Warn => "!",
        };
        out.push_str(&format!("{mark} {}: {}\n", check.check, check.detail));
        if let Some(fix) = &check.fix {
            let label = match check.status {
                Status::Warn => "advice",
                _ => "fix",
            };
            out.push_str(&format!("    {label}: {fix}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_marks_each_check_and_indents_the_fix() {
        let text = render(&[
            Check::pass("profile file", "`f` parses"),
            Check::fail("clock", "10 min behind", "set the clock"),
            Check::skip("profile expiry", "no profile"),
            Check::warn("other users", "bob logged in", "use --no-browser"),
            Check::warn("shared file", "elsewhere", "unset it"),
        ]);
        assert_eq!(
            text,
            "✓ profile file: `f` parses\n✗ clock: 10 min behind\n    fix: set the clock\n– profile expiry: no profile\n\
             ! other users: bob logged in\n    advice: use --no-browser\n\
             ! shared file: elsewhere\n    advice: unset it\n"
        );
    }
}
