//! Role chains: a `ChainableRamRoleArn` profile names a `source_profile`, which may itself be a
//! chained role. Following the names to the first profile of another mode (the root, which holds
//! the first credentials) is done here, once, for every command: with a depth limit, and with a
//! cycle reported by the names in it.

use serde_json::Value;

use super::keys;
use super::mode::Mode;
use super::model::ConfigFile;
use super::typed::Profile;
use crate::session::state::{Margins, State, Step};

/// The most roles one chain may assume in a row. Role chains in real accounts are one or two
/// hops; the limit only stops a chain that grew by mistake.
pub const MAX_ROLE_HOPS: usize = 5;

/// Why a chain cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A chained profile without `source_profile`.
    #[error("profile `{0}` has mode ChainableRamRoleArn but no `source_profile`")]
    NoSource(String),
    /// A `source_profile` that is not in the file.
    #[error("profile `{from}` names `{missing}` as its `source_profile`, which is not in the file")]
    MissingSource {
        /// The chained profile.
        from: String,
        /// The source it names.
        missing: String,
    },
    /// The names lead back to a profile already on the way.
    #[error("the source profiles form a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// More than [`MAX_ROLE_HOPS`] roles in a row.
    #[error("the role chain `{}` assumes more than {MAX_ROLE_HOPS} roles in a row", .0.join(" -> "))]
    TooDeep(Vec<String>),
}

fn text<'a>(file: &'a ConfigFile, name: &str, key: &str) -> Option<&'a str> {
    file.raw_profile(name)?
        .get(key)
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
}

/// The profiles from `name` to its root: `[name, its source, …, root]`. A profile of any mode
/// but `ChainableRamRoleArn` is its own root. `name` itself must exist.
pub fn chain(file: &ConfigFile, name: &str) -> Result<Vec<String>, ChainError> {
    let mut names = vec![name.to_owned()];
    loop {
        let current = names.last().expect("never empty");
        if text(file, current, keys::MODE).map(Mode::parse) != Some(Mode::ChainableRamRoleArn) {
            return Ok(names);
        }
        let Some(source) = text(file, current, keys::SOURCE_PROFILE) else {
            return Err(ChainError::NoSource(current.clone()));
        };
        if let Some(at) = names.iter().position(|n| n == source) {
            let mut cycle = names[at..].to_vec();
            cycle.push(source.to_owned());
            return Err(ChainError::Cycle(cycle));
        }
        if file.raw_profile(source).is_none() {
            return Err(ChainError::MissingSource {
                from: current.clone(),
                missing: source.to_owned(),
            });
        }
        names.push(source.to_owned());
        if names.len() > MAX_ROLE_HOPS + 1 {
            return Err(ChainError::TooDeep(names));
        }
    }
}

/// What a profile's credentials are good for at `now`, its role chain included: a chained role
/// with fresh credentials of its own is fresh; one that is due can be renewed as long as its
/// source can produce credentials, and needs a sign-in when its source does. A chain that cannot
/// be followed (a cycle, a missing source) has no state to tell ([`State::Elsewhere`]).
/// `profile` gives each profile of the chain by name, with its session read (a keychain
/// profile's from the keychain), or `None` when it cannot be read.
pub fn state(
    file: &ConfigFile,
    name: &str,
    now: i64,
    margins: Margins,
    profile: &mut dyn FnMut(&str) -> Option<Profile>,
) -> State {
    let Ok(names) = chain(file, name) else {
        return State::Elsewhere;
    };
    let Some(root) = names.last().and_then(|root| profile(root)) else {
        return State::Elsewhere;
    };
    let mut state = root.state(now, margins);
    for name in names.iter().rev().skip(1) {
        let Some(own) = profile(name).map(|p| p.state(now, margins)) else {
            return State::Elsewhere;
        };
        state = on_source(own, state);
    }
    state
}

