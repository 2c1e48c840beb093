//! `alicli configure list [--output table|json]`: every profile, one line each.

use anyhow::Result;
use serde_json::{Value, json};

use crate::cli::{ListArgs, ListFormat};
use crate::clock;
use crate::commands::output;
use crate::commands::settings::Settings;
use crate::commands::storage::Sessions;
use crate::profile::summary::{Summary, Validity, summarize};
use crate::profile::{Storage, keys};
use crate::term;
use crate::timefmt::{self, to_rfc3339};

/// Lists the profiles of the file; the current one is marked `*` (`"current": true` in JSON).
pub fn run(args: ListArgs, settings: &Settings) -> Result<()> {
    let store = settings.store(args.config_path.as_deref())?;
    let file = store.load()?;
    let now = clock::now_unix();
    let mut sessions = Sessions::new(&file, store.path());
    let rows: Vec<Summary> = file
        .raw_profiles()
        .map(|raw| {
            let name = raw
                .get(keys::NAME)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let profile = sessions.profile(name);
            let state = sessions.state(name, now);
            summarize(raw, profile.as_ref(), state, now)
        })
        .collect();
    if let Some(fault) = sessions.fault() {
        stderrln!(
            "warning: {fault}; the validity of keychain profiles is not shown; `alicli doctor` checks the keychain"
        );
    }
    let current = file.current();
    if let Some(current) = current
        && !rows.iter().any(|row| row.name == current)
    {
        stderrln!(
            "warning: the current profile `{current}` is not in {}; choose one with `alicli configure switch --profile NAME`",
            store.path().display()
        );
    }
    match args.output {
        ListFormat::Json => output::print_json(&as_json(current, &rows)),
        ListFormat::Table if rows.is_empty() => {
            stderrln!(
                "No profiles in {}; sign in with `alicli login`.",
                store.path().display()
            );
            Ok(())
        }
        ListFormat::Table => output::print_for_people(&table(current, &rows)),
    }
}

/// `{"current": …, "profiles": [{name, current, mode, storage, site, region, validity,
/// valid_until, account_id}]}`; absent values are `null`, times RFC 3339 UTC. No secrets.
fn as_json(current: Option<&str>, rows: &[Summary]) -> Value {
    let profiles: Vec<Value> = rows
        .iter()
        .map(|row| {
            let valid_until = match row.validity {
                Validity::Until(at) => Value::String(to_rfc3339(at)),
                _ => Value::Null,
            };
            json!({
                "name": row.name,
                "current": Some(row.name.as_str()) == current,
                "mode": row.mode,
                "storage": row.storage.map(Storage::as_str),
                "site": row.site,
                "region": row.region,
                "validity": row.validity.as_str(),
                "valid_until": valid_until,
                "account_id": row.account,
            })
        })
        .collect();
    json!({"current": current, "profiles": profiles})
}

/// Columns `Profile | Mode | Storage | Site | Region | Valid until | Account`, in the style of
/// `aliyun configure list`.
fn table(current: Option<&str>, rows: &[Summary]) -> String {
    let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
    let mut cells: Vec<[String; 7]> = vec![[
        "Profile".into(),
        "Mode".into(),
        "Storage".into(),
        "Site".into(),
        "Region".into(),
        "Valid until".into(),
        "Account".into(),
    ]];
    for row in rows {
        let mut name = row.name.clone();
        if Some(row.name.as_str()) == current {
            name.push_str(" *");
        }
        let validity = match row.validity {
            Validity::Until(at) => timefmt::shown(at),
            Validity::Expired => "expired".into(),
            Validity::Renewable => "renewable".into(),
            Validity::Never => "never".into(),
            Validity::SignedOut => "signed out".into(),
            Validity::Unknown => "-".into(),
        };
        let mode = if row.mode.is_empty() {
            "-".to_owned()
        } else {
            row.mode.clone()
        };
        // Every cell but the validity comes from the file: filtered before widths are measured.
        cells.push(
            [
                name,
                mode,
                dash(&row.storage.map(|s| s.as_str().to_owned())),
                dash(&row.site),
                dash(&row.region),
                validity,
                dash(&row.account),
            ]
            .map(|cell| term::clean(&cell).into_owned()),
        );
    }
    let mut widths = [0usize; 7];
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let render = |line: &[String]| {
        let padded: Vec<String> = line
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("{}\n", padded.join(" | ").trim_end())
    };
    let mut out = render(&cells[0]);
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&render(&rule));
    for line in &cells[1..] {
        out.push_str(&render(line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_aligned_and_marks_the_current_profile() {
        let rows = [
            Summary {
                name: "work".into(),
                mode: "OAuth".into(),
                storage: Some(Storage::Keychain),
                site: Some("CN".into()),
                region: Some("cn-hangzhou".into()),
                validity: Validity::Until(1_795_341_600),
                account: Some("1234567890123456".into()),
            },
            Summary {
                name: "ak".into(),
                mode: "AK".into(),
                storage: None,
                site: None,
                region: None,
                validity: Validity::Never,
                account: None,
            },
        ];
        assert_eq!(
            table(Some("work"), &rows),
            "Profile | Mode  | Storage  | Site | Region      | Valid until          | Account\n\
             ------- | ----- | -------- | ---- | ----------- | -------------------- | ----------------\n\
             work *  | OAuth | keychain | CN   | cn-hangzhou | 2026-11-22T10:00:00Z | 1234567890123456\n\
             ak      | AK    | -        | -    | -           | never                | -\n"
        );
        let value = as_json(Some("work"), &rows);
        assert_eq!(value["profiles"][0]["current"], true);
        assert_eq!(value["profiles"][0]["valid_until"], "2026-11-22T10:00:00Z");
        assert_eq!(value["profiles"][0]["storage"], "keychain");
        assert_eq!(value["profiles"][1]["storage"], Value::Null);
        assert_eq!(value["profiles"][1]["validity"], "never");
        assert_eq!(value["profiles"][1]["site"], Value::Null);
    }
}
