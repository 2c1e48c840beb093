//! `alicli session export --output-file F`: the session, encrypted with a passphrase, in one file
//! of mode 0600 (or on stdout with `-`, to pipe it over SSH).

use std::path::Path;

use anyhow::{Context, Result, anyhow};

use super::{archive_passphrase, when};
use crate::atomic_file::{ensure_writable_target, write_atomic};
use crate::cli::SessionExportArgs;
use crate::clock;
use crate::commands::output;
use crate::commands::resolve::Target;
use crate::commands::settings::Settings;
use crate::error::{SignInNeeded, with_hint};
use crate::session::archive::{About, SessionArchive, encode};
use crate::session::state::Margins;
use crate::shellword::shell_word;
use crate::site::Site;

/// Passphrases shorter than this get a warning (they still work).
const GOOD_PASSPHRASE_CHARS: usize = 12;

/// Runs `session export`.
pub async fn run(args: SessionExportArgs, settings: &Settings) -> Result<()> {
    let target = Target::locate(settings, &args.profile)?;
    let profile = target.oauth_profile()?;
    let now = clock::now_unix();
    if let Some(reason) = profile.state(now, Margins::DEFAULT).sign_in_reason() {
        return Err(with_hint(
            SignInNeeded {
                profile: target.name.clone(),
                reason: format!("{reason}; there is nothing to export"),
            },
            format!(
                "sign in again with `{}`, then export",
                target.relogin(&profile)
            ),
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
    let length = passphrase.expose().chars().count();
    if length < GOOD_PASSPHRASE_CHARS {
        // Whoever gets the archive can guess offline, at scrypt's pace: length is what resists.
        stderrln!(
            "warning: the passphrase is only {length} characters long; anyone who gets the \
             archive can try passphrases offline, so {GOOD_PASSPHRASE_CHARS} or more (a few \
             words) protect it much better"
        );
    }
    let about = About {
        name: &target.name,
        site: profile.site().unwrap_or(Site::Cn),
        region_id: &profile.region_id,
        language: &profile.language,
    };
    let archive = SessionArchive::pack(about, &profile.oauth_session(), now);
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
        target.name
    );
    stderrln!(
        "On the other machine: alicli session import --session-archive {}",
        if to_stdout {
            "-".to_owned()
        } else {
            shell_word(&path.to_string_lossy())
        }
    );
    stderrln!(
        "Keep it secret: with the passphrase, it signs in as you. Both machines now share one \
         refresh token; if the server rotates refresh tokens, keep using the session on one only."
    );
    Ok(())
}