/// A chained role's state (from its own cached credentials) on top of its source's.
fn on_source(own: State, source: State) -> State {
    let until = match source {
        State::Fresh { until, .. } | State::Renewable { until, .. } => until,
        State::StaticKeys { expires_at } => expires_at,
        _ => None,
    };
    match own {
        State::Fresh { sts_expires_at, .. } if source.needs_sign_in() => State::Fresh {
            sts_expires_at,
            until: Some(sts_expires_at),
        },
        State::Fresh { sts_expires_at, .. } => State::Fresh {
            sts_expires_at,
            until: until.map(|until| until.max(sts_expires_at)),
        },
        _ if source.needs_sign_in() => source,
        _ => State::Renewable {
            step: Step::Role,
            until,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn file(profiles: &str) -> ConfigFile {
        let text = format!(r#"{{"profiles": [{profiles}]}}"#);
        ConfigFile::parse(text.as_bytes(), Path::new("config.json")).unwrap()
    }

    /// The state of a chain of file profiles (no keychain).
    fn plain_state(f: &ConfigFile, name: &str, now: i64, margins: Margins) -> State {
        let path = Path::new("config.json");
        state(f, name, now, margins, &mut |n| {
            f.profile(n, path).ok().flatten()
        })
    }

    fn role(name: &str, source: &str) -> String {
        format!(
            r#"{{"name": "{name}", "mode": "ChainableRamRoleArn", "source_profile": "{source}"}}"#
        )
    }

    #[test]
    fn follows_sources_to_the_root() {
        let f = file(&format!(
            r#"{{"name": "work", "mode": "OAuth"}}, {}, {}"#,
            role("a", "work"),
            role("b", "a")
        ));
        assert_eq!(chain(&f, "b").unwrap(), ["b", "a", "work"]);
        assert_eq!(chain(&f, "work").unwrap(), ["work"]);
    }

    #[test]
    fn a_role_is_as_good_as_its_own_credentials_and_its_source() {
        let now = 1_000_000;
        let work = |session: &str| format!(r#"{{"name": "work", "mode": "OAuth", {session}}}"#);
        let role_fresh = format!(
            r#"{{"name": "prod", "mode": "ChainableRamRoleArn", "source_profile": "work",
                "access_key_id": "STS.r", "access_key_secret": "s", "sts_token": "t",
                "sts_expiration": {}}}"#,
            now + 3600
        );
        let renewable = r#""oauth_refresh_token": "rt", "oauth_refresh_token_expire": 2000000"#;
        let f = file(&format!("{}, {role_fresh}", work(renewable)));
        assert_eq!(
            plain_state(&f, "prod", now, Margins::DEFAULT),
            State::Fresh {
                sts_expires_at: now + 3600,
                until: Some(2_000_000)
            }
        );
        let f = file(&format!("{}, {}", work(renewable), role("prod", "work")));
        assert_eq!(
            plain_state(&f, "prod", now, Margins::DEFAULT),
            State::Renewable {
                step: Step::Role,
                until: Some(2_000_000)
            }
        );
        // A signed-out source: the role's own credentials last, then a sign-in is needed.
        let f = file(&format!("{}, {role_fresh}", work(r#""region_id": "x""#)));
        assert_eq!(
            plain_state(&f, "prod", now, Margins::DEFAULT),
            State::Fresh {
                sts_expires_at: now + 3600,
                until: Some(now + 3600)
            }
        );
        let f = file(&format!(
            "{}, {}",
            work(r#""region_id": "x""#),
            role("prod", "work")
        ));
        assert_eq!(
            plain_state(&f, "prod", now, Margins::DEFAULT),
            State::SignedOut
        );
        let f = file(&format!("{}, {}", role("a", "b"), role("b", "a")));
        assert_eq!(
            plain_state(&f, "a", now, Margins::DEFAULT),
            State::Elsewhere
        );
    }

    #[test]
    fn names_cycles_missing_sources_and_long_chains() {
        let f = file(&format!(
            "{}, {}, {}",
            role("a", "b"),
            role("b", "c"),
            role("c", "b")
        ));
        assert_eq!(
            chain(&f, "a").unwrap_err().to_string(),
            "the source profiles form a cycle: b -> c -> b"
        );
        let f = file(&role("self", "self"));
        assert_eq!(
            chain(&f, "self").unwrap_err(),
            ChainError::Cycle(vec!["self".into(), "self".into()])
        );
        let f = file(&role("a", "gone"));
        assert!(matches!(
            chain(&f, "a"),
            Err(ChainError::MissingSource { .. })
        ));
        let f = file(r#"{"name": "a", "mode": "ChainableRamRoleArn"}"#);
        assert_eq!(chain(&f, "a"), Err(ChainError::NoSource("a".into())));
        let long: Vec<String> = (0..7)
            .map(|i| role(&format!("r{i}"), &format!("r{}", i + 1)))
            .collect();
        let f = file(&format!(
            r#"{}, {{"name": "r7", "mode": "AK"}}"#,
            long.join(", ")
        ));
        assert!(matches!(chain(&f, "r0"), Err(ChainError::TooDeep(_))));
        let f = file(&format!(
            r#"{}, {{"name": "r5", "mode": "AK"}}"#,
            long[..5].join(", ")
        ));
        assert_eq!(chain(&f, "r0").unwrap().len(), MAX_ROLE_HOPS + 1);
    }
}
