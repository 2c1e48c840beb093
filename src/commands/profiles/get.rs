//! `alicli configure get [--profile X] [KEY…] [--show-secrets]`: print a profile, secrets masked.

use anyhow::{Result, anyhow};
use serde_json::{Map, Value};

use super::not_found;
use crate::cli::GetArgs;
use crate::commands::output;
use crate::commands::resolve::choose_name;
use crate::commands::settings::Settings;
use crate::error::with_hint;
use crate::secret::Secret;
use crate::shellword::shell_word;

/// Prints the whole profile as JSON, or one `KEY=VALUE` line per named key.
pub fn run(args: GetArgs, settings: &Settings) -> Result<()> {
    let config_path = args.profile.config_path.as_deref();
    let store = settings.store(config_path)?;
    let file = store.load()?;
    let Some((name, _)) = choose_name(args.profile.profile.as_deref(), settings, &file) else {
        return Err(with_hint(
            anyhow!(
                "no profile selected and `{}` has no current profile",
                store.path().display()
            ),
            "pass `--profile NAME`; `alicli configure list` shows the profiles",
        ));
    };
    let raw = file
        .raw_profile(&name)
        .ok_or_else(|| not_found(&name, &store, config_path))?;
    let shown = |key: &str, value: &Value| {
        if !args.show_secrets && is_secret_key(key) {
            masked(value)
        } else {
            value.clone()
        }
    };
    if args.keys.is_empty() {
        let profile: Map<String, Value> = raw
            .iter()
            .map(|(key, value)| (key.clone(), shown(key, value)))
            .collect();
        return output::print_json(&Value::Object(profile));
    }
    let mut lines = String::new();
    let mut missing = Vec::new();
    for asked in &args.keys {
        match stored_key(raw, asked) {
            Some(key) => {
                let value = shown(key, &raw[key]);
                lines.push_str(&format!("{asked}={}\n", plain(&value)));
            }
            None => missing.push(format!("`{asked}`")),
        }
    }
    if !missing.is_empty() {
        return Err(with_hint(
            anyhow!(
                "profile `{name}` has no {} {}",
                if missing.len() == 1 { "key" } else { "keys" },
                missing.join(", ")
            ),
            format!(
                "see all its keys with `alicli configure get --profile {}`",
                shell_word(&name)
            ),
        ));
    }
    output::print_stdout(&lines)
}

/// The key as stored: exactly as asked, else with `-` read as `_`, else a short alias.
fn stored_key<'a>(raw: &'a Map<String, Value>, asked: &str) -> Option<&'a str> {
    let normalized = asked.replace('-', "_");
    let alias = match normalized.as_str() {
        "region" => "region_id",
        "site" => "oauth_site_type",
        "profile" => "name",
        other => other,
    };
    [asked, normalized.as_str(), alias]
        .into_iter()
        .find_map(|key| raw.get_key_value(key).map(|(k, _)| k.as_str()))
}

/// Tokens, secrets, passwords and private keys, in every mode of the file (docs/protocol.md §4).
/// Key ids, expiry times and file paths are not secret.
fn is_secret_key(key: &str) -> bool {
    key.ends_with("_secret")
        || key.ends_with("_token")
        || key.contains("password")
        || key.contains("private_key")
}

/// `****` plus the last 4 characters; empty and non-text values are shown as they are.
fn masked(value: &Value) -> Value {
    match value {
        Value::String(text) if !text.is_empty() => {
            Value::String(Secret::new(text.as_str()).masked())
        }
        other => other.clone(),
    }
}

/// Text as it is; anything else as compact JSON; null as nothing.
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_recognized_in_every_mode() {
        for key in [
            "access_key_secret",
            "sts_token",
            "oauth_access_token",
            "oauth_refresh_token",
            "bearer_token",
            "cloud_sso_access_token",
            "private_key",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "access_key_id",
            "oauth_access_token_expire",
            "sts_expiration",
            "oidc_token_file",
            "region_id",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn keys_resolve_through_dashes_and_aliases() {
        let raw = json!({"name": "w", "region_id": "cn", "sts_endpoint": "x", "odd-key": 1});
        let raw = raw.as_object().unwrap();
        assert_eq!(stored_key(raw, "region"), Some("region_id"));
        assert_eq!(stored_key(raw, "sts-endpoint"), Some("sts_endpoint"));
        assert_eq!(stored_key(raw, "odd-key"), Some("odd-key"));
        assert_eq!(stored_key(raw, "profile"), Some("name"));
        assert_eq!(stored_key(raw, "mode"), None);
        assert_eq!(masked(&json!("abcdefghijklmnop")), json!("****mnop"));
        assert_eq!(masked(&json!(null)), json!(null));
        assert_eq!(plain(&json!(12)), "12");
    }
}
