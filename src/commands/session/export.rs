//! `alicli session export --output-file F`: the session, encrypted with a passphrase, in one file
//! of mode 0600 (or on stdout with `-`, to pipe it over SSH).

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use super::{Found, archive_passphrase, expired_reason, when};
use crate::atomic_file::{ensure_writable_target, write_atomic};
use crate::cli::SessionExportArgs;
use crate::clock;
use crate::commands::output;
use crate::commands::settings::Settings;
use crate::error::{SignInNeeded, with_hint};
use crate::session::archive::{SessionArchive, encode};
use crate::session::status::{SessionTimes, Verdict};

/// Runs `session export`.
pub async fn run(args: SessionExportArgs, settings: &Settings) -> Result<()> {
    let found = Found::load(settings, &args.profile)?;
    let now = clock::now_unix();
    let times = SessionTimes::of(&found.profile);
    if times.verdict(now) == Verdict::Expired {
        return Err(with_hint(
            SignInNeeded {
                profile: found.name.clone(),
                reason: format!(
                    "{}; there is nothing to export",
                    expired_reason(&times, now)
                ),
            },
            format!("sign in again with `{}`, then export", found.relogin()),
        ));
    }
    let to_stdout = args.output_file == Path::new("-");
    let path = &args.output_file;
    if !to_stdout {
        ensure_writable_target(path)?;
        if path.exists() && !args.force {
            return Err(with_hint(
                anyhow!("`{}` already exists; nothing was written", path.display()),
                "choose another `--output-file`, or add `--force` to overwrite it",
            ));
        }
    }
    let passphrase = archive_passphrase(settings, true)?;
    let archive =
        SessionArchive::from_profile(&found.profile, found.profile.alicli_account_id.clone(), now);
    let bytes = encode(&archive, &passphrase).context("cannot encrypt the session archive")?;
    if to_stdout {
        output::print_stdout(std::str::from_utf8(&bytes).expect("the archive is ASCII armor"))?;
    } else {
        // A temp file of mode 0600 renamed into place: the archive is never readable by others,
        // not even while it is written.
        write_atomic(path, &bytes)
            .with_context(|| format!("cannot write the session archive `{}`", path.display()))?;
    }
    let until = match archive.expires_at {
        Some(at) => format!("it can be used until {}", when(at, now)),
        None => "it can be used until its refresh token expires (the server did not say when)"
            .to_owned(),
    };
    let shown = if to_stdout {
        "standard output".to_owned()
    } else {
        format!("`{}` (mode 0600)", path.display())
    };
    stderrln!(
        "Exported session `{}` to {shown}, encrypted with your passphrase; {until}.",
        found.name
    );
    stderrln!(
        "On the other machine: alicli session import --session-archive {}",
        if to_stdout {
            "-".to_owned()
        } else {
            path.display().to_string()
        }
    );
    stderrln!(
        "Keep it secret: with the passphrase, it signs in as you. Both machines now share one \
         refresh token; if the server rotates refresh tokens, keep using the session on one only."
    );
    Ok(())
}
