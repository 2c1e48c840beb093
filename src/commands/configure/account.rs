//! Signing a profile in again: which account it had, and whether to replace it with another.
//!
//! The account id is recorded in the profile under `alicli_account_id` at every sign-in (other
//! tools ignore the key). The Go and Java SDKs drop unknown keys when they write a profile back,
//! so when the key is gone the stored STS credentials, if still valid, are asked with
//! GetCallerIdentity instead; when neither works, the previous account is unknown and no question
//! is asked.

use crate::http::Http;
use anyhow::{Result, anyhow};
use serde_json::Value;
use url::Url;

use crate::cloud::sts::{SignatureVersion, get_caller_identity, new_nonce};
use crate::commands::prompt;
use crate::error::with_hint;
use crate::profile::{Mode, Profile};
use crate::term;

/// The account a GetCallerIdentity answer names, through the terminal filter: it is stored in
/// the profile, where `configure list` and other tools show it.
pub fn account_of(identity: &Value) -> Option<String> {
    identity
        .get("AccountId")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(|id| term::clean(id).into_owned())
}

/// The account the existing OAuth profile is signed in to, when it can be told.
pub async fn previous_account(
    existing: Option<&Profile>,
    http: &Http,
    endpoint: &Url,
    now: i64,
) -> Option<String> {
    let profile = existing.filter(|p| p.mode == Mode::OAuth)?;
    if let Some(id) = profile
        .alicli_account_id
        .clone()
        .filter(|id| !id.is_empty())
    {
        return Some(id);
    }
    let session = profile.oauth_session();
    let credentials = session.sts_keeping(now, 30)?;
    let identity = get_caller_identity(
        http,
        endpoint,
        credentials,
        SignatureVersion::V3,
        now,
        &new_nonce(),
    )
    .await
    .ok()?;
    account_of(&identity)
}

/// Decides whether a sign-in to `new` may replace profile `name` of account `old`: yes when they
/// are the same or `force`; on a terminal, the user says; otherwise no, with the flag to use.
pub fn allow_replacement(name: &str, old: &str, new: &str, force: bool) -> Result<()> {
    if old == new || force {
        return Ok(());
    }
    let what = format!(
        "profile `{name}` was signed in to account {old}, but this sign-in is to account {new}"
    );
    if prompt::interactive() {
        let question = format!("P{}. Replace it?", &what[1..]);
        if prompt::confirm(&question)? {
            return Ok(());
        }
        return Err(with_hint(
            anyhow!("kept profile `{name}` as it was; nothing was written"),
            "to keep both, sign in under another name with `--profile NAME`",
        ));
    }
    Err(with_hint(
        anyhow!("{what}; nothing was written"),
        "to replace it, run the command again with `--force`; to keep both, pick another name with `--profile NAME`",
    ))
}
