//! The profile settings a sign-in needs: the site and the default region. A flag wins; else what
//! the profile already holds, without a question, so that signing a profile in again asks
//! nothing; only what is still missing is asked, and only on a terminal.

use anyhow::Result;

use crate::commands::prompt;
use crate::error::{UsageError, with_hint};
use crate::profile::{Profile, check_region};
use crate::region;
use crate::site::Site;

/// The site: the flag, the profile's, or (asked on a terminal) CN.
pub fn choose_site(
    flag: Option<&str>,
    existing: Option<&Profile>,
    interactive: bool,
) -> Result<Site> {
    if let Some(text) = flag {
        return Site::parse(text).map_err(|e| UsageError(e.to_string()).into());
    }
    if let Some(stored) = existing
        .and_then(|p| p.oauth_site_type.as_deref())
        .and_then(|text| Site::parse(text).ok())
    {
        return Ok(stored);
    }
    if !interactive {
        return Ok(Site::Cn);
    }
    loop {
        let answer = prompt::ask("OAuth Site Type (CN: 0 or INTL: 1, default: CN): ", "CN")?;
        match Site::parse(&answer) {
            Ok(site) => return Ok(site),
            Err(error) => stderrln!("{error}"),
        }
    }
}

/// The default region: the flag, the profile's, or asked on a terminal. An id alicli does not
/// know is kept, with a warning naming the known ones close to it.
pub fn choose_region(
    flag: Option<&str>,
    existing: Option<&Profile>,
    site: Site,
    interactive: bool,
) -> Result<String> {
    if let Some(region) = flag {
        check_region(region).map_err(|e| UsageError(e.to_string()))?;
        warn_if_unknown(region);
        return Ok(region.to_owned());
    }
    if let Some(stored) = existing
        .map(|p| p.region_id.clone())
        .filter(|r| !r.is_empty())
    {
        return Ok(stored);
    }
    if !interactive {
        return Err(with_hint(
            UsageError(
                "no default region: standard input is not a terminal, so alicli cannot ask".into(),
            ),
            "pass the region with `--region ID`, e.g. `--region cn-hangzhou`",
        ));
    }
    let default = match site {
        Site::Cn => "cn-hangzhou",
        Site::Intl => "ap-southeast-1",
    };
    loop {
        let answer = prompt::ask(
            &format!("Default Region Id (default: {default}): "),
            default,
        )?;
        // Region ids match `^[a-zA-Z0-9-]*$`, as the official CLI checks (docs/protocol.md §4).
        match check_region(&answer) {
            Ok(()) => {
                warn_if_unknown(&answer);
                return Ok(answer);
            }
            Err(error) => stderrln!("{error}"),
        }
    }
}

/// Prints the unknown-region warning, if any.
pub fn warn_if_unknown(id: &str) {
    if let Some(warning) = region::warning(id) {
        stderrln!("{warning}");
    }
}
