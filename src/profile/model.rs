//! The `config.json` model shared with the official CLI and SDKs (docs/protocol.md §4).
//!
//! The file is kept as JSON values so that every profile and key we do not understand survives a
//! rewrite; typed views are read out of it, and changes are written back field by field.

use std::path::Path;

use anyhow::{Result, bail};
use serde_json::{Map, Value};

use super::typed::Profile;

/// The whole profile file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    root: Map<String, Value>,
}

impl ConfigFile {
    /// An empty file, shaped as the official CLI writes it.
    pub fn empty() -> Self {
        let mut root = Map::new();
        root.insert("current".into(), Value::String(String::new()));
        root.insert("profiles".into(), Value::Array(Vec::new()));
        root.insert("meta_path".into(), Value::String(String::new()));
        Self { root }
    }

    /// Parses and checks the shape; `path` is only for messages.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Self> {
        let shown = path.display();
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            anyhow::anyhow!(
                "`{shown}` is not valid JSON: {} at line {}, column {}",
                describe_json_error(&e),
                e.line(),
                e.column()
            )
        })?;
        let Value::Object(root) = value else {
            bail!(
                "`{shown}` must hold a JSON object with `profiles`, but holds {}",
                kind(&value)
            );
        };
        match root.get("current") {
            None | Some(Value::String(_)) | Some(Value::Null) => {}
            Some(other) => bail!(
                "`current` in `{shown}` must be a string, not {}",
                kind(other)
            ),
        }
        match root.get("profiles") {
            None | Some(Value::Null) => {}
            Some(Value::Array(profiles)) => {
                for (index, profile) in profiles.iter().enumerate() {
                    match profile.get("name") {
                        Some(Value::String(_)) if profile.is_object() => {}
                        _ => bail!(
                            "profile #{} in `{shown}` must be an object with a string `name`",
                            index + 1
                        ),
                    }
                }
            }
            Some(other) => bail!(
                "`profiles` in `{shown}` must be a list, not {}",
                kind(other)
            ),
        }
        Ok(Self { root })
    }

    /// The file as pretty JSON, ending in a newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(&self.root).expect("JSON values serialize");
        bytes.push(b'\n');
        bytes
    }

    /// The `current` profile name, if set and non-empty.
    pub fn current(&self) -> Option<&str> {
        self.root
            .get("current")
            .and_then(Value::as_str)
            .filter(|name| !name.is_empty())
    }

    /// Makes `name` the current profile.
    pub fn set_current(&mut self, name: &str) {
        self.root
            .insert("current".into(), Value::String(name.to_owned()));
    }

    fn profiles(&self) -> &[Value] {
        self.root
            .get("profiles")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The profile names in file order.
    pub fn names(&self) -> Vec<&str> {
        self.profiles()
            .iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect()
    }

    /// The raw JSON of one profile.
    pub fn raw_profile(&self, name: &str) -> Option<&Map<String, Value>> {
        self.profiles()
            .iter()
            .filter_map(Value::as_object)
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
    }

    /// The typed view of one profile; a field of the wrong type is an error naming it.
    pub fn profile(&self, name: &str, path: &Path) -> Result<Option<Profile>> {
        let Some(raw) = self.raw_profile(name) else {
            return Ok(None);
        };
        let profile = Profile::from_raw(raw, path).map_err(|e| {
            anyhow::anyhow!("profile `{name}` in `{}` is malformed: {e}", path.display())
        })?;
        Ok(Some(profile))
    }

    /// Sets fields of a profile, creating the profile (at the end) when it does not exist. Only
    /// the given keys change; everything else in the profile stays as it was.
    pub fn set_fields(
        &mut self,
        name: &str,
        fields: impl IntoIterator<Item = (&'static str, Value)>,
    ) {
        let profiles = self
            .root
            .entry("profiles")
            .or_insert_with(|| Value::Array(Vec::new()));
        if !profiles.is_array() {
            *profiles = Value::Array(Vec::new());
        }
        let list = profiles.as_array_mut().expect("made an array above");
        let index = match list
            .iter()
            .position(|p| p.get("name").and_then(Value::as_str) == Some(name))
        {
            Some(index) => index,
            None => {
                let mut entry = Map::new();
                entry.insert("name".into(), Value::String(name.to_owned()));
                list.push(Value::Object(entry));
                list.len() - 1
            }
        };
        let entry = list[index].as_object_mut().expect("profiles are objects");
        for (key, value) in fields {
            entry.insert(key.to_owned(), value);
        }
    }

    /// Removes one key of a profile; returns whether it was there.
    pub fn remove_field(&mut self, name: &str, key: &str) -> bool {
        self.root
            .get_mut("profiles")
            .and_then(Value::as_array_mut)
            .and_then(|list| {
                list.iter_mut()
                    .filter_map(Value::as_object_mut)
                    .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            })
            .is_some_and(|profile| profile.remove(key).is_some())
    }

    /// The raw profiles in file order, for listings; entries that are not objects are skipped.
    pub fn raw_profiles(&self) -> impl Iterator<Item = &Map<String, Value>> {
        self.profiles().iter().filter_map(Value::as_object)
    }

    /// Removes a profile; returns whether it existed.
    pub fn remove(&mut self, name: &str) -> bool {
        let Some(list) = self.root.get_mut("profiles").and_then(Value::as_array_mut) else {
            return false;
        };
        let before = list.len();
        list.retain(|p| p.get("name").and_then(Value::as_str) != Some(name));
        before != list.len()
    }
}

/// Checks a region id against `^[a-zA-Z0-9-]*$`, as the official CLI does before any call
/// (docs/protocol.md §4). An empty id is refused too: it can only be a mistake on a command line.
pub fn check_region(region: &str) -> Result<()> {
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        bail!(
            "invalid region id `{}`: use letters, digits and `-`, e.g. cn-hangzhou",
            region.escape_debug()
        );
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// serde_json's message without its own " at line … column …" suffix (we add ours).
fn describe_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "current": "ak",
        "profiles": [
            {"name": "ak", "mode": "AK", "access_key_id": "id", "access_key_secret": "s", "x_unknown": {"deep": [1, 2]}},
            {"name": "work", "mode": "OAuth", "sts_expiration": "1795341600", "oauth_access_token_expire": 1795341600.0}
        ],
        "meta_path": "",
        "future_top_level": true
    }"#;

    #[test]
    fn set_fields_keeps_unknown_keys_and_other_profiles() {
        let path = Path::new("config.json");
        let mut file = ConfigFile::parse(SAMPLE.as_bytes(), path).unwrap();
        file.set_fields("work", [("region_id", Value::from("cn-shanghai"))]);
        file.set_fields("new", [("mode", Value::from("OAuth"))]);
        let reparsed = ConfigFile::parse(&file.to_bytes(), path).unwrap();
        assert_eq!(reparsed.names(), ["ak", "work", "new"]);
        assert_eq!(
            reparsed.raw_profile("ak").unwrap()["x_unknown"]["deep"][1],
            2
        );
        assert_eq!(reparsed.root["future_top_level"], true);
        let work = reparsed.profile("work", path).unwrap().unwrap();
        assert_eq!(work.region_id, "cn-shanghai");
        assert_eq!(work.sts_expiration, 1_795_341_600);
        assert_eq!(work.oauth_access_token_expire, 1_795_341_600);
    }

    #[test]
    fn a_rewrite_keeps_other_tools_numbers_exactly() {
        // Found by the `config_file` fuzz target (fuzz/seeds/config_file/float-drift.json): with
        // serde_json's default float parsing, -9.1e82 was read an ulp off and written back as
        // -9.099999999999999e82, so every rewrite changed another tool's value.
        let path = Path::new("config.json");
        let text = br#"{"profiles":[{"name":"o","x":-9.1e82,"y":0.1,"z":1.7976931348623157e308}]}"#;
        let file = ConfigFile::parse(text, path).unwrap();
        let written = file.to_bytes();
        let shown = String::from_utf8_lossy(&written);
        assert!(shown.contains("-9.1e+82"), "{shown}");
        assert_eq!(ConfigFile::parse(&written, path).unwrap(), file);
    }

    #[test]
    fn bad_shapes_are_named() {
        let path = Path::new("/home/u/.aliyun/config.json");
        let error = ConfigFile::parse(b"{\"profiles\": [", path)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("/home/u/.aliyun/config.json") && error.contains("line 1"),
            "{error}"
        );
        let error = ConfigFile::parse(b"{\"profiles\": {}}", path)
            .unwrap_err()
            .to_string();
        assert!(error.contains("must be a list"), "{error}");
        let error = ConfigFile::parse(b"[]", path).unwrap_err().to_string();
        assert!(error.contains("JSON object"), "{error}");
        let file =
            ConfigFile::parse(br#"{"profiles":[{"name":"p","region_id":5}]}"#, path).unwrap();
        let error = file.profile("p", path).unwrap_err().to_string();
        assert!(
            error.contains("profile `p`") && error.contains("malformed"),
            "{error}"
        );
    }
}
